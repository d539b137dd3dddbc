"""Project inputs: the in-memory :class:`Project`, its one validated loader, models of every
settings file, templates."""

from cocontrol.project.loader import Project, load_project
from cocontrol.project.manifest import Manifest

__all__ = ["Manifest", "Project", "load_project"]
