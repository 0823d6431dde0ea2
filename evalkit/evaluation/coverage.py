"""Data coverage (DIGEST decision 3): the share of the applicable weight whose indicators have real
data, per index year, per target level (over the index years) and per year and level. Not-applicable
indicators are left out of both sides. Below the catalog's minimum the index is a reference value
only and no grade is given.
"""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.evaluation.results import Coverage, CoverageShare, YearResult


def coverage(catalog: Catalog, yearly: dict[int, YearResult], index_years: list[int]) -> Coverage:
    rule = catalog.coverage
    levels = [t.name for t in catalog.target_levels]
    # One pass over the indicator-years: (covered, applicable) weight per year and level.
    sums = {(year, level): [0.0, 0.0] for year in yearly for level in levels}
    for year, yr in yearly.items():
        for i in yr.indicators:
            if i.coverage is not None:
                cell = sums[(year, i.target_level)]
                cell[0] += i.weight * i.coverage
                cell[1] += i.weight
    by_year_level = {year: {level: _share(*sums[(year, level)]) for level in levels} for year in yearly}
    by_year = {year: _share(sum(sums[(year, lv)][0] for lv in levels), sum(sums[(year, lv)][1] for lv in levels))
               for year in yearly}
    by_level = {lv: _share(sum(sums[(y, lv)][0] for y in index_years), sum(sums[(y, lv)][1] for y in index_years))
                for lv in levels}
    shortfalls = [f"{year}年 {_pct(by_year[year].share)}" for year in index_years if _below(by_year[year], rule.min_share)]
    shortfalls += [f"{name} {_pct(share.share)}" for name, share in by_level.items() if _below(share, rule.min_share)]
    return Coverage(min_share=rule.min_share, source=rule.source, by_year=by_year, by_level=by_level,
                    by_year_level=by_year_level, sufficient=not shortfalls, shortfalls=shortfalls)


def _share(covered: float, applicable: float) -> CoverageShare:
    return CoverageShare(covered_weight=covered, applicable_weight=applicable,
                         share=covered / applicable if applicable else None)


def _below(share: CoverageShare, minimum: float) -> bool:
    return share.share is not None and share.share < minimum - 1e-9


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"
