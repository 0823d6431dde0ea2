"""The assessor's free text (park file `report:` — conclusion, recommendations, scope notes) checked
against the computed result: what can be checked without reading meaning, which is the numbers and the
grade words. The text is still printed literally; a finding adds a marked notice beside it in the
report and a warning in the CLI. Which fields, cue words and grade words: data/narrative_checks.yaml.

Also: a conclusion left empty while the evaluation found something that "须在评价结论中说明"
(a violated consistency check) is a finding of its own, naming what the conclusion must address.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from evalkit.catalog import Catalog
from evalkit.core.yamlio import read_yaml
from evalkit.evaluation.index import round_half_up
from evalkit.evaluation.results import NarrativeFinding, Result
from evalkit.intake.consistency import ConsistencyFinding
from evalkit.intake.models import ReportInfo

CHECKS_FILE = Path(__file__).parent / "data" / "narrative_checks.yaml"
NUMBER = r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])"


class CheckedField(BaseModel):
    path: str
    label_zh: str


class NarrativeChecks(BaseModel):
    fields: list[CheckedField]
    index_words: list[str]
    other_indices_after: list[str]
    joiners: list[str]
    points_unit: str
    standard_points: list[float]
    not_points_after: list[str]
    grades: dict[str, str]
    grade_not_claimed_with: list[str]

    def index_pattern(self) -> re.Pattern[str]:
        words = "|".join(map(re.escape, sorted(self.index_words, key=len, reverse=True)))
        joiners = "|".join(map(re.escape, sorted(self.joiners, key=len, reverse=True)))
        others = "".join(f"(?<!{re.escape(w)})" for w in self.other_indices_after)
        # "指数2021年为…" names a year, not a value: a number followed by 年 is not a claim.
        return re.compile(rf"{others}(?:{words})\s*(?:{joiners})?\s*{NUMBER}(?!\s*年)")

    def points_pattern(self) -> re.Pattern[str]:
        other_words = "".join(map(re.escape, self.not_points_after))
        return re.compile(rf"{NUMBER}\s*{re.escape(self.points_unit)}(?![{other_words}])")

    def grade_pattern(self) -> re.Pattern[str]:
        def word(w: str) -> str:  # "AA级" is also written "AA 级"; "AAA级" must not read as "AA级"
            latin = re.match(r"[A-Za-z]+", w)
            return (rf"(?<![A-Za-z]){re.escape(latin.group())}\s*{re.escape(w[latin.end():])}" if latin
                    else re.escape(w))
        return re.compile("|".join(f"({word(w)})" for w in self.grades))


@lru_cache(maxsize=4)
def load_checks(path: Path = CHECKS_FILE) -> NarrativeChecks:
    return NarrativeChecks.model_validate(read_yaml(path))


def consistency_line(f: ConsistencyFinding) -> str:
    """A violated consistency check in one line (CLI warning, and what a conclusion must address)."""
    value = "—" if f.value is None else f"{f.value:.4g}"
    return f"{f.year}年 {f.answer_zh}，但 {f.trace.formula_zh} = {value} {f.trace.unit}（应为 {f.expected_zh}）"


def check_narrative(report: ReportInfo, result: Result, catalog: Catalog,
                    checks: NarrativeChecks | None = None) -> list[NarrativeFinding]:
    checks = checks or load_checks()
    reference = _Reference(result, catalog, checks)
    findings = [finding for spec in checks.fields for field, text in _texts(report, spec.path)
                for finding in reference.check(text, f"report.{field}", spec.label_zh)]
    violated = [f for f in result.consistency if f.status == "violated"]
    if not (report.conclusion or "").strip() and violated:
        findings.append(NarrativeFinding(
            field="report.conclusion", label_zh="评价结论", kind="missing",
            text_zh=f"评价结论未填写；作答与数据的一致性核对发现 {len(violated)} 项不一致，须在评价结论中说明",
            must_address=[consistency_line(f) for f in violated]))
    return findings


def _texts(report: ReportInfo, path: str) -> list[tuple[str, str]]:
    """(field path, text) of every text under `path`; a list gives one per item."""
    value: Any = report
    for part in path.split("."):
        value = getattr(value, part, None)
    if isinstance(value, list):
        return [(f"{path}[{i}]", str(item)) for i, item in enumerate(value, 1) if item]
    return [(path, str(value))] if value else []


class _Reference:
    """The computed figures a text may cite, at the precision the report shows them."""

    def __init__(self, result: Result, catalog: Catalog, checks: NarrativeChecks):
        self.checks, self.result = checks, result
        self.decimals = catalog.grading.index_decimals
        years = [y for y in result.index_years if y in result.yearly]
        self.yearly = {y: self.round(result.yearly[y].index) for y in years}
        self.indices = {self.round(v) for v in [result.index, *self.yearly.values()] if v is not None}
        dep = result.bonus_dependence
        if dep is not None:  # "不计加分的指数"
            self.indices.add(self.round(dep.index_without_bonus))
            self.indices.update(self.round(result.yearly[y].base_points) for y in years)
        points = [*self.indices, *checks.standard_points, *(band.min for band in catalog.grading.bands),
                  catalog.grading.bonus_cap_points,
                  *result.target_level_means.values()]
        for y in years:
            yr = result.yearly[y]
            points += [yr.bonus, yr.bonus_claimed, yr.bonus_approved, *yr.target_levels.values(),
                       *yr.target_level_max.values(), sum(yr.target_level_max.values()),
                       *(x for i in yr.indicators for x in (i.points, i.max_points))]
        points += [x for m in result.first_level_means for x in (m.mean_points, m.max_points)]
        points += [x for p in result.points_lost for x in (p.mean_lost, p.max_points)]
        if result.fifty_percent_rule is not None:
            points += [x for c in result.fifty_percent_rule.levels.values()
                       for x in (c.mean_points, c.max_points, c.floor_points)]
        self.points = {self.round(p) for p in points}
        self.grade_words = {code: word for word, code in reversed(list(checks.grades.items()))}

    def round(self, x: float) -> Decimal:
        return Decimal(repr(round_half_up(float(x), self.decimals)))

    def shown(self, x: float | None) -> str:
        return "—" if x is None else f"{round_half_up(x, self.decimals):.{self.decimals}f}"

    def check(self, text: str, field: str, label: str) -> list[NarrativeFinding]:
        found: list[NarrativeFinding] = []
        index_spans = []
        for m in self.checks.index_pattern().finditer(text):
            index_spans.append(m.span(1))
            if self.round(float(m.group(1))) not in self.indices:
                found.append(self._index_finding(m.group(1), field, label))
        for m in self.checks.points_pattern().finditer(text):
            if m.span(1) in index_spans or self.round(float(m.group(1))) in self.points:
                continue
            found.append(NarrativeFinding(
                field=field, label_zh=label, kind="points", claimed=f"{m.group(1)}分",
                computed=self.shown(self.result.index),
                text_zh=f"{label}文字中的“{m.group(1)}分”与计算的绩效指数 {self.shown(self.result.index)} 及各年指数"
                        f"均不一致，也不是本次评价计算出的其他分值（指标、目标层、加分或等级门槛）"))
        found += self._grade_findings(text, field, label)
        return found

    def _index_finding(self, claimed: str, field: str, label: str) -> NarrativeFinding:
        index = self.result.index
        if index is None:
            text = f"{label}文字中的绩效指数 {claimed}，但本次评价未得出绩效指数"
        else:
            text = f"{label}文字中的绩效指数 {claimed} 与计算结果 {self.shown(index)} 不一致"
            if self.yearly:
                text += "（各年指数：" + "、".join(f"{y}年 {self.shown(float(v))}" for y, v in self.yearly.items()) + "）"
        return NarrativeFinding(field=field, label_zh=label, kind="index", claimed=claimed,
                                computed=None if index is None else self.shown(index), text_zh=text)

    def _grade_findings(self, text: str, field: str, label: str) -> list[NarrativeFinding]:
        words = list(self.checks.grades)
        accepted = {self.result.grade, self.result.provisional_grade}
        computed = self.grade_words.get(self.result.grade, self.result.grade)
        found = []
        for m in self.checks.grade_pattern().finditer(text):
            word = words[m.lastindex - 1]
            if self.checks.grades[word] in accepted or self._not_a_claim(text, m.start(), m.end()):
                continue
            found.append(NarrativeFinding(
                field=field, label_zh=label, kind="grade", claimed=m.group(), computed=computed,
                text_zh=f"{label}文字中的等级“{m.group()}”与计算结果“{computed}”不一致"))
        return found

    def _not_a_claim(self, text: str, start: int, end: int) -> bool:
        """The clause around a grade word says it is not the grade reached (不能评为AA级及以上 …)."""
        clause_start = max(text.rfind(sep, 0, start) for sep in "，。；,;") + 1
        ends = [i for i in (text.find(sep, end) for sep in "，。；,;") if i >= 0]
        clause = text[clause_start:min(ends) if ends else len(text)]
        return any(word in clause for word in self.checks.grade_not_claimed_with)
