"""``runner.explain``: the drivers and closing measures that ``cocontrol monitor`` attaches to
an alert, for an alert assessed elsewhere (the service's stored alerts, the dashboard's
early-warning board). Hand case: only the output grows (100 → 120), so the whole change of
CO2 is the activity effect (LMDI closes exactly)."""

import pandas as pd
import pytest
from test_mon_targets import T, _lmdi_rows, _rows

from cocontrol.monitoring.runner import explain
from cocontrol.monitoring.series import from_frame
from cocontrol.monitoring.targets import Target, assess


def test_explain_attaches_the_lmdi_drivers():
    shares = {"ind": 0.6, "srv": 0.4}
    ei = {"ind": 2.0, "srv": 0.5}
    mix = {"ind": {"coal": 0.8, "gas": 0.2}, "srv": {"coal": 0.3, "gas": 0.7}}
    ef = {"coal": 2.66, "gas": 1.64}
    v0 = sum(100.0 * shares[k] * ei[k] * mix[k][f] * ef[f] for k in shares for f in mix[k])
    total = _rows("c", "CO2", {2022: v0, 2023: 1.2 * v0}, "t")  # the city's total CO2
    s = from_frame(pd.DataFrame(_lmdi_rows(2022, 100.0, shares, ei, mix, ef)
                                + _lmdi_rows(2023, 120.0, shares, ei, mix, ef) + total))
    t = Target(id="peak", kind="carbon_peak", entity="c", target_year=2025, value=0,
               unit="t", **T)
    a = assess(t, s, with_forecast=False)
    assert a.drivers is None
    assert explain(a, s) is a and a.measures is None  # no project: no closing measures
    d = a.drivers.set_index("factor")
    assert d.at["activity", "effect"] == pytest.approx(0.2 * v0, rel=1e-12)
    assert d["effect"].sum() == pytest.approx(0.2 * v0, rel=1e-12)
    assert abs(d.drop(index="activity")["effect"]).max() < 1e-9 * v0
    assert any("drivers: LMDI of CO2 emissions 2022-2023" in n for n in a.notes)
    # what the service stores
    out = a.to_dict()
    assert {r["factor"] for r in out["drivers"]} >= {"activity", "structure", "intensity"}
