"""Roles, permissions and scopes as data.

The built-in catalogue is ``data/security/roles.yaml``; it seeds the service's roles table, and
an administrator edits roles from then on (every edit is checked here and audited). A role is a
set of permissions plus a *scope kind* that says which rows the permissions reach:

==========  ===========================================================================
all         every row
subtree     rows of the user's organisation and of every organisation below it
published   rows published for one of the role's ``audiences`` (``public``, ``finance``)
==========  ===========================================================================

A :class:`Grant` is one role's (permissions, scope) pair; the service keeps a principal's grants
separate so that a permission reaches only the rows of the roles that carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cocontrol import refdata
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq, pydantic_msg
from cocontrol.security.errors import SecurityError

ScopeKind = Literal["all", "subtree", "published"]
AUDIENCES = ("public", "finance")
LEVELS = ("province", "city", "district", "park", "enterprise", "facility")
ROLE_KEY = r"^[a-z][a-z0-9_]{1,47}$"


class RoleDef(BaseModel):
    """One role (built-in or defined by an administrator)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=ROLE_KEY)
    name: tuple[str, str] = Field(description="(English, Chinese) display names")
    scope: ScopeKind
    permissions: tuple[str, ...]
    levels: tuple[str, ...] | None = Field(
        None, description="organisation levels a holder may belong to (None: any)")
    audiences: tuple[str, ...] = ()
    anonymous: bool = Field(False, description="the role of requests without a login")

    @model_validator(mode="after")
    def _consistent(self) -> RoleDef:
        bad = [a for a in self.audiences if a not in AUDIENCES]
        if bad:
            raise ValueError(M("msg.sec_unknown_audiences", bad=str(bad),
                               known=str(list(AUDIENCES))))
        if self.scope == "published" and not self.audiences:
            raise ValueError(M("msg.sec_published_needs_audience"))
        if self.scope != "published" and self.audiences:
            raise ValueError(M("msg.sec_audiences_published_only"))
        if self.levels is not None:
            bad = [lv for lv in self.levels if lv not in LEVELS]
            if bad:
                raise ValueError(M("msg.sec_unknown_levels", bad=str(bad), known=str(list(LEVELS))))
        if self.anonymous and self.scope != "published":
            raise ValueError(M("msg.sec_anonymous_published"))
        return self


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    permissions: dict[str, tuple[str, str]]
    roles: dict[str, RoleDef]

    @model_validator(mode="after")
    def _known_permissions(self) -> Catalogue:
        for role in self.roles.values():
            check_role(role, self.permissions)
        anon = [r.key for r in self.roles.values() if r.anonymous]
        if len(anon) > 1:
            raise ValueError(M("msg.sec_one_anonymous", roles=str(anon)))
        return self

    def anonymous_role(self) -> RoleDef | None:
        return next((r for r in self.roles.values() if r.anonymous), None)


def check_role(role: RoleDef, permissions: dict | frozenset | set) -> None:
    """Refuse a role naming unknown permissions (or ``*`` outside the all-scope)."""
    unknown = [p for p in role.permissions if p != "*" and p not in permissions]
    if unknown:
        raise ValueError(M("msg.sec_unknown_permissions", key=repr(role.key), bad=str(unknown)))
    if "*" in role.permissions and role.scope != "all":
        raise ValueError(M("msg.sec_star_all", key=repr(role.key)))
    if role.anonymous and any(p != "published:read" for p in role.permissions):
        raise ValueError(M("msg.sec_anonymous_read", key=repr(role.key)))


def _detail(e: Exception):
    """What is wrong with a role, as a catalogue message (pydantic's errors by type)."""
    if isinstance(e, ValidationError):
        return Seq([M("msg.sec_at", loc=".".join(map(str, err["loc"])), msg=pydantic_msg(err))
                    if err["loc"] else pydantic_msg(err) for err in e.errors()], "; ")
    return e.args[0] if e.args and isinstance(e.args[0], str) else str(e)


def parse_role(key: str, data: dict, permissions) -> RoleDef:
    """A role from user input (API), with a plain error naming the problem."""
    try:
        role = RoleDef(key=key, **data)
        check_role(role, permissions)
    except (ValidationError, ValueError, TypeError) as e:
        detail = _detail(e)
        raise SecurityError("roles_invalid", detail=detail) from None
    return role


def parse_catalogue(doc: dict) -> Catalogue:
    roles = {k: {"key": k, **v} for k, v in (doc.get("roles") or {}).items()}
    try:
        return Catalogue(**{**doc, "roles": roles})
    except (ValidationError, ValueError) as e:
        raise SecurityError("roles_invalid", detail=_detail(e)) from None


@cache
def builtin() -> Catalogue:
    """The built-in catalogue (``data/security/roles.yaml``)."""
    text = refdata.bundled_text("security/roles.yaml")
    return parse_catalogue(yaml.safe_load(text))


@dataclass(frozen=True)
class Grant:
    """What one role gives a principal: permissions reaching rows of a scope."""

    role: str
    scope: ScopeKind
    permissions: frozenset[str]
    audiences: frozenset[str] = frozenset()

    @classmethod
    def of(cls, role: RoleDef) -> Grant:
        return cls(role=role.key, scope=role.scope, permissions=frozenset(role.permissions),
                   audiences=frozenset(role.audiences))

    def allows(self, permission: str) -> bool:
        return "*" in self.permissions or permission in self.permissions
