"""One monitoring run of a project: nowcasts, alerts with drivers and closing measures,
enterprise findings and cases, station aggregation, network design and notices.

The runner takes objects (inputs read by :mod:`cocontrol.monitoring.io`, an optional
:class:`~cocontrol.project.Project`); reports and the CLI are thin shells over it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from cocontrol.i18n import Msg as M
from cocontrol.monitoring._common import MonitoringError, indicators
from cocontrol.monitoring.anomaly import (
    Case,
    Evidence,
    Finding,
    open_case,
    quantity,
    scan_enterprise,
    transition,
)
from cocontrol.monitoring.forecast import MODELS
from cocontrol.monitoring.hourly import cems_monthly, station_annual, station_daily, station_monthly
from cocontrol.monitoring.io import MonitoringInputs
from cocontrol.monitoring.network import NetworkDesign, greedy_sites
from cocontrol.monitoring.notices import notice
from cocontrol.monitoring.nowcast import NowcastResult, nowcast_from_series, to_series
from cocontrol.monitoring.pm25 import measure_pm25_effects
from cocontrol.monitoring.series import SeriesTable
from cocontrol.monitoring.targets import (
    DRIVER_SPECIES,
    TARGET_SPECIES,
    Alert,
    assess,
    closing_measures,
    drivers,
    gap_in_mass,
)

NOWCASTS = [  # target, proxy (carbon from power; pollutants from coal use)
    ("CO2", "electricity"),
    ("SO2", "coal"),
    ("NOx", "coal"),
]


@dataclass
class MonitoringRun:
    entity: str
    series: SeriesTable
    nowcasts: dict[str, NowcastResult] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    cems: pd.DataFrame | None = None
    station: dict[str, pd.DataFrame] = field(default_factory=dict)
    network: NetworkDesign | None = None
    notices: dict[str, dict] = field(default_factory=dict)
    illustrative: bool = False
    notes: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        """Backtest figures (nowcast error, forecast skill and interval coverage)."""
        out = {}
        for k, n in self.nowcasts.items():
            out[f"nowcast mape {k}"] = n.mape
        for a in self.alerts:
            if a.forecast is not None:
                sc = a.forecast.scores.set_index("model")
                out[f"forecast skill vs naive {a.target.id}"] = a.forecast.skill
                out[f"interval coverage 80 {a.target.id}"] = float(
                    sc.at[a.forecast.chosen, "coverage80"])
        return out


def _children(regions: pd.DataFrame | None, entity: str) -> list[str]:
    if regions is None:
        return []
    return regions.loc[regions["parent_id"] == entity, "region_id"].astype(str).tolist()


def _names(regions: pd.DataFrame | None, lang: str) -> dict[str, str]:
    if regions is None:
        return {}
    col = "name_zh" if lang == "zh" and "name_zh" in regions.columns else "name"
    return dict(zip(regions["region_id"].astype(str), regions[col].astype(str), strict=True))


def _ancestor(regions: pd.DataFrame | None, rid: str, level: str) -> str | None:
    if regions is None:
        return None
    par = dict(zip(regions["region_id"], regions["parent_id"], strict=True))
    lev = dict(zip(regions["region_id"], regions["level"], strict=True))
    cur = rid
    while isinstance(cur, str):
        if lev.get(cur) == level:
            return cur
        cur = par.get(cur)
    return None


def scenario_reductions(project, year: int, species: str) -> tuple[pd.DataFrame, str]:
    """Reductions (t) of every measure of every non-baseline scenario in ``year`` (each
    measure against its scenario without it, :func:`cocontrol.scenario.marginal_effects`)."""
    from cocontrol.scenario import marginal_effects, prepare

    base = prepare(project)
    if year not in base.years:
        later = [y for y in base.years if y >= year]
        if not later:
            return pd.DataFrame(), f"scenario years end before {year}"
        year = later[0]
    rows = []
    for name in base.scenarios:
        if name == "baseline":
            continue
        me = marginal_effects(base, name)
        me = me[(me["year"] == year) & (me["species"] == species)]
        rows.append(pd.DataFrame({"scenario": name, "measure": me["measure"].astype(str),
                                  "reduction": me["reduction_t"].to_numpy(float)}))
    note = f"measure reductions of {species} in {year} (scenario engine)"
    return (pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()), note


def _wide_to_cems(h: pd.DataFrame) -> pd.DataFrame:
    conc = [c for c in h.columns if c.startswith("conc_")]
    if not conc or "flow" not in h.columns:
        return pd.DataFrame()
    parts = [pd.DataFrame({"facility": h["facility"], "time": h["time"],
                           "pollutant": c[5:], "conc": h[c], "flow": h["flow"]}) for c in conc]
    return pd.concat(parts, ignore_index=True)


def run(inputs: MonitoringInputs, project=None, *, entity: str | None = None,
        as_of: date | None = None, models=MODELS, n_paths: int = 1000,
        with_measures: bool = True, lang: str = "en", seed: int = 0,
        illustrative_workflow: bool = False, network: bool = True,
        pathway: str | None = "policy") -> MonitoringRun:
    """Run the monitoring chain on a project's monitoring inputs (``project`` optional: it
    gives the region hierarchy, the inventory for the network design and the scenarios for
    the closing measures)."""
    regions = project.regions if project is not None else None
    if entity is None:
        if regions is not None:
            entity = str(regions.loc[regions["level"] == "city", "region_id"].iloc[0])
        else:
            entity = inputs.series.entities()[0]
    series = inputs.series
    res = MonitoringRun(entity=entity, series=series,
                        illustrative=bool(project is not None and project.manifest.illustrative)
                        or bool(inputs.targets and inputs.targets.illustrative))
    # station aggregation (hourly -> daily -> monthly / annual)
    if inputs.station_hourly is not None:
        daily = station_daily(inputs.station_hourly, "station_hourly.csv")
        res.station = {"daily": daily, "monthly": station_monthly(daily),
                       "annual": station_annual(daily)}
    # nowcasts
    for target, proxy in NOWCASTS:
        try:
            cands = [nowcast_from_series(series, entity, target, proxy, method=m)
                     for m in ("last", "trend")]
        except MonitoringError as e:
            res.notes.append(f"nowcast {target}: not estimated ({e})")
            continue
        # the coefficient rule with the lower backtest error (reported error is that of the
        # chosen rule, slightly optimistic by the choice)
        nc = min(cands, key=lambda n: n.mape if np.isfinite(n.mape) else np.inf)
        res.notes.append(f"nowcast {target} from {proxy}: coefficient rule '{nc.method}' "
                         "(lower backtest MAPE: " + ", ".join(
                             f"{n.method} {100 * n.mape:.1f} %" for n in cands) + ")")
        res.nowcasts[target] = nc
        mon = series.select(target, entity)
        if (mon["month"] > 0).any():
            res.notes.append(f"nowcast {target}: monthly {target} already given, not added")
            continue
        series = series.concat(to_series(nc, entity,
                                         indicators().at[target, "reference_unit"]))
    res.series = series
    # alerts
    red_cache: dict = {}
    fc_cache: dict = {}
    tlist = inputs.targets.targets if inputs.targets else []
    horizon = max([t.target_year + 1 for t in tlist], default=None)
    for t in tlist:
        try:
            a = assess(t, series, n_paths=n_paths, seed=seed, models=models, cache=fc_cache,
                       horizon_year=horizon)
        except MonitoringError as e:
            res.notes.append(f"target {t.id}: not estimated ({e})")
            continue
        _attach_drivers(a, series, lang)
        if pathway and project is not None and a.forecast is not None \
                and t.kind in PATHWAY_KINDS:
            _pathway_probability(a, t, series, project, pathway, fc_cache, red_cache,
                                 dict(n_paths=n_paths, seed=seed, models=models,
                                      horizon_year=horizon))
        if with_measures and project is not None:
            attach_measures(a, series, project, red_cache)
        res.alerts.append(a)
    # enterprise rules and cases
    h = inputs.enterprise_hourly
    if h is not None:
        limits = None
        if inputs.permits is not None:
            limits = inputs.permits[["facility", "pollutant", "limit", "unit", "basis"]]
        res.findings = scan_enterprise(h, limits)
        long = _wide_to_cems(h)
        if len(long):
            res.cems = cems_monthly(long, "enterprise_hourly.csv")
            if inputs.permits is not None and "annual_quantity_t" in inputs.permits.columns:
                t_end = pd.to_datetime(h["time"]).max()
                for r in inputs.permits.dropna(subset=["annual_quantity_t"]).itertuples():
                    m = res.cems[(res.cems["facility"] == r.facility)
                                 & (res.cems["pollutant"] == r.pollutant)]
                    if m.empty:
                        continue
                    hours = float(m["operating_hours"].sum())
                    n_h = (366 if calendar.isleap(t_end.year) else 365) * 24
                    res.findings += quantity(float(m["mass_t"].sum(min_count=1)),
                                             float(r.annual_quantity_t), hours / n_h,
                                             r.facility, r.pollutant, t_end.to_pydatetime(),
                                             r.basis)
        for f in res.findings:
            jur = _ancestor(regions, f.entity, "district") or entity
            res.cases.append(open_case(f, jur, f.end))
        if illustrative_workflow and res.cases:
            res.cases = demo_cases(res.cases, max(c.finding.end for c in res.cases))
    # network design
    if network and inputs.locations is not None and inputs.wind is not None \
            and project is not None:
        try:
            res.network = _network(project, inputs)
        except MonitoringError as e:
            res.notes.append(f"network design: not estimated ({e})")
    # notices: latest month and quarter of the CO2 / electricity data
    mon = series.select("electricity", entity, sector=None)
    mon = mon[mon["month"] > 0]
    if len(mon):
        y = int(mon["year"].max())
        mth = int(mon.loc[mon["year"] == y, "month"].max())
        members = _children(regions, entity) or [e for e in series.entities() if e != entity]
        names, names_zh = _names(regions, "en"), _names(regions, "zh")
        today = as_of or date(y, mth, calendar.monthrange(y, mth)[1])
        periods = [f"{y}-{mth:02d}"] + ([f"{y}-Q{mth // 3}"] if mth % 3 == 0 else [])
        for per in periods:
            res.notices[per] = notice(per, entity, series, members=members, names=names,
                                      names_zh=names_zh,
                                      alerts=res.alerts, cases=res.cases, today=today,
                                      illustrative=res.illustrative,
                                      jurisdiction_name=names.get(entity, entity))
    return res


PATHWAY_KINDS = ("co2_intensity_cut", "carbon_budget", "carbon_peak")
#: targets whose closing measures are ranked by their PM2.5 effect (cocontrol.monitoring.pm25)
PM25_KINDS = ("pm25_annual", "good_day_ratio")


def scenario_co2_path(project, scenario: str) -> pd.Series:
    """Annual scope-1 CO2 (t) of a scenario, linear between the scenario years."""
    from cocontrol.scenario import prepare, run, totals

    base = prepare(project)
    if scenario not in base.scenarios:
        raise MonitoringError(M("msg.mon_scenario_not_in_project", scenario=repr(scenario)))
    tot = totals(run(base, scenario)).loc["CO2"]
    years = np.arange(min(tot.index), max(tot.index) + 1)
    return pd.Series(np.interp(years, tot.index.to_numpy(float), tot.to_numpy(float)),
                     index=years)


def _pathway_probability(a: Alert, t, series, project, scenario, fc_cache, cache, kw) -> None:
    """P(miss) with the CO2 forecast centred on the scenario's pathway (same model spread)."""
    key = ("pathway", scenario)
    if key not in cache:
        cache[key] = scenario_co2_path(project, scenario)
    path = cache[key]
    centred = {k: v.centre_on(path) for k, v in fc_cache.items()
               if k[0] == "CO2" and k[1] == t.entity}
    if not centred:
        return
    b = assess(t, series, cache=centred, **kw)
    a.pathway, a.pathway_probability = scenario, b.probability
    a.notes.append(f"probability of missing if CO2 follows the {scenario} scenario from the "
                   f"latest data: {100 * b.probability:.0f} %")



def attach_measures(a: Alert, series: SeriesTable, project, cache: dict | None = None) -> None:
    """The measures of the project's scenarios that would close the alert's gap
    (``a.measures``, with a note): by their reduction in the target year of the species
    behind the target, or of the PM2.5 concentration for the PM2.5 targets. ``cache``: the
    reductions already computed, by (year, species)."""
    t = a.target
    red_cache = {} if cache is None else cache
    gap, sp = gap_in_mass(a, series)
    sp = sp or TARGET_SPECIES.get(t.kind, "")
    if np.isfinite(gap) and gap > 0 and sp:
        key = (t.target_year, sp)
        if key not in red_cache:
            red_cache[key] = scenario_reductions(project, t.target_year, sp)
        red, note = red_cache[key]
        a.measures = closing_measures(gap, red)
        a.notes.append(f"closing measures: {note}, gap {gap:,.0f} t {sp}")
    elif t.kind in PM25_KINDS and np.isfinite(a.gap) and a.gap > 0:
        # PM2.5 targets: measures ranked by their effect on the concentration
        key = (t.target_year, "PM2.5 concentration")
        if key not in red_cache:
            red_cache[key] = measure_pm25_effects(project, t.target_year)
        red, note = red_cache[key]
        if t.kind == "pm25_annual":  # the gap is in ug/m3: cumulate until closed
            a.measures = closing_measures(a.gap, red)
            a.notes.append(f"closing measures: {note}, gap {a.gap:.2f} ug/m3")
        elif len(red):
            a.measures = red[red["reduction"] > 0].sort_values(
                "reduction", ascending=False).groupby("scenario").head(5).assign(
                cumulative=np.nan, closes_gap=None)
            a.notes.append(f"{note} (reduction in ug/m3; the good-day gap itself is "
                           "in percent of days, not converted)")
        else:
            a.notes.append(note)
    elif sp and np.isfinite(a.gap) and a.gap > 0:  # other concentration targets
        key = (t.target_year, sp)
        if key not in red_cache:
            red_cache[key] = scenario_reductions(project, t.target_year, sp)
        red, note = red_cache[key]
        if len(red):
            top = red[red["reduction"] > 0].sort_values(
                "reduction", ascending=False).groupby("scenario").head(5)
            a.measures = top.assign(cumulative=np.nan, closes_gap=None)
            a.notes.append(f"measures ranked by {note}; their effect on the "
                           "concentration is not estimated here (needs the city's "
                           "air-quality response model, cocontrol aq)")


def explain(a: Alert, series: SeriesTable, project=None, lang: str = "en",
            cache: dict | None = None) -> Alert:
    """Drivers behind the alert's gap (LMDI of the latest annual change, ``a.drivers``) and,
    with a project, the measures of its scenarios that would close it (``a.measures``): what
    :func:`run` adds to every alert, for an alert assessed elsewhere (the service)."""
    _attach_drivers(a, series, lang)
    if project is not None:
        attach_measures(a, series, project, cache)
    return a


def _attach_drivers(a: Alert, series: SeriesTable, lang: str) -> None:
    """LMDI drivers of the latest annual change of the emission behind the target."""
    t = a.target
    cands = [t.species] if t.kind == "pollutant_reduction" else DRIVER_SPECIES.get(
        t.kind, ["CO2"])
    for emis in cands:
        ys = series.annual(emis, t.entity).dropna()["year"].tolist()
        for y1 in sorted(ys, reverse=True)[:2]:
            try:
                a.drivers = drivers(series, t.entity, y1 - 1, y1, emission=emis, lang=lang)
            except MonitoringError:
                continue
            a.notes.append(f"drivers: LMDI of {emis} emissions {y1 - 1}-{y1} "
                           f"({a.drivers.attrs['breakdown']})")
            return
    a.notes.append(f"drivers not estimated: no {' / '.join(cands)} with energy and output "
                   "for two consecutive years")


def _network(project, inputs: MonitoringInputs, n_sites: int = 4) -> NetworkDesign:
    from cocontrol.inventory import compute

    inv = compute(project)
    y = max(inv.years)
    co2 = inv.aggregate(["region_id"], species=["CO2"], scope=1)
    co2 = co2[co2["year"] == y]
    loc = inputs.locations.set_index("id")
    regions = project.regions
    par = dict(zip(regions["region_id"], regions["parent_id"], strict=True))
    rows = []
    for rid, v in zip(co2["region_id"], co2["value"], strict=True):
        cur = rid
        while isinstance(cur, str) and cur not in loc.index:
            cur = par.get(cur)
        if not isinstance(cur, str):
            raise MonitoringError(M("msg.mon_no_location", region=rid))
        rows.append((cur, float(loc.at[cur, "x_km"]), float(loc.at[cur, "y_km"]), float(v)))
    src = pd.DataFrame(rows, columns=["id", "x_km", "y_km", "emission"]).groupby(
        ["id", "x_km", "y_km"], as_index=False)["emission"].sum()
    sites = inputs.locations[inputs.locations["kind"].isin(["candidate", "station"])]
    sites = sites.rename(columns={"id": "site"})
    existing = sites.loc[sites["kind"] == "station", "site"].tolist()
    return greedy_sites(src, sites, inputs.wind, n_sites=n_sites,
                        candidate_sets={"existing stations": existing} if existing else None)


def demo_cases(cases: list[Case], as_of: datetime) -> list[Case]:
    """ILLUSTRATIVE workflow states for the demo notice: the first case closed, the second
    rectified, the third assigned, the rest found."""
    out = []
    for i, c in enumerate(cases):
        if i <= 2:
            c = transition(c, "assigned", "city bureau (demo)", as_of, owner=c.finding.entity)
        if i <= 1:
            c = transition(c, "rectified", c.finding.entity, as_of, evidence=Evidence(
                at=as_of, by=c.finding.entity, note="ILLUSTRATIVE rectification report"))
        if i == 0:
            c = transition(c, "closed", "city bureau (demo)", as_of)
        out.append(c)
    return out
