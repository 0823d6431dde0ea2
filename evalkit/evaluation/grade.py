"""Step 5: the grade (6.4). No grade while anything blocks one — every blocker is listed, each with
its own reason: basic requirements pending evidence (评价暂缓), data coverage below the catalog's
minimum (数据覆盖不足), an overall evaluation that is negative (a measured rise: 不合格) or
undetermined (missing data: never 不合格). Otherwise the band of the rounded index, capped when a
target level is below 50 % of its maximum. A failed gate never reaches this step.
"""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.evaluation.results import Blocker, Coverage, FiftyPercentRule, Gate, OverallEvaluation


def blockers(gate: Gate, coverage: Coverage, overall: OverallEvaluation) -> list[Blocker]:
    found = []
    if gate.outcome == "deferred":
        found.append(Blocker(kind="gate_deferred", text_zh=(
            f"评价暂缓，待补充证明材料：{len(gate.unknown)}项基本要求待补证，补证并确认满足后方可定级")))
    if not coverage.sufficient:
        found.append(Blocker(kind="coverage", text_zh=(
            f"数据覆盖不足，不予定级：{'；'.join(coverage.shortfalls)}，低于指标目录规定的最低覆盖率"
            f" {coverage.min_share:.0%}")))
    if overall.verdict == "negative":
        found.append(Blocker(kind="overall_negative", text_zh="整体评价为负向（" + "；".join(overall.failures)
                             + "），不合格，不予定级"))
    elif overall.verdict == "undetermined":
        rates = [overall.carbon_intensity, overall.efficiency, *overall.classes]
        names = "、".join(r.name_zh for r in rates if r.improved is None)
        found.append(Blocker(kind="overall_undetermined", text_zh=(
            f"整体评价无法判定（{names}缺少基准年或目标年数据），不作为不合格，补齐数据前不予定级")))
    return found


def assign_grade(catalog: Catalog, index: float, rule: FiftyPercentRule) -> tuple[str, str]:
    """(grade, reason in Chinese) by the rounded index and the 50 % rule, when nothing blocks a grade."""
    grading = catalog.grading
    bands = sorted(grading.bands, key=lambda b: b.min, reverse=True)
    band = next((b for b in bands if index >= b.min), None)
    if band is None:
        lowest = bands[-1]
        return "none", f"指数 {index:.{grading.index_decimals}f} 低于 {lowest.min:g} 分，为无级别园区"
    reason = f"指数 {index:.{grading.index_decimals}f} ≥ {band.min:g} 分，对应 {band.grade} 级"
    capped = next(b for b in bands if b.grade == grading.capped_grade)
    if band.min > capped.min and not rule.passed:  # the rule caps AA and above only
        failing = [f"{name}（{c.mean_points:.2f}/{c.max_points:g} 分，{c.share:.1%}）"
                   for name, c in rule.levels.items() if not c.passed]
        return (grading.capped_grade,
                reason + f"；但目标层 {'、'.join(failing)} 未达到满分值的 {grading.level_floor_share:.0%}，"
                f"不能评为AA级及以上，定为 {grading.capped_grade} 级")
    floor = f"各目标层均达到满分值的{grading.level_floor_share:.0%}" if rule.passed else f"{grading.level_floor_share:.0%}规则仅约束AA级及以上"
    return band.grade, f"{reason}；整体评价为正向，{floor}"
