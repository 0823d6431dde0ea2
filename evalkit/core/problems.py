"""Collect every input problem before failing, and show them as one table.

Like pandera's lazy validation: checks append to a `Problems` collector instead of raising at
the first error, so an assessor sees all mistakes of a file at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from evalkit.core.tables import printable, text_table

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    year: int | None
    value: Any
    expected: str
    severity: Severity = "error"

    def as_row(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "file": printable(self.file, 120),
            "field": printable(self.field, 80),
            "year": "" if self.year is None else str(self.year),
            "value": printable(self.value, 40),
            "expected": printable(self.expected, 2000),
        }




@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, field: str, value: Any, expected: str, *,
            year: int | None = None, severity: Severity = "error") -> None:
        self.items.append(Problem(file, field, year, value, expected, severity))

    def extend(self, other: "Problems | list[Problem]") -> None:
        self.items.extend(other.items if isinstance(other, Problems) else other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InputError(self.items)

    def table(self) -> str:
        return format_table(self.items)


class InputError(Exception):
    """Raised with every problem found; the CLI prints the table and exits with status 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(format_table(self.problems))

    def __reduce__(self):  # pickled with its problems (it crosses process boundaries: batch, analysis)
        return InputError, (self.problems,)


def format_table(problems: list[Problem]) -> str:
    if not problems:
        return "no problems"
    n_err = sum(p.severity == "error" for p in problems)
    n_warn = len(problems) - n_err
    summary = f"{n_err} error(s), {n_warn} warning(s) / 错误 {n_err} 项，警告 {n_warn} 项"
    columns = ["severity", "file", "field", "year", "value", "expected"]
    return summary + "\n" + text_table([p.as_row() for p in problems], columns)
