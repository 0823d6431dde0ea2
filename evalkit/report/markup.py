"""Report Markdown in which user text can only ever be text.

`Md` is Markdown that evalkit wrote. Any other string — a park's name, a source, evidence, a catalog
or factor-table entry — is escaped where it meets `Md` (in `Md.format`, `+`, `Md.join`, `table`):
every ASCII punctuation character gets a backslash, which pandoc's Markdown reads as that literal
character (all_symbols_escapable), and line breaks and control characters become spaces. So no
Markdown, raw HTML/typst/OpenXML, link, image, citation or math can come from user text, in any
output format, whatever the engine (Quarto or pandoc). This is the markupsafe pattern for Markdown.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# C0/C1 controls (ANSI escapes included), DEL, and Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class Md(str):
    """Markdown written by evalkit; combining it with anything that is not Md escapes that thing."""

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> Md:
        return Md(_EscapingFormatter().vformat(self, args, kwargs))

    def format_map(self, mapping: Mapping[str, Any]) -> Md:  # type: ignore[override]
        return Md(_EscapingFormatter().vformat(self, (), mapping))

    def __add__(self, other: Any) -> Md:
        return Md(str.__add__(self, escape(other)))

    def __radd__(self, other: Any) -> Md:
        return Md(str.__add__(escape(other), self))

    def join(self, parts: Iterable[Any]) -> Md:  # type: ignore[override]
        return Md(str.join(self, (escape(part) for part in parts)))


class _EscapingFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        # Numbers keep their format spec; the formatted text is then escaped like any other.
        return escape(value if isinstance(value, Md) else format(value, format_spec))


def escape(value: Any) -> Md:
    """`value` as Markdown that shows exactly its text (Md passes through unchanged)."""
    if isinstance(value, Md):
        return value
    text = _CONTROL.sub(" ", str(value)).strip()
    return Md(_PUNCTUATION.sub(r"\\\1", text))


def table(headers: Sequence[Any], rows: Iterable[Sequence[Any]], widths: Sequence[int] | None = None) -> Md:
    """A pipe table; `widths` are relative column widths (pandoc reads them from the dashes).
    An empty cell (None or "") shows a dash."""
    dashes = [":" + "-" * (3 * w) for w in widths] if widths else [":---"] * len(headers)
    lines = [_row(headers), "|" + "|".join(dashes) + "|"]
    lines += [_row(row) for row in rows]
    return Md("\n".join(lines))


def _row(values: Sequence[Any]) -> str:
    return "| " + " | ".join(escape("—" if v is None or v == "" else v) for v in values) + " |"


def paragraphs(*blocks: Any) -> Md:
    """Blocks separated by blank lines; empty blocks are left out."""
    return Md("\n\n").join(block for block in blocks if block)
