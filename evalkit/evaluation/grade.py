"""Step 5: the grade (6.4): not rated when the gate failed or the overall evaluation is negative;
otherwise by the rounded index, capped when a target level is below 50 % of its maximum."""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.evaluation.results import FiftyPercentRule, OverallEvaluation


def assign_grade(catalog: Catalog, index: float, rule: FiftyPercentRule,
                 overall: OverallEvaluation) -> tuple[str, str, str | None]:
    """(grade, reason in Chinese, not-rated reason or None)."""
    if overall.verdict != "positive":
        why = "整体评价为负向（" + "；".join(overall.failures) + "），不合格，不予定级"
        return "not_rated", why, why
    grading = catalog.grading
    bands = sorted(grading.bands, key=lambda b: b.min, reverse=True)
    band = next((b for b in bands if index >= b.min), None)
    if band is None:
        lowest = bands[-1]
        return "none", f"指数 {index:.{grading.index_decimals}f} 低于 {lowest.min:g} 分，为无级别园区", None
    reason = f"指数 {index:.{grading.index_decimals}f} ≥ {band.min:g} 分，对应 {band.grade} 级"
    capped = next(b for b in bands if b.grade == grading.capped_grade)
    if band.min > capped.min and not rule.passed:  # the rule caps AA and above only
        failing = [f"{name}（{c.mean_points:.2f}/{c.max_points:g} 分，{c.share:.1%}）"
                   for name, c in rule.levels.items() if not c.passed]
        return (grading.capped_grade,
                reason + f"；但目标层 {'、'.join(failing)} 未达到满分值的 {grading.level_floor_share:.0%}，"
                f"不能评为AA级及以上，定为 {grading.capped_grade} 级", None)
    floor = f"各目标层均达到满分值的{grading.level_floor_share:.0%}" if rule.passed else f"{grading.level_floor_share:.0%}规则仅约束AA级及以上"
    return band.grade, f"{reason}；整体评价为正向，{floor}", None
