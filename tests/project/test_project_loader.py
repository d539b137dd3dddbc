"""The one validated loader: strict settings files, cross-references, the in-memory Project.

Each defect test of issue 9 failed before the loader was rebuilt (a misspelt key ignored,
scenarios.yaml/optimisation.yaml never read by ``validate``, tracebacks on a truncated
workbook, an Excel "CSV UTF-8" file with Chinese headings, a target year that is not a
scenario year, a project without scenarios.yaml).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cocontrol.cli import app
from cocontrol.errors import InputError
from cocontrol.project import Project, load_project

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
runner = CliRunner()


@pytest.fixture
def demo(tmp_path) -> Path:
    dst = tmp_path / "demo"
    shutil.copytree(DEMO, dst)
    return dst


def _problems(folder) -> list[str]:
    with pytest.raises(InputError) as e:
        load_project(folder)
    return [str(p) for p in e.value.problems]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_misspelt_scenarios_key_is_an_error_with_suggestion(demo):
    _edit(demo / "scenarios.yaml", "  discount_rate: 0.05", "  discount_rat: 0.05")
    probs = _problems(demo)
    assert any("unknown key 'discount_rat'" in p and "did you mean 'discount_rate'" in p
               for p in probs), probs
    r = runner.invoke(app, ["validate", str(demo)])
    assert r.exit_code == 1
    assert "No problems found" not in r.output
    assert "discount_rat" in r.output


def test_misspelt_manifest_and_optimisation_keys(demo):
    _edit(demo / "project.yaml", "so2_method: factor", "so2_methd: factor")
    _edit(demo / "optimisation.yaml", "  pm25_base_ugm3: 50", "  pm25_base: 50")
    probs = _problems(demo)
    assert any("so2_methd" in p and "so2_method" in p for p in probs)
    assert any("optimisation.yaml" in p and "pm25_base'" in p and "pm25_base_ugm3" in p
               for p in probs), probs


def test_validate_reads_optimisation_and_scenarios(demo):
    # an unknown base scenario in optimisation.yaml and an unknown measure in scenarios.yaml
    _edit(demo / "optimisation.yaml", "base_scenario: baseline", "base_scenario: basline")
    _edit(demo / "scenarios.yaml", "      boiler_sncr: 1.0", "      boiler_sncrr: 1.0")
    r = runner.invoke(app, ["validate", str(demo)])
    assert r.exit_code == 1, r.output
    assert "basline" in r.output and "did you mean baseline" in r.output
    assert "boiler_sncrr" in r.output and "did you mean boiler_sncr" in r.output


def test_target_year_not_a_scenario_year(demo):
    _edit(demo / "scenarios.yaml", "    year: 2025\n    max: 13830",
          "    year: 2027\n    max: 13830")
    probs = _problems(demo)
    assert any("targets[1].year" in p and "not a scenario year" in p and "2027" in p
               for p in probs), probs
    r = runner.invoke(app, ["run", str(demo)])
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_truncated_workbook_is_a_plain_error(demo):
    pd.read_csv(demo / "regions.csv").to_excel(demo / "regions.xlsx", index=False)
    (demo / "regions.csv").unlink()
    data = (demo / "regions.xlsx").read_bytes()
    (demo / "regions.xlsx").write_bytes(data[: len(data) // 2])
    probs = _problems(demo)
    assert any("regions.xlsx" in p and "damaged, truncated" in p for p in probs), probs
    r = runner.invoke(app, ["validate", str(demo)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "regions.xlsx" in r.output


def test_excel_csv_utf8_with_bom_and_chinese_headings(demo):
    """Excel's "CSV UTF-8" writes a byte-order mark; a user heads the columns in Chinese
    (the template's second header row)."""
    from cocontrol.project.schema import MEASURED

    df = pd.read_csv(demo / "measured.csv")
    # the headings of the template's Chinese header row, e.g. 排放源, 年份, 实测年排放量
    zh = {c.name: c.description_zh.split("（")[0].split("；")[0] for c in MEASURED.columns}
    assert zh["year"] == "年份" and zh["value"] == "实测年排放量"
    df = df.rename(columns=zh)
    (demo / "measured.csv").write_bytes(df.to_csv(index=False).encode("utf-8-sig"))
    p = load_project(demo)
    ref = load_project(DEMO)
    assert list(p.measured.columns) == list(ref.measured.columns)
    np.testing.assert_array_equal(p.measured["value"], ref.measured["value"])
    assert any("Chinese column headings" in w.message for w in p.warnings)


def test_bom_csv_with_unknown_chinese_heading_is_named(demo):
    df = pd.read_csv(demo / "measured.csv").rename(columns={"value": "排放量（吨）"})
    (demo / "measured.csv").write_bytes(df.to_csv(index=False).encode("utf-8-sig"))
    probs = _problems(demo)
    assert any("measured.csv" in p and "排放量（吨）" in p for p in probs), probs
    assert any("required column 'value' is missing" in p for p in probs)


def test_project_without_scenarios_yaml(demo):
    (demo / "scenarios.yaml").unlink()
    r = runner.invoke(app, ["validate", str(demo)])
    assert r.exit_code == 1, r.output  # optimisation.yaml has no candidate measures left
    assert "no candidate measures" in r.output
    (demo / "optimisation.yaml").unlink()
    p = load_project(demo)
    assert p.scenarios is None
    for cmd in (["run", str(demo)], ["compare", str(demo)], ["optimize", str(demo)]):
        r = runner.invoke(app, cmd)
        assert "Traceback" not in r.output, (cmd, r.output)
        assert not isinstance(r.exception, Exception) or isinstance(r.exception, SystemExit)
        assert r.exit_code in (0, 1), (cmd, r.exit_code, r.output)


def test_hash_in_value_is_kept(demo):
    """No comment="#": a '#' in user text (a note, a source) is kept whole."""
    _edit(demo / "drivers.csv", "gdp,2020,1600.0,1e8 yuan,\"ILLUSTRATIVE",
          "gdp,2020,1600.0,1e8 yuan,\"#1 ILLUSTRATIVE")
    p = load_project(demo)
    assert p.drivers["source"].iat[0].startswith("#1 ILLUSTRATIVE")
    assert p.drivers["value"].iat[0] == 1600.0


def test_aliases_chinese_and_capitalised_codes(demo):
    """原煤, 吨 and Steel are read as raw_coal_cn, t and steel (data/code_aliases.csv)."""
    text = (demo / "activity.csv").read_text(encoding="utf-8")
    rows = text.splitlines()
    i = next(k for k, ln in enumerate(rows) if ",raw_coal_cn,,2020," in ln and ",t," in ln)
    rows[i] = rows[i].replace(",raw_coal_cn,", ",原煤,", 1).replace(",t,", ",吨,", 1)
    j = next(k for k, ln in enumerate(rows) if ",steel," in ln)
    rows[j] = rows[j].replace(",steel,", ",Steel,", 1)
    (demo / "activity.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    p = load_project(demo)
    ref = load_project(DEMO)
    pd.testing.assert_frame_equal(p.activity, ref.activity)
    notes = " ".join(str(w) for w in p.warnings)
    assert "'原煤' read as code 'raw_coal_cn'" in notes and "'Steel' read as code 'steel'" in notes


def test_unknown_code_suggests_nearest(demo):
    _edit(demo / "activity.csv", ",raw_coal_cn,,2020,", ",raw_col_cn,,2020,")
    probs = _problems(demo)
    assert any("unknown fuel code (did you mean raw_coal_cn" in p and "row 2" in p
               for p in probs), probs


def test_content_hash_stable_and_sensitive(demo):
    a = load_project(DEMO).content_hash()
    assert load_project(demo).content_hash() == a
    _edit(demo / "drivers.csv", "gdp,2025,2091.1,", "gdp,2025,2091.2,")
    assert load_project(demo).content_hash() != a


def test_from_workbook_equals_folder(tmp_path):
    ref = load_project(DEMO)
    book = tmp_path / "city.xlsx"
    with pd.ExcelWriter(book) as xw:
        import yaml

        man = yaml.safe_load((DEMO / "project.yaml").read_text(encoding="utf-8"))
        pd.DataFrame({"key": list(man), "value": [yaml.safe_dump(v, allow_unicode=True)
                                                  .removesuffix("\n...\n").strip()
                                                  for v in man.values()]}).to_excel(
            xw, sheet_name="project", index=False)
        for name in ("regions", "activity", "controls", "factors", "measured", "drivers",
                     "elasticities", "region_stats"):
            pd.read_csv(DEMO / f"{name}.csv", dtype=str, keep_default_na=False).to_excel(
                xw, sheet_name=name, index=False)
    for f in ("scenarios.yaml", "optimisation.yaml"):
        shutil.copy(DEMO / f, tmp_path / f)
    p = Project.from_workbook(book)
    assert p.content_hash() == ref.content_hash()


def test_region_stats_are_validated(demo):
    """region_stats.csv: the demo's district GDP is read (1e8 yuan); a region not in
    regions.csv, an unknown indicator, a non-currency unit, a value <= 0 and a repeated
    region-year are each an error naming the row."""
    p = load_project(demo)
    gdp = p.region_stats.set_index(["region_id", "year"])["value"]
    assert gdp[("fenhe", 2020)] == 608.0 and set(p.region_stats["unit"]) == {"1e8 yuan"}
    f = demo / "region_stats.csv"
    text = f.read_text(encoding="utf-8")
    lines = text.splitlines()
    bad = lines[:2] + ['nowhere,gdp,2020,1.0,1e8 yuan,x', 'fenhe,jobs,2021,1.0,1e8 yuan,x',
                       'hedong,gdp,2021,5.0,t,x', 'nanshan,gdp,2021,0,1e8 yuan,x',
                       lines[1]]
    f.write_text("\n".join(bad) + "\n", encoding="utf-8")
    probs = _problems(demo)
    got = {(p_.split(" row ")[1].split(",")[0].split(" ")[0] if " row " in p_ else None)
           for p_ in probs if "region_stats" in p_}
    assert {"3", "4", "5", "6", "7"} <= got, probs
    assert any("not a currency unit" in p_ for p_ in probs)
    assert any("region not found" in p_ for p_ in probs)


def test_content_hash_of_a_project_without_region_stats_is_unchanged(demo):
    """A project without region_stats.csv hashes as before the table existed (the table is
    hashed only when present)."""
    with_stats = load_project(demo).content_hash()
    (demo / "region_stats.csv").unlink()
    p = load_project(demo)
    assert p.region_stats is None and p.content_hash() != with_stats
