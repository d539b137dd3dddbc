"""Calibration of the CGE model to a SAM (benchmark prices = 1, Harberger convention).

All behavioural functions are written in *calibrated share form* (Rutherford 1998, "CES
calibrated share form"; equivalent to the calibrated CES/CET parameters of Hosoe, Gasawa &
Hashimoto 2010, ch. 6): a CES aggregate ``Q = Q0 * f(x / x0)`` with benchmark value shares
``s``; the unit-cost index is ``P / P0 = (sum s (p / p0)^(1 - sigma))^(1 / (1 - sigma))``
(Cobb–Douglas ``prod (p / p0)^s`` when ``sigma = 1``) and the compensated demand
``x = x0 * (Q / Q0) * ((P / P0) / (p / p0))^sigma``. With benchmark prices of 1 this is the same
model as the book's ``gamma``, ``delta`` and ``theta``, ``xi`` parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cocontrol.cge.sam import Sam
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq


@dataclass
class Elasticities:
    """Substitution / transformation elasticities (dimensionless), one value per sector.

    Defaults are those of the standard model of Hosoe et al. (2010, ch. 6): Cobb–Douglas value
    added (``sigma_va = 1``), Armington ``sigma = 2`` and CET ``psi = 2``; no energy nest.

    ``energy_groups`` maps an energy commodity to its nest inside the energy bundle
    (e.g. ``{"COAL": "fossil", "OIL": "fossil", "ELF": "power"}``); ``sigma_nest`` gives each
    nest's elasticity and ``sigma_energy`` the elasticity between nests (per sector). With
    ``energy_groups`` empty all intermediates are Leontief (the book's model).
    """

    sigma_va: dict[str, float] = field(default_factory=dict)
    sigma_armington: dict[str, float] = field(default_factory=dict)
    psi_cet: dict[str, float] = field(default_factory=dict)
    sigma_energy: dict[str, float] = field(default_factory=dict)
    energy_groups: dict[str, str] = field(default_factory=dict)
    sigma_nest: dict[str, float] = field(default_factory=dict)
    default_va: float = 1.0
    default_armington: float = 2.0
    default_cet: float = 2.0
    default_energy: float = 0.5
    default_nest: float = 0.5
    source: str = "Hosoe, Gasawa & Hashimoto (2010), ch. 6: sigma = psi = 2, Cobb-Douglas VA"

    def vector(self, name: str, sectors: list[str]) -> np.ndarray:
        d = getattr(self, name)
        default = {"sigma_va": self.default_va, "sigma_armington": self.default_armington,
                   "psi_cet": self.default_cet, "sigma_energy": self.default_energy}[name]
        return np.array([float(d.get(s, d.get("*", default))) for s in sectors])


@dataclass
class Calibration:
    """Benchmark quantities (SAM units; prices are 1) and calibrated parameters.

    Arrays are indexed by sector ``j`` (= commodity ``i``) in ``sectors`` order and by factor
    ``h`` in ``factors`` order. ``X0[i, j]`` is the use of commodity ``i`` by sector ``j``.
    """

    sectors: list[str]
    factors: list[str]
    unit: str
    Z0: np.ndarray
    Y0: np.ndarray
    F0: np.ndarray
    X0: np.ndarray
    Xp0: np.ndarray
    Xg0: np.ndarray
    Xv0: np.ndarray
    E0: np.ndarray
    M0: np.ndarray
    D0: np.ndarray
    Q0: np.ndarray
    FF: np.ndarray
    tauz: np.ndarray
    taum: np.ndarray
    Td0: float
    Sp0: float
    Sg0: float
    Sf0: float
    taud: float
    ssp: float
    ssg: float
    alpha: np.ndarray
    mu: np.ndarray
    lam: np.ndarray
    beta: np.ndarray
    ay: np.ndarray
    ax: np.ndarray
    energy: list[int]
    aen: np.ndarray
    en_group: np.ndarray
    en_wg: np.ndarray
    en_we: np.ndarray
    sigma_va: np.ndarray
    sigma_arm: np.ndarray
    psi: np.ndarray
    sigma_en: np.ndarray
    sigma_nest: np.ndarray
    group_names: list[str]
    elasticities: Elasticities
    sam: Sam

    @property
    def n(self) -> int:
        return len(self.sectors)

    @property
    def closed(self) -> bool:
        """True for an economy without trade (no imports and no exports)."""
        return float(self.M0.sum() + self.E0.sum()) == 0.0

    def index(self, sector: str) -> int:
        try:
            return self.sectors.index(sector)
        except ValueError:
            raise InputError(Problem(file="<model>", message=M("msg.cge_unknown_sector", sector=repr(sector)),
                                     expected=M("msg.aq_one_of", items=Seq(list(self.sectors), quote=True), more=""))) from None


def calibrate(sam: Sam, elasticities: Elasticities | None = None) -> Calibration:
    """Calibrate the model's parameters so that the benchmark reproduces ``sam``.

    Follows Hosoe et al. (2010), ch. 6 (GAMS model library ``STDCGE``): ``Y0 = sum_h F0``;
    ``Z0 = Y0 + sum_i X0``; ``tauz = IDT/Z0``; ``taum = TRF/M0``;
    ``D0 = (1 + tauz) Z0 - E0``; ``Q0 = Xp0 + Xg0 + Xv0 + sum_j X0``; ``ssp = Sp0 / sum FF``;
    ``ssg = Sg0 / (Td0 + sum Tz0 + sum Tm0)``; ``taud = Td0 / sum FF``; Cobb–Douglas shares
    ``alpha``, ``mu``, ``lambda``. Additionally an energy bundle (CES nests) when
    ``elasticities.energy_groups`` is not empty.

    Raises
    ------
    InputError
        if a sector has zero output, zero domestic sales or zero domestic absorption.
    """
    el = elasticities or Elasticities()
    r = sam.roles
    t = sam.table
    S = sam.sectors
    H = list(r.factors)
    n = len(S)
    X0 = t.loc[S, S].to_numpy(dtype=float)
    F0 = t.loc[H, S].to_numpy(dtype=float)
    Y0 = F0.sum(axis=0)
    Z0 = Y0 + X0.sum(axis=0)
    Tz0 = t.loc[r.indirect_tax, S].to_numpy(dtype=float)
    Tm0 = t.loc[r.tariff, S].to_numpy(dtype=float)
    M0 = t.loc[r.rest_of_world, S].to_numpy(dtype=float)
    E0 = t.loc[S, r.rest_of_world].to_numpy(dtype=float)
    Xp0 = t.loc[S, r.household].to_numpy(dtype=float)
    Xg0 = t.loc[S, r.government].to_numpy(dtype=float)
    Xv0 = t.loc[S, r.investment].to_numpy(dtype=float)
    FF = t.loc[r.household, H].to_numpy(dtype=float)
    Td0 = float(t.at[r.government, r.household])
    Sp0 = float(t.at[r.investment, r.household])
    Sg0 = float(t.at[r.investment, r.government])
    Sf0 = float(t.at[r.investment, r.rest_of_world])
    problems = []
    for j, s in enumerate(S):
        if Z0[j] <= 0:
            problems.append(Problem(file="<SAM>", column=s, message=M("msg.cge_sector_has_no_output", s=repr(s)),
                                    expected=M("msg.cge_positive_inputs_factors_intermediates")))
    if problems:
        raise InputError(problems)
    tauz = Tz0 / Z0
    taum = np.divide(Tm0, M0, out=np.zeros(n), where=M0 > 0)
    D0 = (1 + tauz) * Z0 - E0
    Q0 = Xp0 + Xg0 + Xv0 + X0.sum(axis=1)
    for j, s in enumerate(S):
        if D0[j] <= 1e-12 * max(1.0, Z0[j]):
            problems.append(Problem(file="<SAM>", column=s,
                                    message=M("msg.cge_sector_sells_nothing_on", s=repr(s)),
                                    expected=M("msg.cge_domestic_sales_0_output")))
        elif abs(Q0[j] - ((1 + taum[j]) * M0[j] + D0[j])) > 1e-6 * max(1.0, Q0[j]):
            problems.append(Problem(file="<SAM>", column=s,
                                    message=M("msg.cge_commodity_uses_differ_from", s=repr(s)),
                                    value=float(Q0[j]), expected=f"{(1 + taum[j]) * M0[j] + D0[j]:g}"))
    if problems:
        raise InputError(problems)
    income = FF.sum()
    if income <= 0:
        raise InputError(Problem(file="<SAM>", column=r.household,
                                 message=M("msg.cge_household_receives_no_factor"),
                                 expected=M("msg.cge_positive_payments_from_factor")))
    gov_rev = Td0 + Tz0.sum() + Tm0.sum()
    Cp = Xp0.sum()
    G = Xg0.sum()
    inv = Sp0 + Sg0 + Sf0
    alpha = Xp0 / Cp if Cp > 0 else np.full(n, 1.0 / n)
    mu = Xg0 / G if G > 0 else np.full(n, 1.0 / n)
    lam = Xv0 / inv if inv != 0 else np.zeros(n)
    beta = np.divide(F0, Y0, out=np.zeros_like(F0), where=Y0 > 0)
    ay = Y0 / Z0
    # energy nest ---------------------------------------------------------------------
    energy = [S.index(e) for e in S if e in el.energy_groups]
    unknown = [e for e in el.energy_groups if e not in S]
    if unknown:
        raise InputError(Problem(file="<elasticities>", column="energy_group",
                                 message=M("msg.cge_energy_commodity_not_sam", unknown_0=repr(unknown[0])),
                                 expected=M("msg.aq_one_of", items=Seq(list(S), quote=True), more="")))
    group_names = sorted({el.energy_groups[S[e]] for e in energy})
    en_group = np.array([group_names.index(el.energy_groups[S[e]]) for e in energy], dtype=int)
    ax = X0 / Z0
    ne = len(energy)
    if ne:
        Xen = X0[energy, :]
        EN0 = Xen.sum(axis=0)
        aen = EN0 / Z0
        ax = ax.copy()
        ax[energy, :] = 0.0
        ng = len(group_names)
        G0 = np.zeros((ng, n))
        for g in range(ng):
            G0[g] = Xen[en_group == g].sum(axis=0)
        en_wg = np.divide(G0, EN0, out=np.full((ng, n), 1.0 / ng), where=EN0 > 0)
        en_we = np.zeros((ne, n))
        for k in range(ne):
            g = en_group[k]
            cnt = (en_group == g).sum()
            en_we[k] = np.divide(Xen[k], G0[g], out=np.full(n, 1.0 / cnt), where=G0[g] > 0)
        sigma_nest = np.array([float(el.sigma_nest.get(g, el.default_nest))
                               for g in group_names])
    else:
        aen = np.zeros(n)
        en_wg = np.zeros((0, n))
        en_we = np.zeros((0, n))
        sigma_nest = np.zeros(0)
    return Calibration(
        sectors=S, factors=H, unit=sam.unit, Z0=Z0, Y0=Y0, F0=F0, X0=X0, Xp0=Xp0, Xg0=Xg0,
        Xv0=Xv0, E0=E0, M0=M0, D0=D0, Q0=Q0, FF=FF, tauz=tauz, taum=taum, Td0=Td0, Sp0=Sp0,
        Sg0=Sg0, Sf0=Sf0, taud=Td0 / income, ssp=Sp0 / income,
        ssg=Sg0 / gov_rev if gov_rev else 0.0, alpha=alpha,
        mu=mu, lam=lam, beta=beta, ay=ay, ax=ax, energy=energy, aen=aen, en_group=en_group,
        en_wg=en_wg, en_we=en_we, sigma_va=el.vector("sigma_va", S),
        sigma_arm=el.vector("sigma_armington", S), psi=el.vector("psi_cet", S),
        sigma_en=el.vector("sigma_energy", S), sigma_nest=sigma_nest, group_names=group_names,
        elasticities=el, sam=sam,
    )


def ces_index(w: np.ndarray, r: np.ndarray, sigma) -> np.ndarray:
    """Calibrated-share CES price index ``(sum_k w_k r_k^(1-sigma))^(1/(1-sigma))``.

    ``w`` and ``r`` have the members on axis 0; ``sigma`` broadcasts over the other axes.
    Cobb–Douglas ``exp(sum w log r)`` where ``sigma == 1``. Members with zero share are ignored.
    """
    sigma = np.asarray(sigma, dtype=float)
    cd = np.abs(sigma - 1.0) < 1e-10
    rho = np.where(cd, 0.5, 1.0 - sigma)  # placeholder avoids 0-division on CD entries
    logr = np.log(r)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ces = (w * np.exp(rho * logr)).sum(axis=0) ** (1.0 / rho)
    cdv = np.exp((w * logr).sum(axis=0))
    return np.where(cd, cdv, ces)


_EL_PARAMS = ("sigma_va", "sigma_armington", "psi_cet", "sigma_energy", "energy_group",
              "sigma_nest")


def read_elasticities(path) -> Elasticities:
    """Read elasticities from a CSV with columns ``parameter, sector, value, source``.

    ``parameter`` is one of ``sigma_va, sigma_armington, psi_cet, sigma_energy`` (``sector`` a
    sector or ``*`` for all), ``energy_group`` (``sector`` an energy commodity, ``value`` the nest
    name) or ``sigma_nest`` (``sector`` the nest name). Lines starting with ``#`` are comments.
    """
    from pathlib import Path


    path = Path(path)
    fname = str(path)
    try:
        from cocontrol import io

        df = io.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as e:
        raise InputError(Problem(file=fname, message=M("msg.cge_cannot_read_elasticities", e=e),
                                 expected=M("msg.cge_csv_with_parameter_sector"))) from e
    missing = [c for c in ("parameter", "sector", "value") if c not in df.columns]
    if missing:
        raise InputError(Problem(file=fname, message=M("msg.cge_column_missing", missing_0=repr(missing[0])),
                                 expected=M("msg.cge_columns_parameter_sector_value")))
    from cocontrol.cge.sam import leading_comment_lines

    off = leading_comment_lines(path) + 2
    el = Elasticities(source=fname)
    problems = []
    for i, r in enumerate(df.itertuples(index=False)):
        p, s, v = str(r.parameter).strip(), str(r.sector).strip(), str(r.value).strip()
        row = i + off
        if p not in _EL_PARAMS:
            problems.append(Problem(file=fname, row=row, column="parameter", value=p,
                                    message=M("msg.cge_unknown_parameter"), expected=Seq(list(_EL_PARAMS), quote=True)))
            continue
        if p == "energy_group":
            el.energy_groups[s] = v
            continue
        try:
            x = float(v)
        except ValueError:
            problems.append(Problem(file=fname, row=row, column="value", value=v,
                                    message=M("msg.cge_not_number"), expected=M("msg.cge_positive_number")))
            continue
        if not x > 0 or not np.isfinite(x):
            problems.append(Problem(file=fname, row=row, column="value", value=v,
                                    message=M("msg.cge_elasticity_positive"),
                                    expected=M("msg.cge_positive_number_1_cobb")))
            continue
        getattr(el, p)[s] = x
    if problems:
        raise InputError(problems)
    return el
