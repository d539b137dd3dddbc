"""Organisations and the region tree (``/api/organisations``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cocontrol.i18n import Msg as M
from cocontrol.service.access import Need, scoped
from cocontrol.service.api import Id, Page, PageDep, get_visible, paginate
from cocontrol.service.db import SessionDep
from cocontrol.service.models import Organisation
from cocontrol.service.problems import ApiError

router = APIRouter(prefix="/organisations", tags=["organisations"])

Level = Literal["province", "city", "district", "park", "enterprise", "facility"]
RANK = {"province": 0, "city": 1, "district": 2, "park": 3, "enterprise": 4, "facility": 5}
CODE = r"^[A-Za-z0-9_.\-]{1,64}$"


class OrgIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=CODE, description="unique code, letters, digits, _ . -")
    name: str = Field(min_length=1, max_length=200)
    name_zh: str | None = Field(None, max_length=200)
    level: Level
    parent_id: int | None = Field(None, ge=1, le=2**31 - 1)
    region_code: str | None = Field(None, pattern=CODE)


class OrgOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    parent_id: int | None
    code: str
    name: str
    name_zh: str | None
    level: str
    region_code: str | None


class OrgNode(OrgOut):
    children: list[OrgNode] = []


def get_org(session, principal, org_id: int) -> Organisation:
    return get_visible(session, principal, Organisation, org_id, "organisation")


@router.get("", response_model=Page[OrgOut])
def list_orgs(session: SessionDep, page: PageDep, principal: Need("orgs:read"),
              level: Level | None = None,
              parent_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
              q: Annotated[str | None, Query(max_length=100, description="name contains")]
              = None):
    stmt = scoped(select(Organisation), principal, Organisation).order_by(Organisation.id)
    if level:
        stmt = stmt.where(Organisation.level == level)
    if parent_id is not None:
        stmt = stmt.where(Organisation.parent_id == parent_id)
    if q:
        stmt = stmt.where(Organisation.name.contains(q) | Organisation.name_zh.contains(q))
    return paginate(session, stmt, page, OrgOut.model_validate)


@router.get("/tree", response_model=list[OrgNode])
def org_tree(session: SessionDep, principal: Need("orgs:read")):
    """The visible organisations as a tree (roots: those whose parent is not visible)."""
    orgs = session.scalars(scoped(select(Organisation), principal, Organisation)
                           .order_by(Organisation.id)).all()
    nodes = {o.id: OrgNode.model_validate(o) for o in orgs}
    roots = []
    for o in orgs:
        parent = nodes.get(o.parent_id) if o.parent_id is not None else None
        (parent.children if parent else roots).append(nodes[o.id])
    return roots


@router.get("/{org_id}", response_model=OrgOut)
def read_org(org_id: Id, session: SessionDep,
             principal: Need("orgs:read")):
    return OrgOut.model_validate(get_org(session, principal, org_id))


@router.post("", response_model=OrgOut, status_code=201)
def create_org(data: OrgIn, session: SessionDep, principal: Need("orgs:write")):
    if data.parent_id is not None:
        parent = get_org(session, principal, data.parent_id)
        if RANK[parent.level] >= RANK[data.level]:
            raise ApiError(422, M("msg.api_org_level_under", level=M(f"org_level.{data.level}"),
                                         parent=M(f"org_level.{parent.level}")))
    if session.scalar(select(Organisation.id).where(Organisation.code == data.code)):
        raise ApiError(409, M("msg.api_org_code_taken", code=repr(data.code)))
    org = Organisation(**data.model_dump())
    session.add(org)
    session.commit()
    return OrgOut.model_validate(org)
