"""Numbers as the report shows them: the display unit and precision the catalog declares
(`display:` of the catalog), thousands separated, never in scientific notation, no float noise.
"""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.core.trace import MINUS

DASH = "—"
SMALL_SIGNIFICANT = 3  # a value below 1 keeps at least this many significant digits (0.0215, not 0.02)


def number(x: float | None, decimals: int = 2) -> str:
    """`x` with `decimals` places (more for small values so that 3 significant digits remain),
    trailing zeros dropped, thousands separated, negative with "−"; integers as integers; never 1e-05."""
    if x is None:
        return DASH
    magnitude = abs(x)
    sign = MINUS if x < 0 else ""
    if x == int(x) and magnitude < 1e15:
        return f"{sign}{int(magnitude):,}"
    if 0 < magnitude < 1:
        leading_zeros = len(f"{magnitude:.15f}".split(".")[1]) - len(f"{magnitude:.15f}".split(".")[1].lstrip("0"))
        decimals = max(decimals, leading_zeros + SMALL_SIGNIFICANT)
    text = f"{magnitude:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("0", "") else sign + text


class Numbers:
    """The catalog's display rules, applied."""

    def __init__(self, catalog: Catalog):
        self.display = catalog.display

    def decimals(self, unit: str | None) -> int:
        return self.display.decimals.get(unit or "", self.display.default_decimals)

    def value(self, x: float | None, unit: str | None) -> str:
        """`x` in `unit` with the unit's precision."""
        return number(x, self.decimals(unit))

    def quantity(self, x: float | None, unit: str, key: str | None = None) -> tuple[str, str]:
        """(text, unit shown) of a computed quantity: converted when the catalog declares a display
        unit for `key`, else in its own unit."""
        spec = self.display.quantities.get(key or "")
        if spec is None:
            return self.value(x, unit), unit
        return number(None if x is None else x * spec.factor, spec.decimals), spec.unit

    def with_unit(self, x: float | None, unit: str | None, key: str | None = None) -> str:
        if x is None:
            return DASH
        text, shown = self.quantity(x, unit or "", key)
        return f"{text}{shown}" if shown == "%" else f"{text} {shown}".strip()

    def points(self, x: float | None) -> str:
        return DASH if x is None else f"{x:.2f}"

    def score(self, x: float | None) -> str:
        return DASH if x is None else number(x, 4)

    def percent(self, x: float | None) -> str:
        return DASH if x is None else f"{x:.2f}%"
