"""Inventory benchmark (issue #2): national-scale synthetic input.

1,000,000 source lines × 12 species × 10 years (10 million activity rows), half of the sources
under control technologies, factors resolved through the real look-up. Prints throughput,
peak memory (process max RSS), and the same arithmetic as one fused numpy expression on
preallocated arrays (the physical-limit reference), with the ratio. Target: ≤ 3× the
reference, peak memory < 4 GB.

Usage: python bench/inventory.py [N_SOURCES]
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from cocontrol import refdata
from cocontrol.inventory import engine
from cocontrol.project.loader import Project
from cocontrol.project.manifest import Manifest


def rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def synthetic(n: int, years: list[int], seed: int = 1) -> Project:
    rng = np.random.default_rng(seed)
    ef = refdata.table("ef_air")
    fuels = refdata.table("fuels").set_index("code")
    combos = ef[ef["fuel"].notna() & (ef["sector"] != "*")][["sector", "fuel"]]
    combos = combos.drop_duplicates().reset_index(drop=True)
    combos = combos[~combos["fuel"].map(fuels["kind"]).isin(["electricity", "heat"])]
    gas = combos["fuel"].map(fuels["ncv_unit"]).str.endswith("Nm3")
    combos["unit"] = np.where(gas, "kNm3", "t")
    combos = combos.reset_index(drop=True)
    n_dist, n_ent = 300, 100_000
    regions = pd.DataFrame({
        "region_id": ["CN"] + [f"D{i}" for i in range(n_dist)] + [f"E{i}" for i in range(n_ent)],
        "parent_id": [None] + ["CN"] * n_dist + [f"D{i % n_dist}" for i in range(n_ent)],
        "level": ["city"] + ["district"] * n_dist + ["enterprise"] * n_ent,
    })
    regions["name"] = regions["region_id"]
    pick = rng.integers(0, len(combos), n)
    src = pd.Categorical.from_codes(np.arange(n), categories=[f"S{i}" for i in range(n)])
    ent = rng.integers(0, n_ent, n)
    reg = pd.Categorical.from_codes(ent + 1 + n_dist, categories=regions["region_id"])
    Y = len(years)
    rep = lambda a: np.repeat(a, Y)  # noqa: E731
    activity = pd.DataFrame({
        "source_id": pd.Categorical.from_codes(rep(src.codes), src.categories),
        "region_id": pd.Categorical.from_codes(rep(reg.codes), reg.categories),
        "sector": pd.Categorical(combos["sector"].to_numpy()[rep(pick)]),
        "fuel": pd.Categorical(combos["fuel"].to_numpy()[rep(pick)]),
        "process": pd.Categorical([None] * (n * Y), categories=["x"]),
        "unit": pd.Categorical(combos["unit"].to_numpy()[rep(pick)]),
        "year": np.tile(np.array(years, dtype=np.int64), n),
        "value": rng.uniform(10, 1e5, n * Y),
    })
    techs = refdata.table("control_removal")["technology"].unique()
    ctl = rng.random(n) < 0.5
    controls = pd.DataFrame({
        "source_id": pd.Categorical.from_codes(src.codes[ctl], src.categories),
        "technology": rng.choice(techs, int(ctl.sum())),
        "share": rng.uniform(0.5, 1.0, int(ctl.sum())),
        "year": np.nan,
    })
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in
                          ["sector", "fuel", "process", "species", "value", "unit", "source",
                           "source_id"]})
    m = Manifest(name="synthetic national", base_year=years[0], years=years)
    return Project(folder=None, manifest=m, regions=regions, activity=activity,
                   controls=controls, factors=empty,
                   measured=pd.DataFrame(columns=["source_id", "species", "year", "value",
                                                  "unit", "method"]))


def main(n: int = 1_000_000) -> None:
    years = list(range(2021, 2031))
    S, Y = len(refdata.SPECIES), len(years)
    t0 = time.perf_counter()
    proj = synthetic(n, years)
    t_gen = time.perf_counter() - t0
    print(f"synthetic input: {n:,} sources × {Y} years = {len(proj.activity):,} activity rows "
          f"({t_gen:.1f} s to generate)")

    t0 = time.perf_counter()
    inv = engine.compute(proj, strict=False)
    t_eng = time.perf_counter() - t0
    cells = n * S * Y
    print(f"engine.compute (pivot, factor look-up, controls): {t_eng:.2f} s, "
          f"{cells / t_eng / 1e6:.1f} M values/s ({cells:,} values)")
    if inv.missing:
        print(f"  ({len(inv.missing)} combinations without some factor, left as NaN)")

    t0 = time.perf_counter()
    agg = inv.aggregate(["district", "sector"], unit="kt")
    t_agg = time.perf_counter() - t0

    # core arithmetic of the engine on its own arrays (what the reference does)
    inv.emissions = None
    del proj
    t0 = time.perf_counter()
    E = inv._controlled()
    t_core = time.perf_counter() - t0

    # physical-limit reference: the same arithmetic as one fused expression on preallocated,
    # already touched arrays, with the control factor as a dense array F (1 where uncontrolled):
    # out = A ⊗ EF ⊙ F  (numexpr evaluates it in one pass; numpy in two)
    A, ef = inv.activity, np.nan_to_num(inv.ef)
    F = np.ones_like(E)
    F[inv.ctrl_lines] = inv.ctrl_factor
    out = E  # reuse the engine's buffer: preallocated and touched
    a3, e3 = A[:, None, :], ef[:, :, None]
    t0 = time.perf_counter()
    np.multiply(a3, e3, out=out)
    np.multiply(out, F, out=out)
    t_ref = time.perf_counter() - t0
    try:
        import numexpr

        t0 = time.perf_counter()
        numexpr.evaluate("a3 * e3 * F", out=out)
        t_ref = min(t_ref, time.perf_counter() - t0)
    except ImportError:
        pass
    del out, E, F

    print(f"fused numpy reference: {t_ref:.2f} s ({cells / t_ref / 1e6:.1f} M values/s)")
    print(f"engine core arithmetic: {t_core:.2f} s -> ratio {t_core / t_ref:.2f}× reference")
    print(f"engine end-to-end from tables: {t_eng:.2f} s -> ratio {t_eng / t_ref:.2f}× reference")
    print(f"aggregate by district × sector ({len(agg):,} rows): {t_agg:.2f} s")
    print(f"peak memory (max RSS): {rss_gb():.2f} GB (target < 4 GB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
