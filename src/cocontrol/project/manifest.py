"""The project manifest ``project.yaml`` (validated with pydantic)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cocontrol.errors import InputError, Problem


class Manifest(BaseModel):
    """Settings of one project. Units: grid factor tCO2/MWh, heat factor tCO2/GJ."""

    model_config = ConfigDict(extra="allow")

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
    illustrative: bool = False
    description: str | None = None

    @field_validator("years")
    @classmethod
    def _years_sorted(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError("years must not repeat")
        return sorted(v)


def read_manifest(folder: Path) -> Manifest:
    path = folder / "project.yaml"
    if not path.exists():
        raise InputError(Problem(file=str(path), message="project manifest not found",
                                 expected="a project.yaml file in the project folder"))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise InputError(Problem(file=str(path), message=f"not valid YAML: {e}")) from e
    try:
        return Manifest.model_validate(data)
    except ValidationError as e:
        probs = [
            Problem(file=str(path), column=".".join(str(x) for x in err["loc"]),
                    message=err["msg"], value=err.get("input"))
            for err in e.errors()
        ]
        raise InputError(probs) from e
