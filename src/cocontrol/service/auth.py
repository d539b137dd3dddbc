"""Authentication and authorisation of requests, login/logout, first start.

Credentials, in this order:

1. ``Authorization: Bearer <token>``: a token issued by ``/api/auth/tokens`` (or the operator's
   ``Settings.api_token``), looked up by its digest; or, when an identity provider with
   ``authenticate_bearer`` is configured, an OIDC access token it accepts. A bearer header that
   does not authenticate answers 401 (never a silent fall-back to the cookie).
2. The ``cocontrol_session`` cookie (HttpOnly, Secure, SameSite): a session made at login,
   ended by logout, by 30 idle minutes or 12 hours (settings). State-changing requests with a
   session must carry the ``X-CSRF-Token`` header (:mod:`cocontrol.security.csrf`) and, if they
   send ``Origin``, come from an allowed origin.
3. Nothing: the anonymous principal of the role marked ``anonymous`` (``public``), which only
   reaches routes requiring a permission it holds (``published:read``).

Every refusal is a plain error body; a refused login never says whether the account exists.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import secrets
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, runtime_checkable

from fastapi import Request, Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cocontrol import i18n, io
from cocontrol.i18n import Msg as M
from cocontrol.security import csrf, passwords, tokens
from cocontrol.security.ratelimit import AddressLimiter, LockoutPolicy, LockState
from cocontrol.security.roles import Grant, RoleDef, builtin
from cocontrol.service import audit
from cocontrol.service.access import SELF, Principal
from cocontrol.service.db import utcnow
from cocontrol.service.models import User
from cocontrol.service.problems import ApiError
from cocontrol.service.security_models import ApiToken, AuthSession, Role
from cocontrol.service.security_settings import SecuritySettings

log = logging.getLogger("cocontrol.service.auth")

SESSION_COOKIE = "cocontrol_session"
CSRF_COOKIE = csrf.COOKIE
HOST_PREFIX = "__Host-"  # Secure, Path=/, no Domain: sent only to the host that set it


def cookie_names(cfg: SecuritySettings) -> tuple[str, str]:
    """(session, csrf) cookie names: ``__Host-`` prefixed when Secure (ASVS 3.4.4)."""
    prefix = HOST_PREFIX if cfg.cookie_secure else ""
    return prefix + SESSION_COOKIE, prefix + CSRF_COOKIE


def session_cookie(request: Request) -> str | None:
    return request.cookies.get(cookie_names(state(request).settings)[0])
_TOUCH_SECONDS = 60  # last-seen/last-used stamps are written at most once a minute


# -- identity provider hook ----------------------------------------------------------------
@dataclass(frozen=True)
class ExternalIdentity:
    """Who an external identity provider says the user is (matched to a local account)."""

    username: str
    name: str | None = None


@runtime_checkable
class IdentityProvider(Protocol):
    """Hook for an external identity provider (LDAP, OIDC); see docs/security.md.

    ``name`` is stored in ``users.identity_provider`` of the accounts it authenticates.
    ``authenticate_password`` checks a user name and password (an LDAP bind); optional
    ``authenticate_bearer(token) -> ExternalIdentity | None`` accepts an OIDC access token.
    Roles and organisation always come from the local account: authorisation stays here.
    """

    name: str

    def authenticate_password(self, username: str, password: str) -> ExternalIdentity | None:
        ...


def load_identity_provider(spec: str | None) -> IdentityProvider | None:
    if not spec:
        return None
    module, _, attr = spec.partition(":")
    factory = getattr(importlib.import_module(module), attr)
    provider = factory() if callable(factory) and not isinstance(factory, IdentityProvider) \
        else factory
    if not isinstance(provider, IdentityProvider):
        raise ValueError(M("msg.api_idp_incomplete", spec=repr(spec)))
    return provider


# -- state kept by the application ---------------------------------------------------------
class AccessState:
    """What the access layer keeps per application (app.state.access)."""

    def __init__(self, settings: SecuritySettings, secret_key: bytes,
                 environment: str = "production"):
        self.settings = settings
        self.secret_key = secret_key
        self.params = settings.hash_params(environment)
        self.limiter = AddressLimiter(limit=settings.login_attempts_per_minute, window=60.0)
        self.lockout = LockoutPolicy(
            max_failures=settings.lockout_failures,
            window=dt.timedelta(minutes=settings.lockout_window_minutes),
            lock=dt.timedelta(minutes=settings.lockout_minutes))
        self.unknown_locks: dict[str, LockState] = {}  # unknown user names lock alike
        self.idp = load_identity_provider(settings.identity_provider)
        self.extra_common = frozenset()
        if settings.common_passwords_file:
            self.extra_common = frozenset(
                line.strip().lower() for line in io.read_text(settings.common_passwords_file)
                .splitlines() if line.strip())


def state(request_or_app) -> AccessState:
    app = getattr(request_or_app, "app", request_or_app)
    return app.state.access


def load_secret_key(data_dir: Path) -> bytes:
    """The server's HMAC key (CSRF): ``secret.key`` in the data folder, made once (0600)."""
    path = Path(data_dir) / "secret.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return bytes.fromhex(io.read_text(path).strip())


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _route(request: Request) -> str:
    """``METHOD /api/full/{template}`` of the request's route (for the audit record)."""
    route = request.scope.get("route")
    paths = getattr(request.app.state, "route_paths", None)
    if paths is None:
        from cocontrol.service.access import api_routes

        paths = {id(getattr(r, "original_route", r)): r.path for r in api_routes(request.app)}
        request.app.state.route_paths = paths
    return f"{request.method} {paths.get(id(route), request.url.path)}"


# -- roles --------------------------------------------------------------------------------
def role_def(row: Role) -> RoleDef:
    return RoleDef(key=row.key, name=(row.name, row.name_zh), scope=row.scope,
                   permissions=tuple(row.permissions), levels=None if row.levels is None
                   else tuple(row.levels), audiences=tuple(row.audiences),
                   anonymous=row.anonymous)


def role_row(role: RoleDef, builtin_role: bool = False) -> Role:
    return Role(key=role.key, name=role.name[0], name_zh=role.name[1], scope=role.scope,
                permissions=list(role.permissions), levels=None if role.levels is None
                else list(role.levels), audiences=list(role.audiences),
                anonymous=role.anonymous, builtin=builtin_role)


def grants_of(session: Session, role_keys) -> tuple[Grant, ...]:
    keys = sorted(set(role_keys or ()))
    if not keys:
        return ()
    rows = session.scalars(select(Role).where(Role.key.in_(keys)).order_by(Role.key)).all()
    return tuple(Grant.of(role_def(r)) for r in rows)


def principal_of(session: Session, user: User, via: str, scopes=None,
                 session_hash: str | None = None) -> Principal:
    return Principal(user_id=user.id, org_id=user.org_id, roles=frozenset(user.roles or ()),
                     scopes=None if scopes is None or "*" in scopes else frozenset(scopes),
                     grants=grants_of(session, user.roles), username=user.username, via=via,
                     session_hash=session_hash,
                     must_change_password=bool(user.must_change_password),
                     lang=user.lang if user.lang in i18n.LANGS else None)


def anonymous(session: Session) -> Principal:
    row = session.scalar(select(Role).where(Role.anonymous.is_(True)))
    grants = (Grant.of(role_def(row)),) if row is not None else ()
    return Principal(user_id=None, org_id=None, roles=frozenset(g.role for g in grants),
                     grants=grants, via="anonymous")


# -- authentication -------------------------------------------------------------------------
def _unauthorised(message: str = M("msg.api_login_required")) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=dt.UTC)
    return t


def authenticate(request: Request, session: Session) -> Principal | None:
    """The principal of the request's credentials, None without credentials, 401 if bad."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    now = utcnow()
    header = request.headers.get("authorization")
    principal = None
    if header:
        principal = _from_bearer(request, session, tokens.bearer(header), now)
    else:
        sid = session_cookie(request)
        if sid:
            principal = _from_session(request, session, sid, now)
    if principal is not None:
        request.state.principal = principal
    return principal


def _from_bearer(request, session, token: str | None, now) -> Principal:
    if not token:
        raise _unauthorised(M("msg.api_bad_bearer"))
    row = session.scalar(select(ApiToken).where(ApiToken.hash == tokens.digest(token)))
    if row is None:
        idp = state(request).idp
        auth_bearer = getattr(idp, "authenticate_bearer", None)
        ident = auth_bearer(token) if auth_bearer and not tokens.well_formed(token) else None
        user = _external_user(session, idp, ident)
        if user is None:
            raise _unauthorised(M("msg.api_token_invalid"))
        return principal_of(session, user, "oidc")
    user = session.get(User, row.user_id)
    st = tokens.TokenState(hash=row.hash, scopes=tuple(row.scopes),
                           expires_at=_aware(row.expires_at), revoked_at=_aware(row.revoked_at),
                           owner_active=bool(user and user.active))
    if not tokens.token_valid(st, token, now):
        raise _unauthorised(M("msg.api_token_invalid"))
    last = _aware(row.last_used_at)
    if last is None or (now - last).total_seconds() > _TOUCH_SECONDS:
        session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return principal_of(session, user, "token", scopes=row.scopes)


def _external_user(session, idp, ident: ExternalIdentity | None) -> User | None:
    if idp is None or ident is None:
        return None
    user = session.scalar(select(User).where(User.username == ident.username))
    if user is None or not user.active or user.identity_provider != idp.name:
        return None
    return user


def _from_session(request, session, sid: str, now) -> Principal:
    row = session.get(AuthSession, tokens.digest(sid))
    cfg = state(request).settings
    if row is None or row.revoked_at is not None:
        raise _unauthorised(M("msg.api_session_ended"))
    idle = dt.timedelta(minutes=cfg.session_idle_minutes)
    if now >= _aware(row.expires_at) or now - _aware(row.last_seen_at) > idle:
        raise _unauthorised(M("msg.api_session_expired"))
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise _unauthorised(M("msg.api_account_disabled"))
    if (now - _aware(row.last_seen_at)).total_seconds() > _TOUCH_SECONDS:
        session.execute(update(AuthSession).where(AuthSession.id_hash == row.id_hash)
                        .values(last_seen_at=now))
    return principal_of(session, user, "session", session_hash=row.id_hash)


def _actor(request: Request, p: Principal) -> audit.Actor:
    return audit.Actor(user_id=p.user_id, username=p.username, org_id=p.org_id, via=p.via,
                       address=client_address(request), route=_route(request))


def origin_allowed(request: Request) -> bool:
    """No ``Origin`` header, the server's own origin, or one of the allowed origins."""
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return csrf.origin_ok(request.headers.get("origin"),
                          {own, *state(request).settings.allowed_origins})


def check_csrf(request: Request, p: Principal) -> None:
    """State-changing requests with a session cookie need this session's CSRF token."""
    if p.via != "session" or not csrf.needs_check(request.method):
        return
    st = state(request)
    if not origin_allowed(request):
        raise ApiError(403, M("msg.api_cross_origin"), code="csrf")
    sid = session_cookie(request) or ""
    if not csrf.csrf_ok(st.secret_key, sid, request.headers.get(csrf.HEADER)):
        raise ApiError(403, M("msg.api_csrf_token"), code="csrf")


def authorise(request: Request, session: Session, permission: str) -> Principal:
    """The dependency behind :func:`cocontrol.service.access.require`."""
    p = authenticate(request, session)
    if p is None:
        anon = anonymous(session)
        if permission != SELF and anon.can(permission):
            audit.bind_actor(session, _actor(request, anon))
            return anon.narrow(permission)
        raise _unauthorised()
    check_csrf(request, p)
    if p.must_change_password and p.via == "session" and permission != SELF:
        raise ApiError(403, M("msg.api_change_otp"), code="password_change_required")
    if not p.can(permission):
        raise ApiError(403, M("msg.api_permission_needed", permission=repr(permission)))
    anon = anonymous(session)
    if permission != SELF and anon.can(permission):  # what the public sees, everyone sees
        p = replace(p, grants=p.grants + anon.grants)
    audit.bind_actor(session, _actor(request, p))
    return p.narrow(permission)


# -- login / logout -------------------------------------------------------------------------
def _lock_state(user: User | None, st: AccessState, username: str) -> LockState:
    if user is None:
        return st.unknown_locks.get(username.lower(), LockState())
    return LockState(failures=user.failed_logins or 0, first_failure=_aware(user.first_failure_at),
                     locked_until=_aware(user.locked_until))


def _store_lock(user: User | None, st: AccessState, username: str, ls: LockState) -> None:
    if user is None:
        if len(st.unknown_locks) > 10000:
            st.unknown_locks.clear()
        st.unknown_locks[username.lower()] = ls
        return
    user.failed_logins, user.first_failure_at, user.locked_until = (
        ls.failures, ls.first_failure, ls.locked_until)


def login(request: Request, response: Response, session: Session, username: str,
          password: str) -> tuple[User, str]:
    """Check the credentials; on success start a NEW session (set-cookie) and return it.

    Refusals are committed with their audit record before the error is raised."""
    st = state(request)
    address = client_address(request)
    actor = audit.Actor(None, username[:100], None, "anonymous", address, _route(request))
    if not origin_allowed(request):
        raise ApiError(403, M("msg.api_cross_origin_login"), code="csrf")
    wait = st.limiter.hit(address, time.monotonic())
    if wait:
        raise ApiError(429, M("msg.api_login_throttled", seconds=f"{wait:.0f}"),
                       headers={"Retry-After": str(max(1, round(wait)))})
    now = utcnow()
    user = session.scalar(select(User).where(User.username == username))
    ls = _lock_state(user, st, username)
    if st.lockout.locked(ls, now):
        audit.record(session, "login_refused", object_type="user",
                     object_id=user.id if user else None, outcome="locked", actor=actor,
                     org_id=user.org_id if user else None)
        session.commit()
        minutes = st.lockout.minutes_left(ls, now)
        raise ApiError(429, M("msg.api_login_locked", minutes=minutes), code="locked")
    ok, rehash = _check_password(st, user, username, password)
    if not ok:
        _store_lock(user, st, username, st.lockout.failure(ls, now))
        audit.record(session, "login_failed", object_type="user",
                     object_id=user.id if user else None, outcome="refused", actor=actor,
                     org_id=user.org_id if user else None)
        session.commit()
        raise _unauthorised(M("msg.api_login_failed"))
    _store_lock(user, st, username, st.lockout.success())
    if rehash:
        user.password_hash = passwords.hash_password(password, st.params)
    user.last_login_at = now
    # session fixation: whatever session the client brought is ended, a new id is issued
    old = session_cookie(request)
    if old:
        session.execute(update(AuthSession).where(AuthSession.id_hash == tokens.digest(old))
                        .values(revoked_at=now))
    sid = start_session(request, response, session, user)
    if user.lang in i18n.LANGS:  # the account's language follows it to this browser
        set_lang_cookie(response, st, user.lang)
    audit.record(session, "login", object_type="user", object_id=user.id, org_id=user.org_id,
                 actor=audit.Actor(user.id, user.username, user.org_id, "session", address,
                                   _route(request)),
                 detail={"must_change_password": bool(user.must_change_password)})
    return user, sid


def _check_password(st: AccessState, user: User | None, username: str,
                    password: str) -> tuple[bool, bool]:
    if user is not None and user.identity_provider:
        if st.idp is None or st.idp.name != user.identity_provider or not user.active:
            return False, False
        ident = st.idp.authenticate_password(username, password)
        return (ident is not None and ident.username == username), False
    stored = user.password_hash if user is not None and user.active else None
    return passwords.verify_password(stored, password, st.params)


def start_session(request: Request, response: Response, session: Session, user: User) -> str:
    st = state(request)
    sid = tokens.new_session_id()
    now = utcnow()
    session.add(AuthSession(id_hash=tokens.digest(sid), user_id=user.id, created_at=now,
                            last_seen_at=now,
                            expires_at=now + dt.timedelta(
                                hours=st.settings.session_absolute_hours),
                            address=client_address(request),
                            user_agent=(request.headers.get("user-agent") or "")[:200]))
    set_cookies(response, st, sid)
    return sid


#: the language cookie (read by the web pages, set by their language switch and at login
#: from the account's choice): not HttpOnly, the page's script sets it too
LANG_COOKIE = "cocontrol_lang"


def set_lang_cookie(response: Response, st: AccessState, lang: str) -> None:
    """The language cookie for ``lang`` (one year; the same attributes as the page's own)."""
    response.set_cookie(LANG_COOKIE, lang, httponly=False, path="/", max_age=31_536_000,
                        secure=st.settings.cookie_secure, samesite="lax")


def set_cookies(response: Response, st: AccessState, sid: str) -> None:
    cfg = st.settings
    common = {"secure": cfg.cookie_secure, "samesite": cfg.cookie_samesite, "path": "/",
              "max_age": int(cfg.session_absolute_hours * 3600)}
    session_name, csrf_name = cookie_names(cfg)
    response.set_cookie(session_name, sid, httponly=True, **common)
    response.set_cookie(csrf_name, csrf.csrf_token(st.secret_key, sid), httponly=False,
                        **common)


def clear_cookies(response: Response, st: AccessState) -> None:
    for name in cookie_names(st.settings):
        response.delete_cookie(name, path="/", secure=st.settings.cookie_secure,
                               samesite=st.settings.cookie_samesite)


def end_sessions(session: Session, user_id: int, keep: str | None = None) -> int:
    """Revoke every open session of a user (except ``keep``, a session hash)."""
    stmt = update(AuthSession).where(AuthSession.user_id == user_id,
                                     AuthSession.revoked_at.is_(None))
    if keep:
        stmt = stmt.where(AuthSession.id_hash != keep)
    return session.execute(stmt.values(revoked_at=utcnow())).rowcount


def end_sessions_by_hash(session: Session, id_hash: str | None) -> None:
    if id_hash:
        session.execute(update(AuthSession).where(AuthSession.id_hash == id_hash)
                        .values(revoked_at=utcnow()))


# -- accounts and tokens for code (demo loader, tests, scripts) -------------------------
def create_account(session: Session, username: str, org_id: int | None, roles: list[str],
                   password: str | None = None, params: passwords.HashParams | None = None,
                   name: str | None = None) -> tuple[User, str]:
    """A new account; without ``password`` a one-time password (must be changed) is made.

    Returns the user and the password to hand over. Audited like an API-created account."""
    params = params or passwords.PRODUCTION_PARAMS
    pw = password or passwords.one_time_password()
    user = User(username=username, name=name or username, org_id=org_id,
                roles=sorted(set(roles)), active=True,
                password_hash=passwords.hash_password(pw, params),
                must_change_password=password is None)
    session.add(user)
    session.flush()
    audit.record(session, "user_create", object_type="user", object_id=user.id,
                 org_id=org_id, detail={"roles": user.roles, "username": username})
    return user, pw


def issue_token(session: Session, user: User, scopes: list[str], name: str = "script",
                days: int | None = 90) -> str:
    """A bearer token of ``user`` limited to ``scopes`` (``["*"]``: all the user may do)."""
    new = tokens.new_token()
    row = ApiToken(user_id=user.id, name=name, hash=new.hash, hint=new.hint,
                   scopes=sorted(set(scopes)),
                   expires_at=None if days is None else utcnow() + dt.timedelta(days=days))
    session.add(row)
    session.flush()
    audit.record(session, "token_create", object_type="api_token", object_id=row.id,
                 detail={"name": name, "user": user.username, "scopes": row.scopes})
    return new.plaintext


# -- first start -----------------------------------------------------------------------------
def seed_roles(session: Session) -> int:
    """Insert the built-in roles that are missing (existing, possibly edited, ones stay)."""
    have = set(session.scalars(select(Role.key)))
    added = 0
    for role in builtin().roles.values():
        if role.key not in have:
            session.add(role_row(role, builtin_role=True))
            added += 1
    return added


def bootstrap(app, session: Session, out=None) -> str | None:
    """Seed roles; with no administrator, create one with a one-time password (printed once).

    Returns the one-time password when an administrator was created."""
    st: AccessState = app.state.access
    seed_roles(session)
    session.flush()
    otp = None
    admins = [u for u in session.scalars(select(User).where(User.active.is_(True)))
              if "administrator" in (u.roles or ())]
    if not admins:
        name = st.settings.bootstrap_admin
        user = session.scalar(select(User).where(User.username == name))
        otp = passwords.one_time_password()
        if user is None:
            user = User(username=name, name="Administrator", org_id=None, roles=["administrator"])
            session.add(user)
        user.roles, user.active, user.must_change_password = ["administrator"], True, True
        user.password_hash = passwords.hash_password(otp, st.params)
        user.identity_provider = None
        session.flush()
        audit.record(session, "bootstrap_admin", object_type="user", object_id=user.id,
                     detail={"username": name})
        print(f"\ncocontrol: first start - administrator '{name}' created with the one-time "
              f"password\n\n    {otp}\n\nLog in and change it now; it is not shown again.\n",
              file=out or sys.stderr, flush=True)
        admins = [user]
    token = app.state.settings.api_token
    if token is not None:
        raw = token.get_secret_value()
        if session.scalar(select(ApiToken.id).where(ApiToken.hash == tokens.digest(raw))) is None:
            session.add(ApiToken(user_id=admins[0].id, name="settings api_token",
                                 hash=tokens.digest(raw), hint=raw[:4] + "...", scopes=["*"]))
            session.flush()
            audit.record(session, "token_create", object_type="api_token",
                         detail={"name": "settings api_token", "user": admins[0].username})
    session.commit()
    return otp
