"""The request for missing data and evidence (资料补充清单) an assessor sends to a park: every
missing input with its unit, years, definition and the indicators it feeds; every basic requirement
pending evidence with the evidence that would settle it; every qualitative indicator without an
assessed level, with the rubric. Built from an evaluation Result and the catalog, never recomputed;
`evalkit.render.request` writes it as an Excel workbook and a Word letter.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalkit.catalog import Catalog
from evalkit.evaluation.results import Result
from evalkit.report.gaps import QUALITATIVE, gap_note, years_text
from evalkit.report.markup import Md, escape, paragraphs, table


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[object]]
    widths: list[int]


def definition(catalog: Catalog, symbol: str, codes: list[str]) -> str:
    """What the figure is: its name and unit, and the formula of each indicator it feeds."""
    spec = catalog.inputs[symbol]
    uses = []
    for code in codes:
        ind = catalog.indicator(code)
        for variant in ind.variants():
            if symbol in {s.name for s in variant.parsed.symbols()}:
                uses.append(f"{code} {ind.name_zh} = {variant.formula_zh}")
                break
    return f"{spec.name_zh}（{spec.unit}）" + ("；用于 " + "；".join(uses) if uses else "")


def data_sheet(result: Result, catalog: Catalog) -> Sheet:
    gaps = [g for g in result.input_gaps if not g.symbol.startswith(QUALITATIVE)]
    rows = []
    for n, g in enumerate(gaps, 1):
        users = "、".join(f"{code} {catalog.indicator(code).name_zh}" for code in g.indicators)
        if g.overall:
            users += ("、" if users else "") + "整体评价"
        rows.append([n, g.name_zh, g.symbol, g.unit, years_text(g.years), definition(catalog, g.symbol, g.indicators),
                     users, round(g.points_at_stake, 2), gap_note(g, catalog), "", ""])
    return Sheet("缺失数据", ["序号", "数据项", "代码", "单位", "所需年份", "定义与用途", "需要该数据的指标",
                             "影响分值（指数分）", "说明", "园区填写：数值（按年份）", "园区填写：数据来源"],
                 rows, [6, 24, 20, 8, 14, 50, 36, 10, 30, 24, 24])


def gate_sheet(result: Result) -> Sheet:
    rows = [[n, item.id, item.text_zh, "待补证", item.evidence_hint_zh, item.note or "", ""]
            for n, item in enumerate([i for i in result.gate.items if i.status == "unknown"], 1)]
    return Sheet("基本要求待补证", ["序号", "编号", "基本要求", "当前状态", "需提供的证明材料", "说明", "园区填写：材料名称"],
                 rows, [6, 22, 44, 10, 44, 30, 30])


def qualitative_sheet(result: Result, catalog: Catalog) -> Sheet:
    rows = []
    for g in (g for g in result.input_gaps if g.symbol.startswith(QUALITATIVE)):
        ind = catalog.indicator(g.symbol.removeprefix(QUALITATIVE))
        rubric = "；".join(f"{lv.id}（{lv.label_zh}）：{lv.criteria_zh}" for lv in ind.scoring.levels or [])
        rows.append([len(rows) + 1, ind.code, ind.name_zh, years_text(g.years), round(g.points_at_stake, 2), rubric,
                     "证明所选档次的文件、台账或现场核查记录", ""])
    return Sheet("定性指标待评定", ["序号", "编号", "指标", "所需年份", "影响分值（指数分）", "分档标准",
                                     "需提供的证明材料", "园区填写：材料名称"], rows, [6, 8, 24, 14, 10, 80, 30, 30])


def request_sheets(result: Result, catalog: Catalog) -> list[Sheet]:
    return [data_sheet(result, catalog), gate_sheet(result), qualitative_sheet(result, catalog)]


def intro_lines(result: Result) -> list[str]:
    profile = result.profile
    window = f"{result.years[0]}—{result.years[-1]}年"
    purpose = f"为开展{result.park_name}减污降碳协同增效绩效评价（评价期 {window}，依据《产业园区减污降碳协同增效绩效评价指南》），"
    missing = bool(result.input_gaps or result.gate.unknown)
    if result.gate.outcome == "failed":
        findings = "；".join(i.finding_zh or i.text_zh for i in result.gate.items if i.status == "failed")
        request = (purpose + f"经核查，基本要求不满足（{findings}），按标准6.1.2本次不开展绩效指标评价。"
                   + ("整改后重新评价所需补充的资料见下列清单。" if missing else "现有数据已满足整改后重新评价时指标评价的需要。"))
    elif not missing:
        request = purpose + "经核对，现有资料已包含评价所需的全部数据和证明材料，无需补充。"
    else:
        request = (purpose + f"现有资料尚不足以完成评价：{_state(result)}。请按下列清单补充数据和证明材料，"
                   "并注明每项数据的来源；仅有代表其他范围的数据（如全市数据）时，请注明为代用数据并说明其可代表园区的理由。")
    return [f"致：{profile.get('management_body') or result.park_name}", request]


def _state(result: Result) -> str:
    """Coverage in words; only called when the gate did not fail, so coverage is set."""
    cov = result.coverage
    assert cov is not None
    shares = "，".join(f"{y}年 {cov.by_year[y].share:.1%}" for y in result.index_years if cov.by_year[y].share is not None)
    return f"有实际数据的指标权重占比为 {shares}（最低要求 {cov.min_share:.0%}）"


def letter(result: Result, catalog: Catalog) -> Md:
    """The Word letter: the request, then the three lists in a page-wide layout."""
    data, gate, qualitative = request_sheets(result, catalog)
    out = [Md("# 资料补充清单"), paragraphs(*(escape(line) for line in intro_lines(result)))]
    out.append(Md("## ") + f"一、缺失数据（{len(data.rows)}项）")
    out.append(table(["序号", "数据项、单位与定义", "所需年份", "需要该数据的指标", "影响分值", "说明"],
                     [[r[0], r[5], r[4], r[6], r[7], r[8]] for r in data.rows], [1, 8, 2, 4, 2, 4])
               if data.rows else Md("无。"))
    out.append(Md("## ") + f"二、待补证的基本要求（{len(gate.rows)}项）")
    out.append(table(["序号", "基本要求", "需提供的证明材料", "说明"], [[r[0], r[2], r[4], r[5]] for r in gate.rows],
                     [1, 6, 6, 4]) if gate.rows else Md("无。"))
    out.append(Md("## ") + f"三、待评定档次的定性指标（{len(qualitative.rows)}项）")
    out.append(table(["序号", "指标", "所需年份", "影响分值", "分档标准"],
                     [[r[0], f"{r[1]} {r[2]}", r[3], r[4], r[5]] for r in qualitative.rows], [1, 3, 2, 2, 10])
               if qualitative.rows else Md("无。"))
    out.append(escape("说明：“影响分值”为缺少该项资料的指标在计入指数年度的满分平均值（指数分）。"
                      "缺失数据在评价中按0分计，但不作为薄弱环节或不合格的依据；补齐后重新评价。"))
    assessor = result.profile.get("assessor")
    if assessor:
        out.append(escape(f"评价机构：{assessor}"))
    return paragraphs(*out)
