"""The numpy Sobol estimators (evalkit.analysis.sobol) against SALib 1.6 on the same model outputs, against
the analytic indices of the Ishigami function, and the design they run on. The demo park's indices are
checked in tests/test_analysis_firmness.py."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from SALib.analyze import sobol as salib_sobol

from evalkit.analysis.sobol import randomised_halton, saltelli_design, sobol_indices

from conftest import PARAMS, ROOT

A, B = 7.0, 0.1  # Ishigami and Homma (1990), the usual constants


def ishigami(unit: np.ndarray) -> np.ndarray:
    x = -np.pi + 2 * np.pi * unit
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices() -> tuple[np.ndarray, np.ndarray]:
    """Analytic S1 and ST (Saltelli et al., Global Sensitivity Analysis: The Primer, 2008, §4.4)."""
    v1 = 0.5 * (1 + B * np.pi ** 4 / 5) ** 2
    v2 = A ** 2 / 8
    v13 = B ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / total, np.array([v1 + v13, v2, v13]) / total


def sobol_g(unit: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Sobol's g-function: strongly non-additive, unimportant factors where a is large."""
    return np.prod((np.abs(4 * unit - 2) + a) / (1 + a), axis=1)


def salib_layout(outputs: np.ndarray, k: int) -> np.ndarray:
    """Our blocks (A, AB_1 … AB_k, B, N rows each) → SALib's rows (per base point: A, AB_1 … AB_k, B)."""
    return outputs.reshape(k + 2, -1).T.ravel()


MODELS = {
    "ishigami": (3, ishigami),
    # non-centred outputs: SALib standardises before estimating, so must we
    "ishigami+1000": (3, lambda u: 1000 + ishigami(u)),
    "g-function": (10, lambda u: sobol_g(u, np.array([0, 1, 4.5, 9, 99, 99, 99, 99, 99, 99.0]))),
}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("base_samples, seed", [(64, 3), (256, 20_231)])
def test_the_estimators_equal_salib_on_the_same_outputs(model, base_samples, seed):
    k, f = MODELS[model]
    outputs = f(saltelli_design(base_samples, k, np.random.default_rng(seed)))
    ours = sobol_indices(outputs, k, seed=seed)
    problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}
    theirs = salib_sobol.analyze(problem, salib_layout(outputs, k), calc_second_order=False, seed=seed)
    for key in ("S1", "ST"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=0, atol=1e-12, err_msg=key)
    # The bootstrap draws the same resample indices as SALib (default_rng(seed).integers(N, (N, 100))).
    for key in ("S1_conf", "ST_conf"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=0, atol=1e-12, err_msg=key)
        assert (ours[key] > 0).all()


def test_the_ishigami_estimates_converge_to_the_analytic_indices():
    s1, st = ishigami_indices()
    assert s1 == pytest.approx([0.3139, 0.4424, 0.0], abs=1e-4) and st == pytest.approx([0.5576, 0.4424, 0.2437], abs=1e-4)
    found = {}
    for n in (256, 4096):
        found[n] = sobol_indices(ishigami(saltelli_design(n, 3, np.random.default_rng(1))), 3, seed=1)
    large = found[4096]
    np.testing.assert_allclose(large["S1"], s1, atol=0.02)
    np.testing.assert_allclose(large["ST"], st, atol=0.02)
    # the bootstrap half-widths shrink with N (about as 1/√N) and cover the error
    assert (large["ST_conf"] < found[256]["ST_conf"] / 2).all()
    assert (np.abs(large["ST"] - st) <= large["ST_conf"]).all()


def test_the_design_crosses_a_with_b_one_column_at_a_time():
    n, k = 32, 5
    design = saltelli_design(n, k, np.random.default_rng(4))
    assert design.shape == (n * (k + 2), k)
    a, *ab, b = design.reshape(k + 2, n, k)
    assert ((design >= 0) & (design < 1)).all()
    for i, block in enumerate(ab):
        others = [j for j in range(k) if j != i]
        assert (block[:, i] == b[:, i]).all() and (block[:, others] == a[:, others]).all()
    assert not np.isclose(a, b).any()  # A and B are different columns of one sequence


def test_the_randomised_halton_points_are_stratified_and_reproducible():
    n = 128
    points = randomised_halton(n, 6, np.random.default_rng(9))
    # base 2: with n = 2^7 points, exactly one in each interval [j/n, (j+1)/n)
    assert sorted(np.floor(points[:, 0] * n).astype(int)) == list(range(n))
    # base 13 (6th prime): 128 = 9·13 + 11 points, so 9 or 10 in each thirteenth
    counts = np.bincount(np.floor(points[:, 5] * 13).astype(int), minlength=13)
    assert set(counts) == {9, 10}
    assert (randomised_halton(n, 6, np.random.default_rng(9)) == points).all()
    other = randomised_halton(n, 6, np.random.default_rng(10))
    assert not np.isclose(other, points).all(axis=0).any()  # every column scrambled anew


def test_constant_outputs_give_zero_indices_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = sobol_indices(np.full(16 * 4, 72.5), 2, seed=1)
    for values in found.values():
        assert (values == 0).all()


def test_outputs_that_are_not_n_times_k_plus_2_are_refused():
    with pytest.raises(ValueError, match="not N·\\(k\\+2\\)"):
        sobol_indices(np.arange(11.0), 3, seed=1)


FIRMNESS_IMPORTS = """
import sys
from evalkit import carbon
from evalkit.analysis import firmness
from evalkit.catalog import load_catalog
from evalkit.evaluation import evaluate
from evalkit.intake import load_park
catalog, factors, years = load_catalog(), carbon.load_factors(), [2021, 2022, 2023]
park = load_park("demo-chem", sys.argv[1])
firm = firmness.analyse(park, catalog, years, evaluate(park, catalog, years, factors=factors),
                        factors=factors, samples=100, sobol_samples=128)
assert firm.sobol is not None
print(" ".join(m for m in ("scipy", "SALib") if m in sys.modules))
"""


def test_the_report_firmness_cell_imports_neither_scipy_nor_salib():
    """The report kernel's Sobol analysis is numpy only (SALib's import costs ~0.5 s)."""
    done = subprocess.run([sys.executable, "-c", FIRMNESS_IMPORTS, str(PARAMS)], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
