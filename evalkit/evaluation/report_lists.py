"""What the report lists besides scores: data gaps (per indicator-year and per input), the weakest
measured indicators, improvement advice drawn from the data, not-applicable items, overrides.

A data gap is never a weakness (DIGEST decision 3): weaknesses rank only indicator-years with data,
and advice is given only for measured indicators, when the catalog's conditions hold.
"""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.core.trace import fmt
from evalkit.evaluation.scores import overridden_fields
from evalkit.evaluation.variables import Variables
from evalkit.intake import ParkInput
from evalkit.evaluation.results import (AdviceResult, DataGap, InputGap, NotApplicableItem, OverallEvaluation,
                                        OverrideItem, PointsLost, YearResult)

QUALITATIVE = "qualitative."


def data_gaps(yearly: dict[int, YearResult]) -> list[DataGap]:
    return [DataGap(year=year, code=i.code, name_zh=i.name_zh, missing_inputs=i.missing_inputs,
                    lost_points=i.max_points)
            for year, yr in yearly.items() for i in yr.indicators if i.status == "missing"]


def input_gaps(catalog: Catalog, yearly: dict[int, YearResult], index_years: list[int], variables: Variables,
               overall: OverallEvaluation | None) -> list[InputGap]:
    """Every missing input, grouped: which years, which indicators need it, index points at stake."""
    gaps: dict[tuple[str, str], dict] = {}
    share = 1 / len(index_years)

    def entry(symbol: str, year: int) -> dict:
        kind = ("qualitative" if symbol.startswith(QUALITATIVE) else
                "unscored_proxy" if (symbol, year) in variables.unscored_proxies else "data")
        return gaps.setdefault((symbol, kind), {"years": set(), "indicators": [], "levels": [], "blocked": set(),
                                                "overall": False, "kind": kind})

    for year, yr in yearly.items():
        for ind in yr.indicators:
            if ind.status != "missing":
                continue
            for missing in ind.missing_inputs:
                symbol, at = missing.rsplit("@", 1)
                gap = entry(symbol, int(at))
                gap["years"].add(int(at))
                for listing, item in ((gap["indicators"], ind.code), (gap["levels"], ind.target_level)):
                    if item not in listing:
                        listing.append(item)
                if year in index_years:
                    gap["blocked"].add((ind.code, year, ind.max_points))
    for symbol, at in sorted(variables.unscored_proxies):
        if at not in yearly:
            continue
        # A proxy that nobody justified: the indicators that could have used it are listed with it.
        users = [i for i in yearly[at].indicators if i.status == "missing"
                 and any(symbol in {s.name for s in v.parsed.symbols()} for v in catalog.indicator(i.code).variants())]
        gap = entry(symbol, at)
        gap["years"].add(at)
        for ind in users:
            for listing, item in ((gap["indicators"], ind.code), (gap["levels"], ind.target_level)):
                if item not in listing:
                    listing.append(item)
            if at in index_years:
                gap["blocked"].add((ind.code, at, ind.max_points))
    rates = [overall.carbon_intensity, overall.efficiency, *overall.classes, *overall.pollutants] if overall else []
    for rate in rates:
        for missing in rate.missing_inputs:
            symbol, at = missing.rsplit("@", 1)
            gap = entry(symbol, int(at))
            gap["years"].add(int(at))
            gap["overall"] = True
    found = []
    for (symbol, kind), gap in gaps.items():
        name, unit, alternatives = _describe(catalog, symbol, gap["indicators"])
        found.append(InputGap(symbol=symbol, name_zh=name, unit=unit, kind=kind, years=sorted(gap["years"]),
                              indicators=gap["indicators"], target_levels=gap["levels"],
                              points_at_stake=sum(points for _, _, points in gap["blocked"]) * share,
                              overall=gap["overall"], alternatives=alternatives))
    return sorted(found, key=lambda g: (-g.points_at_stake, not g.overall, g.symbol))


def _describe(catalog: Catalog, symbol: str, codes: list[str]) -> tuple[str, str, list[str]]:
    if symbol.startswith(QUALITATIVE):
        ind = catalog.indicator(symbol.removeprefix(QUALITATIVE))
        return f"{ind.name_zh}（定性指标档次及证明材料）", "档次", []
    spec = catalog.inputs[symbol]
    alternatives: list[str] = []
    for code in codes:
        variants = catalog.indicator(code).variants()
        if any(symbol in {s.name for s in v.parsed.symbols()} for v in variants[:1]):
            for variant in variants[1:]:
                alternatives += [s.name for s in variant.parsed.symbols() if s.name not in alternatives]
    return spec.name_zh, spec.unit, alternatives


def gap_points_by_level(catalog: Catalog, yearly: dict[int, YearResult], index_years: list[int]) -> dict[str, float]:
    """Index points (mean over the index years) of the indicator-years without data, per target level."""
    totals = {t.name: 0.0 for t in catalog.target_levels}
    for year in index_years:
        for i in yearly[year].indicators:
            if i.status == "missing":
                totals[i.target_level] += i.max_points / len(index_years)
    return totals


def points_lost(yearly: dict[int, YearResult], index_years: list[int]) -> list[PointsLost]:
    """Measured indicators by mean points lost over the years in the index, largest first (ties by
    code); a year without data adds nothing: missing data is a gap, not a weakness."""
    lost: dict[str, float] = {}
    for year in index_years:
        for i in yearly[year].indicators:
            if i.status == "ok":
                lost[i.code] = lost.get(i.code, 0.0) + (i.max_points - i.points) / len(index_years)
    last = {i.code: i for i in yearly[index_years[-1]].indicators}
    ranked = sorted((code for code, v in lost.items() if v > 1e-9), key=lambda c: (-lost[c], c))
    return [PointsLost(code=c, name_zh=last[c].name_zh, first_level=last[c].first_level, mean_lost=lost[c],
                       max_points=last[c].max_points, status=last[c].status) for c in ranked]


def advice(catalog: Catalog, yearly: dict[int, YearResult], year: int, variables: Variables) -> list[AdviceResult]:
    """Advice for the measured indicators of `year` scoring below the catalog's threshold, where the
    item's conditions hold (its inputs have data; no listed indicator is rated at a listed level)."""
    indicators = {i.code: i for i in yearly[year].indicators}
    rules = catalog.advice
    found = []
    for item in rules.items:
        if any(variables.get(symbol, year) is None for symbol in item.requires_inputs):
            continue
        if any((indicators[code].level or "").split("（")[0] in levels for code, levels in item.unless_levels.items()):
            continue
        for code in item.indicators:
            ind = indicators[code]
            if ind.status != "ok" or ind.score >= rules.weak_below:
                continue
            # At the precision the report's tables show for the unit (catalog display), 50.78%.
            decimals = catalog.display.decimals.get(ind.unit or "", catalog.display.default_decimals)
            figure = (f"{year}年档次 {ind.level}" if ind.kind == "qualitative"
                      else f"{year}年 {fmt(ind.value, decimals)}" + ("%" if ind.unit == "%" else f" {ind.unit}"))
            found.append(AdviceResult(id=item.id, code=code, name_zh=ind.name_zh, year=year,
                                      figure_zh=f"{figure}，得分率 {ind.score:.1%}", score=ind.score,
                                      text_zh=item.text_zh))
    return sorted(found, key=lambda a: (a.score, a.code))


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
