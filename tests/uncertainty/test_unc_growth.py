"""Sampling of drivers, elasticities and intensity trends through the engine's ensemble axis
(issue #18 item 1): the terms of the growth factors reproduce the engine's, a driver is one
draw for every sector that follows it, and a known-answer case by hand."""

from __future__ import annotations

import numpy as np
import pytest

from cocontrol.scenario import run, run_batch
from cocontrol.scenario.drivers import growth_factors, growth_parts
from cocontrol.uncertainty import build_model
from cocontrol.uncertainty.distributions import from_range

# ``base``: the demo city to 2035 (conftest.py)


def _parts(base):
    p = base.project
    return growth_parts(base.lines["sector"], base.lines["sector_parent"], p.elasticities,
                        base.drivers, list(base.years), p.manifest.base_year)


def test_terms_reproduce_the_engine_growth(base):
    parts = _parts(base)
    np.testing.assert_allclose(parts.factors()[0], base.growth, rtol=1e-12)
    p = base.project
    again = growth_factors(base.lines["sector"], base.lines["sector_parent"], p.elasticities,
                           base.drivers, list(base.years), p.manifest.base_year)
    np.testing.assert_array_equal(again, base.growth)


def test_run_batch_with_the_base_growth_equals_a_run(base):
    br = run_batch(base, "policy", growth=base.growth[None])
    one = run(base, "policy")
    np.testing.assert_allclose(br.emissions[0], one.emissions, rtol=1e-12)


def test_growth_of_the_wrong_shape_is_a_plain_error(base):
    from cocontrol.errors import InputError

    with pytest.raises(InputError, match="growth factors of the wrong shape"):
        run_batch(base, "policy", growth=np.ones((2, 3, 4)))


def test_driver_scale_by_hand(base):
    """Cement follows cement_output with ε = 1 and g = −0.5 %/yr (elasticities.csv): with
    the driver's log growth scaled by u, G(t) = (D_t/D_0)^u × 0.995^(t − t0)."""
    parts = _parts(base)
    r = parts.keys.index("cement")
    assert parts.driver[r] == "cement_output" and parts.eps[r] == 1.0
    assert parts.ic[r] == pytest.approx(-0.005)
    d = base.drivers[base.drivers["driver"] == "cement_output"].set_index("year")["value"]
    y0 = base.project.manifest.base_year
    y1 = 2030
    assert y1 in d.index and y0 in d.index
    u = 1.2
    du = np.ones((1, len(parts.keys)))
    du[0, [i for i, k in enumerate(parts.driver) if k == "cement_output"]] = u
    G = parts.factors(driver_scale=du)[0]
    line = int(np.flatnonzero(parts.row_of_line == r)[0])
    t = list(base.years).index(y1)
    expected = (d[y1] / d[y0]) ** u * 0.995 ** (y1 - y0)
    assert G[line, t] == pytest.approx(expected, rel=1e-12)


def test_one_draw_per_driver_moves_all_its_sectors(base):
    model = build_model(base, "policy", kinds=("driver", "elasticity", "trend"))
    kinds = {p.kind for p in model.params}
    assert kinds == {"driver", "elasticity", "trend"}
    gdp = [p for p in model.params if p.id == "driver|gdp"]
    assert len(gdp) == 1
    parts = model.growth
    used = set(parts.row_of_line.tolist())
    rows_gdp = {i for i, k in enumerate(parts.driver) if k == "gdp" and i in used}
    assert set(gdp[0].lines.tolist()) == rows_gdp and len(rows_gdp) >= 3
    assert all(p.dist.source for p in model.params)
    # median draw = the central run
    res = model.evaluate(np.full((1, len(model.params)), 0.5))
    central = run(base, "policy").inventory().total()
    np.testing.assert_allclose(res.series("CO2")[0], central.loc["CO2", base.years], rtol=1e-9)
    # GDP drawn high: more activity in every GDP sector, nothing changes in the base year
    u = np.full((1, len(model.params)), 0.5)
    u[0, model.params.index(gdp[0])] = 0.975
    hi = model.evaluate(u)
    assert hi.series("CO2")[0, 0] == pytest.approx(central.loc["CO2", base.years[0]], rel=1e-12)
    assert (hi.series("CO2")[0, 1:] > central.loc["CO2", base.years[1:]].to_numpy()).all()


def test_elasticity_draw_changes_only_its_sector(base):
    """An elasticity draw moves only the lines of its row: total change = that sector's."""
    model = build_model(base, "policy", kinds=("elasticity",))
    p = next(p for p in model.params if p.key == "cement")
    j = model.params.index(p)
    u = np.full((2, len(model.params)), 0.5)
    u[1, j] = 0.975
    m = model.multipliers(u)[1, j]
    assert m == pytest.approx(from_range(0.7, 1.3, "normal").ppf(np.array([0.975]))[0])
    res = model.evaluate(u)
    br0 = run_batch(base, "policy")
    parts = model.growth
    es = np.ones((1, len(parts.keys)))
    es[0, parts.keys.index("cement")] = m
    br1 = run_batch(base, "policy", growth=parts.factors(eps_scale=es))
    np.testing.assert_allclose(res.totals[1], br1.totals(1)[0], rtol=1e-10)
    # the draw changes the growth of the cement lines only (other lines may still answer
    # through the scenario's measures, e.g. electricity they no longer buy)
    G1, G0 = parts.factors(eps_scale=es)[0], parts.factors()[0]
    cem = parts.row_of_line == parts.keys.index("cement")
    np.testing.assert_array_equal(G1[~cem], G0[~cem])
    assert (G1[cem][:, 1:] != G0[cem][:, 1:]).all()
    assert not np.allclose(br1.totals(1)[0], br0.totals(1)[0])
