"""Recursive-dynamic runs (e.g. 2020–2035): a sequence of static equilibria linked by capital
accumulation, labour-force growth, productivity growth and autonomous energy-efficiency
improvement (AEEI), in the manner of Hosoe, Gasawa & Hashimoto's recursive-dynamic model
(GAMS model library ``DYNCGE``, 2nd ed. of the textbook) but with one mobile capital stock.

Period ``t`` (``step`` years long):

* capital ``K_{t+1} = (1 - dep)^step K_t + step * I_t`` with ``I_t`` real investment
  (``sum Xv``, benchmark prices); ``K_0 = R_0 / (ror + dep)`` from the benchmark capital income
  ``R_0`` (Hosoe et al.: ``ror = 0.05``, ``dep = 0.04``);
* labour ``L_t = L_0 (1 + gL)^(t - t0)``; Hicks-neutral productivity ``A_t = (1 + gA)^(t - t0)``
  applied to both effective factor endowments (``ff_mult``);
* energy coefficients ``aen_t = aen_0 (1 - aeei)^(t - t0)`` (all sectors);
* foreign savings scaled with the previous period's real GDP.

A policy path uses the same rates every year; an ETS cap is a share of the *same year's*
baseline covered emissions. Results are levels by year for the baseline and the policy, and the
indicator changes of the policy against the same year's baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cocontrol.cge.policies import Economy, Instrument, to_shocks
from cocontrol.cge.satellite import INDICATORS, indicator_changes
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.provenance import Provenance
from cocontrol.results import Labelled, Result


@dataclass
class DynamicParams:
    """Growth assumptions (per year). Defaults are ILLUSTRATIVE for a China-like economy."""

    start_year: int = 2020
    end_year: int = 2035
    step: int = 1
    depreciation: float = 0.04        # Hosoe et al. DYNCGE (dep = 0.04)
    rate_of_return: float = 0.05      # Hosoe et al. DYNCGE (ror = 0.05)
    labour_growth: float = -0.003     # ILLUSTRATIVE: shrinking working-age population
    tfp_growth: float = 0.015         # ILLUSTRATIVE
    aeei: float = 0.01                # ILLUSTRATIVE autonomous energy-efficiency gain per year
    capital: str = "CAP"
    labour: str = "LAB"

    def years(self) -> list[int]:
        if self.end_year < self.start_year or self.step < 1:
            raise InputError(Problem(file="<dynamic>", message=M("msg.cge_invalid_period"),
                                     value=(self.start_year, self.end_year, self.step),
                                     expected=M("msg.cge_start_end_step_1")))
        return list(range(self.start_year, self.end_year + 1, self.step))


def _path(eco: Economy, instruments: list[Instrument], p: DynamicParams,
          ets_ref: dict[int, float] | None, recycling: str | None):
    cal = eco.cal
    if p.capital not in cal.factors or p.labour not in cal.factors:
        raise InputError(Problem(file="<dynamic>", message=M("msg.cge_capital_labour_factor_not"),
                                 value=(p.capital, p.labour), expected=Seq(list(cal.factors), quote=True)))
    kc, kl = cal.factors.index(p.capital), cal.factors.index(p.labour)
    R0 = cal.FF[kc]
    K0 = R0 / (p.rate_of_return + p.depreciation)
    K = K0
    gdp0 = None
    gdp_prev = None
    x = None
    rows, runs = {}, {}
    for y in p.years():
        dt = y - p.start_year
        A = (1 + p.tfp_growth) ** dt
        ff = np.ones(len(cal.factors))
        ff[kc] = K / K0 * A
        ff[kl] = (1 + p.labour_growth) ** dt * A
        extra = {"ff_mult": ff, "aen_scale": (1 - p.aeei) ** dt}
        if gdp_prev is not None:
            extra["sf_mult"] = gdp_prev / gdp0
        if ets_ref is not None and y in ets_ref:
            extra["ets_reference"] = ets_ref[y]
        run = eco.run(instruments, recycling, x0=x, extra=extra)
        x = run.solution.x
        lv = dict(run.levels)
        lv["capital_index"] = K / K0
        rows[y] = lv
        runs[y] = run
        if gdp0 is None:
            gdp0 = lv["gdp_real"]
        inv = float(run.solution.values["Xv"].sum())
        lv["investment_real"] = inv
        lv["walras"] = float(run.solution.values["walras"])
        lv["covered_co2_t"] = _covered_co2(eco, instruments, run.solution.values) or 0.0
        K = (1 - p.depreciation) ** p.step * K + p.step * inv
        gdp_prev = lv["gdp_real"]
    return pd.DataFrame(rows).T, runs


def _covered_co2(eco: Economy, instruments: list[Instrument], values: dict) -> float | None:
    """Covered CO2 (t) of the ETS among ``instruments`` at a solution's flows."""
    sh = to_shocks(eco.cal, instruments)
    if sh.ets_cap is None or eco.sat is None:
        return None
    n = eco.cal.n
    k = eco.sat.index("CO2")
    cov = sh.ets_cover
    return float((eco.sat.fuel[k, :, :n] * cov[None, :] * values["X"]).sum()
                 + (eco.sat.process[k] * cov * values["Z"]).sum())


@dataclass
class DynamicResult(Labelled):
    """Paths of :func:`run_dynamic` (DataFrames indexed by year, one column per indicator);
    :meth:`result` gives the labelled result ``cge_dynamic``."""

    baseline: pd.DataFrame
    policy: pd.DataFrame
    changes: pd.DataFrame
    ets_binding: pd.Series
    instruments: tuple[str, ...] = ()

    def result(self) -> Result:
        def tidy(df: pd.DataFrame) -> pd.DataFrame:
            return (df.rename_axis(index="year", columns="indicator").stack()
                    .rename("value").reset_index())

        lv = pd.concat([tidy(self.baseline.apply(pd.to_numeric, errors="coerce"))
                        .assign(path="baseline"),
                        tidy(self.policy.apply(pd.to_numeric, errors="coerce"))
                        .assign(path="policy")], ignore_index=True)
        lv = lv[["path", "year", "indicator", "value"]]
        ch = tidy(self.changes)
        ch["unit"] = ch["indicator"].map(lambda k: INDICATORS[k][2] if k in INDICATORS else "")
        b = self.ets_binding
        ets = pd.DataFrame({"year": list(b.index), "binding": [
            None if v is None or (isinstance(v, float) and np.isnan(v))
            else ("binding" if bool(v) else "slack") for v in b]})
        prov = Provenance.of(None, instruments="+".join(self.instruments))
        return Result("cge_dynamic", {"levels": lv, "changes": ch, "ets": ets}, prov,
                      {"instruments": list(self.instruments)})


def run_dynamic(eco: Economy, instruments: list[Instrument],
                params: DynamicParams | None = None,
                recycling: str | None = None) -> DynamicResult:
    """Baseline and policy paths year by year; changes of the policy against the baseline."""
    p = params or DynamicParams()
    base, base_runs = _path(eco, [], p, None, recycling)
    ref = {}
    for y, r in base_runs.items():
        c = _covered_co2(eco, instruments, r.solution.values)
        if c is not None:
            ref[y] = c
    if ref:
        base["covered_co2_t"] = pd.Series(ref)
    pol, pol_runs = _path(eco, instruments, p, ref or None, recycling)
    ch = pd.DataFrame({y: indicator_changes(eco.cal, eco.sat, base.loc[y].to_dict(),
                                            pol.loc[y].to_dict()) for y in base.index}).T
    bind = pd.Series({y: r.ets_binding for y, r in pol_runs.items()}, dtype=object)
    return DynamicResult(base, pol, ch, bind, tuple(i.code for i in instruments))
