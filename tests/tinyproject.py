"""A tiny project whose inventory can be computed by hand (see test_inventory_values.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

MANIFEST = """\
name: Tiny Test City
base_year: 2020
years: [2020, 2021]
gwp: AR6
factor_sets: [user, default]
so2_method: factor
grid_factor: cn_national_2022
heat_factor: cn_heat_default
illustrative: true
"""

REGIONS = pd.DataFrame({
    "region_id": ["C", "D1", "D2", "P1", "E1", "F1"],
    "parent_id": [None, "C", "C", "D1", "P1", "E1"],
    "level": ["city", "district", "district", "park", "enterprise", "facility"],
    "name": ["Tiny", "District 1", "District 2", "Park 1", "Enterprise 1", "Unit 1"],
    "name_zh": ["小城", "一区", "二区", "一园", "一厂", "一号机组"],
})

ACTIVITY = pd.DataFrame({
    "source_id": ["U1", "U1", "K1", "R1", "E1EL"],
    "region_id": ["F1", "F1", "E1", "D2", "E1"],
    "sector": ["power", "power", "cement", "residential", "cement"],
    "fuel": ["hard_coal", "hard_coal", None, "hard_coal", "electricity"],
    "process": [None, None, "clinker", None, None],
    "year": [2020, 2021, 2020, 2020, 2020],
    "value": [1000.0, 2.0, 500.0, 100.0, 100.0],
    "unit": ["t", "kt", "t", "t", "MWh"],
})

CONTROLS = pd.DataFrame({
    "source_id": ["U1", "U1"], "technology": ["wet_fgd", "scr"], "share": [1.0, 0.5],
    "year": [None, None],
})

FACTORS = pd.DataFrame({
    "sector": ["residential"], "fuel": ["hard_coal"], "process": [None], "species": ["PM2.5"],
    "value": [5.0], "unit": ["kg/t"], "source": ["test: user factor"], "source_id": [None],
})

MEASURED = pd.DataFrame({
    "source_id": ["U1"], "species": ["SO2"], "year": [2021], "value": [0.5], "unit": ["t"],
    "method": ["CEMS"],
})


def write_project(folder: Path, excel: bool = False, **override) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "project.yaml").write_text(override.pop("manifest", MANIFEST), encoding="utf-8")
    tables = {"regions": REGIONS, "activity": ACTIVITY, "controls": CONTROLS,
              "factors": FACTORS, "measured": MEASURED}
    tables.update(override)
    if excel:
        with pd.ExcelWriter(folder / "inputs.xlsx") as xw:
            for name, df in tables.items():
                if df is not None:
                    df.to_excel(xw, sheet_name=name, index=False)
    else:
        for name, df in tables.items():
            if df is not None:
                df.to_csv(folder / f"{name}.csv", index=False)
    return folder
