"""Step 1 of the computation: every input symbol, per year, in the catalog's unit, with its source.

Figures come from the park file's `data` section (converted from the unit they were given in) or,
for the symbols the catalog marks `carbon: true`, from the carbon accounting of `energy` data.
Each keeps its data quality (scope, derivation, note). A proxy figure is used only when the catalog
or the park file allows it with a justification; otherwise it is set aside as not scored
(`Variables.unscored_proxies`) and the indicators needing it count as missing (DIGEST decision 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from evalkit import carbon
from evalkit.catalog import Catalog
from evalkit.catalog.formulas import Symbol
from evalkit.intake import LoadedPark
from evalkit.core.fields import Quality
from evalkit.core.trace import Trace, TraceInput
from evalkit.core.units import convert




class Quantity(NamedTuple):
    """One input figure in the catalog's unit. A named tuple: a few hundred are made per evaluation,
    and a tuple is immutable and cheap to create."""

    symbol: str
    name_zh: str
    value: float
    unit: str
    year: int
    source: str
    given_value: float
    given_unit: str
    trace: Trace | None = None
    quality: Quality | None = None  # None: computed by evalkit (carbon accounting)

    def as_input(self, lag: int = 0) -> TraceInput:
        symbol = self.symbol if lag == 0 else f"prev({self.symbol})"
        q = self.quality
        if q is None:
            return TraceInput(symbol=symbol, name_zh=self.name_zh, value=self.value, unit=self.unit,
                              year=self.year, source=self.source)
        return TraceInput(symbol=symbol, name_zh=self.name_zh, value=self.value, unit=self.unit, year=self.year,
                          source=self.source, scope=q.scope, derivation=q.derivation, note=q.note,
                          proxy_justification=q.proxy_justification)


@dataclass
class Variables:
    """Lookup of input quantities by symbol and year; absent means missing data."""

    values: dict[tuple[str, int], Quantity]
    carbon_years: dict[int, carbon.CarbonYear]
    # Proxy figures without an allowance: given, but not scored.
    unscored_proxies: dict[tuple[str, int], Quantity] = field(default_factory=dict)
    # By (symbol, year, lag), made on first use: a figure cited by several traces is one shared input.
    trace_inputs: dict[tuple[str, int, int], TraceInput] = field(default_factory=dict)

    def get(self, symbol: str, year: int) -> Quantity | None:
        return self.values.get((symbol, year))

    def at(self, year: int):
        """A formula lookup for `year`: prev(x) reads year − 1."""
        return lambda s: (q.value if (q := self.get(s.name, year - s.lag)) else None)

    def trace_input(self, quantity: Quantity, lag: int = 0) -> TraceInput:
        key = (quantity.symbol, quantity.year, lag)
        if key not in self.trace_inputs:
            self.trace_inputs[key] = quantity.as_input(lag)
        return self.trace_inputs[key]

    def inputs_of(self, symbols: list[Symbol], year: int) -> tuple[list[TraceInput], list[str]]:
        """Trace inputs for the symbols of a formula, and the ones that are missing."""
        found, missing = [], []
        for s in symbols:
            q = self.get(s.name, year - s.lag)
            if q is None:
                missing.append(f"{s.name}@{year - s.lag}")
            else:
                found.append(self.trace_input(q, s.lag))
        return found, missing


def build_variables(park: LoadedPark, catalog: Catalog, years: list[int], factors: carbon.FactorTable,
                    carbon_accounts: dict[int, carbon.CarbonYear]) -> Variables:
    """Assumes `evalkit.intake.checks` passed: units convert, sources are present, bounds hold, and
    `carbon_accounts` holds its account (made without value added) of every energy year in `years`."""
    values: dict[tuple[str, int], Quantity] = {}
    unscored: dict[tuple[str, int], Quantity] = {}
    for symbol, series in park.input.data.items():
        spec = catalog.inputs[symbol]
        for year in series.values:
            value, source = series.point(year)  # type: ignore[misc]
            quality = series.quality(year)
            if quality.scope == "proxy" and not quality.proxy_justification and spec.proxy_allowed:
                quality = quality._replace(proxy_justification=f"指标目录允许：{spec.proxy_allowed}")
            quantity = Quantity(symbol, spec.name_zh, convert(value, series.unit, spec.unit),
                                spec.unit, year, source, value, series.unit, quality=quality)
            allowed = quality.scope != "proxy" or quality.proxy_justification
            (values if allowed else unscored)[(symbol, year)] = quantity
    carbon_years: dict[int, carbon.CarbonYear] = {}
    energy = park.input.energy
    if energy is not None:
        for year in sorted(set(years) & set(energy.years())):
            iva = values.get(("iva", year))
            account = carbon.with_value_added(carbon_accounts[year], iva.value if iva else None,
                                              iva.source if iva else None, file=str(park.path))
            carbon_years[year] = account
            for symbol, field in carbon.CARBON_FIELDS.items():
                value = getattr(account, field)
                if value is None or symbol not in catalog.inputs:
                    continue
                spec = catalog.inputs[symbol]
                values[(symbol, year)] = Quantity(
                    symbol, spec.name_zh, value, spec.unit, year,
                    f"碳排放核算（因子表 {factors.id}），见碳排放核算表", value, spec.unit,
                    account.traces.get(symbol))
    return Variables(values, carbon_years, unscored)

