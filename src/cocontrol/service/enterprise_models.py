"""Enterprise rows of the service: permits, accounts, product footprints, synergy projects,
park targets and park accounts, stored per organisation.

Every table is tenant-owned (``org_id``: the enterprise's organisation, or the park's or
bureau's for a row they own) and read only through :func:`cocontrol.service.access.scoped`,
so another enterprise's permit, account, footprint or project is simply not found (404). A
park user sees the rows of its park's enterprises (the park's subtree), the bureau all of its
jurisdiction. The computations are the library's (:mod:`cocontrol.enterprise`); this module
stores their inputs (the library's own models as JSON, validated again when read) and their
outputs:

- :class:`EnterprisePermit`: a :class:`cocontrol.enterprise.Permit` and its last compliance
  assessment (rows of :func:`cocontrol.enterprise.compliance` and the worst status);
- :class:`EnterpriseAccount`: one computed carbon–pollution account
  (:meth:`cocontrol.enterprise.EnterpriseAccount.to_dict`) with the project version it was
  computed from, its carbon-efficiency level and colour, and the stored A–D grade;
- :class:`EnterpriseFootprint`: a :class:`cocontrol.enterprise.Product` and its footprint
  (:meth:`cocontrol.enterprise.FootprintResult.to_dict`);
- :class:`SynergyProjectRow`: a :class:`cocontrol.enterprise.SynergyProject` (status and
  evidence) and its co-benefits computed by the engine (:meth:`CoBenefits.summary`);
- :class:`ParkTargetRow`: a :class:`cocontrol.enterprise.parks.ParkTarget` of a park;
- :class:`ParkAccountRow`: a park's account aggregated from its enterprises, the status and
  alert level of its targets and its evaluation score and rank (owned by the park).

Status changes of a project go through the library's workflow and are audited explicitly
(:func:`project_step`); creations and assessments by the generic audit record.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

import numpy as np
from sqlalchemy import Date, Float, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from cocontrol.enterprise import Permit, Product, SynergyProject
from cocontrol.enterprise.parks import ParkTarget
from cocontrol.enterprise.projects import Evidence
from cocontrol.enterprise.projects import transition as project_transition
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg
from cocontrol.service import audit
from cocontrol.service.db import Base, utcnow

#: order of the compliance statuses, worst last (the permit's status is its worst item)
STATUS_ORDER = ("within", "not assessed", "near", "exceeded", "permit expired")


class EnterprisePermit(Base):
    """A pollutant-discharge permit with carbon of an organisation and its last assessment."""

    __tablename__ = "enterprise_permits"
    __table_args__ = (UniqueConstraint("org_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    number: Mapped[str] = mapped_column(String(100))
    enterprise_key: Mapped[str] = mapped_column(String(64))
    industry: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    payload: Mapped[dict] = mapped_column(default=dict)  # Permit.model_dump(mode="json")
    status: Mapped[str | None] = mapped_column(String(16))  # worst item of the assessment
    compliance: Mapped[list] = mapped_column(default=list)  # rows of the last assessment
    assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    assessed_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EnterpriseAccount(Base):
    """A computed carbon–pollution account of an enterprise (``payload``: to_dict())."""

    __tablename__ = "enterprise_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    enterprise_key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    project_version_id: Mapped[int | None] = mapped_column(ForeignKey("project_versions.id"))
    payload: Mapped[dict] = mapped_column(default=dict)
    carbon_level: Mapped[int | None] = mapped_column(Integer)
    carbon_colour: Mapped[str | None] = mapped_column(String(16))
    performance_grade: Mapped[str | None] = mapped_column(String(1))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)


class EnterpriseFootprint(Base):
    """A product of an organisation and its cradle-to-gate footprint."""

    __tablename__ = "enterprise_footprints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    product_key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    product: Mapped[dict] = mapped_column(default=dict)  # Product.model_dump(mode="json")
    result: Mapped[dict] = mapped_column(default=dict)  # FootprintResult.to_dict()
    value_kg: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)


class SynergyProjectRow(Base):
    """A project of the synergy project library and its computed co-benefits."""

    __tablename__ = "synergy_projects"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    payload: Mapped[dict] = mapped_column(default=dict)  # SynergyProject.model_dump(json)
    benefits: Mapped[dict | None] = mapped_column()  # CoBenefits.summary()
    benefits_year: Mapped[int | None] = mapped_column(Integer)
    project_version_id: Mapped[int | None] = mapped_column(ForeignKey("project_versions.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ParkTargetRow(Base):
    """A target of a park (owned by the park's organisation): a cap on a species' annual
    emissions or on an intensity (:class:`cocontrol.enterprise.parks.ParkTarget`)."""

    __tablename__ = "park_targets"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    species: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    max: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(default=dict)  # ParkTarget.model_dump(mode="json")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)


class ParkAccountRow(Base):
    """A computed park account (owned by the park's organisation): totals and the breakdown
    by enterprise from a project version's inventory, the status and alert level of the
    park's targets, and its score and rank in an evaluation of parks (``payload``)."""

    __tablename__ = "park_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    park_key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    project_version_id: Mapped[int | None] = mapped_column(ForeignKey("project_versions.id"))
    level: Mapped[str | None] = mapped_column(String(16))  # worst alert level of the targets
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer)


# -- the library objects stored in the rows --------------------------------------------------
def permit_of(row: EnterprisePermit) -> Permit:
    return Permit.model_validate(row.payload)


def product_of(row: EnterpriseFootprint) -> Product:
    return Product.model_validate(row.product)


def project_of(row: SynergyProjectRow) -> SynergyProject:
    return SynergyProject.model_validate(row.payload)


def records(df) -> list[dict]:
    """A table as JSON records (NaN and ±inf as None: JSON has neither)."""
    if df is None:
        return []
    out = df.astype(object).where(df.notna(), None).to_dict("records")
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else
                 v.item() if isinstance(v, np.generic) else v) for k, v in r.items()}
            for r in out]


def worst(statuses) -> str | None:
    """The worst compliance status of a permit's items (None without items)."""
    st = [s for s in statuses if s in STATUS_ORDER]
    return max(st, key=STATUS_ORDER.index) if st else None


def new_permit(org_id: int, permit: Permit, user_id: int | None) -> EnterprisePermit:
    return EnterprisePermit(org_id=org_id, number=permit.number,
                            enterprise_key=permit.enterprise_id, industry=permit.industry,
                            valid_from=permit.valid_from, valid_to=permit.valid_to,
                            payload=permit.model_dump(mode="json"), created_by=user_id)


def store_compliance(row: EnterprisePermit, table, on: dt.date, near: float = 0.9
                     ) -> EnterprisePermit:
    """Store an assessment; each row keeps the ``near`` share it was judged with (the
    derivation of its status shows the rule with that share)."""
    row.compliance = [{**r, "near": float(near)} for r in records(table)]
    row.status = worst(table["status"])
    row.assessed_on = on
    row.assessed_at = row.updated_at = utcnow()
    return row


def version_info(session: Session, version_id: int | None) -> dict | None:
    """What a stored number says of the project version it was computed from: project name
    and id, version number and id, content hash (None without a version). The caller found
    the version through the scoping layer (a computation reads it so)."""
    from cocontrol.service.models import Project, ProjectVersion

    v = None if version_id is None else session.get(ProjectVersion, version_id)
    if v is None:
        return None
    p = session.get(Project, v.project_id)
    return {"project": p.name, "project_id": p.id, "version": v.number, "version_id": v.id,
            "content_hash": v.content_hash}


def new_account(org_id: int, acc, version_id: int | None, user_id: int | None,
                illustrative: bool = False, inventory=None, version: dict | None = None
                ) -> EnterpriseAccount:
    """A row of an :class:`cocontrol.enterprise.EnterpriseAccount`; the carbon level and
    colour are those of the last benchmark year; ``illustrative``: the project the inventory
    comes from is illustrative (its manifest says so), kept with the account and shown.
    With the ``inventory`` it was computed from, the activity rows behind every annual
    number are kept with it (``payload["derivation"]``,
    :func:`cocontrol.enterprise.derivation.account_record`, with ``version``,
    :func:`version_info`): the enterprise reads them from its own row."""
    level = colour = None
    if acc.benchmark is not None and len(acc.benchmark):
        last = acc.benchmark.sort_values("year").iloc[-1]
        level, colour = int(last["level"]), str(last["colour"])
    payload = acc.to_dict()
    payload["illustrative"] = bool(illustrative)
    if inventory is not None:
        payload["derivation"] = _record("account", inventory, acc, version)
    for k in ("annual", "monthly", "intensities", "benchmark", "peers"):
        payload[k] = None if getattr(acc, k) is None else records(getattr(acc, k))
    return EnterpriseAccount(org_id=org_id, enterprise_key=acc.enterprise_id, name=acc.name,
                             project_version_id=version_id, payload=payload,
                             carbon_level=level, carbon_colour=colour,
                             performance_grade=None if acc.performance is None
                             else acc.performance.grade, created_by=user_id)


def new_footprint(org_id: int, product: Product, result, user_id: int | None
                  ) -> EnterpriseFootprint:
    res = result.to_dict()
    res["contributions"] = records(result.contributions)
    res["by_stage"] = records(result.by_stage())
    return EnterpriseFootprint(org_id=org_id, product_key=product.id, name=product.name,
                               product=product.model_dump(mode="json"), result=res,
                               value_kg=float(result.value_kg), created_by=user_id)


def new_project(org_id: int, project: SynergyProject, user_id: int | None
                ) -> SynergyProjectRow:
    """A row of a new library project; one at funded, built or verified must carry evidence
    (the workflow asks for it at each of these steps)."""
    if project.status in ("funded", "built", "verified") and not project.evidence:
        raise InputError(Problem(file="<project library>", column="evidence",
                                 message=Msg("msg.ent_status_needs_evidence", project=project.id,
                                             status=Msg(f"ent_pstatus_{project.status}")),
                                 expected=Msg("exp.ent_evidence_records")))
    return SynergyProjectRow(org_id=org_id, key=project.id, name=project.name,
                             status=project.status, payload=project.model_dump(mode="json"),
                             created_by=user_id)


def store_benefits(row: SynergyProjectRow, benefits, version_id: int | None
                   ) -> SynergyProjectRow:
    s = benefits.summary()
    row.benefits = {k: (None if isinstance(v, float) and not np.isfinite(v) else
                        v.item() if isinstance(v, np.generic) else v) for k, v in s.items()}
    row.benefits_year = int(benefits.year)
    row.project_version_id = version_id
    row.updated_at = utcnow()
    return row


def project_step(session: Session, row: SynergyProjectRow, to: str,
                 evidence: Evidence | None) -> SynergyProjectRow:
    """One status step of a stored project through the library's workflow, audited
    (``synergy_project.<to>``). Raises :class:`cocontrol.errors.InputError` (nothing changed)
    when the step is not allowed."""
    before = project_of(row)
    after = project_transition(before, to, evidence)
    row.payload = after.model_dump(mode="json")
    row.status = after.status
    row.updated_at = utcnow()
    audit.record(session, f"synergy_project.{to}", object_type="synergy_project",
                 object_id=row.id, org_id=row.org_id, before=before.model_dump(mode="json"),
                 after=row.payload, detail={"from": before.status, "to": to,
                                            "evidence": len(after.evidence)
                                            - len(before.evidence)})
    return row


#: order of the alert levels, worst last (a park account's level is its worst target's)
LEVEL_ORDER = ("not estimated", "green", "yellow", "red")


def park_target_of(row: ParkTargetRow) -> ParkTarget:
    return ParkTarget.model_validate(row.payload)


def new_park_target(org_id: int, target: ParkTarget, user_id: int | None) -> ParkTargetRow:
    return ParkTargetRow(org_id=org_id, key=target.id, species=target.species,
                         year=target.year, kind=target.kind, max=target.max,
                         unit=target.unit, payload=target.model_dump(mode="json"),
                         created_by=user_id)


def new_park_account(org_id: int, acc, targets, evaluation: dict | None,
                     version_id: int | None, user_id: int | None,
                     illustrative: bool = False, inventory=None, version: dict | None = None
                     ) -> ParkAccountRow:
    """A row of a :class:`cocontrol.enterprise.ParkAccount` with its targets table
    (:func:`cocontrol.enterprise.parks.park_targets`) and its evaluation
    (:func:`cocontrol.enterprise.parks.park_score`, or None); ``illustrative``: the project
    or the evaluation values are illustrative (shown on the page). With the ``inventory``,
    the activity rows of the park's lines behind every total (each with its enterprise) are
    kept with it (:func:`cocontrol.enterprise.derivation.park_record`, ``version``)."""
    levels = [lv for lv in ([] if targets is None else targets["level"]) if lv in LEVEL_ORDER]
    payload = {"park": acc.park_id, "name": acc.name, "enterprises": list(acc.enterprises),
               "total": records(acc.total), "by_enterprise": records(acc.by_enterprise),
               "park_only": records(acc.park_only), "notes": list(acc.notes),
               "targets": records(targets), "evaluation": evaluation,
               "illustrative": bool(illustrative)}
    if inventory is not None:
        payload["derivation"] = _record("park", inventory, acc, version)
    return ParkAccountRow(org_id=org_id, park_key=acc.park_id, name=acc.name,
                          project_version_id=version_id,
                          level=max(levels, key=LEVEL_ORDER.index) if levels else None,
                          score=None if evaluation is None else evaluation["score"],
                          rank=None if evaluation is None else evaluation["rank"],
                          payload=payload, created_by=user_id)


def existing(session: Session, model, org_id: int, **keys):
    """The row of ``model`` of ``org_id`` with these key columns, or None."""
    stmt = select(model).where(model.org_id == org_id,
                               *(getattr(model, k) == v for k, v in keys.items()))
    return session.scalar(stmt)


# -- the project a computation reads (through the scoping layer, cached by content hash) -----
_CACHE: OrderedDict[tuple[str, str], object] = OrderedDict()
_LOCK = threading.Lock()
CACHE_SIZE = 4
#: scenario runs of this module one at a time: the engine's pool of emission buffers
#: (cocontrol.scenario.engine._buffer) is process-wide and not made for threads
RUNS = threading.Lock()


#: activity-row records of stored numbers (:func:`_record`), apart: they are small and many
_RECORDS: OrderedDict[tuple, object] = OrderedDict()
RECORDS_SIZE = 32


def _cached(key: tuple, make, cache: OrderedDict = _CACHE, size: int = CACHE_SIZE):
    with _LOCK:
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            return hit
    value = make()
    with _LOCK:
        cache[key] = value
        while len(cache) > size:
            cache.popitem(last=False)
    return value


def _record(kind: str, inventory, acc, version: dict | None) -> dict:
    """The activity rows behind a stored account (``kind`` account or park,
    :func:`cocontrol.enterprise.derivation.account_record` / ``park_record``) with
    ``version``; made once per project content, enterprise or park and cells (the same
    account computed again from the same content has the same rows) and shared read-only."""
    from cocontrol.enterprise import derivation as ed

    if kind == "account":
        key = acc.enterprise_id, tuple(map(tuple, acc.annual[["species", "year", "scope"]]
                                           .astype(str).to_numpy().tolist()))
        make = ed.account_record
    else:
        key = acc.park_id, tuple(map(tuple, acc.total[["species", "year"]].astype(str)
                                     .to_numpy().tolist()))
        make = ed.park_record
    rec = _cached(("rows", kind, inventory.provenance().project_hash, *key),
                  lambda: make(inventory, acc), _RECORDS, RECORDS_SIZE)
    return {**rec, "version": dict(version) if version else None}


def _version(session: Session, principal, version_id: int):
    from cocontrol.service.api import get_visible
    from cocontrol.service.models import ProjectVersion

    return get_visible(session, principal, ProjectVersion, version_id, "project version")


def _loaded(session: Session, v) -> tuple[object, object]:
    """(project, inventory) of a version (the version was found through the scoping layer)."""
    def make():
        from cocontrol.inventory import compute
        from cocontrol.project import load_project
        from cocontrol.service import projects

        files = projects.version_files(session, v)
        with projects.materialised(files) as folder:
            project = load_project(folder)
        return project, compute(project)
    return _cached(("project", v.content_hash), make)


def context(session: Session, principal, version_id: int, data):
    """The library's :class:`cocontrol.enterprise.runner.Context` of a visible project version
    (404 otherwise) with the enterprise inputs ``data``."""
    from cocontrol.enterprise.runner import Context

    project, inventory = _loaded(session, _version(session, principal, version_id))
    return Context(project, data, inventory)


def scenario_base(session: Session, principal, version_id: int):
    """The prepared scenario base (:func:`cocontrol.scenario.prepare`) of a visible version."""
    v = _version(session, principal, version_id)

    def make():
        from cocontrol.scenario import prepare

        return prepare(_loaded(session, v)[0])
    return _cached(("base", v.content_hash), make)
