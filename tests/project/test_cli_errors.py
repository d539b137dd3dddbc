"""No exception reaches a user: plain messages, the README's exit codes, --debug, zh."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cocontrol.cli import app

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
runner = CliRunner()


@pytest.fixture
def broken(tmp_path) -> Path:
    dst = tmp_path / "p"
    shutil.copytree(DEMO, dst)
    text = (dst / "scenarios.yaml").read_text(encoding="utf-8")
    (dst / "scenarios.yaml").write_text(text.replace("  step: 5", "  stepp: 5", 1),
                                        encoding="utf-8")
    return dst


def test_input_error_exit_1_plain(broken):
    r = runner.invoke(app, ["validate", str(broken)])
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert "scenarios.yaml, column settings.stepp: unknown key 'stepp' (did you mean 'step'?)" \
        in r.output


def test_debug_shows_the_traceback(broken):
    r = runner.invoke(app, ["--debug", "validate", str(broken)])
    assert r.exit_code == 1
    assert "Traceback (most recent call last)" in r.output and "InputError" in r.output


def test_messages_in_chinese(broken):
    r = runner.invoke(app, ["--lang", "zh", "validate", str(broken)])
    assert r.exit_code == 1
    assert "个问题" in r.output
    assert "列/键 settings.stepp：未知的键" in r.output and "应为：" in r.output


def test_usage_error_exit_2():
    assert runner.invoke(app, ["run"]).exit_code == 2
    assert runner.invoke(app, ["--lang", "fr", "validate", str(DEMO)]).exit_code == 2


def test_unexpected_exception_exit_3_without_traceback(monkeypatch):
    import cocontrol.cli.inventory as inv

    def boom(project_dir):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(inv, "check_all", boom)
    r = runner.invoke(app, ["validate", str(DEMO)])
    assert r.exit_code == 3
    assert "Traceback" not in r.output
    assert "Internal error" in r.output and "ZeroDivisionError" in r.output
    assert not isinstance(r.exception, ZeroDivisionError)


def test_model_error_exit_3(monkeypatch):
    import cocontrol.cli.inventory as inv
    from cocontrol.errors import ModelError

    def fails(project_dir):
        raise ModelError("HiGHS failed")

    monkeypatch.setattr(inv, "check_all", fails)
    r = runner.invoke(app, ["validate", str(DEMO)])
    assert r.exit_code == 3 and "Model failed" in r.output and "HiGHS failed" in r.output


def test_missing_folder_and_not_a_folder(tmp_path):
    r = runner.invoke(app, ["inventory", str(tmp_path / "nope")])
    assert r.exit_code == 1 and "project folder not found" in r.output
    f = tmp_path / "x.txt"
    f.write_text("hello", encoding="utf-8")
    r = runner.invoke(app, ["run", str(f)])
    assert r.exit_code == 1 and "Traceback" not in r.output
