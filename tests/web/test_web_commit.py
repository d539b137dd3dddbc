"""A request's writes are committed before its response is sent (regression).

FastAPI runs the exit code of a ``yield`` dependency after the response has been sent unless
the dependency is declared ``scope="function"``; with the session committed there, a browser
that opened the next page as soon as the login answered could arrive before its session row
was stored and got the login page again (CI: test_web_data's upload and job-list tests timed
out waiting for the page's controls, or the next POST lacked the page's CSRF token). Here
every commit is made slow, so the old order fails every time, not one run in a few."""

from __future__ import annotations

import time

import httpx


def test_login_is_stored_before_its_answer(server, login_headers, monkeypatch):
    from sqlalchemy.orm import Session

    commit = Session.commit

    def slow_commit(self):
        time.sleep(0.5)
        return commit(self)

    monkeypatch.setattr(Session, "commit", slow_commit)
    headers = login_headers("leader")  # the login, then at once the next requests
    cookie = headers["Cookie"]
    with httpx.Client(base_url=server.url, timeout=60) as c:
        me = c.get("/api/auth/me", headers={"Cookie": cookie})
        assert me.status_code == 200, me.text
        page = c.get("/web/data/jobs", headers={"Cookie": cookie})
        assert page.status_code == 200 and 'id="job-list"' in page.text
