"""Data quality beside the value (DIGEST decision 3): a mark after every figure that is not
measured — 〔推算〕 derived, 〔估算〕 estimated, 〔代用〕 proxy — and a note per marked figure saying how
it was derived, and why a proxy was scored. The marks come from the traces' inputs (results.json).
"""

from __future__ import annotations

from evalkit.core.trace import TraceInput
from evalkit.evaluation.results import Result
from evalkit.report.markup import Md, table

SCOPE_ZH = {"measured": "实测/统计", "derived": "推算", "estimated": "估算", "proxy": "代用"}


def mark(scope: str | None) -> str:
    """The mark shown after a figure: empty for measured data and for figures evalkit computed."""
    return f"〔{SCOPE_ZH[scope]}〕" if scope in SCOPE_ZH and scope != "measured" else ""


def flags_text(flags: list[str]) -> str:
    return "".join(mark(flag) for flag in flags)


def flagged_indicators(result: Result) -> dict[str, str]:
    """Indicators scored with figures that are not measured, in the index years: code → marks."""
    found: dict[str, list[str]] = {}
    for year in result.index_years:
        for i in result.yearly[year].indicators if year in result.yearly else []:
            for flag in i.quality_flags:
                if flag not in found.setdefault(i.code, []):
                    found[i.code].append(flag)
    return {code: flags_text(flags) for code, flags in found.items() if flags}


def notes(inputs: list[TraceInput]) -> Md:
    """The footnotes of the marked figures among `inputs`: scope, how derived, note, why a proxy counts."""
    grouped: dict[tuple[str, str, str], list[int]] = {}  # one row for the years a note repeats over
    for i in inputs:
        if not mark(i.scope):
            continue
        explained = "；".join(text for text in (
            i.derivation and f"推算/估算方法：{i.derivation}", i.note,
            i.proxy_justification and f"代用数据计分理由：{i.proxy_justification}") if text)
        years = grouped.setdefault((i.name_zh, mark(i.scope), explained or "—"), [])
        if i.year is not None and i.year not in years:
            years.append(i.year)
    rows = [["、".join(map(str, sorted(years))), name, scope, text] for (name, scope, text), years in grouped.items()]
    if not rows:
        return Md("")
    return Md("数据质量说明（〔推算〕由其他公布数据计算，〔估算〕为估计值，〔代用〕以其他范围的数据代表园区）：\n\n") + table(
        ["年份", "数据项", "口径", "说明"], rows, [2, 4, 2, 10])
