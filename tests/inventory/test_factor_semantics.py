"""Factor semantics, missing-is-not-zero and the physical invariants (issue 9, items 4 and 5).

Hand calculations with cited bundled factors:
- clinker PM10 0.234, PM2.5 0.130 kg/t: EMEP/EEA 2023 2.A.1 Table 3-1 (EU kilns WITH dust
  abatement, basis "abated");
- sinter PM10 0.100, PM2.5 0.080 kg/t: EMEP/EEA 2023 2.C.1 Table 3-2 (EU strands, abated);
- industrial coal boiler, unabated: PM10 23, PM2.5 6 kg/t (AP-42 Sec. 1.1 uncontrolled PC boiler,
  ash 20 %), BC 6.4 % of PM2.5 (EMEP/EEA 1.A.2 Table 3-2);
- fabric filter 0.996 (< 2.5 µm), 0.999 (2.5-10 µm): EMEP/EEA 2023 2.C.3 Table 3-5;
- residential hard coal BC 25.472 g/GJ (6.4 % of PM2.5 398 g/GJ, EMEP/EEA 1.A.4.b.i Table 3-3),
  OC = BC × 2.046 (CEDS GBD-MAPS China 2017 RCOR coal OC/BC, McDuffie et al. 2020).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinyproject import write_project

from cocontrol import refdata
from cocontrol.errors import InputError
from cocontrol.inventory import compute
from cocontrol.inventory.invariants import violations
from cocontrol.project import load_project

KEY = ["sector", "fuel", "process"]


def _act(rows):
    return pd.DataFrame([{"source_id": s, "region_id": "F1", "sector": sec, "fuel": f,
                          "process": p, "year": 2020, "value": v, "unit": u}
                         for s, sec, f, p, v, u in rows])


def _ctrl(rows):
    return pd.DataFrame([{"source_id": s, "technology": t, "share": sh, "year": None}
                         for s, t, sh in rows], columns=["source_id", "technology", "share",
                                                         "year"])


def _inv(tmp_path, act, ctrl=None, name="p"):
    p = write_project(tmp_path / name, activity=_act(act), controls=ctrl, factors=None,
                      measured=None)
    return compute(load_project(p))


def _val(inv, source, species, year=2020):
    d = inv.aggregate("source_id")
    d = d[(d.source_id == source) & (d.species == species) & (d.year == year)]
    return float(d["value"].iloc[0]), str(d["estimate"].iloc[0])


def test_bundled_factors_keep_the_size_and_component_order():
    e = refdata.table("ef_air")
    e = e[e["value"].notna()].fillna({"fuel": "", "process": ""})
    pv = e.pivot_table(index=[*KEY, "basis", "unit"], columns="species", values="value",
                       aggfunc="first")
    assert (pv["PM2.5"] <= pv["PM10"]).where(pv[["PM2.5", "PM10"]].notna().all(axis=1),
                                             True).all()
    comp = pv["BC"].fillna(0) + pv["OC"].fillna(0)
    assert (comp <= pv["PM2.5"]).where(pv["PM2.5"].notna(), True).all()
    # every bundled factor says whether it describes abated or unabated plants, with a reason
    assert set(e["basis"]) <= {"abated", "unabated"}
    clinker = e[(e.process == "clinker") & (e.species == "PM2.5")]
    assert clinker["basis"].tolist() == ["abated"] and "BREF" in clinker["basis_note"].iloc[0]


def test_kiln_with_fabric_filter_is_not_abated_twice(tmp_path):
    # defect: fabric filter on the EU (abated) clinker factor gave PM2.5 0.13 x 0.004 = 0.52 g/t
    # above PM10 0.234 x 0.00178 = 0.42 g/t; now a plain error names the source and factor
    with pytest.raises(InputError, match=r"K1.*second time.*2\.A\.1"):
        _inv(tmp_path, [("K1", "cement", None, "clinker", 1000.0, "t")],
             _ctrl([("K1", "fabric_filter", 1.0)]))
    # without a declared control the bundled (abated) factor is used as it is
    inv = _inv(tmp_path, [("K1", "cement", None, "clinker", 1000.0, "t")], name="q")
    assert _val(inv, "K1", "PM2.5")[0] == pytest.approx(0.130)
    assert _val(inv, "K1", "PM10")[0] == pytest.approx(0.234)


def test_declared_filter_uses_the_unabated_factor_by_size_bin(tmp_path):
    inv = _inv(tmp_path, [("B1", "other_industry", "hard_coal", None, 1000.0, "t")],
               _ctrl([("B1", "fabric_filter", 1.0)]))
    pm25 = 1000 * 6.0 * (1 - 0.996) / 1000  # t
    pm10 = 1000 * (6.0 * (1 - 0.996) + (23.0 - 6.0) * (1 - 0.999)) / 1000
    assert _val(inv, "B1", "PM2.5")[0] == pytest.approx(pm25, rel=1e-9)
    assert _val(inv, "B1", "PM10")[0] == pytest.approx(pm10, rel=1e-9)
    assert _val(inv, "B1", "BC")[0] == pytest.approx(1000 * 0.384 * 0.004 / 1000, rel=1e-9)
    assert set(inv.unabated_factors["species"]) >= {"PM10", "PM2.5", "BC"}
    # the same boiler without a filter keeps the EMEP/EEA (typical, abated) factor:
    # 108 g/GJ x 25.8 GJ/t x 1000 t
    inv2 = _inv(tmp_path, [("B1", "other_industry", "hard_coal", None, 1000.0, "t")], name="q")
    assert _val(inv2, "B1", "PM2.5")[0] == pytest.approx(108e-6 * 25.8 * 1000, rel=1e-9)


def test_sinter_strand_gets_its_cited_pm_factor_not_zero(tmp_path):
    inv = _inv(tmp_path, [("S1", "steel", None, "sinter", 1e6, "t")])
    assert _val(inv, "S1", "PM2.5") == (pytest.approx(80.0), "")  # 80 g/Mg x 1e6 t
    assert _val(inv, "S1", "PM10")[0] == pytest.approx(100.0)
    v, est = _val(inv, "S1", "OC")
    assert np.isnan(v) and est == "not estimated"


def test_oc_estimated_from_a_published_ratio_and_otherwise_not_estimated(tmp_path):
    inv = _inv(tmp_path, [("R1", "residential", "hard_coal", None, 100.0, "t"),
                          ("U1", "power", "hard_coal", None, 100.0, "t")])
    bc = 100 * 25.8 * 25.472e-6  # t
    assert _val(inv, "R1", "BC")[0] == pytest.approx(bc, rel=1e-9)
    assert _val(inv, "R1", "OC")[0] == pytest.approx(bc * 2.046, rel=1e-6)
    v, est = _val(inv, "U1", "OC")  # no published OC fraction bundled for power coal
    assert np.isnan(v) and est == "not estimated"
    tot = inv.aggregate([])
    oc = tot[(tot.species == "OC") & (tot.year == 2020)]
    assert oc["estimate"].iloc[0] == "partial: 1 line(s) not estimated"
    assert (inv.not_estimated["species"] == "OC").any()
    assert inv.not_estimated["reason"].str.len().gt(10).all()
    # wide tables and the Excel export never turn "not estimated" into 0
    wide = inv.aggregate("source_id", wide=True)
    row = wide[(wide.source_id == "U1") & (wide.species == "OC")]
    assert np.isnan(row[2020].iloc[0]) and row["estimate"].iloc[0] == "not estimated"


TECHS = ["fabric_filter", "esp", "wet_esp", "multicyclone", "wet_fgd", "scr", "sncr", "lnb",
         "ule_power", "water_spraying", "enclosure", "road_sweeping", "activated_carbon"]
LINES = [("power", "raw_coal_cn", None, "t"), ("heat_supply", "hard_coal", None, "t"),
         ("other_industry", "raw_coal_cn", None, "t"), ("residential", "biomass", None, "t"),
         ("chemicals", "natural_gas", None, "kNm3"), ("coking", None, "coke_production", "t"),
         ("construction_dust", None, "building_construction", "m**2"),
         ("road_dust", None, "paved_road_traffic", "vkm"), ("commercial", "hard_coal", None, "t"),
         ("coating", None, "industrial_coating", "t")]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_invariants_hold_for_every_line_property(tmp_path_factory, data):
    n = data.draw(st.integers(1, 4))
    act, ctrl = [], []
    for i in range(n):
        sec, fuel, proc, unit = data.draw(st.sampled_from(LINES))
        act.append((f"S{i}", sec, fuel, proc, data.draw(st.floats(0, 1e6)), unit))
        techs = data.draw(st.lists(st.sampled_from(TECHS), max_size=3, unique=True))
        shares = [data.draw(st.floats(0, 1)) for _ in techs]
        tot = sum(shares)
        ctrl += [(f"S{i}", t, s / max(tot, 1.0)) for t, s in zip(techs, shares, strict=True)]
    try:
        inv = _inv(tmp_path_factory.mktemp("h"), act, _ctrl(ctrl) if ctrl else None)
    except InputError as e:  # a control on an already-abated factor is refused, not applied
        assert "second time" in str(e)
        return
    bad = violations(inv)
    assert bad.empty, bad.head()


def test_factor_report_says_whether_each_factor_is_abated():
    """The factor report (and the report's factor table) shows each factor's basis: the demo's
    lime kiln PM10 (EMEP/EEA 2.A.2, EU plants with dust abatement) is abated, its own clinker
    factors (factors.csv: uncontrolled by the schema) unabated, an NE row not applicable."""
    from pathlib import Path

    from cocontrol import i18n
    from cocontrol.project import load_project

    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
    fr = compute(load_project(demo)).factor_report()
    assert set(fr["basis"]) == {"abated", "unabated", "n/a"}
    key = ["sector", "process", "species"]
    row = lambda s, p, sp: fr[(fr[key] == [s, p, sp]).all(axis=1)].iloc[0]  # noqa: E731
    assert row("lime", "quicklime", "PM10")["basis"] == "abated"
    assert row("cement", "clinker", "PM10")["set"] == "user"
    assert row("cement", "clinker", "PM10")["basis"] == "unabated"
    assert (fr.loc[fr["method"] == "not_estimated", "basis"] == "n/a").all()
    assert i18n.value("fbasis_", "abated", "zh").startswith("已含治理")


def test_abate_twice_error_names_only_the_technologies_that_remove_the_species(tmp_path):
    # fabric filter (PM, BC, OC: EMEP/EEA 2.C.3 Table 3-5) and wet FGD (SO2 only) on the
    # abated clinker factor: the PM problems name the filter, never the FGD
    with pytest.raises(InputError) as e:
        _inv(tmp_path, [("K1", "cement", None, "clinker", 1000.0, "t")],
             _ctrl([("K1", "fabric_filter", 0.5), ("K1", "wet_fgd", 0.5)]))
    pm = [p for p in e.value.problems if "PM2.5" in str(p.message)]
    assert pm and {p.value for p in pm} == {"K1: fabric_filter"}
