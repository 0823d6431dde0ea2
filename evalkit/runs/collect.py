"""Each park's evaluation result for a window: from its archive's results.json when the archive is
current (made from the park file, catalog and factor table as they are now, with default
parameters, and untouched since), else evaluated afresh — cheap either way, and never stale."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit import archive, carbon
from evalkit.archive import RESULTS
from evalkit.catalog import Catalog, referenced_files
from evalkit.core.problems import InputError, Problems
from evalkit.evaluation import evaluate
from evalkit.evaluation.results import Result
from evalkit.intake import LoadedPark, find_park_file, read_park
from evalkit.intake.checks import check_park
from evalkit.render import planned_fingerprint


@dataclass(frozen=True)
class Collected:
    result: Result
    raw: dict[str, Any]
    """results.json as parsed (fields a Result model may not know are kept)."""
    archive: Path | None
    """The archive the result was read from; None when it was evaluated now."""
    input_path: Path

    @property
    def source(self) -> str:
        return f"{self.archive}/{RESULTS}" if self.archive else f"{self.input_path}（本次评价）"


def park_ids(params_dir: Path) -> list[str]:
    """Every park with an input file in `params_dir`, sorted."""
    return sorted({p.stem for p in Path(params_dir).glob("*") if p.suffix in {".yaml", ".yml", ".xlsx"}})


def load_checked(park_id: str, params_dir: Path, catalog: Catalog, window: list[int],
                 factors: carbon.FactorTable) -> LoadedPark:
    """The park read and checked against the catalog for `window`; every problem in one InputError."""
    park, problems = read_park(park_id, params_dir)
    if park is not None:
        problems.extend(check_park(park, catalog, window, factors))
    problems.raise_if_errors()
    assert park is not None
    return park


def current_archive(final: Path, fingerprint: dict[str, Any]) -> Path | None:
    """`final` if it is an intact archive of exactly this fingerprint, else None."""
    try:
        manifest = archive.read_manifest(final)
    except (OSError, ValueError):
        return None
    if archive.diff_json(manifest.fingerprint(), fingerprint):
        return None
    results = final / RESULTS
    if not results.is_file() or archive.sha256_file(results) != manifest.outputs.get(RESULTS):
        return None
    return final


def collect(parks: Sequence[str], window: list[int], *, params_dir: Path, catalog: Catalog, catalog_path: Path,
            factors: carbon.FactorTable, factor_path: Path, output_dir: Path) -> list[Collected]:
    """Every park's result for `window`; all input problems of all parks at once (InputError)."""
    found: list[Collected] = []
    problems = Problems()
    for park_id in parks:
        try:
            input_path = find_park_file(park_id, params_dir)
            fingerprint = planned_fingerprint(park_id, window, input_path=input_path, catalog_path=catalog_path,
                                              catalog_files=referenced_files(catalog_path), factor_paths=[factor_path])
            final = current_archive(Path(output_dir) / park_id / f"{window[0]}-{window[-1]}", fingerprint)
            if final is not None:
                raw = json.loads((final / RESULTS).read_text("utf-8"))
                found.append(Collected(Result.model_validate(raw), raw, final, input_path))
                continue
            park = load_checked(park_id, params_dir, catalog, window, factors)
            result = evaluate(park, catalog, window, factors=factors)
            found.append(Collected(result, result.model_dump(mode="json"), None, input_path))
        except InputError as exc:
            problems.extend(exc.problems)
    problems.raise_if_errors()
    return found


def write_results_file(collected: Collected, folder: Path) -> Path:
    """The result as a results.json file to archive with a document (the archive's own file when read from one)."""
    if collected.archive is not None:
        return collected.archive / RESULTS
    path = Path(folder) / f"{collected.result.park}.json"
    archive.write_results(collected.raw, path)
    return path
