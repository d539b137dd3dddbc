"""A plan's probability of success and the robust plan (issue #18 item 2) on the small
optimisation problem of tests/optimize/optfixture.py (PM2.5 = 40 + 1.0·ΔSO2 + 0.5·ΔNOx +
2.0·ΔPM2.5_other, so every number is linear in the emissions)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "optimize"))
from optfixture import COEF, PM_BASE, make_setup  # noqa: E402

import cocontrol.optimize as opt  # noqa: E402
from cocontrol.uncertainty.robust import aq_from_link, robust_plan, targets_of  # noqa: E402

MIDS = ["t_boiler_fgd", "t_clinker_dust", "t_reduce_res"]


@pytest.fixture(scope="module")
def stp(tmp_path_factory):
    return make_setup(tmp_path_factory.mktemp("robust") / "p", MIDS)


def test_link_and_targets_convert_exactly(stp):
    link = aq_from_link(stp.aq)
    assert link.base[0] == PM_BASE
    j = link.precursors.index("SO2")
    assert link.J[0, j] == pytest.approx(COEF["SO2"])  # µg/m³ per t/yr, optfixture
    t = targets_of(opt.Targets(pm25_max=38.0, pm25_year=2025, co2_caps={2030: 5.0}),
                   [2020, 2025, 2030])
    assert [(x.kind, x.year) for x in t] == [("pm25_max", 2025), ("pm25_max", 2030),
                                             ("cap", 2030)]


def test_robust_plan_meets_the_probability_and_costs_more(stp):
    """Activity uncertainty only (split normal, symmetric, ±5 % for class B): PM2.5 is linear
    in the activity multipliers, so a deterministic plan that just meets the limit at the
    central estimate succeeds with probability 1/2 (the median of a symmetric sum); the
    robust plan at p* = 0.9 must reach 0.9 on fresh draws and cost more."""
    t = opt.Targets(pm25_max=38.0, pm25_year=2030)
    rp = robust_plan(stp, t, 0.9, draws=400, seed=5, kinds=("activity",))
    det = rp.deterministic_assessment
    p_det, se_det = det["probability"].iloc[-1], det["std_error"].iloc[-1]
    assert abs(p_det - 0.5) < 3 * max(se_det, 0.025)
    assert rp.met, rp.notes
    fresh = rp.assessment
    assert fresh["probability"].iloc[-1] >= 0.9 - 3 * fresh["std_error"].iloc[-1]
    assert rp.targets.pm25_max < 38.0
    assert rp.price_of_robustness > 0
    # the accepted plan's central PM2.5 sits below the limit by the back-off
    pm_central = stp.pm25(stp.ev.evaluate(rp.plan.P).emissions)
    j = list(stp.base.years).index(2030)
    assert pm_central[j] <= rp.targets.pm25_max + 1e-6
    assert list(rp.rounds["round"]) == list(range(len(rp.rounds)))
    assert rp.rounds["probability_all"].iloc[-1] >= 0.9


def test_unreachable_probability_is_reported_not_faked(stp):
    """A limit only the full measure set reaches: no margin is left, so the tightened targets
    are infeasible and the last feasible plan comes back with met=False and a note."""
    P = np.minimum(stp.ub, 1.0)
    pm_floor = stp.pm25(stp.ev.evaluate(P).emissions)
    j = list(stp.base.years).index(2030)
    t = opt.Targets(pm25_max=float(pm_floor[j:].max()) + 1e-3, pm25_year=2030)
    rp = robust_plan(stp, t, 0.95, draws=200, seed=1, kinds=("activity",), max_rounds=3)
    assert not rp.met
    assert any("cannot be met" in n or "not reached" in n for n in rp.notes)


def test_bad_arguments_are_plain_errors(stp):
    from cocontrol.errors import InputError

    with pytest.raises(InputError, match="probability"):
        robust_plan(stp, opt.Targets(pm25_max=38.0, pm25_year=2030), 1.2)
    with pytest.raises(InputError, match="no target"):
        robust_plan(stp, opt.Targets(), 0.9)


def test_cli_robust_plain_error_on_a_bad_probability(tmp_path):
    from typer.testing import CliRunner

    from cocontrol.cli import app

    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
    r = CliRunner().invoke(app, ["robust", str(demo), "--probability", "1.5"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "probability" in r.output


def test_batch_report_with_maps_and_probabilities(tmp_path):
    """Batch comparison with a class map and a probability map (cocontrol.geomap): every
    city is drawn, a city without a probability is grey and "not estimated", never 0."""
    import pandas as pd

    from cocontrol.uncertainty.report import write_batch

    def sq(code, x):
        r = [[x, 30], [x + 1, 30], [x + 1, 31], [x, 31], [x, 30]]
        return {"type": "Feature", "properties": {"code": code},
                "geometry": {"type": "Polygon", "coordinates": [r]}}

    gj = {"type": "FeatureCollection", "features": [sq("a", 110), sq("b", 111), sq("c", 112)]}
    comp = pd.DataFrame({"city": ["a", "b", "c"], "scenario": "policy", "CO2_from_t": 1.0,
                         "CO2_to_t": 1.0, "dCO2_t": [-1.0, 1.0, -1.0], "dSO2_t": -1.0,
                         "co2_peak_year": 2025,
                         "class": ["co_reduction", "pollution_only", "co_reduction"]})
    att = pd.DataFrame({"city": ["a", "b"], "target": "all targets together",
                        "probability": [0.25, 0.75], "std_error": 0.02, "draws": 100})
    html = write_batch(comp, tmp_path / "b.html", attainment=att, geojson=gj,
                       lang="zh").read_text("utf-8")
    assert html.count("<svg") >= 2 and "协同减排" in html and "仅减污" in html
    assert "c: 未估算" in html  # city c has no probability: not estimated, not 0
