"""Wiring of the access layer into the application (called by :mod:`cocontrol.service.app`).

``install(app)`` adds the security-headers middleware, the :class:`AccessGate` (a request to a
protected route is authenticated, and its CSRF token checked, before any of its input is read)
and the handler that turns a refused upload or password into a plain error body; ``start(app)`` (at start-up, after the migration)
creates the access state, seeds the roles and, on the first start, the administrator with a
one-time password printed to the console.
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request

from cocontrol import i18n
from cocontrol.security.errors import PasswordRejected, SecurityError, UploadRejected
from cocontrol.security.headers import SecurityHeadersMiddleware
from cocontrol.service import auth
from cocontrol.service.access import SELF, api_routes, route_rule
from cocontrol.service.problems import ApiError, respond

i18n.register({  # Chinese texts of the access layer's error codes (problems.zh)
    "api_error_csrf": ("Missing or wrong CSRF token, or a foreign origin",
                       "缺少有效的 CSRF 令牌或来源不被允许；请刷新页面后重试"),
    "api_error_locked": ("Too many failed logins; the account is locked for a while",
                         "登录失败次数过多，账户暂时锁定"),
    "api_error_password_change_required": ("Change the one-time password first",
                                           "请先修改一次性密码"),
    "api_error_password_policy": ("The password does not meet the policy", "密码不符合策略"),
    "api_error_wrong_password": ("The password is wrong", "密码错误"),
    "api_error_upload_refused": ("The uploaded file was refused", "上传的文件被拒绝"),
})


class AccessGate:
    """ASGI middleware: authenticate (and check CSRF) before a protected route reads input.

    An anonymous request to a route the anonymous role may not use answers 401 before its
    body is parsed, so validation errors (or a large upload) never reach a stranger. The
    principal is kept in ``request.state.principal`` for :func:`access.require`."""

    def __init__(self, app):
        self.app = app
        self._rules = None

    def _rule(self, fastapi_app, path: str, method: str) -> str | None:
        if self._rules is None:
            self._rules = []
            for r in api_routes(fastapi_app):
                rx = "^" + re.sub(r"{[^}/]+}", "[^/]+", r.path) + "$"
                self._rules.append((re.compile(rx), set(r.methods), route_rule(r)))
        for rx, methods, rule in self._rules:
            if rx.match(path) and method in methods:
                return rule
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api/"):
            await self.app(scope, receive, send)
            return
        fastapi_app = scope["app"]
        rule = self._rule(fastapi_app, scope["path"], scope["method"])
        if rule is None or rule == "public":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            with fastapi_app.state.db.session() as session:
                principal = auth.authenticate(request, session)
                if principal is None:
                    if rule == SELF or not auth.anonymous(session).can(rule):
                        raise ApiError(401, i18n.Msg("msg.api_login_required"),
                                       headers={"WWW-Authenticate": "Bearer"})
                else:
                    auth.check_csrf(request, principal)
                session.commit()  # last-seen stamps
        except ApiError as e:
            await respond(e.status, e.message, code=e.code, headers=e.headers,
                          message_zh=e.message_zh)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    cfg = app.state.settings.security
    app.add_middleware(AccessGate)
    app.add_middleware(SecurityHeadersMiddleware, csp=cfg.csp, hsts=cfg.hsts)

    @app.exception_handler(SecurityError)
    async def _refused(_req: Request, exc: SecurityError):
        if isinstance(exc, UploadRejected):
            status, code = (413 if exc.code == "upload_too_large" else 415
                            if exc.code in ("upload_type", "upload_name_mismatch") else 422,
                            "upload_refused")
        elif isinstance(exc, PasswordRejected):
            status, code = 422, "password_policy"
        else:
            status, code = 422, "invalid_input"
        return respond(status, exc.message("en"), code=code, message_zh=exc.message("zh"))


def start(app: FastAPI) -> None:
    settings = app.state.settings
    app.state.access = auth.AccessState(settings.security,
                                        auth.load_secret_key(settings.data_dir),
                                        settings.environment)
    with app.state.db.session() as session:
        auth.bootstrap(app, session)
