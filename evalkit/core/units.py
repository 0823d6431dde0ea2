"""Convert input figures from the units statistics use (万元, 万吨, 万kWh …) to catalog units.

The aliases live in `data/units.yaml`; pint checks dimensions, so 万吨 cannot become 万元.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pint
import yaml


class UnitError(ValueError):
    """A unit that is unknown or of the wrong dimension; the message says which."""


@lru_cache(maxsize=1)
def _table() -> tuple[pint.UnitRegistry, dict[str, str]]:
    spec = yaml.safe_load((Path(__file__).parent / "data" / "units.yaml").read_text("utf-8"))
    registry = pint.UnitRegistry()
    for definition in spec["definitions"]:
        registry.define(definition)
    return registry, {str(k): str(v) for k, v in spec["aliases"].items()}


def known_units() -> list[str]:
    return list(_table()[1])


def _quantity(unit: str) -> pint.Quantity:
    registry, aliases = _table()
    expression = aliases.get(unit.strip())
    if expression is None:
        raise UnitError(f"unknown unit {unit!r}; known: {', '.join(aliases)}")
    return registry.Quantity(1, "dimensionless") * registry.parse_expression(expression)


@lru_cache(maxsize=4096)
def factor(from_unit: str, to_unit: str) -> float:
    """Multiply a value in `from_unit` by this to express it in `to_unit` (memoised: pint's
    parsing is the slowest step of an evaluation, and a park file uses a few dozen unit pairs)."""
    if from_unit.strip() == to_unit.strip():
        return 1.0
    source, target = _quantity(from_unit), _quantity(to_unit)
    if source.dimensionality != target.dimensionality:
        raise UnitError(f"unit {from_unit!r} cannot be converted to {to_unit!r} (different dimension)")
    return float((source / target).to("dimensionless").magnitude)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    return value * factor(from_unit, to_unit)
