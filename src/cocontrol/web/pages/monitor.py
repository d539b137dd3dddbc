"""Early-warning board (issues 15 and 16): the stored alerts of the visitor's jurisdiction by
target with their red / yellow / green level, the probability of missing each target, the
drivers behind the gap (LMDI) and the measures that would close it, the cases with their
workflow status, and links to the notices (HTML / PDF) of each jurisdiction. Every number of
an alert opens its derivation (``/web/monitor/why``, JSON ``/api/web/monitor/why``:
:func:`cocontrol.monitoring.derivation.alert_derivation`), every count (targets at a level,
cases in a status) the list it counts (``/web/monitor/count``, JSON ``/api/web/monitor/count``:
:func:`~cocontrol.monitoring.derivation.count_derivation`,
:func:`~cocontrol.monitoring.derivation.case_count_derivation`).

Everything comes from the service's monitoring store (:mod:`cocontrol.service.
monitoring_store`) read through the one scoping layer, as the API gives it: an alert is shown
as it was assessed and stored (``POST /api/monitoring/uploads/{id}/alerts``, with
``explain`` for the drivers and closing measures); the board computes nothing itself."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query
from sqlalchemy import select

from cocontrol.monitoring.derivation import FIELDS
from cocontrol.service.access import scoped
from cocontrol.service.models import Organisation
from cocontrol.service.monitoring_store import MonitoringAlert, MonitoringCase, case_of
from cocontrol.web.context import Ctx
from cocontrol.web.registry import Area

area = Area("monitor", nav="nav_monitor", order=30)
LEVELS = ("red", "yellow", "green")


def latest_alerts(ctx: Ctx) -> list[MonitoringAlert]:
    """The newest stored alert of every (organisation, target) the visitor may see."""
    latest: dict[tuple[int, str], MonitoringAlert] = {}
    stmt = scoped(select(MonitoringAlert), ctx.principal, MonitoringAlert).order_by(
        MonitoringAlert.id)
    for a in ctx.session.scalars(stmt):
        latest[(a.org_id, a.target)] = a
    return list(latest.values())


def board_cases(ctx: Ctx) -> list[MonitoringCase]:
    """The cases the board lists: the newest 500 the visitor may see."""
    return list(ctx.session.scalars(scoped(select(MonitoringCase), ctx.principal,
                                           MonitoringCase)
                                    .order_by(MonitoringCase.id.desc()).limit(500)))


def _alert_view(ctx: Ctx, a: MonitoringAlert, orgs: dict) -> dict:
    from cocontrol.metrics.lmdi import FACTOR_LABELS
    from cocontrol.monitoring.targets import KIND_LABELS

    p = a.payload or {}
    i = 1 if ctx.lang == "zh" else 0
    name = p.get("name_zh" if ctx.lang == "zh" else "name_en") or \
        KIND_LABELS.get(a.kind, (a.kind, a.kind))[i]
    drivers = [{"factor": d.get("factor"),
                "label": FACTOR_LABELS.get(d.get("factor"), (d.get("factor"),) * 2)[i],
                "effect": d.get("effect"), "share": d.get("share_of_change")}
               for d in p.get("drivers") or []]
    measures = [{"scenario": m.get("scenario"), "measure": m.get("measure"),
                 "name": ctx.t_name("measures", m.get("measure")),
                 "reduction": m.get("reduction"), "cumulative": m.get("cumulative"),
                 "closes_gap": m.get("closes_gap")} for m in p.get("measures") or []]
    org = orgs.get(a.org_id)
    return {"id": a.id, "target": a.target, "kind": a.kind, "name": name,
            "kind_label": KIND_LABELS.get(a.kind, (a.kind, a.kind))[i],
            "org": (org.name_zh or org.name) if org is not None and ctx.lang == "zh"
            else (org.name if org is not None else str(a.org_id)),
            "level": a.level, "probability": a.probability_of_missing,
            "target_year": p.get("target_year"), "latest_year": p.get("latest_year"),
            "latest_value": p.get("latest_value"), "expected_value": p.get("expected_value"),
            "target_level": p.get("target_level"), "shortfall": p.get("shortfall"),
            "forecast_median": p.get("forecast_median"), "unit": p.get("unit"),
            "forecast_p05": p.get("forecast_p05"), "forecast_p95": p.get("forecast_p95"),
            "gap": p.get("gap"),
            "basis": p.get("basis"), "reason": p.get("reason"), "drivers": drivers,
            "measures": measures, "notes": p.get("notes") or [],
            "assessed": a.created_at.strftime("%Y-%m-%d %H:%M")}


def _case_view(ctx: Ctx, r: MonitoringCase, today: dt.date) -> dict:
    from cocontrol.monitoring.anomaly import RULE_LABELS, STATUS_LABELS

    c = case_of(r)
    i = 1 if ctx.lang == "zh" else 0
    f = c.finding
    return {"id": r.id, "key": r.key, "entity": r.entity,
            "rule": RULE_LABELS.get(f.rule, (f.rule, f.rule))[i],
            "status": c.status, "status_label": STATUS_LABELS[c.status][i],
            "owner": c.owner, "deadline": c.deadline.isoformat() if c.deadline else None,
            "overdue": c.overdue(today), "found": f.start.strftime("%Y-%m-%d"),
            "message": f.message_zh if ctx.lang == "zh" else f.message_en}


@area.page("/", permission="results:read", nav=True)
def board(ctx: Ctx):
    orgs = {o.id: o for o in ctx.session.scalars(
        scoped(select(Organisation), ctx.principal, Organisation))}
    alerts = [_alert_view(ctx, a, orgs) for a in latest_alerts(ctx)]
    order = {lv: k for k, lv in enumerate(LEVELS)}
    alerts.sort(key=lambda x: (order.get(x["level"], 9), -(x["probability"] or 0), x["target"]))
    counts = {lv: sum(a["level"] == lv for a in alerts) for lv in LEVELS}
    today = dt.datetime.now(dt.UTC).date()
    cases = [_case_view(ctx, r, today) for r in board_cases(ctx)]
    by_status = {s: sum(c["status"] == s for c in cases)
                 for s in ("found", "assigned", "rectified", "closed")}
    # notices: every jurisdiction with stored alerts (and the visitor's own organisation)
    ids = sorted({a.org_id for a in latest_alerts(ctx)}
                 | ({ctx.principal.org_id} if ctx.principal.org_id in orgs else set()))
    notices = [{"org_id": i, "name": (orgs[i].name_zh or orgs[i].name) if ctx.lang == "zh"
                else orgs[i].name} for i in ids if i in orgs]
    drivers = {a["target"]: {"labels": [d["label"] for d in a["drivers"]],
                             "effects": [d["effect"] for d in a["drivers"]], "unit": a["unit"],
                             "why": ["/web/monitor/why?" + urlencode(
                                 {"alert_id": a["id"], "factor": d["factor"]})
                                 for d in a["drivers"]]}
               for a in alerts if a["drivers"]}
    return ctx.render("monitor/index.html", alerts=alerts, counts=counts, cases=cases,
                      by_status=by_status, notices=notices, levels=LEVELS, drivers=drivers)


# -- where a board number comes from (issue 15 item 3) ------------------------------------------
AlertId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
Field = Annotated[str, Query(pattern="^(" + "|".join(FIELDS) + ")$")]
_SERIES: dict[tuple[int, str], object] = {}  # (upload id, content hash) -> validated series


def _series_of(u):
    """The validated series of an upload (cached by its content hash: an upload never changes)."""
    import pandas as pd

    from cocontrol.monitoring.series import from_frame

    key = (u.id, u.content_hash)
    if key not in _SERIES:
        if len(_SERIES) > 8:
            _SERIES.clear()
        _SERIES[key] = from_frame(pd.DataFrame(u.rows), file=f"upload {u.id}")
    return _SERIES[key]


FactorName = Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]+$")]
MeasureIndex = Annotated[int | None, Query(ge=0, le=10_000)]


def _alert_derivation(ctx: Ctx, alert_id: int, field: str, factor: str | None = None,
                      measure: int | None = None) -> tuple[MonitoringAlert, dict]:
    """The derivation of one number of a stored alert the visitor may see (else 404): a
    field of the alert, with ``factor`` the effect of that driver, with ``measure`` the
    closing measure of that row."""
    from cocontrol.errors import CocontrolError
    from cocontrol.monitoring.derivation import (
        alert_derivation,
        driver_derivation,
        measure_derivation,
    )
    from cocontrol.monitoring.targets import Target
    from cocontrol.service.api import get_visible
    from cocontrol.service.monitoring_store import MonitoringUpload
    from cocontrol.service.problems import ApiError

    a = get_visible(ctx.session, ctx.principal, MonitoringAlert, alert_id, "alert")
    u = get_visible(ctx.session, ctx.principal, MonitoringUpload, a.upload_id, "upload")
    p = a.payload or {}
    upload = {"id": u.id, "name": u.name, "content_hash": u.content_hash, "rows": u.n_rows,
              "created_at": u.created_at.isoformat()}
    try:
        target = Target.model_validate(p["target_def"]) if p.get("target_def") else None
        if factor is not None:
            d = driver_derivation(p, _series_of(u), factor, upload=upload)
        elif measure is not None:
            d = measure_derivation(p, _series_of(u) if target is not None else None, target,
                                   measure)
        else:
            d = alert_derivation(p, _series_of(u) if target is not None else None, target,
                                 field, upload=upload, assessed=p.get("assessed_with"))
    except CocontrolError as e:
        raise ApiError(422, e.args[0] if e.args else str(e)) from None
    d["alert_id"] = a.id
    d["assessed_at"] = a.created_at.strftime("%Y-%m-%d %H:%M")
    return a, d


@area.page("/why", permission="results:read")
def why(ctx: Ctx, alert_id: AlertId = None, field: Field = "latest_value",
        factor: FactorName = None, measure: MeasureIndex = None, part: bool = False):
    """Where a number of the board comes from (``part=1``: the fragment, for the dialog;
    ``factor``: a driver's effect); without a number the page says how to choose one."""
    from cocontrol.metrics.lmdi import FACTOR_LABELS

    if alert_id is None:
        return ctx.render("monitor/why.html", d=None, a=None)
    a, d = _alert_derivation(ctx, alert_id, field, factor, measure)
    orgs = {o.id: o for o in ctx.session.scalars(
        scoped(select(Organisation), ctx.principal, Organisation))}
    view = _alert_view(ctx, a, orgs)
    if factor is not None:
        label = FACTOR_LABELS.get(factor, (factor,) * 2)[1 if ctx.lang == "zh" else 0]
        return ctx.render("monitor/driver_why_part.html" if part else "monitor/why.html", d=d,
                          a=view, label=label, driver=True)
    if measure is not None:
        return ctx.render("monitor/measure_why_part.html" if part else "monitor/why.html",
                          d=d, a=view, kind="measure")
    return ctx.render("monitor/why_part.html" if part else "monitor/why.html", d=d, a=view)


@area.data("/why", permission="results:read")
def why_json(ctx: Ctx, alert_id: AlertId = None, field: Field = "latest_value",
             factor: FactorName = None, measure: MeasureIndex = None):
    """Where a number of the board comes from, as JSON (the same derivation; without a
    number: says so)."""
    if alert_id is None:
        return {"kind": "monitoring", "field": field, "value": None,
                "error": ctx.t("msg.web_json_give", params="alert_id, field")}
    return _alert_derivation(ctx, alert_id, field, factor, measure)[1]


# -- what a count of the board counts (issue 15: any number opens its derivation) ----------------
CountLevel = Annotated[str | None, Query(pattern="^(red|yellow|green|not estimated)$")]
CountStatus = Annotated[str | None, Query(pattern="^(found|assigned|rectified|closed)$")]
Region = Annotated[str | None, Query(min_length=1, max_length=200)]
TargetKind = Annotated[str | None, Query(max_length=32, pattern=r"^[a-z0-9_]+$")]


def _count(ctx: Ctx, level: str | None, status: str | None, region: str | None,
           kind: str | None) -> dict:
    """The derivation of a board count over what the visitor may see (the board's own
    :func:`latest_alerts` and :func:`board_cases`): the cases in ``status`` if given, else the
    targets at ``level`` (None: all), of entity ``region`` and target kind ``kind``."""
    from cocontrol.monitoring.derivation import case_count_derivation, count_derivation

    if status is not None:
        return case_count_derivation([case_of(r) for r in board_cases(ctx)], status, region)
    orgs = {o.id: o for o in ctx.session.scalars(
        scoped(select(Organisation), ctx.principal, Organisation))}
    recs = []
    for a in latest_alerts(ctx):
        org = orgs.get(a.org_id)
        recs.append({**(a.payload or {}), "id": a.id, "level": a.level, "kind": a.kind,
                     "target": a.target, "probability_of_missing": a.probability_of_missing,
                     "org": (org.name_zh or org.name) if org is not None and ctx.lang == "zh"
                     else (org.name if org is not None else str(a.org_id))})
    return count_derivation(recs, level, region, kind)


@area.page("/count", permission="results:read")
def count(ctx: Ctx, level: CountLevel = None, status: CountStatus = None, region: Region = None,
          kind: TargetKind = None, part: bool = False):
    """What a count of the board counts (``part=1``: the fragment, for the dialog): each
    target (case) counted, with its level (status), the rule that put it there and, for an
    alert, the link to its own derivation."""
    from cocontrol.monitoring.anomaly import RULE_LABELS
    from cocontrol.monitoring.targets import KIND_LABELS

    d = _count(ctx, level, status, region, kind)
    i = 1 if ctx.lang == "zh" else 0
    names = {x["id"]: x.get("name_zh" if i else "name_en")
             or KIND_LABELS.get(x.get("kind"), (x.get("target"),) * 2)[i]
             for x in d["items"]} if d["what"] == "level" else {}
    return ctx.render("monitor/count_part.html" if part else "monitor/why.html", d=d, a=None,
                      kind="count", names=names,
                      rules={k: v[i] for k, v in RULE_LABELS.items()})


@area.data("/count", permission="results:read")
def count_json(ctx: Ctx, level: CountLevel = None, status: CountStatus = None,
               region: Region = None, kind: TargetKind = None):
    """What a count of the board counts, as JSON (the same derivation)."""
    return _count(ctx, level, status, region, kind)
