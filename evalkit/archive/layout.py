"""The archive of one evaluation, `outputs/<park>/<window>/`, and its manifest.

Layout::

    report.ipynb          the executed notebook (papermill output)
    report.html|docx|pdf  the rendered report
    results.json          the evaluation result, written by the notebook via `write_results`
    inputs/park/...       copies of the park input file,
    inputs/catalog/...    the indicator catalog
    inputs/factors/...    and any factor table, exactly as used
    manifest.json         SHA-256 of every input (taken before the run), of the template and of
                          every output; tool versions; command line; times; engine

This module only stores and compares; `evalkit.render` runs the stages. It is imported by the
report notebook itself (`write_results`), so it stays free of heavy imports.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import evalkit

MANIFEST = "manifest.json"
RESULTS = "results.json"
NOTEBOOK = "report.ipynb"
INPUTS_DIR = "inputs"
MANIFEST_FORMAT = 1

# Python packages whose versions can change what the report computes or shows.
RECORDED_PACKAGES = ("papermill", "nbclient", "nbformat", "ipykernel", "pandas", "numpy",
                     "matplotlib", "pydantic", "PyYAML", "pint", "openpyxl")


# --- results -------------------------------------------------------------------------------

def results_json(results: Any) -> str:
    """Serialize `results` deterministically: sorted keys, fixed layout, no NaN/inf.

    Accepts a pydantic model or anything `json` can encode. The same result always gives the
    same bytes, which is what lets `evalkit verify` demand an exact reproduction. Times do not
    belong in results (they go to the manifest).
    """
    if isinstance(results, BaseModel):
        results = results.model_dump(mode="json")
    return json.dumps(results, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


def write_results(results: Any, path: str | Path) -> None:
    """Write the evaluation result to `path` (the notebook's `results_path` parameter)."""
    Path(path).write_text(results_json(results), encoding="utf-8")


# --- hashing and inputs ----------------------------------------------------------------------

def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class InputFile(BaseModel):
    """One input file: where it came from and where its copy sits in the archive."""

    role: str
    """park, catalog or factors."""
    path: str
    """Path inside the archive (POSIX), e.g. `inputs/park/demo.yaml`; the notebook reads this."""
    source: str
    """The file it was copied from, as given on the command line."""
    sha256: str


def plan_inputs(input_path: Path, catalog_path: Path, factor_paths: Sequence[Path] = (),
                catalog_files: Sequence[Path] = (), park_files: Sequence[Path] = ()) -> list[InputFile]:
    """Hash every input now, before anything runs, and assign its place in the archive.

    `catalog_files` are files the catalog refers to by a path relative to itself (e.g. its
    basic-requirements checklist); they keep that relative path beside the catalog's copy.
    `park_files` are the park's evidence files (证明材料), kept likewise relative to the park file
    (`inputs/park/evidence/<park>/…`), so they are archived and hashed with it.
    """
    catalog_path = Path(catalog_path)
    planned = [("park", Path(input_path), Path(input_path).name),
               ("catalog", catalog_path, catalog_path.name)]
    planned += [("catalog", companion, _relative(companion, catalog_path, "catalog")) for companion in catalog_files]
    planned += [("park", companion, _relative(companion, Path(input_path), "park")) for companion in park_files]
    planned += [("factors", Path(p), Path(p).name) for p in factor_paths]

    inputs: list[InputFile] = []
    for role, source, name in planned:
        if not source.is_file():
            raise FileNotFoundError(f"{role} file not found: {source}")
        path = f"{INPUTS_DIR}/{role}/{name}"
        if any(i.path == path for i in inputs):
            raise ValueError(f"two {role} files are named {name}; rename one")
        inputs.append(InputFile(role=role, path=path, source=str(source), sha256=sha256_file(source)))
    return inputs


def _relative(companion: Path | str, owner: Path, role: str) -> str:
    try:
        return Path(companion).resolve().relative_to(owner.resolve().parent).as_posix()
    except ValueError:
        raise ValueError(f"{role} file {companion} is not in the {role}'s folder {owner.parent}") from None


def copy_inputs(inputs: Iterable[InputFile], archive_dir: Path) -> None:
    """Copy the inputs into `archive_dir`; fail if a file changed since `plan_inputs` hashed it."""
    for item in inputs:
        target = archive_dir / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(item.source, target)
        if sha256_file(target) != item.sha256:
            raise ValueError(f"{item.source} changed while the report was being made; run again")


def hash_tree(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under `directory` (hidden files and caches excluded), by POSIX path."""
    return {
        path.relative_to(directory).as_posix(): sha256_file(path)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not any(part.startswith((".", "__pycache__"))
                                      for part in path.relative_to(directory).parts)
    }


# --- manifest ----------------------------------------------------------------------------------

class EngineRecord(BaseModel):
    name: str
    versions: dict[str, str]


class Manifest(BaseModel):
    """What `manifest.json` holds. Everything needed to re-run and to audit the run."""

    manifest_format: int = MANIFEST_FORMAT
    park: str
    years: list[int]
    window: str
    parameters: dict[str, Any]
    """Exactly the parameters papermill gave the notebook (paths relative to the archive)."""
    inputs: list[InputFile]
    template: dict[str, str]
    """SHA-256 of every file of the report template, by path inside the template directory."""
    outputs: dict[str, str]
    """SHA-256 of every file the run produced, by path inside the archive."""
    engine: EngineRecord
    formats: list[str]
    versions: dict[str, str | None]
    command: list[str]
    started_at: str
    finished_at: str
    stages: dict[str, float]
    """Seconds per stage."""

    def fingerprint(self) -> dict[str, Any]:
        return fingerprint(self.inputs, self.parameters)


def fingerprint(inputs: Iterable[InputFile], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """What makes two runs 'the same inputs': the input files' contents and the parameters."""
    return {"inputs": {i.path: i.sha256 for i in inputs}, "parameters": dict(parameters)}


def read_manifest(archive_dir: Path) -> Manifest:
    return Manifest.model_validate_json((archive_dir / MANIFEST).read_text("utf-8"))


def write_manifest(archive_dir: Path, manifest: Manifest) -> None:
    text = json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=True)
    (archive_dir / MANIFEST).write_text(text + "\n", encoding="utf-8")


def environment_versions() -> dict[str, str | None]:
    """Versions of evalkit, Python and the packages that shape the results."""
    versions: dict[str, str | None] = {"evalkit": evalkit.__version__, "python": platform.python_version()}
    for package in RECORDED_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def check_integrity(archive_dir: Path, manifest: Manifest) -> list[str]:
    """Archive files whose content no longer matches the SHA-256 the manifest recorded."""
    expected = {i.path: i.sha256 for i in manifest.inputs} | manifest.outputs
    problems = []
    for path, sha in sorted(expected.items()):
        file = archive_dir / path
        if not file.is_file():
            problems.append(f"{path}: missing")
        elif sha256_file(file) != sha:
            problems.append(f"{path}: SHA-256 differs from the manifest (changed after archiving)")
    return problems


# --- placing an archive ------------------------------------------------------------------------

def new_staging_dir(final: Path) -> Path:
    """An empty directory next to `final` (same file system, so the final move is a rename)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.{STAGING_MARK}", dir=final.parent)).resolve()
    staging.chmod(0o755)  # mkdtemp makes it private; the archive is an ordinary directory
    return staging


STAGING_MARK, ASIDE_MARK = "staging-", "old-"


def recover(final: Path) -> list[str]:
    """Repair what a killed run left next to `final`; call it holding the archive's lock (so no live
    run owns these folders). Returns one line per repair, for the progress log.

    - killed between the two renames of `place_archive`: `final` is gone and the earlier archive
      sits aside as `.<window>.old-*`: it is renamed back;
    - killed after the new archive was placed: leftover `.old-*` folders are deleted;
    - killed while staging: `.<window>.staging-*` folders are deleted.
    """
    if not final.parent.is_dir():
        return []
    done = []
    asides = sorted(final.parent.glob(f".{final.name}.{ASIDE_MARK}*"), key=lambda p: p.stat().st_mtime)
    if not final.exists() and asides:
        restored = asides.pop()
        restored.rename(final)
        done.append(f"restored the earlier archive {final} (a run was killed while replacing it)")
    for leftover in asides:
        shutil.rmtree(leftover, ignore_errors=True)
        done.append(f"removed {leftover.name}, left by a run killed after replacing the archive")
    for staging in final.parent.glob(f".{final.name}.{STAGING_MARK}*"):
        shutil.rmtree(staging, ignore_errors=True)
        done.append(f"removed {staging.name}, the unfinished work of a killed run")
    return done


def place_archive(staging: Path, final: Path) -> None:
    """Move the complete `staging` directory to `final`, replacing an earlier archive.

    The earlier archive is renamed aside first and deleted only once the new one is in place, so at
    every moment one complete archive exists: in place, or aside until `recover` puts it back.
    """
    aside = None
    if final.exists():
        aside = final.with_name(f".{final.name}.{ASIDE_MARK}{uuid.uuid4().hex[:8]}")
        final.rename(aside)
    try:
        staging.rename(final)
    except OSError:
        if aside is not None:
            aside.rename(final)
        raise
    if aside is not None:
        shutil.rmtree(aside)


# --- comparing JSON ------------------------------------------------------------------------------

class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


ABSENT = _Absent()


@dataclass(frozen=True)
class Difference:
    """One place where two JSON documents differ; `old`/`new` is ABSENT where a side lacks it."""

    path: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.path}: {_show(self.old)} -> {_show(self.new)}"


def _show(value: Any) -> str:
    return repr(value) if value is ABSENT else json.dumps(value, ensure_ascii=False)


def diff_json(old: Any, new: Any, path: str = "$") -> list[Difference]:
    """Every difference between two parsed JSON documents, by JSONPath; exact (1 != 1.0)."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(old.keys() | new.keys()):
            child = f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key, ensure_ascii=False)}]"
            found += diff_json(old.get(key, ABSENT), new.get(key, ABSENT), child)
        return found
    if isinstance(old, list) and isinstance(new, list):
        found = []
        for index in range(max(len(old), len(new))):
            found += diff_json(old[index] if index < len(old) else ABSENT,
                               new[index] if index < len(new) else ABSENT, f"{path}[{index}]")
        return found
    if type(old) is type(new) and old == new:
        return []
    return [Difference(path, old, new)]
