"""Benchmark figures as data: every bench script records its figures here.

``record(name, value, unit, reference=None, ratio=None)`` appends one figure to
``out/bench/<script>.json``; ``bench/run_all.py`` (``make bench``) merges every script's
file into ``out/bench.json``, a list of ``{"name", "value", "unit", "reference", "ratio"}``
plus ``"load"``, the machine's 1-minute load average when the figure was recorded (the
machine is shared: a figure is read next to its load). A script run alone writes only its
own file.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "out" / "bench"


def _script() -> str:
    return Path(sys.argv[0]).stem or "bench"


def record(name: str, value: float, unit: str, reference: float | None = None,
           ratio: float | None = None) -> None:
    """Append one figure (``ratio`` defaults to value / reference when both are given)."""
    if ratio is None and reference not in (None, 0):
        ratio = float(value) / float(reference)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{_script()}.json"
    rows = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    rows = [r for r in rows if r["name"] != name]
    rows.append({"name": name, "value": float(value), "unit": unit,
                 "reference": None if reference is None else float(reference),
                 "ratio": None if ratio is None else float(ratio), "load": load()})
    fd, tmp = tempfile.mkstemp(dir=OUT, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1, ensure_ascii=False)
    os.replace(tmp, path)


def load() -> float | None:
    """The 1-minute load average (``None`` where the system has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - no load average on this system
        return None


def reset() -> None:
    """Forget this script's earlier figures (called once at the start of a script)."""
    path = OUT / f"{_script()}.json"
    if path.exists():
        path.unlink()


def merge() -> Path:
    """Merge every script's figures into ``out/bench.json``; return its path."""
    rows = []
    for p in sorted(OUT.glob("*.json")):
        rows.extend(json.loads(p.read_text(encoding="utf-8")))
    dest = OUT.parent / "bench.json"
    fd, tmp = tempfile.mkstemp(dir=OUT.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1, ensure_ascii=False)
    os.replace(tmp, dest)
    return dest
