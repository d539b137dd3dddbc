"""Analysis pages (issue 15 item 5): co-control coordinate system and MAC curves, optimisation
(portfolio, cost, Pareto front, infeasibility explanation), CGE policy-combination matrix and
ranking, evaluation rankings, radar charts and contributions, decoupling and LMDI.

The computations are the service's background jobs (``/api/jobs/<kind>``: progress, cancel);
the pages' script submits them, shows the job's progress and draws the stored result tables
(``/api/results/<id>/tables/<name>``) as they are: no model logic in the browser. Decoupling
and LMDI on an uploaded table are quick, so they are answered directly by the library's
:func:`cocontrol.metrics.decoupling` and :func:`cocontrol.metrics.decompose_co2`."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from fastapi import File, Form, UploadFile
from sqlalchemy import select

from cocontrol.service.access import scoped
from cocontrol.service.models import Project, ProjectVersion, Result
from cocontrol.service.problems import ApiError
from cocontrol.web.context import Ctx
from cocontrol.web.pages.data import full_principal, tabs
from cocontrol.web.registry import Area

area = Area("analysis", nav="nav_analysis", order=50)
TABS = [("web_an_cocontrol", "/web/analysis/cocontrol", "results:read"),
        ("web_an_optimise", "/web/analysis/optimise", "results:read"),
        ("web_an_cge", "/web/analysis/cge", "results:read"),
        ("web_an_evaluation", "/web/analysis/evaluation", "results:read"),
        ("web_an_decoupling", "/web/analysis/decoupling", "projects:read")]
MAX_TABLE_BYTES = 5 * 2**20


def _versions(ctx: Ctx) -> list[dict]:
    """Project versions the visitor can run a job on (newest first per project)."""
    p = full_principal(ctx)
    rows = ctx.session.execute(
        scoped(select(ProjectVersion.id, ProjectVersion.number, Project.name)
               .join(Project, Project.id == ProjectVersion.project_id), p.narrow("jobs:run")
               if p.can("jobs:run") else ctx.principal, ProjectVersion)
        .order_by(Project.id, ProjectVersion.number.desc()).limit(500)).all()
    return [{"id": r.id, "label": f"{r.name} · v{r.number}"} for r in rows]


def _results(ctx: Ctx, kind: str) -> list[dict]:
    stmt = scoped(select(Result), ctx.principal, Result).where(Result.kind == kind) \
        .order_by(Result.created_at.desc(), Result.id).limit(50)
    return [{"id": r.id, "label": r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
             "summary": r.summary} for r in ctx.session.scalars(stmt)]


#: result columns shown with a label of the catalogue (others keep their name, not translated)
COLUMNS = {c: f"col_{c}" for c in (
    "pollutant", "P_reduction", "CO2_reduction_t", "x_norm", "y_norm", "quadrant_label", "els",
    "on_curve", "unit_cost", "unit_cost_unit", "APeq_reduction", "cum_start", "cum_end",
    "co_benefit", "cost_yuan", "overall_rank", "yuan_per_t_CO2", "yuan_per_APeq",
    "yuan_per_cocontrol_eq", "pm25_ugm3", "co2_t", "cost_pv_yuan", "score", "grade", "rank",
    "complete", "elasticity", "state_label", "base_year", "end_year", "pct_x", "pct_y",
    "total", "activity", "structure", "intensity", "fuel_mix", "emission_factor")}
COLUMNS.update(measure="measure", year="year", region="region", sector="sector", unit="unit")


def column_labels(ctx: Ctx) -> dict[str, str]:
    return {c: ctx.t(k) for c, k in COLUMNS.items()}


def _page(ctx: Ctx, template: str, kind: str | None, **values):
    p = full_principal(ctx)
    return ctx.render(template, tabs=tabs(ctx, TABS), tabs_label="web_an_tabs",
                      cols=column_labels(ctx),
                      can_run=p.can("jobs:run"), kind=kind,
                      versions=_versions(ctx) if p.can("jobs:run") else [],
                      previous=_results(ctx, kind) if kind else [], **values)


@area.page("/", permission="results:read", nav=True)
def index(ctx: Ctx):
    return ctx.render("data/index.html", tabs=tabs(ctx, TABS), tabs_label="web_an_tabs",
                      title_key="nav_analysis", index_id="analysis-index")


@area.page("/cocontrol", permission="results:read")
def cocontrol(ctx: Ctx):
    """Co-control coordinate system and MAC curves of the measures of a scenario (the
    ``measures`` job: cocontrol.metrics.measure_metrics)."""
    return _page(ctx, "analysis/cocontrol.html", "measures")


@area.page("/optimise", permission="results:read")
def optimise(ctx: Ctx):
    """Least-cost measures for the targets (the ``optimise`` job): portfolio, costs, the
    Pareto front, and when the targets cannot be met, which and by how much."""
    return _page(ctx, "analysis/optimise.html", "optimise")


@area.page("/cge", permission="results:read")
def cge(ctx: Ctx):
    """CGE policy combinations (the ``cge`` job): the discriminant matrix and the ranking."""
    from cocontrol.cge.policies import bundled_instruments

    instruments = [{"code": i.code, "label": i.label(ctx.lang)} for i in bundled_instruments()]
    return _page(ctx, "analysis/cge.html", "cge", instruments=instruments)


@area.page("/evaluation", permission="results:read")
def evaluation(ctx: Ctx):
    """Evaluation with a built-in indicator system (the ``evaluation`` job): ranking, radar
    of the second-level indicators, contributions to the score."""
    return _page(ctx, "analysis/evaluation.html", "evaluation")


@area.page("/decoupling", permission="projects:read")
def decoupling_page(ctx: Ctx):
    return _page(ctx, "analysis/decoupling.html", None)


def _read_upload(f: UploadFile):
    """An uploaded CSV or Excel table, numbers converted (cocontrol.io.read_frame), after
    the upload safety checks."""
    from cocontrol import io
    from cocontrol.service import projects as svc

    data = f.file.read(MAX_TABLE_BYTES + 1)
    if len(data) > MAX_TABLE_BYTES:
        raise ApiError(413, f"table larger than {MAX_TABLE_BYTES:,} bytes")
    name = (f.filename or "table.csv").replace("\\", "/").rsplit("/", 1)[-1]
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ApiError(422, "a CSV or .xlsx table is needed", code="invalid_input")
    svc.check_tables({name: data})
    return io.read_frame(name, data=data), name


def _records(df) -> list[dict]:
    out = []
    for row in df.to_dict("records"):
        out.append({k: (None if isinstance(v, float) and not math.isfinite(v) else
                        v.item() if hasattr(v, "item") else v) for k, v in row.items()})
    return out


@area.data("/evaluation/values", permission="jobs:run", methods=("POST",))
def evaluation_values(ctx: Ctx, file: Annotated[UploadFile, File(description="values table")]):
    """The rows of an uploaded indicator-values table (unit, year, one column per
    indicator), as the ``values`` of an evaluation job; the job validates them."""
    df, _name = _read_upload(file)
    if len(df) > 20000:
        raise ApiError(422, "at most 20,000 rows", code="invalid_input")
    return {"rows": _records(df), "columns": [str(c) for c in df.columns]}


Text = Annotated[str, Form(min_length=1, max_length=64)]
OptText = Annotated[str | None, Form(max_length=64)]


def _why(ctx: Ctx, rows: list[dict], method: str, name: str, **cols) -> list[str]:
    """Each row's derivation (:func:`cocontrol.report.derivation.decoupling_derivation`),
    rendered here as an escaped HTML fragment ``section.prov`` the page shows in its dialog
    (the table is not stored, so there is no address to fetch it from later)."""
    from cocontrol.report.derivation import decoupling_derivation
    from cocontrol.web.context import ENV, fmt

    tpl = ENV.get_template("analysis/_decoupling_why.html")
    return [tpl.render(t=ctx.t, fmt=fmt, lang=ctx.lang,
                       d=decoupling_derivation(r, method, name, **cols)) for r in rows]


@area.data("/decoupling", permission="jobs:run", methods=("POST",))
def decoupling(ctx: Ctx, file: Annotated[UploadFile, File(description="CSV or Excel table")],
               method: Annotated[Literal["tapio", "lmdi_co2"], Form()] = "tapio",
               x: Text = "GDP", y: Text = "CO2", region_col: OptText = "region",
               year_col: Text = "year", sector_col: Text = "sector", fuel_col: Text = "fuel",
               output_col: Text = "output", energy_col: Text = "energy",
               emission_col: Text = "CO2"):
    """Tapio decoupling of ``y`` from ``x`` (consecutive periods of the table's years), or
    the LMDI-I decomposition of CO2 (activity, structure, intensity, fuel mix, factor)."""
    from cocontrol.metrics import decompose_co2
    from cocontrol.metrics import decoupling as tapio
    from cocontrol.metrics.lmdi import co2_identity, to_long

    df, name = _read_upload(file)
    region = region_col or None
    if method == "tapio":
        out = tapio(df, x=x, y=y, region_col=region, year_col=year_col, lang=ctx.lang,
                    file=name)
        rows = _records(out)
        return {"method": method, "rows": rows, "columns": list(map(str, out.columns)),
                "why": _why(ctx, rows, method, name, x=x, y=y)}
    out = decompose_co2(df, region_col=region, year_col=year_col, sector_col=sector_col,
                        fuel_col=fuel_col, output_col=output_col, energy_col=energy_col,
                        emission_col=emission_col, file=name)
    long = to_long(out, lang=ctx.lang)
    rows = _records(out)
    return {"method": method, "rows": rows, "columns": list(map(str, out.columns)),
            "why": _why(ctx, rows, method, name, identity=co2_identity(
                df, region, year_col, sector_col, fuel_col, output_col, energy_col,
                emission_col, file=name), region_col=region,
                sub_cols=(sector_col, fuel_col), year_col=year_col),
            "long": _records(long), "long_columns": list(map(str, long.columns))}
