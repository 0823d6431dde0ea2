"""Traces: how every computed number came to be (clause 7.2.3 of the standard).

A trace is data for the report to render; the report never recomputes. Each input names
its value, unit, year and source; each reference names its source and whether that source
was checked against a primary text.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field


class TraceInput(BaseModel):
    symbol: str
    name_zh: str
    value: float | None
    unit: str
    year: int | None = None
    source: str
    # Data quality as the park file states it (measured, derived, estimated, proxy); None for
    # figures evalkit computed itself (carbon accounting, index sums).
    scope: str | None = None
    derivation: str | None = None
    note: str | None = None
    proxy_justification: str | None = None


class Reference(BaseModel):
    """A benchmark used by a scoring rule, with where it comes from."""

    name: str
    value: float
    unit: str
    source: str
    verified: bool = True
    basis: str = "published"
    citation: str | None = None
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


MINUS = "−"
"""The minus sign of every number evalkit shows (U+2212, as in its formulas), never an ASCII hyphen."""


def fmt(x: float | None, digits: int = 4) -> str:
    """Numbers in traces as an assessor checks them: no float noise, no scientific notation at the
    magnitudes of park statistics, thousands separated (2,356,496.85), negative with "−"; `digits`
    decimals below 1,000 (significant digits below 1)."""
    if x is None:
        return "—"
    if not math.isfinite(x):
        return str(x)
    magnitude = abs(x)
    sign = MINUS if x < 0 else ""
    if x == int(x) and magnitude < 1e15:
        return f"{sign}{int(magnitude):,}"
    if magnitude >= 1000:
        text = f"{magnitude:,.2f}"
    elif magnitude >= 1:
        text = f"{magnitude:.{digits}f}"
    else:
        return f"{sign}{magnitude:.{digits}g}"
    return sign + text.rstrip("0").rstrip(".")
