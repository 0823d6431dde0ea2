"""`verify_archive`: re-compute an archived report's results with evalkit's own report template
and the archived inputs, and check that they reproduce the archived results.json exactly. The
comparison, trend and statement documents (manifest `kind`) are re-computed with their own template.

Nothing in the archive that could run is run: the archived notebook is only read (its code is
compared with the template's), the parameters are checked against what evalkit itself passes
(known names, plain values, paths of archived inputs), and the inputs are data that evalkit's
loaders read. The archive's signature, if any, is checked against the manifest as it is now.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit import archive
from evalkit.archive import INPUTS_DIR, NOTEBOOK, RESULTS, Difference
from evalkit.archive.signing import SignatureCheck, check_signature
from evalkit.intake.models import PARK_ID
from evalkit.render.errors import RenderError
from evalkit.render.execute import execute_notebook, started_kernel
from evalkit.render.pipeline import TEMPLATE_DIR, Progress, print_progress

PARAMETER_NAMES = {"park", "years", "input_path", "catalog_path", "factor_paths", "base_year", "options",
                   "results_path"}
OPTIONS = {"strict": bool, "final": bool}  # final: a formal report (render --final)
# The portfolio documents (evalkit compare, trend, statement) are archived like a park report with
# `kind` in their manifest; each is re-computed with its own template of report_template/.
KIND_TEMPLATES = {"report": NOTEBOOK, "compare": "compare.ipynb", "trend": "trend.ipynb",
                  "statement": "statement.ipynb"}


@dataclass(frozen=True)
class VerifyOutcome:
    archive: Path
    differences: list[Difference]
    """Where the re-computed results.json differs from the archived one (JSONPath, old, new)."""
    altered: list[str]
    """Archive files whose SHA-256 no longer matches the manifest, and archived notebook code that
    is not the template's."""
    version_changes: list[str]
    """Tools whose version differs from the manifest's; a hint when results differ."""
    seconds: float
    signature: SignatureCheck | None = None
    """The archive's signature checked (None: not signed)."""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """results.json reproduced exactly, the archive is as it was made, and a signature, if
        any, is valid (and its key trusted, when trusted keys were given)."""
        return not self.differences and not self.altered and (self.signature is None or self.signature.ok)

    def report(self) -> str:
        """Human-readable verdict for the CLI (exit 0 if `ok`, else 1)."""
        lines = [f"{self.archive}/{RESULTS}: "
                 + ("reproduced exactly" if not self.differences
                    else f"NOT reproduced, {len(self.differences)} difference(s) (archived -> re-computed):")]
        lines += [f"  {d}" for d in self.differences]
        if self.altered:
            lines.append("archive changed since it was made:")
            lines += [f"  {a}" for a in self.altered]
        lines.append(self.signature.report() if self.signature else
                     "signature: none (`evalkit sign` lets an assessor vouch for an archive)")
        lines += self.notes
        if self.version_changes:
            lines.append("versions now differ from the manifest:")
            lines += [f"  {v}" for v in self.version_changes]
        return "\n".join(lines)


def verify_archive(archive_dir: Path | str, *, trusted: dict[bytes, str] | None = None,
                   template_dir: Path | str = TEMPLATE_DIR, progress: Progress = print_progress) -> VerifyOutcome:
    """Execute evalkit's template notebook (`template_dir`, the installed one by default) in a
    temporary directory with the archived inputs and the manifest's checked parameters, and compare
    the results.json it writes with the archived one.

    Also checks every archived file against the SHA-256 in the manifest, the archived notebook's
    code against the template's, and the signature if there is one (`trusted`: public keys by
    key, see `evalkit.archive.signing.trusted_keys`). Raises `RenderError` if the archive has no
    readable manifest, its parameters are not evalkit's, or the template fails.
    """
    archive_dir = Path(archive_dir)
    start = time.perf_counter()
    try:
        manifest = archive.read_manifest(archive_dir)
        kind = json.loads((archive_dir / archive.MANIFEST).read_text("utf-8")).get("kind", "report")
        archived = json.loads((archive_dir / RESULTS).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise RenderError("verify", f"{archive_dir} is not a readable evalkit archive: {exc}") from None
    if kind not in KIND_TEMPLATES:
        raise RenderError("verify", f"{archive_dir} is of unknown kind {kind!r}; nothing was run")
    template = Path(template_dir) / KIND_TEMPLATES[kind]
    parameters = _checked_parameters(manifest) if kind == "report" else _document_parameters(kind, manifest)
    altered = archive.check_integrity(archive_dir, manifest)
    notes: list[str] = []
    altered += _foreign_code(archive_dir / NOTEBOOK, template, manifest, notes)
    signature = check_signature(archive_dir, trusted)

    with tempfile.TemporaryDirectory(prefix="evalkit-verify-") as tmp:
        work = Path(tmp)
        links = [p for p in (archive_dir / INPUTS_DIR).rglob("*") if p.is_symlink()]
        if links:
            raise RenderError("verify", f"{archive_dir} has symbolic links among its inputs "
                                        f"({', '.join(str(p) for p in links)}); nothing was run")
        with started_kernel(work) as kernel:  # it boots while the inputs are copied
            try:
                shutil.copytree(archive_dir / INPUTS_DIR, work / INPUTS_DIR, symlinks=False)
            except OSError as exc:
                raise RenderError("verify", f"{archive_dir} lacks its inputs: {exc}") from None
            execution = execute_notebook(template, work / NOTEBOOK, parameters, kernel=kernel)
        progress(f"[evalkit] execute  {execution.seconds:.1f} s (evalkit's template, archived inputs)")
        results = work / RESULTS
        if not results.is_file():
            raise RenderError("verify", f"the template did not write {RESULTS}")
        reproduced = json.loads(results.read_text("utf-8"))

    return VerifyOutcome(
        archive=archive_dir,
        differences=archive.diff_json(archived, reproduced),
        altered=altered,
        version_changes=_version_changes(manifest),
        seconds=time.perf_counter() - start,
        signature=signature,
        notes=notes,
    )


def _checked_parameters(manifest: archive.Manifest) -> dict[str, Any]:
    """The manifest's parameters, if they are what evalkit passes: known names, plain values, and
    paths that name archived inputs (nothing else reaches the notebook)."""
    given = manifest.parameters
    inputs = {i.path: i.role for i in manifest.inputs}
    wrong = []
    unknown = sorted(set(given) - PARAMETER_NAMES)
    if unknown:
        wrong.append(f"unknown parameters {unknown}")
    if not isinstance(given.get("park"), str) or not PARK_ID.match(given["park"]):
        wrong.append("park is not a park id")
    years = given.get("years")
    if not (isinstance(years, list) and years and all(type(y) is int and 1900 <= y <= 2100 for y in years)):
        wrong.append("years is not a list of years")
    if not (given.get("base_year") is None or type(given.get("base_year")) is int):
        wrong.append("base_year is not a year")
    options = given.get("options")
    if not isinstance(options, dict) or any(type(v) is not OPTIONS.get(k) for k, v in options.items()):
        wrong.append(f"options are not among {sorted(OPTIONS)}")
    if given.get("results_path") != RESULTS:
        wrong.append(f"results_path is not {RESULTS}")
    factor_paths = given.get("factor_paths")
    paths = [("park", given.get("input_path")), ("catalog", given.get("catalog_path")),
             *(("factors", p) for p in (factor_paths if isinstance(factor_paths, list) else [None]))]
    for role, path in paths:
        if not isinstance(path, str) or inputs.get(path) != role:
            wrong.append(f"{role} path {path!r} is not an archived {role} input")
    if wrong:
        raise RenderError("verify", "the manifest's parameters are not ones evalkit passes, so nothing "
                                    "was run: " + "; ".join(wrong))
    return {name: given.get(name) for name in PARAMETER_NAMES}


def _is_year(value: Any) -> bool:
    return type(value) is int and 1900 <= value <= 2100


def _is_years(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_year(y) for y in value)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 2000


def _document_parameters(kind: str, manifest: archive.Manifest) -> dict[str, Any]:
    """A portfolio document's parameters, if they are what evalkit passes: known names, plain
    values, and paths that name archived inputs of the right role (nothing else reaches the notebook)."""
    given = manifest.parameters
    inputs = {i.path: i.role for i in manifest.inputs}

    def archived(role: str):
        return lambda path: isinstance(path, str) and inputs.get(path) == role

    def all_of(check):
        return lambda values: isinstance(values, list) and all(check(v) for v in values)

    options = lambda v: isinstance(v, dict) and all(type(x) is OPTIONS.get(k) for k, x in v.items())  # noqa: E731
    park = lambda v: isinstance(v, str) and bool(PARK_ID.match(v))  # noqa: E731
    common = {"catalog_path": archived("catalog"), "results_path": lambda v: v == RESULTS}
    park_inputs = {"park": park, "input_path": archived("park"), "factor_paths": all_of(archived("factors")),
                   "options": options}
    rated_fields = {"archive": _is_text, "window": _is_years, "grade": _is_text,
                    "index": lambda v: v is None or type(v) in (int, float), "base_year": lambda v: v is None or _is_year(v),
                    "finished_at": _is_text, "results_sha256": _is_text}
    checks: dict[str, Any] = {
        "compare": {**common, "years": _is_years, "results_files": all_of(archived("results")),
                    "sources": all_of(_is_text), "by": lambda v: v in (None, "park_type")},
        "trend": {**common, **park_inputs, "span": _is_years, "windows": all_of(_is_years),
                  "skipped": all_of(lambda v: isinstance(v, dict) and set(v) == {"window", "reason_zh"}
                                    and _is_years(v["window"]) and _is_text(v["reason_zh"]))},
        "statement": {**common, **park_inputs, "year": _is_year, "window": _is_years,
                      "base_year": lambda v: v is None or _is_year(v), "rated_results_path": archived("rated"),
                      "rated": lambda v: isinstance(v, dict) and set(v) == set(rated_fields)
                      and all(rated_fields[k](x) for k, x in v.items())},
    }[kind]
    wrong = [f"unknown parameters {sorted(set(given) - set(checks))}"] if set(given) - set(checks) else []
    wrong += [f"{name} is not what evalkit {kind} passes" for name, check in checks.items() if not check(given.get(name))]
    if wrong:
        raise RenderError("verify", "the manifest's parameters are not ones evalkit passes, so nothing "
                                    "was run: " + "; ".join(wrong))
    return {name: given.get(name) for name in checks}


def _code_cells(notebook: Path) -> list[str]:
    """The code of a notebook's cells, read as JSON (never run); papermill's injected-parameters
    cell is left out (its values are checked as the manifest's parameters)."""
    cells = json.loads(notebook.read_text("utf-8"))["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells if c.get("cell_type") == "code"
            and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]


def _foreign_code(archived: Path, template: Path, manifest: archive.Manifest, notes: list[str]) -> list[str]:
    """How the archived notebook's code differs from the template's. Nothing archived is run
    either way; a difference is a finding if the template is the one the manifest records."""
    try:
        theirs = _code_cells(archived)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{NOTEBOOK}: unreadable ({type(exc).__name__})"]
    ours = _code_cells(template)
    changed = [n + 1 for n in range(max(len(ours), len(theirs)))
               if n >= len(ours) or n >= len(theirs) or ours[n] != theirs[n]]
    if not changed:
        notes.append(f"{NOTEBOOK}: its code is evalkit's template, cell for cell (it was read, not run)")
        return []
    finding = (f"{NOTEBOOK}: code cell(s) {', '.join(map(str, changed))} differ from evalkit's template; "
               "that code was not run (evalkit's template was)")
    if manifest.template.get(template.name) == archive.sha256_file(template):
        return [finding]
    notes.append(finding + "; the template has changed since the archive was made (other evalkit version?)")
    return []


def _version_changes(manifest: archive.Manifest) -> list[str]:
    now = archive.environment_versions()
    return [f"{tool}: {then} -> {now.get(tool)}" for tool, then in manifest.versions.items()
            if now.get(tool) != then]
