"""Shared pieces of the routers: pagination and the page model."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

#: a database id in a path
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(request: Request,
                limit: Annotated[int, Query(ge=1, le=500, description="page size")] = 50,
                offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> PageParams:
    return PageParams(limit=min(limit, request.app.state.settings.page_size_max), offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


def paginate(session: Session, stmt: Select, page: PageParams, convert) -> dict:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.limit(page.limit).offset(page.offset)).all()
    return {"items": [convert(r) for r in rows], "total": int(total or 0),
            "limit": page.limit, "offset": page.offset}


def get_visible(session: Session, principal, model, object_id, what: str):
    """One tenant-owned object by id through the scoping layer, or 404 (another tenant's
    object is not found, never forbidden)."""
    from cocontrol.service.access import scoped
    from cocontrol.service.problems import ApiError

    obj = session.scalar(scoped(select(model).where(model.id == object_id), principal, model))
    if obj is None:
        from cocontrol import i18n

        kind = i18n.Msg(f"obj.{what}") if i18n.has(f"obj.{what}") else what
        raise ApiError(404, i18n.Msg("msg.api_object_not_found", type=kind, id=object_id))
    return obj
