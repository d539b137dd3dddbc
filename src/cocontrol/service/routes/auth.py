"""Login, logout, own account, own bearer tokens (``/api/auth``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cocontrol.i18n import Msg as M
from cocontrol.security import csrf, passwords, tokens
from cocontrol.security.errors import PasswordRejected
from cocontrol.service import audit, auth
from cocontrol.service.access import PUBLIC, SELF, Need
from cocontrol.service.api import Id
from cocontrol.service.db import SessionDep, utcnow
from cocontrol.service.models import User
from cocontrol.service.problems import ApiError
from cocontrol.service.security_models import ApiToken, AuthSession

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    id: int
    username: str
    name: str | None
    org_id: int | None
    roles: list[str]
    permissions: list[str]
    must_change_password: bool
    via: str
    lang: str | None = Field(None, description="the chosen language (zh/en; None: not chosen)")


class LoginOut(Me):
    csrf_token: str = Field(description=f"send it back in the {csrf.HEADER} header of every "
                                        "state-changing request")


def _me(p, user: User) -> dict:
    return {"id": user.id, "username": user.username, "name": user.name,
            "org_id": user.org_id, "roles": sorted(user.roles or ()),
            "permissions": sorted(p.permissions()),
            "must_change_password": bool(user.must_change_password), "via": p.via,
            "lang": user.lang}


@router.post("/login", response_model=LoginOut, dependencies=[PUBLIC])
def login(data: LoginIn, request: Request, response: Response, session: SessionDep):
    """Start a browser session (sets the HttpOnly session cookie and the CSRF cookie)."""
    user, sid = auth.login(request, response, session, data.username, data.password)
    p = auth.principal_of(session, user, "session", session_hash=tokens.digest(sid))
    return {**_me(p, user), "csrf_token": csrf.csrf_token(auth.state(request).secret_key, sid)}


@router.post("/logout", status_code=204, response_class=Response)
def logout(request: Request, session: SessionDep, principal: Need(SELF)):
    if principal.via != "session":
        raise ApiError(400, M("msg.api_logout_session"))
    auth.end_sessions_by_hash(session, principal.session_hash)
    audit.record(session, "logout", object_type="user", object_id=principal.user_id)
    response = Response(status_code=204)
    auth.clear_cookies(response, auth.state(request))
    return response


@router.get("/me", response_model=Me)
def me(session: SessionDep, principal: Need(SELF)):
    return _me(principal, session.get(User, principal.user_id))


class LangIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lang: Literal["zh", "en"] = Field(description="zh (中文) or en (English)")


class LangOut(BaseModel):
    lang: str


@router.put("/lang", response_model=LangOut)
def set_lang(data: LangIn, request: Request, response: Response, session: SessionDep,
             principal: Need(SELF)):
    """Choose the own language for pages and messages: kept with the account (it follows
    the user to another browser at login) and set as this browser's language cookie."""
    user = session.get(User, principal.user_id)
    before = user.lang
    user.lang = data.lang
    audit.record(session, "language_change", object_type="user", object_id=user.id,
                 detail={"from": before, "to": data.lang})
    auth.set_lang_cookie(response, auth.state(request), data.lang)
    return {"lang": data.lang}


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


@router.post("/password", response_model=LoginOut)
def change_password(data: PasswordIn, request: Request, response: Response,
                    session: SessionDep, principal: Need(SELF)):
    """Change the own password; every session of the account ends and a new one starts."""
    if principal.via != "session":
        raise ApiError(403, M("msg.api_password_in_session"))
    st = auth.state(request)
    user = session.get(User, principal.user_id)
    if user.identity_provider:
        raise ApiError(409, M("msg.api_password_kept_by", idp=user.identity_provider))
    if not passwords.verify_password(user.password_hash, data.current_password, st.params)[0]:
        raise ApiError(403, M("msg.api_current_password_wrong"), code="wrong_password")
    try:
        passwords.check_policy(data.new_password, user.username, user.password_hash,
                               st.params, extra_common=st.extra_common)
    except PasswordRejected as e:
        raise ApiError(422, e.message("en"), code="password_policy",
                       message_zh=e.message("zh")) from None
    user.password_hash = passwords.hash_password(data.new_password, st.params)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    auth.end_sessions(session, user.id)
    sid = auth.start_session(request, response, session, user)
    audit.record(session, "password_change", object_type="user", object_id=user.id)
    p = auth.principal_of(session, user, "session", session_hash=tokens.digest(sid))
    return {**_me(p, user), "csrf_token": csrf.csrf_token(st.secret_key, sid)}


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=50,
                              description="permissions of the token (a subset of yours)")
    expires_days: int = Field(90, ge=1, le=3650)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    hint: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="shown once; store it safely")


@router.post("/tokens", response_model=NewTokenOut, status_code=201)
def create_token(data: TokenIn, request: Request, session: SessionDep, principal: Need(SELF)):
    """Issue a bearer token for scripts, limited to ``scopes`` (shown once)."""
    if principal.via != "session":
        raise ApiError(403, M("msg.api_token_in_session"))
    st = auth.state(request)
    if data.expires_days > st.settings.token_max_days:
        raise ApiError(422, M("msg.api_token_max_days", days=st.settings.token_max_days))
    mine = principal.permissions() - {SELF}
    beyond = sorted(set(data.scopes) - mine) if "*" not in data.scopes else []
    if beyond:
        raise ApiError(422, M("msg.api_token_beyond", scopes=str(beyond)))
    new = tokens.new_token()
    row = ApiToken(user_id=principal.user_id, name=data.name, hash=new.hash, hint=new.hint,
                   scopes=sorted(set(data.scopes)),
                   expires_at=utcnow() + dt.timedelta(days=data.expires_days))
    session.add(row)
    session.flush()
    audit.record(session, "token_create", object_type="api_token", object_id=row.id,
                 after={"name": row.name, "scopes": row.scopes, "user_id": row.user_id})
    return {**TokenOut.model_validate(row).model_dump(), "token": new.plaintext}


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(session: SessionDep, principal: Need(SELF)):
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == principal.user_id)
                           .order_by(ApiToken.id)).all()
    return [TokenOut.model_validate(r) for r in rows]


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
def revoke_token(token_id: Id, session: SessionDep, principal: Need(SELF)):
    """Revoke one of the own tokens (it stops working at once)."""
    row = session.scalar(select(ApiToken).where(ApiToken.id == token_id,
                                                ApiToken.user_id == principal.user_id))
    if row is None:
        raise ApiError(404, M("msg.api_token_not_found", id=token_id))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, "token_revoke", object_type="api_token", object_id=row.id)
    return Response(status_code=204)


class SessionOut(BaseModel):
    id: str = Field(description="the first 16 hex digits of the session's digest")
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    address: str | None
    user_agent: str | None
    current: bool


class ReauthIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=1024, description="the own password again")


@router.get("/sessions", response_model=list[SessionOut])
def list_sessions(session: SessionDep, principal: Need(SELF)):
    """The own open sessions (devices), newest first."""
    rows = session.scalars(select(AuthSession).where(
        AuthSession.user_id == principal.user_id, AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > utcnow()).order_by(AuthSession.created_at.desc())).all()
    return [{"id": r.id_hash[:16], "created_at": r.created_at, "last_seen_at": r.last_seen_at,
             "expires_at": r.expires_at, "address": r.address, "user_agent": r.user_agent,
             "current": r.id_hash == principal.session_hash} for r in rows]


@router.post("/sessions/end-others", response_model=list[SessionOut])
def end_other_sessions(data: ReauthIn, request: Request, session: SessionDep,
                       principal: Need(SELF)):
    """Log out every other device (the password is asked again)."""
    user = session.get(User, principal.user_id)
    st = auth.state(request)
    if user.identity_provider or not passwords.verify_password(
            user.password_hash, data.password, st.params)[0]:
        raise ApiError(403, M("msg.api_password_wrong"), code="wrong_password")
    n = auth.end_sessions(session, user.id, keep=principal.session_hash)
    audit.record(session, "sessions_end", object_type="user", object_id=user.id,
                 detail={"ended": n})
    return list_sessions(session, principal)
