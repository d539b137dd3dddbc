"""What the draws say: probability of meeting each target and all together, Sobol indices
(SALib, Saltelli 2010 / Jansen estimators as SALib implements them) and tornado bars.

Probability of attainment: the share of draws meeting a target, p̂ = (1/K) Σ 1[target met in
draw k], with its binomial standard error √(p̂(1 − p̂)/K); "all targets" is the share of draws
meeting every target in the same draw (so correlations between targets count).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from cocontrol import units
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.uncertainty.ensemble import EnsembleResult


class Target(BaseModel):
    """A target evaluated on every draw.

    ``pm25_max``: PM2.5 in ``year`` ≤ ``value`` µg/m³; ``peak_by``: the species' maximum falls
    in or before ``year`` and it does not rise after; ``cap``: the species total in ``year`` ≤
    ``value`` (``unit``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["pm25_max", "peak_by", "cap"]
    year: int
    value: float | None = None
    species: str = "CO2"
    unit: str = "t"
    name: str = ""

    def label(self) -> str:
        if self.name:
            return self.name
        if self.kind == "pm25_max":
            return f"PM2.5 <= {self.value:g} ug/m3 in {self.year}"
        if self.kind == "peak_by":
            return f"{self.species} peak by {self.year}"
        return f"{self.species} <= {self.value:g} {self.unit} in {self.year}"


def met(res: EnsembleResult, t: Target) -> np.ndarray:
    """Boolean per draw: is target ``t`` met?"""
    if t.year not in res.years:
        raise InputError(Problem(file="<targets>", column="year", value=t.year,
                                 message=M("msg.unc_not_year_run", t_label=t.label()),
                                 expected=Seq(list(map(str, res.years)), quote=True)))
    j = res.years.index(t.year)
    if t.kind == "pm25_max":
        if res.pm25 is None:
            raise InputError(Problem(file="<targets>", column="kind", value=t.kind,
                                     message=M("msg.unc_pm2_5_targets_need"),
                                     expected=M("msg.unc_air_quality_settings_optimisation")))
        return res.pm25[:, j] <= float(t.value)
    s = res.series(t.species)
    if t.kind == "cap":
        return s[:, j] <= float(t.value) * units.factor(t.unit, "t")
    i = s.argmax(axis=1)
    after = np.diff(s[:, j:], axis=1) <= 1e-9 * np.abs(s[:, j:-1]) if s.shape[1] > j + 1 \
        else np.ones((len(s), 0), bool)
    return (np.asarray(res.years)[i] <= t.year) & after.all(axis=1)


def attainment(res: EnsembleResult, targets: list[Target]) -> pd.DataFrame:
    """Probability (and its standard error) of meeting each target and all of them."""
    if not targets:
        raise InputError(Problem(file="<targets>", message=M("msg.unc_no_targets_assess")))
    K = len(res)
    ok = np.column_stack([met(res, t) for t in targets])
    rows = [(t.label(), ok[:, i].mean()) for i, t in enumerate(targets)]
    rows.append(("all targets together", ok.all(axis=1).mean()))
    df = pd.DataFrame(rows, columns=["target", "probability"])
    df["std_error"] = np.sqrt(df["probability"] * (1 - df["probability"]) / K)
    df["draws"] = K
    return df


def quantiles(res: EnsembleResult, variable: str, q=(0.05, 0.25, 0.5, 0.75, 0.95)
              ) -> pd.DataFrame:
    """Quantiles by year of a species total (t), ``PM25`` or ``cost`` (fan charts)."""
    x = res.pm25 if variable in ("PM25", "PM2.5 concentration") else res.cost if variable == "cost" else \
        res.series(variable)
    if x is None:
        raise InputError(Problem(file="<uncertainty>", column="variable", value=variable,
                                 message=M("msg.unc_not_computed_no_air")))
    return pd.DataFrame(np.quantile(x, q, axis=0).T, index=pd.Index(res.years, name="year"),
                        columns=[f"q{int(round(100 * v)):02d}" for v in q])


@dataclass
class SobolResult:
    names: list[str]
    S1: np.ndarray
    ST: np.ndarray
    S1_conf: np.ndarray
    ST_conf: np.ndarray
    n_evaluations: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"factor": self.names, "S1": self.S1, "S1_conf": self.S1_conf,
                             "ST": self.ST, "ST_conf": self.ST_conf})


def sobol_indices(func, n_params: int, n: int = 512, groups: list[str] | None = None,
                  seed: int = 0, names: list[str] | None = None) -> SobolResult:
    """First-order and total Sobol indices of ``func(u) -> y`` (u: K × p uniforms on [0, 1],
    y: K outputs) by SALib's Saltelli sampling and Sobol analysis; with ``groups`` (one
    label per parameter) the indices are those of the groups. Costs n (2G + 2) evaluations."""
    from SALib.analyze import sobol as sa
    from SALib.sample import sobol as ss

    problem = {"num_vars": n_params, "names": names or [f"x{i}" for i in range(n_params)],
               "bounds": [[0.0, 1.0]] * n_params}
    if groups is not None:
        if len(groups) != n_params:
            raise InputError(Problem(file="<sobol>", column="groups", value=len(groups),
                                     message=M("msg.unc_one_group_label_per"),
                                     expected=str(n_params)))
        problem["groups"] = list(groups)
    X = ss.sample(problem, n, calc_second_order=False, seed=seed)
    y = np.asarray(func(X), dtype=float)
    r = sa.analyze(problem, y, calc_second_order=False, seed=seed)
    labels = list(dict.fromkeys(groups)) if groups is not None else problem["names"]
    return SobolResult(labels, np.asarray(r["S1"]), np.asarray(r["ST"]),
                       np.asarray(r["S1_conf"]), np.asarray(r["ST_conf"]), len(X))


def tornado(model, output, groups: bool = True) -> pd.DataFrame:
    """One-at-a-time swing of ``output(EnsembleResult) -> K values``: each parameter (or group)
    at its 2.5 % and 97.5 % quantiles, the others at their medians."""
    names = model.groups if groups else model.names
    labels = list(dict.fromkeys(names))
    p = len(model.params)
    U = np.full((2 * len(labels) + 1, p), 0.5)
    lab = np.asarray(names)
    for i, g in enumerate(labels):
        U[2 * i, lab == g] = 0.025
        U[2 * i + 1, lab == g] = 0.975
    y = np.asarray(output(model.evaluate(U)), dtype=float)
    mid = y[-1]
    df = pd.DataFrame({"factor": labels, "low": y[0:-1:2], "high": y[1:-1:2]})
    df["central"] = mid
    df["swing"] = (df["high"] - df["low"]).abs()
    return df.sort_values("swing", ascending=False).reset_index(drop=True)
