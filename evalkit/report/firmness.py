"""The report's "how firm is the grade" (等级稳健性) section: margins to the neighbouring bands, what
the grade rests on, Monte Carlo grade probabilities, indicator removal and Sobol indices.

Everything shown is a field of an `evalkit.analysis.firmness.Firmness` computed in the notebook
(`ReportContext.firmness`); nothing is recomputed here. The section closes the summary chapter.
Markdown is built with `evalkit.report.markup` (catalog text is escaped).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from evalkit.analysis.firmness import Firmness
from evalkit.analysis.margins import CHANGE_ZH
from evalkit.analysis.uncertainty import KIND_ZH
from evalkit.report.charts import GREEN, GREY, RED, new_figure
from evalkit.report.markup import Md, paragraphs, table
from evalkit.report.context import ReportContext
from evalkit.report.layout import END_KEEP, KEEP_TOGETHER, LEAD_IN
from evalkit.report.sections import GRADE_ZH, Figure, Later, summary_chapter

SCENARIO_ZH = {"bonus": "加分项", "not_applicable": "不适用声明", "override": "参考值替换"}
SCOPE_ZH = {"measured": "实测", "derived": "推算", "estimated": "估算", "proxy": "替代"}


def _points(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def _grade(grade: str) -> str:
    return GRADE_ZH.get(grade, grade)


def summary_with_firmness(ctx: ReportContext) -> Iterable[Md | Figure | Later]:
    """The summary chapter, then 等级的稳健性 when the notebook computes it (built last: the
    analysis may still be running beside the notebook)."""
    summary = summary_chapter(ctx)
    yield from ([summary] if isinstance(summary, str) else summary)
    if ctx.firmness is not None:
        yield Later(lambda: firmness_section(ctx))


def firmness_section(ctx: ReportContext) -> Iterable[Md | Figure]:
    """等级的稳健性: margins, grade probabilities and what drives the index."""
    firm = ctx.firmness_analysis()
    if firm is None or firm.index is None:
        return
    yield Md("## 等级的稳健性")
    yield margins_section(firm)
    yield probabilities_section(firm)
    bands = {b.grade: b.min for b in ctx.catalog.grading.bands}
    caption = f"绩效指数的不确定性分布（{firm.uncertainty.samples}次抽样）"
    if firm.reference_only and firm.uncertainty.without_missing is not None:
        caption = (f"绩效指数（参考值）的不确定性分布（{firm.uncertainty.samples}次抽样）："
                   "深色为现有数据的不确定性，浅色为补齐缺失数据后的可能位置（假设缺失数据得分均匀取值）")
    yield Figure(caption, index_distribution_chart(firm, bands))
    yield sensitivity_section(firm)
    if firm.sobol is not None:
        yield Figure("影响绩效指数的主要因素（Sobol指数）", sobol_chart(firm))


def margins_section(firm: Firmness) -> Md:
    """Distance to the bands and what the grade rests on (for the summary page)."""
    if firm.index is None:
        return Md("基本要求不满足，未开展绩效指数计算，故不分析等级的稳健性。")
    if firm.reference_only:
        return reference_margins(firm)
    m = firm.margins
    rows = []
    if m.above:
        rows.append([Md("距上一等级"), Md("{} 分（{}门槛 {} 分）").format(
            _points(m.above.distance), _grade(m.above.grade), f"{m.above.min:g}")])
    else:
        rows.append([Md("距上一等级"), Md("已达最高等级门槛")])
    if m.below:
        rows.append([Md("距跌出当前指数档"), Md("{} 分（{}门槛 {} 分）").format(
            _points(m.below.distance), _grade(m.below.grade), f"{m.below.min:g}")])
    else:
        rows.append([Md("距最低等级门槛"), Md("指数低于所有等级门槛")])
    for s in m.scenarios:
        what = SCENARIO_ZH[s.kind] + (f" {s.code}" if s.code else "")
        rows.append([what, Md("{}：指数 {}，等级 {}{}").format(
            s.label_zh, _points(s.index), _grade(s.grade), "（等级改变）" if s.grade != m.grade else "（等级不变）")])
    changers = m.grade_changers()
    names = "、".join(f"{s.code} {s.name_zh}（{CHANGE_ZH[s.change]} → {_grade(s.grade)}，指数 {_points(s.index)}）"
                     for s in changers)
    rows.append([Md("单项指标变化即改变等级"), names or Md("无：任一指标评分档次变动一档或指标值变动10%均不改变等级")])
    note = Md("距离按保留两位小数的绩效指数计算；“去掉”某事项的结果由评价引擎对去掉该事项后的园区数据重新完整计算得出；"
              "单项指标变化为在评价年及前两年同时变动该指标。")
    if firm.grade in ("not_rated", "deferred") or (m.below and m.below.grade != firm.grade):
        note = note + Md("当前等级并非仅由指数决定（整体评价或50%规则），距离仅说明指数的位置。")
    return paragraphs(table(["项目", "结果"], rows, [1, 4]), note)


def reference_margins(firm: Firmness) -> Md:
    """Below the coverage minimum the index counts the missing data as 0: its distance to the grade
    bands is not performance. Say what the index is and what supplying the data could change."""
    assert firm.index is not None
    top = firm.index + firm.missing_points
    rows = [[Md("绩效指数"), Md("{} 分，仅为参考值：数据覆盖不足，缺失数据按0分计入，不反映园区绩效，不作定级依据").format(
                _points(firm.index))],
            [Md("补齐数据可能带来的变化"), Md("缺失数据对应 {} 分；补齐后指数在 {} 分（缺失指标均得0分）至 {} 分"
                                             "（均得满分）之间，能否定级及等级由补齐的数据决定").format(
                _points(firm.missing_points), _points(firm.index), _points(top))]]
    note = Md("数据覆盖不足时不计算指数与各等级门槛的距离，也不分析单项指标变化对等级的影响："
              "这些只在补齐数据、指数可作定级依据后才有意义。")
    return paragraphs(table(["项目", "结果"], rows, [1, 4]), note)


def probabilities_section(firm: Firmness) -> Md:
    """Grade probabilities and index quantiles of the Monte Carlo run, with its settings and seed."""
    u = firm.uncertainty
    if u is None:
        return Md("")
    probabilities = u.all.probabilities(u.grades)
    grade_rows = [[_grade(g), f"{p:.1%}"] for g, p in probabilities.items() if p > 0]
    bands = u.bands
    scopes = "、".join(f"{SCOPE_ZH.get(k, k)} ±{v:.0%}" for k, v in bands.scopes.items())
    # A table, not a sentence: the interval settings' id is a long unbreakable token, and in a justified
    # CJK line it made Typst spread the line before it letter by letter.
    settings = table(["不确定性设定", "取值"], [
        [Md("样本数"), u.samples], [Md("随机种子"), u.seed],
        [Md("各因素的波动区间"), Md("取自不确定性区间设定（{}）").format(bands.id)],
        [Md("权重"), Md("±{}（各目标层权重合计不变）").format(f"{bands.weights:.0%}")],
        [Md("参考值"), Md("±{}（有实际数据的指标每项一个因素，其参考值与下限同步变动）").format(f"{bands.references:.0%}")],
        [Md("数据（按口径）"), scopes],
        [Md("缺失数据"), Md("得分率在 {}–{} 之间均匀取值（评价本身按0分计）").format(
            f"{bands.missing_range[0]:g}", f"{bands.missing_range[1]:g}")],
        [Md("不确定因素"), Md("共 {} 个").format(u.all.factors)]], [1, 4])
    settings = paragraphs(KEEP_TOGETHER, Md("同一种子和设定可重现全部数字："), settings, END_KEEP)
    separate = firm.reference_only and u.without_missing is not None
    by_kind = [[KIND_ZH[kind] + ("（补齐数据后的可能位置）" if separate and kind == "missing" else ""), d.factors,
                _points(d.quantiles().get("p05")), _points(d.quantiles().get("p50")),
                _points(d.quantiles().get("p95")), f"{d.probabilities(u.grades).get(u.grade, 0.0):.1%}"]
               for kind, d in u.by_kind.items() if d.factors]
    notes = [] if separate else [_median_note(firm, u.all)]
    notes += _status_notes(firm, probabilities)
    by_kind_table = table(["来源", "因素数", "第5百分位", "中位数", "第95百分位", Md("保持{}的概率").format(_grade(u.grade))],
                          by_kind, [1, 1, 1, 1, 1, 2])
    if separate:
        known, low, high = u.without_missing, bands.missing_range[0], bands.missing_range[1]
        with_missing = u.all.quantiles()
        return paragraphs(
            Md("**蒙特卡洛不确定性分析**：评价结果为 {} 分（参考值，{}）。数据覆盖不足：缺失数据在评价中按0分计，"
               "在本分析中得分在 {}–{} 之间取值，由此得到的是补齐数据后指数可能的位置，不是现有结果的误差，"
               "故与其他来源分开列出。").format(_points(firm.index), _grade(firm.grade), f"{low:g}", f"{high:g}"),
            KEEP_TOGETHER, Md("现有数据的不确定性（权重、参考值、数据同时变动，缺失数据仍按0分计）："),
            table(["指数分位数", "分"], _quantile_rows(known.quantiles()), [1, 1]), END_KEEP,
            Md("补齐数据后指数的可能位置（另加缺失数据在 {}–{} 之间均匀取值）：中位数 {} 分，第5至第95百分位 {}–{} 分。"
               "这不是预测：均匀取值只是假设，补齐的实际数据可使指数落在 {} 分（缺失指标均得0分）至 {} 分"
               "（均得满分）之间的任何位置。").format(
                f"{low:g}", f"{high:g}", _points(with_missing.get("p50")), _points(with_missing.get("p05")),
                _points(with_missing.get("p95")), _points(firm.index), _points(firm.index + firm.missing_points)),
            KEEP_TOGETHER, Md("各不确定性来源单独作用时："), by_kind_table, END_KEEP, *notes, settings)
    return paragraphs(
        # Each table stays whole and with its lead-in on one page.
        KEEP_TOGETHER,
        Md("**蒙特卡洛不确定性分析**：评价结果为 {} 分（{}）；在下述设定下各等级的概率如下。").format(
            _points(firm.index), _grade(firm.grade)),
        table(["等级", "概率"], grade_rows, [1, 1]), END_KEEP,
        KEEP_TOGETHER, table(["指数分位数", "分"], _quantile_rows(u.all.quantiles()), [1, 1]), END_KEEP,
        KEEP_TOGETHER, Md("各不确定性来源单独作用时："), by_kind_table, END_KEEP, *notes, settings)


def _status_notes(firm: Firmness, probabilities: dict[str, float]) -> list[Md]:
    """What the probabilities of a status (not a grade) mean: 不予定级 in a sample of a positive overall
    evaluation; staying deferred, for a deferred park (the pending items and the missing data do not
    vary, only a measured rise can end the deferral)."""
    if firm.grade == "deferred":
        return [Md("评价暂缓时的概率不是获得某一等级的概率：待补证、待核实事项和缺失数据不随数据波动而变化，"
                   "抽样结果保持评价暂缓；只有数据波动使已有数据的碳排放强度、增效水平或某类污染物排放强度由下降"
                   "（增效为提高）变为上升（增效为下降）时，整体评价变为负向，该样本的结果为不予定级。"
                   "“保持{}的概率”即未出现这种变化的样本所占比例。").format(_grade(firm.grade))]
    if probabilities.get("not_rated", 0.0) > 0 and firm.grade != "not_rated" and firm.overall_verdict == "positive":
        return [Md("“不予定级”的概率来自数据波动使整体评价（目标年对照基准年）由正向变为负向的样本。")]
    return []


def _quantile_rows(quantiles: dict[str, float]) -> list[list]:
    return [[Md("第{}百分位").format(k[1:].lstrip("0") or "0"), _points(v)] for k, v in quantiles.items()]


def _median_note(firm: Firmness, together) -> Md:
    """Why the median of all sources sits where it does: below the result because scores are capped at
    full marks; above it because missing data, scored 0 by the evaluation, are drawn within their range."""
    median = together.quantiles().get("p50")
    if median is None or firm.index is None:
        return Md("")
    if median > firm.index + 0.005 and firm.missing_points > 0:
        return Md("缺失数据在评价中按0分计、在本分析中在其取值范围内取值，因此分布高于评价结果："
                  "高出的部分说明补齐数据后指数可能的位置，不是现有结果的误差。")
    if median < firm.index - 0.005:
        return Md("指标得分封顶于满分：已达满分的指标在数据向上波动时不再加分、向下波动时失分，"
                  "因此指数分布的中位数低于评价结果。")
    return Md("")


def sensitivity_section(firm: Firmness, top: int = 10) -> Md:
    """Indicator removal (COINr-style) and Sobol indices."""
    blocks = []
    if firm.removal is not None and firm.removal.removals and firm.index is not None:
        rows = [[r.code, r.name_zh, _points(r.index[firm.park]), f"{r.index[firm.park] - firm.index:+.2f}",
                 _grade(r.grade[firm.park])] for r in firm.removal.removals[:top]]
        blocks += [LEAD_IN, Md("**逐项剔除指标**（剔除后其权重按比例分配给同一目标层其他指标，与“不适用”处理相同；按指数变化由大到小列出前{}项）：").format(top),
                   END_KEEP, table(["指标", "名称", "剔除后指数", "变化", "剔除后等级"], rows, [1, 4, 1, 1, 1])]
    if firm.sobol is not None:
        s = firm.sobol
        rows = [[i.label, KIND_ZH[i.kind], f"{i.s1:.3f}", f"±{i.s1_conf:.3f}", f"{i.st:.3f}", f"±{i.st_conf:.3f}"]
                for i in s.indices[:top]]
        blocks += [LEAD_IN, Md("**全局敏感性（Sobol指数）**：一阶指数 S1 为该因素单独引起的指数方差份额，总效应指数 ST 含其交互作用；"
                      "数据因素按输入项（各年同向变动）计。抽样采用 Saltelli 设计（随机化 Halton 低差异序列），"
                      "S1 按 Saltelli 等（2010）的估计式、ST 按 Jansen（1999）的估计式计算，"
                      "置信区间为 100 次自助重抽样的 95% 区间半宽。基础样本 {}，计算 {} 次，随机种子 {}。"
                      "在此样本量下 S1 的估计误差远大于 ST（见两者的置信区间），S1 估计值高于 ST 的情况来自抽样误差，"
                      "因素的排序与解读以 ST 为准。").format(
                          s.base_samples, s.evaluations, s.seed), END_KEEP,
                   table(["因素", "类别", "S1", "S1置信区间", "ST", "ST置信区间"], rows, [3, 1, 1, 1, 1, 1])]
    return paragraphs(*blocks)


def index_distribution_chart(firm: Firmness, bands: dict[str, float]):
    """Histogram of the Monte Carlo index with the grade thresholds and the evaluated index."""
    fig, ax = new_figure(7.0, 3.2)
    u = firm.uncertainty
    values = u.all.index[~np.isnan(u.all.index)]
    if firm.reference_only and u.without_missing is not None:
        # the figures the park has apart from where supplying the missing data could take the index
        known = u.without_missing.index[~np.isnan(u.without_missing.index)]
        ax.hist(known, bins=40, color=GREEN, alpha=0.85, label="现有数据的不确定性")
        ax.hist(values, bins=40, color=GREY, alpha=0.6, hatch="//", edgecolor="white", linewidth=0,
                label="补齐缺失数据后的可能位置（假设）")
        values = np.concatenate([known, values])
    else:
        ax.hist(values, bins=40, color=GREEN, alpha=0.85)
    for grade, threshold in bands.items():
        if values.min() - 3 <= threshold <= values.max() + 3:
            ax.axvline(threshold, color=GREY, linestyle="--", linewidth=1)
            ax.text(threshold, ax.get_ylim()[1] * 0.95, f" {grade} ≥ {threshold:g}", fontsize=8, color="#555")
    ax.axvline(firm.index, color=RED, linewidth=1.5,
               label=f"评价结果 {firm.index:.2f}" + ("（参考值）" if firm.reference_only else ""))
    ax.set_xlabel("绩效指数（分）")
    ax.set_ylabel("样本数")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def sobol_chart(firm: Firmness, top: int = 15):
    """Sobol total and first-order indices, largest total effect first."""
    ranked = firm.sobol.indices[:top][::-1]
    fig, ax = new_figure(7.0, 0.32 * len(ranked) + 1.3)
    labels = [f"{i.label}（{KIND_ZH[i.kind]}）" for i in ranked]  # literal: use_cjk_font turns mathtext off
    positions = range(len(ranked))
    ax.barh([p + 0.2 for p in positions], [i.st for i in ranked], height=0.4, color=GREEN, label="总效应 ST")
    ax.barh([p - 0.2 for p in positions], [max(i.s1, 0.0) for i in ranked], height=0.4, color=GREY, label="一阶 S1")
    ax.set_yticks(list(positions), labels, fontsize=8)
    ax.set_xlabel("Sobol 指数（指数方差份额）")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
