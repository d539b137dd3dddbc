"""Projects and their immutable versions (service functions; the routes call these).

A version is a set of files (the project folder: project.yaml, the input tables as CSV or
Excel, scenarios.yaml ...). Each upload makes a new version from a base version plus the
uploaded files; its ``content_hash`` is the SHA-256 of the sorted (path, file SHA-256) pairs,
so equal content has an equal hash. A version is validated like ``cocontrol validate`` before it
is stored; a version with errors is refused with every problem (file, row, column).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cocontrol import io
from cocontrol.errors import CocontrolError, InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.service.models import Blob, Project, ProjectVersion
from cocontrol.service.problems import ApiError

FILE_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}\.(csv|xlsx|yaml|yml|md|txt|geojson)$")
#: the project's map (region boundaries as polygons, enterprises/parks/stations as points)
MAP_FILE = "boundaries.geojson"
TABLE_EXT = (".csv", ".xlsx")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(f"{path}\0{sha(files[path])}\n".encode())
    return h.hexdigest()


def check_names(names: list[str]) -> None:
    bad = [n for n in names if not FILE_NAME.match(n)]
    if bad:
        raise ApiError(422, M("msg.api_plain_file_names"), [
            Problem(file=n, message=M("msg.api_file_name_refused"),
                    expected=M("msg.api_file_name_rule")) for n in bad])


def check_tables(uploaded: dict[str, bytes]) -> None:
    """Every uploaded table passes the upload safety checks of :mod:`cocontrol.security`
    (type by content, zip bombs, macros, external links, formulas); all refusals at once."""
    from cocontrol.security.errors import UploadRejected
    from cocontrol.security.uploads import check_upload

    problems = []
    for name, data in uploaded.items():
        if not name.endswith(TABLE_EXT):
            continue
        try:
            check_upload(data, name)
        except UploadRejected as e:
            problems.append(Problem(file=name, message=e.msg(),
                                    expected=M("msg.api_plain_table")))
    if problems:
        raise ApiError(422, M("msg.api_files_refused", n=len(problems)), problems,
                       code="upload_rejected")


def version_files(session, v: ProjectVersion) -> dict[str, bytes]:
    blobs = {b.sha256: b.data for b in session.scalars(
        select(Blob).where(Blob.sha256.in_([f["sha256"] for f in v.files])))}
    return {f["path"]: blobs[f["sha256"]] for f in v.files}


@contextmanager
def materialised(files: dict[str, bytes]):
    with tempfile.TemporaryDirectory(prefix="cocontrol-project-") as tmp:
        folder = Path(tmp)
        for name, data in files.items():
            io.write_bytes(folder / name, data)
        yield folder


def validate(files: dict[str, bytes]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of a project's files, as ``cocontrol validate`` finds them."""
    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    if "project.yaml" not in files:
        return [Problem(file="project.yaml", message=M("msg.api_missing"),
                        expected=M("msg.api_manifest"))], []
    with materialised(files) as folder:
        try:
            proj = load_project(folder)
            inv = compute(proj, strict=False)
        except InputError as e:
            return [p for p in e.problems if p.severity == "error"] or e.problems, []
        except CocontrolError as e:
            return [Problem(file="project", message=str(e))], []
        errors = list(inv.missing) if inv.missing else []
        errors += map_problems(files)
        return errors, list(proj.warnings)


def map_problems(files: dict[str, bytes]) -> list[Problem]:
    """Problems of the project's map file (:data:`MAP_FILE`), if it has one: JSON text, a
    FeatureCollection of polygons and points with a ``code`` each (cocontrol.geomap)."""
    from cocontrol import geomap

    if MAP_FILE not in files:
        return []
    try:
        geomap.split(io.read_json(MAP_FILE, files[MAP_FILE].decode("utf-8")), file=MAP_FILE)
    except UnicodeDecodeError:
        return [Problem(file=MAP_FILE, message=M("msg.api_not_utf8"),
                        expected=M("msg.api_geojson_utf8"))]
    except InputError as e:
        return list(e.problems)
    return []


def merge(base: dict[str, bytes], uploaded: dict[str, bytes], remove: list[str]
          ) -> dict[str, bytes]:
    """Base files, minus ``remove``, with ``uploaded`` replacing files of the same table (an
    uploaded activity.xlsx replaces activity.csv)."""
    out = {k: v for k, v in base.items() if k not in set(remove)}
    for name in uploaded:
        stem, ext = name.rsplit(".", 1)
        if f".{ext}" in TABLE_EXT:
            for e in TABLE_EXT:
                out.pop(f"{stem}{e}", None)
    out.update(uploaded)
    return out


def latest(session, project: Project) -> ProjectVersion | None:
    return session.scalar(select(ProjectVersion).where(ProjectVersion.project_id == project.id)
                          .order_by(ProjectVersion.number.desc()).limit(1))


def create_version(session, project: Project, uploaded: dict[str, bytes],
                   base: ProjectVersion | None, remove: list[str], message: str | None,
                   user_id: int | None, dry_run: bool = False):
    """Validate and store a new version; returns (version or None, created, errors, warnings).
    Raises ApiError 422 with every problem when the files have errors."""
    check_names([*uploaded, *remove])
    check_tables(uploaded)
    files = merge(version_files(session, base) if base else {}, uploaded, remove)
    errors, warnings = validate(files)
    if errors:
        raise ApiError(422, M("msg.api_project_problems", n=len(errors)), errors + warnings)
    if dry_run:
        return None, False, errors, warnings
    chash = content_hash(files)
    last = latest(session, project)
    if last is not None and last.content_hash == chash:
        return last, False, errors, warnings
    from cocontrol.service.problems import problem_dict

    for _ in range(3):
        have = set(session.scalars(select(Blob.sha256).where(
            Blob.sha256.in_([sha(d) for d in files.values()]))))
        for data in files.values():
            h = sha(data)
            if h not in have:
                session.add(Blob(sha256=h, size=len(data), data=data))
                have.add(h)
        number = (session.scalar(select(func.max(ProjectVersion.number))
                                 .where(ProjectVersion.project_id == project.id)) or 0) + 1
        v = ProjectVersion(project_id=project.id, org_id=project.org_id, number=number,
                           content_hash=chash, message=message, created_by=user_id,
                           files=[{"path": p, "sha256": sha(d), "size": len(d)}
                                  for p, d in sorted(files.items())],
                           warnings=[problem_dict(w) for w in warnings])
        session.add(v)
        try:
            session.commit()
            return v, True, errors, warnings
        except IntegrityError:  # a concurrent upload took the number (or a blob): again
            session.rollback()
    raise ApiError(409, M("msg.api_concurrent_upload"))


def region_tree(files: dict[str, bytes]) -> list[dict]:
    """The project's region tree (regions.csv) as nested nodes."""
    from cocontrol.project import load_project

    with materialised(files) as folder:
        regions = load_project(folder).regions
    nodes = {}
    for r in regions.itertuples(index=False):
        nodes[r.region_id] = {"region_id": r.region_id, "level": r.level,
                              "name": getattr(r, "name", None),
                              "name_zh": getattr(r, "name_zh", None), "children": []}
    roots = []
    for r in regions.itertuples(index=False):
        parent = nodes.get(r.parent_id) if isinstance(r.parent_id, str) else None
        (parent["children"] if parent else roots).append(nodes[r.region_id])
    return roots
