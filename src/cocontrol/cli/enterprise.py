"""``cocontrol permit | account | footprint | projects | screen``: enterprises and parks (a thin
shell over :mod:`cocontrol.enterprise`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from cocontrol.cli.common import Format, console, emit, fail, wrote
from cocontrol.errors import CocontrolError
from cocontrol.project.cells import safe_frame


def _date(s: str | None) -> dt.date | None:
    if s is None:
        return None
    try:
        return dt.date.fromisoformat(s)
    except ValueError as e:
        raise typer.BadParameter(f"--on must be a date YYYY-MM-DD, got {s!r}") from e


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

        try:
            ctx = runner.context(project)
            tab = runner.permit_status(ctx, enterprise, on=_date(on), year=year, near=near)
        except CocontrolError as e:
            fail(e)
        emit(tab, fmt, output, title=f"permit {enterprise}")

    @app.command("account")
    def account_cmd(
        project: Path = typer.Argument(..., help="project folder"),
        enterprise: str = typer.Option(None, "--enterprise", "-e", help="enterprise region id"),
        park: str = typer.Option(None, "--park", help="park region id (park account)"),
        report: Path = typer.Option(None, "--report", help="write an HTML account report"),
        lang: str = typer.Option("en", "--lang", help="en or zh"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Carbon–pollution account of an enterprise (or a park)."""
        from cocontrol.enterprise import report as rep
        from cocontrol.enterprise import runner

        if (enterprise is None) == (park is None):
            raise typer.BadParameter("give exactly one of --enterprise or --park")
        try:
            ctx = runner.context(project)
            if park is not None:
                acc, targets = runner.park(ctx, park)
                emit(acc.total, fmt, output, title=f"park {acc.name}")
                if len(targets):
                    emit(targets, Format.table, None, title="park targets")
                return
            acc = runner.account(ctx, enterprise)
            if report is not None:
                comp = None
                try:
                    comp = runner.permit_status(ctx, enterprise)
                except CocontrolError:
                    comp = None
                wrote(rep.account_report(acc, comp, report, lang=lang))
        except CocontrolError as e:
            fail(e)
        emit(acc.annual, fmt, output, title=f"account {acc.name}")
        if acc.benchmark is not None and fmt == Format.table:
            emit(acc.benchmark[["year", "intensity", "unit", "benchmark", "ratio", "level"]],
                 Format.table, None, title="benchmark")

    @app.command("footprint")
    def footprint_cmd(
        project: Path = typer.Argument(..., help="project folder (with enterprise/products.yaml)"),
        product: str = typer.Option(None, "--product", help="product id (default all)"),
        report: Path = typer.Option(None, "--report", help="write an HTML footprint report"),
        excel: Path = typer.Option(None, "--excel", help="write an Excel footprint workbook"),
        lang: str = typer.Option("en", "--lang", help="en or zh"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Product carbon footprints, cradle to gate (ISO 14067)."""
        import pandas as pd

        from cocontrol.enterprise import io
        from cocontrol.enterprise import report as rep
        from cocontrol.enterprise.product_footprint import footprint

        try:
            data = io.load(project)
            prods = [p for p in data.products if product is None or p.id == product]
            if product is not None and not prods:
                raise CocontrolError(f"unknown product {product!r}; known: "
                                     + ", ".join(p.id for p in data.products))
            res = [footprint(p) for p in prods]
        except CocontrolError as e:
            fail(e)
        if report is not None:
            wrote(rep.footprint_report(res, report, lang=lang))
        if excel is not None:
            wrote(rep.footprint_excel(res, excel))
        tab = pd.DataFrame([{"product": r.product, "functional_unit": r.functional_unit,
                             "kg_co2e": r.value_kg, "uncertainty_pct_95": r.uncertainty_pct,
                             "allocation_share": r.allocation_share} for r in res])
        emit(tab, fmt, output, title="carbon footprints")

    @app.command("projects")
    def projects_cmd(
        project: Path = typer.Argument(..., help="project folder (with enterprise/projects.yaml)"),
        year: int = typer.Option(..., "--year", help="scenario year of the co-benefits"),
        reference: str = typer.Option("baseline", "--reference", help="reference scenario"),
        owner: str = typer.Option(None, "--owner", help="only the projects of this owner"),
        bank: Path = typer.Option(None, "--bank", help="write the bank export (.xlsx/.csv)"),
        report: Path = typer.Option(None, "--report", help="write an HTML library report"),
        lang: str = typer.Option("en", "--lang", help="en or zh"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Synergy project library: co-benefits from the engine and ranking for funding."""
        from cocontrol.enterprise import report as rep
        from cocontrol.enterprise import runner
        from cocontrol.enterprise.projects import bank_export

        try:
            ctx = runner.context(project)
            _, ranking = runner.project_library(ctx, year, reference=reference, owner=owner)
        except CocontrolError as e:
            fail(e)
        if bank is not None:
            tab = bank_export(ctx.data.projects, ranking)
            from cocontrol.project.cells import safe_frame

            if bank.suffix.lower() == ".xlsx":
                safe_frame(tab).to_excel(bank, index=False)
            else:
                safe_frame(tab).to_csv(bank, index=False, encoding="utf-8-sig")
            wrote(bank)
        if report is not None:
            wrote(rep.library_report(ranking, report, lang=lang))
        emit(ranking, fmt, output, title=f"synergy projects, {year}")

    @app.command("screen")
    def screen_cmd(
        project: Path = typer.Argument(..., help="project folder (with enterprise/plants.yaml)"),
        plant: str = typer.Option(None, "--plant", help="plant id (default all)"),
        report: Path = typer.Option(None, "--report", help="write an HTML screening report"),
        lang: str = typer.Option("en", "--lang", help="en or zh"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Screening of a proposed plant against benchmarks and regional caps."""
        import pandas as pd

        from cocontrol.enterprise import report as rep
        from cocontrol.enterprise import runner

        try:
            res = runner.screening(runner.context(project), plant)
        except CocontrolError as e:
            fail(e)
        if report is not None:
            wrote(rep.screening_report(res, report, lang=lang))
        tab = pd.concat([r.checks.assign(plant=r.plant, verdict=r.verdict) for r in res],
                        ignore_index=True)
        emit(tab, fmt, output, title="screening")


DEMO = Path(__file__).resolve().parents[3] / "examples" / "demo-city"


def demo(out: Path, lang: str) -> list[Path]:
    """Enterprise stage of ``cocontrol demo``: account with permit compliance, footprints,
    the project library (bank export) and the screening of the proposed plant."""
    from cocontrol.enterprise import report as rep
    from cocontrol.enterprise import runner
    from cocontrol.enterprise.projects import bank_export

    ctx = runner.context(DEMO)
    files = []
    acc = runner.account(ctx, "huaxin_power")
    files.append(rep.account_report(acc, runner.permit_status(ctx, "huaxin_power"),
                                    out / "enterprise_account_report.html", lang=lang))
    fps = runner.footprints(ctx)
    files.append(rep.footprint_report(fps, out / "footprint_report.html", lang=lang))
    files.append(rep.footprint_excel(fps, out / "footprints.xlsx"))
    _, ranking = runner.project_library(ctx, 2030)
    files.append(rep.library_report(ranking, out / "project_library_report.html", lang=lang))
    bank = out / "project_library_bank.xlsx"
    tmp = bank.with_name(bank.stem + ".tmp.xlsx")
    safe_frame(bank_export(ctx.data.projects, ranking)).to_excel(tmp, index=False)
    tmp.replace(bank)
    files.append(bank)
    files.append(rep.screening_report(runner.screening(ctx), out / "screening_report.html",
                                      lang=lang))
    for r in fps:
        console.print(f"  footprint {r.product}: {r.value_kg:,.1f} kg CO2e / {r.functional_unit}")
    return files
