"""Security headers middleware (ASVS V14.4)."""

from __future__ import annotations

import asyncio

from cocontrol.security.headers import DEFAULT_CSP, SecurityHeadersMiddleware


def _call(mw, path, app_headers=()):
    sent = []

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    asyncio.run(mw({"type": "http", "path": path}, receive, send))
    return dict((k.decode(), v.decode()) for k, v in sent[0]["headers"])


def _app(headers):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        await send({"type": "http.response.body", "body": b"{}"})
    return app


def test_every_response_carries_the_headers_and_api_is_not_cached():
    h = _call(SecurityHeadersMiddleware(_app([])), "/api/projects")
    assert h["content-security-policy"] == DEFAULT_CSP
    assert "frame-ancestors 'none'" in DEFAULT_CSP and "'unsafe-inline'" not in DEFAULT_CSP
    assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer" and h["cache-control"] == "no-store"
    assert "strict-transport-security" not in h
    page = _call(SecurityHeadersMiddleware(_app([]), hsts=True), "/")
    assert "cache-control" not in page and page["strict-transport-security"].startswith("max-age")


def test_a_response_keeps_its_own_stricter_header():
    own = [(b"content-security-policy", b"default-src 'none'"), (b"cache-control", b"max-age=60")]
    h = _call(SecurityHeadersMiddleware(_app(own)), "/api/x")
    assert h["content-security-policy"] == "default-src 'none'" and h["cache-control"] == \
        "max-age=60"
