"""Concentration–response functions and avoided premature deaths (see package docstring)."""

from __future__ import annotations

import copy
from functools import lru_cache

import numpy as np
import pandas as pd

from cocontrol import refdata
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

ASSUMPTIONS_FILE = "health_assumptions.yaml"
_Z95 = 1.959963984540054  # standard normal 97.5 % quantile


@lru_cache(maxsize=1)
def _load() -> dict:
    from cocontrol import io

    name = f"health/{ASSUMPTIONS_FILE}"
    return io.read_yaml(name, text=refdata.bundled_text(name))


def assumptions() -> dict:
    """The bundled health assumptions (a deep copy; includes ``version`` and sources)."""
    return copy.deepcopy(_load())


def assumptions_version() -> str:
    """Version string of the bundled health assumptions."""
    return str(_load()["version"])


def _crf(name: str | None) -> tuple[str, dict]:
    a = _load()
    name = name or a["default_crf"]
    if name not in a["crf"]:
        raise InputError(Problem(ASSUMPTIONS_FILE, M("msg.hl_unknown_concentration_response_function"),
                                 column="crf", value=name, expected=Seq(list(a["crf"]), quote=True)))
    return name, a["crf"][name]


def loglinear_beta(rr_per_10ugm3: float) -> float:
    """β (per µg/m³) of a log-linear CRF from its relative risk per 10 µg/m³: ln(RR)/10."""
    return float(np.log(rr_per_10ugm3) / 10.0)


def gemm_hazard_ratio(pm25_ugm3, theta: float, alpha: float, mu: float, nu: float,
                      counterfactual_ugm3: float = 2.4) -> np.ndarray:
    """GEMM hazard ratio (Burnett et al. 2018, PNAS 115, 9592, Eq. of the GEMM).

    HR = exp(θ ln(z/α + 1) / (1 + exp(−(z − μ)/ν))), z = max(0, C − counterfactual).
    """
    z = np.maximum(0.0, np.asarray(pm25_ugm3, dtype=float) - counterfactual_ugm3)
    return np.exp(theta * np.log(z / alpha + 1.0) / (1.0 + np.exp(-(z - mu) / nu)))


def hazard_ratio(pm25_ugm3, crf: str | None = None, bound: str = "central") -> np.ndarray:
    """Hazard ratio relative to zero exposure (log-linear) or to the GEMM counterfactual.

    ``bound``: ``"central"``, ``"low"`` or ``"high"`` (95 % CI: RR bounds, or θ ± 1.96 SE).
    """
    _, p = _crf(crf)
    c = np.asarray(pm25_ugm3, dtype=float)
    if p["type"] == "loglinear":
        rr = {"central": p["rr_per_10ugm3"], "low": p["rr_low"], "high": p["rr_high"]}[bound]
        return np.exp(loglinear_beta(rr) * c)
    th = p["theta"] + {"central": 0.0, "low": -_Z95, "high": _Z95}[bound] * p["theta_se"]
    return gemm_hazard_ratio(c, th, p["alpha"], p["mu"], p["nu"], p["counterfactual_ugm3"])


def _as_series(x, name: str, index: pd.Index | None) -> pd.Series:
    if isinstance(x, pd.Series):
        return x.astype(float).rename(name)
    if isinstance(x, dict):
        return pd.Series(x, dtype=float, name=name)
    if np.ndim(x) == 0:
        return pd.Series(float(x), index=index if index is not None else ["all"], name=name)
    return pd.Series(np.asarray(x, dtype=float), index=index, name=name)


def _vsl(vsl) -> tuple[float, int | None, str] | None:
    if vsl is None or vsl is False:
        return None
    opts = _load()["vsl"]
    if vsl is True or vsl == "default":
        vsl = opts["default"]
    if isinstance(vsl, str):
        if vsl not in opts["options"]:
            raise InputError(Problem(ASSUMPTIONS_FILE, M("msg.hl_unknown_vsl_option"), column="vsl",
                                     value=vsl, expected=Seq(list(opts["options"]), quote=True)))
        o = opts["options"][vsl]
        return float(o["value_yuan"]), int(o["price_year"]), vsl
    if isinstance(vsl, tuple):
        return float(vsl[0]), int(vsl[1]), "user"
    return float(vsl), None, "user"


def avoided_deaths(pm25_base, pm25_new, population=None, mortality_rate=None,
                   crf: str | None = None, age_groups: pd.DataFrame | None = None,
                   vsl=None) -> pd.DataFrame:
    """Avoided premature deaths per year from a change of annual-mean PM2.5.

    Parameters
    ----------
    pm25_base, pm25_new
        Population-weighted annual-mean PM2.5 (µg/m³) before and after, as numbers or Series
        indexed by receptor (region/city).
    population
        Persons in the age range of the CRF (≥30 for Krewski 2009, ≥25 for GEMM, ≥40 for
        Yin 2017), by receptor. Not used when ``age_groups`` is given.
    mortality_rate
        Baseline mortality y0 of that population for the CRF's endpoint (deaths per person per
        year, e.g. 0.007 = 7 ‰), by receptor.
    crf
        ``"krewski2009"`` (default), ``"yin2017"`` or ``"gemm_ncd_lri"``.
    age_groups
        Optional table ``[receptor], age_from, population, mortality_rate``: one row per age
        group (years, persons, deaths per person-year). Groups younger than the CRF's minimum
        age are reported with zero avoided deaths.
    vsl
        ``None`` (no valuation), ``"default"``/``True`` (bundled default), an option name of the
        assumptions file, a number (yuan) or ``(yuan, price_year)``.

    Returns
    -------
    DataFrame
        One row per receptor (× age group): ``pm25_base_ugm3, pm25_new_ugm3, delta_pm25_ugm3``
        (base − new), ``population, mortality_rate_per_person_yr, crf, avoided_deaths`` and
        its 95 % bounds ``avoided_deaths_low/high`` (deaths/yr; negative = extra deaths),
        optionally ``vsl_yuan, vsl_price_year, value_yuan(_low/_high)``, and
        ``assumptions_version``.
    """
    name, p = _crf(crf)
    cb = _as_series(pm25_base, "pm25_base_ugm3", None)
    cn = _as_series(pm25_new, "pm25_new_ugm3", cb.index)
    if np.ndim(pm25_base) == 0 and isinstance(pm25_new, pd.Series):
        cb = pd.Series(float(pm25_base), index=cn.index, name="pm25_base_ugm3")
    conc = pd.concat([cb, cn], axis=1)
    conc.index.name = "receptor"
    problems: list[Problem] = []
    for col in conc.columns:
        for r, v in conc[col].items():
            if not np.isfinite(v) or v < 0:
                problems.append(Problem("<pm25>", M("msg.hl_pm2_5_number_0"), column=col,
                                        value=f"{r}: {v}", expected="µg/m³ >= 0"))
    if age_groups is None:
        if population is None or mortality_rate is None:
            raise InputError(Problem("<health>", M("msg.hl_population_mortality_rate_are")))
        pop = _as_series(population, "population", conc.index)
        y0 = _as_series(mortality_rate, "mortality_rate_per_person_yr", conc.index)
        d = conc.join(pop, how="left").join(y0, how="left").reset_index()
        d["age_from"] = np.nan
    else:
        g = age_groups.reset_index(drop=True).copy()
        need = {"age_from", "population", "mortality_rate"}
        if not need <= set(g.columns):
            raise InputError(Problem("<age_groups>", M("msg.hl_missing_columns"),
                                     value=sorted(need - set(g.columns)),
                                     expected=M("msg.hl_age_from_years_population")))
        if "receptor" not in g.columns:
            if len(conc) != 1:
                raise InputError(Problem("<age_groups>", M("msg.hl_receptor_column_needed_when"), column="receptor"))
            g["receptor"] = conc.index[0]
        g = g.rename(columns={"mortality_rate": "mortality_rate_per_person_yr"})
        d = g.merge(conc.reset_index(), on="receptor", how="left")
    for col in ("population", "mortality_rate_per_person_yr", "pm25_base_ugm3",
                "pm25_new_ugm3"):
        bad = ~np.isfinite(pd.to_numeric(d[col], errors="coerce").to_numpy(dtype=float))
        bad |= pd.to_numeric(d[col], errors="coerce").fillna(-1).to_numpy() < 0
        for i in np.flatnonzero(bad):
            problems.append(Problem("<health>", M("msg.hl_missing_negative_value"), row=int(i) + 2,
                                    column=col, value=f"{d['receptor'].iloc[i]}: {d[col].iloc[i]}",
                                    expected=M("msg.hl_number_0_every_receptor")))
    if problems:
        raise InputError(problems)

    in_scope = d["age_from"].isna() | (d["age_from"] >= p["age_min"])
    base = d["pm25_base_ugm3"].to_numpy(float)
    new = d["pm25_new_ugm3"].to_numpy(float)
    pop_y0 = (d["population"] * d["mortality_rate_per_person_yr"]).to_numpy(float)
    pop_y0 = np.where(in_scope.to_numpy(), pop_y0, 0.0)
    for bound, col in (("central", "avoided_deaths"), ("low", "avoided_deaths_low"),
                       ("high", "avoided_deaths_high")):
        if p["type"] == "loglinear":
            rr = {"central": p["rr_per_10ugm3"], "low": p["rr_low"], "high": p["rr_high"]}[bound]
            frac = 1.0 - np.exp(-loglinear_beta(rr) * (base - new))
        else:
            frac = 1.0 - hazard_ratio(new, name, bound) / hazard_ratio(base, name, bound)
        d[col] = pop_y0 * frac
    # the CI bounds of the risk give the bounds of the result; for a PM2.5 increase their
    # order flips, so report the smaller as low and the larger as high
    lo, hi = d["avoided_deaths_low"].to_numpy(), d["avoided_deaths_high"].to_numpy()
    d["avoided_deaths_low"], d["avoided_deaths_high"] = np.minimum(lo, hi), np.maximum(lo, hi)
    d["delta_pm25_ugm3"] = base - new
    d["crf"] = name
    v = _vsl(vsl)
    if v is not None:
        d["vsl_yuan"], d["vsl_price_year"], d["vsl_option"] = v
        for s in ("", "_low", "_high"):
            d[f"value_yuan{s}"] = d[f"avoided_deaths{s}"] * v[0]
    d["assumptions_version"] = assumptions_version()
    cols = ["receptor"] + (["age_from"] if age_groups is not None else []) + [
        "pm25_base_ugm3", "pm25_new_ugm3", "delta_pm25_ugm3", "population",
        "mortality_rate_per_person_yr", "crf", "avoided_deaths", "avoided_deaths_low",
        "avoided_deaths_high"] + ([
            "vsl_yuan", "vsl_price_year", "vsl_option", "value_yuan", "value_yuan_low",
            "value_yuan_high"] if v is not None else []) + ["assumptions_version"]
    return d[cols].reset_index(drop=True)


def avoided_deaths_of_response(response, population=None, mortality_rate=None,
                               crf: str | None = None, age_groups: pd.DataFrame | None = None,
                               vsl=None, component: str = "PM2.5") -> pd.DataFrame:
    """Avoided premature deaths from the output of any air-quality model of the protocol
    (:meth:`cocontrol.airquality.ResponseModel.predict`, or its labelled ``response``): the
    PM2.5 total of every receptor before (``base``) and after (``value``) the emission
    changes. Other arguments as :func:`avoided_deaths`."""
    tab = response["concentrations"] if not isinstance(response, pd.DataFrame) else response
    pm = tab[tab["component"] == component].set_index("receptor")
    if pm.empty:
        raise InputError(Problem("<air-quality response>", M("msg.hl_no_rows", component=component),
                                 column="component", expected=M("msg.hl_rows_with_component", component=component)))
    return avoided_deaths(pm["base"], pm["value"], population, mortality_rate, crf,
                          age_groups, vsl)
