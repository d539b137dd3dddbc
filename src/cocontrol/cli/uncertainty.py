"""``cocontrol uncertainty`` and ``cocontrol batch``: probability of meeting the targets and
multi-city runs (thin shell over :mod:`cocontrol.uncertainty`)."""

from __future__ import annotations

from pathlib import Path

import typer

from cocontrol.cli.common import Format, console, emit, fail, wrote
from cocontrol.errors import CocontrolError


def targets_and_link(folder: Path, base, horizon: list[int]):
    """Targets (PM2.5 and CO2 peak from optimisation.yaml) and the city's air-quality link."""
    from cocontrol.optimize import settings as st
    from cocontrol.uncertainty import Target
    from cocontrol.uncertainty.ensemble import aq_link

    s = st.load(folder)
    link, targets = None, []
    if s.air_quality is not None:
        a = s.air_quality
        link = aq_link(base, a.city, a.pm25_base_ugm3, a.local_share, a.om_share_of_primary,
                       a.om_oc_ratio, a.source)
    t = s.targets or {}
    if link is not None and t.get("pm25_max") is not None and t.get("pm25_year") in horizon:
        targets.append(Target(kind="pm25_max", year=int(t["pm25_year"]),
                              value=float(t["pm25_max"])))
    if t.get("co2_peak_by") in horizon:
        targets.append(Target(kind="peak_by", year=int(t["co2_peak_by"]), species="CO2"))
    return targets, link


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

        from cocontrol.scenario import prepare
        from cocontrol.scenario import spec as sspec
        from cocontrol.uncertainty import attainment, build_model, sobol_indices
        from cocontrol.uncertainty.analysis import tornado
        from cocontrol.uncertainty.distributed import local_client, run_draws

        client = None
        try:
            years = None
            base0 = prepare(project)
            years = [y for y in base0.years if y <= until]
            if len(years) < 2:
                raise CocontrolError(f"--until {until} leaves fewer than two scenario years")
            ss = sspec.ScenarioSet(sspec.Settings(years=years, discount_rate=base0.settings
                                                  .discount_rate), base0.scenarios,
                                   base0.targets)
            base = prepare(project, scenario_set=ss)
            targets, link = targets_and_link(project, base, years)
            model = build_model(base, scenario, aq=link)
            if dask == "local":
                client = local_client()
            elif dask:
                from dask.distributed import Client

                client = Client(dask)
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task("draws", total=draws)
                res = run_draws(model, draws, method=method, seed=seed, client=client,
                                out=None if out is None else out / "draws",
                                progress=lambda s, d, n, m: bar.update(task, completed=d))
            prob = attainment(res, targets) if targets else None
            sob = tor = None
            if sobol and targets:
                t0 = targets[0]
                j = years.index(t0.year)

                def y(r):
                    return r.pm25[:, j] if t0.kind == "pm25_max" else r.series("CO2")[:, j]

                sob = sobol_indices(lambda U: y(model.evaluate(U)), len(model.params),
                                    n=sobol, groups=model.groups, seed=seed).to_frame()
                tor = tornado(model, y)
        except CocontrolError as e:
            fail(e)
        finally:
            if client is not None:
                client.close()
        if out is not None and prob is not None:
            from cocontrol.uncertainty import report

            wrote(report.write(res, prob, out / 'uncertainty_report.html', sobol=sob, tornado=tor, notes=model.notes, lang=lang))
        for n in model.notes:
            console.print(f"note: {n}")
        if prob is None:
            console.print("no targets in optimisation.yaml within the horizon")
            return
        emit(prob, fmt, output, title=f"{scenario}: {draws:,} draws ({method})")

    @app.command("batch")
    def batch_cmd(
        projects: list[Path] = typer.Argument(..., help="project folders (one per city)"),
        scenarios: str = typer.Option(None, "--scenarios", help="comma-separated scenario "
                                      "names run in every city (default: all of each city)"),
        year_from: int = typer.Option(2020, "--from"),
        year_to: int = typer.Option(2030, "--to"),
        pollutant: str = typer.Option("SO2", "--pollutant"),
        dask: str = typer.Option(None, "--dask", help="tcp://host:port or 'local'"),
        fmt: Format = typer.Option(Format.table, "--format"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Run a batch of cities; comparison table with the co-reduction class of each."""
        from cocontrol.uncertainty.batch import comparison, run_cities
        from cocontrol.uncertainty.distributed import local_client

        client = None
        try:
            if dask == "local":
                client = local_client()
            elif dask:
                from dask.distributed import Client

                client = Client(dask)
            names = [s.strip() for s in scenarios.split(",")] if scenarios else None
            tot = run_cities(projects, scenarios=names, client=client)
            tab = comparison(tot, year_from, year_to, pollutant)
        except CocontrolError as e:
            fail(e)
        finally:
            if client is not None:
                client.close()
        emit(tab, fmt, output, title=f"{len(projects)} cities")
