"""Provenance of a result: which project, code, factors and assumptions produced it.

Every labelled result (:mod:`cocontrol.results`) carries a :class:`Provenance`:

* ``project_hash``: content hash of the project's inputs (manifest and tables);
* ``code_version``: the cocontrol version;
* ``factor_version``: content hash of the bundled reference tables (emission factors, GWP,
  pollution equivalents, control technologies, fuels ...), so two results computed with
  different factor tables never look alike;
* ``assumptions``: named versions of the other assumptions used (GWP set, health assumptions
  version, air-quality model, measures library ...).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

__all__ = ["Provenance", "factor_version", "project_hash"]


@dataclass(frozen=True)
class Provenance:
    project_hash: str | None
    code_version: str
    factor_version: str
    assumptions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"project_hash": self.project_hash, "code_version": self.code_version,
                "factor_version": self.factor_version, "assumptions": dict(self.assumptions)}

    @classmethod
    def from_dict(cls, d: dict) -> Provenance:
        return cls(d.get("project_hash"), str(d["code_version"]), str(d["factor_version"]),
                   {str(k): str(v) for k, v in (d.get("assumptions") or {}).items()})

    @classmethod
    def of(cls, project=None, **assumptions) -> Provenance:
        """Provenance of a result computed from ``project`` (a Project, or None) now."""
        from cocontrol import __version__

        return cls(project_hash(project) if project is not None else None, __version__,
                   factor_version(), {k: str(v) for k, v in assumptions.items()
                                      if v is not None})


@cache
def factor_version() -> str:
    """``sha256:<12 hex>`` of every bundled reference table (``cocontrol/data``), in name order."""
    from cocontrol import refdata

    h = hashlib.sha256()
    for name, data in refdata.bundled_files((".csv", ".yaml", ".txt")):
        h.update(name.encode())
        h.update(data)
    return "sha256:" + h.hexdigest()[:12]


def _frame_bytes(df: pd.DataFrame) -> bytes:
    """Content of a table (column names and values, not row numbers) as bytes to hash."""
    d = df.drop(columns=[c for c in df.columns if str(c).startswith("_")])
    d = d.reindex(columns=sorted(map(str, d.columns)))
    rows = pd.util.hash_pandas_object(d.astype(object), index=False).to_numpy()
    return ("\x1f".join(d.columns) + "\n").encode() + rows.tobytes()


def project_hash(project) -> str:
    """Content hash of a project's inputs (manifest and every input table), ``sha256:<12 hex>``.

    Uses ``project.content_hash`` when the Project provides one.
    """
    # TODO(trust-a): the Project's own content hash replaces this fallback once on main
    own = getattr(project, "content_hash", None)
    if own is not None:
        return str(own() if callable(own) else own)
    h = hashlib.sha256()
    m = getattr(project, "manifest", None)
    if m is not None:
        dump = m.model_dump(mode="json") if hasattr(m, "model_dump") else vars(m)
        h.update(json.dumps(dump, sort_keys=True, default=str).encode())
    for name in ("regions", "activity", "controls", "factors", "measured"):
        df = getattr(project, name, None)
        if isinstance(df, pd.DataFrame):
            h.update(name.encode())
            h.update(_frame_bytes(df))
    return "sha256:" + h.hexdigest()[:12]
