"""The platform service: REST API (FastAPI), database (SQLAlchemy 2 + Alembic), background jobs
and a results store, as a thin shell over the library.

``cocontrol serve`` starts it; :func:`cocontrol.service.app.create_app` builds the application
from :class:`cocontrol.service.settings.Settings`. The contract between the API and the access
layer (authentication, permissions, tenancy scoping) is in :mod:`cocontrol.service.access` and
docs/architecture-service.md.
"""
