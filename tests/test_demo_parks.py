"""The four synthetic demo parks: each takes a different path through the evaluation."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from evalkit import carbon
from evalkit.catalog import load_catalog
from evalkit.evaluation import evaluate
from evalkit.intake import load_park
from evalkit.evaluation.results import Result
from evalkit.intake.validate import validate_park

PARAMS = Path(__file__).parent.parent / "params"
DEMOS = ["demo-chem", "demo-hitech", "demo-heavy", "demo-gatefail"]
WINDOW = [2021, 2022, 2023]
CATALOG = load_catalog()
FACTORS = carbon.load_factors()


@cache
def result(park: str) -> Result:
    return evaluate(load_park(park, PARAMS), CATALOG, WINDOW, factors=FACTORS)


@pytest.mark.parametrize("park", DEMOS)
def test_demo_parks_are_labelled_synthetic_with_data_for_2020_to_2023(park):
    loaded = load_park(park, PARAMS)
    assert loaded.path.read_text("utf-8").startswith("# SYNTHETIC DEMO DATA")
    assert loaded.input.profile.synthetic and "合成示范数据" in loaded.input.profile.name_zh
    assert loaded.input.years() == [2020, 2021, 2022, 2023]
    warned = {(p.field, p.severity) for p in validate_park(park, PARAMS, CATALOG, WINDOW, FACTORS).items}
    assert warned == EXPECTED_WARNINGS[park]


# What `evalkit validate` says of each demo park: the high-tech park lacks its bus figures (missing data,
# not N/A); the heavy and gate-failing parks answer "environmental quality meets its standard" while
# their own monitoring data say otherwise (the catalog's consistency rules).
EXPECTED_WARNINGS = {
    "demo-chem": set(),
    "demo-hitech": {("data.nev_buses", "warning"), ("data.buses", "warning")},
    "demo-heavy": {("basic_requirements.environmental_quality", "warning")},
    "demo-gatefail": {("basic_requirements.environmental_quality", "warning")},
}


def test_chemical_park_reaches_aaa_or_aa():
    r = result("demo-chem")
    assert r.gate.passed and r.overall.verdict == "positive" and r.fifty_percent_rule.passed
    assert r.grade in {"AAA", "AA"} and r.index >= 75
    assert r.data_gaps == [] and r.not_applicable == []


def test_hitech_park_lists_its_not_applicable_items_and_applies_its_approved_bonus():
    r = result("demo-hitech")
    assert {(n.code, tuple(n.years)) for n in r.not_applicable} == {(c, tuple(WINDOW)) for c in ("I28", "I29")}
    assert {n.code: n.reason for n in r.not_applicable} == {"I28": "no_such_facility", "I29": "no_such_activity"}
    assert all(n.justification and n.reason_zh for n in r.not_applicable)
    for year in WINDOW:
        indicators = {i.code: i for i in r.yearly[year].indicators}
        for code in ("I28", "I29"):
            assert indicators[code].status == "not_applicable" and indicators[code].weight == 0
        # I34 (buses run by the city, not counted separately) is missing data, not N/A: 0 points, a data gap
        assert indicators["I34"].status == "missing" and indicators["I34"].weight > 0
        # the level keeps its maximum: the weight of the two is spread over the rest of 路径协同
        path_weight = sum(i.weight for i in indicators.values() if i.target_level == "路径协同")
        assert path_weight == pytest.approx(0.46)
    assert {(g.code, g.year) for g in r.data_gaps} == {("I34", y) for y in WINDOW}
    # declared 0 / 2 / 5 points, approved 0 / 2 / 4 (the solvent centre approved 2 of its 3)
    assert [r.yearly[y].bonus_claimed for y in WINDOW] == [0, 2, 5]
    assert [r.yearly[y].bonus for y in WINDOW] == [0, 2, 4]
    assert all(r.yearly[y].index == pytest.approx(r.yearly[y].base_points + r.yearly[y].bonus) for y in WINDOW)
    assert [(o.code, o.park_value) for o in r.overrides] == [("I26", 70)]
    assert r.grade == "AA" and r.bonus_dependence.depends is False


def test_heavy_industry_park_is_negative_overall_and_not_rated():
    r = result("demo-heavy")
    assert r.gate.outcome == "deferred" and r.gate.unverified == ["environmental_quality"] and r.yearly
    assert r.overall.verdict == "negative" and r.grade == "not_rated"  # no material can lift a measured rise
    assert r.overall.carbon_intensity.improved is False
    assert any("碳排放强度上升" in failure for failure in r.overall.failures)
    # every reason, not only the first: the item to verify, the negative overall, the index, the 50 % rule
    assert [b.kind for b in r.blockers] == ["gate_deferred", "overall_negative", "index_below_bands",
                                            "level_below_half"]
    assert "整体评价为负向" in r.not_rated_reason and "52.89 低于最低等级门槛 60 分" in r.not_rated_reason
    assert "效果协同（14.56/35 分，41.6%）" in r.not_rated_reason


def test_gate_failing_park_is_not_rated_and_has_no_yearly_results():
    r = result("demo-gatefail")
    assert not r.gate.passed and r.gate.failed == ["no_major_incident"]
    [item] = [i for i in r.gate.items if i.status == "failed"]
    assert item.answered and item.evidence and item.note
    # the finding is the park's (what happened), not the requirement restated
    assert item.finding_from_park and item.finding_zh.startswith("2022年6月18日，园区一家医药中间体企业储罐泄漏")
    assert r.gate.unverified == ["environmental_quality"]  # its own water sections contradict the answer
    assert r.grade == "not_rated" and r.yearly == {} and r.index is None
    assert "基本要求不满足" in r.not_rated_reason
