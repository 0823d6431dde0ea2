"""Field types shared by every input file (park files, catalogs, factor tables): strict numbers,
non-empty text, models that forbid unknown keys, and a yearly series with unit and source."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, field_validator
from pydantic_core import PydanticCustomError

# Input figures lie between these magnitudes (or are 0): above any park statistic (China's GDP is
# ~1.3e14 元), below any meaningful one; so no quotient or product of them can overflow to inf.
MAX_MAGNITUDE, MIN_MAGNITUDE = 1e15, 1e-9
FIRST_YEAR, LAST_YEAR = 1900, 2100


def _finite_and_bounded(value: Any) -> Any:
    # Checked before the float conversion, so that 10**400 is named as too large, not as "not a number".
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("finite_number", "a finite number (not NaN or infinity)")
        if abs(value) > MAX_MAGNITUDE:
            raise PydanticCustomError("magnitude", "a number of at most {limit} in magnitude",
                                      {"limit": f"{MAX_MAGNITUDE:.0e}"})
        if value and abs(value) < MIN_MAGNITUDE:
            raise PydanticCustomError("magnitude", "0 or a number of at least {limit} in magnitude",
                                      {"limit": f"{MIN_MAGNITUDE:.0e}"})
    return value


def _year(value: int) -> int:
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise PydanticCustomError("year_range", "a 4-digit year from {first} to {last}",
                                  {"first": FIRST_YEAR, "last": LAST_YEAR})
    return value


Number = Annotated[float, Strict(), BeforeValidator(_finite_and_bounded)]
Year = Annotated[int, AfterValidator(_year)]
Text = Annotated[str, Field(min_length=1)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or blank")
    return value


# Data quality of a figure (DIGEST decision 3): measured 实测/统计, derived 推算 (computed from other
# published figures), estimated 估算, proxy 代用 (e.g. a city-level figure standing in for the park's).
Scope = Literal["measured", "derived", "estimated", "proxy"]


class Quality(NamedTuple):
    """What a figure is: its scope, how it was derived, a note, and why a proxy may be scored."""

    scope: str
    derivation: str | None = None
    note: str | None = None
    proxy_justification: str | None = None


class Point(Model):
    """One year's figure when it needs its own source, a note or its own data quality."""

    value: Number
    source: Text | None = None
    note: str | None = None
    scope: Scope | None = None
    derivation: str | None = None
    proxy_justification: str | None = None

    _source = field_validator("source")(lambda v: v if v is None else non_blank(v))


class Series(Model):
    """A yearly series: unit and source apply to every year unless a year gives its own source."""

    unit: Text
    source: Text
    values: dict[Year, Number | Point]
    scope: Scope = "measured"
    derivation: str | None = None
    note: str | None = None
    proxy_justification: str | None = None
    evidence_ids: list[Text] = Field(default_factory=list)
    """Ids of the park's evidence register (`evidence:`) that prove these figures."""

    _source = field_validator("source")(non_blank)

    def quality(self, year: int) -> Quality:
        """The year's data quality: a year's own entries override the series'."""
        raw = self.values.get(year)
        own = raw if isinstance(raw, Point) else None
        return Quality(*(getattr(own, name) if own is not None and getattr(own, name) is not None
                         else getattr(self, name) for name in Quality._fields))

    def point(self, year: int) -> tuple[float, str] | None:
        raw = self.values.get(year)
        if raw is None:
            return None
        if isinstance(raw, Point):
            return raw.value, raw.source or self.source
        return float(raw), self.source
