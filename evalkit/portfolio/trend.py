"""One park over the years (纵向比较): every three-year window its data allow, evaluated the same
way, and the indicators that moved most between the first and the last window.

A window [t-2, t-1, t] needs data from t-3 on (change rates of t-2 need the year before), so data
for 2018–2023 allow the windows 2019–2021, 2020–2022 and 2021–2023.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from evalkit import carbon
from evalkit.catalog import Catalog
from evalkit.core.problems import InputError
from evalkit.evaluation import evaluate
from evalkit.evaluation.results import ReferenceStatus, Result
from evalkit.intake import LoadedPark
from evalkit.portfolio.common import indicator_means, level_shares, unconfirmed_references, verdict_of

MOVERS_SHOWN = 8


class SkippedWindow(BaseModel):
    window: list[int]
    reason_zh: str


class TrendPoint(BaseModel):
    window: list[int]
    evaluation_year: int
    index: float | None
    grade: str
    grade_reason: str
    verdict: str | None
    level_points: dict[str, float]
    """Mean points of each target level over the window's index years (bonus excluded)."""
    level_max: dict[str, float]
    level_shares: dict[str, float]
    data_gaps: int


class Mover(BaseModel):
    code: str
    name_zh: str
    first_level: str
    first_points: float
    last_points: float
    change: float
    """last − first, mean points over each window's index years."""
    max_points: float
    measured_both: bool
    """False when a data gap in either window is part of the change (then it is not a real move)."""


class Trend(BaseModel):
    park: str
    park_name: str
    span: list[int]
    points: list[TrendPoint]
    skipped: list[SkippedWindow] = Field(default_factory=list)
    movers: list[Mover] = Field(default_factory=list)
    references: list[ReferenceStatus] = Field(default_factory=list)
    """Unconfirmed references (status "unverified") the figures rest on, each once; while any is listed
    the document is a draft (`evalkit.render.draft` reads this list, as for a park report)."""


def possible_windows(data_years: Sequence[int], start: int, end: int, length: int = 3) -> tuple[list[list[int]], list[SkippedWindow]]:
    """The windows of `length` years inside start..end, and those the data do not allow (with why)."""
    have = set(data_years)
    allowed, skipped = [], []
    for first in range(start, end - length + 2):
        window = list(range(first, first + length))
        lacking = [y for y in range(first - 1, first + length) if y not in have]
        if lacking:
            skipped.append(SkippedWindow(window=window, reason_zh="缺少" + "、".join(map(str, lacking))
                                         + "年数据（窗口首年的变化率指标需要前一年数据）"))
        else:
            allowed.append(window)
    return allowed, skipped


def evaluate_windows(park: LoadedPark, catalog: Catalog, windows: Sequence[Sequence[int]], *,
                     factors: carbon.FactorTable | None = None, strict: bool | None = None) -> list[Result]:
    """Each window evaluated as `evalkit score` would; its base year is the park's, unless that is not
    before the window's last year (an earlier window of a park whose base year came later): then the
    window's first."""
    factors = factors or carbon.load_factors()
    base = park.input.profile.base_year
    results = []
    for window in windows:
        base_year = window[0] if base is not None and base >= window[-1] else None
        results.append(evaluate(park, catalog, list(window), factors=factors, strict=strict, base_year=base_year))
    return results


def earlier_windows(park: LoadedPark, window: Sequence[int], length: int = 3) -> list[list[int]]:
    """The three-year windows before `window` that the park's data allow (for the report's 历年变化)."""
    years = park.input.years()
    if not years:
        return []
    allowed, _ = possible_windows(years, years[0] + 1, window[-1] - 1, length)
    return allowed


def evaluate_earlier(park: LoadedPark, catalog: Catalog, window: Sequence[int], *,
                     factors: carbon.FactorTable | None = None, strict: bool | None = None) -> list[Result]:
    """The earlier windows the data allow, evaluated; a window whose data do not pass the checks is
    left out (the park report's 历年变化 is a side view and must not fail the report)."""
    results = []
    for earlier in earlier_windows(park, window, catalog.grading.window_years):
        try:
            results += evaluate_windows(park, catalog, [earlier], factors=factors, strict=strict)
        except InputError:
            continue
    return results


def build_trend(results: Sequence[Result], skipped: Sequence[SkippedWindow] = (), span: Sequence[int] = ()) -> Trend:
    """The trend of one park from its window results (oldest first)."""
    if not results:
        raise ValueError("no window to show")
    points = [_point(r) for r in results]
    first, last = results[0], results[-1]
    movers = _movers(first, last) if len(results) > 1 and first.index is not None and last.index is not None else []
    return Trend(park=last.park, park_name=last.park_name,
                 span=list(span) or [first.years[0], last.years[-1]], points=points,
                 skipped=list(skipped), movers=movers, references=unconfirmed_references(results))


def _point(result: Result) -> TrendPoint:
    first_year = next(iter(result.yearly.values()), None)
    return TrendPoint(window=list(result.years), evaluation_year=result.evaluation_year, index=result.index,
                      grade=result.grade, grade_reason=result.grade_reason, verdict=verdict_of(result),
                      level_points=dict(result.target_level_means),
                      level_max=dict(first_year.target_level_max) if first_year else {},
                      level_shares=level_shares(result),
                      data_gaps=sum(1 for g in result.data_gaps if g.year in result.index_years))


def _movers(first: Result, last: Result) -> list[Mover]:
    before, after = indicator_means(first), indicator_means(last)
    gaps = {g.code for r in (first, last) for g in r.data_gaps if g.year in r.index_years}
    names = {i.code: i for i in last.yearly[last.evaluation_year].indicators}
    movers = [Mover(code=code, name_zh=names[code].name_zh, first_level=names[code].first_level,
                    first_points=before[code]["points"], last_points=after[code]["points"],
                    change=after[code]["points"] - before[code]["points"],
                    max_points=after[code]["max_points"], measured_both=code not in gaps)
              for code in after if code in before]
    movers = [m for m in movers if abs(m.change) > 1e-9]
    movers.sort(key=lambda m: (-abs(m.change), m.code))
    return movers[:MOVERS_SHOWN]
