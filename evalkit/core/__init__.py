"""The vocabulary every package shares: traces of computed numbers, problems found in input,
strict input field types, YAML reading, unit conversion, plain-text tables and the environment of a
child Python running this evalkit.

May import: nothing else in evalkit.
"""
