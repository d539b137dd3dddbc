"""Recursive-dynamic runs to 2035: accounting identities and consistency with the static model."""

import numpy as np
import pytest

from cocontrol.cge.dynamic import DynamicParams, run_dynamic
from cocontrol.cge.policies import bundled_instruments, load_economy


@pytest.fixture(scope="module")
def eco():
    return load_economy()


@pytest.fixture(scope="module")
def ins():
    return {i.code: i for i in bundled_instruments()}


def test_first_year_is_the_static_model(eco, ins):
    p = DynamicParams(end_year=2023)
    r = run_dynamic(eco, [ins["EEI"]], p)
    static = eco.changes(eco.run([ins["EEI"]]))
    for k, v in static.items():
        assert r.changes.loc[2020, k] == pytest.approx(v, abs=1e-9)
    assert r.baseline.loc[2020, "gdp_real"] == pytest.approx(eco.cal.sam.table.loc[
        eco.cal.sectors, ["HOH", "GOV", "INV", "EXT"]].to_numpy().sum()
        - eco.cal.M0.sum(), rel=1e-9)


def test_capital_accumulation_and_walras(eco, ins):
    p = DynamicParams(end_year=2026, step=2)
    r = run_dynamic(eco, [ins["SUB"]], p)
    b = r.baseline
    K0 = eco.cal.FF[0] / (p.rate_of_return + p.depreciation)
    years = list(b.index)
    for y0, y1 in zip(years[:-1], years[1:], strict=True):
        k_next = ((1 - p.depreciation) ** 2 * b.loc[y0, "capital_index"] * K0
                  + 2 * b.loc[y0, "investment_real"]) / K0
        assert b.loc[y1, "capital_index"] == pytest.approx(k_next, rel=1e-12)
    assert np.abs(b["walras"]).max() < 1e-9 and np.abs(r.policy["walras"]).max() < 1e-9
    assert (b["gdp_real"].diff().dropna() > 0).all()  # growing economy


def test_no_policy_path_has_zero_changes(eco):
    r = run_dynamic(eco, [], DynamicParams(end_year=2022))
    assert np.abs(r.changes.to_numpy()).max() < 1e-12


def test_ets_cap_is_share_of_same_year_baseline(eco, ins):
    r = run_dynamic(eco, [ins["ETS"]], DynamicParams(end_year=2030, step=5))
    assert r.ets_binding.all()
    ratio = r.policy["covered_co2_t"] / r.baseline["covered_co2_t"]
    np.testing.assert_allclose(ratio, 0.9, rtol=1e-9)
    assert (r.policy["permit_price_yuan_per_t"] > 0).all()
