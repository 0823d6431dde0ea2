"""Property: whatever YAML a park file holds, reading, checking and evaluating it ends in a result or
in a clean problem list (InputError) — never another exception (issue 9, point 5)."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.archive import results_json
from evalkit.cli import load_checked_park
from evalkit.core.problems import InputError
from evalkit.evaluation import evaluate

WINDOW = [2021, 2022, 2023]

scalars = (st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from([2019, 2020, 2021, 2023, 20233, 0, -1, "", "万元", "t", "I01", "A"]))
structures = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.integers(min_value=1990, max_value=2030), children, max_size=4),
    max_leaves=16)


def _leaf_paths(node, path=()):
    """Every place in the demo park a value could be replaced: each mapping entry and list item."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from _leaf_paths(value, (*path, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield (*path, n)
            yield from _leaf_paths(value, (*path, n))


def _outcome(raw, catalog, factors) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "prop.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
        try:
            park = load_checked_park("prop", Path(tmp), catalog, WINDOW, factors)
            result = evaluate(park, catalog, WINDOW, factors=factors)
            results_json(result)  # what the archive writes: refuses NaN and inf
        except InputError as exc:
            assert exc.problems and all(p.file and p.expected for p in exc.problems)
            return "problems"
    return "result"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=structures)
def test_any_document(document, catalog, factors):
    assert _outcome(document, catalog, factors) in {"result", "problems"}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_demo_park_with_one_part_replaced(data, chem_raw, catalog, factors):
    raw = copy.deepcopy(chem_raw)
    paths = sorted(_leaf_paths(raw), key=repr)
    path = data.draw(st.sampled_from(paths), label="path")
    value = data.draw(structures, label="value")
    parent = raw
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    assert _outcome(raw, catalog, factors) in {"result", "problems"}


edge_numbers = (st.sampled_from([0, 0.0, -0.0, 1e-9, 1e-10, 1e15, 1e16, -1, 10**20, 0.5, 366, 367, 100, 101])
                | st.floats(allow_nan=True, allow_infinity=True) | st.integers(min_value=-10**20, max_value=10**20))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_demo_park_with_edge_figures(data, chem_raw, catalog, factors):
    """Zeros, tiny and huge figures in any yearly series (a base of 0 for a change rate, a
    denominator of 1e-10 …): a result or problems, never a crash or a non-finite number."""
    raw = copy.deepcopy(chem_raw)
    series = sorted([("data", k) for k in raw["data"]] + [("energy", k) for k, v in raw["energy"].items()
                                                          if isinstance(v, dict) and "values" in v])
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="how many")):
        section, key = data.draw(st.sampled_from(series), label="series")
        values = raw[section][key]["values"]
        year = data.draw(st.sampled_from(sorted(values)), label="year")
        values[year] = data.draw(edge_numbers, label="figure")
    assert _outcome(raw, catalog, factors) in {"result", "problems"}
