"""The comparison report's text (横向比较), from a `Comparison`: ranking, first-level shares,
leading values, weak areas and data gaps common to the group. Displays only; computes nothing."""

from __future__ import annotations

from evalkit.core.trace import fmt
from evalkit.portfolio.compare import Comparison, CoveredShare, Group, IndicatorSpread, ReferenceDifference
from evalkit.report.markup import Md, paragraphs, table
from evalkit.report.numbers import Numbers
from evalkit.report.terms import GRADE_ZH

VERDICT_ZH = {"positive": "正向", "negative": "负向", "undetermined": "无法判定", None: "未评价"}
DIRECTION_ZH = {"positive": "越大越好", "negative": "越小越好", None: "—"}
FIELD_ZH = {"reference": "参考值", "floor": "下限值"}


def _share(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


COVERAGE_NOTE = Md("得分率只计有实际数据的指标；“覆盖”为有实际数据的指标占该领域满分的比例（不足100%时注明），"
                   "“缺数据”为该领域在计入指数的年份无实际数据。数据缺口不视为表现差，补齐数据后得分率才完整；"
                   "绩效指数与排名仍按标准将缺失数据计0分。")


def covered_share(rate: CoveredShare | None, digits: int = 0) -> str:
    """A level's rate over the data the park has, with its coverage where that is short; 缺数据 where
    there is none — never the rate with missing data counted as 0, which reads as poor performance."""
    if rate is None or rate.coverage is None:
        return "—"  # not evaluated, or a result written before evalkit reported coverage
    if rate.data_share is None:
        return "缺数据"
    text = f"{rate.data_share:.{digits}%}"
    return text if rate.coverage >= 1 - 1e-9 else f"{text}（覆盖 {rate.coverage:.0%}）"


def scope(c: Comparison, names: dict[str, str]) -> Md:
    evaluated = len(c.parks) - len(c.not_evaluated)
    text = Md("本报告比较 {n} 个园区{y0}—{y1}年评价期的绩效（评价年 {ey} 年，指标目录 {cid} 版本 {cv}），"
              "其中 {e} 个园区完成了绩效指标评价。").format(
        n=len(c.parks), y0=c.years[0], y1=c.years[-1], ey=c.evaluation_year, cid=c.catalog_id,
        cv=c.catalog_version, e=evaluated)
    if c.not_evaluated:
        text += Md("基本要求不满足的园区不开展绩效指标评价（标准6.1.2），只列入排名表，不参与以下比较：") + \
            Md("、").join(names[p] for p in c.not_evaluated) + Md("。")
    if c.by == "park_type":
        text += Md("按园区类型分组时，另在各类型内比较先进值与薄弱环节。")
    return paragraphs(text, Md("缺失数据按标准默认决定计0分并列为数据缺口；数据缺口不视为薄弱环节，单独列出。"))


def ranking(c: Comparison) -> Md:
    rows = [[p.rank or "—", p.park_name, p.park_type or "—", "—" if p.index is None else f"{p.index:.2f}",
             GRADE_ZH.get(p.grade, p.grade), _share(p.coverage), VERDICT_ZH.get(p.verdict, p.verdict or "—"),
             p.data_gaps, "存档 results.json" if p.source.endswith("results.json") else "本次评价"] for p in c.parks]
    note = Md("绩效指数按标准计算，缺失数据计0分，排名依此；数据缺口多的园区，其指数因此偏低，"
              "各领域有数据部分的得分率与数据覆盖见第三部分。")
    if any(p.coverage is None for p in c.parks):
        note += Md("数据覆盖率：结果文件未包含覆盖率的园区显示“—”。")
    sources = Md("结果来源：存档的 results.json 只在其输入文件、指标目录和因子表与当前完全一致时使用，否则按当前数据重新评价；"
                 "各园区结果的完整路径见本报告存档的 manifest.json。")
    return paragraphs(table(["排名", "园区", "代号", "类型", "绩效指数", "等级", "数据覆盖率", "整体评价", "数据缺口（项·年）",
                             "结果来源"], [[r[0], r[1], p.park, *r[2:]] for r, p in zip(rows, c.parks)],
                            [1, 4, 3, 3, 3, 2, 2, 2, 2, 3]), note, reference_differences(c.reference_differences),
                      sources)


def reference_parks(c: Comparison) -> dict[tuple[str, str, float], list[str]]:
    """(code, field, value) → the parks scored against that value, where parks' values differ
    (for `method.document_draft_notice`)."""
    return {(d.code, d.field, v.value): v.parks for d in c.reference_differences for v in d.values}


def reference_differences(differences: list[ReferenceDifference]) -> Md:
    """Which parks were scored against which value where a park replaced a reference (园区替换)."""
    if not differences:
        return Md("")
    items = []
    for d in differences:
        values = Md("，").join(
            Md("、").join(v.parks) + Md(" 为 {} {}").format(fmt(v.value), d.unit) +
            (Md("（园区替换）") if v.overridden else Md("")) for v in d.values)
        items.append(Md("{} {}的{}：").format(d.code, d.name_zh, FIELD_ZH.get(d.field, d.field)) + values)
    return Md("**参考值不同**：以下指标各园区依据的参考值不同（园区替换的理由见该园区报告的评价方法说明），"
              "其得分与先进值比较不在同一基准上，排名中应予注意：") + Md("；").join(items) + Md("。")


def level_table(c: Comparison) -> Md:
    levels = list(dict.fromkeys([*(level for level, _ in c.first_levels),
                                 *(name for p in c.parks for name in p.level_rates)]))
    rows = [[p.park_name, *(covered_share(p.level_rates.get(name), 1) for name in levels)]
            for p in c.parks if p.index is not None]
    return table(["园区", *(Md("{}得分率").format(name) for name in levels)], rows)


def heat_table(c: Comparison, names: dict[str, str]) -> Md:
    parks = list(c.heat)
    rows = [[level, first, *(covered_share(c.heat[p].get(first)) for p in parks)] for level, first in c.first_levels]
    return paragraphs(table(["目标层", "一级指标", *(names[p] for p in parks)], rows), COVERAGE_NOTE)


def _value(spread: IndicatorSpread, park: str, numbers: Numbers) -> str:
    if park in spread.not_applicable:
        return "不适用"
    if spread.kind == "qualitative":
        return spread.levels.get(park) or "无数据"
    value = spread.values.get(park)
    return "无数据" if value is None else numbers.value(value, spread.unit)


def leading_values(group: Group, names: dict[str, str], numbers: Numbers,
                   differences: list[ReferenceDifference] | None = None) -> Md:
    """Each indicator against the group's leading value, at the catalog's display precision."""
    rows = []
    for s in group.spreads:
        if s.kind == "qualitative":
            best, unit = (f"{s.best_level}档" if s.best_level else "—"), "档次"
        else:
            best, unit = ("—" if s.best_value is None else numbers.value(s.best_value, s.unit)), s.unit or ""
        cells = [Md("**{}**").format(_value(s, p, numbers)) if p in s.best_parks else _value(s, p, numbers)
                 for p in group.parks]
        rows.append([s.code, s.name_zh, unit, DIRECTION_ZH.get(s.direction, "—") if s.kind != "qualitative"
                     else "高档优", best, *cells])
    declared = [Md("{} {}：{}").format(p, s.code, s.not_applicable[p])
                for s in group.spreads for p in group.parks if p in s.not_applicable]
    return paragraphs(
        Md("组内先进值：正向指标取各园区评价年数值的最大值，逆向指标取最小值，定性指标取最高档次"
           "（行业先进值比较法，见编制说明上虞经开区案例）；无数据的园区不参与取值。粗体为达到先进值的园区；"
           "列名为园区代号（见排名表）。"),
        table(["编号", "指标", "单位", "方向", "组内先进值", *group.parks], rows,
              [2, 4, 2, 2, 3, *([3] * len(group.parks))]),
        Md("“不适用”为园区按结构性原因声明不适用的指标（不是数据缺失，不参与取先进值）：") + Md("；").join(declared) + Md("。")
        if declared else None,
        reference_differences(_within(differences or [], group.parks)))


def _within(differences: list[ReferenceDifference], parks: list[str]) -> list[ReferenceDifference]:
    """The differences among `parks` only (a type group may hold parks that share one value)."""
    kept = []
    for d in differences:
        values = [v.model_copy(update={"parks": [p for p in v.parks if p in parks]}) for v in d.values]
        values = [v for v in values if v.parks]
        if len(values) > 1:
            kept.append(d.model_copy(update={"values": values}))
    return kept


def weak_areas(group: Group, names: dict[str, str]) -> Md:
    common = [a for a in group.weak_areas if len(a.parks) * 2 >= len(group.parks) and len(group.parks) > 1]
    shown = common or group.weak_areas[:3]
    if not shown:
        return Md("组内各园区的一级指标均得满分，无共同薄弱环节。")
    rows = [[a.target_level, a.first_level, f"{len(a.parks)}/{len(group.parks)}", "、".join(names[p] for p in a.parks),
             _share(a.mean_measured_share)] for a in shown]
    lead = (Md("以下一级指标是组内至少一半园区各自得分率最低的三个领域之一（只计有数据的指标），为共同薄弱环节：")
            if common else Md("组内没有半数以上园区共有的薄弱环节；以下为出现次数最多的薄弱领域："))
    return paragraphs(lead, table(["目标层", "一级指标", "园区数", "园区", "组内平均得分率（有数据部分）"], rows,
                                  [2, 3, 2, 6, 3]))


def common_gaps(group: Group, names: dict[str, str]) -> Md:
    if not group.common_gaps:
        return Md("组内各园区在计入指数的年份均无数据缺口。")
    rows = [[g.code, g.name_zh, f"{len(g.parks)}/{len(group.parks)}", "、".join(names[p] for p in g.parks)]
            for g in group.common_gaps]
    return paragraphs(Md("以下指标在部分园区缺少数据（计0分）。补齐数据后再比较，结论才完整："),
                      table(["编号", "指标", "园区数", "缺少数据的园区"], rows, [2, 5, 2, 7]))


def group_heading(group: Group, names: dict[str, str]) -> Md:
    text = Md("### {name}\n\n本类型 {n} 个园区：").format(name=group.name, n=len(group.parks)) + \
        Md("、").join(names[p] for p in group.parks) + Md("。")
    if len(group.parks) == 1:
        return text + Md("本类型只有一个完成评价的园区，无同类可比；其各指标数值见第四部分。")
    return text


def group_ranking(c: Comparison, group: Group) -> Md:
    entries = {p.park: p for p in c.parks}
    rows = [[n, entries[p].park_name, "—" if entries[p].index is None else f"{entries[p].index:.2f}",
             GRADE_ZH.get(entries[p].grade, entries[p].grade), entries[p].rank or "—"]
            for n, p in enumerate(group.parks, 1)]
    return table(["类型内排名", "园区", "绩效指数", "等级", "全部园区中的排名"], rows, [2, 5, 2, 2, 2])
