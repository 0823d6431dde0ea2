"""`evalkit batch`: every park's report for one window, in parallel processes.

Each park runs `render_report` in a process of its own (papermill starts one kernel per report), so
memory stays that of `jobs` reports whatever the number of parks. A park whose archive is
current — same input fingerprint as `render_report` computes it, same template, every format
present, files intact — is skipped. A park that fails is recorded with its error and the others go
on. The summary (park, grade, index, level shares, coverage, overall verdict, archive, status)
is written as outputs/batch-<window>.csv and .xlsx. Archives are placed by one rename each, so
Ctrl-C leaves every finished archive intact; unfinished parks are listed as interrupted.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit import archive, carbon
from evalkit.archive import RESULTS
from evalkit.catalog import load_catalog, referenced_files
from evalkit.core.problems import InputError
from evalkit.evaluation.results import Result
from evalkit.intake import find_park_file
from evalkit.portfolio.common import coverage_of, level_shares, verdict_of
from evalkit.render import TEMPLATE_DIR, ArchiveConflict, RenderError, planned_fingerprint, render_report
from evalkit.runs.collect import current_archive, load_checked


@dataclass(frozen=True)
class BatchJob:
    park: str
    years: list[int]
    params_dir: str
    catalog_path: str
    factor_path: str
    output_dir: str
    formats: list[str]
    engine: str
    force: bool
    command: list[str]


@dataclass
class ParkRow:
    park: str
    status: str
    """rendered, unchanged (skipped: its archive is current), failed or interrupted."""
    name: str = ""
    park_type: str = ""
    grade: str = ""
    index: float | None = None
    level_shares: dict[str, float] = field(default_factory=dict)
    coverage: float | None = None
    verdict: str = ""
    archive: str = ""
    seconds: float = 0.0
    error: str = ""


def render_park(job: BatchJob) -> ParkRow:
    """One park's report (in a worker process); every failure becomes the row's error, never an exception."""
    start = time.perf_counter()
    row = ParkRow(park=job.park, status="failed")
    try:
        catalog_path, factor_path = Path(job.catalog_path), Path(job.factor_path)
        catalog = load_catalog(catalog_path)
        factors = carbon.load_factors(factor_path)
        load_checked(job.park, Path(job.params_dir), catalog, job.years, factors)
        input_path = find_park_file(job.park, Path(job.params_dir))
        final = Path(job.output_dir) / job.park / f"{job.years[0]}-{job.years[-1]}"
        files = referenced_files(catalog_path)
        fingerprint = planned_fingerprint(job.park, job.years, input_path=input_path, catalog_path=catalog_path,
                                          catalog_files=files, factor_paths=[factor_path])
        if _unchanged(final, fingerprint, job.formats):
            row.status = "unchanged"
        else:
            render_report(job.park, job.years, input_path=input_path, catalog_path=catalog_path, catalog_files=files,
                          factor_paths=[factor_path], output_dir=job.output_dir, formats=job.formats,
                          engine=job.engine, force=job.force, command=job.command, progress=lambda line: None)
            row.status = "rendered"
        _fill(row, final)
    except InputError as exc:
        row.error = "input problems: " + "; ".join(f"{p.file} {p.field} {p.year or ''} {p.value!r}: {p.expected}"
                                                   for p in exc.problems if p.severity == "error")
    except ArchiveConflict as exc:
        row.error = f"{exc} (pass --force to replace it)"
    except RenderError as exc:
        row.error = str(exc)
    except Exception as exc:  # a bug in one park must not stop the others; it is reported with its type
        row.error = f"internal error: {type(exc).__name__}: {exc}"
    row.seconds = round(time.perf_counter() - start, 2)
    return row


def _unchanged(final: Path, fingerprint: dict[str, Any], formats: Sequence[str]) -> bool:
    if current_archive(final, fingerprint) is None:
        return False
    manifest = archive.read_manifest(final)
    return (manifest.template == archive.hash_tree(TEMPLATE_DIR)
            and all(f in manifest.formats for f in formats) and not archive.check_integrity(final, manifest))


def _fill(row: ParkRow, final: Path) -> None:
    raw = json.loads((final / RESULTS).read_text("utf-8"))
    result = Result.model_validate(raw)
    row.name, row.park_type = result.park_name, result.profile.get("park_type") or ""
    row.grade, row.index, row.verdict = result.grade, result.index, verdict_of(result) or ""
    row.level_shares, row.coverage, row.archive = level_shares(result), coverage_of(raw), str(final)


Reporter = Callable[[int, int, int, int], None]
"""Called about once a second: (done, running, failed, total)."""


def run_batch(jobs: Sequence[BatchJob], *, workers: int, report: Reporter | None = None,
              grace_seconds: float = 5.0) -> list[ParkRow]:
    """Render every job, at most `workers` at a time, each in a fresh process; rows in the order of `jobs`.

    A fresh process per park (spawned: nothing inherited) means nothing one report leaves behind
    accumulates: memory stays that of `workers` reports however many parks there are, for about a
    second of imports per park.
    On KeyboardInterrupt the workers get `grace_seconds` to finish or clean up (Ctrl-C in a terminal
    reaches them too), then are stopped; a park whose report was completed meanwhile keeps it, the
    others are marked interrupted and their staging folders removed; `BatchInterrupted` is raised."""
    context = multiprocessing.get_context("spawn")
    report = report or (lambda *counts: None)
    waiting = list(jobs)
    running: dict[str, tuple[Any, Any]] = {}  # park → (process, receiving end of its pipe)
    rows: dict[str, ParkRow] = {}
    try:
        while waiting or running:
            while waiting and len(running) < max(1, workers):
                job = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_worker, args=(job, send), name=f"evalkit-batch-{job.park}")
                process.start()
                send.close()
                running[job.park] = (process, receive)
            report(len(rows), len(running), sum(r.status == "failed" for r in rows.values()), len(jobs))
            ready = multiprocessing.connection.wait([receive for _, receive in running.values()], timeout=1.0)
            for park, (process, receive) in list(running.items()):
                if receive not in ready:
                    continue
                try:
                    rows[park] = receive.recv()
                except EOFError:  # the process died without a word
                    process.join()
                    rows[park] = ParkRow(park=park, status="failed", error=f"worker exited with code {process.exitcode}")
                process.join()
                del running[park]
        report(len(rows), 0, sum(r.status == "failed" for r in rows.values()), len(jobs))
    except KeyboardInterrupt:
        _stop([process for process, _ in running.values()], grace_seconds)
        for park, (_, receive) in running.items():
            if park not in rows and receive.poll():
                try:
                    rows[park] = receive.recv()
                except EOFError:
                    pass
        for job in jobs:
            if job.park not in rows:
                _remove_staging(job)
                rows[job.park] = ParkRow(park=job.park, status="interrupted", error="interrupted (Ctrl-C)")
        raise BatchInterrupted([rows[j.park] for j in jobs]) from None
    return [rows[j.park] for j in jobs]


def _worker(job: BatchJob, send) -> None:
    try:
        row = render_park(job)
    except KeyboardInterrupt:  # Ctrl-C in a terminal reaches the workers too; render_report has cleaned up
        row = ParkRow(park=job.park, status="interrupted", error="interrupted (Ctrl-C)")
    send.send(row)
    send.close()


def _stop(processes: list, grace: float = 5.0) -> None:
    """Give interrupted workers `grace` seconds to clean up, then terminate the rest."""
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.terminate()
            process.join()


def _remove_staging(job: BatchJob) -> None:
    """A stopped report's staging folder (never an archive: those are placed by one rename)."""
    window = f"{job.years[0]}-{job.years[-1]}"
    for staging in (Path(job.output_dir) / job.park).glob(f".{window}.staging-*"):
        shutil.rmtree(staging, ignore_errors=True)


class BatchInterrupted(KeyboardInterrupt):
    def __init__(self, rows: list[ParkRow]):
        super().__init__("batch interrupted")
        self.rows = rows


def summary_table(rows: Sequence[ParkRow], levels: Sequence[str] = ()):
    """The summary as a pandas DataFrame with Chinese-and-English headers, one row per park;
    target-level columns in the order of `levels` (the catalog's), then any other."""
    import pandas as pd

    levels = list(dict.fromkeys([*levels, *(name for r in rows for name in r.level_shares)]))
    records = []
    for r in rows:
        record = {"park": r.park, "name 名称": r.name, "type 类型": r.park_type, "status 状态": r.status,
                  "grade 等级": r.grade, "index 指数": r.index}
        record |= {f"{name} share 得分率": (round(r.level_shares[name], 4) if name in r.level_shares else None)
                   for name in levels}
        record |= {"coverage 数据覆盖率": None if r.coverage is None else round(r.coverage, 4), "overall 整体评价": r.verdict, "archive 存档": r.archive,
                   "seconds 用时": r.seconds, "error 错误": r.error}
        records.append(record)
    return pd.DataFrame.from_records(records)


def write_summary(rows: Sequence[ParkRow], output_dir: Path, window: str, levels: Sequence[str] = ()) -> list[Path]:
    """outputs/batch-<window>.csv and .xlsx, each written aside and moved in place."""
    table = summary_table(rows, levels)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix in ("csv", "xlsx"):
        final = output_dir / f"batch-{window}.{suffix}"
        partial = final.with_name(f".{final.name}.partial-{os.getpid()}")
        if suffix == "csv":
            table.to_csv(partial, index=False, encoding="utf-8-sig")  # the BOM lets Excel read Chinese
        else:
            table.to_excel(partial, index=False, sheet_name=f"batch {window}", engine="openpyxl")
        partial.replace(final)
        written.append(final)
    return written
