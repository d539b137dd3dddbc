"""The :class:`Inventory`: labelled arrays of emissions with aggregation and export.

``lines`` holds one row per source line (source, region and its ancestors at every level,
sector, fuel or process, activity unit, scope); arrays are indexed (line, species, year).
Masses are in tonnes internally; outputs take a ``unit`` argument (t, kt, Mt).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cocontrol import _buffers, i18n, refdata, units
from cocontrol._frame import factorize_columns
from cocontrol.errors import CocontrolError
from cocontrol.project.cells import safe_frame
from cocontrol.provenance import Provenance
from cocontrol.results import Labelled, Result

CO2E = "CO2e"
#: how a value without any factor is shown (tables, reports, exports): never 0.00
NOT_ESTIMATED = "not estimated"

try:  # multi-threaded, single-pass evaluation of the element-wise products (optional)
    import numexpr as _ne
except ImportError:  # pragma: no cover - numpy fallback
    _ne = None


def _fused(expr: str, out: np.ndarray, **arrays) -> None:
    """Evaluate a product of broadcast arrays into ``out`` in one pass (numexpr when
    installed; numpy otherwise). Products are evaluated left to right in both cases."""
    if out.size == 0:
        return
    if _ne is not None:
        _ne.evaluate(expr, local_dict=arrays, out=out)
        return
    names = [n.strip() for n in expr.split("*")]
    np.multiply(arrays[names[0]], arrays[names[1]], out=out)
    for n in names[2:]:
        np.multiply(out, arrays[n], out=out)


def shown(df: pd.DataFrame, years, label: str = NOT_ESTIMATED) -> pd.DataFrame:
    """``df`` for display or export: an empty (NaN) value is written ``label`` ("not
    estimated"), never 0 or a blank (year columns of wide tables and the ``value`` column of
    tidy ones)."""
    cols = [c for c in df.columns if c in set(years) or c == "value"]
    if not cols or df.empty:
        return df
    out = df.copy()
    for c in cols:
        if out[c].isna().any():
            out[c] = out[c].astype(object).where(out[c].notna(), label)
    return out


_PARTIAL = re.compile(r"partial: (\d+) line")


def estimate_label(v, lang: str | None = "en") -> str:
    """A value of the ``estimate`` column in ``lang``: "" (estimated), "not estimated" or
    "partial: N line(s) not estimated" (words from the catalogue)."""
    if not isinstance(v, str) or not v:
        return ""
    if v == NOT_ESTIMATED:
        return i18n.t("not_estimated", lang)
    m = _PARTIAL.match(v)
    return i18n.t("est_partial", lang, n=int(m.group(1))) if m else v


_NE_SOURCE = re.compile(r"NOT ESTIMATED: the source used for this sector and fuel \((?P<ref>.*)\) "
                        r"gives no (?P<sp>\S+) factor")
_NE_FRACTION = re.compile(r"no (?P<sp>\S+) fraction of PM2\.5 bundled for (?P<sector>\S+) × "
                          r"(?P<what>\S+) ")
_NE_MISSING = re.compile(r"missing factor: no (?P<sp>\S+) factor for (?P<sector>\S+) × "
                         r"(?P<what>\S+)")


def _code_name(code: str, lang) -> str:
    for table in ("fuels", "processes"):
        n = i18n.name(table, code, lang)
        if n != code:
            return n
    return code


def reason_label(reason, lang: str | None = "en") -> str:
    """A reason of :attr:`Inventory.not_estimated` in ``lang`` (words from the catalogue,
    sectors, fuels and processes by name; a cited reference kept as written)."""
    r = str(reason)
    m = _NE_SOURCE.match(r)
    if m:
        return i18n.t("ne_source", lang, ref=m["ref"], sp=m["sp"])
    for rx, key in ((_NE_FRACTION, "ne_fraction"), (_NE_MISSING, "ne_missing")):
        m = rx.match(r)
        if m:
            return i18n.t(key, lang, sp=m["sp"], sector=i18n.name("sectors", m["sector"], lang),
                          what=_code_name(m["what"], lang))
    return r


LINE_DIMS = ("source_id", "region_id", "sector", "fuel", "process", "scope")


class Inventory(Labelled):
    """Integrated inventory of air pollutants and GHGs (controlled emissions in t).

    :meth:`result` (and ``to_frame``, ``to_dict``, ``to_json``, ``to_parquet``) give the
    labelled result ``inventory`` of ``docs/results-schema.md``.
    """

    def __init__(self, lines: pd.DataFrame, years: list[int], species: tuple[str, ...],
                 activity: np.ndarray, ef: np.ndarray, ctrl_lines: np.ndarray,
                 ctrl_factor: np.ndarray, gwp_set: str = "AR6", factor_table=None,
                 source_factors=None, name: str = "", regions: pd.DataFrame | None = None,
                 emissions: np.ndarray | None = None, estimated: np.ndarray | None = None,
                 not_estimated: pd.DataFrame | None = None,
                 applicable: np.ndarray | None = None,
                 prepared: tuple[np.ndarray, np.ndarray | None] | None = None):
        self.lines = lines.reset_index(drop=True)
        self.years = list(years)
        self.species = tuple(species)
        self.activity = activity  # (N, Y), activity unit of each line
        self.ef = ef  # (N, S), t per activity unit; NaN = not estimated (no factor)
        #: (N, S) True where the line's species has a factor; a species without one is
        #: "not estimated" in every table and export, never 0
        self.estimated = np.isfinite(ef) if estimated is None else estimated
        #: (N, S) False where no factor set gives the species for the line's fuel or process
        #: (0 by definition, neither estimated nor a gap)
        self.applicable = np.ones_like(self.estimated) if applicable is None else applicable
        #: sector, fuel, process, species, reason, n_lines of what is not estimated
        self.not_estimated = not_estimated if not_estimated is not None else pd.DataFrame(
            columns=["sector", "fuel", "process", "species", "reason", "n_lines"])
        #: plausibility warnings (cocontrol.inventory.plausibility), shown in reports
        self.warnings: list = []
        #: lines whose abated default factor was replaced by the unabated one (declared control)
        self.unabated_factors: pd.DataFrame | None = None
        self.ctrl_lines = ctrl_lines
        self.ctrl_factor = ctrl_factor  # (M, S, Y) = 1 − Σ share × η
        self.gwp_set = gwp_set
        self.factor_table = factor_table
        self.source_factors = source_factors
        self.name = name
        self.regions = regions
        self.missing: list = []
        self.measured_cells = pd.DataFrame(
            columns=["source_id", "species", "year", "computed_t", "measured_t", "method"])
        #: (EF0, F) of the fused pass, from the engine (:func:`engine.prepare`): the inputs
        #: they come from are made read-only, so that they cannot go stale
        self._prepared = prepared
        if prepared is not None:
            for arr in (self.ef, self.ctrl_lines, *prepared):
                if arr is not None:
                    arr.flags.writeable = False
        self.emissions = self._controlled() if emissions is None else emissions

    # ------------------------------------------------------------------ core arrays
    def _controlled(self, out: np.ndarray | None = None) -> np.ndarray:
        """E = A ⊗ EF ⊙ (1 − Σ share × η), one fused pass over every cell.

        Year-invariant controls (the usual case, stored broadcast over the years) are one
        factor per line and species F (1 on uncontrolled lines: x × 1 = x exactly), so
        E = (A × EF) × F is one fused pass (numexpr, multi-threaded) into ``out`` (allocated
        here when not given), with lines in their own order: one call, as many threads as
        numexpr has (many small calls wait for every thread at each call, a loss on a busy
        machine). Controls that vary by year: E = A × EF, then × the factor on the
        controlled lines (the same products, in the same order). An inventory from
        :func:`engine.compute` has EF0 (not-estimated cells as 0) and F prepared
        (:func:`engine.prepare`, the same values as built here): the call is then the fused
        pass alone."""
        # not-estimated cells compute as 0 in the arrays; `estimated` marks them
        N, S, Y = len(self.activity), len(self.species), len(self.years)
        E = np.empty((N, S, Y)) if out is None else out
        a = self.activity[:, None, :]
        if self._prepared is not None:  # EF0 and F prepared by the engine (same values)
            e0, F = self._prepared
            if F is not None:
                _fused("a * e * f", E, a=a, e=e0[:, :, None], f=F[:, :, None])
                return E
            _fused("a * e", E, a=a, e=e0[:, :, None])
            if len(self.ctrl_lines):
                E[self.ctrl_lines] *= self.ctrl_factor
            return E
        e = np.nan_to_num(self.ef)[:, :, None]
        m = len(self.ctrl_lines)
        f = self.ctrl_factor
        if m and f.ndim == 3 and (Y <= 1 or f.strides[2] == 0):
            F = _buffers.empty(N * S).reshape(N, S)  # a kept buffer: no page faults
            F.fill(1.0)
            F[self.ctrl_lines] = f[:, :, 0]
            _fused("a * e * f", E, a=a, e=e, f=F[:, :, None])
            return E
        _fused("a * e", E, a=a, e=e)
        if m:
            E[self.ctrl_lines] *= self.ctrl_factor
        return E

    def uncontrolled(self) -> np.ndarray:
        """Uncontrolled emissions U = A × EF, t, shape (line, species, year) (0 where not
        estimated: see ``estimated``)."""
        return np.multiply(self.activity[:, None, :], np.nan_to_num(self.ef)[:, :, None])

    def apply_measured(self, measured: pd.DataFrame) -> None:
        """Replace computed emissions by measured ones where given (pro rata over the source's
        lines); the computed totals are kept in ``measured_cells`` for comparison."""
        sidx = {s: i for i, s in enumerate(self.species)}
        yidx = {y: i for i, y in enumerate(self.years)}
        ms = measured.reset_index(drop=True).copy()
        ms["grp"] = np.arange(len(ms))
        ms["t"] = [v * units.factor(u, "t") for v, u in zip(ms["value"], ms["unit"],
                                                          strict=True)]
        ln = pd.DataFrame({"line": np.arange(len(self.lines)),
                           "source_id": self.lines["source_id"].to_numpy(),
                           "scope": self.lines["scope"].to_numpy()})
        j = ms.merge(ln[ln["scope"] == 1], on="source_id")
        if j.empty:
            return
        li = j["line"].to_numpy()
        si = j["species"].map(sidx).to_numpy()
        yi = j["year"].map(yidx).to_numpy()
        g = j["grp"].to_numpy()
        comp = self.emissions[li, si, yi]
        act = self.activity[li, yi]
        n = len(ms)
        csum = np.bincount(g, weights=np.nan_to_num(comp), minlength=n)
        asum = np.bincount(g, weights=act, minlength=n)
        cnt = np.bincount(g, minlength=n).astype(float)
        w = np.where(csum[g] > 0, np.nan_to_num(comp) / np.where(csum[g] > 0, csum[g], 1),
                     np.where(asum[g] > 0, act / np.where(asum[g] > 0, asum[g], 1), 1 / cnt[g]))
        self.emissions[li, si, yi] = ms["t"].to_numpy()[g] * w
        self.measured_cells = pd.DataFrame({
            "source_id": ms["source_id"], "species": ms["species"],
            "year": ms["year"].astype(int),
            "computed_t": csum, "measured_t": ms["t"],
            "method": ms["method"] if "method" in ms else None,
        })
        self.measured_cells["difference_%"] = np.where(
            csum > 0, (self.measured_cells["measured_t"] / np.where(csum > 0, csum, 1) - 1) * 100,
            np.nan)
        self._measured_lines = np.unique(li)

    # ------------------------------------------------------------------ aggregation
    def provenance(self) -> Provenance:
        """Provenance of the numbers (project content hash, code, factors, GWP set)."""
        return Provenance.of(getattr(self, "project", None), gwp=self.gwp_set)

    def result(self, by: tuple[str, ...] | list[str] = LINE_DIMS, unit: str = "t") -> Result:
        """Labelled result: emissions by ``by`` (default every source line), species and
        year, in ``unit``; missing factors stay missing (NaN), never 0."""
        tab = self.aggregate(list(by), scope="all", unit=unit, co2e=False)
        return Result("inventory", {"emissions": tab}, self.provenance(),
                      {"name": self.name, "by": list(by)})

    def _species_registry(self):
        """The species registry of the project (registered species and its own)."""
        reg = getattr(getattr(self, "project", None), "species", None)
        if reg is None:
            from cocontrol import registry

            reg = registry.species()
        return reg

    def _gwp(self) -> dict[str, float]:
        """GWP100 of the species in the inventory's GWP set (bundled table, then the GWPs
        of the project's own species)."""
        g = dict(refdata.gwp(self.gwp_set))
        for s in self._species_registry():
            if s.code not in g and self.gwp_set in s.gwp:
                g[s.code] = float(s.gwp[self.gwp_set])
        return g

    def _group_matrix(self, by: list[str], mask: np.ndarray) -> tuple[sp.csr_matrix, pd.DataFrame]:
        for b in by:
            if b not in self.lines.columns:
                cols = [c for c in self.lines.columns if c not in ("combo",)]
                raise CocontrolError(i18n.Msg("msg.inv_cannot_aggregate", by=repr(b),
                                              known=i18n.Seq(cols, ", ", quote=True)))
        idx = np.flatnonzero(mask)
        sub = self.lines[by].iloc[idx] if by else pd.DataFrame(index=idx)
        codes, labels = factorize_columns(sub, by)
        labels = labels.astype(object).where(labels.notna(), "")
        G = sp.csr_matrix((np.ones(len(idx)), (codes, idx)),
                          shape=(len(labels), len(self.lines)))
        return G, labels

    def aggregate(self, by: str | list[str] | tuple = ("sector",), *, species=None,
                  scope: int | str = 1, unit: str = "t", kind: str = "controlled",
                  co2e: bool = True, wide: bool = False) -> pd.DataFrame:
        """Sum emissions by line attributes.

        Parameters
        ----------
        by : columns of ``lines``: ``region_id``, a hierarchy level (``city``, ``district``,
            ``park``, ``enterprise``, ``facility``), ``sector``, ``sector_parent``, ``fuel``,
            ``process``, ``source_id``, ``scope`` ...
        species : subset of species (default all, plus CO2e when ``co2e``).
        scope : 1 direct emissions (default), 2 indirect CO2 of purchased energy, "all".
        unit : mass unit of the result, t, kt or Mt.
        kind : "controlled" (default) or "uncontrolled".
        co2e : add CO2e = Σ GWP100 × mass of CO2, CH4, N2O with the project's GWP set.

        Returns a tidy frame ``[*by, species, year, value, unit]`` (or years as columns when
        ``wide``).
        """
        by = [by] if isinstance(by, str) else list(by)
        sc = self.lines["scope"].to_numpy()
        mask = np.ones(len(sc), bool) if scope == "all" else sc == int(scope)
        G, labels = self._group_matrix(by, mask)
        S, Y = len(self.species), len(self.years)
        if kind == "controlled":
            data = G @ self.emissions.reshape(len(self.lines), S * Y)
        elif kind == "uncontrolled":
            data = np.empty((G.shape[0], S, Y))
            ef0 = np.nan_to_num(self.ef)
            for s in range(S):
                data[:, s, :] = G @ (self.activity * ef0[:, s:s + 1])
            data = data.reshape(G.shape[0], S * Y)
        else:
            raise CocontrolError(i18n.Msg("msg.inv_kind"))
        cube = np.asarray(data).reshape(G.shape[0], S, Y)
        sp_names = list(self.species)
        # lines with activity whose species has no factor: "not estimated" / "partial"
        act = (self.activity > 0).astype(float)
        gaps = ~self.estimated
        counted = self.estimated & self.applicable
        n_ne = np.zeros((G.shape[0], S, Y))
        n_est = np.zeros((G.shape[0], S, Y))
        for s in range(S):
            n_est[:, s, :] = G @ (act * counted[:, s:s + 1])
            if gaps[:, s].any():
                n_ne[:, s, :] = G @ (act * gaps[:, s:s + 1])
        if co2e:
            g = self._gwp()
            w = np.array([g.get(s, 0.0) for s in self.species])
            cube = np.concatenate([cube, np.einsum("gsy,s->gy", cube, w)[:, None, :]], axis=1)
            sp_names.append(CO2E)
            ghg = w > 0
            n_ne = np.concatenate([n_ne, n_ne[:, ghg, :].sum(axis=1)[:, None, :]], axis=1)
            n_est = np.concatenate([n_est, n_est[:, ghg, :].max(axis=1)[:, None, :]], axis=1)
        none = (n_ne > 0) & (n_est == 0)
        cube = np.where(none, np.nan, cube)
        cube = cube * units.factor("t", unit)
        keep = [i for i, s in enumerate(sp_names) if species is None or s in species
                or (s == CO2E and species is not None and CO2E in species)]
        cube = cube[:, keep, :]
        n_ne, none = n_ne[:, keep, :], none[:, keep, :]
        sp_names = [sp_names[i] for i in keep]
        G_, S_, Y_ = cube.shape
        out = labels.loc[labels.index.repeat(S_ * Y_)].reset_index(drop=True)
        out["species"] = np.tile(np.repeat(sp_names, Y_), G_)
        out["year"] = np.tile(self.years, G_ * S_)
        out["value"] = cube.reshape(-1)
        out["unit"] = [f"{unit} CO2e ({self.gwp_set} GWP100)" if s == CO2E else unit
                       for s in out["species"]]
        nn = n_ne.reshape(-1).astype(int)
        out["estimate"] = np.where(none.reshape(-1), NOT_ESTIMATED, np.where(
            nn > 0, np.char.add(np.char.add("partial: ", nn.astype(str)),
                                " line(s) not estimated"), ""))
        if wide:  # rows are group x species x year in order: one row per group x species
            est = out["estimate"].to_numpy().reshape(G_ * S_, Y_)
            out = out.iloc[::Y_].drop(columns=["year", "value", "estimate"]) \
                .reset_index(drop=True)
            vals = cube.reshape(G_ * S_, Y_)
            for k, y in enumerate(self.years):
                out[y] = vals[:, k]
            out["estimate"] = [next((x for x in r if x), "") for r in est]
        return out

    def total(self, unit: str = "t", scope: int | str = 1) -> pd.DataFrame:
        """Totals by species (rows) and year (columns)."""
        t = self.aggregate([], unit=unit, scope=scope)
        return t.pivot(index="species", columns="year", values="value").reindex(
            [*self.species, CO2E])

    # ------------------------------------------------------------------ reports
    def factor_report(self) -> pd.DataFrame:
        """Which factor served every combination of sector × fuel/process × activity unit, for
        every species: set (user/default/grid), method, value, unit and source. Lines map to
        combinations through ``lines['combo']``; source-specific user factors are listed with
        their source_id."""
        ft = self.factor_table
        if ft is None:
            return pd.DataFrame()
        rep = ft.provenance.merge(ft.combos[["combo", "sector", "fuel", "process", "unit"]]
                                  .rename(columns={"unit": "activity_unit"}), on="combo")
        n_lines = self.lines.groupby("combo").size().rename("n_lines")
        rep = rep.merge(n_lines, left_on="combo", right_index=True, how="left")
        rep["source_id"] = "(all matching)"
        # basis: "abated" = the factor already describes plants with typical abatement (a
        # declared control then needs an unabated factor), "unabated", or "n/a" (not estimated)
        cols = ["source_id", "sector", "fuel", "process", "activity_unit", "species", "set",
                "method", "basis", "value", "unit", "t_per_activity", "source", "n_lines"]
        if "basis" not in rep:
            rep["basis"] = None
        rep.loc[rep["set"] == "user", "basis"] = "unabated"  # uncontrolled by the schema
        rep = rep[cols]
        if self.source_factors is not None and len(self.source_factors):
            sf = self.source_factors.assign(set="user (source-specific)", method="factor",
                                            basis="unabated")
            rep = pd.concat([sf, rep], ignore_index=True)[cols]
        return rep

    def line_factor_report(self) -> pd.DataFrame:
        """The factor report expanded to every source line (for small inventories)."""
        ln = self.lines[["source_id", "region_id", "sector", "fuel", "process", "unit",
                         "combo"]].reset_index().rename(columns={"index": "line"})
        ft = self.factor_table
        out = ln.merge(ft.provenance, on="combo")
        return out.drop(columns="combo")

    def to_iamc(self, level: str = "city", unit_air: str = "kt", unit_ghg: str = "Mt",
                model: str = "cocontrol", scenario: str = "Inventory") -> pd.DataFrame:
        """IAMC wide format: model, scenario, region, variable, unit, one column per year.

        Variables ``Emissions|<species>|<sector path>`` (sector path from ``sectors.iamc``),
        species totals ``Emissions|<species>``, ``Emissions|Kyoto Gases`` (CO2e) and indirect
        CO2 of purchased energy ``Indirect Emissions|CO2``. Readable by ``pyam.IamDataFrame``.
        """
        sec = refdata.table("sectors").set_index("code")
        spt = refdata.table("species").set_index("code")
        frames = []
        for scope, prefix in ((1, "Emissions"), (2, "Indirect Emissions")):
            d = self.aggregate([level, "sector"], scope=scope, unit="t")
            d = d[d["value"].notna()]  # not estimated: absent (not reported), never 0
            if d.empty:
                continue
            if scope == 2:
                d = d[d["species"] == "CO2"]
            d["path"] = d["sector"].map(sec["iamc"]).fillna(d["sector"])
            iamc = {s.code: s.iamc for s in self._species_registry()}
            d["sp"] = d["species"].map(spt["iamc"]).fillna(d["species"].map(iamc)) \
                .fillna(d["species"])
            d.loc[d["species"] == CO2E, "sp"] = "Kyoto Gases"
            ghg = d["species"].isin(["CO2", "CH4", "N2O", CO2E])
            d["u"] = np.where(ghg, unit_ghg, unit_air)
            d["value"] = d["value"] * [units.factor("t", u) for u in d["u"]]
            d["unit"] = [f"{u} CO2-equiv/yr" if s == CO2E else f"{u} {n}/yr"
                         for u, s, n in zip(d["u"], d["species"], d["sp"], strict=True)]
            leaf = d.assign(variable=prefix + "|" + d["sp"] + "|" + d["path"])
            leaf = leaf[leaf["species"] != CO2E]
            tot = d.groupby([level, "sp", "unit", "year"], as_index=False)["value"].sum()
            tot["variable"] = prefix + "|" + tot["sp"]
            frames += [leaf[[level, "variable", "unit", "year", "value"]],
                       tot[[level, "variable", "unit", "year", "value"]]]
        out = pd.concat(frames, ignore_index=True)
        out = out.groupby([level, "variable", "unit", "year"], as_index=False)["value"].sum()
        if self.regions is not None:
            names = self.regions.set_index("region_id")["name"]
            out["region"] = out[level].map(names).fillna(out[level])
        else:
            out["region"] = out[level]
        wide = out.pivot_table(index=["region", "variable", "unit"], columns="year",
                               values="value", aggfunc="sum").reset_index()
        wide.columns.name = None
        wide.insert(0, "scenario", scenario)
        wide.insert(0, "model", model)
        return wide

    def to_excel(self, path: str | Path, unit: str = "t") -> Path:
        """Write the inventory workbook (summary, by sector, by region levels, by fuel,
        measured vs computed, factor provenance, IAMC, metadata). Written atomically."""
        from cocontrol.xlsxreport import write_workbook

        path = Path(path)
        sheets = {
            "total": self.total(unit=unit).reset_index(),
            "by_sector": self.aggregate("sector", unit=unit, wide=True),
            "by_fuel": self.aggregate(["fuel", "process"], unit=unit, wide=True),
        }
        for lv in ("district", "park", "enterprise"):
            if lv in self.lines and (self.lines[lv] != "(none)").any():
                sheets[f"by_{lv}"] = self.aggregate([lv, "sector"], unit=unit, wide=True)
        sheets["scope2_indirect"] = self.aggregate(["sector"], scope=2, unit=unit,
                                                   species=["CO2"], co2e=False, wide=True)
        sheets["measured_vs_computed"] = self.measured_cells
        sheets["not_estimated"] = self.not_estimated
        sheets["warnings"] = pd.DataFrame([w if isinstance(w, dict) else {"warning": str(w)}
                                           for w in self.warnings])
        sheets["factor_sources"] = self.factor_report()
        sheets["iamc"] = self.to_iamc()
        sheets["metadata"] = pd.DataFrame({
            "item": ["project", "gwp_set", "unit", "species", "years", "lines"],
            "value": [self.name, self.gwp_set, unit, ", ".join(self.species),
                      ", ".join(map(str, self.years)), len(self.lines)]})
        # bilingual frozen headers, a units row, number formats (IAMC sheet as the standard);
        # not estimated cells are written as such, never 0 or blank
        ne = i18n.both("not_estimated")
        return write_workbook({k: safe_frame(v if k == "measured_vs_computed"
                                             else shown(v, self.years, ne))
                               for k, v in sheets.items()}, path, index=False)
