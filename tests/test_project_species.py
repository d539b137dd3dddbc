"""A species declared by a project by data alone (issue 10): a row of the project's own
``species.csv`` (no code, no change to the bundled tables) reaches the inventory, the
scenario runs and the reports; the bundled registry is left as it was (nothing global).

Hand calculations: the tiny project's hard coal (tests/tinyproject.py, unit t) times a user
factor of 0.15 g Hg per t (a test value) is t Hg = Σ coal t × 0.15e-6. NF3 as a project
greenhouse gas with GWP100 = 17,400 (IPCC AR6 WG1, Chapter 7 Supplementary Material, Table
7.SM.7) adds 17,400 × t NF3 to CO2e.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scenariofixture import write_scenario_project
from tinyproject import FACTORS

from cocontrol import registry
from cocontrol.errors import InputError

HG = {"code": "Hg", "name_en": "Mercury", "name_zh": "汞", "group": "air", "iamc": "Hg",
      "aliases": "mercury", "source": "Minamata Convention (test row)"}
NF3 = {"code": "NF3", "name_en": "Nitrogen trifluoride", "name_zh": "三氟化氮", "group": "ghg",
       "gwp_AR6": 17400, "source": "IPCC AR6 WG1 Table 7.SM.7"}


def _factor(species: str, value: float, unit: str) -> pd.DataFrame:
    return pd.DataFrame({"sector": ["*"], "fuel": ["hard_coal"], "process": [None],
                         "species": [species], "value": [value], "unit": [unit],
                         "source": ["test factor"], "source_id": [None]})


def _folder(tmp_path: Path, species_rows: list[dict], factors: list[pd.DataFrame]) -> Path:
    folder = write_scenario_project(tmp_path / "p")
    pd.concat([FACTORS, *factors]).to_csv(folder / "factors.csv", index=False)
    pd.DataFrame(species_rows).to_csv(folder / "species.csv", index=False)
    return folder


def test_project_species_reaches_inventory_scenarios_and_reports(tmp_path):
    from cocontrol.inventory import compute
    from cocontrol.project import load_project
    from cocontrol.report.inventory import inventory_report
    from cocontrol.scenario import prepare, run, totals

    folder = _folder(tmp_path, [HG], [_factor("Hg", 0.15, "g/t")])
    proj = load_project(folder)
    assert "Hg" in proj.species and "Hg" not in registry.species()  # the project's own
    inv = compute(proj)
    assert inv.species[-1] == "Hg"
    coal = proj.activity[proj.activity["fuel"] == "hard_coal"]
    assert set(coal["unit"]) == {"t"}
    hand = float(coal["value"].sum()) * 0.15e-6  # t Hg = t coal × 0.15 g/t
    by = inv.aggregate([], species=["Hg"], unit="t", co2e=False)
    assert np.isclose(float(by["value"].sum()), hand, rtol=1e-12)
    assert "Hg" in set(inv.to_iamc()["variable"].str.split("|").str[1])

    base = prepare(folder)
    assert "Hg" in base.species
    r = run(base, "baseline")
    assert np.isclose(float(totals(r).loc["Hg"].iloc[0]), hand, rtol=1e-12)

    html = inventory_report(inv, tmp_path / "out" / "inventory_report.html")
    text = Path(html).read_text(encoding="utf-8")
    assert ">Hg<" in text or '"Hg"' in text  # a table cell or a chart trace


def test_project_species_from_objects_gives_the_numbers_of_the_folder(tmp_path):
    from cocontrol.inventory import compute
    from cocontrol.project import load_project
    from cocontrol.project.loader import Project

    folder = _folder(tmp_path, [HG], [_factor("mercury", 0.15, "g/t")])  # an alias
    a = load_project(folder)
    assert set(a.factors["species"]) >= {"Hg"}  # the alias is mapped to the code
    b = Project.from_objects(
        manifest=a.manifest, regions=pd.read_csv(folder / "regions.csv"),
        activity=pd.read_csv(folder / "activity.csv"),
        controls=pd.read_csv(folder / "controls.csv"),
        factors=pd.read_csv(folder / "factors.csv"), species=[HG])
    ia, ib = compute(a), compute(b)
    assert ia.species == ib.species
    np.testing.assert_array_equal(ia.emissions, ib.emissions)
    assert a.content_hash() != load_project(write_scenario_project(tmp_path / "q")
                                            ).content_hash()


def test_project_greenhouse_gas_counts_in_co2e_with_its_gwp(tmp_path):
    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    folder = _folder(tmp_path, [NF3], [_factor("NF3", 1.0, "g/t")])
    proj = load_project(folder)
    inv = compute(proj)
    tab = inv.aggregate([], unit="t")
    val = tab.set_index("species")["value"]
    coal = proj.activity[proj.activity["fuel"] == "hard_coal"]
    nf3 = float(coal["value"].sum()) * 1e-6
    assert np.isclose(val["NF3"], nf3, rtol=1e-12)
    no_nf3 = compute(load_project(write_scenario_project(tmp_path / "q")))
    other = no_nf3.aggregate([], unit="t").set_index("species")["value"]["CO2e"]
    assert np.isclose(val["CO2e"] - other, 17400 * nf3, rtol=1e-9)


@pytest.mark.parametrize("row, column, message", [
    ({**HG, "code": "SO2"}, "code", "already registered"),
    ({**HG, "code": "so2"}, "code", "already registered"),
    ({**HG, "group": "dust"}, "group", "unknown species group"),
    ({**NF3, "gwp_AR6": -1}, "gwp_AR6", "negative GWP"),
    ({**HG, "code": "Hg2", "aliases": "NMVOC"}, "aliases", "already the spelling"),
])
def test_project_species_rows_are_validated(tmp_path, row, column, message):
    from cocontrol.project import load_project

    folder = _folder(tmp_path, [row], [])
    with pytest.raises(InputError) as e:
        load_project(folder)
    probs = [p for p in e.value.problems if message in p.message]
    assert probs and probs[0].column == column and probs[0].file.endswith("species.csv")


def test_a_species_no_table_declares_is_still_refused(tmp_path):
    from cocontrol.project import load_project

    folder = _folder(tmp_path, [HG], [_factor("Cd", 0.1, "g/t")])
    with pytest.raises(InputError, match="Cd"):
        load_project(folder)


def test_a_greenhouse_gas_without_gwp_is_a_warning(tmp_path):
    from cocontrol.project import load_project

    row = {k: v for k, v in NF3.items() if k != "gwp_AR6"}
    proj = load_project(_folder(tmp_path, [row], []))
    assert any("no GWP" in w.message for w in proj.warnings)


def test_a_measure_on_a_project_species(tmp_path):
    """A factor measure on Hg (halves its factor on the boiler B1, 200 t hard coal a year,
    tests/scenariofixture.py) cuts Hg in 2025 by 0.5 × 200 t × growth × 0.15 g/t."""
    from scenariofixture import MEASURES, SCENARIOS, measure

    from cocontrol.scenario import prepare, run, totals

    ms = pd.concat([MEASURES, pd.DataFrame([measure(
        "t_hg_cut", "factor", category="efficiency", sector="other_industry",
        fuel="hard_coal", species="Hg", magnitude=0.5, full_year=2025)])], ignore_index=True)
    sc = {**SCENARIOS, "scenarios": {**SCENARIOS["scenarios"],
                                     "hg": {"extends": "baseline",
                                            "measures": {"t_hg_cut": 1.0}}}}
    folder = write_scenario_project(tmp_path / "p", scenarios=sc, measures=ms)
    pd.concat([FACTORS, _factor("Hg", 0.15, "g/t")]).to_csv(folder / "factors.csv", index=False)
    pd.DataFrame([HG]).to_csv(folder / "species.csv", index=False)
    base = prepare(folder)
    b1 = np.flatnonzero((base.lines["source_id"] == "B1").to_numpy()
                        & (base.lines["fuel"] == "hard_coal").to_numpy())
    assert len(b1) == 1
    t = base.years.index(2025)
    hand = 0.5 * 200.0 * float(base.growth[b1[0], t]) * 0.15e-6
    cut = totals(run(base, "baseline")).loc["Hg", 2025] - totals(run(base, "hg")).loc["Hg", 2025]
    assert np.isclose(cut, hand, rtol=1e-12)
