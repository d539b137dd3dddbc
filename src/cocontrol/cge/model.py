"""The CGE model: equations as a residual function, organised in named blocks.

Structure (Hosoe, Gasawa & Hashimoto 2010, ch. 6 "standard model", extended with an energy
bundle and policy wedges):

* **prices** – world prices fixed (small open economy), ``pe = eps pWe``, ``pm = eps pWm``;
  the numéraire is the price of one factor (default labour, as in the book).
* **production** – output ``Z`` is Leontief in value added ``Y`` (CES or Cobb–Douglas in the
  factors), non-energy intermediates and, when energy commodities are declared, an energy bundle
  ``EN`` (a two-level CES: nests such as fossil fuels / electricity, then commodities).
  Zero profit defines the producer price ``pz`` from input prices (user prices include any
  carbon or pollutant tax wedge; ``pz`` includes process-emission taxes per unit of output).
* **cet** – output is transformed into exports ``E`` and domestic sales ``D`` (CET, elasticity
  ``psi``); the CET revenue index equals the gross output price ``(1 + tauz - s) pz``
  (``s`` = ad valorem output subsidy).
* **armington** – the composite good ``Q`` is a CES of imports ``M`` (user price
  ``(1 + taum) pm``) and domestic sales ``D`` (elasticity ``sigma``).
* **household** – factor income (plus recycled policy revenue when chosen), direct tax at a fixed
  rate, saving at a fixed rate (times ``kappa`` in the investment-driven closure), Cobb–Douglas
  consumption.
* **government** – revenue from direct, indirect and import taxes plus retained policy revenue,
  minus output subsidies; saving at a fixed rate, Cobb–Douglas consumption of the rest. With
  ``recycling="indirect_tax"`` real government consumption is held at the benchmark and all
  production-tax rates are scaled by ``1 + theta`` (budget-neutral recycling: policy revenue
  cuts production taxes, subsidies raise them).
* **investment** – savings-driven: total savings ``Sp + Sg + eps Sf`` buys investment goods in
  fixed value shares; investment-driven: real investment fixed and the household saving rate
  adjusts.
* **market clearing** – composite goods, domestic goods, factors (one factor market equation is
  dropped: Walras' law; it is checked at the solution).
* **closure** – balance of payments: fixed foreign savings with a flexible exchange rate, or a
  fixed exchange rate with flexible foreign savings.

The unknowns are few (``log`` of factor prices, domestic prices, output and composite
quantities, the exchange rate, plus closure/policy scalars); every other variable is an explicit
function of them, so the system is square, small and well scaled (all log-deviations are 0 at the
benchmark).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cocontrol.cge.calibrate import Calibration, ces_index
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq

# price of a tonne in SAM money units = yuan/t / money_unit_yuan

RECYCLING = ("government", "household", "indirect_tax")


@dataclass
class Closure:
    """Macro closure.

    savings : ``"savings-driven"`` (Hosoe's standard model: investment = savings) or
        ``"investment-driven"`` (real investment fixed, household saving rate adjusts).
    exchange : ``"flexible"`` (foreign savings fixed in foreign currency, exchange rate
        endogenous; the book's closure) or ``"fixed"`` (exchange rate fixed, foreign savings
        endogenous).
    numeraire : factor whose price is fixed at ``numeraire_value``.
    """

    savings: str = "savings-driven"
    exchange: str = "flexible"
    numeraire: str = "LAB"
    numeraire_value: float = 1.0

    def check(self, cal: Calibration) -> None:
        problems = []
        if self.savings not in ("savings-driven", "investment-driven"):
            problems.append(Problem(file="<closure>", column="savings", value=self.savings,
                                    message=M("msg.cge_unknown_savings_investment_closure"),
                                    expected=M("msg.cge_savings_driven_investment_driven")))
        if self.exchange not in ("flexible", "fixed"):
            problems.append(Problem(file="<closure>", column="exchange", value=self.exchange,
                                    message=M("msg.cge_unknown_exchange_rate_closure"),
                                    expected=M("msg.cge_flexible_fixed")))
        if self.numeraire not in cal.factors:
            problems.append(Problem(file="<closure>", column="numeraire", value=self.numeraire,
                                    message=M("msg.cge_numeraire_factor_sam"),
                                    expected=M("msg.aq_one_of", items=Seq(list(cal.factors), quote=True), more="")))
        if cal.closed and self.exchange == "flexible":
            problems.append(Problem(file="<closure>", column="exchange", value=self.exchange,
                                    message=M("msg.cge_sam_has_no_trade"), expected=M("msg.cge_exchange_fixed_closed_economy")))
        if not self.numeraire_value > 0:
            problems.append(Problem(file="<closure>", column="numeraire_value",
                                    value=self.numeraire_value, message=M("msg.cge_numeraire_price"),
                                    expected=M("msg.cge_positive_number")))
        if problems:
            raise InputError(problems)


@dataclass
class Shocks:
    """Exogenous changes against the benchmark, as arrays over sectors (``None`` = benchmark).

    Prices of emissions are in yuan per tonne; they are converted to SAM money units with the
    satellite's ``money_unit_yuan``. ``ff_mult`` scales the factor endowments and ``sf_mult``
    foreign savings (used by the recursive-dynamic driver); ``ets_reference`` replaces the
    benchmark covered CO2 (t) as the reference of the ETS cap.
    """

    taum: np.ndarray | None = None
    tauz: np.ndarray | None = None
    out_subsidy: np.ndarray | None = None
    aen_mult: np.ndarray | None = None
    ax_add: np.ndarray | None = None
    carbon_price: float = 0.0
    carbon_cover: np.ndarray | None = None
    ets_cap: float | None = None
    ets_cover: np.ndarray | None = None
    pollutant_tax: dict[str, float] = field(default_factory=dict)
    pollutant_cover: np.ndarray | None = None
    recycling: str = "government"
    ff_mult: np.ndarray | None = None
    sf_mult: float = 1.0
    ets_reference: float | None = None


class CgeModel:
    """Square nonlinear system ``F(x) = 0`` for a calibrated economy, closure and shocks."""

    def __init__(self, cal: Calibration, satellite=None, closure: Closure | None = None,
                 shocks: Shocks | None = None):
        self.cal = cal
        self.sat = satellite
        self.closure = closure or Closure()
        self.closure.check(cal)
        self.shocks = shocks or Shocks()
        self._prepare()
        self._layout()

    # ------------------------------------------------------------------ setup
    def _prepare(self) -> None:
        c, s = self.cal, self.shocks
        n = c.n
        self.taum = c.taum if s.taum is None else np.asarray(s.taum, float)
        self.tauz = c.tauz if s.tauz is None else np.asarray(s.tauz, float)
        self.sub = np.zeros(n) if s.out_subsidy is None else np.asarray(s.out_subsidy, float)
        self.aen = c.aen * (1.0 if s.aen_mult is None else np.asarray(s.aen_mult, float))
        self.ax = c.ax + (0.0 if s.ax_add is None else np.asarray(s.ax_add, float))
        self.FF = c.FF * (1.0 if s.ff_mult is None else np.asarray(s.ff_mult, float))
        self.Sf = c.Sf0 * s.sf_mult
        if s.recycling not in RECYCLING:
            raise InputError(Problem(file="<policy>", column="recycling", value=s.recycling,
                                     message=M("msg.cge_unknown_revenue_recycling"),
                                     expected=" or ".join(RECYCLING)))
        needs_sat = s.carbon_price or s.ets_cap is not None or any(s.pollutant_tax.values())
        if needs_sat and self.sat is None:
            raise InputError(Problem(file="<policy>", message=M("msg.cge_emission_prices_need_emission"),
                                     expected=M("msg.cge_satellite_with_co2_pollutant")))
        # per-tonne wedges on intermediate use (n x n) and on output (n), in SAM units per tonne
        self.wedge_fixed = np.zeros((n, n))
        self.proc_wedge = np.zeros(n)
        self.co2_ets = np.zeros((n, n))
        self.co2_ets_proc = np.zeros(n)
        if self.sat is not None:
            u = self.sat.money_unit_yuan
            if s.carbon_price:
                cov = np.ones(n, bool) if s.carbon_cover is None else np.asarray(s.carbon_cover)
                k = self.sat.index("CO2")
                self.wedge_fixed += s.carbon_price / u * self.sat.fuel[k, :, :n] * cov[None, :]
                self.proc_wedge += s.carbon_price / u * self.sat.process[k] * cov
            pcov = np.ones(n, bool) if s.pollutant_cover is None else np.asarray(
                s.pollutant_cover)
            for sp, rate in s.pollutant_tax.items():
                if not rate:
                    continue
                k = self.sat.index(sp)
                self.wedge_fixed += rate / u * self.sat.fuel[k, :, :n] * pcov[None, :]
                self.proc_wedge += rate / u * self.sat.process[k] * pcov
            if s.ets_cap is not None:
                cov = np.ones(n, bool) if s.ets_cover is None else np.asarray(s.ets_cover)
                k = self.sat.index("CO2")
                self.co2_ets = self.sat.fuel[k, :, :n] * cov[None, :] / u
                self.co2_ets_proc = self.sat.process[k] * cov / u
                base = (self.co2_ets * c.X0).sum() + (self.co2_ets_proc * c.Z0).sum()
                if s.ets_reference is not None:
                    base = s.ets_reference / u
                if base <= 0:
                    raise InputError(Problem(file="<policy>", message=M("msg.cge_ets_covers_no_co2"),
                                             expected=M("msg.cge_covered_sectors_with_fuel")))
                self.ets_cap_value = s.ets_cap * base  # in t * (SAM unit / yuan)
                self.ets_base = base
        self.num_i = c.factors.index(self.closure.numeraire)

    def _layout(self) -> None:
        """Variable vector layout: (name, slice, labels)."""
        c = self.cal
        H = len(c.factors)
        blocks = []
        pos = 0

        def add(name, labels):
            nonlocal pos
            blocks.append((name, slice(pos, pos + len(labels)), list(labels)))
            pos += len(labels)

        self.free_f = [h for h in range(H) if h != self.num_i]
        add("log pf", [c.factors[h] for h in self.free_f])
        add("log pd", c.sectors)
        add("log Z", c.sectors)
        add("log Q", c.sectors)
        if self.closure.exchange == "flexible":
            add("log eps", ["eps"])
        else:
            add("Sf", ["Sf"])
        if self.closure.savings == "investment-driven":
            add("log kappa", ["kappa"])
        if self.shocks.ets_cap is not None:
            add("permit price", ["yuan/t / 100"])
        if self.shocks.recycling == "indirect_tax":
            add("indirect tax adjustment", ["theta"])
        self.var_blocks = blocks
        self.nvar = pos
        eq = [("cet: price", c.sectors), ("market clearing: domestic good", c.sectors),
              ("market clearing: composite good", c.sectors),
              ("market clearing: factor", [c.factors[h] for h in self.free_f]),
              ("closure: balance of payments", ["BoP"])]
        if self.closure.savings == "investment-driven":
            eq.append(("closure: savings = investment", ["S-I"]))
        if self.shocks.ets_cap is not None:
            eq.append(("policy: ETS cap", ["cap"]))
        if self.shocks.recycling == "indirect_tax":
            eq.append(("closure: real government consumption", ["G"]))
        self.eq_blocks = eq
        self.eq_labels = [(b, lab) for b, labels in eq for lab in labels]
        assert len(self.eq_labels) == self.nvar, "system is not square"

    def x_benchmark(self) -> np.ndarray:
        x = np.zeros(self.nvar)
        for name, sl, _ in self.var_blocks:
            if name == "Sf":
                x[sl] = self.Sf
            if name == "log pf":
                x[sl] = np.log(self.closure.numeraire_value)
            if name == "log pd" or name == "log eps":
                x[sl] = np.log(self.closure.numeraire_value)
        return x

    def _get(self, x: np.ndarray, name: str):
        for b, sl, _ in self.var_blocks:
            if b == name:
                return x[sl]
        return None

    # ------------------------------------------------------------------ equations
    def evaluate(self, x: np.ndarray) -> dict:
        """Every model variable as an explicit function of the unknowns ``x``.

        Returns a dict of named arrays/scalars (SAM money units; prices relative to the
        benchmark) plus the residual vector under ``"residuals"`` and the dropped factor-market
        equation under ``"walras"``.
        """
        c, sh = self.cal, self.shocks
        n = c.n
        nv = self.closure.numeraire_value
        v: dict = {}
        # ---- prices -------------------------------------------------------------
        pf = np.empty(len(c.factors))
        pf[self.num_i] = nv
        pf[self.free_f] = np.exp(self._get(x, "log pf"))
        pd = np.exp(self._get(x, "log pd"))
        Z = np.exp(self._get(x, "log Z")) * c.Z0
        Q = np.exp(self._get(x, "log Q")) * c.Q0
        if self.closure.exchange == "flexible":
            eps = float(np.exp(self._get(x, "log eps")[0]))
            Sf = self.Sf
        else:
            eps = nv
            Sf = float(self._get(x, "Sf")[0])
        kappa = float(np.exp(self._get(x, "log kappa")[0])) if \
            self.closure.savings == "investment-driven" else 1.0
        tc_ets = float(self._get(x, "permit price")[0]) * 100.0 if sh.ets_cap is not None \
            else 0.0
        pe = eps * np.ones(n)
        pm = eps * np.ones(n)
        pmu = (1 + self.taum) * pm
        # ---- armington (price) ------------------------------------------------------
        pmu0 = 1 + c.taum
        dm = (1 + c.taum) * c.M0 / c.Q0
        dd = c.D0 / c.Q0
        pq = ces_index(np.vstack([dm, dd]), np.vstack([pmu / pmu0, pd]), c.sigma_arm)
        # ---- production ---------------------------------------------------------------
        py = ces_index(c.beta, np.broadcast_to(pf[:, None], c.beta.shape), c.sigma_va)
        wedge = self.wedge_fixed + tc_ets * self.co2_ets
        proc_wedge = self.proc_wedge + tc_ets * self.co2_ets_proc
        PU = pq[:, None] + wedge  # user price of commodity i in sector j
        pz = c.ay * py + (self.ax * PU).sum(axis=0) + proc_wedge
        Y = c.ay * Z
        F = c.F0 * (Y / np.where(c.Y0 > 0, c.Y0, 1.0)) * (py[None, :] / pf[:, None]) ** \
            c.sigma_va[None, :]
        X = self.ax * Z[None, :]
        if c.energy:
            E_ = c.energy
            r = PU[E_, :]  # benchmark user price is 1
            ng = len(c.group_names)
            Pg = np.ones((ng, n))
            for g in range(ng):
                m = c.en_group == g
                wsum = c.en_we[m].sum(axis=0)
                Pg[g] = np.where(wsum > 0, ces_index(c.en_we[m], r[m], c.sigma_nest[g]), 1.0)
            pen = ces_index(c.en_wg, Pg, c.sigma_en)
            EN = self.aen * Z
            X0en = c.X0[E_, :]
            EN0 = X0en.sum(axis=0)
            scale = np.divide(EN, EN0, out=np.zeros(n), where=EN0 > 0)
            Xen = X0en * scale[None, :] * (pen[None, :] / Pg[c.en_group, :]) ** \
                c.sigma_en[None, :] * (Pg[c.en_group, :] / r) ** c.sigma_nest[c.en_group][:, None]
            X[E_, :] = Xen
            pz = pz + self.aen * pen
            v.update(pen=pen, EN=EN)
        # ---- cet ----------------------------------------------------------------------
        theta = float(self._get(x, "indirect tax adjustment")[0]) if \
            sh.recycling == "indirect_tax" else 0.0
        tauz = self.tauz * (1.0 + theta)  # budget-neutral recycling scales production taxes
        gross = (1 + tauz - self.sub) * pz
        P0 = 1 + c.tauz
        se = c.E0 / ((1 + c.tauz) * c.Z0)
        sdd = c.D0 / ((1 + c.tauz) * c.Z0)
        Pcet = ces_index(np.vstack([se, sdd]), np.vstack([pe, pd]), -c.psi) * P0
        E = c.E0 * (Z / c.Z0) * (pe / (Pcet / P0)) ** c.psi
        Ds = c.D0 * (Z / c.Z0) * (pd / (Pcet / P0)) ** c.psi
        # ---- armington (quantities) -------------------------------------------------
        M = c.M0 * (Q / c.Q0) * (pq / (pmu / pmu0)) ** c.sigma_arm
        D = c.D0 * (Q / c.Q0) * (pq / pd) ** c.sigma_arm
        # ---- taxes and policy revenue ------------------------------------------------
        Tz = tauz * pz * Z
        Tm = self.taum * pm * M
        Sub = self.sub * pz * Z
        policy_rev = float((wedge * X).sum() + (proc_wedge * Z).sum())
        # ---- household ----------------------------------------------------------------
        YF = float((pf * self.FF).sum())
        transfer = policy_rev if sh.recycling == "household" else 0.0
        Td = c.taud * YF
        Sp = c.ssp * kappa * (YF + transfer)
        budget_h = YF + transfer - Sp - Td
        Xp = c.alpha * budget_h / pq
        # ---- government ---------------------------------------------------------------
        retained = policy_rev - transfer
        Tgov = Td + Tz.sum() + Tm.sum() + retained - Sub.sum()
        Sg = c.ssg * Tgov
        Xg = c.mu * (Tgov - Sg) / pq
        # ---- investment ---------------------------------------------------------------
        S_tot = Sp + Sg + eps * Sf
        if self.closure.savings == "savings-driven":
            Xv = c.lam * S_tot / pq
        else:
            Xv = c.Xv0.copy()
        # ---- market clearing ----------------------------------------------------------
        demand = Xp + Xg + Xv + X.sum(axis=1)
        fac = F.sum(axis=1)
        res = [
            np.log(gross / Pcet),
            np.log(Ds / D),
            (Q - demand) / c.Q0,
            (fac[self.free_f] - self.FF[self.free_f]) / self.FF[self.free_f],
            # world prices pWe = pWm = 1: foreign-currency trade balance + foreign savings
            np.array([(E.sum() + Sf - M.sum()) / max(c.M0.sum(), 1e-3 * c.Q0.sum())]),
        ]
        if self.closure.savings == "investment-driven":
            res.append(np.array([(S_tot - pq @ Xv) / max(c.Xv0.sum(), 1e-12)]))
        co2_cov = None
        if sh.ets_cap is not None:
            co2_cov = float((self.co2_ets * X).sum() + (self.co2_ets_proc * Z).sum())
            res.append(np.array([(co2_cov - self.ets_cap_value) / self.ets_base]))
        if sh.recycling == "indirect_tax":
            res.append(np.array([(Xg.sum() - c.Xg0.sum()) / max(c.Xg0.sum(), 1e-12)]))
        walras = (fac[self.num_i] - self.FF[self.num_i]) / self.FF[self.num_i]
        v.update(pf=pf, pd=pd, pq=pq, pz=pz, py=py, pe=pe, pm=pm, eps=eps, Z=Z, Q=Q, Y=Y, F=F,
                 X=X, E=E, D=D, Ds=Ds, M=M, Xp=Xp, Xg=Xg, Xv=Xv, Tz=Tz, Tm=Tm, Td=Td, Sp=Sp,
                 Sg=Sg, Sf=Sf, kappa=kappa, Tgov=Tgov, subsidy=Sub, policy_revenue=policy_rev,
                 transfer=transfer, income=YF + transfer, factor_income=YF, permit_price=tc_ets,
                 co2_covered=co2_cov, walras=walras, tax_adjustment=theta, residuals=np.concatenate(res))
        return v

    def residuals(self, x: np.ndarray) -> np.ndarray:
        return self.evaluate(x)["residuals"]
