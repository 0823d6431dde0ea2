"""The evaluation flow on crafted variants of the demo park, and the grading rules at their edges."""

import pytest

from evalkit.core.problems import InputError

from evalkit.evaluation import evaluate
from evalkit.evaluation.grade import assign_grade
from evalkit.evaluation.index import fifty_percent_rule, round_half_up

from evalkit.intake import load_park

from conftest import PARAMS, copy_year

WINDOW = [2021, 2022, 2023]


def rule_for(catalog, effect=30.0, path=40.0, management=15.0):
    return fifty_percent_rule(catalog, {"效果协同": effect, "路径协同": path, "管理协同": management})


def test_demo_park_result_is_complete_and_traced(catalog, chem_raw, make_park):
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    data = result.model_dump(mode="json")
    for key in ("park", "years", "evaluation_year", "gate", "yearly", "index", "target_level_means",
                "fifty_percent_rule", "overall", "grade", "warnings", "catalog"):
        assert key in data
    assert data["evaluation_year"] == 2023 and data["catalog"]["sha256"]
    year = data["yearly"]["2023"]
    assert set(year["target_levels"]) == {"效果协同", "路径协同", "管理协同"}
    assert len(year["indicators"]) == 41
    for ind in year["indicators"]:
        assert ind["status"] == "ok"
        scoring = ind["trace"]["scoring"]
        assert scoring and all(ref["source"] for ref in scoring["references"])
        if ind["kind"] == "quantitative":
            value = ind["trace"]["value"]
            assert value["inputs"] and all(i["source"] and i["unit"] and i["year"] for i in value["inputs"])
            assert value["result"] == pytest.approx(ind["value"])
        assert ind["points"] == pytest.approx(ind["score"] * ind["weight"] * 100)


def test_index_is_rounded_mean_of_yearly_indices(catalog, chem_raw, make_park):
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    yearly = [result.yearly[y].index for y in WINDOW]
    assert result.index_unrounded == pytest.approx(sum(yearly) / 3)
    assert result.index == round_half_up(sum(yearly) / 3, 2)
    for y in WINDOW:
        yr = result.yearly[y]
        assert yr.index == pytest.approx(sum(i.points for i in yr.indicators) + yr.bonus)
        for level, points in yr.target_levels.items():
            assert points == pytest.approx(sum(i.points for i in yr.indicators if i.target_level == level))


def test_chemical_demo_reaches_a_high_grade(catalog, chem_raw, make_park):
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    assert result.gate.passed and result.overall.verdict == "positive"
    assert result.grade in {"AAA", "AA"}


def test_longer_window_averages_the_last_three_years_only(catalog, chem_raw, make_park):
    def add_2019(section):
        for series in section.values():
            series["values"][2019] = series["values"][2020]
    add_2019(chem_raw["data"])
    add_2019(chem_raw["energy"]["fuels"])
    for key, series in chem_raw["energy"].items():
        if isinstance(series, dict) and "values" in series:
            series["values"][2019] = series["values"][2020]
    result = evaluate(make_park(chem_raw), catalog, [2020, *WINDOW])
    assert result.index_years == WINDOW
    assert result.yearly[2020].in_index is False
    assert result.index == round_half_up(sum(result.yearly[y].index for y in WINDOW) / 3, 2)


@pytest.mark.parametrize("index, grade", [
    (59.99, "none"), (60.0, "A"), (74.99, "A"), (75.0, "AA"), (84.99, "AA"), (85.0, "AAA"), (101.0, "AAA"),
])
def test_grade_bands(catalog, index, grade):
    assert assign_grade(catalog, index, rule_for(catalog))[0] == grade


@pytest.mark.parametrize("mean, rounded, grade", [
    (84.995, 85.0, "AAA"), (84.99499999999999, 85.0, "AAA"), (84.9949, 84.99, "AA"),
    (74.995, 75.0, "AA"), (59.995, 60.0, "A"), (59.9949, 59.99, "none"),
])
def test_grade_is_decided_on_the_rounded_index(catalog, mean, rounded, grade):
    assert round_half_up(mean, 2) == rounded
    assert assign_grade(catalog, round_half_up(mean, 2), rule_for(catalog))[0] == grade


def test_fifty_percent_rule_caps_aaa_and_aa_at_a(catalog):
    failing = rule_for(catalog, management=9.99)  # below 50 % of 20 points
    assert not failing.passed and not failing.levels["管理协同"].passed
    for index in (90.0, 80.0):
        grade, reason = assign_grade(catalog, index, failing)
        assert grade == "A" and "管理协同" in reason
    assert assign_grade(catalog, 65.0, failing)[0] == "A"
    assert assign_grade(catalog, 55.0, failing)[0] == "none"
    assert rule_for(catalog, management=10.0).passed


def test_fifty_percent_rule_uses_each_levels_own_maximum(catalog):
    rule = rule_for(catalog, path=22.99)  # 路径协同 maximum is 46 (published weights), so the floor is 23
    assert rule.levels["路径协同"].max_points == 46 and not rule.passed
    assert rule_for(catalog, path=23.0).passed


def test_fifty_percent_rule_in_the_flow(catalog, chem_raw, make_park):
    for code in ("I36", "I37", "I38", "I39", "I40", "I41"):
        for choice in chem_raw["qualitative"][code].values():
            choice["level"] = "D"
    chem_raw["bonus"] = {y: approved_items(3, 3, 3, 1) for y in WINDOW}
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    assert result.target_level_means["管理协同"] == 0
    assert not result.fifty_percent_rule.passed
    assert result.index >= 75 and result.grade == "A"


def test_failed_gate_stops_the_evaluation(catalog, chem_raw, make_park):
    chem_raw["basic_requirements"]["no_major_incident"] = {"met": False, "evidence": "2022年发生较大突发环境事件"}
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    assert not result.gate.passed and result.gate.failed == ["no_major_incident"]
    assert result.grade == "not_rated" and "基本要求" in result.not_rated_reason
    assert result.yearly == {} and result.index is None and result.overall is None


def test_unanswered_requirement_defers_the_evaluation(catalog, chem_raw, make_park):
    del chem_raw["basic_requirements"]["disclosure"]
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    assert result.gate.outcome == "deferred" and result.gate.unknown == ["disclosure"] and not result.gate.failed
    assert result.grade == "deferred" and result.index_status == "provisional"
    assert result.yearly and result.index is not None and result.provisional_grade in {"AAA", "AA"}
    assert result.grade_reason.startswith("评价暂缓：1项基本要求待补证，补证并确认满足后方可定级")
    assert "基本要求不满足" not in result.grade_reason
    assert any("disclosure" in w for w in result.warnings)


def test_met_unknown_defers_and_a_failure_still_stops(catalog, chem_raw, make_park):
    chem_raw["basic_requirements"]["planning_eia"] = {"met": "unknown", "note": "规划环评批复待园区提供"}
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    item = next(i for i in result.gate.items if i.id == "planning_eia")
    assert item.status == "unknown" and not item.met and item.answered and item.finding_zh is None
    assert [b.kind for b in result.blockers] == ["gate_deferred"]
    chem_raw["basic_requirements"]["no_major_incident"] = {"met": False, "evidence": "事故调查报告"}
    failed = evaluate(make_park(chem_raw), catalog, WINDOW)
    assert failed.gate.outcome == "failed" and failed.yearly == {} and failed.grade == "not_rated"
    assert [b.kind for b in failed.blockers] == ["gate_failed"]
    assert "评价期内发生了较大及以上突发环境事件" in failed.grade_reason  # the finding, not the requirement


def test_negative_overall_verdict_is_not_rated(catalog, chem_raw, make_park):
    chem_raw["energy"]["process_co2"]["values"][2023] = 200  # 万吨: carbon intensity rises
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    assert result.overall.verdict == "negative"
    assert result.overall.carbon_intensity.improved is False
    assert result.grade == "not_rated" and "碳排放强度上升" in result.not_rated_reason
    assert result.index is not None  # the index is still computed and shown


def test_single_pollutant_rise_is_flagged_and_fails_only_in_strict_mode(catalog, chem_raw, make_park):
    chem_raw["data"]["so2"]["values"][2023] = 1700  # SO2 intensity rises, the air class still falls
    lenient = evaluate(make_park(chem_raw), catalog, WINDOW)
    assert lenient.overall.verdict == "positive"
    assert any("二氧化硫" in flag for flag in lenient.overall.flags)
    strict = evaluate(make_park(chem_raw), catalog, WINDOW, strict=True)
    assert strict.overall.verdict == "negative" and strict.grade == "not_rated"


def test_base_year_declared_by_the_park(catalog, chem_raw, make_park):
    chem_raw["profile"]["base_year"] = 2020
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    assert (result.overall.base_year, result.overall.target_year) == (2020, 2023)


@pytest.mark.parametrize("declared", ["profile", "argument"])
def test_a_base_year_before_the_year_before_the_window_has_its_carbon_accounted(catalog, chem_raw, make_park,
                                                                                 declared):
    copy_year(chem_raw, 2020, 2019)
    if declared == "profile":
        chem_raw["profile"]["base_year"] = 2019
    result = evaluate(make_park(chem_raw), catalog, WINDOW, base_year=2019 if declared == "argument" else None)
    carbon = result.overall.carbon_intensity
    assert result.overall.base_year == 2019 and carbon.improved is not None and not carbon.missing_inputs
    assert set(result.carbon_before_window) == {2019, 2020}
    assert result.carbon_decomposition is not None and result.carbon_decomposition.base_year == 2019


def approved_items(*points: float) -> list[dict]:
    """Bonus items each declared and approved at `points` against the demonstration-project rubric."""
    return [{"name": f"示范{n}", "points": p, "justification": "理由", "rubric": "demonstration_project",
             "approved_points": p, "approval_note": "核查属实"} for n, p in enumerate(points)]


def test_bonus_is_capped_at_ten_points(catalog, chem_raw, make_park):
    chem_raw["bonus"] = {2022: approved_items(3, 3, 3, 3)}
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    year = result.yearly[2022]
    assert year.bonus_approved == 12 and year.bonus == 10
    assert year.index == pytest.approx(year.base_points + 10)
    assert any("超过上限" in w for w in result.warnings)


def test_only_approved_bonus_points_count(catalog, chem_raw, make_park):
    chem_raw["bonus"] = {2023: [
        {"name": "CCUS示范", "points": 3, "justification": "理由", "rubric": "demonstration_project",
         "approved_points": 1.5, "approval_note": "运行不足一年"},
        {"name": "零碳工厂", "points": 2, "justification": "理由", "rubric": "zero_carbon_pilot"}]}  # not yet approved
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    year = result.yearly[2023]
    assert (year.bonus_claimed, year.bonus_approved, year.bonus) == (5, 1.5, 1.5)
    assert year.index == pytest.approx(year.base_points + 1.5)
    assert "尚未核定，计0分" in year.trace.note
    items = {i.name: i for i in year.bonus_items}
    assert items["CCUS示范"].rubric_name_zh == "减污降碳协同创新示范工程" and items["CCUS示范"].rubric_max_points == 3
    # the grade and index without the bonus are reported
    dep = result.bonus_dependence
    assert dep.index_without_bonus == pytest.approx(round(sum(result.yearly[y].base_points for y in WINDOW) / 3, 2))


def test_bonus_approval_rules(catalog, chem_raw, make_park):
    chem_raw["bonus"] = {2023: [
        {"name": "甲", "points": 2, "justification": "理由", "rubric": "demonstration_project", "approved_points": 3},
        {"name": "乙", "points": 5, "justification": "理由", "rubric": "zero_carbon_pilot", "approved_points": 2.5},
        {"name": "丙", "points": 1, "justification": "理由", "rubric": "no_such_rubric", "approved_points": 1},
        {"name": "丁", "points": 1, "justification": "理由"}]}
    with pytest.raises(InputError) as excinfo:
        evaluate(make_park(chem_raw), catalog, WINDOW)
    found = {(p.field, p.severity) for p in excinfo.value.problems}
    assert ("bonus.2023.0.approved_points", "error") in found      # above the declared points
    assert ("bonus.2023.1.approved_points", "error") in found      # above the rubric's 2 points
    assert ("bonus.2023.2.rubric", "error") in found               # unknown rubric entry
    assert ("bonus.2023.3.rubric", "error") in found               # no rubric entry
    assert ("bonus.2023.3.approved_points", "warning") in found    # not yet approved


def test_grade_that_depends_on_the_bonus_is_reported(catalog, chem_raw, make_park):
    # lower 管理协同 levels so the index without bonus falls just below 85, then approve 3 bonus points a year
    for code in ("I38", "I39"):
        for choice in chem_raw["qualitative"][code].values():
            choice["level"] = "C"
    chem_raw["bonus"] = {}
    without = evaluate(make_park(chem_raw), catalog, WINDOW)
    chem_raw["bonus"] = {y: approved_items(3) for y in WINDOW}
    with_bonus = evaluate(make_park(chem_raw), catalog, WINDOW)
    dep = with_bonus.bonus_dependence
    assert dep.index_without_bonus == without.index
    assert with_bonus.index == pytest.approx(without.index + 3, abs=0.011)
    assert (without.grade, with_bonus.grade) == ("AA", "AAA")      # 84.71 without, 87.71 with the bonus
    assert dep.grade_without_bonus == "AA" and dep.depends is True
    assert without.bonus_dependence.depends is False


def test_not_applicable_weight_is_spread_within_its_level(catalog, chem_raw, make_park):
    chem_raw["not_applicable"] = {"I34": {"reason": "no_such_service", "justification": "园区内无公交线路和站点"},
                                  "I29": {"reason": "no_such_activity", "justification": "无可回收废气资源",
                                          "years": [2023]}}
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    for year in WINDOW:
        inds = {i.code: i for i in result.yearly[year].indicators}
        path_weights = sum(i.weight for i in inds.values() if i.target_level == "路径协同")
        assert path_weights == pytest.approx(0.46)
        assert sum(i.weight for i in inds.values() if i.target_level == "效果协同") == pytest.approx(0.35)
        assert inds["I34"].status == "not_applicable" and inds["I34"].points == 0
        assert inds["I15"].weight == pytest.approx(0.02 * 0.46 / (0.46 - 0.01 - (0.01 if year == 2023 else 0)))
    assert result.yearly[2022].indicators[28].status == "ok"  # I29 only excluded in 2023
    assert [n.code for n in result.not_applicable] == ["I34", "I29"]
    assert result.not_applicable[1].years == [2023]


def test_missing_data_scores_zero_and_is_listed(catalog, chem_raw, make_park):
    del chem_raw["data"]["pm25"]["values"][2022]
    del chem_raw["qualitative"]["I40"][2023]
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    gaps = {(g.code, g.year) for g in result.data_gaps}
    assert gaps == {("I02", 2022), ("I40", 2023)}
    i02 = result.yearly[2022].indicators[1]
    assert i02.status == "missing" and i02.points == 0 and i02.missing_inputs == ["pm25@2022"]


def test_change_rate_uses_the_year_before(catalog, chem_raw, make_park):
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    i11 = result.yearly[2021].indicators[10]
    years = {i.symbol: i.year for i in i11.trace.value.inputs}
    assert years == {"co2": 2021, "prev(co2)": 2020}
    assert i11.trace.driver is not None and i11.trace.scoring.method == "decoupling"


def test_alternative_formula_used_when_main_inputs_are_missing(catalog, chem_raw, make_park):
    del chem_raw["data"]["satisfaction"]
    chem_raw["data"]["complaints"] = {"unit": "个", "source": "信访台账",
                                      "values": {2020: 50, 2021: 45, 2022: 40, 2023: 38}}
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    i14 = result.yearly[2021].indicators[13]
    assert i14.status == "ok" and i14.variant == "信访投诉减少率"
    assert i14.value == pytest.approx(10.0) and i14.score == pytest.approx(1.0)


def test_reference_override_is_applied_and_listed(catalog, chem_raw, make_park):
    chem_raw["reference_overrides"] = {"I10": {"reference": 0.3, "justification": "省级目录要求更严",
                                               "source": "某省园区碳排放强度目标文件"}}
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    i10 = result.yearly[2023].indicators[9]
    ref = i10.trace.scoring.references[0]
    assert ref.value == 0.3 and ref.override_justification == "省级目录要求更严" and not ref.verified
    assert i10.score == pytest.approx(0.3 / i10.value)
    assert [(o.code, o.catalog_value, o.park_value) for o in result.overrides] == [("I10", 0.6, 0.3)]


def test_results_json_is_deterministic(catalog, chem_raw, make_park):
    park = make_park(chem_raw)
    assert evaluate(park, catalog, WINDOW).to_json() == evaluate(park, catalog, WINDOW).to_json()


def test_catalog_warnings_reach_every_result(catalog, chem_raw, make_park):
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    assert any("0.46" in w for w in result.warnings)


def test_a_met_answer_the_parks_own_data_contradict_is_to_be_verified(catalog, chem_raw, make_park):
    chem_raw["data"]["pm25"]["values"][2022] = 41  # the answer says the functional-zone standard is met
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    item = next(i for i in result.gate.items if i.id == "environmental_quality")
    assert item.status == "unverified" and not item.met and item.answered
    assert item.data_conflicts == ["PM2.5年均浓度：2022年 41 µg/m³（应为 ≤ 35 µg/m³）"]
    assert result.gate.outcome == "deferred" and result.gate.unverified == ["environmental_quality"]
    assert result.gate.unknown == []  # not pending evidence: the evidence is there and says otherwise
    assert result.grade == "deferred" and result.index_status == "provisional" and result.provisional_grade
    assert [b.kind for b in result.blockers] == ["gate_deferred"]
    assert "园区答复满足但与园区数据不一致，须评价机构核实" in result.grade_reason
    # the assessor settles it with a written explanation: met again, the data still shown
    chem_raw["basic_requirements"]["environmental_quality"]["reconciliation"] = "2022年受区域沙尘过程影响，扣除后达标"
    settled = evaluate(make_park(chem_raw), catalog, WINDOW)
    item = next(i for i in settled.gate.items if i.id == "environmental_quality")
    assert item.status == "met" and item.data_conflicts and settled.gate.passed and settled.grade == "AAA"


def test_pending_evidence_and_too_little_data_defer_the_evaluation_together(catalog, chem_raw, make_park):
    chem_raw["basic_requirements"]["planning_eia"] = {"met": "unknown"}
    for symbol in ("nox", "so2", "vocs", "cod", "nh3n", "solid_waste"):
        del chem_raw["data"][symbol]
    chem_raw.pop("energy")
    thin = evaluate(make_park(chem_raw), catalog, WINDOW)
    assert not thin.coverage.sufficient and thin.grade == "deferred" and thin.provisional_grade is None
    assert [b.kind for b in thin.blockers] == ["gate_deferred", "coverage", "overall_undetermined"]
    assert thin.grade_reason.startswith("评价暂缓：")
    # the index and the 50 % rule are not reasons while missing data scored 0 would decide them
    assert not {"index_below_bands", "level_below_half"} & {b.kind for b in thin.blockers}


def test_level_score_rates_count_only_the_part_with_data(catalog, chem_raw, make_park):
    """A first-level or target level's rate over the indicator-years with real data, with its coverage:
    missing data must not read as a low score rate (the rule's own share still counts it as 0)."""
    full = evaluate(make_park(chem_raw), catalog, WINDOW)
    del chem_raw["data"]["good_air_days"]  # I01 (2 of 环境质量's 7 points) missing in every year
    gap = evaluate(make_park(chem_raw), catalog, WINDOW)
    quality = next(f for f in gap.first_level_means if f.first_level == "环境质量")
    before = next(f for f in full.first_level_means if f.first_level == "环境质量")
    i01 = sum(i.points for y in WINDOW for i in full.yearly[y].indicators if i.code == "I01") / len(WINDOW)
    assert quality.coverage == pytest.approx(5 / 7) and quality.data_max_points == pytest.approx(5)
    assert quality.data_share == pytest.approx((before.mean_points - i01) / 5)
    assert quality.share == pytest.approx(quality.mean_points / 7)  # the index's own share, gap as 0
    assert before.coverage == pytest.approx(1) and before.data_share == pytest.approx(before.share)
    effect = gap.fifty_percent_rule.levels["效果协同"]
    assert effect.coverage == pytest.approx(33 / 35)
    assert effect.data_share == pytest.approx(effect.mean_points / 33)
    assert gap.fifty_percent_rule.levels["管理协同"].coverage == pytest.approx(1)


def test_a_level_without_any_data_has_no_score_rate(catalog, factors):
    result = evaluate(load_park("demo-sparse", PARAMS), catalog, WINDOW, factors=factors)
    levels = {f.first_level: f for f in result.first_level_means}
    assert levels["污染物排放"].data_share is None and levels["污染物排放"].coverage == 0
    assert levels["管理协同度"].coverage == pytest.approx(0.5) and levels["管理协同度"].data_share == pytest.approx(0.85)
