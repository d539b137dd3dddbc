"""Project settings of the optimisation stage (``optimisation.yaml`` in the project folder).

```yaml
air_quality:            # TM5-FASST scaled to the city (cocontrol.airquality.city_model)
  model: tm5fasst_city  # default; any name registered with cocontrol.airquality.register
  city: demo_city       # receptor name
  pm25_base_ugm3: 50    # base-year annual mean, µg/m³
  local_share: 0.6      # share of the city's PM2.5 from its own emissions (0-1)
  om_share_of_primary: 0.3   # only if the inventory has no OC: OM share of primary PM2.5 − BC
  om_oc_ratio: 1.4      # OM/OC, when OC is in the inventory
  source: "..."         # provenance of the numbers above
health:
  population: 2190000   # persons in the CRF's age range
  mortality_rate: 0.0116  # deaths per person-year of that population
  crf: krewski2009
  vsl: default
  source: "..."
optimisation:
  base_scenario: baseline
  measures: [...]       # candidates; default: every measure of scenarios.yaml
  region_level: null    # or district, park ...
  integer_steps: {coal_power_small_unit_phaseout: 2}
  links:                # precedence / companions in addition to the bundled pairing rules
    - {first: hdv_hydrogen_fuel_cell, second: renewable_power_local, kind: requires}
targets:
  pm25_max: 35          # µg/m³, from pm25_year on
  pm25_year: 2030
  co2_peak_by: 2030
  budget_yuan: null     # present value of net costs
  co2_caps_t: {2035: 2.0e7}
  caps: [{species: NOx, year: 2030, max_t: 29800}]
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg, Seq

FILE = "optimisation.yaml"


@dataclass
class AQSettings:
    city: str
    pm25_base_ugm3: float | None
    local_share: float | dict | None
    om_share_of_primary: float | None = None
    om_oc_ratio: float = 1.4
    source: str = ""
    model: str = "tm5fasst_city"  # a name of cocontrol.airquality.available()
    params: dict = field(default_factory=dict)  # further settings for the model's factory

    def model_params(self) -> dict:
        return {"pm25_base_ugm3": self.pm25_base_ugm3, "local_share": self.local_share,
                **self.params}


@dataclass
class HealthSettings:
    population: float
    mortality_rate: float
    crf: str | None = None
    vsl: object = "default"
    source: str = ""


@dataclass
class OptSettings:
    air_quality: AQSettings | None = None
    health: HealthSettings | None = None
    base_scenario: str = "baseline"
    measures: list[str] | None = None
    region_level: str | None = None
    integer_steps: dict[str, int] = field(default_factory=dict)
    links: list[dict] = field(default_factory=list)
    targets: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)


def _num(d: dict, key: str, section: str, probs: list, lo=None, hi=None, required=True):
    v = d.get(key)
    if v is None:
        if required:
            probs.append(Problem(FILE, Msg("msg.key_missing", key=key),
                                 column=f"{section}.{key}", expected=Msg("exp.number")))
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        probs.append(Problem(FILE, Msg("msg.not_number"), column=f"{section}.{key}", value=v,
                             expected=Msg("exp.number")))
        return None
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        probs.append(Problem(FILE, Msg("msg.out_of_range"), column=f"{section}.{key}", value=v,
                             expected=Msg("exp.between", lo=lo, hi=hi) if None not in (lo, hi)
                             else f"≥ {lo}" if hi is None else f"≤ {hi}"))
    return x


def parse(data: dict) -> OptSettings:
    """Validate the settings (every problem reported at once)."""
    probs: list[Problem] = []
    out = OptSettings(raw=data)
    aq = data.get("air_quality")
    if aq:
        model = str(aq.get("model", "tm5fasst_city"))
        tm5 = model == "tm5fasst_city"  # other registered models take their own params
        share = aq.get("local_share")
        if isinstance(share, dict):
            for k in share:
                _num(share, k, "air_quality.local_share", probs, 0, 1)
        else:
            share = _num(aq, "local_share", "air_quality", probs, 0, 1, required=tm5)
        city = aq.get("city")
        if not isinstance(city, str) or not city:
            probs.append(Problem(FILE, Msg("msg.key_missing", key="city"),
                                 column="air_quality.city", expected=Msg("exp.receptor")))
        out.air_quality = AQSettings(
            city=str(city), pm25_base_ugm3=_num(aq, "pm25_base_ugm3", "air_quality", probs, 0,
                                                required=tm5),
            local_share=share, model=model,
            params={k: v for k, v in aq.items() if k not in (
                "city", "model", "pm25_base_ugm3", "local_share", "om_share_of_primary",
                "om_oc_ratio", "source")},
            om_share_of_primary=_num(aq, "om_share_of_primary", "air_quality", probs, 0, 1,
                                     required=False),
            om_oc_ratio=_num(aq, "om_oc_ratio", "air_quality", probs, 1, 3,
                             required=False) or 1.4,
            source=str(aq.get("source", "")))
    h = data.get("health")
    if h:
        out.health = HealthSettings(
            population=_num(h, "population", "health", probs, 0),
            mortality_rate=_num(h, "mortality_rate", "health", probs, 0, 1),
            crf=h.get("crf"), vsl=h.get("vsl", "default"), source=str(h.get("source", "")))
    o = data.get("optimisation") or {}
    out.base_scenario = str(o.get("base_scenario", "baseline"))
    out.measures = o.get("measures")
    out.region_level = o.get("region_level")
    steps = o.get("integer_steps") or {}
    for k, v in steps.items():
        if not isinstance(v, int) or v < 1:
            probs.append(Problem(FILE, Msg("msg.integer_steps"),
                                 column=f"optimisation.integer_steps.{k}", value=v,
                                 expected=Msg("exp.integer_steps", n=2)))
    out.integer_steps = {k: int(v) for k, v in steps.items() if isinstance(v, int)}
    links = o.get("links") or []
    for i, ln in enumerate(links):
        if not isinstance(ln, dict) or not {"first", "second", "kind"} <= set(ln) \
                or ln.get("kind") not in ("equal", "requires"):
            probs.append(Problem(FILE, Msg("msg.link"), column=f"optimisation.links[{i}]",
                                 value=ln, expected=Msg("exp.link", kinds=Seq(["equal", "requires"], " or ",
                                                                    quote=True))))
    out.links = [dict(ln, source="optimisation.yaml") for ln in links if isinstance(ln, dict)]
    out.targets = dict(data.get("targets") or {})
    if probs:
        raise InputError(probs)
    return out


def from_project(project) -> OptSettings:
    """Settings of a :class:`~cocontrol.project.Project` (empty settings if it has no
    optimisation.yaml); the file was validated by the project loader."""
    return parse(project.optimisation_data())


def load(folder: Path | str) -> OptSettings:
    """Convenience: settings of ``folder/optimisation.yaml`` (empty settings if there is
    none), through the I/O layer and the strict model."""
    from cocontrol import io
    from cocontrol.project.models import OptimisationFile, validate

    p = Path(folder) / FILE
    if not p.exists():
        return OptSettings()
    model, probs = validate(OptimisationFile, io.read_yaml(p), FILE)
    if probs:
        raise InputError(probs)
    return parse(model.model_dump(exclude_none=True))
