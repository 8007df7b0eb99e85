"""Tests of derivations.linear_transfer (Thm 3.7, eqs. 10-11, docs/paper.md §3.6).

The numbers below are independent oracles typed in from docs/paper.md §8.1; the Monte Carlo test
simulates the linear-transfer regression directly with numpy and does not use the derivation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from derivations import linear_transfer as lt
from derivations.compare import equivalent
from derivations.consistency import check_result
from derivations.paper import PRINTED
from derivations.record import DerivedResult, Regime
from derivations.symbols import d, gamma, n, sigma, theta

NAMES = (
    "lt_risk",
    "lt_risk_limit",
    "lt_transferability",
    "lt_transferability_finite",
    "lt_negative_interval",
    "lt_negative_threshold_angle",
    "lt_negative_threshold_overparam",
    "lt_anomalous_band",
    "lt_transferability_noiseless",
)
VARIABLES = {
    "lt_risk": (theta, n, sigma),
    "lt_risk_limit": (theta,),
    "lt_transferability": (theta, gamma, sigma),
    "lt_transferability_finite": (theta, n, d, sigma),
    "lt_negative_interval": (theta, sigma),
    "lt_negative_threshold_angle": (sigma,),
    "lt_negative_threshold_overparam": (theta, sigma),
    "lt_anomalous_band": (sigma,),
    "lt_transferability_noiseless": (theta, gamma),
}
SIGMA = 0.2
PI = math.pi


def record(name: str) -> DerivedResult:
    return {r.name: r for r in lt.results()}[name]


def _exact(value: float | int | sp.Basic) -> sp.Basic:
    if isinstance(value, sp.Basic):
        return value
    return sp.Rational(str(value)) if isinstance(value, float) else sp.Integer(value)


def evaluate(name: str, *args: float | int | sp.Basic) -> float | tuple[float, ...]:
    """The record's expression at the arguments, in the order of its ``variables``."""
    result = record(name)
    values = dict(zip(result.variables, (_exact(a) for a in args), strict=True))
    value = result.expr.subs(values)
    if isinstance(value, sp.Tuple):
        return tuple(float(sp.N(v, 30)) for v in value)
    return float(sp.N(value, 30))


def degrees(angle: float) -> sp.Expr:
    return sp.pi * _exact(angle) / 180


# --- structure ---------------------------------------------------------------------------------


def test_records_names_variables_and_regimes() -> None:
    results = lt.results()
    assert tuple(r.name for r in results) == NAMES
    for result in results:
        assert isinstance(result, DerivedResult)
        assert result.steps, result.name
        assert result.variables == VARIABLES[result.name]
        assert set(result.variables) >= set(result.expr.free_symbols), result.name
        if result.printed is not None:
            assert result.printed in PRINTED
    exact = {"lt_risk", "lt_transferability_finite"}
    assert all(record(name).regime is Regime.EXACT_FINITE_SIZE for name in exact)
    assert all(r.regime is Regime.ASYMPTOTIC for r in results if r.name not in exact)


def test_results_are_cached() -> None:
    assert lt.lt_risk() is lt.lt_risk()
    assert lt.results() == lt.results()


# --- against the printed formulas --------------------------------------------------------------


def test_lt_risk_equals_eq10() -> None:
    derived = record("lt_risk")
    assert derived.printed == "eq10_lt_risk"
    outcome = equivalent(derived.expr, PRINTED["eq10_lt_risk"].expr, where=n > 2, seed=3)
    assert outcome.equal, outcome.detail
    assert check_result(derived).outcome == "PASS"


def test_lt_risk_limit_is_sin_squared() -> None:
    assert sp.simplify(record("lt_risk_limit").expr - sp.sin(theta) ** 2) == 0


def test_lt_transferability_equals_eq11() -> None:
    derived = record("lt_transferability")
    assert derived.printed == "eq11_lt_transferability"
    outcome = equivalent(derived.expr, PRINTED["eq11_lt_transferability"].expr, seed=5)
    assert outcome.equal, outcome.detail
    assert check_result(derived).outcome == "PASS"


def test_lt_transferability_is_not_a_wrong_formula() -> None:
    wrong = sp.Piecewise(
        ((1 - gamma) + gamma * sigma**2 / (1 - gamma) - sp.cos(theta) ** 2, gamma < 1),
        (sigma**2 / (gamma - 1) - sp.cos(theta) ** 2, gamma > 1),
    )
    assert not equivalent(record("lt_transferability").expr, wrong, seed=5).equal


def test_negative_interval_is_the_printed_one_reversed() -> None:
    """Erratum docs/paper.md §9.2.3: the paper prints (γ₊, γ₋); the derived interval is (γ₋, γ₊)."""
    derived = record("lt_negative_interval")
    printed = PRINTED["thm37_negative_interval"]
    assert derived.printed == "thm37_negative_interval" and printed.erratum
    nonempty = 1 - sp.cos(theta) > sigma
    reversed_printed = sp.Tuple(*reversed(printed.expr))
    assert equivalent(derived.expr, reversed_printed, where=nonempty, seed=7).equal
    assert not equivalent(derived.expr, printed.expr, where=nonempty, seed=7).equal
    assert check_result(derived).outcome == "EXPECTED-DEVIATION"
    lower, upper = evaluate("lt_negative_interval", degrees(60), SIGMA)
    assert lower < upper


# --- docs/paper.md §8.1 oracles ----------------------------------------------------------------

T_LT_TABLE = {  # θ: T_lt at γ = 0.25, 0.5, 0.75, 1.5, 2.0 (σ = 0.2)
    sp.pi / 8: (0.616887, 0.393553, 0.223553, -0.066447, -0.106447),
    sp.pi / 4: (0.263333, 0.040000, -0.130000, -0.420000, -0.460000),
    sp.pi / 3: (0.013333, -0.210000, -0.380000, -0.670000, -0.710000),
    3 * sp.pi / 8: (-0.090220, -0.313553, -0.483553, -0.773553, -0.813553),
    sp.pi / 2: (-0.236667, -0.460000, -0.630000, -0.920000, -0.960000),
}
GAMMAS = (0.25, 0.5, 0.75, 1.5, 2.0)


@pytest.mark.parametrize(
    ("angle", "ratio", "expected"),
    [
        (angle, ratio, value)
        for angle, row in T_LT_TABLE.items()
        for ratio, value in zip(GAMMAS, row, strict=True)
    ],
)
def test_transferability_table(angle: sp.Expr, ratio: float, expected: float) -> None:
    assert evaluate("lt_transferability", angle, ratio, SIGMA) == pytest.approx(expected, abs=1e-6)


def test_transferability_at_interpolation() -> None:
    assert evaluate("lt_transferability", sp.pi / 4, 1, SIGMA) == math.inf
    assert evaluate("lt_transferability", sp.pi / 4, 1, 0) == pytest.approx(-0.5, abs=1e-15)


def _finite_transferability_oracle(angle: float, samples: int, dim: int, noise: float) -> float:
    """Typed in: E R_sc by the inverse-Wishart means (docs/paper.md §3.5 step 5) minus eq. 10."""
    if samples < dim - 1:
        scratch = (1 - samples / dim) + noise**2 * samples / (dim - samples - 1)
    else:
        scratch = noise**2 * dim / (samples - dim - 1)
    floor = math.sin(angle) ** 2
    return scratch - (floor + (noise**2 + floor) / (samples - 2))


@pytest.mark.parametrize(
    ("angle", "samples", "dim", "noise"),
    [(PI / 8, 10, 40, 0.2), (PI / 3, 30, 40, 0.5), (PI / 2, 60, 40, 0.2), (0.3, 3, 7, 1.0)],
)
def test_finite_transferability_oracle(angle: float, samples: int, dim: int, noise: float) -> None:
    derived = evaluate("lt_transferability_finite", sp.Float(angle, 30), samples, dim, noise)
    oracle = _finite_transferability_oracle(angle, samples, dim, noise)
    assert derived == pytest.approx(oracle, rel=1e-12)


def test_finite_transferability_at_interpolation() -> None:
    """|n − d| <= 1: infinite for σ > 0; at σ = 0 the bias 1 − min(n, d)/d minus eq. 10."""
    assert evaluate("lt_transferability_finite", sp.pi / 4, 40, 40, SIGMA) == math.inf
    assert evaluate("lt_transferability_finite", sp.pi / 4, 41, 40, 0) == pytest.approx(
        -0.5 - 0.5 / 39, rel=1e-12
    )


@pytest.mark.parametrize("angle", [sp.pi / 8, sp.pi / 4, sp.pi / 2])
def test_finite_transferability_tends_to_eq11(angle: sp.Expr) -> None:
    """At n = γd the exact T_lt approaches the §8.1 table of eq. 11 like 1/d."""
    row = T_LT_TABLE[angle]
    for ratio, expected in zip(GAMMAS, row, strict=True):
        gaps = []
        for dim in (4_000, 40_000):
            samples = round(ratio * dim)
            gaps.append(
                evaluate("lt_transferability_finite", angle, samples, dim, SIGMA) - expected
            )
        assert abs(gaps[1]) < 2e-3 and abs(gaps[1]) < abs(gaps[0]) / 5, (ratio, gaps)


@pytest.mark.parametrize(
    ("samples", "angle", "expected"),
    [
        (50, sp.pi / 8, 0.1503),
        (50, sp.pi / 4, 0.5112),
        (50, 3 * sp.pi / 8, 0.8722),
        (250, sp.pi / 8, 0.1472),
        (250, sp.pi / 4, 0.5022),
        (250, 3 * sp.pi / 8, 0.8572),
    ],
)
def test_finite_n_risk_oracles(samples: int, angle: sp.Expr, expected: float) -> None:
    assert evaluate("lt_risk", angle, samples, SIGMA) == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize(
    ("angle", "lower", "upper", "tolerance"),
    [
        (40, 0.66691, 0.87991, 5e-6),
        (45, 0.548616, 0.911384, 5e-7),
        (60, 0.264376, 0.945624, 5e-7),
        (75, 0.069998, 0.956989, 5e-7),
        (90, 0.0, 0.96, 1e-12),
    ],
)
def test_negative_interval_oracles(
    angle: int, lower: float, upper: float, tolerance: float
) -> None:
    derived = evaluate("lt_negative_interval", degrees(angle), SIGMA)
    assert derived == pytest.approx((lower, upper), abs=tolerance)


@pytest.mark.parametrize("angle", [0, 10, 30, 36.8])
def test_negative_interval_empty_below_threshold(angle: float) -> None:
    lower, upper = evaluate("lt_negative_interval", degrees(angle), SIGMA)
    assert math.isnan(lower) and math.isnan(upper)


@pytest.mark.parametrize(
    ("angle", "noise"), [(40, 0.2), (60, 0.2), (75, 0.1), (50, 0.3), (80, 0.0)]
)
def test_negative_interval_is_where_transfer_is_negative(angle: int, noise: float) -> None:
    lower, upper = evaluate("lt_negative_interval", degrees(angle), noise)
    assert 0 <= lower < upper <= 1
    inside = np.linspace(lower, upper, 7)[1:-1]
    outside = [*np.linspace(0, lower, 5)[1:-1], *np.linspace(upper, 1, 5)[1:-1]]
    for ratio in inside:
        assert evaluate("lt_transferability", degrees(angle), float(ratio), noise) < 0
    for ratio in outside:
        if 0 < ratio < 1:
            assert evaluate("lt_transferability", degrees(angle), float(ratio), noise) > 0


def test_threshold_angle() -> None:
    angle = evaluate("lt_negative_threshold_angle", SIGMA)
    assert math.degrees(angle) == pytest.approx(36.870, abs=5e-4)
    assert evaluate("lt_negative_threshold_angle", 0) == 0
    # Just above the threshold the interval opens around the scratch optimum γ* = 1 − σ.
    lower, upper = evaluate("lt_negative_interval", angle + 1e-4, SIGMA)
    assert lower < 1 - SIGMA < upper and upper - lower < 0.05


@pytest.mark.parametrize(("angle", "expected"), [(30, 1.16), (45, 1.08), (60, 1.05333), (90, 1.04)])
def test_overparameterised_threshold(angle: int, expected: float) -> None:
    threshold = evaluate("lt_negative_threshold_overparam", degrees(angle), SIGMA)
    assert threshold == pytest.approx(expected, abs=5e-6)
    assert evaluate("lt_transferability", degrees(angle), threshold - 0.01, SIGMA) > 0
    assert evaluate("lt_transferability", degrees(angle), threshold + 0.01, SIGMA) < 0


def test_anomalous_band() -> None:
    assert evaluate("lt_anomalous_band", SIGMA) == pytest.approx((0.96, 1.04), abs=1e-15)
    for ratio, sign in ((0.95, -1), (0.97, 1), (1.03, 1), (1.05, -1)):
        assert sign * evaluate("lt_transferability", sp.pi / 2, ratio, SIGMA) > 0


@pytest.mark.parametrize("angle", [sp.pi / 8, sp.pi / 4, sp.pi / 3, sp.pi / 2])
def test_noiseless(angle: sp.Expr) -> None:
    for ratio in (0.1, 0.3, 0.6, 0.9, 1, 1.4, 2.0):
        expected = evaluate("lt_transferability", angle, ratio, 0)
        assert evaluate("lt_transferability_noiseless", angle, ratio) == pytest.approx(expected)
    boundary = float(sp.cos(angle) ** 2)
    assert evaluate("lt_transferability_noiseless", angle, boundary) == pytest.approx(0, abs=1e-12)
    lower, upper = evaluate("lt_negative_interval", angle, 0)
    assert (lower, upper) == pytest.approx((boundary, 1.0), abs=1e-12)


# --- Monte Carlo of the linear-transfer regression (independent of the derivation) -------------


def _simulate_lt_risk(
    rng: np.random.Generator, samples: int, dim: int, angle: float, noise: float, draws: int
) -> np.ndarray:
    """Risks ‖bβ_s − β_t‖² of the least-squares fit on the feature z = Xβ_s, one per data set."""
    basis, _ = np.linalg.qr(rng.standard_normal((dim, 2)))
    beta_s, nu = basis[:, 0], basis[:, 1]
    beta_t = math.cos(angle) * beta_s + math.sin(angle) * nu
    inputs = rng.standard_normal((draws, samples, dim))
    labels = inputs @ beta_t + noise * rng.standard_normal((draws, samples))
    feature = inputs @ beta_s
    fitted = np.einsum("ki,ki->k", feature, labels) / np.einsum("ki,ki->k", feature, feature)
    errors = fitted[:, None] * beta_s[None, :] - beta_t[None, :]
    return np.einsum("kj,kj->k", errors, errors)


@pytest.mark.parametrize(("angle", "noise"), [(PI / 4, 0.2), (3 * PI / 8, 0.5)])
def test_lt_risk_monte_carlo(seed: int, angle: float, noise: float) -> None:
    samples, draws = 10, 100_000
    rng = np.random.default_rng(seed)
    risks = _simulate_lt_risk(rng, samples, 4, angle, noise, draws)
    mean, error = risks.mean(), risks.std(ddof=1) / math.sqrt(draws)
    derived = evaluate("lt_risk", sp.Float(angle, 30), samples, sp.Float(noise, 30))
    assert abs(mean - derived) < 5 * error
    # The test has power: a plausible slip (1/(n − 1) instead of 1/(n − 2)) is rejected.
    slip = math.sin(angle) ** 2 + (noise**2 + math.sin(angle) ** 2) / (samples - 1)
    assert abs(mean - slip) > 5 * error
