"""evalkit: evaluate industrial parks under 《产业园区减污降碳协同增效绩效评价指南》.

The package computes (catalog → inputs → evaluation flow → results with traces);
`report_template/` shows; `evalkit.render` executes and renders; `evalkit.archive` keeps.
"""

__version__ = "0.1.0"
