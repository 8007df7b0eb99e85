"""Extension (docs/paper.md §12): the finite-source weight-decay records against oracles.

The oracles are computed here, independently of :mod:`derivations.pretraining_decay`: a direct
numeric minimisation of (1/n_s)‖y_s − X_sB‖² + λ_p‖B‖ (scipy), gradient descent of the depth-2
network with weight decay on the same data (numpy, typed here), and gradient descent of the
fine-tuning from the balanced start.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import minimize

import derivations.pretraining_decay as module
from derivations import explain
from derivations.explain import Verdict
from derivations.registry import get
from fate_numeric import theory

RECORDS = ["wd_finite_source_end_point", "wd_finite_source_ft_scale"]


def _data(rng, n_s: int, d: int, sigma: float = 0.2):
    x = rng.normal(size=(n_s, d))
    beta = rng.normal(size=d)
    beta /= np.linalg.norm(beta)
    return x, x @ beta + sigma * rng.normal(size=n_s)


def _minimiser(x, y, decay):
    """argmin (1/n)‖y − XB‖² + λ‖B‖ by BFGS from the least-squares fit, then compared with 0."""

    def objective(b):
        return np.mean((y - x @ b) ** 2) + decay * np.linalg.norm(b)

    start = np.linalg.lstsq(x, y, rcond=None)[0]
    found = minimize(objective, start, method="BFGS", options={"gtol": 1e-12, "maxiter": 10_000})
    zero = np.zeros_like(start)
    return (found.x, found.fun) if found.fun < objective(zero) else (zero, objective(zero))


def _descend(x, y, decay, steps=60_000, lr=0.01, alpha=1e-3, seed=0):
    """Full-batch gradient descent of x ↦ xᵀW_1w_2 on (1/n)‖y − XW_1w_2‖² with weight decay."""
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    w1, w2 = alpha * rng.normal(size=(d, d)), alpha * rng.normal(size=d)
    s, r = x.T @ x / len(y), x.T @ y / len(y)
    for _ in range(steps):
        g = 2 * (s @ (w1 @ w2) - r)  # ∇ of the loss in β̂ = W_1w_2
        w1, w2 = w1 - lr * (np.outer(g, w2) + decay * w1), w2 - lr * (w1.T @ g + decay * w2)
    return w1, w2


def test_the_records_are_registered_as_extensions_and_their_steps_hold():
    names = [r.name for r in module.results()]
    assert names[-2:] == RECORDS
    for name in RECORDS:
        record = get(name)
        assert record.reference == "extension (docs/paper.md §12)"
        assert record.title.startswith("Extension:")
        checks = explain.checked(name)
        assert not [c.number for c in checks if c.verdict is Verdict.FAILED], name
        assert sum(c.verdict is Verdict.CONFIRMED for c in checks) >= 6, name
    assert get("wd_finite_source_ft_scale").expr.free_symbols == set(
        get("wd_finite_source_ft_scale").variables
    )


@pytest.mark.parametrize(("n_s", "d"), [(3, 5), (9, 4), (6, 6)])
def test_the_minimiser_is_the_ridge_solution_at_the_self_consistent_ridge(n_s, d):
    """The record's μ = λ_p/(2‖B‖) evaluated at the numeric minimiser's norm makes (S + μI)B = r."""
    rng = np.random.default_rng(n_s * 10 + d)
    x, y = _data(rng, n_s, d)
    decay = 0.6
    b, _ = _minimiser(x, y, decay)
    assert np.linalg.norm(b) > 0
    mu_relation = get("wd_finite_source_end_point").expr[1]
    values = {"lambda_p": decay, "N_B": float(np.linalg.norm(b))}
    mu = float(mu_relation.rhs.subs({s: values[s.name] for s in mu_relation.rhs.free_symbols}))
    s, r = x.T @ x / n_s, x.T @ y / n_s
    np.testing.assert_allclose((s + mu * np.eye(d)) @ b, r, atol=1e-6)


@pytest.mark.parametrize(("n_s", "d"), [(3, 4), (7, 4)])
def test_gradient_descent_with_weight_decay_ends_balanced_rank_one_at_the_minimiser(n_s, d):
    rng = np.random.default_rng(n_s)
    x, y = _data(rng, n_s, d)
    decay = 0.5
    b, _ = _minimiser(x, y, decay)
    w1, w2 = _descend(x, y, decay)
    np.testing.assert_allclose(w1 @ w2, b, atol=1e-6)
    singular = np.linalg.svd(w1, compute_uv=False)
    assert singular[0] ** 2 == pytest.approx(np.linalg.norm(b), rel=1e-6)  # ‖W_1‖² = ‖B‖
    assert singular[1] < 1e-6  # rank one
    np.testing.assert_allclose(w1.T @ w1, np.outer(w2, w2), atol=1e-6)  # balanced


def test_a_decay_beyond_twice_the_norm_of_r_collapses_the_end_point():
    rng = np.random.default_rng(5)
    x, y = _data(rng, 6, 3)
    r = x.T @ y / len(y)
    b, _ = _minimiser(x, y, 2.01 * np.linalg.norm(r))
    assert np.linalg.norm(b) == 0
    b, _ = _minimiser(x, y, 1.9 * np.linalg.norm(r))
    assert np.linalg.norm(b) > 0


@pytest.mark.parametrize("decay", [0.3, 1.0, 1.7])
def test_the_population_limit_is_the_population_end_point(decay):
    """S = I, r = β_s: the minimiser of ‖β_s − B‖² + λ‖B‖ (+ const) has ‖B‖ = 1 − λ/2."""
    beta = np.array([0.6, 0.8, 0.0])

    def objective(b):
        return np.sum((beta - b) ** 2) + decay * np.linalg.norm(b)

    found = minimize(objective, beta, method="BFGS", options={"gtol": 1e-12})
    assert np.linalg.norm(found.x) == pytest.approx(theory.wd_pretrain_end_point(decay), abs=1e-6)
    assert np.linalg.norm(found.x) == pytest.approx(1 - decay / 2, abs=1e-6)


def _kappa(null_b: float, scratch_b: float, norm_b: float) -> float:
    expr = get("wd_finite_source_ft_scale").expr
    names = {"a_B": null_b, "b": scratch_b, "N_B": norm_b}
    return float(expr.subs({s: names[s.name] for s in expr.free_symbols}))


@pytest.mark.parametrize(("null_b", "scratch_b", "norm_b"), [(0.2, 0.5, 0.4), (0.05, 1.3, 0.8)])
def test_kappa_is_the_positive_root_over_the_square_root_of_the_start_norm(
    null_b, scratch_b, norm_b
):
    roots = np.roots([1.0, 0.0, -null_b / norm_b, 0.0, -scratch_b])
    c = max(z.real for z in roots if abs(z.imag) < 1e-12 and z.real > 0)
    assert _kappa(null_b, scratch_b, norm_b) == pytest.approx(c / math.sqrt(norm_b), rel=1e-12)


def test_fine_tuning_from_the_balanced_start_ends_at_kappa_on_the_null_part():
    """Gradient descent of the depth-2 network on n < d target samples from W_1 = u vᵀ,
    W_2 = c v with u = B/√‖B‖, c = √‖B‖ ends at β̂_sc + κ(I − P)B up to O(lr) (gradient flow's
    end point): the error halves with the step, and the Richardson extrapolation is O(lr²)."""
    rng = np.random.default_rng(11)
    d, n = 6, 3
    b = 0.5 * rng.normal(size=d)
    v = rng.normal(size=d)
    v /= np.linalg.norm(v)
    norm = np.linalg.norm(b)
    x = rng.normal(size=(n, d))
    y = x @ rng.normal(size=d) / math.sqrt(d) + 0.1 * rng.normal(size=n)
    s, r = x.T @ x / n, x.T @ y / n
    pinv = np.linalg.pinv(x)
    scratch, null = pinv @ y, b - pinv @ (x @ b)
    predicted = scratch + _kappa(float(null @ null), float(scratch @ scratch), float(norm)) * null
    ends = []
    for lr in (0.02, 0.01):
        w1, w2 = np.outer(b / math.sqrt(norm), v), math.sqrt(norm) * v
        for _ in range(round(400 / lr)):
            g = 2 * (s @ (w1 @ w2) - r)
            w1, w2 = w1 - lr * np.outer(g, w2), w2 - lr * (w1.T @ g)
        ends.append(w1 @ w2)
    coarse, fine = (np.abs(end - predicted).max() for end in ends)
    assert fine == pytest.approx(coarse / 2, rel=0.1)
    np.testing.assert_allclose(2 * ends[1] - ends[0], predicted, atol=1e-4)


def test_at_a_unit_start_kappa_is_the_papers_balanced_root():
    scale, root = get("wd_finite_source_ft_scale"), get("ft_balance_root")
    null_b, _, norm_b = scale.variables
    null_a, _ = root.variables
    assert sp.simplify(scale.expr.subs(norm_b, 1) - root.expr.subs(null_a, null_b)) == 0
