"""What the report lists besides scores: data gaps, weakest indicators, not-applicable items, overrides."""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.evaluation.scores import overridden_fields
from evalkit.intake import ParkInput
from evalkit.evaluation.results import DataGap, NotApplicableItem, OverrideItem, PointsLost, YearResult


def data_gaps(yearly: dict[int, YearResult]) -> list[DataGap]:
    return [DataGap(year=year, code=i.code, name_zh=i.name_zh, missing_inputs=i.missing_inputs,
                    lost_points=i.max_points)
            for year, yr in yearly.items() for i in yr.indicators if i.status == "missing"]


def points_lost(yearly: dict[int, YearResult], index_years: list[int]) -> list[PointsLost]:
    """Indicators by mean points lost over the years in the index, largest first (ties by code)."""
    lost: dict[str, float] = {}
    for year in index_years:
        for i in yearly[year].indicators:
            lost[i.code] = lost.get(i.code, 0.0) + (i.max_points - i.points) / len(index_years)
    last = {i.code: i for i in yearly[index_years[-1]].indicators}
    ranked = sorted((code for code, v in lost.items() if v > 1e-9), key=lambda c: (-lost[c], c))
    return [PointsLost(code=c, name_zh=last[c].name_zh, first_level=last[c].first_level, mean_lost=lost[c],
                       max_points=last[c].max_points, status=last[c].status) for c in ranked]


def not_applicable_items(catalog: Catalog, park: ParkInput, window: list[int]) -> list[NotApplicableItem]:
    reasons = catalog.not_applicable
    return [NotApplicableItem(code=code, name_zh=catalog.indicator(code).name_zh,
                              years=[y for y in window if na.covers(y)], justification=na.justification,
                              reason=na.reason, reason_zh=(r.text_zh if (r := reasons.reason(na.reason or "")) else None))
            for code, na in park.not_applicable.items()]


def override_items(catalog: Catalog, park: ParkInput) -> list[OverrideItem]:
    items = []
    for code, override in park.reference_overrides.items():
        ind = catalog.indicator(code)
        for field, old, new, unit in overridden_fields(ind.scoring, park, code):
            items.append(OverrideItem(code=code, name_zh=ind.name_zh, field=field, catalog_value=old,
                                      park_value=new, unit=unit, justification=override.justification,
                                      source=override.source))
    return items
