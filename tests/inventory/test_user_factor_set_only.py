"""``factor_sets: [user]`` without a single user factor (factors.py, look-up order): the
computed factors still apply, every applicable species without a factor is a missing factor,
never a crash and never a silent 0.

Hand calculation with the bundled fuel data (src/cocontrol/data/fuels.csv, ``hard_coal``):
NCV 25.8 GJ/t (IPCC 2006 Vol.2 Ch.1 Table 1.2), carbon content 25.8 kg C/GJ (Table 1.3),
oxidation 1.0 (Sec. 1.4.2.1); CO2 = NCV × carbon content × 44/12 × oxidation
(IPCC 2006 Vol.2 Ch.2 Eq. 2.1). Scope 2: 0.5366 t CO2/MWh (MEE & NBS 2024, 2022 national
average).
"""

from __future__ import annotations

import math

import pytest
from tinyproject import FACTORS, MANIFEST, write_project

from cocontrol.errors import MissingFactorError
from cocontrol.inventory import compute
from cocontrol.project import load_project

#: the species of the bundled factors for power × hard coal that no computed factor gives
#: (CO2: Eq. 2.1; BC, OC: PM2.5 components, not estimated without a speciation fraction)
POWER_COAL_MISSING = {"SO2", "NOx", "PM2.5", "PM10", "VOCs", "CO", "NH3", "CH4", "N2O"}


@pytest.fixture
def user_only(tmp_path):
    manifest = MANIFEST.replace("factor_sets: [user, default]", "factor_sets: [user]")
    assert manifest != MANIFEST
    return load_project(write_project(tmp_path / "user-only", manifest=manifest,
                                      factors=FACTORS.iloc[:0]))


def _val(inv, species, key, scope=1):
    d = inv.aggregate("source_id", kind="controlled", scope=scope)
    d = d[(d["source_id"] == key) & (d["species"] == species) & (d["year"] == 2020)]
    assert len(d) == 1
    return float(d["value"].iloc[0])


def test_computed_factors_apply_and_gaps_are_missing(user_only):
    inv = compute(user_only, strict=False)
    # U1 2020: 1000 t × 25.8 GJ/t × 25.8 kg C/GJ × 44/12 × 1.0 / 1000 = 2440.68 t CO2
    expected = 1000 * 25.8 * 25.8 * (44 / 12) * 1.0 / 1000
    assert _val(inv, "CO2", "U1") == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(2440.68, abs=0.01)
    # scope 2 (grid factor): 100 MWh × 0.5366 t/MWh
    assert _val(inv, "CO2", "E1EL", scope=2) == pytest.approx(53.66, rel=1e-12)

    messages = [str(p.message) for p in inv.missing]
    for sp in POWER_COAL_MISSING:
        assert any(m.startswith(f"no {sp} emission factor for sector power with hard_coal")
                   for m in messages), sp
        assert math.isnan(_val(inv, sp, "U1")), sp  # missing: not estimated, never 0
    # a process has no computed factor: clinker CO2 is missing as well
    assert any(m.startswith("no CO2 emission factor for sector cement with clinker")
               for m in messages)
    assert not any(m.startswith("no CO2 emission factor for sector power") for m in messages)


def test_strict_raises_missing_factor(user_only):
    with pytest.raises(MissingFactorError) as e:
        compute(user_only, strict=True)
    text = str(e.value)
    assert "no NOx emission factor for sector power with hard_coal" in text
    assert "no CO2 emission factor for sector cement with clinker" in text


def test_missing_rows_of_a_table_not_read_from_a_file(user_only):
    # a project built in code (as bench/inventory.py's) has no ``_row``: its rows are named
    # as a CSV of the table would number them (header 1), the same numbers as when read
    read = [str(p.message) for p in compute(user_only, strict=False).missing]
    assert "_row" in user_only.activity
    user_only.activity = user_only.activity.drop(columns="_row")
    built = [str(p.message) for p in compute(user_only, strict=False).missing]
    assert built == read
    assert "no NOx emission factor for sector power with hard_coal (1 row(s): 2)" in built
