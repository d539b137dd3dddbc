"""``--pdf`` of ``cocontrol cge`` and ``cocontrol evaluate`` (like the other report commands):
the HTML report and its PDF print (headless Chromium) side by side; ``--pdf`` without
``--report`` is a usage error, not a silent no-op."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from cocontrol.cli import app
from cocontrol.cli.evaluation import EXAMPLES

runner = CliRunner()

TWO = """instruments:
  - code: CTAX
    kind: carbon_tax
    name_en: "Carbon tax 100 yuan/t (test)"
    name_zh: "碳税100元/吨（测试）"
    params: {price: 100, sectors: [AGR, COAL, OIL, GAS, OIND, SERV]}
    source: "ILLUSTRATIVE: test instrument"
  - code: SUB
    kind: subsidy
    name_en: "20% output subsidy to clean power (test)"
    name_zh: "清洁电力20%价格补贴（测试）"
    params: {rate: 0.20, sectors: [ELR]}
    source: "ILLUSTRATIVE: test instrument"
"""


@pytest.fixture
def chromium():
    from cocontrol.errors import CocontrolError
    from cocontrol.htmlpdf import chromium_path

    try:
        chromium_path()
    except CocontrolError:
        if os.environ.get("CI") == "true":
            pytest.fail("--pdf needs Chromium under CI (scripts/ensure-chromium.sh)")
        pytest.skip("needs Chromium (scripts/ensure-chromium.sh)")


def _is_pdf(path) -> bool:
    return path.exists() and path.read_bytes()[:5] == b"%PDF-" and path.stat().st_size > 5000


def test_evaluate_pdf(tmp_path, chromium):
    rep = tmp_path / "evaluation.html"
    r = runner.invoke(app, ["evaluate", str(EXAMPLES / "parks_values.csv"), "--system", "park",
                            "--weights", "entropy", "--missing", "impute", "--format", "csv",
                            "--output", str(tmp_path / "s.csv"), "--report", str(rep),
                            "--pdf"])
    assert r.exit_code == 0, r.output
    assert rep.exists() and _is_pdf(rep.with_suffix(".pdf"))
    assert str(rep.with_suffix(".pdf").name) in r.output


def test_cge_pdf(tmp_path, chromium):
    ins = tmp_path / "instruments.yaml"
    ins.write_text(TWO, encoding="utf-8")
    rep = tmp_path / "cge.html"
    r = runner.invoke(app, ["cge", "--instruments", str(ins), "--all-combinations",
                            "--format", "csv", "--output", str(tmp_path / "r.csv"),
                            "--report", str(rep), "--pdf"])
    assert r.exit_code == 0, r.output
    assert rep.exists() and _is_pdf(rep.with_suffix(".pdf"))


@pytest.mark.parametrize("cmd", [["evaluate", str(EXAMPLES / "parks_values.csv"), "--system",
                                  "park"], ["cge", "--all-combinations"]])
def test_pdf_without_report_is_a_usage_error(cmd, tmp_path):
    r = runner.invoke(app, [*cmd, "--pdf"])
    assert r.exit_code == 2 and "--report" in r.output
