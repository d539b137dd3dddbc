"""``cocontrol evaluate``: synergy evaluation of cities, parks and enterprises (thin shell)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from cocontrol import i18n
from cocontrol.cli.common import (
    Assets,
    Format,
    Lang,
    assets_option,
    bad_parameter,
    console,
    emit,
    fail,
    lang_option,
    note,
    pdf_option,
    ui_lang,
    wrote,
)
from cocontrol.errors import CocontrolError

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "evaluation"


class Missing(str, Enum):
    flag = "flag"
    impute = "impute"
    exclude = "exclude"


class Norm(str, Enum):
    minmax = "minmax"
    vector = "vector"
    target = "target"


class CouplingFormula(str, Enum):
    original = "original"
    corrected = "corrected"


def run(data: Path, system: str = "city", weights: str = "template", alpha: float = 0.5,
        normalization: str = "minmax", missing: str = "flag", emissions: Path | None = None,
        value_added: Path | None = None, coupling: str = "original", lang: str = "en"):
    """Load, evaluate and return an :class:`EvaluationResult` (library call used by the CLI)."""
    import pandas as pd

    from cocontrol.evaluation import (
        evaluate,
        fill_computed_indicators,
        load_system,
        load_values,
        read_weights,
    )
    from cocontrol.evaluation.data import read_table
    from cocontrol.evaluation.scoring import WEIGHTINGS

    sysobj = load_system(system)
    if weights not in WEIGHTINGS:
        if not Path(weights).exists():
            raise bad_parameter("msg.cli_weights_choice",
                                known=i18n.Seq(WEIGHTINGS, ", ", quote=True), got=repr(weights))
        weights = read_weights(weights)
    computed = None
    if emissions is not None:
        em, _ = read_table(emissions)
        va = None
        if value_added is not None:
            va, _ = read_table(value_added)
            va["value_added"] = pd.to_numeric(va["value_added"], errors="coerce")
            va["year"] = pd.to_numeric(va["year"], errors="coerce").astype("Int64")
        em["year"] = pd.to_numeric(em["year"], errors="coerce").astype("Int64")
        computed = fill_computed_indicators(em, va, file=str(emissions))
        computed["unit"] = computed["unit"].astype(str)
    values, units = load_values(data, sysobj, computed=computed)
    from cocontrol.cli.common import progress_bar

    with progress_bar() as cb:
        return evaluate(sysobj, values, units, weighting=weights, normalization=normalization,
                        missing=missing, alpha=alpha, coupling_formula=coupling, lang=lang,
                        progress=cb)


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate_cmd(
        data: Path = typer.Argument(..., help="indicator values (.csv or .xlsx; long: unit, "
                                    "year, indicator, value; or wide: unit, year, <ids>)"),
        system: str = typer.Option("city", "--system", help="city | park | enterprise | "
                                   "a .yaml/.xlsx indicator system"),
        weights: str = typer.Option("template", "--weights",
                                    help="template | ahp | equal | entropy | critic | "
                                    "combined | a .csv/.xlsx table with columns indicator, "
                                    "weight"),
        alpha: float = typer.Option(0.5, help="share of subjective weights (combined)"),
        normalization: Norm = typer.Option(Norm.minmax, "--normalization"),
        missing: Missing = typer.Option(Missing.flag, "--missing",
                                        help="flag | impute (previous year, then peer "
                                        "median) | exclude"),
        emissions: Path | None = typer.Option(None, help="tidy emissions (unit, year, "
                                              "species, value) to compute joint decline and "
                                              "elasticity"),
        value_added: Path | None = typer.Option(None, "--value-added",
                                                help="unit, year, value_added"),
        coupling: CouplingFormula = typer.Option(CouplingFormula.original, "--coupling"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path | None = typer.Option(None, "--output", help="file to write"),
        report: Path | None = typer.Option(None, "--report", help="HTML report to write"),
        assets: Assets = assets_option(),
        pdf: bool = pdf_option(),
        lang: Lang | None = lang_option(),
    ) -> None:
        """Score, grade and rank units with a synergy indicator system (0-100 index)."""
        from cocontrol.evaluation.report import write_excel, write_html

        if pdf and report is None:
            raise bad_parameter("msg.cli_pdf_needs_report")
        try:
            res = run(data, system, weights, alpha, normalization.value, missing.value,
                      emissions, value_added, coupling.value, ui_lang(lang))
        except CocontrolError as e:
            fail(e)
            return
        for n in res.notes:
            note(n)
        if fmt == Format.xlsx:
            if output is None:
                raise bad_parameter("msg.cli_xlsx_needs_output")
            write_excel({res.system.meta.get("id", "eval"): res}, output, ui_lang(lang))
            wrote(output)
        else:
            emit(res.scores.drop(columns=["complete"]), fmt, output,
                 title=res.system.name(ui_lang(lang)))
        if report is not None:
            try:
                html = write_html({"eval": res}, report, ui_lang(lang), assets=assets.value,
                                  pdf=pdf)
            except CocontrolError as e:
                fail(e)
                return
            for p in [html, *([html.with_suffix(".pdf")] if pdf else [])]:
                wrote(p)


    @app.command("evaluation-template")
    def template_cmd(
        name: str = typer.Argument(..., help="city | park | enterprise"),
        output: Path = typer.Option(..., "--output", help="FILE.xlsx or FILE.yaml to write"),
    ) -> None:
        """Copy a built-in indicator-system template to an editable Excel or YAML file."""
        from cocontrol import io
        from cocontrol.evaluation import builtin_path, load_system, system_to_excel

        try:
            system = load_system(name)
        except CocontrolError as e:
            fail(e)
            return
        if output.suffix.lower() in (".yaml", ".yml"):
            io.copy_file(builtin_path(name), output)
        else:
            system_to_excel(system, output)
        wrote(output)


def demo(out: Path, lang: str = "en", assets: str = "inline", pdf: bool = False) -> list[Path]:
    """Evaluate the illustrative cities, parks and enterprises; write the HTML report
    (``evaluation_report.html``) and the workbook (``evaluation_results.xlsx``)."""
    from cocontrol.evaluation.report import write_excel, write_html

    if not (EXAMPLES / "cities_values.csv").exists():
        console.print("[yellow]" + i18n.t("msg.cli_eval_demo_skipped", lang, path=EXAMPLES)
                      + "[/]")
        return []
    from cocontrol import io

    out = io.make_dir(out)
    cities = run(EXAMPLES / "cities_values.csv", "city", "ahp", missing="impute",
                 emissions=EXAMPLES / "cities_emissions.csv",
                 value_added=EXAMPLES / "cities_value_added.csv", lang=lang)
    parks = run(EXAMPLES / "parks_values.csv", "park", "combined", missing="impute",
                emissions=EXAMPLES / "parks_emissions.csv",
                value_added=EXAMPLES / "parks_value_added.csv", lang=lang)
    results = {"city": cities, "park": parks}
    if (EXAMPLES / "enterprises_values.csv").exists():
        results["enterprise"] = run(EXAMPLES / "enterprises_values.csv", "enterprise",
                                    "entropy", missing="impute",
                                    emissions=EXAMPLES / "enterprises_emissions.csv",
                                    value_added=EXAMPLES / "enterprises_value_added.csv",
                                    lang=lang)
    html = write_html(results, out / "evaluation_report.html", lang, illustrative=True,
                      assets=assets, pdf=pdf)
    xlsx = write_excel(results, out / "evaluation_results.xlsx", lang)
    return [html, *([html.with_suffix(".pdf")] if pdf else []), xlsx]
