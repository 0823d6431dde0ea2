"""Step 2: each indicator's value for a year (catalog formula over the variables), its score by the
catalog's method, the weight applied (not-applicable weight spread within the target level), and
its points = score × weight × 100.
"""

from __future__ import annotations

from functools import lru_cache

from evalkit.catalog import Catalog, Indicator, ReferenceValue, Scoring
from evalkit.catalog.formulas import Formula, FormulaError
from evalkit.core.problems import Problems
from evalkit.intake import ParkInput
from evalkit.evaluation.results import IndicatorResult, IndicatorTrace
from evalkit.catalog.scoring import METHODS
from evalkit.core.trace import ScoringTrace, Trace, fmt

from evalkit.evaluation.variables import Variables


def score_year(catalog: Catalog, park: ParkInput, variables: Variables, year: int,
               problems: Problems | None = None, file: str = "") -> list[IndicatorResult]:
    """Every indicator's result in `year`. An indicator whose formula cannot be computed from the
    data (a change rate from a base of 0) is a problem naming `file`, added to `problems`
    (raised at once without it); its result is left out."""
    weights = applied_weights(catalog, park, year)
    results = []
    found = Problems() if problems is None else problems
    for ind in catalog.indicators:
        weight = weights[ind.code]
        na = park.not_applicable.get(ind.code)
        if na is not None and na.covers(year):
            results.append(_result(ind, weight, None, None, 0.0, "not_applicable", justification=na.justification))
        elif ind.kind == "qualitative":
            results.append(_qualitative(ind, weight, park, year))
        else:
            try:
                results.append(_quantitative(ind, weight, park, variables, year))
            except FormulaError as exc:
                lookup = variables.at(year)
                zeros = [f"data.{s.name} = 0 in {year - s.lag}" for s in Formula.parse(ind.formula).symbols()
                         if lookup(s) == 0]
                found.add(file, f"indicator {ind.code} ({ind.name_zh})", str(exc),
                          f"figures its formula can divide by: {ind.formula} divides by 0 "
                          f"({', '.join(zeros) or 'a figure is 0'}; a change from a base of 0 is undefined); "
                          f"correct the figure, or declare {ind.code} not applicable in {year} "
                          "(not_applicable, with a justification)", year=year)
    if problems is None:
        found.raise_if_errors()
    return results


def applied_weights(catalog: Catalog, park: ParkInput, year: int) -> dict[str, float]:
    """Published weights, with each not-applicable weight spread pro rata over the applicable
    indicators of the same target level, so every level keeps its total (DIGEST decision 3)."""
    weights = {}
    for level in catalog.target_levels:
        members = [i for i in catalog.indicators if i.target_level == level.name]
        total = sum(i.weight for i in members)
        excluded = {code for code, na in park.not_applicable.items() if na.covers(year)}
        kept = sum(i.weight for i in members if i.code not in excluded)
        for ind in members:
            weights[ind.code] = ind.weight * total / kept if ind.code not in excluded and kept else 0.0
    return weights


@lru_cache(maxsize=1024)
def _weight_text(published: float, applied: float) -> str:
    # A few dozen distinct weights, written for every indicator of every park and year: format each once.
    if abs(applied - published) < 1e-12:
        return f"权重 {fmt(published)}（表5-1）"
    return f"权重 {fmt(published)} × 层内不适用权重再分配系数 = {fmt(applied, 6)}"


def _result(ind: Indicator, weight: float, value: float | None, unit: str | None, score: float, status: str, *,
            value_trace: Trace | None = None, driver_trace: Trace | None = None,
            scoring: ScoringTrace | None = None, **extra) -> IndicatorResult:
    points = score * weight * 100
    inputs = [i for trace in (value_trace, driver_trace) if trace for i in trace.inputs]
    flags = sorted({i.scope for i in inputs if i.scope and i.scope != "measured"}) if status == "ok" else []
    coverage = None if status == "not_applicable" else 1.0 if status == "ok" else 0.0
    if status == "not_applicable":
        trace = IndicatorTrace(weight=f"不适用：权重 {fmt(ind.weight)} 按比例分配给“{ind.target_level}”其他指标")
    else:
        trace = IndicatorTrace(value=value_trace, driver=driver_trace, scoring=scoring, weight=_weight_text(ind.weight, weight),
                               points=f"{fmt(score)} × {fmt(weight, 6)} × 100 = {fmt(points)}")
    return IndicatorResult(
        code=ind.code, name_zh=ind.name_zh, name_en=ind.name_en, target_level=ind.target_level,
        first_level=ind.first_level, second_level=ind.second_level, kind=ind.kind, method=ind.method,
        published_weight=ind.weight, weight=weight, value=value, unit=unit, score=score, points=points,
        max_points=weight * 100, status=status, coverage=coverage, quality_flags=flags, trace=trace, **extra)


def _qualitative(ind: Indicator, weight: float, park: ParkInput, year: int) -> IndicatorResult:
    choice = park.qualitative.get(ind.code, {}).get(year)
    if choice is None:
        return _result(ind, weight, None, None, 0.0, "missing", missing_inputs=[f"qualitative.{ind.code}@{year}"])
    scoring = METHODS["tiered"].score_level(choice.level, choice.evidence, ind.scoring)  # type: ignore[attr-defined]
    label = next(lv.label_zh for lv in ind.scoring.levels or [] if lv.id == choice.level)
    return _result(ind, weight, None, None, scoring.score, "ok", scoring=scoring, level=f"{choice.level}（{label}）")


def _quantitative(ind: Indicator, weight: float, park: ParkInput, variables: Variables,
                  year: int) -> IndicatorResult:
    variants = ind.variants()
    for variant in variants:
        inputs, missing = variables.inputs_of(variant.parsed.symbols(), year)
        if not missing:
            break
    else:
        # No variant has its inputs: report the main one's gaps.
        variant = variants[0]
        inputs, missing = variables.inputs_of(variant.parsed.symbols(), year)
        proxies = [q for v in variants for s in v.parsed.symbols()
                   if (q := variables.unscored_proxies.get((s.name, year - s.lag)))]
        note = "缺少数据，得0分" + ("；{0}仅有代用数据，目录和园区文件均未说明可采用的理由，不计分".format(
            "、".join(f"{q.name_zh}（{q.year}年）" for q in proxies)) if proxies else "")
        value_trace = Trace(formula_zh=variant.formula_zh, formula=variant.formula, inputs=inputs,
                            result=None, unit=variant.unit, note=note)
        return _result(ind, weight, None, variant.unit, 0.0, "missing", value_trace=value_trace,
                       missing_inputs=missing, variant=variant.label_zh)
    value, substituted = variant.parsed.evaluate(variables.at(year))
    value_trace = Trace(formula_zh=variant.formula_zh, formula=variant.formula, inputs=inputs,
                        substituted=f"{substituted} = {fmt(value)}", result=value, unit=variant.unit)
    spec = with_overrides(variant.scoring, park, ind.code)
    driver_trace = None
    driver = None
    if spec.driver is not None:
        driver_formula = Formula.parse(spec.driver.formula)
        driver_inputs, driver_missing = variables.inputs_of(driver_formula.symbols(), year)
        if driver_missing:
            return _result(ind, weight, value, variant.unit, 0.0, "missing", value_trace=value_trace,
                           missing_inputs=driver_missing, variant=variant.label_zh)
        driver, driver_text = driver_formula.evaluate(variables.at(year))
        driver_trace = Trace(formula_zh=spec.driver.formula_zh, formula=spec.driver.formula, inputs=driver_inputs,
                             substituted=f"{driver_text} = {fmt(driver)}", result=driver, unit=spec.driver.unit)
    scoring: ScoringTrace = METHODS[spec.method].score(value, spec, ind.direction or "positive", driver=driver)
    return _result(ind, weight, value, variant.unit, scoring.score, "ok", value_trace=value_trace,
                   driver_trace=driver_trace, scoring=scoring,
                   variant=None if variant is variants[0] else variant.label_zh)


def with_overrides(spec: Scoring, park: ParkInput, code: str) -> Scoring:
    override = park.reference_overrides.get(code)
    if override is None:
        return spec
    update = {}
    for field in ("reference", "floor"):
        new = getattr(override, field)
        old: ReferenceValue | None = getattr(spec, field)
        if new is not None and old is not None:
            update[field] = ReferenceValue(value=new, unit=old.unit, source=override.source, verified=False,
                                           override_justification=override.justification)
    return spec.model_copy(update=update)


def overridden_fields(spec: Scoring, park: ParkInput, code: str) -> list[tuple[str, float, float, str]]:
    """(field, catalog value, park value, unit) for each reference the park replaced."""
    override = park.reference_overrides.get(code)
    found = []
    for field in ("reference", "floor"):
        old = getattr(spec, field)
        new = getattr(override, field) if override else None
        if old is not None and new is not None:
            found.append((field, old.value, new, old.unit))
    return found

