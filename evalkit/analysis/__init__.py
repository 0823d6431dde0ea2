"""How firm is a grade: analyses that re-run the standard's arithmetic many times, numbers only.

fast.py         the numbers-only engine: scoring and aggregation as numpy arrays over rows (parks or
                Monte Carlo samples) × indicators × years, built from the traced engine's variables and
                the catalog's formulas; proven equal to the traced engine (tests/test_analysis_fast.py)
margins.py      distance to the neighbouring bands and what the grade rests on (bonus, not-applicable
                declarations, reference overrides, single indicators)
uncertainty.py  Monte Carlo over weights, references, data and missing data (bands: data/uncertainty.yaml)
sobol.py        global sensitivity (Sobol indices: Saltelli design on a randomised Halton sequence,
                Saltelli 2010 / Jansen estimators in numpy, tested equal to SALib) and one-at-a-time
                removal of indicators
firmness.py     all of the above for one park-window (`evalkit sensitivity`, the report's section)
ahp.py          AHP weights from pairwise comparison matrices (Saaty's RI table: data/saaty_ri.yaml)

The traced engine (`evalkit.evaluation`) stays the source of every number in a report; these
analyses only say how those numbers would move.
May import: `evalkit.core`, `evalkit.catalog`, `evalkit.carbon`, `evalkit.intake`, `evalkit.evaluation`.
"""
