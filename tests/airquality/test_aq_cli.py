"""``cocontrol aq`` commands (registered on a bare Typer app, as cocontrol.cli does)."""

import typer
from typer.testing import CliRunner

from cocontrol.cli import airquality


def _app():
    app = typer.Typer()

    @app.callback()
    def _cb() -> None:
        pass

    airquality.register(app)
    return app


def test_predict_csv_output(tmp_path):
    e = tmp_path / "e.csv"
    # 20 % cut of China's SO2 (TM5-FASST base 18,614,052.96 t/yr)
    e.write_text("source_region,precursor,change_t\nCHN,SO2,-3722810.592\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    r = CliRunner().invoke(_app(), ["aq", "predict", str(e), "--format", "csv", "-o", str(out)])
    assert r.exit_code == 0, r.output
    txt = out.read_text(encoding="utf-8")
    assert "CHN,SO4" in txt and "-0.755369" in txt


def test_predict_bad_input_exit_1(tmp_path):
    e = tmp_path / "bad.csv"
    e.write_text("source_region,precursor,change_t\nCHN,OC,1\n", encoding="utf-8")
    r = CliRunner().invoke(_app(), ["aq", "predict", str(e)])
    assert r.exit_code == 1
    assert "unknown precursor" in r.output


def test_health_command():
    r = CliRunner().invoke(_app(), ["aq", "health", "--pm25-base", "60", "--pm25-new", "50",
                                    "--population", "1000000", "--mortality-rate", "0.007"])
    assert r.exit_code == 0, r.output
    assert "396.226" in r.output and "health-assumptions" in r.output
