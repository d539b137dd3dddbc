"""CLI: ``cocontrol cge`` – CGE policy simulation, synergy–antagonism matrix and ranking
(thin shell over :mod:`cocontrol.cge`)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pandas as pd
import typer

from cocontrol import i18n, io
from cocontrol.cli.common import (
    Assets,
    Format,
    Lang,
    assets_option,
    bad_parameter,
    emit,
    fail,
    lang_option,
    pdf_option,
    say,
    ui_lang,
    wrote,
)
from cocontrol.errors import CocontrolError, InputError, Problem


class RankMethod(str, Enum):
    topsis = "topsis"
    vikor = "vikor"


class Weights(str, Enum):
    entropy = "entropy"
    dimensions = "dimensions"


def _economy(sam, elasticities, satellite, savings, exchange):
    from cocontrol.cge.model import Closure
    from cocontrol.cge.policies import load_economy

    return load_economy(sam, elasticities, satellite,
                        Closure(savings=savings, exchange=exchange))


def _run_all(eco, instruments, recycling, lang, method, weights, dim_w, report: Path | None,
             xlsx: Path | None, to_year: int | None = None, assets: str = "inline",
             pdf: bool = False):
    from cocontrol.cge.combinations import run_combinations
    from cocontrol.cge.dynamic import DynamicParams, run_dynamic
    from cocontrol.cge.report import tables, write_html, write_xlsx
    from cocontrol.cli.common import progress_bar

    with progress_bar() as cb:
        res = run_combinations(eco, instruments, recycling=recycling, progress=cb)
    tabs = tables(res, method, weights, dim_w, lang)
    dyn = None
    if to_year is not None:
        top = str(tabs["ranking"].index[0])
        by = {i.code: i for i in instruments}
        dres = run_dynamic(eco, [by[c] for c in top.split("+")],
                           DynamicParams(end_year=to_year), recycling)
        dyn = (top, dres)
        tabs[f"outlook_{to_year}"] = dres.changes
    written = []
    if report is not None:
        written.append(write_html(res, tabs, report, lang, method, dyn, assets=assets,
                                  pdf=pdf))
        if pdf:
            written.append(Path(report).with_suffix(".pdf"))
    if xlsx is not None:
        written.append(write_xlsx(tabs, xlsx))
    return res, tabs, written


def register(app: typer.Typer) -> None:
    @app.command("cge")
    def cge_cmd(
        sam: Path | None = typer.Option(None, help="SAM (CSV/XLSX, rows receive, columns "
                                        "pay); default: bundled ILLUSTRATIVE China-like SAM"),
        elasticities: Path | None = typer.Option(None, help="elasticities CSV"),
        satellite: Path | None = typer.Option(None, help="energy/emission coefficients CSV"),
        instruments: Path | None = typer.Option(None, help="instruments YAML; default: the "
                                                "six bundled instruments"),
        policy: list[str] = typer.Option([], "--policy", "-p",
                                         help="instrument code to apply (repeatable)"),
        all_combinations: bool = typer.Option(False, "--all-combinations",
                                              help="run all 2^n-1 combinations"),
        recycling: str | None = typer.Option(None, help="revenue recycling: government, "
                                             "household or indirect_tax"),
        savings: str = typer.Option("savings-driven", help="savings-driven or "
                                    "investment-driven"),
        exchange: str = typer.Option("flexible", help="flexible (fixed foreign savings) or "
                                     "fixed exchange rate"),
        rank_method: RankMethod = typer.Option(RankMethod.topsis, "--rank",
                                               help="topsis or vikor"),
        weights: Weights = typer.Option(Weights.entropy, help="entropy or dimensions"),
        w_env: float = typer.Option(1 / 3, help="weight of environment (with --weights "
                                    "dimensions)"),
        w_energy: float = typer.Option(1 / 3, help="weight of energy"),
        w_econ: float = typer.Option(1 / 3, help="weight of economy"),
        report: Path | None = typer.Option(None, help="write an HTML report (with "
                                           "--all-combinations)"),
        assets: Assets = assets_option(),
        pdf: bool = pdf_option(),
        to_year: int | None = typer.Option(None, "--to-year", help="recursive-dynamic run "
                                           "from the SAM year to this year (e.g. 2035)"),
        base_year: int = typer.Option(2020, help="year of the SAM (dynamic runs)"),
        fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json, xlsx"),
        output: Path | None = typer.Option(None, "--output", "-o", help="output file"),
        lang: Lang | None = lang_option(),
    ) -> None:
        """Simulate policy instruments with the CGE model; with --all-combinations judge
        synergy/antagonism and rank every combination."""
        from cocontrol.cge.policies import bundled_instruments, read_instruments
        from cocontrol.cge.satellite import INDICATORS

        try:
            eco = _economy(sam, elasticities, satellite, savings, exchange)
            ins = read_instruments(instruments) if instruments else (
                bundled_instruments() if sam is None else [])
            by = {i.code: i for i in ins}
            dim_w = {"environment": w_env, "energy": w_energy, "economy": w_econ}
            if all_combinations:
                if not ins:
                    raise InputError(Problem(file="--instruments",
                                             message=i18n.Msg("msg.cli_no_instruments"),
                                             expected=i18n.Msg("msg.cli_instruments_yaml")))
                xlsx = output if (output and fmt == Format.xlsx) else None
                if pdf and report is None:
                    raise bad_parameter("msg.cli_pdf_needs_report")
                res, tabs, written = _run_all(eco, ins, recycling, ui_lang(lang),
                                              rank_method.value, weights.value, dim_w,
                                              report, xlsx, to_year, assets.value, pdf)
                for p in written:
                    wrote(p)
                if xlsx is None:
                    shares = res.shares[["strong_synergy", "weak_synergy", "weak_antagonism",
                                         "strong_antagonism", "judgements"]].astype(int)
                    out = tabs["ranking"][["score", "rank"]].join(shares)
                    out[list(shares.columns)] = out[list(shares.columns)].astype("Int64")
                    emit(out, fmt, output, title=i18n.t("cge_ranking", ui_lang(lang)))
                return
            unknown = [p for p in policy if p not in by]
            if unknown:
                raise InputError(Problem(file="--policy", value=unknown[0],
                                         message=i18n.Msg("msg.cli_unknown_instrument"),
                                         expected=i18n.Seq(by, ", ", quote=True) if by
                                         else i18n.Msg("msg.cli_instruments_file")))
            if to_year is not None:
                from cocontrol.cge.dynamic import DynamicParams, run_dynamic

                dres = run_dynamic(eco, [by[p] for p in policy],
                                   DynamicParams(start_year=base_year, end_year=to_year),
                                   recycling)
                emit(dres.changes if policy else dres.baseline, fmt, output,
                     title="+".join(policy) or "baseline")
                return
            run = eco.run([by[p] for p in policy], recycling)
            if not policy:
                df = pd.Series(run.levels, name="baseline").to_frame()
                emit(df, fmt, output, title=i18n.t("cge_baseline", ui_lang(lang)))
                return
            ch = eco.changes(run)
            lab = 1 if ui_lang(lang) == "zh" else 0
            df = pd.DataFrame({"indicator": [INDICATORS[k][lab] for k in ch],
                               "unit": [INDICATORS[k][2] for k in ch],
                               "change": list(ch.values())}, index=list(ch))
            df.loc["permit_price"] = ["ETS permit price", "yuan/t CO2",
                                      run.levels["permit_price_yuan_per_t"]]
            emit(df, fmt, output, title="+".join(policy))
        except CocontrolError as e:
            fail(e)


def demo(out: Path, lang: str = "en", assets: str = "inline", pdf: bool = False) -> list[Path]:
    """All 63 combinations of the six bundled instruments on the bundled SAM, plus the
    top-ranked combination's recursive-dynamic path to 2035; writes ``out/cge_report.html`` and
    ``out/cge_results.xlsx``."""
    from cocontrol.cge.policies import bundled_instruments, load_economy

    out = io.make_dir(out)
    res, tabs, written = _run_all(load_economy(), bundled_instruments(), None, lang, "topsis",
                                  "entropy", None, out / "cge_report.html",
                                  out / "cge_results.xlsx", to_year=2035, assets=assets,
                                  pdf=pdf)
    top = ", ".join(tabs["ranking"].index[:3])
    say("msg.cli_cge_solved", lang, n=len(res.combos), s=f"{res.solve_seconds.sum():.1f}",
        top=top)
    return written
