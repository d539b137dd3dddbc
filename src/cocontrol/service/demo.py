"""Demo data of ``cocontrol serve --demo``, loaded once (when there is no organisation yet):
the illustrative Demo City bureau, a district, a park and an enterprise, one user of each
role, the demo-city project as version 1, and the illustrative enterprise rows of the demo
steel works (:func:`load_enterprise`)."""

from __future__ import annotations

import datetime
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
        version, *_ = projects.create_version(s, proj, files, None, [], "demo project", None)
        s.commit()
        load_enterprise(s, ids["demo_steel"], folder, version.id)
        return users


#: the demo city's enterprise (examples/demo-city/enterprise) whose rows the demo steel works
#: holds, and the product footprint it keeps (the coke it buys: a supplier's product)
DEMO_ENTERPRISE, DEMO_PRODUCT = "longmen_steel", "fenhe_coke"


def load_enterprise(s, org_id: int, folder: Path, version_id: int) -> None:
    """Illustrative enterprise rows of the organisation ``org_id`` from the bundled demo data
    (examples/demo-city/enterprise, every record flagged illustrative there): the permit of
    :data:`DEMO_ENTERPRISE` assessed on the demo inventory's last year (stored compliance, no
    monitoring case: cases come from an assessment a user runs), its carbon–pollution account
    computed from version ``version_id``'s inventory, the footprint of :data:`DEMO_PRODUCT`,
    and its synergy projects (not yet assessed). Computed by the library, stored as the API
    stores them."""
    from cocontrol.enterprise import footprint, runner
    from cocontrol.service import enterprise_models as store

    if not (folder / "enterprise").is_dir():
        log.warning("demo enterprise data examples/demo-city/enterprise not found")
        return
    ctx = runner.context(folder)
    eid = DEMO_ENTERPRISE
    permit = ctx.data.permit(eid)
    row = store.new_permit(org_id, permit, None)
    year = ctx.inventory.years[-1]
    on = datetime.date(year, 12, 31)
    store.store_compliance(row, runner.permit_status(ctx, eid, on=on, year=year), on)
    s.add(row)
    s.add(store.new_account(org_id, runner.account(ctx, eid), version_id, None,
                            ctx.project.manifest.illustrative))
    product = next(p for p in ctx.data.products if p.id == DEMO_PRODUCT)
    s.add(store.new_footprint(org_id, product, footprint(product), None))
    for p in ctx.data.projects:
        if p.owner == eid:
            s.add(store.new_project(org_id, p, None))
    s.commit()
