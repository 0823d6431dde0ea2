"""Errors of `evalkit render` and `evalkit verify`; each names the stage that failed."""

from __future__ import annotations

import re

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks, Quarto its messages


class RenderError(Exception):
    """A stage (setup, execute, html, docx, pdf, archive, verify) failed; the CLI prints it and exits 1."""

    def __init__(self, stage: str, message: str):
        self.stage = stage
        self.message = message
        super().__init__(f"{stage} failed: {message}")


class NotebookError(RenderError):
    """A cell of the report notebook raised; says which cell, what it raised and where.

    `traceback` holds the whole traceback as plain text, for a verbose CLI.
    """

    def __init__(self, cell_index: int, execution_count: int | None, source: str,
                 ename: str, evalue: str, traceback: list[str]):
        self.cell_index = cell_index
        self.execution_count = execution_count
        self.source = source
        self.ename = ename
        self.evalue = evalue
        self.traceback = "\n".join(ANSI_ESCAPE.sub("", part) for part in traceback)
        first_line = next((line for line in source.splitlines() if line.strip()), "")
        counter = f"In [{execution_count}]" if execution_count is not None else "not run"
        # The innermost frame: the evaluation code where it went wrong, not just the cell.
        frames = [ANSI_ESCAPE.sub("", part).splitlines()[0] for part in traceback[2:-1] if part.strip()]
        where = f" at {frames[-1]}" if frames else ""
        super().__init__(
            "execute",
            f"notebook cell {cell_index} ({counter}, starting `{first_line.strip()}`) "
            f"raised {ename}: {evalue}{where}",
        )


class ArchiveConflict(RenderError):
    """The archive already holds a report made from other inputs; `--force` replaces it."""

    def __init__(self, archive: str, differences: list[str]):
        self.differences = differences
        listed = "\n".join(f"  - {d}" for d in differences)
        super().__init__(
            "archive",
            f"{archive} was made from different inputs:\n{listed}\n"
            "Refusing to overwrite it; pass --force to replace it, or use another --output-dir.",
        )
