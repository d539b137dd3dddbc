"""Publishing results for the public or for green-finance readers (``/api/publications``),
and what those readers see (``/api/published``).

Publishing is an explicit act of someone holding ``results:publish`` on an object inside their
jurisdiction; it and its withdrawal are audited. Readers of the ``published`` scope (finance,
public) reach an object only through a live publication for their audience.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cocontrol.i18n import Msg as M
from cocontrol.service import audit
from cocontrol.service.access import Need, scoped
from cocontrol.service.api import Id, Page, PageDep, paginate
from cocontrol.service.db import SessionDep, utcnow
from cocontrol.service.problems import ApiError
from cocontrol.service.security_models import Publication

router = APIRouter(tags=["publications"])

Audience = Literal["public", "finance"]


def publishable_models() -> dict[str, type]:
    """object_type -> model of every table that declares ``__publishable__``."""
    from cocontrol.service.db import Base

    return {m.class_.__publishable__: m.class_ for m in Base.registry.mappers
            if getattr(m.class_, "__publishable__", None)}


class PublicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    object_type: str = Field(max_length=32, description="e.g. 'result' or 'project'")
    object_id: str = Field(min_length=1, max_length=64)
    audience: Audience
    title: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=2000)


class PublicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    org_id: int
    object_type: str
    object_id: str
    audience: str
    title: str | None
    note: str | None
    published_at: dt.datetime
    published_by: int | None
    withdrawn_at: dt.datetime | None


class PublishedOut(BaseModel):
    publication: PublicationOut
    object: dict


def _values(p: Publication) -> dict:
    return {k: getattr(p, k) for k in ("org_id", "object_type", "object_id", "audience",
                                       "title", "withdrawn_at")}


@router.post("/publications", response_model=PublicationOut, status_code=201)
def publish(data: PublicationIn, session: SessionDep, principal: Need("results:publish")):
    models = publishable_models()
    model = models.get(data.object_type)
    if model is None:
        raise ApiError(422, M("msg.api_object_type_one_of", types=str(sorted(models))))
    key = model.id.type.python_type(data.object_id) if model.id.type.python_type is int \
        and data.object_id.isdigit() else data.object_id
    obj = session.scalar(scoped(select(model).where(model.id == key), principal, model))
    if obj is None:
        raise ApiError(404, M("msg.api_object_not_found", type=data.object_type, id=data.object_id))
    live = session.scalar(select(Publication).where(
        Publication.object_type == data.object_type, Publication.object_id == str(obj.id),
        Publication.audience == data.audience, Publication.withdrawn_at.is_(None)))
    if live is not None:
        raise ApiError(409, M("msg.api_already_published", audience=data.audience, id=live.id))
    pub = Publication(org_id=obj.org_id, object_type=data.object_type, object_id=str(obj.id),
                      audience=data.audience, title=data.title, note=data.note,
                      published_by=principal.user_id)
    session.add(pub)
    session.flush()
    audit.record(session, "publish", object_type=data.object_type, object_id=obj.id,
                 org_id=obj.org_id, after=_values(pub),
                 detail={"audience": data.audience, "publication": pub.id})
    return PublicationOut.model_validate(pub)


@router.get("/publications", response_model=Page[PublicationOut])
def list_publications(session: SessionDep, page: PageDep, principal: Need("results:publish"),
                      withdrawn: bool = False):
    stmt = scoped(select(Publication), principal, Publication).order_by(Publication.id.desc())
    if not withdrawn:
        stmt = stmt.where(Publication.withdrawn_at.is_(None))
    return paginate(session, stmt, page, PublicationOut.model_validate)


@router.delete("/publications/{publication_id}", response_model=PublicationOut)
def withdraw(publication_id: Id, session: SessionDep, principal: Need("results:publish")):
    pub = session.scalar(scoped(select(Publication).where(Publication.id == publication_id),
                                principal, Publication))
    if pub is None:
        raise ApiError(404, M("msg.api_publication_not_found", id=publication_id))
    if pub.withdrawn_at is None:
        before = _values(pub)
        pub.withdrawn_at, pub.withdrawn_by = utcnow(), principal.user_id
        audit.record(session, "withdraw", object_type=pub.object_type, object_id=pub.object_id,
                     org_id=pub.org_id, before=before, after=_values(pub),
                     detail={"publication": pub.id, "audience": pub.audience})
    return PublicationOut.model_validate(pub)


def _summary(session, pub: Publication) -> dict:
    model = publishable_models().get(pub.object_type)
    if model is None:
        return {}
    obj = session.get(model, int(pub.object_id) if model.id.type.python_type is int
                      else pub.object_id)
    if obj is None:
        return {}
    fields = getattr(model, "__published_fields__", ("id",))
    return {f: getattr(obj, f) for f in fields}


@router.get("/published", response_model=Page[PublishedOut])
def list_published(session: SessionDep, page: PageDep, principal: Need("published:read"),
                   audience: Annotated[Audience | None, Query()] = None):
    """What the caller may read as published (the public page, finance readers)."""
    stmt = scoped(select(Publication), principal, Publication).where(
        Publication.withdrawn_at.is_(None)).order_by(Publication.id.desc())
    if audience:
        stmt = stmt.where(Publication.audience == audience)
    return paginate(session, stmt, page, lambda p: {
        "publication": PublicationOut.model_validate(p), "object": _summary(session, p)})


@router.get("/published/{publication_id}", response_model=PublishedOut)
def read_published(publication_id: Id, session: SessionDep,
                   principal: Need("published:read")):
    pub = session.scalar(scoped(select(Publication).where(
        Publication.id == publication_id, Publication.withdrawn_at.is_(None)),
        principal, Publication))
    if pub is None:
        raise ApiError(404, M("msg.api_publication_not_found", id=publication_id))
    return {"publication": PublicationOut.model_validate(pub), "object": _summary(session, pub)}
