"""The annual statement of continued compliance (持续符合性声明) as text, from a `Statement`."""

from __future__ import annotations

from evalkit.core.trace import fmt
from evalkit.portfolio.statement import Statement
from evalkit.report.markup import Md, paragraphs, table
from evalkit.report.terms import GRADE_ZH

VERDICT_ZH = {"continued": "持续符合", "not_continued": "不再持续符合", "undetermined": "待补充数据后确认"}
CHECK_ZH = {"met": "符合", "not_met": Md("**不符合**"), "undetermined": "待确认（缺数据）"}
STATUS_ZH = {"improved": "提高", "kept": "保持", "fallen": Md("**回落**"), "missing": "数据缺失（待补充）",
             "not_applicable": "不适用", "no_basis": "定级期无数据，无从比较"}


def declaration(s: Statement) -> Md:
    rated = s.rated
    head = table(["项目", "内容"], [
        ["园区", f"{s.park_name}（{s.park}）"],
        ["声明年度", f"{s.year}年"],
        ["定级评价", f"{rated.window[0]}—{rated.window[-1]}年评价期，绩效指数 "
                    f"{'—' if rated.index is None else f'{rated.index:.2f}'}，{GRADE_ZH.get(rated.grade, rated.grade)}"],
        ["定级评价存档", f"{rated.archive}（生成于 {rated.finished_at}；results.json SHA-256 {rated.results_sha256[:16]}…）"],
        ["有效期", f"覆盖 {s.validity.valid_years[0]}—{s.validity.valid_years[-1]} 年度的持续符合性声明（评价有效期三年，7.2.2）"],
        ["剩余有效期", ("、".join(map(str, s.validity.remaining_years)) + "年度尚需声明") if s.validity.remaining_years
         else "本年度为有效期内最后一次声明，届满后应重新评价"],
    ], [1, 4])
    verdict = Md("**声明结论：{v}。**").format(v=VERDICT_ZH[s.verdict])
    meaning = {
        "continued": Md("园区在声明年度仍满足基本要求，各项指标未回落超过目录阈值，年度指数保持所定等级水平，整体评价仍为正向。"),
        "not_continued": Md("园区在声明年度存在不符合项（见下表），应说明原因并整改；主管部门可据此跟踪复核，必要时提前重新评价。"),
        "undetermined": Md("有数据的各项检查均符合，但部分数据缺失，补充后方可确认是否持续符合；缺失数据不视为不符合。"),
    }[s.verdict]
    return paragraphs(head, verdict, meaning)


def checks(s: Statement) -> Md:
    rows = [[c.name_zh, CHECK_ZH[c.status], c.detail_zh] for c in s.checks]
    rules = s.rules
    rule = Md("判定规则（指标目录 continued_compliance，来源：{src}）：指标得分率 s 较定级评价期平均回落超过 {d} 即为回落"
              "{o}；{band}；AA级及以上园区各目标层得分不低于满分值的50%；整体评价（定级基准年至声明年度）仍为正向。").format(
        src=rules.source, d=fmt(rules.max_score_drop),
        o="（个别指标另设阈值：" + "、".join(f"{k} {fmt(v)}" for k, v in rules.score_drop_overrides.items()) + "）"
        if rules.score_drop_overrides else "",
        band="声明年度的年度指数不低于所定等级的下限" if rules.keep_grade_band else "不要求年度指数保持等级下限")
    return paragraphs(table(["检查项", "结论", "说明"], rows, [2, 1, 6]), rule)


def gate(s: Statement) -> Md:
    rows = [[n, g.text_zh, "满足" if g.met else ("未作答" if not g.answered else Md("**不满足**")), g.evidence or "—"]
            for n, g in enumerate(s.gate, 1)]
    return table(["序号", "基本要求", "结论", "证明材料（应覆盖声明年度）"], rows, [1, 5, 2, 7])


def indicators(s: Statement) -> Md:
    if not s.indicators:
        return Md("基本要求不满足，未计算声明年度的指标。")
    rows = []
    for i in s.indicators:
        value = (i.level + "档" if i.level else "—") if i.kind == "qualitative" else (
            "—" if i.value is None else f"{fmt(i.value)} {i.unit or ''}".strip())
        rows.append([i.code, i.name_zh, "—" if i.rated_mean_score is None else f"{i.rated_mean_score:.3f}",
                     value, "—" if i.score is None else f"{i.score:.3f}",
                     "—" if i.drop is None else f"{-i.drop:+.3f}", fmt(i.threshold), STATUS_ZH[i.status]])
    return paragraphs(
        Md("声明年度 {y} 年的指标按与定级评价相同的方法计算（计算过程与数据来源见存档 results.json 与执行后的笔记本）。"
           "“得分率变化”为声明年度得分率 s 减去定级评价期（计入指数各年）的平均得分率。").format(y=s.year),
        table(["编号", "指标", "定级期平均得分率", "声明年度数值", "声明年度得分率", "得分率变化", "回落阈值", "判定"], rows,
              [2, 5, 2, 3, 2, 2, 2, 2]))


def index_and_levels(s: Statement) -> Md:
    if s.year_index is None:
        return Md("基本要求不满足，未计算声明年度的年度指数。")
    rows = [[name, f"{pts:.2f}", f"{s.level_max[name]:g}", f"{pts / s.level_max[name]:.1%}" if s.level_max[name] else "—"]
            for name, pts in s.level_points.items()]
    lead = Md("{y}年年度指数 {x:.2f} 分（含加分）；所定等级 {g} 的下限为 {b} 分。").format(
        y=s.year, x=s.year_index, g=GRADE_ZH.get(s.rated.grade, s.rated.grade),
        b="—" if s.band_min is None else fmt(s.band_min))
    overall = Md("整体评价（{a}年→{b}年）：").format(a=s.overall_base_year or "—", b=s.year) + Md("；").join(
        s.overall_reasons) + Md("。") if s.overall_reasons else Md("")
    return paragraphs(lead, table(["目标层", "声明年度得分", "满分", "得分率"], rows), overall)


def review_points(s: Statement) -> Md:
    return Md("\n").join(Md("{n}. {text}").format(n=n, text=text) for n, text in enumerate(s.review_points, 1))


def signatures() -> Md:
    blank = Md("&nbsp;")
    return table(["签署项", "签署"], [["园区管理机构（盖章）", blank], ["负责人（签字）", blank], ["声明日期", blank]], [2, 5])
