"""A small project for the analysis and data pages' end-to-end tests: the hand-calculable
scenario project of tests/scenariofixture.py (seconds instead of the demo city's minutes) with
an optimisation.yaml, stored as version 1 of a project of the demo city bureau."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scenariofixture import write_scenario_project  # noqa: E402

OPTIMISATION = """\
air_quality:
  city: C
  pm25_base_ugm3: 40
  local_share: 0.6
  om_share_of_primary: 0.3
  source: "ILLUSTRATIVE: test project of the dashboard tests"
optimisation:
  base_scenario: baseline
  measures: [t_reduce_res, t_boiler_fgd, t_clinker_dust, t_res_to_el]
targets:
  pm25_max: 35
  pm25_year: 2030
"""
NAME = "Tiny test city (dashboard tests)"


def tiny_files(folder: Path) -> dict[str, bytes]:
    p = write_scenario_project(folder)
    (p / "optimisation.yaml").write_text(OPTIMISATION, encoding="utf-8")
    return {f.name: f.read_bytes() for f in sorted(p.iterdir()) if f.is_file()}


def add_tiny_project(server, folder: Path) -> dict:
    """The project in the demo city bureau's organisation: {project_id, version_id, folder,
    files}."""
    from sqlalchemy import select

    from cocontrol.service import projects
    from cocontrol.service.models import Organisation, Project

    files = tiny_files(folder)
    with server.session() as s:
        org = s.scalar(select(Organisation).where(Organisation.code == "demo_city"))
        proj = Project(org_id=org.id, name=NAME, description="ILLUSTRATIVE test project")
        s.add(proj)
        s.commit()
        v, created, errors, _ = projects.create_version(s, proj, files, None, [], "tiny v1",
                                                        None)
        assert created and not errors
        return {"project_id": proj.id, "version_id": v.id, "folder": folder, "files": files}
