"""Every input problem reads in Chinese under zh (issue 12 item 3, issue 9 item 2).

The fuzz mutations of :mod:`test_fuzz_inputs` (a derandomised subset) and a list of hand-made
bad inputs are loaded; every problem is rendered under zh as the CLI and the service show it
(:func:`cocontrol.errors.render`) and must hold no untranslated English word
(:func:`english_words` of the report tests). Not checked, on purpose:
the user's own names (file, sheet, column/key, the value found), codes and values quoted
with '...' or "...", and a third-party parser's words marked ``（技术细节：…）``
(docs/reports.md, "Messages of input problems").
The English rendering keeps its wording (the messages tests and users match on).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocontrol import i18n
from cocontrol.errors import InputError, Problem, _shown, render
from cocontrol.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
import test_fuzz_inputs as F  # noqa: E402
from browser import english_words  # noqa: E402

#: quoted codes and values, and a parser's own words marked as technical detail
_EXEMPT = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|技术细节：[^）]*）")


def untranslated(p: Problem) -> list[str]:
    """English words of ``p`` rendered under zh, outside the user's names, quoted codes and
    marked technical details."""
    text = render(p, "zh")
    # the user's own names (file, sheet, column or key) and the value found, as written
    text = text.removeprefix(str(p.file))
    for label, name in (("工作表", p.sheet), ("列/键", p.column), ("发现", p.value)):
        if name is not None:
            text = text.replace(f"{label} {_shown(name) if label == '发现' else name}", label)
    return english_words([_EXEMPT.sub(" ", text)])


def problems_of(files: dict) -> list[Problem]:
    """The errors of a project that does not load, else its warnings and notes."""
    try:
        return list(Project.from_files(files).warnings)
    except InputError as e:
        return e.problems


def _assert_zh(problems: list[Problem], where: str = "") -> None:
    bad = {}
    for p in problems:
        words = untranslated(p)
        if words:
            bad.setdefault(re.sub(r"\d+", "N", str(p.message))[:60], (render(p, "zh"), words))
    assert not bad, f"{where}: {len(bad)} message shapes with English under zh:\n" + "\n".join(
        f"  {t}  <- {w}" for t, w in list(bad.values())[:30])


# ------------------------------------------------------------------ the catalogue itself
def test_every_message_of_the_catalogue_is_chinese():
    """The zh text of every message key (msg., exp., pyd., kind., loc.), placeholders and
    quoted codes removed, holds no English word."""
    bad = {}
    for key, (_en, zh) in i18n.catalogue().items():
        if key.split(".")[0] not in ("msg", "exp", "pyd", "kind", "loc") or " " in key:
            continue
        words = english_words([_EXEMPT.sub(" ", re.sub(r"\{\w*\}", " ", zh))])
        if words:
            bad[key] = words
    assert not bad, bad


def test_catalogue_messages_keep_their_english():
    """A catalogue message is the English text (the str), translated only by render."""
    m = i18n.Msg("msg.unknown_column", column="valeu", hint=i18n.did_you_mean("value"))
    assert m == "unknown column 'valeu' (did you mean 'value'?)"
    assert i18n.tr(m, "zh") == "未知的列 'valeu'（是否为 'value'？）"
    s = i18n.Msg("msg.unknown_code", kind=i18n.Msg("kind.sector"),
                 hint=i18n.did_you_mean(["power", "steel"]))
    assert s == "unknown sector code (did you mean power or steel?)"
    assert i18n.tr(s, "zh") == "未知的部门编码（是否为 'power' 或 'steel'？）"
    import pickle

    assert i18n.tr(pickle.loads(pickle.dumps(s)), "zh") == i18n.tr(s, "zh")


# ------------------------------------------------------------------ hand-made bad inputs
def _files(**changes) -> dict:
    files = dict(F.base_files())
    for k, v in changes.items():
        name = k.replace("__", ".")
        if v is None:
            files.pop(name, None)
        else:
            files[name] = v.encode("utf-8") if isinstance(v, str) else v
    return files


def _table(name: str, **cells) -> str:
    df = F.base_tables()[name].copy()
    for col, v in cells.items():
        df.iloc[0, df.columns.get_loc(col)] = v
    return df.to_csv(index=False)


def _yaml(fname: str, edit) -> str:
    doc = yaml.safe_load(F.base_files()[fname])
    edit(doc)
    return yaml.safe_dump(doc, allow_unicode=True)


def _rename(d: dict, old: str, new: str) -> None:
    d[new] = d.pop(old)


HAND_MADE = {
    "misspelt YAML key": _files(project__yaml=_yaml("project.yaml",
                                                   lambda d: _rename(d, "base_year", "base_yaer"))),
    "unknown code with suggestion": _files(activity__csv=_table("activity", sector="powr")),
    "unknown fuel": _files(activity__csv=_table("activity", fuel="hard_coall")),
    "missing table": _files(activity__csv=None),
    "missing manifest": _files(project__yaml=None),
    "wrong unit": _files(activity__csv=_table("activity", unit="kgg")),
    "unit of another kind": _files(measured__csv=_table("measured", unit="GJ")),
    "duplicated rows": _files(**{f"{n}__csv": pd.concat([F.base_tables()[n]] * 2).to_csv(
        index=False) for n in ("activity", "measured", "controls", "regions")}),
    "bad year": _files(activity__csv=_table("activity", year="20x0")),
    "year out of range": _files(activity__csv=_table("activity", year="1800")),
    "year not in project": _files(activity__csv=_table("activity", year="2031")),
    "not a number": _files(activity__csv=_table("activity", value="12,5 t")),
    "target year": _files(scenarios__yaml=_yaml("scenarios.yaml", lambda d: [t.update(
        {"by" if t["type"] == "co2_peak" else "year": 2031}) for t in d["targets"]])),
    "not a year": _files(activity__csv=_table("activity", year="12345")),
    "unknown measure": _files(scenarios__yaml=_yaml("scenarios.yaml", lambda d: next(
        s for s in d["scenarios"].values() if s and s.get("measures"))["measures"].update(
        {"coal_power_phaseout_small": 0.5}))),
    "misspelt table column": _files(activity__csv=_table("activity").replace("value", "valeu",
                                                                              1)),
    "misspelt file name": _files(activty__csv=_table("activity")),
    "bad YAML": _files(scenarios__yaml="settings: [a\n  b: : c\n"),
    "GBK bytes in UTF-16": _files(regions__csv=_table("regions").encode("utf-16")),
    "binary": _files(factors__csv=b"\x00\x01\x02PK\x03\x04"),
    "truncated workbook": {**{k: v for k, v in F.base_files().items() if k != "regions.csv"},
                           "regions.xlsx": F.xlsx_bytes("regions")[:200]},
    "wrong YAML types": _files(project__yaml=_yaml("project.yaml", lambda d: d.update(
        years=[], base_year="twenty", gwp="AR4", illustrative="yes"))),
    "optimisation keys": _files(optimisation__yaml=_yaml("optimisation.yaml", lambda d: d[
        "optimisation"].update(base_scenario="basline", integer_steps={"x": 0}))),
    "negative and out of range": _files(controls__csv=_table("controls", share="1.5"),
                                        factors__csv=_table("factors", value="-1")),
    "no root": _files(regions__csv=_table("regions", parent_id="D1")),
    "species table": _files(species__csv="code,name_en,name_zh,group,gwp_AR6,source\n"
                            "SO2,Sulphur dioxide,二氧化硫,air,,s\nHg,Mercury,汞,metal,,s\n"
                            "Hg,Mercury,汞,air,,s\nHg,Mercury,汞,air,,s\nNF9,x,x,ghg,-1,s\n"),
    "greenhouse gas without GWP": _files(species__csv="code,name_en,name_zh,group,source\n"
                                         "XG,x,x,ghg,s\n",
                                         measured__csv=_table("measured", unit="GJ")),
}


@pytest.mark.parametrize("case", list(HAND_MADE))
def test_hand_made_bad_inputs_read_in_chinese(case):
    probs = problems_of(HAND_MADE[case])
    assert probs, f"{case}: expected problems or warnings"
    _assert_zh(probs, case)
    for p in probs:  # English: the same problem, English words only
        en = render(p, "en")
        assert en == str(p) and not re.search(r"[\u4e00-\u9fff]", str(p.message))


def test_english_wording_is_kept():
    """Messages users and tests match on keep their English words."""
    en = "\n".join(str(p) for c in ("misspelt YAML key", "unknown code with suggestion",
                                    "misspelt table column", "missing table", "wrong unit")
                   for p in problems_of(HAND_MADE[c]))
    for s in ("unknown key 'base_yaer' (did you mean 'base_year'?)",
              "required key 'base_year' is missing", "unknown sector code (did you mean power",
              "expected a code from the sector list (e.g. ",
              "unknown column 'valeu' (did you mean 'value'?)",
              "required column 'value' is missing (is 'valeu' meant to be 'value'?)",
              "the Activity data table is missing", "unknown unit (found 'kgg')"):
        assert s in en, s
    zh = "\n".join(render(p, "zh") for p in problems_of(HAND_MADE["misspelt YAML key"]))
    assert "未知的键 'base_yaer'（是否为 'base_year'？）" in zh


def test_missing_folder_in_chinese(tmp_path):
    with pytest.raises(InputError) as e:
        Project.from_folder(tmp_path / "nowhere")
    _assert_zh(e.value.problems, "missing folder")
    assert "项目文件夹不存在" in render(e.value.problems[0], "zh")


def test_workbook_project_in_chinese(tmp_path):
    book = tmp_path / "inputs.xlsx"
    with pd.ExcelWriter(book) as xw:
        F.base_tables()["activity"].to_excel(xw, sheet_name="activty", index=False)
        pd.DataFrame({"key": ["name"], "value": ["x"]}).to_excel(xw, sheet_name="project",
                                                                 index=False)
    with pytest.raises(InputError) as e:
        Project.from_workbook(book)
    _assert_zh(e.value.problems, "workbook")


# ------------------------------------------------------------------ fuzz mutations
_SEEN: list[Problem] = []


def _fuzz(n: int):
    return settings(max_examples=n, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@_fuzz(150)
@given(F.table_mutation())
def _tables(files):
    _SEEN.extend(problems_of(files))


@_fuzz(50)
@given(F.xlsx_mutation())
def _workbooks(files):
    _SEEN.extend(problems_of(files))


@_fuzz(200)
@given(F.yaml_mutation())
def _yamls(files):
    _SEEN.extend(problems_of(files))


@_fuzz(60)
@given(st.lists(st.one_of(F.table_mutation(), F.yaml_mutation()), min_size=2, max_size=3))
def _combined(many):
    files = dict(F.base_files())
    for m in many:
        for k, v in m.items():
            if v != F.base_files().get(k):
                files[k] = v
    _SEEN.extend(problems_of(files))


@pytest.mark.parametrize("run", [_tables, _workbooks, _yamls, _combined],
                         ids=["tables", "workbooks", "yaml", "combined"])
def test_fuzz_problems_read_in_chinese(run):
    _SEEN.clear()
    run()
    assert _SEEN, "the mutations give problems or warnings"
    _assert_zh(_SEEN, run.__name__)
    for p in _SEEN:
        assert str(p) == render(p, "en")


def test_service_body_carries_the_same_translation():
    from cocontrol.service.problems import problem_dict

    p = problems_of(HAND_MADE["misspelt YAML key"])[0]
    d = problem_dict(p)
    assert d["message"] == str(p.message)
    assert d["message_zh"] == i18n.tr(p.message, "zh") and d["text_zh"] == render(p, "zh")
    assert not untranslated(p)




def test_enterprise_stage_problems_in_chinese():
    from cocontrol.enterprise import io as eio

    cases = [{"permit.yaml": "x: 1"},
             {"permits.yaml": "- a", "plants.yaml": "plants: 3",
              "concentrations.csv": "enterprise_id,outlet,species,period,value\nE1,o,SO2,1,x\n",
              "production.csv": "enterprise_id,year,product,value,unit\nE1,2020,steel,,t\n",
              "monthly.csv": "a\n1\n", "monthly.xlsx": b"PK"}]
    for files in cases:
        with pytest.raises(InputError) as e:
            eio.load_files(files)
        if "permit.yaml" in files:
            assert "not a file of the enterprise stage (did you mean 'permits.yaml'?)" in str(
                e.value.problems[0])
        _assert_zh(e.value.problems, "enterprise")
        probs = e.value.problems
    assert len(probs) >= 4


def test_cli_shows_catalogue_errors_in_chinese(capsys):
    import typer

    from cocontrol.cli.common import fail
    from cocontrol.errors import CocontrolError

    with pytest.raises(typer.Exit):
        fail(CocontrolError(i18n.Msg("err_no_chromium")), "zh")
    err = capsys.readouterr().err
    assert i18n.t("err_no_chromium", "zh")[:8] in err.replace("\n", "")
    with pytest.raises(typer.Exit) as e:
        fail(InputError(problems_of(HAND_MADE["misspelt YAML key"])), "zh")
    assert e.value.exit_code == 1
    assert "未知的键 'base_yaer'（是否为 'base_year'？）" in capsys.readouterr().err.replace(
        "\n", "")


def test_optimisation_and_scenario_settings_in_chinese():
    from cocontrol.optimize import settings
    from cocontrol.scenario import spec

    with pytest.raises(InputError) as e:
        settings.parse({"air_quality": {"local_share": 2, "pm25_base_ugm3": -1},
                        "health": {"population": "many"},
                        "optimisation": {"integer_steps": {"a": 0}, "links": [3]}})
    assert len(e.value.problems) >= 5
    _assert_zh(e.value.problems, "optimisation settings")
    assert "expected between 0 and 1" in str(e.value) and "expected ≥ 0" in str(e.value)
    for doc in ({"scenarios": {"a": {"measures": {"m": [1]}}}},
                {"scenarios": {"a": {"measures": {"m": 1.5}}}}):
        with pytest.raises(InputError) as e:
            spec.parse(doc, 2020)
        _assert_zh(e.value.problems, "scenario settings")


def test_pydantic_errors_by_type():
    """pydantic's message stays its English; zh comes from the catalogue by error type, and a
    type the catalogue lacks keeps pydantic's words as a marked technical detail."""
    from pydantic import BaseModel, Field, ValidationError

    class M(BaseModel):
        a: int = Field(ge=1990)
        b: list[int] = Field(min_length=1)
        c: str = Field(pattern="^x")
        d: bool

    with pytest.raises(ValidationError) as e:
        M.model_validate({"a": 1, "b": [], "c": "y", "d": "perhaps"})
    out = {err["type"]: i18n.pydantic_msg(err) for err in e.value.errors()}
    for err in e.value.errors():
        assert out[err["type"]] == err["msg"]  # the English is pydantic's own
    assert i18n.tr(out["greater_than_equal"], "zh") == "应为大于或等于 1990"
    assert i18n.tr(out["too_short"], "zh") == "列表至少应有 1 项，实际为 0 项"
    assert i18n.tr(out["string_pattern_mismatch"], "zh").startswith("取值不符合要求（技术细节：")
    for m in out.values():
        assert not english_words([_EXEMPT.sub(" ", i18n.tr(m, "zh"))]), i18n.tr(m, "zh")
