"""Scratch risk (Thms 3.5-3.6, eq. 8): derivation vs printed formula, oracles, Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations import scratch
from derivations.compare import equivalent
from derivations.paper import PRINTED
from derivations.symbols import d, gamma, n, sigma

# docs/paper.md §8.1: eq. 8 at σ = 0.2 and the exact d = 500 values (independent oracles)
EQ8_SIGMA_02 = {
    0.1: 0.90444,
    0.2: 0.81,
    0.5: 0.54,
    0.6: 0.46,
    0.8: 0.36,
    0.9: 0.46,
    0.99: 3.97,
    1.01: 4.00,
    1.1: 0.40,
    1.2: 0.20,
    1.5: 0.08,
    2.0: 0.04,
}
EXACT_D500_SIGMA_02 = {
    0.1: 0.9045,
    0.2: 0.81,
    0.5: 0.5402,
    0.6: 0.4603,
    0.8: 0.3616,
    0.9: 0.4673,
    1.1: 0.4082,
    1.2: 0.2020,
    1.5: 0.0803,
    2.0: 0.0401,
}


def _value(expr: sp.Basic, **values: float) -> float:
    symbols = {"gamma": gamma, "sigma": sigma, "n": n, "d": d}
    return float(expr.subs({symbols[k]: sp.nsimplify(v) for k, v in values.items()}))


def test_eq8_equals_the_printed_formula(seed):
    check = equivalent(scratch.risk().expr, PRINTED["eq8_scratch_risk"].expr, seed=seed)
    assert check.equal, check


@pytest.mark.parametrize(("g", "expected"), EQ8_SIGMA_02.items())
def test_eq8_oracle_values(g, expected):
    assert _value(scratch.risk().expr, gamma=g, sigma=0.2) == pytest.approx(expected, abs=6e-3)


@pytest.mark.parametrize(("g", "expected"), EXACT_D500_SIGMA_02.items())
def test_exact_finite_size_oracle_values(g, expected):
    value = _value(scratch.risk_finite().expr, n=round(g * 500), d=500, sigma=0.2)
    assert value == pytest.approx(expected, abs=1.5e-4)


def test_gamma_one_is_infinite_with_noise_and_zero_without():
    risk = scratch.risk().expr
    assert risk.subs({gamma: 1, sigma: sp.Rational(1, 5)}) == sp.oo
    assert risk.subs({gamma: 1, sigma: 0}) == 0


def test_optimum():
    minimiser, value = scratch.optimum().expr
    assert sp.simplify(minimiser - (1 - sigma)) == 0
    assert sp.simplify(value - (2 * sigma - sigma**2)) == 0
    # independent check: a grid search of the printed formula at σ = 0.2
    grid = np.linspace(0.01, 0.99, 9801)
    printed = ((1 - grid) ** 2 + grid * 0.04) / (1 - grid)
    assert grid[np.argmin(printed)] == pytest.approx(0.8, abs=1e-3)
    assert printed.min() == pytest.approx(0.36, abs=1e-6)


def test_noiseless_case():
    risk = scratch.risk_noiseless().expr
    assert _value(risk, gamma=0.3) == pytest.approx(0.7)
    assert _value(risk, gamma=1.7) == 0


def test_finite_size_tends_to_eq8():
    for g, s in [(0.5, 0.2), (1.5, 0.2), (0.8, 1.0)]:
        finite = _value(scratch.risk_finite().expr, n=round(g * 10**6), d=10**6, sigma=s)
        assert finite == pytest.approx(_value(scratch.risk().expr, gamma=g, sigma=s), rel=1e-4)


@pytest.mark.parametrize(("samples", "dim", "noise"), [(20, 40, 0.5), (60, 40, 0.5), (30, 50, 0.0)])
def test_minimum_norm_monte_carlo(samples, dim, noise, seed):
    """Pseudo-inverse solutions on Gaussian data against the exact finite-size expectation."""
    rng = np.random.default_rng(seed)
    draws = 3000
    beta = rng.standard_normal(dim)
    beta /= np.linalg.norm(beta)
    x = rng.standard_normal((draws, samples, dim))
    y = x @ beta + noise * rng.standard_normal((draws, samples))
    estimate = np.einsum("bij,bj->bi", np.linalg.pinv(x), y)
    risks = np.sum((estimate - beta) ** 2, axis=1)
    expected = _value(scratch.risk_finite().expr, n=samples, d=dim, sigma=noise)
    standard_error = risks.std(ddof=1) / np.sqrt(draws)
    assert abs(risks.mean() - expected) < 5 * standard_error + 1e-12
