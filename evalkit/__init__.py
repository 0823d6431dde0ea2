"""evalkit: evaluate industrial parks under 《产业园区减污降碳协同增效绩效评价指南》.

Packages, from the bottom up (a package imports only those below it):

    core        traces, problems, field types, YAML reading, units, text tables
    catalog     the indicator catalog (Table 5-1 as data), formulas, scoring methods
    carbon      carbon accounting from energy statistics, factor table
    intake      the park input file: models, loading, checks, templates, Excel, validate
    evaluation  the standard's flow: gate → scores → index → overall → grade; the Result model
    report      the Chinese report's sections and charts, from a Result
    archive     archive layout, manifest, hashes, comparison of results
    render      papermill execution, Quarto / pandoc engines, render pipeline, verify
    cli         the command line

The public API below is imported lazily, so `evalkit --help` does not pay for pandas or pydantic.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name → the module that defines it
_API = {
    "load_catalog": "evalkit.catalog",
    "default_catalog_path": "evalkit.catalog",
    "Catalog": "evalkit.catalog",
    "load_factors": "evalkit.carbon",
    "FactorTable": "evalkit.carbon",
    "load_park": "evalkit.intake",
    "read_park_file": "evalkit.intake",
    "LoadedPark": "evalkit.intake",
    "evaluate": "evalkit.evaluation",
    "Result": "evalkit.evaluation.results",
    "validate_park": "evalkit.intake.validate",
    "render_report": "evalkit.render",
    "verify_archive": "evalkit.render",
    "InputError": "evalkit.core.problems",
    "RenderError": "evalkit.render",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
