"""The derivation of a scenario's present-value cost (metrics.derivation.cost_derivation)
against a hand calculation on the tiny project: the capital recovery factor
CRF = r (1 + r)^n / ((1 + r)^n − 1) (e.g. Brealey & Myers, annuity factor), each scenario
year's cost held until the next year and discounted to the base year, and closure: the
years' present values and the measures' present values both add up to discounted_cost."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scenariofixture import write_scenario_project  # noqa: E402


def test_cost_derivation_by_hand(tmp_path):
    from cocontrol.metrics.derivation import cost_derivation
    from cocontrol.scenario import costs, discounted_cost, prepare, run

    base = prepare(write_scenario_project(tmp_path / "p"))
    r = run(base, "policy")
    d = cost_derivation(base, r)
    rate, years = base.settings.discount_rate, list(base.years)
    assert d["kind"] == "cost" and d["unit"] == "yuan" and d["discount_rate"] == rate
    assert d["value_yuan"] == pytest.approx(discounted_cost(base, r), rel=1e-12)
    # every scenario year: held until the next one, discounted to the base year, by hand
    tab = costs(base, r)
    for i, p in enumerate(d["periods"]):
        y = years[i]
        span = years[i + 1] - y if i + 1 < len(years) else 1
        assert p["year"] == y and p["years_held"] == span
        assert p["discount_factor"] == pytest.approx(
            sum(1 / (1 + rate) ** (y + k - years[0]) for k in range(span)), rel=1e-12)
        c = float(tab.loc[tab["year"] == y, "cost_yuan"].sum())
        assert p["cost_yuan"] == pytest.approx(c, rel=1e-12, abs=1e-9)
        assert p["pv_yuan"] == pytest.approx(c * p["discount_factor"], rel=1e-12, abs=1e-9)
    assert sum(p["pv_yuan"] for p in d["periods"]) == pytest.approx(d["value_yuan"], rel=1e-9)
    assert sum(m["pv_yuan"] for m in d["cost_measures"]) == pytest.approx(d["value_yuan"],
                                                                          rel=1e-9)
    assert any(m["capex"] > 0 for m in d["cost_measures"])  # t_reduce_res: 1000 yuan, 20 a
    for m in d["cost_measures"]:
        n = m["lifetime"] if m["lifetime"] is not None else 1.0
        assert m["crf"] == pytest.approx(rate * (1 + rate) ** n / ((1 + rate) ** n - 1),
                                         rel=1e-12)
        # annualised capex of the measure in a year = affected x capex x CRF, by hand
        g = tab[tab["measure"] == m["id"]]
        row = g.iloc[-1]
        assert row["annualised_capex"] == pytest.approx(
            row["affected"] * m["capex"] * m["crf"], rel=1e-12, abs=1e-9)
    assert d["chain"] == ["policy", "baseline"]
    assert d["provenance"]["project_hash"] == base.inventory.provenance().project_hash
