"""Global sensitivity: which inputs and weights drive the index.

- Sobol indices (SALib, Saltelli/Jansen estimators): first-order S1 (share of the index's variance
  due to one factor alone) and total ST (including its interactions), over the factors of the
  uncertainty analysis taken per series (one data factor per input symbol for all years, one weight
  and one reference factor per indicator, one missing-data factor per indicator).
- One-at-a-time removal of each indicator, as COINr offers: the indicator taken out (its weight spread
  over its target level, as for a not-applicable indicator) and the index, grade and — for several
  parks — rank recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


from evalkit.analysis.fast import Cell, Prepared, evaluate_prepared, evaluate_rows
from evalkit.analysis.uncertainty import KINDS, Bands, factors, load_bands, rows_for

DEFAULT_BASE_SAMPLES = 256


@dataclass(frozen=True)
class SobolIndex:
    label: str
    kind: str
    s1: float
    st: float
    st_conf: float


@dataclass
class Sobol:
    base_samples: int
    evaluations: int
    seed: int
    indices: list[SobolIndex]   # largest total effect first

    def as_json(self, top: int | None = None) -> dict:
        return {"base_samples": self.base_samples, "evaluations": self.evaluations, "seed": self.seed,
                "estimator": "SALib sobol (Saltelli sampling, first-order and total indices)",
                "indices": [vars(i) for i in self.indices[:top]]}


def sobol(prepared: Prepared, *, base_samples: int = DEFAULT_BASE_SAMPLES, seed: int = 20_231,
          bands: Bands | None = None) -> Sobol | None:
    """Sobol indices of the unrounded index; None when the park was not evaluated (gate failed) or
    nothing is uncertain."""
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    if not prepared.structure.gate_passed:
        return None
    bands = bands or load_bands()
    chosen = factors(prepared, bands, KINDS, per_series=True)
    if not chosen:  # every band zero: nothing varies
        return None
    problem = {"num_vars": len(chosen), "names": [f.label for f in chosen], "bounds": [[0.0, 1.0]] * len(chosen)}
    unit = sample.sample(problem, base_samples, calc_second_order=False, seed=seed)
    result = evaluate_rows(prepared.catalog, prepared.structure, rows_for(prepared, chosen, unit))
    found = analyze.analyze(problem, result.index_unrounded, calc_second_order=False, seed=seed,
                            print_to_console=False)
    indices = [SobolIndex(f.label, f.kind, float(s1), float(st), float(conf))
               for f, s1, st, conf in zip(chosen, found["S1"], found["ST"], found["ST_conf"])]
    return Sobol(base_samples, len(unit), seed, sorted(indices, key=lambda i: -i.st))


@dataclass(frozen=True)
class Removal:
    code: str
    name_zh: str
    index: dict[str, float]     # park → index without the indicator
    grade: dict[str, str]
    rank: dict[str, int]        # park → rank among the parks (1 = highest index) without the indicator


@dataclass
class RemovalAnalysis:
    parks: list[str]
    index: dict[str, float]
    grade: dict[str, str]
    rank: dict[str, int]
    removals: list[Removal]     # largest index change of any park first

    def as_json(self) -> dict:
        return {"parks": self.parks, "index": self.index, "grade": self.grade, "rank": self.rank,
                "removals": [vars(r) for r in self.removals]}


def _ranks(index: dict[str, float]) -> dict[str, int]:
    order = sorted(index, key=lambda p: -index[p])
    return {park: order.index(park) + 1 for park in index}


def removal(prepared: list[Prepared]) -> RemovalAnalysis:
    """Each indicator removed in turn from every evaluated park (same catalog)."""
    evaluated = [p for p in prepared if p.structure.gate_passed]
    catalog = evaluated[0].catalog if evaluated else None
    nominal = {p.park: evaluate_prepared(p) for p in evaluated}
    index = {park: float(r.index[0]) for park, r in nominal.items()}
    grade = {park: str(r.grade[0]) for park, r in nominal.items()}
    removals = []
    for i, ind in enumerate(catalog.indicators if catalog else []):
        changed_index, changed_grade = {}, {}
        for p in evaluated:
            cells = tuple(row[:i] + (Cell("not_applicable"),) + row[i + 1:] for row in p.structure.cells)
            result = evaluate_rows(p.catalog, replace(p.structure, cells=cells), p.rows)
            changed_index[p.park], changed_grade[p.park] = float(result.index[0]), str(result.grade[0])
        removals.append(Removal(ind.code, ind.name_zh, changed_index, changed_grade, _ranks(changed_index)))
    removals.sort(key=lambda r: -max(abs(r.index[p] - index[p]) for p in index))
    return RemovalAnalysis(list(index), index, grade, _ranks(index), removals)
