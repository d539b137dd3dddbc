"""A second city nobody tuned (issue 9, "Done when"): examples/riverport, a gas-and-light-
industry river port with only bundled factors and every control category (SO2, NOx, PM, ULE,
VOCs, dust). Inventory, scenarios, optimisation and reports run; every invariant holds; numbers
spot-checked by hand with the cited factors:

- power coal SO2 820 g/GJ, NOx 209 g/GJ: EMEP/EEA 2023 1.A.1.a Table 3-2; raw coal NCV 20.908
  GJ/t: GB/T 2589-2020; ULE SO2 removal 0.98536 (control_removal.csv, Huanfa [2015] 164);
- uncontrolled coal-boiler PM10 23, PM2.5 6 kg/t: US EPA AP-42 1.1 (ash 20 %); fabric filter
  0.996 / 0.999, ESP 0.974 / 0.9995, wet ESP 0.944 / 0.964, multicyclone 0.75 / 0.758 for
  < 2.5 / 2.5-10 µm: EMEP/EEA 2023 2.C.3 Table 3-5;
- natural gas (China) 38.931 GJ/kNm3 (GB/T 2589-2020), 15.3 kg C/GJ (IPCC 2006 Table 1.3);
- building construction PM10 0.3 kg/m2: EMEP/EEA 2023 2.A.5.b Table 3-2; water spraying 0.5,
  enclosure 0.9: EMEP/EEA 2.A.5.a Table 3-3_1;
- household biomass BC 74 g/GJ (EMEP/EEA 1.A.4.b.i Table 3-6), NCV 11.8 GJ/t (IPCC 2006),
  OC/BC 3.917 (CEDS GBD-MAPS China 2017, McDuffie et al. 2020).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.inventory import compute
from cocontrol.inventory.invariants import violations
from cocontrol.project import load_project
from cocontrol.scenario import check_targets, prepare, run, totals

CITY = Path(__file__).resolve().parents[2] / "examples" / "riverport"


@pytest.fixture(scope="module")
def inv():
    return compute(load_project(CITY))


@pytest.fixture(scope="module")
def base():
    return prepare(CITY)


def v(inv, source, species, year=2020):
    d = inv.aggregate("source_id")
    return float(d[(d.source_id == source) & (d.species == species) & (d.year == year)]
                 ["value"].iloc[0])


def test_only_bundled_factors_and_every_control_category():
    assert not (CITY / "factors.csv").exists()
    c = pd.read_csv(CITY / "controls.csv")
    cats = pd.read_csv(Path(__file__).resolve().parents[2] / "src/cocontrol/data/"
                       "control_tech.csv").set_index("code")["category"]
    assert set(cats[c["technology"].unique()]) == {"SO2", "NOx", "PM", "ULE", "VOCs", "dust"}


def test_inventory_invariants_and_no_warnings(inv):
    assert violations(inv).empty
    assert inv.warnings == []
    # not estimated is listed with a reason, and shown as such, never 0
    ne = inv.not_estimated
    assert {"OC", "BC", "NH3"} <= set(ne["species"]) and ne["reason"].str.len().gt(10).all()
    assert np.isnan(v(inv, "COAL_U1", "OC"))


def test_spot_checks_by_hand(inv):
    gj = 1.5e6 * 20.908
    assert v(inv, "COAL_U1", "SO2") == pytest.approx(gj * 820e-6 * (1 - 0.98536), rel=1e-9)
    # chemical boiler with a fabric filter: the unabated AP-42 factor, by size bin
    assert v(inv, "CHEM_BOILER", "PM2.5") == pytest.approx(2e5 * 6 * 0.004 / 1e3, rel=1e-9)
    assert v(inv, "CHEM_BOILER", "PM10") == pytest.approx(
        2e5 * (6 * 0.004 + 17 * 0.001) / 1e3, rel=1e-9)
    # ESP on 80 %, wet ESP on 20 % of the second coal unit
    r25 = 0.8 * 0.974 + 0.2 * 0.944
    rc = 0.8 * 0.9995 + 0.2 * 0.964
    assert v(inv, "COAL_U2", "PM2.5") == pytest.approx(8e5 * 6 * (1 - r25) / 1e3, rel=1e-9)
    assert v(inv, "COAL_U2", "PM10") == pytest.approx(
        8e5 * (6 * (1 - r25) + 17 * (1 - rc)) / 1e3, rel=1e-9)
    # year-specific controls of the industrial boilers in 2022
    assert v(inv, "IND_BOILERS", "PM2.5", 2022) == pytest.approx(
        2.8e5 * 6 * (1 - 0.6 * 0.75 - 0.4 * 0.996) / 1e3, rel=1e-9)
    assert v(inv, "GAS_CHP", "CO2") == pytest.approx(4e5 * 38.931 * 15.3 * 44 / 12 / 1e3,
                                                     rel=1e-9)
    assert v(inv, "CONSTR", "PM10") == pytest.approx(5e6 * 0.3 / 1e3 * (1 - 0.6 * 0.5
                                                                        - 0.3 * 0.9), rel=1e-9)
    bc = 5e4 * 11.8 * 74e-6
    assert v(inv, "RES_BIOMASS", "BC") == pytest.approx(bc, rel=1e-9)
    assert v(inv, "RES_BIOMASS", "OC") == pytest.approx(bc * 3.917, rel=1e-5)


def test_a_ule_on_an_abated_bundled_factor_stops_with_a_plain_error(tmp_path):
    p = shutil.copytree(CITY, tmp_path / "rp")
    with open(p / "activity.csv", "a", encoding="utf-8") as f:
        f.write("KILN,portside,cement,,clinker,2020,1000000,t\n")
    with open(p / "controls.csv", "a", encoding="utf-8") as f:
        f.write("KILN,ule_cement,1.0,\n")
    with pytest.raises(InputError, match="KILN.*second time"):
        compute(load_project(p))


def test_scenarios_targets_and_invariants(base):
    pol = run(base, "policy")
    for r in (run(base, "baseline"), pol):
        assert violations(r.inventory()).empty
    t = check_targets(base, pol).set_index("target")
    co2 = float(totals(pol).loc["CO2", 2030])
    # intensity stated in t/1e4 yuan, GDP in 1e8 yuan: 1397.6 x 1e8 yuan = 1397.6e4 x 1e4 yuan
    assert t.loc["CO2 per gdp in 2030", "value"] == pytest.approx(co2 / 1397.6e4, rel=1e-12)
    assert bool(t.loc["CO2 per gdp in 2030", "passed"]) == (co2 / 1397.6e4 <= 0.9)
    assert float(totals(pol).loc["SO2", 2030]) < float(totals(run(base, "baseline"))
                                                       .loc["SO2", 2030])


def test_optimisation_and_reports_run(tmp_path, inv):
    from cocontrol.optimize import runner
    from cocontrol.report.inventory import inventory_report

    res = runner.run_project(CITY)
    assert res.plan is not None and res.infeasible is None
    paths = runner.write(res, tmp_path / "opt", "en")
    assert paths and all(Path(q).exists() for q in paths)
    html = inventory_report(inv, tmp_path / "inv" / "inventory.html").read_text("utf-8")
    assert "not estimated" in html
    inv.to_excel(tmp_path / "inv.xlsx")
