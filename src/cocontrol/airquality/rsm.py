"""Polynomial response surface (pf-RSM) fitted to chemical-transport-model runs.

Following the polynomial-function response surface model (pf-RSM) of Xing et al. (2018,
Atmos. Chem. Phys. 18, 7799, "Quantification of the enhanced effectiveness of NOx control from
simultaneous reductions of VOC and NH3 for reducing air pollution in the Beijing–Tianjin–Hebei
region, China"), the change of a concentration from its base value is a sum of monomials of
the emission-change ratios ΔE_v = E_v/E_v,base − 1 of the control variables v (precursors
NOx, SO2, NH3, VOC, POA …, optionally by source region):

    ΔC = Σ_i X_i Π_v ΔE_v^{a_{i,v}}                         (no constant: ΔC = 0 at the base)

The coefficients X_i are fitted by least squares to the CTM runs; the term set (exponents
a_{i,v}) is either all monomials up to a total degree (default 2) or given by the user, as
pf-RSM selects its terms per output. Accuracy is reported by cross-validation (leave-one-out
or k-fold) as mean/maximum normalised error and R² of the concentrations, the criteria used by
Xing et al. (MNE ≤ 2 %, max NE ≤ 10 %).

Runs table (one row per CTM run, plus one base run with every ratio = 1)::

    run, [receptor], ratio_<precursor> | ratio_<region>:<precursor> ..., <component>_ugm3 ...

e.g. ``ratio_NOx``, ``ratio_Hebei:SO2``, ``PM25_ugm3``, ``SO4_ugm3``, ``O3_ppbv``.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cocontrol.airquality.base import (
    ALL_SECTORS,
    GAS_COMPONENTS,
    PM25,
    PM_COMPONENTS,
    CompiledResponse,
    ExtrapolationWarning,
    LinearSourceReceptor,
    ResponseModel,
    canonical_component,
    canonical_precursor,
    normalise_emissions,
    unit_of,
)
from cocontrol.errors import InputError, ModelError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

_OUT_RE = re.compile(r"^(?P<comp>[A-Za-z0-9.]+)_(?P<unit>ugm3|ppbv)$")
_OUTPUTS = (*PM_COMPONENTS, PM25, *GAS_COMPONENTS)
Variable = tuple[str, str]  # (source_region, precursor)


def monomial_terms(n_vars: int, max_degree: int) -> np.ndarray:
    """Exponent matrix (n_terms × n_vars) of every monomial with total degree 1..max_degree."""
    rows = []
    for d in range(1, max_degree + 1):
        for combo in itertools.combinations_with_replacement(range(n_vars), d):
            e = np.zeros(n_vars, dtype=int)
            for v in combo:
                e[v] += 1
            rows.append(e)
    return np.array(rows, dtype=int).reshape(-1, n_vars)


def design_matrix(delta: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """X[k, i] = Π_v delta[k, v] ** terms[i, v] (delta: n_points × n_vars)."""
    return np.prod(delta[:, None, :] ** terms[None, :, :], axis=2)


def design_gradient(delta: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """∂X[k, i]/∂delta[k, v] as an array (n_points × n_terms × n_vars)."""
    n, nv = delta.shape
    out = np.zeros((n, terms.shape[0], nv))
    for v in range(nv):
        t2 = terms.copy()
        t2[:, v] = np.maximum(t2[:, v] - 1, 0)
        out[:, :, v] = terms[None, :, v] * design_matrix(delta, t2)
    return out


def _term_name(exps: np.ndarray, names: Sequence[str]) -> str:
    parts = [n if e == 1 else f"{n}^{e}" for n, e in zip(names, exps, strict=True) if e]
    return "*".join(parts)


def _var_name(v: Variable) -> str:
    return v[1] if v[0] == "" else f"{v[0]}:{v[1]}"


class ResponseSurfaceModel(ResponseModel):
    """A fitted polynomial response surface (construct with :meth:`fit`)."""

    name = "pf-RSM polynomial response surface"

    def __init__(self, variables: list[Variable], terms: np.ndarray,
                 coefficients: dict[tuple[str, str], np.ndarray], base: pd.DataFrame,
                 ranges: dict[str, np.ndarray], cv_errors: pd.DataFrame,
                 base_emissions_t: Mapping[Variable, float] | None = None):
        self.variables = list(variables)
        self.terms = np.asarray(terms, dtype=int)
        self._coef = coefficients
        self._base = base
        self._ranges = ranges  # receptor -> (2 × n_vars) min/max ratio in the training runs
        self.cv_errors = cv_errors
        self.base_emissions_t = dict(base_emissions_t or {})

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(cls, runs: pd.DataFrame, max_degree: int = 2,
            terms: Sequence[Mapping[str, int]] | np.ndarray | None = None,
            cv: str | int = "loo", region: str = "", seed: int = 0,
            base_emissions_t: Mapping[str, float] | pd.DataFrame | None = None,
            file: str = "<runs>") -> ResponseSurfaceModel:
        """Fit the surface to CTM runs.

        Parameters
        ----------
        runs
            Runs table (see module docstring). Ratios are emission / base emission (1 = base,
            0.6 = a 40 % cut); outputs are annual means in µg/m³ (``_ugm3``) or ppbv (``_ppbv``).
        max_degree
            Total degree of the monomials when ``terms`` is not given.
        terms
            Explicit term set: a list of ``{variable: power}`` dicts (variable names as in the
            ratio columns without ``ratio_``), or an exponent matrix (n_terms × n_vars).
        cv
            ``"loo"`` for leave-one-out, an integer k for k-fold cross-validation, or ``None``.
        region
            Source-region name given to ``ratio_<precursor>`` columns (no region in the name).
        seed
            Random seed of the k-fold split.
        base_emissions_t
            Base emissions (t/yr) of each variable, as ``{"NOx": ..., "Hebei:SO2": ...}`` or a
            table ``source_region, precursor, base_t``; needed by :meth:`predict` (t/yr input),
            :meth:`gradient` per tonne and :meth:`tangent`.

        Raises
        ------
        InputError
            Bad runs table (named row/column), no base run.
        ModelError
            More terms than runs, or runs that do not identify every term.
        """
        df = runs.reset_index(drop=True)
        problems: list[Problem] = []
        ratio_cols = [c for c in df.columns if str(c).startswith("ratio_")]
        out_cols = [c for c in df.columns if _OUT_RE.match(str(c))]
        if not ratio_cols:
            problems.append(Problem(file, M("msg.aq_no_emission_ratio_columns"),
                                    expected=M("msg.aq_columns_named_ratio_precursor")))
        if not out_cols:
            problems.append(Problem(file, M("msg.aq_no_concentration_columns"),
                                    expected=M("msg.aq_columns_such_as_pm2")))
        variables: list[Variable] = []
        for c in ratio_cols:
            name = str(c)[len("ratio_"):]
            reg, _, prec = name.rpartition(":")
            p = canonical_precursor(prec)
            if p is None:
                problems.append(Problem(file, M("msg.aq_unknown_precursor_column_name"), column=str(c),
                                        expected=M("msg.aq_ratio_precursor_precursor_one")))
            variables.append((reg or region, p or prec))
        for c in out_cols:
            comp = canonical_component(_OUT_RE.match(str(c)).group("comp"))
            if comp not in _OUTPUTS:
                problems.append(Problem(file, M("msg.aq_unknown_output_component"), column=str(c),
                                        expected=M("msg.aq_one_of", items=Seq(list(_OUTPUTS), quote=True), more="")))
            elif _OUT_RE.match(str(c)).group("unit") != unit_of(comp).replace("/", ""):
                problems.append(Problem(file, M("msg.aq_wrong_unit_this_component"), column=str(c),
                                        expected=f"{comp}_{unit_of(comp).replace('/', '')}"))
        if problems:
            raise InputError(problems)
        R = np.empty((len(df), len(ratio_cols)))
        for j, c in enumerate(ratio_cols):
            v = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
            for i in np.flatnonzero(~np.isfinite(v) | (v < 0)):
                problems.append(Problem(file, M("msg.aq_emission_ratio_number_0"),
                                        row=int(i) + 2, column=str(c), value=df[c].iloc[i],
                                        expected=M("msg.aq_e_e_base_e")))
            R[:, j] = v
        Y = np.empty((len(df), len(out_cols)))
        for j, c in enumerate(out_cols):
            v = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
            for i in np.flatnonzero(~np.isfinite(v)):
                problems.append(Problem(file, M("msg.aq_concentration_not_number"), row=int(i) + 2,
                                        column=str(c), value=df[c].iloc[i]))
            Y[:, j] = v
        rec = (df["receptor"].astype(str).to_numpy() if "receptor" in df.columns
               else np.full(len(df), "domain", dtype=object))
        if problems:
            raise InputError(problems)

        names = [_var_name(v) for v in variables]
        if terms is None:
            T = monomial_terms(len(variables), max_degree)
        elif isinstance(terms, np.ndarray):
            T = np.asarray(terms, dtype=int)
            if T.ndim != 2 or T.shape[1] != len(variables):
                raise ModelError(M("msg.aq_term_matrix_have_columns", len_variables=len(variables), join_names=', '.join(names)))
        else:
            T = np.zeros((len(terms), len(variables)), dtype=int)
            for i, t in enumerate(terms):
                for k, pw in t.items():
                    if k not in names:
                        raise ModelError(M("msg.aq_term_uses_unknown_variable", t=t, k=repr(k), join_names=', '.join(names)))
                    T[i, names.index(k)] = int(pw)
        if (T.sum(axis=1) == 0).any():
            raise ModelError(M("msg.aq_term_has_all_powers"))

        coefs: dict[tuple[str, str], np.ndarray] = {}
        base_rows, cv_rows, ranges = [], [], {}
        for r in dict.fromkeys(rec):
            idx = np.flatnonzero(rec == r)
            is_base = np.all(np.abs(R[idx] - 1.0) < 1e-9, axis=1)
            if not is_base.any():
                raise InputError(Problem(file, M("msg.aq_no_base_run_all", r=r),
                                         column="receptor", value=r,
                                         expected=M("msg.aq_one_run_with_every")))
            b = idx[np.flatnonzero(is_base)[0]]
            train = idx[~is_base]
            D = R[train] - 1.0
            X = design_matrix(D, T)
            if len(train) < T.shape[0]:
                raise ModelError(
                    M("msg.aq_receptor_polynomial_terms_but", r=r, t_shape_0=T.shape[0], len_train=len(train)))
            rank = np.linalg.matrix_rank(X)
            if rank < T.shape[0]:
                raise ModelError(
                    M("msg.aq_receptor_runs_identify_only", r=r, rank=rank, t_shape_0=T.shape[0]))
            ranges[r] = np.vstack([R[idx].min(axis=0), R[idx].max(axis=0)])
            for j, c in enumerate(out_cols):
                comp = canonical_component(_OUT_RE.match(str(c)).group("comp"))
                dy = Y[train, j] - Y[b, j]
                x, *_ = np.linalg.lstsq(X, dy, rcond=None)
                coefs[(r, comp)] = x
                base_rows.append((r, comp, Y[b, j]))
                cv_rows.append(_cross_validate(r, comp, X, Y[train, j], Y[b, j], cv, seed))
        base = pd.DataFrame(base_rows, columns=["receptor", "component", "base"])
        cvdf = pd.DataFrame(cv_rows)
        be: dict[Variable, float] = {}
        if base_emissions_t is not None:
            be = _parse_base_emissions(base_emissions_t, variables, region)
        model = cls(variables, T, coefs, base, ranges, cvdf, be)
        model.term_names = [_term_name(t, names) for t in T]
        return model

    # ------------------------------------------------------------------ queries
    @property
    def receptors(self) -> list[str]:
        return list(self._ranges)

    @property
    def variable_names(self) -> list[str]:
        return [_var_name(v) for v in self.variables]

    def base_concentration(self) -> pd.DataFrame:
        b = self._base.copy()
        b["unit"] = b["component"].map(unit_of)
        return b[["receptor", "component", "unit", "base"]]

    def coefficient_table(self) -> pd.DataFrame:
        """Fitted coefficients X_i: ``receptor, component, term, coef``."""
        names = getattr(self, "term_names",
                        [_term_name(t, self.variable_names) for t in self.terms])
        rows = [(r, c, names[i], float(x[i])) for (r, c), x in self._coef.items()
                for i in range(len(names))]
        return pd.DataFrame(rows, columns=["receptor", "component", "term", "coef"])

    def training_range(self) -> pd.DataFrame:
        """Min and max emission ratio of each variable in the training runs, by receptor."""
        rows = [(r, n, rg[0, j], rg[1, j]) for r, rg in self._ranges.items()
                for j, n in enumerate(self.variable_names)]
        return pd.DataFrame(rows, columns=["receptor", "variable", "ratio_min", "ratio_max"])

    # ------------------------------------------------------------------ prediction
    def _resolve(self, key: str | Variable, where: str = "<ratios>") -> int:
        """Index of the control variable named ``key`` ("NOx", "VOC", "Hebei:SO2" ...)."""
        if isinstance(key, tuple):
            reg, prec = key
        else:
            key = key[len("ratio_"):] if key.startswith("ratio_") else key
            reg, _, prec = key.rpartition(":")
        p = canonical_precursor(prec) or prec
        hits = [j for j, v in enumerate(self.variables)
                if v[1] == p and (reg == "" or v[0] == reg)]
        if len(hits) != 1:
            raise InputError(Problem(where, M("msg.aq_unknown_variable") if not hits else
                                     M("msg.aq_ambiguous_variable"),
                                     value=key, expected=M("msg.aq_one_of", items=Seq(
                                         list(self.variable_names), quote=True), more="")))
        return hits[0]

    def _ratio_vector(self, ratios: Mapping[str, float] | pd.Series | None) -> np.ndarray:
        x = np.ones(len(self.variables))
        if ratios is None:
            return x
        for k, v in dict(ratios).items():
            x[self._resolve(k)] = float(v)
        return x

    def _check_range(self, x: np.ndarray) -> dict[str, list[str]]:
        out = {}
        for r, rg in self._ranges.items():
            bad = [self.variable_names[j] for j in range(len(x))
                   if x[j] < rg[0, j] - 1e-9 or x[j] > rg[1, j] + 1e-9]
            if bad:
                out[r] = bad
        if out:
            first = next(iter(out.items()))
            warnings.warn(M("msg.aqw_outside_range_others" if len(out) > 1
                            else "msg.aqw_outside_range_at", what=first[1], receptor=first[0]),
                          ExtrapolationWarning, stacklevel=3)
        return out

    def predict_ratios(self, ratios: Mapping[str, float] | pd.Series | None = None
                       ) -> pd.DataFrame:
        """Concentrations for emission ratios ``{variable: E/E_base}`` (missing = 1).

        Returns the tidy result of :class:`ResponseModel` plus ``extrapolated`` (bool) and
        ``outside_range`` (variables outside the training range); an
        :class:`ExtrapolationWarning` is raised when any receptor extrapolates.
        """
        x = self._ratio_vector(ratios)
        outside = self._check_range(x)
        X = design_matrix((x - 1.0)[None, :], self.terms)[0]
        rows = [(r, c, float(X @ coef)) for (r, c), coef in self._coef.items()]
        d = pd.DataFrame(rows, columns=["receptor", "component", "change"]).merge(
            self._base, on=["receptor", "component"])
        fitted = set(d["component"])
        if PM25 not in fitted and fitted & set(PM_COMPONENTS):
            s = d[d["component"].isin(PM_COMPONENTS)].groupby("receptor", as_index=False,
                                                               sort=False)[["base", "change"]
                                                                           ].sum()
            s["component"] = PM25
            d = pd.concat([d, s], ignore_index=True)
        d["unit"] = d["component"].map(unit_of)
        d["value"] = d["base"] + d["change"]
        d["model"] = self.name
        d["extrapolated"] = d["receptor"].map(lambda r: r in outside)
        d["outside_range"] = d["receptor"].map(lambda r: ", ".join(outside.get(r, [])))
        return d[["receptor", "component", "unit", "base", "change", "value", "model",
                  "extrapolated", "outside_range"]]

    def _emissions_to_ratios(self, emissions: pd.DataFrame, file: str) -> dict[str, float]:
        if not self.base_emissions_t:
            raise InputError(Problem(file, M("msg.aq_this_response_surface_was"),
                                     expected=M("msg.aq_fit_base_emissions_t")))
        e = normalise_emissions(emissions, file=file)
        e = e.groupby(["source_region", "precursor"], as_index=False)["change_t"].sum()
        probs, ratios = [], {}
        for row in e.itertuples():
            v = (row.source_region, row.precursor)
            if v not in self.base_emissions_t:
                if row.change_t != 0:
                    probs.append(Problem(file, M("msg.aq_no_control_variable_response"),
                                         value=f"{row.source_region}/{row.precursor}",
                                         expected=M("msg.aq_one_of", items=Seq(list(self.variable_names), quote=True), more="")))
                continue
            ratios[_var_name(v)] = 1.0 + row.change_t / self.base_emissions_t[v]
        if probs:
            raise InputError(probs)
        return ratios

    def predict(self, emissions: pd.DataFrame, file: str = "<emissions>") -> pd.DataFrame:
        """Concentrations after emission changes in t/yr (needs ``base_emissions_t``).

        Emission rows use the variable's source region (``""`` for ratio columns without
        a region unless ``region`` was given to :meth:`fit`) and precursor.
        """
        return self.predict_ratios(self._emissions_to_ratios(emissions, file))

    def compile(self, inputs) -> CompiledResponse:
        """Array form of :meth:`predict` for fixed inputs ``[(source_region, precursor), ...]``
        (t/yr changes): ratios x = 1 + Σ ΔE / E_base per control variable, the monomials of
        x − 1 and one matrix product; PM25 is the sum of the fitted components when it is not
        fitted itself. Same numbers as :meth:`predict`; warns when extrapolating."""
        from cocontrol.airquality.base import _inputs_frame

        ins = _inputs_frame(inputs)
        if not self.base_emissions_t:
            self._emissions_to_ratios(pd.DataFrame({"source_region": [], "precursor": [],
                                                    "change_t": []}), "<inputs>")
        nv = len(self.variables)
        W = np.zeros((len(ins), nv))  # ratio change per t/yr of every input
        probs = []
        for i, (reg, prec, _sec) in enumerate(ins):
            v = (reg, prec)
            if v not in self.base_emissions_t:
                probs.append(Problem("<inputs>", M("msg.aq_no_control_variable_response"),
                                     value=f"{reg}/{prec}",
                                     expected=M("msg.aq_one_of", items=Seq(list(self.variable_names), quote=True), more="")))
                continue
            W[i, self.variables.index(v)] = 1.0 / self.base_emissions_t[v]
        if probs:
            raise InputError(probs)
        keys = list(self._coef)
        base = self._base.set_index(["receptor", "component"])["base"]
        keys = [k for k in keys if k in base.index]
        C = np.column_stack([self._coef[k] for k in keys]) if keys else \
            np.zeros((len(self.terms), 0))
        outs = list(keys)
        fitted = {c for _, c in keys}
        S = np.eye(len(keys))
        if PM25 not in fitted and fitted & set(PM_COMPONENTS):
            recs = list(dict.fromkeys(r for r, c in keys if c in PM_COMPONENTS))
            extra = np.zeros((len(keys), len(recs)))
            for j, (r, c) in enumerate(keys):
                if c in PM_COMPONENTS:
                    extra[j, recs.index(r)] = 1.0
            S = np.hstack([S, extra])
            outs += [(r, PM25) for r in recs]
        base_v = np.array([base[k] for k in keys]) @ S if keys else np.zeros(len(outs))
        lo = np.min([rg[0] for rg in self._ranges.values()], axis=0) if self._ranges else None
        hi = np.max([rg[1] for rg in self._ranges.values()], axis=0) if self._ranges else None

        def change(d: np.ndarray) -> np.ndarray:
            dx = d @ W  # x − 1
            if lo is not None and (np.any(dx + 1 < lo - 1e-9) or np.any(dx + 1 > hi + 1e-9)):
                warnings.warn(M("msg.aqw_outside_range"), ExtrapolationWarning, stacklevel=3)
            flat = dx.reshape(-1, nv)
            X = design_matrix(flat, self.terms)
            return ((X @ C) @ S).reshape((*d.shape[:-1], len(outs)))

        return CompiledResponse(self.name, ins, outs, base_v, change)

    # ------------------------------------------------------------------ linearisation
    def gradient(self, ratios: Mapping[str, float] | None = None, per: str = "ratio"
                 ) -> pd.DataFrame:
        """∂C/∂(variable) at the point ``ratios`` (default: the base).

        Parameters
        ----------
        per
            ``"ratio"``: per unit of emission ratio (µg/m³ per 1.0 = 100 % of base emission);
            ``"t"``: per t/yr (needs base emissions).

        Returns
        -------
        DataFrame ``receptor, component, source_region, precursor, variable, unit, value``.
        """
        x = self._ratio_vector(ratios)
        self._check_range(x)
        G = design_gradient((x - 1.0)[None, :], self.terms)[0]  # n_terms × n_vars
        rows = []
        for (r, c), coef in self._coef.items():
            g = coef @ G
            for j, v in enumerate(self.variables):
                val = g[j]
                if per == "t":
                    if v not in self.base_emissions_t:
                        raise InputError(Problem("<gradient>", M("msg.aq_base_emission_missing_per"), value=_var_name(v)))
                    val = val / self.base_emissions_t[v]
                rows.append((r, c, v[0], v[1], _var_name(v), val))
        d = pd.DataFrame(rows, columns=["receptor", "component", "source_region", "precursor",
                                        "variable", "value"])
        d["unit"] = d["component"].map(unit_of) + (" per t/yr" if per == "t" else " per ratio")
        return d[["receptor", "component", "source_region", "precursor", "variable", "unit",
                  "value"]]

    def tangent(self, ratios: Mapping[str, float] | None = None) -> LinearSourceReceptor:
        """First-order (tangent-plane) linearisation at ``ratios`` as a linear model.

        The returned model's base is the surface's value at the point and its coefficients are
        the per-tonne gradient there, so emission changes passed to it are measured **from the
        linearisation point** (for successive linear programming).
        """
        at = self.predict_ratios(ratios)
        g = self.gradient(ratios, per="t")
        coef = g.rename(columns={"value": "coef"}).assign(sector=ALL_SECTORS)
        comp_rows = at[at["component"].isin([c for (_, c) in self._coef])]
        base = comp_rows[["receptor", "component", "value"]].rename(columns={"value": "base"})
        if PM25 in set(coef["component"]) and set(coef["component"]) & set(PM_COMPONENTS):
            # PM25 fitted directly alongside components: keep the totals only
            coef = coef[~coef["component"].isin(PM_COMPONENTS)]
            base = base[~base["component"].isin(PM_COMPONENTS)]
        return LinearSourceReceptor(
            coef[["receptor", "component", "source_region", "precursor", "sector", "coef"]],
            base, name=f"tangent of {self.name}", metadata={"point": dict(ratios or {})})

    def piecewise(self, variable: str, breakpoints: Sequence[float],
                  at: Mapping[str, float] | None = None) -> pd.DataFrame:
        """Values along one variable with the others fixed (for a SOS2 / λ formulation).

        Returns ``receptor, component, variable, ratio, [emission_t], value`` at each
        breakpoint (emission ratio). Between breakpoints the LP interpolates linearly; the
        approximation is exact at the breakpoints. Cross terms make the curve depend on the
        other variables (``at``, default base), so re-linearise when they move.
        """
        j = self._resolve(variable, "<piecewise>")
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ExtrapolationWarning)
            for b in breakpoints:
                pt = dict(at or {})
                pt[variable] = float(b)
                d = self.predict_ratios(pt)
                d = d.assign(variable=variable, ratio=float(b))
                out.append(d)
        d = pd.concat(out, ignore_index=True)
        v = self.variables[j]
        if v in self.base_emissions_t:
            d["emission_t"] = d["ratio"] * self.base_emissions_t[v]
        cols = ["receptor", "component", "variable", "ratio"] + (
            ["emission_t"] if "emission_t" in d.columns else []) + ["unit", "value",
                                                                   "extrapolated"]
        return d[cols].sort_values(["receptor", "component", "ratio"]).reset_index(drop=True)


def _parse_base_emissions(be, variables: list[Variable], region: str) -> dict[Variable, float]:
    out: dict[Variable, float] = {}
    if isinstance(be, pd.DataFrame):
        for row in be.itertuples():
            p = canonical_precursor(row.precursor)
            out[(str(row.source_region), p)] = float(row.base_t)
    else:
        for k, v in be.items():
            reg, _, prec = str(k).rpartition(":")
            out[(reg or region, canonical_precursor(prec) or prec)] = float(v)
    bad = [(_var_name(v), x) for v, x in out.items() if not x > 0]
    if bad:
        raise InputError(Problem("<base_emissions_t>", M("msg.aq_base_emissions_0_t"),
                                 value=bad))
    return out


def _cross_validate(receptor: str, comp: str, X: np.ndarray, y: np.ndarray, y_base: float,
                    cv: str | int | None, seed: int) -> dict:
    """Cross-validated errors of the concentrations (base + ΔC) of the non-base runs."""
    n, k = X.shape
    rec = {"receptor": receptor, "component": comp, "unit": unit_of(comp), "n_runs": n,
           "n_terms": k, "cv": str(cv)}
    if cv is None:
        return rec
    folds = (np.arange(n) if cv == "loo" else
             np.random.default_rng(seed).permutation(n) % int(cv))
    nf = n if cv == "loo" else int(cv)
    if n - int(np.ceil(n / nf)) < k:
        warnings.warn(M("msg.aqw_few_runs", where=f"{receptor}/{comp}", cv=cv, k=k),
                      ExtrapolationWarning, stacklevel=3)
        return rec
    pred = np.empty(n)
    if cv == "loo":
        # closed form of leave-one-out least squares: e_i / (1 − h_ii), h = diag of the hat
        # matrix (exact; refit explicitly where a run has leverage ~1)
        x, *_ = np.linalg.lstsq(X, y - y_base, rcond=None)
        resid = (y - y_base) - X @ x
        q, _ = np.linalg.qr(X)
        h = np.sum(q * q, axis=1)
        ok = h < 1.0 - 1e-8
        pred[ok] = y[ok] - resid[ok] / (1.0 - h[ok])
        folds = np.where(ok, -1, np.arange(n))  # only high-leverage runs are refitted
    for f in range(nf):
        if cv == "loo" and not (folds == f).any():
            continue
        te = folds == f
        x, *_ = np.linalg.lstsq(X[~te], y[~te] - y_base, rcond=None)
        pred[te] = y_base + X[te] @ x
    obs = y
    with np.errstate(divide="ignore", invalid="ignore"):
        ne = np.abs(pred - obs) / np.abs(obs)
    ss_res = float(np.sum((pred - obs) ** 2))
    ss_tot = float(np.sum((obs - obs.mean()) ** 2))
    rec.update(mean_normalised_error=float(np.mean(ne)), max_normalised_error=float(np.max(ne)),
               r2=1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan"),
               rmse=float(np.sqrt(ss_res / n)))
    return rec
