"""Harness of the dashboard's end-to-end tests (issue 15, "Done when").

One real server per session: ``cocontrol.service.app.create_app`` with the demo data (the
illustrative Demo City, one account per role) served by uvicorn on a free loopback port (port
0, never a fixed one), in a thread of the test process. The browser is Debian's chromium
through Playwright (:func:`tests.report.browser.launch`: network off, loopback only; one
for the run, shared with tests/report, see tests/conftest.py); every
page's console errors are collected; screenshots go to ``out/screenshots/web/<lang>/``
(not committed; docs/dashboard.md lists them).

Accounts: the demo users get a known password here (the demo loader gives one-time passwords);
``other_steel`` is a second enterprise in the same park, for the isolation checks.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots" / "web"
PASSWORD = "web test password 2026"
#: role -> demo account (cocontrol.service.demo.USERS; admin is the first-start account)
ACCOUNTS = {"administrator": "admin", "bureau_analyst": "analyst", "bureau_leader": "leader",
            "park_manager": "park", "enterprise_user": "steel", "finance_reader": "bank"}


@dataclass
class Server:
    url: str
    app: object
    accounts: dict = field(default_factory=dict)

    def session(self):
        return self.app.state.db.session()


def _known_passwords(app) -> None:
    from sqlalchemy import select

    from cocontrol.security.passwords import hash_password
    from cocontrol.service.models import Organisation, User

    params = app.state.access.params
    with app.state.db.session() as s:
        park = s.scalar(select(Organisation).where(Organisation.code == "fenhe_park"))
        other = Organisation(code="other_steel", name="Other steel works (test)",
                             name_zh="另一钢铁厂（测试）", level="enterprise", parent_id=park.id)
        s.add(other)
        s.flush()
        s.add(User(username="other", name="other", org_id=other.id, roles=["enterprise_user"],
                   active=True, password_hash=hash_password(PASSWORD, params),
                   must_change_password=False))
        for user in s.scalars(select(User)):
            user.password_hash = hash_password(PASSWORD, params)
            user.must_change_password = False
        s.commit()


def _warm(app):
    """Prepare the demo project once (the library's scenario base, cached by the dashboard):
    (project id, base) for the tests' own library calls."""
    from sqlalchemy import select

    from cocontrol.service import projects
    from cocontrol.service.models import Project
    from cocontrol.web import data

    with app.state.db.session() as s:
        p = s.scalar(select(Project).order_by(Project.id))
        return p.id, data.prepared(s, projects.latest(s, p))


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    import uvicorn

    from cocontrol.service.app import create_app
    from cocontrol.service.settings import Settings

    data = tmp_path_factory.mktemp("web-server")
    settings = Settings(data_dir=data, environment="test", executor="inline", demo=True)
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port chosen by the system
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    app.state.access.limiter.limit = 100_000  # every login of the tests comes from loopback
    _known_passwords(app)
    server = Server(url=f"http://127.0.0.1:{port}", app=app)
    server.demo_project_id, server.demo_base = _warm(app)
    yield server
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def browser(shared_browser):
    """The shared Chromium of tests/conftest.py in the mode that reaches the test server on
    loopback (everything else stays unreachable); stopped after the last of consecutive tests
    that use it."""
    return shared_browser(loopback=True)


class Visit:
    """A browser context of one role and language, collecting console errors."""

    def __init__(self, browser, server: Server, lang: str = "zh"):
        self.server = server
        self.lang = lang
        self.ctx = browser.new_context(viewport={"width": 1366, "height": 768},
                                       locale="zh-CN" if lang == "zh" else "en-GB")
        self.ctx.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(server.url) else route.abort())
        self.ctx.add_cookies([{"name": "cocontrol_lang", "value": lang,
                               "url": server.url}])
        # 2 cores shared by a team: generous waits (waiting for content, never for a time)
        self.ctx.set_default_timeout(120_000)
        self.ctx.set_default_navigation_timeout(120_000)
        self.errors: list[str] = []
        self.page = self.ctx.new_page()
        self.page.on("console", lambda m: self.errors.append(
            f"{m.type}: {m.text} at {m.location.get('url')}:{m.location.get('lineNumber')}:"
            f"{m.location.get('columnNumber')}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def open(self, path: str, wait: str = "load"):
        r = self.page.goto(self.server.url + path, wait_until=wait)
        return r

    def login(self, username: str, password: str = PASSWORD, next_path: str = "/web/"):
        self.open(f"/web/login?next={next_path}")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("#login-form button[type=submit]")
        return self

    def shot(self, name: str) -> Path:
        path = SHOTS / self.lang / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def unlabelled_controls(self) -> list[str]:
        """Form controls without an accessible name (label[for], wrapping label, aria-*)."""
        return self.page.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea, button')].filter(el => {
              if (el.tagName === 'BUTTON') return !(el.textContent.trim() ||
                  el.getAttribute('aria-label'));
              if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))
                return false;
              if (el.id && document.querySelector(`label[for="${el.id}"]`)) return false;
              return !el.closest('label');
            }).map(el => el.outerHTML.slice(0, 120))""")

    def weight(self) -> int:
        """Bytes the page transferred (document and every resource; encoded sizes)."""
        return self.page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            return (nav ? nav.encodedBodySize : 0) + performance.getEntriesByType('resource')
              .reduce((s, r) => s + (r.encodedBodySize || 0), 0); }""")

    def first_paint_ms(self) -> float | None:
        return self.page.evaluate("""() => { const p = performance.getEntriesByName(
            'first-contentful-paint')[0]; return p ? p.startTime : null; }""")

    def close(self):
        self.ctx.close()


@pytest.fixture
def visit(browser, server):
    made: list[Visit] = []

    def make(lang: str = "zh") -> Visit:
        v = Visit(browser, server, lang)
        made.append(v)
        return v

    yield make
    for v in made:
        v.close()


def http_session(server: Server, username: str) -> dict:
    """Headers of a logged-in session for plain HTTP requests (the cookies are Secure, so a
    client on http://127.0.0.1 would not send them itself): Cookie and X-CSRF-Token."""
    import httpx

    r = httpx.post(server.url + "/api/auth/login",
                   json={"username": username, "password": PASSWORD}, timeout=60)
    assert r.status_code == 200, r.text
    cookies = "; ".join(f"{c.name}={c.value}" for c in r.cookies.jar)
    return {"Cookie": cookies, "X-CSRF-Token": r.json()["csrf_token"]}


@pytest.fixture(scope="session")
def login_headers(server):
    """``login_headers(username)``: :func:`http_session` of the test server as a fixture (a test
    module's ``from conftest import`` can pick another folder's conftest when several folders
    run in one session)."""
    return lambda username: http_session(server, username)
