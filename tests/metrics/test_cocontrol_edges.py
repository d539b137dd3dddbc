"""Co-control metrics (metrics/cocontrol.py): cases where planted bugs survived (make
mutate): the source of the VOC equivalent value, unit conversion and gaps in tidy tables,
relative reductions, the error row of a bad unit, which key lacks a baseline, labels in
English and small combined reductions. Values: EPTL annex 2 (SO2 0.95 kg/eq); 2015 VOC
pilot (财税〔2015〕71号, 0.95 kg/eq)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol.errors import InputError
from cocontrol.metrics.cocontrol import (
    cocontrol_metrics,
    coordinates,
    emissions_wide,
    pev_table,
    reductions,
    unit_costs,
)


def test_voc_value_cites_the_pilot_only_when_it_is_the_pilot_value():
    src = pev_table().set_index("species")["source"]
    assert "财税〔2015〕71号" in src["VOCs"]
    assert pev_table(voc=1.9).set_index("species").at["VOCs", "source"] == "user choice"


def test_tidy_table_units_converted_and_gaps_are_zero():
    t = pd.DataFrame({"measure": ["a", "a", "b"], "species": ["CO2", "SO2", "CO2"],
                      "value": [2.0, 500.0, 3.0], "unit": ["kt", "kg", "Mt/yr"]})
    w = emissions_wide(t, by=["measure"])
    assert w.at["a", "CO2"] == 2000.0 and w.at["a", "SO2"] == 0.5
    assert w.at["b", "CO2"] == 3e6 and w.at["b", "SO2"] == 0.0  # b emits no SO2


def test_bad_unit_names_its_first_row():
    t = pd.DataFrame({"species": ["CO2", "SO2", "NOx", "SO2"], "value": [1.0] * 4,
                      "unit": ["t", "furlong", "t", "furlong"]})
    with pytest.raises(InputError) as e:
        emissions_wide(t, file="e.csv")
    p = e.value.problems[0]
    assert p.row == 3 and p.value == "furlong" and p.file == "e.csv"


def test_relative_reduction_is_reduction_over_baseline():
    b = pd.DataFrame({"CO2": [200.0], "SO2": [0.0]}, index=pd.Index(["x"], name="key"))
    s = pd.DataFrame({"CO2": [150.0], "SO2": [0.0]}, index=pd.Index(["x"], name="key"))
    r = reductions(b, s).set_index("species")
    assert r.at["CO2", "reduction_t"] == 50.0 and r.at["CO2", "reduction_frac"] == 0.25
    assert np.isnan(r.at["SO2", "reduction_frac"])  # zero baseline: not a ratio


def test_missing_baseline_names_the_first_key_without_one():
    base = pd.DataFrame({"year": [2030, 2030], "species": ["CO2", "SO2"], "value": [1.0, 1.0]})
    scen = pd.DataFrame({"measure": ["m1", "m1", "m2", "m2", "m2", "m2"],
                         "year": [2040, 2040, 2050, 2050, 2030, 2030],
                         "species": ["CO2", "SO2"] * 3, "value": [1.0] * 6})
    with pytest.raises(InputError) as e:
        cocontrol_metrics(emissions_wide(base, ["year"]), emissions_wide(scen, ["measure",
                                                                                "year"]))
    assert "2040" in e.value.problems[0].message


def test_quadrant_labels_in_english_by_default():
    c = coordinates([1.0, -1.0], [1.0, 1.0])
    assert c["quadrant_label"].tolist() == ["I: both fall (co-control)",
                                            "II: pollutant falls, CO2 does not"]


def test_cost_per_cocontrol_equivalent_with_small_reductions():
    # R_APeq 0.2 eq + w R_CO2 with w = 80/1.2 and R_CO2 = 0.003 t: 0.2 + 0.2 = 0.4 eq
    m = pd.DataFrame({"cost_yuan": [2.0], "CO2_reduction_t": [0.003], "APeq_reduction": [0.2]})
    u = unit_costs(m).iloc[0]
    assert u["yuan_per_cocontrol_eq"] == pytest.approx(2.0 / 0.4)
