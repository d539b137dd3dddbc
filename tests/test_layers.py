"""Layering: every import of the source tree follows the stage order of cocontrol.layers.

The imports are read with ``ast`` (including imports inside functions, which still make a
stage depend on a later one at run time); ``if TYPE_CHECKING:`` blocks are skipped.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cocontrol import layers

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "cocontrol"


def _unit(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _module_name(path: Path) -> list[str]:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return parts


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute dotted module) of every cocontrol import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    pkg = _module_name(path)
    if path.name != "__init__.py":
        pkg = pkg[:-1]
    out: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                out.extend((child.lineno, a.name) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = pkg[: len(pkg) - child.level + 1]
                    mod = ".".join(base + ([child.module] if child.module else []))
                else:
                    mod = child.module or ""
                if mod == "cocontrol":  # from cocontrol import units, __version__ ...
                    out.extend((child.lineno, f"cocontrol.{a.name}"
                                if (SRC / f"{a.name}.py").exists() or (SRC / a.name).is_dir()
                                else "cocontrol.__init__") for a in child.names)
                else:
                    out.append((child.lineno, mod))
            visit(child)

    visit(tree)
    return [(ln, m) for ln, m in out if m == "cocontrol" or m.startswith("cocontrol.")]


FILES = sorted(SRC.rglob("*.py"))


def test_every_unit_has_a_place():
    units = {_unit(p) for p in FILES}
    unknown = sorted(u for u in units if not layers.known(u))
    assert not unknown, (f"top-level modules/packages without a place in the stage order: "
                         f"{unknown}; add them to cocontrol.layers (FOUNDATION or STAGES)")


def test_imports_follow_the_stage_order():
    bad = []
    for path in FILES:
        importer = _unit(path)
        if not layers.known(importer):
            continue  # reported by test_every_unit_has_a_place
        for line, mod in _imports(path):
            parts = mod.split(".")
            if len(parts) < 2:
                continue  # `import cocontrol`: the package root (errors, version) only
            imported = parts[1]
            if not layers.known(imported):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports unknown {mod}")
            elif not layers.may_import(importer, imported):
                bad.append(f"{path.relative_to(ROOT)}:{line} ({importer}) imports {mod} "
                           f"({imported}): against {layers.order_text()}")
    assert not bad, "imports against the stage order:\n" + "\n".join(bad)


@pytest.mark.parametrize("code, ok", [
    ("from cocontrol.scenario import run", True),      # report → scenario: earlier stage
    ("from cocontrol.cli import app", False),          # report → cli: later stage
    ("from ..service import x", False),                # relative import of a later stage
    ("from cocontrol import units", True),             # foundation
])
def test_checker_sees_violations(tmp_path, monkeypatch, code, ok):
    """The checker itself: a known-bad import is reported, a good one is not."""
    f = SRC / "report" / "_layer_probe.py"
    monkeypatch.setattr(f"{__name__}.FILES", [f])
    text = code + "\n"
    orig = Path.read_text

    def fake_read(self, *a, **k):
        return text if self == f else orig(self, *a, **k)

    monkeypatch.setattr(Path, "read_text", fake_read)
    if ok:
        test_imports_follow_the_stage_order()
    else:
        with pytest.raises(AssertionError, match="against"):
            test_imports_follow_the_stage_order()


def test_order_is_written_in_the_docs():
    """README.md and docs/architecture.md show the order of cocontrol.layers, not a copy
    that can drift."""
    order = layers.order_text()
    for doc in ("README.md", "docs/architecture.md"):
        assert order in (ROOT / doc).read_text(encoding="utf-8"), doc
