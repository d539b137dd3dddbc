"""Domain exceptions. Every error a user can cause is a :class:`CocontrolError`.

Input problems are collected as :class:`Problem` records (file, sheet, row, column, value,
expected) so that a validation run reports every problem at once, in terms a policy analyst
understands, instead of stopping at the first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


def _found(value) -> bool:
    """A value worth showing: not None, not blank, not NaN (a blank cell)."""
    return value is not None and value != "" and not (isinstance(value, float)
                                                      and value != value)


def _shown(value) -> str:
    """The value found, as the user would write it quoted (numpy scalars as plain numbers)."""
    item = getattr(value, "item", None)
    if item is not None and type(value).__module__ == "numpy":
        value = item()
    return repr(str(value) if isinstance(value, str) else value)


class CocontrolError(Exception):
    """Base class of all errors raised on purpose by cocontrol."""


@dataclass(frozen=True)
class Problem:
    """One problem found in the user's input.

    ``row`` is the 1-based row number as the user sees it in Excel or a text editor
    (header = row 1, first data row = row 2); ``None`` when the problem is not tied to a row.
    """

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None
    severity: str = "error"  # "error" or "warning"

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        s = f"{self.location()}: {self.message}"
        if _found(self.value):
            s += f" (found {_shown(self.value)})"
        if self.expected:
            s += f"; expected {self.expected}"
        return s

    def to_dict(self) -> dict:
        return asdict(self)


def message_text(message, lang: str | None) -> str:
    """A message (or an ``expected``) in ``lang``.

    A catalogue message (:class:`cocontrol.i18n.Msg`, with its parameters) is translated; a
    plain text is looked up as a phrase of the catalogue (key ``msg.<text>``, or its leading
    phrase before " (", ": ", "; " or " '", the rest kept) and otherwise shown as is.
    A third-party detail (a parser's own words) is shown in Chinese as
    ``（技术细节：…）`` after the translated phrase (docs/reports.md).
    """
    from cocontrol import i18n

    lang = i18n.check_lang(lang)
    if message is None:
        return ""
    if isinstance(message, i18n.Msg | i18n.Seq | i18n.Text | list | tuple):
        return i18n.tr(message, lang)
    message = str(message)
    if lang == "en":
        return message
    tr = i18n.t(f"msg.{message}", lang)
    if tr != f"msg.{message}":
        return tr
    for sep in (" (", ": ", "; ", " '"):
        head, _, rest = message.partition(sep)
        for key in (head, head.split(" '")[0]):
            tr = i18n.t(f"msg.{key}", lang)
            if tr != f"msg.{key}":
                return tr + (sep + rest if rest else "")
    return message


def _place(file, lang: str) -> str:
    """The file of a problem in ``lang``: a pseudo-file of the library (``<emissions>``,
    ``<SAM>``) from the catalogue (``file.<name>`` keys, or an :class:`~cocontrol.i18n.Text`);
    the user's own file name as written."""
    from cocontrol import i18n

    if isinstance(file, i18n.Text | i18n.Msg):
        return i18n.tr(file, lang)
    key = f"file.{file}"
    return i18n.t(key, lang) if i18n.has(key) else str(file)


def render(p: Problem, lang: str | None) -> str:
    """A problem as one line in ``lang`` (where, what, found, expected): ``str(p)`` in
    English; the same parts from the catalogue otherwise. Used by the CLI and the service."""
    from cocontrol import i18n

    lang = i18n.check_lang(lang)
    if lang == "en":
        return str(p)
    parts = [_place(p.file, lang)]
    if p.sheet:
        parts.append(f"{i18n.t('loc.sheet', lang)} {p.sheet}")
    if p.row is not None:
        parts.append(i18n.t("loc.row", lang).format(p.row))
    if p.column:
        parts.append(f"{i18n.t('loc.column', lang)} {p.column}")
    s = "，".join(parts) + "：" + message_text(p.message, lang)
    if _found(p.value):
        s += f"（{i18n.t('loc.found', lang)} {_shown(p.value)}）"
    if p.expected:
        s += f"；{i18n.t('loc.expected', lang)}：{message_text(p.expected, lang)}"
    return s


class InputError(CocontrolError):
    """The user's input has one or more problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem] | Problem | str, file: str = "<input>"):
        if isinstance(problems, str):
            problems = [Problem(file=file, message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        n = len(self.problems)
        head = "\n".join(f"  - {p}" for p in self.problems[:20])
        more = f"\n  ... and {n - 20} more" if n > 20 else ""
        super().__init__(f"{n} problem(s) in the input:\n{head}{more}")


class MissingFactorError(CocontrolError):
    """An emission factor needed for a source and species is missing (never a silent zero)."""


class ModelError(CocontrolError):
    """A model could not be solved; the message explains why and what to try."""


class InfeasibleError(ModelError):
    """Targets cannot all be met; ``report`` says which target fails and by how much."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report
