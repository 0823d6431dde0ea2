"""Plain-text tables for the terminal, aligned for CJK characters (two columns wide), and input text made
inert for a terminal (`printable`)."""

from __future__ import annotations

import re
from typing import Any

# C0/C1 controls (ANSI escape sequences start with ESC or CSI), DEL, bidi overrides and line separators:
# text from an input file must never move the cursor, recolour or rewrite the assessor's terminal.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


def printable(value: Any, limit: int | None = None) -> str:
    """`value` as one line of inert terminal text: controls shown as escapes (\\x1b), cut to `limit`."""
    text = "" if value is None else repr(value) if not isinstance(value, str) else value
    text = _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def text_table(rows: list[dict[str, str]], columns: list[str], headers: dict[str, str] | None = None) -> str:
    headers = headers or {c: c for c in columns}
    rows = [{c: printable(r[c]) for c in columns} for r in rows]
    widths = {c: max(width(headers[c]), *(width(r[c]) for r in rows)) if rows else width(headers[c])
              for c in columns}
    def line(r: dict[str, str]) -> str:
        return "  ".join(r[c] + " " * (widths[c] - width(r[c])) for c in columns).rstrip()
    return "\n".join([line(headers), *(line(r) for r in rows)])
