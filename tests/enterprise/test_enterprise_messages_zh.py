"""Enterprise-stage errors read in Chinese under zh (issue 17, messages in both languages).

Each case triggers one error of :mod:`cocontrol.enterprise` as a user would (a bad permit,
footprint, grade table, monthly profile, plant, project step ...); it is rendered under zh as
the CLI and the service show it (``check`` of tests/test_messages_zh_library.py: every
problem through :func:`cocontrol.errors.render`, the value found and quoted codes left out)
and must hold no English word, while its English keeps the facts (what, found, expected).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from cocontrol.enterprise import Permit, Product, account, permits, runner
from cocontrol.enterprise import report as rep
from cocontrol.enterprise._common import convert, ratio_unit
from cocontrol.enterprise.io import EnterpriseData
from cocontrol.enterprise.parks import ParkTarget, park_account, park_targets
from cocontrol.enterprise.projects import transition
from cocontrol.enterprise.screening import NewPlant
from cocontrol.errors import InputError, render
from cocontrol.i18n import tr
from cocontrol.project.models import problems_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_messages_zh_library import check  # noqa: E402

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
PERMIT = {"number": "P-1", "enterprise_id": "e1", "industry": "power",
          "valid_from": "2020-01-01", "valid_to": "2024-12-31",
          "outlets": [{"id": "DA1", "limits": [{"species": "SO2", "limit": 35,
                                                "standard": "ULE"}]}]}


@pytest.fixture(scope="module")
def ctx():
    return runner.context(DEMO)


def _validate(model, raw):
    """A model's validation as the enterprise files report it (problems_of)."""
    try:
        model.model_validate(raw)
    except ValidationError as e:
        raise InputError(problems_of(e, model, "enterprise/x.yaml")) from e


CASES = [
    (lambda c: convert(1, "t", "MWh", "unit"), "cannot convert 't' to 'MWh'"),
    (lambda c: ratio_unit("t"), "an intensity needs a unit 'numerator/denominator'"),
    (lambda c: account.grade_rules({"levels": []}), "no grade levels"),
    (lambda c: account.grade_rules({"levels": [
        {"level": 1, "max_ratio": 1.2, "colour": "#000000", "label_en": "a", "label_zh": "a"},
        {"level": 2, "max_ratio": 0.9, "colour": "#000000", "label_en": "b", "label_zh": "b"},
        {"level": 3, "max_ratio": None, "colour": "#000000", "label_en": "c",
         "label_zh": "c"}]}), "bounds must increase"),
    (lambda c: account.carbon_grade(-1.0), "no valid intensity ratio to grade"),
    (lambda c: account.enterprise_account(c.inventory, "nowhere"),
     "no source lines of this enterprise"),
    (lambda c: account.enterprise_account(c.inventory, "longmen_steel", monthly_profile=(
        pd.DataFrame({"month": ["2022-13"], "value": [1.0]}))), "months must be YYYY-MM"),
    (lambda c: account.enterprise_account(c.inventory, "longmen_steel", monthly_profile=(
        pd.DataFrame({"month": ["1999-01"], "value": [1.0]}))),
     "no month falls in an inventory year"),
    (lambda c: account.enterprise_account(c.inventory, "longmen_steel", production=(
        pd.DataFrame({"year": [2022], "product": ["steel"], "value": [0.0], "unit": ["t"]}))),
     "denominator must be positive"),
    (lambda c: account.enterprise_account(c.inventory, "longmen_steel",
                                          benchmark="no_such"), "unknown benchmark"),
    (lambda c: account.enterprise_account(c.inventory, "longmen_steel").total("XX", 2022),
     "species/year not in the account"),
    (lambda c: park_account(c.inventory, "nowhere"), "no source lines in this park"),
    (lambda c: park_targets(park_account(c.inventory, "park_steel"), [ParkTarget(
        id="t", species="SO2", year=2022, max=1, unit="t", kind="share")]),
     "unknown target kind"),
    (lambda c: _validate(Permit, {**PERMIT, "valid_to": "2019-01-01"}),
     "valid_to is before valid_from"),
    (lambda c: _validate(Permit, {**PERMIT, "carbon": {"benchmark": "nope"}}),
     "unknown benchmark 'nope'"),
    (lambda c: _validate(Permit, {**PERMIT, "number": " "}), "must not be blank"),
    (lambda c: permits.compliance(Permit.model_validate(PERMIT), near=2.0),
     "near must be a share of the limit"),
    (lambda c: permits.compliance(Permit.model_validate(PERMIT), concentrations=pd.DataFrame(
        {"outlet_id": ["DA9"], "species": ["SO2"], "value": [1.0], "unit": ["mg/m3"]}),
        on=dt.date(2022, 1, 1)), "outlets not in permit P-1"),
    (lambda c: _validate(Product, {"id": "p", "name": "p", "output": 1, "output_unit": "t",
                                   "inputs": [{"name": "m", "stage": "raw_materials",
                                               "kind": "material", "quantity": 1,
                                               "unit": "t"}]}),
     "a material needs a user factor"),
    (lambda c: _validate(Product, {"id": "p", "name": "p", "output": 1, "output_unit": "t",
                                   "co_products": [{"name": "b", "quantity": 1, "unit": "t"}],
                                   "inputs": [{"name": "g", "stage": "energy",
                                               "kind": "electricity", "quantity": 1,
                                               "unit": "MWh", "code": "cn_national_2022"}]}),
     "co-products are declared"),
    (lambda c: runner.footprints(EnterpriseData(), "nope"), "unknown product"),
    (lambda c: transition(c.data.projects[0], "verified"), "transition not allowed"),
    (lambda c: runner.screening(runner.Context(c.project, EnterpriseData(plants=[
        NewPlant(id="x", name="x", region_parent="beiyuan", sector="cement", year=1999,
                 activities=[{"process": "clinker", "value": 1, "unit": "t"}])]),
        c.inventory)), "design year is not an inventory year"),
    (lambda c: runner.screening(runner.Context(c.project, EnterpriseData(plants=[
        NewPlant(id="x", name="x", region_parent="atlantis", sector="cement", year=2022,
                 activities=[{"process": "clinker", "value": 1, "unit": "t"}])]),
        c.inventory)), "unknown region"),
    (lambda c: runner.screening(runner.Context(c.project, EnterpriseData(plants=[
        NewPlant(id="x", name="x", region_parent="beiyuan", sector="cement", year=2022,
                 benchmark="eu_ets_clinker_2021",
                 activities=[{"process": "clinker", "value": 1, "unit": "t"}])]),
        c.inventory)), "a benchmark check needs the plant's output and unit"),
]


@pytest.mark.parametrize(("case", "english"), CASES, ids=[e[:40] for _, e in CASES])
def test_enterprise_errors_in_zh(case, english, ctx):
    check(lambda: case(ctx), english, (InputError, ValueError))


def test_screening_notes_and_checks_in_zh(ctx):
    plant = NewPlant(id="x", name="x", region_parent="beiyuan", sector="cement", year=2022,
                     illustrative=True,
                     activities=[{"process": "clinker", "value": 1000, "unit": "t"}])
    res = runner.screening(runner.Context(ctx.project, EnterpriseData(plants=[plant]),
                                          ctx.inventory))[0]
    zh = [tr(n, "zh") for n in res.notes]
    assert zh == ["示例拟建项目数据（ILLUSTRATIVE）", "仅为筛查：未模拟项目周边的局地扩散"]
    assert [str(n) for n in res.notes] == ["ILLUSTRATIVE plant data", "screening only: local "
                                           "dispersion near the plant is not modelled"]
    text = rep.screening_html([res], "zh").html()
    assert "仅为筛查" in text and "screening only" not in text


def test_bank_format_error_in_zh():
    with pytest.raises(ValueError) as ei:
        rep.bank_bytes([], pd.DataFrame(), "pdf")
    assert str(ei.value) == "bank export format 'pdf': use 'xlsx' or 'csv'"
    assert tr(ei.value.args[0], "zh") == "银行导出格式 'pdf'：请使用 'xlsx' 或 'csv'"
    assert render  # (render is what check uses for the problems above)
