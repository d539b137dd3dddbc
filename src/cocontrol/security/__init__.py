"""Security building blocks of the platform, free of the web framework and of the database.

Each module is pure logic with its own tests; :mod:`cocontrol.service` wires them into the API:

- :mod:`.passwords`: argon2id hashing (OWASP parameters) and the password policy;
- :mod:`.tokens`: session ids, bearer tokens (scoped, revocable) and how they are stored (hashed);
- :mod:`.csrf`: the CSRF token bound to a session (signed double submit);
- :mod:`.ratelimit`: login rate limiting per client address and account lockout;
- :mod:`.roles`: roles, permissions and scopes as data (``data/security/roles.yaml``);
- :mod:`.uploads`: upload safety (size, sniffed type, zip bombs, external links, formulas);
- :mod:`.headers`: the security-headers ASGI middleware (CSP, frame-ancestors, nosniff, ...).

Formula-injection neutralising of exports lives in the I/O layer
(:mod:`cocontrol.project.cells`) so that the library's own exports use it too.
See docs/security.md for the threat model and the ASVS items each part covers.
"""

from cocontrol.security.errors import SecurityError, UploadRejected

__all__ = ["SecurityError", "UploadRejected"]
