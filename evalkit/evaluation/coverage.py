"""Data coverage (DIGEST decision 3): the share of the applicable weight whose indicators have real
data, per index year, per target level (over the index years) and per year and level. Not-applicable
indicators are left out of both sides. Below the catalog's minimum the index is a reference value
only and no grade is given.
"""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.evaluation.results import Coverage, CoverageShare, IndicatorResult, YearResult


def coverage(catalog: Catalog, yearly: dict[int, YearResult], index_years: list[int]) -> Coverage:
    rule = catalog.coverage
    by_year_level = {year: {t.name: _share([i for i in yr.indicators if i.target_level == t.name])
                            for t in catalog.target_levels} for year, yr in yearly.items()}
    by_year = {year: _share(yr.indicators) for year, yr in yearly.items()}
    by_level = {t.name: _share([i for y in index_years for i in yearly[y].indicators if i.target_level == t.name])
                for t in catalog.target_levels}
    shortfalls = [f"{year}年 {_pct(by_year[year].share)}" for year in index_years if _below(by_year[year], rule.min_share)]
    shortfalls += [f"{name} {_pct(share.share)}" for name, share in by_level.items() if _below(share, rule.min_share)]
    return Coverage(min_share=rule.min_share, source=rule.source, by_year=by_year, by_level=by_level,
                    by_year_level=by_year_level, sufficient=not shortfalls, shortfalls=shortfalls)


def _share(indicators: list[IndicatorResult]) -> CoverageShare:
    applicable = [i for i in indicators if i.coverage is not None]
    total = sum(i.weight for i in applicable)
    covered = sum(i.weight * (i.coverage or 0.0) for i in applicable)
    return CoverageShare(covered_weight=covered, applicable_weight=total, share=covered / total if total else None)


def _below(share: CoverageShare, minimum: float) -> bool:
    return share.share is not None and share.share < minimum - 1e-9


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"
