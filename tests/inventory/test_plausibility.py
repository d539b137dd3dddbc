"""Plausibility warnings name the row and never change a number (issue 9, item 6)."""

from __future__ import annotations

import re

import pandas as pd
from tinyproject import ACTIVITY, FACTORS, MEASURED, write_project
from typer.testing import CliRunner

from cocontrol import i18n
from cocontrol.cli import app
from cocontrol.inventory import compute
from cocontrol.inventory.plausibility import ranges, warnings_table
from cocontrol.project import load_project


def test_ranges_are_data_with_a_basis():
    r = ranges()
    assert set(r["check"]) == {"activity", "user_factor", "measured"}
    assert r["basis"].str.len().gt(60).all()
    assert r["basis_zh"].str.len().gt(30).all()  # every basis in both languages


def test_huge_activity_is_a_warning_naming_the_row(tmp_path):
    # defect: an activity of 1e30 t went into a report without a word
    act = ACTIVITY.copy()
    act.loc[2, "value"] = 1e30  # K1 clinker, file row 4
    p = write_project(tmp_path / "p", activity=act)
    inv = compute(load_project(p))
    w = [x for x in inv.warnings if x["file"].startswith("activity")]
    assert len(w) == 1 and w[0]["row"] == 4 and "K1" in w[0]["message"]
    assert inv.aggregate("source_id").query("source_id == 'K1' and species == 'CO2' "
                                            "and year == 2020")["value"].iloc[0] == 0.52e30
    r = CliRunner().invoke(app, ["validate", str(p)])
    assert "activity" in r.output and "row 4" in r.output and "K1" in r.output
    # under zh: the warning's words and its basis from the catalogue, no English prose
    z = CliRunner().invoke(app, ["--lang", "zh", "validate", str(p)], terminal_width=400)
    assert "第4行" in z.output and "K1" in z.output and "合理上限" in z.output
    line = next(x for x in z.output.splitlines() if "K1" in x)
    rest = re.sub(r"\S*\.(csv|xlsx)\b", "", line.replace(str(tmp_path), ""))
    assert re.findall(r"\b[a-z]{3,}\b", rest) == [], rest  # as tests/report/browser.py


def test_user_factor_far_from_default_and_measured_off_by_3(tmp_path):
    f = FACTORS.copy()
    f.loc[0, "value"] = 5000.0  # residential hard coal PM2.5 kg/t: ~500 x the default
    m = MEASURED.copy()
    m.loc[0, "value"] = 50.0  # SO2 of U1 in 2021 measured 50 t vs computed about 1.6 t
    p = write_project(tmp_path / "q", factors=f, measured=m)
    ws = compute(load_project(p)).warnings
    msgs = [x["message"] for x in ws]
    res, coal = i18n.name("sectors", "residential"), i18n.name("fuels", "hard_coal")
    assert any(f"user PM2.5 factor for {res} × {coal}" in s for s in msgs)  # names, not codes
    assert any("measured SO2 of U1 in 2021" in s for s in msgs)
    zh = warnings_table(ws, "zh")
    assert list(zh.columns) == [i18n.t(f"warn_{c}", "zh") for c in
                                ("file", "row", "column", "value", "message", "basis")]
    assert any(i18n.name("sectors", "residential", "zh") in m
               for m in zh[i18n.t("warn_message", "zh")])
    ok = compute(load_project(write_project(tmp_path / "r")))
    assert ok.warnings == [] and isinstance(ok.lines, pd.DataFrame)
