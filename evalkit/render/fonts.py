"""Find a CJK font for Typst, so the PDF never shows Chinese as empty boxes.

Typst falls back silently to fonts without Chinese glyphs, so the font is chosen here from what
the machine really has, and its directory is handed to Typst explicitly. fontconfig answers in
milliseconds; Typst's own scan of every system font (0.7 s) is the fallback where it is absent.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
    """The first family of `CJK_FAMILIES` installed, and the directories to give Typst."""
    found = _fontconfig_families() if shutil.which("fc-list") else _typst_families()
    for family in CJK_FAMILIES:
        if found.get(family):
            return TypstFont(family, tuple(sorted(found[family])))
    raise RenderError(
        "pdf",
        "no CJK font found for Typst (looked for: " + ", ".join(CJK_FAMILIES) + "); "
        "install one, e.g. `apt-get install fonts-noto-cjk`",
    )


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
