"""Tests of derivations.fine_tuning (Thm 3.9, eqs. 14-15, and the balanced-scale correction).

The oracles below are typed in by hand from docs/paper.md §3.8 and §8.1, independently of the
derivations; the Monte Carlo and gradient-flow tests simulate the model with numpy and never call
the module.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from sampling import gradient_flow, min_norm, teachers

from derivations import fine_tuning
from derivations.compare import equivalent
from derivations.paper import PRINTED
from derivations.symbols import gamma, sigma, theta

NAMES = (
    "ft_risk_excess",
    "ft_transferability",
    "ft_break_even_angle",
    "ft_balance_root",
    "ft_balance_scale",
    "ft_transferability_balanced",
)


def _records() -> dict[str, object]:
    return {r.name: r for r in fine_tuning.results()}


def _evaluate(expr: sp.Basic, values: dict) -> float:
    value = sp.N(expr.subs(values), 30)
    assert value.is_finite, f"{expr} is not finite at {values}: {value}"
    return float(value)


def test_records_names_printed_and_variables():
    records = _records()
    assert tuple(records) == NAMES
    assert records["ft_risk_excess"].printed == "eq14_ft_risk_excess"
    assert records["ft_transferability"].printed == "eq15_ft_transferability"
    assert records["ft_break_even_angle"].printed is None
    assert records["ft_balance_scale"].printed is None
    assert records["ft_transferability_balanced"].printed is None
    assert records["ft_risk_excess"].variables == (theta, gamma)
    assert records["ft_transferability"].variables == (theta, gamma)
    assert records["ft_break_even_angle"].variables == ()
    assert records["ft_balance_scale"].variables == (gamma, sigma)
    assert records["ft_transferability_balanced"].variables == (theta, gamma, sigma)
    for record in records.values():
        assert record.steps
        assert record.expr.free_symbols <= set(record.variables)
    notes = records["ft_transferability"].notes
    assert "eq. 15 omits the balanced scale c" in notes
    assert "exact only for σ → 0" in notes


@pytest.mark.parametrize("name", ["ft_risk_excess", "ft_transferability"])
def test_equals_printed_formula(name, seed):
    record = _records()[name]
    outcome = equivalent(record.expr, PRINTED[record.printed].expr, seed=seed)
    assert outcome.equal, outcome.detail


def test_a_wrong_formula_is_caught():
    wrong = sp.Piecewise(((1 - gamma) * (2 * sp.cos(theta) - 1) ** 2, gamma < 1), (0, True))
    assert not equivalent(_records()["ft_transferability"].expr, wrong, seed=0).equal


# eq. 15 oracle table (docs/paper.md §8.1): T_ft at γ = 0 and γ = 0.5; 0 for γ ≥ 1 and at θ = π/3.
EQ15_TABLE = [
    (math.pi / 8, 0.0, 0.847759),
    (math.pi / 4, 0.0, 0.414214),
    (3 * math.pi / 8, 0.0, -0.234633),
    (math.pi / 2, 0.0, -1.0),
    (math.pi / 8, 0.5, 0.423880),
    (math.pi / 4, 0.5, 0.207107),
    (3 * math.pi / 8, 0.5, -0.117317),
    (math.pi / 2, 0.5, -0.5),
    (math.pi / 3, 0.2, 0.0),
    (math.pi / 3, 0.9, 0.0),
    (math.pi / 8, 1.0, 0.0),
    (math.pi / 8, 1.5, 0.0),
    (math.pi / 2, 2.0, 0.0),
]


@pytest.mark.parametrize(("angle", "ratio", "expected"), EQ15_TABLE)
def test_eq15_oracle_table(angle, ratio, expected):
    record = _records()["ft_transferability"]
    values = {theta: sp.Float(angle, 30), gamma: sp.Float(ratio, 30)}
    assert _evaluate(record.expr, values) == pytest.approx(expected, abs=1e-6)
    excess = _records()["ft_risk_excess"]
    assert _evaluate(excess.expr, values) == pytest.approx(-expected, abs=1e-6)


def test_break_even_angle_is_pi_over_3():
    record = _records()["ft_break_even_angle"]
    assert record.expr == sp.pi / 3
    transfer = _records()["ft_transferability"].expr
    for ratio in (0.1, 0.5, 0.99):
        at = {gamma: sp.Float(ratio, 30)}
        assert _evaluate(transfer, {**at, theta: sp.pi / 3}) == pytest.approx(0, abs=1e-12)
        assert _evaluate(transfer, {**at, theta: sp.pi / 3 - sp.Rational(1, 10)}) > 0
        assert _evaluate(transfer, {**at, theta: sp.pi / 3 + sp.Rational(1, 10)}) < 0


def test_balance_scale_oracle():
    """c ≈ 1.013 at γ = 0.5, σ = 0.2 and T_ft(π/3) ≈ −0.007 there; c(0.5, 1) = √1.5.

    Values of docs/paper.md §3.8.
    """
    scale = _records()["ft_balance_scale"].expr
    balanced = _records()["ft_transferability_balanced"].expr
    point = {gamma: sp.Rational(1, 2), sigma: sp.Rational(1, 5)}
    assert _evaluate(scale, point) == pytest.approx(1.013, abs=5e-4)
    assert _evaluate(balanced, {**point, theta: sp.pi / 3}) == pytest.approx(-0.007, abs=1e-3)
    assert _evaluate(scale, {gamma: sp.Rational(1, 2), sigma: 1}) == pytest.approx(
        1.224745, abs=1e-6
    )


@pytest.mark.parametrize("ratio", [0.05, 0.3, 0.5, 0.8, 0.97])
@pytest.mark.parametrize("noise", [0.0, 0.2, 1.0])
def test_balance_scale_is_the_positive_root_of_the_quartic(ratio, noise):
    """Independent: numpy's roots of c⁴ − (1 − γ)c² − (γ + σ²γ/(1 − γ)).

    The quartic is typed by hand from docs/paper.md §3.8.
    """
    a = 1 - ratio
    b = ratio + noise**2 * ratio / (1 - ratio)
    roots = np.roots([1, 0, -a, 0, -b])
    positive = [r.real for r in roots if abs(r.imag) < 1e-12 and r.real > 0]
    assert len(positive) == 1
    scale = _records()["ft_balance_scale"].expr
    value = _evaluate(scale, {gamma: sp.Float(ratio, 30), sigma: sp.Float(noise, 30)})
    assert value == pytest.approx(positive[0], rel=1e-10)
    if noise == 0:
        assert value == pytest.approx(1, abs=1e-12)
    else:
        assert value > 1


@pytest.mark.parametrize("ratio", [1, sp.Rational(3, 2), 3])
@pytest.mark.parametrize("noise", [0, sp.Rational(1, 5), 1])
def test_balanced_results_are_finite_for_gamma_at_least_one(ratio, noise):
    scale = _records()["ft_balance_scale"].expr.subs({gamma: ratio, sigma: noise})
    assert not scale.has(sp.nan, sp.zoo, sp.oo)
    assert scale == 1
    balanced = _records()["ft_transferability_balanced"].expr
    assert balanced.subs({gamma: ratio, sigma: noise, theta: sp.pi / 5}) == 0


def test_balanced_reduces_to_eq15_without_noise(seed):
    balanced = _records()["ft_transferability_balanced"].expr.subs(sigma, 0)
    outcome = equivalent(balanced, PRINTED["eq15_ft_transferability"].expr, seed=seed)
    assert outcome.equal, outcome.detail


def test_balanced_differs_from_eq15_with_noise():
    balanced = _records()["ft_transferability_balanced"].expr.subs(sigma, 1)
    assert not equivalent(balanced, PRINTED["eq15_ft_transferability"].expr, seed=0).equal


def test_batched_minimum_norm_solution_is_the_pseudo_inverse():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 5, 9)), rng.standard_normal((3, 5))
    expected = np.stack([np.linalg.pinv(x[i]) @ y[i] for i in range(3)])
    np.testing.assert_allclose(min_norm(x, y), expected, atol=1e-10)


@pytest.mark.parametrize("angle", [math.pi / 8, math.pi / 2])
def test_monte_carlo_transferability(seed, angle):
    """Mean of R_sc − R_ft for β̂_ft = β̂_sc + (I − P)β_s at d = 200, n = 100.

    E[R_sc − R_ft] = (1 − n/d)(2cos θ − 1) holds exactly at finite size (E P = (n/d) I), so the
    mean must agree within 5 standard errors plus a floor of 1e-3 for rounding.
    """
    rng = np.random.default_rng(seed)
    dim, samples, noise, draws = 200, 100, 0.2, 200
    source, target = teachers(rng, dim, angle)
    x = rng.standard_normal((draws, samples, dim))
    y = x @ target + noise * rng.standard_normal((draws, samples))
    scratch_fit = min_norm(x, y)
    fine_tuned = scratch_fit + source - min_norm(x, x @ source)  # + (I − P)β_s
    differences = np.sum((scratch_fit - target) ** 2, axis=1) - np.sum(
        (fine_tuned - target) ** 2, axis=1
    )
    expected = (1 - samples / dim) * (2 * math.cos(angle) - 1)
    error = differences.std(ddof=1) / math.sqrt(draws)
    assert abs(differences.mean() - expected) <= 5 * error + 1e-3
    derived = _records()["ft_transferability"].expr
    at = {theta: sp.Float(angle, 30), gamma: sp.Rational(samples, dim)}
    assert _evaluate(derived, at) == pytest.approx(expected, abs=1e-12)


def test_monte_carlo_balance_scale(seed):
    """Mean of the per-draw balanced scale (root of c⁴ − a c² − b with the realised a, b) at
    d = 400, n = 200, σ = 1 against c(0.5, 1): 5 standard errors plus a finite-size floor 0.01
    (c − 1 ≈ 0.22 there, so the paper's c = 1 would fail)."""
    rng = np.random.default_rng(seed)
    dim, samples, noise, draws = 400, 200, 1.0, 40
    source, target = teachers(rng, dim, math.pi / 3)
    x = rng.standard_normal((draws, samples, dim))
    y = x @ target + noise * rng.standard_normal((draws, samples))
    a = np.sum((source - min_norm(x, x @ source)) ** 2, axis=1)
    b = np.sum(min_norm(x, y) ** 2, axis=1)
    scales = np.sqrt((a + np.sqrt(a * a + 4 * b)) / 2)
    derived = _evaluate(_records()["ft_balance_scale"].expr, {gamma: sp.Rational(1, 2), sigma: 1})
    error = scales.std(ddof=1) / math.sqrt(draws)
    assert abs(scales.mean() - derived) <= 5 * error + 0.01


def test_gradient_flow_ends_at_the_balanced_scale(seed):
    """Exact gradient flow from W_1 = β_s vᵀ, W_2 = v (d = 12, n = 6, σ = 1) ends at
    β̂_sc + c(I − P)β_s with c the positive root of c⁴ − a c² − b (realised a, b): the per-instance
    statement behind ft_balance_scale, with c ≠ 1."""
    rng = np.random.default_rng(seed)
    dim, samples, noise = 12, 6, 1.0
    source, target = teachers(rng, dim, math.pi / 3)
    x = rng.standard_normal((samples, dim))
    y = x @ target + noise * rng.standard_normal(samples)
    v = rng.standard_normal(dim)
    v /= np.linalg.norm(v)
    w1, w2 = gradient_flow(x, y, np.outer(source, v), v.copy(), step=0.01, max_steps=40000)
    estimate = w1 @ w2
    pinv = np.linalg.pinv(x)
    projector = pinv @ x
    scratch_fit = pinv @ y
    null_source = source - projector @ source
    a, b = null_source @ null_source, scratch_fit @ scratch_fit
    scale = math.sqrt((a + math.sqrt(a * a + 4 * b)) / 2)
    assert np.mean((x @ estimate - y) ** 2) < 1e-20
    np.testing.assert_allclose(projector @ estimate, scratch_fit, atol=1e-8)
    np.testing.assert_allclose(estimate - projector @ estimate, scale * null_source, atol=1e-6)
    assert abs(scale - 1) > 1e-3


def test_balance_root_solves_the_quartic():
    """Independent check: the derived c(a, b) is a positive root of c⁴ − a c² − b = 0."""
    from fate_numeric.theory import ft_balance_root

    a = np.array([0.0, 0.3, 0.5, 2.0])
    b = np.array([1.0, 0.7, 1.5, 0.1])
    c = ft_balance_root(a, b)
    assert np.all(c > 0)
    np.testing.assert_allclose(c**4 - a * c**2 - b, 0.0, atol=1e-12)
    # docs/paper.md §3.8: c(γ = 0.5, σ = 1) = √1.5
    assert ft_balance_root(0.5, 1.5) == pytest.approx(np.sqrt(1.5))
