"""The assessor's free text (park file `report:`) checked against the computed result: a wrong index,
points figure or grade is named in a marked notice beside the text and in the CLI warnings; the right
ones pass; a conclusion left blank while consistency checks must be addressed says what it must say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evalkit import carbon
from evalkit.catalog import load_catalog
from evalkit.evaluation import evaluate
from evalkit.evaluation.narrative import check_narrative
from evalkit.intake import load_park
from evalkit.report import chapters
from evalkit.report.context import ReportContext
from evalkit.report.sections import Figure

PARAMS = Path(__file__).resolve().parents[1] / "params"
YEARS = [2021, 2022, 2023]
CATALOG = load_catalog()
FACTORS = carbon.load_factors()
NOTICE = "evalkit 核对提示"


def evaluated(park_id: str, edit=None):
    park = load_park(park_id, PARAMS)
    if edit:
        edit(park.input.report)
    return park, evaluate(park, CATALOG, YEARS, factors=FACTORS)


def report_markdown(park, result) -> str:
    import matplotlib.pyplot as plt

    parts = []
    for block in chapters.blocks(ReportContext(result, CATALOG, park.input, evidence_dir=park.evidence_dir)):
        if isinstance(block, Figure):
            plt.close(block.figure)
        else:
            parts.append(str(block))
    return "\n\n".join(parts)


@pytest.fixture(scope="module")
def chem():
    return evaluated("demo-chem")


def findings_for(chem, conclusion: str, recommendations: list[str] | None = None):
    park, result = chem
    report = park.input.report.model_copy(update={"conclusion": conclusion,
                                                  "recommendations": recommendations or []})
    return check_narrative(report, result, CATALOG)


def test_a_wrong_index_is_named_with_the_computed_one(chem):
    _, result = chem
    assert result.index == pytest.approx(88.46)
    found = findings_for(chem, "园区2021—2023年绩效指数为85.90，评价等级为AAA级。")
    assert [f.kind for f in found] == ["index"]
    assert found[0].text_zh.startswith("评价结论文字中的绩效指数 85.90 与计算结果 88.46 不一致")
    assert found[0].field == "report.conclusion"


def test_the_right_index_and_yearly_indices_pass_at_the_reports_precision(chem):
    _, result = chem
    yearly = [f"{result.yearly[y].index:.2f}" for y in YEARS]
    text = (f"绩效指数为88.46分，各年指数分别为{yearly[0]}、{yearly[1]}和{yearly[2]}；2023年指数为{yearly[2]}，"
            "评价等级为AAA级；不能评为AA级及以上的情形不存在。30分钟内完成。满分100分。空气质量指数为45。")
    assert findings_for(chem, text) == []


def test_a_points_figure_that_is_no_computed_figure_is_named(chem):
    found = findings_for(chem, "园区得87.6分。开展循环化改造企业占比三年平均失分1.10分，满分2分。")
    assert [(f.kind, f.claimed) for f in found] == [("points", "87.6分")]


def test_a_wrong_grade_is_named_and_a_threshold_mention_is_not_a_claim(chem):
    found = findings_for(chem, "评价等级为AA级。距AAA级门槛尚有差距。")
    assert [(f.kind, f.claimed, f.computed) for f in found] == [("grade", "AA级", "AAA级")]
    assert found[0].text_zh == "评价结论文字中的等级“AA级”与计算结果“AAA级”不一致"
    assert [f.kind for f in findings_for(chem, "本次评价不予定级。")] == ["grade"]


def test_recommendations_are_checked_item_by_item(chem):
    found = findings_for(chem, "评价等级为AAA级。", ["本次绩效指数为85.90，应继续保持。", "提高非化石能源比重。"])
    assert [(f.field, f.kind) for f in found] == [("report.recommendations[1]", "index")]


def test_the_notice_stands_next_to_the_text_in_the_report_and_in_the_warnings():
    def edit(report):
        report.conclusion = "绩效指数为85.90，评价等级为AA级。"
    park, result = evaluated("demo-chem", edit)
    assert "报告文字核对：评价结论文字中的绩效指数 85.90 与计算结果 88.46 不一致" in "\n".join(result.warnings)
    md = report_markdown(park, result)
    section = md[md.index("**评价结论**"):md.index("**建议**")]
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", section)
    assert "绩效指数为85.90，评价等级为AA级。" in text  # the assessor's text, as written
    assert "> **evalkit 核对提示" in section  # evalkit's own marked notice
    assert "> - 评价结论文字中的绩效指数 85.90 与计算结果 88.46 不一致" in text
    assert "> - 评价结论文字中的等级“AA级”与计算结果“AAA级”不一致" in text


def test_the_assessors_text_in_the_notice_stays_text():
    def edit(report):
        report.conclusion = "评价等级为**AA级**，指数为 85.90 <b>"
    park, result = evaluated("demo-chem", edit)
    md = report_markdown(park, result)
    section = md[md.index("**评价结论**"):md.index("**建议**")]
    assert "<b>" not in section and "**AA" not in section
    assert NOTICE in section


def test_the_demo_conclusion_agrees_with_the_computed_results(chem):
    park, result = chem
    assert result.narrative == []
    assert NOTICE not in report_markdown(park, result)


def test_a_deferred_park_may_be_called_deferred_but_not_not_rated():
    """Review 2, item 1: 暂不定级 is the deferral's word, not 不定级 (not rated)."""
    park, result = evaluated("demo-sparse")
    assert result.grade == "deferred" and result.narrative == []  # the demo conclusion agrees
    checked = lambda text: [(f.kind, f.claimed) for f in check_narrative(
        park.input.report.model_copy(update={"conclusion": text}), result, CATALOG)]
    assert checked("本次评价暂缓，暂不定级。") == []
    assert checked("本次预评价暂不定级。") == []
    assert checked("本次预评价不予定级。") == [("grade", "不予定级")]


def test_a_blank_conclusion_says_what_the_consistency_checks_require():
    park, result = evaluated("demo-heavy")
    violated = [f for f in result.consistency if f.status == "violated"]
    assert violated and not park.input.report.conclusion
    missing = [f for f in result.narrative if f.kind == "missing"]
    assert len(missing) == 1 and len(missing[0].must_address) == len(violated)
    md = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", report_markdown(park, result))
    section = md[md.index("**评价结论**"):md.index("**建议**")]
    assert f"评价结论缺失，本报告不完整" in section
    assert f"一致性核对发现 {len(violated)} 项不一致" in section
    assert all(f"{f.year}年 {f.answer_zh}" in section for f in violated)


def test_a_filled_conclusion_or_no_inconsistency_gives_no_missing_notice():
    park, result = evaluated("demo-heavy", lambda r: setattr(r, "conclusion", "园区整体评价为负向，不予定级。"))
    assert not [f for f in result.narrative if f.kind == "missing"]
    _, chem = evaluated("demo-chem", lambda r: setattr(r, "conclusion", None))
    assert not [f for f in chem.narrative if f.kind == "missing"]
