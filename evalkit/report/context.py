"""What every chapter of the report is built from: the evaluation Result (never recomputed), the
catalog, the park's input file (for its data as given, its evidence register and its `report:`
section written by the assessor) and the run's files and parameters."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.catalog import Catalog
from evalkit.evaluation.results import Result
from evalkit.intake.models import LoadedPark, ParkInput
from evalkit.report.evidence import Evidence
from evalkit.report.numbers import Numbers


@dataclass
class ReportContext:
    result: Result
    catalog: Catalog
    park: ParkInput
    evidence_dir: Path | None = None
    """The park's evidence folder (in the archive: inputs/park/evidence/<park>/)."""
    files: dict[str, str] = field(default_factory=dict)
    """Input files to list with their SHA-256, by label."""
    parameters: dict[str, Any] = field(default_factory=dict)
    loaded: LoadedPark | None = None
    """The park file as loaded (earlier windows for the 历年变化 chapter)."""
    factors: Any = None
    """The carbon factor table used."""
    firmness: Any = None
    """How firm the grade is (evalkit.analysis.firmness.Firmness), computed in the report notebook;
    or the Future of that analysis while it still runs (`analyse_beside`)."""

    def __post_init__(self) -> None:
        self.numbers = Numbers(self.catalog)
        self.evidence = Evidence(self.park, self.evidence_dir)

    def firmness_analysis(self) -> Any:
        """The firmness analysis, waiting for it if it is still running; None if there is none."""
        return self.firmness.result() if isinstance(self.firmness, Future) else self.firmness

    @property
    def evaluated(self) -> bool:
        return self.result.index is not None
