"""Tables of the service. Each tenant-owned table has ``org_id`` (the owning organisation);
every query of such rows goes through :func:`cocontrol.service.access.scoped`.

Relationships are ``lazy="raise"``: no implicit I/O, N+1 queries show up as errors.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cocontrol.service.db import Base, utcnow

# Job states. A job is "done" only when its result is stored in the same transaction.
QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, INTERRUPTED = (
    "queued", "running", "succeeded", "failed", "cancelled", "timed_out", "interrupted")
JOB_STATES = (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, INTERRUPTED)
FINAL_STATES = (SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, INTERRUPTED)


class Organisation(Base):
    """An organisation of the region tree: bureau → district → park → enterprise → facility.
    The organisation is its own tenant (``__tenant_column__ = "id"``)."""

    __tablename__ = "organisations"
    __tenant_column__ = "id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class User(Base):
    """A user of an organisation (the access stub's minimum; `security` extends it)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    roles: Mapped[list] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # accounts (security): argon2id PHC string; None for identity-provider accounts
    password_hash: Mapped[str | None] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    identity_provider: Mapped[str | None] = mapped_column(String(64))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[dt.datetime | None] = mapped_column()
    locked_until: Mapped[dt.datetime | None] = mapped_column()
    last_login_at: Mapped[dt.datetime | None] = mapped_column()
    password_changed_at: Mapped[dt.datetime | None] = mapped_column()
    #: the language the user chose for pages and messages (``zh``/``en``; None: not chosen,
    #: Chinese first); kept with the account, so it follows the user to another browser
    lang: Mapped[str | None] = mapped_column(String(8))


class Project(Base):
    __tablename__ = "projects"
    __publishable__ = "project"  # may be published (finance readers' project library)
    __published_fields__ = ("id", "name", "description", "created_at")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)


class ProjectVersion(Base):
    """An immutable version of a project's files; ``content_hash`` identifies its content."""

    __tablename__ = "project_versions"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    message: Mapped[str | None] = mapped_column(Text)
    files: Mapped[list] = mapped_column(default=list)  # [{path, sha256, size}]
    warnings: Mapped[list] = mapped_column(default=list)  # Problem dicts
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)


class Blob(Base):
    """Content-addressed file content of project versions (reached only through a version)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("org_id", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(default=dict)
    project_version_id: Mapped[int | None] = mapped_column(ForeignKey("project_versions.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    message_zh: Mapped[str | None] = mapped_column(Text)  # the same message in Chinese
    error: Mapped[dict | None] = mapped_column()
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    time_limit_s: Mapped[float] = mapped_column(Float)
    executor: Mapped[str | None] = mapped_column(String(32))
    instance: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(Integer)


class Result(Base):
    """A stored result: its tables are Parquet files under the results folder; every result
    records what it was computed from (project version, input hash, code and factor
    versions)."""

    __tablename__ = "results"
    __publishable__ = "result"  # may be published for the public / finance readers
    __published_fields__ = ("id", "kind", "summary", "created_at", "code_version",
                            "factor_version")

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    project_version_id: Mapped[int | None] = mapped_column(ForeignKey("project_versions.id"))
    input_hash: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(64))
    factor_version: Mapped[str] = mapped_column(String(64))
    assumptions: Mapped[dict] = mapped_column(default=dict)
    tables: Mapped[dict] = mapped_column(default=dict)  # name -> {file, rows, columns}
    summary: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
