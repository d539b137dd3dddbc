"""The uncertainty model of a project: which parameters are uncertain, which lines each one
moves, and the evaluation of K draws through the scenario engine's ensemble axis
(:func:`cocontrol.scenario.run_batch`).

Parameters (each one draw per member; a correlation group is one parameter):

=================  ==========================================================================
``ef``             one per factor: (sector, fuel, process) × species — every line using that
                   factor moves with the same draw. Ranges: EMEP/EEA 95 % intervals of the
                   cited factor (``data/uncertainty/ef_ranges.csv``), IPCC 2006 carbon-content
                   limits for fuel CO2 (``fuel_co2_ranges.csv``), else the species default
                   (``defaults.csv``, each row with its source).
``activity``       one per source (its data-quality class A–D, default B), all its lines.
``removal``        one per control technology: the fraction left after the control,
                   1 − η, scaled (lines with base-year controls of that technology).
``cost``           one per measure of the scenario: its capex and opex.
``price``          one energy-price level: the change in energy expenditure.
``aq_component``   one per PM2.5 component: the linear source–receptor response.
``aq_local_share`` the city's local share (scales the response of local emissions).
``driver``         one per driver (GDP, population, an output path): its log growth
                   ln(D_t/D_0) scaled — every sector following that driver moves together.
``elasticity``     one per elasticity row with a driver: ε scaled.
``trend``          one per elasticity row with an intensity trend g ≠ 0: the annual factor
                   (1 + g) scaled.
=================  ==========================================================================

Activity of member k: A_k[n,t] = A0[n] × G_k[n,t], the growth factors of the scenario engine
(:class:`cocontrol.scenario.drivers.GrowthParts`) with the member's driver, elasticity and
trend multipliers, G = exp(ε u_ε u_D ln(D_t/D_0)) × ((1 + g) u_g)^(t − t0).

Emissions of member k (t): the engine with factors ef × s_k, where s_k (lines × species) is
the product of the member's ef, activity and removal multipliers; member k equals a single
run with those factors. PM2.5 of member k: C_k(t) = C_0 + λ_k Σ_c a_kc Σ_p J_cp
(P_p,k(t) − P_p(base year)), J the city model's Jacobian (µg/m³ per t/yr), P the precursors.

Not sampled in this version (stated in every result's notes): user-supplied factors get the
species default range, and measure-added controls keep their bundled efficiency.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cocontrol import refdata
from cocontrol.errors import InputError, ModelError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.uncertainty.distributions import Distribution, from_range

NOT_SAMPLED = ("measure-added controls keep their bundled removal efficiency (only "
               "base-year controls are sampled)")
KINDS = ("ef", "activity", "removal", "cost", "price", "aq", "driver", "elasticity", "trend")
GROWTH_KINDS = {"driver": 0, "elasticity": 1, "trend": 2}
CO2 = "CO2"


def table(name: str) -> pd.DataFrame:
    """A bundled uncertainty table (``ef_ranges.csv``, ``fuel_co2_ranges.csv``,
    ``defaults.csv``), a new frame for every caller."""
    return refdata.bundled(f"uncertainty/{name}")


@dataclass
class Parameter:
    id: str
    kind: str
    group: str  # for grouped Sobol indices, e.g. "ef:SO2", "activity", "aq"
    dist: Distribution
    lines: np.ndarray | None = None
    species: int | None = None
    key: str | None = None  # measure id, technology, component


@dataclass
class AQLink:
    """Linear PM2.5 response of a city: base concentrations by component (µg/m³), the
    Jacobian J (components × precursors, µg/m³ per t/yr), the species → precursor map
    (precursors × species) and the base-year precursor emissions (t/yr)."""

    components: list[str]
    base: np.ndarray
    J: np.ndarray
    precursors: list[str]
    species_map: np.ndarray
    P0: np.ndarray
    source: str = ""


@dataclass
class UncertaintyModel:
    base: object
    scenario: str
    params: list[Parameter]
    aq: AQLink | None = None
    removal_w: dict = field(default_factory=dict)  # tech -> (lines, species, w)
    removal_c0: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)
    #: terms of the activity growth (drivers, elasticities, trends) when any is sampled
    growth: object | None = None
    #: penetration paths replacing the scenario's (e.g. an optimised plan: (measure, region)
    #: -> path over the years), as :func:`cocontrol.scenario.run_batch` takes them
    penetrations: dict | None = None

    @property
    def names(self) -> list[str]:
        return [p.id for p in self.params]

    @property
    def groups(self) -> list[str]:
        return [p.group for p in self.params]

    def multipliers(self, u: np.ndarray) -> np.ndarray:
        """Multipliers (K × p) of uniforms u (K × p)."""
        u = np.atleast_2d(u)
        if u.shape[1] != len(self.params):
            raise InputError(Problem(file="<uncertainty>", value=u.shape[1],
                                     message=M("msg.unc_wrong_number_sampled_parameters"),
                                     expected=str(len(self.params))))
        return np.column_stack([p.dist.ppf(u[:, j]) for j, p in enumerate(self.params)]) \
            if self.params else np.empty((len(u), 0))

    def evaluate(self, u: np.ndarray) -> EnsembleResult:
        """Run K draws (rows of ``u``) in one vectorised engine call."""
        from cocontrol.scenario import run_batch

        m = self.multipliers(u)
        K = len(m)
        b = self.base
        N, S = b.ef.shape
        scale = np.ones((K, N, S))
        removal: dict[str, np.ndarray] = {}
        cost_m: dict[str, np.ndarray] = {}
        price = np.ones(K)
        comp = np.ones((K, len(self.aq.components) if self.aq else 0))
        local = np.ones(K)
        gscale = None
        if self.growth is not None:
            R = len(self.growth.keys)
            gscale = np.ones((3, K, R))
        for j, p in enumerate(self.params):
            col = m[:, j]
            if p.kind == "ef":
                scale[:, p.lines, p.species] *= col[:, None]
            elif p.kind == "activity":
                scale[:, p.lines, :] *= col[:, None, None]
            elif p.kind == "removal":
                removal[p.key] = col
            elif p.kind == "cost":
                cost_m[p.key] = col
            elif p.kind == "price":
                price = col
            elif p.kind == "aq_component":
                comp[:, self.aq.components.index(p.key)] = col
            elif p.kind == "aq_local_share":
                local = col
            elif p.kind in GROWTH_KINDS:
                gscale[GROWTH_KINDS[p.kind]][:, p.lines] *= col[:, None]
        if removal:
            scale *= self._removal_ratio(removal, K)
        growth = None if gscale is None else self.growth.factors(*gscale)
        br = run_batch(b, self.scenario, self.penetrations, ef_scale=scale, growth=growth)
        tot = br.totals(1)  # K × S × T
        res = EnsembleResult(years=list(b.years), species=list(b.species), totals=tot,
                             cost=self._cost(br, cost_m, price))
        if self.aq is not None:
            res.pm25 = self._pm25(tot, comp, local)
        return res

    def _removal_ratio(self, removal: dict, K: int) -> np.ndarray:
        """R_k / R_0 on controlled lines: R = c0 + Σ_t m_t w_t (w = share × (1 − η))."""
        R = np.broadcast_to(self.removal_c0, (K, *self.removal_c0.shape)).copy()
        R0 = self.removal_c0.copy()
        for tech, (ln, sp, w) in self.removal_w.items():
            mt = removal.get(tech, np.ones(K))
            np.add.at(R, (slice(None), ln, sp), mt[:, None] * w[None, :])
            np.add.at(R0, (ln, sp), w)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(R0 > 0, R / np.where(R0 > 0, R0, 1.0), 1.0)
        return ratio

    def _cost(self, br, cost_m: dict, price: np.ndarray) -> np.ndarray:
        """Annual net cost of the scenario's measures by member and year (K × T, yuan)."""
        from cocontrol.scenario.measures import crf

        b = self.base
        lib = b.lib
        rate = b.settings.discount_rate
        K, T = br.emissions.shape[0], len(b.years)
        out = np.zeros((K, T))
        for rec in br.records:
            mm = lib.loc[rec["measure"]]
            # costs are required by measures.validate (a blank cost is an error, never 0);
            # a blank lifetime only with capex 0, where the recovery factor multiplies nothing
            capex, fo, vo = (float(mm[c]) for c in ("capex", "fixed_opex", "variable_opex"))
            life = float(mm["lifetime"]) if pd.notna(mm["lifetime"]) else 1.0
            unit = fo + vo + capex * crf(rate, life)
            cm = cost_m.get(rec["measure"], np.ones(K))
            out += np.asarray(rec["affected"]) * unit * cm[:, None]
            out += np.asarray(rec["energy_cost_change_yuan"]) * price[:, None]
        return out

    def _pm25(self, tot: np.ndarray, comp: np.ndarray, local: np.ndarray) -> np.ndarray:
        a = self.aq
        P = np.einsum("ps,kst->kpt", a.species_map, tot)  # precursors of each member
        dP = P - a.P0[None, :, None]
        dC = np.einsum("cp,kpt->kct", a.J, dP) * comp[:, :, None] * local[:, None, None]
        return a.base.sum() + dC.sum(axis=1)  # K × T


@dataclass
class EnsembleResult:
    """Outputs of K draws: totals (K × S × T, t), net cost (K × T, yuan/yr) and, with an
    air-quality link, PM2.5 (K × T, µg/m³)."""

    years: list[int]
    species: list[str]
    totals: np.ndarray
    cost: np.ndarray
    pm25: np.ndarray | None = None

    def __len__(self) -> int:
        return self.totals.shape[0]

    def series(self, species: str) -> np.ndarray:
        if species not in self.species:
            raise InputError(Problem(file="<uncertainty>", column="species", value=species,
                                     message=M("msg.unc_not_output_species"),
                                     expected=Seq(list(self.species), quote=True)))
        return self.totals[:, self.species.index(species), :]

    def peak(self, species: str = CO2) -> tuple[np.ndarray, np.ndarray]:
        """Peak year and peak value (t) of every member."""
        s = self.series(species)
        i = s.argmax(axis=1)
        return np.asarray(self.years)[i], s[np.arange(len(s)), i]

    def concat(self, other: EnsembleResult) -> EnsembleResult:
        return EnsembleResult(self.years, self.species,
                              np.concatenate([self.totals, other.totals]),
                              np.concatenate([self.cost, other.cost]),
                              None if self.pm25 is None else
                              np.concatenate([self.pm25, other.pm25]))

    def to_frame(self, draw_offset: int = 0) -> pd.DataFrame:
        """Tidy ``draw, variable, year, value, unit`` (species totals in t, cost in yuan/yr,
        PM2.5 in µg/m³)."""
        K, S, T = self.totals.shape
        draws = np.arange(K) + draw_offset
        frames = [pd.DataFrame({
            "draw": np.repeat(draws, S * T), "variable": np.tile(np.repeat(self.species, T), K),
            "year": np.tile(self.years, K * S), "value": self.totals.reshape(-1), "unit": "t"})]
        frames.append(pd.DataFrame({"draw": np.repeat(draws, T), "variable": "cost",
                                    "year": np.tile(self.years, K),
                                    "value": self.cost.reshape(-1), "unit": "yuan/yr"}))
        if self.pm25 is not None:
            frames.append(pd.DataFrame({"draw": np.repeat(draws, T), "variable": "PM2.5 concentration",
                                        "year": np.tile(self.years, K),
                                        "value": self.pm25.reshape(-1), "unit": "ug/m3"}))
        return pd.concat(frames, ignore_index=True)


# ----------------------------------------------------------------------------- building
def _ef_range(sector, fuel, process, species, ranges, fuel_co2, defaults):
    key = (sector, fuel if isinstance(fuel, str) else "", process if isinstance(process, str)
           else "", species)
    r = ranges.get(key)
    if r is not None:
        return from_range(r[0], r[1], "lognormal", r[2], "ef_ranges.csv")
    if species == CO2 and isinstance(fuel, str) and fuel in fuel_co2:
        lo, hi, src = fuel_co2[fuel]
        return from_range(lo, hi, "normal", src, "fuel_co2_ranges.csv")
    d = defaults.get(("ef_species", species)) or defaults[("ef_species", "*")]
    return from_range(d[0], d[1], d[2], d[3], "defaults.csv")


def _defaults() -> dict:
    d = table("defaults.csv")
    return {(r.kind, r.key): (r.lower_ratio, r.upper_ratio, r.distribution, r.source)
            for r in d.itertuples(index=False)}


def build_model(base, scenario: str, *, kinds: tuple[str, ...] = KINDS,
                aq: AQLink | None = None,
        data_quality: dict[str, str] | None = None,
        penetrations: dict | None = None) -> UncertaintyModel:
    """The uncertainty model of ``scenario`` on a prepared base.

    ``data_quality`` maps source ids to classes A–D (default B for every source);
    ``aq`` is the city's linear PM2.5 link (:func:`aq_link`), used whenever given and its
    response sampled when ``"aq"`` is one of the ``kinds``; ``penetrations`` replace the
    scenario's (e.g. a plan's paths), so the probability of success of a plan is
    :func:`attainment` of this model's draws.
    """
    if scenario not in base.scenarios:
        raise InputError(Problem(file="scenarios.yaml", column="scenario", value=scenario,
                                 message=M("msg.unc_unknown_scenario2"), expected=Seq(list(base.scenarios), quote=True)))
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise InputError(Problem(file="<uncertainty>", column="kinds",
                                 value=", ".join(sorted(unknown)), message=M("msg.unc_unknown_kind"),
                                 expected=Seq(list(KINDS), quote=True)))
    defaults = _defaults()
    lines = base.lines
    params: list[Parameter] = []
    model = UncertaintyModel(base, scenario, params, aq=aq,
                             notes=[NOT_SAMPLED], penetrations=penetrations)
    if "ef" in kinds:
        _ef_params(base, params, defaults, model.notes)
    if "activity" in kinds:
        dq = data_quality or {}
        bad = {v for v in dq.values() if ("activity", v) not in defaults}
        if bad:
            raise InputError(Problem(file="<uncertainty>", column="data_quality",
                                     value=", ".join(sorted(bad)),
                                     message=M("msg.unc_unknown_data_quality_class"), expected="A, B, C, D"))
        src = lines["source_id"].astype(str).to_numpy()
        active = base.A0 > 0
        for sid in pd.unique(src[active]):
            cls = dq.get(sid, "B")
            lo, hi, kind, source = defaults[("activity", cls)]
            params.append(Parameter(f"activity|{sid}", "activity", "activity",
                                    from_range(lo, hi, kind, source), np.flatnonzero(src == sid)))
        if not data_quality:
            model.notes.append("activity data quality: class B (statistics) for every source")
    if "removal" in kinds:
        _removal(base, model, defaults)
    if "cost" in kinds:
        lo, hi, kind, source = defaults[("cost", "*")]
        for mid in base.scenarios[scenario].measures:
            params.append(Parameter(f"cost|{mid}", "cost", "cost", from_range(lo, hi, kind,
                                                                               source), key=mid))
    if "price" in kinds:
        lo, hi, kind, source = defaults[("price", "*")]
        params.append(Parameter("price|energy", "price", "price", from_range(lo, hi, kind,
                                                                            source)))
    if set(kinds) & set(GROWTH_KINDS):
        _growth(base, model, defaults, kinds)
    if model.aq is not None and "aq" in kinds:  # the link is used; its response sampled
        lo, hi, kind, source = defaults[("aq_component", "*")]
        for c in model.aq.components:
            params.append(Parameter(f"aq|{c}", "aq_component", "air quality",
                                    from_range(lo, hi, kind, source), key=c))
        lo, hi, kind, source = defaults[("aq_local_share", "*")]
        params.append(Parameter("aq|local_share", "aq_local_share", "air quality",
                                from_range(lo, hi, kind, source)))
    return model


def _ef_params(base, params: list, defaults: dict, notes: list) -> None:
    lines = base.lines
    er = table("ef_ranges.csv")
    ranges = {(r.sector, r.fuel if isinstance(r.fuel, str) else "",
               r.process if isinstance(r.process, str) else "", r.species):
              (r.lower_ratio, r.upper_ratio, r.source) for r in er.itertuples(index=False)}
    fc = table("fuel_co2_ranges.csv")
    fuel_co2 = {r.fuel: (r.lower_ratio, r.upper_ratio, r.source) for r in fc.itertuples()}
    user = set()
    fr = base.inventory.factor_report()
    if len(fr) and "set" in fr:
        u = fr[fr["set"].astype(str).str.startswith("user")]
        user = {(s, f if isinstance(f, str) else "", p if isinstance(p, str) else "", sp)
                for s, f, p, sp in zip(u["sector"], u["fuel"], u["process"], u["species"],
                                       strict=True)}
    keys = lines[["sector", "fuel", "process"]].astype(object).fillna("")
    codes, uniq = pd.factorize(pd.MultiIndex.from_frame(keys))
    n_user = 0
    for ci, (sec, fuel, proc) in enumerate(uniq):
        idx = np.flatnonzero(codes == ci)
        for j, sp in enumerate(base.species):
            if not np.any(base.ef[idx, j] != 0):
                continue  # no emission of this species on these lines: nothing to move
            if (sec, fuel, proc, sp) in user:
                n_user += 1
                d = defaults.get(("ef_species", sp)) or defaults[("ef_species", "*")]
                dist = from_range(d[0], d[1], d[2], d[3])
            else:
                dist = _ef_range(sec, fuel, proc, sp, ranges, fuel_co2, defaults)
            params.append(Parameter(f"ef|{sec}|{fuel}|{proc}|{sp}", "ef", f"ef:{sp}", dist,
                                    idx, j))
    if n_user:
        notes.append(f"{n_user} user-supplied factor(s) take the species default range; give "
                     "their own intervals to refine")


def _growth(base, model: UncertaintyModel, defaults: dict, kinds) -> None:
    """Parameters of the activity growth: one per driver (all the rows that follow it), one
    elasticity per row with a driver, one trend per row with an intensity change. Their
    ``lines`` hold elasticity-row indices (not line indices)."""
    from cocontrol.scenario.drivers import growth_parts

    project = base.project
    parts = growth_parts(base.lines["sector"], base.lines["sector_parent"],
                         project.elasticities, base.drivers, list(base.years),
                         project.manifest.base_year)
    used = set(parts.row_of_line[parts.row_of_line >= 0].tolist())
    rows = [r for r in range(len(parts.keys)) if r in used]
    if not rows:
        return
    model.growth = parts
    if "driver" in kinds:
        lo, hi, kind, source = defaults[("driver", "*")]
        for d in sorted({parts.driver[r] for r in rows if parts.driver[r]}):
            idx = np.array([r for r in rows if parts.driver[r] == d])
            model.params.append(Parameter(f"driver|{d}", "driver", "drivers",
                                          from_range(lo, hi, kind, source), idx, key=d))
    if "elasticity" in kinds:
        lo, hi, kind, source = defaults[("elasticity", "*")]
        for r in rows:
            if parts.driver[r] and parts.eps[r] != 0:
                model.params.append(Parameter(f"elasticity|{parts.keys[r]}", "elasticity",
                                              "elasticities", from_range(lo, hi, kind, source),
                                              np.array([r]), key=parts.keys[r]))
    if "trend" in kinds:
        lo, hi, kind, source = defaults[("trend", "*")]
        for r in rows:
            if parts.ic[r] != 0:
                model.params.append(Parameter(f"trend|{parts.keys[r]}", "trend", "trends",
                                              from_range(lo, hi, kind, source),
                                              np.array([r]), key=parts.keys[r]))


def _removal(base, model: UncertaintyModel, defaults: dict) -> None:
    ctl = base.project.controls
    if ctl is None or not len(ctl):
        return
    rem = refdata.table("control_removal")
    lo, hi, kind, source = defaults[("removal", "*")]
    src = base.lines["source_id"].astype(str).to_numpy()
    sidx = {s: i for i, s in enumerate(base.species)}
    N, S = base.ef.shape
    c0 = np.ones((N, S))
    ctl = ctl[ctl["year"].isna()] if "year" in ctl else ctl
    for tech, g in ctl.groupby("technology"):
        eta = rem[rem["technology"] == tech]
        ln, sp, w = [], [], []
        for sid, share in zip(g["source_id"].astype(str), g["share"].astype(float),
                              strict=True):
            li = np.flatnonzero(src == sid)
            for s, e in zip(eta["species"], eta["efficiency"], strict=True):
                if s in sidx:
                    c0[li, sidx[s]] -= share
                    ln += list(li)
                    sp += [sidx[s]] * len(li)
                    w += [share * (1 - float(e))] * len(li)
        if ln:
            model.removal_w[tech] = (np.array(ln), np.array(sp), np.array(w))
            model.params.append(Parameter(f"removal|{tech}", "removal", "removal",
                                          from_range(lo, hi, kind, source), key=tech))
    model.removal_c0 = c0


def aq_link(base, city: str, pm25_base_ugm3: float, local_share: float,
            om_share_of_primary: float | None = None, om_oc_ratio: float = 1.4,
            source: str = "") -> AQLink:
    """The city's linear PM2.5 link from TM5-FASST scaled by its local share
    (:func:`cocontrol.airquality.city_model`), with the base-year precursor emissions of the
    inventory. OM = ``om_oc_ratio`` × OC, or ``om_share_of_primary`` × (PM2.5 − BC)."""
    from cocontrol.airquality import city_model
    from cocontrol.airquality.base import PM_COMPONENTS, PRECURSORS
    from cocontrol.airquality.precursors import default_mapping

    sp = list(base.species)
    prec = list(PRECURSORS)
    M = np.zeros((len(prec), len(sp)))
    mp = default_mapping(om_oc_ratio, om_share_of_primary)
    for p, s, f in mp[["precursor", "species", "factor"]].itertuples(index=False):
        if s in sp:
            M[prec.index(p), sp.index(s)] += f
    tot0 = base.inventory.total(unit="t").reindex(sp)[base.years[0]].to_numpy()
    P0 = M @ tot0
    model = city_model(city, pm25_base_ugm3, local_share,
                       {p: float(v) for p, v in zip(prec, P0, strict=True) if v > 0})
    jac = model.jacobian(component="all")
    jac = jac[(jac["receptor"] == city) & (jac["source_region"] == city)]
    comps = list(PM_COMPONENTS)
    J = np.zeros((len(comps), len(prec)))
    for c, p, v in zip(jac["component"], jac["precursor"], jac["value"], strict=True):
        if c in comps and p in prec:
            J[comps.index(c), prec.index(p)] += v
    bc = model.base_concentration()
    bc = bc[bc["receptor"] == city].set_index("component")["base"]
    if missing := [c for c in comps if c not in bc.index]:  # city_model gives all six
        raise ModelError(M("msg.unc_aq_base_missing", city=city, missing=", ".join(missing)))
    bc = bc[comps]
    return AQLink(comps, bc.to_numpy(), J, prec, M, P0, source)
