"""Chinese and English words of cocontrol: ONE catalogue, language as a parameter.

Every label, message, note and piece of report text is a key of the catalogue
``cocontrol/data/i18n/catalogue.yaml`` (``key: [english, chinese]``; ``{name}`` placeholders are
filled by :func:`t`). There is no global language: each caller passes ``lang`` (the CLI passes
its ``--lang`` down), so two reports in two languages can be written by one process.

>>> t("sector", "zh")
'部门'
>>> t("rows_read", "en", n=3)
'3 rows read'
>>> name("sectors", "power", "zh")
'公用电力（燃煤发电）'

:func:`register` (``{key: (english, chinese)}``) still adds keys from code, for modules that
have not moved their words into the catalogue file yet; a test fails on any key without a
Chinese text (:func:`untranslated`).
"""

from __future__ import annotations

import re
from functools import cache

import yaml

#: Supported languages, English first (the fallback).
LANGS = ("en", "zh")

_EXTRA: dict[str, tuple[str, str]] = {}


@cache
def _file_catalogue() -> dict[str, tuple[str, str]]:
    from cocontrol import refdata

    data = yaml.safe_load(refdata.bundled_text("i18n/catalogue.yaml")) or {}
    out = {}
    for key, pair in data.items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str)
                                                                    for s in pair)):
            raise ValueError(f"i18n catalogue: {key!r} must be [english, chinese], got {pair!r}")
        out[str(key)] = (pair[0], pair[1])
    return out


def catalogue() -> dict[str, tuple[str, str]]:
    """Every key with its (english, chinese) text: the catalogue file plus registered keys."""
    return {**_file_catalogue(), **_EXTRA}


def register(labels: dict[str, tuple[str, str]]) -> None:
    """Add labels as ``{key: (english, chinese)}`` (kept for modules registering from code)."""
    for key, (en, zh) in labels.items():
        _EXTRA[key] = (en, zh)


def check_lang(lang: str | None) -> str:
    """``lang`` if supported (``None`` means English); ValueError naming the choices."""
    if lang is None:
        return "en"
    lang = str(getattr(lang, "value", lang))
    if lang not in LANGS:
        raise ValueError(Msg("msg.lang_one_of", known=", ".join(LANGS), got=repr(lang)))
    return lang


def has(key: str) -> bool:
    return key in _EXTRA or key in _file_catalogue()


def t(key: str, lang: str | None = "en", /, **fmt) -> str:
    """Text of ``key`` in ``lang`` (English if the Chinese text is empty; the key itself if
    unknown), with ``{placeholders}`` filled from ``fmt``."""
    i = LANGS.index(check_lang(lang))
    pair = _EXTRA.get(key) or _file_catalogue().get(key)
    if pair is None:
        text = key
    else:
        text = pair[i] or pair[0]
    return text.format(**fmt) if fmt else text


def value(prefix: str, v, lang: str | None = "en") -> str:
    """A coded value in words: the text of key ``prefix + v`` if the catalogue has it, else
    ``v`` unchanged (e.g. ``value("fset_", "default", "zh")`` → ``默认``)."""
    k = f"{prefix}{v}"
    return t(k, lang) if has(k) else str(v)


def both(key: str, sep: str = " ", /, **fmt) -> str:
    """Chinese and English together, e.g. for bilingual Excel headers: ``部门 Sector``."""
    zh, en = t(key, "zh", **fmt), t(key, "en", **fmt)
    return zh if zh == en else f"{zh}{sep}{en}"


def untranslated() -> list[str]:
    """Keys whose Chinese text is missing or identical to a non-trivial English text."""
    out = []
    for key, (en, zh) in catalogue().items():
        if not zh.strip():
            out.append(key)
        elif zh == en and re.search(r"(?<![{\w])[a-z]{3,}(?![\w}])", en):
            out.append(key)  # the same English prose in both
    return out


class Msg(str):
    """A catalogue message that engines can return as plain text (it *is* the English str)
    and reports/CLI can show in any language with :func:`tr`.

    >>> m = Msg("rows_read", n=2)
    >>> str(m), tr(m, "zh")
    ('2 rows read', '已读取2行')
    """

    key: str
    params: dict

    def __new__(cls, key: str, /, **params):
        params = {k: str(v) if isinstance(v, BaseException) else v for k, v in params.items()}
        self = super().__new__(cls, t(key, "en", **{k: tr(v, "en") for k, v in
                                                     params.items()}))
        self.key = key
        self.params = params
        return self

    def tr(self, lang: str | None) -> str:
        return t(self.key, lang, **{k: tr(v, lang) for k, v in self.params.items()})

    def __reduce__(self):  # picklable (results travel to worker processes)
        return (_msg, (self.key, self.params))


class Seq(str):
    """A list inside a message: ``sep.join(items)`` in English; in another language each item
    translated, joined by that language's separator, and quoted when the items are codes
    (``quote=True``), e.g. ``Seq(["power", "steel"], " or ", quote=True)`` is
    ``power or steel`` / ``'power' 或 'steel'``."""

    items: list
    sep: str
    quote: bool

    def __new__(cls, items, sep: str = ", ", quote: bool = False):
        items = list(items)
        self = super().__new__(cls, sep.join(tr(x, "en") for x in items))
        self.items, self.sep, self.quote = items, sep, quote
        return self

    def tr(self, lang: str | None) -> str:
        if check_lang(lang) == "en":
            return str(self)
        sep = _ZH_SEP.get(self.sep, self.sep)
        return sep.join(f"'{tr(x, lang)}'" if self.quote else tr(x, lang) for x in self.items)

    def __reduce__(self):
        return (Seq, (self.items, self.sep, self.quote))


_ZH_SEP = {", ": "、", " or ": " 或 ", "; or ": "；或 ", "; ": "；", " and ": " 和 "}


def did_you_mean(near, quote: bool = True) -> str:
    """The suggestion after a message: `` (did you mean 'x'?)`` (``quote``) or
    `` (did you mean x or y?)`` for a list; ``""`` when there is nothing to suggest. Chinese:
    ``（是否为 'x'？）``."""
    if not near:
        return ""
    if isinstance(near, str):
        return Msg("msg.did_you_mean_q" if quote else "msg.did_you_mean", name=near)
    return Msg("msg.did_you_mean", name=Seq(near, " or ", quote=True))


class Text(str):
    """A word of the project in both languages (a region or city name): English as str,
    Chinese through :func:`tr` under zh."""

    zh: str

    def __new__(cls, en: str, zh: str | None = None):
        self = super().__new__(cls, en)
        self.zh = zh or en
        return self

    def tr(self, lang: str | None) -> str:
        return self.zh if check_lang(lang) == "zh" else str(self)

    def __reduce__(self):
        return (Text, (str(self), self.zh))


def _msg(key: str, params: dict) -> Msg:
    return Msg(key, **params)


def tr(text, lang: str | None) -> str:
    """``text`` in ``lang``: a :class:`Msg` is translated, a list joined with "; " (each item
    translated), anything else shown as is."""
    if isinstance(text, Msg | Text | Seq):
        return text.tr(lang)
    if isinstance(text, list | tuple):
        return ("；" if check_lang(lang) == "zh" else "; ").join(tr(x, lang) for x in text)
    return text if isinstance(text, str) else str(text)


# --- names of codes -------------------------------------------------------------------------

_NAME_TABLES = ("sectors", "fuels", "processes", "species", "control_tech")


@cache
def _names(table: str) -> dict[str, tuple[str, str]]:
    from cocontrol import refdata

    if table == "measures":
        df = refdata.bundled("measures.csv")[["id", "name_en", "name_zh"]].rename(
            columns={"id": "code"})
    else:
        df = refdata.table(table)
    return {str(c): (str(e), str(z)) for c, e, z in zip(df["code"], df["name_en"],
                                                         df["name_zh"], strict=True)}


def name(table: str, code, lang: str | None = "en") -> str:
    """Name of ``code`` in a bundled code list (``sectors``, ``fuels``, ``processes``,
    ``species``, ``control_tech``, ``measures``); the code itself when it has no name."""
    if table not in _NAME_TABLES + ("measures",):
        raise ValueError(Msg("msg.names_unknown_table", table=repr(table),
                             known=", ".join((*_NAME_TABLES, "measures"))))
    pair = _names(table).get(str(code))
    if pair is None:
        return str(code)
    return pair[LANGS.index(check_lang(lang))] or pair[0]


def names(table: str, codes, lang: str | None = "en") -> list[str]:
    """:func:`name` of every code."""
    return [name(table, c, lang) for c in codes]


def named(table: str, code) -> Text:
    """The name of ``code`` in both languages, for a :class:`Msg` parameter (shown in the
    message's language)."""
    return Text(name(table, code, "en"), name(table, code, "zh"))


# --- names from the project -----------------------------------------------------------------

def region_names(regions, lang: str | None = "en") -> dict[str, str]:
    """region_id → name in ``lang`` (``name_zh`` under zh when given, else ``name``, else the
    id) from a regions table."""
    lang = check_lang(lang)
    if regions is None or len(regions) == 0:
        return {}
    out = {}
    for r in regions.itertuples(index=False):
        zh = getattr(r, "name_zh", None)
        en = getattr(r, "name", None)
        pick = zh if lang == "zh" and isinstance(zh, str) and zh else en
        out[r.region_id] = pick if isinstance(pick, str) and pick else r.region_id
    return out


def project_name(manifest, lang: str | None = "en") -> str:
    """The project's name in ``lang`` (``name_zh`` under zh when the manifest has one)."""
    zh = getattr(manifest, "name_zh", None)
    return zh if check_lang(lang) == "zh" and zh else manifest.name


# --- pydantic's messages --------------------------------------------------------------------

_SHOULD = "Input should be "


def _pyd_ctx(err: dict) -> dict:
    out = {}
    for k, v in (err.get("ctx") or {}).items():
        if isinstance(v, BaseException):  # value_error: the validator's own message
            v = v.args[0] if v.args and isinstance(v.args[0], Msg) else str(v)
        elif k == "field_type" and has(f"pyd.field_{v}"):  # List, Dictionary, ...
            v = Msg(f"pyd.field_{v}")
        out[k] = v
    return out


def _pyd(key: str, err: dict, english: str) -> Msg | None:
    """``Msg(key, **ctx)`` when the catalogue has ``key`` and its English is pydantic's."""
    if not has(key):
        return None
    try:
        m = Msg(key, **_pyd_ctx(err))
    except (KeyError, IndexError, ValueError):
        return None
    return m if str(m) == english else None


def pydantic_expected(err: dict) -> Msg | None:
    """What a pydantic error (a dict of ``ValidationError.errors()``) expected, from its
    ``type`` (catalogue key ``pyd.<type>``, the ``ctx`` values as parameters), e.g.
    ``greater than or equal to 1990`` / ``大于或等于 1990``; ``None`` when pydantic's message
    is not of the form "Input should be …"."""
    msg = str(err.get("msg", ""))
    if not msg.startswith(_SHOULD):
        return None
    rest = msg[len(_SHOULD):]
    return _pyd(f"pyd.{err.get('type')}", err, rest) or Msg("pyd.other", detail=rest)


def pydantic_msg(err: dict) -> Msg:
    """A pydantic error's message as a catalogue message: English exactly pydantic's, other
    languages from the catalogue by the error's ``type`` with its ``ctx`` as parameters;
    a type the catalogue does not know keeps pydantic's text as a technical detail."""
    msg = str(err.get("msg", ""))
    exp = pydantic_expected(err)
    if exp is not None:
        return Msg("pyd.input_should_be", expected=exp)
    return _pyd(f"pyd.{err.get('type')}", err, msg) or Msg("pyd.other", detail=msg)
