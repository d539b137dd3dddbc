"""Access contract of the service: who is asking, what they may do, which rows they see.

Routes and services use only these names (docs/architecture-service.md, docs/security.md):

- :class:`Principal`: the authenticated subject (user, organisation, roles, and the *grants*
  that say which rows each permission reaches);
- :func:`require` / :func:`Need`: ``principal: Need("projects:read")``: every non-public route
  declares the one permission it needs; the dependency authenticates the request (session
  cookie + CSRF token, or bearer token), answers 401/403, binds the actor to the request's
  database session for the audit log, and returns the principal *narrowed* to the roles that
  carry the permission;
- :data:`PUBLIC`: ``dependencies=[PUBLIC]`` declares a route public (no login);
- :func:`scoped`: ``scoped(select(Model), principal, Model)``: the ONE place where rows are
  restricted to the principal's jurisdiction. Another tenant's object is simply not found
  (404, never 403), so ids cannot be probed.

Permissions, roles and scopes are data (``data/security/roles.yaml`` seeds the ``roles``
table; an administrator edits it through ``/api/roles``). The closed-by-default rule is checked
by :func:`unprotected_routes`, and the authorisation-matrix test walks the live route table.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy import Select, String, cast, false, or_, select
from sqlalchemy.orm import Session

from cocontrol.security.roles import Grant, builtin
from cocontrol.service.db import SESSION

#: every permission a route may require (the catalogue of data/security/roles.yaml)
PERMISSIONS: tuple[str, ...] = tuple(builtin().permissions)
#: held implicitly by every logged-in user (own account, own sessions and tokens)
SELF = "account:self"


@dataclass(frozen=True)
class Principal:
    """The subject of a request.

    ``grants`` holds one (scope, permissions) entry per role; ``scopes`` are a token's scopes
    (None: everything the roles allow). ``via`` is ``session``, ``token`` or ``anonymous``.
    """

    user_id: int | None
    org_id: int | None
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] | None = None
    grants: tuple[Grant, ...] = ()
    username: str | None = None
    via: str = "anonymous"
    session_hash: str | None = None
    must_change_password: bool = False
    lang: str | None = None  # the account's chosen language (None: not chosen)

    @property
    def is_admin(self) -> bool:
        return any(g.scope == "all" and "*" in g.permissions for g in self.grants)

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    def permissions(self) -> frozenset[str]:
        perms: set[str] = set()
        for g in self.grants:
            perms |= set(PERMISSIONS) if "*" in g.permissions else g.permissions
        if self.authenticated:
            perms.add(SELF)
        if self.scopes is not None:
            perms &= self.scopes | {SELF}
        return frozenset(perms)

    def can(self, permission: str) -> bool:
        return permission in self.permissions()

    def narrow(self, permission: str) -> Principal:
        """The principal with only the grants that carry ``permission`` (their rows only)."""
        if permission == SELF:
            return self
        return replace(self, grants=tuple(g for g in self.grants if g.allows(permission)))


def require(permission: str):
    """Dependency: the request's :class:`Principal` holding ``permission``, else 401/403."""
    if permission not in PERMISSIONS and permission != SELF:
        raise ValueError(f"unknown permission {permission!r}; add it to "
                         "data/security/roles.yaml (permissions)")

    def dependency(request: Request, session: Session = SESSION) -> Principal:
        from cocontrol.service import auth

        return auth.authorise(request, session, permission)

    dependency.permission = permission  # read by the route-table checks
    dependency.__name__ = f"require_{permission.replace(':', '_')}"
    return dependency


def Need(permission: str):  # noqa: N802 - reads as a type in signatures
    """``principal: Need("projects:read")``: Annotated Principal requiring a permission."""
    return Annotated[Principal, Depends(require(permission))]


def _public() -> None:
    """Marker dependency of public routes."""


_public.public = True
PUBLIC = Depends(_public)


def api_routes(app) -> list:
    """Every API route of ``app`` as it is served (full path, methods, dependant)."""
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


# -- the one scoping layer ------------------------------------------------------------------
class NotScopable(TypeError):
    """A model has no tenant column and is not declared global (fail closed)."""


def tenant_column(model):
    name = getattr(model, "__tenant_column__", "org_id")
    if name is None:
        return None
    col = getattr(model, name, None)
    if col is None:
        raise NotScopable(f"{model.__name__} has no tenant column {name!r}; declare "
                          "__tenant_column__ (None for a global table)")
    return col


def visible_orgs(org_id: int):
    """Ids of ``org_id`` and every organisation below it (a recursive query, both DBs)."""
    from cocontrol.service.models import Organisation

    tree = (select(Organisation.id.label("id")).where(Organisation.id == org_id)
            .cte("visible_orgs", recursive=True))
    tree = tree.union_all(select(Organisation.id).where(Organisation.parent_id == tree.c.id))
    return select(tree.c.id)


def _published(model, audiences: frozenset[str]):
    from cocontrol.service.security_models import Publication

    if model is Publication:
        return (Publication.audience.in_(sorted(audiences))) & Publication.withdrawn_at.is_(None)
    kind = getattr(model, "__publishable__", None)
    if kind is None:
        return None
    ids = select(Publication.object_id).where(
        Publication.object_type == kind, Publication.audience.in_(sorted(audiences)),
        Publication.withdrawn_at.is_(None))
    return cast(model.id, String).in_(ids)


def scoped(stmt: Select, principal: Principal, model) -> Select:
    """Restrict ``stmt`` to the rows of ``model`` that ``principal`` may see.

    Per grant: ``all`` sees every row; ``subtree`` the rows owned by the principal's
    organisation or any organisation below it; ``published`` the rows published (and not
    withdrawn) for one of its audiences. A principal with no grant sees nothing. A model
    without a tenant column must say ``__tenant_column__ = None`` (global) or it is refused.
    """
    col = tenant_column(model)
    conditions = []
    for g in principal.grants:
        if g.scope == "all":
            return stmt
        if col is None:
            return stmt  # a global table: any grant may read it
        if g.scope == "subtree" and principal.org_id is not None:
            conditions.append(col.in_(visible_orgs(principal.org_id)))
        elif g.scope == "published":
            cond = _published(model, g.audiences)
            if cond is not None:
                conditions.append(cond)
    if not conditions:
        return stmt.where(false())
    return stmt.where(or_(*conditions))


def can_own(principal: Principal, session: Session, org_id: int | None) -> bool:
    """May ``principal`` create rows owned by ``org_id`` (in its subtree, or admin)?"""
    from cocontrol.service.models import Organisation

    if principal.is_admin:
        return True
    if org_id is None:
        return False
    stmt = scoped(select(Organisation.id).where(Organisation.id == org_id), principal,
                  Organisation)
    return any(g.scope == "subtree" for g in principal.grants) and \
        session.scalar(stmt) is not None
