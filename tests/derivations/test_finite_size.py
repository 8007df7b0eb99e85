"""Finite-size corrections: the derived coefficients against an independent numeric oracle."""

from __future__ import annotations

import math

import pytest

from fate_numeric import theory


def _scratch_exact(n: int, d: int, sigma: float) -> float:
    """Oracle: bias + σ² E tr(Gram⁻¹), inverse-Wishart means n/(d − n − 1) and d/(n − d − 1)."""
    if n < d - 1:
        return (1 - n / d) + sigma**2 * n / (d - n - 1)
    return sigma**2 * d / (n - d - 1)


@pytest.mark.parametrize(("gamma", "sigma"), [(0.3, 0.2), (0.7, 0.5), (1.6, 0.2), (3.0, 1.0)])
def test_scratch_correction_is_the_slope_of_the_gap_in_one_over_d(gamma, sigma):
    first, second = theory.scratch_risk_correction(gamma, sigma)
    asymptotic = theory.scratch_risk(gamma, sigma)
    for d in (2_000, 20_000):
        n = round(gamma * d)
        gap = _scratch_exact(n, d, sigma) - asymptotic
        # n = γd exactly for these d: the gap is c₁/d + c₂/d² + a remainder of relative size
        # about r², r = 1/(d|1 − γ|) the ratio of the geometric series
        ratio = 1 / (d * abs(1 - gamma))
        assert gap == pytest.approx(first / d + second / d**2, rel=2 * ratio**2)
        assert gap != pytest.approx(first / d, rel=ratio / 4)  # the second order is visible


def test_scratch_correction_is_undefined_at_the_peak():
    first, second = theory.scratch_risk_correction(1.0, 0.2)
    assert math.isnan(first) and math.isnan(second)


@pytest.mark.parametrize(("theta", "sigma"), [(0.3, 0.0), (math.pi / 4, 0.2), (1.5, 1.0)])
def test_lt_correction_matches_the_expansion_of_eq_10(theta, sigma):
    first, second = theory.lt_risk_correction(theta, sigma)
    amplitude = math.sin(theta) ** 2 + sigma**2  # oracle: eq. 10 = sin²θ + A/(n − 2)
    assert first == pytest.approx(amplitude)
    assert second == pytest.approx(2 * amplitude)
    n = 10_000
    gap = amplitude / (n - 2)
    assert abs(gap - first / n - second / n**2) < 2 * 8 * amplitude / n**3  # next term 8A/n³


# ---- the gaps and the bounds on their remainders (scratch_risk_gap, ..._remainder_bound) -------
def _scratch_asymptotic(gamma: float, sigma: float) -> float:
    """Oracle: eq. 8 as printed (docs/paper.md §3.5)."""
    if gamma < 1:
        return (1 - gamma) + gamma * sigma**2 / (1 - gamma)
    return sigma**2 / (gamma - 1)


@pytest.mark.parametrize(
    ("n", "d", "sigma"), [(10, 40, 0.2), (30, 40, 1.0), (60, 40, 0.2), (80, 40, 0.5), (3, 500, 0.2)]
)
def test_scratch_gap_is_exact_minus_eq_8(n, d, sigma):
    gamma = n / d
    oracle = _scratch_exact(n, d, sigma) - _scratch_asymptotic(gamma, sigma)
    assert theory.scratch_risk_gap(gamma, sigma, d) == pytest.approx(oracle, rel=1e-12)


def test_scratch_gap_next_to_the_peak():
    assert theory.scratch_risk_gap(1.0, 0.2, 40) == math.inf
    assert theory.scratch_risk_gap(41 / 40, 0.2, 40) == math.inf  # |n − d| <= 1
    assert theory.scratch_risk_gap(41 / 40, 0.0, 40) == 0.0  # σ = 0: exact = eq. 8


@pytest.mark.parametrize(
    ("gamma", "sigma", "d"),
    [
        (0.25, 0.2, 40),
        (0.5, 1.0, 40),
        (0.9, 0.2, 40),
        (1.5, 0.2, 40),
        (2.0, 0.5, 20),
        (0.3, 0.2, 500),
    ],
)
def test_scratch_remainder_bound_holds_where_claimed(gamma, sigma, d):
    n = gamma * d
    first, second = theory.scratch_risk_correction(gamma, sigma)
    bound, claimed = theory.scratch_risk_remainder_bound(gamma, sigma, d)
    ratio = 1 / (d * abs(1 - gamma))  # oracle: the ratio of the geometric series
    assert claimed == (1.0 if ratio < 1 / 3 else 0.0)
    assert bound == pytest.approx(1.5 * abs(second) / d**2, rel=1e-12)
    remainder = abs(
        _scratch_exact(round(n), d, sigma) - _scratch_asymptotic(gamma, sigma) - first / d
    )
    # the remainder is c₂/d² (1 + r + r² + …) = c₂/d²/(1 − r): below the bound for r <= 1/3,
    # and not below two thirds of it (the bound is not loose)
    assert remainder == pytest.approx(abs(second) / d**2 / (1 - ratio), rel=1e-9)
    assert claimed == 1.0 and 2 / 3 * bound <= remainder <= bound


def test_scratch_remainder_bound_is_not_claimed_at_r_one_half():
    """d|1 − γ| = 2 (r = 1/2): the remainder is 2c₂/d², above (3/2)|c₂|/d²; not claimed."""
    gamma, sigma, d = 0.9, 0.2, 20
    first, _ = theory.scratch_risk_correction(gamma, sigma)
    bound, claimed = theory.scratch_risk_remainder_bound(gamma, sigma, d)
    gap = _scratch_exact(18, d, sigma) - _scratch_asymptotic(gamma, sigma)
    assert claimed == 0.0 and abs(gap - first / d) > bound


@pytest.mark.parametrize("n", [3, 5, 6, 7, 8, 50, 1000])
def test_lt_gap_and_remainder_bound(n):
    theta, sigma = 0.9, 0.3
    amplitude = math.sin(theta) ** 2 + sigma**2  # oracle: eq. 10 = sin²θ + A/(n − 2)
    gap = theory.lt_risk_gap(theta, sigma, n)
    assert gap == pytest.approx(amplitude / (n - 2), rel=1e-12)
    first, _ = theory.lt_risk_correction(theta, sigma)
    bound, claimed = theory.lt_risk_remainder_bound(theta, sigma, n)
    assert claimed == (1.0 if n > 6 else 0.0)
    remainder = abs(gap - first / n)
    assert remainder == pytest.approx(2 * amplitude / n**2 / (1 - 2 / n), rel=1e-9)
    if claimed:
        assert 2 / 3 * bound <= remainder <= bound
    elif n < 6:
        assert remainder > bound
