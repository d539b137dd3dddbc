"""Enterprise anomaly rules on hourly monitoring and power data, and the case workflow.

Rules (thresholds are data: ``data/monitoring/anomaly_rules.csv``, each with its basis; a user
table with the same columns may replace it):

- ``exceedance``: hourly concentration above the permitted limit (the permit limit table gives
  facility, pollutant, limit, unit, basis) for at least ``min_consecutive_hours``;
- ``quantity``: year-to-date emission above the permitted annual quantity x elapsed share;
- ``flatline``: the same value (within a relative tolerance) for at least ``min_hours`` hours
  while the unit operates (stuck analyser or a fixed value written into the data);
- ``jump``: an hour-to-hour change above z robust standard deviations (1.4826 x MAD of the
  changes) and above ``min_abs``;
- ``treatment_off``: production power on (> share of its running median) while the treatment
  equipment's power is off (< share of its running median) for >= ``min_hours`` hours;
- ``night_day_ratio``: mean production power 22:00-06:00 over 08:00-18:00 above ``max_ratio``.

Each finding becomes a :class:`Case` with the workflow found → assigned → rectified → closed
(a rejected rectification goes back rectified → assigned); any other transition is an error.
Cases are plain pydantic models so that the service layer can persist them.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq, Text
from cocontrol.monitoring._common import bundled, rule_value

Rule = Literal["exceedance", "quantity", "flatline", "jump", "treatment_off",
               "night_day_ratio", "carbon_benchmark", "permit_near", "permit_expired",
               "park_target"]

RULE_LABELS: dict[str, tuple[str, str]] = {
    "exceedance": ("concentration above the permit limit", "排放浓度超过许可限值"),
    "quantity": ("emission above the permitted quantity (pro rata)", "排放量超过许可排放量（按进度）"),
    "flatline": ("flat-lined (stuck) signal", "数据恒值（疑似卡值）"),
    "jump": ("sudden jump", "数据突变"),
    "treatment_off": ("treatment off while production runs", "生产设施运行而治污设施停运"),
    "night_day_ratio": ("night/day power ratio above threshold", "夜间/白天用电比异常"),
    # permit compliance (cocontrol.enterprise.permits.alert_cases)
    "carbon_benchmark": ("carbon intensity above the benchmark", "碳排放强度超过基准值"),
    "permit_near": ("permit item near its limit", "许可事项接近限值"),
    "permit_expired": ("permit expired", "排污许可证已过期"),
    # park targets (cocontrol.enterprise.parks.alert_cases)
    "park_target": ("park target at risk or missed", "园区目标预警"),
}


class Finding(BaseModel):
    """One rule violation found in the data (evidence: period, value, threshold, basis)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    rule: Rule
    entity: str
    signal: str
    start: datetime
    end: datetime
    hours: int
    value: float
    threshold: float
    unit: str
    basis: str
    message_en: str
    message_zh: str


def _fid(*parts) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:12]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) index pairs (inclusive) of consecutive True runs."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.diff(m.astype(int))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1, strict=True))


def _finding(rule, entity, signal, t, i, j, value, thr, unit, basis, extra_en="", extra_zh=""):
    en, zh = RULE_LABELS[rule]
    return Finding(
        id=_fid(rule, entity, signal, t[i], t[j]), rule=rule, entity=entity, signal=signal,
        start=pd.Timestamp(t[i]).to_pydatetime(), end=pd.Timestamp(t[j]).to_pydatetime(),
        hours=int(j - i + 1), value=float(value), threshold=float(thr), unit=unit, basis=basis,
        message_en=f"{entity} {signal}: {en} ({pd.Timestamp(t[i]):%Y-%m-%d %H:%M} to "
                   f"{pd.Timestamp(t[j]):%Y-%m-%d %H:%M}, {j - i + 1} h, value {value:.4g} "
                   f"{unit} vs {thr:.4g}){extra_en}",
        message_zh=f"{entity} {signal}：{zh}（{pd.Timestamp(t[i]):%Y-%m-%d %H:%M} 至 "
                   f"{pd.Timestamp(t[j]):%Y-%m-%d %H:%M}，{j - i + 1} 小时，数值 {value:.4g} "
                   f"{unit}，阈值 {thr:.4g}）{extra_zh}")


def _basis(rule: str, parameter: str, rules: pd.DataFrame | None) -> str:
    t = bundled("anomaly_rules") if rules is None else rules
    m = t[(t["rule"] == rule) & (t["parameter"] == parameter)]
    return str(m["basis"].iloc[0]) if len(m) else ""


def exceedance(times, values, limit: float, entity: str, signal: str, unit: str,
               limit_basis: str, rules: pd.DataFrame | None = None) -> list[Finding]:
    """Runs of hourly values above ``limit`` lasting >= min_consecutive_hours."""
    n_min = int(rule_value("exceedance_hours", "min_consecutive_hours", rules))
    t = pd.DatetimeIndex(times)
    v = np.asarray(values, float)
    out = []
    for i, j in _runs(np.isfinite(v) & (v > limit)):
        if j - i + 1 >= n_min:
            out.append(_finding("exceedance", entity, signal, t, i, j, np.nanmax(v[i:j + 1]),
                                limit, unit, limit_basis))
    return out


def quantity(ytd_t: float, permitted_t: float, elapsed_share: float, entity: str,
             signal: str, as_of: datetime, permit_basis: str,
             rules: pd.DataFrame | None = None) -> list[Finding]:
    """Year-to-date emission vs the permitted annual quantity scaled to the elapsed share."""
    k = rule_value("quantity", "pro_rata", rules)
    thr = k * permitted_t * elapsed_share
    if not (np.isfinite(ytd_t) and ytd_t > thr):
        return []
    t = pd.DatetimeIndex([as_of])
    return [_finding("quantity", entity, signal, t, 0, 0, ytd_t, thr, "t",
                     f"{permit_basis}; {_basis('quantity', 'pro_rata', rules)}",
                     f"; permitted {permitted_t:.4g} t/yr, {elapsed_share:.0%} of the year",
                     f"；许可排放量 {permitted_t:.4g} 吨/年，时间进度 {elapsed_share:.0%}")]


def flatline(times, values, entity: str, signal: str, unit: str, operating=None,
             rules: pd.DataFrame | None = None) -> list[Finding]:
    """Runs of identical values (relative tolerance) of >= min_hours while operating."""
    n_min = int(rule_value("flatline", "min_hours", rules))
    tol = rule_value("flatline", "tolerance", rules)
    t = pd.DatetimeIndex(times)
    v = np.asarray(values, float)
    op = np.ones(len(v), bool) if operating is None else np.asarray(operating, bool)
    same = np.zeros(len(v), bool)
    same[1:] = np.isfinite(v[1:]) & np.isfinite(v[:-1]) & \
        (np.abs(v[1:] - v[:-1]) <= tol * np.maximum(np.abs(v[:-1]), 1e-12)) & op[1:] & op[:-1]
    out = []
    for i, j in _runs(same):
        i0 = i - 1  # the run starts one hour before its first repeat
        if j - i0 + 1 >= n_min:
            out.append(_finding("flatline", entity, signal, t, i0, j, v[i0], n_min, unit,
                                _basis("flatline", "min_hours", rules)))
    return out


def jumps(times, values, entity: str, signal: str, unit: str,
          rules: pd.DataFrame | None = None) -> list[Finding]:
    """Hour-to-hour changes above z x 1.4826 MAD of the changes and above min_abs."""
    z = rule_value("jump", "z", rules)
    min_abs = rule_value("jump", "min_abs", rules)
    t = pd.DatetimeIndex(times)
    v = np.asarray(values, float)
    d = np.diff(v)
    ok = np.isfinite(d)
    if ok.sum() < 10:
        return []
    med = np.median(d[ok])
    sd = 1.4826 * np.median(np.abs(d[ok] - med))
    thr = max(z * sd, min_abs)
    out = []
    for k in np.flatnonzero(ok & (np.abs(d - med) > thr)):
        out.append(_finding("jump", entity, signal, t, k, k + 1, d[k], thr, unit,
                            _basis("jump", "z", rules)))
    return out


def treatment_off(times, production_kw, treatment_kw, entity: str,
                  rules: pd.DataFrame | None = None) -> list[Finding]:
    """Hours with production power on and treatment power off, runs >= min_hours."""
    on_f = rule_value("treatment_off", "production_on_kw", rules)
    off_f = rule_value("treatment_off", "treatment_off_kw", rules)
    n_min = int(rule_value("treatment_off", "min_hours", rules))
    t = pd.DatetimeIndex(times)
    p = np.asarray(production_kw, float)
    q = np.asarray(treatment_kw, float)
    p_med = np.nanmedian(p[p > 0]) if (p > 0).any() else np.nan
    q_med = np.nanmedian(q[q > 0]) if (q > 0).any() else np.nan
    if not (np.isfinite(p_med) and np.isfinite(q_med)):
        return []
    bad = (p > on_f * p_med) & (q < off_f * q_med)
    out = []
    for i, j in _runs(bad):
        if j - i + 1 >= n_min:
            out.append(_finding("treatment_off", entity, "treatment power", t, i, j,
                                float(np.nanmean(q[i:j + 1])), off_f * q_med, "kW",
                                _basis("treatment_off", "treatment_off_kw", rules),
                                f"; production power {np.nanmean(p[i:j + 1]):.4g} kW",
                                f"；生产用电 {np.nanmean(p[i:j + 1]):.4g} kW"))
    return out


def night_day_ratio(times, production_kw, entity: str, rules: pd.DataFrame | None = None
                    ) -> list[Finding]:
    """Per day: mean power 22:00-06:00 / mean power 08:00-18:00 above max_ratio."""
    mx = rule_value("night_day_ratio", "max_ratio", rules)
    s = pd.Series(np.asarray(production_kw, float), index=pd.DatetimeIndex(times))
    h = s.index.hour
    night = s[(h >= 22) | (h < 6)]
    day = s[(h >= 8) & (h < 18)]
    # a night belongs to the day on which it starts (22:00)
    nkey = (night.index - pd.Timedelta(hours=22)).normalize()
    nm = night.groupby(nkey).mean()
    dm = day.groupby(day.index.normalize()).mean()
    r = (nm / dm.reindex(nm.index)).dropna()
    out = []
    for d0, ratio in r[r > mx].items():
        t = pd.date_range(d0 + pd.Timedelta(hours=22), periods=8, freq="h")
        out.append(_finding("night_day_ratio", entity, "production power", t, 0, 7, ratio, mx,
                            "ratio", _basis("night_day_ratio", "max_ratio", rules)))
    return out


def scan_enterprise(hourly: pd.DataFrame, limits: pd.DataFrame | None = None,
                    rules: pd.DataFrame | None = None) -> list[Finding]:
    """Run every rule on an enterprise hourly table.

    ``hourly``: facility, time, and any of conc_<pollutant> (mg/m3), production_kw,
    treatment_kw columns. ``limits``: facility, pollutant, limit, unit, basis.
    """
    out: list[Finding] = []
    for fac, g in hourly.groupby("facility", sort=True):
        g = g.sort_values("time")
        t = pd.to_datetime(g["time"])
        op = None
        if "production_kw" in g.columns:
            p = pd.to_numeric(g["production_kw"], errors="coerce").to_numpy(float)
            op = p > 0
        for c in [c for c in g.columns if c.startswith("conc_")]:
            pol = c[5:]
            v = pd.to_numeric(g[c], errors="coerce").to_numpy(float)
            if limits is not None:
                lim = limits[(limits["facility"] == fac) & (limits["pollutant"] == pol)]
                if len(lim):
                    out += exceedance(t, v, float(lim["limit"].iloc[0]), fac, pol,
                                      str(lim["unit"].iloc[0]), str(lim["basis"].iloc[0]), rules)
            out += flatline(t, v, fac, pol, "mg/m3", operating=op, rules=rules)
            out += jumps(t, v, fac, pol, "mg/m3", rules=rules)
        if "production_kw" in g.columns and "treatment_kw" in g.columns:
            q = pd.to_numeric(g["treatment_kw"], errors="coerce").to_numpy(float)
            out += treatment_off(t, p, q, fac, rules)
        if "production_kw" in g.columns:
            out += night_day_ratio(t, p, fac, rules)
    return out


# ------------------------------------------------------------------------------ cases

Status = Literal["found", "assigned", "rectified", "closed"]

TRANSITIONS: dict[str, set[str]] = {
    "found": {"assigned"},
    "assigned": {"rectified"},
    "rectified": {"closed", "assigned"},  # rejected rectification goes back to the owner
    "closed": set(),
}

STATUS_LABELS = {"found": ("found", "已发现"), "assigned": ("assigned", "已交办"),
                 "rectified": ("rectified", "已整改"), "closed": ("closed", "已销号")}


class CaseTransitionError(CocontrolError):
    """A case workflow step that is not allowed (a catalogue message, English and Chinese)."""


def _status(s: str) -> Text:
    """A case status in both languages (``found`` / ``已发现``)."""
    en, zh = STATUS_LABELS.get(s, (s, s))
    return Text(en, zh)


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime
    by: str
    note: str
    attachment: str | None = None


class Transition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime
    by: str
    from_status: Status
    to_status: Status
    note: str = ""


class Case(BaseModel):
    """A finding handled until closed; ``jurisdiction`` (region id) scopes who may see it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    finding: Finding
    jurisdiction: str
    status: Status = "found"
    owner: str | None = None
    deadline: date | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    history: list[Transition] = Field(default_factory=list)

    def overdue(self, today: date) -> bool:
        return self.status != "closed" and self.deadline is not None and today > self.deadline


def open_case(finding: Finding, jurisdiction: str, found_at: datetime,
              deadline_days: int = 15) -> Case:
    """A new case in status ``found`` with a deadline ``deadline_days`` after ``found_at``."""
    return Case(id=f"case-{finding.id}", finding=finding, jurisdiction=jurisdiction,
                deadline=(found_at + timedelta(days=deadline_days)).date())


def transition(case: Case, to: str, by: str, at: datetime, note: str = "",
               owner: str | None = None, evidence: Evidence | None = None) -> Case:
    """The case after one workflow step (a new object; the input is unchanged).

    found → assigned needs an ``owner``; assigned → rectified needs ``evidence``;
    rectified → closed; rectified → assigned (rectification rejected). Anything else raises
    :class:`CaseTransitionError`.
    """
    if to not in TRANSITIONS:
        raise CaseTransitionError(M("msg.mon_case_unknown_status", to=repr(to),
                                    known=Seq([_status(s) for s in TRANSITIONS], ", ")))
    if to not in TRANSITIONS[case.status]:
        nxt = sorted(TRANSITIONS[case.status])
        allowed = Seq([_status(s) for s in nxt], ", ") if nxt else M("msg.mon_case_none_closed")
        raise CaseTransitionError(M("msg.mon_case_step", id=case.id, src=_status(case.status),
                                    to=_status(to), allowed=allowed))
    upd: dict = {"status": to}
    if to == "assigned":
        if not (owner or case.owner):
            raise CaseTransitionError(M("msg.mon_case_needs_owner", id=case.id))
        upd["owner"] = owner or case.owner
    if to == "rectified" and evidence is None:
        raise CaseTransitionError(M("msg.mon_case_needs_evidence", id=case.id))
    ev = list(case.evidence) + ([evidence] if evidence is not None else [])
    hist = list(case.history) + [Transition(at=at, by=by, from_status=case.status,
                                            to_status=to, note=note)]
    return case.model_copy(update={**upd, "evidence": ev, "history": hist})


def cases_frame(cases: list[Case], today: date, lang: str = "en") -> pd.DataFrame:
    """One row per case (for notices and the API)."""
    lab = 1 if lang == "zh" else 0
    return pd.DataFrame([{
        "case": c.id, "entity": c.finding.entity, "rule": RULE_LABELS[c.finding.rule][lab],
        "found": c.finding.start.date().isoformat(), "status": STATUS_LABELS[c.status][lab],
        "owner": c.owner or "", "deadline": c.deadline.isoformat() if c.deadline else "",
        "overdue": c.overdue(today),
        "message": c.finding.message_zh if lang == "zh" else c.finding.message_en,
    } for c in cases], columns=["case", "entity", "rule", "found", "status", "owner",
                                "deadline", "overdue", "message"])
