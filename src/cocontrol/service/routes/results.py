"""Stored results (``/api/results``): provenance, tables (JSON pages, tidy CSV, Excel, IAMC)
and report files (HTML, Excel workbooks written by the library's reports)."""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.project.cells import safe_frame
from cocontrol.service import store
from cocontrol.service.access import Need, Principal, scoped
from cocontrol.service.api import Page, PageDep, get_visible, paginate
from cocontrol.service.db import SessionDep
from cocontrol.service.models import Result
from cocontrol.service.problems import ApiError
from cocontrol.service.tasks import TASKS

router = APIRouter(prefix="/results", tags=["results"])
ResultId = Annotated[str, Path(min_length=1, max_length=36, pattern=r"^[0-9a-f\-]{1,36}$")]
Name = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]{1,80}$")]


class TableInfo(BaseModel):
    name: str
    rows: int
    columns: list[str]


class ResultOut(BaseModel):
    """A result and what it was computed from (so any number can be traced and reproduced)."""

    model_config = ConfigDict(from_attributes=True)
    id: str
    org_id: int
    job_id: str
    kind: str
    project_version_id: int | None
    input_hash: str
    code_version: str
    factor_version: str
    assumptions: dict
    provenance: dict | None = Field(None, description=(
        "the library's provenance shape (cocontrol.provenance.Provenance): project_hash, "
        "code_version, factor_version, assumptions; also in each Parquet file's metadata"))
    summary: dict
    created_at: dt.datetime
    tables: list[TableInfo] = []
    files: list[str] = []


class TablePage(BaseModel):
    name: str
    columns: list[str]
    rows: list[dict]
    total: int
    limit: int
    offset: int


def result_out(r: Result) -> ResultOut:
    out = ResultOut.model_validate({**{k: getattr(r, k) for k in (
        "id", "org_id", "job_id", "kind", "project_version_id", "input_hash", "code_version",
        "factor_version", "assumptions", "summary", "created_at")}})
    out.tables = [TableInfo(name=n, rows=t["rows"], columns=t["columns"])
                  for n, t in r.tables.get("tables", {}).items()]
    out.files = sorted(r.tables.get("files", {}))
    out.provenance = r.tables.get("provenance")
    return out


def get_result(session, principal: Principal, result_id: str) -> Result:
    return get_visible(session, principal, Result, result_id, "result")


@router.get("", response_model=Page[ResultOut])
def list_results(session: SessionDep, page: PageDep, principal: Need("results:read"),
                 kind: Literal[tuple(TASKS)] | None = None,  # type: ignore[valid-type]
                 project_version_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None):
    stmt = scoped(select(Result), principal, Result).order_by(Result.created_at.desc(),
                                                              Result.id)
    if kind:
        stmt = stmt.where(Result.kind == kind)
    if project_version_id is not None:
        stmt = stmt.where(Result.project_version_id == project_version_id)
    return paginate(session, stmt, page, result_out)


@router.get("/{result_id}", response_model=ResultOut)
def read_result(result_id: ResultId, session: SessionDep, principal: Need("results:read")):
    return result_out(get_result(session, principal, result_id))


def _table_path(request: Request, r: Result, name: str):
    t = r.tables.get("tables", {}).get(name)
    if t is None:
        raise ApiError(404, M("msg.api_result_no_table", id=r.id, name=repr(name),
                                   tables=Seq(r.tables.get("tables", {}), ", ", quote=True)
                                   if r.tables.get("tables") else M("msg.api_none")))
    return request.app.state.settings.results_dir / r.id / t["file"], t


def _jsonable(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "item"):
        return _jsonable(v.item())
    return v


@router.get("/{result_id}/tables/{name}", response_model=TablePage,
            responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-"
                                         "officedocument.spreadsheetml.sheet": {}}}})
def read_table(result_id: ResultId, name: Name, request: Request, session: SessionDep,
               principal: Need("results:read"),
               format: Literal["json", "csv", "xlsx"] = "json",  # noqa: A002
               limit: Annotated[int, Query(ge=1, le=10000)] = 500,
               offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    """One result table: a JSON page, or the whole table as tidy CSV or Excel. Missing values
    are null (not estimated), never 0."""
    r = get_result(session, principal, result_id)
    path, info = _table_path(request, r, name)
    if format == "json":
        df = store.read_parquet(path, limit, offset)
        rows = [{k: _jsonable(v) for k, v in row.items()}
                for row in df.astype(object).where(df.notna(), None).to_dict("records")]
        return TablePage(name=name, columns=info["columns"], rows=rows, total=info["rows"],
                         limit=limit, offset=offset)
    df = store.read_parquet(path)
    if format == "csv":  # spreadsheet formulas neutralised in every export
        return Response(safe_frame(df).to_csv(index=False), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="{r.kind}_{name}.csv"'})
    buf = io.BytesIO()
    safe_frame(df).to_excel(buf, index=False, sheet_name=name[:31])
    return Response(buf.getvalue(), media_type="application/vnd.openxmlformats-"
                    "officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{r.kind}_{name}.xlsx"'})


@router.get("/{result_id}/workbook",
            responses={200: {"content": {"application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet": {}}}})
def download_workbook(result_id: ResultId, request: Request, session: SessionDep,
                      principal: Need("results:read")):
    """Every table of a result in one Excel workbook, with a provenance sheet."""
    import pandas as pd

    r = get_result(session, principal, result_id)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as xw:
        prov = result_out(r).model_dump(mode="json", exclude={"tables", "files"})
        safe_frame(pd.DataFrame({"field": list(prov), "value": [str(v) for v in prov.values()]})
                   ).to_excel(xw, sheet_name="provenance", index=False)
        for name in r.tables.get("tables", {}):
            path, _ = _table_path(request, r, name)
            safe_frame(store.read_parquet(path)).to_excel(xw, sheet_name=name[:31],
                                                          index=False)
    return Response(buf.getvalue(), media_type="application/vnd.openxmlformats-"
                    "officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{r.kind}.xlsx"'})


MEDIA = {"html": "text/html; charset=utf-8", "xlsx": "application/vnd.openxmlformats-"
         "officedocument.spreadsheetml.sheet", "pdf": "application/pdf", "csv": "text/csv"}


@router.get("/{result_id}/files/{name}",
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def download_file(result_id: ResultId, name: Name, request: Request, session: SessionDep,
                  principal: Need("results:read")):
    """A report file of a result (the library's HTML report, Excel workbook ...)."""
    r = get_result(session, principal, result_id)
    f = r.tables.get("files", {}).get(name)
    if f is None:
        raise ApiError(404, M("msg.api_result_no_file", id=r.id, name=repr(name)))
    data = (request.app.state.settings.results_dir / r.id / f["file"]).read_bytes()
    media = MEDIA.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff"})
