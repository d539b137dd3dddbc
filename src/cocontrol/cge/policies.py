"""Policy instruments as data, translated into model shocks, and the :class:`Economy` facade.

Instrument kinds (``kind`` field) and their parameters:

``ets``            emissions trading: ``cap`` (covered sectors' fuel + process CO2 as a share of
                   their benchmark emissions, e.g. 0.9 = 10 % cut), ``sectors`` covered; the
                   permit price is endogenous (yuan/t CO2, permits auctioned).
``carbon_tax``     fixed carbon price: ``price`` (yuan/t CO2) on the fuel and process CO2 of
                   ``sectors`` (default all).
``subsidy``        ad valorem output subsidy ``rate`` (share of the producer price) to
                   ``sectors`` (e.g. clean power and storage), paid from the government budget.
``efficiency``     mandatory energy-efficiency improvement: energy input per unit of output of
                   ``sectors`` cut by ``rate``; optional ``compliance_cost`` = yuan of extra
                   ``equipment`` input per yuan of benchmark energy cost saved.
``pollutant_tax``  tax per tonne of pollutant: ``rates`` {species: yuan/t} on fuel and process
                   emissions of ``sectors`` (default all producers; households are not taxed).
``tariff``         import tariff rates ``rates`` {sector: rate} (for the textbook experiment).

Every instrument may carry ``recycling``: ``government`` (revenue stays in the budget and is
spent by the government), ``household`` (lump-sum transfer) or ``indirect_tax`` (real government
consumption held constant, production-tax rates scaled to balance the budget). A combination uses one recycling
rule; conflicting rules are an input error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cocontrol import refdata
from cocontrol.cge.calibrate import Calibration, Elasticities, calibrate, read_elasticities
from cocontrol.cge.model import RECYCLING, CgeModel, Closure, Shocks
from cocontrol.cge.sam import read_sam
from cocontrol.cge.satellite import Satellite, indicator_changes, levels, read_satellite
from cocontrol.cge.solve import Solution, solve
from cocontrol.errors import InputError, ModelError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq, Text

KINDS = ("ets", "carbon_tax", "subsidy", "efficiency", "pollutant_tax", "tariff")
PARAMS = {
    "ets": {"cap", "sectors", "recycling"},
    "carbon_tax": {"price", "sectors", "recycling"},
    "subsidy": {"rate", "sectors", "recycling"},
    "efficiency": {"rate", "sectors", "compliance_cost", "equipment", "recycling"},
    "pollutant_tax": {"rates", "sectors", "recycling"},
    "tariff": {"rates", "recycling"},
}


@dataclass
class Instrument:
    """One policy instrument (see the module docstring for ``kind`` and ``params``)."""

    code: str
    kind: str
    params: dict = field(default_factory=dict)
    name_en: str = ""
    name_zh: str = ""
    source: str = ""

    def label(self, lang: str = "en") -> str:
        return (self.name_zh if lang == "zh" else self.name_en) or self.code


def _sector_mask(cal: Calibration, sectors, where: str) -> np.ndarray:
    if sectors in (None, "*", ["*"]):
        return np.ones(cal.n, bool)
    if isinstance(sectors, str):
        sectors = [sectors]
    m = np.zeros(cal.n, bool)
    bad = [s for s in sectors if s not in cal.sectors]
    if bad:
        raise InputError(Problem(file=where, column="sectors", value=bad[0],
                                 message=M("msg.cge_unknown_sector2"), expected=Seq(list(cal.sectors), quote=True)))
    for s in sectors:
        m[cal.sectors.index(s)] = True
    return m


def _num(params: dict, key: str, where: str, lo: float = 0.0, hi: float = np.inf,
         default=None) -> float:
    v = params.get(key, default)
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise InputError(Problem(file=where, column=key, value=v, message=M("msg.cge_not_number"),
                                 expected=M("msg.cge_number", lo=lo, hi=hi))) from None
    if not lo <= x <= hi:
        raise InputError(Problem(file=where, column=key, value=v, message=M("msg.cge_out_range"),
                                 expected=M("msg.cge_number", lo=lo, hi=hi)))
    return x


def to_shocks(cal: Calibration, instruments: list[Instrument],
              recycling: str | None = None) -> Shocks:
    """Combine instruments into one :class:`Shocks` record for the model."""
    n = cal.n
    sh = Shocks()
    rec = {i.params.get("recycling") for i in instruments if i.params.get("recycling")}
    if recycling:
        rec = {recycling}
    if len(rec) > 1:
        raise InputError(Problem(file="<policy>", column="recycling", value=sorted(rec),
                                 message=M("msg.cge_instruments_one_combination_use"), expected=M("msg.cge_one_rule")))
    sh.recycling = rec.pop() if rec else "government"
    if sh.recycling not in RECYCLING:
        raise InputError(Problem(file="<policy>", column="recycling", value=sh.recycling,
                                 message=M("msg.cge_unknown_revenue_recycling"),
                                 expected=" or ".join(RECYCLING)))
    sub = np.zeros(n)
    aen = np.ones(n)
    axa = np.zeros((n, n))
    ptax: dict[str, float] = {}
    pcov = None
    for ins in instruments:
        where = Text(f"<instrument {ins.code}>", f"<政策工具 {ins.code}>")
        p = ins.params
        if ins.kind not in KINDS:
            raise InputError(Problem(file=where, column="kind", value=ins.kind,
                                     message=M("msg.cge_unknown_instrument_kind"),
                                     expected=Seq(list(KINDS), quote=True)))
        unknown = sorted(set(p) - PARAMS[ins.kind])
        if unknown:
            raise InputError(Problem(file=where, column=unknown[0], value=p[unknown[0]],
                                     message=M("msg.cge_unknown_parameter_instrument", ins_kind=ins.kind),
                                     expected=Seq(list(sorted(PARAMS[ins.kind])), quote=True)))
        mask = _sector_mask(cal, p.get("sectors"), where)
        if ins.kind == "ets":
            if sh.ets_cap is not None:
                raise InputError(Problem(file=where, message=M("msg.cge_two_emissions_trading_schemes"), expected=M("msg.cge_at_most_one_ets")))
            sh.ets_cap = _num(p, "cap", where, 0.01, 1.0)
            sh.ets_cover = mask
        elif ins.kind == "carbon_tax":
            if sh.carbon_price:
                raise InputError(Problem(file=where, message=M("msg.cge_two_carbon_taxes_one"), expected=M("msg.cge_at_most_one_carbon")))
            sh.carbon_price = _num(p, "price", where, 0.0, 1e5)
            sh.carbon_cover = mask
        elif ins.kind == "subsidy":
            sub = sub + _num(p, "rate", where, 0.0, 0.9) * mask
        elif ins.kind == "efficiency":
            rate = _num(p, "rate", where, 0.0, 0.9)
            aen = aen * np.where(mask, 1.0 - rate, 1.0)
            cc = _num(p, "compliance_cost", where, 0.0, 10.0, default=0.0)
            if cc:
                eq = p.get("equipment", "OIND")
                k = cal.index(eq)
                axa[k, :] += cc * rate * cal.aen * mask
        elif ins.kind == "pollutant_tax":
            rates = p.get("rates") or {}
            if not isinstance(rates, dict) or not rates:
                raise InputError(Problem(file=where, column="rates", value=rates,
                                         message=M("msg.cge_pollutant_tax_needs_rates"),
                                         expected=M("msg.cge_x")))
            for s in rates:
                ptax[s] = ptax.get(s, 0.0) + _num(rates, s, where, 0.0, 1e7)
            pcov = mask if pcov is None else (pcov | mask)
        elif ins.kind == "tariff":
            taum = cal.taum.copy() if sh.taum is None else sh.taum
            for s in p.get("rates") or {}:
                taum[cal.index(s)] = _num(p["rates"], s, where, 0.0, 10.0)
            sh.taum = taum
    if sub.any():
        sh.out_subsidy = sub
    if (aen != 1).any():
        sh.aen_mult = aen
    if axa.any():
        sh.ax_add = axa
    sh.pollutant_tax = ptax
    sh.pollutant_cover = pcov
    return sh


def scale_instrument(ins: Instrument, lam: float, cal: Calibration) -> Instrument:
    """The instrument at share ``lam`` (0..1) of its strength (for continuation): rates, prices
    and cuts times ``lam``; an ETS cap ``1 - lam (1 - cap)``; tariffs interpolated."""
    p = dict(ins.params)
    if ins.kind == "ets":
        p["cap"] = 1.0 - lam * (1.0 - float(p["cap"]))
    elif ins.kind == "carbon_tax":
        p["price"] = lam * float(p["price"])
    elif ins.kind in ("subsidy", "efficiency"):
        p["rate"] = lam * float(p["rate"])
    elif ins.kind == "pollutant_tax":
        p["rates"] = {k: lam * float(v) for k, v in (p.get("rates") or {}).items()}
    elif ins.kind == "tariff":
        p["rates"] = {k: (1 - lam) * float(cal.taum[cal.index(k)]) + lam * float(v)
                      for k, v in (p.get("rates") or {}).items()}
    return Instrument(ins.code, ins.kind, p, ins.name_en, ins.name_zh, ins.source)


def read_instruments(path) -> list[Instrument]:
    """Read instruments from YAML: a list under ``instruments:`` with code, kind, params,
    name_en, name_zh, source."""
    from cocontrol import io
    from cocontrol.project.models import InstrumentsFile, validate

    path = Path(path)
    doc = io.read_yaml(path)
    _, probs = validate(InstrumentsFile, doc, str(path))  # unknown keys are errors
    if probs:
        raise InputError(probs)
    items = (doc or {}).get("instruments") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise InputError(Problem(file=str(path), message=M("msg.cge_no_instruments_found"),
                                 expected=M("msg.cge_yaml_list_under_key")))
    out, codes = [], set()
    for k, it in enumerate(items):
        if not isinstance(it, dict) or "code" not in it or "kind" not in it:
            raise InputError(Problem(file=str(path), row=k + 1, message=M("msg.cge_instrument_entry_needs_code"), value=it))
        if it["code"] in codes:
            raise InputError(Problem(file=str(path), row=k + 1, column="code", value=it["code"],
                                     message=M("msg.cge_duplicate_instrument_code"),
                                     expected=M("msg.cge_unique_codes")))
        codes.add(it["code"])
        if it["kind"] not in KINDS:
            raise InputError(Problem(file=str(path), row=k + 1, column="kind", value=it["kind"],
                                     message=M("msg.cge_unknown_instrument_kind"),
                                     expected=Seq(list(KINDS), quote=True)))
        out.append(Instrument(code=str(it["code"]), kind=it["kind"],
                              params=dict(it.get("params") or {}),
                              name_en=it.get("name_en", ""), name_zh=it.get("name_zh", ""),
                              source=it.get("source", "")))
    return out


@dataclass
class PolicyRun:
    """A solved policy scenario: the solution, indicator levels and ETS status."""

    instruments: list[str]
    solution: Solution
    levels: dict
    ets_binding: bool | None = None


class Economy:
    """A calibrated economy with satellite and closure: solve the baseline and policies."""

    def __init__(self, cal: Calibration, sat: Satellite | None = None,
                 closure: Closure | None = None):
        self.cal = cal
        self.sat = sat
        self.closure = closure or Closure()
        self._base: PolicyRun | None = None

    def model(self, instruments: list[Instrument] = (), recycling: str | None = None,
              extra: dict | None = None) -> CgeModel:
        """The model for ``instruments``; ``extra`` sets further :class:`Shocks` fields
        (``ff_mult``, ``sf_mult``, ``ets_reference``) and ``aen_scale`` (multiplies the energy
        coefficients, e.g. autonomous efficiency improvement in a dynamic run)."""
        sh = to_shocks(self.cal, list(instruments), recycling)
        for k, v in (extra or {}).items():
            if k == "aen_scale":
                base = np.ones(self.cal.n) if sh.aen_mult is None else sh.aen_mult
                sh.aen_mult = base * v
            elif hasattr(sh, k):
                setattr(sh, k, v)
            else:
                raise InputError(Problem(file="<model>", column=k, message=M("msg.cge_unknown_shock"),
                                         expected=M("msg.cge_ff_mult_sf_mult")))
        return CgeModel(self.cal, self.sat, self.closure, sh)

    def run(self, instruments: list[Instrument] = (), recycling: str | None = None,
            x0=None, extra: dict | None = None) -> PolicyRun:
        """Solve with ``instruments``; an ETS whose cap does not bind is solved at price 0.

        ``x0`` is an optional starting point (e.g. the previous period's solution)."""
        instruments = list(instruments)
        m = self.model(instruments, recycling, extra)
        try:
            sol = solve(m, x0 if x0 is not None and len(x0) == m.nvar else None)
        except ModelError as direct:
            sol = self._continuation(instruments, recycling, extra, direct)
        binding = None
        if m.shocks.ets_cap is not None:
            binding = True
            if sol.values["permit_price"] < 0:  # cap slack: complementarity -> price 0
                binding = False
                rest = [i for i in instruments if i.kind != "ets"]
                m = self.model(rest, recycling, extra)
                sol = solve(m)
        return PolicyRun([i.code for i in instruments], sol, levels(self.cal, self.sat,
                                                                     sol.values), binding)

    def _continuation(self, instruments, recycling, extra, direct: ModelError,
                      steps: int = 8) -> Solution:
        """Apply the shock in ``steps`` equal steps, each from the previous solution; if a
        step fails, say how much of the shock could be solved."""
        x = None
        done = 0.0
        for k in range(1, steps + 1):
            lam = k / steps
            scaled = [scale_instrument(i, lam, self.cal) for i in instruments]
            m = self.model(scaled, recycling, extra)
            try:
                sol = solve(m, x)
            except ModelError as e:
                raise ModelError(
                    M("msg.cge_model_solves_up_policy", v100_done=format(100 * done, '.0f'), v100_lam=format(100 * lam, '.0f'), steps=steps, e=e)) from direct
            x, done = sol.x, lam
        return sol

    def baseline(self) -> PolicyRun:
        if self._base is None:
            self._base = self.run([])
        return self._base

    def changes(self, run: PolicyRun) -> dict[str, float]:
        return indicator_changes(self.cal, self.sat, self.baseline().levels, run.levels)


def _data(name: str) -> Path:
    return Path(refdata.bundled_path(f"cge/{name}"))


BUNDLED_SAM = "china_illustrative_sam.csv"
BUNDLED_ELASTICITIES = "china_illustrative_elasticities.csv"
BUNDLED_SATELLITE = "china_illustrative_satellite.csv"
BUNDLED_INSTRUMENTS = "china_illustrative_instruments.yaml"


def bundled_path(name: str) -> Path:
    """Path of a bundled data file (``china_illustrative_*.csv``, ``hosoe_stdcge_sam.csv``)."""
    return _data(name)


def load_economy(sam_path=None, elasticities_path=None, satellite_path=None,
                 closure: Closure | None = None) -> Economy:
    """Load an economy; without arguments the bundled ILLUSTRATIVE China-like economy."""
    sam = read_sam(sam_path or _data(BUNDLED_SAM))
    el = read_elasticities(elasticities_path) if elasticities_path else (
        read_elasticities(_data(BUNDLED_ELASTICITIES)) if sam_path is None else Elasticities())
    cal = calibrate(sam, el)
    sat_p = satellite_path or (_data(BUNDLED_SATELLITE) if sam_path is None else None)
    sat = read_satellite(sat_p, cal.sectors) if sat_p else None
    return Economy(cal, sat, closure)


def bundled_instruments() -> list[Instrument]:
    """The six bundled illustrative instruments."""
    return read_instruments(_data(BUNDLED_INSTRUMENTS))
