"""Authentication on the live app, on SQLite and PostgreSQL: first start, sessions (fixation,
cookie flags, expiry), CSRF on every state-changing route, tokens (scopes, revocation),
lockout and rate limiting, password policy, the identity-provider hook."""

from __future__ import annotations

import datetime as dt

from secworld import PASSWORD
from sqlalchemy import select, update

from cocontrol.security import csrf
from cocontrol.service.access import api_routes, route_rule
from cocontrol.service.auth import HOST_PREFIX
from cocontrol.service.security_models import AuthSession

SESSION_COOKIE = HOST_PREFIX + "cocontrol_session"


def test_first_start_prints_a_one_time_admin_password_that_must_be_changed(world, capsys):
    otp = world.bootstrap_password
    assert otp and len(otp) == 20
    c = world.new_client()
    assert c.post("/api/auth/login", json={"username": "admin", "password": "admin"}
                  ).status_code == 401  # no default credentials
    r = c.post("/api/auth/login", json={"username": "admin", "password": otp})
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    c.headers[csrf.HEADER] = r.json()["csrf_token"]
    r = c.get("/api/users")
    assert r.status_code == 403 and r.json()["error"]["code"] == "password_change_required"
    weak = c.post("/api/auth/password", json={"current_password": otp,
                                               "new_password": "password1234"})
    assert weak.status_code == 422 and "common" in weak.json()["error"]["message"]
    assert "常见" in weak.json()["error"]["message_zh"]
    r = c.post("/api/auth/password", json={"current_password": otp,
                                            "new_password": "a long and new passphrase"})
    assert r.status_code == 200
    c.headers[csrf.HEADER] = r.json()["csrf_token"]
    assert c.get("/api/users").status_code == 200
    # a restart does not make another administrator or print a password again
    from fastapi.testclient import TestClient

    from cocontrol.service.app import create_app

    capsys.readouterr()
    with TestClient(create_app(world.settings)) as again:
        assert again.get("/api/health").status_code == 200
    assert "one-time password" not in capsys.readouterr().err


def test_cookies_are_httponly_secure_samesite_and_the_csrf_cookie_readable(world):
    r = world.new_client().post("/api/auth/login", json={"username": "enterprise_user",
                                                          "password": PASSWORD})
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(SESSION_COOKIE + "="))
    token = next(c for c in cookies if c.startswith(HOST_PREFIX + csrf.COOKIE + "="))
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
        assert flag.lower() in session.lower()
    assert "domain=" not in session.lower()  # __Host-: no Domain attribute (ASVS 3.4.4)
    assert "httponly" not in token.lower() and "secure" in token.lower()


def _with_sid(world, sid: str, path: str = "/api/auth/me") -> int:
    """Status of a request presenting exactly this session cookie."""
    return world.new_client().get(path, headers={"Cookie": f"{SESSION_COOKIE}={sid}"}
                                  ).status_code


def test_session_fixation_a_login_always_issues_a_new_session_and_ends_the_old(world):
    c = world.login("enterprise_user")
    before = c.cookies.get(SESSION_COOKIE)
    assert _with_sid(world, before) == 200  # positive control: the cookie is what counts
    r = c.post("/api/auth/login", json={"username": "enterprise_user", "password": PASSWORD})
    after = c.cookies.get(SESSION_COOKIE)
    assert r.status_code == 200 and after != before
    assert _with_sid(world, before) == 401  # the session brought to the login is dead
    assert _with_sid(world, after) == 200
    # an attacker plants a session id of their choosing: the login replaces it
    planted = world.new_client()
    planted.cookies.set(SESSION_COOKIE, "attacker-chosen-id", domain="testserver.local")
    r = planted.post("/api/auth/login", json={"username": "enterprise_user",
                                               "password": PASSWORD})
    assert r.status_code == 200
    assert planted.cookies.get(SESSION_COOKIE) not in (None, "attacker-chosen-id")
    assert _with_sid(world, "attacker-chosen-id") == 401


def test_logout_and_expiry_end_the_session(world):
    c = world.login("bureau_analyst")
    sid = c.cookies.get(SESSION_COOKIE)
    assert c.post("/api/auth/logout").status_code == 204
    assert _with_sid(world, sid) == 401
    c = world.login("bureau_analyst")
    sid = c.cookies.get(SESSION_COOKIE)
    from cocontrol.security.tokens import digest

    with world.session() as s:  # 31 idle minutes later
        s.execute(update(AuthSession).where(AuthSession.id_hash == digest(sid)).values(
            last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)))
        s.commit()
    r = c.get("/api/auth/me")
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    c = world.login("bureau_analyst")
    with world.session() as s:  # past the absolute lifetime although active
        s.execute(update(AuthSession).where(AuthSession.id_hash == digest(
            c.cookies.get(SESSION_COOKIE))).values(
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        s.commit()
    assert c.get("/api/auth/me").status_code == 401


def test_csrf_is_required_on_every_state_changing_route(world):
    """Each POST/PUT/PATCH/DELETE route of the live table refuses a session request without
    (or with a wrong) CSRF token before doing anything, and the audit log stays unchanged."""
    c = world.login("administrator")
    token = c.headers.pop(csrf.HEADER)
    checked = []
    for route in api_routes(world.app):
        for method in route.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            if route_rule(route) == "public":
                continue
            path = route.path.replace("{key}", "x")
            for p in ("org_id", "project_id", "user_id", "publication_id", "token_id",
                      "version", "job_id", "result_id"):
                path = path.replace("{" + p + "}", "1")
            n = world.audit_count()
            for headers in ({}, {csrf.HEADER: "0" * 64}, {csrf.HEADER: token,
                                                          "Origin": "https://evil.example"}):
                r = c.request(method, path, json={}, headers=headers)
                assert r.status_code == 403 and r.json()["error"]["code"] == "csrf", \
                    (method, path, headers, r.status_code)
            assert world.audit_count() == n
            checked.append(f"{method} {route.path}")
    assert len(checked) >= 8
    c.headers[csrf.HEADER] = token
    assert c.post("/api/auth/tokens", json={"name": "x", "scopes": ["orgs:read"]}
                  ).status_code == 201


def test_login_from_a_foreign_origin_is_refused(world):
    r = world.new_client().post("/api/auth/login", headers={"Origin": "https://evil.example"},
                                json={"username": "enterprise_user", "password": PASSWORD})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"


def test_tokens_are_scoped_and_revocation_is_immediate(world):
    c = world.login("enterprise_user")
    r = c.post("/api/auth/tokens", json={"name": "script", "scopes": ["orgs:read"]})
    assert r.status_code == 201
    tok, tid = r.json()["token"], r.json()["id"]
    assert tok.startswith("cct_") and "token" not in c.get("/api/auth/tokens").json()[0]
    script = world.new_client()
    script.headers["Authorization"] = f"Bearer {tok}"
    assert script.get("/api/organisations").status_code == 200
    assert script.get("/api/projects").status_code in (403, 404)  # outside the token's scopes
    # no CSRF needed with a token (no ambient authority), but a token cannot mint tokens
    assert script.post("/api/auth/tokens", json={"name": "y", "scopes": ["orgs:read"]}
                       ).status_code == 403
    # a token never exceeds its owner
    r = c.post("/api/auth/tokens", json={"name": "big", "scopes": ["users:write"]})
    assert r.status_code == 422
    assert c.delete(f"/api/auth/tokens/{tid}").status_code == 204
    r = script.get("/api/organisations")
    assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]
    # disabling the owner ends the token too
    r = c.post("/api/auth/tokens", json={"name": "s2", "scopes": ["orgs:read"]})
    script.headers["Authorization"] = f"Bearer {r.json()['token']}"
    admin = world.login("administrator")
    assert admin.patch(f"/api/users/{world.users['enterprise_user']}",
                       json={"active": False}).status_code == 200
    assert script.get("/api/organisations").status_code == 401
    assert c.get("/api/auth/me").status_code == 401  # and the sessions


def test_lockout_after_five_failures_even_the_right_password_is_refused(world):
    c = world.new_client()
    for _ in range(5):
        r = c.post("/api/auth/login", json={"username": "park_manager", "password": "wrong" * 3})
        assert r.status_code == 401
        assert r.json()["error"]["message"] == "wrong user name or password"
    r = c.post("/api/auth/login", json={"username": "park_manager", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"]["code"] == "locked"
    # an unknown account locks alike: the answer does not reveal which accounts exist
    for _ in range(5):
        c.post("/api/auth/login", json={"username": "ghost", "password": "wrong" * 3})
    assert c.post("/api/auth/login", json={"username": "ghost", "password": "x" * 12}
                  ).json()["error"]["code"] == "locked"
    admin = world.login("administrator")
    assert admin.post(f"/api/users/{world.users['park_manager']}/unlock").status_code == 200
    assert c.post("/api/auth/login", json={"username": "park_manager", "password": PASSWORD}
                  ).status_code == 200


def test_login_rate_limit_per_address(world):
    world.app.state.access.limiter.limit = 3
    c = world.new_client()
    codes = [c.post("/api/auth/login", json={"username": f"n{i}", "password": "x" * 12}
                    ).status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_external_identity_provider_hook(world, monkeypatch):
    """An LDAP-like provider checks the password of accounts marked for it; roles and the
    organisation stay local."""
    from cocontrol.service.auth import ExternalIdentity

    class Directory:
        name = "intranet-ldap"

        def authenticate_password(self, username, password):
            return ExternalIdentity(username) if password == "directory secret" else None

        def authenticate_bearer(self, token):
            return ExternalIdentity("ldapuser") if token == "oidc-access-token" else None

    monkeypatch.setattr(world.app.state.access, "idp", Directory())
    admin = world.login("administrator")
    r = admin.post("/api/users", json={"username": "ldapuser", "org_id": world.orgs["e1"],
                                       "roles": ["enterprise_user"],
                                       "identity_provider": "intranet-ldap"})
    assert r.status_code == 201 and r.json()["one_time_password"] is None
    c = world.new_client()
    assert c.post("/api/auth/login", json={"username": "ldapuser", "password": PASSWORD}
                  ).status_code == 401
    me = world.login("ldapuser", "directory secret").get("/api/auth/me").json()
    assert me["roles"] == ["enterprise_user"] and me["org_id"] == world.orgs["e1"]
    oidc = world.new_client()
    oidc.headers["Authorization"] = "Bearer oidc-access-token"
    assert oidc.get("/api/auth/me").json()["via"] == "oidc"


def test_secrets_are_stored_only_as_digests(world):
    c = world.login("enterprise_user")
    tok = c.post("/api/auth/tokens", json={"name": "s", "scopes": ["orgs:read"]}).json()["token"]
    sid = c.cookies.get(SESSION_COOKIE)
    from cocontrol.service.models import User
    from cocontrol.service.security_models import ApiToken

    with world.session() as s:
        stored = [*s.scalars(select(ApiToken.hash)), *s.scalars(select(AuthSession.id_hash)),
                  *s.scalars(select(User.password_hash))]
    assert tok not in stored and sid not in stored and PASSWORD not in stored
    assert all(h is None or h.startswith("$argon2id$") or len(h) == 64 for h in stored)


def test_users_see_their_sessions_and_end_the_others_with_their_password(world):
    phone = world.login("bureau_leader")
    desk = world.login("bureau_leader")
    listed = desk.get("/api/auth/sessions").json()
    assert len(listed) == 2 and sum(x["current"] for x in listed) == 1
    assert desk.post("/api/auth/sessions/end-others", json={"password": "wrong password"}
                     ).status_code == 403
    r = desk.post("/api/auth/sessions/end-others", json={"password": PASSWORD})
    assert r.status_code == 200 and [x["current"] for x in r.json()] == [True]
    assert phone.get("/api/auth/me").status_code == 401
    assert desk.get("/api/auth/me").status_code == 200


def test_the_chosen_language_is_kept_with_the_account_and_follows_it_to_another_browser(world):
    """Issue 15: "Chinese and English switchable per user": the switch of a logged-in user is
    stored with the account (PUT /api/auth/lang, CSRF-protected, audited); a login from
    another browser sets that browser's language cookie from it, and a page without the
    cookie renders in the account's language."""
    c = world.login("bureau_analyst")
    assert c.get("/api/auth/me").json()["lang"] is None
    assert world.new_client().put("/api/auth/lang", json={"lang": "en"}).status_code == 401
    no_csrf = world.login("bureau_analyst")
    del no_csrf.headers[csrf.HEADER]
    assert no_csrf.put("/api/auth/lang", json={"lang": "en"}).status_code == 403
    assert c.put("/api/auth/lang", json={"lang": "fr"}).status_code == 422
    assert c.put("/api/auth/lang", json={"lang": "en", "x": 1}).status_code == 422
    before = world.last_audit_id()
    r = c.put("/api/auth/lang", json={"lang": "en"})
    assert r.status_code == 200 and r.json() == {"lang": "en"}
    assert "cocontrol_lang=en" in r.headers["set-cookie"]
    rec = [a for a in world.audit_records(before) if a.action == "language_change"]
    assert len(rec) == 1 and rec[0].detail == {"from": None, "to": "en"}
    assert c.get("/api/auth/me").json()["lang"] == "en"
    # another browser: the login brings the account's language
    other = world.new_client()
    r = other.post("/api/auth/login", json={"username": "bureau_analyst", "password": PASSWORD})
    assert r.status_code == 200 and "cocontrol_lang=en" in r.headers["set-cookie"]
    assert '<html lang="en">' in other.get("/web/").text
    # a browser that lost the cookie: the account's language
    other.cookies.delete("cocontrol_lang")
    assert '<html lang="en">' in other.get("/web/").text
    # another user is not affected (Chinese first)
    assert '<html lang="zh-CN">' in world.login("bureau_leader").get("/web/").text
