"""Check a park's input against the catalog before anything is computed.

Every rule appends to one `Problems` collector, so the assessor sees every mistake of the file at
once: unknown symbols and indicator codes, units of the wrong dimension, impossible values, parts
larger than their whole, years outside the data, bonus and evidence rules. `evalkit validate`
adds data-quality warnings on top (evalkit.intake.validate).
"""

from __future__ import annotations

import math
import re

from evalkit import carbon
from evalkit.catalog import Catalog
from evalkit.intake.models import LoadedPark
from evalkit.core.fields import FIRST_YEAR, LAST_YEAR, MAX_MAGNITUDE
from evalkit.core.problems import InputError, Problems
from evalkit.core.units import UnitError, convert

YEARS = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")


def parse_span(text: str, field: str = "--years") -> list[int]:
    """`2021-2023` → [2021, 2022, 2023]; anything else is an input problem."""
    problems = Problems()
    match = YEARS.match(text or "")
    if not match:
        problems.add(field, "years", text, "a window like 2021-2023")
    elif int(match.group(2)) < int(match.group(1)):
        problems.add(field, "years", text, "first year before last year")
    elif not all(FIRST_YEAR <= int(y) <= LAST_YEAR for y in match.groups()):
        problems.add(field, "years", text, f"years from {FIRST_YEAR} to {LAST_YEAR}")
    problems.raise_if_errors()
    return list(range(int(match.group(1)), int(match.group(2)) + 1))  # type: ignore[union-attr]


def parse_window(text: str, catalog: Catalog) -> list[int]:
    """An evaluation window; shorter than the catalog's window (3 years) is refused."""
    years = parse_span(text)
    need = catalog.grading.window_years
    if len(years) < need:
        problems = Problems()
        problems.add("--years", "years", text,
                     f"at least {need} years: the index is the mean of the evaluation year and the "
                     f"{need - 1} before it (6.2.4) / 评价窗口至少{need}年")
        problems.raise_if_errors()
    return years


def overall_base_year(park: LoadedPark, window: list[int], base_year: int | None = None) -> int:
    """The base year of the overall evaluation (6.3): the one asked for, else the park's, else the window's first."""
    return base_year or park.input.profile.base_year or window[0]


def years_used(park: LoadedPark, window: list[int], base_year: int | None = None) -> list[int]:
    """The years an evaluation of `window` reads: the year before it (change rates of its first year,
    DIGEST decision 4), the window and the overall evaluation's base year. A file may hold more years
    (yearbooks go back); those are kept for other windows and not needed for this one."""
    return sorted({window[0] - 1, *window, overall_base_year(park, window, base_year)})


def check_park(park: LoadedPark, catalog: Catalog, window: list[int], factors: carbon.FactorTable,
               base_year: int | None = None) -> Problems:
    problems, _ = check_and_account(park, catalog, window, factors, base_year)
    return problems


def check_and_account(park: LoadedPark, catalog: Catalog, window: list[int], factors: carbon.FactorTable,
                      base_year: int | None = None) -> tuple[Problems, dict[int, carbon.CarbonYear]]:
    """`check_park`, and the carbon accounts (without value added) of the years used (`years_used`) that
    account cleanly: checking needs the accounting anyway, and the evaluation reuses it instead of
    accounting again. An energy year the window does not use is not accounted, so a factor the table
    lacks for it blocks nothing; its figures are still checked like all others."""
    problems = Problems()
    accounts: dict[int, carbon.CarbonYear] = {}
    file = str(park.path)
    data = park.input
    _check_series(park, catalog, problems)
    _check_parts(park, catalog, problems)
    _check_years(park, catalog, window, problems)
    _check_codes(park, catalog, window, problems)
    _check_gate_answers(park, catalog, problems)
    _check_evidence_ids(park, problems)
    if data.energy is not None:
        _check_energy_figures(park, problems)
        for symbol in data.data:
            if catalog.inputs.get(symbol) and catalog.inputs[symbol].carbon:
                problems.add(file, f"data.{symbol}", None,
                             "not both: this value is computed from the energy section (carbon accounting); "
                             "remove one of them")
        for year in sorted(set(data.energy.years()) & set(years_used(park, window, base_year))):
            try:
                accounts[year] = carbon.account(data.energy, year, file=file, table=factors)
            except InputError as exc:
                problems.extend(exc.problems)
    return problems, accounts


def _check_series(park: LoadedPark, catalog: Catalog, problems: Problems) -> None:
    file = str(park.path)
    for symbol, series in park.input.data.items():
        spec = catalog.inputs.get(symbol)
        if spec is None:
            problems.add(file, f"data.{symbol}", symbol,
                         "an input symbol of the catalog (`evalkit catalog --inputs` lists them)")
            continue
        try:
            convert(1.0, series.unit, spec.unit)
        except UnitError as exc:
            problems.add(file, f"data.{symbol}.unit", series.unit,
                         f"a unit convertible to {spec.unit} ({spec.name_zh}): {exc}")
            continue
        for year in series.values:
            value, _ = series.point(year)  # type: ignore[misc]
            x = convert(value, series.unit, spec.unit)
            if not math.isfinite(x) or abs(x) > MAX_MAGNITUDE:
                problems.add(file, f"data.{symbol}", value,
                             f"at most {MAX_MAGNITUDE:.0e} {spec.unit} once converted from {series.unit} "
                             f"(is the unit right?)", year=year)
                continue
            if spec.min is not None and (x < spec.min or (spec.exclusive_min and x == spec.min)):
                relation = ">" if spec.exclusive_min else "≥"
                problems.add(file, f"data.{symbol}", value,
                             f"{spec.name_zh} {relation} {spec.min:g} {spec.unit}", year=year)
            if spec.max is not None and x > spec.max:
                problems.add(file, f"data.{symbol}", value, f"{spec.name_zh} ≤ {spec.max:g} {spec.unit}",
                             year=year)


def _check_parts(park: LoadedPark, catalog: Catalog, problems: Problems) -> None:
    data = park.input.data
    for part, whole in catalog.parts:
        if part not in data or whole not in data:
            continue
        try:
            a_factor = convert(1.0, data[part].unit, catalog.inputs[part].unit)
            b_factor = convert(1.0, data[whole].unit, catalog.inputs[whole].unit)
        except UnitError:
            continue  # reported by _check_series
        for year in sorted(set(data[part].values) & set(data[whole].values)):
            a = data[part].point(year)[0] * a_factor  # type: ignore[index]
            b = data[whole].point(year)[0] * b_factor  # type: ignore[index]
            if a > b * (1 + 1e-9):
                problems.add(str(park.path), f"data.{part}", data[part].point(year)[0],  # type: ignore[index]
                             f"not more than data.{whole} ({catalog.inputs[whole].name_zh} "
                             f"{b:g} {catalog.inputs[whole].unit})", year=year)


def _check_years(park: LoadedPark, catalog: Catalog, window: list[int], problems: Problems) -> None:
    file = str(park.path)
    have = set(park.input.years())
    for year in window:
        if year not in have:
            problems.add(file, "years", year,
                         f"data for every year of the window; the file has {_span(have)}", year=year)
    before = window[0] - 1
    if have and before not in have:
        problems.add(file, "years", before,
                     f"data for {before} too: change-rate indicators of {window[0]} need the year before "
                     f"(DIGEST decision 4); the file has {_span(have)}", year=before)
    base = park.input.profile.base_year
    if base is not None and (base not in have or base > window[-1]):
        problems.add(file, "profile.base_year", base,
                     f"a year with data, not after {window[-1]}; the file has {_span(have)}")


def _span(years: set[int]) -> str:
    return ", ".join(map(str, sorted(years))) if years else "no yearly data"


def _check_codes(park: LoadedPark, catalog: Catalog, window: list[int], problems: Problems) -> None:
    file = str(park.path)
    data = park.input
    known = set(catalog.codes)
    for code, years in data.qualitative.items():
        if code not in known:
            problems.add(file, f"qualitative.{code}", code, f"an indicator code of catalog {catalog.id}")
            continue
        ind = catalog.indicator(code)
        if ind.kind != "qualitative":
            problems.add(file, f"qualitative.{code}", code, "a qualitative indicator (this one is computed from data)")
            continue
        levels = [lv.id for lv in ind.scoring.levels or []]
        for year, choice in years.items():
            if choice.level not in levels:
                problems.add(file, f"qualitative.{code}.level", choice.level, f"one of {levels}", year=year)
    _check_not_applicable(park, catalog, problems)
    for code, override in data.reference_overrides.items():
        if code not in known:
            problems.add(file, f"reference_overrides.{code}", code, f"an indicator code of catalog {catalog.id}")
            continue
        spec = catalog.indicator(code).scoring
        for field in ("reference", "floor"):
            if getattr(override, field) is not None and getattr(spec, field) is None:
                problems.add(file, f"reference_overrides.{code}.{field}", getattr(override, field),
                             f"only parameters the method {spec.method} has")
        _check_override_values(file, code, override, catalog, problems)
    _check_bonus(park, catalog, window, problems)
    for code, confirmation in data.reference_confirmations.items():
        if code not in known:
            problems.add(file, f"reference_confirmations.{code}", code, f"an indicator code of catalog {catalog.id}")
            continue
        spec = catalog.indicator(code).scoring
        for field in confirmation.fields or []:
            if field not in ("reference", "floor") or getattr(spec, field, None) is None:
                problems.add(file, f"reference_confirmations.{code}.fields", field,
                             f"a reference this indicator has ({', '.join(f for f in ('reference', 'floor') if getattr(spec, f))})")


def _check_not_applicable(park: LoadedPark, catalog: Catalog, problems: Problems) -> None:
    """N/A needs a structural reason from the catalog's list and a justification; a declaration that
    the figure is not counted separately is missing data (DIGEST decision 3), refused here."""
    file, rules = str(park.path), catalog.not_applicable
    reasons = ", ".join(f"{r.id} ({r.text_zh})" for r in rules.reasons)
    for code, na in park.input.not_applicable.items():
        if code not in catalog.codes:
            problems.add(file, f"not_applicable.{code}", code, f"an indicator code of catalog {catalog.id}")
            continue
        if rules.reasons and na.reason is None:
            problems.add(file, f"not_applicable.{code}.reason", None, f"one structural reason of the catalog: {reasons}")
        elif rules.reasons and rules.reason(na.reason or "") is None:
            problems.add(file, f"not_applicable.{code}.reason", na.reason, f"one of {reasons}")
        phrase = next((p for p in rules.missing_data_phrases if p in na.justification), None)
        if phrase is not None:
            problems.add(file, f"not_applicable.{code}.justification", na.justification,
                         f"a structural reason; “{phrase}” means the data exist but are not counted: that is "
                         "missing data, not not-applicable (不适用≠缺失) — remove the declaration and supply the "
                         "figure, or leave it missing (0 points, listed as a data gap)")


def _check_bonus(park: LoadedPark, catalog: Catalog, window: list[int], problems: Problems) -> None:
    """Declared points (申报) ≤ cap; approved points (核定) against a catalog rubric entry, ≤ its maximum
    and ≤ the declared points; an item not yet approved counts 0 (warning)."""
    file, cap, bonus = str(park.path), catalog.grading.bonus_cap_points, catalog.bonus
    rubric = ", ".join(f"{e.id} ({e.name_zh}, ≤{e.max_points:g})" for e in bonus.rubric)
    data_years = set(park.input.years())
    for year, items in park.input.bonus.items():
        # A file holds more years than one window (trends, annual statements): bonus items of other
        # years are kept for their windows; a year the file has no data for is a mistake.
        if year not in window and year not in data_years:
            problems.add(file, f"bonus.{year}", year, f"a year of the window {window[0]}–{window[-1]} or a year "
                         "the file has data for", year=year)
        for n, item in enumerate(items):
            where = f"bonus.{year}.{n}"
            if item.points > cap:
                problems.add(file, f"{where}.points", item.points,
                             f"at most {cap:g} points (6.2.3: 加分项不能超过{cap:g}分)", year=year)
            entry = bonus.rubric_entry(item.rubric or "")
            if bonus.rubric and entry is None:
                problems.add(file, f"{where}.rubric", item.rubric, f"a bonus rubric entry of the catalog: {rubric}",
                             year=year)
            if item.approved_points is None:
                problems.add(file, f"{where}.approved_points", None,
                             "the points the assessor approves (核定分值); until then the item counts 0",
                             year=year, severity="warning")
                continue
            if entry is not None and item.approved_points > entry.max_points:
                problems.add(file, f"{where}.approved_points", item.approved_points,
                             f"at most {entry.max_points:g} points (rubric {entry.id}: {entry.name_zh})", year=year)
            if item.approved_points > item.points:
                problems.add(file, f"{where}.approved_points", item.approved_points,
                             f"at most the declared points ({item.points:g}, 申报分值)", year=year)


def _check_override_values(file: str, code: str, override, catalog: Catalog, problems: Problems) -> None:
    """An override must leave a scoring rule that can score: no zero reference to divide by."""
    for variant in catalog.indicator(code).variants():
        spec = variant.scoring
        reference = override.reference if override.reference is not None else (
            spec.reference.value if spec.reference else None)
        floor = override.floor if override.floor is not None else (spec.floor.value if spec.floor else None)
        if spec.method == "capped_ratio" and reference is not None and reference <= 0:
            problems.add(file, f"reference_overrides.{code}.reference", reference,
                         "a positive reference (the score is a ratio to it)")
            return
        if spec.method == "linear" and reference is not None and reference == floor:
            field = "reference" if override.reference is not None else "floor"
            problems.add(file, f"reference_overrides.{code}.{field}", getattr(override, field),
                         f"a reference different from the floor ({floor:g}): the score interpolates between them")
            return


def _check_gate_answers(park: LoadedPark, catalog: Catalog, problems: Problems) -> None:
    file = str(park.path)
    ids = {item.id for item in catalog.basic_requirements.items}
    for key, answer in park.input.basic_requirements.items():
        if key not in ids:
            problems.add(file, f"basic_requirements.{key}", key, f"one of {sorted(ids)}")
        elif answer.met is True and not answer.evidence.strip():
            problems.add(file, f"basic_requirements.{key}.evidence", answer.evidence,
                         "evidence for a requirement declared met (7.2.1)")
    for key in sorted(ids - set(park.input.basic_requirements)):
        problems.add(file, f"basic_requirements.{key}", None,
                     "an answer (met: true, false or unknown, with evidence); unanswered counts as unknown "
                     "(待补证): the evaluation is deferred until it is settled", severity="warning")


def _check_evidence_ids(park: LoadedPark, problems: Problems) -> None:
    """Every cited evidence id is in the register, and each register id is used once."""
    file = str(park.path)
    registered: set[str] = set()
    for n, item in enumerate(park.input.evidence):
        if item.id in registered:
            problems.add(file, f"evidence.{n}.id", item.id, "a unique id (this one is already in the register)")
        registered.add(item.id)
    for field, ids in park.input.evidence_ids_cited().items():
        for unknown in [i for i in ids if i not in registered]:
            problems.add(file, field, unknown,
                         "an id of the evidence register (evidence: - {id, title, …}) / 证明材料清单中未登记该编号")


def _check_energy_figures(park: LoadedPark, problems: Problems) -> None:
    energy = park.input.energy
    assert energy is not None
    for name, series in energy.all_series().items():
        for year in series.values:
            value = series.point(year)[0]  # type: ignore[index]
            if value < 0:
                problems.add(str(park.path), f"energy.{name}", value,
                             "a figure ≥ 0 (exports are entered as positive amounts; evalkit subtracts them)",
                             year=year)
