"""Industrial parks (产业园区): the park's account aggregated from its enterprises, park
evaluation with the park index system, and park-level targets and alerts.

The park account is the sum of its enterprises' accounts plus the park's sources that belong
to no enterprise (``park_only``); the closure

    E_park = Σ_e E_e + E_park_only

is checked on every build (it is exact: the same inventory lines are summed twice).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pydantic import Field

from cocontrol.enterprise._common import Strict, convert, convert_ratio
from cocontrol.enterprise.permits import status_of
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq


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
                                     message=Msg("msg.ent_not_in_park_account", year=year)))
        return float(v["value"].iloc[0])


def park_account(inventory, park_id: str) -> ParkAccount:
    """Account of park ``park_id`` (a region of level park) from the inventory (scope 1, t)."""
    lines = inventory.lines
    if "park" not in lines or not (lines["park"] == park_id).any():
        known = sorted(set(lines.get("park", pd.Series(dtype=str))) - {"(none)"})
        raise InputError(Problem(file="regions.csv", column="region_id", value=park_id,
                                 message=Msg("msg.ent_no_park_lines"),
                                 expected=Seq(known, quote=True) or Msg("exp.ent_park_region")))
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
        raise AssertionError(Msg("msg.ent_park_closure", park=park_id))
    name = park_id
    if inventory.regions is not None:
        rg = inventory.regions.set_index("region_id")
        if park_id in rg.index:
            name = str(rg.loc[park_id, "name"])
    return ParkAccount(park_id, name, ents, by_ent, tot.reset_index(drop=True), only)


def park_targets(acc: ParkAccount, targets: list[ParkTarget],
                 value_added: pd.DataFrame | None = None, near: float = 0.9,
                 levels: pd.DataFrame | None = None) -> pd.DataFrame:
    """Status of park targets (within / near / exceeded / not assessed) and their alert level.

    ``status`` compares the ratio r = actual / max as a permit item does
    (:func:`cocontrol.enterprise.permits.status_of`). The alert ``level`` is the monitoring
    engine's (:func:`cocontrol.monitoring.targets.level_for`, the thresholds of the city's
    early warning, ``data/monitoring/alert_levels.csv``, or ``levels``) for the shortfall of a
    cap judged on a complete year, the carbon-budget rule of
    :func:`cocontrol.monitoring.targets.assess` with the whole year known (φ = 1):

        s = (x − x*) / x*

    (x the park's value, x* the target's max; green s ≤ 0, yellow s ≤ 0.1, red above with
    the bundled thresholds). A target whose value is not in the account (year not an
    inventory year, species not estimated) is ``not assessed`` with level ``not estimated``,
    never green.

    ``value_added``: ``year, value, unit`` of the park, needed by intensity targets (both
    units converted)."""
    from cocontrol.monitoring.targets import level_for

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
                                     value=t.kind, message=Msg("msg.ent_park_target_kind"),
                                     expected=Msg("exp.ent_park_target_kind")))
        ratio = actual / t.max
        shortfall = (actual - t.max) / t.max
        level, reason = level_for(shortfall, np.nan, levels)
        rows.append({"target": t.id, "species": t.species, "year": t.year, "kind": t.kind,
                     "max": t.max, "unit": t.unit, "actual": actual, "ratio": ratio,
                     "status": status_of(ratio, near), "shortfall": shortfall,
                     "level": level, "reason": reason, "basis": t.basis})
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


TARGET_COLUMNS = ["target", "species", "year", "kind", "max", "unit", "actual", "ratio",
                  "status", "shortfall", "level", "reason", "basis"]


def alert_cases(table: pd.DataFrame, park_id: str, found_at: dt.datetime, on: dt.date,
                deadline_days: int = 15) -> list:
    """Monitoring cases (:class:`cocontrol.monitoring.Case`, status ``found``, rule
    ``park_target``) of the targets of :func:`park_targets` at level yellow or red, each with
    the park's value, the target's max and its basis; the case id is a hash of the park,
    target, year, level and value, so the same assessment again is the same case. Green and
    not-estimated targets give no case."""
    from cocontrol.monitoring.anomaly import RULE_LABELS, Finding, _fid, open_case

    en, zh = RULE_LABELS["park_target"]
    day = dt.datetime.combine(on, dt.time())
    out = []
    for r in table.itertuples(index=False):
        if r.level not in ("yellow", "red"):
            continue
        lv_zh = "【红色】" if r.level == "red" else "【黄色】"
        f = Finding(id=_fid("park_target", park_id, r.target, r.year, r.level, f"{r.actual:.6g}"),
                    rule="park_target", entity=park_id, signal=f"{r.species} {r.kind} {r.year}",
                    start=day, end=day, hours=0, value=float(r.actual),
                    threshold=float(r.max), unit=str(r.unit), basis=str(r.basis),
                    message_en=f"[{r.level}] park {park_id} {r.species} {r.kind} {r.year}: {en} "
                               f"({r.actual:.4g} vs target {r.max:.4g} {r.unit}, shortfall "
                               f"{r.shortfall:+.1%}; target {r.target}; basis: {r.basis})",
                    message_zh=f"{lv_zh}园区 {park_id} {r.species} {r.year}年"
                               f"{'总量' if r.kind == 'cap' else '强度'}：{zh}（{r.actual:.4g}，"
                               f"目标 {r.max:.4g} {r.unit}，差距 {r.shortfall:+.1%}；目标 "
                               f"{r.target}；依据：{r.basis}）")
        out.append(open_case(f, park_id, found_at, deadline_days))
    return out


def park_evaluation(values: pd.DataFrame, units: pd.DataFrame | None = None, system=None,
                    **kw):
    """Evaluate parks with the park index system (bundled ``park`` template by default) of
    :mod:`cocontrol.evaluation`; ``values`` indexed ``(unit, year)`` with one column per
    indicator, as returned by :func:`cocontrol.evaluation.load_values`."""
    from cocontrol.evaluation import evaluate, load_system

    return evaluate(system or load_system("park"), values, units=units, **kw)


def park_score(result, park_id: str, year: int | None = None) -> dict | None:
    """The score, grade and rank of ``park_id`` in an evaluation of parks (the last year it
    was evaluated, or ``year``); None when the park is not in the evaluation."""
    sc = result.scores
    if park_id not in sc.index.get_level_values("unit"):
        return None
    mine = sc.xs(park_id, level="unit")
    if year is None:
        year = int(mine.index.max())
    if year not in mine.index:
        return None
    from cocontrol.evaluation import grade

    r = mine.loc[year]
    n = int((sc.index.get_level_values("year") == year).sum())
    one = pd.Series([float(r["score"])])
    w = result.weights
    key = (park_id, year)

    def cell(df, ind):
        v = df.at[key, ind] if key in df.index and ind in df.columns else np.nan
        return None if pd.isna(v) else float(v)
    # each indicator of the park-year: value, normalised score, global weight and its points
    # of the score (result.contributions; they add up to the score)
    indicators = [{"indicator": str(ind), "name_en": str(w.at[ind, "name_en"]),
                   "name_zh": str(w.at[ind, "name_zh"]), "unit": str(w.at[ind, "unit"]),
                   "direction": str(w.at[ind, "direction"]), "value": cell(result.values, ind),
                   "normalized": cell(result.normalized, ind),
                   "weight": float(w.at[ind, "weight"]),
                   "points": cell(result.contributions, ind)} for ind in w.index]
    return {"year": int(year), "score": float(r["score"]),
            "grade_en": str(grade(one, result.system, "en").iloc[0]),
            "grade_zh": str(grade(one, result.system, "zh").iloc[0]),
            "rank": int(r["rank"]), "of": n, "complete": bool(r["complete"]),
            "system": str(result.system.meta.get("id", "")),
            "system_name_en": str(result.system.meta.get("name_en", "")),
            "system_name_zh": str(result.system.meta.get("name_zh", "")),
            "indicators": indicators}

