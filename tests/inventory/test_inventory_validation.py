"""Every validation error path names file, row, column and what was expected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tinyproject import ACTIVITY, CONTROLS, FACTORS, MANIFEST, MEASURED, REGIONS, write_project

from cocontrol.errors import InputError
from cocontrol.project import load_project


def problems(tmp_path, **override):
    p = write_project(tmp_path / "p", **override)
    with pytest.raises(InputError) as ei:
        load_project(p)
    return ei.value.problems


def one(probs, column, message_part):
    hits = [p for p in probs if p.column == column and message_part in p.message]
    assert hits, f"no problem on {column} with '{message_part}' in {[str(p) for p in probs]}"
    return hits[0]


def test_unknown_fuel_and_sector_codes(tmp_path):
    act = ACTIVITY.copy()
    act.loc[0, "fuel"] = "unobtainium"
    act.loc[2, "sector"] = "spaceport"
    probs = problems(tmp_path, activity=act)
    p = one(probs, "fuel", "unknown fuel code")
    assert p.file == "activity.csv" and p.row == 2 and p.value == "unobtainium"
    assert "hard_coal" in p.expected
    p = one(probs, "sector", "unknown sector code")
    assert p.row == 4


def test_negative_activity_and_bad_number(tmp_path):
    act = ACTIVITY.copy().astype({"value": object})
    act.loc[1, "value"] = -5
    act.loc[3, "value"] = "12,5 t"
    probs = problems(tmp_path, activity=act)
    assert one(probs, "value", "negative").row == 3
    assert one(probs, "value", "not a number").row == 5


def test_shares_above_one(tmp_path):
    ctl = pd.concat([CONTROLS, pd.DataFrame({"source_id": ["U1"], "technology": ["semi_dry_fgd"],
                                             "share": [0.5], "year": [None]})])
    probs = problems(tmp_path, controls=ctl)
    p = one(probs, "share", "add up to more than 1")
    assert "SO2" in p.message and "U1" in p.message and p.value == pytest.approx(1.5)
    dup = pd.concat([CONTROLS, CONTROLS.iloc[[1]]])
    assert one(problems(tmp_path, controls=dup), "technology", "given twice").row == 4
    ctl2 = CONTROLS.copy()
    ctl2.loc[0, "share"] = 1.2
    assert one(problems(tmp_path, controls=ctl2), "share", "out of range").row == 2


def test_unknown_unit_and_unsuitable_unit(tmp_path):
    act = ACTIVITY.copy()
    act.loc[0, "unit"] = "blorts"
    act.loc[2, "unit"] = "MWh"  # clinker in MWh
    probs = problems(tmp_path, activity=act)
    assert one(probs, "unit", "unknown unit").row == 2
    assert one(probs, "unit", "does not suit").row == 4


def test_missing_factor_is_an_error(tmp_path):
    from cocontrol.cli.inventory import check

    p = write_project(tmp_path / "p", manifest=MANIFEST.replace("[user, default]", "[user]"))
    with pytest.raises(InputError) as ei:
        check(p)
    msgs = [str(x) for x in ei.value.problems]
    assert any("no NOx emission factor for sector power with hard_coal" in m for m in msgs)
    assert all(x.file == "activity.csv" for x in ei.value.problems)


def test_region_hierarchy_errors(tmp_path):
    reg = REGIONS.copy()
    reg.loc[4, "parent_id"] = "NOWHERE"
    reg.loc[5, "level"] = "galaxy"
    probs = problems(tmp_path, regions=reg)
    assert one(probs, "parent_id", "parent region not found").row == 6
    assert one(probs, "level", "unknown level").row == 7
    reg2 = REGIONS.copy()
    reg2.loc[1, "parent_id"] = "F1"  # district under a facility
    assert one(problems(tmp_path, regions=reg2), "parent_id", "higher level")


def test_structure_errors(tmp_path):
    act = ACTIVITY.copy()
    act.loc[0, "process"] = "clinker"  # both fuel and process
    act.loc[2, "year"] = 1999
    act.loc[3, "region_id"] = "ATLANTIS"
    act = pd.concat([act, act.iloc[[4]]])  # duplicate row
    probs = problems(tmp_path, activity=act)
    one(probs, "process", "both a fuel and a process")
    one(probs, "year", "not listed in project.yaml")
    one(probs, "region_id", "region not found")
    one(probs, "source_id", "appear twice")


def test_missing_table_and_column(tmp_path):
    probs = problems(tmp_path, activity=ACTIVITY.drop(columns=["unit"]))
    one(probs, "unit", "required column 'unit' is missing")
    p = write_project(tmp_path / "q")
    (p / "regions.csv").unlink()
    with pytest.raises(InputError, match="Regions .hierarchy. table is missing"):
        load_project(p)


def test_manifest_errors(tmp_path):
    probs = problems(tmp_path, manifest=MANIFEST.replace("gwp: AR6", "gwp: SAR")
                     .replace("base_year: 2020", "base_year: 2030"))
    assert any(p.column == "gwp" for p in probs)


def test_factor_and_measured_errors(tmp_path):
    fac = FACTORS.copy()
    fac.loc[0, "unit"] = "furlongs"
    fac.loc[0, "species"] = "PM1"
    ms = MEASURED.copy()
    ms.loc[0, "source_id"] = "GHOST"
    ms.loc[0, "unit"] = "MWh"
    probs = problems(tmp_path, factors=fac, measured=ms)
    one(probs, "unit", "emission factor unit not understood")
    one(probs, "species", "unknown species code")
    one(probs, "source_id", "source not found")
    one(probs, "unit", "not a mass unit")


def test_all_problems_reported_at_once(tmp_path):
    act = ACTIVITY.copy()
    act.loc[0, "fuel"] = "x"
    act.loc[1, "value"] = -1
    ctl = CONTROLS.copy()
    ctl.loc[0, "technology"] = "magic"
    probs = problems(tmp_path, activity=act, controls=ctl)
    assert {p.column for p in probs} >= {"fuel", "value", "technology"}


def test_cli_validate_exit_codes_and_nothing_written(tiny, tmp_path):
    from typer.testing import CliRunner

    from cocontrol.cli import app

    r = CliRunner().invoke(app, ["validate", str(tiny)])
    assert r.exit_code == 0, r.output
    act = ACTIVITY.copy()
    act.loc[0, "fuel"] = "x"
    bad = write_project(tmp_path / "bad", activity=act)
    before = set(bad.iterdir())
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["validate", str(bad)])
    assert r.exit_code == 1
    assert "activity.csv, row 2, column fuel" in r.output
    r = CliRunner().invoke(app, ["report", str(bad), "--out", str(out)])
    assert r.exit_code == 1
    assert not out.exists() and set(bad.iterdir()) == before


def test_year_specific_control_overrides_all_years(tmp_path):
    from cocontrol.inventory import compute

    ctl = pd.concat([CONTROLS, pd.DataFrame({"source_id": ["U1"], "technology": ["scr"],
                                             "share": [1.0], "year": [2021]})])
    inv = compute(load_project(write_project(tmp_path / "y", controls=ctl)))
    d = inv.aggregate("source_id")
    nox = d[(d["source_id"] == "U1") & (d["species"] == "NOx")].set_index("year")["value"]
    gj = 25.8  # GJ/t hard coal (IPCC 2006 Table 1.2); NOx 209 g/GJ (EMEP 1.A.1.a Table 3-2)
    assert nox[2020] == pytest.approx(1000 * gj * 209e-6 * (1 - 0.5 * 0.8))
    assert nox[2021] == pytest.approx(2000 * gj * 209e-6 * (1 - 1.0 * 0.8))


def test_missing_factor_names_the_activity_rows_of_its_lines(tmp_path):
    # only the user set (no bundled defaults): NOx of power × hard coal is missing on U1's
    # rows, row 2 (2020, t) and row 3 (2021, kt: another activity unit); residential hard
    # coal on R1's row 5 (row 1 is the header)
    from cocontrol.cli.inventory import check

    p = write_project(tmp_path / "p", manifest=MANIFEST.replace("[user, default]", "[user]"))
    with pytest.raises(InputError) as ei:
        check(p)
    nox = {(str(x.value), x.row) for x in ei.value.problems
           if "no NOx emission factor" in str(x.message)}
    assert nox >= {("power × hard_coal", 2), ("power × hard_coal", 3),
                   ("residential × hard_coal", 5)}


def test_sulfur_balance_leaves_fuels_without_a_sulfur_content_to_their_factor():
    # natural gas has no sulfur content in fuels.csv: its SO2 stays the bundled factor
    # under so2_method sulfur_balance; hard coal (S 1 %, retention 0.05) gets
    # 2 × 0.01 × (1 − 0.05) t SO2/t (64/32 stoichiometry)
    from cocontrol.inventory.factors import resolve

    combos = pd.DataFrame({"sector": ["power", "power"], "fuel": ["natural_gas", "hard_coal"],
                           "process": [None, None], "unit": ["kNm3", "t"]})
    user = pd.DataFrame(columns=["sector", "fuel", "process", "species", "value", "unit",
                                 "source", "source_id"])
    kw = dict(grid_factor=0.5, heat_factor=0.1, species=("SO2", "CO2"))
    plain = resolve(combos, user, so2_method="factor", **kw).multiplier[:, 0]
    sb = resolve(combos, user, so2_method="sulfur_balance", **kw).multiplier[:, 0]
    assert np.isfinite(plain[0]) and sb[0] == plain[0]
    assert sb[1] == pytest.approx(2 * 0.01 * (1 - 0.05))
