"""The report's chapters in order. A chapter is a title and a function of the `ReportContext` that
returns Markdown (`Md`) or yields Markdown blocks and `Figure`s; `run` numbers chapters (一、二、…,
appendices 附录A …) and figures (图1 …) and displays them in the report notebook.

To add a chapter, add one line to `CHAPTERS` (its function lives in its own module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from evalkit.report import charts, firmness, sections as s
from evalkit.report.context import ReportContext
from evalkit.report.layout import PAGE_BREAK
from evalkit.report.markup import Md, escape
from evalkit.report.sections import Figure, Later

NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Chapter:
    title: str
    build: Callable[[ReportContext], Md | Iterable[Md | Figure]]
    kind: Literal["front", "body", "appendix"] = "body"
    """front: cover, sign-off, contents (no heading number, not in the contents); appendix: 附录A …"""
    new_page: bool = False
    """Start the chapter on a new page (Word and PDF)."""


CHAPTERS: list[Chapter] = [
    Chapter("封面", s.cover, "front"),
    Chapter("签署页", s.sign_off, "front"),
    Chapter("目录", s.contents, "front"),
    Chapter("评价结论摘要", firmness.summary_with_firmness),
    Chapter("评价依据", s.basis),
    Chapter("评价范围与边界", s.scope),
    Chapter("评价工作程序", s.procedure),
    Chapter("基本要求评价", s.gate),
    Chapter("指标评价结果总表", s.overview, new_page=True),
    Chapter("基础数据", s.base_data),
    Chapter("绩效指标计算", s.indicator_computations),
    Chapter("目标层得分、加分项与绩效指数", s.scores_and_index),
    Chapter("整体评价", s.overall_chapter),
    Chapter("碳排放核算", s.carbon),
    Chapter("评价等级", s.grade_chapter),
    Chapter("薄弱环节、数据缺口与改进方向", s.weaknesses_chapter),
    Chapter("评价结论与建议", s.conclusion),
    Chapter("评价方法说明", s.methodology_chapter),
    Chapter("证明材料清单", s.evidence_register, "appendix"),
    Chapter("计算明细与符号对照", s.symbols, "appendix"),
    Chapter("可重现性信息", s.reproducibility_chapter, "appendix"),
]


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


def headings(chapters: list[Chapter] = CHAPTERS) -> list[str]:
    """The numbered heading of every chapter, in order (front matter has none: '')."""
    found, body, appendix = [], 0, 0
    for chapter in chapters:
        if chapter.kind == "front":
            found.append("")
        elif chapter.kind == "body":
            body += 1
            found.append(f"{chinese_number(body)}、{chapter.title}")
        else:
            found.append(f"附录{chr(ord('A') + appendix)}　{chapter.title}")
            appendix += 1
    return found


def blocks(ctx: ReportContext, chapters: list[Chapter] = CHAPTERS,
           prepare: Callable[[Md | Figure], Any] = lambda block: block) -> list[Any]:
    """Every block of the report in order, headings included (figures not yet numbered), each
    passed through `prepare` as soon as it is built. `Later` blocks are built after all the others,
    so the work they wait for runs while the rest of the report is built."""
    found: list[Any] = []
    for chapter, title in zip(chapters, headings(chapters)):
        if chapter.new_page:
            found.append(PAGE_BREAK)
        if title:
            found.append(Md("# ") + escape(title))
        built = chapter.build(ctx)
        found += [b if isinstance(b, Later) else prepare(b) for b in ([built] if isinstance(built, str) else built)]
    return [block for item in found
            for block in ([prepare(b) for b in item.build()] if isinstance(item, Later) else [item])]


@dataclass(frozen=True)
class Chart:
    """A figure drawn as PNG."""

    png: bytes
    caption: str


def run(ctx: ReportContext, chapters: list[Chapter] = CHAPTERS) -> None:
    """Display the report in the notebook: Markdown as Markdown, charts as PNG with a numbered caption."""
    from IPython.display import Image, Markdown, display

    def draw(block: Md | Figure) -> Md | Chart:
        return Chart(charts.png(block.figure), block.caption) if isinstance(block, Figure) else block

    figure_no = 0
    for block in blocks(ctx, chapters, prepare=draw):
        if isinstance(block, Chart):
            figure_no += 1
            display(Image(data=block.png, format="png"))
            display(Markdown(Md("图{0}　{1}").format(figure_no, block.caption)))
        else:
            display(Markdown(block))
