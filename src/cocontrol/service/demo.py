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
    ("nanshan", "Nanshan County branch (illustrative)", "南山县分局", "district", "demo_city",
     "nanshan"),
    # the demo park manager's park: the steel works' park of the demo project (park_steel);
    # its code is the first demo's ("fenhe_park"), which the web tests look it up by
    ("fenhe_park", "Nanshan steel and building-materials park (illustrative)",
     "南山钢铁建材园区", "park", "nanshan", "park_steel"),
    # a second park (no user), whose rows the park manager must not see
    ("hitech_park", "Fenhe high-tech industrial park (illustrative)", "汾河高新技术产业园区",
     "park", "fenhe", "park_hitech"),
    ("demo_steel", "Demo steel works (illustrative)", "示例钢铁厂", "enterprise", "fenhe_park",
     "longmen_steel"),
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
        ctx = load_enterprise(s, ids["demo_steel"], folder, version.id)
        if ctx is not None:
            load_parks(s, {c: ids[c] for c in DEMO_PARKS}, ctx, version.id)
        return users


#: the demo city's enterprise (examples/demo-city/enterprise) whose rows the demo steel works
#: holds, and the product footprint it keeps (the coke it buys: a supplier's product)
DEMO_ENTERPRISE, DEMO_PRODUCT = "longmen_steel", "fenhe_coke"


def load_enterprise(s, org_id: int, folder: Path, version_id: int):
    """Illustrative enterprise rows of the organisation ``org_id`` from the bundled demo data
    (examples/demo-city/enterprise, every record flagged illustrative there): the permit of
    :data:`DEMO_ENTERPRISE` assessed on the demo inventory's last year (stored compliance, no
    monitoring case: cases come from an assessment a user runs), its carbon–pollution account
    computed from version ``version_id``'s inventory (with the activity rows behind its
    numbers, which the steel works' user reads from the account), the footprint of :data:`DEMO_PRODUCT`,
    and its synergy projects (not yet assessed). Computed by the library, stored as the API
    stores them. Returns the library's context of the demo folder (None without its
    enterprise data)."""
    from cocontrol.enterprise import footprint, runner
    from cocontrol.service import enterprise_models as store

    if not (folder / "enterprise").is_dir():
        log.warning("demo enterprise data examples/demo-city/enterprise not found")
        return None
    ctx = runner.context(folder)
    eid = DEMO_ENTERPRISE
    permit = ctx.data.permit(eid)
    row = store.new_permit(org_id, permit, None)
    year = ctx.inventory.years[-1]
    on = datetime.date(year, 12, 31)
    store.store_compliance(row, runner.permit_status(ctx, eid, on=on, year=year), on)
    s.add(row)
    s.add(store.new_account(org_id, runner.account(ctx, eid), version_id, None,
                            ctx.project.manifest.illustrative, inventory=ctx.inventory,
                            version=store.version_info(s, version_id)))
    product = next(p for p in ctx.data.products if p.id == DEMO_PRODUCT)
    s.add(store.new_footprint(org_id, product, footprint(product), None))
    for p in ctx.data.projects:
        if p.owner == eid:
            s.add(store.new_project(org_id, p, None))
    s.commit()
    return ctx


#: demo park organisations and their parks in the demo project
DEMO_PARKS = {"fenhe_park": "park_steel", "hitech_park": "park_hitech"}


def load_parks(s, orgs: dict[str, int], ctx, version_id: int) -> None:
    """Illustrative rows of the demo parks (each owned by its park, so its manager sees them
    through the scoping layer without reading the bureau's project): the park targets of
    examples/demo-city/enterprise/park_targets.yaml, and the park account computed by the
    library from version ``version_id``'s inventory, with the status and alert level of the
    targets and the score and rank of the park among the demo city's parks with the bundled
    park index system (illustrative values of park_values.csv). No monitoring case: cases
    come from a computation a user runs."""
    from cocontrol.enterprise import runner
    from cocontrol.service import enterprise_models as store

    for code, park in DEMO_PARKS.items():
        targets = ctx.data.park_targets.get(park, [])
        for t in targets:
            s.add(store.new_park_target(orgs[code], t, None))
        acc, table, evaluation = runner.park_full(ctx, park, targets=targets)
        s.add(store.new_park_account(orgs[code], acc, table, evaluation, version_id, None,
                                     True, inventory=ctx.inventory,
                                     version=store.version_info(s, version_id)))
    s.commit()
