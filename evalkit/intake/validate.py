"""`evalkit validate`: every problem of a park's input file at once, as errors and warnings.

Errors are what scoring refuses: the file's shape (evalkit.intake.models.parse_park) and the catalog
checks (evalkit.intake.checks), plus negative energy figures. Warnings are what scoring accepts at a cost
or what looks wrong: an input a formula needs that is missing (0 points, a data gap), a qualitative
indicator without a level, a year-on-year jump above 5× or below 1/5, an answer that the park's own
data contradict (the catalog's consistency rules, evalkit.intake.consistency). In a workbook, each
problem names its sheet and cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from evalkit import carbon
from evalkit.catalog import Catalog, Indicator
from evalkit.intake.checks import check_and_account, overall_base_year, years_used
from evalkit.intake.consistency import consistency_warnings
from evalkit.catalog.formulas import Formula
from evalkit.core.yamlio import read_yaml
from evalkit.intake.load import find_park_file
from evalkit.intake.models import LoadedPark, parse_park_collecting, without_consequences
from evalkit.core.problems import InputError, Problem, Problems
from evalkit.intake.shape import drop_blanks
from evalkit.intake.workbook import read_workbook_with_cells

JUMP = 5.0  # a figure more than 5× (or less than 1/5 of) the year before is suspicious
OVERALL = "整体评价"
CARBON_SOURCES = {
    "co2": "energy figures (fuels, electricity, heat, process_co2) or energy.verified_co2",
    "energy_tce": "energy figures (fuels, electricity, heat)",
    "nonfossil_tce": "energy.electricity_purchased, energy.green_electricity or energy.onsite_renewable",
    "primary_tce": "energy figures (fuels, electricity, heat)",
}


def validate_park(park_id: str, params_dir: Path | str, catalog: Catalog, window: list[int],
                  factors: carbon.FactorTable) -> Problems:
    problems = Problems()
    try:
        park, found, locate = _load(park_id, Path(params_dir))
    except InputError as exc:
        problems.extend(exc.problems)
        return problems
    if park is None:
        problems.extend([locate(p) for p in found.items])
        return problems
    later, accounts = check_and_account(park, catalog, window, factors)
    later.extend(_missing_values(park, catalog, window, accounts))
    later.extend(_missing_levels(park, catalog, window))
    later.extend(_jumps(park))
    later.extend(_unscored_proxies(park, catalog, window))
    later.extend(_evidence_files(park))
    later.extend(consistency_warnings(park, catalog, window))
    found.extend(without_consequences(found, later))
    problems.extend([locate(p) for p in found.items])
    return problems


def _load(park_id: str, params_dir: Path) -> tuple[LoadedPark | None, Problems,
                                                   Callable[[Problem], Problem]]:
    """The park as far as it could be read (parts with shape errors left out), its shape
    problems, and how to point a problem at its place in the file."""
    path = find_park_file(park_id, params_dir)
    if path.suffix == ".xlsx":
        raw, cells = read_workbook_with_cells(path)
        locate = cells.locate
    else:
        raw, locate = drop_blanks(read_yaml(path)), lambda problem: problem
    model, problems = parse_park_collecting(raw, str(path))
    return (LoadedPark(id=park_id, path=path, input=model) if model else None), problems, locate


def _missing_values(park: LoadedPark, catalog: Catalog, window: list[int],
                    accounts: dict[int, carbon.CarbonYear]) -> Problems:
    """Inputs that an indicator of the window, or the overall evaluation, needs and the file lacks."""
    have = _available(park, window, accounts)
    needed: dict[tuple[str, int], list[str]] = {}
    for year in window:
        for ind in catalog.indicators:
            if ind.kind != "quantitative" or _not_applicable(park, ind.code, year):
                continue
            options = [_inputs(variant.formula, variant.scoring.driver, year) for variant in ind.variants()]
            if not any(option <= have for option in options):
                for pair in sorted(options[0] - have):
                    users = needed.setdefault(pair, [])
                    if ind.code not in users:  # prev(x) asks for the same year as next year's x
                        users.append(ind.code)
    overall = catalog.overall
    symbols = {overall.value_added, overall.carbon, *(p.symbol for p in overall.pollutants),
               *(s.name for s in Formula.parse(overall.efficiency.formula).symbols())}
    for year in {overall_base_year(park, window), window[-1]}:
        for symbol in sorted(symbols):
            if (symbol, year) not in have:
                needed.setdefault((symbol, year), []).append(OVERALL)
    problems = Problems()
    for (symbol, year), users in sorted(needed.items(), key=lambda item: (item[0][1], item[0][0])):
        spec = catalog.inputs[symbol]
        field, source = f"data.{symbol}", "a value"
        if spec.carbon:
            if park.input.energy is None:
                source = "a value (or energy figures to compute it from)"
            else:
                field, source = "energy", CARBON_SOURCES.get(symbol, "energy figures")
        problems.add(str(park.path), field, None,
                     f"{source} for {spec.name_zh} ({spec.unit}); needed by {', '.join(users)}: {_cost(users)}",
                     year=year, severity="warning")
    return problems


def _cost(users: list[str]) -> str:
    """What a missing input costs (DIGEST decisions 3 and 9)."""
    costs = []
    if any(user != OVERALL for user in users):
        costs.append("indicators without it score 0 and are listed as data gaps / 相关指标得0分，列为数据缺口")
    if OVERALL in users:
        costs.append("the overall evaluation is undetermined and no grade is given until it is supplied / "
                     "整体评价无法判定，补齐前不能定级")
    return "; ".join(costs)


def _inputs(formula: str, driver, year: int) -> set[tuple[str, int]]:
    """(symbol, year) pairs a formula (and its scoring driver) reads for `year`; prev(x) reads year − 1."""
    symbols = [*Formula.parse(formula).symbols(), *(Formula.parse(driver.formula).symbols() if driver else [])]
    return {(s.name, year - s.lag) for s in symbols}


def _available(park: LoadedPark, window: list[int], accounts: dict[int, carbon.CarbonYear]) -> set[tuple[str, int]]:
    """(symbol, year) pairs the file gives; carbon symbols for the energy years the window uses (`accounts`)."""
    have = {(symbol, year) for symbol, series in park.input.data.items() for year in series.values}
    energy = park.input.energy
    for year in set(energy.years()) & set(years_used(park, window)) if energy else []:
        account = accounts.get(year)
        if account is None:  # check_and_account reported why; do not add a missing-value warning on top
            have |= {(symbol, year) for symbol in carbon.CARBON_FIELDS}
            continue
        have |= {(symbol, year) for symbol, field in carbon.CARBON_FIELDS.items() if getattr(account, field) is not None}
    return have


def _not_applicable(park: LoadedPark, code: str, year: int) -> bool:
    na = park.input.not_applicable.get(code)
    return na is not None and na.covers(year)


def _missing_levels(park: LoadedPark, catalog: Catalog, window: list[int]) -> Problems:
    problems = Problems()
    for ind in catalog.indicators:
        if ind.kind != "qualitative":
            continue
        for year in window:
            if not _not_applicable(park, ind.code, year) and year not in park.input.qualitative.get(ind.code, {}):
                problems.add(str(park.path), f"qualitative.{ind.code}", None,
                             f"a level ({_levels(ind)}) with evidence for {ind.name_zh}: without it the indicator "
                             "scores 0 and is listed as a data gap / 未选择档次，该指标得0分", year=year,
                             severity="warning")
    return problems


def _levels(ind: Indicator) -> str:
    return "/".join(level.id for level in ind.scoring.levels or [])


def _evidence_files(park: LoadedPark) -> Problems:
    """Register entries whose file is not in the park's evidence folder: the report lists them as
    not attached (7.2.3 asks for the evidence to be attached)."""
    problems = Problems()
    folder = park.evidence_dir
    for n, item in enumerate(park.input.evidence):
        if not item.file:
            problems.add(str(park.path), f"evidence.{n}.file", None,
                         f"the file of evidence {item.id} in {folder}/ / 证明材料未附文件", severity="warning")
        elif not (folder / item.file).is_file():
            problems.add(str(park.path), f"evidence.{n}.file", item.file,
                         f"a file {item.file} in {folder}/ (not found) / 证明材料文件不存在", severity="warning")
    return problems


def _unscored_proxies(park: LoadedPark, catalog: Catalog, window: list[int]) -> Problems:
    """Proxy figures (scope: proxy) of the years the window uses that neither the catalog nor the file
    justifies: not scored."""
    problems = Problems()
    used = years_used(park, window)
    for symbol, series in park.input.data.items():
        spec = catalog.inputs.get(symbol)
        if spec is None or spec.proxy_allowed:
            continue
        for year in sorted(series.values):
            quality = series.quality(year)
            if year in used and quality.scope == "proxy" and not quality.proxy_justification:
                problems.add(str(park.path), f"data.{symbol}", series.point(year)[0],  # type: ignore[index]
                             "a proxy_justification for this proxy figure, or the park's own figure: a proxy is "
                             "not scored without one / 代用数据未说明理由，不计分", year=year, severity="warning")
    return problems


def _jumps(park: LoadedPark) -> Problems:
    """A figure more than 5× or less than 1/5 of the year before: often a unit slip (元 for 万元)."""
    problems = Problems()
    for field, series in park.input.all_series().items():
        for year in sorted(series.values):
            before, now = series.point(year - 1), series.point(year)
            if before is None or now is None or before[0] <= 0 or now[0] <= 0:
                continue
            ratio = now[0] / before[0]
            if ratio > JUMP or ratio < 1 / JUMP:
                problems.add(str(park.path), field, now[0],
                             f"a plausible change from {before[0]:g} in {year - 1} (here ×{ratio:.3g}); check the "
                             f"figure and the unit {series.unit} / 与上年相比变化超过{JUMP:g}倍，请核对数值和单位",
                             year=year, severity="warning")
    return problems
