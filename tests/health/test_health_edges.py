"""Avoided deaths: cases where planted bugs survived (make mutate): the log-linear hazard
ratio itself, VSL options by name and True, zero concentrations and populations, half-given
inputs, the age column, and the output of an air-quality model as input.

Hand values: Krewski et al. 2009 (HEI 140) RR 1.06 per 10 µg/m³, so HR(10) = 1.06 and
HR(20) = 1.06²; VSL options of data/health/health_assumptions.yaml (Cao et al. 2023:
CNY 4.76 million, 2019 prices; Hoffmann et al. 2017: 1.47 million, 2009 prices)."""

from __future__ import annotations

import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.health import avoided_deaths, gemm_hazard_ratio, hazard_ratio
from cocontrol.health.crf import avoided_deaths_of_response

F = 1 - 1 / 1.06  # fraction of deaths avoided by 10 µg/m³ less under Krewski 2009


def test_loglinear_hazard_ratio_is_rr_per_10_ugm3():
    assert hazard_ratio([0.0, 10.0, 20.0], "krewski2009") == pytest.approx(
        [1.0, 1.06, 1.06 ** 2], rel=1e-12)
    assert hazard_ratio(10.0, "krewski2009", "high") == pytest.approx(1.08, rel=1e-12)


def test_vsl_by_option_name_and_by_true():
    r = avoided_deaths(60.0, 50.0, 1e6, 0.007, vsl="hoffmann2017").iloc[0]
    assert r["vsl_yuan"] == 1.47e6 and r["vsl_price_year"] == 2009
    assert r["vsl_option"] == "hoffmann2017"
    t = avoided_deaths(60.0, 50.0, 1e6, 0.007, vsl=True).iloc[0]
    assert t["vsl_yuan"] == 4.76e6 and t["vsl_option"] == "cao2023"
    with pytest.raises(InputError, match="unknown VSL option"):
        avoided_deaths(60.0, 50.0, 1e6, 0.007, vsl="nope")


def test_zero_concentration_and_zero_population_are_valid():
    # new PM2.5 = 0 is a valid (if ideal) concentration: 0.007 x 1e6 x (1 - 1.06^-1)
    r = avoided_deaths(10.0, 0.0, 1e6, 0.007).iloc[0]
    assert r["avoided_deaths"] == pytest.approx(7000 * F, rel=1e-12)
    z = avoided_deaths(pd.Series({"A": 60.0, "B": 60.0}), pd.Series({"A": 50.0, "B": 50.0}),
                       pd.Series({"A": 1e6, "B": 0.0}), 0.007).set_index("receptor")
    assert z.loc["B", "avoided_deaths"] == 0.0
    assert z.loc["A", "avoided_deaths"] == pytest.approx(7000 * F, rel=1e-12)


def test_population_without_mortality_rate_is_an_input_error():
    with pytest.raises(InputError, match="population and mortality_rate"):
        avoided_deaths(50.0, 40.0, population=1e6)
    with pytest.raises(InputError, match="population and mortality_rate"):
        avoided_deaths(50.0, 40.0, mortality_rate=0.007)


def test_age_column_only_with_age_groups_and_an_index_column_is_data():
    plain = avoided_deaths(50.0, 40.0, 1e6, 0.007)
    assert "age_from" not in plain.columns
    groups = pd.DataFrame({"index": [7, 8], "age_from": [30, 65], "population": [4e5, 2e5],
                           "mortality_rate": [0.006, 0.04]})
    g = avoided_deaths(50.0, 40.0, age_groups=groups)
    assert g["age_from"].tolist() == [30, 65]
    assert g["avoided_deaths"].tolist() == pytest.approx([2400 * F, 8000 * F])


def test_response_of_an_air_quality_model_as_table_or_labelled_result():
    tab = pd.DataFrame({"receptor": ["A", "A"], "component": ["PM2.5", "SO4"],
                        "base": [60.0, 9.0], "value": [50.0, 8.0]})
    for response in (tab, {"concentrations": tab}):
        r = avoided_deaths_of_response(response, 1e6, 0.007).iloc[0]
        assert r["receptor"] == "A" and r["avoided_deaths"] == pytest.approx(7000 * F)


def test_gemm_default_counterfactual_is_2_4_ugm3():
    # Burnett et al. 2018 GEMM: z = max(0, C - 2.4). At C = 40 without a counterfactual
    # argument z = 37.6: ln(37.6/1.6 + 1) = ln(24.5) = 3.198673,
    # 1/(1 + exp(-(37.6 - 15.5)/36.8)) = 0.645776, HR = exp(0.143 x 3.198673 x 0.645776)
    # = 1.34365; just above 2.4 (at 3.0, z = 0.6) the HR already exceeds 1
    assert gemm_hazard_ratio(40.0, 0.143, 1.6, 15.5, 36.8) == pytest.approx(1.34365, abs=1e-5)
    assert gemm_hazard_ratio(3.0, 0.143, 1.6, 15.5, 36.8) > 1.0


def test_result_columns_and_delta_is_base_minus_new():
    # docstring: delta_pm25_ugm3 = base - new (60 - 50 = 10; 40 - 41 = -1), one row per
    # receptor with exactly the documented columns (no stray index column)
    r = avoided_deaths(pd.Series({"A": 60.0, "B": 40.0}), pd.Series({"A": 50.0, "B": 41.0}),
                       1e6, 0.007)
    assert r["delta_pm25_ugm3"].tolist() == [10.0, -1.0]
    assert list(r.columns) == [
        "receptor", "pm25_base_ugm3", "pm25_new_ugm3", "delta_pm25_ugm3", "population",
        "mortality_rate_per_person_yr", "crf", "avoided_deaths", "avoided_deaths_low",
        "avoided_deaths_high", "assumptions_version"]
    assert list(r.index) == [0, 1]
