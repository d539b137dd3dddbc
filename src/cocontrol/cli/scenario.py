"""CLI: ``cocontrol run | compare | measures`` (scenarios to 2060 and co-control metrics)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from cocontrol import i18n
from cocontrol.cli.common import (
    Format,
    Lang,
    bad_parameter,
    console,
    emit,
    fail,
    label,
    lang_option,
    print_df,
    progress_bar,
    ui_lang,
    wrote,
)
from cocontrol.errors import CocontrolError, InputError, Problem
from cocontrol.project.cells import safe_frame


def _prepare(project: Path):
    from cocontrol.scenario import prepare

    with console.status(f"preparing scenarios of {project} (inventory, measures) ..."):
        return prepare(project)


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run_cmd(
        project: Path = typer.Argument(..., help="project folder (with scenarios.yaml)"),
        scenario: str = typer.Option("baseline", "--scenario", "-s", help="scenario name"),
        by: str = typer.Option("", help="comma-separated grouping (sector, fuel, district...)"),
        unit: str = typer.Option("kt", help="t, kt or Mt"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path | None = typer.Option(None, "--output", "-o"),
        iamc: bool = typer.Option(False, help="IAMC format (model, scenario, region, variable, "
                                               "unit, years)"),
    ) -> None:
        """Run a scenario to 2060: emissions by year, carbon peak and target checks."""
        from cocontrol.scenario import check_targets, peak, run

        try:
            base = _prepare(project)
            if scenario not in base.scenarios:
                raise CocontrolError(i18n.Msg("msg.cli_unknown_scenario", name=repr(scenario),
                                              known=i18n.Seq(base.scenarios, ", ", quote=True)))
            r = run(base, scenario)
            inv = r.inventory()
            if iamc:
                df = inv.to_iamc(scenario=scenario)
            elif by:
                df = inv.aggregate(by.split(","), unit=unit, wide=True)
            else:
                df = inv.total(unit=unit)
            if fmt == Format.table:
                from cocontrol.report.scenario import scenario_label, target_label

                lg = ui_lang()
                y, v = peak(r)
                console.print(f"[bold]{scenario_label(scenario, lg)}[/]: "
                              + i18n.t("cli.run_peak", lg, year=y, mt=f"{v / 1e6:,.2f}"))
                if base.targets:
                    tg = check_targets(base, r)
                    if lg != "en":  # the words of each target in the command's language
                        tg["target"] = [target_label(x, lg) for x in base.targets][:len(tg)]
                        tg["unit"] = [i18n.t("unit_year", lg) if u == "year" else u
                                      for u in tg["unit"]]
                    # the console table: the check; the type and source are in the report
                    print_df(tg.drop(columns=["type", "source"], errors="ignore"),
                             title=i18n.t("cli.targets", lg))
        except CocontrolError as e:
            fail(e)
        from cocontrol.report.scenario import scenario_label

        emit(df, fmt, output, title=f"{scenario_label(scenario, ui_lang())} ({unit})")

    @app.command("compare")
    def compare_cmd(
        project: Path = typer.Argument(..., help="project folder"),
        scenarios: str = typer.Option("", help="comma-separated (default: all)"),
        reference: str = typer.Option("baseline", help="reference scenario for the metrics"),
        year: int = typer.Option(2030, help="year of the co-control metrics"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path | None = typer.Option(None, "--output", "-o"),
        lang: Lang | None = lang_option(),
    ) -> None:
        """Compare scenarios: pathways and package co-control metrics against a reference."""
        from cocontrol.metrics import package_metrics
        from cocontrol.report.scenario import pathways
        from cocontrol.scenario import run

        try:
            base = _prepare(project)
            names = scenarios.split(",") if scenarios else list(base.scenarios)
            unknown = [n for n in names + [reference] if n not in base.scenarios]
            if unknown:
                raise InputError([Problem(file="scenarios.yaml", column="scenarios", value=n,
                                          message=i18n.Msg("msg.cli_scenario_not_defined"),
                                          expected=i18n.Seq(base.scenarios, ", ", quote=True))
                                  for n in dict.fromkeys(unknown)])
            if not [n for n in names if n != reference]:
                raise InputError(Problem(file="scenarios.yaml", column="scenarios",
                                         message=i18n.Msg("msg.cli_nothing_to_compare",
                                                          ref=repr(reference)),
                                         expected=i18n.Msg("msg.cli_scenarios_besides")))
            runs = {n: run(base, n) for n in names}
            pw = pathways(runs)
            metrics = pd.concat([package_metrics(base, n, reference, year, lang=ui_lang(lang))
                                 for n in names if n != reference], ignore_index=True)
        except CocontrolError as e:
            fail(e)
        wide = pw.pivot_table(index=["species", "unit", "scenario"], columns="year",
                              values="value", sort=False)
        if fmt == Format.table:
            print_df(wide, title=label("cli.t_pathways"))
            print_df(metrics[["scenario", "pollutant", "P_reduction", "CO2_reduction_t",
                              "quadrant", "els", "sign_pair"]],
                     title=label("cli.t_metrics_against", reference=reference, year=year))
            return
        if fmt == Format.xlsx:
            if output is None:
                raise bad_parameter("msg.cli_xlsx_needs_output_short")
            from cocontrol import io

            with io.atomic_path(output) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                safe_frame(wide).to_excel(xw, sheet_name="pathways")
                safe_frame(metrics).to_excel(xw, sheet_name="metrics", index=False)
            wrote(output)
            return
        emit(metrics, fmt, output)

    @app.command("measures")
    def measures_cmd(
        project: Path = typer.Argument(..., help="project folder"),
        scenario: str = typer.Option("policy", "--scenario", "-s"),
        year: int = typer.Option(2030),
        table: str = typer.Option("ranking", help="ranking, metrics, mac_co2, mac_apeq, "
                                                  "reductions"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path | None = typer.Option(None, "--output", "-o"),
        lang: Lang | None = lang_option(),
    ) -> None:
        """Co-control metrics of every measure of a scenario (each against the scenario without
        it): quadrant, cross-elasticity with sign pair, APeq, unit costs, MAC curves."""
        from cocontrol.metrics import measure_metrics

        try:
            base = _prepare(project)
            with progress_bar() as cb:
                out = measure_metrics(base, scenario, year, lang=ui_lang(lang), progress=cb)
            if table not in out:
                raise CocontrolError(i18n.Msg("msg.cli_unknown_table", name=repr(table),
                                              known=i18n.Seq(out, ", ", quote=True)))
        except CocontrolError as e:
            fail(e)
        emit(out[table], fmt, output, title=f"{scenario} {year}: {table}")


def write_scenario_reports(project, out: Path, lang: str, year: int | None = None,
                           focus: str | None = None, assets: str = "inline",
                           pdf: bool = False) -> list[Path]:
    """Run every scenario of ``project`` (a folder or a loaded Project), print a line per
    scenario, write the scenario report (and PDF) and workbook to ``out``."""
    from cocontrol.report.inventory import project_name
    from cocontrol.report.scenario import scenario_report, write_excel
    from cocontrol.scenario import check_targets, peak, run

    base = _prepare(project)
    runs = {n: run(base, n) for n in base.scenarios}
    for n, r in runs.items():
        y, v = peak(r)
        tg = check_targets(base, r)
        console.print(i18n.t("sc_console_line", lang, scenario=n, year=y, mt=f"{v / 1e6:,.2f}",
                             met=int(tg["passed"].sum()), n=len(tg)))
    if year is None:
        year = 2030 if 2030 in base.years else base.years[-1]
    if focus is None:
        focus = "enhanced" if "enhanced" in runs else list(runs)[-1]
    with progress_bar() as cb:
        html, tables = scenario_report(base, runs, out / "scenario_report.html", lang=lang,
                                       year=year, focus=focus,
                                       illustrative=base.project.manifest.illustrative,
                                       name=project_name(base.project.manifest, lang),
                                       assets=assets, pdf=pdf, progress=cb)
    xlsx = write_excel(base, runs, tables, out / "scenarios.xlsx")
    return [html, *([html.with_suffix(".pdf")] if pdf else []), xlsx]


def demo(out: Path, lang: str, assets: str = "inline", pdf: bool = False) -> list[Path]:
    """Run the demo city's scenarios to 2060 and write the scenario report and workbook."""
    from cocontrol.cli.inventory import _demo_project

    try:
        return write_scenario_reports(_demo_project(), out, lang, year=2030, assets=assets,
                                      pdf=pdf)
    except CocontrolError as e:
        fail(e, lang)
