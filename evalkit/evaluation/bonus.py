"""Whether the grade depends on the bonus: the index and grade recomputed without any bonus points
(issue 12: a park rated AAA only because of an approved bonus must be seen to be so)."""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.core.trace import Trace, TraceInput, fmt
from evalkit.evaluation.grade import assign_grade
from evalkit.evaluation.index import round_half_up
from evalkit.evaluation.results import Blocker, BonusDependence, FiftyPercentRule, YearResult


def bonus_dependence(catalog: Catalog, yearly: dict[int, YearResult], index_years: list[int],
                     rule: FiftyPercentRule, blocking: list[Blocker], grade: str) -> BonusDependence:
    base = [yearly[y].base_points for y in index_years]
    decimals = catalog.grading.index_decimals
    index = round_half_up(sum(base) / len(base), decimals)
    if blocking:  # what blocks a grade blocks it with or without the bonus
        grade_without, reason = grade, "；".join(b.text_zh for b in blocking)
    else:
        grade_without, reason = assign_grade(catalog, index, rule)
    trace = Trace(
        formula_zh="不含加分的绩效指数 = 评价年及前两年不含加分的年度指数平均值，四舍五入",
        formula="index₀ = round_half_up(mean(Σ points), decimals)",
        inputs=[TraceInput(symbol=f"base_{y}", name_zh=f"{y}年不含加分的年度指数", value=yearly[y].base_points,
                           unit="分", year=y, source="年度指数计算") for y in index_years],
        substituted=f"({' + '.join(fmt(v) for v in base)}) ÷ {len(base)} → {index:.{decimals}f}",
        result=index, unit="分")
    return BonusDependence(index_without_bonus=index, grade_without_bonus=grade_without,
                           grade_reason_without_bonus=reason, depends=grade_without != grade, trace=trace)
