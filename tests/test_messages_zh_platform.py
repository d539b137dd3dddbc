"""Errors of the platform layers read in Chinese under zh (issue 12 item 3).

A sample of each area is triggered as a user would (a refused upload, a bad role, a case step
out of order, a forecast on too short a series, an optimisation without candidates, an unknown
measure action, a usage error of the CLI under ``--lang zh``, a warning of the air-quality
models) and rendered under zh as the CLI and the service show it; the text must hold no
untranslated English word (:func:`english_words` of the report tests) outside quoted codes and
values. The English text is checked unchanged. The service's error bodies (``message_zh``
beside ``message``) are checked through real requests in tests/service/test_messages_zh_api.py.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from cocontrol import i18n
from cocontrol.errors import CocontrolError, InfeasibleError, InputError, ModelError

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "report"))
from browser import english_words  # noqa: E402
from test_messages_zh_library import _EXEMPT, check, zh_words  # noqa: E402


def zh_of(text) -> list[str]:
    """English words of a catalogue message under zh."""
    assert isinstance(text, i18n.Msg), f"plain message: {text!r}"
    return english_words([_EXEMPT.sub(" ", i18n.tr(text, "zh"))])


# ------------------------------------------------------------------------------- security
def _upload(data: bytes, name: str):
    from cocontrol.security.uploads import check_upload
    return check_upload(data, name)


SECURITY_CASES = [
    ("empty", lambda: _upload(b"", "a.csv"), "is empty"),
    ("pdf", lambda: _upload(b"%PDF-1.4 ...", "a.csv"), "a PDF document"),
    ("text_as_xlsx", lambda: _upload(b"a,b\n1,2\n", "a.xlsx"), "its content is text"),
    ("formula", lambda: _upload(b"a,b\n=1+1,2\n", "a.csv"), "row 2, column 1"),
    ("binary", lambda: _upload(b"a,b\n\x00\x01,2\n", "a.csv"), "control characters"),
]


@pytest.mark.parametrize("case,english", [c[1:] for c in SECURITY_CASES],
                         ids=[c[0] for c in SECURITY_CASES])
def test_upload_refusals_in_zh(case, english):
    from cocontrol.security.errors import UploadRejected

    with pytest.raises(UploadRejected) as ei:
        case()
    assert english in ei.value.message("en") and str(ei.value) == ei.value.message("en")
    assert ei.value.to_dict()["message_zh"] == ei.value.message("zh")
    assert not zh_of(ei.value.msg()), ei.value.message("zh")


def test_role_definition_errors_in_zh():
    from cocontrol.security.errors import SecurityError
    from cocontrol.security.roles import parse_role

    perms = {"projects:read": ("read", "读")}
    for data, english in [
        ({"name": ["x", "x"], "scope": "subtree", "permissions": ["nope:read"]},
         "unknown permission(s) ['nope:read']"),
        ({"name": ["x", "x"], "scope": "published", "permissions": []},
         "needs at least one audience"),
        ({"name": ["x", "x"], "scope": "subtree", "permissions": ["*"]},
         "'*' is allowed only with scope 'all'"),
    ]:
        with pytest.raises(SecurityError) as ei:
            parse_role("r1", data, perms)
        assert english in ei.value.message("en"), ei.value.message("en")
        assert not zh_of(ei.value.msg()), ei.value.message("zh")


# ----------------------------------------------------------------------------- monitoring
def _case():
    from datetime import datetime

    from cocontrol.monitoring import open_case
    from cocontrol.monitoring.anomaly import exceedance

    t = pd.date_range("2024-03-01 01:00", periods=48, freq="h")
    f = exceedance(t, np.r_[np.full(5, 50.0), np.full(43, 10.0)], 35.0, "u1", "SO2", "mg/m3",
                   "permit")[0]
    return open_case(f, "demo_city", datetime(2024, 3, 2), deadline_days=10)


def _monthly(n: int) -> pd.Series:
    return pd.Series(np.arange(1.0, n + 1), index=pd.period_range("2020-01", periods=n,
                                                                  freq="M"))


MON_CASES = [
    ("case_step", lambda: __import__("cocontrol.monitoring", fromlist=["x"]).transition(
        _case(), "closed", "o", pd.Timestamp("2024-03-02").to_pydatetime()),
     "cannot go from found to closed (allowed: assigned)"),
    ("case_owner", lambda: __import__("cocontrol.monitoring", fromlist=["x"]).transition(
        _case(), "assigned", "o", pd.Timestamp("2024-03-02").to_pydatetime()),
     "assigning needs an owner"),
    ("case_status", lambda: __import__("cocontrol.monitoring", fromlist=["x"]).transition(
        _case(), "archived", "o", pd.Timestamp("2024-03-02").to_pydatetime()),
     "unknown case status 'archived'"),
    ("forecast_model", lambda: _fc().fit_forecast(_monthly(40), 12, "prophet"),
     "unknown model 'prophet'"),
    ("forecast_short", lambda: _fc().fit_forecast(_monthly(20), 12, "ets"),
     "ets needs at least 36 months of data"),
    ("forecast_index", lambda: _fc().fit_forecast(pd.Series([1.0, 2.0]), 12, "snaive"),
     "a monthly series needs a monthly PeriodIndex"),
    ("nowcast_method", lambda: __import__("cocontrol.monitoring.nowcast", fromlist=["x"])
     ._k_hat(pd.Series([1.0, 2.0], index=[2020, 2021]), 2022, "mean"),
     "nowcast method must be 'last' or 'trend'"),
    ("notice_period", lambda: __import__("cocontrol.monitoring.notices", fromlist=["x"])
     .parse_notice_period("2024-13"), "expected YYYY-MM or YYYY-Qn"),
]


def _fc():
    from cocontrol.monitoring import forecast
    return forecast


@pytest.mark.parametrize("case,english", [c[1:] for c in MON_CASES],
                         ids=[c[0] for c in MON_CASES])
def test_monitoring_errors_in_zh(case, english):
    check(case, english)


# --------------------------------------------------------------------------- optimisation
def test_optimisation_errors_in_zh():
    from cocontrol.optimize.lp import Targets
    from cocontrol.optimize.runner import check_targets

    check(lambda: check_targets(Targets(pm25_year=2031, co2_peak_by=2029,
                                        caps=[("SO2", 2033, 1.0)]), [2025, 2030]),
          "PM2.5 target year is not a scenario year", InputError)
    from cocontrol.optimize import slp

    s = SimpleNamespace(ub=np.zeros((1, 1)))
    check(lambda: slp.optimise(s, Targets(), objective="cocontrol"),
          "the co-control objective needs a budget (--budget, yuan)", ModelError)
    for key in ("msg.opt_eps_or_rules", "msg.opt_targets_not_explained",
                "msg.opt_highs_time_limit", "msg.opt_no_aq_model"):
        err = InfeasibleError(i18n.Msg(key, s=60), None)
        assert not zh_of(err.args[0]), i18n.tr(err.args[0], "zh")


def test_whatif_errors_in_zh():
    from cocontrol.optimize import whatif

    w = SimpleNamespace(scenario="policy", uses={"coal_cap": 0.5})
    check(lambda: whatif.check_penetrations(w, {"coal_cap": 1.5, "ev": 0.2}),
          "penetration out of range", InputError)
    check(lambda: whatif.check_penetrations(w, {"ev": 0.2}),
          "not a measure of scenario 'policy'", InputError)


# ----------------------------------------------------------------------- measure actions
def test_measure_action_errors_in_zh():
    from cocontrol.scenario import actions

    with pytest.raises(KeyError) as ei:
        actions.handler("teleport")
    assert "unknown measure action 'teleport'; registered: " in str(ei.value.args[0])
    assert not zh_of(ei.value.args[0])
    with pytest.raises(ValueError) as ei:
        actions.unregister_action("switch")
    assert not zh_of(ei.value.args[0])


# ------------------------------------------------------------------------------ warnings
def test_air_quality_warnings_in_zh():
    from cocontrol import airquality

    m = airquality.sensitivity_matrix_model(pd.DataFrame(
        {"receptor": ["X"], "component": ["PM2.5"], "source_region": ["X"],
         "precursor": ["SO2"], "sector": [""], "ugm3_per_t": [1e-3]}),
        base=pd.DataFrame({"receptor": ["X"], "component": ["PM2.5"], "base_ugm3": [1.0]}))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        m.predict(pd.DataFrame({"source_region": ["X"], "precursor": ["SO2"],
                                "change_t": [-1e5]}))
    msgs = [w.message.args[0] for w in rec if "negative concentration" in str(w.message)]
    assert msgs and not zh_of(msgs[0]), [str(w.message) for w in rec]


# ----------------------------------------------------------------------------------- CLI
def test_cli_usage_errors_in_zh(tmp_path):
    from typer.testing import CliRunner

    from cocontrol.cli import app

    (tmp_path / "e.csv").write_text("source_region,precursor,change_t\nX,SO2,-1\n")
    r = CliRunner().invoke(app, ["--lang", "zh", "aq", "predict", "--model", "matrix",
                                 str(tmp_path / "e.csv")])
    assert r.exit_code == 2, r.output
    out = r.output
    assert "'--model matrix' 需要同时给出 '--matrix FILE'" in out, out
    r = CliRunner().invoke(app, ["aq", "predict", "--model", "matrix", str(tmp_path / "e.csv")])
    assert "--model matrix needs --matrix FILE" in r.output, r.output


def test_cli_domain_error_in_zh():
    from cocontrol.cli.common import _exc_text

    e = CocontrolError(i18n.Msg("msg.cli_unknown_scenario", name="'x'",
                                known=i18n.Seq(["baseline", "policy"], ", ", quote=True)))
    assert str(e) == "unknown scenario 'x'; defined: baseline, policy"
    assert _exc_text(e, "zh") == "未知情景 'x'；已定义的情景：'baseline'、'policy'"
    assert not zh_words(e)


# ------------------------------------------------------------------- maps and Parquet files
def test_map_and_parquet_errors_in_zh(tmp_path):
    from cocontrol import geomap, parquet

    check(lambda: geomap.check({"type": "Feature"}), "not a GeoJSON FeatureCollection",
          InputError)
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    check(lambda: geomap.check({"type": "FeatureCollection", "features": [
        {"properties": {"code": "a"}, "geometry": square},
        {"properties": {"code": "a"}, "geometry": {"type": "Line"}},
        {"properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[0, 0]]]}}]}),
        "feature 2: duplicate code", InputError)
    check(lambda: parquet.read(tmp_path / "none.parquet"), "Parquet file not found")


# ------------------------------------------------ units, species, reference data, results
def test_foundation_errors_in_zh():
    from cocontrol import refdata, registry, units
    from cocontrol.results import Result

    check(lambda: units.ratio_factor("t", "t/yr"), "'t' is not a ratio unit")
    check(lambda: registry.species()["SOX"], "unknown species 'SOX'; registered: ")
    check(lambda: refdata.gwp("AR9"), "unknown GWP set 'AR9'; available: AR5")
    check(lambda: Result("nope", {}), "unknown result kind 'nope'")


# ------------------------------------------------------------------------------ inventory
def test_inventory_unit_and_grid_errors_in_zh():
    from cocontrol.inventory import factors

    factors.activity_per_denominator.cache_clear()
    check(lambda: factors.activity_per_denominator("t", "MWh", None), "cannot convert 't'")
    check(lambda: factors.activity_per_denominator("t", "GJ", "nofuel"), "unknown fuel 'nofuel'")
    from cocontrol.inventory.engine import _grid_value

    check(lambda: _grid_value("mars_grid", "cn_national"), "unknown grid/heat factor code",
          InputError)


def test_inventory_aggregation_error_in_zh():
    from cocontrol.inventory.inventory import Inventory

    inv = SimpleNamespace(lines=pd.DataFrame({"sector": ["power"], "combo": [0]}))
    check(lambda: Inventory._group_matrix(inv, ["province"], np.ones(1, bool)),
          "cannot aggregate by 'province'; choose from: sector")


def test_cli_usage_errors_of_click_in_zh():
    """Click's own words around a usage error (missing argument, no such option, invalid
    value, missing command) in Chinese under --lang zh; English and exit code 2 unchanged."""
    from typer.testing import CliRunner

    from cocontrol.cli import app

    demo = str(Path(__file__).resolve().parents[1] / "examples" / "demo-city")
    cases = [(["--lang", "zh", "run"], "错误：缺少参数 'project'"),
             (["--lang", "zh", "run", demo, "--nope"], "错误：没有此选项：--nope"),
             (["--lang", "zh", "permit", demo, "--enterprise", "e", "--on", "x"],
              "错误：取值无效：--on 须为 YYYY-MM-DD 格式的日期，实际为 'x'"),
             (["--lang", "zh"], "错误：缺少子命令")]
    for args, want in cases:
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert want in r.output and "用法：" in r.output, (args, r.output)
        assert not english_words([_EXEMPT.sub(" ", r.output.split("错误：", 1)[1])]), r.output
    r = CliRunner().invoke(app, ["run"])
    assert r.exit_code == 2 and "Missing argument 'project'" in r.output, r.output
