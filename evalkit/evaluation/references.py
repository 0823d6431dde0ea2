"""Which benchmarks the evaluation used, and whether each is confirmed (issue 12).

A reference is confirmed when the catalog marks it verified (a published figure with a citation of
where its text was read, or a documented evalkit default), or when the assessor confirms it for this
park citing 文号 and clause (`reference_confirmations`, or an override with `document_no` and `clause`).
Draft reports carry "参考值未经核实" while any used reference is unconfirmed; `evalkit render --final`
refuses until none is.

Carbon factors carry the publication date of their source: one published after the report date
cannot have been used for the report (`late_factors`).
"""

from __future__ import annotations

from evalkit import carbon
from evalkit.catalog import Catalog, ReferenceValue
from evalkit.core.trace import fmt
from evalkit.evaluation.results import LateFactor, ReferenceStatus, YearResult
from evalkit.evaluation.scores import with_overrides
from evalkit.intake import ParkInput

FIELDS = ("floor", "reference")


def reference_status(catalog: Catalog, park: ParkInput, yearly: dict[int, YearResult]) -> list[ReferenceStatus]:
    found: dict[tuple[str, str, str], ReferenceStatus] = {}
    for year, yr in yearly.items():
        for result in yr.indicators:
            if result.status != "ok" or result.kind != "quantitative":
                continue
            ind = catalog.indicator(result.code)
            variant = next((v for v in ind.variants() if v.label_zh == (result.variant or ind.name_zh)), ind.variants()[0])
            spec = with_overrides(variant.scoring, park, ind.code)
            for field in FIELDS:
                ref: ReferenceValue | None = getattr(spec, field)
                if ref is None:
                    continue
                key = (ind.code, variant.label_zh, field)
                if key in found:
                    found[key].years.append(year)
                    continue
                status, citation = _status(park, ind.code, field, ref)
                found[key] = ReferenceStatus(
                    code=ind.code, name_zh=variant.label_zh, field=field, value=ref.value, unit=ref.unit,
                    source=ref.source, basis=ref.basis, status=status, citation=citation,
                    overridden=ref.override_justification is not None, years=[year])
    return list(found.values())


def _status(park: ParkInput, code: str, field: str, ref: ReferenceValue) -> tuple[str, str | None]:
    override = park.reference_overrides.get(code)
    if ref.override_justification is not None and override is not None:
        if override.document_no and override.clause:
            return "confirmed_by_assessor", f"{override.document_no} {override.clause}"
        return "unverified", None
    confirmation = park.reference_confirmations.get(code)
    if confirmation is not None and (confirmation.fields is None or field in confirmation.fields):
        return "confirmed_by_assessor", (f"{confirmation.document_no} {confirmation.clause}"
                                         f"（{confirmation.confirmed_by}确认）")
    if ref.verified:
        return "verified", ref.citation or ref.source
    return "unverified", None


def late_factors(park: ParkInput, accounts: dict[int, carbon.CarbonYear]) -> list[LateFactor]:
    """The factors of `accounts` whose source was published after the park file's report date."""
    day = park.report.day()
    if day is None:
        return []
    found: dict[tuple[str, int | None], LateFactor] = {}
    for year, account in sorted(accounts.items()):
        for use in account.factors:
            if use.published is None or use.published <= day.isoformat():
                continue
            late = found.setdefault((use.id, use.year), LateFactor(
                id=use.id, name_zh=use.name_zh, value=use.value, unit=use.unit, year=use.year,
                published=use.published, report_date=park.report.date or "", used_in=[], text_zh=""))
            late.used_in.append(year)
    for late in found.values():
        of_year = f"{late.year}年值" if late.year else "数值"
        late.text_zh = (f"{late.name_zh}（{of_year} {fmt(late.value)} {late.unit}，用于{'、'.join(map(str, late.used_in))}年核算）"
                        f"的出处公告日期为 {late.published}，晚于报告日期 {late.report_date}，不可能为该报告所用："
                        "请核对报告日期或改用报告日期前已发布的因子")
    return list(found.values())
