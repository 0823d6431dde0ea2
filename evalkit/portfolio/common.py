"""Small readings of a Result shared by the comparison, the trend and the statement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from evalkit.evaluation.results import ReferenceStatus, Result

RATED_GRADES = ("AAA", "AA", "A")


def coverage_of(raw: dict[str, Any]) -> float | None:
    """The data coverage a results.json states (share of the applicable weight with real data, 0–1,
    over the index years), or None for results written before evalkit reported coverage: the caller
    shows a dash, never a guess."""
    value = raw.get("coverage")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, dict) or not isinstance(value.get("by_year"), dict):
        return None
    years = {str(y) for y in raw.get("index_years") or []}
    cells = [c for y, c in value["by_year"].items() if isinstance(c, dict) and (not years or str(y) in years)]
    covered = sum(c.get("covered_weight") or 0.0 for c in cells)
    applicable = sum(c.get("applicable_weight") or 0.0 for c in cells)
    return covered / applicable if applicable else None


def verdict_of(result: Result) -> str | None:
    """The overall evaluation's verdict (positive, negative, undetermined …) or None when not evaluated."""
    return result.overall.verdict if result.overall is not None else None


def level_shares(result: Result) -> dict[str, float]:
    """Each target level's mean points over the index years as a share of its maximum."""
    rule = result.fifty_percent_rule
    return {name: check.share for name, check in rule.levels.items()} if rule else {}


def indicator_means(result: Result) -> dict[str, dict[str, float]]:
    """Per indicator: mean score s and mean points over the index years (from the Result's yearly scores)."""
    years = [y for y in result.index_years if y in result.yearly]
    found: dict[str, dict[str, float]] = {}
    for year in years:
        for ind in result.yearly[year].indicators:
            entry = found.setdefault(ind.code, {"score": 0.0, "points": 0.0, "max_points": 0.0})
            entry["score"] += ind.score / len(years)
            entry["points"] += ind.points / len(years)
            entry["max_points"] += ind.max_points / len(years)
    return found


def unconfirmed_references(results: Iterable[Result]) -> list[ReferenceStatus]:
    """The unconfirmed references the results used, each once (by code, field and value), with the
    years of all results: one catalog gives every park and window the same reference, while a park's
    own override is another value and is kept beside it. A document shown on these results is a draft."""
    found: dict[tuple[str, str, float], ReferenceStatus] = {}
    for result in results:
        for ref in result.unverified_references:
            key = (ref.code, ref.field, ref.value)
            if key in found:
                found[key].years = sorted({*found[key].years, *ref.years})
            else:
                found[key] = ref.model_copy(deep=True)
    return [found[key] for key in sorted(found)]
