"""The project manifest ``project.yaml`` (validated with pydantic, unknown keys are errors)."""

from __future__ import annotations

from pathlib import Path

from cocontrol import io
from cocontrol.errors import InputError, Problem
from cocontrol.project.models import Manifest, validate

__all__ = ["Manifest", "read_manifest"]


def read_manifest(folder: Path) -> Manifest:
    path = Path(folder) / "project.yaml"
    if not path.exists():
        raise InputError(Problem(file=str(path), message="project manifest not found",
                                 expected="a project.yaml file in the project folder"))
    m, probs = validate(Manifest, io.read_yaml(path), str(path))
    if probs:
        raise InputError(probs)
    return m
