"""The one zh/en catalogue: language is a parameter, every key has Chinese text."""

from __future__ import annotations

import pytest

from cocontrol import i18n


def test_language_is_a_parameter_not_global_state():
    # two languages in one process, interleaved: no call changes what the next one returns
    assert i18n.t("sector", "zh") == "部门"
    assert i18n.t("sector", "en") == "Sector"
    assert i18n.t("sector", "zh") == "部门"
    assert not hasattr(i18n, "set_language")


def test_placeholders_and_fallbacks():
    assert i18n.t("cge_dynamic", "zh", year=2035).startswith("至2035年")
    assert i18n.t("no_such_key_xyz", "zh") == "no_such_key_xyz"  # unknown key: the key itself
    i18n.register({"test_only_key": ("Only English", "")})
    assert i18n.t("test_only_key", "zh") == "Only English"  # empty zh falls back to English
    assert "test_only_key" in i18n.untranslated()
    del i18n._EXTRA["test_only_key"]
    with pytest.raises(ValueError, match="en, zh"):
        i18n.t("sector", "fr")


def test_every_key_has_chinese_text():
    # modules that still register words from code are imported so their keys are checked too
    import cocontrol.cge.report  # noqa: F401
    import cocontrol.evaluation.report  # noqa: F401
    import cocontrol.optimize.report  # noqa: F401
    import cocontrol.report.inventory  # noqa: F401
    import cocontrol.report.scenario  # noqa: F401

    assert i18n.untranslated() == []
    for key, (en, zh) in i18n.catalogue().items():
        # the same placeholders in both languages
        import string

        ph = {f for _, f, _, _ in string.Formatter().parse(en) if f}
        assert ph == {f for _, f, _, _ in string.Formatter().parse(zh) if f}, key


def test_names_of_codes():
    assert i18n.name("sectors", "residential", "zh") == "居民生活（含散煤）"
    assert i18n.name("species", "SO2", "en") == "Sulfur dioxide"
    assert i18n.name("measures", "nev_passenger", "zh") != "nev_passenger"
    assert i18n.name("sectors", "not_a_code", "zh") == "not_a_code"
    assert i18n.both("sector") == "部门 Sector"


def test_errors_of_init_template_and_pdf_in_chinese(tmp_path, monkeypatch):
    """Every error these commands raise has its words in the catalogue: shown in zh, no
    English prose is left (the paths and codes quoted in them excepted)."""
    from browser import english_words

    from cocontrol.errors import CocontrolError, InputError
    from cocontrol.htmlpdf import chromium_path
    from cocontrol.project.skeleton import write_skeleton
    from cocontrol.project.template import write_template

    errors = []
    write_skeleton(tmp_path / "c")
    for call in (lambda: write_skeleton(tmp_path / "c"),
                 lambda: write_skeleton(tmp_path / "d", sectors=("power", "steal")),
                 lambda: (write_template(tmp_path / "t"), write_template(tmp_path / "t"))):
        with pytest.raises(InputError) as e:
            call()
        for p in e.value.problems:
            errors += [i18n.tr(p.message, "zh"), i18n.tr(p.expected, "zh")]
    monkeypatch.setenv("COCONTROL_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(CocontrolError) as e:
        chromium_path()
    errors.append(i18n.tr(e.value.args[0], "zh"))
    assert all(errors) and all(isinstance(x, str) for x in errors)
    text = [x.replace(str(tmp_path), "") for x in errors]
    # the sector codes listed as the expected values are codes, shown on purpose
    assert english_words([x for x in text if "应为以下之一" not in x]) == []
    assert any("未知的部门代码" in x for x in text) and any("不存在" in x for x in text)
