"""The carbon factor table: net calorific values, carbon contents, oxidation rates, grid and heat
factors, coal equivalents and the non-fossil settings (conversion method, coal rate, the grid's
non-fossil share), each with its unit, source and verification status, by year.

The default table is `data/carbon_factors.yaml`; a provincial table is given to `load_factors`.
A year a factor does not cover is an error unless the table names a fallback year.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Iterator, Literal

from pydantic import Field, ValidationError, model_validator

from evalkit.core.fields import Model, Number, Text, Year
from evalkit.core.problems import InputError, Problems
from evalkit.core.units import known_units
from evalkit.core.yamlio import read_yaml

DEFAULT_TABLE = Path(__file__).parent / "data" / "carbon_factors.yaml"
GRID_UNITS = {"kgCO2/kWh", "tCO2/MWh"}  # the same number, so a table may use either


class Source(Model):
    title: Text
    published: date | None = None
    """The publication date: a report dated before it cannot have used the factor."""
    published_basis: Text | None = None
    """Where the date was read, and how firm it is."""


class Factor(Model):
    """A constant `value`, or a `by_year` series whose gaps are filled only as `fallback_years` says."""

    unit: Text
    source: Text | dict[Year, Text]
    """A key of the table's `sources`; for a series whose years come from different publications, one
    key per published year."""
    verified: bool
    value: Number | None = None
    by_year: dict[Year, Number] = Field(default_factory=dict)
    fallback_years: dict[Year, Year] = Field(default_factory=dict)
    fallback_reason: Text | None = None
    """Why the table holds no value for the fallback years (shown with every fallback)."""

    @model_validator(mode="after")
    def _one_shape(self) -> Factor:
        if any(v <= 0 for v in [*([self.value] if self.value is not None else []), *self.by_year.values()]):
            # Every published factor is positive; a 0 would silently zero emissions or divide by zero.
            raise ValueError("a positive factor (> 0)")
        if (self.value is None) == (not self.by_year):
            raise ValueError("give exactly one of `value` (one figure for every year) or `by_year`")
        dangling = sorted(y for y in self.fallback_years.values() if y not in self.by_year)
        if dangling:
            raise ValueError(f"fallback_years point to years missing from by_year: {dangling}")
        if isinstance(self.source, dict) and set(self.source) != set(self.by_year):
            raise ValueError(f"a source for each year of by_year {sorted(self.by_year)}, "
                             f"and no other (source has {sorted(self.source)})")
        return self

    def source_key(self, published_year: int | None) -> str:
        """The key of the source of the value published for `published_year` (None: a constant)."""
        if isinstance(self.source, dict):
            assert published_year is not None  # by_year factors always name their year
            return self.source[published_year]
        return self.source

    def source_keys(self) -> list[str]:
        return list(dict.fromkeys(self.source.values())) if isinstance(self.source, dict) else [self.source]

    def at(self, year: int) -> tuple[float, int | None] | None:
        """The value for `year` and the published year it comes from (None for a constant)."""
        if self.value is not None:
            return self.value, None
        used = year if year in self.by_year else self.fallback_years.get(year)
        return None if used is None else (self.by_year[used], used)


class NamedFactor(Factor):
    name_zh: Text
    residual: Text | None = None
    """Grid factors: the factor used instead in a year in which market-traded green electricity is
    deducted (MEE/NBS 表4, without market-traded non-fossil power), so it is not counted twice."""


class NonFossil(Model):
    """How indicator 16 counts non-fossil electricity (see data/carbon_factors.yaml)."""

    conversion: Literal["generation_coal_rate", "calorific_equivalent"] = "calorific_equivalent"
    include_grid_share: bool = False
    coal_rate: NamedFactor | None = None
    grid_share: dict[str, NamedFactor] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> NonFossil:
        if self.conversion == "generation_coal_rate" and self.coal_rate is None:
            raise ValueError("conversion generation_coal_rate needs `coal_rate` (gce/kWh by year)")
        if self.include_grid_share and not self.grid_share:
            raise ValueError("include_grid_share needs `grid_share` (the grid's non-fossil share, % by year)")
        return self


class Fuel(Model):
    name_zh: Text
    activity_unit: Text
    ncv: Factor
    carbon_content: Factor
    oxidation: Factor


class CoalEquivalent(Model):
    kj_per_kgce: NamedFactor
    electricity: dict[str, NamedFactor]
    heat: NamedFactor


class FactorTable(Model):
    id: Text
    version: Text
    name_zh: Text
    sources: dict[str, Source]
    fuels: dict[str, Fuel]
    electricity: dict[str, NamedFactor]
    heat: dict[str, NamedFactor]
    coal_equivalent: CoalEquivalent
    nonfossil: NonFossil = NonFossil()

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"

    def entries(self) -> Iterator[tuple[str, Factor, set[str]]]:
        """Every factor with its id (its path in the table) and the units the arithmetic accepts."""
        for key, fuel in self.fuels.items():
            yield f"fuels.{key}.ncv", fuel.ncv, {f"kJ/{fuel.activity_unit}"}
            yield f"fuels.{key}.carbon_content", fuel.carbon_content, {"tC/TJ"}
            yield f"fuels.{key}.oxidation", fuel.oxidation, {"1"}
        for key, factor in self.electricity.items():
            yield f"electricity.{key}", factor, GRID_UNITS
        for key, factor in self.heat.items():
            yield f"heat.{key}", factor, {"tCO2/GJ"}
        yield "coal_equivalent.kj_per_kgce", self.coal_equivalent.kj_per_kgce, {"kJ/kgce"}
        for key, factor in self.coal_equivalent.electricity.items():
            yield f"coal_equivalent.electricity.{key}", factor, {"kgce/kWh"}
        yield "coal_equivalent.heat", self.coal_equivalent.heat, {"tce/GJ"}
        if self.nonfossil.coal_rate is not None:
            yield "nonfossil.coal_rate", self.nonfossil.coal_rate, {"gce/kWh"}
        for key, factor in self.nonfossil.grid_share.items():
            yield f"nonfossil.grid_share.{key}", factor, {"%"}


def load_factors(path: Path | None = None) -> FactorTable:
    """Read and check a factor table (default: the package's); every problem is reported at once."""
    path = Path(path) if path is not None else DEFAULT_TABLE
    problems = Problems()
    try:
        table = FactorTable.model_validate(read_yaml(path))
    except ValidationError as exc:
        for error in exc.errors():
            problems.add(str(path), ".".join(map(str, error["loc"])) or "(top level)",
                         error.get("input"), error["msg"])
        raise InputError(problems.items) from None
    for factor_id, factor, units in table.entries():
        for key in factor.source_keys():
            if key not in table.sources:
                problems.add(str(path), f"{factor_id}.source", key, f"a key of `sources`: {', '.join(table.sources)}")
        if factor.unit not in units:
            problems.add(str(path), f"{factor_id}.unit", factor.unit, f"one of {', '.join(sorted(units))}")
    for key, factor in table.electricity.items():
        if factor.residual is not None and factor.residual not in table.electricity:
            problems.add(str(path), f"electricity.{key}.residual", factor.residual,
                         f"a key of `electricity`: {', '.join(table.electricity)}")
    for key, fuel in table.fuels.items():
        if fuel.activity_unit not in known_units():
            problems.add(str(path), f"fuels.{key}.activity_unit", fuel.activity_unit,
                         "a unit listed in evalkit/core/data/units.yaml (kg, m³ …)")
    for name, count in Counter(f.name_zh for f in table.fuels.values()).items():
        if count > 1:  # name_zh keys the emissions by source
            problems.add(str(path), "fuels", name, "a distinct name_zh for every fuel")
    problems.raise_if_errors()
    return table
