"""Honest on sparse, public-statistics data (issue 10): coverage, unknown basic requirements, data
quality per datum, ratio inputs, gaps that are not weaknesses, advice drawn from data, the outcome
predicted by validate and the request list written by `evalkit gaps` — on params/demo-sparse.yaml."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import pypandoc
import pytest
import yaml
from openpyxl import load_workbook

from evalkit import carbon
from evalkit.catalog import load_catalog
from evalkit.cli import main
from evalkit.evaluation import evaluate
from evalkit.evaluation.results import Result
from evalkit.intake import load_park
from evalkit.report.context import ReportContext
from evalkit.report import coverage, gaps, sections

PARAMS = Path(__file__).parent.parent / "params"
WINDOW = [2021, 2022, 2023]
CATALOG = load_catalog()
FACTORS = carbon.load_factors()


@cache
def sparse() -> Result:
    return evaluate(load_park("demo-sparse", PARAMS), CATALOG, WINDOW, factors=FACTORS)


def report_context(result: Result) -> ReportContext:
    """The report's view of the sparse park's result (sections take a ReportContext)."""
    park = load_park("demo-sparse", PARAMS)
    return ReportContext(result, CATALOG, park.input, evidence_dir=park.evidence_dir)


def sparse_raw() -> dict:
    return yaml.safe_load((PARAMS / "demo-sparse.yaml").read_text("utf-8"))


def indicator(result: Result, year: int, code: str):
    return next(i for i in result.yearly[year].indicators if i.code == code)


def test_sparse_demo_is_labelled_synthetic_and_covers_about_a_third():
    park = load_park("demo-sparse", PARAMS)
    assert park.path.read_text("utf-8").startswith("# SYNTHETIC DEMO DATA")
    assert park.input.profile.synthetic and "合成示范数据" in park.input.profile.name_zh
    assert park.input.years() == [2020, 2021, 2022, 2023]
    cov = sparse().coverage
    # I01 I02 I03 I13 I14 | I17 I19 I21 I33 | I36 I40 = 0.34 of the 1.01 published weight
    assert cov.by_year[2023].covered_weight == pytest.approx(0.34)
    assert cov.by_year[2023].share == pytest.approx(0.34 / 1.01)
    assert cov.by_year_level[2023]["效果协同"].share == pytest.approx(0.11 / 0.35)
    assert cov.by_level["路径协同"].share == pytest.approx(0.13 / 0.46)
    assert cov.by_level["管理协同"].share == pytest.approx(0.5)
    assert cov.min_share == 0.65 and "JRC/OECD" in cov.source and not cov.sufficient
    assert {i.coverage for i in sparse().yearly[2023].indicators} == {0.0, 1.0}


def test_below_the_coverage_minimum_there_is_no_grade_and_no_failure():
    r = sparse()
    # pending evidence and coverage both blocking: deferred, every blocker listed (gate.py decision)
    assert r.grade == "deferred" and not r.rated and r.index is not None
    assert r.index_status == "reference" and r.provisional_grade is None
    assert [b.kind for b in r.blockers] == ["gate_deferred", "coverage", "overall_undetermined"]
    assert "数据覆盖不足，补齐数据前暂不定级" in r.grade_reason and "33.7%" in r.grade_reason
    assert r.overall.verdict == "undetermined" and r.overall.failures == []
    assert r.overall.efficiency.improved is True  # what can be measured is still measured
    verdict_line = sections.grade(r).split("\n")[0]  # the rest of the section states the rules
    for text in (r.grade_reason, sections.summary(report_context(r)), coverage.at_a_glance(r), verdict_line):
        assert "负向" not in text and "（不合格）" not in text and "基本要求不满足" not in text
    summary = sections.summary(report_context(r))
    assert "参考值" in summary and "评价暂缓，待补证：" in summary and "无法判定" in summary
    assert "I01〔代用〕" in summary and "I17〔估算〕" in summary  # proxies are flagged on the summary page
    # the 50 % rule is not decided by missing data scored 0
    assert "目标层50%规则 | 无法判定（数据覆盖不足）" in summary.replace("\\", "")


def test_coverage_threshold_decides_between_reference_value_and_grade(chem_raw, make_park):
    # Drop the 效果协同 pollutant and carbon data of demo-chem: that level falls below 65 %.
    for symbol in ("nox", "so2", "vocs", "cod"):
        del chem_raw["data"][symbol]
    result = evaluate(make_park(chem_raw), CATALOG, WINDOW, factors=FACTORS)
    assert result.coverage.by_level["效果协同"].share == pytest.approx((0.35 - 0.08) / 0.35)
    assert result.coverage.sufficient  # 77 % ≥ 65 %: still gradeable on coverage
    del chem_raw["data"]["solid_waste"], chem_raw["data"]["nh3n"]
    chem_raw.pop("energy")
    result = evaluate(make_park(chem_raw), CATALOG, WINDOW, factors=FACTORS)
    assert not result.coverage.sufficient and result.index_status == "reference"
    assert result.grade == "not_rated" and any(b.kind == "coverage" for b in result.blockers)
    assert result.overall.verdict == "undetermined"


def test_a_deferred_park_is_never_called_not_rated_and_a_park_not_rated_for_coverage_is(chem_raw, make_park):
    """Review 2, item 1: the coverage and overall-undetermined blockers are worded for the result's
    status — 补齐数据前暂不定级 beside pending basic requirements, 不予定级 otherwise."""
    r = sparse()
    ctx = report_context(r)
    reason, rules = sections.grade(r).split("\n\n")[1:3]  # the verdict's reason, then the rules
    for text in (r.grade_reason, *(b.text_zh for b in r.blockers), reason, sections.summary(ctx),
                 coverage.at_a_glance(r), coverage.coverage_summary(r), sections.overall(ctx)):
        assert "不予定级" not in text, text
    assert "数据覆盖不足，补齐数据前暂不定级" in coverage.coverage_summary(r)
    assert "不视为不合格，补齐数据前暂不定级" in sections.overall(ctx)
    assert "| 暂缓定级的原因 |" in sections.summary(ctx)
    # the rules name both outcomes for too little data, as conditions
    assert "同时基本要求待补证或待核实时为评价暂缓" in rules
    # the same shortfalls with every basic requirement met: not rated, said so in every place
    del chem_raw["data"]["solid_waste"], chem_raw["data"]["nh3n"], chem_raw["energy"]
    for symbol in ("nox", "so2", "vocs", "cod"):
        del chem_raw["data"][symbol]
    alone = evaluate(make_park(chem_raw), CATALOG, WINDOW, factors=FACTORS)
    assert alone.grade == "not_rated" and alone.gate.outcome == "passed"
    assert "数据覆盖不足，不予定级" in alone.grade_reason and "暂不定级" not in alone.grade_reason
    assert "数据覆盖不足，不予定级" in coverage.coverage_summary(alone)


def test_unknown_basic_requirements_defer_and_say_what_would_settle_them():
    gate = sparse().gate
    assert gate.outcome == "deferred" and not gate.passed and gate.failed == []
    assert gate.unknown == ["planning_eia", "environmental_quality", "permits_and_caps", "carbon_accounting"]
    text = sections.gate(report_context(sparse()))
    assert text.count("| 待补证 |") == 4 and "规划环评报告书及审查意见" in text and "**不满足**" not in text


def test_proxy_allowed_by_the_catalog_is_scored_and_flagged():
    i01 = indicator(sparse(), 2023, "I01")
    assert i01.status == "ok" and i01.quality_flags == ["proxy"] and i01.value == 84.1
    assert i01.variant == "按公布的优良天数比例"  # the trace says which form was given
    [given] = i01.trace.value.inputs
    assert given.symbol == "good_air_ratio" and given.scope == "proxy"
    assert given.proxy_justification.startswith("指标目录允许")
    detail = sections.indicator_detail(report_context(sparse()), "I01")
    assert "〔代用〕" in detail and "代用数据计分理由" in detail


def test_unjustified_proxy_is_not_scored_and_a_justified_one_is(make_park):
    i30 = indicator(sparse(), 2023, "I30")
    assert i30.status == "missing" and i30.coverage == 0.0 and "仅有代用数据" in i30.trace.value.note
    [gap] = [g for g in sparse().input_gaps if g.symbol == "solid_waste_use_rate"]
    assert gap.kind == "unscored_proxy" and gap.indicators == ["I30"] and gap.years == WINDOW
    raw = copy.deepcopy(sparse_raw())
    raw["data"]["solid_waste_use_rate"]["proxy_justification"] = "园区固废产生量占全市九成以上，全市利用率可代表园区"
    result = evaluate(make_park(raw), CATALOG, WINDOW, factors=FACTORS)
    i30 = indicator(result, 2023, "I30")
    assert i30.status == "ok" and i30.quality_flags == ["proxy"] and i30.value == 96.1


def test_derived_and_estimated_figures_keep_their_quality_in_the_trace():
    i17 = indicator(sparse(), 2023, "I17")
    estimated = next(i for i in i17.trace.value.inputs if i.symbol == "green_industry_va")
    assert estimated.scope == "estimated" and "增加值率" in estimated.derivation
    assert i17.quality_flags == ["estimated"]
    i03 = indicator(sparse(), 2022, "I03")
    assert i03.variant == "按公布的断面达标比例" and i03.quality_flags == ["derived"]
    measured = next(i for i in indicator(sparse(), 2023, "I13").trace.value.inputs if i.symbol == "iva")
    assert measured.scope == "measured" and indicator(sparse(), 2023, "I13").quality_flags == []


def test_weaknesses_rank_measured_indicators_only_and_gaps_are_grouped_by_input():
    r = sparse()
    measured = {i.code for y in WINDOW for i in r.yearly[y].indicators if i.status == "ok"}
    assert r.points_lost and {p.code for p in r.points_lost} <= measured
    assert r.points_lost[0].code == "I21"  # 9.4 % of firms audited against a 50 % reference
    [co2] = [g for g in r.input_gaps if g.symbol == "co2"]
    assert co2.indicators == ["I10", "I11"] and co2.overall and co2.years == [2020, 2021, 2022, 2023]
    assert co2.points_at_stake == pytest.approx(10.0) and co2.unit == "t"
    [air] = [g for g in r.input_gaps if g.symbol == "solid_waste_used"]
    assert air.alternatives == ["solid_waste_use_rate"]
    assert r.gap_points_by_level == pytest.approx({"效果协同": 24.0, "路径协同": 33.0, "管理协同": 10.0})
    section = gaps.data_gaps_section(r, CATALOG)
    assert "二氧化碳排放总量" in section and "不作为薄弱环节" in section
    weak = gaps.weaknesses_section(r, CATALOG)
    assert "I21" in weak and "I10" not in weak and "二氧化碳" not in weak


def test_advice_names_the_figure_and_never_contradicts_the_evidence(chem_raw, make_park):
    r = sparse()
    ids = {a.id for a in r.advice}
    assert "cleaner_production" in ids and "air_quality" in ids
    assert "coal_reduction" not in ids and "plan" not in ids  # no energy data; I36 rated A
    [cp] = [a for a in r.advice if a.code == "I21"]
    assert "2023年" in cp.figure_zh and "%" in cp.figure_zh and cp.score < 0.8
    # CO2 given as a figure, no energy data: I10 is weak, but no coal advice without energy figures
    chem_raw.pop("energy")
    chem_raw["data"]["co2"] = {"unit": "万吨", "source": "园区碳排放核算报告",
                               "values": {2020: 900, 2021: 880, 2022: 860, 2023: 840}}
    result = evaluate(make_park(chem_raw), CATALOG, WINDOW, factors=FACTORS)
    assert indicator(result, 2023, "I10").score < 0.8 and indicator(result, 2023, "I10").status == "ok"
    assert "coal_reduction" not in {a.id for a in result.advice}
    raw = copy.deepcopy(sparse_raw())
    raw["qualitative"]["I36"][2023]["level"] = "C"
    planned = evaluate(make_park(raw), CATALOG, WINDOW, factors=FACTORS)
    assert "plan" in {a.id for a in planned.advice}


def test_validate_predicts_the_outcome_and_score_exits_1_when_not_rated(capsys):
    code = main(["validate", "--park", "demo-sparse", "--years", "2021-2023", "--params-dir", str(PARAMS)])
    out = capsys.readouterr().out
    assert code == 1
    assert "deferred" in out and "planning_eia" in out and "数据覆盖不足" in out
    assert "2023 34%" in out and "grade possible / 能否定级: no" in out
    assert "data.solid_waste_use_rate" in out  # the unjustified proxy is warned about
    code = main(["score", "--park", "demo-sparse", "--years", "2021-2023", "--params-dir", str(PARAMS)])
    captured = capsys.readouterr()
    assert code == 1 and "REFERENCE VALUE ONLY" in captured.out and "数据覆盖不足" in captured.err
    assert "I01 (proxy)" in captured.out
    assert "50 % rule / 50%规则: not assessable" in captured.out and "FAILED" not in captured.out
    assert main(["score", "--park", "demo-chem", "--years", "2021-2023", "--params-dir", str(PARAMS)]) == 0


def test_several_shape_errors_do_not_cascade(tmp_path, chem_raw, capsys, write_params):
    chem_raw["basic_requirements"]["boundary"]["met"] = "maybe"
    chem_raw["data"]["iva"]["values"][2021] = "lots"
    del chem_raw["data"]["nox"]["unit"]
    chem_raw["data"]["cod"]["values"] = [1, 2, 3]
    chem_raw["data"]["pm25"]["scope"] = "guess"
    folder = write_params(chem_raw)
    code = main(["validate", "--park", "crafted", "--years", "2021-2023", "--params-dir", str(folder)])
    out = capsys.readouterr().out
    assert code == 2 and "5 error(s), 0 warning(s)" in out
    assert "true, false or unknown" in out and "measured, derived, estimated or proxy" in out
    assert "a mapping of year: value" in out and "no yearly data" not in out and "unanswered" not in out
    code = main(["score", "--park", "crafted", "--years", "2021-2023", "--params-dir", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("error     ") == 5


def test_gaps_command_writes_the_request_as_workbook_and_letter(tmp_path, capsys):
    code = main(["gaps", "--park", "demo-sparse", "--years", "2021-2023", "--params-dir", str(PARAMS),
                 "--output-dir", str(tmp_path)])
    assert code == 0
    xlsx = tmp_path / "demo-sparse" / "资料补充清单-2021-2023.xlsx"
    docx = xlsx.with_suffix(".docx")
    book = load_workbook(xlsx)
    assert book.sheetnames == ["说明", "缺失数据", "基本要求待补证", "定性指标待评定"]
    rows = list(book["缺失数据"].iter_rows(values_only=True))
    header, body = rows[0], {row[2]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert header[:5] == ("序号", "数据项", "代码", "单位", "所需年份")
    assert len(body) == len([g for g in sparse().input_gaps if not g.symbol.startswith("qualitative.")])
    co2 = body["co2"]
    assert co2["单位"] == "t" and co2["所需年份"] == "2020—2023" and co2["影响分值（指数分）"] == 10
    assert "I10 碳排放强度" in co2["需要该数据的指标"] and "整体评价" in co2["需要该数据的指标"]
    assert "二氧化碳排放总量 ÷ 工业增加值" in co2["定义与用途"] and "能源消费数据" in co2["说明"]
    assert "代用" in body["solid_waste_use_rate"]["说明"]
    gate = list(book["基本要求待补证"].iter_rows(values_only=True))
    assert [row[1] for row in gate[1:]] == ["planning_eia", "environmental_quality", "permits_and_caps",
                                            "carbon_accounting"]
    assert "规划环评报告书及审查意见" in gate[1][4]
    qualitative = {row[1]: row for row in list(book["定性指标待评定"].iter_rows(values_only=True))[1:]}
    assert set(qualitative) == {"I22", "I23", "I25", "I37", "I38", "I39", "I41"}
    assert qualitative["I23"][5].startswith("A（优）")
    letter = pypandoc.convert_file(str(docx), "plain")
    assert "资料补充清单" in letter and "东湖湾先进制造业园区管理委员会" in letter
    assert "二氧化碳排放总量" in letter and "规划环境影响评价" in letter and "协同治理技术应用" in letter


def test_request_letter_never_asks_for_what_is_there():
    from evalkit.report.request import intro_lines, letter

    complete = evaluate(load_park("demo-chem", PARAMS), CATALOG, WINDOW, factors=FACTORS)
    assert "无需补充" in intro_lines(complete)[1] and "不足" not in intro_lines(complete)[1]
    failed = evaluate(load_park("demo-gatefail", PARAMS), CATALOG, WINDOW, factors=FACTORS)
    assert "基本要求不满足（2022年6月18日，园区一家医药中间体企业储罐泄漏" in intro_lines(failed)[1]
    text = letter(sparse(), CATALOG)
    data = len([g for g in sparse().input_gaps if not g.symbol.startswith("qualitative.")])
    assert "33\\.7\\%" in text and f"一、缺失数据（{data}项）" in text and "三、待评定档次的定性指标（7项）" in text



def test_each_indicator_gets_advice_about_its_own_subject():
    """NOx and SO2 were advised on VOCs, 能源产出率 on carbon intensity: a text shared by indicators
    must suit each of them."""
    by_code = {code: item for item in CATALOG.advice.items for code in item.indicators}
    assert "VOCs" in by_code["I05"].text_zh
    assert "VOCs" not in by_code["I04"].text_zh and "氮" in by_code["I04"].text_zh
    assert "VOCs" not in by_code["I06"].text_zh and "硫" in by_code["I06"].text_zh
    assert len({by_code[c].text_zh for c in ("I10", "I15", "I16")}) == 3
    assert "能效" in by_code["I15"].text_zh and "非化石能源" in by_code["I16"].text_zh


def test_advice_states_its_figure_at_the_tables_precision():
    from evalkit.report.numbers import Numbers

    result = evaluate(load_park("demo-chem", PARAMS), CATALOG, WINDOW, factors=FACTORS)
    [advice] = [a for a in result.advice if a.code == "I24"]  # 65 ÷ 128 = 50.78125 %
    ind = indicator(result, advice.year, "I24")
    assert advice.figure_zh.startswith(f"{advice.year}年 {Numbers(CATALOG).value(ind.value, '%')}%，")
    assert "50.78%" in advice.figure_zh
