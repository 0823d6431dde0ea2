"""Horizontal comparison of parks (横向比较): ranking, the share of the maximum per first-level
indicator, each indicator's spread against the group's leading value (行业先进值比较法, the 上虞
case), comparison within park types, and the weak areas the group has in common.

Built from `Result`s only; every number is a value of a Result or a plain reading of one
(a rank, a maximum, a difference), and `Comparison` is the comparison report's results.json.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from evalkit.catalog import Catalog
from evalkit.evaluation.results import ReferenceStatus, Result
from evalkit.portfolio.common import coverage_of, level_shares, unconfirmed_references, verdict_of

UNTYPED = "未注明类型"
WEAKEST_PER_PARK = 3  # how many of its weakest first-level indicators a park contributes


class CoveredShare(BaseModel):
    """A level's score rate two ways: `share` over the full maximum (missing data scored 0, as the index
    counts it) and `data_share` over the part with real data (None when none has data: 缺数据), with
    `coverage` that part's share of the maximum — the comparison shows `data_share` and `coverage`, so
    a data gap never reads as poor performance."""

    share: float
    data_share: float | None
    coverage: float | None


class ParkEntry(BaseModel):
    park: str
    park_name: str
    park_type: str | None
    rank: int | None
    """1 for the highest index; parks with the same index share a rank; None when not evaluated."""
    index: float | None
    grade: str
    grade_reason: str
    verdict: str | None
    coverage: float | None
    level_shares: dict[str, float]
    level_rates: dict[str, CoveredShare] = Field(default_factory=dict)
    """Each target level's rate over the data the park has, with its coverage."""
    data_gaps: int
    source: str
    """Where the result came from: an archive's results.json or a fresh evaluation of the park file."""


class IndicatorSpread(BaseModel):
    """One indicator in the evaluation year across the parks, against the group's leading value."""

    code: str
    name_zh: str
    target_level: str
    first_level: str
    kind: str
    unit: str | None
    direction: str | None
    values: dict[str, float | None]
    levels: dict[str, str | None]
    scores: dict[str, float | None]
    """None where the park has no data (missing) or the indicator does not apply to it."""
    best_value: float | None
    best_level: str | None
    best_parks: list[str]
    gaps: dict[str, float | None]
    """Distance to the leading value in the indicator's unit (0 for the leader); None without data."""
    not_applicable: dict[str, str] = Field(default_factory=dict)
    """Parks that declared the indicator not applicable (不适用) in the evaluation year → their structural
    reason; no data there is no gap."""


class ReferenceValue(BaseModel):
    value: float
    parks: list[str]
    overridden: bool
    """True where the parks replaced the catalog's value with their own (园区替换)."""


class ReferenceDifference(BaseModel):
    """A reference (or floor) the parks were not scored against alike: a park's own override."""

    code: str
    name_zh: str
    field: str
    unit: str
    values: list[ReferenceValue]


class WeakArea(BaseModel):
    target_level: str
    first_level: str
    parks: list[str]
    """Parks for which this first-level indicator is among their weakest (measured data only)."""
    mean_measured_share: float
    """Group mean of the share of the maximum reached where data exist."""


class CommonGap(BaseModel):
    code: str
    name_zh: str
    parks: list[str]


class Group(BaseModel):
    name: str
    parks: list[str]
    """In rank order within the group."""
    spreads: list[IndicatorSpread]
    weak_areas: list[WeakArea]
    common_gaps: list[CommonGap]


class Comparison(BaseModel):
    years: list[int]
    evaluation_year: int
    catalog_id: str
    catalog_version: str
    by: str | None
    parks: list[ParkEntry]
    """All parks, in rank order."""
    first_levels: list[tuple[str, str]]
    """(target level, first-level indicator) in catalog order: the heatmap's columns."""
    heat: dict[str, dict[str, CoveredShare]]
    """park → first-level indicator → its score rate over the index years (as the Result has it)."""
    groups: list[Group]
    not_evaluated: list[str] = Field(default_factory=list)
    references: list[ReferenceStatus] = Field(default_factory=list)
    """Unconfirmed references (status "unverified") the figures rest on, each once; while any is listed
    the document is a draft (`evalkit.render.draft` reads this list, as for a park report)."""
    reference_differences: list[ReferenceDifference] = Field(default_factory=list)
    """References whose value differs between the parks (in the evaluation year): their scores on that
    indicator rest on different benchmarks, which the ranking and the leading values must say."""


def compare(results: Sequence[Result], catalog: Catalog, *, raw: Sequence[dict[str, Any]] | None = None,
            sources: Sequence[str] | None = None, by: str | None = None) -> Comparison:
    """Compare `results` (one per park, same window). `raw` are the parsed results.json documents
    (for fields a Result model may not know, e.g. coverage); `by='park_type'` also compares within types."""
    if not results:
        raise ValueError("nothing to compare: no park results")
    windows = {tuple(r.years) for r in results}
    if len(windows) > 1:
        raise ValueError(f"results of different windows cannot be compared: {sorted(windows)}")
    raw = list(raw) if raw is not None else [r.model_dump(mode="json") for r in results]
    sources = list(sources) if sources is not None else ["" for _ in results]
    entries = [_entry(r, doc, src) for r, doc, src in zip(results, raw, sources)]
    _rank(entries)
    order = {e.park: n for n, e in enumerate(entries)}
    by_park = {r.park: r for r in results}
    ranked = sorted(results, key=lambda r: order[r.park])
    evaluated = [r for r in ranked if r.index is not None]

    first_levels = list(dict.fromkeys((i.target_level, i.first_level) for i in catalog.indicators))
    heat = {r.park: {f.first_level: CoveredShare(share=f.share, data_share=f.data_share, coverage=f.coverage)
                     for f in r.first_level_means} for r in evaluated}

    groups = [_group("全部园区", evaluated, catalog)]
    if by == "park_type":
        types = list(dict.fromkeys(_park_type(r) for r in evaluated))
        groups += [_group(t, [r for r in evaluated if _park_type(r) == t], catalog) for t in types]
    elif by is not None:
        raise ValueError(f"unknown grouping {by!r}; only park_type")
    return Comparison(
        years=list(results[0].years), evaluation_year=results[0].evaluation_year,
        catalog_id=results[0].catalog.id, catalog_version=results[0].catalog.version, by=by,
        parks=entries, first_levels=first_levels, heat=heat, groups=groups,
        not_evaluated=[p for p, r in by_park.items() if r.index is None],
        references=unconfirmed_references(results), reference_differences=_reference_differences(ranked))


def _reference_differences(results: list[Result]) -> list[ReferenceDifference]:
    by_key: dict[tuple[str, str], dict[float, ReferenceValue]] = {}
    first: dict[tuple[str, str], Any] = {}
    for r in results:
        for ref in r.references:
            if r.evaluation_year not in ref.years:
                continue
            key = (ref.code, ref.field)
            first.setdefault(key, ref)
            entry = by_key.setdefault(key, {}).setdefault(
                ref.value, ReferenceValue(value=ref.value, parks=[], overridden=ref.overridden))
            if r.park not in entry.parks:
                entry.parks.append(r.park)
    return [ReferenceDifference(code=code, name_zh=first[code, field].name_zh, field=field,
                                unit=first[code, field].unit, values=list(values.values()))
            for (code, field), values in sorted(by_key.items()) if len(values) > 1]


def _park_type(result: Result) -> str:
    return result.profile.get("park_type") or UNTYPED


def _entry(result: Result, raw: dict[str, Any], source: str) -> ParkEntry:
    gaps = [g for g in result.data_gaps if g.year in result.index_years]
    return ParkEntry(park=result.park, park_name=result.park_name, park_type=result.profile.get("park_type"),
                     rank=None, index=result.index, grade=result.grade, grade_reason=result.grade_reason,
                     verdict=verdict_of(result), coverage=coverage_of(raw), level_shares=level_shares(result),
                     level_rates=_level_rates(result), data_gaps=len(gaps), source=source)


def _level_rates(result: Result) -> dict[str, CoveredShare]:
    rule = result.fifty_percent_rule
    return {name: CoveredShare(share=check.share, data_share=check.data_share, coverage=check.coverage)
            for name, check in rule.levels.items()} if rule else {}


def _rank(entries: list[ParkEntry]) -> None:
    entries.sort(key=lambda e: (e.index is None, -(e.index or 0.0), e.park))
    for n, entry in enumerate(entries):
        if entry.index is None:
            continue
        previous = entries[n - 1] if n else None
        entry.rank = previous.rank if previous is not None and previous.index == entry.index else n + 1


def _group(name: str, results: list[Result], catalog: Catalog) -> Group:
    return Group(name=name, parks=[r.park for r in results],
                 spreads=[_spread(code, results, catalog) for code in catalog.codes],
                 weak_areas=_weak_areas(results, catalog), common_gaps=_common_gaps(results, catalog))


def _spread(code: str, results: list[Result], catalog: Catalog) -> IndicatorSpread:
    ind = catalog.indicator(code)
    values: dict[str, float | None] = {}
    levels: dict[str, str | None] = {}
    scores: dict[str, float | None] = {}
    not_applicable: dict[str, str] = {}
    for r in results:
        found = next(i for i in r.yearly[r.evaluation_year].indicators if i.code == code)
        measured = found.status == "ok"
        if found.status == "not_applicable":
            declared = next((n for n in r.not_applicable if n.code == code), None)
            not_applicable[r.park] = ((declared.reason_zh or declared.reason or declared.justification)
                                      if declared else found.justification or "")
        values[r.park] = found.value if measured else None
        levels[r.park] = found.level if measured else None
        scores[r.park] = found.score if measured else None
    best_value = best_level = None
    best_parks: list[str] = []
    gaps: dict[str, float | None] = {p: None for p in values}
    if ind.kind == "qualitative":
        scored = {p: s for p, s in scores.items() if s is not None}
        if scored:
            top = max(scored.values())
            best_parks = [p for p, s in scored.items() if s == top]
            best_level = levels[best_parks[0]]
    else:
        measured = {p: v for p, v in values.items() if v is not None}
        if measured:
            pick = min if ind.direction == "negative" else max
            best_value = pick(measured.values())
            best_parks = [p for p, v in measured.items() if v == best_value]
            gaps = {p: (abs(best_value - v) if v is not None else None) for p, v in values.items()}
    return IndicatorSpread(code=code, name_zh=ind.name_zh, target_level=ind.target_level,
                           first_level=ind.first_level, kind=ind.kind, unit=ind.unit, direction=ind.direction,
                           values=values, levels=levels, scores=scores, best_value=best_value,
                           best_level=best_level, best_parks=best_parks, gaps=gaps, not_applicable=not_applicable)


def _measured_shares(result: Result, catalog: Catalog) -> dict[tuple[str, str], float]:
    """Share of the maximum per first-level indicator over the index years, counting measured
    indicator-years only: a missing figure is a data gap, not a weakness."""
    points: dict[tuple[str, str], float] = {}
    maximum: dict[tuple[str, str], float] = {}
    for year in result.index_years:
        for i in result.yearly[year].indicators:
            if i.status != "ok" or i.max_points <= 0:
                continue
            key = (i.target_level, i.first_level)
            points[key] = points.get(key, 0.0) + i.points
            maximum[key] = maximum.get(key, 0.0) + i.max_points
    return {key: points[key] / maximum[key] for key in points}


def _weak_areas(results: list[Result], catalog: Catalog) -> list[WeakArea]:
    shares = {r.park: _measured_shares(r, catalog) for r in results}
    weakest: dict[tuple[str, str], list[str]] = {}
    for park, by_first in shares.items():
        for key in sorted(by_first, key=lambda k: by_first[k])[:WEAKEST_PER_PARK]:
            if by_first[key] < 1.0:  # a first-level indicator at full marks is no weakness
                weakest.setdefault(key, []).append(park)
    areas = []
    for (level, first), parks in weakest.items():
        measured = [shares[p][(level, first)] for p in shares if (level, first) in shares[p]]
        areas.append(WeakArea(target_level=level, first_level=first, parks=parks,
                              mean_measured_share=sum(measured) / len(measured)))
    areas.sort(key=lambda a: (-len(a.parks), a.mean_measured_share))
    return areas


def _common_gaps(results: list[Result], catalog: Catalog) -> list[CommonGap]:
    parks_of: dict[str, list[str]] = {}
    for r in results:
        for code in dict.fromkeys(g.code for g in r.data_gaps if g.year in r.index_years):
            parks_of.setdefault(code, []).append(r.park)
    gaps = [CommonGap(code=code, name_zh=catalog.indicator(code).name_zh, parks=parks)
            for code, parks in parks_of.items()]
    gaps.sort(key=lambda g: (-len(g.parks), g.code))
    return gaps
