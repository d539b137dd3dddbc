"""Scenario analysis: totals, carbon peak, target checks, marginal effects of measures,
package effects and co-control metrics.

Marginal effects (each measure against the scenario without it) are computed on the
measure's *footprint* only: the lines it selects, the lines it moves activity to, the target
lines of the other measures acting on those lines (closure), and the local power plants when
electricity is involved. Lines outside the footprint are untouched by the measure, so
re-computing the footprint gives exactly the same difference as a full re-run, at a cost
proportional to the footprint instead of N full runs (see ``bench/scenario.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol import refdata, units
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq
from cocontrol.progress import track
from cocontrol.scenario import measures as mlib
from cocontrol.scenario.actions import handler, power_lines
from cocontrol.scenario.engine import Base, Run, restrict, run, run_batch

CO2E = "CO2e"


def totals(r: Run, scope: int | str = 1, unit: str = "t") -> pd.DataFrame:
    """Totals by species (rows) and year (columns) of a run."""
    return r.inventory().total(unit=unit, scope=scope)


def peak(r: Run, species: str = "CO2", scope: int | str = 1) -> tuple[int, float]:
    """Year and value (t) of the maximum of a species' total over the run's years."""
    t = totals(r, scope=scope).loc[species]
    y = int(t.idxmax())
    return y, float(t.loc[y])


def _measure_table(base: Base, r: Run) -> pd.DataFrame:
    """Annualised cost of each measure by year, yuan (price year of the library)."""
    eff = r.measure_effects
    if eff.empty:
        return pd.DataFrame(columns=["measure", "year", "affected", "unit", "annualised_capex",
                                     "opex", "energy_cost_change_yuan", "cost_yuan"])
    lib = base.lib
    rate = base.settings.discount_rate
    # one grouping of every measure's rows (not one per measure: the cold scenario comparison
    # page spent most of its time here); rows in the measures' order of appearance, within a
    # measure by region, year, unit, as grouping each measure's rows gives
    g = eff.assign(region=eff["region"].fillna("(all)") if "region" in eff else "(all)")
    g = g.groupby(["measure", "region", "year", "unit"], as_index=False)[
        ["affected", "energy_cost_change_yuan"]].sum()
    order = {m: i for i, m in enumerate(pd.unique(eff["measure"]))}
    g = g.iloc[np.argsort(g["measure"].map(order).to_numpy(), kind="stable")]
    par = {}
    for mid in order:
        m = lib.loc[mid]
        # costs are required by measures.validate (a blank cost is an error, never 0); a blank
        # lifetime is allowed only with capex 0, where the recovery factor multiplies nothing
        capex, fo, vo = (float(m[c]) for c in ("capex", "fixed_opex", "variable_opex"))
        life = float(m["lifetime"]) if pd.notna(m["lifetime"]) else 1.0
        par[mid] = (capex, mlib.crf(rate, life), fo + vo, m["price_year"])
    mid = g["measure"]
    col = [mid.map({k: v[i] for k, v in par.items()}) for i in range(4)]
    g["annualised_capex"] = g["affected"] * col[0] * col[1]
    g["opex"] = g["affected"] * col[2]
    g["cost_yuan"] = g["annualised_capex"] + g["opex"] + g["energy_cost_change_yuan"]
    g["price_year"] = col[3]
    return g.reset_index(drop=True)


def costs(base: Base, r: Run) -> pd.DataFrame:
    """Costs of every measure by year: annualised capex (capital recovery factor at the
    scenario discount rate), fixed and variable opex, change in energy expenditure (fuel
    prices; negative = savings) and the net cost, all in yuan per year."""
    return _measure_table(base, r)


def discount_factors(base: Base) -> dict[int, tuple[int, float]]:
    """Scenario year -> (years its cost is held: until the next scenario year, 1 for the
    last; the sum of its discount factors to the base year y0 over those years,
    Σ_k (1 + r)^−(y + k − y0), r the scenario discount rate)."""
    years = [int(y) for y in base.years]
    rate = base.settings.discount_rate
    out = {}
    for i, y in enumerate(years):
        span = (years[i + 1] - y) if i + 1 < len(years) else 1
        out[y] = (span, sum(1 / (1 + rate) ** (y + k - years[0]) for k in range(span)))
    return out


def discounted_cost(base: Base, r: Run) -> float:
    """Present value (base year) of the net annual costs, yuan, with each period's cost held
    for the years until the next period (:func:`discount_factors`); a year without an
    active measure costs nothing."""
    c = costs(base, r).groupby("year")["cost_yuan"].sum()
    return float(sum(float(c.get(y, 0.0)) * f for y, (_n, f) in discount_factors(base).items()))


def check_targets(base: Base, r: Run, targets: list[dict] | None = None) -> pd.DataFrame:
    """Pass/fail and margin of each target (margin > 0: met with room to spare), with the
    target's ``type`` and ``source`` as scenarios.yaml gives them.

    Target types: ``co2_peak`` (by year: the CO2 maximum occurs no later and emissions do not
    rise after it), ``cap`` (species total in a year ≤ max), ``intensity`` (species per unit
    of a driver ≤ max), ``energy_cap`` (energy of fuels or a fuel kind ≤ max, e.g. Mtce).
    """
    targets = base.targets if targets is None else targets
    tot = totals(r, scope=1)
    rows = []
    for i, t in enumerate(targets):
        typ = t.get("type")
        if typ == "co2_peak":
            sp = t.get("species", "CO2")
            series = tot.loc[sp]
            y_peak = int(series.idxmax())
            by = int(t["by"])
            after = series[series.index >= by]
            rising = bool((np.diff(after.to_numpy()) > 1e-9 * max(1.0, after.max())).any())
            ok = y_peak <= by and not rising
            rows.append({"target": f"{sp} peak by {by}", "year": y_peak, "value": y_peak,
                         "limit": by, "unit": "year", "passed": ok, "margin": by - y_peak,
                         "note": "emissions rise again after the peak year" if rising else "",
                         "source": str(t.get("source") or ""), "type": typ})
        elif typ in ("cap", "intensity"):
            sp, y = t["species"], int(t["year"])
            unit = t.get("unit", "t")
            if y not in tot.columns:
                raise InputError(Problem(file="scenarios.yaml", column=f"targets[{i}].year",
                                         value=y, message=Msg("msg.target_year"),
                                         expected=Msg("exp.one_of",
                                                      items=str(list(tot.columns)))))
            val = float(tot.loc[sp, y])
            if typ == "intensity":
                drv = t["per"]
                from cocontrol.scenario.drivers import interpolate

                num, den = _intensity_units(unit, i)
                d_unit = _driver_unit(base.drivers, drv, i)  # first: raises if no such driver
                d = interpolate(base.drivers, base.years).loc[drv, y]
                # both sides converted: t -> numerator unit, driver unit -> denominator unit
                try:
                    val = val * units.factor("t", num) / (float(d) * units.factor(d_unit, den))
                except units.UnitError as e:
                    raise InputError(Problem(
                        file="scenarios.yaml", column=f"targets[{i}].unit", value=unit,
                        message=Msg("msg.intensity_unit", sp=sp, drv=drv, d_unit=d_unit,
                                    unit=unit, detail=e),
                        expected=Msg("exp.intensity_unit", d_unit=d_unit))) from e
                label = f"{sp} per {drv} in {y}"
            else:
                val = val * units.factor("t", unit)
                label = f"{sp} cap {y}"
            lim = float(t["max"])
            rows.append({"target": label, "year": y, "value": val, "limit": lim, "unit": unit,
                         "passed": val <= lim * (1 + 1e-12), "margin": lim - val, "note": "",
                         "source": str(t.get("source") or ""), "type": typ})
        elif typ == "energy_cap":
            y, unit = int(t["year"]), t.get("unit", "tce")
            e = energy(base, r, unit=unit)
            fuels = refdata.table("fuels").set_index("code")
            sel = t.get("fuels") or [f for f in fuels.index if fuels.at[f, "kind"] ==
                                     t.get("kind", "solid")]
            val = float(e[e["fuel"].isin(sel) & (e["year"] == y)]["value"].sum())
            lim = float(t["max"])
            rows.append({"target": f"energy cap {t.get('kind', ','.join(sel))} {y}", "year": y,
                         "value": val, "limit": lim, "unit": unit,
                         "passed": val <= lim * (1 + 1e-12),  # met exactly: as a cap
                         "margin": lim - val, "note": "",
                         "source": str(t.get("source") or ""), "type": typ})
        else:
            raise InputError(Problem(file="scenarios.yaml", column=f"targets[{i}].type",
                                     value=typ, message=Msg("msg.target_type"),
                                     expected=Seq(["co2_peak", "cap", "intensity",
                                                   "energy_cap"], quote=True)))
    return pd.DataFrame(rows)


def _intensity_units(unit: str, i: int) -> tuple[str, str]:
    if not isinstance(unit, str) or "/" not in unit:
        raise InputError(Problem(file="scenarios.yaml", column=f"targets[{i}].unit", value=unit,
                                 message=Msg("msg.intensity_ratio"),
                                 expected=Msg("exp.intensity_ratio")))
    num, den = unit.split("/", 1)
    return num.strip(), den.strip()


def _driver_unit(drivers: pd.DataFrame, drv: str, i: int) -> str:
    """The one unit of driver ``drv`` in drivers.csv (an error when absent or mixed)."""
    rows = drivers[drivers["driver"] == drv] if drivers is not None else None
    if rows is None or rows.empty:
        raise InputError(Problem(file="scenarios.yaml", column=f"targets[{i}].per", value=drv,
                                 message=Msg("msg.driver_not_in_csv"),
                                 expected=Msg("exp.driver_of_csv")))
    if "unit" not in rows.columns or rows["unit"].isna().any():
        raise InputError(Problem(file="drivers.csv", column="unit", value=drv,
                                 message=Msg("msg.driver_no_unit"),
                                 expected=Msg("exp.driver_unit")))
    found = sorted(set(rows["unit"].astype(str).str.strip()))
    if len(found) != 1:
        raise InputError(Problem(file="drivers.csv", column="unit", value=", ".join(found),
                                 message=Msg("msg.driver_units", drv=drv),
                                 expected=Msg("exp.driver_one_unit")))
    return found[0]


def energy(base: Base, r: Run, unit: str = "tce", scope: int | str = "all") -> pd.DataFrame:
    """Energy use by fuel and year (fuel lines only), in ``unit`` (e.g. tce, TJ, GJ)."""
    lines = base.lines
    mask = np.isfinite(base.gj)
    if scope != "all":
        mask &= (lines["scope"] == int(scope)).to_numpy()
    gj = r.activity[mask] * base.gj[mask, None]
    df = pd.DataFrame(gj, columns=base.years)
    df["fuel"] = lines["fuel"].to_numpy()[mask]
    out = df.groupby("fuel").sum().stack().rename("value").reset_index()
    out.columns = ["fuel", "year", "value"]
    out["value"] *= units.factor("GJ", unit)
    out["unit"] = unit
    return out


# ---------------------------------------------------------------- marginal effects
def _mid(key) -> str:
    return key[0] if isinstance(key, tuple) else key


def _electricity_lines(base: Base, r: Run) -> np.ndarray:
    """Lines whose activity feeds the electricity balance under some measure of the run."""
    mask = np.zeros(len(base.lines), bool)
    for key in r.penetration:
        mid = _mid(key)
        mask |= handler(base.lib.at[mid, "action"]).electricity_lines(base, mid)
    return mask


def footprint(base: Base, r: Run, mid: str) -> np.ndarray:
    """Lines whose emissions can change when measure ``mid`` is removed from run ``r``
    (each action's handler gives its lines and the lines it links, :mod:`actions`)."""
    fp = handler(base.lib.at[mid, "action"]).lines(base, mid).copy()
    # closure over the other measures' switches and penalties on those lines, and over the
    # electricity balance (local power plants and every line feeding it), until stable
    elec = _electricity_lines(base, r)
    power = power_lines(base)
    while True:
        before = int(fp.sum())
        for other in r.penetration:
            oid = _mid(other)
            fp |= handler(base.lib.at[oid, "action"]).linked(base, oid, fp)
        if (fp & elec).any():
            fp |= power | elec
        if int(fp.sum()) == before:
            break
    return fp


#: Largest ensemble (members × lines × species × years cells) marginal effects evaluate in
#: one batched run (8 bytes a cell: 256 MB); larger problems use footprints or re-runs.
BATCH_CELLS = 1 << 25


def marginal_effects(base: Base, scenario: str, full: Run | None = None,
                     method: str = "auto", progress=None) -> pd.DataFrame:
    """Emission change of every measure of a scenario against the same scenario without it
    (t; reduction = without − with > 0), by measure, species and year.

    ``method`` (all exact, same numbers to rounding):

    * ``"batch"``: one :func:`~cocontrol.scenario.run_batch` with a member per measure at
      zero penetration (an engine no-op, the same as leaving it out);
    * ``"footprint"``: each measure re-run on its footprint only (the lines it can change);
    * ``"rerun"``: N full re-runs without each measure;
    * ``"auto"`` (default): ``batch`` when the ensemble fits in :data:`BATCH_CELLS`, else
      ``footprint`` when the footprints cover less than half of N full runs, else ``rerun``
      — so it is never slower than N full re-runs by more than the footprint bookkeeping.

    ``progress``: callback of :mod:`cocontrol.progress` (stage ``scenario.marginal``, one
    step per measure; the batch reports its measures when it is done).
    """
    full = full or run(base, scenario)
    ids = list(full.penetration)
    N, S, T = full.emissions.shape
    if method == "auto":
        if len(ids) * N * S * T <= BATCH_CELLS and not any(isinstance(m, tuple) for m in ids):
            method = "batch"
        else:
            fps = [footprint(base, full, mid) for mid in ids]
            method = "footprint" if sum(int(f.sum()) for f in fps) < 0.5 * len(ids) * N \
                else "rerun"
    scope1 = (base.lines["scope"] == 1).to_numpy()
    d1s, d2s = [], []
    if method == "batch" and ids:
        sc = base.scenarios[scenario]
        paths = np.stack([full.penetration[m][0] if np.ndim(full.penetration[m]) == 2
                          else full.penetration[m] for m in ids])  # (M, T)
        P = {m: np.where((np.arange(len(ids)) == j)[:, None], 0.0, paths[j][None, :])
             for j, m in enumerate(ids)}
        br = run_batch(base, sc, P)
        diff = br.emissions - full.emissions[None]  # (M, N, S, T)
        d_all = diff.sum(axis=1)
        d1 = diff[:, scope1].sum(axis=1)
        d1s, d2s = list(d1), list(d_all - d1)
        for _ in track(ids, progress, "scenario.marginal", message=lambda m: Msg("msg.prog_measure", m=m)):
            pass
    elif method in ("footprint", "rerun"):
        added_full = full.added_electricity
        for mid in ids:  # fill the selection cache before restricting
            if not isinstance(mid, tuple) and base.lib.at[mid, "action"] != "renewable":
                base.selection(mid)
        for mid in track(ids, progress, "scenario.marginal", message=lambda m: Msg("msg.prog_measure", m=m)):
            if method == "footprint":
                fp = footprint(base, full, mid)
                offset = added_full[~fp].sum(axis=0)
                part = run(restrict(base, fp), scenario, exclude={mid}, elec_offset=offset)
            else:
                fp = np.ones(N, bool)
                part = run(base, scenario, exclude={mid})
            d = part.emissions.sum(axis=0) - full.emissions[fp].sum(axis=0)  # (S, T)
            s1 = scope1[fp]
            d1 = part.emissions[s1].sum(axis=0) - full.emissions[fp][s1].sum(axis=0)
            d1s.append(d1)
            d2s.append(d - d1)
    elif ids:
        raise ValueError(Msg("msg.scn2_method_auto_batch_footprint"))
    if not ids:
        return pd.DataFrame(columns=["measure", "species", "year", "reduction_t"])
    # rows: per measure, every species (CO2 followed by its scope-2 part), every year
    names, blocks = [], []
    for j, s in enumerate(base.species):
        names.append(s)
        blocks.append(("d1", j))
        if s == "CO2":
            names.append("CO2_scope2")
            blocks.append(("d2", j))
    d1a, d2a = np.asarray(d1s), np.asarray(d2s)  # (M, S, T)
    vals = np.stack([d1a[:, j] if k == "d1" else d2a[:, j] for k, j in blocks], axis=1)
    M, B = len(ids), len(blocks)
    return pd.DataFrame({
        "measure": np.repeat(np.array(ids, dtype=object), B * T),
        "species": np.tile(np.repeat(names, T), M),
        "year": np.tile(base.years, M * B),
        "reduction_t": vals.reshape(-1)})


def run_all(base: Base, scenarios: list[str] | None = None, progress=None) -> dict[str, Run]:
    """Run several scenarios (default: every scenario of the project), in order.
    ``progress``: callback of :mod:`cocontrol.progress` (stage ``scenario.run``)."""
    names = list(base.scenarios) if scenarios is None else list(scenarios)
    return {n: run(base, n) for n in track(names, progress, "scenario.run",
                                           message=lambda n: f"scenario {n}")}
