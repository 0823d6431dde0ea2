"""Step 3: yearly index (points + bonus ≤ cap, 6.2.1/6.2.3), the mean over the evaluation year and
the years before it (6.2.4), rounding (DIGEST decision 7) and the 50 % rule (6.4, decision 6).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from evalkit.catalog import Catalog
from evalkit.intake import ParkInput
from evalkit.evaluation.results import (BonusItemResult, FiftyPercentRule, FirstLevelMean, IndicatorResult, LevelCheck,
                             YearResult)
from evalkit.core.trace import Trace, TraceInput, fmt


def year_result(catalog: Catalog, park: ParkInput, year: int, indicators: list[IndicatorResult],
                in_index: bool, carbon: dict | None) -> YearResult:
    levels = {t.name: sum(i.points for i in indicators if i.target_level == t.name) for t in catalog.target_levels}
    level_max = {t.name: catalog.level_max_points(t.name) for t in catalog.target_levels}
    items = park.bonus.get(year, [])
    claimed = sum(item.points for item in items)
    approved = sum(item.approved_points or 0.0 for item in items)  # only approved (核定) points count
    cap = catalog.grading.bonus_cap_points
    bonus = min(approved, cap)
    base = sum(levels.values())
    index = base + bonus
    names = "、".join(levels)
    pending = [item.name for item in items if item.approved_points is None]
    note = f"{names}得分之和加核定加分（申报 {fmt(claimed)} 分，核定 {fmt(approved)} 分）"
    if approved > cap:
        note += f"；核定加分超过上限，按 {cap:g} 分计入"
    if pending:
        note += f"；{'、'.join(pending)} 尚未核定，计0分"
    trace = Trace(
        formula_zh=f"年度指数 = Σ（指标得分率 × 权重 × 100）+ 核定加分（上限{cap:g}分）",
        formula="index = Σ points + min(approved bonus, cap)",
        inputs=[TraceInput(symbol=name, name_zh=f"{name}得分", value=pts, unit="分", year=year,
                           source="本年度各指标得分汇总") for name, pts in levels.items()]
        + [TraceInput(symbol="bonus", name_zh="加分项合计（核定）", value=approved, unit="分", year=year,
                      source="评价机构按目录加分细则核定的园区申报加分项" if items else "无加分项")],
        substituted=" + ".join(fmt(v) for v in levels.values()) + f" + min({fmt(approved)}, {cap:g}) = {fmt(index)}",
        result=index, unit="分", note=note if items else f"{names}得分之和，无加分项")
    return YearResult(
        year=year, in_index=in_index, index=index, base_points=base, bonus=bonus, bonus_claimed=claimed,
        bonus_approved=approved,
        bonus_items=[_bonus_item(catalog, item) for item in items],
        target_levels=levels, target_level_max=level_max, indicators=indicators, carbon=carbon, trace=trace)


def _bonus_item(catalog: Catalog, item) -> BonusItemResult:
    entry = catalog.bonus.rubric_entry(item.rubric or "")
    return BonusItemResult(**item.model_dump(), rubric_name_zh=entry.name_zh if entry else None,
                           rubric_max_points=entry.max_points if entry else None)


def round_half_up(x: float, decimals: int) -> float:
    # Strip binary noise first (84.99499999999999 is 84.995 in decimal arithmetic), then round half up.
    return float(Decimal(repr(round(x, 9))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def window_mean(catalog: Catalog, yearly: dict[int, YearResult], index_years: list[int]) -> tuple[float, float, Trace]:
    indices = [yearly[y].index for y in index_years]
    mean = sum(indices) / len(indices)
    decimals = catalog.grading.index_decimals
    rounded = round_half_up(mean, decimals)
    trace = Trace(
        formula_zh=f"减污降碳协同增效绩效指数 = 评价年及前{len(index_years) - 1}年年度指数的平均值，四舍五入保留{decimals}位小数",
        formula=f"index = round_half_up(mean(index_{index_years[0]} … index_{index_years[-1]}), {decimals})",
        inputs=[TraceInput(symbol=f"index_{y}", name_zh=f"{y}年年度指数", value=yearly[y].index, unit="分",
                           year=y, source="年度指数计算") for y in index_years],
        substituted=f"({' + '.join(fmt(v) for v in indices)}) ÷ {len(indices)} = {fmt(mean, 6)} → {rounded:.{decimals}f}",
        result=rounded, unit="分")
    return mean, rounded, trace


def level_means(catalog: Catalog, yearly: dict[int, YearResult], index_years: list[int]) -> dict[str, float]:
    return {t.name: sum(yearly[y].target_levels[t.name] for y in index_years) / len(index_years)
            for t in catalog.target_levels}


def first_level_means(yearly: dict[int, YearResult], index_years: list[int]) -> list[FirstLevelMean]:
    """Mean points per first-level indicator, over the full maximum and over the part with real data."""
    points: dict[tuple[str, str], float] = {}
    maximum: dict[tuple[str, str], float] = {}
    data_points: dict[tuple[str, str], float] = {}  # the indicator-years with real data only
    data_max: dict[tuple[str, str], float] = {}
    for year in index_years:
        for i in yearly[year].indicators:
            key = (i.target_level, i.first_level)
            measured = i.status == "ok"
            points[key] = points.get(key, 0.0) + i.points / len(index_years)
            maximum[key] = maximum.get(key, 0.0) + i.max_points / len(index_years)
            data_points[key] = data_points.get(key, 0.0) + (i.points / len(index_years) if measured else 0.0)
            data_max[key] = data_max.get(key, 0.0) + (i.max_points / len(index_years) if measured else 0.0)
    means = []
    for (level, first), total in maximum.items():
        key = (level, first)
        means.append(FirstLevelMean(
            target_level=level, first_level=first, mean_points=points[key], max_points=total,
            share=points[key] / total if total else 0.0, data_max_points=data_max[key],
            data_share=data_points[key] / data_max[key] if data_max[key] > 1e-9 else None,
            coverage=data_max[key] / total if total else None))
    return means


def fifty_percent_rule(catalog: Catalog, means: dict[str, float],
                       first_levels: list[FirstLevelMean] | None = None) -> FiftyPercentRule:
    share = catalog.grading.level_floor_share
    levels = {}
    for name, mean in means.items():
        maximum = catalog.level_max_points(name)
        parts = [f for f in first_levels or [] if f.target_level == name]
        data_max = sum(f.data_max_points for f in parts)
        data_points = sum(f.data_share * f.data_max_points for f in parts if f.data_share is not None)
        levels[name] = LevelCheck(mean_points=mean, max_points=maximum, floor_points=maximum * share,
                                  share=mean / maximum if maximum else 0.0, passed=mean >= maximum * share - 1e-9,
                                  data_share=data_points / data_max if data_max > 1e-9 else None,
                                  coverage=data_max / maximum if parts and maximum else None)
    return FiftyPercentRule(passed=all(c.passed for c in levels.values()), levels=levels)
