"""`render_report`: execute the report notebook, render it, archive everything with a manifest.

All work happens in a staging directory next to the archive; it replaces the archive only when
every stage succeeded, so a failed run leaves the earlier archive as it was.
"""

from __future__ import annotations

import importlib.resources
import json
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import evalkit
from evalkit import archive
from evalkit.archive import NOTEBOOK, RESULTS, EngineRecord, InputFile, Manifest
from evalkit.archive.signing import SIGNATURE
from evalkit.intake import check_park_id, evidence_files, read_park_file
from evalkit.render import draft
from evalkit.report import markup
from evalkit.report.markup import Md
from evalkit.report.unfilled import unfilled_fields
from evalkit.render.engines import FORMATS, Engine, RenderJob, get_engine
from evalkit.render.errors import ArchiveConflict, RenderError
from evalkit.render.execute import Execution, execute_notebook, started_kernel


def _template_dir() -> Path:
    """The report template: installed as package data (evalkit/render/template/, see setup.py),
    or report_template/ beside the package in a checkout."""
    installed = importlib.resources.files("evalkit.render") / "template"
    if installed.is_dir():
        return Path(str(installed))
    return Path(evalkit.__file__).resolve().parent.parent / "report_template"


TEMPLATE_DIR = _template_dir()
ROLE_LABELS = {"park": "园区数据文件", "catalog": "指标目录", "factors": "因子表"}

Progress = Callable[[str], None]


def print_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class RenderOutcome:
    archive: Path
    """outputs/<park>/<window>/"""
    engine: str
    files: dict[str, Path]
    """'notebook', 'results', 'manifest' and each rendered format, inside `archive`."""
    stages: dict[str, float]
    """Seconds per stage: execute, render (all formats), archive."""
    execution: Execution
    previous: Literal["none", "same-inputs", "replaced"]
    """What was at `archive` before: nothing, an archive of the same inputs (rendered again), or
    an archive of other inputs replaced because of `force`."""
    warnings: list[str]


def render_report(
    park_id: str,
    years: Sequence[int],
    *,
    input_path: Path | str,
    catalog_path: Path | str,
    catalog_files: Sequence[Path | str] = (),
    factor_paths: Sequence[Path | str] = (),
    base_year: int | None = None,
    options: Mapping[str, Any] | None = None,
    output_dir: Path | str = "outputs",
    formats: Sequence[str] = FORMATS,
    engine: str = "auto",
    force: bool = False,
    command: Sequence[str] | None = None,
    template_dir: Path | str = TEMPLATE_DIR,
    progress: Progress = print_progress,
) -> RenderOutcome:
    """Make and archive the report of park `park_id` for the evaluation window `years`.

    The template notebook runs under papermill with the parameters `park`, `years`,
    `input_path`, `catalog_path`, `factor_paths`, `base_year`, `options` and `results_path`
    (paths relative to the archive, where copies of the inputs sit); it must write
    `results_path` itself with `evalkit.archive.write_results`. Then `engine` (auto, quarto,
    pandoc) renders each of `formats` (html, docx, pdf) from the executed notebook.
    `catalog_files` are files the catalog refers to relative to itself (its basic-requirements
    checklist); they are archived beside it. Every input is hashed before anything runs.
    While results.json lists an unconfirmed reference or the park file leaves a place of the report
    to the assessor (`evalkit.report.unfilled`), every page carries the draft mark
    (`evalkit.render.draft`); with `options["final"]` such a render is refused (stage "final").

    An archive made from other inputs or parameters is replaced only if `force`; one made
    from the same inputs is rendered again. Progress goes to `progress`, one line per stage.
    `command` is recorded in the manifest (default: sys.argv).

    Raises `RenderError` (its `stage` says which failed; `NotebookError` for a failing cell,
    `ArchiveConflict` for a refused overwrite) and `evalkit.core.problems.InputError` for a bad park id.
    """
    started_at = _now()
    start = time.perf_counter()
    check_park_id(park_id)
    years = _check_years(years)
    formats = _check_formats(formats)
    template_dir = Path(template_dir).resolve()
    if not (template_dir / NOTEBOOK).is_file():
        raise RenderError("setup", f"no report template {NOTEBOOK} in {template_dir}")
    chosen = get_engine(engine)
    progress(f"[evalkit] engine   {chosen.name} ({chosen.describe()})")

    with _setup_errors():
        inputs = archive.plan_inputs(Path(input_path), Path(catalog_path), [Path(p) for p in factor_paths],
                                     [Path(p) for p in catalog_files], evidence_files(park_id, Path(input_path)))
        template = archive.hash_tree(template_dir)
        parameters = _parameters(park_id, years, inputs, base_year, options)
    final = Path(output_dir) / park_id / _window(years)
    with _locked(final):
        for note in archive.recover(final):
            progress(f"[evalkit] archive  {note}")
        previous = check_previous(final, archive.fingerprint(inputs, parameters), template, force, progress)
        execution, stages, warnings = _run_stages(
            park_id, years, final, inputs, parameters, template, template_dir, chosen, formats, command,
            started_at, progress)
    progress(f"[evalkit] done     {final} ({time.perf_counter() - start:.1f} s)")
    files = {"notebook": final / NOTEBOOK, "results": final / RESULTS, "manifest": final / archive.MANIFEST}
    files |= {fmt: final / f"report.{fmt}" for fmt in formats}
    return RenderOutcome(final, chosen.name, files, stages, execution, previous, warnings)


def _run_stages(park_id: str, years: list[int], final: Path, inputs: list[InputFile], parameters: dict[str, Any],
                template: dict[str, str], template_dir: Path, chosen: Engine, formats: list[str],
                command: Sequence[str] | None, started_at: str,
                progress: Progress) -> tuple[Execution, dict[str, float], list[str]]:
    """Execute, render and archive in a staging folder, then put it in place of `final`. On any
    failure (a full disk included) the staging folder is removed and `final` is left as it was."""
    with _output_errors(final):
        staging = archive.new_staging_dir(final)
    stages: dict[str, float] = {}
    marked = tempfile.TemporaryDirectory(prefix="evalkit-draft-")  # the template with the draft mark
    try:
        with started_kernel(staging) as kernel:  # it boots while the inputs are copied
            with _setup_errors():
                archive.copy_inputs(inputs, staging)
            with _stage("execute", stages, progress):
                execution = execute_notebook(template_dir / NOTEBOOK, staging / NOTEBOOK, parameters, kernel=kernel)
                results = read_results(staging / RESULTS)
        unverified = draft.unverified_references(results)
        unfilled = unfilled_fields(read_park_file(staging / parameters["input_path"]))
        contradicted = results.get("narrative", [])
        if (unverified or unfilled or contradicted) and parameters["options"].get("final"):
            raise RenderError("final", "a formal report needs every reference used confirmed, nothing left "
                              "for the assessor to fill in (【待评价机构填写】) and no assessor's text the results "
                              "contradict; missing:\n  "
                              + "\n  ".join(draft.describe(unverified) + [f"{f.field} — {f.place_zh}" for f in unfilled]
                                             + [f"{n['field']} — {n['text_zh']}" for n in contradicted]))
        styles = (draft.marked_template(template_dir, Path(marked.name), len(unverified), unfilled=len(unfilled))
                  if unverified or unfilled else template_dir)
        colophon = _colophon(chosen, inputs, template, started_at)
        with _stage("render", stages, progress):
            warnings = render_formats(chosen, staging / NOTEBOOK, formats, styles, colophon)
        with _stage("archive", stages, progress):
            archive.write_manifest(staging, Manifest(
                park=park_id, years=years, window=_window(years), parameters=parameters,
                inputs=inputs, template=template, outputs=_outputs(staging),
                engine=EngineRecord(name=chosen.name, versions=chosen.versions()), formats=formats,
                versions=archive.environment_versions(),
                command=list(sys.argv if command is None else command),
                started_at=started_at, finished_at=_now(), stages={k: round(v, 3) for k, v in stages.items()},
            ))
            archive.place_archive(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        marked.cleanup()
    return execution, stages, warnings


@contextmanager
def _locked(final: Path) -> Iterator[None]:
    """Hold the archive's lock (a second render of the same park-window is refused, not merged)."""
    held = ExitStack()
    with _output_errors(final):
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            held.enter_context(archive.archive_lock(final))
        except archive.ArchiveBusy as exc:
            raise RenderError("setup", str(exc)) from None
    with held:
        yield


@contextmanager
def _output_errors(final: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise RenderError("setup", f"cannot write to the output folder {final.parent}: "
                                   f"{exc.strerror or exc}; any earlier archive there is unchanged") from None


def _check_years(years: Sequence[int]) -> list[int]:
    years = list(years)
    if not years or years != list(range(years[0], years[0] + len(years))):
        raise RenderError("setup", f"years must be consecutive and ascending, got {years}")
    return years


def _check_formats(formats: Sequence[str]) -> list[str]:
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise RenderError("setup", f"formats must be some of {', '.join(FORMATS)}; got {', '.join(formats) or 'none'}")
    return list(dict.fromkeys(formats))


def _window(years: Sequence[int]) -> str:
    return f"{years[0]}-{years[-1]}"


def _parameters(park_id: str, years: list[int], inputs: list[InputFile], base_year: int | None,
                options: Mapping[str, Any] | None) -> dict[str, Any]:
    by_role = {role: [i.path for i in inputs if i.role == role] for role in ROLE_LABELS}
    parameters = {
        "park": park_id,
        "years": years,
        "input_path": by_role["park"][0],
        "catalog_path": by_role["catalog"][0],
        "factor_paths": by_role["factors"],
        "base_year": base_year,
        "options": dict(options or {}),
        "results_path": RESULTS,
    }
    json.dumps(parameters, allow_nan=False)  # parameters go to the manifest: JSON only
    return parameters


def check_previous(final: Path, new: dict[str, Any], template: dict[str, str], force: bool,
                    progress: Progress) -> str:
    """Decide what to do with an archive already at `final`; refuse unless it is safe or forced."""
    if not final.exists():
        return "none"
    if (final / SIGNATURE).exists():
        progress(f"[evalkit] archive  {final} is signed; a new render is not: sign it again (evalkit sign)")
    try:
        old = archive.read_manifest(final)
    except (OSError, ValueError):
        differences = [f"{archive.MANIFEST} is missing or unreadable (not an evalkit archive?)"]
    else:
        differences = [str(d) for d in archive.diff_json(old.fingerprint(), new)]
        if not differences:
            changed = sorted(k for k in old.template.keys() | template.keys()
                             if old.template.get(k) != template.get(k))
            note = f" (template changed: {', '.join(changed)})" if changed else ""
            progress(f"[evalkit] archive  {final} was made from the same inputs: rendering it again{note}")
            return "same-inputs"
    if not force:
        raise ArchiveConflict(str(final), differences)
    progress(f"[evalkit] archive  --force: replacing {final}, made from different inputs")
    return "replaced"


def read_results(path: Path) -> dict[str, Any]:
    """The results.json an executed notebook wrote (its `results_path` parameter), parsed."""
    if not path.is_file():
        raise RenderError("execute", f"the notebook did not write {RESULTS} (its `results_path` parameter)")
    try:
        return json.loads(path.read_text("utf-8"))
    except ValueError as exc:
        raise RenderError("execute", f"{RESULTS} written by the notebook is not valid JSON: {exc}") from None


def render_formats(engine: Engine, notebook: Path, formats: Sequence[str], styles: Path, colophon: Md) -> list[str]:
    """Render the executed `notebook` as report.<format> beside it, in one engine call (the engine
    reads the notebook once and writes the formats side by side where it can); its warnings."""
    with tempfile.TemporaryDirectory(prefix="evalkit-render-") as work:
        job = RenderJob(notebook, {fmt: notebook.parent / f"report.{fmt}" for fmt in formats}, styles, Path(work),
                        colophon)
        warnings = engine.render(job)
        for fmt, output in job.outputs.items():
            if not output.is_file():
                raise RenderError(fmt, f"engine {engine.name} reported success but wrote no {output.name}")
    return warnings


def _outputs(staging: Path) -> dict[str, str]:
    return {path: sha for path, sha in archive.hash_tree(staging).items()
            if not path.startswith(f"{archive.INPUTS_DIR}/")}


def _colophon(engine: Engine, inputs: list[InputFile], template: dict[str, str], started_at: str) -> Md:
    stamp = datetime.fromisoformat(started_at).strftime("%Y-%m-%d %H:%M UTC")
    # Input file names are the user's (--catalog, --factors): escaped like all user text. Evidence
    # files are counted here and listed with their hashes in the report's evidence register.
    evidence = [i for i in inputs if _is_evidence(i)]
    rows = [
        ("生成工具", f"evalkit {evalkit.__version__}，Python {platform.python_version()}", ""),
        ("渲染引擎", f"{engine.name}（{engine.describe()}）", ""),
        *((ROLE_LABELS[i.role], i.path, i.sha256[:16]) for i in inputs if not _is_evidence(i)),
        # Files, not register entries: an entry may have no file, or share one (the register counts 份).
        *((("证明材料文件", f"{len(evidence)}个（SHA-256 见附录“证明材料清单”及 manifest.json）", ""),) if evidence else ()),
        ("报告模板", NOTEBOOK, template[NOTEBOOK][:16]),
        ("生成时间", stamp, ""),
    ]
    # Relative widths 4:10:6 once a row is too long for pandoc's automatic widths.
    return markup.paragraphs(
        Md("# 版本说明"),
        Md("本报告的输入文件、执行后的笔记本与评价结果（results.json）一并存档，完整的 SHA-256 与软件版本见"
           "存档中的 manifest.json，可用 `evalkit verify` 复核。"),
        markup.table(["项目", "内容", "SHA-256（前 16 位）"], rows, widths=[4, 10, 6]))


def _is_evidence(item: InputFile) -> bool:
    return item.role == "park" and "/evidence/" in item.path


@contextmanager
def _stage(name: str, stages: dict[str, float], progress: Progress) -> Iterator[None]:
    """Time a stage, report it, and make any failure inside it name the stage."""
    start = time.perf_counter()
    try:
        yield
    except RenderError:
        raise
    except Exception as exc:
        raise RenderError(name, f"{type(exc).__name__}: {exc}") from exc
    stages[name] = time.perf_counter() - start
    progress(f"[evalkit] {name:<8} {stages[name]:.1f} s")


@contextmanager
def _setup_errors() -> Iterator[None]:
    try:
        yield
    except (OSError, ValueError) as exc:
        raise RenderError("setup", str(exc)) from exc


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def planned_fingerprint(park_id: str, years: Sequence[int], *, input_path: Path | str, catalog_path: Path | str,
                        catalog_files: Sequence[Path | str] = (), factor_paths: Sequence[Path | str] = (),
                        base_year: int | None = None,
                        options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The fingerprint `render_report` would give these inputs (what 'the same inputs' means for an
    archive): lets a caller see whether an archive is current without running anything."""
    inputs = archive.plan_inputs(Path(input_path), Path(catalog_path), [Path(p) for p in factor_paths],
                                 [Path(p) for p in catalog_files])
    return archive.fingerprint(inputs, _parameters(park_id, _check_years(years), inputs, base_year, options))
