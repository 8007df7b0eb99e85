"""The Marchenko-Pastur records against mpmath quadrature (precision tier) and sampled spectra."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import marchenko_pastur as mp_law
from derivations.symbols import ratio, x_eig, z


@pytest.fixture(autouse=True)
def _thirty_digits():
    """Quadratures at 30 digits, restored afterwards (mpmath's precision is global state)."""
    with mpmath.workdps(30):
        yield


RATIOS = [0.1, 0.37, 0.8]


def _density(c: float):
    inside = mp_law.density().expr.args[0].expr
    function = sp.lambdify(x_eig, inside.subs(ratio, sp.Rational(str(c))), "mpmath")
    return lambda x: mpmath.re(function(x))


def _edges(c: float) -> tuple[mpmath.mpf, mpmath.mpf]:
    lower, upper = mp_law.support().expr
    exact = sp.Rational(str(c))
    return mpmath.mpf(str(sp.N(lower.subs(ratio, exact), 40))), mpmath.mpf(
        str(sp.N(upper.subs(ratio, exact), 40))
    )


def _exact(expr: sp.Expr, c: float) -> mpmath.mpf:
    return mpmath.mpf(str(sp.N(expr.subs(ratio, sp.Rational(str(c))), 40)))


@pytest.mark.parametrize("c", RATIOS)
def test_support_edges(c):
    assert tuple(map(float, _edges(c))) == pytest.approx(
        ((1 - np.sqrt(c)) ** 2, (1 + np.sqrt(c)) ** 2), rel=1e-14
    )


@pytest.mark.parametrize("c", RATIOS)
def test_density_normalised_and_moments(c):
    rho, (lo, hi) = _density(c), _edges(c)
    integrate = lambda f: mpmath.quad(lambda x: f(x) * rho(x), [lo, hi])  # noqa: E731
    first, second = (_exact(m, c) for m in mp_law.moments().expr)
    assert abs(integrate(lambda x: 1) - 1) < 1e-20
    assert abs(integrate(lambda x: x) - first) < 1e-20
    assert abs(integrate(lambda x: x**2) - second) < 1e-20
    assert first == 1 and float(second) == pytest.approx(1 + c)


@pytest.mark.parametrize("c", RATIOS)
def test_inverse_moment_is_stieltjes_at_zero_and_quadrature(c):
    rho, (lo, hi) = _density(c), _edges(c)
    quadrature = mpmath.quad(lambda x: rho(x) / x, [lo, hi])
    derived = _exact(mp_law.inverse_moment().expr, c)
    assert abs(derived - quadrature) < 1e-20
    assert float(derived) == pytest.approx(1 / (1 - c), rel=1e-14)


@pytest.mark.parametrize("c", RATIOS)
@pytest.mark.parametrize("point", [-1.0, -0.01, 7.0])
def test_stieltjes_transform_matches_its_integral(c, point):
    rho, (lo, hi) = _density(c), _edges(c)
    quadrature = mpmath.quad(lambda x: rho(x) / (x - point), [lo, hi])
    exact = {ratio: sp.Rational(str(c)), z: sp.Rational(str(point))}
    derived = complex(mp_law.stieltjes().expr.subs(exact).evalf(30))
    assert abs(derived - complex(quadrature)) < 1e-15


def test_sampled_spectrum_mean_inverse_eigenvalue(seed):
    rng = np.random.default_rng(seed)
    p, big_n = 400, 1000
    x = rng.standard_normal((p, big_n))
    eigenvalues = np.linalg.eigvalsh(x @ x.T / big_n)
    limit = float(mp_law.inverse_moment().expr.subs(ratio, p / big_n))
    # finite-size mean is N/(N - p - 1) = 1.6694 against the limit 1/(1 - 0.4) = 1.6667
    assert np.mean(1 / eigenvalues) == pytest.approx(limit, rel=0.01)
