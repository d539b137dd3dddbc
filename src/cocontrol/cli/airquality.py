"""CLI: ``cocontrol aq predict | coefficients | health`` (thin shell over cocontrol.airquality
and cocontrol.health)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from cocontrol import i18n
from cocontrol.cli.common import (
    Format,
    bad_parameter,
    console,
    emit,
    fail,
    print_df,
    read_table,
)
from cocontrol.errors import CocontrolError, InputError, Problem

i18n.register({
    "aq_attainment": ("Attainment: GB 3095-2012 Grade II (35 µg/m³) / WHO 2021",
                      "达标评估：GB 3095-2012 二级（35 µg/m³）/ WHO 2021 指导值"),
    "aq_sensitivities": ("sensitivities (µg/m³ per t/yr)", "浓度敏感系数（µg/m³ 每 t/年）"),
    "aq_health": ("Health co-benefit: avoided premature deaths",
                  "健康协同效益：避免的过早死亡"),
    "aq_assumptions": ("assumptions", "假设版本"),
})


class AQModel(str, Enum):
    fasst = "fasst"
    city = "city"
    matrix = "matrix"


def _model(model: AQModel, matrix: Path | None, base: Path | None, city: str | None,
           pm25_base: float | None, local_share: float | None, city_emissions: Path | None):
    from cocontrol.airquality import city_model, read_sensitivity_matrix, tm5fasst_china

    if model == AQModel.fasst:
        return tm5fasst_china()
    if model == AQModel.matrix:
        if matrix is None:
            raise bad_parameter("msg.cli_matrix_needs_file")
        return read_sensitivity_matrix(matrix, base=base)
    if None in (city, pm25_base, local_share, city_emissions):
        raise bad_parameter("msg.cli_city_model_needs")
    ce = read_table(city_emissions)
    if not {"precursor", "base_t"} <= set(ce.columns):
        raise InputError(Problem(str(city_emissions), i18n.Msg("msg.cli_missing_columns"),
                                 expected=i18n.Msg("msg.cli_precursor_base_t")))
    return city_model(city, pm25_base, local_share, dict(zip(ce["precursor"], ce["base_t"],
                                                             strict=True)))


def register(app: typer.Typer) -> None:
    aq = typer.Typer(help="Air-quality response and health co-benefits (空气质量响应与健康效益)",
                     no_args_is_help=True)
    app.add_typer(aq, name="aq")

    @aq.command("predict")
    def predict_cmd(
        emissions: Path = typer.Argument(..., help="CSV/XLSX: source_region, precursor, "
                                         "[sector], change_t or base_t+new_t (t/yr)"),
        model: AQModel = typer.Option(AQModel.fasst, help="fasst, city or matrix"),
        matrix: Path | None = typer.Option(None, help="sensitivity matrix (model matrix)"),
        base: Path | None = typer.Option(None, help="base concentrations (model matrix)"),
        city: str | None = typer.Option(None, help="city name (model city)"),
        pm25_base: float | None = typer.Option(None, help="city base PM2.5, µg/m³"),
        local_share: float | None = typer.Option(None, help="local share of PM2.5, 0-1"),
        city_emissions: Path | None = typer.Option(None, help="city base emissions table"),
        fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json, xlsx"),
        output: Path | None = typer.Option(None, "--output", "-o", help="output file"),
    ) -> None:
        """Annual-mean PM2.5 and components after an emission change, with attainment."""
        from cocontrol.airquality import attainment

        try:
            m = _model(model, matrix, base, city, pm25_base, local_share, city_emissions)
            res = m.predict(read_table(emissions), file=str(emissions))
        except CocontrolError as e:
            fail(e)
        shown = res.drop(columns="model") if fmt == Format.table else res
        emit(shown.set_index(["receptor", "component"]), fmt, output, title=m.name)
        if fmt == Format.table:
            att = attainment(res)
            cols = ["PM25_ugm3", "meets_gb3095_grade2", "gb3095_grade2_gap_ugm3",
                    "who2021_level"]
            print_df(att[cols], title=i18n.t("aq_attainment"))

    @aq.command("coefficients")
    def coefficients_cmd(
        model: AQModel = typer.Option(AQModel.fasst, help="fasst or matrix"),
        matrix: Path | None = typer.Option(None, help="sensitivity matrix (model matrix)"),
        component: str = typer.Option("PM2.5", help="PM2.5 (the total), all, or one "
                                      "component"),
        fmt: Format = typer.Option(Format.table, "--format", help="table, csv, json, xlsx"),
        output: Path | None = typer.Option(None, "--output", "-o", help="output file"),
    ) -> None:
        """Export ∂C/∂E (µg/m³ per t/yr) by receptor, source region and precursor."""
        try:
            m = _model(model, matrix, None, None, None, None, None)
            jac = m.jacobian(component)
        except CocontrolError as e:
            fail(e)
        emit(jac, fmt, output, title=f"{m.name}: {i18n.t('aq_sensitivities')}")

    @aq.command("health")
    def health_cmd(
        pm25_base: float = typer.Option(..., help="base annual-mean PM2.5, µg/m³"),
        pm25_new: float = typer.Option(..., help="new annual-mean PM2.5, µg/m³"),
        population: float = typer.Option(..., help="exposed population in the CRF age range"),
        mortality_rate: float = typer.Option(..., help="baseline deaths per person-year"),
        crf: str = typer.Option("krewski2009", help="krewski2009, yin2017 or gemm_ncd_lri"),
        vsl: bool = typer.Option(False, help="value with the default VSL"),
    ) -> None:
        """Avoided premature deaths (and their value) from a PM2.5 change."""
        from cocontrol.health import avoided_deaths

        try:
            r = avoided_deaths(pm25_base, pm25_new, population, mortality_rate, crf=crf,
                               vsl="default" if vsl else None)
        except CocontrolError as e:
            fail(e)
        print_df(r.T.reset_index().rename(columns={"index": "item", 0: "value"}),
                 title=i18n.t("aq_health"), float_fmt="{:,.6g}")
        console.print(f"{i18n.t('aq_assumptions')}: {r['assumptions_version'].iloc[0]}")
