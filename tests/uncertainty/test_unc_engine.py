"""Uncertainty through the scenario engine on the demo city: the known-answer probability,
the median draw equals the central run, PM2.5 link, serial equals Dask, a killed worker loses
nothing, multi-city batches and the CLI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from cocontrol.uncertainty import Target, attainment, build_model
from cocontrol.uncertainty.distributed import run_draws
from cocontrol.uncertainty.distributions import Z95, from_range
from cocontrol.uncertainty.ensemble import Parameter, UncertaintyModel, aq_link

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"


async def _die():  # a worker crash, as in distributed's own test_failed_workers
    os._exit(1)


def _co2_only(base, half=0.1) -> UncertaintyModel:
    j = base.species.index("CO2")
    p = Parameter("co2", "ef", "ef:CO2", from_range(1 - half, 1 + half, "normal"),
                  np.arange(len(base.lines)), j)
    return UncertaintyModel(base, "policy", [p])


def test_probability_of_a_cap_has_the_known_answer(base):
    """All CO2 factors scaled by one normal multiplier m ~ N(1, σ), σ = 0.1/1.96: total CO2 is
    m × the central total, so P(CO2_2030 ≤ c × central) = Φ((c − 1)/σ)."""
    from cocontrol.scenario import run

    central = run(base, "policy").inventory().total().loc["CO2", 2030]
    model = _co2_only(base)
    res = run_draws(model, 4000, method="lhs", seed=3, chunk=1000)
    sigma = 0.1 / Z95
    for c in (1.0, 1.03, 1.0 + Z95 * sigma):
        t = Target(kind="cap", year=2030, value=c * central, species="CO2")
        p = attainment(res, [t]).iloc[0]
        expected = stats.norm.cdf((c - 1) / sigma)
        assert abs(p["probability"] - expected) < max(3 * p["std_error"], 2 / 4000)
    both = attainment(res, [Target(kind="cap", year=2030, value=central, species="CO2"),
                            Target(kind="cap", year=2030, value=2 * central, species="CO2")])
    assert both.iloc[-1]["probability"] == pytest.approx(both.iloc[0]["probability"])


def test_median_draw_equals_the_central_run(base):
    from cocontrol.scenario import run

    model = build_model(base, "policy", kinds=("ef", "activity", "removal"))
    kinds = {p.kind for p in model.params}
    assert kinds == {"ef", "activity", "removal"}
    res = model.evaluate(np.full((1, len(model.params)), 0.5))
    central = run(base, "policy").inventory().total()
    for s in ("CO2", "SO2", "NOx", "PM2.5"):
        np.testing.assert_allclose(res.series(s)[0], central.loc[s, base.years].to_numpy(),
                                   rtol=1e-6)


def test_one_factor_is_one_draw_for_all_its_lines(base):
    model = build_model(base, "policy", kinds=("ef",))
    ids = [p.id for p in model.params]
    assert len(ids) == len(set(ids))
    coal_power_co2 = [p for p in model.params if p.id == "ef|power|raw_coal_cn||CO2"]
    assert len(coal_power_co2) == 1 and len(coal_power_co2[0].lines) >= 4
    assert "IPCC 2006" in coal_power_co2[0].dist.source
    nox = [p for p in model.params if p.id.startswith("ef|power|raw_coal_cn||NOx")]
    assert nox and nox[0].dist.source  # every range carries its source


def test_pm25_link_reproduces_the_model_and_targets(base):
    link = aq_link(base, "demo_city", 50.0, 0.6, om_share_of_primary=0.3)
    assert link.base.sum() == pytest.approx(50.0, rel=1e-9)
    model = build_model(base, "policy", kinds=("aq",), aq=link)
    res = model.evaluate(np.full((1, len(model.params)), 0.5))
    assert res.pm25[0, 0] == pytest.approx(50.0, rel=1e-9)  # base year: no change
    assert res.pm25[0, -1] < 50.0  # the policy package cuts precursors
    r = build_model(base, "policy", aq=link)
    d = run_draws(r, 300, seed=1, chunk=300)
    prob = attainment(d, [Target(kind="pm25_max", year=2030, value=35.0),
                          Target(kind="peak_by", year=2030, species="CO2")])
    assert 0.0 <= prob["probability"].min() and prob["probability"].max() <= 1.0
    assert prob.iloc[-1]["probability"] <= prob.iloc[:-1]["probability"].min() + 1e-12


def test_serial_equals_dask_and_a_killed_worker_loses_nothing(base, tmp_path):
    from cocontrol.uncertainty.distributed import local_client

    model = build_model(base, "policy", kinds=("ef", "activity"))
    serial = run_draws(model, 400, seed=11, chunk=20)
    client = local_client(n_workers=2, processes=True)
    try:
        killed = []

        def kill_one(stage, done, n, msg):
            if not killed:
                w = sorted(client.scheduler_info()["workers"])[0]
                client.run(_die, workers=[w], wait=False)
                killed.append(w)

        dist = run_draws(model, 400, seed=11, chunk=20, client=client, out=tmp_path / "d",
                         progress=kill_one)
    finally:
        client.close()
    assert killed
    np.testing.assert_array_equal(serial.totals, dist.totals)
    np.testing.assert_array_equal(serial.cost, dist.cost)
    import duckdb

    parts = sorted((tmp_path / "d").glob("part-*.parquet"))
    assert len(parts) == 20
    con = duckdb.connect()
    n, lo, hi = con.execute(f"SELECT count(DISTINCT draw), min(draw), max(draw) FROM "
                            f"read_parquet('{tmp_path / 'd'}/part-*.parquet')").fetchone()
    assert (n, lo, hi) == (400, 0, 399)


def test_batch_of_cities_serial_and_comparison(tmp_path):
    from cocontrol.uncertainty.batch import comparison, run_cities

    a, b = tmp_path / "city_a", tmp_path / "city_b"
    for d in (a, b):
        shutil.copytree(DEMO, d)
    tot = run_cities([a, b], scenarios=["baseline", "policy"])
    assert list(dict.fromkeys(tot["city"])) == ["city_a", "city_b"]
    tab = comparison(tot, 2020, 2030, "SO2")
    assert len(tab) == 4
    pol = tab[tab["scenario"] == "policy"]
    assert (pol["class"] == "co_reduction").all()  # the policy package cuts CO2 and SO2
    with pytest.raises(Exception, match="unknown scenario"):
        run_cities([a], scenarios=["nope"])


def test_cli_uncertainty_and_batch(tmp_path):
    from cocontrol.cli import app

    r = CliRunner().invoke(app, ["uncertainty", str(DEMO), "-n", "200", "--until", "2030",
                                 "--out", str(tmp_path), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "all targets together" in r.output
    assert (tmp_path / "uncertainty_report.html").exists()
    r = CliRunner().invoke(app, ["uncertainty", str(DEMO), "-s", "nope", "-n", "10"])
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_plan_penetrations_change_the_probability(base):
    """A plan given as penetration paths is evaluated draw by draw: with the sinter
    ultra-low-emission measure (sinter_ule) forced off, SO2 rises in every draw."""
    full = _co2_only(base)
    off = UncertaintyModel(base, "policy", full.params, penetrations={"sinter_ule": 0.0})
    u = np.full((3, 1), 0.5)
    a, b = full.evaluate(u), off.evaluate(u)
    assert (b.series("SO2")[:, -1] > a.series("SO2")[:, -1]).all()
