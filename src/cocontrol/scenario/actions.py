"""Measure actions: one handler per action, registered by name.

A measure of the library (``measures.csv``) names an *action*; everything that depends on the
action lives in its handler:

* ``validate(df, flag)`` — checks of the action's own columns (a switch needs a target and a
  ratio ...), reported as problems naming file, row and column;
* ``new_lines(base_lines, mm, select)`` and ``prepare(base, mm, key_index)`` — lines the
  action can move activity to, and the line indices it needs at run time;
* ``compile(base, mm, sidx)`` — what a run needs of the measure row, without tables (the
  removal efficiencies of a control technology ...), kept in the measure's compiled plan;
* ``apply(state, measure, idx, p)`` — the action in a scenario run: the engine
  (:mod:`cocontrol.scenario.engine`) calls the handler of every measure, bundled or
  registered, on the whole batch at once (arrays with a leading member axis), so an action
  costs vectorised numpy operations over its lines, never a loop over lines or members;
* ``lines(base, mid, region_mask)`` and ``linked(base, mid, fp)`` — its footprint: the lines
  it writes and the lines it pulls in through switches, energy penalties and the electricity
  balance (used by marginal effects and by the optimiser's reduced linearisation).

Adding an action is one module with a handler class plus ``register_action(MyAction())``;
the measures validator, the engine, marginal effects and the optimiser find it here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pandas as pd

from cocontrol import refdata
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.inventory.engine import COARSE

Flag = Callable[[np.ndarray, str, str, str], None]  # flag(mask, column, message, expected)


class Action:
    """Base handler. ``name`` is the code in the ``action`` column; ``builtin`` actions are
    the bundled ones (they cannot be unregistered).

    ``block`` names the per-cell array the action writes besides activity: ``"R"`` (the
    control factor, stored only on the lines and species that such measures change) or
    ``"F"`` (the emission-factor multiplier, likewise); ``block_species(plan)`` gives the
    species indices of that block."""

    name: str = ""
    builtin: bool = False
    needs_magnitude: bool = True
    electric: bool = False  # changes electricity demand or generation
    block: str | None = None  # "R" (control factor) or "F" (factor multiplier)

    def block_species(self, plan) -> tuple[int, ...]:
        return ()

    # ------------------------------------------------------------ validate
    def validate(self, df: pd.DataFrame, mine: np.ndarray, flag: Flag) -> None:
        """Flag problems of the rows ``mine`` (a boolean mask) of a measures table."""
        if self.needs_magnitude:
            flag(mine & df["magnitude"].isna().to_numpy(), "magnitude",
                 M("msg.act_magnitude_missing"), M("msg.mea_fraction"))

    # ------------------------------------------------------------ prepare
    def new_lines(self, lines: pd.DataFrame, mm: pd.Series, select) -> list[dict]:
        """Lines (``source_id, region_id, sector, fuel, process, unit``) the action may move
        activity to, added to the base before any run."""
        return []

    def prepare(self, base, mm: pd.Series, key_index: dict) -> list | None:
        """Index what runs need (e.g. target lines) on ``base``; may return input problems
        (:class:`cocontrol.errors.Problem`), reported with those of every other measure."""

    def compile(self, base, mm: pd.Series, sidx: dict[str, int]) -> dict:
        """Extra fields of the measure's compiled plan (``engine._Plan``), from its row
        ``mm``; ``sidx`` maps species codes to their index."""
        return {}

    # ------------------------------------------------------------ run
    def run_lines(self, base, mid: str, rmask: np.ndarray | None) -> np.ndarray:
        """Indices of the lines the measure works on in a run (within ``rmask``)."""
        idx = base.selection(mid)
        return idx if rmask is None else idx[rmask[idx]]

    def apply(self, state, mid: str, mm: pd.Series, idx: np.ndarray, p: np.ndarray) -> None:
        """Apply the measure on lines ``idx`` with penetration paths ``p`` ((K or 1) × T) to
        the run ``state`` (:class:`cocontrol.scenario.engine.RunState`: ``A`` activity
        K × N × T, ``species``, ``record(idx, affected, d_activity, d_idx)`` with
        K × lines × T arrays; bundled actions also use its plan, blocks and balances)."""
        raise NotImplementedError(M("msg.act_no_handler", name=repr(self.name)))

    # ------------------------------------------------------------ footprint
    def selected(self, base, mid: str) -> np.ndarray:
        """Indices of the lines the measure selects (its cost basis and regions)."""
        return base.selection(mid)

    def lines(self, base, mid: str, rmask: np.ndarray | None = None) -> np.ndarray:
        """Boolean mask of the lines the measure writes (within ``rmask`` if given)."""
        m = np.zeros(len(base.lines), bool)
        m[base.selection(mid)] = True
        return m if rmask is None else m & rmask

    def linked(self, base, mid: str, fp: np.ndarray) -> np.ndarray:
        """Lines pulled into a footprint ``fp`` by this measure (targets, penalty lines)."""
        return np.zeros(len(base.lines), bool)

    def electricity_lines(self, base, mid: str) -> np.ndarray:
        """Lines through which the measure feeds the electricity balance."""
        return np.zeros(len(base.lines), bool)


def power_lines(base) -> np.ndarray:
    """Local power plants burning fuel (scope 1)."""
    lines = base.lines
    return ((lines["sector"] == "power").to_numpy() & np.isfinite(base.gj)
            & (lines["scope"] == 1).to_numpy())


class Reduce(Action):
    """A[n,t] ← A[n,t] × (1 − p_t·m)."""

    name, builtin = "reduce", True

    def apply(self, state, mid, mm, idx, p):
        A = state.A
        delta = A[:, idx] * (p * state.plan.magnitude)[:, None, :]
        A[:, idx] -= delta
        state.record(idx, delta, -delta, idx)


def _unique(base, key: tuple, idx: np.ndarray) -> bool:
    """Whether the indices ``idx`` name no line twice (cached on the base by ``key``, which
    must determine ``idx``)."""
    cache = base.__dict__.setdefault("_unique_idx", {})
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = len(np.unique(idx)) == len(idx)
    return hit


class Switch(Action):
    name, builtin = "switch", True

    def validate(self, df, mine, flag):
        super().validate(df, mine, flag)
        flag(mine & (df["to_fuel"].isna() & df["to_process"].isna()).to_numpy(), "to_fuel",
             M("msg.act_switch_target"), "to_fuel / to_process")
        flag(mine & df["ratio"].isna().to_numpy(), "ratio", M("msg.act_switch_ratio"),
             M("msg.act_switch_ratio_exp"))

    def new_lines(self, lines, mm, select):
        from cocontrol.scenario.engine import _target_unit

        idx = np.flatnonzero(select(lines, mm))
        tu = _target_unit(mm["to_fuel"], mm["to_process"])
        out = []
        for n in idx:
            r = lines.iloc[n]
            out.append({"source_id": r["source_id"], "region_id": r["region_id"],
                        "sector": mm["to_sector"] or r["sector"], "fuel": mm["to_fuel"],
                        "process": mm["to_process"], "unit": tu})
        return out

    def prepare(self, base, mm, key_index):
        from cocontrol.scenario.engine import _index_switch

        _index_switch(base, mm, key_index)

    def run_lines(self, base, mid, rmask):
        idx = base.targets_of[mid][0]
        return idx if rmask is None else idx[rmask[idx]]

    def apply(self, state, mid, mm, idx, p):
        """moved = A[n,t]·p_t·m;  A[n,t] −= moved;  A[target,t] += moved × conv (the
        targets' electricity is added demand for the electricity balance)."""
        base, A = state.base, state.A
        _, tgt, conv = base.targets_of[mid]
        if state.rmask is not None:
            keep = state.rmask[base.targets_of[mid][0]]
            tgt, conv = tgt[keep], conv[keep]
        moved = A[:, idx] * (p * state.plan.magnitude)[:, None, :]
        A[:, idx] -= moved
        gained = moved * conv[None, :, None]
        if _unique(base, ("switch", mid, state.region), tgt):  # one add per target: the
            # same sums as ufunc.at, which is several times slower
            A[:, tgt] += gained
        else:
            np.add.at(A, (slice(None), tgt), gained)
        is_el = state.is_electricity[tgt]
        if is_el.any():
            np.add.at(state.added, (slice(None), tgt[is_el]), gained[:, is_el])
        state.record(idx, moved, np.concatenate([-moved, gained], 1),
                     np.concatenate([idx, tgt]))

    def lines(self, base, mid, rmask=None):
        m = np.zeros(len(base.lines), bool)
        idx, tgt, _ = base.targets_of[mid]
        keep = np.ones(len(idx), bool) if rmask is None else rmask[idx]
        m[idx[keep]] = True
        m[tgt[keep]] = True
        return m

    def linked(self, base, mid, fp):
        idx, tgt, _ = base.targets_of[mid]
        m = np.zeros(len(base.lines), bool)
        m[tgt[fp[idx]]] = True
        return m

    def electricity_lines(self, base, mid):
        m = np.zeros(len(base.lines), bool)
        if base.lib.at[mid, "to_fuel"] == "electricity":
            idx, tgt, _ = base.targets_of[mid]
            m[idx] = True
            m[tgt] = True
        return m


def pm10_efficiency(base, idx: np.ndarray, pl) -> np.ndarray:
    """PM10 removal efficiency of a control measure (compiled plan ``pl``) on each line
    ``idx``: the PM2.5 and 2.5-10 µm efficiencies weighted by the line's EF2.5/EF10, as the
    inventory engine does (:func:`cocontrol.inventory.engine.combine_pm10`), so that
    PM2.5 ≤ PM10 after the measure. Where the weight is not defined (no PM2.5 or PM10 factor)
    the technology's PM10 efficiency is kept."""
    sp = base.species
    e10, e25 = base.ef[idx, sp.index("PM10")], base.ef[idx, sp.index("PM2.5")]
    ok = np.isfinite(e10) & np.isfinite(e25) & (e10 > 0)
    w = np.divide(e25, e10, out=np.zeros_like(e10), where=ok)
    base_e = dict(pl.eta)[pl.pm10_j]
    return np.where(ok, w * pl.e25 + (1 - w) * pl.coarse, base_e)


class Control(Action):
    """R[n,s,t] ← (1 − p_t)·R[n,s,t] + p_t·(1 − η_s) for the species the technology abates,
    plus its energy penalty (own fuel, or purchased electricity) and NH3 slip. PM10 is
    removed by size bin (:func:`pm10_efficiency`), never with one PM10 efficiency."""

    name, builtin, needs_magnitude, block = "control", True, False, "R"

    def block_species(self, plan):
        return tuple(j for j, _ in plan.eta)

    def compile(self, base, mm, sidx):
        rem = refdata.table("control_removal")
        eta = rem[rem["technology"] == mm["technology"]]
        kw = {"eta": tuple((sidx[s], float(e)) for s, e in
                           zip(eta["species"], eta["efficiency"], strict=True) if s in sidx)}
        # PM10 removed by size bin (see pm10_efficiency): the technology's PM2.5 and
        # 2.5-10 µm efficiencies
        effs = dict(zip(eta["species"], eta["efficiency"].astype(float), strict=True))
        if "PM10" in sidx and COARSE in effs and "PM2.5" in effs:
            kw.update(pm10_j=sidx["PM10"], e25=effs["PM2.5"], coarse=effs[COARSE])
        tech = refdata.table("control_tech").set_index("code").loc[mm["technology"]]
        kw["pen_f"] = float(tech["energy_penalty"]) if pd.notna(tech["energy_penalty"]) \
            else 0.0
        if pd.notna(tech["nh3_slip"]) and float(tech["nh3_slip"]) > 0 and "NOx" in sidx:
            e_nox = eta.loc[eta["species"] == "NOx", "efficiency"]
            if len(e_nox):
                kw["slip"] = (float(tech["nh3_slip"]), float(e_nox.iloc[0]))
        return kw

    def apply(self, state, mid, mm, idx, p):
        from cocontrol.scenario.engine import GJ_PER_MWH

        base, A, pl, ctl, R = state.base, state.A, state.plan, state.ctl, state.R
        ri = ctl.pos[idx]
        for j, e in pl.eta:
            jj = ctl.jpos[j]
            if j == pl.pm10_j and pl.coarse is not None:  # PM10 by size bin, per line
                e_l = pm10_efficiency(base, idx, pl)
                R[:, ri, jj, :] = (1 - p)[:, None, :] * R[:, ri, jj, :] \
                    + p[:, None, :] * (1 - e_l)[None, :, None]
                continue
            R[:, ri, jj, :] = (1 - p)[:, None, :] * R[:, ri, jj, :] \
                + (p * (1 - e))[:, None, :]
        own, via, elec = base.penalty_of[mid]
        rmask = state.rmask
        if rmask is not None:
            own = own[rmask[own]]
            via, elec = via[rmask[via]], elec[rmask[via]]
        d_own = A[:, own] * (p * pl.pen_f)[:, None, :]
        A[:, own] += d_own
        d_el = A[:, via] * base.gj[via][None, :, None] * (p * pl.pen_f)[:, None, :] \
            / GJ_PER_MWH
        np.add.at(A, (slice(None), elec), d_el)
        np.add.at(state.added, (slice(None), elec), d_el)
        if pl.slip is not None:
            state.slip[:, ri] += (p * pl.slip[0] / 1000 * pl.slip[1])[:, None, :]
        state.record(idx, A[:, idx] * p[:, None, :], np.concatenate([d_own, d_el], 1),
                     np.concatenate([own, elec]))

    def validate(self, df, mine, flag):
        flag(mine & df["technology"].isna().to_numpy(), "technology",
             M("msg.act_control_tech"), M("msg.mea_code_of_list", c="control_tech"))

    def new_lines(self, lines, mm, select):
        tech = refdata.table("control_tech").set_index("code").loc[mm["technology"]]
        if str(tech["penalty_carrier"]) != "electricity":
            return []
        idx = np.flatnonzero(select(lines, mm))
        out = []
        for sid, reg, sec in lines.iloc[idx][["source_id", "region_id", "sector"]] \
                .drop_duplicates().itertuples(index=False):
            if sec == "power":
                continue
            out.append({"source_id": sid, "region_id": reg, "sector": sec,
                        "fuel": "electricity", "process": None, "unit": "MWh"})
        return out

    def prepare(self, base, mm, key_index):
        from cocontrol.scenario.engine import _index_control

        _index_control(base, mm, key_index)
        return self.double_abatement(base, mm)

    @staticmethod
    def double_abatement(base, mm) -> list:
        """Never abate twice: a control measure must not reduce a species on lines whose
        factor already describes abated plants (``base.abated``); one problem per species."""
        from cocontrol.errors import Problem
        from cocontrol.i18n import Msg, Text, named

        abated = getattr(base, "abated", None)
        idx = base.selection(mm["id"])
        if abated is None or not len(idx):
            return []
        rem = refdata.table("control_removal")
        eta = rem[(rem["technology"] == mm["technology"]) & (rem["efficiency"] > 0)]
        sidx = {s: i for i, s in enumerate(base.species)}
        probs = []
        for sp in eta["species"]:
            if sp not in sidx:
                continue
            hit = idx[abated[idx, sidx[sp]]]
            if len(hit):
                ln = base.lines.iloc[hit]
                pairs = sorted({(s, f if isinstance(f, str) else p, isinstance(f, str))
                                for s, f, p in zip(ln["sector"], ln["fuel"], ln["process"],
                                                   strict=True)})[:4]
                combos = [(named("sectors", s), named("fuels" if is_f else "processes", w))
                          for s, w, is_f in pairs]
                probs.append(Problem(
                    file="scenarios.yaml", column="measures", value=mm["id"],
                    message=Msg("err_abate_twice_measure",
                                tech=named("control_tech", mm["technology"]), sp=sp,
                                n=len(hit),
                                combos=Text(", ".join(f"{a} × {b}" for a, b in combos),
                                            "、".join(f"{a.zh} × {b.zh}" for a, b in combos))),
                    expected=Msg("exp_abate_twice_measure")))
        return probs

    def lines(self, base, mid, rmask=None):
        m = super().lines(base, mid, rmask)
        if mid in base.penalty_of:
            own, via, elec = base.penalty_of[mid]
            if rmask is None:
                m[own] = m[via] = True
                m[elec] = True
            else:
                m[own[rmask[own]]] = True
                m[via[rmask[via]]] = True
                m[elec[rmask[via]]] = True
        return m

    def linked(self, base, mid, fp):
        m = np.zeros(len(base.lines), bool)
        if mid in base.penalty_of and fp[base.selection(mid)].any():
            for arr in base.penalty_of[mid]:
                m[arr] = True
        return m

    def electricity_lines(self, base, mid):
        m = np.zeros(len(base.lines), bool)
        if mid in base.penalty_of:
            own, via, elec = base.penalty_of[mid]
            if len(elec):
                m[base.selection(mid)] = True
                m[via] = True
                m[elec] = True
        return m


class Factor(Action):
    """F[n,s,t] ← F[n,s,t] × (1 − p_t·m) for the measure's species."""

    name, builtin, block = "factor", True, "F"

    def block_species(self, plan):
        return plan.factor_j

    def compile(self, base, mm, sidx):
        return {"factor_j": tuple(sidx[s.strip()] for s in str(mm["species"]).split(";")
                                  if s.strip() in sidx)}

    def apply(self, state, mid, mm, idx, p):
        fac, F, pl = state.fac, state.F, state.plan
        fi = fac.pos[idx]
        for j in pl.factor_j:
            F[:, fi, fac.jpos[j], :] *= (1 - p * pl.magnitude)[:, None, :]
        K, T = state.A.shape[0], state.A.shape[2]
        state.record(idx, state.A[:, idx] * p[:, None, :], np.zeros((K, 0, T)),
                     np.empty(0, np.int64))

    def validate(self, df, mine, flag):
        super().validate(df, mine, flag)
        flag(mine & df["species"].isna().to_numpy(), "species",
             M("msg.act_factor_species"), M("msg.act_species_list"))


class Renewable(Action):
    """Local power plants' fuel use × (1 − p_t·m), applied in the electricity balance after
    every other measure (the engine records its effects there)."""

    name, builtin, electric = "renewable", True, True

    def run_lines(self, base, mid, rmask):
        return np.empty(0, np.int64)  # the power lines are found by the balance

    def apply(self, state, mid, mm, idx, p):
        state.renewables.append((mid, p * state.plan.magnitude, state.rmask, state.region))

    def selected(self, base, mid):
        return np.flatnonzero(power_lines(base))

    def lines(self, base, mid, rmask=None):
        m = power_lines(base)
        return m if rmask is None else m & rmask

    def electricity_lines(self, base, mid):
        return power_lines(base)


_LOCK = threading.Lock()
_ACTIONS: dict[str, Action] = {}


def register_action(handler: Action, *, replace: bool = False) -> Action:
    """Make ``handler`` the handler of action ``handler.name``."""
    if not handler.name:
        raise ValueError(M("msg.act_needs_name"))
    with _LOCK:
        if handler.name in _ACTIONS and not replace:
            raise ValueError(M("msg.act_registered", name=repr(handler.name)))
        _ACTIONS[handler.name] = handler
    return handler


def unregister_action(name: str) -> None:
    with _LOCK:
        if name in _ACTIONS and _ACTIONS[name].builtin:
            raise ValueError(M("msg.act_bundled", name=repr(name)))
        _ACTIONS.pop(name, None)


def actions() -> tuple[str, ...]:
    """Names of the registered actions (the bundled ones first)."""
    with _LOCK:
        return tuple(_ACTIONS)


def handler(name: str) -> Action:
    with _LOCK:
        h = _ACTIONS.get(name)
    if h is None:
        raise KeyError(M("msg.act_unknown", name=repr(name),
                         known=Seq(actions(), ", ", quote=True)))
    return h


for _h in (Reduce(), Switch(), Control(), Factor(), Renewable()):
    register_action(_h)
