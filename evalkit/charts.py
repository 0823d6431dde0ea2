"""Matplotlib set-up for Chinese charts.

Matplotlib's default font (DejaVu Sans) has no CJK glyphs: Chinese titles and labels come out as
empty boxes with only a warning. `use_cjk_font()` picks an installed CJK font and fails loudly
when there is none, so a report never ships a chart of boxes.
"""

from __future__ import annotations

import matplotlib
from matplotlib import font_manager

# Simplified-Chinese faces first: the JP/TC/KR faces of the same families draw some Han
# characters with other regional glyph forms.
PREFERRED_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)


class CJKFontMissing(RuntimeError):
    """No font able to draw Chinese is installed."""


def find_cjk_font() -> str:
    """Return the family name of the first installed font of `PREFERRED_CJK_FONTS`."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in PREFERRED_CJK_FONTS:
        if family in installed:
            return family
    raise CJKFontMissing(
        "no CJK font found for matplotlib (looked for: " + ", ".join(PREFERRED_CJK_FONTS) + "); "
        "install one, e.g. `apt-get install fonts-noto-cjk`, then delete matplotlib's font cache "
        f"({matplotlib.get_cachedir()}/fontlist-*.json)"
    )


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese text with an installed CJK font; return the family used.

    Raises `CJKFontMissing` when no CJK font is installed.
    """
    family = find_cjk_font()
    rc = matplotlib.rcParams
    rc["font.family"] = "sans-serif"
    rc["font.sans-serif"] = [family, *(f for f in rc["font.sans-serif"] if f != family)]
    # Negative numbers with an ASCII hyphen: not every CJK font has U+2212, which would be a box.
    rc["axes.unicode_minus"] = False
    return family
