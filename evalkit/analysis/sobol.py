"""Global sensitivity: which inputs and weights drive the index.

- Sobol indices: first-order S1 (share of the index's variance due to one factor alone) and total ST
  (including its interactions), over the factors of the uncertainty analysis taken per series (one
  data factor per input symbol for all years, one weight and one reference factor per indicator, one
  missing-data factor per indicator). Plain numpy, the estimators of SALib 1.6 `analyze.sobol`
  (calc_second_order=False), proven equal to it in tests/test_analysis_sobol.py; SALib itself would
  cost the report kernel half a second of scipy and pandas imports.
  Design (Saltelli 2002/2010, without the second-order matrices): N base points of a 2k-dimensional
  randomised Halton sequence — Halton's radical inverses in the first 2k primes with an independent
  random permutation of the digits at each digit position (Owen 2017, "A randomized Halton algorithm
  in R", arXiv:1706.02808, Algorithm 1 — what scipy's `qmc.Halton(scramble=True)` does), drawn with
  numpy's `Generator` for the seed — split into A
  (first k columns) and B (last k); then for each factor i the matrix AB_i, A with column i from B.
  The index is evaluated on the N·(k+2) rows A, AB_1 … AB_k, B.
  Estimators on the standardised outputs y = (Y − mean Y) / std Y, as SALib:
  S1_i = mean(y_B · (y_ABi − y_A)) / var(y_A ∪ y_B)        (Saltelli et al. 2010)
  ST_i = ½ · mean((y_A − y_ABi)²) / var(y_A ∪ y_B)          (Jansen 1999)
  confidence ± = z₀.₉₇₅ × standard deviation of the estimate over 100 bootstrap resamples of the N
  base points (resample indices `default_rng(seed).integers(N, size=(N, 100))`, as SALib draws them).
- One-at-a-time removal of each indicator, as COINr offers: the indicator taken out (its weight spread
  over its target level, as for a not-applicable indicator) and the index, grade and — for several
  parks — rank recomputed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np

from evalkit.analysis.fast import Cell, Prepared, evaluate_prepared, evaluate_rows
from evalkit.analysis.uncertainty import KINDS, Bands, factors, load_bands, rows_for

DEFAULT_BASE_SAMPLES = 256
BOOTSTRAP_RESAMPLES = 100
CONFIDENCE_LEVEL = 0.95
ESTIMATOR = ("Saltelli design (A, B and AB_i, N·(k+2) evaluations) on a randomised Halton sequence "
             "(random digit permutations, numpy Generator from the seed); first-order S1 by Saltelli et al. "
             "2010, total ST by Jansen 1999, on the standardised index as SALib 1.6 analyze.sobol; "
             "ST ± = 1.96 × bootstrap standard deviation over 100 resamples of the base points")


@dataclass(frozen=True)
class SobolIndex:
    label: str
    kind: str
    s1: float
    st: float
    st_conf: float
    s1_conf: float


@dataclass
class Sobol:
    base_samples: int
    evaluations: int
    seed: int
    indices: list[SobolIndex]   # largest total effect first

    def as_json(self, top: int | None = None) -> dict:
        return {"base_samples": self.base_samples, "evaluations": self.evaluations, "seed": self.seed,
                "estimator": ESTIMATOR, "indices": [vars(i) for i in self.indices[:top]]}


def sobol(prepared: Prepared, *, base_samples: int = DEFAULT_BASE_SAMPLES, seed: int = 20_231,
          bands: Bands | None = None) -> Sobol | None:
    """Sobol indices of the unrounded index; None when the park was not evaluated (gate failed) or
    nothing is uncertain."""
    if not prepared.structure.gate_passed:
        return None
    bands = bands or load_bands()
    chosen = factors(prepared, bands, KINDS, per_series=True)
    if not chosen:  # every band zero: nothing varies
        return None
    # The design's own stream, independent of the bootstrap's default_rng(seed).
    design_stream = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    unit = saltelli_design(base_samples, len(chosen), design_stream)
    result = evaluate_rows(prepared.catalog, prepared.structure, rows_for(prepared, chosen, unit))
    found = sobol_indices(result.index_unrounded, len(chosen), seed=seed)
    indices = [SobolIndex(f.label, f.kind, float(s1), float(st), float(st_conf), float(s1_conf))
               for f, s1, st, st_conf, s1_conf in zip(chosen, found["S1"], found["ST"], found["ST_conf"],
                                                      found["S1_conf"])]
    return Sobol(base_samples, len(unit), seed, sorted(indices, key=lambda i: -i.st))


def primes(count: int) -> list[int]:
    """The first `count` primes (the Halton bases)."""
    found: list[int] = []
    candidate = 2
    while len(found) < count:
        if all(candidate % p for p in found if p * p <= candidate):
            found.append(candidate)
        candidate += 1
    return found


def randomised_halton(n: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """n points (n × dims, in [0, 1)) of the Halton sequence with random digit permutations: in base b,
    digit position j of every point goes through one random permutation of 0 … b−1. The positions
    beyond the last digit of n − 1 hold 0 for every point, so together they add one common uniform
    offset below b^-m; each point is uniform on [0, 1) and the sequence keeps Halton's stratification."""
    index = np.arange(n)
    points = np.empty((n, dims))
    for column, base in enumerate(primes(dims)):
        digits = max(1, math.ceil(math.log(max(n, 2), base) - 1e-12))  # base-b digits of 0 … n−1
        remaining, scale, value = index, 1.0, np.zeros(n)
        for _ in range(digits):
            remaining, digit = np.divmod(remaining, base)
            scale /= base
            value += rng.permutation(base)[digit] * scale
        points[:, column] = value + rng.random() * scale
    return points


def saltelli_design(base_samples: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """The N·(k+2) × k unit points, in blocks of N rows: A, AB_1 … AB_k, B (AB_i = A with column i
    from B), A and B from one 2k-dimensional randomised Halton sequence."""
    points = randomised_halton(base_samples, 2 * k, rng)
    a, b = points[:, :k], points[:, k:]
    ab = np.repeat(a[np.newaxis], k, axis=0)
    ab[np.arange(k), :, np.arange(k)] = b.T
    return np.concatenate([a, *ab, b])


def sobol_indices(outputs: np.ndarray, k: int, *, seed: int, resamples: int = BOOTSTRAP_RESAMPLES,
                  conf_level: float = CONFIDENCE_LEVEL) -> dict[str, np.ndarray]:
    """S1, S1_conf, ST and ST_conf (each k values) from the outputs on `saltelli_design`'s rows, by the
    estimators and bootstrap of SALib 1.6 `analyze.sobol(..., calc_second_order=False, seed=seed)`."""
    n = outputs.size // (k + 2)
    if outputs.size != n * (k + 2):
        raise ValueError(f"{outputs.size} outputs are not N·(k+2) for k = {k} factors")
    spread = outputs.std()
    # Standardised as SALib does (the Saltelli first-order estimator is biased for non-centred outputs).
    y = ((outputs - outputs.mean()) / spread if spread > 0 else np.zeros_like(outputs)).reshape(k + 2, n)
    a, ab, b = y[0], y[1:-1], y[-1]
    resampled = np.random.default_rng(seed).integers(n, size=(n, resamples))
    z = NormalDist().inv_cdf(0.5 + conf_level / 2)
    found = {key: np.zeros(k) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    for i in range(k):
        found["S1"][i], found["ST"][i] = _first_order(a, ab[i], b), _total_order(a, ab[i], b)
        a_r, ab_r, b_r = a[resampled], ab[i][resampled], b[resampled]
        found["S1_conf"][i] = z * _first_order(a_r, ab_r, b_r).std(ddof=1)
        found["ST_conf"][i] = z * _total_order(a_r, ab_r, b_r).std(ddof=1)
    return found


def _variance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.var(np.concatenate([a, b]), axis=0)


def _share(effect: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """effect / variance, 0 where A and B do not vary (no variance to share out)."""
    eps = np.finfo(float).eps
    return np.divide(effect, variance, out=np.zeros_like(variance), where=variance > eps)


def _first_order(a: np.ndarray, ab: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Saltelli et al. 2010: V_i ≈ mean(f(B) · (f(AB_i) − f(A)))."""
    return _share(np.mean(b * (ab - a), axis=0), _variance(a, b))


def _total_order(a: np.ndarray, ab: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jansen 1999: VT_i ≈ ½ · mean((f(A) − f(AB_i))²)."""
    return _share(0.5 * np.mean((a - ab) ** 2, axis=0), _variance(a, b))


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
