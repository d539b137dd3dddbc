"""Enterprises and parks (issue 17 item 8): permits with their compliance colours, carbon–
pollution accounts with the carbon-efficiency grade and its colour label, product footprints
with their contributions by stage, and the synergy project library with its ranking.

Every page reads the stored rows of :mod:`cocontrol.service.enterprise_models` through the one
scoping layer (:func:`cocontrol.service.access.scoped`, :func:`cocontrol.service.api.get_visible`):
another enterprise's permit, account, footprint or project is "not found" (404), as in the API.
The numbers are the library's, stored when they were computed; the ranking is the library's
:func:`cocontrol.enterprise.projects.rank_summaries` of the projects the user may see.
"""

from __future__ import annotations

from sqlalchemy import select

from cocontrol.enterprise.projects import rank_summaries
from cocontrol.service.access import scoped
from cocontrol.service.api import get_visible
from cocontrol.service.enterprise_models import (
    EnterpriseAccount,
    EnterpriseFootprint,
    EnterprisePermit,
    SynergyProjectRow,
    records,
)
from cocontrol.service.models import Organisation
from cocontrol.web.context import Ctx
from cocontrol.web.registry import Area

area = Area("enterprise", nav="nav_enterprise", order=60)

#: compliance status -> badge class of web.css (within green, near amber, exceeded red)
BADGE = {"within": "ok", "near": "warn", "exceeded": "bad", "permit expired": "bad",
         "not assessed": "none", None: "none"}
LIMIT = 500


def _rows(ctx, model, order):
    stmt = scoped(select(model), ctx.principal, model).order_by(order).limit(LIMIT)
    return list(ctx.session.scalars(stmt))


def _org_names(ctx, rows) -> dict[int, str]:
    ids = sorted({r.org_id for r in rows})
    if not ids:
        return {}
    orgs = ctx.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    return {o.id: (o.name_zh or o.name) if ctx.lang == "zh" else o.name for o in orgs}


def _status_key(status: str | None) -> str:
    return "ent_status_" + (status or "not assessed").replace(" ", "_")


def _render(ctx, template: str, **values):
    return ctx.render(f"enterprise/{template}", badge=BADGE, status_key=_status_key, **values)


@area.page("/", permission="results:read", nav=True)
def permits(ctx: Ctx):
    """The permits of the user's jurisdiction with the status of their last assessment."""
    rows = _rows(ctx, EnterprisePermit, EnterprisePermit.id)
    return _render(ctx, "permits.html", rows=rows, orgs=_org_names(ctx, rows))


@area.page("/permits/{permit_id}", permission="results:read")
def permit(ctx: Ctx, permit_id: int):
    row = get_visible(ctx.session, ctx.principal, EnterprisePermit, permit_id, "permit")
    return _render(ctx, "permit.html", row=row, orgs=_org_names(ctx, [row]))


@area.page("/accounts", permission="results:read")
def accounts(ctx: Ctx):
    rows = _rows(ctx, EnterpriseAccount, EnterpriseAccount.id.desc())
    return _render(ctx, "accounts.html", rows=rows, orgs=_org_names(ctx, rows),
                   grades={r.id: _grade(r) for r in rows})


def _grade(row: EnterpriseAccount) -> dict | None:
    """The carbon-efficiency grade of the last benchmark year of a stored account."""
    bench = (row.payload or {}).get("benchmark") or []
    if not bench:
        return None
    last = max(bench, key=lambda b: b["year"])
    return {k: last[k] for k in ("year", "level", "colour", "label_en", "label_zh", "ratio",
                                 "intensity", "benchmark", "unit", "benchmark_id")}


@area.page("/accounts/{account_id}", permission="results:read")
def account(ctx: Ctx, account_id: int):
    row = get_visible(ctx.session, ctx.principal, EnterpriseAccount, account_id, "account")
    acc = row.payload or {}
    annual = acc.get("annual") or []
    years = sorted({a["year"] for a in annual})
    scope1 = [a for a in annual if a["scope"] == 1]
    species = list(dict.fromkeys(a["species"] for a in scope1))
    table = {(a["species"], a["year"]): a for a in scope1}
    scope2 = [a for a in annual if a["scope"] == 2]
    return _render(ctx, "account.html", row=row, acc=acc, years=years, species=species,
                   table=table, scope2=scope2, grade=_grade(row),
                   orgs=_org_names(ctx, [row]))


@area.page("/footprints", permission="results:read")
def footprints(ctx: Ctx):
    rows = _rows(ctx, EnterpriseFootprint, EnterpriseFootprint.id)
    return _render(ctx, "footprints.html", rows=rows, orgs=_org_names(ctx, rows))


@area.page("/footprints/{footprint_id}", permission="results:read")
def footprint(ctx: Ctx, footprint_id: int):
    row = get_visible(ctx.session, ctx.principal, EnterpriseFootprint, footprint_id,
                      "footprint")
    res = row.result or {}
    stages = res.get("by_stage") or []
    chart = {"stages": [ctx.t("ent_stage_" + s["stage"]) for s in stages],
             "values": [s["kg_co2e_per_fu"] for s in stages],
             "unit": "kg CO2e / " + str(res.get("functional_unit", ""))}
    return _render(ctx, "footprint.html", row=row, res=res, stages=stages, chart=chart,
                   orgs=_org_names(ctx, [row]))


@area.page("/projects", permission="results:read")
def projects(ctx: Ctx, year: int | None = None):
    """The synergy project library: every visible project with its status, and the ranking
    for funding of those assessed (for one year: the given one, else the latest)."""
    rows = _rows(ctx, SynergyProjectRow, SynergyProjectRow.id)
    years = sorted({r.benefits_year for r in rows if r.benefits})
    year = year if year in years else (years[-1] if years else None)
    assessed = [r for r in rows if r.benefits and r.benefits_year == year]
    # each summary keeps its row's id (the address of its numbers' derivations)
    ranking = records(rank_summaries([{**r.benefits, "row_id": r.id} for r in assessed]))
    names = {r.key: r.name for r in rows}
    names_zh = {r.key: r.payload.get("name_zh") or r.name for r in rows}
    return _render(ctx, "projects.html", rows=rows, ranking=ranking, year=year, years=years,
                   names=names_zh if ctx.lang == "zh" else names, orgs=_org_names(ctx, rows))


# the park account and screening pages of this area, and every number's derivation (their
# own modules)
from cocontrol.web.pages import enterprise_parks as _parks  # noqa: E402, F401
from cocontrol.web.pages import enterprise_why as _why  # noqa: E402, F401
