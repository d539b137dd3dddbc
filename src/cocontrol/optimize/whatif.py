"""Live what-if of a scenario: measure penetrations moved, everything recomputed at once.

One call of :meth:`WhatIf.evaluate` runs the scenario engine with the moved penetrations and
returns, for every scenario year,

- scope-1 emissions of every species (``Run.totals_array``, t/yr), the numbers of
  :func:`cocontrol.scenario.totals`;
- the PM2.5 concentration (µg/m³) of the project's air-quality link (``optimisation.yaml``
  section ``air_quality``: the optimiser's own link, :func:`cocontrol.optimize.airlink.
  model_link`, Eq. 1 of that module), when the project has one;
- avoided premature deaths against the reference scenario (:func:`cocontrol.health.
  avoided_deaths` with the ``health`` section: population, mortality rate, CRF), when the
  project has both sections;
- the co-control metrics against the reference scenario (:func:`cocontrol.metrics.
  cocontrol_array`: reductions, normalised coordinates, cross-elasticity, quadrant of every
  pollutant and APeq).

The moved scenario is an ordinary :class:`~cocontrol.scenario.spec.Scenario`: the measures of
the scenario with some penetrations replaced, each keeping its timeline (start and full year).
:func:`scenario_entry` writes it as an entry of ``scenarios.yaml`` (``extends`` the scenario),
so a saved what-if, run as a scenario, gives exactly the numbers of the move (the dashboard's
"save as scenario"). Used by the dashboard's what-if page (issue 15 item 4) and timed there
against the performance issue's target (issue 11: ≤ 50 ms p50 per move).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg as M
from cocontrol.i18n import Seq
from cocontrol.optimize import settings as st

#: species shown by a what-if (those of the base that exist), t/yr
SPECIES = ("CO2", "SO2", "NOx", "PM2.5", "VOCs", "NH3")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$")


@dataclass
class Outcome:
    """Figures of one what-if (arrays over the scenario years)."""

    years: list[int]
    species: list[str]
    emissions: np.ndarray  # (len(species), T) scope-1, t/yr
    pm25: np.ndarray | None  # (T,) µg/m³
    avoided_deaths: np.ndarray | None  # (T,) deaths/yr against the reference scenario
    metrics: dict  # cocontrol_array against the reference, leading axis = years
    penetrations: dict[str, float]  # the measure penetrations used (capped by the library)


@dataclass
class WhatIf:
    """A scenario prepared for live moves (:func:`setup`)."""

    base: object
    scenario: str
    reference: str
    uses: dict  # measure id -> MeasureUse of the scenario (resolved ``extends``)
    max_penetration: dict[str, float]
    link: object | None = None  # AirQualityLink
    health: st.HealthSettings | None = None
    species_idx: list[int] = field(default_factory=list)
    E_ref: np.ndarray | None = None  # (S, T) all species, reference scenario
    pm_ref: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return list(self.base.years)

    def scenario_with(self, penetrations: dict[str, float], name: str | None = None):
        """The scenario with the given measures' penetrations replaced (timelines kept)."""
        from cocontrol.scenario import spec as sspec

        measures = dict(self.uses)
        for mid, p in check_penetrations(self, penetrations).items():
            u = self.uses[mid]
            measures[mid] = sspec.MeasureUse(mid, p, u.start_year, u.full_year)
        sc = self.base.scenarios[self.scenario]
        return sspec.Scenario(name or sc.name, measures, sc.extends, sc.description)

    def evaluate(self, penetrations: dict[str, float] | None = None) -> Outcome:
        """Every figure of the scenario with ``penetrations`` (measure id -> 0..1)."""
        from cocontrol.metrics import cocontrol_array
        from cocontrol.scenario import run

        pens = check_penetrations(self, penetrations or {})
        r = run(self.base, self.scenario_with(pens))
        E = r.totals_array(1)
        pm = deaths = None
        if self.link is not None:
            pm = np.asarray(self.link.pm25(E), float)
            if self.health is not None:
                deaths = avoided(self, pm)
        met = cocontrol_array(self.E_ref.T, E.T, self.base.species)
        sp = [self.base.species[i] for i in self.species_idx]
        used = {m: (pens[m] if m in pens else self.uses[m].penetration) for m in self.uses}
        return Outcome(self.years, sp, E[self.species_idx], pm, deaths, met, used)


def check_penetrations(w: WhatIf, penetrations: dict) -> dict[str, float]:
    """Penetrations as numbers 0..1 of measures of the scenario (else InputError)."""
    out, probs = {}, []
    for mid, p in penetrations.items():
        if mid not in w.uses:
            probs.append(Problem(file="<what-if>", column="penetrations", value=mid,
                                 message=M("msg.opt_not_measure_of", scenario=repr(w.scenario)),
                                 expected=Seq(sorted(w.uses), ", ", quote=True)))
            continue
        try:
            v = float(p)
        except (TypeError, ValueError):
            v = float("nan")
        if not 0.0 <= v <= 1.0:  # (NaN fails too)
            probs.append(Problem(file="<what-if>", column=f"penetrations.{mid}", value=p,
                                 message=M("msg.opt_penetration_range"),
                                 expected=M("msg.opt_zero_to_one")))
            continue
        out[mid] = v
    if probs:
        raise InputError(probs)
    return out


def avoided(w: WhatIf, pm: np.ndarray) -> np.ndarray:
    """Avoided deaths per year of PM2.5 ``pm`` against the reference scenario's PM2.5."""
    import pandas as pd

    from cocontrol.health import avoided_deaths

    h = w.health
    idx = pd.Index(w.years, name="year")
    d = avoided_deaths(pd.Series(w.pm_ref, index=idx), pd.Series(pm, index=idx),
                       pd.Series(h.population, index=idx), pd.Series(h.mortality_rate, index=idx),
                       crf=h.crf)
    return d["avoided_deaths"].to_numpy(float)


def setup(base, scenario: str, reference: str | None = None) -> WhatIf:
    """Prepare ``scenario`` of a prepared base for what-if moves against ``reference``
    (default: the optimisation's base scenario, else ``baseline``)."""
    from cocontrol.airquality.precursors import default_mapping
    from cocontrol.optimize.airlink import model_link
    from cocontrol.scenario import run
    from cocontrol.scenario.engine import plan

    if scenario not in base.scenarios:
        raise InputError(Problem(file="scenarios.yaml", column="scenario", value=scenario,
                                 message=M("msg.api_unknown_scenario"),
                                 expected=Seq(base.scenarios, ", ", quote=True)))
    s = st.from_project(base.project)
    reference = reference or (s.base_scenario if s.base_scenario in base.scenarios
                              else "baseline")
    if reference not in base.scenarios:
        raise InputError(Problem(file="scenarios.yaml", column="reference", value=reference,
                                 message=M("msg.api_unknown_scenario"),
                                 expected=Seq(base.scenarios, ", ", quote=True)))
    uses = dict(base.scenarios[scenario].measures)
    w = WhatIf(base, scenario, reference, uses,
               {m: float(plan(base, m).max_penetration) for m in uses})
    w.species_idx = [base.species.index(x) for x in SPECIES if x in base.species]
    w.E_ref = run(base, reference).totals_array(1)
    if s.air_quality is not None:
        a = s.air_quality
        mapping = default_mapping(a.om_oc_ratio, a.om_share_of_primary)
        w.link = model_link(a.model, a.model_params(), a.city, base.species, w.E_ref[:, 0],
                            mapping)
        w.pm_ref = np.asarray(w.link.pm25(w.E_ref), float)
        w.health = s.health
        if s.health is None:
            w.notes.append("no health section in optimisation.yaml: avoided deaths not "
                           "estimated")
    else:
        w.notes.append("no air_quality section in optimisation.yaml: PM2.5 concentration "
                       "and health not estimated")
    return w


# ------------------------------------------------------------------ saving as a scenario
def scenario_entry(text: str, name: str, w: WhatIf, penetrations: dict[str, float],
                   description: str = "") -> str:
    """``scenarios.yaml`` text with a new scenario ``name`` that ``extends`` the what-if's
    scenario and overrides the moved measures (penetration, same timeline).

    The entry is inserted as text at the end of the ``scenarios:`` block, so the file's
    comments stay; the result is parsed again and must equal the old scenarios plus the new
    one (else InputError: nothing is written silently wrong)."""
    import yaml

    from cocontrol.scenario import spec as sspec

    if not NAME.match(name or ""):
        raise InputError(Problem(file="scenarios.yaml", column="name", value=name,
                                 message=M("msg.opt_bad_scenario_name"),
                                 expected=M("msg.opt_scenario_name_rule")))
    data = yaml.safe_load(text) or {}
    scen = data.get("scenarios") or {}
    if name in scen:
        raise InputError(Problem(file="scenarios.yaml", column="name", value=name,
                                 message=M("msg.opt_scenario_exists"),
                                 expected=M("msg.opt_new_name")))
    pens = check_penetrations(w, penetrations)
    body: dict = {"extends": w.scenario}
    if description:
        body["description"] = description
    measures = {}
    for mid, p in pens.items():
        u = w.uses[mid]
        if u.start_year is None and u.full_year is None:
            measures[mid] = p
        else:
            measures[mid] = {"penetration": p, **({"start_year": u.start_year}
                                                   if u.start_year is not None else {}),
                             **({"full_year": u.full_year} if u.full_year is not None else {})}
    body["measures"] = measures
    block = yaml.safe_dump({name: body}, allow_unicode=True, sort_keys=False,
                           default_flow_style=False, width=88)
    new = _insert(text, block) if "scenarios" in data and isinstance(scen, dict) and scen \
        else None
    want = dict(data)
    want["scenarios"] = {**scen, name: body}
    if new is None or yaml.safe_load(new) != want:
        new = yaml.safe_dump(want, allow_unicode=True, sort_keys=False, width=88)
    # the library reads it back as the moved scenario
    got = sspec.parse(yaml.safe_load(new), w.base.project.manifest.base_year).scenarios[name]
    for mid, p in pens.items():
        if got.measures[mid].penetration != p:
            raise InputError(Problem(file="scenarios.yaml", column=name, value=mid,
                                     message=M("msg.opt_saved_differs")))
    return new


def _insert(text: str, block: str) -> str | None:
    """``block`` (a top-level mapping entry) indented into the ``scenarios:`` block of
    ``text``, after its last indented line; None when the block cannot be found."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if re.match(r"^scenarios\s*:\s*(#.*)?$",
                                                              ln.rstrip("\n"))), None)
    if start is None:
        return None
    indent, last = None, start
    for i in range(start + 1, len(lines)):
        ln = lines[i]
        if not ln.strip() or ln.lstrip().startswith("#"):
            continue
        if not ln[0].isspace():
            break
        if indent is None:
            indent = len(ln) - len(ln.lstrip(" "))
        last = i
    if indent is None:
        return None
    pad = " " * indent
    add = "".join(pad + ln if ln.strip() else ln for ln in block.splitlines(keepends=True))
    head = "".join(lines[:last + 1])
    if not head.endswith("\n"):
        head += "\n"
    return head + "\n" + add + "".join(lines[last + 1:])
