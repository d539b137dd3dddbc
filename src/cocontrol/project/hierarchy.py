"""Region hierarchy: city → districts/parks → enterprises → facilities."""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVELS = ("city", "district", "park", "enterprise", "facility")
#: Rank of each level: a parent must have a lower rank than its child. Districts and parks are
#: both second-level units (a park may sit inside a district or directly under the city).
RANK = {"city": 0, "district": 1, "park": 2, "enterprise": 3, "facility": 4}
NONE_LABEL = "(none)"


def ancestors(regions: pd.DataFrame) -> pd.DataFrame:
    """For every region, its ancestor (or itself) at every level.

    Returns a frame indexed by ``region_id`` with one column per level in :data:`LEVELS`;
    ``(none)`` where a region has no ancestor at that level (e.g. a district-level area source
    has no enterprise). Vectorised: one pass per level of depth. Assumes a validated, acyclic
    hierarchy.
    """
    ids = pd.Index(regions["region_id"].astype(object))
    ids_arr = ids.to_numpy(dtype=object)
    parent_pos = ids.get_indexer(regions["parent_id"].astype(object))  # -1: no parent
    level = regions["level"].astype(object).to_numpy()
    out = {lv: np.full(len(ids), NONE_LABEL, dtype=object) for lv in LEVELS}
    rows = np.arange(len(ids))
    cur = rows.copy()
    for _ in range(len(LEVELS) + 1):
        alive = cur >= 0
        if not alive.any():
            break
        r, c = rows[alive], cur[alive]
        lv_now = level[c]
        for lv in LEVELS:
            hit = lv_now == lv
            out[lv][r[hit]] = ids_arr[c[hit]]
        nxt = np.full_like(cur, -1)
        nxt[alive] = parent_pos[c]
        cur = nxt
    return pd.DataFrame(out, index=pd.Index(ids, name="region_id"))
