"""Messages of the I/O layer and of the checks of issue 9 come from the catalogue: shown in
Chinese under zh with no English prose left (file names, codes and the user's own text
quoted in them excepted), in English otherwise."""

from __future__ import annotations

import re

import pytest

from cocontrol import i18n
from cocontrol.cli.common import render_problem
from cocontrol.errors import InputError
from cocontrol.io import read_json

_PROSE = re.compile(r"\b[a-z]{3,}\b")


def _words(text: str) -> list[str]:
    """Lower-case English words (as tests/report/browser.py), file names removed."""
    return _PROSE.findall(re.sub(r"\S*\.(json|geojson|csv|yaml)\b", " ", text))


@pytest.mark.parametrize("text", ['{"type": "FeatureCollection", "features": [}',
                                  "", "{'a': 1}", '{"a": 1,\n "b": }'])
def test_read_json_errors_in_both_languages(text):
    with pytest.raises(InputError) as e:
        read_json("regions.geojson", text=text)
    (p,) = e.value.problems
    assert isinstance(p.message, i18n.Msg) and isinstance(p.expected, i18n.Msg)
    assert p.file == "regions.geojson" and p.row >= 1
    zh = render_problem(p, "zh")
    assert "不是有效的JSON" in zh and "FeatureCollection" in zh
    found = p.value or ""
    assert _words(zh.replace(repr(found), "")) == [], zh
    en = render_problem(p, "en")
    assert "not valid JSON" in en and f"row {p.row}" in en


def test_json_error_names_the_character():
    with pytest.raises(InputError) as e:
        read_json("x.json", text='{"a": 1,\n "b": }')
    (p,) = e.value.problems
    assert p.row == 2 and "character 7" in str(p.message)  # ' "b": }' : the } at 7
    assert "第7个字符" in i18n.tr(p.message, "zh")
