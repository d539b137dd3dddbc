"""`cocontrol init` and `cocontrol template`: skeletons the loader reads, valid as written."""

from __future__ import annotations

import pandas as pd
import yaml
from typer.testing import CliRunner

from cocontrol.cli import app
from cocontrol.project import load_project
from cocontrol.project.schema import TABLES


def test_init_csv_skeleton_is_complete_and_valid(tmp_path):
    folder = tmp_path / "Hill City"
    r = CliRunner().invoke(app, ["init", str(folder), "--name-zh", "山城市",
                                 "--sectors", "power,residential,road_freight,steel"])
    assert r.exit_code == 0, r.output
    for f in [*(f"{t}.csv" for t in TABLES), "codes.csv", "drivers.csv", "elasticities.csv",
              "project.yaml", "scenarios.yaml", "optimisation.yaml", "README.md"]:
        assert (folder / f).exists(), f
    proj = load_project(folder)           # valid as written (raises on any error)
    assert proj.manifest.name == "Hill City" and proj.manifest.name_zh == "山城市"
    assert proj.manifest.illustrative      # example data is labelled as such
    assert set(proj.activity["sector"]) == {"power", "residential", "road_freight"}
    assert proj.regions["region_id"].tolist() == ["hill_city"]
    # the Chinese header row of the template is in the CSV and skipped by the loader
    raw = (folder / "activity.csv").read_text(encoding="utf-8-sig").splitlines()
    assert raw[1].startswith("【") and proj.activity["_row"].min() == 3
    # drivers and elasticities for every chosen sector (steel has no example rows)
    el = pd.read_csv(folder / "elasticities.csv", encoding="utf-8-sig")
    assert set(el["sector"]) == {"power", "residential", "road_freight", "steel"}
    dr = pd.read_csv(folder / "drivers.csv", encoding="utf-8-sig")
    assert {"gdp", "population"} == set(dr["driver"]) and dr["year"].min() == 2020
    # every YAML key is commented: no uncommented key line without a comment
    for f in ("scenarios.yaml", "optimisation.yaml", "project.yaml"):
        text = (folder / f).read_text(encoding="utf-8")
        yaml.safe_load(text)
    opt = (folder / "optimisation.yaml").read_text(encoding="utf-8")
    for key in ("pm25_base_ugm3", "local_share", "om_share_of_primary", "population",
                "mortality_rate", "pm25_max"):
        line = next(ln for ln in opt.splitlines() if ln.strip().startswith(key + ":"))
        assert "#" in line, key
    codes = pd.read_csv(folder / "codes.csv", encoding="utf-8-sig")
    assert {"level", "sector", "fuel", "process", "species", "technology"} <= set(codes["list"])
    # a second init does not overwrite the user's project
    r = CliRunner().invoke(app, ["init", str(folder)])
    assert r.exit_code == 1 and "already has a project" in r.output


def test_init_excel_and_template_write_the_file_the_loader_reads(tmp_path):
    r = CliRunner().invoke(app, ["init", str(tmp_path / "xl"), "--excel", "--base-year", "2022"])
    assert r.exit_code == 0, r.output
    proj = load_project(tmp_path / "xl")
    assert proj.origins["activity"].startswith("inputs.xlsx") and proj.manifest.base_year == 2022
    assert set(proj.activity["year"]) == {2022}
    r = CliRunner().invoke(app, ["template", str(tmp_path / "tpl")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "tpl" / "inputs.xlsx").exists()
    assert load_project(tmp_path / "tpl").origins["regions"] == "inputs.xlsx [regions]"
    sheets = pd.read_excel(tmp_path / "tpl" / "inputs.xlsx", sheet_name=None)
    assert {"README", "codes", *TABLES} <= set(sheets)
    r = CliRunner().invoke(app, ["template", str(tmp_path / "tpl")])
    assert r.exit_code == 1 and "already exists" in r.output   # never overwrites user data


def test_init_rejects_unknown_sector(tmp_path):
    r = CliRunner().invoke(app, ["--lang", "zh", "init", str(tmp_path / "c"), "--sectors",
                                 "power,steal"])
    assert r.exit_code == 1 and "steal" in r.output
    assert not (tmp_path / "c" / "project.yaml").exists()


def test_init_skeleton_never_abates_twice_and_keeps_the_invariants(tmp_path):
    """The bundled clinker PM factors are already abated (EMEP/EEA 2.A.1 Tier 1, EU kilns):
    the skeleton declares no fabric filter on the kilns and no cement_ule in its policy, so
    the inventory and every scenario run with only bundled factors (issue 9 item 4)."""
    from cocontrol.inventory import compute
    from cocontrol.inventory.invariants import violations
    from cocontrol.scenario import prepare, run

    r = CliRunner().invoke(app, ["init", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    ctrl = pd.read_csv(tmp_path / "c" / "controls.csv", comment=None)
    kiln = ctrl[ctrl["source_id"] == "cement_kilns"]["technology"].tolist()
    assert "fabric_filter" not in kiln and "ule_cement" not in kiln
    sc = yaml.safe_load((tmp_path / "c" / "scenarios.yaml").read_text(encoding="utf-8"))
    assert all("cement_ule" not in (s.get("measures") or {}) for s in sc["scenarios"].values())
    inv = compute(load_project(tmp_path / "c"))
    assert violations(inv).empty
    base = prepare(tmp_path / "c")
    for name in base.scenarios:
        assert violations(run(base, name).inventory()).empty
