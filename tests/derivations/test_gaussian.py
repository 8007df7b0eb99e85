"""Gaussian and Wishart moments: the derived records against quadrature and Monte Carlo."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import gaussian
from derivations.symbols import d, k_dof, n


@pytest.fixture(autouse=True)
def _thirty_digits():
    """Quadratures at 30 digits, restored afterwards (mpmath's precision is global state)."""
    with mpmath.workdps(30):
        yield


@pytest.mark.parametrize("k", [2.5, 3, 7, 40.5])
def test_inverse_chi2_mean_matches_quadrature(k):
    def density(q):
        return q ** (k / 2 - 1) * mpmath.e ** (-q / 2) / (2 ** (k / 2) * mpmath.gamma(k / 2))

    # q = s⁴ removes the integrable singularity q^(k/2 - 2) at 0 for 2 < k < 4
    quadrature = mpmath.quad(lambda s: density(s**4) / s**4 * 4 * s**3, [0, 1, mpmath.inf])
    derived = gaussian.inverse_chi2_mean().expr.subs(k_dof, sp.nsimplify(k))
    assert abs(float(derived) - float(quadrature)) < 1e-12 * float(quadrature)


def test_inverse_chi2_mean_is_derived_not_given():
    record = gaussian.inverse_chi2_mean()
    integral_step = record.steps[1].expr.rhs
    assert isinstance(integral_step, sp.Integral)
    assert sp.simplify(record.expr - 1 / (k_dof - 2)) == 0


@pytest.mark.parametrize(("rows", "cols"), [(5, 12), (12, 5), (30, 60)])
def test_inverse_wishart_trace_monte_carlo(rows, cols, seed):
    rng = np.random.default_rng(seed)
    draws = 4000
    x = rng.standard_normal((draws, rows, cols))
    gram = x @ x.transpose(0, 2, 1) if rows < cols else x.transpose(0, 2, 1) @ x
    traces = np.trace(np.linalg.inv(gram), axis1=1, axis2=2)
    expected = float(gaussian.inverse_wishart_trace().expr.subs({n: rows, d: cols}))
    standard_error = traces.std(ddof=1) / np.sqrt(draws)
    assert abs(traces.mean() - expected) < 5 * standard_error


def test_inverse_wishart_trace_is_infinite_near_square():
    expr = gaussian.inverse_wishart_trace().expr
    for rows, cols in [(10, 10), (9, 10), (11, 10)]:
        assert expr.subs({n: rows, d: cols}) == sp.oo
