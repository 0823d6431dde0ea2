"""Data coverage on the summary page (DIGEST decision 3): the share of the applicable weight with
real data per index year and target level, whether it reaches the catalog's minimum, and the most
valuable items to supply — so that a reader cannot take a reference index for a grade.
"""

from __future__ import annotations

from evalkit.evaluation.grade import withheld_zh
from evalkit.evaluation.results import Result
from evalkit.report.gaps import users_text, years_text
from evalkit.report.markup import Md, paragraphs, table
from evalkit.report.terms import GATE_ZH, GRADE_ZH, INDEX_STATUS_ZH, VERDICT_ZH


BLOCKER_SHORT_ZH = {"gate_failed": "基本要求不满足", "gate_deferred": "基本要求尚未确认满足",
                    "coverage": "数据覆盖不足", "overall_negative": "整体评价为负向",
                    "overall_undetermined": "整体评价缺少数据，无法判定",
                    "index_below_bands": "指数低于最低等级门槛", "level_below_half": "目标层得分未达满分值的50%"}


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"


def complete(result: Result) -> bool:
    """Every index year and target level has data for all its applicable weight."""
    cov = result.coverage
    return cov is not None and all((c.share or 0) >= 1 - 1e-9 for c in (*cov.by_year.values(), *cov.by_level.values()))


def coverage_summary(result: Result) -> Md:
    cov = result.coverage
    if cov is None:
        return Md("")
    levels = list(cov.by_level)
    rows = [[f"{year}年", *(_pct(cov.by_year_level[year][name].share) for name in levels), _pct(cov.by_year[year].share)]
            for year in result.index_years]
    rows.append(["计入指数年度合计", *(_pct(cov.by_level[name].share) for name in levels), "—"])
    intro = Md("数据覆盖率 = 有实际数据的指标权重 ÷ 适用指标权重（不适用指标不计）。指标目录规定的最低覆盖率为 "
               "{0:.0%}（来源：{1}），计入指数的每个年度和每个目标层都须达到。").format(cov.min_share, cov.source)
    if cov.sufficient:
        verdict = Md("各年度和各目标层的数据覆盖率均达到最低要求，绩效指数可作为定级依据。")
    else:
        verdict = Md("**数据覆盖不足，{3}**：{0}低于 {1:.0%}。绩效指数 {2} 仅为参考值，"
                     "缺失数据得0分，不代表园区绩效差，也不是不合格结论。").format(
            "；".join(cov.shortfalls), cov.min_share, f"{result.index:.2f}" if result.index is not None else "—",
            withheld_zh(result.grade))
    return paragraphs(intro, table(["年度", *levels, "全部指标"], rows), verdict)


def supply_list(result: Result, top: int = 8) -> Md:
    """What to supply first: the pending basic requirements and the inputs with most points at stake."""
    items: list[object] = []
    for item in result.gate.items:
        if item.status == "unknown":
            items.append(Md("基本要求待补证：") + f"{item.text_zh}（需提供：{item.evidence_hint_zh}）")
        elif item.status == "unverified":
            items.append(Md("基本要求待核实：") + f"{item.text_zh}（园区答复满足，但{'；'.join(item.data_conflicts)}）")
    for gap in result.input_gaps[:top]:
        items.append(f"{gap.name_zh}（{years_text(gap.years)}年；{users_text(gap)}；影响 {gap.points_at_stake:.2f} 分）")
    if not items:
        return Md("")
    rest = len(result.input_gaps) - top
    more = Md("另有 {0} 项数据缺口，完整清单见“数据缺口与资料补充”。").format(rest) if rest > 0 else Md("")
    return paragraphs(Md("**需补充的资料**（按影响分值排序）："),
                      Md("\n").join(Md("- ") + item for item in items), more)


def gate_at_a_glance(result: Result) -> str:
    """The gate in one line: its outcome with the count of items pending (待补证) and of items answered
    满足 that the park's data contradict (待核实) — never 达标 while such an item stands, and 评价暂缓
    only when the result is deferred (a park not rated anyway is not waiting for the items)."""
    gate = result.gate
    counts = [f"{len(gate.failed)}项不满足"] if gate.failed else []
    if gate.unverified:
        counts.append(f"{len(gate.unverified)}项园区答复满足但与园区数据不一致，待核实")
    if gate.unknown:
        counts.append(f"{len(gate.unknown)}项待补证")
    deferral = "，评价暂缓" if gate.outcome == "deferred" and result.grade == "deferred" else ""
    return GATE_ZH[gate.outcome] + deferral + (f"（{'；'.join(counts)}）" if counts else "")


def at_a_glance(result: Result) -> Md:
    """The outcome for the first page, most important first: grade or why none, coverage, what to
    supply, index status, basic requirements, overall evaluation."""
    conclusion = Md("**{0}**").format(GRADE_ZH[result.grade])
    if result.blockers:
        conclusion += "（" + "；".join(BLOCKER_SHORT_ZH[b.kind] for b in result.blockers) + "）"
    rows: list[list[object]] = [["评价结论", conclusion]]
    cov = result.coverage
    if cov is not None:
        years = "，".join(f"{y}年 {_pct(cov.by_year[y].share)}" for y in result.index_years)
        levels = "，".join(f"{name} {_pct(c.share)}" for name, c in cov.by_level.items())
        rows.append(["数据覆盖率", f"{years}；{levels}（最低要求 {cov.min_share:.0%}"
                                   + ("，已达到）" if cov.sufficient else "，未达到）")])
    if result.input_gaps or result.gate.unknown or result.gate.unverified:
        first = "、".join(g.name_zh for g in result.input_gaps[:3])
        parts = [(f"{first}等" if first else "") + f"{len(result.input_gaps)}项数据或材料"] if result.input_gaps else []
        parts += [f"{len(result.gate.unknown)}项基本要求证明材料"] if result.gate.unknown else []
        parts += [f"{len(result.gate.unverified)}项基本要求待评价机构核实"] if result.gate.unverified else []
        rows.append(["需补充的资料", "，".join(parts) + "（清单见“数据缺口与资料补充”）"])
    if result.index is not None:
        rows.append(["绩效指数", f"{result.index:.2f}{INDEX_STATUS_ZH[result.index_status or 'final']}"])
    rows.append(["基本要求", gate_at_a_glance(result)])
    if result.overall is not None:
        rows.append(["整体评价", VERDICT_ZH[result.overall.verdict]])
    return paragraphs(Md("**评价结论一览**"), table(["项目", "内容"], rows, [1, 5]))
