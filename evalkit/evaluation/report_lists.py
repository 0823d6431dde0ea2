"""What the report lists besides scores: data gaps, not-applicable items, reference overrides."""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.evaluation.scores import overridden_fields
from evalkit.inputs import ParkInput
from evalkit.results import DataGap, NotApplicableItem, OverrideItem, YearResult


def data_gaps(yearly: dict[int, YearResult]) -> list[DataGap]:
    return [DataGap(year=year, code=i.code, name_zh=i.name_zh, missing_inputs=i.missing_inputs,
                    lost_points=i.max_points)
            for year, yr in yearly.items() for i in yr.indicators if i.status == "missing"]


def not_applicable_items(catalog: Catalog, park: ParkInput, window: list[int]) -> list[NotApplicableItem]:
    return [NotApplicableItem(code=code, name_zh=catalog.indicator(code).name_zh,
                              years=[y for y in window if na.covers(y)], justification=na.justification)
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
