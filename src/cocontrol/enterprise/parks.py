"""Industrial parks (产业园区): the park's account aggregated from its enterprises, park
evaluation with the park index system, and park-level targets and alerts.

The park account is the sum of its enterprises' accounts plus the park's sources that belong
to no enterprise (``park_only``); the closure

    E_park = Σ_e E_e + E_park_only

is checked on every build (it is exact: the same inventory lines are summed twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pydantic import Field

from cocontrol.enterprise._common import Strict, convert, convert_ratio
from cocontrol.enterprise.permits import status_of
from cocontrol.errors import InputError, Problem


class ParkTarget(Strict):
    """A park target: a cap on a species' annual emissions, or on an intensity."""

    id: str
    species: str
    year: int
    max: float = Field(gt=0)
    unit: str  # t, kt … for caps; t/1e4 yuan … for intensities
    kind: str = "cap"  # cap or intensity
    basis: str = ""


@dataclass
class ParkAccount:
    park_id: str
    name: str
    enterprises: list[str]
    by_enterprise: pd.DataFrame  # enterprise, species, year, value, unit
    total: pd.DataFrame  # species, year, value, unit
    park_only: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def value(self, species: str, year: int) -> float:
        t = self.total
        v = t[(t["species"] == species) & (t["year"] == year)]
        if v.empty:
            raise InputError(Problem(file="<park account>", column="species", value=species,
                                     message="species/year not in the park account"))
        return float(v["value"].iloc[0])


def park_account(inventory, park_id: str) -> ParkAccount:
    """Account of park ``park_id`` (a region of level park) from the inventory (scope 1, t)."""
    lines = inventory.lines
    if "park" not in lines or not (lines["park"] == park_id).any():
        known = sorted(set(lines.get("park", pd.Series(dtype=str))) - {"(none)"})
        raise InputError(Problem(file="regions", column="region_id", value=park_id,
                                 message="no source lines in this park",
                                 expected=", ".join(known) or "a region of level park"))
    a = inventory.aggregate(["park", "enterprise"], unit="t")
    a = a[a["park"] == park_id].drop(columns="park")
    ents = sorted(set(a["enterprise"]) - {"(none)"})
    by_ent = a[a["enterprise"] != "(none)"].reset_index(drop=True)
    only = a[a["enterprise"] == "(none)"].drop(columns="enterprise").reset_index(drop=True)
    tot = a.groupby(["species", "year", "unit"], as_index=False, sort=False)["value"].sum(
        min_count=1)
    direct = inventory.aggregate(["park"], unit="t")
    direct = direct[direct["park"] == park_id].set_index(["species", "year"])["value"]
    chk = tot.set_index(["species", "year"])["value"].reindex(direct.index)
    # a species not estimated in the park is NaN there, while enterprises without any line
    # to which it applies add 0: compare the estimated amounts
    if not np.allclose(np.nan_to_num(chk.to_numpy()), np.nan_to_num(direct.to_numpy()),
                       rtol=1e-12, atol=1e-9):
        raise AssertionError("park account does not close on the inventory")
    name = park_id
    if inventory.regions is not None:
        rg = inventory.regions.set_index("region_id")
        if park_id in rg.index:
            name = str(rg.loc[park_id, "name"])
    return ParkAccount(park_id, name, ents, by_ent, tot.reset_index(drop=True), only)


def park_targets(acc: ParkAccount, targets: list[ParkTarget],
                 value_added: pd.DataFrame | None = None, near: float = 0.9) -> pd.DataFrame:
    """Status of park targets (within / near / exceeded / not assessed) with an alert level.

    ``value_added``: ``year, value, unit`` of the park, needed by intensity targets (both
    units converted)."""
    rows = []
    for t in targets:
        actual = np.nan
        try:
            e_t = acc.value(t.species, t.year)
        except InputError:
            e_t = np.nan
        if t.kind == "cap":
            actual = np.nan if np.isnan(e_t) else convert(e_t, "t", t.unit, f"{t.id}.unit")
        elif t.kind == "intensity":
            if value_added is not None:
                va = value_added[value_added["year"] == t.year]
                if len(va) and not np.isnan(e_t):
                    actual = convert_ratio(e_t / float(va["value"].iloc[0]),
                                           f"t/{va['unit'].iloc[0]}", t.unit, f"{t.id}.unit")
        else:
            raise InputError(Problem(file="<park targets>", column=f"{t.id}.kind",
                                     value=t.kind, message="unknown target kind",
                                     expected="cap or intensity"))
        ratio = actual / t.max
        st = status_of(ratio, near)
        rows.append({"target": t.id, "species": t.species, "year": t.year, "kind": t.kind,
                     "max": t.max, "unit": t.unit, "actual": actual, "ratio": ratio,
                     "status": st, "level": {"exceeded": "red", "near": "yellow",
                                             "within": "green"}.get(st, "grey"),
                     "basis": t.basis})
    return pd.DataFrame(rows)


def park_evaluation(values: pd.DataFrame, units: pd.DataFrame | None = None, system=None,
                    **kw):
    """Evaluate parks with the park index system (bundled ``park`` template by default) of
    :mod:`cocontrol.evaluation`; ``values`` indexed ``(unit, year)`` with one column per
    indicator, as returned by :func:`cocontrol.evaluation.load_values`."""
    from cocontrol.evaluation import evaluate, load_system

    return evaluate(system or load_system("park"), values, units=units, **kw)
