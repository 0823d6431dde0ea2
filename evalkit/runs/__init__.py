"""Running beyond one report: `batch` renders many parks' reports in parallel processes with a
progress bar and a summary table; `collect` takes each park's result from its archive when the
archive is current (else evaluates); `documents` executes the comparison, trend and statement
notebooks of report_template/ and archives them with a manifest, through the same engines as a
park report (so `evalkit verify` re-executes them too).

May import: every package below it (`evalkit.render` and down); only `evalkit.cli` imports it.
"""
