"""The evaluation result: everything the report shows, with a trace for every computed number.

`Result.model_dump(mode="json")` is the `results.json` of the archive and of `evalkit score --json`.
It holds no timestamps, so the same inputs give byte-identical JSON (the archive's verify relies on it).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from evalkit.core.trace import ScoringTrace, Trace
from evalkit.evaluation.decomposition import CarbonDecomposition
from evalkit.intake.consistency import ConsistencyFinding

Status = Literal["ok", "missing", "not_applicable"]


class GateItem(BaseModel):
    id: str
    text_zh: str
    met: bool
    # unknown: 待补证, evidence pending; unverified: answered met but the park's data contradict it (待核实)
    status: Literal["met", "failed", "unknown", "unverified"]
    answered: bool
    evidence: str
    note: str | None = None
    finding_zh: str | None = None  # what was found, for a failed item (the park's note when it gives one)
    finding_from_park: bool = False  # finding_zh is the park's note, not the catalog's general wording
    data_conflicts: list[str] = Field(default_factory=list)  # violated consistency checks, one per rule
    reconciliation: str | None = None  # the assessor's 核实说明 that keeps a contradicted item met
    evidence_hint_zh: str = ""  # what evidence would settle the item


class Gate(BaseModel):
    """passed: every item met; failed: an item not met (no evaluation); deferred: no item failed
    but some are pending evidence or contradicted by the park's data (indicators computed, shown as
    provisional; no grade yet)."""

    passed: bool
    outcome: Literal["passed", "failed", "deferred"]
    checklist: str
    items: list[GateItem]
    failed: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)
    unverified: list[str] = Field(default_factory=list)


class IndicatorTrace(BaseModel):
    value: Trace | None = None
    driver: Trace | None = None
    scoring: ScoringTrace | None = None
    weight: str = ""
    points: str = ""


class IndicatorResult(BaseModel):
    code: str
    name_zh: str
    name_en: str
    target_level: str
    first_level: str
    second_level: str
    kind: str
    method: str
    published_weight: float
    weight: float
    value: float | None
    unit: str | None
    score: float
    points: float
    max_points: float
    status: Status
    variant: str | None = None
    level: str | None = None
    missing_inputs: list[str] = Field(default_factory=list)
    justification: str | None = None
    coverage: float | None = None  # 1 real data, 0 missing, None not applicable (DIGEST decision 3)
    quality_flags: list[str] = Field(default_factory=list)  # scopes other than measured among its inputs
    trace: IndicatorTrace


class BonusItemResult(BaseModel):
    """`points` is what the park declared (申报分值); only `approved_points` (核定分值) count."""

    name: str
    points: float
    justification: str
    evidence: str | None = None
    rubric: str | None = None
    rubric_name_zh: str | None = None
    rubric_max_points: float | None = None
    approved_points: float | None = None
    approval_note: str | None = None


class YearResult(BaseModel):
    year: int
    in_index: bool
    index: float
    base_points: float
    bonus: float                     # counted: approved points, capped
    bonus_claimed: float             # declared (申报) points
    bonus_approved: float = 0.0      # approved (核定) points before the cap
    bonus_items: list[BonusItemResult] = Field(default_factory=list)
    target_levels: dict[str, float]
    target_level_max: dict[str, float]
    indicators: list[IndicatorResult]
    carbon: dict[str, Any] | None = None
    trace: Trace


class LevelCheck(BaseModel):
    """`share` counts missing data as 0 (as the rule does); `data_share` is the score rate over the
    indicator-years with real data (None when none has data) and `coverage` their part of the maximum."""

    mean_points: float
    max_points: float
    floor_points: float
    share: float
    passed: bool
    data_share: float | None = None
    coverage: float | None = None


class FirstLevelMean(BaseModel):
    """Points of one first-level indicator, mean over the years in the index. `share` is over the full
    maximum (missing data scored 0, as the index counts it); `data_share` over the maximum of the
    indicator-years with real data (None when none has data: 缺数据, not 0 %) and `coverage` the part of
    the maximum with real data — a data gap must not read as a weak area."""

    target_level: str
    first_level: str
    mean_points: float
    max_points: float
    share: float
    data_max_points: float = 0.0
    data_share: float | None = None
    coverage: float | None = None


class PointsLost(BaseModel):
    """A measured indicator's mean shortfall from its maximum over the years in the index; years
    without data do not count (a data gap is not a weakness)."""

    code: str
    name_zh: str
    first_level: str
    mean_lost: float
    max_points: float
    status: Status


class CoverageShare(BaseModel):
    covered_weight: float
    applicable_weight: float
    share: float | None  # None when nothing is applicable


class Coverage(BaseModel):
    """Share of the applicable weight with real data (not applicable excluded), per index year, per
    target level (over the index years) and per year and level; below `min_share` no grade."""

    min_share: float
    source: str
    by_year: dict[int, CoverageShare]
    by_level: dict[str, CoverageShare]
    by_year_level: dict[int, dict[str, CoverageShare]]
    sufficient: bool
    shortfalls: list[str] = Field(default_factory=list)


class InputGap(BaseModel):
    """One missing input (or qualitative level, or a proxy not allowed) with what it costs."""

    symbol: str
    name_zh: str
    unit: str
    kind: Literal["data", "qualitative", "unscored_proxy"]
    years: list[int]
    indicators: list[str]
    target_levels: list[str]
    points_at_stake: float  # index points (mean over the index years) of the indicator-years it blocks
    overall: bool = False  # the overall evaluation needs it
    alternatives: list[str] = Field(default_factory=list)  # inputs that would do instead (published ratios)


class Blocker(BaseModel):
    """A reason why no grade is given, in the standard's order."""

    kind: Literal["gate_failed", "gate_deferred", "coverage", "overall_negative", "overall_undetermined",
                  "index_below_bands", "level_below_half"]
    text_zh: str


class AdviceResult(BaseModel):
    """An improvement advice item given for a weak measured indicator, with the figure behind it."""

    id: str
    code: str
    name_zh: str
    year: int
    figure_zh: str
    score: float
    text_zh: str


class FiftyPercentRule(BaseModel):
    passed: bool
    levels: dict[str, LevelCheck]


class Rate(BaseModel):
    key: str
    name_zh: str
    base: float | None
    target: float | None
    unit: str
    rate: float | None
    improved: bool | None
    missing_inputs: list[str] = Field(default_factory=list)
    trace: Trace


class OverallEvaluation(BaseModel):
    base_year: int
    target_year: int
    strict: bool
    pollutants: list[Rate]
    classes: list[Rate]
    carbon_intensity: Rate
    efficiency: Rate
    verdict: Literal["positive", "negative", "undetermined"]
    reasons: list[str]
    failures: list[str] = Field(default_factory=list)
    undetermined: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)


class DataGap(BaseModel):
    year: int
    code: str
    name_zh: str
    missing_inputs: list[str]
    lost_points: float


class NotApplicableItem(BaseModel):
    code: str
    name_zh: str
    years: list[int]
    justification: str
    reason: str | None = None
    reason_zh: str | None = None


class ReferenceStatus(BaseModel):
    """A benchmark used in the window, and whether it is confirmed (issue 12, `render --final`)."""

    code: str
    name_zh: str
    field: Literal["reference", "floor"]
    value: float
    unit: str
    source: str
    basis: str
    status: Literal["verified", "confirmed_by_assessor", "unverified"]
    citation: str | None = None
    overridden: bool = False
    years: list[int]


class BonusDependence(BaseModel):
    """The index and grade without any bonus, and whether the grade depends on the bonus."""

    index_without_bonus: float
    grade_without_bonus: str
    grade_reason_without_bonus: str
    depends: bool
    trace: Trace


class OverrideItem(BaseModel):
    code: str
    name_zh: str
    field: str
    catalog_value: float
    park_value: float
    unit: str
    justification: str
    source: str


class LateFactor(BaseModel):
    """A carbon factor whose source was published after the report date: the report cannot have used it."""

    id: str
    name_zh: str
    value: float
    unit: str
    year: int | None          # the published year of the value
    published: str            # ISO date of the source
    report_date: str          # as the park file gives it
    used_in: list[int]        # the accounting years that used it
    text_zh: str


class NarrativeFinding(BaseModel):
    """Where the assessor's free text (park file `report:`) disagrees with the computed result, or
    where the conclusion is missing though the evaluation found something it must address."""

    field: str                 # e.g. "report.conclusion", "report.recommendations[2]"
    label_zh: str              # 评价结论, 建议 …
    kind: Literal["index", "points", "grade", "missing"]
    claimed: str | None = None  # as written in the text ("85.90", "AA级")
    computed: str | None = None  # the computed figure it was compared with, as the report shows it
    text_zh: str
    must_address: list[str] = Field(default_factory=list)  # kind "missing": what the conclusion must say


class CatalogInfo(BaseModel):
    id: str
    version: str
    title_zh: str
    sha256: str


class Result(BaseModel):
    evalkit_version: str
    park: str
    park_name: str
    profile: dict[str, Any]
    years: list[int]
    index_years: list[int]
    evaluation_year: int
    catalog: CatalogInfo
    gate: Gate
    yearly: dict[int, YearResult] = Field(default_factory=dict)
    carbon_before_window: dict[int, dict[str, Any]] = Field(default_factory=dict)
    index: float | None = None
    index_unrounded: float | None = None
    index_trace: Trace | None = None
    target_level_means: dict[str, float] = Field(default_factory=dict)
    first_level_means: list[FirstLevelMean] = Field(default_factory=list)
    points_lost: list[PointsLost] = Field(default_factory=list)
    fifty_percent_rule: FiftyPercentRule | None = None
    overall: OverallEvaluation | None = None
    grade: Literal["AAA", "AA", "A", "none", "not_rated", "deferred"]
    grade_reason: str
    not_rated_reason: str | None = None
    # final; provisional (gate deferred); reference (coverage below the minimum: 参考值)
    index_status: Literal["final", "provisional", "reference"] | None = None
    provisional_grade: str | None = None  # the grade the index would give once the evidence is in
    blockers: list[Blocker] = Field(default_factory=list)
    coverage: Coverage | None = None
    data_gaps: list[DataGap] = Field(default_factory=list)
    input_gaps: list[InputGap] = Field(default_factory=list)
    gap_points_by_level: dict[str, float] = Field(default_factory=dict)
    advice: list[AdviceResult] = Field(default_factory=list)
    not_applicable: list[NotApplicableItem] = Field(default_factory=list)
    overrides: list[OverrideItem] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    factors_after_report_date: list[LateFactor] = Field(default_factory=list)
    carbon_decomposition: CarbonDecomposition | None = None
    carbon_decomposition_note: str | None = None
    consistency: list[ConsistencyFinding] = Field(default_factory=list)
    references: list[ReferenceStatus] = Field(default_factory=list)
    bonus_dependence: BonusDependence | None = None
    narrative: list[NarrativeFinding] = Field(default_factory=list)

    @property
    def unverified_references(self) -> list[ReferenceStatus]:
        return [r for r in self.references if r.status == "unverified"]

    @property
    def rated(self) -> bool:
        """The evaluation reached a grade decision (AAA, AA, A or 无级别)."""
        return self.grade in {"AAA", "AA", "A", "none"}

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)
