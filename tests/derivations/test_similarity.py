"""Tests of derivations.similarity (App. A, Thm A.2; docs/paper.md §4).

The oracles are independent: SciPy quadrature of the densities, the numbers docs/paper.md §4 quotes,
and direct numpy evaluation of the judges; none of them uses the derived expressions' algebra.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy import integrate, stats

from derivations import similarity as sim
from derivations.consistency import check_result
from derivations.symbols import (
    alpha_g,
    c_g,
    cos_f,
    cos_g,
    delta_d,
    dist2,
    f_val,
    g_val,
    k_cut,
    norm_f,
    sigma,
    theta,
)


def value(result, **values: float) -> float:
    return float(result.expr.subs({_symbol(k): v for k, v in values.items()}))


def _symbol(name: str) -> sp.Symbol:
    return {
        "f": f_val,
        "g": g_val,
        "sigma": sigma,
        "theta": theta,
        "dist2": dist2,
        "alpha": alpha_g,
        "F": norm_f,
        "delta": delta_d,
        "c": c_g,
        "K": k_cut,
        "Cf": cos_f,
        "Cg": cos_g,
    }[name]


def test_every_record_is_complete():
    names = [r.name for r in sim.results()]
    assert len(names) == len(set(names)) == 15
    for result in sim.results():
        assert result.steps and result.reference and result.assumptions


@pytest.mark.parametrize(("f", "g", "s"), [(0.3, -1.1, 0.2), (2.0, 2.5, 1.3), (0.0, 0.0, 0.7)])
def test_conditional_kl_against_quadrature(f, g, s):
    def integrand(y):
        return stats.norm.pdf(y, f, s) * (stats.norm.logpdf(y, f, s) - stats.norm.logpdf(y, g, s))

    expected, _ = integrate.quad(integrand, f - 40 * s, f + 40 * s, epsabs=1e-13)
    assert value(sim.kl_conditional(), f=f, g=g, sigma=s) == pytest.approx(expected, abs=1e-10)


def test_kl_identity_and_family():
    assert value(sim.kl_label_noise(), dist2=0.5, sigma=0.2) == pytest.approx(0.5 / 0.08)
    # docs/paper.md §4.3: (1 − cos θ)/σ², maximum 2/σ² = 50 at θ = π, σ = 0.2.
    assert value(sim.kl_family(), theta=math.pi, sigma=0.2) == pytest.approx(50.0)
    assert value(sim.kl_family(), theta=math.pi / 3, sigma=0.2) == pytest.approx(12.5)
    assert value(sim.kl_family(), theta=0.0, sigma=0.2) == 0.0


def test_kl_construction_constant_and_its_erratum():
    check = check_result(sim.kl_construction_alpha())
    assert check.outcome == "EXPECTED-DEVIATION"
    f_norm, s = 1.0, 0.2
    for delta in (0.5, 10.0, 1e4):
        alpha = value(sim.kl_construction_alpha(), delta=delta, F=f_norm, sigma=s)
        assert alpha == pytest.approx(s * math.sqrt(2 * delta) / f_norm)
        assert value(sim.kl_negated_target(), alpha=alpha, F=f_norm, sigma=s) > delta
    # The printed α = σ√δ/‖f‖ falls short above δ* = (3 + 2√2)‖f‖²/σ² ≈ 145.7.
    threshold = value(sim.kl_printed_alpha_failure(), F=f_norm, sigma=s)
    assert threshold == pytest.approx((3 + 2 * math.sqrt(2)) / s**2)
    for delta, short in ((0.9 * threshold, False), (1.1 * threshold, True)):
        printed = s * math.sqrt(delta) / f_norm
        kl = (1 + printed) ** 2 * f_norm**2 / (2 * s**2)  # independent oracle
        assert (kl < delta) is short


def test_cosine_judge_against_quadrature():
    f, s = 0.8, 0.6
    expected, _ = integrate.quad(lambda y: math.cos(y) * stats.norm.pdf(y, f, s), -20, 20)
    assert value(sim.cosine_judge_conditional(), f=f, sigma=s) == pytest.approx(expected)
    bound = sim.dudley_cosine_bound()
    assert value(bound, Cf=1.0, Cg=-1.0, sigma=s) == pytest.approx(math.exp(-(s**2) / 2))
    assert value(bound, Cf=1.0, Cg=-1.0, sigma=s) < 1.0


def test_cosine_judge_blind_to_the_negated_target_and_printed_step_wrong():
    scaled = sim.dudley_cosine_scaled()
    assert scaled.expr.subs(c_g, -1) == 0
    # Monte Carlo of E cos(c z), z ~ N(0, 1), as an independent oracle of the scaled bound.
    z = np.random.default_rng(0).standard_normal(400_000)
    c = 2.0
    oracle = 0.5 * math.exp(-0.02) * abs(np.mean(np.cos(z)) - np.mean(np.cos(c * z)))
    assert value(scaled, c=c, sigma=0.2) == pytest.approx(oracle, abs=5e-3)
    assert check_result(scaled).outcome == "EXPECTED-DEVIATION"


def test_dudley_ceiling_and_tent_limit():
    assert sim.dudley_ceiling().expr == 2
    assert sim.dudley_tent_limit().expr == 2
    bound = sim.dudley_tent_bound()
    values = [value(bound, K=k, c=c, sigma=0.2) for k, c in ((1, 2), (10, 100), (100, 1e5))]
    assert all(0 < v < 2 for v in values) and values == sorted(values)
    assert values[-1] > 1.9


def test_tent_bound_against_direct_integration():
    k, c, s = 3.0, 4.0, 0.5
    a = k / (k + 2)

    def mean_judge(scale: float) -> float:
        judge = lambda y: a * (1 - 2 * min(abs(y) / k, 1.0))  # noqa: E731
        return integrate.quad(lambda y: judge(y) * stats.norm.pdf(y, 0, scale), -60, 60)[0]

    expected = mean_judge(math.sqrt(1 + s**2)) - mean_judge(math.sqrt(c**2 + s**2))
    assert value(sim.dudley_tent_bound(), K=k, c=c, sigma=s) == pytest.approx(expected, abs=1e-8)


def test_w1_bounds_against_scipy():
    c, s = 3.0, 0.4
    lower, upper = (float(e.subs({c_g: c, sigma: s})) for e in sim.w1_scaled_bounds().expr)
    rng = np.random.default_rng(1)
    z = rng.standard_normal(200_000)
    marginal = stats.wasserstein_distance(
        math.sqrt(1 + s**2) * z, math.sqrt(c**2 + s**2) * rng.standard_normal(200_000)
    )
    assert lower == pytest.approx(marginal, abs=0.02)
    assert upper == pytest.approx((c - 1) * math.sqrt(2 / math.pi))
    assert lower <= upper
    assert sim.w1_scaled_growth().expr == sp.sqrt(2) / sp.sqrt(sp.pi)
    assert float(sim.w1_family_upper().expr.subs(theta, math.pi)) == pytest.approx(
        2 * math.sqrt(2 / math.pi)
    )
