"""Tables of the access layer: roles, browser sessions, bearer tokens, publications and the
append-only audit log. User accounts are :class:`cocontrol.service.models.User`.

Secrets are never stored: sessions and tokens are kept as SHA-256 digests, passwords as argon2id
PHC strings. The audit log refuses UPDATE and DELETE three times over: the ORM (mapper events
below), the database (triggers created by the migration, on SQLite and PostgreSQL) and a hash
chain that shows any change made around both (:func:`cocontrol.service.audit.verify`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from cocontrol.i18n import Msg as M
from cocontrol.service.db import Base, utcnow


class Role(Base):
    """A role: permissions and a scope kind (see cocontrol.security.roles). Global table."""

    __tablename__ = "roles"
    __tenant_column__ = None  # not tenant-owned: every principal may read role definitions

    key: Mapped[str] = mapped_column(String(48), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(16))
    permissions: Mapped[list] = mapped_column(default=list)
    levels: Mapped[list | None] = mapped_column()
    audiences: Mapped[list] = mapped_column(default=list)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuthSession(Base):
    """A browser session; ``id_hash`` is the digest of the cookie value."""

    __tablename__ = "auth_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class ApiToken(Base):
    """A bearer token for scripts: scoped, expiring, revocable; ``hash`` of the token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    last_used_at: Mapped[dt.datetime | None] = mapped_column()


class Publication(Base):
    """An explicit, audited decision to show one object to an audience (public, finance).

    Withdrawing sets ``withdrawn_at``; the row stays (and so does its audit record)."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    audience: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by: Mapped[int | None] = mapped_column(Integer)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column()
    withdrawn_by: Mapped[int | None] = mapped_column(Integer)


class AuditRecord(Base):
    """One audited event: who, when, what, from where, before/after hashes; append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str | None] = mapped_column(String(100))
    via: Mapped[str | None] = mapped_column(String(16))  # session, token, anonymous, system
    org_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    address: Mapped[str | None] = mapped_column(String(64))
    route: Mapped[str | None] = mapped_column(String(200))
    before_hash: Mapped[str | None] = mapped_column(String(64))
    after_hash: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The newest hash of the chain (one row); updating it first serialises writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditImmutable(RuntimeError):
    """Raised on any attempt to change or delete an audit record through the ORM."""


@event.listens_for(AuditRecord, "before_update")
def _no_update(_mapper, _conn, _target):
    raise AuditImmutable(M("msg.api_audit_changed"))


@event.listens_for(AuditRecord, "before_delete")
def _no_delete(_mapper, _conn, _target):
    raise AuditImmutable(M("msg.api_audit_deleted"))
