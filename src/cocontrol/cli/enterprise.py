"""``cocontrol permit | account | footprint | projects | screen``: enterprises and parks (a thin
shell over :mod:`cocontrol.enterprise.runner` and :mod:`cocontrol.enterprise.report`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from cocontrol import i18n
from cocontrol.cli.common import Format, bad_parameter, emit, lang_option, say, ui_lang, wrote

# Every command runs inside the CLI's error guard (cli/__init__.py): a library error becomes
# the plain message and exit code 1 there, so the commands below only load, call and emit.
_wrote = wrote


def label(key: str, lang: str | None = None, /, **fmt) -> str:
    """A table title in the command's language (its ``--lang``, else the global one)."""
    return i18n.Msg(key, **fmt).tr(ui_lang(lang))


def _date(s: str | None) -> dt.date | None:
    if s is None:
        return None
    try:
        return dt.date.fromisoformat(s)
    except ValueError as e:
        raise bad_parameter("cli.ent_on_date", got=repr(s)) from e


def register(app: typer.Typer) -> None:
    @app.command("permit")
    def permit_cmd(
        project: Path = typer.Argument(..., help="project folder (with enterprise/permits.yaml)"),
        enterprise: str = typer.Option(..., "--enterprise", "-e", help="enterprise region id"),
        on: str = typer.Option(None, "--on", help="assessment date YYYY-MM-DD"),
        year: int = typer.Option(None, "--year", help="inventory year of the quantities"),
        near: float = typer.Option(0.9, "--near", help="share of a limit from which an item "
                                   "is 'near'"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Permit compliance (concentrations, annual quantities, carbon intensity)."""
        from cocontrol.enterprise import runner

        tab = runner.permit_status(runner.context(project), enterprise, on=_date(on),
                                   year=year, near=near)
        emit(tab, fmt, output, title=label("cli.t_ent_permit", name=enterprise))

    @app.command("account")
    def account_cmd(
        project: Path = typer.Argument(..., help="project folder"),
        enterprise: str = typer.Option(None, "--enterprise", "-e", help="enterprise region id"),
        park: str = typer.Option(None, "--park", help="park region id (park account)"),
        report: Path = typer.Option(None, "--report", help="write an HTML account report"),
        lang: str = lang_option(),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Carbon–pollution account of an enterprise (or a park)."""
        from cocontrol.enterprise import report as rep
        from cocontrol.enterprise import runner

        if (enterprise is None) == (park is None):
            raise bad_parameter("cli.ent_one_of")
        ctx = runner.context(project)
        if park is not None:
            acc, targets, ev = runner.park_full(ctx, park)
            emit(acc.total, fmt, output, title=label("cli.t_ent_park", lang, name=acc.name))
            if len(targets):
                emit(targets, Format.table, None, title=label("cli.t_ent_park_targets", lang))
            if ev is not None:
                import pandas as pd

                emit(pd.DataFrame([ev]), Format.table, None,
                     title=label("cli.t_ent_park_eval", lang))
            return
        acc = runner.account(ctx, enterprise)
        if report is not None:
            _wrote(rep.account_report(acc, runner.permit_status_or_none(ctx, enterprise),
                                      report, lang=ui_lang(lang)))
        emit(acc.annual, fmt, output, title=label("cli.t_ent_account", lang, name=acc.name))
        if acc.benchmark is not None and fmt == Format.table:
            emit(acc.benchmark[["year", "intensity", "unit", "benchmark", "ratio", "level"]],
                 Format.table, None, title=label("cli.t_ent_benchmark", lang))

    @app.command("footprint")
    def footprint_cmd(
        project: Path = typer.Argument(..., help="project folder (with enterprise/products.yaml)"),
        product: str = typer.Option(None, "--product", help="product id (default all)"),
        report: Path = typer.Option(None, "--report", help="write an HTML footprint report"),
        excel: Path = typer.Option(None, "--excel", help="write an Excel footprint workbook"),
        lang: str = lang_option(),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Product carbon footprints, cradle to gate (ISO 14067)."""
        from cocontrol.enterprise import io, runner
        from cocontrol.enterprise import report as rep

        res = runner.footprints(io.load(project), product)
        if report is not None:
            _wrote(rep.footprint_report(res, report, lang=ui_lang(lang)))
        if excel is not None:
            _wrote(rep.footprint_excel(res, excel))
        emit(rep.footprint_summary(res), fmt, output, title=label("cli.t_ent_footprints", lang))

    @app.command("projects")
    def projects_cmd(
        project: Path = typer.Argument(..., help="project folder (with enterprise/projects.yaml)"),
        year: int = typer.Option(..., "--year", help="scenario year of the co-benefits"),
        reference: str = typer.Option("baseline", "--reference", help="reference scenario"),
        owner: str = typer.Option(None, "--owner", help="only the projects of this owner"),
        bank: Path = typer.Option(None, "--bank", help="write the bank export (.xlsx/.csv)"),
        report: Path = typer.Option(None, "--report", help="write an HTML library report"),
        lang: str = lang_option(),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Synergy project library: co-benefits from the engine and ranking for funding."""
        from cocontrol.enterprise import report as rep
        from cocontrol.enterprise import runner

        ctx = runner.context(project)
        _, ranking = runner.project_library(ctx, year, reference=reference, owner=owner)
        if bank is not None:
            _wrote(rep.bank_file(ctx.data.projects, ranking, bank))
        if report is not None:
            _wrote(rep.library_report(ranking, report, lang=ui_lang(lang)))
        emit(ranking, fmt, output, title=label("cli.t_ent_projects", lang, year=year))

    @app.command("screen")
    def screen_cmd(
        project: Path = typer.Argument(..., help="project folder (with enterprise/plants.yaml)"),
        plant: str = typer.Option(None, "--plant", help="plant id (default all)"),
        report: Path = typer.Option(None, "--report", help="write an HTML screening report"),
        lang: str = lang_option(),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Screening of a proposed plant against benchmarks and regional caps."""
        from cocontrol.enterprise import report as rep
        from cocontrol.enterprise import runner

        res = runner.screening(runner.context(project), plant)
        if report is not None:
            _wrote(rep.screening_report(res, report, lang=ui_lang(lang)))
        emit(rep.screening_table(res), fmt, output, title=label("cli.t_ent_screening", lang))


DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo-city"


def demo(out: Path, lang: str) -> list[Path]:
    """Enterprise stage of ``cocontrol demo``: account with permit compliance, footprints,
    the project library (bank export) and the screening of the proposed plant."""
    from cocontrol.enterprise import report as rep
    from cocontrol.enterprise import runner

    ctx = runner.context(DEMO)
    files = []
    acc = runner.account(ctx, "huaxin_power")
    files.append(rep.account_report(acc, runner.permit_status(ctx, "huaxin_power"),
                                    out / "enterprise_account_report.html", lang=lang))
    fps = runner.footprints(ctx.data)
    files.append(rep.footprint_report(fps, out / "footprint_report.html", lang=lang))
    files.append(rep.footprint_excel(fps, out / "footprints.xlsx"))
    _, ranking = runner.project_library(ctx, 2030)
    files.append(rep.library_report(ranking, out / "project_library_report.html", lang=lang))
    files.append(rep.bank_file(ctx.data.projects, ranking, out / "project_library_bank.xlsx"))
    files.append(rep.screening_report(runner.screening(ctx), out / "screening_report.html",
                                      lang=lang))
    for r in fps:
        say("cli.ent_footprint_line", lang, product=r.product, value=f"{r.value_kg:,.1f}",
            unit=r.functional_unit)
    return files
