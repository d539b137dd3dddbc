"""The optimiser uses any air-quality model of the protocol: a toy model registered by name
(cocontrol.airquality.register) is built from optimisation settings, linked to the inventory
species and used in the SLP; every plan's PM2.5 is the toy model's own prediction.

Toy model (no jacobian, non-linear): PM2.5 = 40 + a·ΔSO2 + b·ΔSO2² (µg/m³, ΔSO2 in t/yr of
the city's own emissions), with a = 1, b = 0.02.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from optfixture import project

import cocontrol.optimize as opt
from cocontrol.airquality import ResponseModel, available, normalise_emissions, register, unregister
from cocontrol.health import avoided_deaths_of_response
from cocontrol.optimize import runner
from cocontrol.optimize import settings as st

A, B, C0 = 1.0, 0.02, 40.0


class ToyQuadratic(ResponseModel):
    name = "toy quadratic"

    def __init__(self, city: str, a: float, b: float):
        self.city, self.a, self.b = city, a, b

    @property
    def receptors(self) -> list[str]:
        return [self.city]

    def base_concentration(self) -> pd.DataFrame:
        return pd.DataFrame({"receptor": [self.city], "component": ["PM2.5"],
                             "unit": ["ug/m3"], "base": [C0]})

    def predict(self, emissions: pd.DataFrame) -> pd.DataFrame:
        e = normalise_emissions(emissions)
        d = float(e.loc[(e["precursor"] == "SO2") & (e["source_region"] == self.city),
                        "change_t"].sum())
        ch = self.a * d + self.b * d * d
        return pd.DataFrame({"receptor": [self.city], "component": ["PM2.5"],
                             "unit": ["ug/m3"], "base": [C0], "change": [ch],
                             "value": [C0 + ch], "model": [self.name]})


@pytest.fixture()
def toy():
    register("toy_quadratic", lambda params, *, city, base_precursors_t:
             ToyQuadratic(city, float(params["a"]), float(params["b"])))
    yield "toy_quadratic"
    unregister("toy_quadratic")


def test_registered_toy_model_drives_the_optimiser(toy, tmp_path):
    assert toy in available() and "tm5fasst_city" in available()
    s = st.parse({"air_quality": {"city": "T", "model": toy, "a": A, "b": B,
                                  "source": "toy model of the test"},
                  "optimisation": {"measures": ["t_reduce_res", "t_boiler_fgd"]}})
    stp, notes = runner.build_setup(project(tmp_path), s)
    assert isinstance(stp.aq.model, ToyQuadratic) and not stp.aq.linear
    assert any("toy quadratic" in n for n in notes)

    iso2 = stp.species_index("SO2")
    E0 = stp.reference.emissions

    def toy_pm(E):  # the toy formula by hand on the city's SO2
        d = E[iso2] - stp.aq.E_base[iso2]
        return C0 + A * d + B * d * d

    np.testing.assert_allclose(stp.pm25(E0), toy_pm(E0), rtol=1e-12)
    # the lowest PM2.5 the candidates can reach in 2030, then a target between
    full = stp.ev.evaluate(stp.ub)
    pm_lo, pm_hi = toy_pm(full.emissions)[-1], toy_pm(E0)[-1]
    assert pm_lo < pm_hi - 0.1
    target = 0.5 * (pm_lo + pm_hi)
    plan = opt.optimise(stp, opt.Targets(pm25_max=target, pm25_year=2030), "cost")
    assert plan.converged
    pm = toy_pm(plan.outcome.emissions)
    np.testing.assert_allclose(plan.pm25, pm, rtol=1e-9)  # the plan's PM2.5 is the model's
    assert pm[-1] <= target + 1e-6
    assert pm[-1] == pytest.approx(target, abs=1e-4)  # least cost: the target binds


def test_health_uses_the_same_protocol(toy):
    m = ToyQuadratic("T", A, B)
    r = m.response(pd.DataFrame({"source_region": ["T"], "precursor": ["SO2"],
                                 "change_t": [-50.0]}))
    # ΔPM = 1·(−50) + 0.02·2500 = 0: no change, no avoided deaths
    d = avoided_deaths_of_response(r, population=1e6, mortality_rate=0.01)
    assert float(d["delta_pm25_ugm3"].iloc[0]) == pytest.approx(0.0, abs=1e-12)
    assert float(d["avoided_deaths"].iloc[0]) == pytest.approx(0.0, abs=1e-9)
    r = m.response(pd.DataFrame({"source_region": ["T"], "precursor": ["SO2"],
                                 "change_t": [-2.0]}))
    d = avoided_deaths_of_response(r, population=1e6, mortality_rate=0.01)
    # ΔPM = −2 + 0.02·4 = −1.92 µg/m³; log-linear Krewski 2009 RR 1.06 per 10 µg/m³:
    # ΔM = y0 (1 − exp(−β ΔC)) Pop, β = ln(1.06)/10
    beta = np.log(1.06) / 10
    assert float(d["avoided_deaths"].iloc[0]) == pytest.approx(
        0.01 * (1 - np.exp(-beta * 1.92)) * 1e6, rel=1e-9)


def test_unknown_model_name_is_a_plain_error(tmp_path):
    from cocontrol.errors import InputError

    s = st.parse({"air_quality": {"city": "T", "model": "no_such_model"},
                  "optimisation": {"measures": ["t_reduce_res"]}})
    with pytest.raises(InputError, match="unknown air-quality model"):
        runner.build_setup(project(tmp_path), s)
