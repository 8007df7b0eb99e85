"""Tests of derivations.ridge (Thm 3.8, eq. 13, docs/paper.md §3.7).

Oracle numbers from docs/paper.md §8.1 are typed in independently; the Monte Carlo test solves the
ridge normal equations (FᵀF + nλI)c = Fᵀy on rank-one features F = XW₁ with numpy, at large n.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from derivations import ridge
from derivations.compare import equivalent
from derivations.consistency import check_result
from derivations.paper import PRINTED
from derivations.record import DerivedResult, Regime
from derivations.symbols import lam, theta

PI = math.pi


def record(name: str) -> DerivedResult:
    return {r.name: r for r in ridge.results()}[name]


def evaluate(name: str, angle: float | sp.Expr, strength: float) -> float:
    result = record(name)
    values = dict(zip(result.variables, (angle, sp.Rational(str(strength))), strict=True))
    return float(sp.N(result.expr.subs(values), 30))


def test_records() -> None:
    results = ridge.results()
    assert tuple(r.name for r in results) == ("ridge_lt_risk", "ridge_lt_monotone")
    for result in results:
        assert result.steps and result.regime is Regime.ASYMPTOTIC
        assert result.variables == (theta, lam)
    assert record("ridge_lt_risk").printed == "eq13_ridge_lt_risk"
    assert record("ridge_lt_monotone").printed is None
    assert ridge.ridge_lt_risk() is ridge.ridge_lt_risk()


def test_ridge_risk_equals_eq13() -> None:
    derived = record("ridge_lt_risk")
    outcome = equivalent(derived.expr, PRINTED["eq13_ridge_lt_risk"].expr, seed=11)
    assert outcome.equal, outcome.detail
    assert check_result(derived).outcome == "PASS"
    wrong = 1 - sp.cos(theta) ** 2 / (1 + lam) ** 2
    assert not equivalent(derived.expr, wrong, seed=11).equal


def test_monotone_derivative() -> None:
    derivative = record("ridge_lt_monotone").expr
    expected = 2 * lam * sp.cos(theta) ** 2 / (1 + lam) ** 3  # oracle, docs/paper.md §3.7
    assert equivalent(derivative, expected, seed=13).equal
    for angle in (0.0, PI / 8, PI / 4, PI / 2):
        for strength in (0.0, 0.1, 1.0, 5.0):
            assert evaluate("ridge_lt_monotone", angle, strength) >= 0


@pytest.mark.parametrize(
    ("angle", "values"),
    [
        (sp.pi / 8, (0.146447, 0.153501, 0.170156, 0.191902, 0.216124, 0.241286)),
        (sp.pi / 4, (0.5, 0.504132, 0.513889, 0.526627, 0.540816, 0.555556)),
    ],
)
def test_ridge_oracles(angle: sp.Expr, values: tuple[float, ...]) -> None:
    strengths = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
    derived = [evaluate("ridge_lt_risk", angle, s) for s in strengths]
    assert derived == pytest.approx(values, abs=1e-6)
    assert derived[0] == pytest.approx(float(sp.sin(angle) ** 2), abs=1e-15)


def _simulate_ridge_risk(
    rng: np.random.Generator, samples: int, dim: int, angle: float, strength: float, draws: int
) -> np.ndarray:
    """‖W₁c − β_t‖² for c = (FᵀF + nλI)⁻¹Fᵀy, F = XW₁, W₁ = β_s vᵀ with unit v."""
    basis, _ = np.linalg.qr(rng.standard_normal((dim, 2)))
    beta_s, nu = basis[:, 0], basis[:, 1]
    beta_t = math.cos(angle) * beta_s + math.sin(angle) * nu
    v = rng.standard_normal(dim)
    first_layer = np.outer(beta_s, v / np.linalg.norm(v))
    noise = 0.2
    risks = np.empty(draws)
    for k in range(draws):
        inputs = rng.standard_normal((samples, dim))
        labels = inputs @ beta_t + noise * rng.standard_normal(samples)
        features = inputs @ first_layer
        system = features.T @ features + samples * strength * np.eye(dim)
        coefficients = np.linalg.solve(system, features.T @ labels)
        error = first_layer @ coefficients - beta_t
        risks[k] = error @ error
    return risks


@pytest.mark.parametrize(("angle", "strength"), [(PI / 8, 0.1), (PI / 4, 0.5), (PI / 3, 0.3)])
def test_ridge_monte_carlo(seed: int, angle: float, strength: float) -> None:
    """Large-n Monte Carlo: |mean − eq. 13| < 5 standard errors + 10/n (finite-n bias floor)."""
    samples, draws = 10_000, 48
    rng = np.random.default_rng(seed)
    risks = _simulate_ridge_risk(rng, samples, 4, angle, strength, draws)
    mean, error = risks.mean(), risks.std(ddof=1) / math.sqrt(draws)
    tolerance = 5 * error + 10 / samples
    derived = evaluate("ridge_lt_risk", sp.Float(angle, 30), strength)
    assert abs(mean - derived) < tolerance
    # Power: the unregularised floor sin²θ is rejected at these λ.
    assert abs(mean - math.sin(angle) ** 2) > tolerance
