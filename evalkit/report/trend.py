"""The trend document's text (纵向比较) and the park report's short 历年变化 section, from a `Trend`."""

from __future__ import annotations

from evalkit.portfolio.trend import Trend
from evalkit.report.markup import Md, paragraphs, table
from evalkit.report.terms import GRADE_ZH

VERDICT_ZH = {"positive": "正向", "negative": "负向", "undetermined": "无法判定", None: "未评价"}


def _window(window: list[int]) -> str:
    return f"{window[0]}—{window[-1]}年"


def windows_table(t: Trend) -> Md:
    levels = list(dict.fromkeys(name for p in t.points for name in p.level_points))
    rows = [[_window(p.window), "—" if p.index is None else f"{p.index:.2f}", GRADE_ZH.get(p.grade, p.grade),
             VERDICT_ZH.get(p.verdict, p.verdict or "—"),
             *(f"{p.level_points[n]:.2f}/{p.level_max.get(n, 0):g}" if n in p.level_points else "—" for n in levels),
             p.data_gaps] for p in t.points]
    return table(["评价期", "绩效指数", "等级", "整体评价", *(Md("{}得分").format(n) for n in levels), "数据缺口（项·年）"], rows)


def scope(t: Trend) -> Md:
    text = Md("按相同的指标目录与方法，评价{name}在{y0}—{y1}年间数据所允许的每一个三年评价期（{n} 个）。"
              "每个评价期的指数为其三年年度指数的平均值，整体评价以该评价期首年为基准年。").format(
        name=t.park_name, y0=t.span[0], y1=t.span[-1], n=len(t.points))
    if t.skipped:
        text = paragraphs(text, Md("未能评价的评价期：") + Md("；").join(
            f"{_window(s.window)}（{s.reason_zh}）" for s in t.skipped) + Md("。"))
    return text


def movers(t: Trend) -> Md:
    if not t.movers:
        return Md("只有一个评价期，或各指标得分率在首末评价期之间没有变化。")
    first, last = t.points[0], t.points[-1]
    rows = [[m.code, m.name_zh, m.first_level, f"{m.first_points:.2f}", f"{m.last_points:.2f}", f"{m.change:+.2f}",
             f"{m.max_points:.2f}", "" if m.measured_both else "含数据缺口"] for m in t.movers]
    return paragraphs(
        Md("首末评价期（{a} 与 {b}）之间得分点数变化最大的指标（计入指数各年的平均）：").format(
            a=_window(first.window), b=_window(last.window)),
        table(["编号", "指标", "一级指标", Md("{}").format(_window(first.window)), Md("{}").format(_window(last.window)),
               "变化", "满分", "说明"], rows, [2, 5, 3, 2, 2, 2, 2, 2]))


def history(t: Trend) -> Md:
    """The park report's short 历年变化 section: the earlier windows next to this one (the caller
    gives it the heading that fits where it stands)."""
    rows = [[_window(p.window), "—" if p.index is None else f"{p.index:.2f}", GRADE_ZH.get(p.grade, p.grade),
             VERDICT_ZH.get(p.verdict, p.verdict or "—")] for p in t.points]
    first, last = t.points[0], t.points[-1]
    lead = Md("园区数据覆盖更早年份，按相同方法评价此前的三年评价期，供纵向比较（不影响本次定级）。")
    if first.index is not None and last.index is not None:
        lead += Md("绩效指数由{a}的 {x:.2f} 变为{b}的 {y:.2f}（{d:+.2f}）。").format(
            a=_window(first.window), x=first.index, b=_window(last.window), y=last.index, d=last.index - first.index)
    return paragraphs(lead, table(["评价期", "绩效指数", "等级", "整体评价"], rows))
