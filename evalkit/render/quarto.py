"""The `quarto` engine: one `quarto render` of the executed notebook for all formats, never
executing it again.

Quarto needs the notebook inside a project with `_quarto.yml`; each job builds that project in
its scratch directory (the template's project files plus the notebook), so nothing of Quarto's
(.quarto/, *_files/) reaches the archive. `--to html,docx,typst` renders every format from one
read of the notebook (Quarto's CLI takes a comma-separated list of formats).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import nbformat

from evalkit.render.docx import finish_docx, header_text
from evalkit.render.engines import Engine, RenderJob, notebook_with_colophon, register
from evalkit.render.errors import ANSI_ESCAPE, RenderError

PROJECT_FILES = ("_quarto.yml", "reference.docx", "report.css", "typst-header.typ")
QUARTO_FORMAT = {"html": "html", "docx": "docx", "pdf": "typst"}
# Pandoc's warnings come through Quarto as `[WARNING] …`; Quarto's own as `WARN: …` or `WARNING: …`.
WARNING_LINE = re.compile(r"^\s*(\[WARNING\]|WARN(ING)?\b)")
# Quarto colours its messages; NO_COLOR is the convention it honours, and codes are stripped anyway.
QUARTO_ENV = {"NO_COLOR": "1"}


class QuartoEngine(Engine):
    name = "quarto"

    def available(self) -> bool:
        return shutil.which("quarto") is not None

    def versions(self) -> dict[str, str]:
        """Quarto's version and those of the pandoc and typst it bundles and calls."""
        return dict(_versions(_quarto_path()))

    def render(self, job: RenderJob) -> list[str]:
        for name in PROJECT_FILES:
            shutil.copyfile(job.template_dir / name, job.workdir / name)
        nbformat.write(notebook_with_colophon(job.notebook, job.colophon), job.workdir / "report.ipynb")
        to = ",".join(QUARTO_FORMAT[fmt] for fmt in job.outputs)
        # --no-execute on top of `execute: enabled: false` in _quarto.yml: the notebook's outputs
        # are the evaluation of record and must not be recomputed.
        done = subprocess.run(
            [_quarto_path(), "render", "report.ipynb", "--to", to, "--no-execute"],
            cwd=job.workdir, capture_output=True, text=True, check=False, env=os.environ | QUARTO_ENV,
        )
        stderr = ANSI_ESCAPE.sub("", done.stderr or "")
        produced = {fmt: job.workdir / f"report.{fmt}" for fmt in job.outputs}  # named after the notebook
        missing = [fmt for fmt, path in produced.items() if not path.is_file()]
        if done.returncode != 0 or missing:
            tail = "\n".join((stderr or ANSI_ESCAPE.sub("", done.stdout or "")).strip().splitlines()[-15:])
            stage = missing[0] if len(missing) == 1 else "render"
            raise RenderError(stage, f"quarto render --to {to} exited with {done.returncode}"
                                     + (f" without writing {', '.join(missing)}" if missing else "") + f":\n{tail}")
        for fmt, path in produced.items():
            shutil.move(path, job.outputs[fmt])
        if "docx" in job.outputs:
            finish_docx(job.outputs["docx"], header_text(job.notebook))
        return quarto_warnings(stderr)


def quarto_warnings(stderr: str) -> list[str]:
    """The warnings in Quarto's stderr (colour codes removed), each with its indented follow-up lines."""
    warnings: list[str] = []
    following = False  # the line before belongs to a warning
    for line in ANSI_ESCAPE.sub("", stderr).splitlines():
        if WARNING_LINE.match(line):
            warnings.append(line.strip())
            following = True
        elif following and line.startswith((" ", "\t")) and line.strip():
            warnings[-1] += " " + line.strip()  # pandoc indents a warning's second line
        else:
            following = False
    return warnings


def _quarto_path() -> str:
    found = shutil.which("quarto")
    if found is None:
        raise RenderError("setup", "engine 'quarto' is not installed (`quarto` not found)")
    return os.path.realpath(found)


_VERSIONS: dict[str, tuple[tuple[str, str], ...]] = {}


def _versions(quarto: str) -> tuple[tuple[str, str], ...]:
    """Versions for the Quarto at the resolved path `quarto`; each installation is asked once."""
    if quarto not in _VERSIONS:
        _VERSIONS[quarto] = (
            ("quarto", _first_line([quarto, "--version"])),
            ("pandoc", _version_number(_first_line([quarto, "pandoc", "--version"]))),
            ("typst", _version_number(_first_line([quarto, "typst", "--version"]))),
        )
    return _VERSIONS[quarto]


def _first_line(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ | QUARTO_ENV)
    lines = ANSI_ESCAPE.sub("", done.stdout).strip().splitlines()
    if done.returncode != 0 or not lines:
        return "unknown"
    return lines[0].strip()


def _version_number(line: str) -> str:
    """`pandoc 3.6.3` → `3.6.3`; `typst 0.13.0 (8ad7de4e)` → `0.13.0`."""
    match = re.search(r"\d+(\.\d+)+", line)
    return match.group(0) if match else line


register(QuartoEngine())
