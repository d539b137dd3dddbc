"""Co-control metrics (减污降碳协同效应指标) as pure functions of baseline and scenario emissions.

All emission inputs are in tonnes (t) per year; costs in yuan (元) of a stated price year.
Conventions (docs/methods/co-control-metrics.md):

- **Change** Δ = scenario − baseline; **reduction** R = baseline − scenario = −Δ (positive when
  the scenario emits less).
- **Co-control coordinate system** (协同控制效应坐标系; Mao Xianqiang et al. 2011, 中国人口·
  资源与环境 21(12)): x = CO2 reduction, y = pollutant (or APeq) reduction, absolute (t, eq) or
  normalised by the baseline (fraction). Quadrants:

  ======  ======  ======  ===============================================  ================
  quad.   x       y       meaning                                          中文
  ======  ======  ======  ===============================================  ================
  I       > 0     > 0     both fall: co-control (co-benefit)               协同减排
  II      <= 0    > 0     pollutant falls, CO2 does not (carbon penalty)   减污不降碳
  III     <= 0    <= 0    neither falls                                    污染与碳同增
  IV      > 0     <= 0    CO2 falls, pollutant does not                    降碳不减污
  ======  ======  ======  ===============================================  ================

  A reduction counts only when strictly positive; a zero reduction is "does not fall" (so a
  measure that changes nothing is in III). This matches
  :mod:`cocontrol.metrics.joint_change` (I = co_reduction, II = pollution_only, III =
  co_increase, IV = carbon_only).
- **Cross-elasticity** Els = (ΔP/P) / (ΔCO2/CO2) (Mao et al. 2011), returned always with its
  sign pair (sign ΔP, sign ΔCO2) because Els > 0 means both fall *or* both rise. ΔCO2 = 0 gives
  Els = ±inf (sign of ΔP) or NaN when ΔP = 0 too; P = 0 or CO2 = 0 in the baseline gives NaN.
- **Air-pollutant equivalent** APeq = Σ_p E_p / PEV_p (E_p in kg, PEV_p in kg per equivalent),
  with the pollution-equivalent values (污染当量值) of the Environmental Protection Tax Law of
  the PRC (环境保护税法, 2016, annex 2 "应税污染物和当量值表", air pollutants): SO2 0.95, NOx 0.95,
  CO 16.7, soot 烟尘 2.18, general dust 一般性粉尘 4, NH3 9.09 kg/eq. VOCs have no single value
  in the statute: parameter ``voc`` (default 0.95 kg/eq, the value of the 2015 VOC pollution
  charge pilot, 挥发性有机物排污收费试点办法, 财税〔2015〕71号; ``"exclude"`` to leave VOCs out, or
  any number). Particulate matter is counted once (no double counting of PM2.5 inside PM10):
  ``pm_species`` (default the broadest of TSP, PM10, PM2.5 present) valued as soot (``pm_as=
  "soot"``, default, combustion particulates) or general dust (``pm_as="dust"``). BC, OC, CH4,
  N2O, CO2 are not part of APeq. SO2-equivalent tonnes: APeq × 0.95 kg / 1000.
- **Unit co-control costs**: yuan per t CO2 reduced, yuan per APeq reduced, and the combined
  cost per "co-control equivalent" ``cost / (R_APeq + w · R_CO2)`` with
  ``w = carbon_price / apeq_price`` (eq per t CO2): both reductions valued at a carbon price
  (yuan/t CO2) and an air-pollutant price (yuan/eq; the statutory tax is 1.2–12 yuan per
  equivalent, EPTL annex 1). Unit costs are NaN where the reduction is <= 0 (not meaningful).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.metrics._table import numeric_columns, require_columns
from cocontrol.metrics.joint_change import joint_change_class
from cocontrol.registry import species as species_registry

__all__ = [
    "PEV_DEFAULT", "pev_table", "apeq", "emissions_wide", "reductions", "coordinates",
    "cross_elasticity", "cocontrol_metrics", "cocontrol_array", "unit_costs", "mac_curve",
    "rank_measures",
]

_EPTL = ("Environmental Protection Tax Law of the PRC (环境保护税法, adopted 2016-12-25), annex 2 "
         "应税污染物和当量值表, air pollutants")
# species -> (kg per pollution equivalent, name, source)
PEV_DEFAULT: dict[str, tuple[float, str, str]] = {
    "SO2": (0.95, "二氧化硫 sulphur dioxide", _EPTL),
    "NOx": (0.95, "氮氧化物 nitrogen oxides", _EPTL),
    "CO": (16.7, "一氧化碳 carbon monoxide", _EPTL),
    "soot": (2.18, "烟尘 soot (combustion particulates)", _EPTL),
    "dust": (4.0, "一般性粉尘 general dust", _EPTL),
    "NH3": (9.09, "氨 ammonia", _EPTL),
    "VOCs": (0.95, "挥发性有机物 VOCs (pilot charge value)",
             "挥发性有机物排污收费试点办法 (财税〔2015〕71号): VOCs污染当量值暂定为0.95千克; "
             "not in the EPTL annex: a documented choice"),
}
SO2_PEV = 0.95  # kg SO2 per equivalent (EPTL annex 2)
QUADRANTS: dict[str, tuple[str, str]] = {
    "I": ("I: both fall (co-control)", "I：协同减排"),
    "II": ("II: pollutant falls, CO2 does not", "II：减污不降碳"),
    "III": ("III: neither falls", "III：污染与碳均未减少"),
    "IV": ("IV: CO2 falls, pollutant does not", "IV：降碳不减污"),
    "undefined": ("undefined", "无法判断"),
}
_QMAP = {"co_reduction": "I", "pollution_only": "II", "co_increase": "III",
         "carbon_only": "IV", "undefined": "undefined"}


def _canon(species: str) -> str:
    """The one spelling of a species (registry aliases, e.g. NMVOC → VOCs); other names
    (TSP, soot ...) are kept as given."""
    s = str(species).strip()
    return species_registry().canonical(s) or s


def pev_table(voc: float | str = 0.95, pm_as: str = "soot",
              pm_species: str | None = None, available: Sequence[str] | None = None,
              overrides: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Pollution-equivalent values used for APeq, one row per inventory species.

    Parameters
    ----------
    voc : float or "exclude"
        kg VOCs per equivalent (default 0.95, 2015 pilot); "exclude" leaves VOCs out.
    pm_as : {"soot", "dust"}
        Value particulate matter as 烟尘 (2.18 kg/eq) or 一般性粉尘 (4 kg/eq).
    pm_species : str, optional
        The one PM species counted (TSP, PM10 or PM2.5); default the broadest in ``available``.
    available : list of str, optional
        Species present in the data (to choose ``pm_species``).
    overrides : dict, optional
        Species -> kg per equivalent replacing the defaults (user's own table).

    Returns
    -------
    DataFrame
        ``species, pev_kg_per_eq, basis, source``.
    """
    if pm_as not in ("soot", "dust"):
        raise ValueError(M("msg.met_pm_as_soot_dust"))
    rows = []
    for sp in ("SO2", "NOx", "CO", "NH3"):
        v, name, src = PEV_DEFAULT[sp]
        rows.append((sp, v, name, src))
    if voc != "exclude":
        if isinstance(voc, str):
            raise ValueError(M("msg.met_voc_number_kg_per"))
        src = PEV_DEFAULT["VOCs"][2] if float(voc) == 0.95 else "user choice"
        rows.append(("VOCs", float(voc), PEV_DEFAULT["VOCs"][1], src))
    if pm_species is None:
        avail = {_canon(s) for s in (list(available) if available is not None else ["PM10"])}
        pm_species = next((p for p in ("TSP", "PM10", "PM2.5") if p in avail), None)
    if pm_species is not None:
        v, name, src = PEV_DEFAULT[pm_as]
        rows.append((pm_species, v, name, src))
    tab = pd.DataFrame(rows, columns=["species", "pev_kg_per_eq", "basis", "source"])
    for sp, v in (overrides or {}).items():
        sp = _canon(sp)
        if sp in set(tab["species"]):
            tab.loc[tab["species"] == sp, ["pev_kg_per_eq", "source"]] = [float(v), "user table"]
        else:
            tab.loc[len(tab)] = [sp, float(v), sp, "user table"]
    return tab


def apeq(wide: pd.DataFrame, pev: pd.DataFrame | None = None) -> pd.Series:
    """APeq (equivalents) of a wide table of emissions in t (columns = species).

    APeq = Σ_p 1000 · E_p[t] / PEV_p[kg/eq]; species without a PEV are ignored.
    """
    if pev is None:
        pev = pev_table(available=list(wide.columns))
    w = pev.set_index("species")["pev_kg_per_eq"]
    cols = [c for c in wide.columns if c in w.index]
    if not cols:
        return pd.Series(0.0, index=wide.index, name="APeq")
    return (wide[cols] * 1000.0 / w[cols].to_numpy()).sum(axis=1).rename("APeq")


def emissions_wide(table: pd.DataFrame, by: Sequence[str] = (), species_col: str = "species",
                   value_col: str = "value", unit_col: str | None = "unit",
                   file: str = "<table>") -> pd.DataFrame:
    """Sum a tidy emission table to a wide table in t: index ``by``, one column per species
    (in alphabetical order, with or without ``by``).

    A ``unit`` column (t, kt, Mt, kg, ...) is converted to t; without it values are taken as t.
    Rows not distinguished by ``by`` are summed.
    """
    from cocontrol.units import UnitError, factor

    by = list(by)
    require_columns(table, by + [species_col, value_col], file)
    df = numeric_columns(table.reset_index(drop=True), [value_col], file)
    if unit_col and unit_col in df.columns:
        units = df[unit_col].astype("string").fillna("t")
        conv = {}
        probs = []
        for u in units.unique():
            try:
                conv[u] = factor(str(u).replace("/yr", "").replace("/a", ""), "t")
            except UnitError:
                r = int(np.flatnonzero((units == u).to_numpy())[0])
                probs.append(Problem(file=file, row=r + 2, column=unit_col, value=u,
                                     message=M("msg.met_unknown_non_mass_emission"),
                                     expected=M("msg.met_mass_unit_such_as")))
        if probs:
            raise InputError(probs)
        df[value_col] = df[value_col] * units.map(conv).astype(float).to_numpy()
    df[species_col] = df[species_col].map(_canon)
    if not by:
        tot = df.groupby(species_col, sort=True)[value_col].sum()
        wide = pd.DataFrame([tot.to_numpy()], columns=list(tot.index),
                            index=pd.Index(["total"], name="key"))
        return wide
    wide = df.groupby(by + [species_col], sort=True)[value_col].sum().unstack(species_col)
    wide = wide.fillna(0.0)
    wide.columns.name = None
    return wide


def _align(baseline: pd.DataFrame, scenario: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Align baseline rows to scenario rows.

    - a baseline keyed by a subset of the scenario's index levels (e.g. ``year`` against
      ``measure, year``) is broadcast along the other levels (every key must be present);
    - otherwise a one-row baseline (e.g. a single total) keyed differently from the scenario
      is compared with every scenario row (one or many);
    - otherwise rows are matched by index (missing rows count as zero emissions).
    """
    cols = sorted(set(baseline.columns) | set(scenario.columns))
    bcols = baseline.reindex(columns=cols, fill_value=0.0)
    scols = scenario.reindex(columns=cols, fill_value=0.0)
    bn = [n for n in baseline.index.names if n is not None]
    sn = [n for n in scenario.index.names if n is not None]
    if bn and len(bn) == baseline.index.nlevels and set(bn) < set(sn):
        key = scenario.index.droplevel([n for n in sn if n not in bn])
        if key.nlevels > 1:
            key = key.reorder_levels(bn)
        b = bcols.reindex(key)
        if b.isna().any(axis=None):
            miss = key[b.isna().any(axis=1).to_numpy()][0]
            raise InputError(Problem(file="<baseline>", column=", ".join(bn),
                                     message=M("msg.met_no_baseline_row", miss=str(miss)),
                                     expected=M("msg.met_baseline_row_every_key")))
        b.index = scenario.index
        return b, scols
    if len(baseline) == 1 and bn != sn:
        b = pd.DataFrame(np.repeat(bcols.to_numpy(), len(scenario), axis=0),
                         index=scenario.index, columns=cols)
        return b, scols
    idx = baseline.index.union(scenario.index)
    return (baseline.reindex(index=idx, columns=cols, fill_value=0.0),
            scenario.reindex(index=idx, columns=cols, fill_value=0.0))


def reductions(baseline: pd.DataFrame, scenario: pd.DataFrame) -> pd.DataFrame:
    """Reduction (t) and relative reduction of every species: long table.

    ``baseline`` and ``scenario`` are wide tables in t (index = keys, columns = species); a
    one-row baseline is compared with every row of the scenario (e.g. one baseline and many
    measures).
    """
    b, s = _align(baseline, scenario)
    red = b - s
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = pd.DataFrame(np.where(b.to_numpy() != 0, red.to_numpy() / b.to_numpy(), np.nan),
                           index=b.index, columns=b.columns)
    out = pd.concat({"baseline_t": b.stack(), "scenario_t": s.stack(),
                     "reduction_t": red.stack(), "reduction_frac": rel.stack()}, axis=1)
    out.index = out.index.set_names(list(b.index.names[:b.index.nlevels]) + ["species"])
    return out.reset_index()


def _sign(a: np.ndarray) -> np.ndarray:
    s = np.sign(a)
    return np.select([np.isnan(s), s > 0, s < 0], ["nan", "+", "-"], default="0").astype(object)


_ELS_LABELS = {
    ("-", "-"): ("both fall (co-reduction)", "同步下降（协同减排）"),
    ("+", "+"): ("both rise", "同步上升"),
    ("-", "+"): ("pollutant falls, CO2 rises", "污染物下降、CO2上升"),
    ("+", "-"): ("CO2 falls, pollutant rises", "CO2下降、污染物上升"),
    ("0", "-"): ("pollutant unchanged, CO2 falls", "污染物不变、CO2下降"),
    ("0", "+"): ("pollutant unchanged, CO2 rises", "污染物不变、CO2上升"),
    ("-", "0"): ("CO2 unchanged, pollutant falls", "CO2不变、污染物下降"),
    ("+", "0"): ("CO2 unchanged, pollutant rises", "CO2不变、污染物上升"),
    ("0", "0"): ("no change", "均无变化"),
}


def cross_elasticity(p_base, p_scen, c_base, c_scen, lang: str = "en") -> pd.DataFrame:
    """Els = (ΔP/P)/(ΔCO2/CO2) with its sign pair and an interpretation label.

    Returns columns ``els, sign_dP, sign_dCO2, sign_pair, els_meaning``. Els > 1 with pair
    (−, −) means the pollutant falls proportionally more than CO2. The four inputs are
    broadcast (e.g. one CO2 pair against several pollutants).
    """
    pb, ps, cb, cs = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                           for v in (p_base, p_scen, c_base, c_scen)))
    with np.errstate(divide="ignore", invalid="ignore"):
        rp = np.where(pb != 0, (ps - pb) / pb, np.nan)
        rc = np.where(cb != 0, (cs - cb) / cb, np.nan)
        els = rp / rc
    els = np.where((rc == 0) & (rp == 0), np.nan, els) + 0.0  # + 0.0 turns -0.0 into 0.0
    sp, sc = _sign(rp), _sign(rc)
    i = 1 if lang == "zh" else 0
    meaning = [(_ELS_LABELS.get((a, b), ("undefined (zero baseline)", "无法计算（基线为零）"))[i])
               for a, b in zip(np.atleast_1d(sp), np.atleast_1d(sc), strict=True)]
    return pd.DataFrame({"els": np.atleast_1d(els), "sign_dP": np.atleast_1d(sp),
                         "sign_dCO2": np.atleast_1d(sc),
                         "sign_pair": [f"({a},{b})" for a, b in
                                       zip(np.atleast_1d(sp), np.atleast_1d(sc), strict=True)],
                         "els_meaning": meaning})


def coordinates(r_co2, r_pol, base_co2=None, base_pol=None, lang: str = "en") -> pd.DataFrame:
    """Co-control coordinate system: x (CO2 reduction), y (pollutant reduction), quadrant.

    ``r_*`` are reductions (baseline − scenario); with baselines, normalised coordinates
    x_norm = r_co2 / base_co2 and y_norm = r_pol / base_pol are added.
    """
    x = np.atleast_1d(np.asarray(r_co2, dtype=float))
    y = np.atleast_1d(np.asarray(r_pol, dtype=float))
    q = np.vectorize(_QMAP.get, otypes=[object])(joint_change_class(-x, -y))
    out = pd.DataFrame({"x_co2_reduction": x, "y_pollutant_reduction": y})
    if base_co2 is not None and base_pol is not None:
        bc = np.atleast_1d(np.asarray(base_co2, dtype=float))
        bp = np.atleast_1d(np.asarray(base_pol, dtype=float))
        with np.errstate(divide="ignore", invalid="ignore"):
            out["x_norm"] = np.where(bc != 0, x / bc, np.nan)
            out["y_norm"] = np.where(bp != 0, y / bp, np.nan)
    out["quadrant"] = q
    i = 1 if lang == "zh" else 0
    out["quadrant_label"] = [QUADRANTS[k][i] for k in q]
    return out


def cocontrol_metrics(
    baseline: pd.DataFrame,
    scenario: pd.DataFrame,
    pollutants: Sequence[str] | None = None,
    carbon: str = "CO2",
    pev: pd.DataFrame | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Co-control metrics of scenario(s) against a baseline, one row per key × pollutant.

    Parameters
    ----------
    baseline, scenario : DataFrame
        Wide emission tables in t (index = keys such as measure or region, columns = species),
        e.g. from :func:`emissions_wide`. A one-row baseline is compared with every scenario row.
    pollutants : list of str, optional
        Pollutants to report (default every air pollutant present) — "APeq" is always added.
    carbon : str
        CO2 column (t CO2).
    pev : DataFrame, optional
        Pollution-equivalent table from :func:`pev_table`.

    Returns
    -------
    DataFrame
        keys, ``pollutant, P_base, P_scen, P_reduction, CO2_base, CO2_scen, CO2_reduction`` (t,
        or equivalents for APeq), coordinates (absolute and normalised), quadrant, Els with sign
        pair and meaning, and ``APeq_SO2e_t`` for the APeq rows.
    """
    b, s = _align(baseline, scenario)
    if carbon not in b.columns:
        raise InputError(Problem(file="<emissions>", column=carbon,
                                 message=M("msg.met_no_emissions_tables", carbon=carbon),
                                 expected=M("msg.met_species", carbon=carbon)))
    if pev is None:
        pev = pev_table(available=list(b.columns))
    b = b.assign(APeq=apeq(b, pev))
    s = s.assign(APeq=apeq(s, pev))
    non_air = {carbon, "CH4", "N2O", "BC", "OC", "APeq", "CO2e"}
    pols = list(pollutants) if pollutants else [c for c in b.columns if c not in non_air]
    pols = [_canon(p) for p in pols if _canon(p) != "APeq"] + ["APeq"]
    missing = [p for p in pols if p not in b.columns]
    if missing:
        raise InputError([Problem(file="<emissions>", column=p, message=M("msg.met_no_emissions", p=p),
                                  expected=M("msg.met_one", sorted_b_columns=str(sorted(b.columns)))) for p in missing])
    frames = []
    keys = b.index.to_frame(index=False)
    for p in pols:
        co = coordinates(b[carbon] - s[carbon], b[p] - s[p], b[carbon], b[p], lang=lang)
        el = cross_elasticity(b[p], s[p], b[carbon], s[carbon], lang=lang)
        f = pd.concat([keys, pd.DataFrame({
            "pollutant": p,
            "P_base": b[p].to_numpy(), "P_scen": s[p].to_numpy(),
            "P_reduction": (b[p] - s[p]).to_numpy(),
            "CO2_base_t": b[carbon].to_numpy(), "CO2_scen_t": s[carbon].to_numpy(),
            "CO2_reduction_t": (b[carbon] - s[carbon]).to_numpy()}), co.drop(
                columns=["x_co2_reduction", "y_pollutant_reduction"]), el], axis=1)
        f["P_unit"] = "eq" if p == "APeq" else "t"
        if p == "APeq":
            f["APeq_SO2e_t"] = f["P_reduction"] * SO2_PEV / 1000.0
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


QUADRANT_CODES: tuple[str, ...] = ("I", "II", "III", "IV", "undefined")


def cocontrol_array(baseline: np.ndarray, scenario: np.ndarray, species: Sequence[str],
                    pollutants: Sequence[str] | None = None, carbon: str = "CO2",
                    pev: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
    """The numbers of :func:`cocontrol_metrics` as arrays, for live what-if loops and
    ensembles (no table per call).

    ``baseline`` and ``scenario`` hold emissions in t with the species (in the order of
    ``species``) in their last axis and any leading axes (years, members). Returns a dict:
    ``pollutants`` (names, APeq last), ``P_base``, ``P_scen``, ``P_reduction`` (…, P),
    ``CO2_reduction`` (…), ``x_norm``, ``y_norm``, ``els`` (…, P) and ``quadrant`` (…, P;
    codes into :data:`QUADRANT_CODES`), with the definitions of :func:`cocontrol_metrics`.
    """
    b = np.asarray(baseline, dtype=float)
    sc = np.asarray(scenario, dtype=float)
    names = [_canon(x) for x in species]
    if carbon not in names:
        raise InputError(Problem(file="<emissions>", column=carbon,
                                 message=M("msg.met_no_emissions_tables", carbon=carbon),
                                 expected=M("msg.met_species", carbon=carbon)))
    if pev is None:
        pev = pev_table(available=names)
    w = pev.set_index("species")["pev_kg_per_eq"]
    cols = [i for i, x in enumerate(names) if x in w.index]
    per = np.array([w[names[i]] for i in cols], dtype=float)
    non_air = {carbon, "CH4", "N2O", "BC", "OC", "APeq", "CO2e"}
    pols = [_canon(p) for p in pollutants] if pollutants else \
        [x for x in names if x not in non_air]
    pols = [p for p in pols if p != "APeq"]
    missing = [p for p in pols if p not in names]
    if missing:
        raise InputError([Problem(file="<emissions>", column=p, message=M("msg.met_no_emissions", p=p),
                                  expected=M("msg.met_one2", sorted_names=str(sorted(names)))) for p in missing])
    pj = [names.index(p) for p in pols]

    def with_apeq(E: np.ndarray) -> np.ndarray:
        eq = (E[..., cols] * 1000.0 / per).sum(axis=-1) if cols else np.zeros(E.shape[:-1])
        return np.concatenate([E[..., pj], eq[..., None]], axis=-1)

    pb, ps = with_apeq(b), with_apeq(sc)
    ic = names.index(carbon)
    cb, cs = b[..., ic], sc[..., ic]
    red, cred = pb - ps, cb - cs
    with np.errstate(divide="ignore", invalid="ignore"):
        x_norm = np.where(cb != 0, cred / cb, np.nan)
        y_norm = np.where(pb != 0, red / pb, np.nan)
        rp = np.where(pb != 0, (ps - pb) / pb, np.nan)
        rc = np.where(cb != 0, (cs - cb) / cb, np.nan)[..., None]
        els = rp / rc
    els = np.where((rc == 0) & (rp == 0), np.nan, els) + 0.0
    x = np.broadcast_to(cred[..., None], red.shape)
    q = np.select([np.isnan(x) | np.isnan(red), (x > 0) & (red > 0), (x <= 0) & (red > 0),
                   (x > 0) & (red <= 0)], [4, 0, 1, 3], default=2)
    return {"pollutants": np.array([*pols, "APeq"], dtype=object), "P_base": pb,
            "P_scen": ps, "P_reduction": red, "CO2_reduction": cred,
            "x_norm": np.broadcast_to(x_norm[..., None], red.shape), "y_norm": y_norm,
            "els": els, "quadrant": q}


def unit_costs(
    measures: pd.DataFrame,
    cost_col: str = "cost_yuan",
    co2_col: str = "CO2_reduction_t",
    apeq_col: str = "APeq_reduction",
    carbon_price: float = 80.0,
    apeq_price: float = 1.2,
    file: str = "<table>",
) -> pd.DataFrame:
    """Unit co-control costs of measures (one row each).

    Adds ``yuan_per_t_CO2`` = cost/R_CO2, ``yuan_per_APeq`` = cost/R_APeq and
    ``yuan_per_cocontrol_eq`` = cost / (R_APeq + w R_CO2) with w = carbon_price/apeq_price
    (eq per t CO2), plus ``weight_eq_per_t_CO2``. Costs are annualised yuan per year (price year
    as in the input); reductions t/yr and eq/yr. Defaults: ``apeq_price`` 1.2 yuan/eq, the lower
    bound of the statutory air-pollutant tax (EPTL annex 1, 1.2–12 yuan per equivalent);
    ``carbon_price`` 80 yuan/t CO2 is an *illustrative* value of the order of China's national
    ETS allowance price — set your own.
    """
    require_columns(measures, [cost_col, co2_col, apeq_col], file)
    df = numeric_columns(measures.reset_index(drop=True), [cost_col, co2_col, apeq_col], file)
    if carbon_price < 0 or apeq_price <= 0:
        raise InputError(Problem(file=file, message=M("msg.met_prices_positive"),
                                 value=(carbon_price, apeq_price)))
    w = carbon_price / apeq_price
    c, rc, ra = (df[k].to_numpy(dtype=float) for k in (cost_col, co2_col, apeq_col))
    comb = ra + w * rc
    with np.errstate(divide="ignore", invalid="ignore"):
        df["yuan_per_t_CO2"] = np.where(rc > 0, c / rc, np.nan)
        df["yuan_per_APeq"] = np.where(ra > 0, c / ra, np.nan)
        df["yuan_per_cocontrol_eq"] = np.where(comb > 0, c / comb, np.nan)
    df["weight_eq_per_t_CO2"] = w
    return df


def mac_curve(
    measures: pd.DataFrame,
    target: str = "CO2",
    measure_col: str = "measure",
    cost_col: str = "cost_yuan",
    co2_col: str = "CO2_reduction_t",
    apeq_col: str = "APeq_reduction",
    file: str = "<table>",
) -> pd.DataFrame:
    """Marginal abatement cost curve for CO2 or APeq, with the co-benefit of each measure.

    Measures with a positive reduction of ``target`` are sorted by unit cost (yuan per t CO2 or
    per APeq; ties by larger reduction first); each gets a bar from ``cum_start`` to ``cum_end``
    (cumulative reduction) of height ``unit_cost``. The other quantity (APeq for a CO2 curve, CO2
    for an APeq curve) is reported per measure and cumulated as the co-benefit. Measures that do
    not reduce the target are listed after the curve with ``on_curve=False``.
    """
    if target not in ("CO2", "APeq"):
        raise ValueError(M("msg.met_target_co2_apeq"))
    require_columns(measures, [measure_col, cost_col, co2_col, apeq_col], file)
    df = numeric_columns(measures.reset_index(drop=True), [cost_col, co2_col, apeq_col], file)
    tcol, ocol = (co2_col, apeq_col) if target == "CO2" else (apeq_col, co2_col)
    r = df[tcol].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["unit_cost"] = np.where(r > 0, df[cost_col].to_numpy(dtype=float) / r, np.nan)
    df["on_curve"] = r > 0
    df = df.sort_values(["on_curve", "unit_cost", tcol], ascending=[False, True, False],
                        kind="mergesort").reset_index(drop=True)
    on = df["on_curve"].to_numpy()
    width = np.where(on, df[tcol].to_numpy(dtype=float), 0.0)
    df["cum_end"] = np.cumsum(width)
    df["cum_start"] = df["cum_end"] - width
    df["co_benefit"] = df[ocol]
    df["cum_co_benefit"] = np.cumsum(np.where(on, df[ocol].to_numpy(dtype=float), 0.0))
    df["target"] = target
    df["unit_cost_unit"] = "yuan/t CO2" if target == "CO2" else "yuan/eq"
    df.loc[~on, ["cum_start", "cum_end", "cum_co_benefit"]] = np.nan
    cols = [measure_col, "target", "on_curve", "unit_cost", "unit_cost_unit", tcol, "cum_start",
            "cum_end", "co_benefit", "cum_co_benefit", cost_col]
    return df[cols + [c for c in df.columns if c not in cols]]


def rank_measures(
    measures: pd.DataFrame,
    measure_col: str = "measure",
    cost_col: str = "cost_yuan",
    co2_col: str = "CO2_reduction_t",
    apeq_col: str = "APeq_reduction",
    carbon_price: float = 80.0,
    apeq_price: float = 1.2,
    lang: str = "en",
    file: str = "<table>",
) -> pd.DataFrame:
    """Ranking table of measures: quadrant, unit costs and ranks (1 = best).

    Sorted by quadrant (I first: co-control), then by cost per co-control equivalent. Ranks
    are dense ranks of each unit cost among measures where it is defined (lower is better).
    """
    df = unit_costs(measures, cost_col, co2_col, apeq_col, carbon_price, apeq_price, file)
    co = coordinates(df[co2_col], df[apeq_col], lang=lang)
    df["quadrant"] = co["quadrant"].to_numpy()
    df["quadrant_label"] = co["quadrant_label"].to_numpy()
    for col, rk in (("yuan_per_t_CO2", "rank_CO2_cost"), ("yuan_per_APeq", "rank_APeq_cost"),
                    ("yuan_per_cocontrol_eq", "rank_cocontrol_cost")):
        df[rk] = df[col].rank(method="min").astype("Int64")
    order = {"I": 0, "II": 1, "IV": 2, "III": 3, "undefined": 4}
    df["_q"] = df["quadrant"].map(order)
    df = df.sort_values(["_q", "yuan_per_cocontrol_eq"], kind="mergesort",
                        na_position="last").drop(columns="_q").reset_index(drop=True)
    df.insert(0, "overall_rank", np.arange(1, len(df) + 1))
    return df
