"""Execute a portfolio notebook (compare, trend, statement) and archive it like a park report.

The archive has the park report's layout — the executed notebook as report.ipynb, results.json
(the document's own model), report.html|docx|pdf, inputs/ with every file the notebook read, and
manifest.json with the fingerprint, template hashes, versions and times — so `evalkit verify`
re-executes it from the archived inputs. An archive made from other inputs is replaced only with
`force`; a failed run leaves the earlier archive as it was (staging, then one rename).
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import evalkit
from evalkit import archive
from evalkit.archive import NOTEBOOK, RESULTS, EngineRecord, InputFile, Manifest
from evalkit.render import FORMATS, TEMPLATE_DIR, RenderError, draft, get_engine
from evalkit.render.execute import execute_notebook, started_kernel
from evalkit.render.pipeline import Progress, check_previous, print_progress, read_results, render_formats
from evalkit.report.markup import Md, paragraphs, table

ROLE_LABELS = {"park": "园区数据文件", "catalog": "指标目录", "factors": "因子表", "results": "园区评价结果",
               "rated": "定级评价结果"}


class DocumentManifest(Manifest):
    """A park report's manifest plus what kind of document it is and which parks it covers."""

    kind: str
    parks: list[str]


@dataclass(frozen=True)
class DocumentOutcome:
    archive: Path
    engine: str
    files: dict[str, Path]
    previous: str
    warnings: list[str]


def input_file(role: str, source: Path, name: str | None = None) -> InputFile:
    """An input of `role` to be copied to inputs/<role>/<name>, hashed now."""
    source = Path(source)
    if not source.is_file():
        raise RenderError("setup", f"{role} file not found: {source}")
    return InputFile(role=role, path=f"{archive.INPUTS_DIR}/{role}/{name or source.name}", source=str(source),
                     sha256=archive.sha256_file(source))


def render_document(kind: str, template: str, *, label: str, parks: Sequence[str], years: Sequence[int],
                    parameters: dict[str, Any], inputs: Sequence[InputFile], final: Path,
                    formats: Sequence[str] = FORMATS, engine: str = "auto", force: bool = False,
                    command: Sequence[str] | None = None, template_dir: Path = TEMPLATE_DIR,
                    progress: Progress = print_progress) -> DocumentOutcome:
    """Run report_template/`template` with `parameters` (paths relative to the archive; it must write
    `parameters['results_path']`), render `formats` and archive everything at `final`."""
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    start = time.perf_counter()
    template_dir = Path(template_dir).resolve()
    if not (template_dir / template).is_file():
        raise RenderError("setup", f"no template {template} in {template_dir}")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise RenderError("setup", f"formats must be some of {', '.join(FORMATS)}; got {', '.join(formats) or 'none'}")
    json.dumps(parameters, allow_nan=False)
    chosen = get_engine(engine)
    template_hashes = archive.hash_tree(template_dir)
    fingerprint = archive.fingerprint(inputs, parameters)
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        with archive.archive_lock(final):  # one writer per archive, as for a park report
            for note in archive.recover(final):
                progress(f"[evalkit] archive  {note}")
            previous = check_previous(final, fingerprint, template_hashes, force, progress)
            warnings = _run(kind, template, label, parks, years, parameters, inputs, final, formats, chosen,
                            command, template_dir, template_hashes, started_at, progress)
    except archive.ArchiveBusy as exc:
        raise RenderError("setup", str(exc)) from None
    progress(f"[evalkit] done     {final} ({time.perf_counter() - start:.1f} s)")
    files = {"notebook": final / NOTEBOOK, "results": final / RESULTS, "manifest": final / archive.MANIFEST}
    files |= {fmt: final / f"report.{fmt}" for fmt in dict.fromkeys(formats)}
    return DocumentOutcome(final, chosen.name, files, previous, warnings)


def _run(kind: str, template: str, label: str, parks: Sequence[str], years: Sequence[int],
         parameters: dict[str, Any], inputs: Sequence[InputFile], final: Path, formats: Sequence[str], chosen,
         command: Sequence[str] | None, template_dir: Path, template_hashes: dict[str, str], started_at: str,
         progress: Progress) -> list[str]:
    """Execute, render and write the manifest in a staging folder, then put it in place of `final`."""
    staging = archive.new_staging_dir(final)
    stages: dict[str, float] = {}
    marked = tempfile.TemporaryDirectory(prefix="evalkit-draft-")  # the template with the draft mark
    try:
        with started_kernel(staging) as kernel:  # it boots while the inputs are copied
            archive.copy_inputs(inputs, staging)
            tick = time.perf_counter()
            execute_notebook(template_dir / template, staging / NOTEBOOK, parameters, kernel=kernel)
            stages["execute"] = time.perf_counter() - tick
        progress(f"[evalkit] execute  {stages['execute']:.1f} s")
        # The document's grades rest on its evaluations' references: draft while any is unconfirmed,
        # marked on every page like a park report (the notice atop the document lists them).
        unverified = draft.unverified_references(read_results(staging / RESULTS))
        styles = (draft.marked_template(template_dir, Path(marked.name), len(unverified), listed_in="文首说明")
                  if unverified else template_dir)
        colophon = _colophon(chosen, inputs, template, template_hashes, started_at)
        tick = time.perf_counter()
        formats = list(dict.fromkeys(formats))
        warnings = [f"render: {w}" for w in render_formats(chosen, staging / NOTEBOOK, formats, styles, colophon)]
        stages["render"] = time.perf_counter() - tick
        progress(f"[evalkit] render   {stages['render']:.1f} s ({', '.join(formats)})")
        archive.write_manifest(staging, DocumentManifest(
            kind=kind, parks=list(parks), park=label, years=list(years), window=f"{years[0]}-{years[-1]}",
            parameters=parameters, inputs=list(inputs), template=template_hashes,
            outputs={p: s for p, s in archive.hash_tree(staging).items() if not p.startswith(f"{archive.INPUTS_DIR}/")},
            engine=EngineRecord(name=chosen.name, versions=chosen.versions()), formats=list(dict.fromkeys(formats)),
            versions=archive.environment_versions(), command=list(sys.argv if command is None else command),
            started_at=started_at, finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            stages={k: round(v, 3) for k, v in stages.items()}))
        archive.place_archive(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        marked.cleanup()
    return warnings


def _colophon(engine, inputs: Sequence[InputFile], template: str, hashes: dict[str, str], started_at: str) -> Md:
    stamp = datetime.fromisoformat(started_at).strftime("%Y-%m-%d %H:%M UTC")
    # Input file names are the user's (--catalog, --factors): escaped like all user text.
    rows = [("生成工具", f"evalkit {evalkit.__version__}，Python {platform.python_version()}", ""),
            ("渲染引擎", f"{engine.name}（{engine.describe()}）", ""),
            *((ROLE_LABELS.get(i.role, i.role), i.path, i.sha256[:16]) for i in inputs),
            ("报告模板", template, hashes[template][:16]),
            ("生成时间", stamp, "")]
    return paragraphs(
        Md("## 版本说明"),
        Md("本文件的输入文件、执行后的笔记本与结果（results.json）一并存档，完整的 SHA-256 与软件版本见"
           "存档中的 manifest.json，可用 `evalkit verify` 复核。"),
        table(["项目", "内容", "SHA-256（前 16 位）"], rows, widths=[4, 10, 6]))
