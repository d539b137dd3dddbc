"""Indicators computable from cocontrol's own results (emissions and value added).

From a tidy table of emissions by unit, year and species plus value added by unit and year:

* ``joint_decline_rate`` (%): for each major pollutant p and CO2, the year-on-year decline of
  emission intensity ``d = 1 - I_t / I_(t-1)`` with ``I = emissions / value added``;
  the indicator is ``100 * mean_p min(d_p, d_CO2)`` (over the pollutants the unit emitted in
  the previous year): the decline that pollutant and carbon
  intensity achieved *together* (negative when either rises). cocontrol's operationalisation
  of "joint decline of major pollutant emissions and CO2 per unit of industrial value added"
  (MEE et al. 2022).
* ``elasticity_pollutant_carbon`` (1): ``ln(P_t) / ln(C_t)`` where ``C_t = I_CO2,t /
  I_CO2,t-1`` and ``P_t = mean_p (I_p,t / I_p,t-1)`` (equally weighted pollutant intensity
  index). Values above 1 mean pollutant intensity falls faster than carbon intensity. It is
  defined only when carbon intensity falls by more than ``min_carbon_decline`` (default 0.1 %);
  otherwise the value is left missing and a reason is given, because the ratio of two small
  or positive log changes has no "synergy" meaning.

"Previous year" is the unit's previous year present in the table (e.g. 2020 for 2022 when 2021
is absent), so the rates then cover several years. :func:`emissions_from_inventory` turns a
cocontrol :class:`~cocontrol.inventory.inventory.Inventory` into the emissions table.

Intensity ratios are unit-free, so emissions may be in any mass unit as long as each species
keeps one unit over the years (a ``unit`` column, if present, is converted to t).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

MAJOR_POLLUTANTS = ("SO2", "NOx", "PM2.5", "VOCs")


def _to_tonnes(unit: pd.Series, raw: pd.DataFrame, col: str, file: str) -> np.ndarray:
    """The factor to t of every row's mass unit; a blank or unconvertible unit is an error
    naming the row (file row = index + 2: the header is row 1), never taken as t."""
    from cocontrol.units import UnitError, factor

    text = unit.astype(object).where(unit.notna(), "").map(lambda u: str(u).strip())
    blank = text == ""
    probs = [Problem(file=file, message=M("msg.eval_mass_unit_blank"), row=int(i) + 2,
                     column=col, value="", expected=M("exp.eval_mass_unit"))
             for i in text.index[blank][:20]]
    f: dict[str, float] = {}
    for u in pd.unique(text[~blank]):
        try:
            f[u] = factor(u, "t")
        except UnitError as err:
            i = text.index[text == u][0]
            probs.append(Problem(file=file, message=err.args[0], row=int(i) + 2, column=col,
                                 value=raw.at[i, col], expected=M("exp.eval_mass_unit")))
    if probs:
        raise InputError(probs)
    return text.map(f).to_numpy(dtype=float)


def fill_computed_indicators(emissions: pd.DataFrame, value_added: pd.DataFrame | None = None,
                             pollutants: tuple[str, ...] | list[str] = MAJOR_POLLUTANTS,
                             carbon: str = "CO2", min_carbon_decline: float = 0.001,
                             file: str = "<emissions>") -> pd.DataFrame:
    """Compute the joint-decline and elasticity indicators from emissions and value added.

    Parameters
    ----------
    emissions : DataFrame
        Tidy: ``unit, year, species, value`` (+ optional ``unit_of_measure`` or ``mass_unit``
        such as t, kt, Mt, kg; without the column, t; a blank or unconvertible unit in it
        is an error naming the row). May also carry ``value_added`` (any currency unit,
        constant prices) on every row instead of passing ``value_added``.
    value_added : DataFrame, optional
        ``unit, year, value_added`` (constant prices, one currency unit throughout).
    pollutants : sequence of str
        Major pollutants (species codes as in ``emissions``); those absent are skipped.
    carbon : str
        Species code of CO2.
    min_carbon_decline : float
        Smallest carbon-intensity decline (fraction) for which the elasticity is computed.

    Returns
    -------
    DataFrame
        Long: ``unit, year, indicator, value, source`` (``value`` NaN with the reason in
        ``source`` where not computable). The first year of each unit has no value (no
        previous year).
    """
    e = emissions.copy()
    e.columns = [str(c).strip() for c in e.columns]
    need = {"unit", "year", "species", "value"}
    if not need <= set(e.columns):
        raise InputError([Problem(file=file, message=M("msg.eval_required_column"), column=c,
                                  expected=Seq(["unit", "year", "species", "value"], quote=True))
                          for c in sorted(need - set(e.columns))])
    e["value"] = pd.to_numeric(e["value"], errors="coerce")
    bad = e["value"].isna()
    if bad.any():
        raise InputError([Problem(file=file, message=M("msg.eval_emission_nan"), row=int(i) + 2,
                                  column="value", value=emissions.at[i, "value"],
                                  expected=M("exp.mcda_number")) for i in e.index[bad][:20]])
    mcol = next((c for c in ("mass_unit", "unit_of_measure") if c in e.columns), None)
    if mcol:  # a given mass unit column: every row names its unit (a blank is not "t")
        e["value"] = e["value"] * _to_tonnes(e[mcol], emissions, mcol, file)
    if value_added is None:
        if "value_added" not in e.columns:
            raise InputError(Problem(file=file, message=M("msg.eval_va_missing"),
                                     column="value_added", expected=M("exp.eval_va_missing")))
        va = e.groupby(["unit", "year"])["value_added"].first()
    else:
        va = value_added.set_index(["unit", "year"])["value_added"]
    va = pd.to_numeric(va, errors="coerce")
    if (va <= 0).any() or va.isna().any():
        i = va.index[(va <= 0) | va.isna()][0]
        raise InputError(Problem(file=file, message=M("msg.eval_va_positive"),
                                 column="value_added",
                                 value=f"unit {i[0]}, year {int(i[1])}: {va[i]}",
                                 expected=M("exp.eval_va_positive")))
    species = [p for p in pollutants if p in set(e["species"])]
    if carbon not in set(e["species"]) or not species:
        raise InputError(Problem(file=file, message=M("msg.eval_need_co2"),
                                 column="species", value=sorted(set(e["species"]))[:10],
                                 expected=M("exp.eval_need_co2", carbon=carbon, pollutants=str(list(pollutants)))))
    wide = e[e["species"].isin([*species, carbon])].pivot_table(
        index=["unit", "year"], columns="species", values="value", aggfunc="sum")
    inten = wide.div(va.reindex(wide.index), axis=0).sort_index()
    prev = inten.groupby(level="unit").shift(1)
    # a pollutant the unit did not emit in the previous year says nothing about its trend:
    # it is left out of that unit-year's mean (0/0)
    ratio = inten / prev.where(prev > 0)  # I_t / I_(t-1)
    dec = 1.0 - ratio
    joint = 100.0 * np.minimum(dec[species], dec[[carbon]].to_numpy()).mean(axis=1,
                                                                             skipna=True)
    p_index = ratio[species].mean(axis=1, skipna=True)
    c_ratio = ratio[carbon]
    ok = (1.0 - c_ratio) > min_carbon_decline
    with np.errstate(divide="ignore", invalid="ignore"):
        elast = np.log(p_index) / np.log(c_ratio)
    elast = elast.where(ok & (p_index > 0))
    first = c_ratio.isna()
    src_j = np.where(first, "not computable: no previous year",
                     "computed by cocontrol from emissions and value added")
    src_e = np.where(first, "not computable: no previous year",
                     np.where(ok, "computed by cocontrol from emissions and value added",
                              "not computable: carbon intensity did not decline"))
    idx = joint.index
    out = pd.concat([
        pd.DataFrame({"unit": idx.get_level_values(0), "year": idx.get_level_values(1),
                      "indicator": "joint_decline_rate", "value": joint.to_numpy(),
                      "source": src_j}),
        pd.DataFrame({"unit": idx.get_level_values(0), "year": idx.get_level_values(1),
                      "indicator": "elasticity_pollutant_carbon", "value": elast.to_numpy(),
                      "source": src_e}),
    ], ignore_index=True)
    return out


def merge_computed(values: pd.DataFrame, computed: pd.DataFrame, overwrite: bool = False
                   ) -> pd.DataFrame:
    """Put computed indicators into a wide value matrix (index unit, year).

    Existing values are kept unless ``overwrite``; only indicators present in ``values``'
    columns are filled.
    """
    c = computed[computed["indicator"].isin(values.columns)].pivot(
        index=["unit", "year"], columns="indicator", values="value")
    c.index = c.index.set_levels([c.index.levels[0].astype(str), c.index.levels[1].astype(int)])
    out = values.copy()
    common = c.reindex(out.index)
    for col in c.columns:
        out[col] = common[col].combine_first(out[col]) if overwrite else \
            out[col].combine_first(common[col])
    return out


def emissions_from_inventory(inventory, level: str = "city", scope: int | str = 1
                             ) -> pd.DataFrame:
    """Emissions table for :func:`fill_computed_indicators` from a cocontrol inventory.

    Parameters
    ----------
    inventory : cocontrol.inventory.inventory.Inventory
        A computed inventory (``cocontrol.inventory.compute(project)``).
    level : str
        Hierarchy level whose entities are the evaluated units: ``city``, ``district``,
        ``park``, ``enterprise`` or ``region_id``.
    scope : 1, 2 or "all"
        1 = direct emissions (default), as in the joint-decline indicator.

    Returns
    -------
    DataFrame ``unit, year, species, value, mass_unit`` (t).
    """
    df = inventory.aggregate(level, scope=scope, unit="t", co2e=False)
    out = df.rename(columns={level: "unit", "unit": "mass_unit"})
    out = out[out["unit"].notna() & (out["unit"].astype(str) != "")]
    # a species not estimated for a unit has no value: left out (its indicators cannot be
    # computed for that unit), never passed on as 0
    out = out[out["value"].notna()]
    return out[["unit", "year", "species", "value", "mass_unit"]].reset_index(drop=True)
