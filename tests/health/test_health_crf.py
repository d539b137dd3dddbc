"""Avoided premature deaths: log-linear CRF and GEMM.

Parameters (bundled in data/health/health_assumptions.yaml):
* Krewski et al. 2009, HEI Research Report 140: all-cause RR 1.06 (95 % CI 1.04–1.08) per
  10 µg/m³, adults 30+ → β = ln(1.06)/10 = 0.0058269 per µg/m³.
* Yin et al. 2017, Environ Health Perspect 125(11):117002: non-accidental HR 1.09 (1.08, 1.09).
* Burnett et al. 2018, PNAS 115, 9592, GEMM NCD+LRI (with the Chinese cohort): θ 0.1430,
  SE 0.01807, α 1.6, μ 15.5, ν 36.8, counterfactual 2.4 µg/m³.
"""

import math

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.health import (
    assumptions,
    assumptions_version,
    avoided_deaths,
    gemm_hazard_ratio,
    hazard_ratio,
    loglinear_beta,
)


def test_krewski_beta_and_hand_calculation():
    assert loglinear_beta(1.06) == pytest.approx(0.0058268908, rel=1e-8)
    # hand calculation: ΔM = y0 (1 − exp(−β ΔC)) Pop = 0.007 × (1 − 1/1.06) × 1e6 = 396.2264
    r = avoided_deaths(60.0, 50.0, population=1e6, mortality_rate=0.007).iloc[0]
    assert r["avoided_deaths"] == pytest.approx(7000 * (1 - 1 / 1.06), rel=1e-12)
    assert r["avoided_deaths"] == pytest.approx(396.2264150943, rel=1e-10)
    assert r["avoided_deaths_low"] == pytest.approx(7000 * (1 - 1 / 1.04), rel=1e-12)
    assert r["avoided_deaths_high"] == pytest.approx(7000 * (1 - 1 / 1.08), rel=1e-12)
    assert r["crf"] == "krewski2009"


def test_yin2017_option():
    r = avoided_deaths(45.0, 40.0, 2e5, 0.01, crf="yin2017").iloc[0]
    beta = math.log(1.09) / 10
    assert r["avoided_deaths"] == pytest.approx(2000 * (1 - math.exp(-beta * 5)), rel=1e-12)


@pytest.mark.parametrize("crf", ["krewski2009", "yin2017", "gemm_ncd_lri"])
def test_zero_change_zero_deaths_and_monotone(crf):
    base = 55.0
    new = np.linspace(5.0, 80.0, 31)
    r = avoided_deaths(pd.Series(base, index=range(31)), pd.Series(new, index=range(31)),
                       1e6, 0.007, crf=crf)
    at_base = avoided_deaths(base, base, 1e6, 0.007, crf=crf).iloc[0]
    assert at_base["avoided_deaths"] == 0.0
    # larger reduction (smaller new concentration) -> more avoided deaths; increases -> negative
    d = r["avoided_deaths"].to_numpy()
    assert np.all(np.diff(d) < 0)
    assert np.all(d[new > base] < 0) and np.all(d[new < base] > 0)
    assert np.all(r["avoided_deaths_low"] <= r["avoided_deaths_high"])


def test_gemm_hazard_ratio_hand_calculation():
    # HR(40) from the published GEMM form and NCD+LRI parameters (Burnett et al. 2018):
    # z = 40 − 2.4 = 37.6; ln(37.6/1.6 + 1) = ln(24.5) = 3.198673;
    # ω = 1/(1 + exp(−(37.6 − 15.5)/36.8)) = 0.645776; HR = exp(0.143 × 3.198673 × 0.645776)
    z = 37.6
    hand = math.exp(0.143 * math.log(z / 1.6 + 1) / (1 + math.exp(-(z - 15.5) / 36.8)))
    assert hand == pytest.approx(1.34365, abs=1e-5)
    assert hazard_ratio(40.0, "gemm_ncd_lri") == pytest.approx(hand, rel=1e-12)
    # no excess risk at or below the counterfactual 2.4 µg/m³
    assert gemm_hazard_ratio([0.0, 2.4], 0.143, 1.6, 15.5, 36.8) == pytest.approx([1.0, 1.0])
    # 95 % bounds use θ ± 1.96 SE
    lo = math.exp((0.143 - 1.959964 * 0.01807) * math.log(z / 1.6 + 1)
                  / (1 + math.exp(-(z - 15.5) / 36.8)))
    assert hazard_ratio(40.0, "gemm_ncd_lri", "low") == pytest.approx(lo, rel=1e-6)


def test_gemm_avoided_deaths_formula():
    r = avoided_deaths(60.0, 35.0, 1e6, 0.006, crf="gemm_ncd_lri").iloc[0]
    hr = lambda c: float(hazard_ratio(c, "gemm_ncd_lri"))  # noqa: E731
    assert r["avoided_deaths"] == pytest.approx(6000 * (1 - hr(35) / hr(60)), rel=1e-12)


def test_age_groups_below_minimum_age_are_excluded():
    groups = pd.DataFrame({"age_from": [0, 25, 30, 65], "population": [3e5, 1e5, 4e5, 2e5],
                           "mortality_rate": [0.001, 0.002, 0.006, 0.04]})
    r = avoided_deaths(50.0, 40.0, crf="krewski2009", age_groups=groups)
    f = 1 - 1 / 1.06
    assert list(r["avoided_deaths"]) == pytest.approx([0, 0, 2400 * f, 8000 * f])
    g = avoided_deaths(50.0, 40.0, crf="gemm_ncd_lri", age_groups=groups)
    assert g["avoided_deaths"].iloc[0] == 0 and g["avoided_deaths"].iloc[1] > 0


def test_valuation_default_and_override():
    r = avoided_deaths(60.0, 50.0, 1e6, 0.007, vsl="default").iloc[0]
    # default VSL: Cao et al. 2023, CNY 4.76 million in 2019 prices
    assert r["vsl_yuan"] == 4.76e6 and r["vsl_price_year"] == 2019
    assert r["value_yuan"] == pytest.approx(r["avoided_deaths"] * 4.76e6)
    u = avoided_deaths(60.0, 50.0, 1e6, 0.007, vsl=(3.0e6, 2023)).iloc[0]
    assert u["value_yuan"] == pytest.approx(u["avoided_deaths"] * 3.0e6)
    assert u["vsl_price_year"] == 2023 and u["vsl_option"] == "user"


def test_version_returned_and_sources_present():
    r = avoided_deaths(pd.Series({"A": 60.0, "B": 40.0}), pd.Series({"A": 50.0, "B": 41.0}),
                       pd.Series({"A": 1e6, "B": 5e5}), 0.007)
    assert (r["assumptions_version"] == assumptions_version()).all()
    assert assumptions_version().startswith("health-assumptions")
    a = assumptions()
    for name, p in a["crf"].items():
        assert p["source"], name
    assert "Burnett" in a["crf"]["gemm_ncd_lri"]["source"]
    assert "Krewski" in a["crf"]["krewski2009"]["source"]


def test_bad_inputs():
    with pytest.raises(InputError, match="unknown concentration-response"):
        avoided_deaths(50, 40, 1e6, 0.007, crf="nope")
    with pytest.raises(InputError, match="population and mortality_rate"):
        avoided_deaths(50, 40)
    with pytest.raises(InputError, match="PM2.5 must be a number"):
        avoided_deaths(-1.0, 40, 1e6, 0.007)
    with pytest.raises(InputError, match="missing or negative"):
        avoided_deaths(pd.Series({"A": 50.0}), pd.Series({"A": 40.0}), pd.Series({"B": 1e6}),
                       0.007)
