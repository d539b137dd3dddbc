"""The web dashboard: server-rendered pages in the service's own process (``cocontrol serve``).

Pages are Jinja2 templates rendered by thin route handlers over the library; small vanilla JS
modules under ``/static`` draw charts with the plotly.js bundle of the installed ``plotly``
package (no CDN, no internet tiles). The same login, CSRF token and scoping as the API
(:mod:`cocontrol.service.access`). Each area is a module ``cocontrol.web.pages.<area>`` that
registers its pages, nav entry and required permission with :mod:`cocontrol.web.registry`;
``docs/dashboard.md`` explains the pattern and the stack decision.

:func:`install` is called by :func:`cocontrol.service.app.create_app`.
"""

from __future__ import annotations

from cocontrol.web.app import install

__all__ = ["install"]
