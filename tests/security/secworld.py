"""A started platform with a region tree, one account per role and objects in two tenants.

Region tree (ids assigned by the database)::

    city  (bureau)
    ├── d1  district ── p1 park ── e1 enterprise ── f1 facility
    │                         └── e2 enterprise
    └── d2  district ── e3 enterprise

Accounts: ``administrator`` (no organisation), ``bureau_analyst``/``bureau_leader`` at d1,
``park_manager`` at p1, ``enterprise_user`` at e1, ``finance_reader`` (no organisation), and
anonymous requests for ``public``. For every role, ``own`` is an organisation inside its
jurisdiction and ``other`` one outside it (e2 for the enterprise user: the same park, a
different enterprise — the IDOR case).
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cocontrol.security import csrf
from cocontrol.service.app import create_app
from cocontrol.service.models import Organisation, Project, User
from cocontrol.service.security_models import ApiToken, AuditRecord, Publication

PASSWORD = "correct horse battery staple"
ROLES = ("administrator", "bureau_analyst", "bureau_leader", "park_manager", "enterprise_user",
         "finance_reader", "public")
HOME = {"bureau_analyst": "d1", "bureau_leader": "d1", "park_manager": "p1",
        "enterprise_user": "e1"}
OWN = {"administrator": "e1", "bureau_analyst": "e1", "bureau_leader": "e1",
       "park_manager": "e1", "enterprise_user": "e1", "finance_reader": "e1", "public": "e1"}
OTHER = {"administrator": None, "bureau_analyst": "e3", "bureau_leader": "e3",
         "park_manager": "e3", "enterprise_user": "e2", "finance_reader": "e3", "public": "e3"}
TREE = [("city", "city", None), ("d1", "district", "city"), ("p1", "park", "d1"),
        ("e1", "enterprise", "p1"), ("f1", "facility", "e1"), ("e2", "enterprise", "p1"),
        ("d2", "district", "city"), ("e3", "enterprise", "d2")]


class World:
    def __init__(self, settings, capsys=None):
        self.settings = settings
        self.app = create_app(settings)
        self.client = TestClient(self.app, base_url="https://testserver")
        self.client.__enter__()
        # every client of the tests comes from one address: the per-address login limit is
        # tested on its own (test_login_rate_limit_per_address)
        self.app.state.access.limiter.limit = 100_000
        out = capsys.readouterr().err if capsys is not None else ""
        m = re.search(r"one-time password\s+(\S+)", out)
        self.bootstrap_password = m.group(1) if m else None
        self.orgs: dict[str, int] = {}
        with self.session() as s:
            for code, level, parent in TREE:
                org = Organisation(code=code, name=code.upper(), level=level,
                                   parent_id=self.orgs.get(parent))
                s.add(org)
                s.flush()
                self.orgs[code] = org.id
            s.commit()
        self.users: dict[str, int] = {}
        for role in ROLES[:-1]:
            self.users[role] = self.make_user(role, role, HOME.get(role))
        self.clients: dict[str, TestClient] = {}

    # -- direct database access (fixtures only; the API is what the tests exercise) --------
    def session(self):
        return self.app.state.db.session()

    def make_user(self, username: str, role: str, org: str | None, password: str = PASSWORD,
                  must_change: bool = False) -> int:
        from cocontrol.security.passwords import hash_password

        with self.session() as s:
            u = User(username=username, name=username, org_id=self.orgs.get(org) if org else None,
                     roles=[role], active=True,
                     password_hash=hash_password(password, self.app.state.access.params),
                     must_change_password=must_change)
            s.add(u)
            s.commit()
            return u.id

    def project(self, org: str, name: str = "p") -> int:
        with self.session() as s:
            p = Project(org_id=self.orgs[org], name=name)
            s.add(p)
            s.commit()
            return p.id

    def publish(self, object_type: str, object_id, org: str, audience: str) -> int:
        with self.session() as s:
            p = Publication(org_id=self.orgs[org], object_type=object_type,
                            object_id=str(object_id), audience=audience)
            s.add(p)
            s.commit()
            return p.id

    def token_of(self, role: str) -> int:
        from cocontrol.security.tokens import new_token

        with self.session() as s:
            t = new_token()
            row = ApiToken(user_id=self.users[role], name="t", hash=t.hash, hint=t.hint,
                           scopes=["*"])
            s.add(row)
            s.commit()
            return row.id

    def audit_count(self) -> int:
        from sqlalchemy import func, select

        with self.session() as s:
            return s.scalar(select(func.count()).select_from(AuditRecord))

    def audit_records(self, after_id: int = 0) -> list[AuditRecord]:
        from sqlalchemy import select

        with self.session() as s:
            return list(s.scalars(select(AuditRecord).where(AuditRecord.id > after_id)
                                  .order_by(AuditRecord.id)))

    def last_audit_id(self) -> int:
        recs = self.audit_records()
        return recs[-1].id if recs else 0

    # -- HTTP clients ------------------------------------------------------------------------
    def new_client(self) -> TestClient:
        return TestClient(self.app, base_url="https://testserver")

    def login(self, username: str, password: str = PASSWORD, client: TestClient | None = None):
        c = client or self.new_client()
        r = c.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        c.headers[csrf.HEADER] = r.json()["csrf_token"]
        return c

    def as_role(self, role: str) -> TestClient:
        """A logged-in browser client of ``role`` (anonymous for 'public'), cached."""
        if role not in self.clients:
            self.clients[role] = self.new_client() if role == "public" else self.login(role)
        return self.clients[role]

    def close(self) -> None:
        for c in self.clients.values():
            c.close()
        self.client.__exit__(None, None, None)
