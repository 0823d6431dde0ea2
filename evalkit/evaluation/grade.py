"""Step 5: the grade (6.4). No grade while anything blocks one — every blocker is listed, each with
its own reason: basic requirements pending evidence or contradicted by the data (评价暂缓), data
coverage below the catalog's minimum (数据覆盖不足), an overall evaluation that is negative (a
measured rise: 不合格) or undetermined (missing data: never 不合格). Otherwise the band of the
rounded index, capped when a target level is below 50 % of its maximum. A failed gate never reaches
this step.

Decision (DIGEST decisions 3 and 8 together; the standard is silent): the headline follows what the
park can still change. Basic requirements pending (待补证 / 待核实) with other blockers that more
material can lift (coverage below the minimum, an overall evaluation undetermined for missing
data): the evaluation is deferred (评价暂缓) — the park supplies the evidence and the data, every
blocker is listed; no provisional grade is named, as the index is not yet a basis for one. Beside a
measured negative overall evaluation no material can bring a grade in this window: not rated (不予
定级), with the pending items listed among the reasons. A park not rated on measured data also has
every other shortfall of the grade listed (index below the lowest band, a target level below 50 %),
so that supplying one reason never reveals the next; with coverage below the minimum those two are
not listed, as missing data scored 0 would decide them.
"""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.evaluation.results import Blocker, Coverage, FiftyPercentRule, Gate, OverallEvaluation


# Blockers that more material can lift; beside pending basic requirements they defer the evaluation.
CURABLE = frozenset({"gate_deferred", "coverage", "overall_undetermined"})
# What a blocker that missing data could lift says of the grade, by the result's status — the one
# place it is worded, so that a deferred park never reads 不予定级 (review 2, item 1).
WITHHELD_ZH = {"deferred": "补齐数据前暂不定级", "not_rated": "不予定级"}
# The incurable blockers by short name, for the pending items of a park that cannot be rated anyway.
INCURABLE_ZH = {"overall_negative": "整体评价为负向（实测数据显示上升）"}


def withheld_zh(grade: str) -> str:
    """"补齐数据前暂不定级" for a deferred result, "不予定级" for any other without a grade."""
    return WITHHELD_ZH["deferred" if grade == "deferred" else "not_rated"]


def incurable_zh(kinds: list[str]) -> str:
    """The incurable blockers among `kinds`, by short name ("整体评价为负向（实测数据显示上升）")."""
    return "、".join(INCURABLE_ZH[k] for k in kinds if k in INCURABLE_ZH)


def blockers(gate: Gate, coverage: Coverage, overall: OverallEvaluation) -> list[Blocker]:
    """Every blocker of the grade, each worded for the status they lead to together (`deferred`)."""
    kinds = ((["gate_deferred"] if gate.outcome == "deferred" else [])
             + (["coverage"] if not coverage.sufficient else [])
             + ([f"overall_{overall.verdict}"] if overall.verdict in ("negative", "undetermined") else []))
    status = "deferred" if defers(set(kinds)) else "not_rated"
    withheld = withheld_zh(status)
    found = []
    if gate.outcome == "deferred":
        pending = [f"{len(gate.unknown)}项基本要求待补证"] if gate.unknown else []
        if gate.unverified:
            names = "、".join(f"“{i.text_zh}”" for i in gate.items if i.status == "unverified")
            pending.append(f"{len(gate.unverified)}项基本要求（{names}）园区答复满足但与园区数据不一致，须评价机构核实")
        settle = "、".join((["补证"] if gate.unknown else []) + (["核实"] if gate.unverified else []))
        if status == "deferred":
            found.append(Blocker(kind="gate_deferred", text_zh=f"{'；'.join(pending)}，{settle}并确认满足后方可定级"))
        else:
            found.append(Blocker(kind="gate_deferred", text_zh=(
                f"{'；'.join(pending)}；因{incurable_zh(kinds)}，即使{settle}并确认满足，本次评价仍不予定级")))
    if not coverage.sufficient:
        found.append(Blocker(kind="coverage", text_zh=(
            f"数据覆盖不足，{withheld}：{'；'.join(coverage.shortfalls)}，低于指标目录规定的最低覆盖率"
            f" {coverage.min_share:.0%}")))
    if overall.verdict == "negative":
        found.append(Blocker(kind="overall_negative", text_zh="整体评价为负向（" + "；".join(overall.failures)
                             + "），不合格，不予定级"))
    elif overall.verdict == "undetermined":
        rates = [overall.carbon_intensity, overall.efficiency, *overall.classes]
        names = "、".join(r.name_zh for r in rates if r.improved is None)
        found.append(Blocker(kind="overall_undetermined", text_zh=(
            f"整体评价无法判定（{names}缺少基准年或目标年数据），不作为不合格，{withheld}")))
    return found


def deferred(found: list[Blocker]) -> bool:
    """Basic requirements pending and nothing blocks the grade that material could not lift."""
    return defers({b.kind for b in found})


def defers(kinds: set[str]) -> bool:
    return "gate_deferred" in kinds and kinds <= CURABLE


def grade_shortfalls(catalog: Catalog, index: float, rule: FiftyPercentRule) -> list[Blocker]:
    """What else keeps a not-rated park from a grade: the index below the lowest band, a target level
    below the 50 % floor (which would cap the grade at A)."""
    grading = catalog.grading
    found = []
    lowest = min(grading.bands, key=lambda b: b.min)
    if index < lowest.min:
        found.append(Blocker(kind="index_below_bands", text_zh=(
            f"绩效指数 {index:.{grading.index_decimals}f} 低于最低等级门槛 {lowest.min:g} 分（{lowest.grade} 级），为无级别")))
    if not rule.passed:
        failing = "、".join(f"{name}（{c.mean_points:.2f}/{c.max_points:g} 分，{c.share:.1%}）"
                            for name, c in rule.levels.items() if not c.passed)
        found.append(Blocker(kind="level_below_half", text_zh=(
            f"目标层 {failing} 未达到满分值的 {grading.level_floor_share:.0%}，不能评为AA级及以上")))
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
