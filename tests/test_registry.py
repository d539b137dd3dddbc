"""Registries built from data (cocontrol.registry): one spelling per species, groups, GWP and
pollution-equivalent links from the tables; a new species is a data row."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cocontrol import refdata, registry  # noqa: E402
from cocontrol.errors import CocontrolError  # noqa: E402


def test_one_spelling_for_the_usual_variants():
    sp = registry.species()
    for alias, code in [("NMVOC", "VOCs"), ("VOC", "VOCs"), ("vocs", "VOCs"),
                        ("PM25", "PM2.5"), ("pm2.5", "PM2.5"), ("SO₂", "SO2"), ("nox", "NOx")]:
        assert sp.canonical(alias) == code, alias
    assert sp.canonical("TSP") is None and sp.canonical(None) is None


def test_groups_gwp_and_pev_come_from_the_tables():
    sp = registry.species()
    tab = refdata.table("species")
    assert sp.codes == tuple(tab["code"])
    assert sp.group("ghg") == tuple(tab.loc[tab["group"] == "ghg", "code"])
    assert refdata.GHG_SPECIES == sp.group("ghg") and refdata.SPECIES == sp.codes
    # IPCC AR6 WG1 Table 7.15: N2O GWP100 = 273; AR5 Table 8.7: CH4 = 28
    assert sp["N2O"].gwp["AR6"] == 273 and sp.gwp("AR5")["CH4"] == 28
    # Environmental Protection Tax Law annex 2: SO2 0.95 kg and NH3 9.09 kg per equivalent
    assert sp["SO2"].pev_kg == 0.95 and sp.pev()["NH3"] == 9.09
    with pytest.raises(CocontrolError, match="unknown species"):
        sp["Hg"]


def test_a_spelling_claimed_by_two_species_is_refused():
    tab = pd.DataFrame({"code": ["A", "B"], "name_en": ["a", "b"], "name_zh": ["甲", "乙"],
                        "group": ["air", "air"], "iamc": ["A", "B"], "aliases": ["X", "x"],
                        "source": ["t", "t"]})
    with pytest.raises(CocontrolError, match="both A and B"):
        registry.SpeciesRegistry(tab)


def test_registries_are_read_only():
    sp = registry.species()
    with pytest.raises(TypeError):
        sp["CH4"].gwp["AR6"] = 1.0  # mapping proxy
    with pytest.raises(AttributeError):
        sp["CH4"].code = "X"  # frozen dataclass
    assert "power" in registry.sectors() and registry.fuels()["hard_coal"]["kind"] == "solid"


@pytest.fixture()
def mercury(monkeypatch):
    """Mercury added as ONE data row of species.csv (the bundled table seen through refdata);
    no code knows the name Hg."""
    orig = refdata.table

    def table(name):
        df = orig(name)
        if name == "species":
            row = {"code": "Hg", "name_en": "Mercury", "name_zh": "汞", "group": "air",
                   "iamc": "Hg", "aliases": "mercury", "source": "test row"}
            df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
        return df

    monkeypatch.setattr(refdata, "table", table)
    registry.refresh()
    yield "Hg"
    registry.refresh()


def test_new_species_by_data_alone_reaches_inventory_scenarios_and_reports(mercury, tmp_path):
    from scenariofixture import write_scenario_project
    from tinyproject import FACTORS

    from cocontrol.inventory import compute
    from cocontrol.project import load_project
    from cocontrol.report.inventory import inventory_report
    from cocontrol.scenario import prepare, run, totals

    # a user factor for the new species: 0.15 g Hg per t of hard coal, any sector
    hg = pd.DataFrame({"sector": ["*"], "fuel": ["hard_coal"], "process": [None],
                       "species": ["Hg"], "value": [0.15], "unit": ["g/t"],
                       "source": ["test factor"], "source_id": [None]})
    folder = write_scenario_project(tmp_path / "p")
    pd.concat([FACTORS, hg]).to_csv(folder / "factors.csv", index=False)
    proj = load_project(folder)
    inv = compute(proj)
    assert "Hg" in inv.species
    by = inv.aggregate([], species=["Hg"], unit="t", co2e=False)
    coal = proj.activity[(proj.activity["fuel"] == "hard_coal")]
    assert set(coal["unit"]) == {"t"}
    hand = float(coal["value"].sum()) * 0.15e-6  # t Hg = t coal × 0.15 g/t
    assert np.isclose(float(by["value"].sum()), hand)

    base = prepare(folder)
    r = run(base, "baseline")
    assert "Hg" in totals(r).index
    assert np.isclose(float(totals(r).loc["Hg"].iloc[0]), hand)

    html = inventory_report(inv, tmp_path / "out" / "inventory_report.html")
    text = Path(html).read_text(encoding="utf-8")
    assert ">Hg<" in text or '"Hg"' in text  # a table cell or a chart trace


def test_air_quality_precursors_use_the_species_spelling():
    """Precursors that are inventory species are spelled as the species (data:
    data/airquality/precursors.csv), and the species' other spellings reach them."""
    from cocontrol.airquality import PRECURSORS
    from cocontrol.airquality.base import canonical_precursor

    tab = pd.read_csv(Path(registry.__file__).parent / "data" / "airquality" / "precursors.csv")
    linked = tab[tab["species"].notna()]
    assert (linked["code"] == linked["species"]).all()
    assert set(linked["code"]) <= set(registry.species().codes)
    assert "VOCs" in PRECURSORS and "NMVOC" not in PRECURSORS
    assert canonical_precursor("SO₂") == "SO2"  # a spelling of the species registry
    assert canonical_precursor("nmvoc") == "VOCs" and canonical_precursor("PM25") == "PM2.5_other"
    assert canonical_precursor("PM2.5") is None  # total primary PM2.5 is not a precursor
