"""Indicator systems: built-in templates, YAML/Excel reading and validation."""

from __future__ import annotations

import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.evaluation import load_system, system_to_excel


@pytest.mark.parametrize("name,counts", [("city", (3, 12, 22)), ("park", (3, 7, 15)),
                                         ("enterprise", (4, 13, 20))])
def test_builtin_templates_structure(name, counts):
    s = load_system(name)
    assert s.counts() == counts
    assert s.meta["template"] is True
    assert "template" in s.meta["name_en"].lower()
    assert len(s.meta["policy_basis"]) >= 5
    t = s.table
    for col in ("name_en", "name_zh", "definition", "unit", "data_source", "basis"):
        assert t[col].notna().all() and (t[col].astype(str).str.len() > 0).all(), col
    assert t["target"].gt(0).all()
    assert set(t["direction"]) <= {"benefit", "cost"}
    # the two indicators computable from cocontrol results are in every template
    assert {"joint_decline_rate", "elasticity_pollutant_carbon"} <= set(s.ids)
    for use_ahp in (False, True):
        w = s.global_weights(use_ahp)
        assert w.sum() == pytest.approx(1.0)
        assert (w > 0).all()
    _, checks = s.local_weights(use_ahp=True)
    assert all(c["cr"] <= 0.1 for c in checks)


def test_city_template_covers_issue_indicators():
    ids = set(load_system("city").ids)
    for needed in ("clean_energy_share", "coal_share", "rail_water_freight_share",
                   "ultra_low_emission_completion", "cleaner_production_audit",
                   "carbon_in_permits", "monitoring_coverage", "institutional_innovation"):
        assert needed in ids


def test_excel_roundtrip(tmp_path):
    s = load_system("city")
    p = system_to_excel(s, tmp_path / "city.xlsx")
    s2 = load_system(p)
    assert s2.ids == s.ids
    pd.testing.assert_series_equal(s2.global_weights(True), s.global_weights(True))
    assert s2.grades == s.grades
    vals = pd.read_excel(p, sheet_name="values")
    assert list(vals.columns[:5]) == ["unit", "name_en", "name_zh", "group", "year"]
    assert set(s.ids) <= set(vals.columns)


YAML_OK = """
system: {id: tiny, name_en: Tiny, name_zh: 小}
dimensions:
  - id: A
    name_en: A
    name_zh: 甲
    criteria:
      - id: A1
        name_en: A1
        name_zh: 甲1
        indicators:
          - {id: x, name_en: X, name_zh: 叉, unit: "%", direction: benefit, target: 10}
          - {id: y, name_en: Y, name_zh: 歪, unit: t, direction: BAD}
"""


def test_yaml_errors_name_indicator_and_column(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(YAML_OK, encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_system(p)
    msg = str(e.value)
    assert "bad.yaml" in msg and "indicator y" in msg and "column direction" in msg
    assert "benefit or cost" in msg


def test_yaml_non_reciprocal_ahp(tmp_path):
    text = YAML_OK.replace("BAD", "cost") + """
weighting:
  ahp:
    A1: {order: [x, y], matrix: [[1, 3], [3, 1]]}
"""
    p = tmp_path / "ahp.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="reciprocal"):
        load_system(p)


def test_excel_errors_give_row_and_column(tmp_path):
    s = load_system("park")
    t = s.table.copy()
    t.loc[t.index[3], "direction"] = "upwards"
    t.loc[t.index[5], "target"] = -2
    p = tmp_path / "park_bad.xlsx"
    with pd.ExcelWriter(p) as xw:
        t.to_excel(xw, sheet_name="indicators", index=False)
    with pytest.raises(InputError) as e:
        load_system(p)
    probs = e.value.problems
    assert {(x.row, x.column) for x in probs} == {(5, "direction"), (7, "target")}
    assert all(x.sheet == "indicators" for x in probs)


def test_unknown_system_file():
    with pytest.raises(InputError, match="not found"):
        load_system("no_such_system.yaml")


def test_engine_builds_a_system_from_objects_without_files():
    """Engines take objects: the system from its parsed YAML document, and again from the
    sheets of its workbook held in memory, equals the one the I/O layer reads from the file."""
    import yaml

    from cocontrol import refdata
    from cocontrol.evaluation import system_from_doc, system_from_sheets, system_sheets

    s = load_system("park")
    s1 = system_from_doc(yaml.safe_load(refdata.bundled_text("evaluation/park.yaml")), "park")
    assert s1.ids == s.ids and s1.grades == s.grades
    pd.testing.assert_frame_equal(s1.table, s.table)
    pd.testing.assert_series_equal(s1.global_weights(True), s.global_weights(True))
    sheets = {k: v.astype(object).where(v.notna(), None) for k, v in system_sheets(s).items()}
    s2 = system_from_sheets(sheets, "<memory>", "park")
    assert s2.ids == s.ids
    pd.testing.assert_series_equal(s2.global_weights(True), s.global_weights(True))
