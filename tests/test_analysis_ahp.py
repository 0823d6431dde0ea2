"""AHP weights (`evalkit weights --ahp`): a textbook matrix with known weights and CR, refusal of an
inconsistent matrix, fractions, several experts, and a written catalog that scores."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from evalkit.analysis import ahp
from evalkit.catalog import load_catalog
from evalkit.cli import main
from evalkit.core.problems import InputError

from conftest import PARAMS

EXAMPLE = PARAMS / "ahp" / "example-two-experts.yaml"
# Saaty's textbook 3×3 example: weights 0.105 / 0.258 / 0.637, λmax 3.039, CI 0.019, CR 0.033.
TEXTBOOK = [[1, "1/3", "1/5"], [3, 1, "1/3"], [5, 3, 1]]


def write(tmp_path, content: dict, name: str = "ahp.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(content, allow_unicode=True), "utf-8")
    return path


def test_textbook_matrix_gives_its_known_weights_and_consistency(tmp_path, capsys):
    path = write(tmp_path, {"matrices": [{"name": "目标层", "items": ["效果协同", "路径协同", "管理协同"],
                                           "matrix": TEXTBOOK}]})
    assert main(["weights", "--ahp", str(path), "--json"]) == 0
    [m] = json.loads(capsys.readouterr().out)["matrices"]
    assert m["weights"] == pytest.approx({"效果协同": 0.1047, "路径协同": 0.2583, "管理协同": 0.6370}, abs=1e-4)
    assert sum(m["weights"].values()) == pytest.approx(1.0, abs=1e-12)
    assert m["lambda_max"] == pytest.approx(3.0385, abs=1e-4)
    assert m["ci"] == pytest.approx(0.0193, abs=1e-4)
    assert m["ri"] == 0.58
    assert m["cr"] == pytest.approx(0.0332, abs=1e-4)


def test_saaty_random_index_table_is_data():
    ri = ahp.load_random_index()
    assert [ri.values[n] for n in range(3, 11)] == [0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]
    assert ri.cr_limit == 0.10 and "Saaty" in ri.source


def test_a_consistent_matrix_has_cr_zero_and_the_ratio_weights():
    w = np.array([0.35, 0.46, 0.20])
    weights, lambda_max, ci, ri, cr = ahp.priority(w[:, None] / w[None, :], ahp.load_random_index())
    assert weights == pytest.approx(w / w.sum(), abs=1e-12)
    assert lambda_max == pytest.approx(3.0) and ci == 0.0 and cr == 0.0


def test_inconsistent_matrix_is_refused_naming_it(tmp_path, capsys):
    path = write(tmp_path, {"matrices": [
        {"name": "目标层", "items": ["效果协同", "路径协同", "管理协同"], "matrix": TEXTBOOK},
        {"name": "管理协同", "items": ["I36", "I37", "I38"], "matrix": [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]}]})
    assert main(["weights", "--ahp", str(path)]) == 2
    err = capsys.readouterr().err
    assert "管理协同" in err and "CR ≤ 0.1" in err and "Traceback" not in err


def test_every_malformed_entry_is_reported_at_once(tmp_path):
    path = write(tmp_path, {"matrices": [
        {"name": "A", "items": ["x", "y"], "matrix": [[1, "abc"], [0.5, 1]]},
        {"name": "B", "items": ["p", "q"], "matrix": [[1, 2], [2, 1]]},
        {"name": "C", "items": ["r", "s"], "matrix": [[1, 2]]}]})
    with pytest.raises(InputError) as exc:
        ahp.compute(path)
    fields = [p.field for p in exc.value.problems]
    assert "matrices[0][A].matrix[1][2]" in fields      # not a number
    assert "matrices[1][B].matrix[2][1]" in fields      # not the reciprocal
    assert "matrices[2][C].matrix" in fields            # not square


def test_experts_are_combined_by_element_wise_geometric_mean(tmp_path):
    one = {"name": "甲", "matrices": [{"name": "T", "items": ["a", "b"], "matrix": [[1, 2], ["1/2", 1]]}]}
    two = {"name": "乙", "matrices": [{"name": "T", "items": ["b", "a"], "matrix": [[1, "1/8"], [8, 1]]}]}
    result = ahp.compute(write(tmp_path, {"experts": [one, two]}))
    [m] = result.matrices
    assert m.matrix[0][1] == pytest.approx(4.0)   # sqrt(2 × 8), items aligned by name
    assert m.weights == pytest.approx({"a": 0.8, "b": 0.2})
    assert result.experts == ["甲", "乙"]


def test_written_catalog_carries_the_weights_and_the_record_and_scores(tmp_path, capsys):
    out = tmp_path / "ahp-catalog.yaml"
    assert main(["weights", "--ahp", str(EXAMPLE), "--write-catalog", str(out)]) == 0
    capsys.readouterr()
    catalog = load_catalog(out)
    expected = ahp.indicator_weights(ahp.compute(EXAMPLE), load_catalog())
    assert {i.code: i.weight for i in catalog.indicators} == pytest.approx(expected)
    assert sum(i.weight for i in catalog.indicators) == pytest.approx(1.0)
    assert not catalog.warnings  # levels' declared weights are the sums of their indicators
    record = yaml.safe_load(out.read_text("utf-8"))["ahp"]
    assert record["experts"] == ["专家甲（示例）", "专家乙（示例）"] and record["matrices"][0]["cr"] <= 0.1
    assert main(["score", "--park", "demo-chem", "--years", "2021-2023", "--catalog", str(out),
                 "--params-dir", str(PARAMS), "--json"]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert scored["catalog"]["id"] == "t-cspstc-2023-draft-ahp"
    assert scored["yearly"]["2023"]["indicators"][0]["published_weight"] == pytest.approx(expected["I01"])
    assert main(["weights", "--ahp", str(EXAMPLE), "--write-catalog", str(out)]) == 2  # no silent overwrite


def test_with_a_catalog_the_indicator_weights_are_printed(capsys):
    assert main(["weights", "--ahp", str(EXAMPLE), "--catalog", str(load_catalog().path), "--json"]) == 0
    weights = json.loads(capsys.readouterr().out)["indicator_weights"]
    assert list(weights) == load_catalog().codes and sum(weights.values()) == pytest.approx(1.0)


def test_hierarchy_must_cover_every_indicator(tmp_path):
    path = write(tmp_path, {"matrices": [{"name": "目标层", "items": ["I01", "I02"], "matrix": [[1, 1], [1, 1]]}]})
    with pytest.raises(InputError) as exc:
        ahp.indicator_weights(ahp.compute(path), load_catalog())
    assert any("every indicator" in p.expected for p in exc.value.problems)


def test_unreadable_ahp_files_are_input_problems(tmp_path, capsys):
    assert main(["weights", "--ahp", str(tmp_path / "absent.yaml")]) == 2
    duplicated = tmp_path / "dup.yaml"
    duplicated.write_text("matrices:\n  - name: T\n    name: U\n    items: [a, b]\n    matrix: [[1, 2], [0.5, 1]]\n",
                          "utf-8")
    assert main(["weights", "--ahp", str(duplicated)]) == 2
    err = capsys.readouterr().err
    assert "absent.yaml" in err and "dup.yaml" in err and "Traceback" not in err
