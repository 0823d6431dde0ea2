"""Plain-text tables for the terminal, aligned for CJK characters (two columns wide)."""

from __future__ import annotations


def width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def text_table(rows: list[dict[str, str]], columns: list[str], headers: dict[str, str] | None = None) -> str:
    headers = headers or {c: c for c in columns}
    widths = {c: max(width(headers[c]), *(width(r[c]) for r in rows)) if rows else width(headers[c])
              for c in columns}
    def line(r: dict[str, str]) -> str:
        return "  ".join(r[c] + " " * (widths[c] - width(r[c])) for c in columns).rstrip()
    return "\n".join([line(headers), *(line(r) for r in rows)])
