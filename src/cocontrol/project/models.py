"""Strict models of every YAML file a project can hold (pydantic, ``extra="forbid"``).

An unknown key is an error with a did-you-mean suggestion (:func:`problems_of`); a value of
the wrong type names the key path, what was found and what was expected. The models check
the *shape* of a file; cross-references (measure ids, scenario names, years, regions,
species) are checked by :mod:`cocontrol.project.crossref` once every file is read.

Files: ``project.yaml`` (:class:`Manifest`), ``scenarios.yaml`` (:class:`ScenariosFile`),
``optimisation.yaml`` (:class:`OptimisationFile`), CGE instruments (:class:`InstrumentsFile`)
and evaluation indicator systems (:class:`IndicatorSystemFile`).
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
)

from cocontrol.errors import Problem
from cocontrol.i18n import Msg, Seq, Text, did_you_mean, pydantic_expected, pydantic_msg

Number = float  # pydantic accepts ints and numeric text for floats in lax mode


class Strict(BaseModel):
    """Base of every input model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# ------------------------------------------------------------------ project.yaml
class Manifest(Strict):
    """Settings of one project. Units: grid factor tCO2/MWh, heat factor tCO2/GJ."""

    name: str
    name_zh: str | None = None
    base_year: int = Field(ge=1990, le=2100)
    years: list[int] = Field(min_length=1)
    gwp: Literal["AR5", "AR6"] = "AR6"
    factor_sets: list[Literal["user", "default"]] = ["user", "default"]
    so2_method: Literal["factor", "sulfur_balance"] = "factor"
    grid_factor: str | float = "cn_national_2022"
    heat_factor: str | float = "cn_heat_default"
    currency: str = "yuan"
    price_year: int | None = None
    illustrative: StrictBool = False
    description: str | None = None

    @field_validator("years")
    @classmethod
    def _years_sorted(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError(Msg("msg.years_repeat"))
        for y in v:
            if not 1990 <= y <= 2100:
                raise ValueError(Msg("msg.year_outside", year=y))
        return sorted(v)


# ------------------------------------------------------------------ scenarios.yaml
class MeasureSetting(Strict):
    penetration: float = Field(1.0, ge=0, le=1)
    start_year: int | None = Field(None, ge=1990, le=2100)
    full_year: int | None = Field(None, ge=1990, le=2100)


Penetration = Annotated[float, Field(ge=0, le=1)]


class ScenarioDef(Strict):
    description: str = ""
    extends: str | None = None
    measures: dict[str, Penetration | MeasureSetting] | None = None


class ScenarioSettings(Strict):
    start: int | None = Field(None, ge=1990, le=2100)
    end: int | None = Field(None, ge=1990, le=2100)
    step: int | None = Field(None, ge=1, le=50)
    years: list[Annotated[int, Field(ge=1990, le=2100)]] | None = Field(None, min_length=1)
    discount_rate: float | None = Field(None, ge=0, le=1)
    local_electricity_share: float | None = Field(None, ge=0, le=1)
    power_heat_rate_tce_per_mwh: float | None = Field(None, gt=0, le=1)


class _Target(Strict):
    source: str | None = None
    note: str | None = None
    name: str | None = None


class PeakTarget(_Target):
    type: Literal["co2_peak"]
    by: int = Field(ge=1990, le=2100)
    species: str = "CO2"


class CapTarget(_Target):
    type: Literal["cap"]
    species: str
    year: int = Field(ge=1990, le=2100)
    max: float
    unit: str = "t"


class IntensityTarget(_Target):
    type: Literal["intensity"]
    species: str
    per: str
    year: int = Field(ge=1990, le=2100)
    max: float
    unit: str
    # TODO(trust-b): units of the denominator are declared here once item 3 settles them
    per_unit: str | None = None


class EnergyCapTarget(_Target):
    type: Literal["energy_cap"]
    year: int = Field(ge=1990, le=2100)
    max: float
    unit: str = "tce"
    kind: str | None = None
    fuels: list[str] | None = None


Target = Annotated[PeakTarget | CapTarget | IntensityTarget | EnergyCapTarget,
                   Field(discriminator="type")]


class ScenariosFile(Strict):
    settings: ScenarioSettings | None = None
    scenarios: dict[str, ScenarioDef | None] | None = None
    targets: list[Target] | None = None


# ------------------------------------------------------------------ optimisation.yaml
class AirQualitySection(Strict):
    city: str
    pm25_base_ugm3: float = Field(ge=0)
    local_share: Annotated[float, Field(ge=0, le=1)] | dict[str, Annotated[float, Field(ge=0,
                                                                                    le=1)]]
    om_share_of_primary: float | None = Field(None, ge=0, le=1)
    om_oc_ratio: float | None = Field(None, ge=1, le=3)
    source: str = ""


class HealthSection(Strict):
    population: float = Field(ge=0)
    mortality_rate: float = Field(ge=0, le=1)
    crf: str | None = None
    vsl: str | float | None = "default"
    source: str = ""


class Link(Strict):
    first: str
    second: str
    kind: Literal["equal", "requires"]
    source: str | None = None


class OptimisationSection(Strict):
    base_scenario: str = "baseline"
    measures: list[str] | None = None
    region_level: str | None = None
    integer_steps: dict[str, Annotated[StrictInt, Field(ge=1)]] | None = None
    links: list[Link] | None = None


class SpeciesCap(Strict):
    species: str
    year: int = Field(ge=1990, le=2100)
    max_t: float = Field(ge=0)


class OptTargets(Strict):
    pm25_max: float | None = Field(None, gt=0)
    pm25_year: int | None = Field(None, ge=1990, le=2100)
    co2_peak_by: int | None = Field(None, ge=1990, le=2100)
    budget_yuan: float | None = None
    co2_caps_t: dict[int, Annotated[float, Field(ge=0)]] | None = None
    caps: list[SpeciesCap] | None = None


class OptimisationFile(Strict):
    air_quality: AirQualitySection | None = None
    health: HealthSection | None = None
    optimisation: OptimisationSection | None = None
    targets: OptTargets | None = None


# ------------------------------------------------------------------ CGE instruments
class Instrument(Strict):
    code: str
    kind: str
    params: dict[str, Any] | None = None
    name_en: str = ""
    name_zh: str = ""
    source: str = ""


class InstrumentsFile(Strict):
    instruments: list[Instrument] = Field(min_length=1)
    description: str | None = None
    source: str | None = None


# ------------------------------------------------------------------ evaluation systems
class Grade(Strict):
    min: float
    label_en: str
    label_zh: str


class PolicyBasis(Strict):
    key: str
    citation: str


class SystemMeta(Strict):
    id: str
    kind: str | None = None
    name_en: str | None = None
    name_zh: str | None = None
    template: bool | None = None
    note: str | None = None
    policy_basis: list[PolicyBasis] | None = None
    grades: list[Grade] | None = None


class IndicatorDef(Strict):
    id: str
    name_en: str | None = None
    name_zh: str | None = None
    definition: str | None = None
    unit: str | None = None
    direction: str | int | None = None
    target: float | str | None = None
    subsystem: str | None = None
    data_source: str | None = None
    basis: str | None = None
    weight: float | None = None


class CriterionDef(Strict):
    id: str
    name_en: str | None = None
    name_zh: str | None = None
    weight: float | None = None
    indicators: list[IndicatorDef] = Field(min_length=1)


class DimensionDef(Strict):
    id: str
    name_en: str | None = None
    name_zh: str | None = None
    weight: float | None = None
    criteria: list[CriterionDef] = Field(min_length=1)


class AhpMatrix(Strict):
    order: list[str]
    matrix: list[list[float | int | str]] | None = None
    matrices: list[list[list[float | int | str]]] | None = None


class Weighting(Strict):
    ahp: dict[str, AhpMatrix] | None = None


class IndicatorSystemFile(Strict):
    system: SystemMeta | None = None
    weighting: Weighting | None = None
    dimensions: list[DimensionDef] = Field(min_length=1)


# ------------------------------------------------------------------ errors -> problems
def suggest(word: str, choices, n: int = 1) -> str | None:
    """The nearest of ``choices`` to ``word`` (case-insensitive), or None."""
    choices = [str(c) for c in choices]
    low = {c.lower(): c for c in choices}
    if str(word).lower() in low:
        return low[str(word).lower()]
    hit = difflib.get_close_matches(str(word).lower(), list(low), n=n, cutoff=0.6)
    return low[hit[0]] if hit else None


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Known keys of the mapping that holds the unknown key at ``loc``."""
    cur: Any = model
    for part in loc[:-1]:
        fields = getattr(cur, "model_fields", None)
        if fields is None:
            break
        if isinstance(part, str) and part in fields:
            cur = _inner_model(fields[part].annotation)
        elif isinstance(part, int) or isinstance(cur, type):
            continue
    fields = getattr(cur, "model_fields", None)
    return list(fields) if fields else []


def _inner_model(ann) -> Any:
    import typing

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in typing.get_args(ann):
        m = _inner_model(a)
        if m is not None:
            return m
    return None


def _loc_text(loc: tuple) -> str:
    out = ""
    for p in loc:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


#: what a pydantic error type expects, in plain words (catalogue keys)
_KIND = {"float_parsing": "exp.number", "float_type": "exp.number",
         "int_parsing": "exp.whole", "int_type": "exp.whole", "int_from_float": "exp.whole",
         "string_type": "exp.text", "bool_type": "exp.bool", "bool_parsing": "exp.bool",
         "dict_type": "exp.mapping", "list_type": "exp.list", "model_type": "exp.mapping",
         "missing": "exp.value", "model_attributes_type": "exp.mapping"}


def problems_of(e: ValidationError, model: type[BaseModel], file: str) -> list[Problem]:
    """One :class:`Problem` per pydantic error: key path, found value, what was expected,
    and for an unknown key the nearest known key."""
    out: list[Problem] = []
    seen = set()
    for err in e.errors(include_url=False):
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x in _UNION_TAGS))
        typ = err["type"]
        key = _loc_text(loc)
        if typ == "extra_forbidden":
            known = _fields_at(model, loc)
            near = suggest(str(loc[-1]), known) if known else None
            msg = Msg("msg.unknown_key", key=loc[-1], hint=did_you_mean(near))
            out.append(Problem(file=file, column=key, message=msg,
                               expected=Msg("exp.one_of", items=Seq(known, quote=True))
                               if known else None))
            continue
        if (key, typ) in seen:
            continue
        seen.add((key, typ))
        value = err.get("input")
        if isinstance(value, dict | list):
            value = str(value)[:80]
        if typ == "missing":
            out.append(Problem(file=file, column=key, message=Msg("msg.required_key",
                                                                  key=loc[-1]),
                               expected=Msg(_KIND["missing"])))
        elif typ == "literal_error":
            out.append(Problem(file=file, column=key, value=value,
                               message=Msg("msg.value_not_allowed"),
                               expected=_choices(err["ctx"]["expected"]) if err.get("ctx")
                               else None))
        elif typ == "union_tag_invalid":
            ctx = err.get("ctx") or {}
            out.append(Problem(file=file, column=key + ".type" if key else "type",
                               value=ctx.get("tag"), message=Msg("msg.unknown_type"),
                               expected=str(ctx.get("expected_tags", ""))))
        elif typ == "union_tag_not_found":
            out.append(Problem(file=file, column=key, message=Msg("msg.no_type"),
                               expected=Msg("exp.target_types")))
        else:
            exp = Msg(_KIND[typ]) if typ in _KIND else pydantic_expected(err)
            if exp is None and typ == "value_error":  # a validator's own message
                e0 = (err.get("ctx") or {}).get("error")
                exp = e0.args[0] if isinstance(e0, BaseException) and e0.args and \
                    isinstance(e0.args[0], Msg) else str(err["msg"]).replace("Value error, ", "")
            out.append(Problem(file=file, column=key or None, value=value,
                               message=Msg("msg.wrong_value") if exp is not None
                               else pydantic_msg(err),
                               expected=exp if exp is not None else pydantic_msg(err)))
    return _merge_union(out)


def _choices(expected: str) -> Text:
    """pydantic's list of allowed values (``'AR5' or 'AR6'``), its 'or' in Chinese."""
    return Text(expected, expected.replace(" or ", " 或 ").replace(", ", "、"))


_UNION_TAGS = {"float", "int", "str", "MeasureSetting", "constrained-float",
               "dict[str,constrained-float]", "dict[str,float]", "bool", "list[str]",
               "co2_peak", "cap", "intensity", "energy_cap", "str-float", "function-after"}


def _merge_union(probs: list[Problem]) -> list[Problem]:
    """A value that fits no branch of a union gives one problem per branch: keep one."""
    by_key: dict[str | None, list[Problem]] = {}
    for p in probs:
        by_key.setdefault(p.column, []).append(p)
    out = []
    for key, ps in by_key.items():
        if len(ps) > 1 and not any("unknown key" in p.message for p in ps):
            exp = Seq(dict.fromkeys(p.expected for p in ps if p.expected), "; or ")
            p0 = ps[0]
            out.append(Problem(file=p0.file, column=key, value=p0.value, message=p0.message,
                               expected=exp or None))
        else:
            out += ps
    return out


def validate(model: type[BaseModel], data: object, file: str) -> tuple[Any, list[Problem]]:
    """``(model instance or None, problems)`` for ``data`` read from ``file``."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [Problem(file=file, message=Msg("msg.not_mapping"),
                              value=str(data)[:80], expected=Msg("exp.yaml_mapping"))]
    data = {(str(k) if not isinstance(k, str | int) else k): v for k, v in data.items()}
    try:
        return model.model_validate(data), []
    except ValidationError as e:
        return None, problems_of(e, model, file)
    except (TypeError, ValueError, RecursionError) as e:
        return None, [Problem(file=file, message=Msg("msg.cannot_read_settings", detail=e))]
