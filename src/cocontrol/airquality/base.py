"""Common interface of the air-quality response models.

Every model maps a table of emission changes to annual-mean concentrations by receptor:

* input (tidy): one row per ``source_region`` × ``precursor`` [× ``sector``] with either
  ``change_t`` (t/yr, new minus base) or ``base_t`` and ``new_t`` (t/yr);
* output (tidy): one row per ``receptor`` × ``component`` with ``base``, ``change`` and
  ``value`` (= base + change) in the unit of the ``unit`` column (µg/m³ for PM2.5 and its
  components, ppbv for O3). The ``PM2.5`` row is the sum of the PM2.5 components.

Linear models (:class:`LinearSourceReceptor`) also expose :meth:`jacobian`, the labelled
table of ∂C/∂E (µg/m³ per t/yr) by receptor, component, source region, precursor and sector,
which an LP optimiser can use directly in ``PM2.5 ≤ target`` constraints.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterable
from functools import lru_cache
from types import MappingProxyType

import numpy as np
import pandas as pd

from cocontrol import refdata
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.provenance import Provenance
from cocontrol.registry import species as species_registry
from cocontrol.results import Result

#: PM2.5 components reported by the models (µg/m³). ``other`` = dust, sea salt and the
#: unresolved residual (held constant by the TM5-FASST model).
PM_COMPONENTS: tuple[str, ...] = ("SO4", "NO3", "NH4", "BC", "POM", "other")
#: Gas-phase outputs (ppbv), reported separately and never added to PM2.5.
GAS_COMPONENTS: tuple[str, ...] = ("O3",)
#: The PM2.5 total (sum of the components), spelled as the species code ``PM2.5``.
PM25 = "PM2.5"
#: Primary PM2.5 other than BC and OM (dust, ash ...), a precursor of the models.
PM25_OTHER = "PM2.5_other"


def _key(name: str) -> str:
    return str(name).strip().lower().replace(" ", "")


@lru_cache(maxsize=1)
def _precursor_table() -> tuple[tuple[str, ...], MappingProxyType]:
    """Precursors of ``data/airquality/precursors.csv`` and every spelling → code."""
    t = refdata.bundled("airquality/precursors.csv")
    sp = species_registry()
    names: dict[str, str] = {}
    for code, spc, al in zip(t["code"], t["species"], t["aliases"], strict=True):
        # a precursor that is an inventory species has its code and spellings from there
        linked = sp[spc].aliases if isinstance(spc, str) else ()
        for n in (code, *linked, *(str(al).split(";") if isinstance(al, str) else ())):
            if n.strip():
                names[_key(n)] = str(code)
    return tuple(t["code"]), MappingProxyType(names)


#: Canonical precursor names (one spelling: the species codes where the precursor is an
#: inventory species). ``OM`` is primary organic matter (POM = OM; OC × OM/OC ratio),
#: ``PM2.5_other`` is primary PM2.5 other than BC and OM (dust, ash ...).
PRECURSORS: tuple[str, ...] = _precursor_table()[0]

_COMPONENT_ALIASES = {"pm25": PM25, "pm2.5": PM25, "pm2_5": PM25, "pom": "POM", "om": "POM"}

ALL_SECTORS = "*"


class ExtrapolationWarning(UserWarning):
    """A model was asked for a point outside the range it was built or fitted on."""


class ModelWarning(UserWarning):
    """A model result needs the user's attention (e.g. a negative concentration)."""


def canonical_precursor(name: object) -> str | None:
    """Canonical precursor name for ``name`` (case-insensitive; the spellings are data:
    ``data/airquality/precursors.csv``), ``None`` if unknown. ``PM2.5`` (total primary PM2.5,
    an inventory species) is not a precursor: give ``PM2.5_other`` (PM2.5 − BC − OM)."""
    if not isinstance(name, str):
        return None
    return _precursor_table()[1].get(_key(name))


def canonical_component(name: object) -> object:
    """One spelling of a concentration component (``PM25`` → ``PM2.5``); other names as
    given (checked by the callers)."""
    if not isinstance(name, str):
        return name
    s = name.strip()
    return _COMPONENT_ALIASES.get(_key(s), s)


def unit_of(component: str) -> str:
    return "ppbv" if component in GAS_COMPONENTS else "ug/m3"


def normalise_emissions(emissions: pd.DataFrame, file: str = "<emissions>",
                        sheet: str | None = None) -> pd.DataFrame:
    """Validate a tidy emission-change table and return ``source_region, precursor, sector,
    change_t`` (t/yr), one row per key (duplicates summed).

    Parameters
    ----------
    emissions
        Columns ``source_region``, ``precursor``, optional ``sector`` and either ``change_t``
        (t/yr) or both ``base_t`` and ``new_t`` (t/yr). Precursor names are matched
        case-insensitively (``NMVOC`` → ``VOCs``, ``POM`` → ``OM``, ``PM25`` →
        ``PM2.5_other``).
    file, sheet
        Names used in error messages.

    Raises
    ------
    InputError
        Listing every bad row with its row number (header = row 1) and column.
    """
    if not isinstance(emissions, pd.DataFrame):
        raise InputError(Problem(file, M("msg.aq_emission_changes_table_dataframe"),
                                 value=type(emissions).__name__))
    df = emissions.reset_index(drop=True)
    problems: list[Problem] = []
    for col in ("source_region", "precursor"):
        if col not in df.columns:
            problems.append(Problem(file, M("msg.aq_missing_column", col=col), sheet=sheet, column=col,
                                    expected=M("msg.aq_columns_source_region_precursor")))
    has_change = "change_t" in df.columns
    has_pair = "base_t" in df.columns and "new_t" in df.columns
    if not has_change and not has_pair:
        problems.append(Problem(file, M("msg.aq_no_emission_column"), sheet=sheet,
                                expected=M("msg.aq_change_t_t_yr")))
    if problems:
        raise InputError(problems)

    rows = np.arange(len(df)) + 2  # Excel-style row numbers
    prec = df["precursor"].map(canonical_precursor)
    for i in np.flatnonzero(prec.isna().to_numpy()):
        problems.append(Problem(file, M("msg.aq_unknown_precursor"), sheet=sheet, row=int(rows[i]),
                                column="precursor", value=df["precursor"].iloc[i],
                                expected=M("msg.aq_precursor_one_of", items=Seq(list(PRECURSORS), quote=True))))
    reg = df["source_region"]
    bad_reg = reg.isna().to_numpy() | (reg.astype(str).str.strip() == "").to_numpy()
    for i in np.flatnonzero(bad_reg):
        problems.append(Problem(file, M("msg.aq_empty_source_region"), sheet=sheet, row=int(rows[i]),
                                column="source_region", expected=M("msg.aq_region_name_code")))

    def _num(col: str) -> np.ndarray:
        v = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        for i in np.flatnonzero(~np.isfinite(v)):
            problems.append(Problem(file, M("msg.aq_not_number"), sheet=sheet, row=int(rows[i]),
                                    column=col, value=df[col].iloc[i],
                                    expected=M("msg.aq_number_t_yr")))
        return v

    if has_change:
        change = _num("change_t")
    else:
        base, new = _num("base_t"), _num("new_t")
        for col, v in (("base_t", base), ("new_t", new)):
            for i in np.flatnonzero(v < 0):
                problems.append(Problem(file, M("msg.aq_negative_emission"), sheet=sheet, row=int(rows[i]),
                                        column=col, value=float(v[i]), expected=">= 0 t/yr"))
        change = new - base
    if problems:
        raise InputError(problems)
    if "sector" in df.columns:  # an empty sector cell means "all sectors"
        blank = df["sector"].isna() | (df["sector"].astype(str).str.strip() == "")
        sector = df["sector"].astype(str).str.strip().where(~blank, ALL_SECTORS)
    else:
        sector = pd.Series(ALL_SECTORS, index=df.index)
    out = pd.DataFrame({"source_region": reg.astype(str).str.strip().to_numpy(),
                        "precursor": prec.to_numpy(), "sector": sector.to_numpy(),
                        "change_t": change})
    return out.groupby(["source_region", "precursor", "sector"], as_index=False,
                       sort=False)["change_t"].sum()


def _assemble(base: pd.DataFrame, change: pd.DataFrame, model: str) -> pd.DataFrame:
    """Join base and change (receptor, component) tables and add the PM2.5 total rows."""
    d = base.merge(change, on=["receptor", "component"], how="outer")
    d["base"] = d["base"].astype(float)
    d["change"] = d["change"].fillna(0.0).astype(float)
    # receptors modelled by components get a PM2.5 row = their sum; receptors whose model gives
    # total PM2.5 directly (component "PM2.5") keep it as is
    has_total = set(d.loc[d["component"] == PM25, "receptor"])
    pm = d[d["component"].isin(PM_COMPONENTS) & ~d["receptor"].isin(has_total)]
    if not pm.empty:
        tot = pm.groupby("receptor", as_index=False, sort=False).agg(
            base=("base", lambda s: s.sum(min_count=len(s))), change=("change", "sum"))
        tot["component"] = PM25
        d = pd.concat([d, tot], ignore_index=True)
    d["unit"] = d["component"].map(unit_of)
    d["value"] = d["base"] + d["change"]
    d["model"] = model
    order = {c: i for i, c in enumerate((*PM_COMPONENTS, PM25, *GAS_COMPONENTS))}
    d["_o"] = d["component"].map(order).fillna(99)
    d = d.sort_values(["receptor", "_o"], kind="stable").drop(columns="_o")
    neg = d[(d["value"] < -1e-9) & d["base"].notna()]
    if not neg.empty:
        warnings.warn(M("msg.aqw_negative", where=", ".join(
            f"{r.receptor}/{r.component}" for r in neg.itertuples())), ModelWarning, stacklevel=3)
    return d[["receptor", "component", "unit", "base", "change", "value", "model"]
             ].reset_index(drop=True)


class CompiledResponse:
    """A response model bound to a fixed list of emission inputs: arrays in, arrays out.

    Built by :meth:`ResponseModel.compile` for live what-if loops, sliders and ensembles,
    where a table per call would cost more than the model. ``delta`` holds the emission
    changes (t/yr) of :attr:`inputs` in its last axis, with any leading axes (years, members):

    * :meth:`change` → concentration changes, last axis = :attr:`outputs`;
    * :meth:`predict` → concentrations (base + change), same layout as ``predict``'s
      ``value`` column (µg/m³; ppbv for O3).
    """

    def __init__(self, model: str, inputs, outputs, base: np.ndarray, change_fn):
        self.model = model
        #: (source_region, precursor, sector) of every input column
        self.inputs: tuple[tuple[str, str, str], ...] = tuple(inputs)
        #: (receptor, component) of every output column (PM25 totals included)
        self.outputs: tuple[tuple[str, str], ...] = tuple(outputs)
        self.base = np.asarray(base, dtype=float)
        self._change = change_fn

    def index(self, receptor: str, component: str = PM25) -> int:
        """Column of ``(receptor, component)`` in the outputs."""
        try:
            return self.outputs.index((receptor, component))
        except ValueError:
            raise InputError(Problem("<air-quality model>", M("msg.aq_model_has_no_such"),
                                     value=f"{receptor}/{component}",
                                     expected=Seq([f"{r}/{c}" for r, c in self.outputs], quote=True))
                             ) from None

    def change(self, delta: np.ndarray) -> np.ndarray:
        d = np.asarray(delta, dtype=float)
        if d.shape[-1] != len(self.inputs):
            raise InputError(Problem("<emissions>", M("msg.aq_wrong_number_emission_inputs"),
                                     value=d.shape[-1], expected=str(len(self.inputs))))
        return self._change(d)

    def predict(self, delta: np.ndarray) -> np.ndarray:
        return self.base + self.change(delta)


def _inputs_frame(inputs) -> list[tuple[str, str, str]]:
    out = []
    for t in inputs:
        t = tuple(t)
        reg, prec = str(t[0]), canonical_precursor(t[1]) or str(t[1])
        out.append((reg, prec, str(t[2]) if len(t) > 2 and t[2] else ALL_SECTORS))
    return out


class ResponseModel(ABC):
    """An air-quality response model: emission changes → concentrations by receptor."""

    name: str = "response model"

    @property
    @abstractmethod
    def receptors(self) -> list[str]:
        """Receptor names (regions or cities) the model predicts for."""

    @abstractmethod
    def base_concentration(self) -> pd.DataFrame:
        """Base-case concentrations: ``receptor, component, unit, base``."""

    @abstractmethod
    def predict(self, emissions: pd.DataFrame) -> pd.DataFrame:
        """Concentrations after the emission changes.

        Returns ``receptor, component, unit, base, change, value, model`` (+ model-specific
        flag columns), with a ``PM2.5`` row per receptor summing the PM2.5 components.
        """

    def response(self, emissions: pd.DataFrame, **kw) -> Result:
        """:meth:`predict` as the labelled result ``air_quality`` (docs/results-schema.md)."""
        tab = self.predict(emissions, **kw)
        return Result("air_quality", {"concentrations": tab},
                      Provenance.of(None, air_quality=self.name),
                      {"model": self.name})

    def pm25(self, emissions: pd.DataFrame) -> pd.Series:
        """Annual-mean PM2.5 (µg/m³) by receptor after the emission changes."""
        r = self.predict(emissions)
        return r[r["component"] == PM25].set_index("receptor")["value"].rename("PM25_ugm3")

    def compile(self, inputs) -> CompiledResponse:
        """Bind the model to emission inputs ``[(source_region, precursor[, sector]), ...]``
        for array evaluation (:class:`CompiledResponse`).

        This generic version calls :meth:`predict` once per evaluation (correct for any
        model); linear and fitted models override it with pure array arithmetic."""
        ins = _inputs_frame(inputs)

        def table(d: np.ndarray) -> pd.DataFrame:
            return pd.DataFrame({"source_region": [i[0] for i in ins],
                                 "precursor": [i[1] for i in ins],
                                 "sector": [i[2] for i in ins], "change_t": d})

        ref = self.predict(table(np.zeros(len(ins))))
        outs = list(zip(ref["receptor"], ref["component"], strict=True))

        def change(delta: np.ndarray) -> np.ndarray:
            flat = delta.reshape(-1, len(ins))
            res = np.array([self.predict(table(row))["change"].to_numpy(float)
                            for row in flat])
            return res.reshape((*delta.shape[:-1], len(outs)))

        return CompiledResponse(self.name, ins, outs, ref["base"].to_numpy(float), change)


class LinearSourceReceptor(ResponseModel):
    """Linear source–receptor model ΔC = Σ coef × ΔE.

    Parameters
    ----------
    coefficients
        ``receptor, component, source_region, precursor, sector, coef`` where ``coef`` is the
        concentration change per unit emission change (µg/m³ or ppbv per t/yr) and ``sector``
        is ``"*"`` when the coefficient applies to every sector. A receptor is described either
        by PM2.5 components (SO4 … other; PM2.5 = their sum) or by total ``PM2.5`` directly,
        not both.
    base
        ``receptor, component, base`` (µg/m³; ppbv for O3). Components without a base are
        reported with ``base`` = NaN.
    name
        Model name written into every result row.
    metadata
        Free-form provenance (sources, assumptions), kept in :attr:`metadata`.
    """

    def __init__(self, coefficients: pd.DataFrame, base: pd.DataFrame | None = None,
                 name: str = "linear source-receptor", metadata: dict | None = None):
        c = coefficients.copy()
        if "sector" not in c.columns:
            c["sector"] = ALL_SECTORS
        need = ["receptor", "component", "source_region", "precursor", "sector", "coef"]
        missing = [k for k in need if k not in c.columns]
        if missing:
            raise ValueError(M("msg.aq_coefficient_table_lacks_columns", missing=str(missing)))
        c = c[need].astype({"receptor": str, "component": str, "source_region": str,
                            "precursor": str, "sector": str, "coef": float})
        c["component"] = c["component"].map(canonical_component)
        c["precursor"] = c["precursor"].map(lambda p: canonical_precursor(p) or p)
        c = c.groupby(need[:-1], as_index=False, sort=False)["coef"].sum()
        self._coef = c
        if base is None:
            base = pd.DataFrame(columns=["receptor", "component", "base"])
        self._base = base[["receptor", "component", "base"]].astype(
            {"receptor": str, "component": str, "base": float}).reset_index(drop=True)
        self._base["component"] = self._base["component"].map(canonical_component)
        self.name = name
        self.metadata = dict(metadata or {})

    # ------------------------------------------------------------------ queries
    @property
    def receptors(self) -> list[str]:
        return list(dict.fromkeys([*self._base["receptor"], *self._coef["receptor"]]))

    @property
    def coefficients(self) -> pd.DataFrame:
        """The raw coefficient table (a copy)."""
        return self._coef.copy()

    def base_concentration(self) -> pd.DataFrame:
        b = self._base.copy()
        b["unit"] = b["component"].map(unit_of)
        return b[["receptor", "component", "unit", "base"]]

    def jacobian(self, component: str = PM25, sectors: Iterable[str] | None = None,
                 receptors: Iterable[str] | None = None) -> pd.DataFrame:
        """∂C/∂E as a labelled table for an LP.

        Parameters
        ----------
        component
            ``"PM2.5"`` (sum of the PM2.5 components), a single component (``"SO4"`` ...),
            or ``"all"`` for every component separately.
        sectors
            If given, coefficients valid for every sector (``"*"``) are repeated for each of
            these sectors, so that the table can be joined on sector directly.
        receptors
            Restrict to these receptors.

        Returns
        -------
        DataFrame
            ``receptor, component, source_region, precursor, sector, unit, value`` with
            ``value`` in µg/m³ (ppbv for O3) per t/yr of emission. A constraint
            ``base + Σ value × ΔE ≤ target`` is exactly what :meth:`predict` computes.
        """
        c = self._coef
        component = canonical_component(component)
        if receptors is not None:
            c = c[c["receptor"].isin(list(receptors))]
        if component == PM25:
            c = c[c["component"].isin((*PM_COMPONENTS, PM25))]
            c = c.groupby(["receptor", "source_region", "precursor", "sector"], as_index=False,
                          sort=False)["coef"].sum()
            c["component"] = PM25
        elif component != "all":
            c = c[c["component"] == component]
        c = c.rename(columns={"coef": "value"})
        if sectors is not None:
            sectors = list(sectors)
            star = c[c["sector"] == ALL_SECTORS]
            rest = c[c["sector"] != ALL_SECTORS]
            rep = star.loc[star.index.repeat(len(sectors))].copy()
            rep["sector"] = np.tile(sectors, len(star))
            c = pd.concat([rest, rep], ignore_index=True)
        c["unit"] = c["component"].map(unit_of) + " per t/yr"
        return c[["receptor", "component", "source_region", "precursor", "sector", "unit",
                  "value"]].reset_index(drop=True)

    def compile(self, inputs) -> CompiledResponse:
        """Array form of :meth:`predict` for fixed inputs: ΔC = ΔE · M with M (inputs ×
        outputs) read off :meth:`predict` with a unit change of each input (the model is
        linear), so both give the same concentrations. An input without any coefficient is
        an :class:`~cocontrol.errors.InputError`, as in a strict :meth:`predict`."""
        ins = _inputs_frame(inputs)
        n = len(ins)
        tab = pd.DataFrame({"source_region": [i[0] for i in ins],
                            "precursor": [i[1] for i in ins], "sector": [i[2] for i in ins]})
        ref = self.predict(tab.assign(change_t=0.0))
        outs = list(zip(ref["receptor"], ref["component"], strict=True))
        M = np.zeros((n, len(outs)))
        for i in range(n):
            unit = np.zeros(n)
            unit[i] = 1.0
            M[i] = self.predict(tab.assign(change_t=unit))["change"].to_numpy(float)
        return CompiledResponse(self.name, ins, outs, ref["base"].to_numpy(float),
                                lambda d: d @ M)

    # ------------------------------------------------------------------ prediction
    def concentration_change(self, emissions: pd.DataFrame, strict: bool = True,
                             file: str = "<emissions>") -> pd.DataFrame:
        """ΔC by receptor and component (``receptor, component, change``)."""
        e = normalise_emissions(emissions, file=file)
        e = e[e["change_t"] != 0.0]
        c = self._coef
        specific = c[c["sector"] != ALL_SECTORS]
        generic = c[c["sector"] == ALL_SECTORS]
        # sector-specific coefficients match on sector, generic ones on every sector
        m1 = e.merge(specific, on=["source_region", "precursor", "sector"], how="inner")
        m2 = e.drop(columns="sector").merge(generic.drop(columns="sector"),
                                            on=["source_region", "precursor"], how="inner")
        spec_keys = specific[["source_region", "precursor", "sector"]].drop_duplicates()
        gen_keys = generic[["source_region", "precursor"]].drop_duplicates()
        flag = (e.merge(spec_keys.assign(_s=1), how="left")
                 .merge(gen_keys.assign(_g=1), how="left"))
        unmatched = flag[flag["_s"].isna() & flag["_g"].isna()]
        if not unmatched.empty:
            known = sorted(set(zip(c["source_region"], c["precursor"], strict=True)))
            probs = [Problem(file, M("msg.aq_has_no_coefficient_this", self_name=self.name),
                             value=f"{u.source_region}/{u.precursor}/{u.sector}",
                             expected=M("msg.aq_one_of", items=Seq([f"{r}/{p}" for r, p in known[:40]], quote=True),
                                        more=" ..." if len(known) > 40 else ""),
                             severity="error" if strict else "warning")
                     for u in unmatched.itertuples()]
            if strict:
                raise InputError(probs)
            warnings.warn(M("msg.aqw_ignored", what="; ".join(str(p.value) for p in probs)),
                          ModelWarning, stacklevel=2)
        m = pd.concat([m1.drop(columns="sector"), m2], ignore_index=True)
        m["change"] = m["coef"] * m["change_t"]
        return m.groupby(["receptor", "component"], as_index=False, sort=False)["change"].sum()

    def predict(self, emissions: pd.DataFrame, strict: bool = True,
                file: str = "<emissions>") -> pd.DataFrame:
        """Concentrations after the emission changes (see :class:`ResponseModel`).

        Parameters
        ----------
        emissions
            Tidy emission-change table (see :func:`normalise_emissions`), t/yr.
        strict
            If True (default), an emission change that the model has no coefficient for is an
            :class:`~cocontrol.errors.InputError`; if False it is ignored with a warning.
        """
        d = self.concentration_change(emissions, strict=strict, file=file)
        base = self._base
        # every receptor/component known to the model appears, even with zero change
        keys = pd.concat([base[["receptor", "component"]],
                          self._coef[["receptor", "component"]]]).drop_duplicates()
        d = keys.merge(d, on=["receptor", "component"], how="left")
        return _assemble(base, d, self.name)
