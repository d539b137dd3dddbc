"""The CLI under ``--lang zh``: console tables show names, not codes (sectors, fuels,
measures by their names in the bundled code lists; headings from the catalogue) and the status
lines come from the catalogue: no untranslated English word is left (the checker of the report
tests, tests/report/browser.py). The project's own identifiers (unit ids of the evaluation
example) are data, shown as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import english_words
from typer.testing import CliRunner

from cocontrol import i18n
from cocontrol.cli import app
from cocontrol.cli.evaluation import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
DEMO = str(ROOT / "examples" / "demo-city")
runner = CliRunner()


def _zh(args: list[str], tmp_path) -> str:
    r = runner.invoke(app, ["--lang", "zh", *args], terminal_width=200)
    assert r.exit_code == 0, r.output
    return r.output.replace(str(tmp_path), "").replace(DEMO, "")


@pytest.mark.parametrize("name", ["inventory", "run", "validate", "evaluate"])
def test_cli_under_zh_has_no_untranslated_words(name, tmp_path):
    args = {"inventory": ["inventory", DEMO, "--by", "sector"],
            "run": ["run", DEMO, "--scenario", "policy"],
            "validate": ["validate", DEMO],
            "evaluate": ["evaluate", str(EXAMPLES / "parks_values.csv"), "--system", "park",
                         "--weights", "entropy", "--missing", "impute", "--report",
                         str(tmp_path / "e.html")]}[name]
    out = _zh(args, tmp_path)
    data = {f"park_{c}" for c in "abcdef"}  # the example's own unit ids
    assert [w for w in english_words(out.splitlines()) if w not in data] == []
    if name == "inventory":  # names, not codes
        assert i18n.name("sectors", "power", "zh") in out and "heat_supply" not in out
    if name == "evaluate":
        assert i18n.t("wrote", "zh") in out and "e.html" in out


def test_console_table_in_english_shows_names_too(tmp_path):
    r = runner.invoke(app, ["inventory", DEMO, "--by", "sector"], terminal_width=200)
    assert r.exit_code == 0, r.output
    assert i18n.name("sectors", "heat_supply", "en") in r.output
    assert "heat_supply" not in r.output
