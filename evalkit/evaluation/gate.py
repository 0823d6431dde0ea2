"""Step 0: the basic-requirements gate (6.1, DIGEST decision 8). Each item is met, not met or unknown
(待补证, evidence pending; an unanswered item is unknown too). A failed item stops the evaluation;
unknown items without a failure defer it: the indicators are still computed, as provisional results.
"""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.intake import LoadedPark
from evalkit.evaluation.results import Gate, GateItem


def check_gate(park: LoadedPark, catalog: Catalog) -> Gate:
    answers = park.input.basic_requirements
    items = []
    for req in catalog.basic_requirements.items:
        answer = answers.get(req.id)
        status = answer.status if answer else "unknown"
        items.append(GateItem(
            id=req.id, text_zh=req.text_zh, met=status == "met", status=status, answered=answer is not None,
            evidence=answer.evidence if answer else "", note=answer.note if answer else "未作答，待补证",
            finding_zh=(req.finding_zh or f"未满足：{req.text_zh}") if status == "failed" else None,
            evidence_hint_zh=req.evidence_hint_zh))
    failed = [item.id for item in items if item.status == "failed"]
    unknown = [item.id for item in items if item.status == "unknown"]
    outcome = "failed" if failed else "deferred" if unknown else "passed"
    return Gate(passed=outcome == "passed", outcome=outcome, checklist=catalog.basic_requirements.id,
                items=items, failed=failed, unknown=unknown)
