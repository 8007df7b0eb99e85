"""Extension (docs/paper.md §12): the weight-decay records against independent oracles.

The oracles are typed or simulated here, independently of :mod:`derivations.pretraining_decay`:
the scalar gradient flow of the balanced rank-one network with decay, gradient descent on random
3 × 3 weights, the positive root of the balance quartic by numpy, and a numeric maximisation over
the decay.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import derivations.pretraining_decay as module
from derivations import explain, notes
from derivations.explain import Verdict
from derivations.registry import MODULES, get
from fate_numeric import theory

RECORDS = [r.name for r in module.results()]


def _kappa_oracle(gamma: float, sigma: float, decay: float) -> float:
    """√p c with c² the positive root of c⁴ − p(1 − γ)c² − b, b = γ + σ²γ/(1 − γ)."""
    p = 1 - decay / 2
    b = gamma + sigma**2 * gamma / (1 - gamma)
    roots = np.roots([1.0, 0.0, -p * (1 - gamma), 0.0, -b])
    c = max(r.real for r in roots if abs(r.imag) < 1e-12 and r.real > 0)
    return math.sqrt(p) * c


def test_the_module_is_registered_after_the_papers_results_as_an_extension():
    assert MODULES.index("pretraining_decay") > MODULES.index("gram_descent")
    title, _ = notes._heading(module)
    assert title.startswith("Extension (not the paper's claims)")
    for name in RECORDS:
        record = get(name)
        assert record.reference == "extension (docs/paper.md §12)", name
        assert record.title.startswith("Extension:"), name
        assert record.printed is None, name


@pytest.mark.parametrize("name", RECORDS)
def test_every_step_is_confirmed_or_says_why_not(name):
    checks = explain.checked(name)
    assert not [c.number for c in checks if c.verdict is Verdict.FAILED]
    assert all("not machine-checked:" in c.detail for c in checks if c.verdict is Verdict.UNCHECKED)
    assert any(c.verdict is Verdict.CONFIRMED for c in checks)


@pytest.mark.parametrize("decay", [0.0, 0.3, 1.0, 1.7, 2.5])
def test_the_end_point_is_where_the_scalar_flow_settles(decay):
    """Euler steps of ẇ = 2w(1 − w²) − λ_p w (the balanced rank-one network, typed here)."""
    w, dt = 1e-3, 1e-3
    for _ in range(60_000):
        w += dt * (2 * w * (1 - w * w) - decay * w)
    assert theory.wd_pretrain_end_point(decay) == pytest.approx(w * w, abs=1e-6)


def test_weight_decay_shrinks_the_imbalance_as_exp_minus_two_lambda_t():
    """Gradient descent with a tiny step on random 3 × 3 weights and the population loss."""
    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(size=(3, 3)), rng.normal(size=(3, 1))
    beta = np.array([[1.0], [0.0], [0.0]])
    decay, dt, steps = 0.7, 1e-4, 5000
    start = w1.T @ w1 - w2 @ w2.T
    for _ in range(steps):
        r = 2 * (w1 @ w2 - beta)
        w1, w2 = w1 - dt * (r @ w2.T + decay * w1), w2 - dt * (w1.T @ r + decay * w2)
    ratio = (w1.T @ w1 - w2 @ w2.T) / start
    expected = math.exp(-2 * decay * dt * steps)
    assert np.allclose(ratio, expected, rtol=2e-3)
    solution = get("wd_imbalance_decay").expr.rhs
    values = {"lambda_p": decay, "t": dt * steps, "D_ij(0)": 1.0}
    at = solution.subs({s: values[s.name] for s in solution.free_symbols})
    assert float(at) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("gamma", "sigma", "decay"), [(0.5, 0.0, 1.0), (0.3, 0.2, 0.4), (0.8, 1.0, 1.9)]
)
def test_the_fine_tuning_scale_and_transferability_against_the_quartic(gamma, sigma, decay):
    kappa = _kappa_oracle(gamma, sigma, decay)
    assert theory.wd_ft_scale(gamma, sigma, decay) == pytest.approx(kappa, rel=1e-12)
    for theta in (0.0, 0.7, math.pi / 2):
        expected = (1 - gamma) * (2 * kappa * math.cos(theta) - kappa**2)
        assert theory.wd_ft_transferability(theta, gamma, sigma, decay) == pytest.approx(
            expected, abs=1e-12
        )
    assert theory.wd_ft_transferability(0.7, 1.5, sigma, decay) == 0.0
    p = 1 - decay / 2
    assert theory.wd_ft_transferability_frozen(0.7, gamma, decay) == pytest.approx(
        (1 - gamma) * (2 * p * math.cos(0.7) - p * p), abs=1e-12
    )
    assert theory.wd_ft_break_even(gamma, sigma, decay) == pytest.approx(math.acos(kappa / 2))


def test_without_decay_the_records_are_the_papers():
    for theta, gamma, sigma in ((0.3, 0.5, 0.0), (1.0, 0.2, 0.2)):
        assert theory.wd_ft_transferability(theta, gamma, sigma, 0.0) == pytest.approx(
            theory.ft_transferability_balanced(theta, gamma, sigma), abs=1e-12
        )
        assert theory.wd_lt_risk(theta, 30, sigma, 0.0) == theory.lt_risk(theta, 30, sigma)
        assert theory.wd_ridge_lt_risk(theta, 0.3, 0.0) == pytest.approx(
            theory.ridge_lt_risk(theta, 0.3)
        )
    assert theory.wd_ft_break_even(0.5, 0.0, 0.0) == pytest.approx(math.pi / 3)


@pytest.mark.parametrize(("theta", "lam", "decay"), [(0.3, 0.2, 1.0), (1.2, 0.5, 0.5)])
def test_ridge_linear_transfer_is_eq_13_with_the_shrunk_features(theta, lam, decay):
    p = 1 - decay / 2
    b = p * math.cos(theta) / (p + lam)  # n → ∞ ridge coefficient on features of scale √p
    expected = (b - math.cos(theta)) ** 2 + math.sin(theta) ** 2
    assert theory.wd_ridge_lt_risk(theta, lam, decay) == pytest.approx(expected, abs=1e-12)
    assert theory.wd_ridge_lt_risk(theta, lam, 2.5) == 1.0
    assert theory.wd_lt_risk(theta, 30, 0.2, 2.5) == 1.0


@pytest.mark.parametrize(
    ("theta", "gamma", "sigma"), [(1.0, 0.5, 0.0), (0.4, 0.2, 0.3), (1.4, 0.7, 0.1)]
)
def test_the_best_decay_maximises_fine_tuning(theta, gamma, sigma):
    best = minimize_scalar(
        lambda decay: -theory.wd_ft_transferability(theta, gamma, sigma, decay),
        bounds=(0.0, 1.999999),
        method="bounded",
        options={"xatol": 1e-10},
    )
    decay, gain = theory.wd_ft_optimal_decay(theta, gamma, sigma)
    assert decay == pytest.approx(best.x, abs=1e-4)
    assert gain == pytest.approx(-best.fun, abs=1e-10)
    assert gain == pytest.approx((1 - gamma) * math.cos(theta) ** 2, abs=1e-12)
    assert 0 <= decay <= 2


def test_the_domains_refuse_a_collapsed_network_for_fine_tuning():
    with pytest.raises(ValueError, match="lambda_p"):
        theory.wd_ft_transferability(0.3, 0.5, 0.0, 2.0)
    with pytest.raises(ValueError, match="gamma"):
        theory.wd_ft_scale(1.5, 0.0, 0.5)
