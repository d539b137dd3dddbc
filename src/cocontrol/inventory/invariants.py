"""Physical invariants of every inventory line (issue 9, item 4).

For every line and year, with E the controlled and U the uncontrolled emission (t):

* nothing is negative: E ≥ 0, U ≥ 0;
* controlled ≤ uncontrolled: E ≤ U (lines replaced by measured values are exempt, and so is
  NH3, which SCR/SNCR add as ammonia slip: ``control_tech.nh3_slip``);
* size fractions nest: PM2.5 ≤ PM10 (and ≤ TSP where TSP is a species);
* PM2.5 components: BC + OC ≤ PM2.5.

Species that are not estimated on a line take no part in the comparison they would make.
:func:`violations` returns the failing cells; an empty frame means every invariant holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["source_id", "species", "year", "check", "value", "bound"]


def violations(inv, *, rtol: float = 1e-9, atol: float = 1e-12) -> pd.DataFrame:
    """Cells of ``inv`` (an :class:`~cocontrol.inventory.Inventory`) breaking an invariant."""
    sp = list(inv.species)
    E = np.asarray(inv.emissions, dtype=float)
    U = inv.uncontrolled()
    est = np.asarray(inv.estimated, dtype=bool)[:, :, None] & np.ones(E.shape, dtype=bool)
    measured = np.zeros(len(E), dtype=bool)
    measured[np.asarray(getattr(inv, "_measured_lines", []), dtype=int)] = True
    rows: list[dict] = []

    def add(mask, s_name, check, val, bound):
        n, y = np.nonzero(mask)
        for i, j in zip(n, y, strict=True):
            rows.append({"source_id": inv.lines["source_id"].iat[i], "species": s_name,
                         "year": inv.years[j], "check": check, "value": float(val[i, j]),
                         "bound": float(bound[i, j])})

    for k, s in enumerate(sp):
        add((E[:, k, :] < -atol) | ~np.isfinite(E[:, k, :]), s, "controlled >= 0",
            E[:, k, :], np.zeros_like(E[:, k, :]))
        add(U[:, k, :] < -atol, s, "uncontrolled >= 0", U[:, k, :], np.zeros_like(U[:, k, :]))
        if s != "NH3":
            over = (E[:, k, :] > U[:, k, :] * (1 + rtol) + atol) & ~measured[:, None]
            add(over, s, "controlled <= uncontrolled", E[:, k, :], U[:, k, :])

    def nest(small: str, big: str):
        if small in sp and big in sp:
            a, b = sp.index(small), sp.index(big)
            both = est[:, a, :] & est[:, b, :]
            add(both & (E[:, a, :] > E[:, b, :] * (1 + rtol) + atol), small,
                f"{small} <= {big}", E[:, a, :], E[:, b, :])

    nest("PM2.5", "PM10")
    nest("PM10", "TSP")
    if "PM2.5" in sp:
        p = sp.index("PM2.5")
        parts = [sp.index(c) for c in ("BC", "OC") if c in sp]
        if parts:
            total = sum(np.where(est[:, c, :], E[:, c, :], 0.0) for c in parts)
            add(est[:, p, :] & (total > E[:, p, :] * (1 + rtol) + atol), "BC+OC",
                "BC + OC <= PM2.5", total, E[:, p, :])
    return pd.DataFrame(rows, columns=COLUMNS)
