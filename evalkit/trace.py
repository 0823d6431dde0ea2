"""Traces: how every computed number came to be (clause 7.2.3 of the standard).

A trace is data for the report to render; the report never recomputes. Each input names
its value, unit, year and source; each reference names its source and whether that source
was checked against a primary text.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class TraceInput(BaseModel):
    symbol: str
    name_zh: str
    value: float | None
    unit: str
    year: int | None = None
    source: str


class Reference(BaseModel):
    """A benchmark used by a scoring rule, with where it comes from."""

    name: str
    value: float
    unit: str
    source: str
    verified: bool = True
    override_justification: str | None = None


class Trace(BaseModel):
    """Formula in words and symbols, the numbers put in, and the result."""

    formula_zh: str
    formula: str
    inputs: list[TraceInput] = Field(default_factory=list)
    substituted: str = ""
    result: float | None
    unit: str
    note: str | None = None


class ScoringTrace(BaseModel):
    """The scoring rule applied to a value, with its references."""

    method: str
    rule_zh: str
    references: list[Reference] = Field(default_factory=list)
    substituted: str = ""
    score: float
    level: str | None = None
    evidence: str | None = None


def fmt(x: float | None, digits: int = 4) -> str:
    """Numbers in traces: up to `digits` significant decimals, no float noise."""
    if x is None:
        return "—"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}g}" if abs(x) < 1e-3 or abs(x) >= 1e6 else f"{round(x, digits):g}"
