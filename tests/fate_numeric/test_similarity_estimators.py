"""Tests of fate_numeric.similarity: each estimator against cases where the answer is known.

Oracles: scipy.stats.wasserstein_distance in 1-D, known shifts and permutations, the two-point
bounded-Lipschitz distance 2D/(D + 2) (worked out by hand below), W₁ as an upper bound of the
Dudley distance, and the closed-form KL of the paper's family.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from derivations.errors import InvalidArgumentError
from fate_numeric import similarity as sim
from fate_numeric import theory


def test_w1_matches_scipy_in_one_dimension(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(200), 2 * rng.standard_normal(200) + 0.5
    assert sim.wasserstein1(a, b) == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-12)


def test_w1_of_a_shift_and_of_a_permutation(seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((150, 4))
    shift = np.array([0.3, -1.2, 0.0, 2.0])
    # Translation by s moves every point by ‖s‖ and no coupling does better (mean is moved by s).
    assert sim.wasserstein1(a, a + shift) == pytest.approx(np.linalg.norm(shift), rel=1e-12)
    assert sim.wasserstein1(a, a[rng.permutation(150)]) == pytest.approx(0.0, abs=1e-12)


def test_w1_of_gaussian_shift_converges(seed):
    """W₁(N(0, I), N(m, I)) = ‖m‖; the empirical value is biased up by the sampling floor."""
    rng = np.random.default_rng(seed)
    mean = np.array([3.0, 0.0])
    values = [
        sim.wasserstein1(rng.standard_normal((300, 2)), rng.standard_normal((300, 2)) + mean)
        for _ in range(5)
    ]
    assert 3.0 - 0.05 < np.mean(values) < 3.0 + 0.4


def test_dudley_between_two_points():
    """P = δ_0, Q = δ_z, |z| = D: h = ±M needs 2M ≤ L·D with L = 1 − M, so γ_β = 2D/(D + 2)."""
    for distance in (0.1, 1.0, 5.0, 100.0):
        point = np.array([[distance, 0.0, 0.0]])
        expected = 2 * distance / (distance + 2)
        assert sim.dudley(np.zeros((1, 3)), point) == pytest.approx(expected, rel=1e-9)


def test_dudley_bounds(seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((40, 3))
    for shift in (0.0, 0.5, 3.0, 50.0):
        b = rng.standard_normal((40, 3)) + np.array([shift, 0, 0])
        value = sim.dudley(a, b)
        assert 0.0 <= value <= min(sim.wasserstein1(a, b), 2.0) + 1e-9
    assert sim.dudley(a, a) == pytest.approx(0.0, abs=1e-9)
    # Far apart, the distance approaches (and never exceeds) its ceiling 2.
    assert 1.9 < sim.dudley(a, a + np.array([1e3, 0, 0])) < 2.0


def test_dudley_accepts_unequal_sizes(seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((10, 2))
    assert sim.dudley(a, np.vstack([a, a])) == pytest.approx(0.0, abs=1e-9)


def test_kl_quadrature_matches_closed_form(seed):
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(500)
    g = -0.7 * f + 0.2
    quadrature = sim.conditional_kl_quadrature(f, g, 0.3)
    np.testing.assert_allclose(quadrature, (f - g) ** 2 / (2 * 0.3**2), rtol=1e-9, atol=1e-12)
    closed, quad = sim.kl_closed_form(f, g, 0.3), sim.kl_quadrature(f, g, 0.3)
    assert quad.value == pytest.approx(closed.value, rel=1e-9)
    assert quad.standard_error > 0


def test_kl_of_sampled_family_matches_the_family_formula(seed):
    rng = np.random.default_rng(seed)
    theta, sigma = 2.0, 0.2
    beta_s, beta_t = sim.family_teachers(8, theta, rng)
    x = rng.standard_normal((4000, 8))
    estimate = sim.kl_quadrature(x @ beta_s, x @ beta_t, sigma)
    expected = theory.kl_family(theta, sigma)
    assert abs(estimate.value - expected) < 5 * estimate.standard_error


def test_task_distance_reports_sampling_noise(seed):
    rng = np.random.default_rng(seed)
    beta_s, beta_t = sim.family_teachers(3, math.pi, rng)
    far = sim.task_distance(sim.wasserstein1, beta_s, beta_t, 0.2, 100, range(seed, seed + 6))
    floor = sim.task_distance(sim.wasserstein1, beta_s, beta_s, 0.2, 100, range(seed, seed + 6))
    assert far.count == 6 and far.spread > 0
    assert far.standard_error == pytest.approx(far.spread / math.sqrt(6))
    # Joint convexity: E W₁(P_n, Q_n) ≥ W₁(P, Q) > 0; the floor is W₁ between samples of one law.
    assert far.value > floor.value > 0


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("nan")])
def test_kl_needs_positive_noise(sigma):
    with pytest.raises(InvalidArgumentError, match="sigma must be a real number > 0"):
        sim.kl_closed_form([0.0], [1.0], sigma)
    with pytest.raises(InvalidArgumentError, match="sigma"):
        sim.kl_quadrature([0.0], [1.0], sigma)


def test_kl_evaluators_refuse_zero_noise():
    with pytest.raises(InvalidArgumentError, match="sigma must be a real number > 0"):
        theory.kl_family(1.0, 0.0)
    with pytest.raises(InvalidArgumentError, match="sigma"):
        theory.kl_label_noise(1.0, 0.0)


def test_bad_samples_get_clear_errors():
    with pytest.raises(InvalidArgumentError, match="non-empty"):
        sim.wasserstein1(np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(InvalidArgumentError, match="non-empty"):
        sim.dudley([], [1.0])
    with pytest.raises(InvalidArgumentError, match="different dimensions: 2 and 3"):
        sim.dudley(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(InvalidArgumentError, match="equal size"):
        sim.wasserstein1(np.zeros((4, 2)), np.zeros((5, 2)))
    with pytest.raises(InvalidArgumentError, match="non-finite"):
        sim.wasserstein1([0.0, np.inf], [0.0, 1.0])
    with pytest.raises(InvalidArgumentError, match="same inputs"):
        sim.kl_closed_form([0.0, 1.0], [1.0], 0.2)
    with pytest.raises(InvalidArgumentError, match="non-empty"):
        sim.kl_quadrature([], [], 0.2)
    with pytest.raises(InvalidArgumentError, match="at least 2 seeds"):
        sim.task_distance(sim.wasserstein1, np.ones(2), np.ones(2), 0.2, 10, [0])
    with pytest.raises(InvalidArgumentError, match="differ in dimension"):
        sim.task_distance(sim.wasserstein1, np.ones(2), np.ones(3), 0.2, 10, [0, 1])
