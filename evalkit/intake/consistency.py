"""Cross-checks between a park's answers and its own data (the catalog's `consistency_rules`).

A rule says: when a basic requirement is answered met (or a qualitative indicator is given a level),
an expression over the park's inputs must lie within [min, max] — e.g. "environmental quality meets
its functional-zone standard" while only 11 of 12 water sections met their target. A violation is
a warning for `evalkit validate` and a finding in the report's methodology section; it changes no
score (the assessor decides which side is wrong). A rule whose inputs are missing is listed as
not checkable, never as a violation.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from evalkit.catalog import Catalog, ConsistencyRule
from evalkit.catalog.formulas import Formula
from evalkit.core.problems import Problems
from evalkit.core.trace import Trace, TraceInput, fmt
from evalkit.core.units import UnitError, convert
from evalkit.intake.models import LoadedPark


class ConsistencyFinding(BaseModel):
    rule: str
    text_zh: str
    year: int
    answer_zh: str           # the answer the rule checks, in words
    field: str               # where the answer sits in the park file
    status: Literal["violated", "consistent", "not_checkable"]
    expected_zh: str         # the range, e.g. "20 – 50 %"
    value: float | None
    trace: Trace


def check_consistency(park: LoadedPark, catalog: Catalog, years: list[int]) -> list[ConsistencyFinding]:
    """Every rule that applies in `years`, with its outcome."""
    findings = []
    for rule in catalog.consistency_rules:
        for year, answer_zh, field in _applies(park, catalog, rule, years):
            findings.append(_check(park, catalog, rule, year, answer_zh, field))
    return findings


def consistency_warnings(park: LoadedPark, catalog: Catalog, years: list[int]) -> Problems:
    """The violations as validate warnings, naming the answer's field, year and the data."""
    problems = Problems()
    for f in check_consistency(park, catalog, years):
        if f.status == "violated":
            problems.add(str(park.path), f.field, f.answer_zh,
                         f"data consistent with the answer: {f.text_zh}; but {f.trace.formula_zh}: "
                         f"{f.trace.substituted} {f.trace.unit} (expected {f.expected_zh}) [rule {f.rule}]",
                         year=f.year, severity="warning")
    return problems


def _met(answer: Any) -> bool:
    """A checklist answer of `met` (a bool today; a three-state text tolerated)."""
    met = getattr(answer, "met", None)
    if isinstance(met, str):
        return met in {"met", "yes", "true"}
    status = getattr(answer, "status", None)
    return met is True or status == "met"


def _applies(park: LoadedPark, catalog: Catalog, rule: ConsistencyRule,
             years: list[int]) -> list[tuple[int, str, str]]:
    when, data = rule.when, park.input
    if when.gate is not None:
        answer = data.basic_requirements.get(when.gate)
        if answer is None or not _met(answer):
            return []
        item = next(i for i in catalog.basic_requirements.items if i.id == when.gate)
        return [(year, f"基本要求“{item.text_zh}”：满足", f"basic_requirements.{when.gate}") for year in years]
    found = []
    ind = catalog.indicator(when.indicator or "")
    for year, choice in sorted(data.qualitative.get(ind.code, {}).items()):
        if year in years and choice.level == when.level:
            label = next(lv.label_zh for lv in ind.scoring.levels or [] if lv.id == choice.level)
            found.append((year, f"{ind.code} {ind.name_zh}：{choice.level}（{label}）", f"qualitative.{ind.code}.level"))
    return found


def _check(park: LoadedPark, catalog: Catalog, rule: ConsistencyRule, year: int, answer_zh: str,
           field: str) -> ConsistencyFinding:
    check = rule.check
    formula = Formula.parse(check.formula)
    values: dict[str, float] = {}
    inputs: list[TraceInput] = []
    for symbol in formula.symbols():
        series = park.input.data.get(symbol.name)
        spec = catalog.inputs[symbol.name]
        point = series.point(year - symbol.lag) if series else None
        if point is None:
            continue
        try:
            values[symbol.name] = convert(point[0], series.unit, spec.unit)  # type: ignore[union-attr]
        except UnitError:
            continue  # reported by the unit checks
        inputs.append(TraceInput(symbol=symbol.name, name_zh=spec.name_zh, value=values[symbol.name],
                                 unit=spec.unit, year=year - symbol.lag, source=point[1]))
    expected = _range(check.min, check.max, check.unit)
    value, substituted = (formula.evaluate(lambda s: values.get(s.name))
                          if len(values) == len(formula.symbols()) else (None, ""))
    if value is None:
        status = "not_checkable"
        substituted = "缺少数据，无法核对"
    else:
        low = check.min is None or value >= check.min - 1e-9
        high = check.max is None or value <= check.max + 1e-9
        status = "consistent" if low and high else "violated"
        # The result at the catalog's display precision, as the report shows the same figure elsewhere.
        shown = fmt(value, catalog.display.decimals.get(check.unit, catalog.display.default_decimals))
        substituted = substituted if substituted == shown else f"{substituted} = {shown}"
    trace = Trace(formula_zh=check.formula_zh, formula=check.formula, inputs=inputs, substituted=substituted,
                  result=value, unit=check.unit, note=f"应为 {expected}")
    return ConsistencyFinding(rule=rule.id, text_zh=rule.text_zh, year=year, answer_zh=answer_zh, field=field,
                              status=status, expected_zh=expected, value=value, trace=trace)


def _range(low: float | None, high: float | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{fmt(low)}–{fmt(high)} {unit}"
    return f"≥ {fmt(low)} {unit}" if low is not None else f"≤ {fmt(high)} {unit}"
