"""Public disclosure (issue 15 item 6): only what has been published, no login needed.

The page reads publications through the one scoping layer (:func:`access.scoped`) with the
``published:read`` permission that the anonymous role holds: a visitor sees the live
publications for the public audience (a logged-in finance reader also those for finance)."""

from __future__ import annotations

from sqlalchemy import select

from cocontrol.service.access import scoped
from cocontrol.service.security_models import Publication
from cocontrol.web.context import Ctx
from cocontrol.web.registry import Area

area = Area("public", nav="nav_public", order=90)


@area.page("/", permission="published:read", nav=True)
def disclosure(ctx: Ctx):
    from cocontrol.service.routes.publications import _summary

    stmt = scoped(select(Publication), ctx.principal, Publication).where(
        Publication.withdrawn_at.is_(None)).order_by(Publication.id.desc()).limit(200)
    items = [{"publication": p, "object": _summary(ctx.session, p)}
             for p in ctx.session.scalars(stmt)]
    return ctx.render("public/index.html", items=items)
