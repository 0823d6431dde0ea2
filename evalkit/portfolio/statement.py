"""The annual statement of continued compliance (持续符合性声明, 7.1.2) against the last rated
evaluation, within the rating's validity (7.2.2), with what a reviewer checks in the follow-up (7.1.3).

The statement year's indicators are computed exactly as in a report (the window ending in that
year, with the rated evaluation's base year for the overall evaluation) and compared with the
rated window by the catalog's `continued_compliance` thresholds. Missing data is never a
fall-back: it leaves the statement pending (待补充数据), and says what is missing.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from evalkit.catalog import Catalog, ContinuedCompliance
from evalkit.evaluation.results import IndicatorResult, ReferenceStatus, Result
from evalkit.portfolio.common import RATED_GRADES, unconfirmed_references

CheckStatus = Literal["met", "not_met", "undetermined"]
Verdict = Literal["continued", "not_continued", "undetermined"]
IndicatorStatus = Literal["improved", "kept", "fallen", "missing", "not_applicable", "no_basis"]


class RatedArchive(BaseModel):
    """The rated evaluation the statement refers to."""

    archive: str
    window: list[int]
    grade: str
    index: float | None
    base_year: int | None
    finished_at: str
    results_sha256: str


class Validity(BaseModel):
    evaluation_year: int
    valid_years: list[int]
    """The statement years the rating covers (the years after its evaluation year, 7.2.2)."""
    statement_year: int
    remaining_years: list[int]
    """Statement years still to come after this one; after the last one a new evaluation is due."""


class IndicatorCheck(BaseModel):
    code: str
    name_zh: str
    target_level: str
    first_level: str
    kind: str
    unit: str | None
    rated_mean_score: float | None
    """Mean score s over the rated window's index years, measured years only."""
    rated_value: float | None
    """Value in the rated evaluation year."""
    value: float | None
    level: str | None
    score: float | None
    drop: float | None
    """rated_mean_score − score (positive: the score fell)."""
    threshold: float
    status: IndicatorStatus
    missing_inputs: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    """The data items of the statement year and where each came from."""


class Check(BaseModel):
    key: str
    name_zh: str
    status: CheckStatus
    detail_zh: str


class GateEvidence(BaseModel):
    id: str
    text_zh: str
    met: bool
    answered: bool
    evidence: str


class Statement(BaseModel):
    park: str
    park_name: str
    year: int
    rated: RatedArchive
    validity: Validity
    rules: ContinuedCompliance
    gate: list[GateEvidence]
    year_index: float | None
    """The statement year's yearly index (indicator points + bonus)."""
    band_min: float | None
    level_points: dict[str, float] = Field(default_factory=dict)
    level_max: dict[str, float] = Field(default_factory=dict)
    overall_base_year: int | None = None
    overall_reasons: list[str] = Field(default_factory=list)
    indicators: list[IndicatorCheck] = Field(default_factory=list)
    checks: list[Check]
    verdict: Verdict
    review_points: list[str]
    references: list[ReferenceStatus] = Field(default_factory=list)
    """Unconfirmed references (status "unverified") the rated and the statement year's figures rest on,
    each once; while any is listed the statement is a draft (`evalkit.render.draft` reads this list)."""


def validity(rules: ContinuedCompliance, evaluation_year: int, year: int) -> Validity:
    """The rating's validity as seen from statement `year`; ValueError when `year` is outside it."""
    valid = list(range(evaluation_year + 1, evaluation_year + rules.validity_years + 1))
    if year not in valid:
        raise ValueError(f"a rating with evaluation year {evaluation_year} covers the statement years "
                         f"{valid[0]}–{valid[-1]} (validity {rules.validity_years} years, 7.2.2); "
                         + ("a new evaluation is due" if year > valid[-1] else "it is not a statement year"))
    return Validity(evaluation_year=evaluation_year, valid_years=valid, statement_year=year,
                    remaining_years=[y for y in valid if y > year])


def build_statement(rated: Result, new: Result, catalog: Catalog, archive: RatedArchive, year: int) -> Statement:
    """Compare the statement year of `new` (a window ending in `year`) with the rated `rated`."""
    rules = catalog.continued_compliance
    if rules is None:
        raise ValueError(f"catalog {catalog.id} has no continued_compliance section (thresholds of the statement)")
    if rated.grade not in RATED_GRADES:
        raise ValueError(f"{archive.archive} holds no rating (grade {rated.grade})")
    if new.evaluation_year != year:
        raise ValueError(f"the new evaluation ends in {new.evaluation_year}, not {year}")
    valid = validity(rules, rated.evaluation_year, year)
    gate = [GateEvidence(id=i.id, text_zh=i.text_zh, met=i.met, answered=i.answered, evidence=i.evidence)
            for i in new.gate.items]
    band_min = next((b.min for b in catalog.grading.bands if b.grade == rated.grade), None)
    checks = [_gate_check(new)]
    statement = Statement(park=new.park, park_name=new.park_name, year=year, rated=archive, validity=valid,
                          rules=rules, gate=gate, year_index=None, band_min=band_min, checks=checks,
                          verdict="not_continued", review_points=[],
                          references=unconfirmed_references([rated, new]))
    if year in new.yearly:
        current = new.yearly[year]
        statement.year_index = current.index
        statement.level_points = dict(current.target_levels)
        statement.level_max = dict(current.target_level_max)
        statement.indicators = [_indicator(rated, ind, rules) for ind in current.indicators]
        checks.append(_indicators_check(statement.indicators, rules))
        if rules.keep_grade_band and band_min is not None:
            checks.append(_band_check(current.index, band_min, rated.grade, year))
        if rated.grade != catalog.grading.capped_grade:
            checks.append(_level_check(statement, catalog.grading.level_floor_share, year))
        if new.overall is not None:
            statement.overall_base_year = new.overall.base_year
            statement.overall_reasons = list(new.overall.reasons)
            checks.append(_overall_check(new))
    statement.checks = checks  # the model holds a copy of the list it was given
    statuses = {c.status for c in checks}
    statement.verdict = ("not_continued" if "not_met" in statuses
                         else "undetermined" if "undetermined" in statuses else "continued")
    statement.review_points = _review_points(statement)
    return statement


def _gate_check(new: Result) -> Check:
    failed = [i.text_zh for i in new.gate.items if not i.met]
    if new.gate.passed:
        return Check(key="gate", name_zh="基本要求", status="met",
                     detail_zh=f"{len(new.gate.items)}项基本要求均满足（证明材料见下表）")
    return Check(key="gate", name_zh="基本要求", status="not_met", detail_zh="不满足：" + "；".join(failed))


def _indicator(rated: Result, ind: IndicatorResult, rules: ContinuedCompliance) -> IndicatorCheck:
    threshold = rules.score_drop_overrides.get(ind.code, rules.max_score_drop)
    rated_years = [rated.yearly[y] for y in rated.index_years if y in rated.yearly]
    rated_found = [next(i for i in yr.indicators if i.code == ind.code) for yr in rated_years]
    measured = [i.score for i in rated_found if i.status == "ok"]
    rated_mean = sum(measured) / len(measured) if measured else None
    rated_value = rated_found[-1].value if rated_found and rated_found[-1].status == "ok" else None
    sources = []
    if ind.trace.value is not None:
        sources = [f"{i.name_zh}（{i.year}年）：{i.source}" for i in ind.trace.value.inputs if i.year == ind.trace.value.inputs[-1].year]
    elif ind.trace.scoring is not None and ind.trace.scoring.evidence:
        sources = [f"证明材料：{ind.trace.scoring.evidence}"]
    check = IndicatorCheck(code=ind.code, name_zh=ind.name_zh, target_level=ind.target_level,
                           first_level=ind.first_level, kind=ind.kind, unit=ind.unit, rated_mean_score=rated_mean,
                           rated_value=rated_value, value=ind.value, level=ind.level, score=None, drop=None,
                           threshold=threshold, status="kept", missing_inputs=list(ind.missing_inputs),
                           sources=list(dict.fromkeys(sources)))
    if ind.status != "ok":
        check.status = "missing" if ind.status == "missing" else "not_applicable"
        return check
    check.score = ind.score
    if rated_mean is None:
        check.status = "no_basis"
        return check
    check.drop = rated_mean - ind.score
    check.status = ("fallen" if check.drop > threshold + 1e-9
                    else "improved" if check.drop < -1e-9 else "kept")
    return check


def _indicators_check(indicators: list[IndicatorCheck], rules: ContinuedCompliance) -> Check:
    fallen = [i for i in indicators if i.status == "fallen"]
    missing = [i for i in indicators if i.status == "missing"]
    if fallen:
        return Check(key="indicators", name_zh="指标无明显回落", status="not_met",
                     detail_zh=f"{len(fallen)}项指标得分率较定级评价期平均回落超过阈值："
                     + "；".join(f"{i.code} {i.name_zh}（回落 {i.drop:.3f}，阈值 {i.threshold:g}）" for i in fallen))
    if missing:
        return Check(key="indicators", name_zh="指标无明显回落", status="undetermined",
                     detail_zh=f"有数据的指标均未回落超过阈值 {rules.max_score_drop:g}；{len(missing)}项指标缺少数据，"
                     "补充后方可确认：" + "、".join(f"{i.code} {i.name_zh}" for i in missing))
    return Check(key="indicators", name_zh="指标无明显回落", status="met",
                 detail_zh=f"各项指标得分率较定级评价期平均的回落均未超过阈值（s 回落 ≤ {rules.max_score_drop:g}）")


def _band_check(index: float, band_min: float, grade: str, year: int) -> Check:
    ok = index >= band_min - 1e-9
    return Check(key="index", name_zh="年度指数保持等级水平", status="met" if ok else "not_met",
                 detail_zh=f"{year}年年度指数 {index:.2f} {'≥' if ok else '<'} {grade}级下限 {band_min:g} 分")


def _level_check(statement: Statement, share: float, year: int) -> Check:
    low = [f"{name} {pts:.2f}/{statement.level_max[name]:g}分" for name, pts in statement.level_points.items()
           if pts < statement.level_max[name] * share - 1e-9]
    if low:
        return Check(key="levels", name_zh="目标层得分不低于满分值的50%", status="not_met",
                     detail_zh=f"{year}年" + "、".join(low) + f"，低于满分值的{share:.0%}")
    return Check(key="levels", name_zh="目标层得分不低于满分值的50%", status="met",
                 detail_zh=f"{year}年各目标层得分均不低于满分值的{share:.0%}：" + "；".join(
                     f"{name} {pts:.2f}/{statement.level_max[name]:g}分" for name, pts in statement.level_points.items()))


def _overall_check(new: Result) -> Check:
    overall = new.overall
    assert overall is not None
    span = f"{overall.base_year}年→{overall.target_year}年"
    if overall.verdict == "positive":
        return Check(key="overall", name_zh="整体评价仍为正向", status="met", detail_zh=f"{span}：正向")
    if overall.verdict == "negative":
        return Check(key="overall", name_zh="整体评价仍为正向", status="not_met",
                     detail_zh=f"{span}：负向（" + "；".join(overall.failures) + "）")
    return Check(key="overall", name_zh="整体评价仍为正向", status="undetermined",
                 detail_zh=f"{span}：无法判定（" + "；".join(overall.failures or overall.reasons) + "）")


def _review_points(s: Statement) -> list[str]:
    """What the authority checks when it picks this statement for follow-up review (7.1.3)."""
    points = [f"核对{s.year}年基本要求证明材料是否覆盖{s.year}年（事故证明、排污许可执行报告、碳排放核算报告等），"
              "并与现场和座谈情况一致（7.2.1）。"]
    fallen = [i for i in s.indicators if i.status == "fallen"]
    for i in fallen:
        points.append(f"{i.code} {i.name_zh}得分率回落 {i.drop:.3f}：查阅原始记录，核实数据并要求园区说明原因与整改措施"
                      + ("；数据来源：" + "；".join(i.sources) if i.sources else "") + "。")
    missing = [i for i in s.indicators if i.status == "missing"]
    if missing:
        points.append("补充缺失数据后重新声明：" + "；".join(
            f"{i.code} {i.name_zh}（缺 {'、'.join(i.missing_inputs)}）" for i in missing) + "。")
    moved = sorted((i for i in s.indicators if i.drop is not None and i.status != "fallen"),
                   key=lambda i: -abs(i.drop or 0.0))[:3]
    for i in moved:
        if abs(i.drop or 0.0) > 1e-9:
            points.append(f"抽查变化较大的 {i.code} {i.name_zh}（得分率变化 {-(i.drop or 0.0):+.3f}）的统计报表与原始记录"
                          + ("；数据来源：" + "；".join(i.sources) if i.sources else "") + "。")
    if s.verdict == "not_continued":
        points.append("声明结论为不再持续符合：主管部门应要求园区限期整改，必要时提前组织重新评价并动态调整评价结果（7.2.2）。")
    if s.validity.remaining_years:
        points.append(f"评价有效期内尚需进行 {'、'.join(map(str, s.validity.remaining_years))} 年度的持续符合性声明。")
    else:
        points.append("本声明为有效期内最后一次声明：评价有效期届满后应重新评价（7.2.2）。")
    return points
