"""``cocontrol uncertainty`` and ``cocontrol batch``: probability of meeting the targets and
multi-city runs (thin shell over :mod:`cocontrol.uncertainty`)."""

from __future__ import annotations

from pathlib import Path

import typer

from cocontrol.cli.common import Format, console, emit, fail, label, note, say, wrote
from cocontrol.errors import CocontrolError


def register(app: typer.Typer) -> None:
    @app.command("uncertainty")
    def uncertainty_cmd(
        project: Path = typer.Argument(..., help="project folder"),
        scenario: str = typer.Option("policy", "--scenario", "-s"),
        draws: int = typer.Option(1000, "--draws", "-n", help="number of draws"),
        method: str = typer.Option("lhs", "--method", help="lhs or mc"),
        seed: int = typer.Option(0, "--seed"),
        until: int = typer.Option(2035, "--until", help="last year"),
        sobol: int = typer.Option(0, "--sobol", help="Saltelli base sample size (0 = none)"),
        dask: str = typer.Option(None, "--dask", help="tcp://host:port, or 'local' for an "
                                 "in-process LocalCluster (default: this process)"),
        out: Path = typer.Option(None, "--out", help="folder for Parquet draws and report"),
        lang: str = typer.Option("en", "--lang"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Monte Carlo / LHS through the ensemble axis: probability of meeting each target."""
        from rich.progress import Progress

        from cocontrol.uncertainty.distributed import local_client
        from cocontrol.uncertainty.runner import assess

        client = None
        try:
            if dask == "local":
                client = local_client()
            elif dask:
                from dask.distributed import Client

                client = Client(dask)
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task("draws", total=draws)
                a = assess(project, scenario, draws=draws, method=method, seed=seed,
                           until=until, sobol=sobol, client=client,
                           out=None if out is None else out / "draws",
                           progress=lambda s, d, n, m: bar.update(task, completed=d))
        except CocontrolError as e:
            fail(e)
        finally:
            if client is not None:
                client.close()
        if out is not None and a.attainment is not None:
            from cocontrol.uncertainty import report

            wrote(report.write(a.draws, a.attainment, out / "uncertainty_report.html",
                               sobol=a.sobol, tornado=a.tornado, notes=a.model.notes,
                               lang=lang))
        for n in a.notes:
            note(n)
        if a.attainment is None:
            return
        emit(a.attainment, fmt, output,
             title=label("cli.t_draws", scenario=scenario, draws=f"{draws:,}", method=method))

    @app.command("batch")
    def batch_cmd(
        projects: list[Path] = typer.Argument(..., help="project folders (one per city)"),
        scenarios: str = typer.Option(None, "--scenarios", help="comma-separated scenario "
                                      "names run in every city (default: all of each city)"),
        year_from: int = typer.Option(2020, "--from"),
        year_to: int = typer.Option(2030, "--to"),
        pollutant: str = typer.Option("SO2", "--pollutant"),
        dask: str = typer.Option(None, "--dask", help="tcp://host:port or 'local'"),
        draws: int = typer.Option(0, "--draws", help="draws per city for the probability of "
                                  "meeting its targets (0 = none)"),
        scenario: str = typer.Option("policy", "--scenario", help="scenario of the draws"),
        geojson: Path = typer.Option(None, "--geojson", help="city boundaries (feature "
                                     "property 'code' = the city's folder name) for maps"),
        out: Path = typer.Option(None, "--out", help="folder for batch_report.html"),
        lang: str = typer.Option("en", "--lang"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Run a batch of cities; comparison table with the co-reduction class of each,
        optionally the probability of meeting each city's targets, and maps."""
        from cocontrol import geomap, io
        from cocontrol.uncertainty.batch import cities_attainment, comparison, run_cities
        from cocontrol.uncertainty.distributed import local_client

        client = None
        try:
            if dask == "local":
                client = local_client()
            elif dask:
                from dask.distributed import Client

                client = Client(dask)
            gj = None
            if geojson is not None:
                gj = io.read_json(geojson)
                geomap.check(gj, file=str(geojson))
            names = [s.strip() for s in scenarios.split(",")] if scenarios else None
            tot = run_cities(projects, scenarios=names, client=client)
            tab = comparison(tot, year_from, year_to, pollutant)
            att = cities_attainment(projects, scenario=scenario, draws=draws,
                                    client=client) if draws else None
        except CocontrolError as e:
            fail(e)
        finally:
            if client is not None:
                client.close()
        if out is not None:
            from cocontrol.uncertainty import report

            wrote(report.write_batch(tab, out / "batch_report.html", attainment=att,
                                     geojson=gj, scenario=scenario
                                     if scenario in set(tab["scenario"]) else None,
                                     lang=lang))
        emit(tab, fmt, output, title=label("cli.t_cities", n=len(projects)))
        if att is not None:
            emit(att, fmt, None, title=label("cli.t_attainment"))

    @app.command("robust")
    def robust_cmd(
        project: Path = typer.Argument(..., help="project folder"),
        probability: float = typer.Option(0.9, "--probability", "-p",
                                          help="probability that every target holds"),
        draws: int = typer.Option(500, "--draws", "-n", help="draws per assessment"),
        seed: int = typer.Option(0, "--seed"),
        rounds: int = typer.Option(6, "--rounds", help="at most this many back-off rounds"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Least-cost plan whose optimisation.yaml targets hold with a chosen probability
        (back-off on the targets, checked on fresh draws)."""
        from rich.progress import Progress

        from cocontrol.uncertainty.robust import robust_project

        try:
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task("robust plan", total=rounds)
                rp = robust_project(project, probability, draws=draws, seed=seed,
                                    max_rounds=rounds,
                                    progress=lambda s, d, n, m: bar.update(task, completed=d))
        except CocontrolError as e:
            fail(e)
        for n in rp.notes:
            note(n)
        det = rp.deterministic_assessment.set_index("target")["probability"]
        tab = rp.assessment.rename(columns={"probability": "probability_robust"})
        tab.insert(1, "probability_deterministic", tab["target"].map(det))
        say("msg.cli_robust_meets" if rp.met else "msg.cli_robust_fails",
            p=f"{probability:g}", cost=f"{rp.plan.cost_pv:,.0f}",
            det=f"{rp.deterministic.cost_pv:,.0f}", price=f"{rp.price_of_robustness:,.0f}")
        emit(tab, fmt, output, title=label("cli.t_robust", draws=f"{draws:,}"))
        if not rp.met:
            raise typer.Exit(1)
