"""Step 0: the basic-requirements gate (6.1). A park that fails it is not evaluated further."""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.intake import LoadedPark
from evalkit.evaluation.results import Gate, GateItem


def check_gate(park: LoadedPark, catalog: Catalog) -> Gate:
    answers = park.input.basic_requirements
    items = []
    for req in catalog.basic_requirements.items:
        answer = answers.get(req.id)
        items.append(GateItem(id=req.id, text_zh=req.text_zh, met=bool(answer and answer.met),
                              answered=answer is not None, evidence=answer.evidence if answer else "",
                              note=answer.note if answer else "未作答，视为不满足"))
    failed = [item.id for item in items if not item.met]
    return Gate(passed=not failed, checklist=catalog.basic_requirements.id, items=items, failed=failed)
