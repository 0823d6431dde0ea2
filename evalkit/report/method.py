"""Report text for the method checks of issue 12, built with `evalkit.report.markup` (user and
catalog text is escaped; only evalkit's own wording is Markdown):

- the draft notice of the summary ("参考值未经核实") and whether the grade depends on the bonus;
- the same notice at the top of a comparison, trend or statement built on such evaluations;
- the bonus items, declared (申报) and approved (核定) against the catalog's rubric;
- the non-fossil method (发电煤耗法), the grid factor used for purchased electricity and the
  decomposition of the carbon-intensity change (grid factor vs the park);
- for the methodology section: the status of every reference used, the cross-checks between
  answers and data, and the not-applicable declarations with their structural reasons.

Nothing here computes: it shows what `evalkit.evaluation` put into the Result.
"""

from __future__ import annotations

from evalkit.core.trace import MINUS, Trace, fmt
from evalkit.evaluation.results import ReferenceStatus, Result
from evalkit.report.markup import Md, paragraphs, table
from evalkit.report.terms import GRADE_ZH
STATUS_ZH = {"verified": "已核实", "confirmed_by_assessor": "评价机构已核实", "unverified": "未经核实"}
FINDING_ZH = {"violated": "不一致", "consistent": "一致", "not_checkable": "缺少数据，无法核对"}
FIELD_ZH = {"reference": "参考值", "floor": "下限值"}
BASIS_ZH = {"published": "公开文件", "evalkit_default": "evalkit 默认值"}


def _trace(trace: Trace, title: str) -> Md:
    head = Md("**{}**：{}（{}）").format(title, trace.formula_zh, trace.formula)
    rows = [[i.year, i.name_zh, i.symbol, fmt(i.value, 6), i.unit, i.source] for i in trace.inputs]
    return paragraphs(
        head,
        Md("代入计算：{} {}").format(trace.substituted, trace.unit) if trace.substituted else None,
        Md("说明：{}").format(trace.note) if trace.note else None,
        table(["年份", "数据项", "符号", "数值", "单位", "数据来源"], rows, [2, 3, 2, 3, 2, 5]) if rows else None)


def _traces_by_year(traces: dict[int, Trace], title: str) -> Md:
    """One computation over several years: the formula once, a line per year, and every input once
    with its values per year (a long source is printed once, not once a year)."""
    first = next(iter(traces.values()))
    years = list(traces)
    inputs: dict[tuple, dict[int, float | None]] = {}
    for year, trace in traces.items():
        for i in trace.inputs:
            inputs.setdefault((i.name_zh, i.symbol, i.unit, i.source), {})[year] = i.value
    input_rows = [[name, symbol, unit, *(fmt(values[y], 6) if y in values else "—" for y in years), source]
                  for (name, symbol, unit, source), values in inputs.items()]
    notes = list(dict.fromkeys(t.note for t in traces.values() if t.note))
    return paragraphs(
        Md("**{}**：{}（{}）").format(title, first.formula_zh, first.formula),
        Md("说明：{}").format("；".join(notes)) if notes else None,
        table(["年份", "代入计算"], [[y, Md("{} {}").format(t.substituted, t.unit)] for y, t in traces.items()], [1, 9]),
        table(["数据项", "符号", "单位", *(f"{y}年" for y in years), "数据来源"], input_rows,
              [3, 1, 2, *([2] * len(years)), 5]) if input_rows else None)


# --- summary -----------------------------------------------------------------------------------

def summary_notice(result: Result, final: bool = False) -> Md:
    """The summary's statement on references (draft or formal) and on the bonus."""
    unverified = result.unverified_references
    defaults = [r for r in unverified if r.basis == "evalkit_default"]
    if not result.references:
        notice = None  # not evaluated: no benchmark was used
    elif unverified:
        notice = Md("> **参考值未经核实（草稿）**：本次评价使用的 {} 项参考值中，{} 项未经原文核实（其中 {} 项为 evalkit "
                    "默认值，无公开的同口径基准）。在评价机构逐项核实并注明文号和条款之前，本报告为草稿，评价结论仅供参考，"
                    "不能作为正式评价报告。清单见“评价方法说明”。").format(len(result.references), len(unverified),
                                                                      len(defaults))
    else:
        rules = sum(_default_rule(r) for r in result.references)
        notice = Md("> {}本次评价使用的 {} 项参考值均已核实（目录注明出处或评价机构注明文号和条款）{}。").format(
            Md("**正式报告**：") if final else Md(""), len(result.references) - rules,
            Md("；另有 {} 项为 evalkit 说明理由的默认评分规则（无原文可核）").format(rules) if rules else Md(""))
    return paragraphs(notice, bonus_summary(result))


def document_draft_notice(references: list[ReferenceStatus], document_zh: str,
                          parks_of: dict[tuple[str, str, float], list[str]] | None = None) -> Md:
    """The notice atop a comparison, trend or statement whose evaluations used unconfirmed `references`;
    it lists them, since such a document has no method section of its own. `parks_of` names the parks
    a value applies to, keyed (code, field, value): given where parks were scored against different values."""
    parks_of = parks_of or {}

    def one(r: ReferenceStatus) -> Md:
        text = Md("{} {} {} {}").format(r.code, FIELD_ZH[r.field], fmt(r.value), r.unit)
        parks = parks_of.get((r.code, r.field, r.value))
        return text + Md("（") + Md("、").join(parks) + Md("）") if parks else text

    listed = Md("、").join(one(r) for r in references)
    return Md("> **参考值未经核实（草稿）**：本{doc}所依据的评价使用的参考值中，{n} 项未经原文核实：{listed}。在评价机构"
              "逐项核实并注明文号和条款之前，本{doc}中的绩效指数、等级与结论为草稿，仅供参考，不能作为正式{doc}。").format(
        doc=document_zh, n=len(references), listed=listed)


def bonus_summary(result: Result) -> Md | None:
    dep = result.bonus_dependence
    if dep is None or result.index is None:
        return None
    counted = sum(result.yearly[y].bonus for y in result.index_years)
    if counted == 0:
        return Md("加分项：评价期计入指数的年份无核定加分，等级不依赖加分项。")
    if dep.depends:
        text = Md("**等级依赖加分项**：不计加分时绩效指数为 {}，等级为 {}；计入核定加分后为 {}，等级为 {}。")
    else:
        text = Md("等级不依赖加分项：不计加分时绩效指数为 {}，等级仍为 {}（计入核定加分后为 {}，{}）。")
    return text.format(f"{dep.index_without_bonus:.2f}", GRADE_ZH[dep.grade_without_bonus], f"{result.index:.2f}",
                       GRADE_ZH[result.grade])


# --- bonus -------------------------------------------------------------------------------------

def bonus(result: Result) -> Md:
    rows = [[y, item.name, (Md("{}（≤{}分）").format(item.rubric_name_zh, fmt(item.rubric_max_points))
                           if item.rubric_name_zh else item.rubric or "未对应加分细则"),
             fmt(item.points), fmt(item.approved_points) if item.approved_points is not None else "待核定",
             item.approval_note or "—", item.justification, item.evidence or "—"]
            for y, yr in result.yearly.items() for item in yr.bonus_items]
    if not rows:
        return paragraphs(Md("### 加分项"), Md("评价期内园区未申报加分项。"))
    years = [[y, fmt(yr.bonus_claimed), fmt(yr.bonus_approved), fmt(yr.bonus)]
             for y, yr in result.yearly.items() if yr.bonus_items]
    return paragraphs(
        Md("### 加分项"),
        Md("园区申报加分项（申报分值），评价机构按指标目录的加分细则逐项核定（核定分值）；只有核定分值计入年度指数，"
           "每年合计不超过上限。"),
        table(["年份", "加分项", "对应加分细则", "申报分值", "核定分值", "核定说明", "申报理由", "证明材料"], rows,
              [2, 4, 4, 2, 2, 5, 5, 4]),
        table(["年份", "申报合计", "核定合计", "计入指数"], years),
        bonus_summary(result))


# --- carbon ------------------------------------------------------------------------------------

def carbon_method(result: Result) -> Md:
    title = Md("### 非化石能源、外购电力因子与强度变化分解")
    years = {y: yr.carbon for y, yr in result.yearly.items() if yr.carbon}
    if not years:
        return paragraphs(title, Md("园区未提供能源消费数据，无法说明非化石能源与电力排放的核算口径。"))
    methods = list(dict.fromkeys(c.get("nonfossil_method") for c in years.values() if c.get("nonfossil_method")))
    rows = []
    for year, c in years.items():
        for line in c["lines"]:
            trace = line.get("co2_trace")
            if line["field"] == "energy.electricity_purchased" and trace:
                factor = next((i for i in trace["inputs"] if i["symbol"] == "EF"), None)
                rows.append([year, factor["name_zh"] if factor else "—", fmt(factor["value"]) if factor else "—",
                             factor["unit"] if factor else "—", trace.get("note") or "未扣除绿色电力，采用含全部电源的因子"])
    out = [title, Md("**非化石能源占一次能源消费比重（指标16）的口径**：{}。非化石能源包括园区自发自用可再生能源电力、外购市场化交易"
              "绿色电力，以及其余外购电网电力中按全国（或所在区域）非化石能源发电量比重计算的部分；换算系数、电网非化石"
              "比重及其来源和年份见碳排放核算明细。").format("；".join(methods) or "—")]
    share_rows = [[y, fmt(c.get("nonfossil_tce"), 6), fmt(c.get("primary_energy_tce") or c.get("energy_tce"), 6),
                   fmt(c.get("nonfossil_share"), 4)] for y, c in years.items()]
    out.append(table(["年份", "非化石能源消费量（tce）", "分母：一次能源消费量（tce）", "非化石能源占比（%）"], share_rows))
    for key, title in (("nonfossil_tce", "非化石能源消费量"), ("primary_tce", "一次能源消费量（发电煤耗法）"),
                       ("nonfossil_share", "非化石能源占比")):
        traces = {year: Trace.model_validate(c["traces"][key]) for year, c in years.items()
                  if c["traces"].get(key) and c["traces"][key].get("result") is not None}
        if traces:
            out.append(_traces_by_year(traces, title))
    if rows:
        out.append(Md("**外购电力的排放因子**：扣除市场化交易绿色电力的年份，其余外购电量采用生态环境部、国家统计局发布的"
                      "“不包括市场化交易的非化石能源电量”的全国电力平均二氧化碳排放因子，避免绿色电力重复计算。"
                      "同一园区各年采用同一因子序列：园区任一年扣除绿色电力时，各年（含未扣除的年份）外购电量均按"
                      "不包括市场化交易非化石能源电量的序列核算；从未扣除时均按含全部电源的序列核算。"
                      "这样，碳排放总量变化率（指标11）、碳排放强度下降率等同比指标和整体评价的两个年份按同一口径比较，"
                      "因子序列的切换不会表现为排放增减；同一序列逐年数值变化的影响见下文分解。"))
        out.append(table(["年份", "采用的因子", "数值", "单位", "说明"], rows, [1, 4, 1, 2, 6]))
    out.append(decomposition(result))
    return paragraphs(*out)


def decomposition(result: Result) -> Md:
    d = result.carbon_decomposition
    if d is None:
        note = result.carbon_decomposition_note
        return Md("**碳排放强度变化的分解**：{}。").format(note) if note else Md("")
    share = (lambda part: f"{part / d.change:.1%}".replace("-", MINUS) if d.change else "—")
    # Intensities at the precision of the decomposition's trace (fmt's default), so table and text agree.
    rows = [
        ["基准年碳排放强度", d.base_year, fmt(d.intensity_base), "—"],
        ["目标年碳排放强度", d.target_year, fmt(d.intensity_target), "—"],
        [Md("按{}年电网排放因子重算的目标年强度").format(d.base_year), d.target_year,
         fmt(d.intensity_target_at_base_factor), "—"],
        ["强度变化合计", Md("{}→{}").format(d.base_year, d.target_year), fmt(d.change), "100%"],
        ["其中：电网排放因子变化的影响", "—", fmt(d.grid_effect), share(d.grid_effect)],
        ["其中：园区自身变化（用能、结构、增加值）", "—", fmt(d.park_effect), share(d.park_effect)],
    ]
    return paragraphs(
        Md("**碳排放强度变化的分解**：全国电网排放因子逐年变化，园区碳排放强度的变化有一部分并非园区自身努力所致。"
           "将目标年外购电量按基准年同一因子序列的数值重算，两部分之和等于强度变化（单位 tCO2/万元，负值为下降）。"),
        table(["项目", "年份", "tCO2/万元", "占变化"], rows, [5, 2, 2, 2]),
        _trace(d.traces["recomputed"], "按基准年因子重算"),
        _trace(d.traces["split"], "分解"))


# --- methodology -------------------------------------------------------------------------------

def methodology(result: Result) -> Md:
    return paragraphs(Md("### 参考值核实情况"), references(result),
                      Md("### 作答与数据的一致性核对"), consistency(result),
                      Md("### 不适用指标"), not_applicable(result))


def _default_rule(r: ReferenceStatus) -> bool:
    """evalkit's own reasoned rule (100 % as full marks …): nothing published to verify it against."""
    return r.status == "verified" and r.basis == "evalkit_default"


def reference_status_zh(r: ReferenceStatus) -> str:
    return "evalkit 默认规则（无原文可核）" if _default_rule(r) else STATUS_ZH[r.status]


def references(result: Result) -> Md:
    if not result.references:
        return Md("本次评价未使用定量参考值。")
    rows = [[r.code, r.name_zh, FIELD_ZH[r.field], Md("{} {}").format(fmt(r.value), r.unit),
             BASIS_ZH.get(r.basis, r.basis) + ("（园区替换）" if r.overridden else ""), reference_status_zh(r),
             r.citation or r.source]
            for r in sorted(result.references, key=lambda r: (r.status != "unverified", r.code))]
    counts = {status: sum(r.status == status for r in result.references) for status in STATUS_ZH}
    rules = sum(_default_rule(r) for r in result.references)
    return paragraphs(
        Md("本次评价使用参考值 {} 项：已核实 {} 项，evalkit 默认规则 {} 项，评价机构已核实 {} 项，未经核实 {} 项。"
           "“已核实”指目录注明了读到原文的出处（文件、条款及所读文本的位置；发布机构网站无法访问时注明所读的逐字转载）；"
           "“evalkit 默认规则”是 evalkit 说明理由的评分规则（如比例类指标以100%为满分、投诉不减少不得分），无原文可核，"
           "不计为已核实，也不使报告成为草稿；"
           "“未经核实”的参考值仅见于二手来源或为待省级目录确定的默认数值。存在未经核实的参考值时，报告为草稿，"
           "页脚标注“参考值未经核实”；正式报告须在全部参考值核实后方可出具。").format(
            len(result.references), counts["verified"] - rules, rules, counts["confirmed_by_assessor"],
            counts["unverified"]),
        table(["指标", "名称", "参数", "数值", "依据类型", "核实状态", "出处 / 核实依据"], rows, [1, 4, 2, 2, 2, 2, 8]))


def consistency(result: Result) -> Md:
    if not result.consistency:
        return Md("指标目录的一致性规则在本次评价中均不适用。")
    rows = [[f.year, f.answer_zh, Md("{}：{}").format(f.trace.formula_zh, f.trace.substituted),
             Md("{}").format(f.expected_zh), FINDING_ZH[f.status], f.text_zh]
            for f in sorted(result.consistency, key=lambda f: (f.status != "violated", f.rule, f.year))]
    violated = sum(f.status == "violated" for f in result.consistency)
    lead = (Md("指标目录以数据形式规定了作答与园区数据之间应满足的关系。本次核对 {} 项，其中 **{} 项不一致**，"
               "请评价机构核实作答或数据；不一致不改变得分，但须在评价结论中说明。").format(len(result.consistency), violated)
            if violated else
            Md("指标目录以数据形式规定了作答与园区数据之间应满足的关系。本次核对 {} 项，未发现不一致。").format(
                len(result.consistency)))
    return paragraphs(lead, table(["年份", "作答", "数据", "应满足", "结果", "规则"], rows, [1, 5, 6, 2, 2, 6]))


def not_applicable(result: Result) -> Md:
    if not result.not_applicable:
        return Md("本次评价无不适用指标。")
    rows = [[n.code, n.name_zh, n.reason_zh or n.reason or "—", n.justification, "、".join(map(str, n.years))]
            for n in result.not_applicable]
    return paragraphs(
        Md("不适用须从指标目录的结构性原因清单中选择一项并附书面说明；“无法单独统计”等情形属于数据缺失，按缺失处理"
           "（得0分并列为数据缺口），不作不适用。不适用指标的权重按比例分配给同一目标层的其他指标。"),
        table(["指标", "名称", "结构性原因", "说明", "年份"], rows, [1, 3, 4, 8, 2]))
