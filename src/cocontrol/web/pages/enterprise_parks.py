"""Park accounts and the screening of new plants (issue 17 items 6 and 7): pages of the
enterprise area (:data:`cocontrol.web.pages.enterprise.area`), in their own module.

- ``/web/enterprise/parks``: the parks of the user's jurisdiction with their latest stored
  account (score, rank, alert level); ``/web/enterprise/parks/{org_id}``: a park's account
  aggregated from its enterprises (the stored :class:`ParkAccountRow`, computed by the
  library), its evaluation score and rank with the park index system, its targets with their
  status and alert level, and the monitoring cases of the park. A park and its rows are read
  through the one scoping layer: a park manager sees its own park, an enterprise user none
  (404), the bureau every park of its jurisdiction.
- ``/web/enterprise/screening``: a form for a proposed plant's design data; the data endpoint
  ``POST /api/web/enterprise/screening`` runs the library's screening
  (:func:`cocontrol.service.routes.enterprise.run_screening`, the API's own) and answers the
  result rendered by the server; the report downloads from the API
  (``POST /api/enterprise/screening/report``). No model logic in this module or its script.
"""

from __future__ import annotations

from sqlalchemy import select

from cocontrol.enterprise._common import benchmarks
from cocontrol.service.access import scoped
from cocontrol.service.enterprise_models import EnterpriseAccount, ParkAccountRow
from cocontrol.service.models import Organisation, Project
from cocontrol.service.monitoring_store import MonitoringCase
from cocontrol.service.routes.enterprise import ScreeningIn
from cocontrol.web.context import Ctx
from cocontrol.web.pages.enterprise import _render, area

#: alert level -> badge class of web.css
LEVEL_BADGE = {"green": "ok", "yellow": "warn", "red": "bad", "not estimated": "none",
               None: "none"}


def _level_key(level: str | None) -> str:
    return "web_mon_level_" + (level or "not estimated").replace(" ", "_")


def _parks(ctx: Ctx) -> list[Organisation]:
    stmt = scoped(select(Organisation), ctx.principal, Organisation).where(
        Organisation.level == "park").order_by(Organisation.id)
    return list(ctx.session.scalars(stmt))


def _latest(ctx: Ctx, org_ids: list[int]) -> dict[int, ParkAccountRow]:
    if not org_ids:
        return {}
    stmt = scoped(select(ParkAccountRow), ctx.principal, ParkAccountRow).where(
        ParkAccountRow.org_id.in_(org_ids)).order_by(ParkAccountRow.id)
    return {r.org_id: r for r in ctx.session.scalars(stmt)}  # the last one wins


def _names(ctx: Ctx, orgs: list[Organisation]) -> dict[int, str]:
    return {o.id: (o.name_zh or o.name) if ctx.lang == "zh" else o.name for o in orgs}


def _prender(ctx: Ctx, template: str, **values):
    return _render(ctx, template, level_badge=LEVEL_BADGE, level_key=_level_key, **values)


@area.page("/parks", permission="results:read")
def parks(ctx: Ctx):
    """The parks of the user's jurisdiction and their latest stored account."""
    orgs = _parks(ctx)
    latest = _latest(ctx, [o.id for o in orgs])
    return _prender(ctx, "parks.html", parks=orgs, latest=latest, names=_names(ctx, orgs))


@area.page("/parks/{org_id}", permission="results:read")
def park(ctx: Ctx, org_id: int):
    """A park's account page (404 for a park outside the jurisdiction, as in the API)."""
    from cocontrol.service.routes.enterprise_parks import _park, latest_account

    org = _park(ctx.session, ctx.principal, org_id)
    row = latest_account(ctx.session, ctx.principal, org)
    names = _names(ctx, [org])
    if row is None:
        return _prender(ctx, "park.html", org=org, row=None, names=names)
    acc = row.payload or {}
    total = acc.get("total") or []
    years = sorted({x["year"] for x in total})
    species = list(dict.fromkeys(x["species"] for x in total))
    table = {(x["species"], x["year"]): x["value"] for x in total}
    last = years[-1] if years else None
    by_ent: dict[str, dict[str, float | None]] = {}
    for x in acc.get("by_enterprise") or []:
        if x["year"] == last:
            by_ent.setdefault(x["enterprise"], {})[x["species"]] = x["value"]
    only = {x["species"]: x["value"] for x in acc.get("park_only") or [] if x["year"] == last}
    # the enterprises' stored accounts the user may see (a link from the breakdown)
    accounts = {a.enterprise_key: a for a in ctx.session.scalars(
        scoped(select(EnterpriseAccount), ctx.principal, EnterpriseAccount).where(
            EnterpriseAccount.enterprise_key.in_(list(by_ent))).order_by(EnterpriseAccount.id))}
    cases = list(ctx.session.scalars(scoped(select(MonitoringCase), ctx.principal,
                                            MonitoringCase).where(
        MonitoringCase.org_id == org.id, MonitoringCase.rule == "park_target").order_by(
        MonitoringCase.id)))
    ev = acc.get("evaluation")
    return _prender(ctx, "park.html", org=org, row=row, acc=acc, names=names, years=years,
                    species=species, table=table, last=last, by_ent=by_ent, only=only,
                    accounts=accounts, cases=cases, ev=ev,
                    cols=[s for s in ("SO2", "NOx", "PM2.5", "VOCs", "CO2") if s in species])


# -- screening --------------------------------------------------------------------------------
def _versions(ctx: Ctx) -> list[tuple[int, str]]:
    """(latest version id, project name) of every project the user may see."""
    from cocontrol.service import projects as svc

    stmt = scoped(select(Project), ctx.principal, Project).order_by(Project.id)
    out = []
    for p in ctx.session.scalars(stmt):
        v = svc.latest(ctx.session, p)
        if v is not None:
            out.append((v.id, p.name))
    return out


@area.page("/screening", permission="jobs:run")
def screening_form(ctx: Ctx):
    """The form of a proposed plant's design data (the defaults are an illustrative clinker
    line; every field is the API's ``ScreeningIn``)."""
    bm = benchmarks()
    return _prender(ctx, "screening.html", versions=_versions(ctx),
                    benchmarks=[(i, r["species"], r["value"], r["unit"], r["applies_to"])
                                for i, r in bm[bm["kind"] == "carbon_intensity"].iterrows()])


@area.data("/screening", permission="jobs:run", methods=("POST",))
def screening_run(ctx: Ctx, req: ScreeningIn):
    """The library's screening of the posted ``ScreeningIn`` body, rendered by the server:
    ``{"html": ..., "result": the API's answer}``."""
    from cocontrol import __version__
    from cocontrol.enterprise.io import EnterpriseData
    from cocontrol.enterprise.runner import screening_why
    from cocontrol.service.enterprise_models import context
    from cocontrol.service.routes.enterprise import run_screening, screening_out

    res = run_screening(ctx.session, ctx.principal, req)
    out = screening_out(res)
    # every number's derivation, rendered with the result (the screening is not stored)
    why = screening_why(context(ctx.session, ctx.principal, req.project_version_id,
                                EnterpriseData(plants=[req.plant], caps=list(req.caps))),
                        req.plant.id, res)
    from cocontrol.web.pages.enterprise_why import said

    def part(d: dict) -> str:
        return _render(ctx, "why_part.html", d=said(ctx, d), version=None, version_id=None,
                       code_version=__version__).body.decode()

    frag = {"emissions": {sp: part(d) for sp, d in why["emissions"].items()},
            "checks": [part(d) for d in why["checks"]],
            "pm25": None if why["pm25"] is None else part(why["pm25"])}
    html = _prender(ctx, "_screening_result.html", res=out, plant=req.plant,
                    why=frag).body.decode()
    return {"html": html, "result": out}
