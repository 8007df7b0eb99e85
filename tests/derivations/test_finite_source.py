"""Tests of derivations.finite_source (App. C, Thm C.1, eqs. 22, 23, 152; docs/paper.md §3.9).

The oracles are typed in by hand from docs/paper.md §3.9 and §8.1; the Monte Carlo tests simulate
the source fit β̂_s = X_s⁺y_s and fine-tuning with numpy against exact finite-size expectations,
without calling the derivations.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from sampling import gradient_flow, min_norm, teachers

from derivations import finite_source
from derivations.compare import equivalent
from derivations.paper import PRINTED
from derivations.symbols import d, gamma, gamma_s, n, n_s, sigma, sigma_s, theta

NAMES = (
    "finite_source_overlap",
    "finite_source_norm",
    "ft_transferability_finite_source",
    "finite_source_break_even",
    "ft_risk_finite_source_d",
    "ft_transferability_finite_source_balanced",
    "ft_risk_finite_source_balanced_d",
    "lt_risk_finite_source",
    "lt_risk_finite_source_n",
    "lt_transferability_finite_source",
    "lt_transferability_finite_source_d",
)
PRINTED_KEYS = {
    "finite_source_norm": "eq152_source_norm",
    "ft_transferability_finite_source": "eq22_ft_transferability_finite_source",
    "finite_source_break_even": "eq23_finite_source_break_even",
}


def _records() -> dict[str, object]:
    return {r.name: r for r in finite_source.results()}


def _evaluate(expr: sp.Basic, values: dict) -> float:
    exact = {k: sp.nsimplify(v) if isinstance(v, float) else v for k, v in values.items()}
    value = sp.N(expr.subs(exact), 30)
    assert value.is_finite, f"{expr} is not finite at {values}: {value}"
    return float(value)


def test_records_names_printed_and_variables():
    records = _records()
    assert tuple(records) == NAMES
    for name, record in records.items():
        assert record.printed == PRINTED_KEYS.get(name)
        assert record.steps
        assert record.expr.free_symbols <= set(record.variables)
    assert records["finite_source_overlap"].variables == (theta, gamma_s)
    assert records["finite_source_norm"].variables == (gamma_s, sigma_s)
    assert records["ft_transferability_finite_source"].variables == (theta, gamma, gamma_s, sigma_s)
    assert records["finite_source_break_even"].variables == (gamma_s, sigma_s)
    assert records["lt_risk_finite_source"].variables == (theta, gamma_s, sigma_s)
    assert records["ft_transferability_finite_source_balanced"].variables == (
        theta,
        gamma,
        gamma_s,
        sigma,
        sigma_s,
    )
    for name in ("ft_risk_finite_source_d", "ft_risk_finite_source_balanced_d"):
        assert records[name].variables == (theta, n, d, n_s, sigma, sigma_s)
    assert records["ft_risk_finite_source_balanced_d"].variables == (
        theta,
        n,
        d,
        n_s,
        sigma,
        sigma_s,
    )
    assert records["lt_risk_finite_source_n"].variables == (theta, n, gamma_s, sigma_s, sigma)
    assert records["lt_transferability_finite_source"].variables == (
        theta,
        gamma,
        sigma,
        gamma_s,
        sigma_s,
    )


@pytest.mark.parametrize("name", sorted(PRINTED_KEYS))
def test_equals_printed_formula(name, seed):
    record = _records()[name]
    check = equivalent(
        record.expr, PRINTED[record.printed].expr, where=sp.Ne(gamma_s, 1), seed=seed
    )
    assert check.equal, check.detail


def test_a_wrong_formula_is_caught():
    wrong = (1 + sigma_s**2 / (1 - gamma_s) ** 2) / 2
    assert not equivalent(_records()["finite_source_break_even"].expr, wrong, seed=0).equal


# eq. 22 at γ_t = 0.25, σ_s = 0.2 (docs/paper.md §8.1), for γ_s = 0.5 and 1.5.
EQ22_TABLE = [
    (0.5, math.pi / 8, 0.287910),
    (0.5, math.pi / 4, 0.125330),
    (0.5, math.pi / 3, -0.03),
    (0.5, 3 * math.pi / 8, -0.117987),
    (0.5, math.pi / 2, -0.405),
    (1.5, math.pi / 8, 0.575819),
    (1.5, math.pi / 4, 0.250660),
    (1.5, math.pi / 3, -0.06),
    (1.5, 3 * math.pi / 8, -0.235975),
    (1.5, math.pi / 2, -0.81),
]


@pytest.mark.parametrize(("source_ratio", "angle", "expected"), EQ22_TABLE)
def test_eq22_oracle_table(source_ratio, angle, expected):
    expr = _records()["ft_transferability_finite_source"].expr
    values = {theta: sp.Float(angle, 30), gamma: 0.25, gamma_s: source_ratio, sigma_s: 0.2}
    assert _evaluate(expr, values) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("source_ratio", [0.5, 1.5])
def test_break_even_oracle(source_ratio):
    """cos θ* = 0.54, θ* = 57.316°, for both γ_s = 0.5 and 1.5 at σ_s = 0.2 (docs/paper.md §8.1)."""
    expr = _records()["finite_source_break_even"].expr
    cosine = _evaluate(expr, {gamma_s: source_ratio, sigma_s: 0.2})
    assert cosine == pytest.approx(0.54, abs=1e-12)
    assert math.degrees(math.acos(cosine)) == pytest.approx(57.316, abs=1e-3)
    transfer = _records()["ft_transferability_finite_source"].expr
    at = {theta: sp.acos(sp.Rational(27, 50)), gamma: 0.3, gamma_s: source_ratio, sigma_s: 0.2}
    assert _evaluate(transfer, at) == pytest.approx(0, abs=1e-12)


def test_source_norm_and_overlap_oracles():
    norm = _records()["finite_source_norm"].expr
    overlap = _records()["finite_source_overlap"].expr
    assert _evaluate(norm, {gamma_s: 0.5, sigma_s: 0.2}) == pytest.approx(0.54, abs=1e-12)
    assert _evaluate(norm, {gamma_s: 1.5, sigma_s: 0.2}) == pytest.approx(1.08, abs=1e-12)
    assert norm.subs({gamma_s: 1, sigma_s: 0}) == 1
    assert norm.subs({gamma_s: 1, sigma_s: sp.Rational(1, 5)}) == sp.oo
    for ratio in (0.1, 0.7, 1.0, 2.5):
        for angle in (0.0, 0.4, 1.2):
            value = _evaluate(overlap, {theta: angle, gamma_s: ratio})
            assert value == pytest.approx(math.cos(angle) * min(1.0, ratio), abs=1e-12)


def test_transferability_vanishes_for_gamma_at_least_one():
    expr = _records()["ft_transferability_finite_source"].expr
    for ratio in (1, sp.Rational(3, 2)):
        for source_ratio in (sp.Rational(1, 2), 1, 2):
            at = {gamma: ratio, gamma_s: source_ratio, sigma_s: sp.Rational(1, 5), theta: 1}
            assert expr.subs(at) == 0


def test_infinite_source_limit_recovers_eq15_and_sin2():
    """As γ_s → ∞ the finite-source results tend to the infinite-source ones."""
    over = _records()["ft_transferability_finite_source"].expr.args[2].expr
    limit = sp.limit(over, gamma_s, sp.oo)
    eq15 = (1 - gamma) * (2 * sp.cos(theta) - 1)
    assert sp.simplify(limit - eq15) == 0
    lt_over = _records()["lt_risk_finite_source"].expr.args[1].expr
    assert sp.simplify(sp.limit(lt_over, gamma_s, sp.oo) - sp.sin(theta) ** 2) == 0


def test_noiseless_source_with_full_rank_is_the_infinite_source():
    transfer = _records()["ft_transferability_finite_source"].expr
    at = {gamma: sp.Rational(1, 4), sigma_s: 0, gamma_s: 2, theta: sp.pi / 8}
    assert _evaluate(transfer, at) == pytest.approx(
        0.75 * (2 * math.cos(math.pi / 8) - 1), abs=1e-12
    )


def test_lt_finite_source_oracles():
    """Hand values from docs/paper.md §3.9: R = 1 − cos²θ γ_s(1−γ_s)/((1−γ_s)+σ_s²) (γ_s < 1),
    1 − cos²θ (γ_s−1)/(γ_s−1+σ_s²) (γ_s > 1); T_lt ≈ 0 at γ_s = γ = 0.5, σ = σ_s = 0.2, θ = 0."""
    risk = _records()["lt_risk_finite_source"].expr
    transfer = _records()["lt_transferability_finite_source"].expr
    assert _evaluate(risk, {theta: 0, gamma_s: 0.5, sigma_s: 0.2}) == pytest.approx(
        1 - 0.25 / 0.54, abs=1e-12
    )
    assert _evaluate(risk, {theta: 0, gamma_s: 1.5, sigma_s: 0.2}) == pytest.approx(
        1 - 0.5 / 0.54, abs=1e-12
    )
    assert _evaluate(risk, {theta: math.pi / 4, gamma_s: 0.3, sigma_s: 0.5}) == pytest.approx(
        1 - 0.5 * 0.3 * 0.7 / (0.7 + 0.25), abs=1e-12
    )
    value = _evaluate(transfer, {theta: 0, gamma: 0.5, sigma: 0.2, gamma_s: 0.5, sigma_s: 0.2})
    assert value == pytest.approx(0.54 - (1 - 0.25 / 0.54), abs=1e-12)
    assert abs(value) < 0.01
    # at γ_s = 1 the feature carries no information about β_t when σ_s > 0; sin²θ when σ_s = 0
    assert risk.subs({gamma_s: 1, sigma_s: sp.Rational(1, 5), theta: 1}) == 1
    assert _evaluate(risk, {gamma_s: 1, sigma_s: 0, theta: 1.0}) == pytest.approx(
        math.sin(1.0) ** 2, abs=1e-12
    )


@pytest.mark.parametrize("shape", [(3, 5, 9), (3, 9, 5)])
def test_batched_minimum_norm_solution_is_the_pseudo_inverse(shape):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(shape), rng.standard_normal(shape[:2])
    expected = np.stack([np.linalg.pinv(x[i]) @ y[i] for i in range(shape[0])])
    np.testing.assert_allclose(min_norm(x, y), expected, atol=1e-10)


@pytest.mark.parametrize("source_samples", [100, 300])
def test_monte_carlo_source_moments(seed, source_samples):
    """E‖β̂_s‖² and E⟨β_t, β̂_s⟩ at d = 200 against the exact finite-size means (inverse-Wishart):
    n_s/d + σ_s² n_s/(d − n_s − 1) (n_s < d), 1 + σ_s² d/(n_s − d − 1) (n_s > d), and
    cos θ min(n_s, d)/d; within 5 standard errors."""
    rng = np.random.default_rng(seed)
    dim, noise, draws, angle = 200, 0.5, 200, math.pi / 5
    source, target = teachers(rng, dim, angle)
    x = rng.standard_normal((draws, source_samples, dim))
    y = x @ source + noise * rng.standard_normal((draws, source_samples))
    estimate = min_norm(x, y)
    norms, overlaps = np.sum(estimate**2, axis=1), estimate @ target
    if source_samples < dim:
        expected_norm = source_samples / dim + noise**2 * source_samples / (
            dim - source_samples - 1
        )
    else:
        expected_norm = 1 + noise**2 * dim / (source_samples - dim - 1)
    expected_overlap = math.cos(angle) * min(source_samples, dim) / dim
    for sample, expected in ((norms, expected_norm), (overlaps, expected_overlap)):
        error = sample.std(ddof=1) / math.sqrt(draws)
        assert abs(sample.mean() - expected) <= 5 * error + 1e-9


@pytest.mark.parametrize("angle", [math.pi / 8, math.pi / 2])
def test_monte_carlo_finite_source_fine_tuning(seed, angle):
    """R_sc − R_ft with β̂_ft = β̂_sc + (I − P)β̂_s at d = 200, n = 50, n_s = 100, σ = σ_s = 0.2.

    Exact at finite size: E = (1 − n/d)(2cos θ n_s/d − n_s/d − σ_s² n_s/(d − n_s − 1)); within 5
    standard errors plus a floor of 1e-3.
    """
    rng = np.random.default_rng(seed)
    dim, samples, source_samples, noise, draws = 200, 50, 100, 0.2, 200
    source, target = teachers(rng, dim, angle)
    xs = rng.standard_normal((draws, source_samples, dim))
    estimate = min_norm(xs, xs @ source + noise * rng.standard_normal((draws, source_samples)))
    x = rng.standard_normal((draws, samples, dim))
    y = x @ target + noise * rng.standard_normal((draws, samples))
    scratch_fit = min_norm(x, y)
    row_part = min_norm(x, np.einsum("bnd,bd->bn", x, estimate))
    fine_tuned = scratch_fit + estimate - row_part
    differences = np.sum((scratch_fit - target) ** 2, axis=1) - np.sum(
        (fine_tuned - target) ** 2, axis=1
    )
    ratio_s = source_samples / dim
    norm = ratio_s + noise**2 * source_samples / (dim - source_samples - 1)
    expected = (1 - samples / dim) * (2 * math.cos(angle) * ratio_s - norm)
    error = differences.std(ddof=1) / math.sqrt(draws)
    assert abs(differences.mean() - expected) <= 5 * error + 1e-3


@pytest.mark.parametrize("source_samples", [200, 600])
def test_monte_carlo_linear_transfer_limit(seed, source_samples):
    """Per-draw n_t → ∞ risk 1 − ⟨β_t, β̂_s⟩²/‖β̂_s‖² at d = 400 against lt_risk_finite_source:
    5 standard errors plus a finite-size floor 0.01."""
    rng = np.random.default_rng(seed)
    dim, noise, draws, angle = 400, 0.5, 40, math.pi / 6
    source, target = teachers(rng, dim, angle)
    x = rng.standard_normal((draws, source_samples, dim))
    estimate = min_norm(x, x @ source + noise * rng.standard_normal((draws, source_samples)))
    risks = 1 - (estimate @ target) ** 2 / np.sum(estimate**2, axis=1)
    derived = _evaluate(
        _records()["lt_risk_finite_source"].expr,
        {theta: sp.pi / 6, gamma_s: sp.Rational(source_samples, dim), sigma_s: sp.Rational(1, 2)},
    )
    error = risks.std(ddof=1) / math.sqrt(draws)
    assert abs(risks.mean() - derived) <= 5 * error + 0.01


@pytest.mark.parametrize("source_samples", [200, 600])
def test_linear_transfer_at_finite_target_size_given_the_source(seed, source_samples):
    """The conditional step of lt_risk_finite_source_n, sampled at d = 400: for a fixed noisy
    source fit β̂_s = X_s⁺y_s, the readout b = zᵀy/zᵀz of z = Xβ̂_s on n_t = 8 noisy target
    samples has mean risk s + (s + σ²)/(n_t − 2), s = sin²φ of that β̂_s; within 5 standard
    errors over 3000 target draws, which also resolve the finite-n_t term (against s alone)."""
    rng = np.random.default_rng(seed)
    dim, noise, samples, targets, angle = 400, 0.5, 8, 3000, math.pi / 6
    record = _records()["lt_risk_finite_source_n"]
    conditional = record.steps[1].expr
    (sin2,) = (symbol for symbol in conditional.free_symbols if symbol.name == "s")
    source, target = teachers(rng, dim, angle)
    xs = rng.standard_normal((2, source_samples, dim))
    estimates = min_norm(xs, xs @ source + noise * rng.standard_normal((2, source_samples)))
    for estimate in estimates:
        s_value = 1 - (estimate @ target) ** 2 / (estimate @ estimate)
        x = rng.standard_normal((targets, samples, dim))
        y = x @ target + noise * rng.standard_normal((targets, samples))
        z = x @ estimate
        readout = np.sum(z * y, axis=1) / np.sum(z * z, axis=1)
        risks = np.sum((readout[:, None] * estimate - target) ** 2, axis=1)
        predicted = float(conditional.subs({sin2: s_value, sigma: noise, n: samples}))
        error = risks.std(ddof=1) / math.sqrt(targets)
        assert abs(risks.mean() - predicted) <= 5 * error
        assert abs(risks.mean() - s_value) > 5 * error  # the n_t term is resolved


# ---- the balanced scale of a finite-source start ----------------------------------------------
def _balanced_oracle(angle, ratio, ratio_s, noise, noise_s):
    """Typed by hand: T = (1 − γ)(2κO − κ²N), κ = c/N^¼, c² = (a + √(a² + 4b))/2 with
    a = (1 − γ)√N, b = γ + σ²γ/(1 − γ), N = eq. 152, O = cos θ min(1, γ_s) (γ < 1, γ_s ≠ 1)."""
    if ratio_s < 1:
        norm = ratio_s + noise_s**2 * ratio_s / (1 - ratio_s)
    else:
        norm = 1 + noise_s**2 / (ratio_s - 1)
    overlap = math.cos(angle) * min(1.0, ratio_s)
    a = (1 - ratio) * math.sqrt(norm)
    b = ratio + noise**2 * ratio / (1 - ratio)
    kappa = math.sqrt((a + math.sqrt(a * a + 4 * b)) / 2) / norm**0.25
    return (1 - ratio) * (2 * kappa * overlap - kappa**2 * norm)


@pytest.mark.parametrize(
    ("angle", "ratio", "ratio_s", "noise", "noise_s"),
    [
        (math.pi / 2, 0.5, 0.5, 0.0, 0.0),
        (0.3, 0.25, 0.5, 0.2, 0.2),
        (1.0, 0.7, 1.5, 0.2, 0.2),
        (2.5, 0.1, 3.0, 1.0, 0.5),
    ],
)
def test_balanced_finite_source_oracle(angle, ratio, ratio_s, noise, noise_s):
    record = _records()["ft_transferability_finite_source_balanced"]
    values = {theta: angle, gamma: ratio, gamma_s: ratio_s, sigma: noise, sigma_s: noise_s}
    derived = _evaluate(record.expr, values)
    assert derived == pytest.approx(_balanced_oracle(angle, ratio, ratio_s, noise, noise_s), 1e-12)


def test_balanced_finite_source_reductions():
    """A unit start (γ_s > 1, σ_s = 0: β̂_s = β_s) gives the population-source correction, and
    with σ = 0 too eq. 15; γ_s < 1 moves T away from eq. 22 even without noise (κ ≈ 1.13)."""
    from derivations import fine_tuning

    balanced = _records()["ft_transferability_finite_source_balanced"].expr
    population = {r.name: r for r in fine_tuning.results()}["ft_transferability_balanced"].expr
    for angle, ratio, noise in ((0.4, 0.3, 0.2), (1.2, 0.6, 1.0)):
        here = {theta: angle, gamma: ratio, sigma: noise}
        assert _evaluate(balanced, {**here, gamma_s: 2, sigma_s: 0}) == pytest.approx(
            _evaluate(population, here), rel=1e-12
        )
        eq15 = (1 - ratio) * (2 * math.cos(angle) - 1)
        assert _evaluate(balanced, {**here, sigma: 0, gamma_s: 3, sigma_s: 0}) == pytest.approx(
            eq15, rel=1e-12
        )
    noiseless = {theta: math.pi / 2, gamma: 0.5, gamma_s: 0.5, sigma: 0, sigma_s: 0}
    eq22 = _evaluate(_records()["ft_transferability_finite_source"].expr, noiseless)
    assert eq22 == pytest.approx(-0.25, rel=1e-12)
    assert _evaluate(balanced, noiseless) < eq22 - 0.05
    assert _evaluate(balanced, {**noiseless, gamma: 1}) == 0


@pytest.mark.parametrize(
    ("risk_name", "transfer_name"),
    [
        ("ft_risk_finite_source_balanced_d", "ft_transferability_finite_source_balanced"),
        ("ft_risk_finite_source_d", "ft_transferability_finite_source"),
    ],
)
def test_finite_size_risk_is_exact_scratch_minus_the_transferability(risk_name, transfer_name):
    risk = _records()[risk_name].expr
    transfer = _records()[transfer_name].expr
    angle, samples, dim, source_samples, noise = 0.7, 100, 500, 250, 0.2
    value = _evaluate(
        risk,
        {theta: angle, n: samples, d: dim, n_s: source_samples, sigma: noise, sigma_s: noise},
    )
    scratch = (1 - samples / dim) + noise**2 * samples / (dim - samples - 1)  # inverse Wishart
    ratios = {gamma: sp.Rational(samples, dim), gamma_s: sp.Rational(source_samples, dim)}
    expected = scratch - _evaluate(transfer, {theta: angle, sigma: noise, sigma_s: noise, **ratios})
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("angle", "samples", "dim", "source_samples", "noise", "noise_s"),
    [(0.7, 20, 40, 20, 0.2, 0.2), (1.2, 60, 40, 60, 0.2, 0.5), (0.3, 10, 400, 100, 1.0, 0.0)],
)
def test_finite_size_lt_transferability_oracle(angle, samples, dim, source_samples, noise, noise_s):
    """Typed in from docs/paper.md §3.5 step 5 and §3.9: the inverse-Wishart scratch risk minus
    eq. 10 with sin²θ replaced by 1 − cos²θ γ_s(1 − γ_s)/((1 − γ_s) + σ_s²) (γ_s < 1) or
    1 − cos²θ (γ_s − 1)/(γ_s − 1 + σ_s²) (γ_s > 1), γ_s = n_s/d."""
    record = _records()["lt_transferability_finite_source_d"]
    assert record.variables == (theta, n, d, n_s, sigma, sigma_s)
    value = _evaluate(
        record.expr,
        {
            theta: angle,
            n: samples,
            d: dim,
            n_s: source_samples,
            sigma: noise,
            sigma_s: noise_s,
        },
    )
    if samples < dim - 1:
        scratch = (1 - samples / dim) + noise**2 * samples / (dim - samples - 1)
    else:
        scratch = noise**2 * dim / (samples - dim - 1)
    ratio = source_samples / dim
    if ratio < 1:
        kept = ratio * (1 - ratio) / ((1 - ratio) + noise_s**2)
    else:
        kept = (ratio - 1) / (ratio - 1 + noise_s**2)
    floor = 1 - math.cos(angle) ** 2 * kept
    expected = scratch - (floor + (noise**2 + floor) / (samples - 2))
    assert value == pytest.approx(expected, rel=1e-12)


def test_finite_size_lt_transferability_is_infinite_at_the_peak():
    record = _records()["lt_transferability_finite_source_d"]
    at = {theta: 0.7, n: 40, d: 40, n_s: 20, sigma: sp.Rational(1, 5), sigma_s: sp.Rational(1, 5)}
    assert record.expr.subs(at) == sp.oo


def test_gradient_flow_from_a_finite_source_start_ends_at_kappa(seed):
    """Exact gradient flow from the balanced start W_1 = u₀vᵀ, W_2 = c₀v with c₀u₀ = β̂_s,
    ‖u₀‖ = c₀ (‖β̂_s‖ ≠ 1) ends at β̂_sc + κ(I − P)β̂_s, κ = c/c₀ with c the positive root of
    c⁴ − a c² − b, a = ‖(I − P)β̂_s‖²/c₀², b = ‖β̂_sc‖²: the per-draw statement behind
    ft_transferability_finite_source_balanced (here κ differs from 1 by more than 5 %)."""
    rng = np.random.default_rng(seed)
    dim, samples, source_samples = 12, 5, 6
    source, target = teachers(rng, dim, math.pi / 2)
    xs = rng.standard_normal((source_samples, dim))
    estimate_s = np.linalg.pinv(xs) @ (xs @ source)  # noiseless, n_s < d: ‖β̂_s‖ < 1
    start = np.linalg.norm(estimate_s) ** 0.5
    x = rng.standard_normal((samples, dim))
    y = x @ target
    v = rng.standard_normal(dim)
    v /= np.linalg.norm(v)
    w1, w2 = gradient_flow(
        x, y, np.outer(estimate_s / start, v), start * v, step=0.01, max_steps=60000
    )
    pinv = np.linalg.pinv(x)
    projector = pinv @ x
    null_start = estimate_s - projector @ estimate_s
    a, b = null_start @ null_start / start**2, np.sum((pinv @ y) ** 2)
    kappa = math.sqrt((a + math.sqrt(a * a + 4 * b)) / 2) / start
    end = w1 @ w2
    assert np.mean((x @ end - y) ** 2) < 1e-20
    np.testing.assert_allclose(end - projector @ end, kappa * null_start, atol=1e-6)
    assert abs(kappa - 1) > 0.05
