"""Scenario definitions (``scenarios.yaml``): settings, scenarios that extend each other, targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq


@dataclass(frozen=True)
class MeasureUse:
    """A measure in a scenario: penetration (0–1, capped by the measure's maximum) and an
    optional timeline overriding the library's start/full years."""

    id: str
    penetration: float = 1.0
    start_year: int | None = None
    full_year: int | None = None


@dataclass
class Settings:
    years: list[int]
    discount_rate: float = 0.05
    local_electricity_share: float = 1.0
    #: supply coal rate of local coal power, tce per MWh (China Electricity Council, 2020
    #: average 305.5 gce/kWh for thermal power, CEC annual statistics 2021)
    power_heat_rate_tce_per_mwh: float = 0.3055


@dataclass
class Scenario:
    name: str
    measures: dict[str, MeasureUse] = field(default_factory=dict)
    extends: str | None = None
    description: str = ""


@dataclass
class ScenarioSet:
    settings: Settings
    scenarios: dict[str, Scenario]
    targets: list[dict]


def _measure_uses(raw, file: str, scen: str) -> dict[str, MeasureUse]:
    out = {}
    for mid, v in (raw or {}).items():
        if isinstance(v, int | float):
            out[mid] = MeasureUse(mid, float(v))
        elif isinstance(v, dict):
            out[mid] = MeasureUse(mid, float(v.get("penetration", 1.0)), v.get("start_year"),
                                  v.get("full_year"))
        else:
            raise InputError(Problem(file=file, column=f"scenarios.{scen}.measures.{mid}",
                                     value=v, message=Msg("msg.measure_setting"),
                                     expected=Msg("exp.measure_setting", keys=Seq(
                                         ["penetration", "start_year", "full_year"],
                                         quote=True))))
        if not 0 <= out[mid].penetration <= 1:
            raise InputError(Problem(file=file, column=f"scenarios.{scen}.measures.{mid}",
                                     value=out[mid].penetration,
                                     message=Msg("msg.penetration_range"),
                                     expected=Msg("exp.between", lo=0, hi=1)))
    return out


def parse(data: dict, base_year: int, file: str = "scenarios.yaml") -> ScenarioSet:
    """Build a :class:`ScenarioSet` from the data of scenarios.yaml (validated with
    :class:`cocontrol.project.models.ScenariosFile`: unknown keys are errors); ``extends``
    chains are resolved (child overrides)."""
    from cocontrol.project.crossref import scenario_years
    from cocontrol.project.models import ScenariosFile, validate

    model, probs = validate(ScenariosFile, data, file)
    if probs:
        raise InputError(probs)
    data = model.model_dump(exclude_none=True)
    s = data.get("settings", {}) or {}
    years = scenario_years(s, base_year)
    settings = Settings(years=years, discount_rate=float(s.get("discount_rate", 0.05)),
                        local_electricity_share=float(s.get("local_electricity_share", 1.0)),
                        power_heat_rate_tce_per_mwh=float(
                            s.get("power_heat_rate_tce_per_mwh", 0.3055)))
    raw = data.get("scenarios") or {"baseline": {}}
    scen = {}
    for name, v in raw.items():
        v = v or {}
        scen[name] = Scenario(name, _measure_uses(v.get("measures"), file, name),
                              v.get("extends"), v.get("description", ""))
    for name, sc in scen.items():
        if sc.extends and sc.extends not in scen:
            raise InputError(Problem(file=file, column=f"scenarios.{name}.extends",
                                     value=sc.extends,
                                     message=Msg("msg.extends_unknown", hint=""),
                                     expected=Seq(scen, quote=True)))
    resolved = {name: resolve(scen, name, file) for name in scen}
    return ScenarioSet(settings, resolved, list(data.get("targets") or []))


def resolve(scen: dict[str, Scenario], name: str, file: str) -> Scenario:
    chain, cur = [], name
    while cur:
        if cur in chain:
            raise InputError(Problem(file=file, column=f"scenarios.{name}.extends",
                                     message=Msg("msg.extends_circle"),
                                     value=" → ".join(chain + [cur])))
        chain.append(cur)
        cur = scen[cur].extends
    measures: dict[str, MeasureUse] = {}
    for c in reversed(chain):
        measures.update(scen[c].measures)
    return Scenario(name, measures, scen[name].extends, scen[name].description)


def from_project(project) -> ScenarioSet:
    """The scenario set of a :class:`~cocontrol.project.Project` (baseline only when the
    project has no scenarios.yaml)."""
    return parse(project.scenario_data(), project.manifest.base_year)


def load(folder: Path, base_year: int) -> ScenarioSet:
    """Convenience: parse ``folder/scenarios.yaml`` (through the I/O layer)."""
    from cocontrol import io

    path = Path(folder) / "scenarios.yaml"
    if not path.exists():
        return parse({}, base_year)
    return parse(io.read_yaml(path) or {}, base_year, file=path.name)
