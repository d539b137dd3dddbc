"""What a page handler works with: principal, session, language, and rendering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cocontrol import i18n
from cocontrol.service.access import Principal

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE = "cocontrol_lang"
DEFAULT_LANG = "zh"  # Chinese first


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson_data"] = lambda v: json.dumps(v, ensure_ascii=False).replace(
        "</", "<\\/")
    return env


ENV = _env()


def lang_of(request: Request) -> str:
    """The visitor's language: the ``cocontrol_lang`` cookie, else Chinese."""
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in i18n.LANGS else DEFAULT_LANG


class Context:
    """A request of a dashboard page (made by :func:`cocontrol.web.registry.gate`)."""

    def __init__(self, request: Request, session, principal: Principal):
        self.request = request
        self.session = session
        self.principal = principal
        self.lang = lang_of(request)

    def t(self, key: str, **fmt) -> str:
        return i18n.t(key, self.lang, **fmt)

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
            lang=self.lang, t=self.t, user=self.principal, nav=self.nav(),
            path=self.request.url.path, csrf=self.csrf_token(), **values)
        return HTMLResponse(html, status_code=status)


def _ctx(request: Request) -> Context:
    return request.state.web


#: ``ctx: Ctx`` in a page handler's signature
Ctx = Annotated[Context, Depends(_ctx)]
