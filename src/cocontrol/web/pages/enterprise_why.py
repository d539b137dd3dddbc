"""Every number of the enterprise pages opens its derivation (issue 15 item 3):
``/web/enterprise/why`` (a page, or with ``part=1`` the fragment the number's link opens in
the dialog) and ``/api/web/enterprise/why`` (the same as JSON).

Thin over :mod:`cocontrol.enterprise.derivation`: the stored row (permit, account, footprint,
synergy project, park account) is found through the one scoping layer
(:func:`cocontrol.service.api.get_visible`), so another enterprise's number is not found
(404), as its page is. The inventory's activity rows behind an account or park number come
from the stored row itself (kept with it when it was computed,
:func:`cocontrol.enterprise.derivation.stored_derivation`): an enterprise or park user reads
the rows of its own sources without reading the bureau's project version. A row stored
before such records were kept shows them only when the user may read the project version it
was computed from (the same layer); otherwise the derivation says the version is not
readable.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from cocontrol.enterprise import derivation as ed
from cocontrol.errors import CocontrolError
from cocontrol.i18n import Msg
from cocontrol.service.api import get_visible
from cocontrol.service.enterprise_models import (
    EnterpriseAccount,
    EnterpriseFootprint,
    EnterprisePermit,
    ParkAccountRow,
    SynergyProjectRow,
    permit_of,
    product_of,
    project_of,
    version_info,
)
from cocontrol.service.problems import ApiError
from cocontrol.web.context import Ctx
from cocontrol.web.pages.enterprise import _render, area

Kind = Literal["permit", "account", "intensity", "grade", "footprint", "project", "park",
               "park_enterprise", "park_target", "park_score"]
Key = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.()\- ]+$")]
Index = Annotated[int | None, Query(ge=0, le=10**6)]
Year = Annotated[int | None, Query(ge=1900, le=2200)]
RowId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


def _version(ctx: Ctx, version_id: int | None):
    """The project version (and its info) if the user may read it, else (None, None)."""
    from cocontrol.service.models import Project, ProjectVersion

    if version_id is None:
        return None, None
    try:
        v = get_visible(ctx.session, ctx.principal, ProjectVersion, version_id, "project version")
        get_visible(ctx.session, ctx.principal, Project, v.project_id, "project")
    except ApiError:
        return None, None
    return v, version_info(ctx.session, v.id)


def _inventory(ctx: Ctx, row, species: str, year: int, filters: dict, scope: int = 1):
    """(inventory derivation of the same number, version info): from the record stored with
    the row, else on the row's project version when the user may read it, else (None,
    None)."""
    from cocontrol.report.derivation import derivation
    from cocontrol.service.enterprise_models import _loaded

    inv = ed.stored_derivation((row.payload or {}).get("derivation"), species, year, filters,
                               scope)
    if inv is not None:
        return inv, ({**inv["version"], "stored": True} if inv.get("version") else None)
    v, info = _version(ctx, row.project_version_id)
    if v is None:
        return None, None
    lib = _loaded(ctx.session, v)[1]
    if species not in lib.species or year not in lib.years:
        return None, info
    return derivation(lib, species, year, filters, scope), info


def _derive(ctx: Ctx, kind: str, id: int, row, column, species, year, scope, stage,
            enterprise, target):
    """(derivation, version info, version id) of one number."""
    col = column or ""
    if kind == "permit":
        r = get_visible(ctx.session, ctx.principal, EnterprisePermit, id, "permit")
        return ed.permit_item_derivation(permit_of(r), r.compliance or [], row or 0,
                                         col or "ratio", on=r.assessed_on), None, None
    if kind in ("account", "intensity", "grade"):
        r = get_visible(ctx.session, ctx.principal, EnterpriseAccount, id, "account")
        acc = r.payload or {}
        if kind == "intensity":
            return ed.account_intensity_derivation(acc, row or 0), None, r.project_version_id
        if kind == "grade":
            return (ed.account_grade_derivation(acc, year, col or "ratio"), None,
                    r.project_version_id)
        sp, yr, sc = species or "CO2", int(year or 0), int(scope or 1)
        inv, info = _inventory(ctx, r, sp, yr, {"enterprise": r.enterprise_key}, sc)
        return ed.account_annual_derivation(acc, sp, yr, sc, inv), info, r.project_version_id
    if kind == "footprint":
        r = get_visible(ctx.session, ctx.principal, EnterpriseFootprint, id, "footprint")
        if col == "uncertainty":
            return ed.footprint_uncertainty_derivation(product_of(r)), None, None
        return ed.footprint_derivation(product_of(r), stage, row), None, None
    if kind == "project":
        r = get_visible(ctx.session, ctx.principal, SynergyProjectRow, id, "synergy project")
        if not r.benefits:
            raise ApiError(404, Msg("msg.ent_drv_not_assessed"))
        v, info = _version(ctx, r.project_version_id)
        rate = measures = None
        p = project_of(r)
        if v is not None:
            from cocontrol.report.derivation import measure_rows
            from cocontrol.service.enterprise_models import scenario_base

            base = scenario_base(ctx.session, ctx.principal, v.id)
            rate = base.settings.discount_rate
            measures = measure_rows(base, ids=[p.measure.id]) if p.measure.id in base.lib.index \
                else None
        return (ed.project_derivation(p, r.benefits, col or "co2_reduction_t",
                                      discount_rate=rate, measures=measures), info,
                r.project_version_id)
    r = get_visible(ctx.session, ctx.principal, ParkAccountRow, id, "park account")
    acc = r.payload or {}
    if kind == "park_score":
        return ed.park_score_derivation(acc), None, r.project_version_id
    if kind == "park_target":
        return ed.park_target_derivation(acc, target or "", col or "actual"), None, \
            r.project_version_id
    sp, yr = species or "CO2", int(year or 0)
    if kind == "park_enterprise":
        ent = enterprise or "(none)"
        filters = {"park": r.park_key, "enterprise": ent}
        inv, info = _inventory(ctx, r, sp, yr, filters)
        return ed.park_enterprise_derivation(acc, ent, sp, yr, inv), info, r.project_version_id
    inv, info = _inventory(ctx, r, sp, yr, {"park": r.park_key})
    return ed.park_total_derivation(acc, sp, yr, inv), info, r.project_version_id


def said(ctx: Ctx, d: dict) -> dict:
    """The derivation with its notes in the visitor's language (catalogue messages)."""
    from cocontrol.i18n import tr

    return {**d, "notes": [tr(n, ctx.lang) for n in d.get("notes") or []]}


def _safe(ctx: Ctx, *args):
    try:
        d, version, vid = _derive(ctx, *args)
    except CocontrolError as e:
        raise ApiError(422, e.args[0] if e.args else str(e)) from None
    return said(ctx, d), version, vid


@area.page("/why", permission="results:read")
def why(ctx: Ctx, kind: Kind | None = None, id: RowId = None, row: Index = None,
        column: Key = None, species: Key = None, year: Year = None,
        scope: Annotated[int | None, Query(ge=1, le=2)] = None, stage: Key = None,
        enterprise: Key = None, target: Key = None, part: bool = False):
    """The derivation of one number of an enterprise page (``part=1``: the fragment);
    without a number the page says how to choose one."""
    if kind is None or id is None:
        return _render(ctx, "why.html", d=None, version=None, version_id=None)
    d, version, vid = _safe(ctx, kind, id, row, column, species, year, scope, stage,
                            enterprise, target)
    from cocontrol import __version__

    return _render(ctx, "why_part.html" if part else "why.html", d=d,
                   version=version, version_id=vid, code_version=__version__)


@area.data("/why", permission="results:read")
def why_json(ctx: Ctx, kind: Kind | None = None, id: RowId = None,
             row: Index = None, column: Key = None, species: Key = None, year: Year = None,
             scope: Annotated[int | None, Query(ge=1, le=2)] = None, stage: Key = None,
             enterprise: Key = None, target: Key = None):
    """The derivation of one number as JSON (value, unit, formula, inputs with sources,
    steps, the rows behind it, the inventory's activity rows when readable, version);
    without a number the answer says so."""
    from cocontrol.web.pages.drill import _clean

    if kind is None or id is None:
        return {"kind": "enterprise", "value": None, "inputs": [], "steps": [],
                "version": None, "error": ctx.t("msg.web_json_give", params="kind, id")}
    d, version, vid = _safe(ctx, kind, id, row, column, species, year, scope, stage,
                            enterprise, target)
    out = {k: v for k, v in d.items() if k not in ("lines", "measured")}
    for k in ("lines", "measured"):
        df = d.get(k)
        out[k] = None if df is None else [{c: _clean(x) for c, x in r.items()}
                                          for r in df.to_dict("records")]
    out["notes"] = [str(n) for n in d.get("notes") or []]
    return {**out, "version": version, "project_version_id": vid}
