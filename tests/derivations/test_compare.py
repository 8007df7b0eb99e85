"""The equivalence test of derived and printed formulas must detect differences."""

from __future__ import annotations

import sympy as sp

from derivations.compare import equivalent
from derivations.paper import PRINTED
from derivations.symbols import gamma, n, sigma, theta


def test_equal_forms_are_recognised(seed):
    left = ((1 - gamma) ** 2 + gamma * sigma**2) / (1 - gamma)
    right = (1 - gamma) + gamma * sigma**2 / (1 - gamma)
    assert equivalent(left, right, seed=seed).equal


def test_identity_simplify_misses_is_caught_by_the_probe(seed):
    # sin² + cos² = 1 nested in a form simplify handles; the probe must agree either way
    left = sp.sin(theta) ** 2 + sp.cos(theta) ** 2 + gamma
    assert equivalent(left, 1 + gamma, seed=seed).equal


def test_scaled_formula_is_rejected(seed):
    printed = PRINTED["eq10_lt_risk"].expr
    check = equivalent(sp.Rational(11, 10) * printed, printed, where=n > 2, seed=seed)
    assert not check.equal
    assert check.max_relative_error > 1e-3


def test_tiny_perturbation_is_rejected(seed):
    printed = PRINTED["eq13_ridge_lt_risk"].expr
    assert not equivalent(printed + sp.Rational(1, 10**20) * sigma, printed, seed=seed).equal


def test_piecewise_branch_difference_is_rejected(seed):
    printed = PRINTED["eq8_scratch_risk"].expr
    wrong = sp.Piecewise((printed.args[0].expr, gamma < 1), (2 * printed.args[1].expr, gamma > 1))
    assert not equivalent(wrong, printed, seed=seed).equal


def test_tuple_order_matters(seed):
    assert not equivalent(sp.Tuple(gamma, 2 * gamma), sp.Tuple(2 * gamma, gamma), seed=seed).equal
    assert equivalent(sp.Tuple(gamma, 2 * gamma), sp.Tuple(gamma, gamma + gamma), seed=seed).equal


def test_side_condition_restricts_the_probe(seed):
    # agree only for n > 2 (the formula with |n-2| differs for n < 2, but n is drawn >= 3)
    assert equivalent(sp.Abs(n - 2), n - 2, where=n > 2, seed=seed).equal
