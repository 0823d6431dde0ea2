"""Typst's side of the PDF: the CJK font search, and the child process that compiles the PDF.

The pandoc engine starts this file as a script (`python -P typst_worker.py ROOT`, ROOT being
Typst's project root) before pandoc reads the notebook, so the font search, the interpreter's
start and Typst's font loading overlap that read. Typst stays out of evalkit's process (its fonts
cost some 260 MiB). As a script it must start fast: it imports only the standard library and
typst, never evalkit (whose `render` package alone takes 0.3 s to import).

The protocol is one JSON object per line. On start the worker answers `{"family": …}` (the font
pandoc's typst writer needs as `mainfont`); then it reads one `{"typ": …, "pdf": …}`, compiles,
answers `{"warnings": [...]}` and exits. Any failure is answered `{"error": message}`.

Typst falls back silently to fonts without Chinese glyphs, so the font is chosen here from what
the machine really has, and its directory is handed to Typst explicitly. fontconfig answers in
milliseconds; Typst's own scan of every system font (0.7 s) is the fallback where it is absent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Serif first: body text of Chinese reports is traditionally set in a Song (serif) face.
CJK_FAMILIES = (
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Songti SC",
    "PingFang SC",
    "SimSun",
    "Microsoft YaHei",
)
# Where distributions put Noto CJK when fontconfig is not there to ask.
KNOWN_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk",
                   "/usr/share/fonts/google-noto-cjk", "/System/Library/Fonts", "C:/Windows/Fonts")


class NoCJKFont(LookupError):
    """No font of `CJK_FAMILIES` is installed."""


@dataclass(frozen=True)
class TypstFont:
    family: str
    font_paths: tuple[str, ...]


@cache
def find_typst_cjk_font() -> TypstFont:
    """The first family of `CJK_FAMILIES` installed, and the directories to give Typst."""
    found = _fontconfig_families() if shutil.which("fc-list") else _typst_families()
    for family in CJK_FAMILIES:
        if found.get(family):
            return TypstFont(family, tuple(sorted(found[family])))
    raise NoCJKFont("no CJK font found for Typst (looked for: " + ", ".join(CJK_FAMILIES) + "); "
                    "install one, e.g. `apt-get install fonts-noto-cjk`")


def _fontconfig_families() -> dict[str, set[str]]:
    """Family → directories of its files, for the fonts fontconfig says cover Chinese."""
    listed = subprocess.run(["fc-list", ":lang=zh", "family", "file"], capture_output=True, text=True,
                            check=False).stdout
    found: dict[str, set[str]] = {}
    for line in listed.splitlines():  # /usr/share/fonts/…/NotoSerifCJK-Regular.ttc: Noto Serif CJK SC,…
        file, _, families = line.partition(": ")
        for family in families.split(","):
            found.setdefault(family.strip(), set()).add(str(Path(file).parent))
    return found


def _typst_families() -> dict[str, set[str]]:
    import typst

    dirs = {d for d in KNOWN_FONT_DIRS if Path(d).is_dir()}
    families = typst.Fonts(include_system_fonts=True, font_paths=sorted(dirs)).families()
    return {family: dirs for family in families}


def serve(root: Path) -> None:
    """Find the font and load Typst's fonts, say which family, then compile the one request."""
    import typst

    try:
        font = find_typst_cjk_font()
    except NoCJKFont as exc:
        return _answer(error=str(exc))
    compiler = typst.Compiler(root=root, font_paths=list(font.font_paths))
    _answer(family=font.family)
    line = sys.stdin.readline()
    if not line:  # evalkit no longer needs the PDF (its render failed or it was killed)
        return
    request = json.loads(line)
    try:
        _, warnings = compiler.compile_with_warnings(input=request["typ"], output=request["pdf"])
    except typst.TypstError as exc:
        return _answer(error=f"typst: {exc}")
    _answer(warnings=[str(w) for w in warnings])


def _answer(**reply: object) -> None:
    print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
