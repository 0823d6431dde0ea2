"""The `quarto` engine: `quarto render` of the executed notebook, never executing it again.

Quarto needs the notebook inside a project with `_quarto.yml`; each job builds that project in
its scratch directory (the template's project files plus the notebook), so nothing of Quarto's
(.quarto/, *_files/) reaches the archive.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

import nbformat

from evalkit.render.docx import finish_docx, header_text
from evalkit.render.engines import Engine, RenderJob, notebook_with_colophon, register
from evalkit.render.errors import RenderError

PROJECT_FILES = ("_quarto.yml", "reference.docx", "report.css", "typst-header.typ")
QUARTO_FORMAT = {"html": "html", "docx": "docx", "pdf": "typst"}


class QuartoEngine(Engine):
    name = "quarto"

    def available(self) -> bool:
        return shutil.which("quarto") is not None

    def versions(self) -> dict[str, str]:
        return {"quarto": _quarto_version()}

    def render(self, job: RenderJob) -> list[str]:
        for name in PROJECT_FILES:
            shutil.copyfile(job.template_dir / name, job.workdir / name)
        nbformat.write(notebook_with_colophon(job.notebook, job.colophon), job.workdir / "report.ipynb")
        produced = f"report.{job.fmt}"  # Quarto names the output after the notebook
        # --no-execute on top of `execute: enabled: false` in _quarto.yml: the notebook's outputs
        # are the evaluation of record and must not be recomputed.
        done = subprocess.run(
            ["quarto", "render", "report.ipynb", "--to", QUARTO_FORMAT[job.fmt], "--no-execute"],
            cwd=job.workdir, capture_output=True, text=True, check=False,
        )
        if done.returncode != 0 or not (job.workdir / produced).is_file():
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
            raise RenderError(job.fmt, f"quarto render exited with {done.returncode}:\n{tail}")
        shutil.move(job.workdir / produced, job.output)
        if job.fmt == "docx":
            finish_docx(job.output, header_text(job.notebook))
        return [line for line in done.stderr.splitlines() if line.startswith(("WARN", "WARNING"))]


@cache
def _quarto_version() -> str:
    return subprocess.run(["quarto", "--version"], capture_output=True, text=True,
                          check=True).stdout.strip()


register(QuartoEngine())
