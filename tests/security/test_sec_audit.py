"""The audit log: completeness (every state change leaves exactly one record), immutability
(ORM, database triggers on SQLite and PostgreSQL, hash chain), browse and export."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from secworld import PASSWORD
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError, InternalError, OperationalError

from cocontrol.service import audit
from cocontrol.service.access import api_routes, route_rule
from cocontrol.service.security_models import AuditImmutable, AuditRecord


def _state_changes(world, admin):
    """One successful call of every kind of state change the access layer offers."""
    w = world
    uid = w.make_user("target", "enterprise_user", "e1")
    pid = w.project("e1", "audited")
    tok = admin.post("/api/auth/tokens", json={"name": "t", "scopes": ["orgs:read"]}).json()
    return [
        ("login", lambda: w.new_client().post("/api/auth/login", json={
            "username": "enterprise_user", "password": PASSWORD})),
        ("login_failed", lambda: w.new_client().post("/api/auth/login", json={
            "username": "enterprise_user", "password": "wrong password!"})),
        ("organisations.create", lambda: admin.post("/api/organisations", json={
            "code": "new-park", "name": "New park", "level": "park",
            "parent_id": w.orgs["d1"]})),
        ("user_create", lambda: admin.post("/api/users", json={
            "username": "newbie", "org_id": w.orgs["e1"], "roles": ["enterprise_user"]})),
        ("user_edit", lambda: admin.patch(f"/api/users/{uid}", json={
            "roles": ["enterprise_user", "finance_reader"]})),
        ("password_reset", lambda: admin.post(f"/api/users/{uid}/password-reset")),
        ("role_create", lambda: admin.put("/api/roles/auditor", json={
            "name": "Auditor", "name_zh": "审计员", "scope": "subtree",
            "permissions": ["audit:read"]})),
        ("role_edit", lambda: admin.put("/api/roles/auditor", json={
            "name": "Auditor", "name_zh": "审计员", "scope": "subtree",
            "permissions": ["audit:read", "orgs:read"]})),
        ("role_delete", lambda: admin.delete("/api/roles/auditor")),
        ("token_create", lambda: admin.post("/api/auth/tokens", json={
            "name": "t2", "scopes": ["orgs:read"]})),
        ("token_revoke", lambda: admin.delete(f"/api/auth/tokens/{tok['id']}")),
        ("sessions_end", lambda: admin.post("/api/auth/sessions/end-others", json={
            "password": PASSWORD})),
        ("publish", lambda: admin.post("/api/publications", json={
            "object_type": "project", "object_id": str(pid), "audience": "finance"})),
    ]


def test_every_state_change_leaves_exactly_one_record(world):
    admin = world.login("administrator")
    for action, call in _state_changes(world, admin):
        last = world.last_audit_id()
        r = call()
        assert r.status_code < 500, (action, r.text)
        new = world.audit_records(last)
        assert [rec.action for rec in new] == [action], (action, r.status_code, r.text)
        rec = new[0]
        assert rec.address == "testclient" and rec.at is not None
        if action != "login_failed":
            assert rec.actor in ("administrator", "enterprise_user")
    # a withdrawal, then a refused request: no change, no record
    pub = admin.get("/api/publications").json()["items"][0]
    last = world.last_audit_id()
    assert admin.delete(f"/api/publications/{pub['id']}").status_code == 200
    assert [r.action for r in world.audit_records(last)] == ["withdraw"]
    last = world.last_audit_id()
    assert admin.post("/api/organisations", json={"code": "new-park", "name": "dup",
                                                  "level": "park"}).status_code == 409
    assert world.login("enterprise_user").post("/api/organisations", json={
        "code": "z", "name": "z", "level": "park"}).status_code == 403
    assert [r.action for r in world.audit_records(last)] == ["login"]  # only the login


def test_a_route_that_forgets_to_audit_still_leaves_one_record(world):
    """The automatic record: organisations.create is not audited by its handler."""
    admin = world.login("administrator")
    last = world.last_audit_id()
    r = admin.post("/api/organisations", json={"code": "auto", "name": "A", "level": "city"})
    assert r.status_code == 201
    [rec] = world.audit_records(last)
    assert rec.action == "organisations.create" and rec.object_id == str(r.json()["id"])
    assert rec.route == "POST /api/organisations" and rec.after_hash and not rec.before_hash
    assert rec.detail["changes"] == [{"kind": "insert", "table": "organisations",
                                      "id": str(r.json()["id"])}]


def test_before_and_after_hashes_identify_the_versions(world):
    admin = world.login("administrator")
    uid = world.users["bureau_leader"]
    last = world.last_audit_id()
    admin.patch(f"/api/users/{uid}", json={"name": "Leader A"})
    admin.patch(f"/api/users/{uid}", json={"name": "Leader B"})
    admin.patch(f"/api/users/{uid}", json={"name": "Leader A"})
    a, b, c = world.audit_records(last)
    assert a.after_hash == b.before_hash and b.after_hash == c.before_hash
    assert a.after_hash == c.after_hash != b.after_hash  # same content, same hash


def _refused(world, sql: str) -> None:
    with world.app.state.db.engine.connect() as conn:
        with pytest.raises((IntegrityError, OperationalError, InternalError, DatabaseError)) \
                as e:
            conn.execute(text(sql))
            conn.commit()
        assert "append-only" in str(e.value)


def test_the_database_refuses_to_change_or_delete_audit_records(world):
    world.login("enterprise_user")
    n = world.audit_count()
    assert n >= 2
    _refused(world, "UPDATE audit_log SET actor = 'mallory'")
    _refused(world, "DELETE FROM audit_log")
    if world.app.state.db.engine.dialect.name == "postgresql":
        _refused(world, "TRUNCATE audit_log")
    assert world.audit_count() == n
    assert audit.verify(world.session()).ok


def test_the_orm_refuses_too(world):
    world.login("enterprise_user")
    with world.session() as s:
        rec = s.query(AuditRecord).first()
        rec.actor = "mallory"
        with pytest.raises(AuditImmutable):
            s.flush()
        s.rollback()
        s.delete(s.query(AuditRecord).first())
        with pytest.raises(AuditImmutable):
            s.flush()


def test_the_hash_chain_shows_tampering_around_the_triggers(world):
    """Someone with the database owner's rights drops the trigger and edits a record:
    verification names the record."""
    for _ in range(3):
        world.login("enterprise_user")
    eng = world.app.state.db.engine
    target = world.audit_records()[1].id
    with eng.begin() as conn:
        if eng.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text(f"UPDATE audit_log SET address = '10.6.6.6' WHERE id = {target}"))
    rep = audit.verify(world.session())
    assert not rep.ok and rep.broken_at == target


def test_admin_browses_and_exports_formula_safe(world):
    admin = world.login("administrator")
    world.new_client().post("/api/auth/login", json={"username": "=cmd|' /C calc'!A0",
                                                      "password": "x" * 12})
    page = admin.get("/api/audit", params={"action": "login_failed"}).json()
    assert page["total"] == 1 and page["items"][0]["actor"] == "=cmd|' /C calc'!A0"
    r = admin.get("/api/audit/export", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert any(row["actor"] == "'=cmd|' /C calc'!A0" for row in rows)
    x = admin.get("/api/audit/export", params={"format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert admin.get("/api/audit/verify").json()["ok"] is True
    # nothing in the API changes or deletes records
    for route in api_routes(world.app):
        if route.path.startswith("/api/audit"):
            assert route.methods <= {"GET", "HEAD"} and route_rule(route) == "audit:read"


def test_a_bureau_leader_sees_the_records_of_its_jurisdiction_only(world):
    world.login("enterprise_user")  # e1: inside d1
    world.make_user("e3user", "enterprise_user", "e3")
    world.login("e3user")
    items = world.login("bureau_leader").get("/api/audit", params={"limit": 500}).json()["items"]
    orgs = {i["org_id"] for i in items}
    assert world.orgs["e1"] in orgs and world.orgs["e3"] not in orgs
