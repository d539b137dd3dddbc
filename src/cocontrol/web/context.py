"""What a page handler works with: principal, session, language, and rendering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from cocontrol import i18n
from cocontrol.service.access import Principal
from cocontrol.service.auth import LANG_COOKIE

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_LANG = "zh"  # Chinese first


def _clean(v):
    """JSON for a browser: NaN and infinities become null (not estimated), never NaN."""
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    return v


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    # data for a page's script in <script type="application/json">: "</" cannot end the block
    env.filters["tojson_data"] = lambda v: Markup(json.dumps(
        _clean(v), ensure_ascii=False, allow_nan=False).replace("</", "<\\/"))
    return env


ENV = _env()


def _guards():
    from cocontrol.web.plotlycss import guard_ids

    return guard_ids()


ENV.globals["plotly_guards"] = _guards()


def lang_of(request: Request, principal: Principal | None = None) -> str:
    """The visitor's language: the ``cocontrol_lang`` cookie (this browser's switch, set at
    login from the account's choice), else the account's chosen language, else Chinese."""
    lang = request.cookies.get(LANG_COOKIE)
    if lang in i18n.LANGS:
        return lang
    own = getattr(principal, "lang", None)
    return own if own in i18n.LANGS else DEFAULT_LANG


class Context:
    """A request of a dashboard page (made by :func:`cocontrol.web.registry.gate`)."""

    def __init__(self, request: Request, session, principal: Principal):
        self.request = request
        self.session = session
        self.principal = principal
        self.lang = lang_of(request, principal)

    def t(self, key: str, **fmt) -> str:
        return i18n.t(key, self.lang, **fmt)

    def t_name(self, kind: str, code: str) -> str:
        """Name of a registry code (sector, fuel, species...) in the page's language."""
        try:
            return i18n.name(kind, code, self.lang)
        except (KeyError, ValueError):
            return code

    def csrf_token(self) -> str | None:
        from cocontrol.security import csrf
        from cocontrol.service import auth

        sid = auth.session_cookie(self.request)
        if not sid or self.principal.via != "session":
            return None
        return csrf.csrf_token(auth.state(self.request).secret_key, sid)

    def nav(self) -> list:
        from cocontrol.web.app import nav_entries

        return [e for e in nav_entries(self.request.app)
                if e.permission is None or self._can(e.permission)]

    def _can(self, permission: str) -> bool:
        from cocontrol.service import auth

        if self.principal.can(permission):
            return True
        return auth.anonymous(self.session).can(permission)

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = ENV.get_template(template).render(
            lang=self.lang, t=self.t, t_name=self.t_name, fmt=fmt, user=self.principal, nav=self.nav(),
            path=self.request.url.path, csrf=self.csrf_token(), **values)
        return HTMLResponse(html, status_code=status)


def fmt(v, digits: int | None = None) -> str:
    """A number for a page: thousands separated; None/NaN as an em dash (not estimated)."""
    if v is None:
        return "—"
    v = float(v)
    if v != v:
        return "—"
    if digits is None:
        digits = 0 if abs(v) >= 100 else 2 if abs(v) >= 1 else 3
    return f"{v:,.{digits}f}"


def _ctx(request: Request) -> Context:
    return request.state.web


#: ``ctx: Ctx`` in a page handler's signature
Ctx = Annotated[Context, Depends(_ctx)]
