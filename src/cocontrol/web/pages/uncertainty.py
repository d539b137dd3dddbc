"""Uncertainty (issues 15 and 18): run the uncertainty assessment of a scenario as a job of
the service (``/api/jobs/uncertainty``: :func:`cocontrol.uncertainty.runner.assess`, with
progress and cancel) or open a stored result; the page draws its stored tables as they are:
fan charts of the CO2 and PM2.5 pathways (5-25-50-75-95 % quantiles), the probability of
meeting each target and all together, Sobol indices and tornado bars of the first target.

The job mechanism and the table drawing are the analysis pages' (``static/analysis.js``);
``static/uncertainty.js`` adds this page's charts. No model logic in the browser."""

from __future__ import annotations

from cocontrol.web.context import Ctx
from cocontrol.web.pages.analysis import _results, _versions, column_labels
from cocontrol.web.pages.data import full_principal
from cocontrol.web.registry import Area

area = Area("uncertainty", nav="nav_uncertainty", order=40)

#: result columns of the uncertainty job shown with a catalogue label
COLUMNS = {"target": "web_unc_col_target", "probability": "web_unc_col_probability",
           "std_error": "web_unc_col_std_error", "draws": "web_unc_col_draws",
           "factor": "web_unc_col_factor", "S1": "web_unc_col_S1",
           "S1_conf": "web_unc_col_S1_conf", "ST": "web_unc_col_ST",
           "ST_conf": "web_unc_col_ST_conf", "low": "web_unc_col_low",
           "high": "web_unc_col_high", "central": "web_unc_col_central",
           "swing": "web_unc_col_swing", "variable": "web_unc_col_variable"}


@area.page("/", permission="results:read", nav=True)
def page(ctx: Ctx):
    p = full_principal(ctx)
    cols = column_labels(ctx) | {c: ctx.t(k) for c, k in COLUMNS.items()} | {
        f"q{q:02d}": ctx.t("web_unc_col_q", q=q) for q in (5, 25, 50, 75, 95)}
    return ctx.render("uncertainty/index.html", cols=cols, can_run=p.can("jobs:run"),
                      kind="uncertainty",
                      versions=_versions(ctx) if p.can("jobs:run") else [],
                      previous=_results(ctx, "uncertainty"))
