"""Session fixtures of the report tests: the city of docs/new-city.md built by running the
guide's own commands, CGE and evaluation reports in both languages (the headless Chromium: tests/conftest.py)."""

from __future__ import annotations

import os
import shlex

import pytest
from newcityguide import GUIDE, guide_steps


@pytest.fixture(scope="session")
def guide_city(tmp_path_factory):
    """Follow docs/new-city.md from an empty folder; returns (folder, [(command, result)])."""
    from typer.testing import CliRunner

    from cocontrol.cli import app

    work = tmp_path_factory.mktemp("guide")
    old = os.getcwd()
    os.chdir(work)
    done = []
    try:
        for step in guide_steps(GUIDE.read_text(encoding="utf-8")):
            if step[0] == "file":
                p = work / step[1]
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(step[2], encoding="utf-8")
                continue
            args = shlex.split(step[1])
            assert args[0] == "cocontrol", f"the guide's bash blocks run cocontrol: {step[1]}"
            r = CliRunner().invoke(app, args[1:])
            assert r.exit_code == 0, f"{step[1]}\n{r.output}"
            done.append((step[1], r))
    finally:
        os.chdir(old)
    return work, done


@pytest.fixture(scope="session")
def other_reports(tmp_path_factory):
    """CGE (three instruments) and evaluation reports in zh and en: {(name, lang): path}."""
    from cocontrol.cge.policies import bundled_instruments, load_economy
    from cocontrol.cli import evaluation
    from cocontrol.cli.cge import _run_all

    out = {}
    eco, ins = load_economy(), bundled_instruments()[:3]
    for lang in ("zh", "en"):
        d = tmp_path_factory.mktemp(f"reports_{lang}")
        _run_all(eco, ins, None, lang, "topsis", "entropy", None, d / "cge_report.html",
                 d / "cge_results.xlsx", to_year=2023)
        out[("cge", lang)] = d / "cge_report.html"
        evaluation.demo(d, lang)
        out[("evaluation", lang)] = d / "evaluation_report.html"
    return out
