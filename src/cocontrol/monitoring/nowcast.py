"""Monthly CO2 and pollutant nowcasts from electricity and energy data ("carbon from power").

For every group g (e.g. entity × sector) the emission of month m of year y is modelled as a
coefficient times a monthly proxy (electricity, or energy, or a weighted sum of several)::

    k_{g,y}   = A_{g,y} / Σ_m P_{g,y,m}                 (carbon-electricity coefficient)
    Ê_{g,y,m} = A_{g,y} · P_{g,y,m} / Σ_m P_{g,y,m}     years with an annual inventory A
    Ê_{g,y,m} = k̂_{g,y} · P_{g,y,m}                     years without one (nowcast)

so the months of an inventory year sum **exactly** to its annual total (pro-rata
benchmarking, the simplest member of the Denton family; Denton 1971), and a nowcast year
carries the coefficient forward: ``k̂`` = k of the latest inventory year ("last", default) or a
least-squares linear trend of k over the inventory years ("trend").

The error is measured by backtest on held-out years: each inventory year y with an earlier
inventory year is nowcast as if A_y were unknown (k̂ from the years before y only) and compared
with A_y; APE = |Σ_m Ê − A| / A, MAPE over the held-out years. The backtest is reported with
every nowcast (``NowcastResult.backtest`` and ``mape``).

Source of the approach: the power-carbon ("电碳") monitoring of China's grid companies and
provincial dual-carbon platforms, which estimate monthly emissions from electricity by sector
with sectoral carbon-electricity coefficients calibrated to the annual inventory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cocontrol.i18n import Msg as M
from cocontrol.monitoring._common import MonitoringError
from cocontrol.monitoring.series import SeriesTable


@dataclass
class NowcastResult:
    """Monthly estimates, coefficients and the backtest on held-out years."""

    monthly: pd.DataFrame      # *keys, year, month, proxy, estimate, kind (calibrated|nowcast)
    coefficients: pd.DataFrame  # *keys, year, k, kind
    backtest: pd.DataFrame     # *keys, year, predicted, actual, ape
    keys: list[str]
    target: str
    method: str

    @property
    def mape(self) -> float:
        """Mean absolute percentage error of the annual totals of the held-out years (total of
        all groups), as a fraction; NaN when no year could be held out."""
        t = self.backtest_total()
        return float(t["ape"].mean()) if len(t) else float("nan")

    def backtest_total(self) -> pd.DataFrame:
        b = self.backtest
        if b.empty:
            return pd.DataFrame(columns=["year", "predicted", "actual", "ape"])
        t = b.groupby("year")[["predicted", "actual"]].sum().reset_index()
        t["ape"] = (t["predicted"] - t["actual"]).abs() / t["actual"]
        return t

    def total(self) -> pd.DataFrame:
        """Estimates summed over the groups, by year and month."""
        g = self.monthly.groupby(["year", "month"], as_index=False)
        t = g.agg(estimate=("estimate", "sum"), proxy=("proxy", "sum"))
        kinds = self.monthly.groupby(["year", "month"])["kind"].agg(
            lambda k: "calibrated" if (k == "calibrated").all() else "nowcast")
        t["kind"] = kinds.to_numpy()
        return t

    def to_frame(self) -> pd.DataFrame:
        m = self.monthly.copy()
        m.attrs.update({"target": self.target, "method": self.method, "mape": self.mape})
        return m


def _k_hat(ks: pd.Series, year: int, method: str) -> float:
    prev = ks[ks.index < year].dropna()
    if prev.empty:
        return float("nan")
    if method == "last" or len(prev) < 2:
        return float(prev.iloc[-1])
    if method == "trend":
        x = prev.index.to_numpy(float)
        b, a = np.polyfit(x, prev.to_numpy(float), 1)
        return float(a + b * year)
    raise MonitoringError(M("msg.mon_nowcast_method", method=repr(method)))


def nowcast(proxy: pd.DataFrame, annual: pd.DataFrame, keys: Sequence[str] = ("entity",),
            method: str = "last", target: str = "CO2") -> NowcastResult:
    """Nowcast monthly emissions from a monthly proxy calibrated to annual totals.

    Parameters
    ----------
    proxy : DataFrame
        ``[*keys, year, month, proxy]`` monthly proxy (e.g. electricity, MWh); one row per
        group and month, no gaps within a year used (a year with a missing month is not used).
    annual : DataFrame
        ``[*keys, year, value]`` annual inventory totals (unit of the estimates).
    keys : group columns (entity, sector ...); each group gets its own coefficient.
    method : "last" or "trend" (see the module docstring).
    """
    keys = list(keys)
    need_p = keys + ["year", "month", "proxy"]
    need_a = keys + ["year", "value"]
    for name, df, cols in (("proxy", proxy, need_p), ("annual", annual, need_a)):
        miss = [c for c in cols if c not in df.columns]
        if miss:
            raise MonitoringError(M("msg.mon_table_lacks", table=M(f"mon_table.{name}"),
                                            miss=str(miss)))
    p = proxy[need_p].copy()
    a = annual[need_a].dropna(subset=["value"]).copy()
    if (p["proxy"] < 0).any() or (a["value"] < 0).any():
        raise MonitoringError(M("msg.mon_negative_proxy"))
    months, coefs, backs = [], [], []
    for gkey, g in p.groupby(keys, sort=True):
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        sel = np.ones(len(a), bool)
        for k, v in zip(keys, gkey, strict=True):
            sel &= (a[k] == v).to_numpy()
        ag = a[sel].set_index("year")["value"]
        ps = g.groupby("year")["proxy"]
        complete = ps.count() == 12
        psum = ps.sum(min_count=12).where(complete)
        ks = (ag / psum.reindex(ag.index)).dropna().sort_index()
        for y, gy in g.groupby("year"):
            pv = gy["proxy"].to_numpy(float)
            if y in ks.index:
                tot = float(ag.loc[y])
                est = tot * pv / pv.sum() if pv.sum() > 0 else np.full(len(pv), np.nan)
                kind, k = "calibrated", float(ks.loc[y])
            else:
                k = _k_hat(ks, int(y), method)
                est = k * pv
                kind = "nowcast"
            coefs.append((*gkey, int(y), k, kind))
            months.append(pd.DataFrame({**dict(zip(keys, gkey, strict=True)), "year": int(y),
                                        "month": gy["month"].to_numpy(int), "proxy": pv,
                                        "estimate": est, "kind": kind}))
        for y in ks.index:
            kh = _k_hat(ks, int(y), method)
            if np.isfinite(kh):
                pred = kh * float(psum.loc[y])
                act = float(ag.loc[y])
                backs.append((*gkey, int(y), pred, act, abs(pred - act) / act if act else np.nan))
    if not months:
        raise MonitoringError(M("msg.mon_no_proxy"))
    return NowcastResult(
        monthly=pd.concat(months, ignore_index=True),
        coefficients=pd.DataFrame(coefs, columns=keys + ["year", "k", "kind"]),
        backtest=pd.DataFrame(backs, columns=keys + ["year", "predicted", "actual", "ape"]),
        keys=keys, target=target, method=method)


def nowcast_from_series(series: SeriesTable, entity: str, target: str = "CO2",
                        proxy: str = "electricity", by_sector: bool = False,
                        method: str = "last") -> NowcastResult:
    """Carbon from power on an indicator table.

    ``by_sector=False``: the unit's monthly ``proxy`` (its total rows, else the sum of its
    sector rows, complete months only) calibrated to the unit's annual ``target`` totals.
    ``by_sector=True``: one coefficient per sector, calibrated to the sector's annual
    ``target`` (sector total rows, else the sum of the sector's fuel rows).
    """
    d = series.select(proxy, entity, sector=None)
    d = d[(d["month"] > 0) & (d["fuel"] == "")]
    sectors = sorted(s for s in d["sector"].unique() if s)
    if d.empty:
        raise MonitoringError(M("msg.mon_no_monthly_data", indicator=proxy, entity=entity))
    if by_sector and sectors:
        p = d[d["sector"] != ""].rename(columns={"value": "proxy"})
        p = p[["sector", "year", "month", "proxy"]]
        rows = []
        for sec in sectors:
            an = series.annual(target, entity, sector=sec)
            an = an[an["how"] == "given"]
            if an.empty:  # sum of the sector's fuel rows
                x = series.select(target, entity, sector=sec, fuel=None)
                x = x[(x["month"] == 0) & (x["fuel"] != "")]
                an = x.groupby("year", as_index=False)["value"].sum(min_count=1)
            rows.append(an.assign(sector=sec)[["sector", "year", "value"]])
        ann = pd.concat(rows, ignore_index=True)
        keys = ["sector"]
    else:
        tot = d[d["sector"] == ""]
        if tot.empty:
            n_sec = d.groupby(["year", "month"])["sector"].nunique()
            tot = d.groupby(["year", "month"], as_index=False)["value"].sum(min_count=1)
            tot = tot[(n_sec == len(sectors)).to_numpy()]
        p = tot.rename(columns={"value": "proxy"})[["year", "month", "proxy"]].assign(
            sector="(total)")
        an = series.annual(target, entity)
        ann = an[an["how"] == "given"].assign(sector="(total)")[["sector", "year", "value"]]
        keys = ["sector"]
    res = nowcast(p.dropna(subset=["proxy"]), ann, keys=keys, method=method, target=target)
    res.monthly.insert(0, "entity", entity)
    return res


def upload_rows(res: NowcastResult, entity: str, unit: str) -> list[dict]:
    """The monthly totals of a nowcast as rows of the indicator-series template (entity,
    indicator, sector, fuel, period, value, unit, source, note, valid_days), the source naming
    the method and its backtest error as in :func:`to_series`."""
    d = to_series(res, entity, unit).to_frame()
    return [{"entity": r.entity, "indicator": r.indicator, "sector": None, "fuel": None,
             "period": r.period, "value": float(r.value), "unit": r.unit, "source": r.source,
             "note": None, "valid_days": None} for r in d.itertuples()]


def to_series(res: NowcastResult, entity: str, unit: str) -> SeriesTable:
    """Monthly totals of a nowcast as indicator rows (the source names the method and its
    backtest error), to be added to the series for forecasts and alerts."""
    from cocontrol.monitoring.series import COLUMNS

    t = res.total()
    mape = res.mape
    err = f"backtest MAPE {100 * mape:.1f} % on held-out years" if np.isfinite(mape) else \
        "no held-out year for a backtest"
    rows = []
    for r in t.itertuples():
        how = ("calibrated to the annual inventory" if r.kind == "calibrated" else
               f"nowcast with the latest coefficient ({res.method})")
        rows.append((entity, res.target, "", "", int(r.year), int(r.month), float(r.estimate),
                     unit, float(r.estimate), unit, np.nan,
                     f"nowcast (carbon from power): {how}; {err}", "<nowcast>", np.nan))
    return SeriesTable(pd.DataFrame(rows, columns=COLUMNS))
