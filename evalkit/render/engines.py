"""Rendering engines: a small registry, like papermill's engines.

An engine turns the executed notebook into every requested format in one call, without
executing it again.
Built in: `quarto` (when `quarto` is on PATH) and `pandoc` (the pandoc of pypandoc_binary plus
the typst Python package for PDF). `auto` picks quarto if available, else pandoc.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import nbformat

from evalkit.render.errors import RenderError

FORMATS = ("html", "docx", "pdf")


@dataclass(frozen=True)
class RenderJob:
    notebook: Path
    """The executed notebook; engines read it and never execute it."""
    outputs: dict[str, Path]
    """Format (one of FORMATS) → the file to write; an engine writes them all in one go."""
    template_dir: Path
    """report_template/: _quarto.yml, reference.docx, report.css, typst-header.typ, pandoc/."""
    workdir: Path
    """An empty scratch directory for this job, deleted afterwards."""
    colophon: str
    """Markdown appended at the end of the report: who made it, from what, with which engine."""


class Engine(ABC):
    name: ClassVar[str]

    @abstractmethod
    def available(self) -> bool:
        """Whether the tools this engine needs are installed."""

    @abstractmethod
    def versions(self) -> dict[str, str]:
        """Version of every tool the engine uses, for the manifest and the colophon."""

    @abstractmethod
    def render(self, job: RenderJob) -> list[str]:
        """Write every file of `job.outputs`; return the tools' warnings (raise RenderError on
        failure, with the failing format as its stage where the engine knows it)."""

    def describe(self) -> str:
        return ", ".join(f"{tool} {version}" for tool, version in self.versions().items())


ENGINES: dict[str, Engine] = {}


def register(engine: Engine) -> None:
    ENGINES[engine.name] = engine


def get_engine(name: str = "auto") -> Engine:
    """The engine called `name`; `auto` is quarto when installed, else pandoc."""
    if name == "auto":
        quarto = ENGINES.get("quarto")
        return quarto if quarto is not None and quarto.available() else ENGINES["pandoc"]
    engine = ENGINES.get(name)
    if engine is None:
        raise RenderError("setup", f"unknown engine {name!r}; choose auto, {', '.join(sorted(ENGINES))}")
    if not engine.available():
        raise RenderError("setup", f"engine {name!r} is not installed (`{name}` not found)")
    return engine


def notebook_with_colophon(notebook: Path, colophon: str) -> nbformat.NotebookNode:
    """The executed notebook plus a last Markdown cell holding the colophon."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(colophon))
    return nb
