"""One call from a project to its uncertainty assessment (used by the CLI, the service's jobs
and the dashboard): the model of a scenario, K draws, the probability of meeting the targets
of ``optimisation.yaml``, fan-chart quantiles and, on request, Sobol indices and tornado bars.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.uncertainty.analysis import Target, attainment, quantiles, sobol_indices, tornado
from cocontrol.uncertainty.ensemble import EnsembleResult, UncertaintyModel, aq_link, build_model


@dataclass
class Assessment:
    """Outputs of :func:`assess`: the model, the draws, attainment (None without targets in
    the horizon), fan-chart quantiles by variable, and optional Sobol and tornado tables."""

    model: UncertaintyModel
    draws: EnsembleResult
    targets: list[Target]
    attainment: pd.DataFrame | None
    fans: dict[str, pd.DataFrame]
    sobol: pd.DataFrame | None = None
    tornado: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Tidy tables: attainment, fan quantiles (variable, year, q05…q95), Sobol, tornado."""
        out = {}
        if self.attainment is not None:
            out["attainment"] = self.attainment
        out["fans"] = pd.concat([q.reset_index().assign(variable=v)
                                 for v, q in self.fans.items()], ignore_index=True)
        if self.sobol is not None:
            out["sobol"] = self.sobol
        if self.tornado is not None:
            out["tornado"] = self.tornado
        return out


def targets_and_link(project, base, horizon: list[int]):
    """Targets (PM2.5 and CO2 peak of optimisation.yaml within ``horizon``) and the city's
    air-quality link (TM5-FASST, :func:`aq_link`), or None without air-quality settings."""
    from cocontrol.optimize import settings as st

    s = st.from_project(project)
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


def prepare_until(project, until: int):
    """The scenario base of ``project`` cut at year ``until`` (at least two years)."""
    from cocontrol.project.loader import Project, load_project
    from cocontrol.scenario import prepare
    from cocontrol.scenario import spec as sspec

    project = project if isinstance(project, Project) else load_project(project)
    base0 = prepare(project)
    years = [y for y in base0.years if y <= until]
    if len(years) < 2:
        raise InputError(Problem(file="<uncertainty>", column="until", value=until,
                                 message=M("msg.unc_leaves_fewer_than_two"),
                                 expected=M("msg.unc_year_after", base0_years_0=base0.years[0])))
    ss = sspec.ScenarioSet(sspec.Settings(years=years, discount_rate=base0.settings
                                          .discount_rate), base0.scenarios, base0.targets)
    return project, prepare(project, scenario_set=ss)


def assess(project, scenario: str = "policy", *, draws: int = 1000, method: str = "lhs",
           seed: int = 0, until: int = 2035, sobol: int = 0, client=None, out=None,
           progress=None) -> Assessment:
    """The uncertainty assessment of ``scenario`` of ``project`` (a Project or a folder read
    by the I/O layer) to ``until``: ``draws`` draws (``method`` lhs or mc, ``seed``) on a
    Dask ``client`` or in this process, Parquet parts under ``out`` as they arrive; with
    ``sobol`` > 0 the Saltelli base sample size of the Sobol indices of the first target."""
    from cocontrol.uncertainty.distributed import run_draws

    if method not in ("lhs", "mc"):
        raise InputError(Problem(file="<uncertainty>", column="method", value=method,
                                 message=M("msg.unc_unknown_sampling_method"), expected=M("msg.unc_lhs_mc")))
    if draws < 2:
        raise InputError(Problem(file="<uncertainty>", column="draws", value=draws,
                                 message=M("msg.unc_too_few_draws"), expected="≥ 2"))
    project, base = prepare_until(project, until)
    targets, link = targets_and_link(project, base, list(base.years))
    model = build_model(base, scenario, aq=link)
    res = run_draws(model, draws, method=method, seed=seed, client=client, out=out,
                    progress=progress)
    fans = {"CO2": quantiles(res, "CO2")}
    if res.pm25 is not None:
        fans["PM2.5 concentration"] = quantiles(res, "PM2.5 concentration")
    a = Assessment(model, res, targets, attainment(res, targets) if targets else None, fans,
                   notes=list(model.notes))
    if not targets:
        a.notes.append("no targets of optimisation.yaml within the horizon")
    if sobol and targets:
        t0 = targets[0]
        j = list(base.years).index(t0.year)

        def y(r):
            return r.pm25[:, j] if t0.kind == "pm25_max" else r.series("CO2")[:, j]

        a.sobol = sobol_indices(lambda U: y(model.evaluate(U)), len(model.params), n=sobol,
                                groups=model.groups, seed=seed).to_frame()
        a.tornado = tornado(model, y)
    return a
