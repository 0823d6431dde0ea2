"""The vocabulary every package shares: traces of computed numbers, problems found in input,
strict input field types, YAML reading, unit conversion and plain-text tables.

May import: nothing else in evalkit.
"""
