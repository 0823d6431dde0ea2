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

The notebook is read and filtered once into pandoc's JSON document (once per distinct prepared
notebook: all formats see the same one while they keep the same representations), its images
extracted to files; then the formats are written from that document side by side, each by its
own process: pandoc for html and docx, pandoc then Typst for PDF. Typst runs in a child process
(`typst_worker.py`, so its fonts and memory stay out of evalkit) started before the read, so that
finding the CJK font and loading Typst's fonts overlap it. The html gets its images as data: URIs
and its stylesheet inline, which makes it one self-contained file without pandoc's slow
`--embed-resources` pass over the written page.
"""

from __future__ import annotations

import base64
import copy
import importlib.metadata
import json
import mimetypes
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import nbformat
import pypandoc
import yaml

from evalkit.core.yamlio import read_yaml
from evalkit.render.docx import finish_docx, header_text
from evalkit.render.engines import Engine, RenderJob, notebook_with_colophon, register
from evalkit.render.errors import RenderError
from evalkit.render import typst_worker

PANDOC_DIR = "pandoc"  # under the template directory: Lua filter and translations
# zh-CN, not Quarto's zh-Hans: pandoc's own translations (pandoc/translations/zh.yaml) are found
# for zh-CN and give the Word TOC its title 目录.
DEFAULT_METADATA = {"lang": "zh-CN", "toc-title": "目录"}
# PDF first: it takes longest (pandoc, then Typst), the others run beside it.
WRITE_ORDER = ("pdf", "html", "docx")
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
        with ExitStack() as stack:
            typst = stack.enter_context(TypstWorker(job.workdir)) if "pdf" in job.outputs else None
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=len(job.outputs)))
            if typst is not None:
                # Stopped before the pool waits for its writers (its pipes are closed after):
                # should the render fail or be interrupted meanwhile, a PDF writer waiting on
                # Typst returns at once.
                stack.callback(typst.stop)
            nb = notebook_with_colophon(job.notebook, job.colophon)
            toc_depth = str(_toc_depth(job.template_dir))
            # Formats that keep the same representation of every output read the same document.
            groups: dict[tuple, list[str]] = {}
            for fmt in job.outputs:
                groups.setdefault(_kept_representations(nb, fmt), []).append(fmt)
            warnings: list[str] = []
            parsed: dict[str, Parsed] = {}
            for n, formats in enumerate(groups.values()):
                prepared, metadata = prepare_notebook(copy.deepcopy(nb) if len(groups) > 1 else nb, formats[0])
                parsed_doc, found = _parse(nbformat.writes(prepared), metadata, n, job)
                parsed |= dict.fromkeys(formats, parsed_doc)
                warnings += found
            writers = {"html": _write_html, "docx": _write_docx, "pdf": partial(_write_pdf, typst=typst)}
            order = [fmt for fmt in WRITE_ORDER if fmt in job.outputs]
            running = {fmt: pool.submit(writers[fmt], parsed[fmt], toc_depth, job) for fmt in order}
            for fmt in order:
                warnings += [f"{fmt}: {w}" for w in running[fmt].result()]
        return warnings


class TypstWorker:
    """The child process of `typst_worker.py`, ended (killed if still busy) when the render ends."""

    def __init__(self, root: Path):
        root = root.resolve()
        self.log = root / "typst-worker.log"
        # Its stderr goes to a file: a pipe nobody reads could fill and block it.
        with self.log.open("w", encoding="utf-8") as log:
            self.process = subprocess.Popen([sys.executable, "-P", typst_worker.__file__, str(root)],
                                            cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=log, text=True, encoding="utf-8")

    def __enter__(self) -> TypstWorker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self.process.stdout.close()
        with suppress(BrokenPipeError):  # a request it died before reading
            self.process.stdin.close()

    def stop(self) -> None:
        """End the worker: by now its PDF is written, or the render failed and needs none."""
        self.process.kill()
        self.process.wait()

    def font_family(self) -> str:
        """The CJK font family Typst has loaded (waits for the worker's start)."""
        return self._answer()["family"]

    def compile(self, typ: Path, pdf: Path) -> list[str]:
        """Compile `typ` into `pdf`; Typst's warnings."""
        with suppress(BrokenPipeError):  # the worker has ended: _answer says how
            self.process.stdin.write(json.dumps({"typ": str(typ.resolve()), "pdf": str(pdf.resolve())}) + "\n")
            self.process.stdin.flush()
        return self._answer()["warnings"]

    def _answer(self) -> dict[str, Any]:
        line = self.process.stdout.readline()
        if not line:  # end of its output: the worker has died
            code = self.process.wait()
            last_words = self.log.read_text("utf-8", errors="replace").strip()
            raise RenderError("pdf", f"typst worker exited with {code}: {last_words}")
        answer = json.loads(line)
        if "error" in answer:
            raise RenderError("pdf", answer["error"])
        return answer


@dataclass(frozen=True)
class Parsed:
    """A notebook read by pandoc: its JSON document, and the folder its images were extracted to."""
    document: Path
    media: Path


def _parse(source: str, metadata: dict[str, Any], n: int, job: RenderJob) -> tuple[Parsed, list[str]]:
    """Read a prepared notebook once: Lua filter applied, images extracted, pandoc JSON written."""
    notebook, meta_file = job.workdir / f"report-{n}.ipynb", job.workdir / f"metadata-{n}.yaml"
    parsed = Parsed(job.workdir / f"report-{n}.json", job.workdir / f"media-{n}")
    notebook.write_text(source, encoding="utf-8")
    meta_file.write_text(yaml.safe_dump(metadata, allow_unicode=True), encoding="utf-8")
    assets = job.template_dir / PANDOC_DIR
    warnings = _pandoc([notebook.name, "--from", "ipynb", "--metadata-file", meta_file.name,
                        "--lua-filter", str(assets / "notebook.lua"), "--extract-media", parsed.media.name,
                        "--to", "json", "--output", parsed.document.name], job, "render")
    return parsed, warnings


def _write_html(parsed: Parsed, toc_depth: str, job: RenderJob) -> list[str]:
    document = json.loads(parsed.document.read_text("utf-8"))
    for image in _images(document["blocks"]):
        target = image["c"][2]
        path = (job.workdir / target[0]).resolve()
        # Only the notebook's own outputs, which the parse extracted; any other target is left
        # as written (never fetched nor embedded).
        if path.is_relative_to(parsed.media.resolve()) and path.is_file():
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            target[0] = f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    inline = job.workdir / "report-html.json"
    inline.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    style = job.workdir / "style.html"
    css = (job.template_dir / "report.css").read_text("utf-8")
    style.write_text(f"<style>\n{css}\n</style>\n", encoding="utf-8")
    return _pandoc([inline.name, "--from", "json", *_common(job, toc_depth), "--toc", "--to", "html5", "--standalone",
                    "--include-in-header", style.name, "--output", str(job.outputs["html"])], job, "html")


def _write_docx(parsed: Parsed, toc_depth: str, job: RenderJob) -> list[str]:
    warnings = _pandoc([parsed.document.name, "--from", "json", *_common(job, toc_depth), "--to", "docx",
                        "--reference-doc", str(job.template_dir / "reference.docx"),
                        "--output", str(job.outputs["docx"])], job, "docx")
    finish_docx(job.outputs["docx"], header_text(job.notebook))
    return warnings


def _write_pdf(parsed: Parsed, toc_depth: str, job: RenderJob, typst: TypstWorker) -> list[str]:
    typ = job.workdir / "report.typ"
    warnings = _pandoc([parsed.document.name, "--from", "json", *_common(job, toc_depth),
                        "--to", "typst", "--standalone",
                        "--variable", f"mainfont={typst.font_family()}", "--variable", "papersize=a4",
                        "--include-in-header", str(job.template_dir / "typst-header.typ"),
                        "--output", typ.name], job, "pdf")
    return warnings + [f"typst: {w}" for w in typst.compile(typ, job.outputs["pdf"])]


def _common(job: RenderJob, toc_depth: str) -> list[str]:
    # HTML adds pandoc's table of contents (--toc); Word and PDF carry the report's own contents
    # page after the cover and sign-off pages (evalkit.report.layout: a TOC field / Typst outline).
    return ["--toc-depth", toc_depth, "--data-dir", str(job.template_dir / PANDOC_DIR)]


def _toc_depth(template_dir: Path) -> int:
    """The `toc-depth` of the Quarto project, so both engines list the same headings."""
    config = read_yaml(template_dir / "_quarto.yml") or {}
    return int(config.get("toc-depth", 3))


def _images(node: Any) -> Iterator[dict]:
    """Every Image element of a pandoc JSON document (or part of one)."""
    if isinstance(node, dict):
        if node.get("t") == "Image":
            yield node
        node = node.get("c")
    if isinstance(node, list):
        for child in node:
            yield from _images(child)


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


def _kept_representations(nb: nbformat.NotebookNode, fmt: str) -> tuple[str | None, ...]:
    """The MIME type `fmt` keeps of each display output, in order."""
    return tuple(_best(output, fmt) for cell in nb.cells if cell.cell_type == "code"
                 for output in cell.get("outputs", []) if "data" in output)


def _best(output: nbformat.NotebookNode, fmt: str) -> str | None:
    return next((m for m in MIME_PREFERENCE[fmt] if m in output.data), None)


def _visible_outputs(outputs: list, fmt: str) -> list:
    visible = []
    for output in outputs:
        if output.output_type == "error" or (output.output_type == "stream" and output.name == "stderr"):
            continue
        if "data" in output:
            best = _best(output, fmt)
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


def _pandoc(args: list[str], job: RenderJob, stage: str) -> list[str]:
    done = subprocess.run([pypandoc.get_pandoc_path(), *args], cwd=job.workdir,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RenderError(stage, f"pandoc exited with {done.returncode}: {done.stderr.strip()}")
    return [f"pandoc: {line}" for line in done.stderr.splitlines() if line.strip()]


register(PandocEngine())
