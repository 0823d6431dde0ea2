"""`verify_archive`: re-execute an archived notebook from the archived inputs and check that it
reproduces the archived results.json exactly."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from evalkit import archive
from evalkit.archive import INPUTS_DIR, NOTEBOOK, RESULTS, Difference
from evalkit.render.errors import RenderError
from evalkit.render.execute import execute_notebook
from evalkit.render.pipeline import Progress, print_progress


@dataclass(frozen=True)
class VerifyOutcome:
    archive: Path
    differences: list[Difference]
    """Where the re-executed results.json differs from the archived one (JSONPath, old, new)."""
    altered: list[str]
    """Archive files whose SHA-256 no longer matches the manifest."""
    version_changes: list[str]
    """Tools whose version differs from the manifest's; a hint when results differ."""
    seconds: float

    @property
    def ok(self) -> bool:
        """results.json reproduced exactly, and the archive is as it was made."""
        return not self.differences and not self.altered

    def report(self) -> str:
        """Human-readable verdict for the CLI (exit 0 if `ok`, else 1)."""
        lines = [f"{self.archive}/{RESULTS}: "
                 + ("reproduced exactly" if not self.differences
                    else f"NOT reproduced, {len(self.differences)} difference(s) (archived -> re-executed):")]
        lines += [f"  {d}" for d in self.differences]
        if self.altered:
            lines.append("archive files changed since they were archived:")
            lines += [f"  {a}" for a in self.altered]
        if self.version_changes:
            lines.append("versions now differ from the manifest:")
            lines += [f"  {v}" for v in self.version_changes]
        return "\n".join(lines)


def verify_archive(archive_dir: Path | str, *, progress: Progress = print_progress) -> VerifyOutcome:
    """Re-execute `archive_dir`/report.ipynb in a temporary directory, with the parameters of the
    manifest and the archived inputs, and compare the results.json it writes with the archived one.

    Also checks every archived file against the SHA-256 in the manifest. Raises `RenderError` if
    the archive has no manifest or the notebook fails.
    """
    archive_dir = Path(archive_dir)
    start = time.perf_counter()
    try:
        manifest = archive.read_manifest(archive_dir)
        archived = json.loads((archive_dir / RESULTS).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise RenderError("verify", f"{archive_dir} is not a readable evalkit archive: {exc}") from None
    altered = archive.check_integrity(archive_dir, manifest)

    with tempfile.TemporaryDirectory(prefix="evalkit-verify-") as tmp:
        work = Path(tmp)
        try:
            shutil.copytree(archive_dir / INPUTS_DIR, work / INPUTS_DIR)
            shutil.copyfile(archive_dir / NOTEBOOK, work / "archived.ipynb")
        except OSError as exc:
            raise RenderError("verify", f"{archive_dir} lacks its notebook or inputs: {exc}") from None
        execution = execute_notebook(work / "archived.ipynb", work / NOTEBOOK, manifest.parameters, cwd=work)
        progress(f"[evalkit] execute  {execution.seconds:.1f} s")
        results = work / manifest.parameters.get("results_path", RESULTS)
        if not results.is_file():
            raise RenderError("verify", f"the re-executed notebook did not write {results.name}")
        reproduced = json.loads(results.read_text("utf-8"))

    return VerifyOutcome(
        archive=archive_dir,
        differences=archive.diff_json(archived, reproduced),
        altered=altered,
        version_changes=_version_changes(manifest),
        seconds=time.perf_counter() - start,
    )


def _version_changes(manifest: archive.Manifest) -> list[str]:
    now = archive.environment_versions()
    return [f"{tool}: {then} -> {now.get(tool)}" for tool, then in manifest.versions.items()
            if now.get(tool) != then]
