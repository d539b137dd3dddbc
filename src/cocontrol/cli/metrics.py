"""CLI: diagnostics and co-control metrics on any Excel or CSV table (thin shell over
:mod:`cocontrol.metrics`).

Commands: ``decoupling`` (Tapio), ``decompose`` (LMDI), ``coupling`` (coupling coordination
degree), ``classify`` (joint change of CO2 and a pollutant), ``cometrics`` (co-control metrics from
a baseline and a scenario emission table) and ``mac`` (unit costs, MAC curve and ranking of
measures).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pandas as pd
import typer

from cocontrol.cli.common import Format, bad_parameter, console, emit, fail, label, read_table
from cocontrol.errors import CocontrolError


class Identity(str, Enum):
    co2 = "co2"
    pollutant = "pollutant"
    custom = "custom"


class Mode(str, Enum):
    additive = "additive"
    multiplicative = "multiplicative"


class Formula(str, Enum):
    original = "original"
    corrected = "corrected"


class Target(str, Enum):
    CO2 = "CO2"
    APeq = "APeq"


def _lang() -> str:
    from cocontrol.cli.common import ui_lang

    return ui_lang()


def _split(s: str | None) -> list[str]:
    return [c.strip() for c in s.split(",") if c.strip()] if s else []


def _show(res: pd.DataFrame, fmt: Format, compact: list[str]) -> pd.DataFrame:
    """In the terminal table show only the main columns; files get every column."""
    if fmt != Format.table:
        return res
    return res[[c for c in compact if c in res.columns]]


FMT = typer.Option(Format.table, "--format", help="table, csv, json or xlsx")
OUT = typer.Option(None, "--output", "-o", help="write the result to this file")
SHEET = typer.Option(None, "--sheet", help="Excel sheet (default: first)")


def register(app: typer.Typer) -> None:
    @app.command("decoupling")
    def decoupling_cmd(
        table: Path = typer.Argument(..., help="CSV/XLSX: region, year and the two variables"),
        x: str = typer.Option("GDP", "--x", help="driver column, e.g. GDP (constant prices) or CO2"),
        y: str = typer.Option("CO2", "--y", help="pressure column, e.g. CO2, SO2"),
        region_col: str = typer.Option("region", "--region-col", help="region column ('' = none)"),
        year_col: str = typer.Option("year", "--year-col", help="year column"),
        base: int | None = typer.Option(None, "--base", help="base year (default: consecutive periods)"),
        end: int | None = typer.Option(None, "--end", help="end year"),
        lower: float = typer.Option(0.8, "--lower", help="lower bound of the coupling band"),
        upper: float = typer.Option(1.2, "--upper", help="upper bound of the coupling band"),
        sheet: str | None = SHEET, fmt: Format = FMT, output: Path | None = OUT,
    ) -> None:
        """Tapio (2005) decoupling elasticity and state (脱钩弹性与脱钩状态)."""
        from cocontrol.metrics.decoupling import decoupling

        try:
            df = read_table(table, sheet)
            res = decoupling(df, x=x, y=y, region_col=region_col or None, year_col=year_col,
                             base=base, end=end, lower=lower, upper=upper, lang=_lang(),
                             file=str(table))
        except CocontrolError as e:
            fail(e)
        idx = [c for c in ("region", "base_year", "end_year") if c in res.columns]
        res = _show(res, fmt, idx + ["pct_x", "pct_y", "elasticity", "state_label"])
        emit(res.set_index(idx), fmt, output, title=label("cli.t_tapio", y=y, x=x))

    @app.command("decompose")
    def decompose_cmd(
        table: Path = typer.Argument(..., help="CSV/XLSX in tidy form (one row per region, "
                                     "sub-category and year)"),
        identity: Identity = typer.Option(Identity.co2, "--identity",
                                          help="co2, pollutant or custom"),
        factors: str | None = typer.Option(None, "--factors",
                                           help="custom: comma-separated factor columns"),
        mode: Mode = typer.Option(Mode.additive, "--mode", help="additive or multiplicative"),
        chained: bool = typer.Option(False, "--chained", help="year-by-year, accumulated"),
        base: int | None = typer.Option(None, "--base", help="start year (default first)"),
        end: int | None = typer.Option(None, "--end", help="end year (default last)"),
        region_col: str = typer.Option("region", "--region-col", help="region column ('' = none)"),
        year_col: str = typer.Option("year", "--year-col"),
        sub_cols: str | None = typer.Option(None, "--sub-cols", help="custom: sub-category "
                                            "columns, e.g. sector,fuel"),
        sector_col: str = typer.Option("sector", "--sector-col"),
        fuel_col: str = typer.Option("fuel", "--fuel-col"),
        activity_col: str = typer.Option("output", "--activity-col",
                                         help="sector output column (e.g. value added)"),
        energy_col: str = typer.Option("energy", "--energy-col", help="energy use column"),
        emission_col: str | None = typer.Option(None, "--emission-col",
                                                help="emission column (default CO2 / emission)"),
        generated_col: str = typer.Option("generated", "--generated-col",
                                          help="pollutant: uncontrolled (generated) emission"),
        removal_col: str | None = typer.Option(None, "--removal-col",
                                               help="pollutant: removal efficiency η (0-1) "
                                                    "instead of --generated-col"),
        zero: str = typer.Option("limit", "--zero", help="zero values: limit (default) or delta"),
        sheet: str | None = SHEET, fmt: Format = FMT, output: Path | None = OUT,
    ) -> None:
        """LMDI-I decomposition (additive or multiplicative, period-wise or chained)."""
        from cocontrol.metrics.lmdi import decompose_co2, decompose_pollutant, lmdi

        try:
            df = read_table(table, sheet)
            common = dict(mode=mode.value, base=base, end=end, chained=chained, zero=zero)
            region = region_col or None
            if identity == Identity.co2:
                res = decompose_co2(df, region, year_col, sector_col, fuel_col, activity_col,
                                    energy_col, emission_col or "CO2", file=str(table), **common)
            elif identity == Identity.pollutant:
                res = decompose_pollutant(df, region, year_col, sector_col, fuel_col,
                                          activity_col, energy_col, emission_col or "emission",
                                          None if removal_col else generated_col, removal_col,
                                          file=str(table), **common)
            else:
                fl = _split(factors)
                if not fl:
                    raise bad_parameter("msg.cli_identity_needs_factors")
                res = lmdi(df, fl, year_col=year_col, group_cols=[region] if region else [],
                           sub_cols=_split(sub_cols), file=str(table), **common)
        except CocontrolError as e:
            fail(e)
        idx = [c for c in res.columns if c in ("region", region_col)] + ["kind", "start", "end"]
        title = f"LMDI-I {mode.value} decomposition ({identity.value})"
        emit(res.set_index(list(dict.fromkeys(idx))), fmt, output, title=title)

    @app.command("coupling")
    def coupling_cmd(
        table: Path = typer.Argument(..., help="CSV/XLSX with two subsystem indices in [0, 1]"),
        u1: str = typer.Option("u_pollution", "--u1", help="pollution-reduction index column"),
        u2: str = typer.Option("u_carbon", "--u2", help="carbon-reduction index column"),
        alpha: float = typer.Option(0.5, "--alpha", help="weight of u1 in T"),
        beta: float = typer.Option(0.5, "--beta", help="weight of u2 in T"),
        formula: Formula = typer.Option(Formula.original, "--formula",
                                        help="original or corrected (Wang Shujia et al. 2021)"),
        id_cols: str = typer.Option("region,year", "--id-cols",
                                    help="identifier columns kept in the output"),
        sheet: str | None = SHEET, fmt: Format = FMT, output: Path | None = OUT,
    ) -> None:
        """Coupling coordination degree C, T, D and grade (耦合协调度)."""
        from cocontrol.metrics._table import numeric_columns, require_columns
        from cocontrol.metrics.coupling import coupling_coordination

        try:
            df = read_table(table, sheet)
            ids = [c for c in _split(id_cols) if c in df.columns]
            require_columns(df, [u1, u2], str(table))
            df = numeric_columns(df, [u1, u2], str(table))
            res = coupling_coordination(df[u1], df[u2], alpha=alpha, beta=beta,
                                        formula=formula.value, lang=_lang())
        except CocontrolError as e:
            fail(e)
        res = pd.concat([df[ids].reset_index(drop=True), res.reset_index(drop=True)], axis=1)
        emit(res.set_index(ids) if ids else res, fmt, output,
             title=label("cli.t_coupling", formula=formula.value))

    @app.command("classify")
    def classify_cmd(
        table: Path = typer.Argument(..., help="CSV/XLSX: region, year, CO2 and pollutant"),
        base: int = typer.Option(..., "--base", help="first year"),
        end: int = typer.Option(..., "--end", help="second year"),
        carbon: str = typer.Option("CO2", "--carbon", help="CO2 column"),
        pollutant: str = typer.Option("PM2.5", "--pollutant",
                                      help="pollutant column (emission or concentration)"),
        region_col: str = typer.Option("region", "--region-col"),
        year_col: str = typer.Option("year", "--year-col"),
        tol: float = typer.Option(0.0, "--tol", help="relative change counted as no change"),
        sheet: str | None = SHEET, fmt: Format = FMT, output: Path | None = OUT,
    ) -> None:
        """Classify regions by the joint change of CO2 and a pollutant (协同类型)."""
        from cocontrol.metrics.joint_change import classify_joint_change

        try:
            df = read_table(table, sheet)
            res = classify_joint_change(df, base, end, carbon=carbon, pollutant=pollutant,
                                        region_col=region_col, year_col=year_col, tol=tol,
                                        lang=_lang(), file=str(table))
        except CocontrolError as e:
            fail(e)
        shown = _show(res, fmt, ["region", "pct_carbon", "pct_pollutant", "class_label"])
        emit(shown.set_index("region"), fmt, output,
             title=label("cli.t_joint", carbon=carbon, pollutant=pollutant, base=base,
                         end=end))
        if fmt == Format.table:
            counts = res["class_label"].value_counts()
            console.print(", ".join(f"{k}: {v}" for k, v in counts.items()))

    @app.command("cometrics")
    def cometrics_cmd(
        base_table: Path = typer.Argument(..., metavar="BASE",
                                          help="baseline emissions: species, value [unit]"),
        scen_table: Path = typer.Argument(..., metavar="SCEN",
                                          help="scenario emissions: [by columns], species, "
                                               "value [unit]"),
        by: str | None = typer.Option(None, "--by", help="key columns of SCEN, e.g. measure or "
                                      "measure,year; BASE uses those of them it has"),
        species_col: str = typer.Option("species", "--species-col"),
        value_col: str = typer.Option("value", "--value-col", help="emission column (t unless "
                                      "a unit column says otherwise)"),
        pollutants: str | None = typer.Option(None, "--pollutants",
                                              help="e.g. SO2,NOx,PM2.5 (APeq always added)"),
        voc: str = typer.Option("0.95", "--voc", help="kg VOCs per equivalent, or 'exclude'"),
        pm_as: str = typer.Option("soot", "--pm-as", help="soot (2.18 kg/eq) or dust (4 kg/eq)"),
        pm_species: str | None = typer.Option(None, "--pm-species",
                                              help="the PM species counted in APeq"),
        fmt: Format = FMT, output: Path | None = OUT,
    ) -> None:
        """Co-control metrics: reductions, quadrant, Els with sign pair, APeq (协同效应指标)."""
        from cocontrol.metrics.cocontrol import cocontrol_metrics, emissions_wide, pev_table

        try:
            keys = _split(by)
            b_raw = read_table(base_table)
            s_raw = read_table(scen_table)
            bkeys = [k for k in keys if k in b_raw.columns]
            b = emissions_wide(b_raw, bkeys, species_col, value_col, file=str(base_table))
            s = emissions_wide(s_raw, keys, species_col, value_col, file=str(scen_table))
            try:
                voc_v: float | str = "exclude" if voc == "exclude" else float(voc)
            except ValueError:
                raise bad_parameter("msg.cli_voc_number") from None
            pev = pev_table(voc=voc_v, pm_as=pm_as, pm_species=pm_species,
                            available=sorted(set(b.columns) | set(s.columns)))
            res = cocontrol_metrics(b, s, pollutants=_split(pollutants) or None, pev=pev,
                                    lang=_lang())
        except CocontrolError as e:
            fail(e)
        except ValueError as e:
            raise typer.BadParameter(str(e)) from None
        idx = [c for c in (keys or ["key"]) if c in res.columns] + ["pollutant"]
        res = _show(res, fmt, idx + ["P_reduction", "CO2_reduction_t", "y_norm", "x_norm",
                                     "quadrant", "els", "sign_pair"])
        emit(res.set_index(idx), fmt, output, title=label("cli.t_cocontrol_metrics"))

    @app.command("mac")
    def mac_cmd(
        table: Path = typer.Argument(..., help="CSV/XLSX: measure, cost_yuan (annualised), "
                                     "CO2_reduction_t, APeq_reduction"),
        target: Target = typer.Option(Target.CO2, "--target", help="CO2 or APeq"),
        carbon_price: float = typer.Option(80.0, "--carbon-price",
                                           help="yuan/t CO2 for the combined unit cost "
                                                "(illustrative default)"),
        apeq_price: float = typer.Option(1.2, "--apeq-price",
                                         help="yuan per APeq (EPTL minimum tax 1.2)"),
        rank: bool = typer.Option(False, "--rank", help="output the ranking table instead"),
        sheet: str | None = SHEET, fmt: Format = FMT, output: Path | None = OUT,
    ) -> None:
        """Marginal abatement cost curve with co-benefits, or ranking of measures."""
        from cocontrol.metrics.cocontrol import mac_curve, rank_measures

        try:
            df = read_table(table, sheet)
            if rank:
                res = rank_measures(df, carbon_price=carbon_price, apeq_price=apeq_price,
                                    lang=_lang(), file=str(table))
                title = "Ranking of measures"
                compact = ["measure", "overall_rank", "quadrant", "yuan_per_t_CO2",
                           "yuan_per_APeq", "yuan_per_cocontrol_eq"]
            else:
                res = mac_curve(df, target=target.value, file=str(table))
                title = f"MAC curve for {target.value}"
                compact = ["measure", "on_curve", "unit_cost", "cum_start", "cum_end",
                           "co_benefit", "cum_co_benefit"]
        except CocontrolError as e:
            fail(e)
        emit(_show(res, fmt, compact).set_index("measure"), fmt, output, title=title)
