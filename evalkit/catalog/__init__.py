"""The indicator catalog: Table 5-1 as data, with formulas, scoring methods, references with their
sources, rubric levels, the basic-requirements checklist, grading rules and the decisions where the
standard is silent. A provincial authority supplies its own catalog file without touching Python.

Holds: the catalog models and loader (`model`), the safe formula language (`formulas`), the scoring
methods registry (`scoring`) and the YAML data (`data/`).
May import: `evalkit.core`.
"""

from evalkit.catalog.model import (
    Catalog,
    ConsistencyRule,
    ContinuedCompliance,
    Driver,
    Indicator,
    InputDef,
    Level,
    ReferenceValue,
    Requirement,
    Scoring,
    TargetLevel,
    default_catalog_path,
    load_catalog,
    referenced_files,
)

__all__ = [
    "Catalog",
    "ConsistencyRule",
    "ContinuedCompliance",
    "Driver",
    "Indicator",
    "InputDef",
    "Level",
    "ReferenceValue",
    "Requirement",
    "Scoring",
    "TargetLevel",
    "default_catalog_path",
    "load_catalog",
    "referenced_files",
]
