"""The audit log: one append-only record per state change, who/when/what/where, hash-chained.

Two ways a record is written, both in the transaction of the change itself (a change and its
record commit or roll back together):

- explicitly, by :func:`record` (login, logout, publish, permission changes, ...), with the
  action name and the before/after hashes of the object;
- automatically: the access layer binds an *actor* to the request's database session
  (:func:`bind_actor`); when such a session commits changes and nothing recorded them
  explicitly, :func:`_before_commit` writes one generic record naming the route, the changed
  tables and rows, and before/after hashes of their column values. So a route that forgets to
  audit still leaves exactly one record, and no state change escapes the log.

Records form a hash chain: ``hash = SHA-256(prev_hash + canonical JSON of the record)``; the
one-row ``audit_head`` table is updated first by every writer, which serialises writers on
both databases. :func:`verify` recomputes the chain. The database refuses UPDATE/DELETE on
``audit_log`` (triggers from the migration) and so does the ORM (security_models).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from cocontrol.service.db import utcnow
from cocontrol.service.security_models import AuditHead, AuditRecord

GENESIS = "0" * 64
#: tables whose changes are bookkeeping of the access layer itself, never audited generically
EXEMPT = frozenset({"audit_log", "audit_head", "auth_sessions"})
_ACTOR = "cocontrol.audit.actor"
_CHANGES = "cocontrol.audit.changes"
_EXPLICIT = "cocontrol.audit.explicit"


@dataclass
class Actor:
    """Who acts and from where (bound to a database session for the length of a request)."""

    user_id: int | None
    username: str | None
    org_id: int | None
    via: str  # session, token, anonymous, system
    address: str | None = None
    route: str | None = None
    extra: dict = field(default_factory=dict)


def bind_actor(session: Session, actor: Actor) -> None:
    session.info[_ACTOR] = actor


def bound_actor(session: Session) -> Actor | None:
    return session.info.get(_ACTOR)


def canonical(values) -> str:
    """The canonical JSON text of ``values`` (sorted keys, no spaces)."""
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str,
                      ensure_ascii=False)


def content_hash(values) -> str | None:
    """SHA-256 of the canonical JSON of ``values`` (None stays None)."""
    if values is None:
        return None
    return hashlib.sha256(canonical(values).encode("utf-8")).hexdigest()


def row_values(obj) -> dict:
    """The column values of an ORM object (large binary columns as their digest)."""
    out = {}
    for attr in inspect(obj).mapper.column_attrs:
        v = getattr(obj, attr.key)
        if isinstance(v, bytes | bytearray | memoryview):
            v = "sha256:" + hashlib.sha256(bytes(v)).hexdigest()
        out[attr.key] = v
    return out


def _committed_values(obj) -> dict:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.deleted:
            v = hist.deleted[0]
        elif hist.unchanged:
            v = hist.unchanged[0]
        else:
            v = getattr(obj, attr.key)
        if isinstance(v, bytes | bytearray | memoryview):
            v = "sha256:" + hashlib.sha256(bytes(v)).hexdigest()
        out[attr.key] = v
    return out


def _utc_naive(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at


def _payload(rec: AuditRecord) -> str:
    fields = {
        "at": _utc_naive(rec.at).isoformat(timespec="microseconds"),
        "actor_id": rec.actor_id, "actor": rec.actor, "via": rec.via, "org_id": rec.org_id,
        "action": rec.action, "object_type": rec.object_type, "object_id": rec.object_id,
        "outcome": rec.outcome, "address": rec.address, "route": rec.route,
        "before_hash": rec.before_hash, "after_hash": rec.after_hash, "detail": rec.detail,
    }
    return canonical(fields)


def chain_hash(prev_hash: str, rec: AuditRecord) -> str:
    return hashlib.sha256((prev_hash + _payload(rec)).encode("utf-8")).hexdigest()


def _append(session: Session, rec: AuditRecord) -> AuditRecord:
    # Take the chain's lock first: the UPDATE locks the head row (PostgreSQL) / the database
    # (SQLite) until commit, so no two writers read the same previous hash.
    conn = session.connection()
    res = conn.execute(update(AuditHead).where(AuditHead.id == 1)
                       .values(seq=AuditHead.seq + 1))
    if res.rowcount == 0:
        conn.execute(AuditHead.__table__.insert().values(id=1, seq=1, last_hash=GENESIS))
    prev = conn.execute(select(AuditHead.last_hash).where(AuditHead.id == 1)).scalar_one()
    rec.at = utcnow()
    rec.prev_hash = prev
    rec.hash = chain_hash(prev, rec)
    session.add(rec)
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=rec.hash))
    session.info[_EXPLICIT] = True
    session.flush()
    return rec


def record(session: Session, action: str, *, object_type: str | None = None,
           object_id: object = None, before: dict | None = None, after: dict | None = None,
           detail: dict | None = None, outcome: str = "ok", org_id: int | None = None,
           actor: Actor | None = None) -> AuditRecord:
    """Append one record for ``action`` in the session's current transaction.

    ``before``/``after`` are the object's values (hashed here, not stored)."""
    actor = actor or bound_actor(session) or Actor(None, None, None, "system")
    rec = AuditRecord(
        actor_id=actor.user_id, actor=actor.username, via=actor.via,
        org_id=org_id if org_id is not None else actor.org_id, action=action,
        object_type=object_type, object_id=None if object_id is None else str(object_id),
        outcome=outcome, address=actor.address, route=actor.route,
        before_hash=content_hash(before), after_hash=content_hash(after),
        detail=_clean(detail or {}))
    return _append(session, rec)


def _clean(detail: dict) -> dict:
    """JSON-safe detail without anything that looks like a secret."""
    secret = ("password", "token", "secret", "hash")
    return json.loads(json.dumps({k: ("***" if any(s in k.lower() for s in secret) else v)
                                  for k, v in detail.items()}, default=str))


# -- automatic records --------------------------------------------------------------------
def _after_flush(session: Session, _ctx) -> None:
    if _ACTOR not in session.info:
        return
    changes = session.info.setdefault(_CHANGES, [])
    for kind, objs in (("insert", session.new), ("update", session.dirty),
                       ("delete", session.deleted)):
        for obj in objs:
            table = getattr(obj, "__tablename__", None)
            if table is None or table in EXEMPT:
                continue
            if kind == "update" and not session.is_modified(obj, include_collections=False):
                continue
            ident = inspect(obj).mapper.primary_key_from_instance(obj)
            changes.append({
                "kind": kind, "table": table,
                "id": None if None in ident else "/".join(map(str, ident)),
                "org_id": getattr(obj, "org_id", None),
                "before": None if kind == "insert" else content_hash(_committed_values(obj)),
                "after": None if kind == "delete" else content_hash(row_values(obj)),
            })


def _before_commit(session: Session) -> None:
    if _ACTOR not in session.info:
        return
    session.flush()
    changes = session.info.pop(_CHANGES, [])
    explicit = session.info.pop(_EXPLICIT, False)
    if not changes or explicit:
        return
    actor: Actor = session.info[_ACTOR]
    first = changes[0]
    action = (actor.route or "change").split(" ", 1)
    verb = {"POST": "create", "PUT": "replace", "PATCH": "edit", "DELETE": "delete"}.get(
        action[0], "change")
    before = [c["before"] for c in changes]
    after = [c["after"] for c in changes]
    _append(session, AuditRecord(
        actor_id=actor.user_id, actor=actor.username, via=actor.via,
        org_id=first["org_id"] if first["org_id"] is not None else actor.org_id,
        action=f"{first['table']}.{verb}", object_type=first["table"], object_id=first["id"],
        outcome="ok", address=actor.address, route=actor.route,
        before_hash=content_hash(before) if any(before) else None,
        after_hash=content_hash(after) if any(after) else None,
        detail={"changes": [{k: c[k] for k in ("kind", "table", "id")} for c in changes[:50]],
                "n_changes": len(changes)}))
    session.info.pop(_EXPLICIT, None)
    session.info.pop(_CHANGES, None)


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGES, None)
    session.info.pop(_EXPLICIT, None)


def _after_commit(session: Session) -> None:
    session.info.pop(_CHANGES, None)
    session.info.pop(_EXPLICIT, None)


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
event.listen(Session, "after_commit", _after_commit)


# -- reading ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainReport:
    ok: bool
    records: int
    broken_at: int | None = None
    reason: str | None = None


def verify(session: Session, batch: int = 1000) -> ChainReport:
    """Recompute the hash chain from the first record to the head."""
    prev, n, last_id = GENESIS, 0, 0
    while True:
        rows = session.scalars(select(AuditRecord).where(AuditRecord.id > last_id)
                               .order_by(AuditRecord.id).limit(batch)).all()
        if not rows:
            break
        for rec in rows:
            if rec.prev_hash != prev:
                return ChainReport(False, n, rec.id, "a record before it was changed or removed")
            if chain_hash(prev, rec) != rec.hash:
                return ChainReport(False, n, rec.id, "the record was changed")
            prev, n, last_id = rec.hash, n + 1, rec.id
    head = session.scalar(select(AuditHead.last_hash).where(AuditHead.id == 1))
    if head is not None and head != prev:
        return ChainReport(False, n, None, "the newest records were removed")
    return ChainReport(True, n)
