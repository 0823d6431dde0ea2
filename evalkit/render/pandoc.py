"""The `pandoc` engine: pypandoc_binary's pandoc reads the executed notebook (ipynb reader);
PDF goes through pandoc's typst writer and the typst Python package.

Before pandoc sees it, the notebook is prepared the way Quarto would show it with `echo: false`
and `warning: false`:

* the Quarto front matter (first raw cell, `---` YAML `---`) becomes pandoc metadata;
* code is hidden: sources are emptied here and their blocks dropped by `pandoc/notebook.lua`;
* warnings (stderr) are dropped; the Quarto cell options `#| include: false` and
  `#| output: false` are honoured;
* each display output keeps one representation: Markdown (IPython.display.Markdown, parsed by the
  Lua filter, which shows any raw HTML/typst/OpenXML as text and drops images that are not the
  notebook's own charts), PNG images, else plain text; HTML and SVG outputs are never shown.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
from typing import Any

import nbformat
import pypandoc
import typst
import yaml

from evalkit.render.docx import finish_docx, header_text
from evalkit.render.engines import Engine, RenderJob, notebook_with_colophon, register
from evalkit.render.errors import RenderError
from evalkit.render.fonts import find_typst_cjk_font

PANDOC_DIR = "pandoc"  # under the template directory: Lua filter and translations
DEFAULT_METADATA = {"lang": "zh-CN", "toc-title": "目录"}
# evalkit's outputs are Markdown (built with evalkit.report.markup), PNG charts and plain text. HTML
# and SVG outputs are never shown: raw HTML, or script inside an SVG, would be live in report.html.
MIME_PREFERENCE = {
    "html": ("text/markdown", "image/png", "text/plain"),
    "docx": ("text/markdown", "image/png", "text/plain"),
    "pdf": ("text/markdown", "image/png", "text/plain"),
}


class PandocEngine(Engine):
    name = "pandoc"

    def available(self) -> bool:
        try:
            pypandoc.get_pandoc_path()
        except OSError:
            return False
        return True

    def versions(self) -> dict[str, str]:
        return {"pandoc": pypandoc.get_pandoc_version(), "typst": importlib.metadata.version("typst")}

    def render(self, job: RenderJob) -> list[str]:
        nb, metadata = prepare_notebook(notebook_with_colophon(job.notebook, job.colophon), job.fmt)
        source = job.workdir / "report.ipynb"
        nbformat.write(nb, source)
        meta_file = job.workdir / "metadata.yaml"
        meta_file.write_text(yaml.safe_dump(metadata, allow_unicode=True), encoding="utf-8")

        assets = job.template_dir
        # HTML gets pandoc's table of contents; Word and PDF get the report's own contents page
        # (a TOC field / Typst outline after the cover and sign-off pages).
        args = [source.name, "--from", "ipynb", "--metadata-file", meta_file.name, "--toc-depth", "2",
                "--data-dir", str(assets / PANDOC_DIR),
                "--lua-filter", str(assets / PANDOC_DIR / "notebook.lua")]
        if job.fmt == "html":
            args += ["--to", "html5", "--toc", "--standalone", "--embed-resources",
                     "--css", str(assets / "report.css"), "--output", str(job.output)]
            return _pandoc(args, job)
        if job.fmt == "docx":
            args += ["--to", "docx", "--reference-doc", str(assets / "reference.docx"),
                     "--output", str(job.output)]
            warnings = _pandoc(args, job)
            finish_docx(job.output, header_text(job.notebook))
            return warnings
        font = find_typst_cjk_font()
        typ = job.workdir / "report.typ"
        args += ["--to", "typst", "--standalone", "--extract-media", "media",
                 "--variable", f"mainfont={font.family}", "--variable", "papersize=a4",
                 "--include-in-header", str(assets / "typst-header.typ"), "--output", typ.name]
        warnings = _pandoc(args, job)
        try:
            _, typst_warnings = typst.compile_with_warnings(
                str(typ), output=str(job.output), root=str(job.workdir), font_paths=list(font.font_paths))
        except typst.TypstError as exc:
            raise RenderError("pdf", f"typst: {exc}") from None
        return warnings + [f"typst: {w}" for w in typst_warnings]


def prepare_notebook(nb: nbformat.NotebookNode, fmt: str) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    """The notebook as pandoc should read it for `fmt`, and the document metadata."""
    metadata = dict(DEFAULT_METADATA)
    cells = list(nb.cells)
    if cells and cells[0].cell_type == "raw" and cells[0].source.lstrip().startswith("---"):
        metadata |= _front_matter(cells.pop(0).source)
    kept = []
    for cell in cells:
        cell.metadata = {}  # papermill timings would become attributes in the HTML
        if cell.cell_type == "code":
            options = _cell_options(cell.source)
            if options.get("include") is False:
                continue
            cell.source = ""
            cell.outputs = [] if options.get("output") is False else _visible_outputs(cell.outputs, fmt)
            if not cell.outputs:
                continue
        kept.append(cell)
    nb.cells = kept
    return nb, metadata


def _visible_outputs(outputs: list, fmt: str) -> list:
    visible = []
    for output in outputs:
        if output.output_type == "error" or (output.output_type == "stream" and output.name == "stderr"):
            continue
        if "data" in output:
            best = next((m for m in MIME_PREFERENCE[fmt] if m in output.data), None)
            if best is None:
                continue
            output.data = {best: output.data[best]}
            output.metadata = {best: output.metadata[best]} if best in output.get("metadata", {}) else {}
        visible.append(output)
    return visible


def _front_matter(source: str) -> dict[str, Any]:
    body = source.strip().removeprefix("---").rsplit("---", 1)[0]
    return yaml.safe_load(body) or {}


def _cell_options(source: str) -> dict[str, Any]:
    """Quarto cell options: the leading `#| key: value` lines of a code cell."""
    lines = []
    for line in source.splitlines():
        if not line.startswith("#|"):
            break
        lines.append(line[2:])
    if not lines:
        return {}
    parsed = yaml.safe_load("\n".join(lines))
    return parsed if isinstance(parsed, dict) else {}


def _pandoc(args: list[str], job: RenderJob) -> list[str]:
    done = subprocess.run([pypandoc.get_pandoc_path(), *args], cwd=job.workdir,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RenderError(job.fmt, f"pandoc exited with {done.returncode}: {done.stderr.strip()}")
    return [f"pandoc: {line}" for line in done.stderr.splitlines() if line.strip()]


register(PandocEngine())
