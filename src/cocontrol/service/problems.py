"""One error body for every failure of the API, carrying the same problems as the CLI.

Every error answers ``{"error": {"code", "message", "message_zh", "problems": [...]}}`` where
each problem is a :class:`cocontrol.errors.Problem` (file, sheet, row, column, value, expected,
severity) with its Chinese text beside it (``message_zh``, ``expected_zh`` and the whole line
``text_zh``, from the same catalogue and :func:`cocontrol.errors.render` as the CLI).
Request-validation errors name the offending parameter in ``column``; their message is
pydantic's, translated by its error type (:func:`cocontrol.i18n.pydantic_msg`).
"""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from cocontrol.errors import CocontrolError, InfeasibleError, InputError, ModelError, Problem
from cocontrol.i18n import Msg, Seq, Text, pydantic_msg, tr

log = logging.getLogger("cocontrol.service")

CODES = {400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
         413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_input",
         429: "too_many_requests", 500: "internal_error", 503: "unavailable"}


def zh(code: str, fallback: str) -> str:
    """The Chinese text of an error code (the one catalogue: ``api_error_<code>``)."""
    from cocontrol import i18n

    key = f"api_error_{code}"
    return i18n.t(key, "zh") if i18n.has(key) else fallback


class ProblemOut(BaseModel):
    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | int | float | bool | None = None
    expected: str | None = None
    severity: str = "error"
    message_zh: str | None = None
    expected_zh: str | None = None
    text_zh: str | None = None


class ErrorDetail(BaseModel):
    code: str
    message: str
    message_zh: str
    problems: list[ProblemOut] = []


class ErrorBody(BaseModel):
    error: ErrorDetail


def zh_of(message) -> str | None:
    """The Chinese text of a catalogue message (:class:`~cocontrol.i18n.Msg`), else ``None``."""
    return tr(message, "zh") if isinstance(message, Msg | Seq | Text) else None


class ApiError(Exception):
    """Raised by services and routes; becomes an :class:`ErrorBody` response.

    ``message`` is a catalogue message (:class:`~cocontrol.i18n.Msg`): the body carries its
    English as ``message`` and its Chinese as ``message_zh`` (an explicit ``message_zh`` wins;
    a plain text falls back to the Chinese of the error code)."""

    def __init__(self, status: int, message: str, problems: list[Problem] | None = None,
                 code: str | None = None, headers: dict | None = None,
                 message_zh: str | None = None):
        super().__init__(message)
        self.status, self.message = status, message
        self.message_zh = message_zh or zh_of(message)
        self.problems = problems or []
        self.code = code or CODES.get(status, "error")
        self.headers = headers


def _jsonable(v):
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else str(v)
    try:
        import numpy as np

        if isinstance(v, np.generic):
            return _jsonable(v.item())
    except ImportError:  # pragma: no cover
        pass
    return str(v)


def problem_dict(p: Problem) -> dict:
    """A problem as JSON: its fields (English) and its Chinese texts."""
    from cocontrol.errors import message_text, render

    d = {k: str(v) if isinstance(v, str) else v for k, v in p.to_dict().items()}
    d["message_zh"] = message_text(p.message, "zh")
    d["expected_zh"] = message_text(p.expected, "zh") if p.expected else None
    d["text_zh"] = render(p, "zh")
    d["value"] = _jsonable(d["value"])
    if d["row"] is not None:
        d["row"] = int(d["row"])
    return d


def body(status: int, message: str, problems: list[Problem] = (), code: str | None = None,
         message_zh: str | None = None) -> dict:
    code = code or CODES.get(status, "error")
    return {"error": {"code": code, "message": str(message),
                      "message_zh": message_zh or zh_of(message) or zh(code, message),
                      "problems": [problem_dict(p) for p in problems]}}


def respond(status: int, message: str, problems: list[Problem] = (), code: str | None = None,
            headers: dict | None = None, message_zh: str | None = None) -> JSONResponse:
    return JSONResponse(body(status, message, problems, code, message_zh), status_code=status,
                        headers=headers)


def domain_error(exc: CocontrolError) -> ApiError:
    """The API error of a library error (same problems as the CLI shows)."""
    if hasattr(exc, "to_dict") and hasattr(exc, "code"):  # cocontrol.security errors (zh/en)
        d = exc.to_dict()
        return ApiError(422, d["message"], code=d["code"], message_zh=d["message_zh"])
    if isinstance(exc, InputError):
        return ApiError(422, Msg("msg.api_input_problems", n=len(exc.problems)), exc.problems)
    what = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    if isinstance(exc, InfeasibleError):
        return ApiError(422, Msg("msg.api_infeasible", detail=what), code="infeasible")
    if isinstance(exc, ModelError):
        return ApiError(422, Msg("msg.api_model_failed", detail=what), code="model_failed")
    return ApiError(422, what)


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the documented shape."""

    @app.exception_handler(ApiError)
    async def _api(_req: Request, exc: ApiError):
        return respond(exc.status, exc.message, exc.problems, exc.code, exc.headers,
                       exc.message_zh)

    @app.exception_handler(CocontrolError)
    async def _domain(_req: Request, exc: CocontrolError):
        e = domain_error(exc)
        return respond(e.status, e.message, e.problems, e.code, message_zh=e.message_zh)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: HTTPException):
        return respond(exc.status_code, exc.detail if isinstance(exc.detail, str)
                       else str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ())]
            where = loc[0] if loc else "request"
            problems.append(Problem(file=f"request {where}", column=".".join(loc[1:]) or None,
                                    message=pydantic_msg(err) if "msg" in err
                                    else Msg("msg.api_invalid"),
                                    value=_jsonable(err.get("input")) if where != "body"
                                    else None))
        return respond(422, Msg("msg.api_request_problems", n=len(problems)), problems)

    @app.exception_handler(Exception)
    async def _crash(_req: Request, exc: Exception):  # never a traceback to the user
        log.exception("unhandled error: %s", exc)
        return respond(500, Msg("msg.api_internal"))


ERROR_RESPONSES = {
    code: {"model": ErrorBody, "description": CODES[code].replace("_", " ")}
    for code in (400, 401, 403, 404, 409, 413, 415, 422)
}
