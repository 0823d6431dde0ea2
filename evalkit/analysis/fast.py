"""The numbers-only engine: the standard's scoring and aggregation as numpy arrays, without traces.

A park-window splits into
- its *structure* (`Structure`): which indicator-years are not applicable, missing, a rubric level or a
  formula (and which of the indicator's formula variants), the years, the gate and the overall
  evaluation's years — decided exactly as the traced engine decides them, from the traced engine's
  own variables (`evalkit.evaluation.variables.build_variables`);
- its *numbers* (`Rows`): input values per (symbol, year), published weights, references and floors,
  rubric-level and missing-data scores, bonus claimed — each an array over rows. A row is a park, or
  one Monte Carlo sample of a park.

`evaluate_rows` then computes yearly indices, level points, the rounded index, the 50 % rule, the
overall verdict and the grade for all rows at once. Formulas are compiled from the catalog's formula
language (`evalkit.catalog.formulas`) into numpy; scoring methods have a vectorised twin here for
each method of `evalkit.catalog.scoring.METHODS`. tests/test_analysis_fast.py proves the result
equal to the traced engine's (1e-9) on every demo park and on random parks.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from evalkit import carbon
from evalkit.catalog import Catalog
from evalkit.catalog.formulas import Formula, Symbol
from evalkit.evaluation.gate import check_gate
from evalkit.intake.consistency import check_consistency
from evalkit.evaluation.scores import with_overrides
from evalkit.evaluation.variables import build_variables
from evalkit.intake import LoadedPark
from evalkit.intake.checks import check_and_account, overall_base_year, years_used

Vector = np.ndarray
VectorLookup = Callable[[Symbol], Vector]


# --- formulas: the catalog's formula language compiled to numpy ---------------------------------

_NUMPY_OPERATORS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}


@lru_cache(maxsize=1024)
def vectorised(text: str) -> Callable[[VectorLookup], Vector]:
    """The formula `text` (already checked by the catalog's grammar) as a function of array inputs.
    Same tree, same operation order as the traced evaluation, so the values are bit-identical."""
    return _compile(Formula.parse(text).tree)


def _compile(node: ast.expr) -> Callable[[VectorLookup], Vector]:
    if isinstance(node, ast.Constant):
        constant = float(node.value)
        return lambda lookup: constant  # type: ignore[return-value]
    if isinstance(node, ast.Name):
        symbol = Symbol(node.id, 0)
        return lambda lookup: lookup(symbol)
    if isinstance(node, ast.Call):
        symbol = Symbol(node.args[0].id, 1)  # type: ignore[attr-defined]
        return lambda lookup: lookup(symbol)
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand)
        return (lambda lookup: -operand(lookup)) if isinstance(node.op, ast.USub) else operand
    assert isinstance(node, ast.BinOp)
    left, right, operation = _compile(node.left), _compile(node.right), _NUMPY_OPERATORS[type(node.op)]
    return lambda lookup: operation(left(lookup), right(lookup))


# --- scoring methods, vectorised twins of evalkit.catalog.scoring.METHODS ----------------------

def _capped_ratio(x, reference, floor, positive, driver):
    if positive:
        return np.clip(x / reference, 0.0, 1.0)
    return np.where(x <= 0, 1.0, np.clip(reference / np.where(x <= 0, 1.0, x), 0.0, 1.0))


def _linear(x, reference, floor, positive, driver):
    return np.clip((x - floor) / (reference - floor), 0.0, 1.0)


def _decoupling(x, reference, floor, positive, driver):
    partial = (driver > 0) & (x < driver)
    safe = np.where(partial, driver, 1.0)
    return np.where(x <= 0, 1.0, np.where(partial, 1 - x / safe, 0.0))


VECTOR_METHODS = {"capped_ratio": _capped_ratio, "linear": _linear, "decoupling": _decoupling}
LEVEL_METHODS = {"tiered"}  # scored by the assessor's choice of level: a number per row, no formula


# --- structure and numbers of a park-window ----------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """How one indicator is scored in one year."""

    kind: str  # "not_applicable" | "missing" | "level" | "formula"
    variant: int = -1  # index into Indicator.variants() for "formula"


@dataclass(frozen=True)
class Structure:
    """Everything about a park-window that is not a number (hashable: parks that share it stack)."""

    catalog_sha256: str
    years: tuple[int, ...]
    index_years: tuple[int, ...]
    cells: tuple[tuple[Cell, ...], ...]  # [year][indicator in catalog order]
    gate_passed: bool    # the indicators are evaluated (gate passed, or deferred pending evidence)
    gate_deferred: bool  # basic requirements pending evidence: no grade (评价暂缓), "deferred"
    base_year: int
    target_year: int
    strict: bool


@dataclass
class Rows:
    """The numbers of `n` rows (parks or samples) sharing one Structure; every array has n rows."""

    n: int
    values: dict[tuple[str, int], Vector]            # (symbol, year) → value in the catalog's unit
    weights: Vector                                   # (n, indicators): published weights
    references: dict[tuple[str, int], Vector]        # (code, variant) → reference (overrides applied)
    floors: dict[tuple[str, int], Vector]            # (code, variant) → floor
    cell_scores: dict[tuple[str, int], Vector]       # (code, year) → score of a level or missing cell
    bonus_approved: Vector                            # (n, years): only approved (核定) points count

    def repeat(self, n: int) -> Rows:
        """n copies of a one-row Rows (the starting point of a Monte Carlo run)."""
        assert self.n == 1
        def tile(a: Vector) -> Vector:
            return np.repeat(a, n, axis=0)
        return Rows(n, {k: tile(v) for k, v in self.values.items()}, tile(self.weights),
                    {k: tile(v) for k, v in self.references.items()}, {k: tile(v) for k, v in self.floors.items()},
                    {k: tile(v) for k, v in self.cell_scores.items()}, tile(self.bonus_approved))


def stack(rows: list[Rows]) -> Rows:
    """Rows of several parks with one Structure, one after the other."""
    def cat(key_rows: list[dict]) -> dict:
        return {k: np.concatenate([r[k] for r in key_rows]) for k in key_rows[0]}
    return Rows(sum(r.n for r in rows), cat([r.values for r in rows]),
                np.concatenate([r.weights for r in rows]), cat([r.references for r in rows]),
                cat([r.floors for r in rows]), cat([r.cell_scores for r in rows]),
                np.concatenate([r.bonus_approved for r in rows]))


@dataclass
class Prepared:
    """A park-window ready for the numbers-only engine (one row)."""

    park: str
    catalog: Catalog
    structure: Structure
    rows: Rows
    # Each datum's scope (measured, derived, estimated, proxy) where known: the park file's own `scope`
    # of a series or year when it has one, "derived" for what the carbon accounting computed.
    scopes: dict[tuple[str, int], str] = field(default_factory=dict)


def prepare(park: LoadedPark, catalog: Catalog, window: list[int], *, factors: carbon.FactorTable | None = None,
            strict: bool | None = None, base_year: int | None = None) -> Prepared:
    """Check the park as the traced engine does, build its variables with the traced engine's code,
    and decide each indicator-year's cell by the traced engine's rules (evaluation.scores)."""
    factors = factors or carbon.load_factors()
    problems, accounts = check_and_account(park, catalog, window, factors, base_year)
    problems.raise_if_errors()
    variables = build_variables(park, catalog, years_used(park, window, base_year), factors, accounts)
    data = park.input
    present = set(variables.values)

    def has(symbols: list[Symbol], year: int) -> bool:
        return all((s.name, year - s.lag) in present for s in symbols)

    cells, cell_scores = [], {}
    for year in window:
        row = []
        for ind in catalog.indicators:
            na = data.not_applicable.get(ind.code)
            if na is not None and na.covers(year):
                row.append(Cell("not_applicable"))
            elif ind.kind == "qualitative":
                choice = data.qualitative.get(ind.code, {}).get(year)
                if choice is None:
                    row.append(Cell("missing"))
                else:
                    level = next(lv for lv in ind.scoring.levels or [] if lv.id == choice.level)
                    row.append(Cell("level"))
                    cell_scores[(ind.code, year)] = np.array([level.score])
            else:
                chosen = next((n for n, v in enumerate(ind.variants()) if has(v.parsed.symbols(), year)), None)
                if chosen is None:
                    row.append(Cell("missing"))
                    continue
                driver = with_overrides(ind.variants()[chosen].scoring, data, ind.code).driver
                if driver is not None and not has(Formula.parse(driver.formula).symbols(), year):
                    row.append(Cell("missing"))
                else:
                    row.append(Cell("formula", chosen))
        cells.append(tuple(row))
    for (year, row) in zip(window, cells):
        for ind, cell in zip(catalog.indicators, row):
            if cell.kind == "missing":
                cell_scores[(ind.code, year)] = np.zeros(1)

    references, floors = {}, {}
    for ind in catalog.indicators:
        for n, variant in enumerate(ind.variants()):
            spec = with_overrides(variant.scoring, data, ind.code)
            if spec.reference is not None:
                references[(ind.code, n)] = np.array([spec.reference.value])
            if spec.floor is not None:
                floors[(ind.code, n)] = np.array([spec.floor.value])

    gate = check_gate(park, catalog, check_consistency(park, catalog, window))
    structure = Structure(
        catalog_sha256=catalog.sha256, years=tuple(window),
        index_years=tuple(window[-catalog.grading.window_years:]), cells=tuple(cells),
        gate_passed=gate.outcome != "failed", gate_deferred=gate.outcome == "deferred",
        base_year=overall_base_year(park, window, base_year), target_year=window[-1],
        strict=data.strict_overall if strict is None else strict)
    rows = Rows(
        n=1, values={key: np.array([q.value]) for key, q in variables.values.items()},
        weights=np.array([[ind.weight for ind in catalog.indicators]]), references=references, floors=floors,
        cell_scores=cell_scores,
        bonus_approved=np.array([[float(sum(item.approved_points or 0.0 for item in data.bonus.get(y, [])))
                                  for y in window]]))
    scopes = {}
    for key, quantity in variables.values.items():
        scope = getattr(quantity, "scope", None)
        if catalog.inputs[key[0]].carbon and scope in (None, "measured"):
            scope = "derived"  # computed by the carbon accounting from energy data
        if scope is not None:
            scopes[key] = scope
    return Prepared(park.id, catalog, structure, rows, scopes)


# --- the computation ---------------------------------------------------------------------------

@dataclass
class FastResult:
    """Per row: what the traced Result holds as numbers (NaN where the gate failed)."""

    years: tuple[int, ...]
    index_years: tuple[int, ...]
    levels: tuple[str, ...]
    codes: tuple[str, ...]
    points: Vector          # (n, years, indicators)
    level_points: Vector    # (n, years, levels)
    yearly: Vector          # (n, years): yearly index with bonus
    index_unrounded: Vector  # (n,)
    index: Vector           # (n,) rounded as the standard's figure
    level_means: Vector     # (n, levels)
    rule_passed: Vector     # (n,) bool
    overall_positive: Vector  # (n,) bool
    coverage_sufficient: Vector  # (n,) bool
    grade: Vector           # (n,) str: AAA, AA, A, none, not_rated


@dataclass(frozen=True)
class _CompiledCatalog:
    codes: tuple[str, ...]
    levels: tuple[str, ...]
    members: tuple[Vector, ...]   # indicator positions of each target level
    level_max: Vector


def _compiled(catalog: Catalog) -> _CompiledCatalog:
    levels = tuple(t.name for t in catalog.target_levels)
    return _CompiledCatalog(
        codes=tuple(catalog.codes), levels=levels,
        members=tuple(np.array([n for n, i in enumerate(catalog.indicators) if i.target_level == name])
                      for name in levels),
        level_max=np.array([catalog.level_max_points(name) for name in levels]))


def applied_weights(weights: Vector, excluded: Vector, members: tuple[Vector, ...]) -> Vector:
    """Vectorised `evaluation.scores.applied_weights`: not-applicable weight spread pro rata within
    its target level. weights (n, indicators); excluded (indicators,) bool."""
    applied = np.zeros_like(weights)
    for idx in members:
        level_w = weights[:, idx]
        total = level_w.sum(axis=1, keepdims=True)
        kept_mask = ~excluded[idx]
        kept = level_w[:, kept_mask].sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = np.where((kept != 0) & kept_mask, level_w * total / np.where(kept == 0, 1.0, kept), 0.0)
        applied[:, idx] = spread
    return applied


def round_half_up(x: Vector, decimals: int) -> Vector:
    """Vectorised `evaluation.index.round_half_up` for non-negative figures: strip binary noise at
    9 decimals, then round half up."""
    scale = 10.0 ** decimals
    cleaned = np.round(np.round(x, 9) * scale, 9 - decimals)
    return np.floor(cleaned + 0.5) / scale


def evaluate_rows(catalog: Catalog, structure: Structure, rows: Rows, *,
                  value_scale: dict[str, Vector] | None = None) -> FastResult:
    """All rows at once. `value_scale` (code → factor per row) multiplies an indicator's computed
    value before scoring: the what-if "this indicator 10 % better or worse"."""
    if structure.catalog_sha256 != catalog.sha256:
        raise ValueError("structure was prepared with another catalog")
    cc = _compiled(catalog)
    n, years = rows.n, structure.years
    points = np.zeros((n, len(years), len(cc.codes)))
    if structure.gate_passed:
        for y, year in enumerate(years):
            cells = structure.cells[y]
            excluded = np.array([c.kind == "not_applicable" for c in cells])
            weights = applied_weights(rows.weights, excluded, cc.members)
            scores = np.zeros((n, len(cc.codes)))
            lookup = _lookup(rows.values, year)
            for i, (ind, cell) in enumerate(zip(catalog.indicators, cells)):
                if cell.kind in ("level", "missing"):
                    scores[:, i] = rows.cell_scores[(ind.code, year)]
                elif cell.kind == "formula":
                    scale = value_scale.get(ind.code) if value_scale else None
                    scores[:, i] = _score(ind, cell.variant, rows, lookup, scale)
            points[:, y, :] = scores * weights * 100
    level_points = np.stack([points[:, :, idx].sum(axis=2) for idx in cc.members], axis=2)
    bonus = np.minimum(rows.bonus_approved, catalog.grading.bonus_cap_points)
    yearly = level_points.sum(axis=2) + bonus
    positions = [years.index(y) for y in structure.index_years]
    mean = yearly[:, positions].sum(axis=1) / len(positions)
    level_means = level_points[:, positions, :].sum(axis=1) / len(positions)
    rule = (level_means >= cc.level_max * catalog.grading.level_floor_share - 1e-9).all(axis=1)
    index = round_half_up(mean, catalog.grading.index_decimals)
    positive, negative = _overall_verdicts(catalog, structure, rows)
    covered = _coverage_sufficient(catalog, structure, rows, cc)
    grade = _grade(catalog, index, rule, positive & covered, structure.gate_deferred, negative)
    if not structure.gate_passed:
        nan = np.full(n, np.nan)
        mean, index, yearly = nan, nan, np.full_like(yearly, np.nan)
        level_means = np.full_like(level_means, np.nan)
        grade = np.full(n, "not_rated", dtype=object)
    return FastResult(years, structure.index_years, cc.levels, cc.codes, points, level_points, yearly, mean,
                      index, level_means, rule, positive, covered, grade)


def _lookup(values: dict[tuple[str, int], Vector], year: int) -> VectorLookup:
    return lambda s: values[(s.name, year - s.lag)]


def _score(ind, variant_index: int, rows: Rows, lookup: VectorLookup, scale: Vector | None) -> Vector:
    variant = ind.variants()[variant_index]
    spec = variant.scoring
    with np.errstate(divide="ignore", invalid="ignore"):
        x = vectorised(variant.formula)(lookup)
        if scale is not None:
            x = x * scale
        driver = vectorised(spec.driver.formula)(lookup) if spec.driver is not None else None
        key = (ind.code, variant_index)
        return VECTOR_METHODS[spec.method](x, rows.references.get(key), rows.floors.get(key),
                                           (ind.direction or "positive") == "positive", driver)


def _overall_verdicts(catalog: Catalog, structure: Structure, rows: Rows) -> tuple[Vector, Vector]:
    """Vectorised `evaluation.overall`: (positive, negative). Positive when every judged rate improved
    (a missing rate is not positive); negative when a measured rate did not improve."""
    spec = catalog.overall
    base, target = structure.base_year, structure.target_year
    values = rows.values

    def reduction(symbols: list[str]) -> Vector | None:
        keys = [(s, y) for y in (base, target) for s in [*symbols, spec.value_added]]
        if any(k not in values for k in keys):
            return None
        ib = sum(values[(s, base)] for s in symbols) / values[(spec.value_added, base)]
        it = sum(values[(s, target)] for s in symbols) / values[(spec.value_added, target)]
        return (it < ib) | ((ib == 0) & (it == 0))

    def growth() -> Vector | None:
        formula = Formula.parse(spec.efficiency.formula)
        if any((s.name, y - s.lag) not in values for y in (base, target) for s in formula.symbols()):
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            eb = vectorised(spec.efficiency.formula)(_lookup(values, base))
            et = vectorised(spec.efficiency.formula)(_lookup(values, target))
        return et > eb

    judged = [reduction([spec.carbon]), growth(),
              *(reduction([p.symbol for p in spec.pollutants if p.class_ == key]) for key in spec.classes)]
    if structure.strict:
        judged += [reduction([p.symbol]) for p in spec.pollutants]
    positive = np.ones(rows.n, dtype=bool)
    negative = np.zeros(rows.n, dtype=bool)
    for improved in judged:
        positive &= np.zeros(rows.n, dtype=bool) if improved is None else improved
        if improved is not None:
            negative |= ~improved
    return positive, negative


def _coverage_sufficient(catalog: Catalog, structure: Structure, rows: Rows, cc: _CompiledCatalog) -> Vector:
    """Vectorised `evaluation.coverage`: the share of the applicable (applied) weight with real data,
    per index year and per target level over the index years, at least the catalog's minimum."""
    minimum = catalog.coverage.min_share
    positions = [structure.years.index(y) for y in structure.index_years]
    covered = np.zeros((rows.n, len(positions), len(cc.levels)))
    applicable = np.zeros_like(covered)
    for p, y in enumerate(positions):
        cells = structure.cells[y]
        excluded = np.array([c.kind == "not_applicable" for c in cells])
        real = np.array([c.kind in ("formula", "level") for c in cells])
        weights = applied_weights(rows.weights, excluded, cc.members)
        for level, idx in enumerate(cc.members):
            covered[:, p, level] = (weights[:, idx] * real[idx]).sum(axis=1)
            applicable[:, p, level] = (weights[:, idx] * ~excluded[idx]).sum(axis=1)

    def enough(cov: Vector, app: Vector) -> Vector:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (app == 0) | (cov / np.where(app == 0, 1.0, app) >= minimum - 1e-9)

    by_year = enough(covered.sum(axis=2), applicable.sum(axis=2)).all(axis=1)
    by_level = enough(covered.sum(axis=1), applicable.sum(axis=1)).all(axis=1)
    return by_year & by_level


def _grade(catalog: Catalog, index: Vector, rule: Vector, unblocked: Vector, deferred: bool,
           negative: Vector) -> Vector:
    """The band of the rounded index, capped by the 50 % rule; no grade while something blocks it:
    "deferred" while the gate is pending and the overall evaluation is not measured negative, else
    "not_rated" (evaluation.grade)."""
    grading = catalog.grading
    bands = sorted(grading.bands, key=lambda b: b.min, reverse=True)
    grade = np.full(index.shape, "none", dtype=object)
    band_min = np.full(index.shape, -np.inf)
    assigned = np.zeros(index.shape, dtype=bool)
    for band in bands:
        hit = ~assigned & (index >= band.min)
        grade[hit], band_min[hit] = band.grade, band.min
        assigned |= hit
    capped_min = next(b.min for b in bands if b.grade == grading.capped_grade)
    grade[(band_min > capped_min) & ~rule] = grading.capped_grade
    grade[~unblocked] = "not_rated"
    if deferred:
        grade[~negative] = "deferred"
    return grade


def evaluate_prepared(prepared: Prepared, rows: Rows | None = None) -> FastResult:
    return evaluate_rows(prepared.catalog, prepared.structure, rows or prepared.rows)
