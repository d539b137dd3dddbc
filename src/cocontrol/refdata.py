"""Bundled reference tables (``cocontrol/data/*.csv``), loaded once and cached.

Every row carries its source; see ``docs/data-schema.md`` and ``docs/reference-data.md``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from cocontrol.errors import CocontrolError

TABLES = (
    "species", "gwp", "fuels", "sectors", "processes", "ef_air",
    "control_tech", "control_removal", "pev", "grid",
)

#: The twelve species of the integrated inventory, in reporting order.
SPECIES = ("SO2", "NOx", "PM2.5", "PM10", "VOCs", "CO", "NH3", "BC", "OC", "CO2", "CH4", "N2O")
AIR_SPECIES = SPECIES[:9]
GHG_SPECIES = SPECIES[9:]


@cache
def table(name: str) -> pd.DataFrame:
    """Return a bundled reference table as a DataFrame (a copy is cheap under copy-on-write)."""
    if name not in TABLES:
        raise CocontrolError(f"unknown reference table {name!r}; known: {', '.join(TABLES)}")
    path = resources.files("cocontrol") / "data" / f"{name}.csv"
    with resources.as_file(path) as p:
        df = pd.read_csv(p, comment="#", skipinitialspace=True, keep_default_na=False,
                         na_values=[""])
    return df


def codes(name: str, column: str = "code") -> set[str]:
    """The set of codes of a reference table (e.g. ``codes("fuels")``)."""
    return set(table(name)[column].astype(str))


def gwp(gwp_set: str) -> dict[str, float]:
    """GWP100 values of CO2, CH4 and N2O for a named set (``AR5`` or ``AR6``)."""
    g = table("gwp")
    sel = g[g["set"] == gwp_set]
    if sel.empty:
        raise CocontrolError(
            f"unknown GWP set {gwp_set!r}; available: {', '.join(sorted(g['set'].unique()))}"
        )
    return dict(zip(sel["species"], sel["value"].astype(float), strict=True))
