"""The report's text: each chapter of the Chinese evaluation report as Markdown blocks, built from
a `ReportContext` (the evaluation Result, the catalog, the park file). Nothing here computes a
result: every number shown is a value or a trace of the Result, so the report and results.json
cannot disagree. `evalkit.report.chapters` puts the chapters in order.

Every function returns `Md` (or yields `Md` and `Figure`): evalkit's own Markdown, with every value
from the park file, the catalog or the factor table escaped by `evalkit.report.markup`, so it shows
as literal text. Code symbols (input symbols, formulas in symbols) appear only in the symbols
appendix; the body speaks Chinese.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.evaluation.grade import incurable_zh, withheld_zh
from evalkit.evaluation.results import IndicatorResult, LevelCheck, Rate, Result
from evalkit.intake.checks import years_used
from evalkit.report import charts, coverage, gaps, method, quality
from evalkit.report.context import ReportContext
from evalkit.report.layout import CONTENTS, END_KEEP, KEEP_TOGETHER, LEAD_IN, NORMAL_TABLES, PAGE_BREAK, SMALL_TABLES
from evalkit.report.markup import Md, escape, paragraphs, table
from evalkit.report.numbers import number
from evalkit.report.terms import (DIRECTION_ZH, GATE_ITEM_ZH, GATE_ZH, GRADE_ZH, INDEX_STATUS_ZH,  # noqa: F401
                                  STATUS_ZH, VERDICT_ZH)
from evalkit.report.unfilled import PLACEHOLDER, unfilled_fields, unfilled_section

OVERRIDE_FIELD_ZH = {"reference": "参考值（得满分）", "floor": "下限（得0分）"}
FACTOR_DECIMALS = 6  # factors as their source gives them (0.1229, 0.5703), not at a display precision
NOT_EVALUATED = Md("基本要求不满足，按标准6.1.2不开展本部分评价。")


@dataclass(frozen=True)
class Figure:
    """A chart and its caption; the chapter runner numbers figures (图1, 图2 …)."""

    caption: str
    figure: Any


@dataclass(frozen=True)
class Later:
    """Blocks that wait for work still running beside the notebook (the firmness analysis): the
    chapter runner builds them after every other block, and shows them in their place."""

    build: Callable[[], Iterable[Md | Figure]]


# --- building blocks -----------------------------------------------------------------------------

def heading(level: int, text: str) -> Md:
    return Md("#" * level + " ") + text


def bullets(items: list[Any]) -> Md:
    return Md("\n").join(Md("- ") + item for item in items)


def or_placeholder(text: str | None) -> str:
    return text if text else PLACEHOLDER


def years_text(years: list[int]) -> str:
    return "、".join(f"{y}年" for y in years)


def per_year(result: Result, code: str) -> dict[int, IndicatorResult]:
    return {y: next(i for i in yr.indicators if i.code == code) for y, yr in result.yearly.items()}


def max_points_text(ctx: ReportContext, code: str) -> str:
    """满分 of an indicator in the evaluation year, saying so when weights were redistributed."""
    result = ctx.result
    r = per_year(result, code)[result.evaluation_year]
    published = r.published_weight * 100
    if r.status == "not_applicable":
        return f"不适用（公布权重 {r.published_weight:g}）"
    if abs(r.max_points - published) > 1e-9:
        return (f"{ctx.numbers.points(r.max_points)} 分（公布权重 {r.published_weight:g}，同一目标层有不适用指标，"
                "权重按比例调整后的满分）")
    return f"{r.max_points:g} 分"


# --- cover, sign-off, contents -------------------------------------------------------------------

def cover(ctx: ReportContext) -> Iterator[Md]:
    result, info = ctx.result, ctx.park.report
    p = result.profile
    rows = [
        ["报告编号", or_placeholder(info.report_no)],
        ["被评价园区", result.park_name],
        ["委托方", or_placeholder(info.client)],
        ["评价机构", or_placeholder(info.assessor or p.get("assessor"))],
        ["评价类型", p.get("assessment_type") or PLACEHOLDER],
        ["评价期", f"{result.years[0]}—{result.years[-1]}年（评价年 {result.evaluation_year}年）"],
        ["报告日期", or_placeholder(info.date)],
    ]
    if p.get("synthetic"):
        yield Md("> **本报告基于合成示范数据，仅用于演示评价流程，不代表任何真实园区。**")
    yield table(["项目", "内容"], rows, [1, 4])
    yield coverage.at_a_glance(ctx.result)
    yield PAGE_BREAK


def draft_reasons(ctx: ReportContext) -> list[str]:
    """Why the report is a draft (empty for a report that can be issued)."""
    reasons = []
    if ctx.result.unverified_references:
        reasons.append(f"{len(ctx.result.unverified_references)} 项参考值未经原文核实")
    if unfilled := unfilled_fields(ctx.park):
        reasons.append(f"{len(unfilled)} 处待评价机构填写")
    return reasons


def sign_off(ctx: ReportContext) -> Iterator[Md]:
    info, p = ctx.park.report, ctx.result.profile
    if reasons := draft_reasons(ctx):
        # Reviewers read drafts with the names of who will sign: the names stay, their force does not.
        yield Md("> **草稿，未签发**：本报告尚有{0}（见“评价方法说明”），尚未签发。下列签署仅供审阅，在草稿状态下不具签署效力；"
                 "正式报告须待上述事项完成后重新生成并签署。").format("，".join(reasons))
    rows = [
        ["评价机构（盖章）", or_placeholder(info.assessor or p.get("assessor"))],
        ["项目负责人（签字）", or_placeholder(info.project_lead)],
        ["审核人（签字）", or_placeholder(info.reviewer)],
        ["批准人（签字）", or_placeholder(info.approver)],
        ["签署日期", or_placeholder(info.sign_date)],
    ]
    yield table(["签署项", "签署"], rows, [1, 3])
    yield Md("本报告依据园区提供的数据和证明材料及评价机构的核查结果编制，评价结论仅对本次评价范围、评价期和所附证明材料有效。"
             "报告未经评价机构盖章及项目负责人、审核人签字无效。")
    yield PAGE_BREAK


def contents(ctx: ReportContext) -> Iterator[Md]:
    yield CONTENTS
    yield PAGE_BREAK


# --- summary ---------------------------------------------------------------------------------------

def gate_finding(ctx: ReportContext) -> str:
    """What the basic-requirements check found, stated as the finding (a failed item as what was
    found, an item pending evidence as 待补证, an item the park's data contradict as 待核实)."""
    gate = ctx.result.gate
    if gate.outcome == "passed":
        return "全部基本要求均满足"
    parts = []
    if gate.failed:
        parts.append("不满足：" + "；".join(item.finding_zh or _not_met_text(ctx, item.id, item.answered)
                                         for item in gate.items if item.status == "failed"))
    if gate.unverified:
        parts.append(unverified_text(gate))
    if gate.unknown:
        parts.append("待补证：" + "；".join(item.text_zh for item in gate.items if item.status == "unknown"))
    # 评价暂缓 only when the result is deferred: beside an incurable blocker the items do not hold it up
    lead = "" if gate.failed else "评价暂缓，" if ctx.result.grade == "deferred" else "尚未确认，"
    return lead + "。".join(parts)


def unverified_text(gate) -> str:
    """The items answered 满足 that the park's own data contradict, with the data, in one sentence."""
    items = [item for item in gate.items if item.status == "unverified"]
    return (f"{len(items)}项基本要求园区答复满足，但与园区数据不一致，须评价机构核实：" + "；".join(
        f"“{item.text_zh}”（{'；'.join(item.data_conflicts)}）" for item in items))


def _not_met_text(ctx: ReportContext, item_id: str, answered: bool) -> str:
    req = next(r for r in ctx.catalog.basic_requirements.items if r.id == item_id)
    if not answered:
        return f"“{req.text_zh}”未作答，视为不满足"
    return req.not_met_zh or f"“{req.text_zh}”不满足"


def _fifty_percent_verdict(passed: bool, index_status: str | None) -> str:
    # Below the coverage minimum missing data (scored 0) would decide the rule: no verdict then.
    if not passed and index_status == "reference":
        return "无法判定（数据覆盖不足）"
    return "满足" if passed else "不满足"


def _level_rate(check: LevelCheck, index_status: str | None) -> str:
    """A target level's share for the 50 % rule; below the coverage minimum the rate over the part with
    real data instead (the rule's share would count the gaps as 0)."""
    partial = check.coverage is not None and check.coverage < 1 - 1e-9
    if index_status == "reference":
        if check.data_share is None:
            return "缺数据"
        return f"有数据部分得分率 {check.data_share * 100:.1f}%，数据覆盖 {(check.coverage or 0) * 100:.0f}%"
    if partial:
        return f"{check.share * 100:.1f}%，数据覆盖 {check.coverage * 100:.0f}%"
    return f"{check.share * 100:.1f}%"


def summary(ctx: ReportContext) -> Md:
    result, n = ctx.result, ctx.numbers
    rows: list[list[Any]] = [["基本要求评价", gate_finding(ctx)]]
    if result.index is not None:
        rule = result.fifty_percent_rule
        assert rule is not None and result.overall is not None
        rows += [
            ["减污降碳协同增效绩效指数", Md("**{0}**{2}（{1}年度指数的平均值）").format(
                n.points(result.index), years_text(result.index_years), INDEX_STATUS_ZH[result.index_status or "final"])],
            ["各年度指数", "；".join(f"{y}年 {n.points(result.yearly[y].index)}" for y in result.index_years)],
            ["目标层50%规则", _fifty_percent_verdict(rule.passed, result.index_status) + "：" + "；".join(
                f"{name} {n.points(c.mean_points)}/{c.max_points:g}分（{_level_rate(c, result.index_status)}）"
                for name, c in rule.levels.items())
             + ("（得分点数中缺失数据按0分计，数据覆盖不足，不作判定；得分率只按有实际数据的指标计算）"
                if result.index_status == "reference" else "")],
            ["整体评价", f"{VERDICT_ZH[result.overall.verdict]}（{result.overall.base_year}年→{result.overall.target_year}年）"],
        ]
    rows.append(["评价等级", Md("**{0}**").format(GRADE_ZH[result.grade])])
    if result.blockers:
        rows.append(["暂缓定级的原因" if result.grade == "deferred" else "不予定级的原因", "；".join(f"（{k}）{b.text_zh}" for k, b in enumerate(result.blockers, 1))
                     if len(result.blockers) > 1 else result.blockers[0].text_zh])
        if result.provisional_grade:
            rows.append(["暂定结果", f"按现有数据，指数 {n.points(result.index)} 对应{GRADE_ZH[result.provisional_grade]}"
                                     "（暂定，补证后确认）"])
    else:
        rows.append(["定级依据", result.grade_reason])
    flagged = quality.flagged_indicators(result)
    if flagged:
        rows.append(["非实测数据", "；".join(f"{code}{marks}" for code, marks in flagged.items())
                     + "（〔推算〕〔估算〕〔代用〕的含义与依据见基础数据及各指标的数据质量说明）"])
    if result.data_gaps:
        rows.append(["数据缺口", f"{len(result.input_gaps)}项数据或材料缺失，涉及{len(result.data_gaps)}个指标年度"
                                 "（缺失数据不作为薄弱环节或不合格的依据；清单见“数据缺口与资料补充”）"])
    return table(["项目", "结论"], rows, [1, 4])


def self_evaluation(ctx: ReportContext) -> Md | None:
    """The park's self-evaluation next to the third-party figures (7.1.1)."""
    own = ctx.park.report.self_evaluation
    if own is None:
        return None
    result, n = ctx.result, ctx.numbers
    rows: list[list[Any]] = []
    if own.index is not None or result.index is not None:
        diff = (n.points(result.index - own.index) if result.index is not None and own.index is not None else "—")
        rows.append(["绩效指数", n.points(own.index), n.points(result.index), diff])
    for year in result.index_years:
        if year in own.yearly_index and year in result.yearly:
            rows.append([f"{year}年年度指数", n.points(own.yearly_index[year]), n.points(result.yearly[year].index),
                         n.points(result.yearly[year].index - own.yearly_index[year])])
    rows.append(["评价等级", own.grade or "—", GRADE_ZH[result.grade], "一致" if own.grade and GRADE_ZH.get(
        own.grade) == GRADE_ZH[result.grade] else "不一致"])
    return paragraphs(Md("园区自评价与第三方评价结果对照（标准7.1.1；自评价来源：{0}）：").format(own.source),
                      table(["项目", "园区自评价", "第三方评价", "差异（第三方 − 自评价）"], rows, [2, 2, 2, 3]))


def summary_chapter(ctx: ReportContext) -> Iterator[Md | Figure]:
    result = ctx.result
    yield summary(ctx)
    yield method.summary_notice(result, bool(ctx.parameters.get("options", {}).get("final", False)))
    if unfilled := unfilled_fields(ctx.park):
        yield Md("> **待评价机构填写（草稿）**：报告中 {0} 处内容尚待评价机构填写（清单见“评价方法说明”），"
                 "填写完成前本报告为草稿，不能作为正式评价报告。").format(len(unfilled))
    if ctx.evaluated:
        yield coverage.coverage_summary(result)
        if not coverage.complete(result):  # with every share at 100 % the table says it all
            yield Figure("数据覆盖率（有实际数据的指标权重占比）", charts.coverage_chart(result))
    yield coverage.supply_list(result)
    comparison = self_evaluation(ctx)
    if comparison:
        yield comparison
    if ctx.evaluated:
        bands = {b.grade: b.min for b in ctx.catalog.grading.bands}
        yield Figure("各年度指数与绩效指数（虚线为等级门槛）", charts.index_chart(result, bands))


# --- basis, scope, procedure -------------------------------------------------------------------------

def basis(ctx: ReportContext) -> Md:
    rows = [[doc.kind, doc.title] for doc in ctx.catalog.basis]
    rows += [["园区规划与文件", text] for text in ctx.park.report.basis_extra]
    rows.append(["证明材料", f"园区提供并经核查的证明材料{len(ctx.park.evidence)}份（见附录“证明材料清单”）"])
    return paragraphs(Md("本次评价依据以下标准、法律法规和技术规范开展（指标目录：{0}，版本 {1}）：").format(
        ctx.result.catalog.title_zh, ctx.result.catalog.version), table(["类别", "文件"], rows, [1, 5]))


PROFILE_FIELDS = [
    ("name_zh", "园区名称"), ("province", "所在省份"), ("city", "所在城市"), ("park_type", "园区类型"),
    ("level", "园区级别"), ("management_body", "管理机构"), ("area_km2", "面积（km²）"),
    ("established", "设立年份"), ("main_industries", "主导产业"), ("description", "园区简介"),
]


def scope(ctx: ReportContext) -> Iterator[Md]:
    p, s, result = ctx.result.profile, ctx.park.report.scope, ctx.result
    rows = []
    for key, label in PROFILE_FIELDS:
        value = p.get(key)
        if isinstance(value, list):
            value = "、".join(map(str, value))
        if value not in (None, "", []):
            rows.append([label, value])
    rows += [
        ["地理边界", or_placeholder(s.geographic)],
        ["统计边界", or_placeholder(s.statistical)],
        ["评价期", f"{result.years[0]}—{result.years[-1]}年；绩效指数取{years_text(result.index_years)}年度指数的平均值；"
                   "变化率指标另用评价期前一年的数据"],
    ]
    if result.overall is not None:
        rows.append(["整体评价基准年与目标年", f"{result.overall.base_year}年 → {result.overall.target_year}年"])
    yield table(["项目", "内容"], rows, [1, 4])
    if s.notes:
        yield paragraphs(Md("口径说明（统计范围不一致之处及处理）："), bullets(s.notes),
                         text_check_notice(result, "report.scope.notes"))
    else:
        yield Md("口径说明：") + PLACEHOLDER


def procedure(ctx: ReportContext) -> Iterator[Md]:
    # One block with the chapter's heading: split, its last row and note were left alone on a page.
    yield KEEP_TOGETHER
    yield Md("按标准7.2.1，评价组查看报告文件、统计报表、原始记录等资料，与相关人员座谈，并采用实地调查、抽样调查等方式收集评价证据。")
    rows = [[a.activity, a.dates or PLACEHOLDER, a.by or PLACEHOLDER, a.content or "—"] for a in ctx.park.report.procedure]
    if not rows:
        rows = [[activity, PLACEHOLDER, PLACEHOLDER, PLACEHOLDER] for activity in ("资料核查", "现场核查", "座谈", "抽样核查")]
    yield table(["工作内容", "时间", "人员", "内容与范围"], rows, [2, 3, 3, 6])
    counts = {m: sum(m in item.verification for item in ctx.park.evidence) for m in ("资料核查", "现场核查", "抽样核查")}
    if ctx.park.evidence:
        yield escape(f"证明材料共{len(ctx.park.evidence)}份，其中经资料核查{counts['资料核查']}份、现场核查{counts['现场核查']}份、"
                     f"抽样核查{counts['抽样核查']}份（逐份见附录“证明材料清单”）。")
    yield END_KEEP


# --- basic requirements ----------------------------------------------------------------------------

def gate(ctx: ReportContext) -> Md:
    result = ctx.result
    answers = ctx.park.basic_requirements
    rows = []
    for n, item in enumerate(result.gate.items, 1):
        if item.status == "failed":
            verdict: Any = Md("**不满足**")
            finding = (item.finding_zh or _not_met_text(ctx, item.id, item.answered)) + (
                f"（{item.note}）" if item.note and item.answered and not item.finding_from_park else "")
        elif item.status == "unverified":
            verdict = Md("**{0}**").format(GATE_ITEM_ZH["unverified"])
            finding = ("园区答复满足" + (f"（{item.note}）" if item.note else "") + "；数据核对："
                       + "；".join(item.data_conflicts) + "，与答复不一致，须评价机构核实")
        elif item.status == "unknown":
            verdict, finding = GATE_ITEM_ZH["unknown"], f"待提供：{item.evidence_hint_zh}" + (
                f"（{item.note}）" if item.note else "")
        else:
            verdict, finding = GATE_ITEM_ZH["met"], item.note or ""
            if item.data_conflicts:
                finding += (("；" if finding else "") + "数据核对：" + "；".join(item.data_conflicts)
                            + f"，与答复不一致；评价机构核实说明：{item.reconciliation}")
        answer = answers.get(item.id)
        cited = ctx.evidence.cite(answer.evidence_ids) if answer else "—"
        rows.append([n, item.text_zh, verdict, cited, finding])
    text = table(["序号", "基本要求", "结论", "证明材料", "核查发现"], rows, [1, 6, 2, 2, 5])
    gate_ = result.gate
    if gate_.outcome == "passed":
        verdict_text = Md("经核查，全部基本要求均满足，进入绩效指标评价。")
    elif gate_.outcome == "failed":
        failed = "；".join(item.finding_zh or _not_met_text(ctx, item.id, item.answered)
                          for item in gate_.items if item.status == "failed")
        verdict_text = Md("经核查，{0}。按标准6.1.2，基本要求不满足的园区不开展绩效指标评价，不予定级。").format(failed)
        if gate_.unverified:
            verdict_text += Md("此外，{0}。").format(unverified_text(gate_))
    else:
        pending = []
        if gate_.unknown:
            pending.append(Md("{0}项待补充证明材料（待补证，不等于不满足）").format(len(gate_.unknown)))
        if gate_.unverified:
            pending.append(Md("{0}").format(unverified_text(gate_)))
        label = (Md("因数据覆盖亦不足，均标为参考值，不作定级依据") if result.index_status == "reference"
                 else Md("均标为暂定结果"))
        settle = "、".join((["补证"] if gate_.unknown else []) + (["核实"] if gate_.unverified else []))
        chapters = (Md("绩效指标照常计算，“指标评价结果总表”“绩效指标计算”“目标层得分、加分项与绩效指数”"
                       "各部分的指标得分与指数") + label)
        if result.grade == "deferred":
            outcome = Md("。评价暂缓：") + chapters + Md("；{0}并确认满足{1}后方可定级。").format(
                settle, "、补齐数据使覆盖率达到最低要求" if result.index_status == "reference" else "")
        else:  # an incurable blocker beside the pending items: no promise of a grade after them
            outcome = Md("。") + chapters + Md("；上述事项仍须{0}，但因{1}，确认满足也不能使园区在本次评价中获得等级，"
                                               "结论为不予定级（原因见“评价等级”）。").format(
                settle, incurable_zh([b.kind for b in result.blockers]))
        verdict_text = Md("无不满足的基本要求，但") + Md("；").join(pending) + outcome
    # One block with the chapter's (sticky) heading: split, it left its last row and the verdict alone
    # on an otherwise blank page before the overview's page break.
    return paragraphs(KEEP_TOGETHER,
                      Md("基本要求为园区应达到的总体要求（标准6.1）。标准附录A未公开发布，本评价采用指标目录所附的基本要求清单。"),
                      text, verdict_text, END_KEEP)


# --- the one-page overview -------------------------------------------------------------------------

def _cell(ctx: ReportContext, r: IndicatorResult) -> str:
    n = ctx.numbers
    if r.status == "not_applicable":
        return "不适用"
    if r.status == "missing":
        return f"缺失 ({n.points(0)})"
    shown = _level_id(r) if r.kind == "qualitative" else n.value(r.value, r.unit)
    # ASCII brackets after a space: a narrow Word column wraps at the space, never inside the number.
    return f"{shown} ({n.points(r.points)})"


def _level_id(r: IndicatorResult) -> str:
    """The chosen level's id (the Result holds it as 'B（良）')."""
    return (r.level or "").split("（")[0]


def result_status_banner(result: Result) -> Md | None:
    """The label every chapter of indicator results carries while they are not final: provisional
    (basic requirements not yet confirmed) or a reference value (coverage below the minimum)."""
    if result.index_status == "reference":
        return Md("> **参考值**：数据覆盖不足，本部分的指标得分、目标层得分和指数仅为参考值，不作定级依据；"
                  "缺失数据得0分，不代表园区绩效差。")
    if result.index_status == "provisional" and result.grade != "deferred":
        return Md("> **暂定结果**：基本要求尚未确认满足（见“基本要求评价”），本部分的指标得分、目标层得分和指数为暂定结果；"
                  "因{0}，本次评价不予定级，补证或核实的结果不改变这一结论。").format(
            incurable_zh([b.kind for b in result.blockers]))
    if result.index_status == "provisional":
        return Md("> **暂定结果**：基本要求尚未确认满足（见“基本要求评价”），本部分的指标得分、目标层得分和指数为暂定结果，"
                  "补证或核实并确认满足后方可作为定级依据。")
    return None


def overview(ctx: ReportContext) -> Iterator[Md]:
    result = ctx.result
    if not ctx.evaluated:
        yield NOT_EVALUATED
        return
    banner = result_status_banner(result)
    if banner:
        yield banner
    years = list(result.yearly)
    rows = []
    for ind in ctx.catalog.indicators:
        results = per_year(result, ind.code)
        unit = "档次" if ind.kind == "qualitative" else (ind.unit or "")
        r_eval = results[result.evaluation_year]
        rows.append([ind.code, ind.name_zh, unit, *(_cell(ctx, results[y]) for y in years),
                     ctx.numbers.points(r_eval.max_points)])
    rows.append(["", "年度指数（含加分）", "分", *(ctx.numbers.points(result.yearly[y].index) for y in years), ""])
    yield Md("各指标的指标值及得分点数（括号内的数值，得分点数 = 得分率 × 权重 × 100）；定性指标列出所选档次。"
             "计算过程见“绩效指标计算”，所用数据见“基础数据”。")
    yield SMALL_TABLES
    yield table(["编号", "三级指标", "单位", *(f"{y}年" for y in years), "满分"], rows,
                [1, 6, 2, *([3] * len(years)), 1])
    yield NORMAL_TABLES


# --- base data -------------------------------------------------------------------------------------

def _series_name(ctx: ReportContext, path: str) -> str:
    kind, _, key = path.partition(".")
    if kind == "data":
        spec = ctx.catalog.inputs.get(key)
        return spec.name_zh if spec else key
    return ENERGY_NAMES.get(key) or FUEL_NAMES.get(key.removeprefix("fuels."), "能源数据")


ENERGY_NAMES = {
    "electricity_purchased": "外购电力（含外购绿色电力）", "electricity_exported": "输出电力",
    "green_electricity": "外购绿色电力", "onsite_renewable": "自发自用可再生能源电力", "heat_purchased": "外购热力",
    "heat_exported": "输出热力", "process_co2": "工业生产过程二氧化碳排放", "verified_co2": "经核证二氧化碳排放总量",
}
FUEL_NAMES = {"raw_coal": "原煤", "coke": "焦炭", "crude_oil": "原油", "fuel_oil": "燃料油", "gasoline": "汽油",
              "kerosene": "煤油", "diesel": "柴油", "lpg": "液化石油气", "refinery_gas": "炼厂干气", "natural_gas": "天然气"}


def base_data(ctx: ReportContext) -> Iterator[Md]:
    """Every input once, per year, as the park gave it (value and unit of the source document), with
    its source and evidence ids."""
    park, n = ctx.park, ctx.numbers
    series = park.all_series()
    given = {y for s in series.values() for y in s.values}
    years = sorted(given & set(_years_used(ctx))) if ctx.loaded else sorted(given)
    rows, notes = [], []
    for path, s in series.items():
        cells = []
        for year in years:
            point = s.point(year)
            if point is None:
                cells.append("—")
                continue
            value, source = point
            text = n.value(value, s.unit) + quality.mark(s.quality(year).scope)
            note = getattr(s.values[year], "note", None)
            if source != s.source or note:
                notes.append(escape(f"{_series_name(ctx, path)} {year}年：") + escape(
                    "；".join(x for x in (f"来源 {source}" if source != s.source else "", note or "") if x)))
                text += f" [注{len(notes)}]"
            cells.append(text)
        rows.append([_series_name(ctx, path), s.unit, *cells, _source_cell(ctx, s.source, s.evidence_ids)])
    rows += _carbon_rows(ctx, years)
    yield Md("下表列出本次评价使用的全部基础数据，每项数据只列一次，数值和单位与来源文件一致；计算时换算为指标目录的计算单位"
             "（如亿元 × 10,000 = 万元）。各指标的计算过程引用本表数值。最后一列为数据来源及证明材料编号"
             "（来源即该证明材料时只列编号，见附录“证明材料清单”）。")
    unused = sorted(given - set(years))
    if unused:
        yield Md("园区数据文件另有{}年的数据，本次评价不使用（评价窗口及其前一年、整体评价基准年以外），未列入本表。").format(
            "、".join(str(y) for y in unused))
    yield SMALL_TABLES
    yield table(["数据项", "单位", *(f"{y}年" for y in years), "数据来源（证明材料）"], rows,
                [10, 3, *([4] * len(years)), 6])
    yield NORMAL_TABLES
    if notes:
        yield paragraphs(Md("注："), Md("\n").join(Md("{0}. ").format(i) + note for i, note in enumerate(notes, 1)))


def _years_used(ctx: ReportContext) -> list[int]:
    overall = ctx.result.overall
    return years_used(ctx.loaded, ctx.result.years, overall.base_year if overall else None)


def _source_cell(ctx: ReportContext, source: str, ids: list[str]) -> str:
    cited = ctx.evidence.cite(ids)
    titles = {ctx.evidence.items[i].title for i in ids if i in ctx.evidence.items}
    return cited if titles == {source} else f"{source}（{cited}）"


def _carbon_rows(ctx: ReportContext, years: list[int]) -> list[list[Any]]:
    """Rows of the figures the carbon accounting supplies (CO2, energy in tce), from the Result."""
    accounts = carbon_years(ctx.result)
    if not accounts or ctx.park.energy is None:
        return []
    cited = [i for s in ctx.park.energy.all_series().values() for i in s.evidence_ids]
    rows = []
    for key, name, unit in (("total_t", "二氧化碳排放总量（由能源数据核算）", "t"),
                            ("energy_tce", "综合能源消费量（由能源数据核算）", "tce"),
                            ("nonfossil_tce", "非化石能源消费量（由能源数据核算）", "tce")):
        shown = ctx.numbers.quantity(None, unit, f"base_data.{key}")[1]
        cells = [ctx.numbers.quantity(accounts[y].get(key), unit, f"base_data.{key}")[0] if y in accounts else "—"
                 for y in years]
        rows.append([name, shown, *cells, f"由能源数据核算（{ctx.evidence.cite(list(dict.fromkeys(cited)))}）"])
    return rows


# --- indicator computations --------------------------------------------------------------------------

def indicator_computations(ctx: ReportContext) -> Iterator[Md]:
    if not ctx.evaluated:
        yield NOT_EVALUATED
        return
    banner = result_status_banner(ctx.result)
    if banner:
        yield banner
    yield Md("逐项列出三级指标的计算公式、计算过程、评分和得分点数（标准7.2.3）；计算所用数值见“基础数据”，"
             "参考值及其来源见“评价方法说明”。得分点数 = 得分率 s × 权重 × 100（s ∈ [0, 1]）；报告中“得分”均指得分点数。")
    yield SMALL_TABLES
    for level in ctx.catalog.target_levels:
        yield heading(2, level.name)
        quantitative = [i.code for i in ctx.catalog.indicators if i.target_level == level.name and i.kind == "quantitative"]
        # An indicator without data in any year is one line of a gap table, not a table of empty years.
        no_data = [code for code in quantitative
                   if all(r.status == "missing" for r in per_year(ctx.result, code).values())]
        for code in quantitative:
            if code not in no_data:
                yield indicator_detail(ctx, code)
        if no_data:
            yield no_data_block(ctx, no_data)
        qualitative = [i for i in ctx.catalog.indicators if i.target_level == level.name and i.kind == "qualitative"]
        if qualitative:
            yield qualitative_block(ctx, [i.code for i in qualitative])
    yield NORMAL_TABLES


def _variant_label(name_zh: str, variant: str) -> str:
    """How the report names a formula: the main one or one the indicator's name offers
    (生态环境满意度或信访投诉减少率) is not a substitute (替代口径)."""
    return f"按“{variant}”" if variant in name_zh else f"按替代口径“{variant}”"


def _computation(r: IndicatorResult, formulas_differ: bool) -> str:
    """The row's computation; `formulas_differ`: the window's years used different formulas, so each
    row names its own (otherwise the formula line above names the one used)."""
    value_trace = r.trace.value
    assert value_trace is not None
    if not re.search(r"[^\w]", value_trace.formula.strip()):  # the indicator is an input as it stands
        computed = "直接采用基础数据"
    else:
        computed = value_trace.substituted
    if formulas_differ:
        computed = f"（{_variant_label(r.name_zh, r.variant or r.name_zh)}：{value_trace.formula_zh}）{computed}"
    if r.trace.driver is not None:
        computed += f"；{r.trace.driver.formula_zh}：{r.trace.driver.substituted}%"
    return computed


def indicator_detail(ctx: ReportContext, code: str) -> Md:
    """One quantitative indicator over the window: formula, per-year computation and points."""
    ind, n = ctx.catalog.indicator(code), ctx.numbers
    results = per_year(ctx.result, code)
    ok = next((r for r in results.values() if r.status == "ok"), None)
    rule = ok.trace.scoring.rule_zh if ok and ok.trace.scoring else "评价期内各年均未计分，评分规则见指标目录"
    refs = "；".join(f"{ref.name} {n.with_unit(ref.value, ref.unit)}"
                     for ref in (ok.trace.scoring.references if ok and ok.trace.scoring else []))
    # The formula line names the formula the years were computed with (an alternative where used).
    variants = {v.label_zh: v for v in ind.variants()}
    used = [variants[label] for label in dict.fromkeys(r.variant or ind.name_zh for r in results.values()
                                                       if r.status == "ok") if label in variants]
    formulas = used or ind.variants()[:1]
    direction = DIRECTION_ZH[ind.direction or "positive"]
    named = len(formulas) > 1 or formulas[0].label_zh != ind.name_zh
    formula = "；".join((_variant_label(ind.name_zh, v.label_zh) + "：" if named else "")
                        + f"{v.formula_zh}（{v.unit}，{direction}）" for v in formulas)
    info = Md("**公式**：{0}。**评分**：{1}{2}。**满分**：{3}。").format(
        formula, rule, f"；{refs}" if refs else "", max_points_text(ctx, code))
    rows = []
    for year, r in results.items():
        if r.status == "not_applicable":
            rows.append([year, "不适用：" + (r.justification or ""), "—", "—", "—"])
        elif r.status == "missing":
            note = f"（{r.trace.value.note}）" if r.trace.value is not None and r.trace.value.note else ""
            rows.append([year, f"数据缺失（数据缺口，不作为薄弱环节）：{gaps.missing_text(ctx.catalog, r.missing_inputs)}{note}",
                         "—", n.score(0), n.points(0)])
        else:
            assert r.trace.scoring is not None
            rows.append([year, _computation(r, len(formulas) > 1), n.with_unit(r.value, r.unit) + quality.flags_text(r.quality_flags),
                         f"{r.trace.scoring.substituted}", n.points(r.points)])
    inputs = [i for r in results.values() if r.trace.value for i in r.trace.value.inputs]
    return paragraphs(KEEP_TOGETHER, heading(3, f"{ind.code} {ind.name_zh}"), info,
                      table(["年份", "计算过程", "指标值", "得分率 s", "得分点数"], rows, [1, 7, 3, 6, 1]),
                      quality.notes(inputs), END_KEEP)


def no_data_block(ctx: ReportContext, codes: list[str]) -> Md:
    """The quantitative indicators of a target level without data in any year of the window."""
    rows = []
    for code in codes:
        ind = ctx.catalog.indicator(code)
        missing = [i for r in per_year(ctx.result, code).values() for i in r.missing_inputs]
        rows.append([code, ind.name_zh, ind.formula_zh or "", gaps.missing_by_input_text(ctx.catalog, missing),
                     max_points_text(ctx, code), ctx.numbers.points(0)])
    return paragraphs(LEAD_IN,
                      Md("以下定量指标评价期内各年均缺少数据（数据缺口，不作为薄弱环节），各年按0分计入指数；"
                         "补充所列数据后即可计算，所缺数据汇总见“数据缺口”："), END_KEEP,
                      table(["编号", "指标", "公式", "缺少的数据", "满分", "得分点数"], rows, [1, 3, 5, 5, 2, 1]))


def qualitative_block(ctx: ReportContext, codes: list[str]) -> Md:
    """Qualitative indicators of a target level: the chosen level per year, its evidence, the points;
    then the criteria of the levels chosen."""
    n, out = ctx.numbers, []
    rows, criteria = [], {}
    for code in codes:
        ind = ctx.catalog.indicator(code)
        chosen = ctx.park.qualitative.get(code, {})
        for year, r in per_year(ctx.result, code).items():
            choice = chosen.get(year)
            if r.status == "not_applicable":
                rows.append([code, ind.name_zh, year, "不适用：" + (r.justification or ""), "—", "—"])
                continue
            if r.status == "missing":
                rows.append([code, ind.name_zh, year, "未选档（缺少档次及证明材料）", "—", n.points(0)])
                continue
            level = next((lv for lv in ind.scoring.levels or [] if lv.id == _level_id(r)), None)
            if level is not None:
                criteria[(code, level.id)] = [code, f"{level.id}（{level.label_zh}）", level.criteria_zh]
            cited = choice.evidence_ids if choice else []
            rows.append([code, ind.name_zh, year, f"{level.id}（{level.label_zh}）" if level else (r.level or ""),
                         ctx.evidence.cite(cited) if cited else (choice.evidence if choice else "—"),
                         n.points(r.points)])
    out.append(Md("定性指标（分档评分，评价人员依据证明材料选择档次；证明材料名称见附录“证明材料清单”）："))
    out.append(table(["编号", "指标", "年份", "档次", "证明材料", "得分点数"], rows, [1, 4, 1, 2, 2, 2]))
    if criteria:
        out.append(paragraphs(Md("所选档次的评分标准："),
                              table(["编号", "档次", "标准"], list(criteria.values()), [1, 1, 8])))
    return paragraphs(*out)


# --- scores, bonus, index ----------------------------------------------------------------------------

def level_subtotals(result: Result) -> Md:
    first = next(iter(result.yearly.values()))
    levels = list(first.target_levels)
    rows = [[f"{y}年", *(f"{yr.target_levels[lv]:.2f}" for lv in levels), f"{yr.base_points:.2f}",
             f"{yr.bonus:.2f}", f"{yr.index:.2f}"] for y, yr in result.yearly.items()]
    rows.append(["满分", *(f"{first.target_level_max[lv]:g}" for lv in levels),
                 f"{sum(first.target_level_max.values()):g}", "≤10", "—"])
    return table(["年份", *levels, "指标得分合计", "加分", "年度指数"], rows)


def _full_coverage(result: Result) -> bool:
    return all(f.coverage is None or f.coverage >= 1 - 1e-9 for f in result.first_level_means)


def data_rate(share: float | None) -> str:
    """A score rate over the part with real data; 缺数据 when nothing has data (a gap, never 0 %)."""
    return "缺数据" if share is None else f"{share * 100:.1f}%"


def first_level_table(result: Result) -> Md:
    if _full_coverage(result):
        rows = [[f.target_level, f.first_level, f"{f.mean_points:.2f}", f"{f.max_points:.2f}", f"{f.share * 100:.1f}%"]
                for f in result.first_level_means]
        return paragraphs(Md("各一级指标得分（计入指数各年的平均值）："),
                          table(["目标层", "一级指标", "平均得分", "满分", "得分率"], rows))
    rows = [[f.target_level, f.first_level, f"{f.mean_points:.2f}", f"{f.max_points:.2f}",
             data_rate(f.data_share), "—" if f.coverage is None else f"{f.coverage * 100:.0f}%"]
            for f in result.first_level_means]
    return paragraphs(
        Md("各一级指标得分（计入指数各年的平均值）："),
        table(["目标层", "一级指标", "平均得分", "满分", "得分率（有数据部分）", "数据覆盖"], rows, [2, 3, 2, 2, 3, 2]),
        Md("平均得分为计入指数的得分点数（缺失数据按0分计）；得分率只按有实际数据的指标年度计算"
           "（其得分 ÷ 其满分），数据覆盖为这些指标年度占该一级指标满分的比例。")
        + (Md("“缺数据”表示该一级指标没有实际数据，是数据缺口，不代表表现差。")
           if any(f.data_share is None for f in result.first_level_means) else Md("")))


def first_level_caption(result: Result) -> str:
    if _full_coverage(result):
        return "各一级指标得分率（计入指数各年的平均值）"
    return "各一级指标得分率（有实际数据部分，计入指数各年的平均值；斜线为数据不全，灰色“缺数据”为无实际数据）"


def index_section(result: Result) -> Md:
    assert result.index_trace is not None
    lines = []
    for year, yr in result.yearly.items():
        flag = "" if yr.in_index else "（仅作趋势展示，不计入指数）"
        lines.append(f"{year}年{flag}：{yr.trace.substituted} 分")
    t = result.index_trace
    return paragraphs(
        Md("年度指数 = 各目标层得分之和 + 加分（上限10分，标准6.2.1、6.2.3）："), bullets(lines),
        Md("**绩效指数**：{0}；{1} 分。").format(t.formula_zh, t.substituted))


def scores_and_index(ctx: ReportContext) -> Iterator[Md | Figure]:
    result = ctx.result
    if not ctx.evaluated:
        yield NOT_EVALUATED
        return
    banner = result_status_banner(result)
    if banner:
        yield banner
    yield heading(2, "目标层得分")
    yield level_subtotals(result)
    yield first_level_table(result)
    yield Figure(first_level_caption(result), charts.first_level_chart(result))
    yield method.bonus(result)
    yield heading(2, "绩效指数")
    yield index_section(result)
    yield from history(ctx)


# --- overall evaluation ---------------------------------------------------------------------------

def _change(rate: Rate, rising_is_good: bool = False) -> str:
    """A change in words, without double negatives: 下降 24.34% / 上升 23.46% / 提高 16.06%."""
    if rate.rate is None:
        return "无法判定（缺数据）"
    if rising_is_good:
        return f"提高 {rate.rate:.2f}%" if rate.rate > 0 else (f"降低 {-rate.rate:.2f}%" if rate.rate < 0 else "持平")
    return f"下降 {rate.rate:.2f}%" if rate.rate > 0 else (f"上升 {-rate.rate:.2f}%" if rate.rate < 0 else "持平")


def _verdict_cell(improved: bool | None) -> Any:
    return {True: "达到要求", False: Md("**未达到要求**"), None: "无法判定（缺数据）"}[improved]


def overall(ctx: ReportContext) -> Md:
    o, n = ctx.result.overall, ctx.numbers
    assert o is not None
    classes_of = [p.class_ for p in ctx.catalog.overall.pollutants]
    single = {c for c in classes_of if classes_of.count(c) == 1}  # a class of one pollutant: its row once
    rows = []

    def row(rate: Rate, key: str, rising_is_good: bool = False) -> list[Any]:
        base, unit = n.quantity(rate.base, rate.unit, key)
        target, _ = n.quantity(rate.target, rate.unit, key)
        return [rate.name_zh, unit, base, target, _change(rate, rising_is_good), _verdict_cell(rate.improved)]

    rows.append(row(o.carbon_intensity, "overall.co2"))
    eff = o.efficiency
    rows.append(row(eff, "overall.efficiency", rising_is_good=True))
    for cls in o.classes:
        if cls.key not in single:
            rows.append(row(cls, f"overall.{cls.key}"))
    for p in o.pollutants:
        rows.append(row(p, f"overall.{p.key}"))
    headers = ["项目", "单位", f"{o.base_year}年（基准年）", f"{o.target_year}年（目标年）", "变化", "判定"]
    rule = ("判定规则：碳排放强度下降、增效水平（人均工业增加值）提高，且大气、水、固体废物各类污染物排放强度均下降时为正向"
            + ("（严格模式：每项污染物均须下降）" if o.strict else "；单项污染物上升予以标注")
            + "；实测数据显示上升时为负向；缺少基准年或目标年数据时为无法判定（不视为不合格，"
            + (withheld_zh(ctx.result.grade) if o.verdict == "undetermined" else "补齐数据前不能定级") + "）。"
            "强度 = 排放量 ÷ 工业增加值；变化率 =（基准年强度 − 目标年强度）÷ 基准年强度 × 100%。")
    findings = [f"碳排放强度{_change(o.carbon_intensity)}", f"{eff.name_zh}{_change(eff, True)}"]
    findings += [f"{c.name_zh}排放强度{_change(c)}" for c in o.classes]
    rose = [f"{p.name_zh}排放强度{_change(p)}" for p in o.pollutants if p.improved is False]
    out = [table(headers, rows, [4, 2, 2, 2, 3, 2]), escape(rule),
           Md("**整体评价结论：{0}。**").format(VERDICT_ZH[o.verdict]) + escape("；".join(findings) + "。")]
    if rose:
        out.append(escape("标注：" + "；".join(rose) + "。"))
    return paragraphs(*out)


def overall_chapter(ctx: ReportContext) -> Iterator[Md]:
    if not ctx.evaluated:
        yield NOT_EVALUATED
        return
    yield Md("整体评价为目标年对照基准年的各类污染物排放强度削减率、碳排放强度下降率和增效水平，整体评价为正向的视为合格（标准6.3）。")
    yield overall(ctx)


# --- carbon accounting ----------------------------------------------------------------------------

def history(ctx: ReportContext) -> Iterator[Md]:
    """历年变化: the same park's earlier three-year windows, when its data go back far enough."""
    from evalkit.portfolio.trend import build_trend, evaluate_earlier
    from evalkit.report import trend

    earlier = (evaluate_earlier(ctx.loaded, ctx.catalog, ctx.result.years, factors=ctx.factors,
                                strict=ctx.parameters.get("options", {}).get("strict"))
               if ctx.evaluated and ctx.loaded is not None else [])
    if earlier:
        yield heading(2, "历年变化")
        yield trend.history(build_trend([*earlier, ctx.result]))


def carbon_years(result: Result) -> dict[int, dict]:
    found = {int(y): c for y, c in result.carbon_before_window.items()}
    found |= {y: yr.carbon for y, yr in result.yearly.items() if yr.carbon}
    return dict(sorted(found.items()))


def carbon(ctx: ReportContext) -> Iterator[Md | Figure]:
    result, n = ctx.result, ctx.numbers
    years = carbon_years(result)
    if not ctx.evaluated:
        yield Md("基本要求不满足，按标准6.1.2不开展绩效指标评价，本报告未据能源消费数据核算碳排放；"
                 "园区填报的能源消费和碳排放数据列于“基础数据”，未经核算。")
        return
    if not years:
        yield Md("园区未提供能源消费数据，碳排放相关指标采用园区填报值（见“基础数据”）或按数据缺失处理。")
        return
    yield Md("园区碳排放按《省级温室气体清单编制指南》、GB/T 32150 的方法核算：化石燃料燃烧、外购电力和热力、工业过程排放；"
             "活动水平数据见“基础数据”。")
    names = list(dict.fromkeys(name for c in years.values() for name in c["by_source"]))
    rows: list[list[Any]] = [[name, *(n.value(c["by_source"].get(name), "t") if name in c["by_source"] else "—"
                                      for c in years.values())] for name in names]
    rows.append([Md("**合计（t）**"), *(Md("**{0}**").format(n.value(c["total_t"], "t")) for c in years.values())])
    rows.append(["综合能源消费量（tce）", *(n.value(c.get("energy_tce"), "tce") for c in years.values())])
    rows.append(["非化石能源消费量（tce）", *(n.value(c.get("nonfossil_tce"), "tce") for c in years.values())])
    rows.append(["碳排放强度（t/万元）", *(n.value(c.get("intensity"), "t/万元") for c in years.values())])
    yield paragraphs(Md("二氧化碳排放量（t）按排放源："), table(["排放源", *(f"{y}年" for y in years)], rows))
    verified = [y for y, c in years.items() if c["method"] == "verified_total"]
    if verified:
        yield escape(f"{years_text(verified)}采用园区提供的经核证二氧化碳排放总量，未按能源数据核算。")
    yield Figure("二氧化碳排放量（按排放源）", charts.carbon_chart(years))
    yield paragraphs(Md("排放因子（因子表 {0}）：").format("、".join(sorted({c.get("factor_table") for c in years.values()
                                                                  if c.get("factor_table")}))),
                     SMALL_TABLES, table(["因子", "数值（取值年份，用于核算的年份）", "单位", "来源"], factor_rows(result, years),
                                         [4, 3, 2, 8]), NORMAL_TABLES)
    last_year, last = max(years.items())
    if last.get("lines"):
        rows = [[line["source_zh"], line["co2_trace"]["formula_zh"] if line.get("co2_trace") else "—",
                 line["co2_trace"]["substituted"] if line.get("co2_trace") else "—", n.value(line.get("co2_t"), "t")]
                for line in last["lines"]]
        yield paragraphs(Md("{0}年核算过程（其他年份方法相同，所用活动水平见“基础数据”，因子见上表）：").format(last_year),
                         table(["排放源", "公式", "计算过程", "排放量（t）"], rows, [2, 5, 7, 2]))
    notes = list(dict.fromkeys(note for c in years.values() for note in c.get("notes", [])))
    if notes:
        yield paragraphs(Md("说明："), bullets(notes))
    if ctx.evaluated:
        yield Md("非化石能源占比的口径、外购电力排放因子的选用及碳排放强度变化的分解（含计算明细）见附录“计算明细与符号对照”。")


LATE_FACTOR = "该因子公告日期晚于报告日期"


def factor_rows(result: Result, years: dict[int, dict]) -> list[list[Any]]:
    """One row per factor: each value with the year it was published for and the accounting years that
    used it, and the source of each value (a series may cite one notice per year); a value whose notice
    is dated after the report is marked."""
    late = {(f.id, f.year) for f in result.factors_after_report_date}
    values: dict[tuple[str, str], dict[int | None, dict]] = {}
    used_in: dict[tuple[str, int | None], list[int]] = {}
    for year, c in years.items():
        for f in c["factors"]:
            values.setdefault((f["name_zh"], f["unit"]), {}).setdefault(f.get("year"), f)
            used_in.setdefault((f["id"], f.get("year")), []).append(year)
    rows = []
    for (name, unit), by_year in values.items():
        found = [by_year[y] for y in sorted(by_year, key=lambda y: (y is None, y or 0))]
        cells, sources = [], []
        for f in found:
            notes = []
            if f.get("year"):
                used = used_in[(f["id"], f["year"])]
                notes.append(f"{f['year']}年值" + ("" if used == [f["year"]] else f"，用于{'、'.join(map(str, used))}年"))
            if (f["id"], f.get("year")) in late:
                notes.append(LATE_FACTOR)
            cells.append(number(f["value"], FACTOR_DECIMALS) + (f"（{'；'.join(notes)}）" if notes else ""))
            sources.append((f.get("year"), f["source"] + (f"（公告日期 {f['published']}）" if f.get("published") else "")))
        distinct = list(dict.fromkeys(source for _, source in sources))
        source_cell = distinct[0] if len(distinct) == 1 else "。".join(f"{year}年值：{source}" for year, source in sources)
        unverified = not all(f.get("verified", True) for f in found)
        rows.append([name, "；".join(cells), unit, source_cell + ("（二手来源，未核实）" if unverified else "")])
    return rows


# --- grade, weaknesses, conclusion ------------------------------------------------------------------

def grade(result: Result) -> Md:
    return paragraphs(
        Md("**评价等级：{0}**").format(GRADE_ZH[result.grade]),
        escape(f"{result.grade_reason}。"),
        escape("等级划分（标准6.4）：指数 ≥ 85 为 AAA 级；75 ≤ 指数 < 85 为 AA 级；60 ≤ 指数 < 75 为 A 级；"
               "< 60 为无级别。目标层任一类得分低于其满分值的50%时不能评为AA级及以上。"
               "整体评价为负向或基本要求不满足的园区不予定级；基本要求待补证或与园区数据不一致待核实时评价暂缓，"
               "补充材料后再行定级（同时整体评价为负向时不予定级）；数据覆盖率低于指标目录规定的最低值"
               "或整体评价因缺少数据无法判定时不能定级，不作为不合格结论（同时基本要求待补证或待核实时为评价暂缓，"
               "补齐数据后再行定级；否则不予定级）。评价有效期三年，有效期内每年进行持续符合性声明（7.1.2、7.2.2）。"))


def weaknesses(result: Result, catalog, top: int = 10) -> Md:
    """Weaknesses of the measured indicators and advice drawn from the data; data gaps are listed
    separately (`gaps.data_gaps_section`), never as weaknesses."""
    return gaps.weaknesses_section(result, catalog, top)


def weaknesses_chapter(ctx: ReportContext) -> Iterator[Md | Figure]:
    if ctx.evaluated:
        yield weaknesses(ctx.result, ctx.catalog)
        if ctx.result.points_lost:
            yield Figure("有实际数据的指标中失分最多的指标（计入指数各年的平均失分）", charts.lost_points_chart(ctx.result))
    yield heading(2, "数据缺口与资料补充")
    yield gaps.data_gaps_section(ctx.result, ctx.catalog)


def conclusion(ctx: ReportContext) -> Iterator[Md]:
    info = ctx.park.report
    yield paragraphs(Md("**评价结论**"), escape(or_placeholder(info.conclusion)),
                     missing_conclusion_notice(ctx.result), text_check_notice(ctx.result, "report.conclusion"))
    yield paragraphs(Md("**建议**"), bullets(info.recommendations) if info.recommendations else escape(PLACEHOLDER),
                     text_check_notice(ctx.result, "report.recommendations"))


def text_check_notice(result: Result, field: str) -> Md | None:
    """The marked notice under the assessor's text at `field` where it disagrees with the computed
    result (evalkit.evaluation.narrative); the text itself stays as written."""
    found = [f for f in result.narrative if f.kind != "missing" and (f.field == field or f.field.startswith(field + "["))]
    if not found:
        return None
    return Md("\n").join([
        Md("> **evalkit 核对提示（非评价机构文字）**：以上{0}由评价机构填写，按原文照录。evalkit 将其中的数字和等级与本报告的"
           "计算结果核对，发现以下不一致，请评价机构核实修改：").format(found[0].label_zh),
        Md(">"), *(Md("> - {0}。").format(f.text_zh) for f in found)])


def missing_conclusion_notice(result: Result) -> Md | None:
    """A conclusion left blank although the evaluation found what "须在评价结论中说明"."""
    missing = next((f for f in result.narrative if f.kind == "missing"), None)
    if missing is None:
        return None
    return Md("\n").join([
        Md("> **评价结论缺失，本报告不完整**：评价机构尚未填写评价结论。“评价方法说明”中作答与数据的一致性核对发现 {0} 项"
           "不一致，须在评价结论中说明；评价结论至少须逐项说明以下不一致的核实情况及对评价结果的影响：").format(
            len(missing.must_address)),
        Md(">"), *(Md("> - {0}").format(line) for line in missing.must_address)])


def grade_chapter(ctx: ReportContext) -> Md:
    return grade(ctx.result)


# --- methodology -------------------------------------------------------------------------------------

def methodology(result: Result, catalog) -> Md:
    out = [Md("本报告按标准第5部分的评价流程进行：基本要求评价 → 绩效指标评价（逐年）→ 绩效指数（三年平均）→ 整体评价 → 等级划分。"
              "标准未明确之处，采用以下默认规则（可由省级或自定义指标目录调整）：")]
    out.append(Md("\n").join(Md("{0}. **{1}**：{2}").format(n, d.title_zh, d.text_zh)
                             for n, d in enumerate(catalog.decisions, 1)))
    out.append(paragraphs(Md("标准原文的不一致之处及处理："),
                          table(["位置", "说明"], [[d.where, d.text_zh] for d in catalog.discrepancies], [1, 5])))
    if result.warnings:
        out.append(paragraphs(Md("本次评价的提示："), bullets(list(result.warnings))))
    if result.overrides:
        rows = [[o.code, o.name_zh, OVERRIDE_FIELD_ZH.get(o.field, "参考值"), f"{o.catalog_value:g} {o.unit}",
                 f"{o.park_value:g} {o.unit}",
                 o.justification, o.source] for o in result.overrides]
        out.append(paragraphs(Md("园区替换的参考值："),
                              table(["编号", "指标", "参数", "目录值", "采用值", "理由", "来源"], rows)))
    else:
        out.append(Md("本次评价未替换指标目录中的任何参考值。"))
    return paragraphs(*out)


def methodology_chapter(ctx: ReportContext) -> Iterator[Md]:
    if unfilled := unfilled_fields(ctx.park):
        yield unfilled_section(unfilled)
    yield methodology(ctx.result, ctx.catalog)
    yield SMALL_TABLES
    yield method.methodology(ctx.result)
    yield NORMAL_TABLES


# --- appendices --------------------------------------------------------------------------------------

def evidence_register(ctx: ReportContext) -> Iterator[Md]:
    items = ctx.park.evidence
    if not items:
        yield Md("园区数据文件未登记证明材料。") + PLACEHOLDER
        return
    yield Md("证明材料随报告归档（归档目录 inputs/park/evidence/），下表列出每份材料的 SHA-256 摘要（前{0}位），"
             "可据此核对归档文件未被改动；报告不嵌入材料内容。").format(DIGEST_SHOWN)
    rows = []
    for item in items:
        # The issuer or document number a title already names is not repeated after it.
        described = "，".join(x for x in (item.issuer, item.doc_no, item.date) if x and x not in item.title)
        title = item.title + (f"（{described}）" if described else "")
        checked = "、".join(item.verification) or "未注明"
        digest = ctx.evidence.hashes.get(item.id)
        attached = (f"{item.file} {digest[:DIGEST_SHOWN]}" if digest
                    else ("未附文件" if not item.file else f"{item.file}（未找到）"))
        rows.append([item.id, title, checked, _once(item.verified_by) or "未注明", attached])
    yield SMALL_TABLES
    yield table(["编号", "证明材料（出具单位，文号，日期）", "核查方式", "核查人", "文件与 SHA-256 摘要"], rows,
                [1, 6, 3, 4, 6])
    yield NORMAL_TABLES


DIGEST_SHOWN = 16  # hex characters of an evidence file's SHA-256 in the register (as in 版本说明)


def _once(persons: str | None) -> str | None:
    """The 核查人 text with a part repeated after "；" shown once (资料核查 and 现场核查 by the same person)."""
    if not persons:
        return persons
    return "；".join(dict.fromkeys(part.strip() for part in re.split(r"[；;]", persons) if part.strip()))


def symbols(ctx: ReportContext) -> Md:
    """The one place where code symbols appear: the carbon method's computations (evalkit.report.method,
    whose traces name their symbols) and the symbols of results.json and the catalog."""
    inputs = [[symbol, spec.name_zh, spec.unit] for symbol, spec in ctx.catalog.inputs.items()]
    formulas = [[ind.code, ind.name_zh, ind.formula] for ind in ctx.catalog.indicators if ind.formula]
    return paragraphs(
        SMALL_TABLES,
        method.carbon_method(ctx.result) if ctx.evaluated else None,
        Md("### 符号对照"),
        Md("本附录供核对评价结果文件（results.json）和指标目录使用：正文中的数据项在结果文件中以下列符号表示，"
           "prev(x) 表示上一年的数值。"),
        table(["符号", "数据项", "计算单位"], inputs, [3, 5, 2]),
        table(["编号", "指标", "计算式（符号）"], formulas, [1, 4, 6]),
        NORMAL_TABLES)


def reproducibility(result: Result, files: dict[str, str], parameters: dict[str, object]) -> Md:
    # The hash on a line of its own: beside the label it overflows the line, which justification
    # then spreads letter by letter.
    hashes = bullets([Md("{0}（{1}）\\\nSHA-256：\\\n{2}").format(label, Path(path).name, _sha256(path))
                      for label, path in files.items()])
    return paragraphs(
        Md("本报告由 evalkit {0} 生成。评价结果全文（含每个数值的计算轨迹）见归档目录中的 results.json；"
           "manifest.json 记录全部输入文件（含证明材料）、指标目录和报告模板的 SHA-256 以及软件版本。"
           "用归档的输入重新执行本报告即可核对结果是否完全一致（evalkit verify）；"
           "发送园区的资料补充清单（Excel、Word）由 evalkit gaps 生成。").format(result.evalkit_version),
        paragraphs(Md("输入文件："), hashes),
        paragraphs(Md("运行参数："), table(["参数", "取值"], run_parameters(result, parameters), [1, 4])),
        Md("指标目录：{0} 版本 {1}\\\n内容摘要（SHA-256）：\\\n{2}").format(result.catalog.id, result.catalog.version,
                                                                result.catalog.sha256),
    )


OPTION_ZH = {"strict": "严格整体评价（每种污染物排放均须下降）", "final": "正式报告（参考值均已核实、无待填写内容）"}


def run_parameters(result: Result, parameters: dict[str, object]) -> list[list[str]]:
    """The run's parameters as an assessor reads them: Chinese labels and values, never Python reprs."""
    rows = []
    if "park" in parameters:
        rows.append(["园区代码", str(parameters["park"])])
    if "years" in parameters:
        years = list(parameters["years"])  # type: ignore[call-overload]
        rows.append(["评价窗口", f"{years[0]}—{years[-1]}年" if years else "—"])
    if "base_year" in parameters:
        given = parameters["base_year"]
        used = f"，本次为{result.overall.base_year}年" if result.overall is not None else ""
        rows.append(["整体评价基准年", f"{given}年（运行时指定）" if given is not None else
                     f"未指定（按园区数据文件的基准年，未填写时取评价窗口首年{used}）"])
    if "options" in parameters:
        chosen = [OPTION_ZH.get(str(k), f"{k}：{v}") for k, v in dict(parameters["options"] or {}).items()  # type: ignore[call-overload]
                  if v not in (False, None)]
        rows.append(["运行选项", "；".join(chosen) or "无（默认设置）"])
    return rows


def reproducibility_chapter(ctx: ReportContext) -> Md:
    return reproducibility(ctx.result, ctx.files, ctx.parameters)


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
