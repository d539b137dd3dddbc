"""CLI: ``cocontrol optimize PROJECT`` (thin shell over cocontrol.optimize) and its demo."""

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
    console,
    emit,
    fail,
    lang_option,
    pdf_option,
    say,
    ui_lang,
)
from cocontrol.errors import CocontrolError


class Objective(str, Enum):
    cost = "cost"
    cocontrol = "cocontrol"


def register(app: typer.Typer) -> None:
    @app.command("optimize")
    def optimize_cmd(
        project: Path = typer.Argument(..., help="project folder (with scenarios.yaml and "
                                       "optionally optimisation.yaml)"),
        pm25_target: float | None = typer.Option(None, "--pm25-target",
                                                 help="annual-mean PM2.5 limit, µg/m³"),
        target_year: int | None = typer.Option(None, "--target-year",
                                               help="PM2.5 limit applies from this year on"),
        co2_peak_by: int | None = typer.Option(None, "--co2-peak-by",
                                               help="CO2 does not rise after this year"),
        budget: float | None = typer.Option(None, "--budget", help="present value of net "
                                            "costs, yuan (required by --objective cocontrol)"),
        objective: Objective = typer.Option(Objective.cost, "--objective",
                                            help="cost (least discounted cost) or cocontrol "
                                                 "(max APeq + weighted CO2 under the budget)"),
        pareto: int = typer.Option(0, "--pareto", help="number of ε-constraint Pareto points "
                                   "(0 = none)"),
        region_level: str | None = typer.Option(None, "--region-level",
                                                help="decide per region of this level "
                                                     "(district, park ...); default from "
                                                     "optimisation.yaml, else city-wide"),
        time_limit: float = typer.Option(60.0, "--time-limit", help="seconds per LP/MILP"),
        mip_gap: float = typer.Option(1e-4, "--mip-gap", help="relative MIP gap"),
        fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json, xlsx: "
                                   "the portfolio table"),
        output: Path | None = typer.Option(None, "--output", help="file for --format, or a "
                                           "folder for the HTML/Excel report"),
        lang: Lang | None = lang_option(),
        assets: Assets = assets_option(),
        pdf: bool = pdf_option(),
    ) -> None:
        """Least-cost measures for PM2.5 attainment and the CO2 peak (减污降碳双目标优化)."""
        from cocontrol.cli.common import progress_bar
        from cocontrol.optimize import results, runner

        try:
            with progress_bar() as cb:
                res = runner.run_project(project, pm25_max=pm25_target,
                                         target_year=target_year, co2_peak_by=co2_peak_by,
                                         budget=budget, objective=objective.value,
                                         n_pareto=pareto, time_limit=time_limit,
                                         mip_gap=mip_gap, region_level=region_level,
                                         progress=cb)
            if output is not None and (output.is_dir() or output.suffix == ""):
                for p in runner.write(res, output, ui_lang(lang), assets=assets.value,
                                      pdf=pdf):
                    console.print(f"{i18n.t('wrote', ui_lang(lang))} {p}")
            if res.infeasible is not None:
                if res.infeasible.report is not None:
                    emit(res.infeasible.report, Format.table, None, "infeasible targets")
                fail(res.infeasible)
            plan = res.plan
            lg = ui_lang(lang)
            console.print(i18n.t(
                "opt_console_slp", lg, n=plan.iterations,
                state=i18n.t("opt_converged" if plan.converged else "opt_not_conv", lg),
                build=f"{plan.lp.build_s:.2f}", solve=f"{plan.lp.solve_s:.2f}",
                gap="" if plan.lp.mip_gap is None else i18n.t("opt_mip_gap", lg,
                                                               gap=f"{plan.lp.mip_gap:.6f}")))
            console.print(i18n.t("opt_console_pv", lg, pv=f"{plan.cost_pv / 1e8:,.2f}"))
            summ = results.summary(plan).set_index("year")
            emit(summ.T, Format.table, None, "by year")
            port = results.portfolio(plan)
            out_file = output if output is not None and output.suffix else None
            emit(port, fmt, out_file, "penetration (0-1)")
        except CocontrolError as e:
            fail(e)


def demo(out: Path, lang: str, assets: str = "inline", pdf: bool = False) -> list[Path]:
    """Least-cost path of Demo City to 35 µg/m³ by 2030 with the CO2 peak by 2030, with a
    four-point Pareto front, and what a stricter limit (25 µg/m³, WHO interim target 2) would
    miss by."""
    from dataclasses import replace

    from cocontrol.cli.common import progress_bar
    from cocontrol.cli.inventory import _demo_project
    from cocontrol.errors import InfeasibleError
    from cocontrol.optimize import runner
    from cocontrol.optimize.slp import optimise

    with progress_bar() as cb:  # 10-30 s: SLP iterations and the Pareto sweep
        res = runner.run_project(_demo_project(), n_pareto=4, progress=cb)
    whatif = []
    if res.plan is not None:
        try:
            optimise(res.setup, replace(res.targets, pm25_max=25.0))
        except InfeasibleError as e:
            title = i18n.t("opt_whatif_title", lang, year=res.targets.pm25_year)
            whatif.append((title, e))
    paths = runner.write(res, out, lang, whatif=whatif, assets=assets, pdf=pdf)
    p = res.plan
    if p is not None and p.pm25 is not None:
        y = res.targets.pm25_year or p.years[-1]
        i = p.years.index(y)
        peak = p.years[int(p.co2.argmax())]
        say("msg.cli_opt_summary", lang, pm=f"{p.pm25[i]:.1f}", year=y,
            limit=f"{res.targets.pm25_max:g}", peak=peak, cost=f"{p.cost_pv / 1e8:,.1f}")
    return paths
