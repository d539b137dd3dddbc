"""Cross-check against an independent implementation: the PyPI package cgelab (dev extra
``xcheck``), whose ``examples.hosoe`` encodes the standard model of Hosoe, Gasawa &
Hashimoto (2010), ch. 6. Skipped when cgelab is not installed."""

from importlib import resources

import numpy as np
import pytest

cge = pytest.importorskip("cgelab")
hosoe = pytest.importorskip("cgelab.examples.hosoe")

from cocontrol.cge.calibrate import calibrate  # noqa: E402
from cocontrol.cge.model import CgeModel, Shocks  # noqa: E402
from cocontrol.cge.sam import read_sam  # noqa: E402
from cocontrol.cge.solve import solve  # noqa: E402


@pytest.mark.parametrize("taum", [np.zeros(2), np.array([0.2, 0.05])])
def test_tariff_scenarios_match_cgelab(taum):
    _, econ = hosoe.build()
    res = cge.solve_period(econ, closure=hosoe.CLOSURE,
                           scenario=cge.Scenario(name="tariff", tariff=taum))
    ref = hosoe.variables(econ, res)
    path = resources.files("cocontrol") / "data" / "cge" / "hosoe_stdcge_sam.csv"
    cal = calibrate(read_sam(path))
    v = solve(CgeModel(cal, shocks=Shocks(taum=taum))).values
    goods = ("BRD", "MLK")
    for ours, theirs in (("Z", "Z"), ("Xp", "Xp"), ("Xg", "Xg"), ("Xv", "Xv"), ("E", "E"),
                         ("M", "M"), ("Q", "Q"), ("D", "D"), ("pq", "pq"), ("pd", "pd"),
                         ("pz", "pz")):
        np.testing.assert_allclose(v[ours], [ref[theirs][g] for g in goods], rtol=1e-8,
                                   err_msg=ours)
    np.testing.assert_allclose(v["pf"], [ref["pf"]["CAP"], ref["pf"]["LAB"]], rtol=1e-8)
    assert v["eps"] == pytest.approx(ref["epsilon"], rel=1e-8)
    for k in ("Sp", "Sg", "Td"):
        assert v[k] == pytest.approx(ref[k], rel=1e-8)
    assert np.prod(v["Xp"] ** cal.alpha) == pytest.approx(ref["UU"], rel=1e-8)
