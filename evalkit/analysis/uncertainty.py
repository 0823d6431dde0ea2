"""Uncertainty analysis: Monte Carlo over weights, reference values, data and missing data.

Every uncertain quantity is a *factor* with a range; a sample is a point of the unit hypercube mapped
onto the ranges (the same mapping serves the Sobol analysis, evalkit.analysis.sobol). Bands are data
with their grounds (data/uncertainty.yaml, or a file of the same shape):
- weights: each published weight × U(1 − b, 1 + b), rescaled so every target level keeps its total;
- references: the reference values (and floors) of an indicator that a scored cell uses × one U(1 − b, 1 + b);
- data: each datum (symbol, year) × U(1 − b, 1 + b), b by the datum's scope (measured, derived,
  estimated, proxy) or a per-datum override; kept within the catalog's bounds and parts within wholes;
- missing: each missing indicator-year scores U(low, high) instead of 0.
The traced evaluation is the reference point: the analysis says how far its index could move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evalkit.analysis.fast import FastResult, Prepared, Rows, evaluate_rows
from evalkit.core.problems import Problems
from evalkit.core.yamlio import read_yaml

BANDS_FILE = Path(__file__).parent / "data" / "uncertainty.yaml"
KINDS = ("weights", "references", "data", "missing")
KIND_ZH = {"weights": "权重", "references": "参考值", "data": "数据", "missing": "缺失数据"}
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
DEFAULT_SAMPLES, DEFAULT_SEED = 10_000, 20_231


@dataclass(frozen=True)
class Bands:
    id: str
    weights: float
    references: float
    scopes: dict[str, float]
    default_scope: str
    counted_units: tuple[str, ...]
    overrides: dict[tuple[str, int | None], float]
    missing_range: tuple[float, float]
    raw: dict[str, Any]  # the file as read, for the record of the run


def load_bands(path: Path | None = None) -> Bands:
    path = path or BANDS_FILE
    problems = Problems()
    raw = read_yaml(path)  # size, nesting, aliases, encoding and duplicate keys guarded

    def band(where: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            problems.add(str(path), where, value, "a relative band in [0, 1), e.g. 0.05 for ±5 %")
            return 0.0
        return float(value)

    try:
        data = raw["data"]
        scopes = {name: band(f"data.scopes.{name}.band", s.get("band")) for name, s in data["scopes"].items()}
        overrides = {}
        for n, o in enumerate(data.get("overrides") or []):
            if not isinstance(o, dict) or not o.get("symbol") or not str(o.get("justification") or "").strip():
                problems.add(str(path), f"data.overrides[{n}]", o, "{symbol, year (optional), band, justification}")
                continue
            overrides[(o["symbol"], o.get("year"))] = band(f"data.overrides[{n}].band", o.get("band"))
        low, high = raw["missing"]["score_range"]
        bands = Bands(id=raw["id"], weights=band("weights.band", raw["weights"]["band"]),
                      references=band("references.band", raw["references"]["band"]), scopes=scopes,
                      default_scope=data["default_scope"], counted_units=tuple(data.get("counted_units") or ()),
                      overrides=overrides, missing_range=(float(low), float(high)), raw=raw)
    except (KeyError, TypeError, ValueError) as exc:
        problems.add(str(path), "(structure)", str(exc), "the shape of evalkit/analysis/data/uncertainty.yaml")
        problems.raise_if_errors()
    if bands.default_scope not in scopes:
        problems.add(str(path), "data.default_scope", bands.default_scope, f"one of {sorted(scopes)}")
    if not 0 <= bands.missing_range[0] <= bands.missing_range[1] <= 1:
        problems.add(str(path), "missing.score_range", list(bands.missing_range), "0 ≤ low ≤ high ≤ 1")
    problems.raise_if_errors()
    return bands


@dataclass(frozen=True)
class Factor:
    """One uncertain quantity: a multiplier (or, for missing data, a score) drawn from [low, high]."""

    kind: str                 # weights | references | data | missing
    label: str                # e.g. "I05 权重", "iva 2022", "I20 2021 缺失"
    keys: tuple[Any, ...]     # what it acts on (indicator position, (code, variant), (symbol, year), (code, year))
    low: float
    high: float


def data_band(prepared: Prepared, bands: Bands, symbol: str, year: int) -> tuple[float, str]:
    """(band, scope) of one datum: a per-datum override, else the band of its scope."""
    scope = prepared.scopes.get((symbol, year), bands.default_scope)
    for key in ((symbol, year), (symbol, None)):
        if key in bands.overrides:
            return bands.overrides[key], "override"
    if prepared.catalog.inputs[symbol].unit in bands.counted_units:
        return 0.0, "counted"
    return bands.scopes.get(scope, bands.scopes[bands.default_scope]), scope


def factors(prepared: Prepared, bands: Bands, kinds: tuple[str, ...] = KINDS, *,
            per_series: bool = False) -> list[Factor]:
    """The uncertain quantities of a park-window. `per_series`: one data factor per symbol (all years
    together) and one missing factor per indicator — fewer factors, for the Sobol analysis."""
    catalog, structure, rows = prepared.catalog, prepared.structure, prepared.rows
    found: list[Factor] = []
    if "weights" in kinds and bands.weights > 0:
        found += [Factor("weights", f"{ind.code} 权重", (n,), 1 - bands.weights, 1 + bands.weights)
                  for n, ind in enumerate(catalog.indicators)]
    if "references" in kinds and bands.references > 0:
        # Only the references a scored cell uses: the catalog's others (indicators without data, not
        # applicable, or other formula variants) cannot move the index and are not factors.
        used = {(ind.code, cell.variant) for cells in structure.cells
                for ind, cell in zip(catalog.indicators, cells) if cell.kind == "formula"}
        for ind in catalog.indicators:
            keys = tuple(k for k in (*rows.references, *rows.floors) if k[0] == ind.code and k in used)
            if keys:
                found.append(Factor("references", f"{ind.code} 参考值", tuple(dict.fromkeys(keys)),
                                    1 - bands.references, 1 + bands.references))
    if "data" in kinds:
        used = sorted(rows.values)
        groups: dict[Any, list[tuple[str, int]]] = {}
        for symbol, year in used:
            band, _ = data_band(prepared, bands, symbol, year)
            if band > 0:
                groups.setdefault((symbol, band) if per_series else (symbol, year, band), []).append((symbol, year))
        for key, members in groups.items():
            band = key[-1]
            name = catalog.inputs[key[0]].name_zh  # the report shows names, never input symbols
            label = name if per_series else f"{name} {key[1]}"
            found.append(Factor("data", label, tuple(members), 1 - band, 1 + band))
    if "missing" in kinds:
        low, high = bands.missing_range
        missing = [(ind.code, year) for y, year in enumerate(structure.years) for ind, cell
                   in zip(catalog.indicators, structure.cells[y]) if cell.kind == "missing"]
        if per_series:
            codes = dict.fromkeys(code for code, _ in missing)
            found += [Factor("missing", f"{code} 缺失", tuple(k for k in missing if k[0] == code), low, high)
                      for code in codes]
        else:
            found += [Factor("missing", f"{code} {year} 缺失", ((code, year),), low, high) for code, year in missing]
    return found


def rows_for(prepared: Prepared, chosen: list[Factor], unit: np.ndarray) -> Rows:
    """Rows for the points `unit` (n × factors, each in [0, 1]) of the factors' ranges."""
    n = unit.shape[0]
    rows = prepared.rows.repeat(n)
    catalog = prepared.catalog
    draws = {f: f.low + (f.high - f.low) * unit[:, j] for j, f in enumerate(chosen)}
    touched_weights = False
    for f, draw in draws.items():
        if f.kind == "weights":
            rows.weights[:, f.keys[0]] *= draw
            touched_weights = True
        elif f.kind == "references":
            for key in f.keys:
                for table in (rows.references, rows.floors):
                    if key in table:
                        table[key] = table[key] * draw
        elif f.kind == "data":
            for key in f.keys:
                rows.values[key] = rows.values[key] * draw
        else:
            for key in f.keys:
                rows.cell_scores[key] = draw
    if touched_weights:
        published = prepared.rows.weights[0]
        for level in catalog.target_levels:
            idx = np.array([n for n, i in enumerate(catalog.indicators) if i.target_level == level.name])
            rows.weights[:, idx] *= published[idx].sum() / rows.weights[:, idx].sum(axis=1, keepdims=True)
    if any(f.kind == "data" for f in chosen):
        _keep_within_bounds(prepared, rows)
    return rows


def _keep_within_bounds(prepared: Prepared, rows: Rows) -> None:
    inputs = prepared.catalog.inputs
    for (symbol, year), values in rows.values.items():
        spec = inputs[symbol]
        if spec.max is not None:
            rows.values[(symbol, year)] = np.minimum(values, spec.max)
    for part, whole in prepared.catalog.parts:
        for (symbol, year) in list(rows.values):
            if symbol == part and (whole, year) in rows.values:
                rows.values[(part, year)] = np.minimum(rows.values[(part, year)], rows.values[(whole, year)])


@dataclass
class Distribution:
    kinds: tuple[str, ...]
    factors: int
    index: np.ndarray
    grades: np.ndarray

    def quantiles(self) -> dict[str, float]:
        valid = self.index[~np.isnan(self.index)]
        if not valid.size:
            return {}
        return {f"p{round(q * 100):02d}": float(np.quantile(valid, q)) for q in QUANTILES}

    def probabilities(self, grades: list[str]) -> dict[str, float]:
        return {g: float(np.count_nonzero(self.grades == g)) / len(self.grades) for g in grades}


@dataclass
class Uncertainty:
    park: str
    years: list[int]
    index: float | None          # the traced evaluation's figures, the reference point
    grade: str
    samples: int
    seed: int
    bands: Bands
    grades: list[str]
    all: Distribution
    by_kind: dict[str, Distribution] = field(default_factory=dict)
    # every source but the missing data, when some data are missing: the uncertainty of the figures the
    # park has, apart from where the index could go once the missing data are supplied
    without_missing: Distribution | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "park": self.park, "years": self.years, "index": self.index, "grade": self.grade,
            "samples": self.samples, "seed": self.seed,
            "settings": {"bands_id": self.bands.id, "weights": self.bands.raw["weights"],
                         "references": self.bands.raw["references"], "data": self.bands.raw["data"],
                         "missing": self.bands.raw["missing"], "factors": self.all.factors},
            "index_quantiles": self.all.quantiles(),
            "index_mean": _finite_mean(self.all.index),
            "grade_probabilities": self.all.probabilities(self.grades),
            "by_source": {kind: {"factors": d.factors, "index_quantiles": d.quantiles(),
                                 "grade_probabilities": d.probabilities(self.grades)}
                          for kind, d in self.by_kind.items()},
        } | ({"without_missing": {"factors": self.without_missing.factors,
                                  "index_quantiles": self.without_missing.quantiles(),
                                  "grade_probabilities": self.without_missing.probabilities(self.grades)}}
             if self.without_missing is not None else {})


def _finite_mean(values: np.ndarray) -> float | None:
    valid = values[~np.isnan(values)]
    return float(valid.mean()) if valid.size else None


def grade_names(prepared: Prepared) -> list[str]:
    bands = sorted(prepared.catalog.grading.bands, key=lambda b: b.min, reverse=True)
    return [b.grade for b in bands] + ["none", "deferred", "not_rated"]


def distribution(prepared: Prepared, bands: Bands, kinds: tuple[str, ...], samples: int,
                 rng: np.random.Generator) -> Distribution:
    chosen = factors(prepared, bands, kinds)
    unit = rng.random((samples, len(chosen)))
    result: FastResult = evaluate_rows(prepared.catalog, prepared.structure, rows_for(prepared, chosen, unit))
    return Distribution(kinds, len(chosen), result.index, result.grade)


def run(prepared: Prepared, index: float | None, grade: str, *, samples: int = DEFAULT_SAMPLES,
        seed: int = DEFAULT_SEED, bands: Bands | None = None, by_kind: bool = True) -> Uncertainty:
    """All sources together, then (by_kind) each source alone and, when data are missing, all sources
    but the missing data; each from its own seeded stream."""
    bands = bands or load_bands()
    streams = np.random.SeedSequence(seed).spawn(2 + len(KINDS))
    together = distribution(prepared, bands, KINDS, samples, np.random.default_rng(streams[0]))
    alone = {kind: distribution(prepared, bands, (kind,), samples, np.random.default_rng(stream))
             for kind, stream in zip(KINDS, streams[1:])} if by_kind else {}
    without_missing = None
    if by_kind and factors(prepared, bands, ("missing",)):
        without_missing = distribution(prepared, bands, tuple(k for k in KINDS if k != "missing"), samples,
                                       np.random.default_rng(streams[-1]))
    return Uncertainty(prepared.park, list(prepared.structure.years), index, grade, samples, seed, bands,
                       grade_names(prepared), together, alone, without_missing)
