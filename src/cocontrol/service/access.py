"""Access contract of the service: who is asking, what they may do, which rows they see.

This file is the contract between the API and the access layer (owned by `security`, see
docs/architecture-service.md). Routes and services use only these four names:

- :class:`Principal` — the authenticated subject (user_id, org_id, roles, scopes).
- :func:`require` — ``Depends(require("projects:read"))``: every non-public route declares the
  permission it needs; the dependency returns the :class:`Principal`.
- :data:`PUBLIC` — ``dependencies=[PUBLIC]`` declares a route public (no login).
- :func:`scoped` — ``scoped(select(Model), principal, Model)``: every query of tenant-owned rows
  goes through it. Another tenant's object is then simply not found (404, never 403).

The closed-by-default rule is checked by :func:`unprotected_routes` (a test fails if any route
has neither a permission nor the public marker).

TODO(security): this is the stub. It authenticates ``Authorization: Bearer <token>`` against
tokens held in memory (:class:`TokenStore`), maps roles to permissions with :data:`ROLE_PERMS`
and scopes rows to the principal's own organisation (administrators see everything). `security`
replaces the internals (accounts, argon2, sessions, CSRF, revocable tokens, org-tree scoping,
audit) keeping these names and signatures.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.routing import APIRoute
from sqlalchemy import Select

PERMISSIONS = (
    "orgs:read", "orgs:write", "projects:read", "projects:write", "jobs:read", "jobs:run",
    "results:read", "users:read",
)
ROLE_PERMS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "analyst": frozenset({"orgs:read", "projects:read", "projects:write", "jobs:read",
                          "jobs:run", "results:read"}),
    "viewer": frozenset({"orgs:read", "projects:read", "jobs:read", "results:read"}),
}


@dataclass(frozen=True)
class Principal:
    """The authenticated subject of a request."""

    user_id: int | None
    org_id: int | None
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] | None = None  # a token's scopes; None = everything its roles allow

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def permissions(self) -> frozenset[str]:
        perms = frozenset().union(*(ROLE_PERMS.get(r, frozenset()) for r in self.roles))
        return perms if self.scopes is None else perms & self.scopes

    def can(self, permission: str) -> bool:
        return permission in self.permissions()


class TokenStore:
    """Stub bearer tokens held in memory. TODO(security): replace by real accounts."""

    def __init__(self) -> None:
        self._tokens: dict[str, Principal] = {}

    def issue(self, principal: Principal, token: str | None = None) -> str:
        token = token or secrets.token_urlsafe(24)
        self._tokens[token] = principal
        return token

    def revoke(self, token: str) -> None:
        self._tokens.pop(token, None)

    def lookup(self, token: str) -> Principal | None:
        for known, principal in self._tokens.items():
            if secrets.compare_digest(known.encode(), token.encode()):
                return principal
        return None


def _unauthorised() -> HTTPException:
    return HTTPException(401, "login required", headers={"WWW-Authenticate": "Bearer"})


def authenticate(request: Request) -> Principal:
    """The request's principal, or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorised()
    principal = request.app.state.tokens.lookup(token.strip())
    if principal is None:
        raise _unauthorised()
    return principal


class AuthGate:
    """ASGI middleware: a request to a non-public ``/api`` route must authenticate before any
    of its input is read (so an anonymous request learns nothing from validation errors).
    The principal is kept for :func:`require` in ``request.state.principal``."""

    def __init__(self, app):
        self.app = app
        self._public = None

    def _public_regexes(self, fastapi_app):
        if self._public is None:
            from starlette.routing import compile_path

            self._public = [compile_path(r.path)[0] for r in api_routes(fastapi_app)
                            if route_rule(r) == "public"]
        return self._public

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/api/") and path not in (
                "/api/openapi.json", "/api/docs") and not any(
                rx.match(path) for rx in self._public_regexes(scope["app"])):
            try:
                principal = authenticate(Request(scope))
            except HTTPException as e:
                from cocontrol.service.problems import respond

                await respond(e.status_code, str(e.detail), headers=e.headers)(
                    scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


def require(permission: str):
    """Dependency: the request's :class:`Principal` if it holds ``permission``, else 401/403."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}; add it to access.PERMISSIONS")

    def dependency(request: Request) -> Principal:
        principal = getattr(request.state, "principal", None) or authenticate(request)
        if not principal.can(permission):
            raise HTTPException(403, f"permission {permission!r} needed")
        return principal

    dependency.permission = permission  # read by the route-table checks
    dependency.__name__ = f"require_{permission.replace(':', '_')}"
    return dependency


def _public() -> None:
    """Marker dependency of public routes."""


_public.public = True
PUBLIC = Depends(_public)


def api_routes(app) -> list:
    """Every API route of ``app`` as it is served (full path, methods, dependant), also for
    routes of included routers."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before 0.160 flattens included routers itself
        return [r for r in app.routes if isinstance(r, APIRoute)]
    return [c for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def route_rule(route) -> str | None:
    """'public', the permission a route requires, or None when it declares neither."""
    for dep in route.dependant.dependencies:
        call = dep.call
        if getattr(call, "public", False):
            return "public"
        if getattr(call, "permission", None):
            return call.permission
    return None


def unprotected_routes(app) -> list[str]:
    """Routes that declare neither a permission nor PUBLIC (must be empty)."""
    return [f"{sorted(r.methods)} {r.path}" for r in api_routes(app) if route_rule(r) is None]


def tenant_column(model):
    return getattr(model, getattr(model, "__tenant_column__", "org_id"))


def scoped(stmt: Select, principal: Principal, model) -> Select:
    """Restrict ``stmt`` to the rows of ``model`` that ``principal`` may see.

    TODO(security): org-tree scoping (a bureau sees its districts, parks and enterprises)."""
    if principal.is_admin:
        return stmt
    if principal.org_id is None:
        return stmt.where(tenant_column(model).is_(None) & tenant_column(model).isnot(None))
    return stmt.where(tenant_column(model) == principal.org_id)


def Need(permission: str):  # noqa: N802 - reads as a type in signatures
    """``principal: Need("projects:read")`` — Annotated Principal requiring a permission."""
    return Annotated[Principal, Depends(require(permission))]
