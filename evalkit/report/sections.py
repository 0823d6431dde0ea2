"""The report's text: each section of the Chinese report as Markdown, built from an evaluation
`Result` (and the catalog's descriptive data). Nothing here computes a result: every number shown
is a value or a trace of the Result, so the report and results.json cannot disagree.

The report notebook (report_template/report.ipynb) calls these functions in the order of the
report; tests call them directly.

Every function returns `Md`: evalkit's own Markdown, with every value from the park file, the
catalog or the factor table escaped by `evalkit.report.markup`, so it shows as literal text.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from evalkit.catalog import Catalog
from evalkit.core.trace import Reference, Trace, TraceInput, fmt
from evalkit.evaluation.results import IndicatorResult, Rate, Result
from evalkit.report import gaps, quality
from evalkit.report.markup import Md, escape, paragraphs, table

GRADE_ZH = {"AAA": "AAA级", "AA": "AA级", "A": "A级", "none": "无级别", "not_rated": "不予定级",
            "deferred": "暂缓定级（待补充证明材料）"}
STATUS_ZH = {"ok": "已计分", "missing": "数据缺失（0分，数据缺口）", "not_applicable": "不适用"}
DIRECTION_ZH = {"positive": "正向（越大越好）", "negative": "逆向（越小越好）"}
VERDICT_ZH = {"positive": "正向（合格）", "negative": "负向（不合格）", "undetermined": "无法判定（缺少数据，不作为不合格）"}
GATE_ZH = {"passed": "达标", "failed": "不达标", "deferred": "评价暂缓，待补充证明材料"}
GATE_ITEM_ZH = {"met": "满足", "unknown": "待补证"}
INDEX_STATUS_ZH = {"final": "", "provisional": "（暂定：基本要求待补证）", "reference": "（参考值：数据覆盖不足，不作定级依据）"}


# --- building blocks -----------------------------------------------------------------------------

def points(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def score(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}%"


def heading(level: int, text: str) -> Md:
    return Md("#" * level + " ") + text


def bullets(items: list[object]) -> Md:
    return Md("\n").join(Md("- ") + item for item in items)


def reference_text(ref: Reference) -> str:
    text = f"{fmt(ref.value)} {ref.unit}（来源：{ref.source}"
    if ref.override_justification:
        text += f"；园区替换参考值，理由：{ref.override_justification}"
    if ref.verified and ref.citation:
        text += f"；已核实：{ref.citation}"
    elif not ref.verified:
        text += ("；evalkit 默认值，待省级目录或评价机构确认" if ref.basis == "evalkit_default"
                 else "；仅见于二手来源，未经原文核实")
    return text + "）"


def input_rows(inputs: list[TraceInput]) -> list[list[object]]:
    return [[i.year, i.name_zh, i.symbol, fmt(i.value, 6) + quality.mark(i.scope), i.unit, i.source] for i in inputs]


INPUT_HEADERS = ["年份", "数据项", "符号", "数值", "单位", "数据来源"]
INPUT_WIDTHS = [2, 3, 3, 3, 2, 5]


def trace_block(trace: Trace, title: str) -> Md:
    parts = [Md("**{title}**：{formula_zh}（{formula}）").format(title=title, formula_zh=trace.formula_zh,
                                                               formula=trace.formula)]
    if trace.substituted:
        parts.append(Md("代入计算：{0} {1}").format(trace.substituted, trace.unit))
    if trace.note:
        parts.append(Md("说明：") + trace.note)
    if trace.inputs:
        parts.append(table(INPUT_HEADERS, input_rows(trace.inputs), INPUT_WIDTHS))
        parts.append(quality.notes(trace.inputs))
    return paragraphs(*parts)


# --- sections ----------------------------------------------------------------------------------

def cover(result: Result, report_date: str) -> Md:
    p = result.profile
    rows = [
        ["被评价园区", f"{result.park_name}（{result.park}）"],
        ["评价期", f"{result.years[0]}—{result.years[-1]}年（计入指数：{'、'.join(map(str, result.index_years))}年）"],
        ["评价年", f"{result.evaluation_year}年"],
        ["评价类型", p.get("assessment_type") or "—"],
        ["评价机构", p.get("assessor") or "—"],
        ["报告日期", report_date],
        ["评价依据", "《产业园区减污降碳协同增效绩效评价指南》（T/CSPSTC 征求意见稿，2023年8月编制说明）"],
        ["指标目录", f"{result.catalog.title_zh}（{result.catalog.id}，版本 {result.catalog.version}）"],
    ]
    text = table(["项目", "内容"], rows, [1, 4])
    if p.get("synthetic"):
        text = Md("> **本报告基于合成示范数据，仅用于演示 evalkit 的评价流程，不代表任何真实园区。**\n\n") + text
    return text


def summary(result: Result) -> Md:
    gate_text = GATE_ZH[result.gate.outcome]
    if result.gate.outcome == "failed":
        gate_text += "：" + "；".join(i.finding_zh or i.text_zh for i in result.gate.items if i.status == "failed")
    elif result.gate.outcome == "deferred":
        gate_text += "：" + "；".join(i.text_zh for i in result.gate.items if i.status == "unknown") + "（待补证）"
    rows: list[list[object]] = [["基本要求评价", gate_text]]
    if result.index is not None:
        rule = result.fifty_percent_rule
        assert rule is not None and result.overall is not None
        rows += [
            ["减污降碳协同增效绩效指数", Md("**{0:.2f}**{2}（{1}年年度指数的平均值）").format(
                result.index, "、".join(map(str, result.index_years)), INDEX_STATUS_ZH[result.index_status or "final"])],
            ["各年度指数", "；".join(f"{y}年 {result.yearly[y].index:.2f}" for y in result.index_years)],
            ["目标层50%规则", ("满足" if rule.passed else "不满足") + "：" + "；".join(
                f"{name} {c.mean_points:.2f}/{c.max_points:g}分（{c.share:.1%}）" for name, c in rule.levels.items())
             + ("（缺失数据按0分计，数据覆盖不足，仅供参考）" if result.index_status == "reference" else "")],
            ["整体评价", f"{VERDICT_ZH[result.overall.verdict]}（{result.overall.base_year}年→{result.overall.target_year}年）"],
        ]
    rows.append(["评价等级", Md("**{0}**").format(GRADE_ZH[result.grade])])
    if result.blockers:
        rows.append(["不予定级或暂缓的原因", "；".join(f"（{n}）{b.text_zh}" for n, b in enumerate(result.blockers, 1))
                     if len(result.blockers) > 1 else result.blockers[0].text_zh])
        if result.provisional_grade:
            rows.append(["暂定结果", f"按现有数据，指数 {result.index:.2f} 对应{GRADE_ZH[result.provisional_grade]}（暂定，补证后确认）"])
    else:
        rows.append(["定级依据", result.grade_reason])
    flagged = quality.flagged_indicators(result)
    if flagged:
        rows.append(["非实测数据", "；".join(f"{code}{marks}" for code, marks in flagged.items())
                     + "（〔推算〕〔估算〕〔代用〕的含义与依据见各指标的数据质量说明）"])
    if result.data_gaps:
        rows.append(["数据缺口", f"{len(result.input_gaps)}项数据或材料缺失，涉及{len(result.data_gaps)}个指标年度"
                                 "（缺失数据不作为薄弱环节或不合格的依据；清单见“数据缺口与资料补充”）"])
    return table(["项目", "结论"], rows, [1, 4])


PROFILE_FIELDS = [
    ("name_zh", "园区名称"), ("name_en", "英文名称"), ("province", "所在省份"), ("city", "所在城市"),
    ("park_type", "园区类型"), ("level", "园区级别"), ("management_body", "管理机构"), ("area_km2", "面积（km²）"),
    ("established", "设立年份"), ("main_industries", "主导产业"), ("base_year", "申报基准年"), ("description", "园区简介"),
]


def profile(result: Result) -> Md:
    p = result.profile
    rows = []
    for key, label in PROFILE_FIELDS:
        value = p.get(key)
        if isinstance(value, list):
            value = "、".join(map(str, value))
        rows.append([label, value if value not in (None, "", []) else "—"])
    return table(["项目", "内容"], rows, [1, 4])


def gate(result: Result) -> Md:
    rows = []
    for n, item in enumerate(result.gate.items, 1):
        if item.status == "failed":
            conclusion: object = Md("**不满足**：") + (item.finding_zh or "")
        else:
            conclusion = GATE_ITEM_ZH[item.status]
        evidence = item.evidence or (f"待提供：{item.evidence_hint_zh}" if item.status == "unknown" else "—")
        rows.append([n, item.text_zh, conclusion, evidence, item.note or ""])
    text = table(["序号", "基本要求", "结论", "证明材料", "说明"], rows, [2, 6, 3, 7, 3])
    verdict = {
        "passed": "全部基本要求均满足，进入绩效指标评价。",
        "failed": "存在不满足的基本要求。按标准6.1.2，基本要求不达标的园区不再开展绩效指标评价，"
                  "不能评价为减污降碳协同增效园区。",
        "deferred": "无不满足的基本要求，但有事项待补充证明材料（待补证）。评价暂缓：绩效指标照常计算，"
                    "结果为暂定结果；补齐证明材料并确认满足后方可定级。待补证不等于不满足。",
    }[result.gate.outcome]
    return paragraphs(text, Md("清单：{0}。{1}").format(result.gate.checklist, verdict))


def indicator_system(catalog: Catalog) -> Md:
    rows = [[i.code, i.target_level, i.first_level, i.second_level, i.name_zh, f"{i.weight:g}",
             "定性（分档）" if i.kind == "qualitative" else DIRECTION_ZH.get(i.direction or "", "")]
            for i in catalog.indicators]
    rows.append([catalog.bonus.code, "加分项", "—", "—", catalog.bonus.name_zh, f"≤{catalog.bonus.cap_points:g}分", "园区自选"])
    levels = "；".join(f"{t.name} {t.weight:g}（指标权重合计 {catalog.level_max_points(t.name) / 100:g}）"
                      for t in catalog.target_levels)
    return paragraphs(Md("目标层权重：{0}。").format(levels),
                      table(["编号", "目标层", "一级指标", "二级指标", "三级指标", "权重", "类型"], rows,
                            [2, 3, 3, 3, 5, 2, 3]))


def _first_ok(results: list[IndicatorResult]) -> IndicatorResult | None:
    return next((r for r in results if r.status == "ok"), None)


def indicator_detail(result: Result, catalog: Catalog, code: str) -> Md:
    """One indicator over the window: definition, scoring rule, and per-year computation with sources."""
    ind = catalog.indicator(code)
    per_year = {y: next(i for i in yr.indicators if i.code == code) for y, yr in result.yearly.items()}
    ok = _first_ok(list(per_year.values()))
    out = [heading(4, f"{ind.code} {ind.name_zh}")]
    head = [["层级", f"{ind.target_level} › {ind.first_level} › {ind.second_level}"],
            ["权重", f"{ind.weight:g}（满分 {ind.weight * 100:g} 分）"]]
    if ind.kind == "quantitative":
        head += [["计算公式", f"{ind.formula_zh}（{ind.formula}）"],
                 ["单位与方向", f"{ind.unit}，{DIRECTION_ZH[ind.direction or 'positive']}"]]
    scoring = ok.trace.scoring if ok else None
    if scoring is not None:
        head.append(["评分方法", scoring.rule_zh])
        if scoring.method != "tiered":
            head += [[ref.name, reference_text(ref)] for ref in scoring.references]
    out.append(table(["项目", "内容"], head, [1, 5]))

    if ind.kind == "qualitative":
        levels = [[lv.id, lv.label_zh, fmt(lv.score), lv.criteria_zh] for lv in ind.scoring.levels or []]
        out.append(paragraphs(Md("分档标准："), table(["档次", "名称", "分值 s", "标准"], levels, [2, 2, 2, 8])))
        rows = []
        for year, r in per_year.items():
            evidence = r.trace.scoring.evidence if r.trace.scoring else None
            rows.append([year, r.level or STATUS_ZH[r.status], evidence or r.justification or "—",
                         score(r.score), f"{r.weight * 100:.4g}", points(r.points)])
        out.append(table(["年份", "选定档次", "证明材料 / 说明", "得分 s", "权重×100", "得分点数"], rows, [2, 2, 6, 2, 2, 2]))
        return paragraphs(*out)

    rows, sources = [], []
    for year, r in per_year.items():
        value_trace = r.trace.value
        if r.status == "not_applicable":
            rows.append([year, "不适用：" + (r.justification or ""), "—", "—", "—", "—"])
            continue
        if r.status == "missing":
            note = f"（{value_trace.note}）" if value_trace is not None and value_trace.note else ""
            rows.append([year, f"数据缺失（数据缺口，不作为薄弱环节）：{gaps.missing_text(catalog, r.missing_inputs)}{note}",
                         "—", "—", score(0), points(0)])
        else:
            assert value_trace is not None and r.trace.scoring is not None
            computed = value_trace.substituted
            if r.variant:
                computed = f"（按替代口径“{r.variant}”：{value_trace.formula_zh}）{computed}"
            if r.trace.driver is not None:
                computed += f"；{r.trace.driver.formula_zh}：{r.trace.driver.substituted}%"
            rows.append([year, computed, f"{fmt(r.value)} {r.unit}{quality.flags_text(r.quality_flags)}",
                         r.trace.scoring.substituted,
                         score(r.score), f"{r.trace.points}"])
        if value_trace is not None:
            sources += [*value_trace.inputs, *(r.trace.driver.inputs if r.trace.driver else [])]
    out.append(table(["年份", "计算过程", "指标值", "评分过程", "得分 s", "得分点数 = s × 权重 × 100"], rows,
                     [2, 5, 3, 4, 2, 4]))
    if sources:
        unique = list({(i.symbol, i.year): i for i in sources}.values())
        unique.sort(key=lambda i: (i.year or 0, i.symbol))
        out.append(paragraphs(Md("数据来源："), table(INPUT_HEADERS, input_rows(unique), INPUT_WIDTHS),
                              quality.notes(unique)))
    return paragraphs(*out)


def level_heading(name: str) -> Md:
    return heading(3, name)


def level_subtotals(result: Result) -> Md:
    first = next(iter(result.yearly.values()))
    levels = list(first.target_levels)
    rows = [[f"{y}年", *(points(yr.target_levels[lv]) for lv in levels), points(yr.base_points),
             points(yr.bonus), points(yr.index)] for y, yr in result.yearly.items()]
    rows.append(["满分", *(f"{first.target_level_max[lv]:g}" for lv in levels),
                 f"{sum(first.target_level_max.values()):g}", "≤10", "—"])
    return table(["年份", *levels, "指标得分合计", "加分", "年度指数"], rows)


def first_level_table(result: Result) -> Md:
    rows = [[f.target_level, f.first_level, points(f.mean_points), points(f.max_points), f"{f.share:.1%}"]
            for f in result.first_level_means]
    return paragraphs(Md("各一级指标得分（评价年及前两年平均）："),
                      table(["目标层", "一级指标", "平均得分", "满分", "得分率"], rows))


def index_section(result: Result) -> Md:
    assert result.index_trace is not None
    lines = []
    for year, yr in result.yearly.items():
        flag = "" if yr.in_index else "（仅作趋势展示，不计入指数）"
        lines.append(f"{year}年{flag}：{yr.trace.substituted} 分")
    return paragraphs(bullets(lines), trace_block(result.index_trace, "绩效指数"))


def _rate_row(rate: Rate, base: int, target: int) -> list[object]:
    status = {True: "下降/改善", False: Md("**上升/恶化**"), None: "无法判定（缺数据）"}[rate.improved]
    return [rate.name_zh, fmt(rate.base, 6), fmt(rate.target, 6), rate.unit, pct(rate.rate), status]


def overall(result: Result) -> Md:
    o = result.overall
    assert o is not None
    headers = ["项目", f"{o.base_year}年（基准年）", f"{o.target_year}年（目标年）", "单位", "削减率/增长率", "判定"]
    rows = [_rate_row(r, o.base_year, o.target_year) for r in [o.carbon_intensity, *o.classes, *o.pollutants]]
    eff = o.efficiency
    rows.append([f"增效水平：{eff.name_zh}", fmt(eff.base, 6), fmt(eff.target, 6), eff.unit, pct(eff.rate),
                 {True: "提高", False: Md("**未提高**"), None: "无法判定（缺数据）"}[eff.improved]])
    rule = ("判定规则：碳排放强度下降、增效水平提高，且大气、水、固体废物各类污染物排放强度均下降时为正向"
            + ("（严格模式：每项污染物均须下降）" if o.strict else "；单项污染物上升予以标注")
            + "；实测数据显示上升时为负向；缺少基准年或目标年数据时为无法判定（不视为不合格，补齐数据前不予定级）。")
    out = [table(headers, rows, [4, 2, 2, 2, 2, 2]), escape(rule),
           paragraphs(Md("**整体评价结论：{0}。**").format(VERDICT_ZH[o.verdict]), bullets(list(o.reasons)))]
    if o.flags:
        out.append(escape("标注：" + "；".join(o.flags) + "。"))
    out.append(Md("计算过程："))
    for rate in [o.carbon_intensity, *o.classes, *o.pollutants, o.efficiency]:
        out.append(trace_block(rate.trace, rate.name_zh))
    return paragraphs(*out)


def carbon_years(result: Result) -> dict[int, dict]:
    found = {int(y): c for y, c in result.carbon_before_window.items()}
    found |= {y: yr.carbon for y, yr in result.yearly.items() if yr.carbon}
    return dict(sorted(found.items()))


def carbon(result: Result) -> Md:
    years = carbon_years(result)
    if not years:
        return Md("园区未提供能源消费数据，碳排放相关指标按园区填报值或数据缺失处理。")
    names = list(dict.fromkeys(name for c in years.values() for name in c["by_source"]))
    rows: list[list[object]] = [
        [name, *(fmt(c["by_source"].get(name), 6) if name in c["by_source"] else "—" for c in years.values())]
        for name in names]
    rows.append([Md("**合计（tCO2）**"), *(Md("**{0}**").format(fmt(c["total_t"], 6)) for c in years.values())])
    rows.append(["综合能源消费量（tce）", *(fmt(c.get("energy_tce"), 6) for c in years.values())])
    rows.append(["非化石能源消费量（tce）", *(fmt(c.get("nonfossil_tce"), 6) for c in years.values())])
    rows.append(["碳排放强度（tCO2/万元）", *(fmt(c.get("intensity"), 4) for c in years.values())])
    out = [table(["排放源", *(f"{y}年" for y in years)], rows)]
    methods = {y: c["method"] for y, c in years.items()}
    verified = [str(y) for y, m in methods.items() if m == "verified_total"]
    if verified:
        out.append(escape(f"{'、'.join(verified)}年采用园区提供的经核证二氧化碳排放总量，未按能源数据核算。"))
    factors: dict[str, dict] = {}
    for c in years.values():
        for f in c["factors"]:
            factors.setdefault(f"{f['id']}@{f.get('year')}", f)
    factor_rows = [[f["name_zh"], fmt(f["value"], 6), f["unit"], f.get("year") or "—",
                    f["source"] + ("" if f.get("verified", True) else "（二手来源，未核实）")]
                   for f in factors.values()]
    tables = {c.get("factor_table") for c in years.values() if c.get("factor_table")}
    out.append(paragraphs(Md("排放因子（因子表 {0}）：").format("、".join(sorted(tables))),
                          table(["因子", "数值", "单位", "适用年份", "来源"], factor_rows, [3, 2, 2, 2, 7])))
    notes = list(dict.fromkeys(n for c in years.values() for n in c.get("notes", [])))
    if notes:
        out.append(paragraphs(Md("说明："), bullets(notes)))
    for year, c in years.items():
        for key, title in (("energy_tce", "综合能源消费量"), ("nonfossil_tce", "非化石能源消费量")):
            if key in c["traces"]:
                out.append(trace_block(Trace.model_validate(c["traces"][key]), f"{year}年{title}"))
        rows = [[line["source_zh"], fmt(line["activity"], 6), line["activity_unit"], line["activity_source"],
                 line["co2_trace"]["substituted"] if line.get("co2_trace") else "—", fmt(line.get("co2_t"), 6)]
                for line in c["lines"]]
        out.append(paragraphs(Md("{0}年核算明细：").format(year),
                              table(["排放源", "活动水平", "单位", "数据来源", "计算过程", "tCO2"], rows,
                                    [2, 3, 2, 4, 6, 3])))
    return paragraphs(*out)


def grade(result: Result) -> Md:
    return paragraphs(
        Md("**评价等级：{0}**").format(GRADE_ZH[result.grade]),
        escape(f"{result.grade_reason}。"),
        escape("等级划分（标准6.4）：指数 ≥ 85 为 AAA 级；75 ≤ 指数 < 85 为 AA 级；60 ≤ 指数 < 75 为 A 级；"
               "< 60 为无级别。目标层任一类得分低于其满分值的50%时不能评为AA级及以上。"
               "整体评价为负向或基本要求不达标的园区不予定级；基本要求待补证时评价暂缓；数据覆盖率低于指标目录规定的最低值"
               "或整体评价因缺少数据无法判定时，不予定级（不作为不合格结论）。评价有效期三年，有效期内每年进行持续符合性声明（7.1.2、7.2.2）。"))


def weaknesses(result: Result, catalog: Catalog, top: int = 10) -> Md:
    """Weaknesses of the measured indicators and advice drawn from the data; data gaps are listed
    separately (`gaps.data_gaps_section`), never as weaknesses."""
    return gaps.weaknesses_section(result, catalog, top)


def methodology(result: Result, catalog: Catalog) -> Md:
    out = [Md("本报告按标准第5部分的评价流程进行：基本要求评价 → 绩效指标评价（逐年）→ 绩效指数（三年平均）→ 整体评价 → 等级划分。"
              "标准未明确之处，evalkit 采用以下默认决定（可由省级或自定义指标目录调整）：")]
    out.append(Md("\n").join(Md("{0}. **{1}**：{2}").format(n, d.title_zh, d.text_zh)
                             for n, d in enumerate(catalog.decisions, 1)))
    out.append(paragraphs(Md("标准原文的不一致之处及处理："),
                          table(["位置", "说明"], [[d.where, d.text_zh] for d in catalog.discrepancies], [1, 5])))
    if result.warnings:
        out.append(paragraphs(Md("本次评价的提示："), bullets(list(result.warnings))))
    if result.overrides:
        rows = [[o.code, o.name_zh, o.field, f"{fmt(o.catalog_value)} {o.unit}", f"{fmt(o.park_value)} {o.unit}",
                 o.justification, o.source] for o in result.overrides]
        out.append(paragraphs(Md("园区替换的参考值："),
                              table(["编号", "指标", "参数", "目录值", "采用值", "理由", "来源"], rows)))
    else:
        out.append(Md("本次评价未替换指标目录中的任何参考值。"))
    unverified = []
    for ind in catalog.indicators:
        for variant in ind.variants():
            for ref in (variant.scoring.reference, variant.scoring.floor):
                row = [ind.code, ind.name_zh, f"{fmt(ref.value)} {ref.unit}", ref.source] if ref else None
                if ref is not None and not ref.verified and row not in unverified:  # alternatives share references
                    unverified.append(row)
    if unverified:
        out.append(paragraphs(Md("以下参考值仅见于二手来源或为 evalkit 默认值，尚未与原文核对，使用时请评价机构确认："),
                              table(["编号", "指标", "参考值", "来源"], unverified, [2, 3, 2, 8])))
    return paragraphs(*out)


def sources(result: Result) -> Md:
    used: dict[str, set[str]] = defaultdict(set)
    for yr in result.yearly.values():
        for i in yr.indicators:
            for trace in (i.trace.value, i.trace.driver):
                for inp in (trace.inputs if trace else []):
                    used[inp.source].add(inp.name_zh)
    rows = [[n, src, "、".join(sorted(items))] for n, (src, items) in enumerate(sorted(used.items()), 1)]
    out = [paragraphs(Md("统计与监测数据来源："), table(["序号", "来源", "数据项"], rows, [2, 5, 5]))]
    evidence = [["基本要求", item.text_zh, item.evidence] for item in result.gate.items if item.evidence]
    for yr in result.yearly.values():
        for i in yr.indicators:
            if i.trace.scoring and i.trace.scoring.evidence:
                evidence.append([f"{i.code}（{yr.year}年）", i.name_zh, i.trace.scoring.evidence])
        for item in yr.bonus_items:
            if item.evidence:
                evidence.append([f"加分项（{yr.year}年）", item.name, item.evidence])
    if evidence:
        out.append(paragraphs(Md("证明材料："), table(["用途", "事项", "证明材料"], evidence, [2, 4, 6])))
    return paragraphs(*out)


def reproducibility(result: Result, files: dict[str, str], parameters: dict[str, object]) -> Md:
    hashes = bullets([f"{label}（{Path(path).name}）SHA-256：{_sha256(path)}" for label, path in files.items()])
    params = [[k, v] for k, v in parameters.items()]
    return paragraphs(
        Md("本报告由 evalkit {0} 生成。评价结果全文（含每个数值的计算轨迹）见归档目录中的 results.json；"
           "manifest.json 记录全部输入文件、指标目录和报告模板的 SHA-256 以及软件版本。"
           "运行 evalkit verify \\<归档目录\\> 可用归档的输入重新执行本报告，并核对结果是否完全一致。").format(
            result.evalkit_version),
        paragraphs(Md("输入文件："), hashes),
        paragraphs(Md("运行参数："), table(["参数", "取值"], params)),
        Md("指标目录：{0} 版本 {1}，内容摘要 {2}。").format(result.catalog.id, result.catalog.version,
                                                  result.catalog.sha256),
    )


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
