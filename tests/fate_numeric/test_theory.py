"""The lambdified evaluators: faithful to their expressions and to the oracles; safe; fast.

The oracles are those of docs/paper.md §8.1.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pytest
import sympy as sp

from derivations.errors import InvalidArgumentError
from fate_numeric import theory
from fate_numeric.theory import EVALUATORS

PI = math.pi


def _draw(parameter, rng: np.random.Generator, size: int) -> np.ndarray:
    domain = parameter.domain
    low = domain.lower if math.isfinite(domain.lower) else -3.0
    high = min(domain.upper, low + 3.0) if math.isfinite(domain.upper) else low + 3.0
    if domain.integer:
        return rng.integers(int(low) + 1, 400, size=size).astype(float)
    values = rng.uniform(low, high, size=size)
    return values[values > low] if not domain.lower_closed else values


def _exact(value: float, in_exponent: bool) -> sp.Number:
    """The drawn value for SymPy: a rational, or a 40-digit Float where it enters an exponent
    (an exact rational power with a 16-digit denominator sends SymPy looking for roots of that
    degree; the power law A n^(−ν) of the ReLU records)."""
    return sp.Float(value, 40) if in_exponent else sp.nsimplify(value, rational=True)


def _in_exponents(expr: sp.Basic) -> set[sp.Symbol]:
    """The symbols that occur in an exponent of ``expr`` (of a power or of exp)."""
    found: set[sp.Symbol] = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and not node.exp.is_number:
            found |= node.exp.free_symbols
        elif isinstance(node, sp.exp):
            found |= node.args[0].free_symbols
    return found


def _sympy_value(expr: sp.Basic, evaluator, point: list[float]) -> list[float]:
    exponents = _in_exponents(expr)
    subs = {
        p.symbol: _exact(v, p.symbol in exponents and not p.domain.integer)
        for p, v in zip(evaluator.parameters, point, strict=True)
    }
    components = list(expr) if isinstance(expr, sp.Tuple) else [expr]
    return [
        complex(sp.N(c.subs(subs), 30)).real if c.subs(subs).is_finite else float(c.subs(subs))
        for c in components
    ]


@pytest.mark.parametrize("name", sorted(EVALUATORS))
def test_evaluator_matches_its_expression(name, seed):
    evaluator = EVALUATORS[name]
    rng = np.random.default_rng(seed)
    size = 12
    columns = [_draw(p, rng, size)[:size] for p in evaluator.parameters]
    size = min(len(c) for c in columns)
    columns = [c[:size] for c in columns]
    fast = evaluator(*columns)
    fast_components = fast if isinstance(fast, tuple) else (fast,)
    for i in range(size):
        point = [float(c[i]) for c in columns]
        exact = _sympy_value(evaluator.expr, evaluator, point)
        for component, value in zip(fast_components, exact, strict=True):
            if math.isnan(value):
                assert math.isnan(component[i]), (name, point)
            elif math.isinf(value):
                assert component[i] == value, (name, point)
            else:
                assert component[i] == pytest.approx(value, rel=1e-10, abs=1e-12), (name, point)


# ---- docs/paper.md §8.1 oracles (typed by hand; independent of the derivations) ---------------
LT_TABLE = {  # θ -> {γ: T_lt} at σ = 0.2
    PI / 8: {0.25: 0.616887, 0.5: 0.393553, 0.75: 0.223553, 1.5: -0.066447, 2.0: -0.106447},
    PI / 4: {0.25: 0.263333, 0.5: 0.040000, 0.75: -0.130000, 1.5: -0.420000, 2.0: -0.460000},
    PI / 3: {0.25: 0.013333, 0.5: -0.210000, 0.75: -0.380000, 1.5: -0.670000, 2.0: -0.710000},
    3 * PI / 8: {0.25: -0.090220, 0.5: -0.313553, 0.75: -0.483553, 1.5: -0.773553, 2.0: -0.813553},
    PI / 2: {0.25: -0.236667, 0.5: -0.460000, 0.75: -0.630000, 1.5: -0.920000, 2.0: -0.960000},
}


@pytest.mark.parametrize("theta", LT_TABLE)
def test_lt_transferability_table(theta):
    gammas = np.array(list(LT_TABLE[theta]))
    expected = np.array(list(LT_TABLE[theta].values()))
    assert theory.lt_transferability(theta, gammas, 0.2) == pytest.approx(expected, abs=2e-6)


def test_lt_risk_finite_n():
    thetas = np.array([PI / 8, PI / 4, 3 * PI / 8])
    assert theory.lt_risk(thetas, 50, 0.2) == pytest.approx([0.1503, 0.5112, 0.8722], abs=1e-4)
    assert theory.lt_risk(thetas, 250, 0.2) == pytest.approx([0.1472, 0.5022, 0.8572], abs=1e-4)
    assert theory.lt_risk_limit(PI / 4) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("degrees", "interval"),
    [
        (40, (0.66691, 0.87991)),
        (45, (0.548616, 0.911384)),
        (60, (0.264376, 0.945624)),
        (75, (0.069998, 0.956989)),
        (90, (0.0, 0.96)),
    ],
)
def test_negative_interval(degrees, interval):
    lower, upper = theory.lt_negative_interval(math.radians(degrees), 0.2)
    assert (lower, upper) == pytest.approx(interval, abs=2e-5)


def test_negative_interval_empty_below_threshold():
    threshold = math.acos(0.8)  # 36.87°
    lower, upper = theory.lt_negative_interval(np.array([0.3, threshold - 1e-6, PI / 2]), 0.2)
    assert np.isnan(lower[:2]).all() and np.isnan(upper[:2]).all()
    assert upper[2] == pytest.approx(0.96)


def test_ridge_values():
    lams = np.array([0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert theory.ridge_lt_risk(PI / 8, lams) == pytest.approx(
        [0.146447, 0.153501, 0.170156, 0.191902, 0.216124, 0.241286], abs=2e-6
    )
    assert theory.ridge_lt_risk(PI / 4, lams) == pytest.approx(
        [0.5, 0.504132, 0.513889, 0.526627, 0.540816, 0.555556], abs=2e-6
    )


def test_fine_tuning_values():
    thetas = np.array([PI / 8, PI / 4, 3 * PI / 8, PI / 2])
    assert theory.ft_transferability(thetas, 1e-12) == pytest.approx(
        [0.847759, 0.414214, -0.234633, -1.0], abs=2e-6
    )
    assert theory.ft_transferability(thetas, 0.5) == pytest.approx(
        [0.423880, 0.207107, -0.117317, -0.5], abs=2e-6
    )
    assert theory.ft_transferability(PI / 3, np.linspace(0.05, 2, 9)) == pytest.approx(0, abs=1e-12)
    assert theory.ft_transferability(0.3, np.array([1.0, 1.5])) == pytest.approx([0, 0])
    # balanced correction (docs/paper.md §3.8): c ≈ 1.013 at γ = 0.5, σ = 0.2; T_ft(π/3) ≈ -0.007
    assert theory.ft_balance_scale(0.5, 0.2) == pytest.approx(1.013, abs=1e-3)
    assert theory.ft_transferability_balanced(PI / 3, 0.5, 0.2) == pytest.approx(-0.007, abs=1e-3)
    assert theory.ft_transferability_balanced(thetas, 0.5, 0.0) == pytest.approx(
        theory.ft_transferability(thetas, 0.5), abs=1e-14
    )


def test_finite_source_values():
    thetas = np.array([PI / 8, PI / 4, PI / 3, 3 * PI / 8, PI / 2])
    assert theory.ft_transferability_finite_source(thetas, 0.25, 0.5, 0.2) == pytest.approx(
        [0.287910, 0.125330, -0.03, -0.117987, -0.405], abs=2e-6
    )
    assert theory.ft_transferability_finite_source(thetas, 0.25, 1.5, 0.2) == pytest.approx(
        [0.575819, 0.250660, -0.06, -0.235975, -0.81], abs=2e-6
    )


def test_scratch_values_and_singular_point():
    assert theory.scratch_risk(np.array([0.1, 0.5, 0.8, 1.5, 2.0]), 0.2) == pytest.approx(
        [0.90444, 0.54, 0.36, 0.08, 0.04], abs=1e-5
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert theory.scratch_risk(1.0, 0.2) == math.inf
        assert theory.scratch_risk(1.0, 0.0) == 0.0
        assert theory.lt_transferability(0.4, 1.0, 0.2) == math.inf
        assert theory.scratch_risk_finite(np.array([499, 500, 501]), 500, 0.2) == pytest.approx(
            [math.inf] * 3
        )
        assert theory.scratch_risk_finite(500, 500, 0.0) == 0.0
    assert theory.scratch_risk_finite(250, 500, 0.2) == pytest.approx(0.5402, abs=1e-4)
    assert theory.scratch_optimum(0.2) == pytest.approx((0.8, 0.36))


def test_pretrain_coefficient():
    assert theory.pretrain_coefficient(0.0, 1e-5) == pytest.approx(1e-5)
    assert theory.pretrain_coefficient(50.0, 1e-5) == pytest.approx(1.0)
    # independent oracle: the logistic a' = 4a(1-a) integrated by small Euler steps
    a, dt = 0.01, 1e-5
    for _ in range(int(1.0 / dt)):
        a += dt * 4 * a * (1 - a)
    assert theory.pretrain_coefficient(1.0, 0.01) == pytest.approx(a, rel=1e-4)


# ---- interface ---------------------------------------------------------------------------------
def test_scalars_give_floats_and_arrays_broadcast():
    assert isinstance(theory.scratch_risk(0.5, 0.2), float)
    grid = theory.lt_transferability(
        np.linspace(0, PI / 2, 7)[:, None], np.linspace(0.1, 2, 5), 0.2
    )
    assert grid.shape == (7, 5)
    assert isinstance(theory.scratch_risk.expr, sp.Piecewise)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: theory.scratch_risk(0.0, 0.2), "gamma"),
        (lambda: theory.scratch_risk(-1.0, 0.2), "gamma"),
        (lambda: theory.scratch_risk(0.5, -0.1), "sigma"),
        (lambda: theory.scratch_risk(np.array([0.5, np.nan]), 0.2), "gamma"),
        (lambda: theory.scratch_risk(math.inf, 0.2), "gamma"),
        (lambda: theory.lt_risk(0.3, 2, 0.2), "n"),
        (lambda: theory.lt_risk(0.3, 10.5, 0.2), "n"),
        (lambda: theory.lt_risk(-0.1, 10, 0.2), "theta"),
        (lambda: theory.lt_negative_interval(2.0, 0.2), "theta"),
        (lambda: theory.ridge_lt_risk(0.3, -1), "lam"),
        (lambda: theory.scratch_risk_finite(0, 10, 0.1), "n"),
        (lambda: theory.ft_transferability_finite_source(0.3, 0.5, 0.0, 0.2), "gamma_s"),
        (lambda: theory.pretrain_coefficient(-1.0, 0.1), "t"),
        (lambda: theory.scratch_risk("abc", 0.2), "gamma"),
        (lambda: theory.scratch_risk(0.5), "sigma"),
        (lambda: theory.scratch_risk(0.5, 0.2, noise=1), "noise"),
    ],
)
def test_bad_input_is_named(call, argument):
    with pytest.raises(InvalidArgumentError, match=argument):
        call()


def test_error_message_states_the_allowed_range():
    with pytest.raises(InvalidArgumentError, match=r"gamma must be a real number > 0; got -1\.0"):
        theory.scratch_risk(-1.0, 0.2)
    with pytest.raises(InvalidArgumentError, match=r"n must be an integer > 2"):
        theory.lt_risk(0.3, 2, 0.2)


@pytest.mark.parametrize(
    "name", ["scratch_risk", "lt_transferability", "ft_transferability_balanced"]
)
def test_a_million_points_in_a_tenth_of_a_second(name):
    evaluator = EVALUATORS[name]
    names = [p.name for p in evaluator.parameters]
    gamma_points = 1000 if "theta" in names else 10**6  # 10^6 points either way
    grids = {
        "theta": np.linspace(0, PI / 2, 1000)[:, None],
        "gamma": np.linspace(0.002, 2, gamma_points),
        "sigma": 0.2,
    }
    args = [grids[name] for name in names]
    evaluator(*args)  # compile
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        evaluator(*args)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.1, f"{name}: best of 5 took {min(timings):.3f} s for 10^6 points"
