"""What a grade rests on: distance to the neighbouring bands, the grade without the bonus, without
each not-applicable declaration and without each reference override (each a full traced evaluation of
the park without that item), and the single indicators whose change by one rubric level or by 10 %
would change the grade (numbers-only engine: one batch of what-ifs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evalkit import carbon
from evalkit.analysis.fast import Prepared, evaluate_rows
from evalkit.catalog import Catalog
from evalkit.evaluation import evaluate
from evalkit.evaluation.results import Result
from evalkit.intake import LoadedPark

VALUE_CHANGE = 0.10


@dataclass(frozen=True)
class Band:
    grade: str
    min: float
    distance: float  # points the index must gain (band above) or may lose before it drops (band below)


@dataclass(frozen=True)
class Scenario:
    """The park evaluated (traced) without one item it relies on."""

    kind: str        # bonus | not_applicable | override
    code: str | None
    label_zh: str
    index: float | None
    grade: str


@dataclass(frozen=True)
class Swing:
    """One indicator changed in every year of the index (numbers-only engine)."""

    code: str
    name_zh: str
    change: str      # level_up | level_down | value_up | value_down | missing_full
    index: float
    grade: str


CHANGE_ZH = {"level_up": "评分档次上调一档", "level_down": "评分档次下调一档",
             "value_up": f"指标值增加{VALUE_CHANGE:.0%}", "value_down": f"指标值减少{VALUE_CHANGE:.0%}",
             "missing_full": "缺失数据补齐并得满分"}


@dataclass
class Margins:
    index: float | None
    grade: str
    above: Band | None
    below: Band | None
    scenarios: list[Scenario] = field(default_factory=list)
    swings: list[Swing] = field(default_factory=list)   # every indicator change tried, largest effect first

    def grade_changers(self) -> list[Swing]:
        return [s for s in self.swings if s.grade != self.grade]

    def as_json(self) -> dict:
        return {"index": self.index, "grade": self.grade,
                "band_above": self.above and vars(self.above), "band_below": self.below and vars(self.below),
                "scenarios": [vars(s) for s in self.scenarios],
                "grade_changing_indicators": [vars(s) for s in self.grade_changers()]}


def bands_around(catalog: Catalog, index: float | None) -> tuple[Band | None, Band | None]:
    if index is None:
        return None, None
    bands = sorted(catalog.grading.bands, key=lambda b: b.min)
    above = next((b for b in bands if b.min > index), None)
    below = next((b for b in reversed(bands) if b.min <= index), None)
    return (Band(above.grade, above.min, round(above.min - index, 9)) if above else None,
            Band(below.grade, below.min, round(index - below.min, 9)) if below else None)


def margins(park: LoadedPark, catalog: Catalog, window: list[int], result: Result, prepared: Prepared, *,
            factors: carbon.FactorTable | None = None, strict: bool | None = None,
            base_year: int | None = None) -> Margins:
    above, below = bands_around(catalog, result.index)
    found = Margins(result.index, result.grade, above, below)
    if result.index is None:
        return found

    def without(kind: str, code: str | None, label: str, **update) -> None:
        changed = LoadedPark(id=park.id, path=park.path, input=park.input.model_copy(update=update))
        other = evaluate(changed, catalog, window, factors=factors, strict=strict, base_year=base_year)
        found.scenarios.append(Scenario(kind, code, label, other.index, other.grade))

    data = park.input
    if any(items for year, items in data.bonus.items() if year in result.index_years):
        without("bonus", None, "不计加分项", bonus={})
    for code in data.not_applicable:
        rest = {c: na for c, na in data.not_applicable.items() if c != code}
        without("not_applicable", code, "不认可该指标“不适用”声明（按数据计分，无数据记0分）", not_applicable=rest)
    for code in data.reference_overrides:
        rest = {c: o for c, o in data.reference_overrides.items() if c != code}
        without("override", code, "不采用园区替换的参考值（恢复指标目录参考值）", reference_overrides=rest)
    found.swings = swings(prepared, result.index)
    return found


def swings(prepared: Prepared, index: float) -> list[Swing]:
    """Each indicator one rubric level up and down, its value ±10 %, or its missing data at full marks,
    in every year of the index; all what-ifs in one batch of the numbers-only engine."""
    catalog, structure = prepared.catalog, prepared.structure
    positions = [structure.years.index(y) for y in structure.index_years]
    plans: list[tuple[str, str, dict]] = []  # (code, change, {"scores": {(code, year): s}} or {"scale": f})
    for i, ind in enumerate(catalog.indicators):
        cells = [(structure.years[y], structure.cells[y][i]) for y in positions]
        kinds = {cell.kind for _, cell in cells}
        if "formula" in kinds:
            plans += [(ind.code, "value_up", {"scale": 1 + VALUE_CHANGE}),
                      (ind.code, "value_down", {"scale": 1 - VALUE_CHANGE})]
        if "level" in kinds:
            scores = sorted({lv.score for lv in ind.scoring.levels or []})
            for change, step in (("level_up", 1), ("level_down", -1)):
                moved = {}
                for year, cell in cells:
                    if cell.kind == "level":
                        now = float(prepared.rows.cell_scores[(ind.code, year)][0])
                        k = min(max(scores.index(now) + step, 0), len(scores) - 1)
                        moved[(ind.code, year)] = scores[k]
                plans.append((ind.code, change, {"scores": moved}))
        if "missing" in kinds:
            plans.append((ind.code, "missing_full",
                          {"scores": {(ind.code, year): 1.0 for year, cell in cells if cell.kind == "missing"}}))
    if not plans:
        return []
    rows = prepared.rows.repeat(len(plans))
    scale: dict[str, np.ndarray] = {}
    for n, (code, _, plan) in enumerate(plans):
        if "scale" in plan:
            scale.setdefault(code, np.ones(len(plans)))[n] = plan["scale"]
        for key, score in plan.get("scores", {}).items():
            rows.cell_scores[key][n] = score
    result = evaluate_rows(catalog, structure, rows, value_scale=scale)
    names = {i.code: i.name_zh for i in catalog.indicators}
    found = [Swing(code, names[code], change, float(result.index[n]), str(result.grade[n]))
             for n, (code, change, _) in enumerate(plans)]
    return sorted(found, key=lambda s: -abs(s.index - index))
