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
    parent = pd.Series(regions["parent_id"].astype(object).to_numpy(), index=ids)
    level = pd.Series(regions["level"].astype(object).to_numpy(), index=ids)
    out = {lv: np.full(len(ids), NONE_LABEL, dtype=object) for lv in LEVELS}
    cur = pd.Series(ids.to_numpy(), index=ids, dtype=object)
    for _ in range(len(LEVELS) + 1):
        alive = cur.notna().to_numpy() & cur.isin(ids).to_numpy()
        if not alive.any():
            break
        lv_now = cur[alive].map(level).to_numpy()
        for lv in LEVELS:
            hit = lv_now == lv
            if hit.any():
                col = out[lv]
                pos = np.flatnonzero(alive)[hit]
                col[pos] = cur.to_numpy()[pos]
        nxt = cur.map(parent)
        nxt[~alive] = np.nan
        cur = nxt
    return pd.DataFrame(out, index=pd.Index(ids, name="region_id"))
