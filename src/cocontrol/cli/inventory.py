"""CLI: ``cocontrol validate | inventory | template | report``."""

from __future__ import annotations

from importlib import resources
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
    err_console,
    fail,
    label,
    lang_option,
    pdf_option,
    print_df,
    render_problem,
    ui_lang,
    wrote,
)
from cocontrol.errors import CocontrolError, InputError, MissingFactorError
from cocontrol.inventory import plausibility


def _demo_project() -> Path:
    """The embedded demo project: ``examples/demo-city`` of the source tree."""
    here = Path(str(resources.files("cocontrol"))).resolve()
    for base in (here.parent.parent, Path.cwd()):
        p = base / "examples" / "demo-city"
        if (p / "project.yaml").exists():
            return p
    raise CocontrolError(i18n.Msg("msg.cli_demo_not_found"))


def check(project_dir: Path):
    """Load, validate and compute; return (project, inventory) or raise InputError with every
    problem, including source/species pairs with no factor."""
    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    with console.status(f"reading and validating {project_dir} ..."):
        proj = load_project(project_dir)
    try:
        with console.status(f"computing the inventory of {len(proj.activity):,} activity "
                            "rows ..."):
            inv = compute(proj, strict=False)
    except MissingFactorError as e:  # pragma: no cover - strict=False never raises it
        raise InputError(str(e)) from e
    if inv.missing:
        raise InputError(inv.missing)
    return proj, inv


def check_all(project_dir: Path):
    """:func:`check` plus the scenario stage's checks (the project's measures table typed
    against the library, scenarios resolved): what ``validate`` reports."""
    from cocontrol.scenario import measures as mlib
    from cocontrol.scenario import spec as sspec

    proj, inv = check(project_dir)
    mlib.library(proj.measures)
    sspec.from_project(proj)
    return proj, inv


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate_cmd(project: Path = typer.Argument(..., help="project folder")) -> None:
        """Check every file of a project (manifest, tables, scenarios, optimisation and
        other settings, cross-references); list every problem (exit 1 if any)."""
        try:
            proj, inv = check_all(project)
        except CocontrolError as e:
            fail(e)
        lang = ui_lang()
        for w in proj.warnings:
            tag = i18n.t("warning" if w.severity == "warning" else "warn_note", lang)
            err_console.print(f"[yellow]{tag}[/] ", end="", highlight=False)
            err_console.print(render_problem(w, lang), markup=False, highlight=False)
        for w in inv.warnings:  # plausibility (cocontrol.inventory.plausibility)
            err_console.print(f"[yellow]{i18n.t('warning', lang)}[/] ", end="",
                              highlight=False)
            err_console.print(plausibility.text(w, lang), markup=False, highlight=False)
        files = ", ".join(sorted(proj.origins.values()) + [
            f for f, d in (("scenarios.yaml", proj.scenarios),
                           ("optimisation.yaml", proj.optimisation),
                           ("instruments.yaml", proj.instruments),
                           ("evaluation.yaml", proj.evaluation)) if d is not None])
        console.print(f"[green]{i18n.t('no_problems', lang)}[/]: " + i18n.t(
            "cli.validated", lang, n_rows=len(proj.activity), n_lines=len(inv.lines),
            n_regions=len(proj.regions), files=f"project.yaml, {files}"), highlight=False)

    @app.command("inventory")
    def inventory_cmd(
        project: Path = typer.Argument(..., help="project folder"),
        by: str = typer.Option("sector", help="comma-separated: sector, fuel, process, "
                               "district, park, enterprise, facility, region_id, source_id"),
        unit: str = typer.Option("kt", help="t, kt or Mt"),
        scope: str = typer.Option("1", help="1 direct, 2 indirect (purchased energy), all"),
        fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json, xlsx"),
        output: Path | None = typer.Option(None, "--output", "-o", help="output file"),
        iamc: bool = typer.Option(False, help="output IAMC format instead"),
    ) -> None:
        """Compute the integrated inventory and print or export it."""
        try:
            proj, inv = check(project)
            if fmt == Format.xlsx and not iamc:
                if output is None:
                    raise bad_parameter("msg.cli_xlsx_needs_output")
                inv.to_excel(output, unit=unit)
                wrote(output)
                return
            if iamc:
                df = inv.to_iamc()
            else:
                sc = scope if scope == "all" else int(scope)
                df = inv.aggregate(by.split(","), unit=unit, scope=sc, wide=True)
        except CocontrolError as e:
            fail(e)
        emit(df, fmt, output, title=f"{proj.name}: {unit}")

    @app.command("template")
    def template_cmd(
        folder: Path = typer.Argument(..., help="folder to write into"),
        force: bool = typer.Option(False, "--force", help="overwrite an existing inputs.xlsx"),
    ) -> None:
        """Write inputs.xlsx (one documented sheet per table, code lists) and a manifest."""
        from cocontrol.project.template import write_template

        try:
            path = write_template(folder, force=force)
        except CocontrolError as e:
            fail(e)
        wrote(path)
        wrote(folder / "project.yaml")

    @app.command("init")
    def init_cmd(
        folder: Path = typer.Argument(..., help="new project folder (its name is the city's "
                                      "name unless --name)"),
        excel: bool = typer.Option(False, "--excel", help="one inputs.xlsx workbook instead "
                                   "of CSV tables"),
        name: str | None = typer.Option(None, "--name", help="city name in English"),
        name_zh: str | None = typer.Option(None, "--name-zh", help="city name in Chinese"),
        base_year: int = typer.Option(2020, "--base-year", help="base year of the inventory"),
        sectors: str | None = typer.Option(None, "--sectors", help="comma-separated sector "
                                           "codes (default: power, heat_supply, cement, "
                                           "other_industry, residential, road_passenger, "
                                           "road_freight)"),
        force: bool = typer.Option(False, "--force", help="write into a folder that already "
                                   "has a project.yaml"),
    ) -> None:
        """Write a complete project skeleton for a new city (valid as written, EXAMPLE data)."""
        from cocontrol.project.skeleton import write_skeleton

        try:
            paths = write_skeleton(folder, name=name, name_zh=name_zh, base_year=base_year,
                                   sectors=tuple(s.strip() for s in sectors.split(",")
                                                 if s.strip()) if sectors else None,
                                   excel=excel, force=force)
        except CocontrolError as e:
            fail(e)
        lang = ui_lang()
        console.print(i18n.t("init_done", lang, n=len(paths), folder=str(folder)))
        for p in paths:
            console.print(f"  {p}")
        console.print(i18n.t("init_next", lang, folder=str(folder)))

    @app.command("report")
    def report_cmd(
        project: Path = typer.Argument(..., help="project folder"),
        out: Path = typer.Option(Path("out"), help="output folder"),
        lang: Lang | None = lang_option(),
        assets: Assets = assets_option(),
        pdf: bool = pdf_option(),
        scenarios: bool = typer.Option(True, "--scenarios/--no-scenarios",
                                       help="also the scenario report when the project has "
                                            "scenarios.yaml"),
        year: int | None = typer.Option(None, "--year", help="year of the co-control metrics "
                                        "of the scenario report (default 2030, else the last)"),
    ) -> None:
        """Write the inventory (and scenario) HTML reports and Excel workbooks to OUT."""
        lang = ui_lang(lang)
        try:
            proj, inv = check(project)
            paths = _write_reports(proj, inv, out, lang, assets.value, pdf)
            if scenarios and (project / "scenarios.yaml").exists():
                from cocontrol.cli.scenario import write_scenario_reports

                paths += write_scenario_reports(proj, out, lang, year=year,
                                                assets=assets.value, pdf=pdf)
        except CocontrolError as e:
            fail(e, lang)
        for p in paths:
            wrote(p, lang)


def _write_reports(proj, inv, out: Path, lang: str, assets: str = "inline",
                   pdf: bool = False) -> list[Path]:
    """The inventory report and workbook, moved into ``out`` together when both are written
    (a failure leaves neither)."""
    from cocontrol import io

    with io.staged_dir(out) as stage:
        paths = _write_reports_into(proj, inv, stage, lang, assets, pdf)
        return [io.rebase(p, stage, out) for p in paths]


def _write_reports_into(proj, inv, out: Path, lang: str, assets: str = "inline",
                        pdf: bool = False) -> list[Path]:
    from cocontrol.report.inventory import inventory_report, project_name

    html = inventory_report(inv, out / "inventory_report.html", lang=lang,
                            illustrative=proj.manifest.illustrative,
                            year=proj.manifest.base_year,
                            name=project_name(proj.manifest, lang), assets=assets, pdf=pdf)
    xlsx = inv.to_excel(out / "inventory.xlsx", unit="t")
    return [html, *([html.with_suffix(".pdf")] if pdf else []), xlsx]


def demo(out: Path, lang: str, assets: str = "inline", pdf: bool = False) -> list[Path]:
    """Validate the demo city, compute its inventory, print a summary, write reports."""
    project = _demo_project()
    try:
        proj, inv = check(project)
    except CocontrolError as e:
        fail(e)
    console.print("[green]" + i18n.t("msg.cli_validated_tag", lang) + "[/] " + i18n.t(
        "msg.cli_demo_validated", lang, project=project, rows=len(proj.activity),
        lines=len(inv.lines)), highlight=False)
    tab = inv.aggregate("sector_parent", unit="kt", wide=False)
    tab = tab[tab["year"] == proj.manifest.base_year]
    wide = tab.pivot_table(index="sector_parent", columns="species", values="value",
                           aggfunc="sum")
    cols = ["SO2", "NOx", "PM2.5", "PM10", "VOCs", "NH3", "CO", "BC", "CH4", "N2O"]
    summary = wide[cols].copy()
    summary["CO2 (Mt)"] = wide["CO2"] / 1e3
    summary[f"CO2e {inv.gwp_set} (Mt)"] = wide["CO2e"] / 1e3
    summary.loc["total"] = summary.sum()
    print_df(summary, title=label("cli.t_demo_emissions", name=proj.name,
                                  year=proj.manifest.base_year))
    return _write_reports(proj, inv, out, lang, assets, pdf)
