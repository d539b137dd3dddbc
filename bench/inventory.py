"""Inventory benchmark (issue #2): national-scale synthetic input.

1,000,000 source lines × 12 species × 10 years (10 million activity rows), half of the sources
under control technologies, factors resolved through the real look-up. Prints throughput,
peak memory (process max RSS), and the same arithmetic as one fused numpy expression on
a freshly allocated output (the physical-limit reference, same inputs and allocations,
measured in the same run), with the ratios: end to end against the best of every reference
run, the core against the reference runs paired with its own (as many of each). Target: end to end ≤ 3× the reference, peak
memory < 4 GB. Figures: ``inventory end-to-end``, ``inventory core`` (bench/_record.py).
Also printed: the wall time of every stage of the engine's main thread in the best end-to-end
run (``engine.compute(timings=)``), the first compute at full size in the process apart (its
kept buffers not yet touched), and the scaling from three sizes both as time ∝ n^k and as a
fixed part + a part per source (least squares t = a + b n), with the stages at each size.

Usage: python bench/inventory.py [N_SOURCES]
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd
from _record import record, reset

from cocontrol import refdata
from cocontrol.inventory import engine
from cocontrol.project.loader import Project
from cocontrol.project.manifest import Manifest

try:
    import numexpr
except ImportError:  # pragma: no cover
    numexpr = None


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
    # half the sources controlled; a source whose bundled factor of a species already
    # describes abated plants gets only technologies that do not remove that species (the
    # engine refuses to abate twice, issue 9 item 4)
    cr = refdata.table("control_removal")
    techs = cr["technology"].unique()
    removes = {t: set(g["species"]) | ({"PM10"} if "PM2.5-10" in set(g["species"]) else set())
               for t, g in cr.groupby("technology")}
    abated = ef[ef["basis"] == "abated"].groupby(["sector", "fuel"])["species"].agg(set)
    allowed = [np.array([t for t in techs if not removes[t] & abated.get((s, f), set())])
               for s, f in zip(combos["sector"], combos["fuel"], strict=True)]
    ctl = (rng.random(n) < 0.5) & np.array([len(allowed[k]) > 0 for k in pick])
    chosen = [a[rng.integers(0, len(a))] for a in (allowed[k] for k in pick[ctl])]
    controls = pd.DataFrame({
        "source_id": pd.Categorical.from_codes(src.codes[ctl], src.categories),
        "technology": np.array(chosen, dtype=object),
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


def reference(A: np.ndarray, ef: np.ndarray, F_line: np.ndarray) -> np.ndarray:
    """The physical-limit reference: out = A ⊗ EF ⊙ F as ONE fused expression over every
    cell, on the engine's own inputs (A N×Y, EF N×S, the control factor per line F N×S, 1
    where uncontrolled; the bench's controls are year-invariant, as the engine stores them),
    writing a freshly allocated output (the engine allocates its output too)."""
    out = np.empty((A.shape[0], ef.shape[1], A.shape[1]))
    a, e, f = A[:, None, :], ef[:, :, None], F_line[:, :, None]
    if numexpr is not None:
        numexpr.evaluate("a * e * f", out=out)
    else:
        np.multiply(a, e, out=out)
        np.multiply(out, f, out=out)
    return out


def timed_median(f, repeat: int) -> float:
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = f()
        ts.append(time.perf_counter() - t0)
        del r
    return float(np.median(ts))


def main(n: int = 1_000_000) -> None:
    reset()
    years = list(range(2021, 2031))
    S, Y = len(refdata.SPECIES), len(years)
    engine.compute(synthetic(2_000, years), strict=False)  # imports and caches, not timed
    sizes, times, stage_runs = [], [], []
    for m in (n // 10, n // 3):  # two smaller sizes for the scaling exponent (best of 2)
        p = synthetic(m, years)
        ts = []
        for _ in range(2):
            st: dict[str, float] = {}
            t0 = time.perf_counter()
            engine.compute(p, strict=False, timings=st)
            ts.append((time.perf_counter() - t0, st))
        sizes.append(m)
        best = min(ts, key=lambda x: x[0])
        times.append(best[0])
        stage_runs.append(best[1])
        del p
    t0 = time.perf_counter()
    proj = synthetic(n, years)
    t_gen = time.perf_counter() - t0
    print(f"synthetic input: {n:,} sources × {Y} years = {len(proj.activity):,} activity rows "
          f"({t_gen:.1f} s to generate)")
    cells = n * S * Y

    # the reference's inputs: the engine's own arrays (A N×Y, EF N×S, control factor per line)
    t0 = time.perf_counter()
    inv = engine.compute(proj, strict=False)  # warm-up at full size (memory of the process)
    t_first = time.perf_counter() - t0
    F_line = np.ones(inv.ef.shape)
    F_line[inv.ctrl_lines] = inv.ctrl_factor[:, :, 0]
    assert np.all(inv.ctrl_factor == inv.ctrl_factor[:, :, :1])  # year-invariant controls
    # not-estimated factors are NaN in inv.ef and compute as 0 in the engine (its `estimated`
    # mask marks them): the reference gets the same numbers
    A_ref, ef_ref = inv.activity, np.nan_to_num(inv.ef)
    inv = None
    t_eng, t_ref = [], []
    eng_stages = []
    for _ in range(3):  # end to end from the long tables, interleaved with the reference
        t_ref.append(timed_median(lambda: reference(A_ref, ef_ref, F_line), 1))
        inv = None
        st = {}
        t0 = time.perf_counter()
        inv = engine.compute(proj, strict=False, timings=st)
        t_eng.append(time.perf_counter() - t0)
        eng_stages.append(st)
    # best of 3 for both: the run least disturbed by the other users of a shared machine
    stages = eng_stages[int(np.argmin(t_eng))]
    stage_runs.append(stages)
    t_eng, t_ref_e2e = float(np.min(t_eng)), float(np.min(t_ref))
    print(f"engine.compute (pivot, factor look-up, controls): {t_eng:.2f} s, "
          f"{cells / t_eng / 1e6:.1f} M values/s ({cells:,} values)")
    if inv.missing:
        print(f"  ({len(inv.missing)} combinations without some factor, left as NaN)")
    t0 = time.perf_counter()
    agg = inv.aggregate(["district", "sector"], unit="kt")
    t_agg = time.perf_counter() - t0
    del proj

    # the same inputs for the engine's core and for the reference
    inv.emissions = None
    t_core, t_ref_core = [], []
    for _ in range(5):  # interleaved pairs, so both see the same machine load
        t_ref_core.append(timed_median(lambda: reference(inv.activity, ef_ref, F_line), 1))
        t_core.append(timed_median(inv._controlled, 1))
    # end to end against the best of every reference run (8); the core against the best of
    # the 5 reference runs paired with its own 5 (the same number of tries each: a best of 8
    # against a best of 5 would favour the reference by sampling alone)
    t_ref = float(np.min(t_ref + t_ref_core))
    t_ref_pair, t_core = float(np.min(t_ref_core)), float(np.min(t_core))
    E = inv._controlled()
    m = min(len(E), 100_000)  # identical values, checked on the first and last lines
    same = all(np.array_equal(E[sl], reference(inv.activity[sl], ef_ref[sl], F_line[sl]),
                              equal_nan=True)  # lines: one big array at a time
               for sl in (slice(0, m), slice(len(E) - m, len(E))))
    del E

    rss = rss_gb()
    print(f"fused reference (one expression, cold output, best of 8): {t_ref:.2f} s "
          f"({cells / t_ref / 1e6:.1f} M values/s)")
    print(f"engine core arithmetic (best of 5): {t_core:.2f} s -> ratio "
          f"{t_core / t_ref_pair:.2f}× the 5 reference runs paired with it ({t_ref_pair:.2f} s; "
          f"{t_core / t_ref:.2f}× the best of 8) (identical values: {same})")
    print(f"engine end-to-end from tables: {t_eng:.2f} s -> ratio {t_eng / t_ref:.2f}× "
          f"reference (target ≤ 3×; {t_eng / t_ref_e2e:.2f}× the reference runs interleaved "
          f"with it)")
    print(f"first compute at full size in this process (kept buffers not yet touched): "
          f"{t_first:.2f} s ({t_first / t_ref:.2f}× reference)")
    print(f"aggregate by district × sector ({len(agg):,} rows): {t_agg:.2f} s")
    print(f"peak memory (max RSS): {rss:.2f} GB (target < 4 GB)")
    all_n, all_t = [*sizes, n], [*times, t_eng]
    k = float(np.polyfit(np.log(all_n), np.log(all_t), 1)[0])
    b, a = (float(x) for x in np.polyfit(all_n, all_t, 1))
    print(f"scaling exponent (time ∝ sources^k, {sizes[0]:,} / {sizes[1]:,} / {n:,}): "
          f"k = {k:.2f}; as t = a + b n: a = {a:.3f} s fixed, b = {b * 1e6:.3f} s per "
          f"million sources")
    print("stages of engine.compute, main thread, wall s (best run at each size; the side "
          "thread's work beside the pivot is inside 'pivot' only when the main thread waited "
          "for it):")
    print(f"  {'stage':22s}" + "".join(f"{x:>12,}" for x in all_n))
    for name in stage_runs[-1]:
        print(f"  {name:22s}" + "".join(f"{r.get(name, 0.0):12.3f}" for r in stage_runs))
    print(f"  {'sum':22s}" + "".join(f"{sum(r.values()):12.3f}" for r in stage_runs))
    record("inventory scaling exponent", k, "k")
    record("inventory fixed time (fit t = a + b n)", a, "s")
    record("inventory first compute", t_first, "s", reference=t_ref)
    record("inventory end-to-end", t_eng, "s", reference=t_ref)
    record("inventory core", t_core, "s", reference=t_ref_pair)
    record("inventory aggregate district x sector", t_agg, "s")
    record("inventory peak memory", rss, "GB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
