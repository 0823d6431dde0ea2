"""The energy section of a park file (`energy:`): the statistics carbon accounting works from."""

from __future__ import annotations

from pydantic import Field

from evalkit.core.fields import Model, Series, Text


class Energy(Model):
    """Energy statistics for carbon accounting (evalkit.carbon); see params/README.md."""

    grid_factor: Text = "national_average"
    heat_factor: Text = "default_heat"
    electricity_tce_basis: Text = "calorific_equivalent"
    grid_nonfossil_share: Text = "national"
    fuels: dict[str, Series] = Field(default_factory=dict)
    electricity_purchased: Series | None = None
    electricity_exported: Series | None = None
    green_electricity: Series | None = None
    onsite_renewable: Series | None = None
    heat_purchased: Series | None = None
    heat_exported: Series | None = None
    process_co2: Series | None = None
    verified_co2: Series | None = None

    def all_series(self) -> dict[str, Series]:
        """Every yearly series by its path under `energy` (fuels.raw_coal, electricity_purchased …)."""
        found = {f"fuels.{k}": v for k, v in self.fuels.items()}
        for name in type(self).model_fields:
            if isinstance(value := getattr(self, name), Series):
                found[name] = value
        return found

    def years(self) -> list[int]:
        return sorted({year for series in self.all_series().values() for year in series.values})
