"""The catalog: the indicator system as data (weights, formulas, scoring methods, references,
rubric levels, grading rules, basic-requirements checklist) and its loader.

`load_catalog()` reads the default catalog shipped in `evalkit/catalog/data/`; `load_catalog(path)`
reads a provincial or custom one. Loading validates: unknown methods, missing references,
formulas over undeclared inputs are errors; weight sums that differ from the declared target
weights (the published 0.46 vs 0.45) are warnings carried into every result.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evalkit.catalog.formulas import Formula, FormulaError
from evalkit.core.problems import InputError, Problems
from evalkit.core.yamlio import read_yaml
from evalkit.catalog.scoring import METHODS

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_CATALOG = "default.yaml"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ReferenceValue(Model):
    """A benchmark. `basis`: a published figure, or an evalkit default (documented in `source`).
    `verified: true` on a published figure needs a `citation` saying where its text was read
    (document, clause, and the copy read); an assessor may confirm one for a park instead
    (park file `reference_confirmations`, citing 文号 and clause)."""

    value: float
    unit: str
    source: str = Field(min_length=1)
    verified: bool = True
    basis: Literal["published", "evalkit_default"] = "published"
    citation: str | None = None
    override_justification: str | None = None


class Level(Model):
    id: str
    label_zh: str
    score: float = Field(ge=0, le=1)
    criteria_zh: str


class Driver(Model):
    formula: str
    formula_zh: str
    unit: str


class Scoring(Model):
    method: str
    reference: ReferenceValue | None = None
    floor: ReferenceValue | None = None
    levels: list[Level] | None = None
    driver: Driver | None = None
    source: str | None = None


class Variant(Model):
    """One way of computing a quantitative indicator (the main formula or an alternative)."""

    label_zh: str
    formula_zh: str
    formula: str
    unit: str
    scoring: Scoring

    @property
    def parsed(self) -> Formula:
        return Formula.parse(self.formula)


class Indicator(Model):
    code: str
    name_zh: str
    name_en: str
    target_level: str
    first_level: str
    second_level: str
    weight: float = Field(gt=0, le=1)
    kind: Literal["quantitative", "qualitative"] = "quantitative"
    unit: str | None = None
    direction: Literal["positive", "negative"] | None = None
    formula_zh: str | None = None
    formula: str | None = None
    scoring: Scoring
    alternatives: list[Variant] = Field(default_factory=list)

    def variants(self) -> list[Variant]:
        """The main formula first, then alternatives; the first whose inputs exist is used."""
        return list(self._variants)

    @cached_property
    def _variants(self) -> tuple[Variant, ...]:
        # Asked for every park and year; the indicator is frozen, so build the main variant once.
        if self.kind == "qualitative":
            return ()
        main = Variant(label_zh=self.name_zh, formula_zh=self.formula_zh or "", formula=self.formula or "",
                       unit=self.unit or "", scoring=self.scoring)
        return (main, *self.alternatives)

    @property
    def method(self) -> str:
        return self.scoring.method


class InputDef(Model):
    name_zh: str
    unit: str
    min: float | None = None
    max: float | None = None
    exclusive_min: bool = False
    carbon: bool = False
    proxy_allowed: str | None = None  # why a proxy figure (scope: proxy) of this input may be scored


class TargetLevel(Model):
    name: str
    name_en: str
    weight: float


class Band(Model):
    grade: str
    min: float


class Grading(Model):
    bands: list[Band]
    level_floor_share: float
    capped_grade: str
    bonus_cap_points: float
    window_years: int
    index_decimals: int
    source: str


class CoverageRule(Model):
    """Minimum share of the applicable weight with real data, per index year and per target level."""

    min_share: float = Field(default=0.65, gt=0, le=1)
    source: str = "JRC/OECD Handbook on Constructing Composite Indicators (2008): about 65 % coverage (rule of thumb)"


class AdviceItem(Model):
    """An improvement advice text, given for a weak measured indicator when its conditions hold."""

    id: str
    indicators: list[str]
    text_zh: str
    requires_inputs: list[str] = Field(default_factory=list)
    unless_levels: dict[str, list[str]] = Field(default_factory=dict)


class Advice(Model):
    weak_below: float = Field(default=0.8, gt=0, le=1)
    source: str = ""
    items: list[AdviceItem] = Field(default_factory=list)


class Pollutant(Model):
    symbol: str
    name_zh: str
    class_: str = Field(alias="class")


class Efficiency(Model):
    formula: str
    unit: str
    name_zh: str


class Overall(Model):
    value_added: str
    efficiency: Efficiency
    carbon: str
    pollutants: list[Pollutant]
    classes: dict[str, str]


class BonusRubricEntry(Model):
    """One kind of bonus item the assessor may approve, with its most points (申报 vs 核定)."""

    id: str
    name_zh: str
    max_points: float = Field(gt=0)
    criteria_zh: str


class Bonus(Model):
    code: str
    name_zh: str
    name_en: str
    cap_points: float
    source: str
    rubric: list[BonusRubricEntry] = Field(default_factory=list)
    rubric_source: str | None = None

    def rubric_entry(self, entry_id: str) -> BonusRubricEntry | None:
        return next((e for e in self.rubric if e.id == entry_id), None)


class NotApplicableReason(Model):
    """A structural reason an indicator does not apply (no such facility or activity …)."""

    id: str
    text_zh: str


class NotApplicableRules(Model):
    reasons: list[NotApplicableReason] = Field(default_factory=list)
    missing_data_phrases: list[str] = Field(default_factory=list)
    """Phrases that say the data exist but are not counted separately: missing data, not N/A."""

    def reason(self, reason_id: str) -> NotApplicableReason | None:
        return next((r for r in self.reasons if r.id == reason_id), None)


class RuleWhen(Model):
    """What a consistency rule checks: a basic-requirement answered met, or a chosen rubric level."""

    gate: str | None = None
    indicator: str | None = None
    level: str | None = None


class RuleCheck(Model):
    formula: str
    formula_zh: str
    unit: str
    min: float | None = None
    max: float | None = None


class ConsistencyRule(Model):
    """An answer and the data must agree: when `when` holds, `check.formula` lies in [min, max]."""

    id: str
    text_zh: str
    when: RuleWhen
    check: RuleCheck


class Note(Model):
    where: str
    text_zh: str


class Decision(Model):
    id: str
    title_zh: str
    text_zh: str


class Requirement(Model):
    id: str
    text_zh: str
    finding_zh: str | None = None  # the finding when not met, e.g. "评价期内发生了较大及以上突发环境事件…"
    evidence_hint_zh: str


class BasisDocument(Model):
    """A document the evaluation is based on (评价依据): the standard, a law, a technical norm."""

    kind: str
    title: str


class DisplayUnit(Model):
    """How the report shows a quantity: in `unit` (= computed value × `factor`), `decimals` places."""

    unit: str
    factor: float = 1.0
    decimals: int = Field(ge=0, le=6)


class Display(Model):
    """Display units and precision of the report; numbers are never shown in scientific notation."""

    decimals: dict[str, int] = Field(default_factory=dict)
    """Decimal places by unit as shown (%, kg/万元 …); `default_decimals` otherwise."""
    default_decimals: int = 2
    quantities: dict[str, DisplayUnit] = Field(default_factory=dict)
    """By quantity key (`overall.nox` …): a unit other than the computed one."""


class BasicRequirements(Model):
    id: str
    source: str
    items: list[Requirement]


class ContinuedCompliance(Model):
    """The annual statement of continued compliance (持续符合性声明, 7.1.2) and a rating's validity (7.2.2)."""

    validity_years: int
    """A rating covers this many statement years after its evaluation year."""
    max_score_drop: float
    """An indicator has fallen back (回落) when its score s in the statement year is more than this
    below its mean score over the rated window's index years."""
    score_drop_overrides: dict[str, float] = Field(default_factory=dict)
    """A stricter or looser drop for single indicators, by code."""
    keep_grade_band: bool
    """The statement year's index must stay at or above the lower bound of the rated grade."""
    source: str


class Catalog(Model):
    model_config = ConfigDict(extra="ignore", frozen=True)  # `references`, `rubric_scale`: YAML anchors only

    id: str
    version: str
    title_zh: str
    source: str
    basic_requirements: BasicRequirements
    target_levels: list[TargetLevel]
    grading: Grading
    coverage: CoverageRule = CoverageRule()
    overall: Overall
    inputs: dict[str, InputDef]
    parts: list[tuple[str, str]] = Field(default_factory=list)
    indicators: list[Indicator]
    bonus: Bonus
    not_applicable: NotApplicableRules = NotApplicableRules()
    consistency_rules: list[ConsistencyRule] = Field(default_factory=list)
    advice: Advice = Advice()
    discrepancies: list[Note] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    basis: list[BasisDocument] = Field(default_factory=list)
    display: Display = Field(default_factory=Display)
    continued_compliance: ContinuedCompliance | None = None
    path: str
    sha256: str
    warnings: list[str] = Field(default_factory=list)

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    def level_max_points(self, name: str) -> float:
        """A level's maximum: the sum of its published indicator weights × 100 (DIGEST)."""
        return round(sum(i.weight for i in self.indicators if i.target_level == name) * 100, 9)


def default_catalog_path() -> Path:
    return DATA_DIR / DEFAULT_CATALOG


def referenced_files(path: Path | str | None = None) -> list[Path]:
    """Files a catalog names relative to itself (its checklist); archived beside it."""
    path = Path(path) if path else default_catalog_path()
    raw = read_yaml(path)
    name = raw.get("basic_requirements") if isinstance(raw, dict) else None
    return [path.parent / name] if isinstance(name, str) else []


def load_catalog(path: Path | str | None = None) -> Catalog:
    path = Path(path) if path else default_catalog_path()
    problems = Problems()
    raw = _read_yaml(path, problems)
    problems.raise_if_errors()
    if not isinstance(raw, dict):
        problems.add(str(path), "(top level)", type(raw).__name__, "a mapping with id, indicators, …")
        problems.raise_if_errors()
    checklist_name = raw.get("basic_requirements")
    if isinstance(checklist_name, str):
        checklist_path = path.parent / checklist_name
        raw["basic_requirements"] = _read_yaml(checklist_path, problems)
        problems.raise_if_errors()
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    try:
        catalog = Catalog.model_validate({**raw, "path": str(path), "sha256": digest})
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(_readable_loc(raw, error["loc"]))
            problems.add(str(path), field, error.get("input"), error["msg"])
        raise InputError(problems.items) from None
    _check_meaning(catalog, problems)
    problems.raise_if_errors()
    return catalog.model_copy(update={"warnings": _weight_warnings(catalog)})


def _read_yaml(path: Path, problems: Problems) -> dict | None:
    try:
        return read_yaml(path)
    except InputError as exc:
        problems.extend(exc.problems)
    return None


def _readable_loc(raw: dict, loc: tuple) -> list[str]:
    """indicators.3.weight → indicators[I04].weight, so a catalog author finds the entry."""
    parts = [str(p) for p in loc]
    if len(loc) > 1 and loc[0] == "indicators" and isinstance(loc[1], int):
        try:
            parts[1] = f"[{raw['indicators'][loc[1]]['code']}]"
        except (KeyError, IndexError, TypeError):
            pass
    return parts


def _check_meaning(catalog: Catalog, problems: Problems) -> None:
    file = catalog.path
    levels = {t.name for t in catalog.target_levels}
    seen: set[str] = set()
    for ind in catalog.indicators:
        where = f"indicators[{ind.code}]"
        if ind.code in seen or ind.code == catalog.bonus.code:
            problems.add(file, f"{where}.code", ind.code, "a code used once")
        seen.add(ind.code)
        if ind.target_level not in levels:
            problems.add(file, f"{where}.target_level", ind.target_level, f"one of {sorted(levels)}")
        if ind.kind == "quantitative":
            for field in ("unit", "direction", "formula", "formula_zh"):
                if not getattr(ind, field):
                    problems.add(file, f"{where}.{field}", None, "required for a quantitative indicator")
            if ind.formula:
                for n, variant in enumerate(ind.variants()):
                    label = where if n == 0 else f"{where}.alternatives.{n - 1}"
                    _check_formula(catalog, file, f"{label}.formula", variant.formula, problems)
                    _check_scoring(catalog, file, label, variant.scoring, problems)
        else:
            _check_scoring(catalog, file, where, ind.scoring, problems)
            if ind.scoring.method != "tiered":
                problems.add(file, f"{where}.scoring.method", ind.scoring.method,
                             "tiered (a qualitative indicator is scored by levels)")
    for a, b in catalog.parts:
        for symbol in (a, b):
            if symbol not in catalog.inputs:
                problems.add(file, "parts", symbol, "a symbol declared under inputs")
    overall = catalog.overall
    for symbol in [overall.value_added, overall.carbon, *(p.symbol for p in overall.pollutants)]:
        if symbol not in catalog.inputs:
            problems.add(file, "overall", symbol, "a symbol declared under inputs")
    _check_formula(catalog, file, "overall.efficiency.formula", overall.efficiency.formula, problems)
    for p in overall.pollutants:
        if p.class_ not in overall.classes:
            problems.add(file, f"overall.pollutants[{p.symbol}].class", p.class_, f"one of {sorted(overall.classes)}")
    _check_rules(catalog, file, problems)
    if sorted(b.min for b in catalog.grading.bands) != sorted({b.min for b in catalog.grading.bands}):
        problems.add(file, "grading.bands", [b.min for b in catalog.grading.bands], "distinct thresholds")
    if catalog.grading.capped_grade not in {b.grade for b in catalog.grading.bands}:
        problems.add(file, "grading.capped_grade", catalog.grading.capped_grade, "one of the grades in bands")
    for item in catalog.advice.items:
        where = f"advice.items[{item.id}]"
        for code in [*item.indicators, *item.unless_levels]:
            if code not in catalog.codes:
                problems.add(file, where, code, f"an indicator code of catalog {catalog.id}")
        for symbol in item.requires_inputs:
            if symbol not in catalog.inputs:
                problems.add(file, f"{where}.requires_inputs", symbol, "a symbol declared under inputs")
    if catalog.grading.window_years < 1:
        problems.add(file, "grading.window_years", catalog.grading.window_years, "at least 1")
    rules = catalog.continued_compliance
    if rules is not None:
        for code in rules.score_drop_overrides:
            if code not in seen:
                problems.add(file, f"continued_compliance.score_drop_overrides.{code}", code, "an indicator code")
        if rules.validity_years < 1:
            problems.add(file, "continued_compliance.validity_years", rules.validity_years, "at least 1")


def _check_rules(catalog: Catalog, file: str, problems: Problems) -> None:
    """Consistency rules name a checklist item or a qualitative indicator's level, and a formula over inputs."""
    gate_ids = {item.id for item in catalog.basic_requirements.items}
    codes = {i.code: i for i in catalog.indicators}
    for n, rule in enumerate(catalog.consistency_rules):
        where, when = f"consistency_rules[{rule.id}]", rule.when
        if (when.gate is None) == (when.indicator is None):
            problems.add(file, f"{where}.when", when.model_dump(exclude_none=True),
                         "either `gate` (a checklist item) or `indicator` with `level`")
        if when.gate is not None and when.gate not in gate_ids:
            problems.add(file, f"{where}.when.gate", when.gate, f"one of {sorted(gate_ids)}")
        if when.indicator is not None:
            ind = codes.get(when.indicator)
            levels = [lv.id for lv in (ind.scoring.levels or [])] if ind else []
            if ind is None or ind.kind != "qualitative":
                problems.add(file, f"{where}.when.indicator", when.indicator, "a qualitative indicator code")
            elif when.level not in levels:
                problems.add(file, f"{where}.when.level", when.level, f"one of {levels}")
        if rule.check.min is None and rule.check.max is None:
            problems.add(file, f"{where}.check", None, "`min`, `max` or both")
        _check_formula(catalog, file, f"{where}.check.formula", rule.check.formula, problems)
    ids = [r.id for r in catalog.not_applicable.reasons]
    if len(ids) != len(set(ids)):
        problems.add(file, "not_applicable.reasons", ids, "distinct reason ids")
    rubric = [e.id for e in catalog.bonus.rubric]
    if len(rubric) != len(set(rubric)):
        problems.add(file, "bonus.rubric", rubric, "distinct rubric ids")


def _check_formula(catalog: Catalog, file: str, field: str, text: str, problems: Problems) -> None:
    try:
        formula = Formula.parse(text)
    except FormulaError as exc:
        problems.add(file, field, text, str(exc))
        return
    for symbol in formula.symbols():
        if symbol.name not in catalog.inputs:
            problems.add(file, field, symbol.name, "a symbol declared under inputs")


def _check_scoring(catalog: Catalog, file: str, where: str, spec: Scoring, problems: Problems) -> None:
    method = METHODS.get(spec.method)
    if method is None:
        problems.add(file, f"{where}.scoring.method", spec.method, f"one of {sorted(METHODS)}")
        return
    for param in method.requires:
        if not getattr(spec, param):
            problems.add(file, f"{where}.scoring.{param}", None, f"required by method {spec.method}")
    for param in ("reference", "floor"):
        ref = getattr(spec, param)
        if ref is not None and ref.verified and ref.basis == "published" and not (ref.citation or "").strip():
            problems.add(file, f"{where}.scoring.{param}.citation", None,
                         "a citation (document, clause, where its text was read) for a reference marked verified")
    if spec.method == "linear" and spec.floor and spec.reference and spec.floor.value == spec.reference.value:
        problems.add(file, f"{where}.scoring", spec.floor.value, "floor and reference must differ")
    if spec.method == "capped_ratio" and spec.reference and spec.reference.value <= 0:
        problems.add(file, f"{where}.scoring.reference.value", spec.reference.value, "a positive reference")
    if spec.method == "decoupling" and spec.driver:
        _check_formula(catalog, file, f"{where}.scoring.driver.formula", spec.driver.formula, problems)
    if spec.method == "tiered" and spec.levels:
        ids = [lv.id for lv in spec.levels]
        if len(ids) != len(set(ids)):
            problems.add(file, f"{where}.scoring.levels", ids, "distinct level ids")


def _weight_warnings(catalog: Catalog) -> list[str]:
    warnings = []
    for level in catalog.target_levels:
        total = sum(i.weight for i in catalog.indicators if i.target_level == level.name)
        if abs(total - level.weight) > 1e-9:
            warnings.append(f"目录 {catalog.id}：目标层“{level.name}”声明权重 {level.weight:g}，"
                            f"其三级指标权重之和为 {total:.4g}；按指标权重计算，该层满分 {total * 100:.4g} 分。")
    grand = sum(i.weight for i in catalog.indicators)
    if abs(grand - 1) > 1e-9:
        warnings.append(f"目录 {catalog.id}：全部指标权重之和为 {grand:.4g}（不是1），基础指数满分为 {grand * 100:.4g} 分。")
    return warnings
