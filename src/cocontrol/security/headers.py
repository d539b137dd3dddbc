"""Security headers on every response (a plain ASGI middleware, no framework needed).

Defaults (OWASP Secure Headers project; ASVS 4.0.3 V14.4):

- ``Content-Security-Policy``: scripts, styles, fonts and connections from the same origin
  only, no inline scripts, no plugins, ``frame-ancestors 'none'`` (no clickjacking),
  ``base-uri 'none'``, ``form-action 'self'``; images may also be ``data:`` URLs (charts);
- ``X-Content-Type-Options: nosniff``; ``X-Frame-Options: DENY`` (older browsers);
- ``Referrer-Policy: no-referrer``; ``Cross-Origin-Opener-Policy`` and
  ``Cross-Origin-Resource-Policy: same-origin``; a restrictive ``Permissions-Policy``;
- ``Cache-Control: no-store`` on API responses (ASVS 8.2.1: no sensitive data in caches);
- ``Strict-Transport-Security`` only when the deployment says it runs behind TLS.

A response that already sets a header keeps its own value (e.g. a report page with a stricter
or a nonce-based CSP).
"""

from __future__ import annotations

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def security_headers(csp: str = DEFAULT_CSP, hsts: bool = False) -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    }
    if hsts:
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class SecurityHeadersMiddleware:
    """Adds :func:`security_headers` to every HTTP response; ``no-store`` under ``api_prefix``."""

    def __init__(self, app, csp: str = DEFAULT_CSP, hsts: bool = False,
                 api_prefix: str = "/api"):
        self.app = app
        self.headers = security_headers(csp, hsts)
        self.api_prefix = api_prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope.get("path", "").startswith(self.api_prefix)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                if is_api and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)
