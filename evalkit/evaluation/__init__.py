"""The evaluation flow, in the standard's order (5.1):

    gate (6.1) → indicator values and scores per year (6.2) → yearly index with bonus → mean over
    the evaluation year and the two before it (6.2.4) → 50 % rule (6.4) → overall evaluation (6.3)
    → grade (6.4)

Beside the flow (method checks of issue 12): the grade without the bonus (`bonus`), the grid-factor
part of the carbon-intensity change (`decomposition`), the status of every reference used
(`references`) and the cross-checks between answers and data (evalkit.intake.consistency).

Each step lives in its own module of this package; this function only calls them in order.
The Result model (`results`) is what the flow returns and results.json holds.
May import: `evalkit.core`, `evalkit.catalog`, `evalkit.carbon`, `evalkit.intake`.
"""

from __future__ import annotations

from evalkit import __version__, carbon
from evalkit.catalog import Catalog
from evalkit.core.problems import Problems
from evalkit.intake.checks import check_and_account, overall_base_year, years_used
from evalkit.evaluation.coverage import coverage
from evalkit.evaluation.gate import check_gate
from evalkit.evaluation.grade import assign_grade, blockers, deferred, grade_shortfalls
from evalkit.evaluation.index import fifty_percent_rule, first_level_means, level_means, window_mean, year_result
from evalkit.evaluation.overall import overall_evaluation
from evalkit.evaluation.report_lists import (advice, data_gaps, gap_points_by_level, input_gaps, not_applicable_items,
                                            override_items, points_lost)
from evalkit.evaluation.scores import score_year
from evalkit.evaluation.variables import build_variables
from evalkit.evaluation.bonus import bonus_dependence
from evalkit.evaluation.decomposition import decompose
from evalkit.evaluation.references import late_factors, reference_status
from evalkit.evaluation.narrative import check_narrative, consistency_line
from evalkit.intake.consistency import check_consistency
from evalkit.intake import LoadedPark
from evalkit.evaluation.results import Blocker, CatalogInfo, Result, YearResult


def evaluate(park: LoadedPark, catalog: Catalog, window: list[int], *,
             factors: carbon.FactorTable | None = None, strict: bool | None = None,
             base_year: int | None = None) -> Result:
    """Evaluate `park` over `window` (e.g. [2021, 2022, 2023]); raises InputError on bad input."""
    factors = factors or carbon.load_factors()
    problems, carbon_accounts = check_and_account(park, catalog, window, factors, base_year)
    problems.raise_if_errors()
    index_years = window[-catalog.grading.window_years:]
    result = Result(
        evalkit_version=__version__, park=park.id, park_name=park.input.profile.name_zh,
        profile=park.input.profile.model_dump(mode="json"), years=window, index_years=index_years,
        evaluation_year=window[-1], catalog=CatalogInfo(id=catalog.id, version=catalog.version,
                                                        title_zh=catalog.title_zh, sha256=catalog.sha256),
        gate=check_gate(park, catalog, consistency := check_consistency(park, catalog, window)),
        grade="not_rated", grade_reason="", consistency=consistency,
        warnings=[*catalog.warnings, *(f"{p.field}: {p.expected}" for p in problems.warnings)])

    variables = build_variables(park, catalog, years_used(park, window, base_year), factors, carbon_accounts)
    result.factors_after_report_date = late_factors(park.input, variables.carbon_years)
    result.warnings += [late.text_zh for late in result.factors_after_report_date]
    yearly: dict[int, YearResult] = {}
    uncomputable = Problems()
    for year in window:
        indicators = score_year(catalog, park.input, variables, year, uncomputable, str(park.path))
        if uncomputable.errors:
            continue  # reported below, with those of the other years
        account = variables.carbon_years.get(year)
        yearly[year] = year_result(catalog, park.input, year, indicators, year in index_years,
                                   account.model_dump(mode="json") if account else None)

    if result.gate.outcome == "failed":
        # No indicator evaluation (6.1.2); the input gaps still say what a later evaluation needs.
        why = "基本要求不满足，不再开展绩效指标评价（6.1.2）：" + "；".join(
            i.finding_zh or i.text_zh for i in result.gate.items if i.status == "failed")
        return with_narrative(result.model_copy(update={
            "grade_reason": why, "not_rated_reason": why, "blockers": [Blocker(kind="gate_failed", text_zh=why)],
            "input_gaps": input_gaps(catalog, yearly, index_years, variables, None)}), park, catalog)

    uncomputable.raise_if_errors()
    result.yearly = yearly
    mean, index, index_trace = window_mean(catalog, result.yearly, index_years)
    means = level_means(catalog, result.yearly, index_years)
    first_levels = first_level_means(result.yearly, index_years)
    rule = fifty_percent_rule(catalog, means, first_levels)
    strict = park.input.strict_overall if strict is None else strict
    overall = overall_evaluation(catalog, variables, overall_base_year(park, window, base_year), window[-1], strict)
    covered = coverage(catalog, result.yearly, index_years)
    blocking = blockers(result.gate, covered, overall)
    band, band_reason = assign_grade(catalog, index, rule)
    if blocking:
        grade = "deferred" if deferred(blocking) else "not_rated"
        if grade == "not_rated" and covered.sufficient:
            blocking += grade_shortfalls(catalog, index, rule)
        reason = ("评价暂缓：" if grade == "deferred" else "") + "；".join(b.text_zh for b in blocking)
        provisional = band if all(b.kind == "gate_deferred" for b in blocking) else None
        if provisional:
            reason += f"。按现有数据（暂定）：{band_reason}"
        not_rated: str | None = reason
    else:
        grade, reason, not_rated, provisional = band, band_reason, None, None
    status = "reference" if not covered.sufficient else "provisional" if result.gate.outcome == "deferred" else "final"

    decomposition, decomposition_note = decompose(variables.carbon_years.get(overall.base_year),
                                                  variables.carbon_years.get(overall.target_year), factors)
    warnings = list(result.warnings)
    for year, yr in result.yearly.items():
        if yr.bonus_approved > yr.bonus:
            warnings.append(f"{year}年核定加分 {yr.bonus_approved:g} 分，超过上限 {yr.bonus:g} 分，按上限计")
    warnings += [f"一致性核对：{consistency_line(f)}" for f in result.consistency if f.status == "violated"]
    warnings += [f"整体评价标注：{flag}" for flag in overall.flags]
    return with_narrative(result.model_copy(update=dict(
        index=index, index_unrounded=mean, index_trace=index_trace, target_level_means=means,
        first_level_means=first_levels,
        points_lost=points_lost(result.yearly, index_years),
        carbon_before_window={y: a.model_dump(mode="json") for y, a in variables.carbon_years.items()
                              if y < window[0]},
        fifty_percent_rule=rule, overall=overall, grade=grade, grade_reason=reason, not_rated_reason=not_rated,
        index_status=status, provisional_grade=provisional, blockers=blocking, coverage=covered,
        data_gaps=data_gaps(result.yearly),
        input_gaps=input_gaps(catalog, result.yearly, index_years, variables, overall),
        gap_points_by_level=gap_points_by_level(catalog, result.yearly, index_years),
        advice=advice(catalog, result.yearly, window[-1], variables),
        not_applicable=not_applicable_items(catalog, park.input, window),
        overrides=override_items(catalog, park.input), warnings=warnings,
        carbon_decomposition=decomposition, carbon_decomposition_note=decomposition_note,
        references=reference_status(catalog, park.input, result.yearly),
        bonus_dependence=bonus_dependence(catalog, result.yearly, index_years, rule, blocking, grade))), park, catalog)


def with_narrative(result: Result, park: LoadedPark, catalog: Catalog) -> Result:
    """`result` with the checks of the assessor's free text against it (and their warnings)."""
    findings = check_narrative(park.input.report, result, catalog)
    return result.model_copy(update={"narrative": findings,
                                     "warnings": [*result.warnings, *(f"报告文字核对：{f.text_zh}" for f in findings)]})
