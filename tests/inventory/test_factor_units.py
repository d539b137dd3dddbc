"""Factor unit conversions across mass and energy by the fuel's net calorific value
(inventory/factors.py, activity_per_denominator): hard coal NCV 25.8 GJ/t (IPCC 2006 Vol.2
Ch.1 Table 1.2, bundled fuels.csv), both directions, and the plain errors."""

from __future__ import annotations

import pytest

from cocontrol import units
from cocontrol.inventory.factors import activity_per_denominator


def test_mass_activity_per_energy_denominator_and_back():
    assert activity_per_denominator("t", "GJ", "hard_coal") == pytest.approx(25.8)
    assert activity_per_denominator("kt", "TJ", "hard_coal") == pytest.approx(25.8)
    # an activity in energy units against a factor per tonne: 1 GJ is 1/25.8 t of coal
    assert activity_per_denominator("GJ", "t", "hard_coal") == pytest.approx(1 / 25.8)
    assert activity_per_denominator("TJ", "kg", "hard_coal") == pytest.approx(1e6 / 25.8)
    assert activity_per_denominator("MWh", "MWh", None) == 1.0


def test_conversions_that_cannot_be_made_are_unit_errors():
    with pytest.raises(units.UnitError):
        activity_per_denominator("t", "GJ", None)  # a process: no calorific value
    with pytest.raises(units.UnitError, match="calorific"):
        activity_per_denominator("MWh", "t", "electricity")
    with pytest.raises(units.UnitError):
        activity_per_denominator("t", "m3", "hard_coal")
    # an unknown fuel code: a unit error that names it (was a bare KeyError 'nofuel')
    with pytest.raises(units.UnitError, match="unknown fuel 'nofuel'.*fuels.csv"):
        activity_per_denominator("t", "GJ", "nofuel")


def test_user_factor_per_tonne_of_electricity_is_an_input_error(tmp_path):
    # electricity has no calorific value (and no NCV unit): a factor in kg/t for an activity
    # in MWh cannot be converted; before the fix this ended in a ValueError traceback
    import pandas as pd
    from tinyproject import FACTORS, write_project

    from cocontrol.errors import MissingFactorError
    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    row = pd.DataFrame({"sector": ["cement"], "fuel": ["electricity"], "process": [None],
                        "species": ["NOx"], "value": [1.0], "unit": ["kg/t"],
                        "source": ["test"], "source_id": [None]})
    p = write_project(tmp_path / "p", factors=pd.concat([FACTORS, row], ignore_index=True))
    with pytest.raises(MissingFactorError, match="column unit: fuel electricity has no "
                                                 "calorific value to convert MWh to t"):
        compute(load_project(p))


def test_a_calorific_value_of_zero_is_an_error_not_a_zero_factor(monkeypatch):
    # NCV 0 would turn every factor per GJ into 0 t per tonne: an error, like a missing NCV
    from cocontrol.inventory import factors as fmod

    monkeypatch.setattr(fmod, "_fuel_row", lambda f: {"ncv": 0.0, "ncv_unit": "GJ/t"})
    with pytest.raises(units.UnitError, match="calorific"):
        activity_per_denominator.__wrapped__("t", "GJ", "zero_ncv_fuel")


def test_resolve_for_the_species_asked_and_the_biogenic_flag():
    # resolve() works for the species it is given (a project's own list), in that order;
    # power × hard coal: SO2 820 g/GJ (EMEP/EEA 2023 1.A.1.a Table 3-2) × 25.8 GJ/t, CO2
    # 25.8 GJ/t × 25.8 kg C/GJ × 44/12 (IPCC 2006 Vol.2 Eq. 2.1); biomass is biogenic
    import pandas as pd

    from cocontrol.inventory.factors import resolve

    combos = pd.DataFrame({"sector": ["power", "power"], "fuel": ["hard_coal", "biomass"],
                           "process": [None, None], "unit": ["t", "t"]})
    user = pd.DataFrame(columns=["sector", "fuel", "process", "species", "value", "unit",
                                 "source", "source_id"])
    ft = resolve(combos, user, grid_factor=0.5, heat_factor=0.1, species=("SO2", "CO2"))
    assert ft.species == ("SO2", "CO2") and ft.multiplier.shape == (2, 2)
    assert ft.multiplier[0].tolist() == pytest.approx([820e-6 * 25.8,
                                                       25.8 * 25.8 * 44 / 12 / 1000])
    assert ft.combos["biogenic"].tolist() == [False, True]


def test_resolve_for_species_without_co2_or_so2_leaves_out_the_derived_factors():
    # the fuel CO2 (carbon content), scope-2 and sulphur-balance factors are derived for
    # CO2/SO2 only; asked for NOx alone they must not be added (this raised IndexError):
    # power × hard coal NOx 209 g/GJ (EMEP/EEA 2023 1.A.1.a Table 3-2) × 25.8 GJ/t
    import pandas as pd

    from cocontrol.inventory.factors import resolve

    combos = pd.DataFrame({"sector": ["power", "power"], "fuel": ["hard_coal", "electricity"],
                           "process": [None, None], "unit": ["t", "MWh"]})
    user = pd.DataFrame(columns=["sector", "fuel", "process", "species", "value", "unit",
                                 "source", "source_id"])
    ft = resolve(combos, user, grid_factor=0.5, heat_factor=0.1, species=("NOx",),
                 so2_method="sulfur_balance")
    assert ft.species == ("NOx",) and ft.multiplier.shape == (2, 1)
    assert ft.multiplier[0, 0] == pytest.approx(209e-6 * 25.8)
    assert set(ft.provenance["species"]) <= {"NOx"}


def test_ncv_bridge_needs_both_sides_to_match_the_ncv_unit():
    # hard coal NCV 25.8 GJ/t (IPCC 2006 Vol.2 Table 1.2): t -> GJ is x 25.8, GJ -> t / 25.8;
    # t -> m3 or GJ -> m3 match only one side of GJ/t, so no bridge: the error names the fuel
    assert activity_per_denominator("t", "GJ", "hard_coal") == pytest.approx(25.8)
    assert activity_per_denominator("GJ", "t", "hard_coal") == pytest.approx(1 / 25.8)
    for act, den in (("t", "m3"), ("GJ", "m3")):
        with pytest.raises(units.UnitError, match=f"cannot convert '{act}' of hard_coal to 'm3'"):
            activity_per_denominator(act, den, "hard_coal")


def test_resolved_tables_have_the_documented_columns_and_a_process_is_not_biogenic():
    # FactorTable.combos: sector, fuel, process, unit + combo, scope, biogenic (no stray index
    # column); provenance: combo, species, set, method, value, unit, source, t_per_activity,
    # basis. A process line (clinker: no fuel, so no row of fuels.csv) is fossil, scope 1;
    # biomass is biogenic (fuels.csv), electricity scope 2
    import pandas as pd

    from cocontrol.inventory.factors import resolve

    combos = pd.DataFrame({"sector": ["cement", "power", "cement"],
                           "fuel": [None, "biomass", "electricity"],
                           "process": ["clinker", None, None], "unit": ["t", "t", "MWh"]},
                          index=[7, 8, 9])
    user = pd.DataFrame(columns=["sector", "fuel", "process", "species", "value", "unit",
                                 "source", "source_id"])
    ft = resolve(combos, user, grid_factor=0.5, heat_factor=0.1, species=("CO2", "NOx"))
    assert list(ft.combos.columns) == ["sector", "fuel", "process", "unit", "combo", "scope",
                                       "biogenic"]
    assert ft.combos["combo"].tolist() == [0, 1, 2]
    assert ft.combos["biogenic"].tolist() == [False, True, False]
    assert ft.combos["scope"].tolist() == [1, 1, 2]
    assert list(ft.provenance.columns) == ["combo", "species", "set", "method", "value", "unit",
                                           "source", "t_per_activity", "basis"]
    assert ft.provenance.index.tolist() == list(range(len(ft.provenance)))
    assert ft.multiplier[2, 0] == pytest.approx(0.5)  # 0.5 t CO2/MWh grid factor
