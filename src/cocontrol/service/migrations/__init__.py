"""Alembic environment and migration scripts of the service database."""
