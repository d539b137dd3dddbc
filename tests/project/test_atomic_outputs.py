"""Nothing half-written (issue 9 item 9): outputs are staged and moved into place only when
complete, so an interrupted ``cocontrol demo`` or ``report`` leaves nothing that looks
finished."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cocontrol import io
from cocontrol.cli import app

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
runner = CliRunner()


def test_atomic_path_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), io.atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    io.write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "new"


def test_staged_dir_moves_all_or_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError), io.staged_dir(out) as stage:
        (stage / "report.html").write_text("x", encoding="utf-8")
        raise RuntimeError("a later stage failed")
    assert list(out.iterdir()) == []
    with io.staged_dir(out) as stage:
        (stage / "report.html").write_text("x", encoding="utf-8")
        (stage / "assets").mkdir()
        (stage / "assets" / "a.js").write_text("js", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["assets", "report.html"]


def test_interrupted_demo_leaves_nothing(tmp_path, monkeypatch):
    """The first stage writes its finished report, then the next stage fails half-way:
    OUT stays empty (before, the first stage's report was left in OUT)."""
    import cocontrol.cli.demo as demo_mod
    import cocontrol.cli.inventory as inv_mod
    import cocontrol.cli.scenario as scen_mod

    def first(out, lang):
        p = Path(out) / "inventory_report.html"
        io.write_text(p, "<html>complete</html>")
        return [p]

    def boom(out, lang):
        (Path(out) / "scenario_report.html").write_text("<html>half", encoding="utf-8")
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_mod, "STAGES", ["inventory", "scenario"])
    monkeypatch.setattr(inv_mod, "demo", first)
    monkeypatch.setattr(scen_mod, "demo", boom)
    out = tmp_path / "out"
    r = runner.invoke(app, ["demo", "--out", str(out)])
    assert r.exit_code == 3, r.output
    assert "Traceback" not in r.output and "disk full" in r.output
    assert list(out.iterdir()) == []


def test_interrupted_report_leaves_nothing(tmp_path, monkeypatch):
    from cocontrol.inventory.inventory import Inventory

    def boom(self, path, unit="t"):
        raise KeyboardInterrupt

    monkeypatch.setattr(Inventory, "to_excel", boom)
    out = tmp_path / "out"
    r = runner.invoke(app, ["report", str(DEMO), "--out", str(out)])
    assert r.exit_code == 130, r.output
    assert not out.exists() or list(out.iterdir()) == []
