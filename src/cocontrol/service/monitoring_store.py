"""Monitoring rows of the service: series uploads, alerts and cases, stored per organisation.

Every table is tenant-owned (``org_id``) and read only through
:func:`cocontrol.service.access.scoped`, so another tenant's upload, alert or case is simply
not found (404). The computations are the library's (:mod:`cocontrol.monitoring`); this module
only stores their inputs and outputs:

- :class:`MonitoringUpload`: one indicator-series upload, every value with its ``source``
  (the rows exactly as validated by :func:`cocontrol.monitoring.series.from_frame`);
- :class:`MonitoringAlert`: one alert of a target assessed on an upload (the alert's JSON);
- :class:`MonitoringCase`: one case (a finding of the anomaly rules) and its workflow
  found → assigned → rectified → closed; the full :class:`cocontrol.monitoring.Case` is
  ``payload``, its status, owner and deadline are columns for the lists. Every workflow step
  is audited explicitly (:func:`step`), creations by the generic audit record.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from cocontrol.i18n import Msg as M
from cocontrol.monitoring import Case, CaseTransitionError, Evidence
from cocontrol.monitoring import transition as case_transition
from cocontrol.service import audit
from cocontrol.service.db import Base, utcnow


class MonitoringUpload(Base):
    """An indicator-series upload of an organisation (rows with their sources)."""

    __tablename__ = "monitoring_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sources: Mapped[list] = mapped_column(default=list)  # distinct sources of the rows
    rows: Mapped[list] = mapped_column(default=list)  # the validated upload rows
    n_rows: Mapped[int] = mapped_column(Integer)
    not_estimated: Mapped[int] = mapped_column(Integer, default=0)
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)


class MonitoringAlert(Base):
    """One target's alert computed on an upload (``payload`` is Alert.to_dict())."""

    __tablename__ = "monitoring_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("monitoring_uploads.id"), index=True)
    target: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16), index=True)
    probability_of_missing: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)


class MonitoringCase(Base):
    """A case of an organisation; ``key`` is the library's case id (one per finding)."""

    __tablename__ = "monitoring_cases"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    message: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def case_of(row: MonitoringCase) -> Case:
    """The library case stored in ``row``."""
    return Case.model_validate(row.payload)


def _mirror(row: MonitoringCase, case: Case) -> None:
    row.payload = case.model_dump(mode="json")
    row.status, row.owner, row.deadline = case.status, case.owner, case.deadline


def add_cases(session: Session, org_id: int, cases: list[Case],
              user_id: int | None) -> tuple[list[MonitoringCase], int]:
    """Store new cases of ``org_id``; a finding already stored as a case is not duplicated.

    Returns the stored rows (new and existing, in the order of ``cases``) and how many were
    new."""
    keys = [c.id for c in cases]
    existing = {r.key: r for r in session.scalars(select(MonitoringCase).where(
        MonitoringCase.org_id == org_id, MonitoringCase.key.in_(keys)))} if keys else {}
    out, new = [], 0
    for c in cases:
        row = existing.get(c.id)
        if row is None:
            row = MonitoringCase(org_id=org_id, key=c.id, rule=c.finding.rule,
                                 entity=c.finding.entity, message=c.finding.message_en,
                                 created_by=user_id)
            _mirror(row, c)
            session.add(row)
            existing[c.id] = row
            new += 1
        out.append(row)
    session.flush()
    return out, new


def step(session: Session, row: MonitoringCase, to: str, by: str, note: str = "",
         owner: str | None = None, evidence: Evidence | None = None,
         deadline: dt.date | None = None) -> MonitoringCase:
    """One workflow step of a stored case, audited (``monitoring_case.<to>``).

    Raises :class:`cocontrol.monitoring.CaseTransitionError` (nothing changed, nothing
    recorded) when the step is not allowed."""
    before = case_of(row)
    after = case_transition(before, to, by, utcnow(), note, owner, evidence)
    if deadline is not None:
        if to != "assigned":
            raise CaseTransitionError(M("msg.mon_case_deadline", id=row.id))
        after = after.model_copy(update={"deadline": deadline})
    _mirror(row, after)
    row.updated_at = utcnow()
    audit.record(session, f"monitoring_case.{to}", object_type="monitoring_case",
                 object_id=row.id, org_id=row.org_id,
                 before=before.model_dump(mode="json"), after=row.payload,
                 detail={"from": before.status, "to": to, "owner": after.owner,
                         "evidence": len(after.evidence) - len(before.evidence)})
    return row
