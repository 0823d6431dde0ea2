"""Field types shared by every input file (park files, catalogs, factor tables): strict numbers,
non-empty text, models that forbid unknown keys, and a yearly series with unit and source."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator

Number = Annotated[float, Strict()]
Text = Annotated[str, Field(min_length=1)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or blank")
    return value


class Point(Model):
    """One year's figure when it needs its own source or a note."""

    value: Number
    source: Text | None = None
    note: str | None = None

    _source = field_validator("source")(lambda v: v if v is None else non_blank(v))


class Series(Model):
    """A yearly series: unit and source apply to every year unless a year gives its own source."""

    unit: Text
    source: Text
    values: dict[int, Number | Point]
    evidence_ids: list[Text] = Field(default_factory=list)
    """Ids of the park's evidence register (`evidence:`) that prove these figures."""

    _source = field_validator("source")(non_blank)

    def point(self, year: int) -> tuple[float, str] | None:
        raw = self.values.get(year)
        if raw is None:
            return None
        if isinstance(raw, Point):
            return raw.value, raw.source or self.source
        return float(raw), self.source
