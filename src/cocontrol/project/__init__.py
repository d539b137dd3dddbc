"""Project inputs: manifest, input tables (CSV or Excel), validation and templates."""

from cocontrol.project.loader import Project, load_project
from cocontrol.project.manifest import Manifest

__all__ = ["Manifest", "Project", "load_project"]
