"""The comparison, trend and statement documents: gather their inputs, then `render_document`."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evalkit import archive, carbon
from evalkit.archive import RESULTS, InputFile
from evalkit.catalog import Catalog, referenced_files
from evalkit.core.problems import InputError, Problems
from evalkit.evaluation.results import Result
from evalkit.intake import find_park_file, read_park
from evalkit.portfolio.common import RATED_GRADES
from evalkit.portfolio.statement import RatedArchive, validity
from evalkit.portfolio.trend import possible_windows
from evalkit.runs.collect import collect, load_checked, write_results_file
from evalkit.runs.documents import DocumentOutcome, input_file, render_document

WINDOW_DIR = re.compile(r"^(\d{4})-(\d{4})$")


def _catalog_inputs(catalog_path: Path) -> list[InputFile]:
    catalog_path = Path(catalog_path)
    found = [input_file("catalog", catalog_path)]
    for companion in referenced_files(catalog_path):
        relative = companion.resolve().relative_to(catalog_path.resolve().parent).as_posix()
        found.append(input_file("catalog", companion, relative))
    return found


def _render_options(options: dict[str, Any]) -> dict[str, Any]:
    return {k: options[k] for k in ("formats", "engine", "force", "command", "progress") if k in options}


def compare_report(parks: Sequence[str], window: list[int], *, by: str | None, params_dir: Path, catalog: Catalog,
                   catalog_path: Path, factors: carbon.FactorTable, factor_path: Path, output_dir: Path,
                   **options: Any) -> tuple[DocumentOutcome, list[str]]:
    """The comparison report of `parks`; also returns, per park, where its result came from."""
    collected = collect(parks, window, params_dir=params_dir, catalog=catalog, catalog_path=catalog_path,
                        factors=factors, factor_path=factor_path, output_dir=output_dir)
    with tempfile.TemporaryDirectory(prefix="evalkit-compare-") as tmp:
        inputs = [input_file("results", write_results_file(c, Path(tmp)), f"{c.result.park}.json") for c in collected]
        inputs += _catalog_inputs(catalog_path)
        parameters = {"years": window, "results_files": [i.path for i in inputs if i.role == "results"],
                      "sources": [c.source for c in collected], "catalog_path": inputs[len(collected)].path,
                      "by": by, "results_path": RESULTS}
        ids = sorted(c.result.park for c in collected)
        slug = "+".join(ids)
        if len(slug) > 60:
            slug = f"{len(ids)}-parks-{hashlib.sha256(slug.encode()).hexdigest()[:8]}"
        final = Path(output_dir) / "compare" / f"{window[0]}-{window[-1]}" / (slug + (f"-by-{by}" if by else ""))
        outcome = render_document("compare", "compare.ipynb", label="compare", parks=ids, years=window,
                                  parameters=parameters, inputs=inputs, final=final, **_render_options(options))
    return outcome, [c.source for c in collected]


def trend_report(park_id: str, start: int, end: int, *, params_dir: Path, catalog: Catalog, catalog_path: Path,
                 factors: carbon.FactorTable, factor_path: Path, output_dir: Path, **options: Any) -> DocumentOutcome:
    """The trend document of one park over every three-year window in start..end its data allow."""
    input_path = find_park_file(park_id, params_dir)
    park, problems = read_park(park_id, params_dir)
    problems.raise_if_errors()
    assert park is not None
    length = catalog.grading.window_years
    windows, skipped = possible_windows(park.input.years(), start, end, length)
    if end - start + 1 < length:
        problems.add("--from/--to", "years", f"{start}-{end}", f"a span of at least {length} years")
    elif not windows:
        years = park.input.years()
        problems.add(str(input_path), "years", f"{years[0]}–{years[-1]}",
                     f"data for at least one {length}-year window in {start}–{end} and the year before it")
    problems.raise_if_errors()
    for window in windows:  # every window checked before anything runs; all problems at once
        try:
            load_checked(park_id, params_dir, catalog, window, factors)
        except InputError as exc:
            problems.extend([p for p in exc.problems if p not in problems.items])
    problems.raise_if_errors()
    inputs = archive.plan_inputs(input_path, Path(catalog_path), [Path(factor_path)], referenced_files(catalog_path))
    by_role = {role: [i.path for i in inputs if i.role == role] for role in ("park", "catalog", "factors")}
    parameters = {"park": park_id, "span": [start, end], "windows": windows,
                  "skipped": [s.model_dump(mode="json") for s in skipped], "input_path": by_role["park"][0],
                  "catalog_path": by_role["catalog"][0], "factor_paths": by_role["factors"], "options": {},
                  "results_path": RESULTS}
    final = Path(output_dir) / park_id / f"trend-{start}-{end}"
    return render_document("trend", "trend.ipynb", label=park_id, parks=[park_id], years=list(range(start, end + 1)),
                           parameters=parameters, inputs=inputs, final=final, **_render_options(options))


def last_rated_archive(park_id: str, year: int, output_dir: Path) -> tuple[Path, Result, archive.Manifest]:
    """The park's latest intact, rated archive whose window ends before `year` (InputError if none)."""
    candidates = []
    folder = Path(output_dir) / park_id
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        match = WINDOW_DIR.match(path.name)
        if not match or int(match.group(2)) >= year:
            continue
        try:
            manifest = archive.read_manifest(path)
            raw = json.loads((path / RESULTS).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if archive.sha256_file(path / RESULTS) != manifest.outputs.get(RESULTS) or raw.get("grade") not in RATED_GRADES:
            continue
        candidates.append((int(match.group(2)), manifest.finished_at, path, raw, manifest))
    if not candidates:
        problems = Problems()
        problems.add(str(folder), "rated archive", park_id,
                     f"an intact archive with a grade (AAA/AA/A) whose window ends before {year}; make one first: "
                     f"evalkit render --park {park_id} --years {year - 3}-{year - 1}")
        problems.raise_if_errors()
    _, _, path, raw, manifest = max(candidates, key=lambda c: (c[0], c[1]))
    return path, Result.model_validate(raw), manifest


def statement_report(park_id: str, year: int, *, params_dir: Path, catalog: Catalog, catalog_path: Path,
                     factors: carbon.FactorTable, factor_path: Path, output_dir: Path,
                     **options: Any) -> DocumentOutcome:
    """The annual statement of continued compliance of `park_id` for `year` against its last rated archive."""
    rated_dir, rated, manifest = last_rated_archive(park_id, year, output_dir)
    problems = Problems()
    if catalog.continued_compliance is None:
        problems.add(catalog.path, "continued_compliance", None, "the statement's thresholds (see the default catalog)")
        problems.raise_if_errors()
    assert catalog.continued_compliance is not None
    try:
        validity(catalog.continued_compliance, rated.evaluation_year, year)
    except ValueError as exc:
        problems.add(str(rated_dir), "--year", year, str(exc))
        problems.raise_if_errors()
    window = list(range(min(rated.years[0], year - 2), year + 1))
    base_year = rated.overall.base_year if rated.overall is not None else None
    if base_year is not None and not window[0] - 1 <= base_year < year:
        base_year = None
    load_checked(park_id, params_dir, catalog, window, factors)
    input_path = find_park_file(park_id, params_dir)
    inputs = archive.plan_inputs(input_path, Path(catalog_path), [Path(factor_path)], referenced_files(catalog_path))
    inputs += [input_file("rated", rated_dir / RESULTS), input_file("rated", rated_dir / archive.MANIFEST)]
    by_role = {role: [i.path for i in inputs if i.role == role] for role in ("park", "catalog", "factors", "rated")}
    rated_info = RatedArchive(archive=str(rated_dir), window=rated.years, grade=rated.grade, index=rated.index,
                              base_year=base_year, finished_at=manifest.finished_at,
                              results_sha256=archive.sha256_file(rated_dir / RESULTS))
    parameters = {"park": park_id, "year": year, "window": window, "base_year": base_year,
                  "input_path": by_role["park"][0], "catalog_path": by_role["catalog"][0],
                  "factor_paths": by_role["factors"], "options": dict(manifest.parameters.get("options") or {}),
                  "rated_results_path": by_role["rated"][0], "rated": rated_info.model_dump(mode="json"),
                  "results_path": RESULTS}
    final = Path(output_dir) / park_id / f"statement-{year}"
    return render_document("statement", "statement.ipynb", label=park_id, parks=[park_id], years=window,
                           parameters=parameters, inputs=inputs, final=final, **_render_options(options))
