"""The evidence register (证明材料清单, 7.2.3) as the report cites and lists it.

Evidence files are never opened for their content: the report lists each with the SHA-256 of the
copy archived beside the park file (`inputs/park/evidence/<park>/…`), computed from its bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from evalkit.intake.models import EvidenceItem, ParkInput

NOT_CITED = "未登记"


class Evidence:
    def __init__(self, park: ParkInput, folder: Path | None):
        self.items: dict[str, EvidenceItem] = {item.id: item for item in park.evidence}
        self.hashes: dict[str, str] = {}
        for item in park.evidence:
            path = folder / item.file if folder is not None and item.file else None
            if path is not None and path.is_file():
                self.hashes[item.id] = hashlib.sha256(path.read_bytes()).hexdigest()

    def cite(self, ids: list[str]) -> str:
        """Ids as the report cites them: `D01、D02`, or 未登记 when nothing is cited."""
        return "、".join(dict.fromkeys(ids)) if ids else NOT_CITED

    def attached(self, evidence_id: str) -> bool:
        return evidence_id in self.hashes
