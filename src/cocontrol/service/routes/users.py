"""User accounts (``/api/users``): create, edit roles and organisation, reset, unlock.

Every change is a permission change and leaves one audit record with before/after hashes.
New accounts and resets get a one-time password, shown once, to be changed at first login.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cocontrol.i18n import Msg as M
from cocontrol.security import passwords
from cocontrol.service import audit, auth
from cocontrol.service.access import Need, can_own, scoped
from cocontrol.service.api import Id, Page, PageDep, paginate
from cocontrol.service.db import SessionDep
from cocontrol.service.models import Organisation, User
from cocontrol.service.problems import ApiError
from cocontrol.service.security_models import Role

router = APIRouter(prefix="/users", tags=["users"])
NAME = r"^[A-Za-z0-9_.\-@]{3,100}$"


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    name: str | None
    org_id: int | None
    roles: list[str]
    active: bool
    must_change_password: bool
    identity_provider: str | None
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(pattern=NAME)
    name: str | None = Field(None, max_length=200)
    org_id: int | None = Field(None, ge=1, le=2**31 - 1)
    roles: list[str] = Field(min_length=1, max_length=10)
    identity_provider: str | None = Field(
        None, max_length=64, description="name of the external identity provider that checks "
                                         "this account's password (no local password then)")


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200)
    org_id: int | None = Field(None, ge=1, le=2**31 - 1)
    roles: list[str] | None = Field(None, min_length=1, max_length=10)
    active: bool | None = None


class CreatedUser(UserOut):
    one_time_password: str | None = Field(description="shown once; must be changed at first "
                                                      "login")


def _values(u: User) -> dict:
    return {"username": u.username, "name": u.name, "org_id": u.org_id,
            "roles": sorted(u.roles or ()), "active": u.active,
            "identity_provider": u.identity_provider}


def get_user(session, principal, user_id: int) -> User:
    user = session.scalar(scoped(select(User).where(User.id == user_id), principal, User))
    if user is None:
        raise ApiError(404, M("msg.api_user_not_found", id=user_id))
    return user


def _check_roles(session, principal, roles: list[str], org_id: int | None) -> None:
    rows = {r.key: r for r in session.scalars(select(Role).where(Role.key.in_(roles)))}
    unknown = sorted(set(roles) - set(rows))
    if unknown:
        raise ApiError(422, M("msg.api_unknown_roles", roles=str(unknown)))
    if any(rows[k].anonymous for k in roles):
        raise ApiError(422, M("msg.api_anonymous_to_account"))
    if any(rows[k].scope == "all" for k in roles) and not principal.is_admin:
        raise ApiError(403, M("msg.api_admin_makes_admin"))
    level = None
    if org_id is not None:
        org = session.get(Organisation, org_id)
        level = org.level if org else None
    for k in roles:
        r = rows[k]
        if r.scope == "subtree" and org_id is None:
            raise ApiError(422, M("msg.api_role_needs_org", key=repr(k)))
        if r.levels is not None and level is not None and level not in r.levels:
            raise ApiError(422, M("msg.api_role_levels", key=repr(k), levels=str(r.levels),
                                           level=repr(level)))


def _check_org(session, principal, org_id: int | None) -> None:
    if org_id is not None and not can_own(principal, session, org_id):
        raise ApiError(404, M("msg.api_org_not_found", id=org_id))
    if org_id is None and not principal.is_admin:
        raise ApiError(422, M("msg.api_org_id_required"))


@router.get("", response_model=Page[UserOut])
def list_users(session: SessionDep, page: PageDep, principal: Need("users:read"),
               org_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
               role: Annotated[str | None, Query(max_length=48)] = None):
    stmt = scoped(select(User), principal, User).order_by(User.id)
    if org_id is not None:
        stmt = stmt.where(User.org_id == org_id)
    rows = paginate(session, stmt, page, UserOut.model_validate)
    if role:
        rows["items"] = [u for u in rows["items"] if role in u.roles]
    return rows


@router.get("/{user_id}", response_model=UserOut)
def read_user(user_id: Id, session: SessionDep, principal: Need("users:read")):
    return UserOut.model_validate(get_user(session, principal, user_id))


@router.post("", response_model=CreatedUser, status_code=201)
def create_user(data: UserIn, request: Request, session: SessionDep,
                principal: Need("users:write")):
    _check_org(session, principal, data.org_id)
    _check_roles(session, principal, data.roles, data.org_id)
    if session.scalar(select(User.id).where(User.username == data.username)):
        raise ApiError(409, M("msg.api_username_taken", name=repr(data.username)))
    otp = None
    user = User(username=data.username, name=data.name, org_id=data.org_id,
                roles=sorted(set(data.roles)), active=True,
                identity_provider=data.identity_provider)
    if data.identity_provider is None:
        otp = passwords.one_time_password()
        user.password_hash = passwords.hash_password(otp, auth.state(request).params)
        user.must_change_password = True
    session.add(user)
    session.flush()
    audit.record(session, "user_create", object_type="user", object_id=user.id,
                 org_id=user.org_id, after=_values(user), detail={"roles": user.roles})
    return {**UserOut.model_validate(user).model_dump(), "one_time_password": otp}


@router.patch("/{user_id}", response_model=UserOut)
def edit_user(user_id: Id, data: UserPatch, session: SessionDep,
              principal: Need("users:write")):
    """Change name, organisation, roles or the active flag (a permission change)."""
    user = get_user(session, principal, user_id)
    before = _values(user)
    changes = data.model_dump(exclude_unset=True)
    org_id = changes.get("org_id", user.org_id)
    if "org_id" in changes:
        _check_org(session, principal, org_id)
    if "roles" in changes or "org_id" in changes:
        _check_roles(session, principal, changes.get("roles") or user.roles, org_id)
    if user.id == principal.user_id and (changes.get("active") is False or (
            "roles" in changes and "administrator" in user.roles
            and "administrator" not in changes["roles"])):
        raise ApiError(409, M("msg.api_not_yourself"))
    for k, v in changes.items():
        setattr(user, k, sorted(set(v)) if k == "roles" else v)
    after = _values(user)
    if after != before:
        if changes.get("active") is False:
            auth.end_sessions(session, user.id)
        audit.record(session, "user_edit", object_type="user", object_id=user.id,
                     org_id=user.org_id, before=before, after=after,
                     detail={k: after[k] for k in changes if before.get(k) != after.get(k)})
    return UserOut.model_validate(user)


class ResetOut(BaseModel):
    one_time_password: str


@router.post("/{user_id}/password-reset", response_model=ResetOut)
def reset_password(user_id: Id, request: Request, session: SessionDep,
                   principal: Need("users:write")):
    """A new one-time password (shown once); the user's sessions end."""
    user = get_user(session, principal, user_id)
    if user.identity_provider:
        raise ApiError(409, M("msg.api_password_kept_by", idp=user.identity_provider))
    otp = passwords.one_time_password()
    user.password_hash = passwords.hash_password(otp, auth.state(request).params)
    user.must_change_password = True
    auth.end_sessions(session, user.id)
    audit.record(session, "password_reset", object_type="user", object_id=user.id,
                 org_id=user.org_id)
    return {"one_time_password": otp}


@router.post("/{user_id}/unlock", response_model=UserOut)
def unlock(user_id: Id, session: SessionDep, principal: Need("users:write")):
    """End a lockout after failed logins."""
    user = get_user(session, principal, user_id)
    if user.locked_until is not None or user.failed_logins:
        user.locked_until, user.failed_logins, user.first_failure_at = None, 0, None
        audit.record(session, "user_unlock", object_type="user", object_id=user.id,
                     org_id=user.org_id)
    return UserOut.model_validate(user)
