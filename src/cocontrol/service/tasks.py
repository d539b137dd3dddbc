"""The computations a job can run: each is a thin call of the library, as the CLI makes it.

A task takes the project folder (materialised from a project version, or None), its validated
parameters and a progress callback, and returns a :class:`TaskOutput`: labelled tables (stored
as Parquet), a small JSON summary, report files, and the assumptions it used. No model logic
lives here: only which library function is called with which arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cocontrol import io
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq, Text, catalogue

#: progress(fraction 0-1, message): the job's progress (see worker.py); raising stops the task.
Progress = Callable[[float, str], None]


def library(progress: Progress, lo: float, hi: float):
    """A :mod:`cocontrol.progress` callback (stage, done, total, message) that reports the
    library's progress as the job's fraction between ``lo`` and ``hi``."""

    def callback(stage: str, done: int, total: int | None, message: str = "") -> None:
        frac = lo if not total else lo + (hi - lo) * min(1.0, done / total)
        st = stage_text(stage)
        progress(frac, M("msg.job_stage_message", stage=st, message=stage_text(message))
                 if message else st)

    return callback


def stage_text(text) -> str:
    """A stage name of the library's progress ("scenario.marginal") or a fixed progress text
    ("deterministic plan"), kept as is in English and translated part by part under zh
    (catalogue keys ``stage.<part>``); a catalogue message stays one."""
    if not isinstance(text, str) or isinstance(text, M) or not text:
        return text
    cat = catalogue()
    parts = text.split(".")
    zh = "·".join(cat[f"stage.{p}"][1] if f"stage.{p}" in cat else p for p in parts)
    return Text(text, zh)

NAME = r"^[A-Za-z0-9_.\-]{1,64}$"


@dataclass
class TaskOutput:
    tables: dict[str, pd.DataFrame]
    summary: dict = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    assumptions: dict = field(default_factory=dict)


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


Report = Literal["none", "html", "pdf"]
REPORT_DOC = "also write the library's report: HTML, or HTML and PDF (needs Chromium)"


def _reports(write, report: str) -> dict[str, bytes]:
    """Files of ``write(folder) -> html path`` (and its PDF), read back as bytes."""
    import tempfile

    if report == "none":
        return {}
    with tempfile.TemporaryDirectory(prefix="cocontrol-report-") as tmp:
        html = Path(write(Path(tmp)))
        files = {html.name: io.read_bytes(html)}
        if report == "pdf":
            from cocontrol.htmlpdf import html_to_pdf

            pdf = html_to_pdf(html)
            files[pdf.name] = io.read_bytes(pdf)
    return files


class InventoryParams(Params):
    by: list[Literal["sector", "sector_parent", "fuel", "process", "district", "park",
                     "enterprise", "facility", "region_id", "source_id"]] = ["sector"]
    unit: Literal["t", "kt", "Mt"] = "kt"
    scope: Literal["1", "2", "all"] = "1"
    report: Report = Field("none", description=REPORT_DOC)
    lang: Literal["en", "zh"] = "en"


class ScenarioParams(Params):
    scenario: str = Field("baseline", pattern=NAME)
    unit: Literal["t", "kt", "Mt"] = "kt"
    year: int = Field(2030, ge=1990, le=2100, description="year of the report's metrics")
    report: Report = Field("none", description=REPORT_DOC)
    lang: Literal["en", "zh"] = "en"


class CompareParams(Params):
    scenarios: list[str] | None = Field(None, max_length=20,
                                        description="default: every scenario")
    reference: str = Field("baseline", pattern=NAME)
    year: int = Field(2030, ge=1990, le=2100)
    report: Report = Field("none", description=REPORT_DOC)
    lang: Literal["en", "zh"] = "en"


class MeasuresParams(Params):
    scenario: str = Field("policy", pattern=NAME)
    year: int = Field(2030, ge=1990, le=2100)
    report: Report = Field("none", description=REPORT_DOC)
    lang: Literal["en", "zh"] = "en"


class OptimiseParams(Params):
    pm25_target: float | None = Field(None, gt=0, le=500, description="µg/m³")
    target_year: int | None = Field(None, ge=1990, le=2100)
    co2_peak_by: int | None = Field(None, ge=1990, le=2100)
    budget: float | None = Field(None, gt=0, le=1e15, description="yuan, present value")
    objective: Literal["cost", "cocontrol"] = "cost"
    pareto: int = Field(0, ge=0, le=20, description="ε-constraint Pareto points")
    region_level: Literal["district", "park", "enterprise"] | None = None
    time_limit: float = Field(60.0, gt=0, le=3600, description="seconds per LP/MILP")
    pdf: bool = Field(False, description="also the PDF of the report (needs Chromium)")
    lang: Literal["en", "zh"] = "en"


class UncertaintyParams(Params):
    scenario: str = Field("policy", pattern=NAME)
    draws: int = Field(1000, ge=50, le=100_000)
    method: Literal["lhs", "mc"] = "lhs"
    seed: int = Field(0, ge=0, le=2**31 - 1)
    until: int = Field(2035, ge=1990, le=2100, description="last year")
    sobol: int = Field(0, ge=0, le=4096, description="Saltelli base sample (0 = none)")
    report: Report = Field("none", description=REPORT_DOC)
    lang: Literal["en", "zh"] = "en"


class RobustParams(Params):
    probability: float = Field(0.9, ge=0.5, lt=1.0, description="P(all targets hold)")
    draws: int = Field(500, ge=50, le=20_000)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    rounds: int = Field(6, ge=1, le=12)
    time_limit: float = Field(60.0, gt=0, le=3600, description="seconds per LP/MILP")


class BatchParams(Params):
    """A batch of cities (as ``cocontrol batch``): each a project version, run with its own
    scenarios (or those named); the comparison table with the co-reduction class of every
    city and, with ``draws``, the probability of meeting each city's own targets."""

    cities: list[int] = Field(min_length=1, max_length=500,
                              description="ids of the project versions, one per city")
    scenarios: list[str] | None = Field(None, max_length=20,
                                        description="scenarios run in every city "
                                                    "(default: all of each city)")
    year_from: int = Field(2020, ge=1990, le=2100)
    year_to: int = Field(2030, ge=1990, le=2100)
    pollutant: str = Field("SO2", min_length=1, max_length=16)
    draws: int = Field(0, ge=0, le=20_000, description="draws per city (0 = none)")
    scenario: str = Field("policy", pattern=NAME, description="scenario of the draws")
    seed: int = Field(0, ge=0, le=2**31 - 1)
    report: Report = Field("none", description=REPORT_DOC)
    lang: Literal["en", "zh"] = "en"

    @model_validator(mode="after")
    def _distinct(self):
        if len(set(self.cities)) != len(self.cities):
            raise ValueError(M("msg.api_city_twice"))
        if self.year_to <= self.year_from:
            raise ValueError(M("msg.api_year_order"))
        return self


class CgeParams(Params):
    instruments: list[str] | None = Field(None, max_length=6,
                                          description="codes of the bundled instruments; "
                                                      "default all six")
    method: Literal["topsis", "vikor", "waspas", "copras"] = "topsis"
    weights: Literal["entropy", "equal", "critic"] = "entropy"
    report: Report = Field("none", description=REPORT_DOC)
    lang: Literal["en", "zh"] = "en"


class EmissionChange(Params):
    source_region: str = Field(min_length=1, max_length=64)
    precursor: str = Field(min_length=1, max_length=16, description="SO2, NOx, NH3, BC, ...")
    sector: str | None = Field(None, max_length=64)
    change_t: float = Field(ge=-1e12, le=1e12, description="t/yr (negative: a reduction)")


class AirQualityParams(Params):
    """PM2.5 and its components after emission changes, with the national TM5-FASST China
    model (as ``cocontrol aq predict --model fasst``), and attainment."""

    model: Literal["fasst"] = "fasst"
    emissions: list[EmissionChange] = Field(min_length=1, max_length=5000)


class EvaluationParams(Params):
    """An evaluation (as ``cocontrol evaluate``) of the indicator values in ``values_file``, a
    table of the project version (.csv or .xlsx, read as the CLI reads it), or in ``values``,
    the rows of such a table (unit, year, one column per indicator). ``system``: a built-in
    indicator system, or ``project`` for the version's evaluation.yaml."""

    system: Literal["city", "park", "enterprise", "project"] = "city"
    values_file: str | None = Field(None, pattern=r"^[A-Za-z0-9_\-]{1,64}\.(csv|xlsx)$",
                                    description="file of the project version")
    values: list[dict[str, str | float | int | None]] | None = Field(
        None, min_length=1, max_length=20000)
    weighting: Literal["template", "ahp", "equal", "entropy", "critic", "combined"] = \
        "template"
    normalization: Literal["minmax", "vector", "target"] = "minmax"
    missing: Literal["flag", "impute", "exclude"] = "flag"
    alpha: float = Field(0.5, ge=0, le=1)
    report: Report = Field("none", description=REPORT_DOC)
    lang: Literal["en", "zh"] = "en"

    @model_validator(mode="after")
    def _one_source(self):
        if (self.values is None) == (self.values_file is None):
            raise ValueError(M("msg.api_values_one_source"))
        return self


class HealthParams(Params):
    pm25_base: float = Field(gt=0, le=1000, description="µg/m³")
    pm25_new: float = Field(gt=0, le=1000, description="µg/m³")
    population: float = Field(gt=0, le=2e9)
    mortality_rate: float = Field(gt=0, lt=1, description="deaths per person-year")
    crf: Literal["krewski2009", "yin2017", "gemm_ncd_lri"] = "krewski2009"
    vsl: bool = False


class SleepParams(Params):
    """A test task: sleeps ``seconds`` in ``steps`` steps, reporting progress (for the job
    machinery's tests and the load benchmark; computes nothing)."""

    seconds: float = Field(0.1, ge=0, le=60)
    steps: int = Field(1, ge=1, le=1000)
    value: float = Field(1.0, ge=-1e12, le=1e12)
    silent: bool = Field(False, description="sleep in one call without progress reports (a "
                                            "computation stuck between reports)")


def _need(folder: Path | None) -> Path:
    if folder is None:
        raise InputError(Problem(file="request body", column="project_version_id",
                                 message=M("msg.api_job_needs_version")))
    return folder


def _project_file(folder: Path | None, name: str, column: str) -> Path:
    """File ``name`` of the job's project version; a problem naming it if there is none."""
    if folder is None or not (folder / name).is_file():
        have = [p.name for p in io.list_dir(folder)] if folder is not None else []
        raise InputError([Problem(file=name, column=column, value=name,
                                  message=M("msg.api_not_version_file") if folder
                                  else M("msg.api_needs_version"),
                                  expected=Seq(have, ", ", quote=True) if have
                                  else M("msg.api_a_project_version"))])
    return folder / name


def inventory(folder, p: InventoryParams, progress: Progress) -> TaskOutput:
    from cocontrol.inventory import compute
    from cocontrol.project import load_project

    progress(0.1, M("msg.job_p_reading"))
    proj = load_project(_need(folder))
    progress(0.4, M("msg.job_p_inventory"))
    inv = compute(proj, strict=False)
    if inv.missing:
        raise InputError(inv.missing)
    progress(0.8, M("msg.job_p_aggregating"))
    scope = p.scope if p.scope == "all" else int(p.scope)
    tidy = inv.aggregate(list(p.by), unit=p.unit, scope=scope, wide=False)
    from cocontrol.report.inventory import inventory_report

    files = _reports(lambda d: inventory_report(
        inv, d / "inventory_report.html", lang=p.lang, illustrative=proj.manifest.illustrative,
        year=proj.manifest.base_year), p.report)
    return TaskOutput({"inventory": tidy, "iamc": inv.to_iamc()},
                      {"rows": len(tidy), "lines": len(inv.lines), "unit": p.unit}, files,
                      assumptions={"gwp": inv.gwp_set, "base_year": proj.manifest.base_year})


def _base(folder, progress):
    from cocontrol.scenario import prepare

    progress(0.1, M("msg.job_p_prep_scenarios"))
    return prepare(_need(folder))


def _scenario_exists(base, name: str, column: str = "scenario") -> None:
    if name not in base.scenarios:
        raise InputError([Problem(file="scenarios.yaml", column=column, value=name,
                                  message=M("msg.api_unknown_scenario"),
                                  expected=Seq(base.scenarios, ", ", quote=True))])


def _scenario_report(base, runs: dict, p, progress: Progress, reference: str = "baseline"
                     ) -> dict[str, bytes]:
    """The library's scenario report (as ``cocontrol compare``) of ``runs``, focused on the
    last run, at ``p.year`` (the last modelled year if it is not modelled)."""
    from cocontrol.report.inventory import project_name
    from cocontrol.report.scenario import scenario_report

    if p.report == "none":
        return {}
    progress(0.8, M("msg.job_p_report"))
    year = p.year if p.year in base.years else base.years[-1]
    return _reports(lambda d: scenario_report(
        base, runs, d / "scenario_report.html", lang=p.lang, year=year, focus=list(runs)[-1],
        reference=reference, illustrative=base.project.manifest.illustrative,
        name=project_name(base.project.manifest, p.lang),
        progress=library(progress, 0.8, 0.95))[0], p.report)


def scenario(folder, p: ScenarioParams, progress: Progress) -> TaskOutput:
    from cocontrol.scenario import check_targets, peak, run

    base = _base(folder, progress)
    _scenario_exists(base, p.scenario)
    progress(0.4, M("msg.job_p_running", name=p.scenario))
    r = run(base, p.scenario)
    inv = r.inventory()
    y, v = peak(r)
    tables = {"total": inv.aggregate([], unit=p.unit, wide=False),
              "iamc": inv.to_iamc(scenario=p.scenario)}
    if base.targets:
        tables["targets"] = check_targets(base, r)
    return TaskOutput(tables, {"scenario": p.scenario, "co2_peak_year": y, "co2_peak_t": v,
                               "unit": p.unit}, _scenario_report(base, {p.scenario: r}, p,
                                                                 progress))


def compare(folder, p: CompareParams, progress: Progress) -> TaskOutput:
    from cocontrol.metrics import package_metrics
    from cocontrol.report.scenario import pathways
    from cocontrol.scenario import run

    base = _base(folder, progress)
    names = list(p.scenarios) if p.scenarios else list(base.scenarios)
    for n in [*names, p.reference]:
        _scenario_exists(base, n, "scenarios")
    runs = {}
    for i, n in enumerate(names):
        progress(0.2 + 0.5 * i / len(names), M("msg.job_p_running", name=n))
        runs[n] = run(base, n)
    progress(0.75, M("msg.job_p_metrics_packages"))
    metrics = pd.concat([package_metrics(base, n, p.reference, p.year, lang=p.lang)
                         for n in names if n != p.reference], ignore_index=True)
    iamc = pd.concat([r.inventory().to_iamc(scenario=n) for n, r in runs.items()],
                     ignore_index=True)
    tables = {"pathways": pathways(runs), "metrics": metrics, "iamc": iamc}
    if p.report != "none" and p.reference not in runs:  # the report shows the reference too
        runs = {p.reference: run(base, p.reference), **runs}
    return TaskOutput(tables, {"scenarios": names, "reference": p.reference, "year": p.year},
                      _scenario_report(base, runs, p, progress, p.reference))


def measures(folder, p: MeasuresParams, progress: Progress) -> TaskOutput:
    from cocontrol.metrics import measure_metrics

    base = _base(folder, progress)
    _scenario_exists(base, p.scenario)
    progress(0.3, M("msg.job_p_marginal", name=p.scenario))
    out = measure_metrics(base, p.scenario, p.year, lang=p.lang,
                          progress=library(progress, 0.3, 0.8))
    files = {}
    if p.report != "none":
        from cocontrol.scenario import run

        files = _scenario_report(base, {p.scenario: run(base, p.scenario)}, p, progress)
    return TaskOutput(dict(out), {"scenario": p.scenario, "year": p.year,
                                  "measures": int(len(out.get("metrics", [])))}, files)


def optimise(folder, p: OptimiseParams, progress: Progress) -> TaskOutput:
    import tempfile

    from cocontrol.optimize import results, runner

    progress(0.1, M("msg.job_p_opt_model"))
    res = runner.run_project(_need(folder), pm25_max=p.pm25_target,
                             target_year=p.target_year, co2_peak_by=p.co2_peak_by,
                             budget=p.budget, objective=p.objective, n_pareto=p.pareto,
                             time_limit=p.time_limit, region_level=p.region_level,
                             progress=library(progress, 0.1, 0.8))
    progress(0.8, M("msg.job_p_tables_report"))
    tables: dict[str, pd.DataFrame] = {}
    from cocontrol import i18n

    summary: dict = {"feasible": res.infeasible is None, "notes": list(res.notes),
                     "notes_zh": [i18n.tr(n, "zh") for n in res.notes]}
    if res.infeasible is not None:
        summary["infeasible"] = str(res.infeasible)
        why = res.infeasible.args[0] if res.infeasible.args else str(res.infeasible)
        summary["infeasible_zh"] = i18n.tr(why, "zh")
        if res.infeasible.report is not None:
            tables["infeasibility"] = pd.DataFrame(res.infeasible.report)
    plan = res.plan
    if plan is not None:  # of an infeasible problem: the plan of the relaxed targets, named so
        pre = "" if res.infeasible is None else "relaxed_"
        tables[f"{pre}summary"] = results.summary(plan)
        tables[f"{pre}portfolio"] = results.portfolio(plan)
        tables[f"{pre}costs"] = results.cost_table(plan)
        summary.update(cost_pv_yuan=float(plan.cost_pv), converged=bool(plan.converged),
                       iterations=int(plan.iterations))
    if res.pareto is not None and len(res.pareto[0]):
        tables["pareto"] = pd.DataFrame(res.pareto[0]).reset_index(drop=True)
    files = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in runner.write(res, Path(tmp), p.lang):
            files[path.name] = io.read_bytes(path)
            if p.pdf and path.suffix == ".html":
                from cocontrol.htmlpdf import html_to_pdf

                pdf = html_to_pdf(path)
                files[pdf.name] = io.read_bytes(pdf)
    return TaskOutput(tables, summary, files)


def uncertainty(folder, p: UncertaintyParams, progress: Progress) -> TaskOutput:
    from cocontrol.uncertainty import report
    from cocontrol.uncertainty.runner import assess

    progress(0.05, M("msg.job_p_prep_uncertainty"))
    a = assess(_need(folder), p.scenario, draws=p.draws, method=p.method, seed=p.seed,
               until=p.until, sobol=p.sobol, progress=library(progress, 0.1, 0.9))
    files = {}
    if a.attainment is not None:
        files = _reports(lambda d: report.write(
            a.draws, a.attainment, d / "uncertainty_report.html", sobol=a.sobol,
            tornado=a.tornado, notes=a.model.notes, lang=p.lang), p.report)
    summary = {"draws": len(a.draws), "parameters": len(a.model.params), "notes": a.notes}
    if a.attainment is not None:
        summary["probability_all"] = float(a.attainment["probability"].iloc[-1])
    return TaskOutput(a.tables(), summary, files,
                      assumptions={"uncertainty_ranges": "bundled data/uncertainty",
                                   "method": p.method, "seed": p.seed})


def robust(folder, p: RobustParams, progress: Progress) -> TaskOutput:
    from cocontrol.optimize import results
    from cocontrol.uncertainty.robust import robust_project

    progress(0.05, M("msg.job_p_deterministic"))
    rp = robust_project(_need(folder), p.probability, draws=p.draws, seed=p.seed,
                        max_rounds=p.rounds, time_limit=p.time_limit,
                        progress=library(progress, 0.05, 0.95))
    rounds = rp.rounds.assign(co2_caps=rp.rounds["co2_caps"].astype(str),
                              caps=rp.rounds["caps"].astype(str))
    det = rp.deterministic_assessment.set_index("target")["probability"]
    att = rp.assessment.assign(probability_deterministic=rp.assessment["target"].map(det))
    return TaskOutput({"attainment": att, "rounds": rounds,
                       "portfolio": results.portfolio(rp.plan),
                       "deterministic_portfolio": results.portfolio(rp.deterministic)},
                      {"met": rp.met, "probability": p.probability,
                       "cost_pv_yuan": float(rp.plan.cost_pv),
                       "price_of_robustness_yuan": rp.price_of_robustness,
                       "notes": list(rp.notes)},
                      assumptions={"method": "back-off, checked on fresh draws",
                                   "seed": p.seed})


#: Folder of the job under which :meth:`JobManager.dispatch` writes each city of a batch.
CITIES = "cities"


def batch(folder, p: BatchParams, progress: Progress) -> TaskOutput:
    from cocontrol.uncertainty import report
    from cocontrol.uncertainty.batch import cities_attainment, comparison, run_cities

    root = _need(folder) / CITIES
    folders = [d for d in io.list_dir(root) if d.is_dir()] if root.is_dir() else []
    if len(folders) != len(p.cities):
        raise InputError(Problem(file="<batch>", column="cities", value=str(len(folders)),
                                 message=M("msg.api_cities_found"),
                                 expected=str(len(p.cities))))
    hi = 0.6 if p.draws else 0.9
    tot = run_cities(folders, scenarios=p.scenarios, progress=library(progress, 0.05, hi))
    tab = comparison(tot, p.year_from, p.year_to, p.pollutant)
    att = cities_attainment(folders, scenario=p.scenario, draws=p.draws, seed=p.seed,
                            progress=library(progress, hi, 0.9)) if p.draws else None
    tables = {"totals": tot, "comparison": tab}
    if att is not None:
        tables["attainment"] = att
    scen = p.scenario if p.scenario in set(tab["scenario"]) else None
    files = _reports(lambda d: report.write_batch(tab, d / "batch_report.html",
                                                  attainment=att, scenario=scen,
                                                  lang=p.lang), p.report)
    return TaskOutput(tables, {"cities": [f.name for f in folders], "draws": p.draws},
                      files, assumptions={"seed": p.seed} if p.draws else {})


def cge(folder, p: CgeParams, progress: Progress) -> TaskOutput:
    from cocontrol.cge.combinations import run_combinations
    from cocontrol.cge.policies import bundled_instruments, load_economy
    from cocontrol.cge.report import tables as cge_tables

    progress(0.05, M("msg.job_p_economy"))
    eco = load_economy()
    instruments = bundled_instruments()
    if p.instruments:
        known = {i.code: i for i in instruments}
        unknown = [c for c in p.instruments if c not in known]
        if unknown:
            raise InputError([Problem(file="request body", column="params.instruments",
                                      value=c, message=M("msg.api_unknown_instrument"),
                                      expected=Seq(known, ", ", quote=True)) for c in unknown])
        instruments = [known[c] for c in p.instruments]
    progress(0.1, M("msg.job_p_combinations", n=2 ** len(instruments) - 1))
    res = run_combinations(eco, instruments, progress=library(progress, 0.1, 0.9))
    tabs = cge_tables(res, p.method, p.weights, None, p.lang)
    from cocontrol.cge.report import write_html

    files = _reports(lambda d: write_html(res, tabs, d / "cge_report.html", p.lang, p.method),
                     p.report)
    return TaskOutput(dict(tabs), {"combinations": len(res.combos),
                            "top": str(tabs["ranking"].index[0])}, files,
                      assumptions={"economy": "bundled illustrative SAM"})


def airquality(folder, p: AirQualityParams, progress: Progress) -> TaskOutput:
    from cocontrol.airquality import attainment, tm5fasst_china

    progress(0.1, M("msg.job_p_aq"))
    m = tm5fasst_china()
    rows = pd.DataFrame([e.model_dump(exclude_none=True) for e in p.emissions])
    res = m.predict(rows, file="request body (params.emissions)")
    att = attainment(res)
    return TaskOutput({"concentrations": res, "attainment": att},
                      {"model": m.name}, assumptions={"model": m.name})


def evaluation(folder, p: EvaluationParams, progress: Progress) -> TaskOutput:
    from cocontrol.evaluation import evaluate, load_system, load_values

    progress(0.1, M("msg.job_p_indicators"))
    if p.system == "project":
        system = load_system(_project_file(folder, "evaluation.yaml", "params.system"))
    else:
        system = load_system(p.system)
    if p.values_file is not None:
        from cocontrol.evaluation.data import read_table

        df, sheet = read_table(_project_file(folder, p.values_file, "params.values_file"))
        values, units = load_values(df, system, file=p.values_file, sheet=sheet)
    else:
        values, units = load_values(pd.DataFrame(p.values), system,
                                    file="request body (params.values)")
    progress(0.4, M("msg.job_p_scoring"))
    r = evaluate(system, values, units, weighting=p.weighting, normalization=p.normalization,
                 missing=p.missing, alpha=p.alpha, lang=p.lang)
    tables = {name: getattr(r, name) for name in (
        "scores", "contributions", "weights", "level2_scores", "changes", "trends", "peers",
        "topsis", "missing")}
    if r.coupling is not None:
        tables["coupling"] = r.coupling
    from cocontrol.evaluation.report import write_html

    files = _reports(lambda d: write_html({p.system: r}, d / "evaluation_report.html", p.lang),
                     p.report)
    return TaskOutput({k: v for k, v in tables.items() if v is not None},
                      {"units": int(values.index.get_level_values(0).nunique()),
                       "notes": list(r.notes)}, files, assumptions=dict(r.settings))


def health(folder, p: HealthParams, progress: Progress) -> TaskOutput:
    from cocontrol.health import avoided_deaths

    r = avoided_deaths(p.pm25_base, p.pm25_new, p.population, p.mortality_rate, crf=p.crf,
                       vsl="default" if p.vsl else None)
    return TaskOutput({"health": r},
                      assumptions={"assumptions_version": str(r["assumptions_version"].iloc[0])
                                   if "assumptions_version" in r else None})


def sleep(folder, p: SleepParams, progress: Progress) -> TaskOutput:
    import time

    if p.silent:
        time.sleep(p.seconds)
    for i in range(0 if p.silent else p.steps):
        progress(i / p.steps, M("msg.job_p_step", i=i + 1, n=p.steps))
        end = time.monotonic() + p.seconds / p.steps
        while (left := end - time.monotonic()) > 0:  # short naps: a stop is seen quickly
            time.sleep(min(left, 0.05))
            progress(i / p.steps, M("msg.job_p_step", i=i + 1, n=p.steps))
    progress(1.0, M("msg.job_done"))
    return TaskOutput({"value": pd.DataFrame({"step": range(p.steps),
                                              "value": [p.value] * p.steps})},
                      {"value": p.value})


@dataclass(frozen=True)
class Task:
    fn: Callable
    params: type[Params]
    needs_project: bool
    summary: str


TASKS: dict[str, Task] = {
    "inventory": Task(inventory, InventoryParams, True, "integrated inventory"),
    "scenario": Task(scenario, ScenarioParams, True, "a scenario run to 2060"),
    "compare": Task(compare, CompareParams, True,
                    "scenario comparison with package co-control metrics"),
    "measures": Task(measures, MeasuresParams, True, "co-control metrics of every measure"),
    "optimise": Task(optimise, OptimiseParams, True,
                     "least-cost measures (Pareto front, infeasibility report)"),
    "cge": Task(cge, CgeParams, False, "CGE policy combinations and their ranking"),
    "uncertainty": Task(uncertainty, UncertaintyParams, True,
                        "probability of meeting the targets (Monte Carlo / LHS)"),
    "batch": Task(batch, BatchParams, False,
                  "a batch of cities: comparison, co-reduction class, attainment"),
    "robust": Task(robust, RobustParams, True,
                   "least-cost plan meeting the targets with a chosen probability"),
    "airquality": Task(airquality, AirQualityParams, False,
                       "PM2.5 response to emission changes and attainment"),
    "evaluation": Task(evaluation, EvaluationParams, False,
                       "evaluation scores, ranks and contributions"),
    "health": Task(health, HealthParams, False, "avoided premature deaths of a PM2.5 change"),
    "sleep": Task(sleep, SleepParams, False, "test task of the job machinery"),
}
