"""The park's input file: profile, basic-requirements answers, yearly data, qualitative levels,
not-applicable declarations, bonus items and reference overrides (params/README.md documents it).

Every figure carries its unit and its source. Shape is checked here (pydantic); meaning is checked
against the catalog in `evalkit.intake.checks`, and both report every problem at once.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from evalkit.carbon.energy import Energy
from evalkit.core.fields import Model, Number, Series, Text, Year, non_blank
from evalkit.core.problems import Problems

PARK_ID_MAX = 64  # a file name with its suffix must fit every file system (255 bytes)
PARK_ID = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_-]{{0,{PARK_ID_MAX - 1}}}$")


class Check(Model):
    """Answer to one basic-requirements item: met, not met, or unknown (待补证, evidence pending)."""

    met: bool | Literal["unknown"]
    evidence: str = ""
    evidence_ids: list[Text] = Field(default_factory=list)
    note: str | None = None
    # 核实说明: the assessor's written finding why data that contradict a `met` answer do not refute it
    # (e.g. an inflow section polluted upstream); without it such an item is 待核实 (evaluation.gate)
    reconciliation: str | None = None

    @property
    def status(self) -> str:
        return "unknown" if self.met == "unknown" else "met" if self.met else "failed"


class LevelChoice(Model):
    """The assessor's chosen rubric level for a qualitative indicator in one year."""

    level: Text
    evidence: Text
    evidence_ids: list[Text] = Field(default_factory=list)

    _evidence = field_validator("evidence")(non_blank)


class NotApplicable(Model):
    """Not applicable: a structural reason from the catalog's list (`reason`) plus its justification."""

    reason: Text | None = None
    justification: Text
    years: list[Year] | None = None

    _why = field_validator("justification")(non_blank)

    def covers(self, year: int) -> bool:
        return self.years is None or year in self.years


class BonusItem(Model):
    """A bonus item: points declared by the park (申报分值), points approved by the assessor
    (核定分值) against a catalog rubric entry; only approved points count."""

    name: Text
    points: Number = Field(ge=0)
    justification: Text
    evidence: Text | None = None
    rubric: Text | None = None
    approved_points: Number | None = Field(default=None, ge=0)
    approval_note: Text | None = None
    evidence_ids: list[Text] = Field(default_factory=list)

    _why = field_validator("justification")(non_blank)


class ReferenceOverride(Model):
    """Replace a catalog reference (`reference` or `floor`) for this park, with reasons. With
    `document_no` (文号) and `clause` the assessor confirms the new value in its primary text."""

    reference: Number | None = None
    floor: Number | None = None
    justification: Text
    source: Text
    document_no: Text | None = None
    clause: Text | None = None

    _why = field_validator("justification", "source")(non_blank)


class ReferenceConfirmation(Model):
    """The assessor confirms a catalog reference as is, having read it in its primary text."""

    fields: list[Text] | None = None  # reference, floor; default: every one the indicator has
    document_no: Text
    clause: Text
    confirmed_by: Text
    note: Text | None = None

    _cited = field_validator("document_no", "clause", "confirmed_by")(non_blank)


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
    established: Year | None = None
    main_industries: list[str] = Field(default_factory=list)
    description: str | None = None
    base_year: Year | None = None
    assessor: str | None = None
    assessment_type: str | None = None


EVIDENCE_DIR = "evidence"
"""Evidence files of park X sit in `<folder of X's park file>/evidence/X/` (params/evidence/X/)."""


class EvidenceItem(Model):
    """One document of the evidence register (证明材料, 7.2.3): cited by id from data series, basic
    requirements, qualitative levels and bonus items; its file is archived and hashed, never opened."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    title: Text
    issuer: str | None = None
    doc_no: str | None = None
    """文号, e.g. 示范环审〔2019〕8号."""
    date: str | None = None
    file: Annotated[str, Field(pattern=r"^[^./\\:][^/\\:]*$")] | None = None
    """A plain file name inside the park's evidence folder (no path: nothing outside it is read)."""
    verification: list[Literal["资料核查", "现场核查", "抽样核查", "座谈核实"]] = Field(default_factory=list)
    verified_by: str | None = None
    note: str | None = None

    _title = field_validator("title")(non_blank)


class ScopeInfo(Model):
    """评价范围与边界."""

    geographic: str | None = None
    statistical: str | None = None
    notes: list[str] = Field(default_factory=list)
    """Scope mismatches and their treatment (e.g. energy of 规上企业 vs value added of the whole park)."""


class Activity(Model):
    """One activity of the evaluation work (7.2.1): document review, site visit, interview, sampling."""

    activity: Text
    dates: str | None = None
    by: str | None = None
    content: str | None = None


class SelfEvaluation(Model):
    """The park's own evaluation (7.1.1), shown next to the third-party figures."""

    source: Text
    index: Number | None = None
    grade: str | None = None
    yearly_index: dict[int, Number] = Field(default_factory=dict)


class ReportInfo(Model):
    """The assessor's parts of the report (报告编号, 委托方, narrative, sign-off): written in the data so
    that an edit lands in every format and is reproduced by `evalkit verify`."""

    report_no: str | None = None
    client: str | None = None
    assessor: str | None = None
    date: str | None = None
    basis_extra: list[str] = Field(default_factory=list)
    scope: ScopeInfo = Field(default_factory=ScopeInfo)
    procedure: list[Activity] = Field(default_factory=list)
    conclusion: str | None = None
    recommendations: list[str] = Field(default_factory=list)
    project_lead: str | None = None
    reviewer: str | None = None
    approver: str | None = None
    sign_date: str | None = None
    self_evaluation: SelfEvaluation | None = None

    def day(self) -> date | None:
        """The report date as a date (2024年4月15日, 2024-04-15, 2024.4.15); None when absent or not a date."""
        found = REPORT_DATE.search(self.date or "")
        if found is None:
            return None
        try:
            return date(*map(int, found.groups()))
        except ValueError:
            return None


REPORT_DATE = re.compile(r"(\d{4})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:月|[-./])\s*(\d{1,2})")


class ParkInput(Model):
    profile: Profile
    basic_requirements: dict[str, Check] = Field(default_factory=dict)
    data: dict[str, Series] = Field(default_factory=dict)
    energy: Energy | None = None
    qualitative: dict[str, dict[Year, LevelChoice]] = Field(default_factory=dict)
    not_applicable: dict[str, NotApplicable] = Field(default_factory=dict)
    bonus: dict[Year, list[BonusItem]] = Field(default_factory=dict)
    reference_overrides: dict[str, ReferenceOverride] = Field(default_factory=dict)
    reference_confirmations: dict[str, ReferenceConfirmation] = Field(default_factory=dict)
    strict_overall: bool = False
    evidence: list[EvidenceItem] = Field(default_factory=list)
    report: ReportInfo = Field(default_factory=ReportInfo)

    def years(self) -> list[int]:
        seen: set[int] = set()
        for series in self.all_series().values():
            seen.update(series.values)
        return sorted(seen)

    def evidence_ids_cited(self) -> dict[str, list[str]]:
        """Every evidence id the file cites, by the field citing it."""
        cited = {f"{path}.evidence_ids": s.evidence_ids for path, s in self.all_series().items()}
        cited |= {f"basic_requirements.{k}.evidence_ids": c.evidence_ids for k, c in self.basic_requirements.items()}
        cited |= {f"qualitative.{code}.{year}.evidence_ids": choice.evidence_ids
                  for code, years in self.qualitative.items() for year, choice in years.items()}
        cited |= {f"bonus.{year}.{n}.evidence_ids": item.evidence_ids
                  for year, items in self.bonus.items() for n, item in enumerate(items)}
        return {field: ids for field, ids in cited.items() if ids}

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

    @property
    def evidence_dir(self) -> Path:
        return evidence_dir(self.path, self.id)


def evidence_dir(park_file: Path, park_id: str) -> Path:
    """Where the evidence files of park `park_id` sit: `<folder of the park file>/evidence/<park_id>/`."""
    return Path(park_file).parent / EVIDENCE_DIR / park_id


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
                    value = None if error["type"] == "missing" else error.get("input")
                    problems.add(file, field, value, _expected(error), year=_year_in(error["loc"]))
        for error in errors:
            loc = [p for p in error["loc"] if not _is_branch_tag(p)]
            if error["type"] == "missing" and loc and loc[-1] in PLACEHOLDER_FIELDS:
                _set(pruned, loc, PLACEHOLDER)  # already reported; keep the rest checkable
            else:
                _prune(pruned, loc)
    return None, problems


def without_consequences(shape: Problems, later: Problems) -> Problems:
    """`later` without the problems that only follow from a shape error already reported: a part
    with a shape error is left out of the checked park, so checks of that part (a series without
    values, an unanswered requirement, years without data) would report a false second problem."""
    if not shape.errors:
        return later
    broken = {_item(p.field) for p in shape.errors}
    sections = {p.field.split(".")[0] for p in shape.errors}
    kept = Problems()
    kept.extend([p for p in later.items if _item(p.field) not in broken
                 and not (p.field == "years" and sections & {"data", "energy", "(top level)"})])
    return kept


def _item(field: str) -> str:
    """The entry a field belongs to: data.iva.values.2021 → data.iva; energy.fuels.coke.unit → energy.fuels.coke."""
    parts = field.split(".")
    return ".".join(parts[:3] if parts[:2] == ["energy", "fuels"] else parts[:2])


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
    return isinstance(part, str) and (part in {"float", "int", "str", "bool", "Point", "[key]"}
                                      or part.startswith(("function-", "literal[")))


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
    if kind == "dict_type":
        return "a mapping of year: value" if error["loc"][-1] == "values" else "a mapping (key: value)"
    if kind == "extra_forbidden":
        return "no such field (check spelling; see params/README.md)"
    if kind == "string_too_short":
        return "must not be empty (every figure needs its source and unit)"
    if kind in {"float_type", "int_type", "float_parsing", "int_parsing"}:
        return "a number" if "values" not in error["loc"] else "a number, or {value, source}"
    field = next((str(part) for part in reversed(error["loc"]) if isinstance(part, str)
                  and not _is_branch_tag(part)), "")
    if field in EXPECTED:
        return EXPECTED[field]
    if kind in {"bool_type", "bool_parsing"}:
        return "true or false"
    bound = (error.get("ctx") or {})
    plain = {
        "string_type": "text", "list_type": "a list",
        "greater_than_equal": f"a number ≥ {bound.get('ge')}", "greater_than": f"a number > {bound.get('gt')}",
        "less_than_equal": f"a number ≤ {bound.get('le')}", "literal_error": f"one of {bound.get('expected')}",
    }
    return plain.get(kind, error["msg"])


# What a field accepts, in the assessor's words, for fields whose pydantic message would be
# programmer text (a union of a bool and a literal, a literal of several words).
EXPECTED = {
    "met": "true, false or unknown (待补证: evidence pending)",
    "scope": "measured, derived, estimated or proxy (实测、推算、估算、代用)",
}
