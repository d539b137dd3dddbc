"""Roles as data (``/api/roles``): read, define and edit roles; each edit is audited."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cocontrol.i18n import Msg as M
from cocontrol.security.errors import SecurityError
from cocontrol.security.roles import builtin, parse_role
from cocontrol.service import audit, auth
from cocontrol.service.access import PERMISSIONS, Need
from cocontrol.service.db import SessionDep, utcnow
from cocontrol.service.models import User
from cocontrol.service.problems import ApiError
from cocontrol.service.security_models import Role

router = APIRouter(prefix="/roles", tags=["roles"])
KEY = r"^[a-z][a-z0-9_]{1,47}$"
PROTECTED = ("administrator",)  # cannot be edited or removed: no lock-out of the platform


class RoleOut(BaseModel):
    key: str
    name: str
    name_zh: str
    scope: str
    permissions: list[str]
    levels: list[str] | None
    audiences: list[str]
    anonymous: bool
    builtin: bool


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    name_zh: str = Field(min_length=1, max_length=200)
    scope: str = Field(pattern="^(all|subtree|published)$")
    permissions: list[str] = Field(max_length=100)
    levels: list[str] | None = None
    audiences: list[str] = []
    anonymous: bool = False


class PermissionOut(BaseModel):
    key: str
    name: str
    name_zh: str


def _out(r: Role) -> dict:
    return {k: getattr(r, k) for k in RoleOut.model_fields}


def _values(r: Role | None) -> dict | None:
    if r is None:
        return None
    return {k: getattr(r, k) for k in ("key", "name", "name_zh", "scope", "permissions",
                                       "levels", "audiences", "anonymous")}


@router.get("", response_model=list[RoleOut])
def list_roles(session: SessionDep, principal: Need("users:read")):
    return [_out(r) for r in session.scalars(select(Role).order_by(Role.key))]


@router.get("/permissions", response_model=list[PermissionOut])
def list_permissions(principal: Need("users:read")):
    cat = builtin().permissions
    return [{"key": k, "name": cat[k][0], "name_zh": cat[k][1]} for k in PERMISSIONS]


@router.put("/{key}", response_model=RoleOut)
def put_role(key: str, data: RoleIn, session: SessionDep, principal: Need("roles:write")):
    """Create or replace a role (a permission change: audited with before/after hashes)."""
    if key in PROTECTED:
        raise ApiError(409, M("msg.api_role_fixed", key=repr(key)))
    try:
        role = parse_role(key, {"name": [data.name, data.name_zh], "scope": data.scope,
                                "permissions": data.permissions, "levels": data.levels,
                                "audiences": data.audiences, "anonymous": data.anonymous},
                          set(PERMISSIONS))
    except SecurityError as e:
        raise ApiError(422, e.message("en"), message_zh=e.message("zh")) from None
    if role.anonymous and session.scalar(select(Role.key).where(Role.anonymous.is_(True),
                                                                Role.key != key)):
        raise ApiError(409, M("msg.api_anonymous_taken"))
    row = session.get(Role, key)
    before = _values(row)
    if row is None:
        row = auth.role_row(role)
        session.add(row)
    else:
        new = auth.role_row(role, builtin_role=row.builtin)
        for k in ("name", "name_zh", "scope", "permissions", "levels", "audiences",
                  "anonymous"):
            setattr(row, k, getattr(new, k))
        row.updated_at = utcnow()
    session.flush()
    after = _values(row)
    if after != before:
        audit.record(session, "role_create" if before is None else "role_edit",
                     object_type="role", object_id=key, before=before, after=after,
                     detail={"permissions": row.permissions, "scope": row.scope})
    return _out(row)


@router.delete("/{key}", status_code=204, response_class=Response)
def delete_role(key: str, session: SessionDep, principal: Need("roles:write")):
    row = session.get(Role, key)
    if row is None:
        raise ApiError(404, M("msg.api_role_not_found", key=repr(key)))
    if key in PROTECTED or row.anonymous:
        raise ApiError(409, M("msg.api_role_protected", key=repr(key)))
    holders = [u.username for u in session.scalars(select(User)) if key in (u.roles or ())]
    if holders:
        raise ApiError(409, M("msg.api_role_held", key=repr(key), n=len(holders)))
    before = _values(row)
    session.delete(row)
    session.flush()
    audit.record(session, "role_delete", object_type="role", object_id=key, before=before)
    return Response(status_code=204)
