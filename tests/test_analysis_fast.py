"""The numbers-only engine equals the traced engine: yearly indices, level points, index, 50 % rule and
grade to 1e-9, on every demo park and on hundreds of random parks (demo parks with perturbed data,
missing data, not-applicable declarations, rubric levels, bonus, reference overrides and catalog
weights and references)."""

from __future__ import annotations

import copy
import hashlib
import json
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from evalkit.analysis import fast
from evalkit.catalog import Catalog, load_catalog
from evalkit.catalog.scoring import METHODS
from evalkit.evaluation import evaluate
from evalkit.evaluation.index import round_half_up
from evalkit.intake import LoadedPark, load_park, parse_park

from conftest import PARAMS, copy_year

WINDOW = [2021, 2022, 2023]
DEMOS = ["demo-chem", "demo-heavy", "demo-hitech", "demo-gatefail"]


def assert_same(result, fr: fast.FastResult, row: int = 0) -> None:
    assert fr.grade[row] == result.grade
    if result.index is None:
        assert np.isnan(fr.index[row])
        return
    assert fr.index[row] == result.index
    assert abs(fr.index_unrounded[row] - result.index_unrounded) < 1e-9
    for y, year in enumerate(fr.years):
        yr = result.yearly[year]
        assert abs(fr.yearly[row, y] - yr.index) < 1e-9
        for level, name in enumerate(fr.levels):
            assert abs(fr.level_points[row, y, level] - yr.target_levels[name]) < 1e-9
        for i, indicator in enumerate(yr.indicators):
            assert indicator.code == fr.codes[i]
            assert abs(fr.points[row, y, i] - indicator.points) < 1e-9, (year, indicator.code)
    for level, name in enumerate(fr.levels):
        assert abs(fr.level_means[row, level] - result.target_level_means[name]) < 1e-9
    assert bool(fr.rule_passed[row]) == result.fifty_percent_rule.passed
    assert bool(fr.overall_positive[row]) == (result.overall.verdict == "positive")
    assert bool(fr.coverage_sufficient[row]) == result.coverage.sufficient


@pytest.mark.parametrize("park_id", DEMOS)
def test_demo_parks_equal_the_traced_engine(park_id, catalog, factors):
    park = load_park(park_id, PARAMS)
    result = evaluate(park, catalog, WINDOW, factors=factors)
    assert_same(result, fast.evaluate_prepared(fast.prepare(park, catalog, WINDOW, factors=factors)))


def test_unchanged_electricity_with_green_power_bought_is_no_emission_rise_in_either_engine(catalog, factors):
    # Review finding 7: demo-chem buys 150 000 万kWh in 2020 and 2021 and deducts 5 000 万kWh of green
    # power in 2021; with one factor series for both years total CO2 falls and I11 scores full marks.
    park = load_park("demo-chem", PARAMS)
    result = evaluate(park, catalog, WINDOW, factors=factors)
    fr = fast.evaluate_prepared(fast.prepare(park, catalog, WINDOW, factors=factors))
    i11 = next(i for i in result.yearly[2021].indicators if i.code == "I11")
    assert i11.value < 0 and i11.points == pytest.approx(4.0)
    assert fr.points[0, fr.years.index(2021), fr.codes.index("I11")] == pytest.approx(4.0)
    assert_same(result, fr)


def test_every_scoring_method_has_a_vectorised_twin():
    assert set(METHODS) == set(fast.VECTOR_METHODS) | fast.LEVEL_METHODS


def test_parks_sharing_a_structure_stack_into_one_batch(catalog, factors):
    park = load_park("demo-chem", PARAMS)
    prepared = fast.prepare(park, catalog, WINDOW, factors=factors)
    rows = fast.stack([prepared.rows, prepared.rows.repeat(3)])
    fr = fast.evaluate_rows(catalog, prepared.structure, rows)
    result = evaluate(park, catalog, WINDOW, factors=factors)
    assert list(fr.grade) == [result.grade] * 4
    assert np.all(fr.index == result.index)


def test_rounding_matches_the_traced_half_up_rule():
    values = [84.995, 84.99499999999999, 74.985, 59.995, 85.0, 0.005, 100.125, 62.344999999]
    rng = random.Random(3)
    values += [round(rng.uniform(0, 110), rng.choice([2, 3, 4, 9])) for _ in range(2000)]
    got = fast.round_half_up(np.array(values), 2)
    assert list(got) == [round_half_up(v, 2) for v in values]


# --- random parks --------------------------------------------------------------------------------

BOUNDED = {"天", "%"}


def perturbed_park(raw: dict, catalog: Catalog, rng: random.Random) -> dict:
    park = copy.deepcopy(raw)
    data = park["data"]
    for symbol, series in data.items():
        # A factor per series and a little noise per year: levels move a lot, trends a little, so
        # every grade (and the overall evaluation's verdicts) occurs among the random parks.
        level = rng.uniform(0.6, 1.4)
        for year in list(series["values"]):
            value = series["values"][year]
            value = value["value"] if isinstance(value, dict) else value
            if rng.random() < 0.015:
                del series["values"][year]  # missing datum
                continue
            scaled = value * level * rng.uniform(0.93, 1.07)
            spec = catalog.inputs[symbol]
            if spec.max is not None:
                scaled = min(scaled, spec.max)
            series["values"][year] = scaled
    for part, whole in catalog.parts:
        if part in data and whole in data:
            for year, value in list(data[part]["values"].items()):
                if year in data[whole]["values"]:
                    data[part]["values"][year] = min(value, data[whole]["values"][year])
    if "energy" in park and park["energy"]:
        factor = rng.uniform(0.7, 1.3)
        for fuel in park["energy"].get("fuels", {}).values():
            fuel_level = rng.uniform(0.7, 1.3)
            fuel["values"] = {y: v * fuel_level * rng.uniform(0.95, 1.05) for y, v in fuel["values"].items()}
        for key in ("electricity_purchased", "green_electricity", "onsite_renewable"):
            if key in park["energy"]:
                park["energy"][key]["values"] = {y: v * factor for y, v in park["energy"][key]["values"].items()}
    qualitative = [i for i in catalog.indicators if i.kind == "qualitative"]
    for ind in rng.sample(qualitative, k=rng.randint(0, 4)):
        levels = [lv.id for lv in ind.scoring.levels]
        park.setdefault("qualitative", {})[ind.code] = {
            y: {"level": rng.choice(levels), "evidence": "随机测试证据"} for y in WINDOW if rng.random() < 0.85}
    for ind in rng.sample(catalog.indicators, k=rng.randint(0, 3)):
        years = None if rng.random() < 0.5 else rng.sample(WINDOW, k=rng.randint(1, 3))
        park.setdefault("not_applicable", {})[ind.code] = {"reason": "no_such_facility",
                                                           "justification": "随机测试：园区无此类设施",
                                                           **({"years": years} if years else {})}
    if rng.random() < 0.6:
        year = rng.choice(WINDOW)
        items = []
        for n in range(rng.randint(1, 3)):
            points = rng.choice([1.0, 2.5, 3.0])  # rubric entry demonstration_project: ≤ 3
            approved = rng.choice([None, 0.0, points / 2, points])  # at most the declared points
            items.append({"name": f"随机加分{n}", "points": points, "justification": "随机测试",
                          "rubric": "demonstration_project",
                          **({} if approved is None else {"approved_points": approved})})
        park["bonus"] = {year: items}
    for ind in rng.sample(catalog.indicators, k=rng.randint(0, 3)):
        ref = ind.scoring.reference
        if ref is not None and ind.scoring.method in ("capped_ratio", "linear"):
            value = ref.value * rng.uniform(0.5, 1.5)
            if ind.scoring.floor is not None and abs(value - ind.scoring.floor.value) < 1e-6:
                continue
            park.setdefault("reference_overrides", {})[ind.code] = {
                "reference": value, "justification": "随机测试", "source": "随机测试"}
    if rng.random() < 0.2:
        park["strict_overall"] = True
    return park


def perturbed_catalog(raw: dict, rng: random.Random) -> Catalog:
    changed = copy.deepcopy(raw)
    for ind in changed["indicators"]:
        ind["weight"] = ind["weight"] * rng.uniform(0.5, 1.5)
        reference = ind["scoring"].get("reference")
        if reference is not None and rng.random() < 0.3 and ind["scoring"]["method"] == "capped_ratio":
            reference["value"] = reference["value"] * rng.uniform(0.7, 1.3)
    digest = hashlib.sha256(json.dumps(changed, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return Catalog.model_validate({**changed, "path": "perturbed", "sha256": digest})


@pytest.fixture(scope="module")
def raw_parks():
    import yaml
    return {p: yaml.safe_load((PARAMS / f"{p}.yaml").read_text("utf-8")) for p in DEMOS[:3]}


@pytest.fixture(scope="module")
def raw_catalog():
    import yaml
    from evalkit.catalog.model import default_catalog_path
    raw = yaml.safe_load(default_catalog_path().read_text("utf-8"))
    raw["basic_requirements"] = yaml.safe_load(
        (default_catalog_path().parent / raw["basic_requirements"]).read_text("utf-8"))
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(park_id=st.sampled_from(DEMOS[:3]), seed=st.integers(0, 2**32 - 1), change_catalog=st.booleans())
def test_random_parks_equal_the_traced_engine(park_id, seed, change_catalog, raw_parks, raw_catalog, factors):
    rng = random.Random(seed)
    catalog = perturbed_catalog(raw_catalog, rng) if change_catalog else load_catalog()
    raw = perturbed_park(raw_parks[park_id], catalog, rng)
    park = LoadedPark(id="random", path=PARAMS / f"{park_id}.yaml", input=parse_park(raw, "random.yaml"))
    result = evaluate(park, catalog, WINDOW, factors=factors)
    assert_same(result, fast.evaluate_prepared(fast.prepare(park, catalog, WINDOW, factors=factors)))


def test_grades_match_the_traced_rule_over_the_whole_index_range(catalog):
    from evalkit.evaluation.grade import assign_grade
    from evalkit.evaluation.results import FiftyPercentRule, LevelCheck

    index = np.round(np.arange(0, 110.001, 0.01), 2)
    failing = {"管理协同": LevelCheck(mean_points=5, max_points=20, floor_points=10, share=0.25, passed=False)}
    for rule_passed in (True, False):
        rule = FiftyPercentRule(passed=rule_passed, levels={} if rule_passed else failing)
        bands = [assign_grade(catalog, float(x), rule)[0] for x in index]
        for unblocked, negative in ((True, False), (False, False), (False, True)):
            for deferred in (True, False):
                got = fast._grade(catalog, index, np.full(index.shape, rule_passed), np.full(index.shape, unblocked),
                                  deferred, np.full(index.shape, negative))
                # No grade while something blocks it; the gate pending and the overall evaluation not measured
                # negative: deferred, whatever else blocks (evaluation.grade)
                expected = bands if unblocked and not deferred else [
                    "deferred" if deferred and not negative else "not_rated"] * len(index)
                assert list(got) == expected


def test_a_longer_window_and_another_base_year_equal_the_traced_engine(chem_raw, make_park, catalog, factors):
    # A four-year window: the index is the mean of the last three, the first year is a trend year only.
    park = make_park(copy_year(chem_raw, 2020, 2019))
    window = [2020, 2021, 2022, 2023]
    for base_year in (None, 2022):
        result = evaluate(park, catalog, window, factors=factors, base_year=base_year)
        fr = fast.evaluate_prepared(fast.prepare(park, catalog, window, factors=factors, base_year=base_year))
        assert fr.index_years == (2021, 2022, 2023)
        assert_same(result, fr)


def test_a_park_with_older_years_equals_the_traced_engine(chem_raw, make_park, catalog, factors):
    # 2018 has no grid factor and is not used by the window 2021–2023; 2019 is used as a base year only.
    park = make_park(copy_year(chem_raw, 2020, 2018, 2019))
    for base_year in (None, 2019):
        result = evaluate(park, catalog, WINDOW, factors=factors, base_year=base_year)
        prepared = fast.prepare(park, catalog, WINDOW, factors=factors, base_year=base_year)
        assert prepared.structure.base_year == result.overall.base_year
        assert_same(result, fast.evaluate_prepared(prepared))
