"""One call from a project folder to an optimised plan (used by the CLI and the demo)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cocontrol.errors import InfeasibleError, InputError, Problem
from cocontrol.i18n import Msg, Text, region_names
from cocontrol.optimize import settings as st
from cocontrol.optimize.airlink import default_mapping, model_link
from cocontrol.optimize.lp import Targets
from cocontrol.optimize.pareto import pareto
from cocontrol.optimize.problem import Evaluator, make_pairs, prepare_base
from cocontrol.optimize.slp import Plan, Setup, optimise, setup
from cocontrol.progress import scoped


@dataclass
class Result:
    setup: Setup
    plan: Plan | None
    settings: st.OptSettings
    targets: Targets
    pareto: tuple | None = None
    infeasible: InfeasibleError | None = None
    notes: list[str] = field(default_factory=list)


def build_setup(folder: Path | str, s: st.OptSettings, region_level: str | None = None,
                measures: list[str] | None = None) -> tuple[Setup, list[str]]:
    """Engine, pairs and air-quality link of a project."""
    base = prepare_base(folder, measures=measures or s.measures, base_scenario=s.base_scenario)
    level = region_level if region_level is not None else s.region_level
    if isinstance(level, str) and level.strip().lower() in ("", "none", "all"):
        level = None  # city-wide pairs
    if level is not None and level not in base.lines.columns:
        raise InputError(Problem(file="optimisation.yaml", column="optimisation.region_level",
                                 value=level, message=Msg("msg.opt_unknown_region_level"),
                                 expected=Msg("msg.opt_region_levels")))
    pairs = make_pairs(base, region_level=level, integer_steps=s.integer_steps)
    notes = []
    if pairs.attrs.get("uncovered"):
        notes.append(Msg("opt_note_uncovered", level=Msg(f"level_{level}"),
                         measures=", ".join(pairs.attrs["uncovered"])))
    ev = Evaluator(base, pairs, s.base_scenario)
    aq = None
    if s.air_quality is not None:
        a = s.air_quality
        E0 = ev.evaluate(np.zeros((len(pairs), len(base.years)))).emissions[:, 0]
        mapping = default_mapping(a.om_oc_ratio, a.om_share_of_primary)
        aq = model_link(a.model, a.model_params(), a.city, base.species, E0, mapping)
        city = Text(region_names(base.project.regions, "en").get(a.city, a.city),
                    region_names(base.project.regions, "zh").get(a.city, a.city))
        if a.model != "tm5fasst_city":
            notes.append(Msg("opt_note_aq_model", model=a.model, name=aq.model.name,
                             city=city))
        else:
            notes.append(Msg(
                "opt_note_aq", city=city, pm=f"{a.pm25_base_ugm3:g}", year=base.years[0],
                share=str(a.local_share),
                om=Msg("opt_note_om_share", x=f"{a.om_share_of_primary:g}")
                if a.om_share_of_primary is not None else Msg("opt_note_om_oc",
                                                              x=f"{a.om_oc_ratio:g}")))
        if a.source:
            notes.append(a.source)  # the user's own words: shown as written
    import pandas as pd

    user_links = pd.DataFrame(s.links) if s.links else None
    return setup(ev, aq, user_links), notes


def targets_from(s: st.OptSettings, pm25_max=None, target_year=None, co2_peak_by=None,
                 budget=None) -> Targets:
    t = s.targets
    return Targets(
        pm25_max=pm25_max if pm25_max is not None else t.get("pm25_max"),
        pm25_year=target_year if target_year is not None else t.get("pm25_year"),
        co2_peak_by=co2_peak_by if co2_peak_by is not None else t.get("co2_peak_by"),
        co2_caps={int(k): float(v) for k, v in (t.get("co2_caps_t") or {}).items()},
        caps=[(c["species"], int(c["year"]), float(c["max_t"])) for c in t.get("caps") or []],
        budget=budget if budget is not None else t.get("budget_yuan"))


def check_targets(t: Targets, years: list[int]) -> None:
    """Target years must be scenario years (every problem reported at once)."""
    probs = []
    yrs = ", ".join(map(str, years))

    def bad(col, v, key):
        probs.append(Problem(file="optimisation.yaml / command line", column=col, value=v,
                             message=Msg(key), expected=Msg("msg.opt_one_of_years", years=yrs)))

    if t.pm25_year is not None and int(t.pm25_year) not in years:
        bad("targets.pm25_year", t.pm25_year, "msg.opt_pm25_year")
    if t.co2_peak_by is not None and int(t.co2_peak_by) not in years:
        bad("targets.co2_peak_by", t.co2_peak_by, "msg.opt_peak_year")
    for y in t.co2_caps:
        if int(y) not in years:
            bad("targets.co2_caps_t", y, "msg.opt_co2_cap_year")
    for sp, y, _ in t.caps:
        if int(y) not in years:
            bad("targets.caps", f"{sp} {y}", "msg.opt_cap_year")
    if probs:
        raise InputError(probs)


def run_project(folder, *, pm25_max=None, target_year=None, co2_peak_by=None,
                budget=None, objective: str = "cost", n_pareto: int = 0,
                time_limit: float = 60.0, mip_gap: float = 1e-4,
                region_level: str | None = None, progress=None) -> Result:
    """Optimise a project (a :class:`~cocontrol.project.Project`, or a folder read by the
    I/O layer); an infeasible problem is returned with its explanation (and the relaxed
    plan) rather than raised, so a report can still be written. ``progress``: callback of
    :mod:`cocontrol.progress` (stages ``optimize.slp`` ..., ``optimize.pareto``)."""
    from cocontrol.project.loader import Project, load_project

    project = folder if isinstance(folder, Project) else load_project(folder)
    s = st.from_project(project)
    stp, notes = build_setup(project, s, region_level)
    t = targets_from(s, pm25_max, target_year, co2_peak_by, budget)
    if t.pm25_max is not None and stp.aq is None:
        raise InputError(Problem(file="optimisation.yaml", column="air_quality",
                                 message=Msg("msg.opt_pm25_needs_aq"),
                                 expected=Msg("msg.opt_aq_section")))
    if t.pm25_max is not None and t.pm25_year is None:
        t.pm25_year = stp.years[-1]
    check_targets(t, stp.years)
    kw = dict(time_limit=time_limit, mip_gap=mip_gap)
    res = Result(stp, None, s, t, notes=notes)
    try:
        res.plan = optimise(stp, t, objective, progress=scoped(progress, "optimize"), **kw)
    except InfeasibleError as e:
        res.infeasible = e
        res.plan = getattr(e, "plan", None)
        return res
    if n_pareto:
        from dataclasses import replace

        tp = replace(t, budget=None)
        res.pareto = pareto(stp, tp, n_points=n_pareto, year=t.pm25_year,
                            progress=scoped(progress, "optimize"), **kw)
    return res


def write(res: Result, out: Path, lang: str = "en", stem: str = "optimisation",
          whatif: list | None = None, assets: str = "inline", pdf: bool = False
          ) -> list[Path]:
    """HTML report (and PDF) and Excel workbook of a result; ``whatif``: (title,
    InfeasibleError) sections for stricter targets."""
    from cocontrol.optimize.report import build, write_excel

    h = res.settings.health
    hk = None
    if h is not None:
        hk = dict(population=h.population, mortality_rate=h.mortality_rate, crf=h.crf,
                  vsl=h.vsl)
    notes = list(res.notes)
    if h is not None:
        notes.append(Msg("opt_note_health", pop=f"{h.population:,.0f}",
                         rate=f"{h.mortality_rate:g}"))
        if h.source:
            notes.append(h.source)
    proj = res.setup.ev.base.project
    rep, sheets = build(res.plan, lang, res.pareto, notes, hk, res.infeasible, whatif,
                        project=proj)
    rep.assets = assets
    from cocontrol import io

    out = Path(out)
    with io.staged_dir(out) as stage:  # both files appear together, or neither
        html = rep.write(stage / f"{stem}_report.html", pdf=pdf)
        xlsx = write_excel(sheets, stage / f"{stem}.xlsx")
        files = [html, *([html.with_suffix(".pdf")] if pdf else []), xlsx]
        return [io.rebase(p, stage, out) for p in files]
