"""Step 0: the basic-requirements gate (6.1, DIGEST decision 8). Each item is met, not met or unknown
(待补证, evidence pending; an unanswered item is unknown too). A failed item stops the evaluation;
unknown items without a failure defer it: the indicators are still computed, as provisional results.

A failed item is stated as the park's own finding (its answer's note: what happened, when, where),
else as the catalog's general finding — never as the requirement restated.

Decision (DIGEST is silent; evalkit's rule): an item answered met while the park's own data
contradict it (a violated consistency check linked to the item, evalkit.intake.consistency) is
neither met nor failed but unverified (待核实: 园区答复满足，数据核对不一致，须评价机构核实). It
counts like an item pending evidence: the evaluation is deferred (评价暂缓), the indicators are
provisional and no grade is given until the assessor has settled which side is right — a
requirement whose answer the file itself refutes cannot carry a grade, and evalkit cannot declare it
not met either (the data may have another scope, e.g. a city station). The assessor settles it in the
park file: `met: false` with the finding, or `met: true` with a `reconciliation` (核实说明) saying why
the data do not refute the answer; the report then shows the data beside that explanation.
"""

from __future__ import annotations

from itertools import groupby

from evalkit.catalog import Catalog
from evalkit.core.trace import fmt
from evalkit.intake import LoadedPark
from evalkit.intake.consistency import ConsistencyFinding
from evalkit.evaluation.results import Gate, GateItem


def check_gate(park: LoadedPark, catalog: Catalog, consistency: list[ConsistencyFinding]) -> Gate:
    """The gate, given the answers' consistency checks (`check_consistency` over the window)."""
    answers = park.input.basic_requirements
    items = []
    for req in catalog.basic_requirements.items:
        answer = answers.get(req.id)
        status = answer.status if answer else "unknown"
        conflicts = data_conflicts([f for f in consistency if f.field == f"basic_requirements.{req.id}"])
        if status == "met" and conflicts and not (answer and answer.reconciliation):
            status = "unverified"
        finding = None
        if status == "failed":
            # the note's closing 。 dropped: the finding is embedded in sentences and parentheses
            finding = ((answer.note or "").strip().rstrip("。") if answer else "") or req.finding_zh or f"未满足：{req.text_zh}"
        items.append(GateItem(
            id=req.id, text_zh=req.text_zh, met=status == "met", status=status, answered=answer is not None,
            evidence=answer.evidence if answer else "", note=answer.note if answer else "未作答，待补证",
            finding_zh=finding, finding_from_park=bool(status == "failed" and answer and answer.note),
            data_conflicts=conflicts, reconciliation=answer.reconciliation if answer else None,
            evidence_hint_zh=req.evidence_hint_zh))
    failed = [item.id for item in items if item.status == "failed"]
    unknown = [item.id for item in items if item.status == "unknown"]
    unverified = [item.id for item in items if item.status == "unverified"]
    outcome = "failed" if failed else "deferred" if unknown or unverified else "passed"
    return Gate(passed=outcome == "passed", outcome=outcome, checklist=catalog.basic_requirements.id,
                items=items, failed=failed, unknown=unknown, unverified=unverified)


def data_conflicts(findings: list[ConsistencyFinding]) -> list[str]:
    """One line per violated check: what the data say in each year it fails, against the range,
    e.g. "PM2.5年均浓度：2021年 45、2022年 44 µg/m³（应为 ≤ 35 µg/m³）"."""
    violated = sorted((f for f in findings if f.status == "violated"), key=lambda f: (f.rule, f.year))
    lines = []
    for _, group in groupby(violated, key=lambda f: f.rule):
        found = list(group)
        years = "、".join(f"{f.year}年 {fmt(f.value, 2)}" for f in found)
        lines.append(f"{found[0].trace.formula_zh}：{years} {found[0].trace.unit}（应为 {found[0].expected_zh}）")
    return lines
