"""The project manifest ``project.yaml`` (validated with pydantic, unknown keys are errors)."""

from __future__ import annotations

from pathlib import Path

from cocontrol import io
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg
from cocontrol.project.models import Manifest, validate

__all__ = ["Manifest", "read_manifest"]


def read_manifest(folder: Path) -> Manifest:
    path = Path(folder) / "project.yaml"
    if not path.exists():
        raise InputError(Problem(file=str(path), message=Msg("msg.manifest_not_found", hint=""),
                                 expected=Msg("exp.manifest")))
    m, probs = validate(Manifest, io.read_yaml(path), str(path))
    if probs:
        raise InputError(probs)
    return m
