"""The Chinese report's content, built from an evaluation Result: the sections as Markdown
(`sections`) and the charts (`charts`). Nothing here computes a result; the report notebook
(report_template/report.ipynb) displays what these return.

May import: `evalkit.core`, `evalkit.catalog`, `evalkit.carbon`, `evalkit.intake`, `evalkit.evaluation`.
"""
