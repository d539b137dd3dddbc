"""Core pages: the entry point, login (with the one-time password change) and the account."""

from __future__ import annotations

from fastapi.responses import RedirectResponse

from cocontrol.web.context import Ctx
from cocontrol.web.registry import Area

area = Area("", order=0)


@area.page("/", permission=None)
def home(ctx: Ctx):
    """The first page the visitor may open (the login page for an anonymous visitor)."""
    if not ctx.principal.authenticated:
        return RedirectResponse("/web/login", status_code=303)
    entries = [e for e in ctx.nav() if e.area not in ("", "public")]
    target = entries[0].href if entries else "/web/public/"
    return RedirectResponse(target, status_code=303)


@area.page("/login", permission=None)
def login(ctx: Ctx, next: str = "/web/"):  # noqa: A002 - the query parameter's name
    """The login form; the page's script posts to /api/auth/login (and, for a one-time
    password, /api/auth/password) and then opens ``next`` (a /web/ path only)."""
    if not next.startswith("/web/") or next.startswith("/web/login"):
        next = "/web/"  # noqa: A001
    return ctx.render("core/login.html", next=next)
