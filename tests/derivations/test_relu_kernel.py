"""The arc-cosine kernel against independent quadrature and Monte Carlo; the projection formula
against brute-force least squares."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import relu_kernel
from derivations.consistency import check_result
from derivations.symbols import u_cos


def _quadrature(u: float) -> mpmath.mpf:
    """E[relu(x₁) relu(u x₁ + √(1 − u²) x₂)] for independent standard x₁, x₂: the x₂ integral in
    closed form (E[(a + s X); X > L] = a P(X > L) + s φ(L)), the x₁ integral by mpmath."""
    mpmath.mp.dps = 30
    u = mpmath.mpf(u)
    s = mpmath.sqrt(1 - u**2)
    phi = lambda t: mpmath.exp(-(t**2) / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731

    def inner(x1):
        lower = -u * x1 / s
        return u * x1 * (1 - mpmath.ncdf(lower)) + s * phi(lower)

    return mpmath.quad(lambda x1: x1 * phi(x1) * inner(x1), [0, mpmath.inf])


@pytest.mark.parametrize("u", [-0.9, -0.3, 0.0, 0.4, 0.85])
def test_kernel_equals_quadrature(u):
    derived = relu_kernel.relu_kernel().expr
    value = sp.N(derived.subs(u_cos, sp.Rational(u)), 30)
    assert abs(float(value - sp.Float(str(_quadrature(u)), 30))) < 1e-20


def test_kernel_end_points():
    kernel = relu_kernel.relu_kernel().expr
    assert sp.simplify(kernel.subs(u_cos, 1)) == sp.Rational(1, 2)  # E relu(g)²
    assert sp.simplify(kernel.subs(u_cos, 0)) == 1 / (2 * sp.pi)  # (E relu(g))²
    assert sp.simplify(kernel.subs(u_cos, -1)) == 0


def test_kernel_against_monte_carlo(seed):
    rng = np.random.default_rng(seed)
    f = sp.lambdify(u_cos, relu_kernel.relu_kernel().expr, "numpy")
    d, samples = 6, 400_000
    w, v = rng.standard_normal((2, d))
    w, v = w / np.linalg.norm(w), v / np.linalg.norm(v)
    x = rng.standard_normal((samples, d))
    values = np.maximum(x @ w, 0) * np.maximum(x @ v, 0)
    se = values.std(ddof=1) / np.sqrt(samples)
    assert abs(values.mean() - f(w @ v)) < 5 * se


def test_kernel_matches_the_printed_formula():
    assert check_result(relu_kernel.relu_kernel()).outcome == "PASS"


def test_slope_is_the_derivative_and_a_probability(seed):
    rng = np.random.default_rng(seed)
    kernel = sp.lambdify(u_cos, relu_kernel.relu_kernel().expr, "mpmath")
    slope = sp.lambdify(u_cos, relu_kernel.relu_kernel_slope().expr, "mpmath")
    for u in rng.uniform(-0.95, 0.95, 4):
        assert abs(mpmath.diff(kernel, u) - slope(u)) < 1e-12
        # κ'(u) = P(wᵀx > 0, vᵀx > 0): the orthant probability 1/4 + arcsin(u)/(2π) (Sheppard)
        assert abs(slope(u) - (0.25 + mpmath.asin(u) / (2 * mpmath.pi))) < 1e-14


def test_radial_coefficient_is_the_radial_part_of_a_finite_difference_gradient(seed):
    """Oracle: central differences of k(w, v) = ‖w‖‖v‖κ(ŵᵀv̂) in w (d = 5), projected on ŵ,
    against ‖v‖(ρ(u) + uκ'(u)), and ρ(u) = √(1 − u²)/(2π) (Cho & Saul's J₁ less its arccos)."""
    rng = np.random.default_rng(seed)
    kernel = sp.lambdify(u_cos, relu_kernel.relu_kernel().expr, "mpmath")
    slope = sp.lambdify(u_cos, relu_kernel.relu_kernel_slope().expr, "mpmath")
    radial = sp.lambdify(u_cos, relu_kernel.relu_kernel_radial().expr, "mpmath")
    mpmath.mp.dps = 30
    try:
        w, v = (mpmath.matrix(list(rng.standard_normal(5))) for _ in range(2))

        def pair(x):
            norm_x, norm_v = mpmath.norm(x), mpmath.norm(v)
            return norm_x * norm_v * kernel((x.T * v)[0] / (norm_x * norm_v))

        step = mpmath.mpf("1e-10")
        axes = [mpmath.matrix([1 if j == i else 0 for j in range(5)]) for i in range(5)]
        gradient = mpmath.matrix(
            [(pair(w + step * e) - pair(w - step * e)) / (2 * step) for e in axes]
        )
        w_hat, v_hat = w / mpmath.norm(w), v / mpmath.norm(v)
        u = (w_hat.T * v_hat)[0]
        along_w = (gradient.T * w_hat)[0] / mpmath.norm(v)
        assert abs(along_w - (radial(u) + u * slope(u))) < 1e-15
        along_v = (gradient.T * v_hat)[0] / mpmath.norm(v)
        assert abs(along_v - (radial(u) * u + slope(u))) < 1e-15
        assert abs(radial(u) - mpmath.sqrt(1 - u**2) / (2 * mpmath.pi)) < 1e-25
    finally:
        mpmath.mp.dps = 15


def test_out_of_span_norm_equals_brute_force_least_squares(seed):
    """Functions as vectors of a finite probability space: ‖f − best fit‖² from lstsq."""
    rng = np.random.default_rng(seed)
    points = 50
    features = rng.standard_normal((points, 2))
    f = rng.standard_normal(points)
    inner = lambda a, b: a @ b / points  # noqa: E731
    coefficients, *_ = np.linalg.lstsq(features, f, rcond=None)
    brute = inner(f - features @ coefficients, f - features @ coefficients)
    record = relu_kernel.relu_out_of_span_norm()
    values = {
        relu_kernel.NORM_SYMBOL: inner(f, f),
        relu_kernel.GRAM_SYMBOLS[0]: inner(features[:, 0], features[:, 0]),
        relu_kernel.GRAM_SYMBOLS[1]: inner(features[:, 0], features[:, 1]),
        relu_kernel.GRAM_SYMBOLS[2]: inner(features[:, 1], features[:, 1]),
        relu_kernel.OVERLAP_SYMBOLS[0]: inner(features[:, 0], f),
        relu_kernel.OVERLAP_SYMBOLS[1]: inner(features[:, 1], f),
    }
    assert float(record.expr.subs(values)) == pytest.approx(brute, rel=1e-10)
