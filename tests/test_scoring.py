"""Each scoring method at and around its bounds."""

import pytest

from evalkit.catalog import Driver, Level, ReferenceValue, Scoring
from evalkit.catalog.scoring import METHODS


def ref(value, unit="%"):
    return ReferenceValue(value=value, unit=unit, source="test source")


CAPPED = Scoring(method="capped_ratio", reference=ref(80))
LINEAR = Scoring(method="linear", floor=ref(35, "µg/m³"), reference=ref(15, "µg/m³"))
DECOUPLING = Scoring(method="decoupling", driver=Driver(formula="iva", formula_zh="增速", unit="%"), source="rule")


@pytest.mark.parametrize("x, expected", [(0, 0.0), (40, 0.5), (79.9, 79.9 / 80), (80, 1.0), (80.1, 1.0), (500, 1.0), (-5, 0.0)])
def test_capped_ratio_positive(x, expected):
    assert METHODS["capped_ratio"].score(x, CAPPED, "positive").score == pytest.approx(expected)


@pytest.mark.parametrize("x, expected", [(160, 0.5), (80.1, 80 / 80.1), (80, 1.0), (79.9, 1.0), (0, 1.0)])
def test_capped_ratio_negative(x, expected):
    assert METHODS["capped_ratio"].score(x, CAPPED, "negative").score == pytest.approx(expected)


@pytest.mark.parametrize("x, expected", [(40, 0.0), (35, 0.0), (34.9, 0.1 / 20), (25, 0.5), (15.1, 19.9 / 20), (15, 1.0), (10, 1.0)])
def test_linear_falling_pm25(x, expected):
    assert METHODS["linear"].score(x, LINEAR, "negative").score == pytest.approx(expected)


def test_linear_rising_scale():
    spec = Scoring(method="linear", floor=ref(0), reference=ref(5))
    method = METHODS["linear"]
    assert [method.score(x, spec, "positive").score for x in (-1, 0, 2.5, 5, 9)] == pytest.approx([0, 0, 0.5, 1, 1])


@pytest.mark.parametrize("growth, driver, expected", [
    (-3, 8, 1.0),      # total fell
    (0, 8, 1.0),       # flat total counts as not growing
    (2, 8, 0.75),      # relative decoupling
    (7.99, 8, 1 - 7.99 / 8),
    (8, 8, 0.0),       # grew as fast as value added
    (10, 8, 0.0),
    (3, -2, 0.0),      # grew while value added fell
])
def test_decoupling(growth, driver, expected):
    assert METHODS["decoupling"].score(growth, DECOUPLING, "negative", driver=driver).score == pytest.approx(expected)


def test_tiered_picks_level_score_and_keeps_evidence():
    spec = Scoring(method="tiered", levels=[Level(id="A", label_zh="优", score=1, criteria_zh="a"),
                                             Level(id="B", label_zh="良", score=0.75, criteria_zh="b")])
    trace = METHODS["tiered"].score_level("B", "会议纪要", spec)
    assert (trace.score, trace.level, trace.evidence) == (0.75, "B", "会议纪要")
    assert len(trace.references) == 2


def test_scoring_trace_cites_reference_source():
    trace = METHODS["capped_ratio"].score(40, CAPPED, "positive")
    assert trace.references[0].source == "test source"
    assert "40 ÷ 80" in trace.substituted
