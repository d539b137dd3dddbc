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
