"""AHP weights for a provincial or custom catalog (5.2.4 of the standard: AHP plus expert scoring).

Input (YAML): pairwise comparison matrices, one per node of the hierarchy, from one expert or several:

    matrices:                                   # one expert
      - {name: 目标层, items: [效果协同, 路径协同, 管理协同], matrix: [[1, 1/2, 2], [2, 1, 3], ["1/2", "1/3", 1]]}
      - {name: 效果协同, items: [I01, I02, …], matrix: …}
    experts:                                    # or several experts, combined element-wise by geometric mean
      - {name: 专家甲, matrices: [...]}

Entries are numbers or fraction strings ("1/3"). A matrix's items are the names of other matrices
(inner nodes) or indicators (code or Chinese name: the leaves). Weights are the normalised principal
eigenvector; λmax, CI = (λmax − n)/(n − 1) and CR = CI/RI with Saaty's RI table (data/saaty_ri.yaml).
A matrix with CR above the limit (0.10) is refused, naming the expert and the matrix.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from evalkit.catalog import Catalog
from evalkit.catalog.model import referenced_files
from evalkit.core.problems import Problems
from evalkit.core.yamlio import read_yaml

RI_TABLE = Path(__file__).parent / "data" / "saaty_ri.yaml"
RECIPROCAL_TOLERANCE = 0.02  # 0.33 for 1/3 is accepted; 0.5 for 1/3 is not


@dataclass(frozen=True)
class RandomIndex:
    values: dict[int, float]
    cr_limit: float
    source: str


def load_random_index(path: Path = RI_TABLE) -> RandomIndex:
    raw = read_yaml(path)
    return RandomIndex({int(n): float(v) for n, v in raw["ri"].items()}, float(raw["cr_limit"]), raw["source"])


@dataclass(frozen=True)
class MatrixResult:
    name: str
    items: list[str]
    matrix: list[list[float]]
    weights: dict[str, float]
    lambda_max: float
    ci: float
    ri: float
    cr: float

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "items": self.items, "weights": self.weights, "lambda_max": self.lambda_max,
                "ci": self.ci, "cr": self.cr, "ri": self.ri, "matrix": self.matrix}


@dataclass(frozen=True)
class AhpResult:
    file: str
    sha256: str
    experts: list[str]
    matrices: list[MatrixResult]   # combined over experts, in the file's order
    per_expert: dict[str, list[MatrixResult]]
    ri: RandomIndex

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "experts": self.experts,
                "combination": "element-wise geometric mean" if len(self.experts) > 1 else "single expert",
                "cr_limit": self.ri.cr_limit, "ri_table": {"values": self.ri.values, "source": self.ri.source},
                "matrices": [m.as_json() for m in self.matrices]}


def priority(matrix: np.ndarray, ri: RandomIndex) -> tuple[np.ndarray, float, float, float, float]:
    """(weights, λmax, CI, RI, CR) of a positive reciprocal matrix by its principal eigenvector."""
    n = matrix.shape[0]
    values, vectors = np.linalg.eig(matrix)
    k = int(np.argmax(values.real))
    lambda_max = float(values[k].real)
    vector = np.abs(vectors[:, k].real)
    weights = vector / vector.sum()
    ci = max(0.0, (lambda_max - n) / (n - 1)) if n > 2 else 0.0  # λmax ≥ n; below is rounding noise
    index = ri.values[n]
    cr = ci / index if index > 0 else 0.0
    return weights, lambda_max, ci, index, cr


def _entry(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            return None
    return None


def _read_matrix(raw: Any, where: str, file: str, ri: RandomIndex,
                 problems: Problems) -> tuple[str, list[str], np.ndarray] | None:
    if not isinstance(raw, dict):
        problems.add(file, where, raw, "a mapping with name, items and matrix")
        return None
    name, items, rows = raw.get("name"), raw.get("items"), raw.get("matrix")
    label = f"{where}[{name}]"
    ok = True
    if not isinstance(name, str) or not name.strip():
        problems.add(file, f"{where}.name", name, "the name of the node this matrix compares the children of")
        ok = False
    if not isinstance(items, list) or len(items) < 1 or not all(isinstance(i, str) for i in items) \
            or len(set(items)) != len(items):
        problems.add(file, f"{label}.items", items, "a list of distinct item names (indicator codes or node names)")
        return None
    n = len(items)
    if n > max(ri.values):
        problems.add(file, f"{label}.items", n, f"at most {max(ri.values)} items (Saaty's RI table); "
                     "split the level into sub-matrices, e.g. by first-level indicator")
        return None
    if not isinstance(rows, list) or len(rows) != n or not all(isinstance(r, list) and len(r) == n for r in rows):
        problems.add(file, f"{label}.matrix", rows, f"a {n}×{n} matrix (one row and one column per item)")
        return None
    matrix = np.ones((n, n))
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            number = _entry(value)
            if number is None or number <= 0:
                problems.add(file, f"{label}.matrix[{i + 1}][{j + 1}]", value,
                             'a positive number or a fraction such as "1/3"')
                ok = False
            else:
                matrix[i, j] = number
    if not ok:
        return None
    for i in range(n):
        if abs(matrix[i, i] - 1) > 1e-12:
            problems.add(file, f"{label}.matrix[{i + 1}][{i + 1}]", rows[i][i], "1 (an item compared with itself)")
            ok = False
        for j in range(i + 1, n):
            if abs(matrix[i, j] * matrix[j, i] - 1) > RECIPROCAL_TOLERANCE:
                problems.add(file, f"{label}.matrix[{j + 1}][{i + 1}]", rows[j][i],
                             f"the reciprocal of matrix[{i + 1}][{j + 1}] = {rows[i][j]} ({items[j]} vs {items[i]})")
                ok = False
    return (name, items, matrix) if ok else None


def _judge(name: str, items: list[str], matrix: np.ndarray, ri: RandomIndex) -> MatrixResult:
    weights, lambda_max, ci, index, cr = priority(matrix, ri)
    return MatrixResult(name, items, matrix.tolist(), dict(zip(items, map(float, weights))), lambda_max, ci, index, cr)


def compute(path: Path, ri: RandomIndex | None = None) -> AhpResult:
    """Every matrix's weights and consistency, experts combined; raises InputError listing every problem."""
    ri = ri or load_random_index()
    file = str(path)
    problems = Problems()
    raw = read_yaml(path)  # size, nesting, aliases, encoding and duplicate keys guarded
    if isinstance(raw, dict) and "experts" in raw and isinstance(raw["experts"], list):
        experts = [(str(e.get("name") or f"expert {n + 1}") if isinstance(e, dict) else f"expert {n + 1}",
                    e.get("matrices") if isinstance(e, dict) else None, f"experts[{n}].matrices")
                   for n, e in enumerate(raw["experts"])]
    elif isinstance(raw, dict) and isinstance(raw.get("matrices"), list):
        experts = [("expert 1", raw["matrices"], "matrices")]
    else:
        problems.add(file, "(top level)", type(raw).__name__, "a mapping with `matrices: [...]` or `experts: [...]`")
        problems.raise_if_errors()

    read: dict[str, list[tuple[str, list[str], np.ndarray]]] = {}
    for expert, matrices, where in experts:
        if not isinstance(matrices, list) or not matrices:
            problems.add(file, where, matrices, "a list of matrices")
            continue
        seen: set[str] = set()
        for n, raw_matrix in enumerate(matrices):
            parsed = _read_matrix(raw_matrix, f"{where}[{n}]", file, ri, problems)
            if parsed is None:
                continue
            if parsed[0] in seen:
                problems.add(file, f"{where}[{n}].name", parsed[0], "one matrix per node")
            seen.add(parsed[0])
            read.setdefault(expert, []).append(parsed)
    problems.raise_if_errors()

    names = [name for name, _, _ in read[experts[0][0]]]
    per_expert: dict[str, list[MatrixResult]] = {}
    for expert, _, where in experts:
        results = []
        for name, items, matrix in read[expert]:
            result = _judge(name, items, matrix, ri)
            if result.cr > ri.cr_limit:
                problems.add(file, f"{where}[{name}]", round(result.cr, 4),
                             f"CR ≤ {ri.cr_limit:g}: matrix {name!r} of {expert} is inconsistent "
                             f"(λmax {result.lambda_max:.4f}, CI {result.ci:.4f}, RI {result.ri:g}); revise its judgements")
            results.append(result)
        per_expert[expert] = results
        if sorted(r.name for r in results) != sorted(names):
            problems.add(file, where, sorted(r.name for r in results), f"the same matrices as the first expert: {names}")
    problems.raise_if_errors()

    combined = []
    for name in names:
        parts = [next(m for m in read[e] if m[0] == name) for e, _, _ in experts]
        items = parts[0][1]
        aligned = []
        for expert_name, (_, other_items, matrix) in zip([e for e, _, _ in experts], parts):
            if sorted(other_items) != sorted(items):
                problems.add(file, f"{expert_name}[{name}].items", other_items, f"the same items as the first expert: {items}")
                continue
            order = [other_items.index(i) for i in items]
            aligned.append(matrix[np.ix_(order, order)])
        if len(aligned) != len(parts):
            continue
        mean = aligned[0] if len(aligned) == 1 else np.exp(np.mean(np.log(np.stack(aligned)), axis=0))
        result = _judge(name, items, mean, ri)
        if len(experts) > 1 and result.cr > ri.cr_limit:
            problems.add(file, f"combined[{name}]", round(result.cr, 4),
                         f"CR ≤ {ri.cr_limit:g}: the experts' combined matrix {name!r} is inconsistent")
        combined.append(result)
    problems.raise_if_errors()
    return AhpResult(file=path.name, sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                     experts=[e for e, _, _ in experts], matrices=combined, per_expert=per_expert, ri=ri)


def indicator_weights(result: AhpResult, catalog: Catalog) -> dict[str, float]:
    """Global weight of every catalog indicator: the product of local weights from the root down.
    Raises InputError when the hierarchy does not cover the catalog's indicators exactly once."""
    problems = Problems()
    by_name = {m.name: m for m in result.matrices}
    children = {item for m in result.matrices for item in m.items}
    roots = [m.name for m in result.matrices if m.name not in children]
    codes = {i.code: i.code for i in catalog.indicators} | {i.name_zh: i.code for i in catalog.indicators}
    weights: dict[str, float] = {}
    if len(roots) != 1:
        problems.add(result.file, "matrices", roots or None,
                     "exactly one top matrix (a matrix whose name is no other matrix's item)")
        problems.raise_if_errors()

    def walk(name: str, weight: float, path: list[str]) -> None:
        for item, local in by_name[name].weights.items():
            if item in by_name:
                if item in path:
                    problems.add(result.file, f"matrices[{item}]", item, "a hierarchy without cycles")
                    continue
                walk(item, weight * local, [*path, item])
            elif item in codes:
                code = codes[item]
                if code in weights:
                    problems.add(result.file, f"matrices[{name}].items", item, "each indicator under one node only")
                weights[code] = weight * local
            else:
                problems.add(result.file, f"matrices[{name}].items", item,
                             f"an indicator code or name of catalog {catalog.id}, or the name of another matrix")

    walk(roots[0], 1.0, [roots[0]])
    absent = [i.code for i in catalog.indicators if i.code not in weights]
    if absent:
        problems.add(result.file, "matrices", absent, "a weight for every indicator of the catalog")
    problems.raise_if_errors()
    return {code: weights[code] for code in catalog.codes}


def write_catalog(result: AhpResult, catalog: Catalog, output: Path) -> dict[str, float]:
    """The catalog with AHP-derived weights and the AHP record, written to `output` (loadable with
    --catalog). The basic-requirements checklist is written into the file so it stands alone."""
    weights = indicator_weights(result, catalog)
    raw = read_yaml(Path(catalog.path))
    for extra in referenced_files(catalog.path):
        raw["basic_requirements"] = read_yaml(extra)
    for ind in raw["indicators"]:
        ind["weight"] = weights[ind["code"]]
    for level in raw["target_levels"]:
        level["weight"] = sum(weights[i.code] for i in catalog.indicators if i.target_level == level["name"])
    raw["id"] = f"{catalog.id}-ahp"
    raw["source"] = f"{catalog.source}；权重由层次分析法（AHP）重新确定，见 ahp 记录（{result.file}）"
    raw["ahp"] = {**result.as_json(), "derived_from_catalog": {"id": catalog.id, "version": catalog.version,
                                                             "sha256": catalog.sha256}}
    raw.pop("references", None)   # YAML anchors only, already expanded into the indicators
    raw.pop("rubric_scale", None)
    header = (f"# Catalog {raw['id']}: {catalog.id} with weights derived by AHP from {result.file}\n"
              "# (evalkit weights --ahp … --write-catalog). Use it with --catalog.\n")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(header + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=120), "utf-8")
    return weights
