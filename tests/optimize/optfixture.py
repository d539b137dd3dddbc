"""Small optimisation problems on the hand-calculable scenario project (tests/scenariofixture.py).

The air-quality model is a user sensitivity matrix with round coefficients (µg/m³ per t/yr of
the city's emissions), so every PM2.5 value can be checked by hand:
PM2.5 = 40 + 1.0·ΔSO2 + 0.5·ΔNOx + 2.0·ΔPM2.5_other (primary other than BC and OM; ΔE in t/yr).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scenariofixture import MEASURES, SCENARIOS, write_scenario_project  # noqa: E402

import cocontrol.optimize as opt  # noqa: E402
from cocontrol.airquality import LinearSourceReceptor  # noqa: E402
from cocontrol.scenario import discounted_cost, run, totals  # noqa: E402

COEF = {"SO2": 1.0, "NOx": 0.5, "PM2.5_other": 2.0}
PM_BASE = 40.0


def measures() -> pd.DataFrame:
    """Test measures with distinct costs (no ties between optima)."""
    m = MEASURES.copy()
    m.loc[m["id"] == "t_reduce_res", ["capex", "lifetime"]] = [30000.0, 20]
    m.loc[m["id"] == "t_boiler_fgd", ["capex", "lifetime"]] = [300.0, 15]
    m.loc[m["id"] == "t_clinker_dust", ["capex", "lifetime"]] = [50.0, 10]
    m.loc[m["id"] == "t_res_to_el", ["capex", "lifetime"]] = [2000.0, 15]
    return m


def project(folder: Path) -> Path:
    sc = {**SCENARIOS, "scenarios": {"baseline": {"measures": {}}}, "targets": []}
    return write_scenario_project(folder, scenarios=sc, measures=measures())


def aq_model() -> LinearSourceReceptor:
    coef = pd.DataFrame({"receptor": "T", "component": "PM2.5", "source_region": "T",
                         "precursor": list(COEF), "sector": "*", "coef": list(COEF.values())})
    base = pd.DataFrame({"receptor": ["T"], "component": ["PM2.5"], "base": [PM_BASE]})
    return LinearSourceReceptor(coef, base, name="test sensitivity matrix")


def make_setup(folder: Path, mids: list[str], steps: dict[str, int] | None = None):
    base = opt.prepare_base(project(folder), measures=mids)
    pairs = opt.make_pairs(base, mids, integer_steps=steps)
    ev = opt.Evaluator(base, pairs)
    E0 = ev.evaluate(np.zeros((len(pairs), len(base.years)))).emissions[:, 0]
    aq = opt.link(aq_model(), "T", "T", base.species, E0)
    return opt.setup(ev, aq)


def engine_check(s, P: np.ndarray) -> dict:
    """PM2.5, CO2 and discounted cost of penetrations P from the scenario engine's public
    functions (run, totals, discounted_cost) and the air-quality model's predict()."""
    base = s.base
    r = run(base, "baseline", penetrations=s.ev.penetrations(P))
    tot = totals(r)
    pm = []
    for t in range(len(base.years)):
        E = r.emissions[(base.lines["scope"] == 1).to_numpy()].sum(axis=0)[:, t]
        ch = s.aq.predict_change_table(E, base.species)
        pred = s.aq.model.predict(ch[ch["precursor"].isin(list(COEF))])
        pm.append(float(pred.loc[pred["component"] == "PM2.5", "value"].iloc[0]))
    return {"pm25": np.array(pm), "co2": tot.loc["CO2"].to_numpy(float),
            "cost_pv": discounted_cost(base, r)}


def monotone_paths(levels_by_year: list[list[float]]) -> list[tuple[float, ...]]:
    """Every non-decreasing path choosing one level per year."""
    return [p for p in itertools.product(*levels_by_year)
            if all(a <= b + 1e-12 for a, b in itertools.pairwise(p))]
