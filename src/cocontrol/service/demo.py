"""Demo data of ``cocontrol serve --demo``, loaded once (when there is no organisation yet):
the illustrative Demo City bureau, a district, a park and an enterprise, one user of each
role, and the demo-city project as version 1."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select

from cocontrol.service import projects
from cocontrol.service.models import Organisation, Project

log = logging.getLogger("cocontrol.service")

ORGS = [  # code, name, name_zh, level, parent code, region code of the demo project
    ("demo_city", "Demo City Ecology and Environment Bureau (illustrative)", "示例市生态环境局",
     "city", None, "demo_city"),
    ("fenhe", "Fenhe District branch (illustrative)", "汾河区分局", "district", "demo_city",
     "fenhe"),
    ("fenhe_park", "Fenhe industrial park (illustrative)", "汾河工业园区", "park", "fenhe", None),
    ("demo_steel", "Demo steel works (illustrative)", "示例钢铁厂", "enterprise", "fenhe_park",
     None),
]
# one account per role (the administrator is the first-start account "admin")
USERS = [("analyst", "demo_city", ["bureau_analyst"]), ("leader", "demo_city", ["bureau_leader"]),
         ("park", "fenhe_park", ["park_manager"]), ("steel", "demo_steel", ["enterprise_user"]),
         ("bank", None, ["finance_reader"])]


def demo_project_dir() -> Path | None:
    here = Path(str(resources.files("cocontrol"))).resolve()
    for base in (here.parent.parent, Path.cwd()):
        p = base / "examples" / "demo-city"
        if (p / "project.yaml").exists():
            return p
    return None


def load(db, params=None) -> dict[str, str] | None:
    """Load the demo data into an empty database; {username: one-time password} or None if
    not empty (``params``: the argon2 cost of the settings)."""
    from cocontrol.service import auth

    with db.session() as s:
        if s.scalar(select(func.count()).select_from(Organisation)):
            return None
        ids: dict[str, int] = {}
        for code, name, name_zh, level, parent, region in ORGS:
            o = Organisation(code=code, name=name, name_zh=name_zh, level=level,
                             parent_id=ids.get(parent), region_code=region)
            s.add(o)
            s.flush()
            ids[code] = o.id
        users = {}
        for username, org, roles in USERS:
            _user, users[username] = auth.create_account(
                s, username, ids[org] if org else None, roles, params=params)
        s.commit()
        folder = demo_project_dir()
        if folder is None:
            log.warning("demo project examples/demo-city not found: no demo project")
            return users
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())
                 if p.is_file() and projects.FILE_NAME.match(p.name)}
        proj = Project(org_id=ids["demo_city"], name="Demo City (illustrative)",
                       description="ILLUSTRATIVE coal-coking-steel city, examples/demo-city")
        s.add(proj)
        s.commit()
        projects.create_version(s, proj, files, None, [], "demo project", None)
        return users
