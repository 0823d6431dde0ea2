"""Convert input figures from the units statistics use (万元, 万吨, 万kWh …) to catalog units.

The aliases live in `data/units.yaml`; pint checks dimensions, so 万吨 cannot become 万元.
pint's registry takes a quarter of a second to build, so its answers are precomputed into
`data/units.table.json`: the dimension of every alias and the factor between every two aliases
of the same dimension, exactly as pint computes them. The table records the SHA-256 of the
units.yaml it was built from; when units.yaml has changed since, the table is rebuilt in memory
with pint (and `python -m evalkit.core.units` writes it again).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
UNITS_FILE = DATA_DIR / "units.yaml"
TABLE_FILE = DATA_DIR / "units.table.json"


class UnitError(ValueError):
    """A unit that is unknown or of the wrong dimension; the message says which."""


def build_table(units_yaml: bytes) -> dict:
    """Dimension and pairwise factors of every alias of `units_yaml`, computed with pint."""
    import pint
    import yaml

    spec = yaml.safe_load(units_yaml.decode("utf-8"))  # evalkit's own file, read when it changed
    registry = pint.UnitRegistry()
    for definition in spec["definitions"]:
        registry.define(definition)
    quantities = {str(unit): registry.Quantity(1, "dimensionless") * registry.parse_expression(str(expression))
                  for unit, expression in spec["aliases"].items()}
    dimensions = {unit: str(q.dimensionality) for unit, q in quantities.items()}
    factors = {
        source: {target: float((q / quantities[target]).to("dimensionless").magnitude)
                 for target in quantities
                 if dimensions[target] == dimensions[source] and target.strip() != source.strip()}
        for source, q in quantities.items()
    }
    return {"source_sha256": hashlib.sha256(units_yaml).hexdigest(), "dimensions": dimensions,
            "factors": factors}


@lru_cache(maxsize=1)
def _table() -> dict:
    units_yaml = UNITS_FILE.read_bytes()
    try:
        table = json.loads(TABLE_FILE.read_text("utf-8"))
    except (OSError, ValueError):
        table = None
    if table is None or table.get("source_sha256") != hashlib.sha256(units_yaml).hexdigest():
        table = build_table(units_yaml)  # units.yaml edited since the table was written
    return table


def known_units() -> list[str]:
    return list(_table()["dimensions"])


def _dimension(unit: str, other: str | None = None) -> str:
    dimensions = _table()["dimensions"]
    dimension = dimensions.get(unit.strip())
    if dimension is None:
        expected = dimensions.get(other.strip()) if other is not None else None
        if expected is None:
            raise UnitError(f"unknown unit {unit!r}; known: {', '.join(dimensions)}")
        same = [u for u, d in dimensions.items() if d == expected]
        raise UnitError(f"unknown unit {unit!r}; units of the same kind as {other!r}: {', '.join(same)}")
    return dimension


@lru_cache(maxsize=4096)
def factor(from_unit: str, to_unit: str) -> float:
    """Multiply a value in `from_unit` by this to express it in `to_unit`."""
    if from_unit.strip() == to_unit.strip():
        return 1.0
    source, target = _dimension(from_unit, to_unit), _dimension(to_unit, from_unit)
    if source != target:
        raise UnitError(f"unit {from_unit!r} cannot be converted to {to_unit!r} (different dimension)")
    return _table()["factors"][from_unit.strip()][to_unit.strip()]


def convert(value: float, from_unit: str, to_unit: str) -> float:
    return value * factor(from_unit, to_unit)


if __name__ == "__main__":  # rewrite the table after editing units.yaml
    table = build_table(UNITS_FILE.read_bytes())
    TABLE_FILE.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TABLE_FILE}")
