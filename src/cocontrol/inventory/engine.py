"""The inventory engine: activity × factor × (1 − Σ share × removal), vectorised over sources.

Arrays (N source lines × S species × Y years) are built with numpy gathers from a few thousand
resolved factor combinations; there is no Python loop per source.

Formulas (per line n, species s, year y):

* uncontrolled  U[n,s,y] = A[n,y] × EF[n,s]            (t; EF in t per activity unit)
* controlled    E[n,s,y] = U[n,s,y] × (1 − Σ_k share[n,k,y] × η[k,s])
* measured      where a facility reports a measured annual emission M for a species, the
  source's lines are scaled pro rata so that Σ_n E = M; the computed value is kept.
* scope 2       indirect CO2 of purchased electricity/heat = A × grid (heat) factor, on lines
  with ``scope == 2``, reported apart from direct emissions.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cocontrol import _buffers, refdata, units
from cocontrol._frame import (
    Runs,
    _categorical,
    _distinct,
    _first_order,
    factorize_rows,
    factorize_runs,
)
from cocontrol.errors import InputError, MissingFactorError, Problem
from cocontrol.i18n import Msg, Seq, Text, named
from cocontrol.inventory import factors as fmod
from cocontrol.inventory import plausibility
from cocontrol.inventory.inventory import Inventory
from cocontrol.project.hierarchy import LEVELS, NONE_LABEL
from cocontrol.project.loader import Project

LINE_KEYS = ["source_id", "region_id", "sector", "fuel", "process", "unit"]
#: control_removal.csv pseudo-species: removal efficiency of the 2.5-10 µm fraction
COARSE = "PM2.5-10"


def _grid_value(spec, default_code: str) -> tuple[float, str]:
    if isinstance(spec, int | float):
        return float(spec), "project.yaml (user value)"
    g = refdata.table("grid")
    row = g[g["code"] == (spec or default_code)]
    if row.empty:
        raise InputError(Problem(file="project.yaml", column="grid_factor", value=spec,
                                 message=Msg("msg.inv_unknown_grid"),
                                 expected=Msg("msg.inv_grid_expected",
                                              codes=Seq(g["code"], ", ", quote=True))))
    r = row.iloc[-1]
    num, den = str(r["unit"]).split("/", 1)
    num = num.removesuffix("CO2").strip()  # "tCO2/MWh" -> t per MWh
    val = float(r["value"]) * units.factor(num, "t") / units.factor(
        den, "MWh" if "Wh" in den else "GJ")
    return val, f"{r['code']}: {r['source']}"


def year_index(year_values: np.ndarray, years: list[int]) -> np.ndarray:
    """Position of every row's year in ``years`` (−1 when not a project year), by a look-up
    table over the year range (no hashing of every row)."""
    yv = np.asarray(year_values)
    yrs = np.asarray(years, dtype=np.int64)
    if len(yrs) == 0 or not np.issubdtype(yv.dtype, np.integer):
        return pd.Index(years).get_indexer(yv)
    lo, hi = int(yrs.min()), int(yrs.max())
    if len(yv) and int(yv.min()) >= lo and int(yv.max()) <= hi:  # the usual case
        if 0 <= lo and hi < 1 << 16:  # a table from year 0: no subtraction on every row
            small = np.int16 if len(yrs) < 1 << 15 else np.int64  # a fifth of the memory
            lut = np.full(hi + 1, -1, dtype=small)
            lut[yrs] = np.arange(len(yrs))
            return lut.take(yv)
        lut = np.full(hi - lo + 1, -1, dtype=np.int64)
        lut[yrs - lo] = np.arange(len(yrs))
        return lut[yv - lo]
    lut = np.full(hi - lo + 1, -1, dtype=np.int64)
    lut[yrs - lo] = np.arange(len(yrs))
    inside = (yv >= lo) & (yv <= hi)
    return np.where(inside, lut[np.clip(yv - lo, 0, hi - lo)], -1)


def build_lines(activity: pd.DataFrame, years: list[int], side=None
                ) -> tuple[pd.DataFrame, np.ndarray, Runs]:
    """Pivot long activity rows to unique lines (N) and an activity array A (N × Y).

    The line of every row comes from the integer codes of the key columns (the composite
    key is built and hashed once per run of consecutive rows, see :func:`factorize_runs`);
    A is one ``bincount`` over line × year codes (rows of the same cell are summed in row
    order). When the table is laid out as one run of the project's years, in order, per
    line (every line once), A is the value column itself, reshaped (+ 0.0: the sum the
    bincount makes, −0.0 included), checked by one comparison of the year column. Returns
    (lines, A, the lines of the runs of rows: ``runs.rows()`` is the line of every row).
    ``side``: an executor (``concurrent.futures``) for work beside this thread: the year
    check and that reshaped A (used only when the runs are one per line), labels of the
    line frame's columns (:func:`factorize_runs`)."""
    Y = len(years)
    val = activity["value"].to_numpy(dtype=float)
    year = activity["year"].to_numpy()
    tiled = side.submit(_tiled_values, val, year, years) if side is not None else None
    runs, lines = factorize_runs(activity, LINE_KEYS, side=side)
    if _runs_are_lines(runs, len(year), Y):
        A = tiled.result() if tiled is not None else _tiled_values(val, year, years)
        if A is not None:
            return lines, A, runs
    yidx = year_index(activity["year"].to_numpy(), years)
    flat = np.repeat(runs.group * Y, runs.lengths()) if len(runs.starts) < runs.n \
        else runs.group * Y
    flat += yidx
    if (yidx < 0).any():
        ok = yidx >= 0
        flat, val = flat[ok], val[ok]
    A = np.bincount(flat, weights=val, minlength=len(lines) * Y).reshape(len(lines), Y)
    return lines, A, runs


def _runs_are_lines(runs: Runs, n_year: int, Y: int) -> bool:
    """True when run g is line g and rows g × Y … g × Y + Y − 1 (``n_year``: the length of
    the year column)."""
    n = runs.n
    if Y == 0 or n == 0 or n != len(runs.starts) * Y or n_year != n:
        return False
    if not np.array_equal(runs.starts, np.arange(0, n, Y)):
        return False
    return np.array_equal(runs.group, np.arange(len(runs.group)))


def _years_tiled(year: np.ndarray, years: list[int]) -> bool:
    """True when the year column is ``years`` repeated, in order."""
    Y = len(years)
    if Y == 0 or len(year) % Y:
        return False
    if not np.issubdtype(year.dtype, np.integer) and not np.issubdtype(year.dtype, np.floating):
        return False
    return bool((year.reshape(-1, Y) == np.asarray(years, dtype=year.dtype)).all())


def _tiled_values(val: np.ndarray, year: np.ndarray, years: list[int]) -> np.ndarray | None:
    """The value column as A (rows × years, + 0.0: the sum the ``bincount`` makes, −0.0
    included) when the year column is ``years`` repeated in order, else None. A kept buffer
    (``cocontrol._buffers``: no page faults)."""
    if not _years_tiled(year, years):
        return None
    Y = len(years)
    return np.add(val.reshape(-1, Y), 0.0, out=_buffers.empty(len(val)).reshape(-1, Y))


def _apply_source_factors(ef: np.ndarray, lines: pd.DataFrame, user: pd.DataFrame,
                          species: tuple[str, ...], prov_rows: list,
                          abated: np.ndarray | None = None) -> None:
    spec = user[user["source_id"].notna()] if len(user) else user
    if spec is None or spec.empty:
        return
    ln = lines.reset_index().rename(columns={"index": "line"})
    for col in ("fuel", "process"):
        ln[col] = ln[col].astype(object).fillna("")
    sp = spec.copy()
    for col in ("fuel", "process"):
        sp[col] = sp[col].fillna("")
    m = ln.merge(sp, on=["source_id", "fuel", "process"], suffixes=("", "_f"))
    m = m[(m["sector_f"] == "*") | (m["sector_f"] == m["sector"])]
    sidx = {s: i for i, s in enumerate(species)}
    m = m[m["species"].isin(sidx)]
    for (unit_f, unit_a, fuel), g in m.groupby(["unit_f", "unit", "fuel"], dropna=False):
        num, den = fmod._split_unit(unit_f)
        conv = units.factor(num, "t") * fmod.activity_per_denominator(
            unit_a, den, fuel if fuel else None)
        li, si = g["line"].to_numpy(), g["species"].map(sidx).to_numpy()
        ef[li, si] = g["value"].to_numpy(dtype=float) * conv
        if abated is not None:  # a user factor is uncontrolled by definition (schema)
            abated[li, si] = False
    prov_rows.append(m[["source_id", "species", "value", "unit_f", "source"]]
                     .rename(columns={"unit_f": "unit"}))


def _join_sources(ctl_source: pd.Series, line_source: pd.Series, unique: bool = False
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Inner join of control rows with the lines of their source, by integer codes.

    Returns (control row, line) pairs in the order of ``controls.merge(lines, on=
    "source_id")``: control rows in order, each with its source's lines in line order.
    Categorical columns with the same categories are joined on their codes directly.
    ``unique``: the caller knows that no two lines have the same source (not counted
    again)."""
    if isinstance(line_source.dtype, pd.CategoricalDtype):
        cats, lcode = line_source.cat.categories, line_source.array.codes
    else:
        lcode, cats = pd.factorize(line_source)
        cats = pd.Index(cats)
    if isinstance(ctl_source.dtype, pd.CategoricalDtype) and \
            _same_index(ctl_source.cat.categories, cats):
        ccode = ctl_source.array.codes
    else:
        ccode = cats.get_indexer(ctl_source.astype(object))
    ccode = ccode.astype(np.int64)
    if unique and len(lcode) == len(cats) and len(lcode) and lcode[-1] == len(lcode) - 1 \
            and np.array_equal(lcode, np.arange(len(lcode))):  # line k has source code k
        # (the lines' categories in order of first appearance, every line its own source)
        row = np.flatnonzero(ccode >= 0)
        return row, ccode[row]
    lcode = lcode.astype(np.int64)
    if (unique or _distinct(lcode, len(cats) + 1)) and not (lcode < 0).any():
        # one line per source (the usual case): the line of a code by a scatter, no sort
        pos = np.full(len(cats) + 1, -1, dtype=np.int64)  # last: unknown source (code -1)
        pos[lcode] = np.arange(len(lcode))
        hit = pos[ccode]
        row = np.flatnonzero(hit >= 0)
        return row, hit[row]
    known = lcode >= 0
    order = np.flatnonzero(known)[np.argsort(lcode[known], kind="stable")]
    counts = np.bincount(lcode[known], minlength=len(cats))
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    valid = ccode >= 0
    rep = np.where(valid, counts[np.where(valid, ccode, 0)], 0)
    row = np.repeat(np.arange(len(ccode)), rep)
    offs = np.arange(len(row)) - np.repeat(np.cumsum(rep) - rep, rep)
    line = order[first[ccode[row]] + offs]
    return row, line


def _same_index(a: pd.Index, b: pd.Index) -> bool:
    """``a.equals(b)``, at once when both hold the same array of values (categories of a
    table's column and of the lines made from it)."""
    if a is b:
        return True
    return _same_memory(a, b) or a.equals(b)


def _same_memory(a, b) -> bool:
    """True when ``a`` and ``b`` hold the same array of values (as object arrays: the same
    memory, shape and strides), found without comparing a value."""
    x, y = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    return x.shape == y.shape and x.strides == y.strides and \
        x.__array_interface__["data"][0] == y.__array_interface__["data"][0]


def control_table(controls: pd.DataFrame | None, species: tuple[str, ...]
                  ) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, int] | None:
    """The part of the controls that does not depend on the lines: removal efficiencies η
    (technology × species, ``control_removal.csv``), the control rows of a known technology,
    their technology codes and the number of technologies; None without controls."""
    if controls is None or controls.empty:
        return None
    rem = refdata.table("control_removal")
    sidx = {s: i for i, s in enumerate(species)}
    techs = sorted(set(rem["technology"]))
    tidx = {t: i for i, t in enumerate(techs)}
    eta = np.zeros((len(techs), len(species)))
    r = rem[rem["species"].isin(sidx)]
    eta[r["technology"].map(tidx).to_numpy(), r["species"].map(sidx).to_numpy()] = \
        r["efficiency"].to_numpy(dtype=float)
    tech = controls["technology"]
    if isinstance(tech.dtype, pd.CategoricalDtype):  # codes of the few technologies named
        tc, tu = tech.array.codes, tech.cat.categories
    else:  # factorised as an object array (no string-dtype pass), then the few named mapped
        tc, tu = pd.factorize(np.asarray(tech, dtype=object))
    tmap = np.array([tidx.get(t, -1) for t in tu], dtype=np.int64)
    tcode = np.where(tc >= 0, tmap[np.maximum(tc, 0)] if len(tmap) else -1, -1)
    known = tcode >= 0
    ctl = controls if known.all() else controls[known]
    tcode = tcode if known.all() else tcode[known]
    return eta, ctl, tcode, len(techs)


def _removed_share(lines: pd.DataFrame, controls: pd.DataFrame, years: list[int],
                   species: tuple[str, ...], table=False, unique: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the controlled lines (M) and the share of every species they remove, as
    the complement of their control factor 1 − Σ share × η: removed = 1 − (1 − Σ share ×
    η), the numbers the engine has always used (to the last bit; F = 1 − removed). Shape
    (M, S, 1) when no control row names a year (one product for every year), else (M, S,
    Y); a writable array. ``table``: :func:`control_table` of the controls when the caller
    has it; ``unique``: no two lines have the same source (:func:`_join_sources`)."""
    table = control_table(controls, species) if table is False else table
    if table is None:
        return np.empty(0, dtype=np.int64), np.zeros((0, len(species), len(years)))
    eta, ctl, tcode, T = table
    row, line = _join_sources(ctl["source_id"], lines["source_id"], unique)
    if len(line) == 0:
        return np.empty(0, dtype=np.int64), np.zeros((0, len(species), len(years)))
    every_row = len(row) == len(ctl)  # row is increasing: then every control row, in order
    if (np.diff(line) > 0).all():  # each line once, in line order (controls in the order
        # of the lines): the lines themselves
        ctrl_lines, local = line, np.arange(len(line))
    else:
        mark = np.zeros(len(lines), bool)  # controlled lines in line order (no sort)
        mark[line] = True
        ctrl_lines = np.flatnonzero(mark)
        local = (np.cumsum(mark) - 1)[line]
    M, S, Y = len(ctrl_lines), len(species), len(years)
    pick = (lambda a: a) if every_row else (lambda a: a[row])  # noqa: E731 (no copy)
    cyear = pick(ctl["year"].astype(float).to_numpy())
    every = np.isnan(cyear)
    ti = pick(tcode)
    sh = pick(ctl["share"].to_numpy(dtype=float))

    def removal(rows: np.ndarray | None, twice: bool = False) -> np.ndarray:
        """Σ_k share[m,k] × η[k,s] as a sparse (M × T) matrix times η (T × S); ``rows``
        None: every row. ``twice``: 1 − (1 − Σ), in the same pass when it can."""
        loc = local if rows is None else local[rows]
        in_order = len(loc) == M and np.array_equal(loc, np.arange(M))
        if in_order or (len(loc) == M and _distinct(loc, M + 1)):  # one row per
            # controlled line: its share × η, summed from 0 as the sparse product sums (the
            # same numbers to the last bit)
            tr = ti if rows is None else ti[rows]
            share = (sh if rows is None else sh[rows])[:, None]
            if in_order and twice:  # one pass; the sum's + 0.0 (−0.0 → 0.0) changes no
                # bit of 1 − (1 − x). Laid out species by species (a transposed view): the
                # later steps read and write one species of every line at a time
                prod = np.take(np.ascontiguousarray(eta.T), tr, axis=1, mode="clip",
                               out=_buffers.empty(len(tr) * eta.shape[1]).reshape(-1, len(tr)))
                _twice_complement(prod, share.T)
                return prod.T
            prod = np.take(eta, tr, axis=0, mode="clip",  # codes of known technologies
                           out=_buffers.empty(len(tr) * eta.shape[1]).reshape(len(tr), -1))
            prod *= share
            np.add(0.0, prod, out=prod)
            if in_order:
                return prod
            out = np.empty((M, eta.shape[1]))
            out[loc] = prod
            return _twice_complement(out) if twice else out
        rows = np.arange(len(local)) if rows is None else rows
        mat = sp.csr_matrix((sh[rows], (local[rows], ti[rows])), shape=(M, T))
        mat.sum_duplicates()
        out = np.asarray(mat @ eta)
        return _twice_complement(out) if twice else out

    if every.all():  # year-invariant controls: one product for every year
        return ctrl_lines, removal(None, twice=True)[:, :, None]
    removed = np.empty((M, S, Y))
    yi = pd.Index(years).get_indexer(np.where(every, -1, cyear))
    key_all = local * T + ti
    for y in range(Y):
        # a year-specific row overrides the all-years row of the same source and technology
        yr = np.flatnonzero(~every & (yi == y))
        overridden = np.isin(key_all, key_all[yr]) & every
        removed[:, :, y] = removal(np.concatenate([np.flatnonzero(every & ~overridden), yr]))
    return ctrl_lines, _twice_complement(removed)


def _twice_complement(x: np.ndarray, share: np.ndarray | None = None) -> np.ndarray:
    """x = 1 − (1 − x × share) in place, in one pass (``share`` None: 1 − (1 − x))."""
    try:
        import numexpr
    except ImportError:  # pragma: no cover - numpy fallback
        if share is not None:
            x *= share
        np.subtract(1.0, x, out=x)
        return np.subtract(1.0, x, out=x)
    if share is None:
        numexpr.evaluate("1.0 - (1.0 - x)", local_dict={"x": x}, out=x)
    else:
        numexpr.evaluate("1.0 - (1.0 - x * s)", local_dict={"x": x, "s": share}, out=x)
    return x


class _Stages:
    """Wall time of the stages of :func:`compute` (s), kept in a dict when one is given."""

    __slots__ = ("out", "t")

    def __init__(self, out: dict[str, float] | None):
        self.out, self.t = out, time.perf_counter() if out is not None else 0.0

    def __call__(self, stage: str) -> None:
        if self.out is not None:
            now = time.perf_counter()
            self.out[stage] = self.out.get(stage, 0.0) + now - self.t
            self.t = now


def compute(project: Project, *, strict: bool = True,
            timings: dict[str, float] | None = None) -> Inventory:
    """Compute the integrated inventory of a validated project.

    Raises :class:`MissingFactorError` (with the activity rows concerned) when an applicable
    species has no factor, unless ``strict=False`` (then the gaps are listed in
    ``inventory.missing`` and left as NaN, never as zero). ``timings``: a dict that gets the
    wall time of every stage of the main thread in seconds (benchmarks; the stages add up
    to the call).

    Work that does not depend on the factors runs in a second thread beside the pivot's
    long array passes (the controls' technology codes, the labels of the smaller key
    columns, the reshaped activity with its year check): pure functions of their arguments,
    joined before they are used, so the result is the same as one after the other.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cocontrol-inventory") as side:
        return _compute(project, strict, _Stages(timings), side)


def _compute(project: Project, strict: bool, clock: _Stages, side: ThreadPoolExecutor
             ) -> Inventory:
    m = project.manifest
    years = list(m.years)
    reg = getattr(project, "species", None)  # the project's species (registered + its own)
    species = tuple(reg.codes) if reg is not None else refdata.SPECIES
    ext = (*species, COARSE)
    act = project.activity
    ctl_job = side.submit(control_table, project.controls, ext)  # beside the pivot's long
    # array passes (they release the GIL; the control table holds it)
    lines, A, runs = build_lines(act, years, side)
    attr_args = (lines["region_id"], lines["sector"], project.regions,
                 _region_rows(project.regions, act["region_id"], runs.origin("region_id")))
    clock("pivot")

    combo_cols = ["sector", "fuel", "process", "unit"]  # the lines' codes of the pivot
    ccodes, cuniq = factorize_rows(lines, combo_cols, [runs.codes(c) for c in combo_cols])
    cuniq = cuniq.astype(object).where(cuniq.notna(), None)
    lines["combo"] = ccodes
    clock("combinations")
    grid, gsrc = _grid_value(m.grid_factor, "cn_national_2022")
    heat, hsrc = _grid_value(m.heat_factor, "cn_heat_default")
    ft = fmod.resolve(cuniq, project.factors,
                      factor_sets=tuple(m.factor_sets), so2_method=m.so2_method,
                      grid_factor=grid, heat_factor=heat, grid_source=gsrc, heat_source=hsrc,
                      species=species)
    problems = []
    if not ft.missing.empty:  # name the activity rows (only then is the table copied)
        act = act.assign(_line=runs.rows())
        act.attrs = project.activity.attrs
        problems = fmod.missing_problems(ft, lines, act)
    if problems and strict:
        raise MissingFactorError(InputError(problems).args[0])
    clock("factor look-up")
    ef = np.take(ft.multiplier, ccodes, axis=0, mode="clip",  # (N, S) gather, codes < K
                 out=_buffers.empty(len(ccodes) * len(species)).reshape(len(ccodes), -1))
    abated = np.take(ft.abated, ccodes, axis=0)
    src_prov: list = []
    _apply_source_factors(ef, lines, project.factors, species, src_prov, abated)
    # applicable: before the unabated replacement, as the factor table says (per
    # combination, gathered, when no source-specific factor changed a line)
    if src_prov:
        applicable = ~ft.not_applicable[ccodes] | np.isfinite(ef) & (ef > 0)
    else:
        mult = ft.multiplier
        applicable = np.take(~ft.not_applicable | np.isfinite(mult) & (mult > 0), ccodes,
                             axis=0)
    lines["scope"] = ft.combos["scope"].to_numpy()[ccodes]
    lines["biogenic"] = ft.combos["biogenic"].to_numpy()[ccodes]
    clock("factor gathers")

    # the share removed (M, S + 1, 1 or Y; last column: the 2.5-10 µm bin); year-invariant
    # controls as one year, broadcast back
    ctrl_idx, removed = _removed_share(lines, project.controls, years, ext, ctl_job.result(),
                                       unique=runs.distinct_first)
    invariant = removed.shape[2] == 1 and len(years) > 1
    clock("controls")
    # the combinations of the controlled lines when every line has its combination's
    # factors (the small table is read, not the lines' large one)
    cc_ctrl = np.take(ccodes, ctrl_idx) if not src_prov else None
    unabated_used = _use_unabated(ef, abated, ctrl_idx, removed[:, :len(species), :], lines, ft,
                                  ccodes, project.controls, species, cc_ctrl)
    per_combo = cc_ctrl is not None and len(unabated_used) == 0
    ctrl_factor = combine_pm10(removed, ef, species, overwrite=True, rows=ctrl_idx,  # removed
                               table=(ft.multiplier, cc_ctrl) if per_combo else None)  # is
    # not used again
    np.subtract(1.0, ctrl_factor, out=ctrl_factor)
    if invariant:
        ctrl_factor = np.broadcast_to(ctrl_factor, (len(ctrl_idx), len(species), len(years)))
    clock("PM10 size bins")
    # the factor in use: NaN = not estimated (per combination, gathered, when every line
    # has its combination's factors)
    table = (ft.multiplier, ccodes) if per_combo else None
    finite = np.take(np.isfinite(ft.multiplier), ccodes, axis=0) if per_combo else \
        np.isfinite(ef)
    not_est = _not_estimated_lines(ft, lines, ef, finite, as_table=per_combo)
    clock("not estimated")
    prepared = prepare(ef, finite, ctrl_idx, ctrl_factor, check_inf=bool(
        src_prov) or np.isinf(ft.multiplier).any() or np.isinf(ft.multiplier_unabated).any(),
        table=table)
    clock("EF0 and F")
    inv = Inventory(lines=lines, years=years, species=species, activity=A, ef=ef,
                    ctrl_lines=ctrl_idx, ctrl_factor=ctrl_factor, gwp_set=m.gwp,
                    factor_table=ft, source_factors=(pd.concat(src_prov) if src_prov else None),
                    name=m.name, regions=project.regions, not_estimated=not_est,
                    applicable=applicable, estimated=finite, prepared=prepared)
    clock("fused pass")
    # after the fused pass, in this thread: beside it (the fused pass keeps both cores busy)
    # or beside the steps before it (which need the GIL often) this work cost more than it
    # saved (2026-12-02, 1,000,000 sources, median end to end of 7 computes: 1.09-1.20 s
    # here, 1.20 s beside the fused pass, 1.23-1.25 s beside the steps)
    for col, values in line_attributes(*attr_args).items():  # in the order
        inv.lines[col] = values  # add_line_attributes adds them
    clock("line attributes")
    activity_warnings = plausibility.check_activity(project.activity, _units_seen(lines))
    inv.unabated_factors = unabated_used
    inv.abated = abated  # (N, S) the factor in use already describes abated plants
    if len(project.measured):
        inv.apply_measured(project.measured)
    clock("measured")
    inv.missing = problems
    inv.project = project  # provenance of results (content hash computed when asked)
    inv.warnings = activity_warnings + plausibility.check_inventory(inv)
    clock("plausibility")
    return inv


def prepare(ef: np.ndarray, finite: np.ndarray, ctrl_lines: np.ndarray,
            ctrl_factor: np.ndarray, check_inf: bool = True,
            table: tuple[np.ndarray, np.ndarray] | None = None
            ) -> tuple[np.ndarray, np.ndarray | None]:
    """The arrays of the inventory's one fused pass E = A × EF0 × F (:class:`Inventory`):
    EF0 = the factor with not-estimated cells as 0 (``np.nan_to_num``: the cells stay
    "not estimated" through ``estimated``), and, when the controls are year-invariant, F =
    the control factor per line and species (1 on uncontrolled lines), else None. Both in
    kept buffers (``cocontrol._buffers``: already touched memory). ``check_inf=False``: the
    caller knows that no factor is infinite (none in the tables the lines' factors come
    from). ``table``: (factors per combination, the combination of every line) when every
    line has its combination's factors (``ef`` is that table gathered): EF0 is then the
    table's, gathered (the same numbers, cell by cell)."""
    N, S = ef.shape
    if finite.all():
        ef0 = ef
    elif table is not None:
        mult, combos = table
        mult0 = np.nan_to_num(mult) if check_inf and np.isinf(mult).any() else \
            np.where(np.isfinite(mult), mult, 0.0)
        ef0 = np.take(mult0, combos, axis=0, mode="clip",
                      out=_buffers.empty(N * S).reshape(N, S))
    elif check_inf and np.isinf(ef).any():  # nan_to_num's large finite numbers for ±inf
        ef0 = np.nan_to_num(ef)
    else:
        ef0 = _buffers.empty(N * S).reshape(N, S)
        _fused_where(finite, ef, ef0)
    Y = ctrl_factor.shape[2] if ctrl_factor.ndim == 3 else 0
    if len(ctrl_lines) == 0 or ctrl_factor.ndim != 3 or (Y > 1 and ctrl_factor.strides[2]):
        return ef0, None
    F = _buffers.empty(N * S).reshape(N, S)
    F.fill(1.0)
    F[ctrl_lines] = ctrl_factor[:, :, 0]
    return ef0, F


def _fused_where(finite: np.ndarray, ef: np.ndarray, out: np.ndarray) -> None:
    """out = ef where finite, else 0 (one pass)."""
    try:
        import numexpr
    except ImportError:  # pragma: no cover - numpy fallback
        np.copyto(out, ef)
        out[~finite] = 0.0
        return
    numexpr.evaluate("where(finite, ef, 0.0)", local_dict={"finite": finite, "ef": ef},
                     out=out)


def combine_pm10(removed: np.ndarray, ef: np.ndarray, species: tuple[str, ...],
                 overwrite: bool = False, rows: np.ndarray | None = None,
                 table: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Removed share of PM10 by size bin: PM10 = PM2.5 + coarse (2.5-10 µm), each with its own
    efficiency, weighted by the line's own uncontrolled PM2.5/PM10:

        removed10 = w × removed2.5 + (1 − w) × removed_coarse,   w = EF2.5 / EF10

    so that controlled PM2.5 ≤ controlled PM10 whenever EF2.5 ≤ EF10 (a single PM10 efficiency
    derived for one size distribution breaks this for other sources). ``removed`` has the
    species columns plus the coarse column last; returns the species columns. Where w is not
    defined (no PM2.5 or PM10 factor) the technology's PM10 efficiency is kept.
    ``overwrite``: the result may be a view of ``removed`` (float), written in place.
    ``rows``: the lines of ``removed`` are these rows of ``ef`` (only the PM2.5 and PM10
    columns are read: no gather of every species). ``table``: (factors per combination,
    the combination of every line of ``removed``) when those lines have their
    combination's factors: read from that small table instead of ``ef``."""
    S = len(species)
    out = removed[:, :S, :] if overwrite and removed.dtype == float else \
        np.array(removed[:, :S, :], dtype=float, copy=True)
    if "PM10" not in species or "PM2.5" not in species or len(out) == 0:
        return out
    i10, i25 = species.index("PM10"), species.index("PM2.5")
    if table is not None:  # (factors per combination, the rows' combinations)
        e10, e25 = np.take(table[0][:, i10], table[1]), np.take(table[0][:, i25], table[1])
    elif rows is None:
        e10, e25 = ef[:, i10], ef[:, i25]
    else:  # the two columns first: one pass over the lines' factors, not two
        two = ef[:, [i10, i25]]
        e10, e25 = np.take(two[:, 0], rows), np.take(two[:, 1], rows)
    ok = np.isfinite(e10) & np.isfinite(e25) & (e10 > 0)
    w = np.divide(e25, e10, out=np.zeros_like(e10), where=ok)[:, None]
    mixed = w * removed[:, i25, :] + (1 - w) * removed[:, S, :]
    np.copyto(out[:, i10, :], mixed, where=ok[:, None])  # where the weight is defined
    return out


def _use_unabated(ef, abated, ctrl_idx, removed, lines, ft, ccodes, controls, species,
                  combos=None):
    """Never abate twice: on a line with a declared control, a species that the control
    reduces must have an unabated factor. The bundled unabated alternative replaces an abated
    default (cited in the factor report); without one the source stops with a plain error.
    ``combos``: the combinations of the controlled lines when every line has its
    combination's flags (no source-specific factor)."""
    hit = _abated_and_removed(abated, ctrl_idx, removed, ft.abated, combos)  # (M, S)
    if not hit.any():
        return pd.DataFrame(columns=["source_id", "species", "t_per_activity", "note"])
    m_idx, s_idx = np.nonzero(hit)
    lines_hit = ctrl_idx[m_idx]
    alt = ft.multiplier_unabated[ccodes[lines_hit], s_idx]
    ok = np.isfinite(alt)
    ef[lines_hit[ok], s_idx[ok]] = alt[ok]
    abated[lines_hit[ok], s_idx[ok]] = False
    if (~ok).any():
        prov = ft.provenance.set_index(["combo", "species"])["source"]
        rem = refdata.table("control_removal")
        probs = []
        seen = set()
        for li, j in zip(lines_hit[~ok], s_idx[~ok], strict=True):
            sid, sp = lines["source_id"].iat[li], species[j]
            if (sid, sp) in seen:
                continue
            seen.add((sid, sp))
            techs = sorted(set(controls.loc[controls["source_id"] == sid, "technology"])
                           & set(rem.loc[(rem["species"] == sp) & (rem["efficiency"] > 0),
                                         "technology"]))
            c = ft.combos.iloc[int(ccodes[li])]
            what = c["fuel"] if isinstance(c["fuel"], str) else c["process"]
            probs.append(Problem(
                file="controls.csv", column="technology", value=f"{sid}: {', '.join(techs)}",
                message=Msg("err_abate_twice", techs=_joined("control_tech", techs), sp=sp,
                            sid=sid, sector=named("sectors", c["sector"]),
                            what=named("fuels" if isinstance(c["fuel"], str) else "processes",
                                       what),
                            ref=prov.get((int(ccodes[li]), sp), "")),
                expected=Msg("exp_abate_twice", sp=sp, sid=sid)))
        raise InputError(probs)
    return pd.DataFrame({"source_id": lines["source_id"].to_numpy()[lines_hit[ok]],
                         "species": [species[j] for j in s_idx[ok]],
                         "t_per_activity": alt[ok],
                         "note": "unabated factor used because a control is declared"})


def _abated_and_removed(abated: np.ndarray, ctrl_idx: np.ndarray, removed: np.ndarray,
                        abated_table: np.ndarray | None, combos: np.ndarray | None = None
                        ) -> np.ndarray:
    """(M, S) True where the control of controlled line m removes species s (in some year)
    and the line's factor of s already describes abated plants. Only the species that some
    bundled factor describes as abated are looked at (``abated_table``: the factor table's
    per combination; a line's flag is never True where its combination's is not).
    ``combos``: the controlled lines' combinations when every line has its combination's
    flags (read from the table, not from the lines' array)."""
    M, S = len(ctrl_idx), removed.shape[1]
    cols = range(S) if abated_table is None else np.flatnonzero(abated_table.any(axis=0))
    hit = np.zeros((M, S), bool)
    for j in cols:
        rem = removed[:, j, 0] > 0 if removed.shape[2] == 1 else (removed[:, j, :] > 0).any(1)
        flag = np.take(abated_table[:, j], combos) if combos is not None else \
            np.take(abated[:, j], ctrl_idx)
        np.logical_and(rem, flag, out=hit[:, j])
    return hit


def _joined(table: str, codes) -> Text:
    """Names of ``codes`` joined, in both languages (a :class:`Msg` parameter)."""
    en = ", ".join(named(table, c) for c in codes)
    return Text(en, "、".join(named(table, c).zh for c in codes))


def _not_estimated_lines(ft, lines: pd.DataFrame, ef: np.ndarray,
                         finite: np.ndarray | None = None, as_table: bool = False
                         ) -> pd.DataFrame:
    """Species not estimated on each (sector, fuel/process) of the inventory, with the reason
    (from the factor table; cells later filled by a source-specific user factor are left out).

    The lines without a factor are counted per combination by one ``bincount`` per species
    named in the table (``finite``: ``np.isfinite(ef)`` when the caller has it), not by a
    comparison of every line per combination; ``as_table``: the caller knows that every
    line has its combination's factors (``ef`` is ``ft.multiplier`` gathered, no line
    changed), so the lines of a combination without a factor are all its lines (one
    ``bincount`` of the lines' combinations)."""
    ne = ft.not_estimated
    if ne is None or ne.empty:
        return pd.DataFrame(columns=["sector", "fuel", "process", "species", "reason",
                                     "n_lines"])
    sidx = {s: i for i, s in enumerate(ft.species)}
    combo = lines["combo"].to_numpy()
    K = len(ft.combos)
    counts = {}
    per_combo = np.bincount(combo, minlength=K) if as_table else None
    for spc in pd.unique(ne["species"]):
        j = sidx[spc]
        if as_table:
            counts[spc] = np.where(np.isfinite(ft.multiplier[:, j]), 0, per_combo[:K])
            continue
        gap = ~(np.isfinite(ef[:, j]) if finite is None else finite[:, j])
        counts[spc] = np.bincount(combo[gap], minlength=K)
    # one row per (combination, species) named, its first reason (the table's order), the
    # lines of the combination without that factor counted per row: vectorised, no loop
    first = ne.drop_duplicates(["combo", "species"])
    k = first["combo"].to_numpy(dtype=np.int64)
    spc = first["species"].to_numpy(dtype=object)
    n = np.zeros(len(first), dtype=np.int64)
    inside = (k >= 0) & (k < K)
    for s in counts:
        at = inside & (spc == s)
        n[at] = counts[s][k[at]]
    keep = n > 0
    k, c = k[keep], ft.combos
    out = pd.DataFrame({"sector": c["sector"].to_numpy(dtype=object)[k],
                        "fuel": c["fuel"].to_numpy(dtype=object)[k],
                        "process": c["process"].to_numpy(dtype=object)[k],
                        "species": spc[keep],
                        "reason": first["reason"].astype(str).to_numpy(dtype=object)[keep],
                        "n_lines": n[keep]})
    key = ["sector", "fuel", "process", "species", "reason"]
    return out.groupby(key, dropna=False, as_index=False, sort=False)["n_lines"].sum()


def add_line_attributes(lines: pd.DataFrame, regions: pd.DataFrame | None) -> None:
    """Add the region's ancestor at every hierarchy level and the parent sector, in place
    (:func:`line_attributes`)."""
    for col, values in line_attributes(lines["region_id"], lines["sector"], regions).items():
        lines[col] = values


def line_attributes(region: pd.Series, sector: pd.Series, regions: pd.DataFrame | None,
                    region_rows: np.ndarray | None = None) -> dict[str, pd.Categorical]:
    """The region's ancestor at every hierarchy level (``LEVELS``, when ``regions`` is
    given) and the parent sector of the lines whose region and sector are ``region`` and
    ``sector``, as categorical columns in that order (mapping is done on the categories,
    not on every line). ``region_rows``: the row of ``regions`` of every category of
    ``region`` when the caller knows it (:func:`_region_rows`; else looked up by id). Reads
    its arguments only (the engine runs it beside other work)."""
    out: dict[str, pd.Categorical] = {}
    reg = region
    reg = reg.array if isinstance(reg.dtype, pd.CategoricalDtype) else pd.Categorical(reg)
    if regions is not None:
        ids = np.asarray(regions["region_id"], dtype=object)
        pos = region_rows if region_rows is not None else \
            pd.Index(ids, dtype=object, copy=False).get_indexer(
                np.asarray(reg.categories, dtype=object))
        anc = _ancestor_rows(regions, pos)
        for lv in LEVELS:  # label of the ancestor, (none) where there is none
            dense = _first_order(anc[lv] + 1, len(ids) + 1)  # pd.factorize, by a scatter
            vcodes, upos = (dense[0], dense[1] - 1) if dense is not None else \
                pd.factorize(anc[lv])
            if len(upos) and upos.min() >= 0:
                labels = ids.take(upos)
            else:
                labels = np.where(upos >= 0, ids[np.maximum(upos, 0)] if len(ids) else
                                  NONE_LABEL, NONE_LABEL).astype(object)
            out[lv] = _categorical(_line_codes(vcodes, reg.codes, len(labels)),
                                   pd.Index(labels, dtype=object))
    sec = refdata.table("sectors").set_index("code")
    s = sector
    s = s.array if isinstance(s.dtype, pd.CategoricalDtype) else pd.Categorical(s)
    parent = pd.Index(s.categories).map(sec["parent"])
    parent = np.where(pd.isna(parent), np.asarray(s.categories, dtype=object), parent)
    pc = pd.Categorical(np.asarray(parent, dtype=object))  # sorted categories, as before
    out["sector_parent"] = pd.Categorical.from_codes(np.take(pc.codes, s.codes), dtype=pc.dtype,
                                                     validate=False)
    return out


def _line_codes(vcodes: np.ndarray, line_codes: np.ndarray, n_labels: int) -> np.ndarray:
    """The code of every line (``vcodes[line_codes]``, in the width pandas gives ``n_labels``
    categories): zeros when there is one label, the lines' own codes when every category is
    its own label in order (a region's ancestor at its own level), else one gather."""
    dt = _code_dtype(n_labels)
    if n_labels == 1 and len(vcodes):
        return np.zeros(len(line_codes), dtype=dt)
    if n_labels == len(vcodes) and vcodes[-1] == n_labels - 1 and \
            np.array_equal(vcodes, np.arange(n_labels)):
        return line_codes.astype(dt, copy=True)
    return np.take(vcodes.astype(dt), line_codes)


def _region_rows(regions: pd.DataFrame | None, table_region: pd.Series,
                 origin: np.ndarray | None) -> np.ndarray | None:
    """The row of ``regions`` of every region category of the lines, without looking the
    ids up, when the activity's ``region_id`` is a categorical whose categories are the
    regions table's own ``region_id`` array (the same values in the same memory: one
    comparison of two pointers) and ``origin`` gives the lines' categories among them
    (:meth:`Runs.origin`); else None (looked up by id)."""
    if regions is None or origin is None or \
            not isinstance(table_region.dtype, pd.CategoricalDtype):
        return None
    same = _same_memory(table_region.cat.categories, regions["region_id"])
    return np.asarray(origin, dtype=np.int64) if same else None


def _code_dtype(n: int) -> type:
    """The integer width pandas gives the codes of ``n`` categories."""
    for dt in (np.int8, np.int16, np.int32):
        if n < np.iinfo(dt).max:
            return dt
    return np.int64


def _parent_rows(regions: pd.DataFrame) -> np.ndarray:
    """The row of every region's parent in ``regions`` (−1: none or unknown). The parents
    are few: their distinct ids are found first and the regions' ids are looked up among
    them (a small table), not every parent among every region."""
    ids = np.asarray(regions["region_id"], dtype=object)
    pcode, pids = pd.factorize(np.asarray(regions["parent_id"], dtype=object))
    hit = pd.Index(pids, dtype=object).get_indexer(ids)  # each id among the parents' ids
    found = np.flatnonzero(hit >= 0)
    row = np.full(len(pids) + 1, -1, dtype=np.int64)  # last: no parent (code −1)
    row[hit[found]] = found  # region ids are unique (project validation)
    return row[pcode]


def _ancestor_rows(regions: pd.DataFrame, pos: np.ndarray) -> dict[str, np.ndarray]:
    """Per level, the row of ``regions`` of the ancestor (or the region itself) at that
    level of the regions at rows ``pos``, −1 where none: :func:`hierarchy.ancestors` on
    integer positions, for the regions asked only (a walk up the parents, one step per
    level)."""
    parent = _parent_rows(regions)
    level = pd.Index(list(LEVELS), dtype=object).get_indexer(
        np.asarray(regions["level"], dtype=object))
    anc = {lv: np.full(len(pos), -1, dtype=np.int64) for lv in LEVELS}
    cur = np.asarray(pos, dtype=np.int64).copy()
    for _ in range(len(LEVELS) + 1):
        alive = np.flatnonzero(cur >= 0)
        if len(alive) == 0:
            break
        c = cur[alive]
        lv_now = level[c]
        for k, lv in enumerate(LEVELS):
            hit = lv_now == k
            anc[lv][alive[hit]] = c[hit]
        cur[alive] = parent[c]
    return anc


def compute_arrays(lines: pd.DataFrame, activity: np.ndarray, ef: np.ndarray,
                   years: list[int], species=None, ctrl_lines=None, ctrl_factor=None,
                   gwp_set: str = "AR6") -> Inventory:
    """Lower-level entry: an inventory from prepared arrays (used by scenarios and benchmarks);
    ``species`` default: every registered species."""
    if species is None:
        species = refdata.SPECIES
    if ctrl_lines is None:
        ctrl_lines = np.empty(0, dtype=np.int64)
        ctrl_factor = np.empty((0, len(species), len(years)))
    return Inventory(lines=lines, years=list(years), species=tuple(species), activity=activity,
                     ef=ef, ctrl_lines=ctrl_lines, ctrl_factor=ctrl_factor, gwp_set=gwp_set)


def _units_seen(lines: pd.DataFrame) -> list:
    """The activity units of the lines (their categories: no hashing of the rows)."""
    u = lines["unit"]
    if isinstance(u.dtype, pd.CategoricalDtype):
        return list(u.cat.categories)
    return list(pd.unique(u.dropna()))
