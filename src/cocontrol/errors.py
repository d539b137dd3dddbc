"""Domain exceptions. Every error a user can cause is a :class:`CocontrolError`.

Input problems are collected as :class:`Problem` records (file, sheet, row, column, value,
expected) so that a validation run reports every problem at once, in terms a policy analyst
understands, instead of stopping at the first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


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
        if self.value is not None and self.value != "":
            s += f" (found {self.value!r})"
        if self.expected:
            s += f"; expected {self.expected}"
        return s

    def to_dict(self) -> dict:
        return asdict(self)


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
