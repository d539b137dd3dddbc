"""Wiring of the access layer into the application (called by :mod:`cocontrol.service.app`).

``install(app)`` adds the security-headers middleware and the handler that turns a refused
upload or password into a plain error body; ``start(app)`` (at start-up, after the migration)
creates the access state, seeds the roles and, on the first start, the administrator with a
one-time password printed to the console.
"""

from __future__ import annotations

from fastapi import FastAPI, Request

from cocontrol.security.errors import PasswordRejected, SecurityError, UploadRejected
from cocontrol.security.headers import SecurityHeadersMiddleware
from cocontrol.service import auth
from cocontrol.service.problems import respond


def install(app: FastAPI) -> None:
    cfg = app.state.settings.security
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
