"""The park's input file: profile, basic-requirements answers, yearly data, qualitative levels,
not-applicable declarations, bonus items and reference overrides (params/README.md documents it).

Every figure carries its unit and its source. Shape is checked here (pydantic); meaning is checked
against the catalog in `evalkit.checks`, and both report every problem at once.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator

from evalkit.problems import InputError, Problems

Number = Annotated[float, Strict()]
Text = Annotated[str, Field(min_length=1)]
PARK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or blank")
    return value


class Point(Model):
    """One year's figure when it needs its own source or a note."""

    value: Number
    source: Text | None = None
    note: str | None = None

    _source = field_validator("source")(lambda v: v if v is None else _non_blank(v))


class Series(Model):
    """A yearly series: unit and source apply to every year unless a year gives its own source."""

    unit: Text
    source: Text
    values: dict[int, Number | Point]

    _source = field_validator("source")(_non_blank)

    def point(self, year: int) -> tuple[float, str] | None:
        raw = self.values.get(year)
        if raw is None:
            return None
        if isinstance(raw, Point):
            return raw.value, raw.source or self.source
        return float(raw), self.source


class Check(Model):
    """Answer to one basic-requirements item."""

    met: bool
    evidence: str = ""
    note: str | None = None


class LevelChoice(Model):
    """The assessor's chosen rubric level for a qualitative indicator in one year."""

    level: Text
    evidence: Text

    _evidence = field_validator("evidence")(_non_blank)


class NotApplicable(Model):
    justification: Text
    years: list[int] | None = None

    _why = field_validator("justification")(_non_blank)

    def covers(self, year: int) -> bool:
        return self.years is None or year in self.years


class BonusItem(Model):
    name: Text
    points: Number = Field(ge=0)
    justification: Text
    evidence: Text | None = None

    _why = field_validator("justification")(_non_blank)


class ReferenceOverride(Model):
    """Replace a catalog reference (`reference` or `floor`) for this park, with reasons."""

    reference: Number | None = None
    floor: Number | None = None
    justification: Text
    source: Text

    _why = field_validator("justification", "source")(_non_blank)


class Profile(Model):
    name_zh: Text
    name_en: str | None = None
    synthetic: bool = False
    province: str | None = None
    city: str | None = None
    park_type: str | None = None
    level: str | None = None
    management_body: str | None = None
    area_km2: Number | None = None
    established: int | None = None
    main_industries: list[str] = Field(default_factory=list)
    description: str | None = None
    base_year: int | None = None
    assessor: str | None = None
    assessment_type: str | None = None


class Energy(Model):
    """Energy statistics for carbon accounting (evalkit.carbon); see params/README.md."""

    grid_factor: Text = "national_average"
    heat_factor: Text = "default_heat"
    electricity_tce_basis: Text = "calorific_equivalent"
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


class ParkInput(Model):
    profile: Profile
    basic_requirements: dict[str, Check] = Field(default_factory=dict)
    data: dict[str, Series] = Field(default_factory=dict)
    energy: Energy | None = None
    qualitative: dict[str, dict[int, LevelChoice]] = Field(default_factory=dict)
    not_applicable: dict[str, NotApplicable] = Field(default_factory=dict)
    bonus: dict[int, list[BonusItem]] = Field(default_factory=dict)
    reference_overrides: dict[str, ReferenceOverride] = Field(default_factory=dict)
    strict_overall: bool = False

    def years(self) -> list[int]:
        seen: set[int] = set()
        for series in self.all_series().values():
            seen.update(series.values)
        return sorted(seen)

    def all_series(self) -> dict[str, Series]:
        """Every yearly series by its path in the file (data.x, energy.fuels.y, energy.z)."""
        found = {f"data.{k}": v for k, v in self.data.items()}
        if self.energy is not None:
            found |= {f"energy.{k}": v for k, v in self.energy.all_series().items()}
        return found


class LoadedPark(BaseModel):
    """A park input as read, with where it came from (for messages, traces and the archive)."""

    id: str
    path: Path
    input: ParkInput


def check_park_id(park: str) -> None:
    if not PARK_ID.match(park):
        problems = Problems()
        problems.add("--park", "park", park,
                     "a park id of letters, digits, '-' or '_' (a name under params/, not a path)")
        problems.raise_if_errors()


def find_park_file(park: str, params_dir: Path) -> Path:
    check_park_id(park)
    candidates = [params_dir / f"{park}.{ext}" for ext in ("yaml", "yml", "xlsx")]
    found = [p for p in candidates if p.is_file()]
    problems = Problems()
    if not found:
        known = sorted({p.stem for p in params_dir.glob("*") if p.suffix in {".yaml", ".yml", ".xlsx"}})
        problems.add(str(params_dir), "park", park,
                     f"a file {park}.yaml or {park}.xlsx in {params_dir}; parks there: {', '.join(known) or 'none'}")
    elif len(found) > 1:
        problems.add(str(params_dir), "park", park,
                     f"exactly one input file; found {', '.join(p.name for p in found)}")
    problems.raise_if_errors()
    return found[0]


def load_park(park: str, params_dir: Path | str = "params") -> LoadedPark:
    loaded, problems = read_park(park, params_dir)
    problems.raise_if_errors()
    assert loaded is not None
    return loaded


def read_park(park: str, params_dir: Path | str = "params") -> tuple[LoadedPark | None, Problems]:
    """The park as far as it could be read, and every shape problem found on the way.

    Parts of the file with shape errors are left out of the returned park, so that the catalog
    checks can still run on the rest and the assessor sees every problem in one pass.
    """
    path = find_park_file(park, Path(params_dir))
    model, problems = parse_park_collecting(read_raw(path), str(path))
    return (LoadedPark(id=park, path=path, input=model) if model else None), problems


def read_park_file(path: Path) -> ParkInput:
    """A park input file (YAML or Excel) by its path, e.g. the copy archived with a report."""
    return parse_park(read_raw(path), str(path))


def read_raw(path: Path) -> Any:
    if path.suffix == ".xlsx":
        from evalkit.workbook import read_workbook

        return read_workbook(path)
    from evalkit.template import drop_blanks  # template imports this module

    # A blank (null) left in a filled-in template means "no figure": missing data, not a type error.
    return drop_blanks(read_yaml(path))


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        problems = Problems()
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problems.add(str(path), where, None, f"valid YAML ({getattr(exc, 'problem', exc)})")
        raise InputError(problems.items) from None


def parse_park(raw: Any, file: str) -> ParkInput:
    """Validate the file's shape; raises InputError listing every shape error."""
    model, problems = parse_park_collecting(raw, file)
    problems.raise_if_errors()
    assert model is not None
    return model


def parse_park_collecting(raw: Any, file: str) -> tuple[ParkInput | None, Problems]:
    """Every shape error as a Problem naming field and year, and the park without the bad parts."""
    problems = Problems()
    pruned = copy.deepcopy(raw) if isinstance(raw, dict) else {}
    if raw is not None and not isinstance(raw, dict):
        problems.add(file, "(top level)", type(raw).__name__, "a mapping with profile, data, …")
    for attempt in range(8):
        try:
            return ParkInput.model_validate(pruned), problems
        except ValidationError as exc:
            errors = exc.errors()
        if attempt == 0:
            seen: set[str] = set()
            for error in errors:
                # A union (number or {value, source}) fails once per branch; report the field once.
                loc = [str(part) for part in error["loc"] if not _is_branch_tag(part)]
                field = ".".join(loc) or "(top level)"
                if field not in seen:
                    seen.add(field)
                    problems.add(file, field, error.get("input"), _expected(error), year=_year_in(error["loc"]))
        for error in errors:
            loc = [p for p in error["loc"] if not _is_branch_tag(p)]
            if error["type"] == "missing" and loc and loc[-1] in PLACEHOLDER_FIELDS:
                _set(pruned, loc, PLACEHOLDER)  # already reported; keep the rest checkable
            else:
                _prune(pruned, loc)
    return None, problems


# Required text fields that may stand in as a placeholder once their absence is reported, so a
# half-filled template is still checked as a whole (a missing park name must not hide the data).
PLACEHOLDER_FIELDS = {"name_zh", "source", "evidence", "justification", "name"}
PLACEHOLDER = "（未填写）"


def _set(raw: dict, loc: list[Any], value: Any) -> None:
    node: Any = raw
    for part in loc[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node[loc[-1]] = value


def _prune(raw: dict, loc: list[Any]) -> None:
    """Remove the part of the raw file at `loc` (or its parent when the part itself is absent)."""
    parents, node = [], raw
    for part in loc:
        if not isinstance(node, (dict, list)):
            break
        parents.append((node, part))
        node = node.get(part) if isinstance(node, dict) else (node[part] if isinstance(part, int)
                                                              and part < len(node) else None)
    while parents:
        container, key = parents.pop()
        if isinstance(container, dict) and key in container:
            del container[key]
            return
        if isinstance(container, list) and isinstance(key, int) and key < len(container):
            container.pop(key)
            return


def _is_branch_tag(part: Any) -> bool:
    return isinstance(part, str) and (part in {"float", "int", "str", "bool", "Point"}
                                      or part.startswith("function-"))


def _year_in(loc: tuple[Any, ...]) -> int | None:
    for part in loc:
        if isinstance(part, int) and 1900 < part < 2200:
            return part
        if isinstance(part, str) and part.isdigit() and 1900 < int(part) < 2200:
            return int(part)
    return None


def _expected(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        if error["loc"] and error["loc"][-1] == "source":
            return "a source (数据来源) for this series"
        return "this field is required"
    if kind == "extra_forbidden":
        return "no such field (check spelling; see params/README.md)"
    if kind == "string_too_short":
        return "must not be empty (every figure needs its source and unit)"
    if kind in {"float_type", "int_type", "float_parsing", "int_parsing"}:
        return "a number" if "values" not in error["loc"] else "a number, or {value, source}"
    return error["msg"]
