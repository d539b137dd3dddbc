"""CLI commands of cocontrol.cli.metrics on the illustrative tables in examples/diagnostics.

Each result is checked against the library function or a hand calculation (formulas cited in
the other test_metrics_* files)."""

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cocontrol.cli import app

EX = Path(__file__).resolve().parents[2] / "examples" / "diagnostics"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_decoupling_csv_output_and_hand_check():
    r = run("decoupling", EX / "regions_panel.csv", "--x", "GDP_1e8yuan_2005prices",
            "--y", "CO2_Mt", "--base", "2005", "--end", "2020", "--format", "csv")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout))
    panel = pd.read_csv(EX / "regions_panel.csv").set_index(["region", "year"])
    a = df.set_index("region").loc["CityA"]
    pg = panel.loc[("CityA", 2020), "GDP_1e8yuan_2005prices"] / panel.loc[
        ("CityA", 2005), "GDP_1e8yuan_2005prices"] - 1
    pc = panel.loc[("CityA", 2020), "CO2_Mt"] / panel.loc[("CityA", 2005), "CO2_Mt"] - 1
    assert a["elasticity"] == pytest.approx(pc / pg)
    assert a["state"] == "weak_decoupling"       # 0 < e = 0.12 < 0.8 with growth (Tapio 2005)
    assert len(df) == 10


def test_decoupling_missing_column_is_input_error():
    r = run("decoupling", EX / "regions_panel.csv", "--x", "GDP", "--y", "CO2_Mt")
    assert r.exit_code == 1
    assert "regions_panel.csv" in r.output and "GDP" in r.output
    r = run("decoupling", EX / "nope.csv")
    assert r.exit_code == 1 and "file not found" in r.output


def test_decompose_co2_json_sums_to_total(tmp_path):
    r = run("decompose", EX / "energy_co2.csv", "--identity", "co2", "--activity-col",
            "output_1e8yuan", "--energy-col", "energy_tce", "--emission-col", "CO2_t",
            "--chained", "--format", "json")
    assert r.exit_code == 0, r.output
    df = pd.DataFrame(json.loads(r.stdout))
    f = ["activity", "structure", "intensity", "fuel_mix", "emission_factor"]
    assert (abs(df[f].sum(axis=1) - df["total"]) <= 1e-9 * df[["V_start", "V_end"]].abs()
            .max(axis=1)).all()
    raw = pd.read_csv(EX / "energy_co2.csv")
    tot = raw.groupby(["region", "year"])["CO2_t"].sum()
    ch = df[df.kind == "chained"].set_index("region")
    assert ch.loc["CityA", "total"] == pytest.approx(tot["CityA", 2020] - tot["CityA", 2010])
    # xlsx output
    out = tmp_path / "d.xlsx"
    r = run("decompose", EX / "energy_co2.csv", "--activity-col", "output_1e8yuan",
            "--energy-col", "energy_tce", "--emission-col", "CO2_t", "--mode",
            "multiplicative", "--format", "xlsx", "--output", out)
    assert r.exit_code == 0, r.output
    from cocontrol.xlsxreport import read_sheet

    x = read_sheet(out, 0)  # header, units row, then the rows
    prod = x[f].prod(axis=1)
    assert ((prod / x["total"] - 1).abs() < 1e-9).all()


def test_decompose_pollutant_and_custom():
    r = run("decompose", EX / "energy_so2.csv", "--identity", "pollutant", "--activity-col",
            "output_1e8yuan", "--energy-col", "energy_tce", "--emission-col", "SO2_emitted_t",
            "--generated-col", "SO2_generated_t", "--format", "csv")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout))
    assert (df["end_of_pipe"] < 0).all()        # removal efficiency rises in every city
    r = run("decompose", EX / "regions_panel.csv", "--identity", "custom",
            "--factors", "GDP_1e8yuan_2005prices", "--format", "csv")
    assert r.exit_code == 0, r.output
    r = run("decompose", EX / "regions_panel.csv", "--identity", "custom")
    assert r.exit_code == 2


def test_coupling_corrected_matches_library():
    from cocontrol.metrics import coupling_coordination
    r = run("coupling", EX / "coupling_indices.csv", "--formula", "corrected", "--format", "csv")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout))
    raw = pd.read_csv(EX / "coupling_indices.csv")
    exp = coupling_coordination(raw["u_pollution"], raw["u_carbon"], formula="corrected")
    assert list(df["D"].round(12)) == list(exp["D"].round(12))
    assert {"region", "year", "C", "T", "D", "grade"} <= set(df.columns)


def test_classify_zh_labels():
    r = run("--lang", "zh", "classify", EX / "regions_panel.csv", "--base", "2005", "--end",
            "2020", "--carbon", "CO2_Mt", "--pollutant", "PM2.5_ugm3", "--format", "csv")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout)).set_index("region")
    assert df.loc["CityE", "class"] == "co_increase"     # CO2 and PM2.5 both rise
    assert df.loc["CityF", "class"] == "co_reduction"
    assert df.loc["CityF", "class_label"] == "协同减排"


def test_cometrics_and_mac():
    r = run("cometrics", EX / "emissions_baseline.csv", EX / "emissions_measures.csv",
            "--by", "measure", "--format", "csv")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(io.StringIO(r.stdout))
    scr = df[(df.measure == "power ultra-low emission (SCR+FGD)") & (df.pollutant == "NOx")]
    assert scr.iloc[0]["quadrant"] == "II" and scr.iloc[0]["sign_pair"] == "(-,+)"
    assert scr.iloc[0]["P_reduction"] == pytest.approx(30000 * 0.12)
    costs = pd.read_csv(EX / "measures_costs.csv").set_index("measure")
    ap = df[df.pollutant == "APeq"].set_index("measure")
    for m in costs.index:
        assert ap.loc[m, "P_reduction"] == pytest.approx(costs.loc[m, "APeq_reduction"], abs=0.1)
    r = run("mac", EX / "measures_costs.csv", "--format", "csv")
    assert r.exit_code == 0, r.output
    mac = pd.read_csv(io.StringIO(r.stdout))
    assert mac.iloc[0]["measure"] == "rooftop PV"     # negative cost first
    r = run("mac", EX / "measures_costs.csv", "--rank", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert pd.read_csv(io.StringIO(r.stdout)).iloc[0]["quadrant"] == "I"


def test_excel_input_with_sheet(tmp_path):
    panel = pd.read_csv(EX / "regions_panel.csv")
    x = tmp_path / "panel.xlsx"
    with pd.ExcelWriter(x) as w:
        pd.DataFrame({"a": [1]}).to_excel(w, sheet_name="readme", index=False)
        panel.to_excel(w, sheet_name="data", index=False)
    r = run("decoupling", x, "--sheet", "data", "--x", "GDP_1e8yuan_2005prices", "--y", "SO2_kt",
            "--region-col", "region", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(io.StringIO(r.stdout))) == 30     # 10 regions x 3 periods
    r = run("decoupling", x, "--sheet", "nosuch")
    assert r.exit_code == 1
