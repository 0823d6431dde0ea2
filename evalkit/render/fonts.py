"""Find a CJK font for Typst, so the PDF never shows Chinese as empty boxes.

Typst falls back silently to fonts without Chinese glyphs, so the font is chosen here from what
the machine really has, and its directory is handed to Typst explicitly.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import typst

from evalkit.render.errors import RenderError

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


@dataclass(frozen=True)
class TypstFont:
    family: str
    font_paths: tuple[str, ...]


@cache
def find_typst_cjk_font() -> TypstFont:
    """The first family of `CJK_FAMILIES` Typst can use, and the directories to give Typst."""
    font_paths = _cjk_font_dirs()
    available = set(typst.Fonts(include_system_fonts=True, font_paths=list(font_paths)).families())
    for family in CJK_FAMILIES:
        if family in available:
            return TypstFont(family, font_paths)
    raise RenderError(
        "pdf",
        "no CJK font found for Typst (looked for: " + ", ".join(CJK_FAMILIES) + "); "
        "install one, e.g. `apt-get install fonts-noto-cjk`",
    )


def _cjk_font_dirs() -> tuple[str, ...]:
    """Directories holding fonts that cover Chinese, per fontconfig, else the usual places."""
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                                check=False).stdout
        dirs = {str(Path(line.rstrip(": ").strip()).parent) for line in listed.splitlines() if line.strip()}
        if dirs:
            return tuple(sorted(dirs))
    return tuple(d for d in KNOWN_FONT_DIRS if Path(d).is_dir())
