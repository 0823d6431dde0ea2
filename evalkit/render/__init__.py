"""Execute the report notebook, render it, archive and verify it.

API for the CLI (`evalkit render`, `evalkit verify`), which stays a thin layer over it::

    render_report(park_id, years, *, input_path, catalog_path, catalog_files=(), factor_paths=(),
                  base_year=None, options=None, output_dir="outputs",
                  formats=("html", "docx", "pdf"), engine="auto", force=False, command=None,
                  template_dir=TEMPLATE_DIR, progress=print_progress) -> RenderOutcome
    verify_archive(archive_dir, *, trusted=None, progress=print_progress) -> VerifyOutcome

Both raise `RenderError` (`.stage` names the failed stage; subclasses `NotebookError` for a
failing cell and `ArchiveConflict` for a refused overwrite): print it and exit 1.
`VerifyOutcome.ok` decides verify's exit status, `VerifyOutcome.report()` is its message.

Modules: `execute` (papermill, kernel check), `engines` (registry) with `quarto` and `pandoc`,
`typst_worker` (CJK font for Typst, the child process compiling the PDF), `pipeline`
(render_report), `verify` (verify_archive); `evalkit.archive` holds the archive layout, manifest
and JSON comparison.

May import: every package below it (it is the top but for `evalkit.cli`).
"""

from evalkit.render import pandoc, quarto  # noqa: F401  (register the built-in engines)
from evalkit.render.engines import ENGINES, FORMATS, Engine, RenderJob, get_engine, register
from evalkit.render.errors import ArchiveConflict, NotebookError, RenderError
from evalkit.render.execute import Execution
from evalkit.render.pipeline import TEMPLATE_DIR, RenderOutcome, planned_fingerprint, print_progress, render_report
from evalkit.render.verify import VerifyOutcome, verify_archive

__all__ = [
    "ENGINES", "FORMATS", "TEMPLATE_DIR", "ArchiveConflict", "Engine", "Execution", "NotebookError",
    "RenderError", "RenderJob", "RenderOutcome", "VerifyOutcome", "get_engine", "planned_fingerprint", "print_progress",
    "register", "render_report", "verify_archive",
]
