"""Enterprise anomaly rules against hand-made hourly data; the case workflow."""

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from cocontrol.monitoring.anomaly import (
    CaseTransitionError,
    Evidence,
    exceedance,
    flatline,
    jumps,
    night_day_ratio,
    open_case,
    quantity,
    scan_enterprise,
    transition,
    treatment_off,
)

T = pd.date_range("2024-03-01 01:00", periods=48, freq="h")


def test_exceedance_runs():
    v = np.full(48, 20.0)
    v[5:8] = 40.0   # 3 h above 35
    v[30] = 36.0
    f = exceedance(T, v, 35.0, "u1", "SO2", "mg/m3", "permit 2024-001")
    assert [(x.hours, x.value) for x in f] == [(3, 40.0), (1, 36.0)]
    assert f[0].start == T[5].to_pydatetime() and f[0].basis == "permit 2024-001"
    assert exceedance(T, np.full(48, 35.0), 35.0, "u1", "SO2", "mg/m3", "p") == []  # = limit ok


def test_quantity_pro_rata():
    # 600 t/yr permitted, a quarter elapsed -> 150 t allowed by now
    assert quantity(149.0, 600.0, 0.25, "e", "SO2", datetime(2024, 3, 31), "permit") == []
    f = quantity(160.0, 600.0, 0.25, "e", "SO2", datetime(2024, 3, 31), "permit")
    assert len(f) == 1 and f[0].threshold == pytest.approx(150.0)


def test_flatline_six_hours():
    rng = np.random.default_rng(0)
    v = 20 + rng.normal(0, 1, 48)
    v[10:16] = 18.5          # 6 identical hours -> flagged
    v[30:35] = 18.5          # 5 identical hours -> not flagged
    f = flatline(T, v, "u1", "NOx", "mg/m3")
    assert len(f) == 1 and f[0].hours == 6 and f[0].start == T[10].to_pydatetime()
    off = np.ones(48, bool)
    off[12] = False          # unit stopped inside the run: no longer 6 operating hours
    assert flatline(T, v, "u1", "NOx", "mg/m3", operating=off) == []


def test_jump_robust_z():
    rng = np.random.default_rng(1)
    v = 20 + np.cumsum(rng.normal(0, 0.5, 48))
    v[25:] += 30.0           # step of 30 >> 6 x 1.4826 MAD of ~0.5-sd changes
    f = jumps(T, v, "u1", "PM", "mg/m3")
    assert len(f) == 1 and f[0].start == T[24].to_pydatetime()
    assert jumps(T, 20 + np.cumsum(rng.normal(0, 0.5, 48)), "u1", "PM", "mg/m3") == []


def test_treatment_off_while_production_on():
    p = np.full(48, 1000.0)
    q = np.full(48, 200.0)
    q[20:23] = 5.0           # 3 h below 10 % of 200 while production at 1000
    q[40] = 5.0              # 1 h only: below min_hours = 2
    f = treatment_off(T, p, q, "e1")
    assert len(f) == 1 and f[0].hours == 3
    p2 = p.copy()
    p2[20:23] = 0.0          # production stopped too: legitimate
    assert treatment_off(T, p2, q, "e1") == []


def test_night_day_ratio():
    t = pd.date_range("2024-03-01 00:00", periods=72, freq="h")
    h = t.hour
    p = np.where((h >= 8) & (h < 18), 1000.0, 200.0)
    night2 = (t >= "2024-03-02 22:00") & (t < "2024-03-03 06:00")
    p = np.where(night2, 1500.0, p)   # 1500 at night vs 1000 by day on 2 March -> 1.5 > 1.3
    f = night_day_ratio(t, p, "e1")
    assert len(f) == 1 and f[0].value == pytest.approx(1.5)
    assert f[0].start == datetime(2024, 3, 2, 22)


def test_scan_enterprise_all_rules_and_limits_table():
    df = pd.DataFrame({"facility": "u1", "time": T, "conc_SO2": 20.0 + np.arange(48) % 3,
                       "production_kw": 1000.0, "treatment_kw": 200.0})
    df.loc[5, "conc_SO2"] = 60.0
    lim = pd.DataFrame({"facility": ["u1"], "pollutant": ["SO2"], "limit": [35.0],
                        "unit": ["mg/m3"], "basis": ["ULE limit"]})
    rules = {f.rule for f in scan_enterprise(df, lim)}
    assert "exceedance" in rules and "jump" in rules


def _case():
    f = exceedance(T, np.r_[np.full(5, 50.0), np.full(43, 10.0)], 35.0, "u1", "SO2", "mg/m3",
                   "permit")[0]
    return open_case(f, "demo_city", datetime(2024, 3, 2), deadline_days=10)


def test_case_workflow_valid_path():
    c = _case()
    assert c.status == "found" and str(c.deadline) == "2024-03-12"
    c1 = transition(c, "assigned", "officer", datetime(2024, 3, 2), owner="Huaxin Power")
    ev = Evidence(at=datetime(2024, 3, 5), by="Huaxin Power", note="FGD pump replaced")
    c2 = transition(c1, "rectified", "Huaxin Power", datetime(2024, 3, 5), evidence=ev)
    c3 = transition(c2, "closed", "officer", datetime(2024, 3, 6))
    assert [h.to_status for h in c3.history] == ["assigned", "rectified", "closed"]
    assert c.status == "found" and c3.evidence == [ev]          # input unchanged
    assert not c3.overdue(datetime(2024, 4, 1).date()) and c1.overdue(datetime(2024, 4, 1).date())
    back = transition(c2, "assigned", "officer", datetime(2024, 3, 6), note="rejected")
    assert back.status == "assigned" and back.owner == "Huaxin Power"


@pytest.mark.parametrize("path", [["rectified"], ["closed"], ["assigned", "closed"],
                                  ["assigned", "assigned"], ["archived"]])
def test_case_invalid_transitions_are_errors(path):
    c = _case()
    ev = Evidence(at=datetime(2024, 3, 5), by="x", note="y")
    with pytest.raises(CaseTransitionError):
        for to in path:
            c = transition(c, to, "officer", datetime(2024, 3, 3), owner="o", evidence=ev)


def test_case_needs_owner_and_evidence():
    c = _case()
    with pytest.raises(CaseTransitionError, match="owner"):
        transition(c, "assigned", "officer", datetime(2024, 3, 3))
    c1 = transition(c, "assigned", "officer", datetime(2024, 3, 3), owner="o")
    with pytest.raises(CaseTransitionError, match="evidence") as ei:
        transition(c1, "rectified", "o", datetime(2024, 3, 4))
    from cocontrol import i18n
    assert "整改需提供佐证材料" in i18n.tr(ei.value.args[0], "zh")
