"""Gaps are not weaknesses (DIGEST decision 3): the report's data-gap section, grouped by input
(what is missing, for which years, which indicators need it, how many index points are at stake,
totals per target level), and the weaknesses section, which ranks only measured indicators and gives
the advice the evaluation selected from the data (each with the indicator and figure behind it).
"""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.evaluation.results import InputGap, Result
from evalkit.report.layout import END_KEEP, KEEP_TOGETHER
from evalkit.report.markup import Md, paragraphs, table

QUALITATIVE = "qualitative."
KIND_ZH = {"data": "缺失", "qualitative": "档次未评定", "unscored_proxy": "仅有代用数据，未说明可代表园区的理由，未计分"}


def _points(x: float) -> str:
    return f"{x:.2f}"


def missing_text(catalog: Catalog, missing_inputs: list[str]) -> str:
    """`["iva@2021", "qualitative.I19@2022"]` → 工业增加值（2021年）、土地规划合理利用水平档次（2022年）."""
    parts = []
    for item in missing_inputs:
        symbol, year = item.rsplit("@", 1)
        if symbol.startswith(QUALITATIVE):
            name = catalog.indicator(symbol.removeprefix(QUALITATIVE)).name_zh + "档次"
        else:
            spec = catalog.inputs.get(symbol)
            name = spec.name_zh if spec else symbol
        parts.append(f"{name}（{year}年）")
    return "、".join(parts)


def missing_by_input_text(catalog: Catalog, missing_inputs: list[str]) -> str:
    """Each missing input once with all its years: 化学需氧量排放量（2021—2023年）."""
    years: dict[str, list[int]] = {}
    for item in missing_inputs:
        symbol, year = item.rsplit("@", 1)
        years.setdefault(symbol, []).append(int(year))
    return "、".join(missing_text(catalog, [f"{symbol}@{years_text(sorted(set(found)))}"])
                    for symbol, found in years.items())


def years_text(years: list[int]) -> str:
    """2020、2021、2022 → 2020—2022; years with a gap are listed."""
    consecutive = len(years) > 2 and years == list(range(years[0], years[-1] + 1))
    return f"{years[0]}—{years[-1]}" if consecutive else "、".join(map(str, years))


def gap_note(gap: InputGap, catalog: Catalog) -> str:
    notes = [KIND_ZH[gap.kind]]
    if gap.overall:
        notes.append("整体评价需要")
    if gap.kind == "data" and catalog.inputs.get(gap.symbol) and catalog.inputs[gap.symbol].carbon:
        notes.append("可提供能源消费数据（能源购进、消费与库存表），由评价机构核算")
    if gap.alternatives:
        notes.append("也可提供公布的" + "、".join(catalog.inputs[a].name_zh for a in gap.alternatives if a in catalog.inputs))
    return "；".join(notes)


def users_text(gap: InputGap) -> str:
    return "、".join([*gap.indicators, *(["整体评价"] if gap.overall else [])])


def data_gaps_section(result: Result, catalog: Catalog) -> Md:
    """Every missing input with its years, the indicators needing it and the points at stake; then the
    basic requirements still open (待补证, 待核实), which the cover's "需补充的资料" points to here."""
    out = [gate_items_to_settle(result)]
    if not result.input_gaps:
        return paragraphs(Md("评价期内无数据缺口。"), *out)
    # No code symbols in the report body (issue 11): the data item by its Chinese name and unit.
    rows = [[g.name_zh, g.unit, years_text(g.years), users_text(g), _points(g.points_at_stake),
             gap_note(g, catalog)] for g in result.input_gaps]
    out[:0] = [Md("缺失数据按0分计入指数，但不作为薄弱环节，也不作为不合格的依据（见评价方法说明“缺失数据与不适用”）。"
                  "下表按数据项汇总缺口；“影响分值”为缺少该项数据的指标在计入指数年度的满分平均值（一项指标缺多项数据时在每项下均列出）。"),
               table(["数据项", "单位", "缺失年份", "需要该数据的指标", "影响分值", "说明"], rows, [4, 2, 3, 3, 2, 5])]
    if result.gap_points_by_level:
        level_rows = []
        for name, lost in result.gap_points_by_level.items():
            maximum = next(iter(result.yearly.values())).target_level_max[name] if result.yearly else 0
            share = result.coverage.by_level[name].share if result.coverage else None
            level_rows.append([name, _points(lost), f"{maximum:g}", "—" if share is None else f"{share:.1%}"])
        out.insert(2, paragraphs(Md("各目标层缺少数据的分值（计入指数年度平均）："),
                                 table(["目标层", "缺少数据的分值", "满分", "数据覆盖率"], level_rows)))
    out.append(Md("评价机构将完整的资料补充清单（含数据定义和单位，Excel 和 Word 文件）发送园区补充，"
                  "生成方法见附录“可重现性信息”。"))
    return paragraphs(*out)


def gate_items_to_settle(result: Result) -> Md | None:
    """The basic requirements pending evidence (what to supply) and those answered 满足 that the park's
    data contradict (what contradicts what, and how the assessor settles it in the park file)."""
    out = []
    pending = [i for i in result.gate.items if i.status == "unknown"]
    if pending:
        out.append(paragraphs(KEEP_TOGETHER, Md("待补证的基本要求："), table(
            ["基本要求", "需提供的证明材料", "说明"], [[i.text_zh, i.evidence_hint_zh, i.note or ""] for i in pending],
            [5, 5, 3]), END_KEEP))
    unverified = [i for i in result.gate.items if i.status == "unverified"]
    if unverified:
        rows = [[i.text_zh, "满足" + (f"（{i.note}）" if i.note else ""), "；".join(i.data_conflicts)] for i in unverified]
        out.append(paragraphs(  # the lead-in says what to do: never alone at a page foot
            KEEP_TOGETHER, Md("待评价机构核实的基本要求（园区答复满足，但园区自身数据与之不一致）：评价机构核实后在园区数据文件中改为"
               "不满足（写明查明的问题），或保持满足并填写核实说明（园区数据文件的 reconciliation 项，说明数据为何不否定答复，"
               "如监测点位口径不同）；核实前该项既不按满足也不按不满足处理。"),
            table(["基本要求", "园区答复", "与答复不一致的园区数据"], rows, [4, 4, 6]), END_KEEP))
    return paragraphs(*out) if out else None


def weaknesses_section(result: Result, catalog: Catalog, top: int = 10) -> Md:
    """The measured indicators that lost most points, and the advice selected from the data."""
    out: list[Md] = []
    ranked = result.points_lost[:top]
    if ranked:
        rows = [[p.code, p.name_zh, p.first_level, _points(p.mean_lost), f"{p.max_points:.4g}"] for p in ranked]
        out.append(paragraphs(Md("有实际数据的指标中失分最多的指标（评价年及前两年平均；缺少数据的年度不计入，见数据缺口）："),
                              table(["编号", "指标", "一级指标", "平均失分", "满分"], rows)))
    else:
        out.append(Md("有实际数据的指标均得满分，未发现薄弱环节。"))
    if result.advice:
        rows = [[a.code, a.name_zh, a.figure_zh, a.text_zh] for a in result.advice]
        out.append(paragraphs(
            Md("改进建议（仅针对有实际数据且得分率低于 {0:.0%} 的指标，并按指标目录的条件排除与证据相矛盾的建议）：").format(
                catalog.advice.weak_below),
            table(["编号", "指标", "依据（评价年数据）", "建议"], rows, [2, 4, 4, 8])))
    if result.not_applicable:
        rows = [[n.code, n.name_zh, years_text(n.years), n.justification] for n in result.not_applicable]
        out.append(paragraphs(Md("不适用指标（权重按比例分配给同一目标层的其他指标）："),
                              table(["编号", "指标", "年份", "理由"], rows)))
    return paragraphs(*out)
