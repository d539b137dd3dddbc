"""Invariants of the inventory: controlled ≤ uncontrolled, hierarchy sums equal totals,
CO2e = Σ GWP × mass, IAMC leaves add up to species totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocontrol import refdata


def test_controlled_not_above_uncontrolled(tiny_inventory):
    inv = tiny_inventory
    U = inv.uncontrolled()
    E = inv.emissions.copy()
    keep = np.setdiff1d(np.arange(len(inv.lines)), getattr(inv, "_measured_lines", []))
    assert np.all(E[keep] <= U[keep] + 1e-12)


@pytest.mark.parametrize("level", ["city", "district", "park", "enterprise", "facility",
                                   "region_id", "sector", "sector_parent", "fuel"])
def test_every_grouping_sums_to_total(tiny_inventory, level):
    inv = tiny_inventory
    tot = inv.aggregate([], scope="all")
    grp = inv.aggregate(level, scope="all").groupby(["species", "year"])["value"].sum(
        min_count=1)
    merged = tot.set_index(["species", "year"])["value"]
    g = grp.loc[merged.index].to_numpy()
    t = merged.to_numpy()
    # a species not estimated anywhere stays not estimated: no group has a positive value
    ne = np.isnan(t)
    assert np.all(np.nan_to_num(g[ne]) == 0)
    np.testing.assert_allclose(g[~ne], t[~ne], rtol=1e-12)


def test_co2e_is_gwp_weighted_sum(tiny_inventory):
    inv = tiny_inventory
    t = inv.total()
    g = refdata.gwp("AR6")
    np.testing.assert_allclose(t.loc["CO2e"], sum(g[s] * t.loc[s] for s in ("CO2", "CH4", "N2O")))


def test_ar5_changes_co2e_only(tiny, tmp_path):
    from tinyproject import MANIFEST, write_project

    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    a6 = compute(load_project(tiny)).total()
    p = write_project(tmp_path / "ar5", manifest=MANIFEST.replace("gwp: AR6", "gwp: AR5"))
    a5 = compute(load_project(p)).total()
    pd.testing.assert_frame_equal(a6.drop(index="CO2e"), a5.drop(index="CO2e"))
    assert a5.loc["CO2e", 2020] == pytest.approx(a5.loc["CO2", 2020] + 28 * a5.loc["CH4", 2020]
                                                 + 265 * a5.loc["N2O", 2020])


def test_iamc_format_and_consistency(tiny_inventory):
    iamc = tiny_inventory.to_iamc()
    assert list(iamc.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    assert 2020 in iamc.columns and 2021 in iamc.columns
    so2 = iamc[iamc["variable"].str.startswith("Emissions|SO2|")]
    total = iamc[iamc["variable"] == "Emissions|SO2"]
    assert so2[2020].sum() == pytest.approx(total[2020].sum())
    assert "Emissions|SO2|Energy Supply|Electricity" in set(iamc["variable"])
    assert set(total["unit"]) == {"kt SO2/yr"}
    assert "Indirect Emissions|CO2" in set(iamc["variable"])
    assert iamc.loc[iamc["variable"] == "Emissions|Kyoto Gases", "unit"].iloc[0] == \
        "Mt CO2-equiv/yr"


def test_unit_argument(tiny_inventory):
    t = tiny_inventory.aggregate("sector", unit="t")
    kt = tiny_inventory.aggregate("sector", unit="kt")
    np.testing.assert_allclose(t["value"] / 1000, kt["value"])


def test_unknown_grouping_is_a_clear_error(tiny_inventory):
    from cocontrol.errors import CocontrolError

    with pytest.raises(CocontrolError, match="cannot aggregate by 'province'"):
        tiny_inventory.aggregate("province")
