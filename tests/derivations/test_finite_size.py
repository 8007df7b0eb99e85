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
