"""Gradient descent on a frozen-feature output layer, per singular mode, against the step-by-step
recurrence in high precision (mpmath): stable, oscillating and vanishingly small modes."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import output_layer_descent as descent
from derivations.explain import Verdict, checked
from fate_numeric import theory


def _recurrence(z0: float, r: float, s: float, eta: float, n: float, t: int) -> tuple:
    """z_t and (s z_t − r)²/n by t explicit steps z ← z − η·2s(sz − r)/n, at 60 digits."""
    with mpmath.workdps(60):
        z, s_, r_ = mpmath.mpf(z0), mpmath.mpf(s), mpmath.mpf(r)
        for _ in range(t):
            z -= mpmath.mpf(eta) * 2 * s_ * (s_ * z - r_) / mpmath.mpf(n)
        return float(z), float((s_ * z - r_) ** 2 / mpmath.mpf(n))


MODES = {  # name: (z0, r, s, eta, n, t); a = 2ηs²/n
    "stable": (1e-7, 0.8, 1.3, 0.4, 10.0, 37),  # a ≈ 0.135
    "oscillating": (0.2, -0.5, 2.0, 1.6, 10.0, 25),  # a = 1.28: 1 − a < 0
    "tiny": (1e-7, 0.3, 1e-9, 0.5, 7.0, 1000),  # a ≈ 1.4e-19: 1 − a rounds to 1 in float64
    "many_steps": (0.0, 1.0, 0.05, 1.0, 3.0, 40_000),  # a ≈ 1.7e-3, t a ≈ 67: converged
}


@pytest.mark.parametrize("mode", MODES)
def test_mode_evaluators_equal_the_recurrence(mode):
    z0, r, s, eta, n, t = MODES[mode]
    z, loss = _recurrence(*MODES[mode])
    assert theory.output_descent_mode(z0, r, s, eta, n, t) == pytest.approx(z, rel=1e-12)
    assert theory.output_descent_mode_loss(z0, r, s, eta, n, t) == pytest.approx(loss, rel=1e-11)


def test_tiny_mode_moves_by_its_gradient_and_not_by_rounding():
    z0, r, s, eta, n, t = MODES["tiny"]
    moved = theory.output_descent_mode(z0, r, s, eta, n, t) - z0
    naive = r / s + (1 - 2 * eta * s**2 / n) ** t * (z0 - r / s) - z0  # the power form
    exact = t * eta * 2 * s * (r - s * z0) / n  # t a ≈ 1e-16: the first-order move
    assert moved == pytest.approx(exact, rel=1e-9)
    assert abs(naive - exact) > 0.1 * exact  # 1 − a rounds to 1: the power form is rounding noise


def test_diverging_step_overflows_to_infinity_without_a_warning():
    value = theory.output_descent_mode(0.0, 1.0, 10.0, 1.0, 1.0, 2000)  # a = 200
    assert np.isinf(value)


def test_descent_ends_at_the_pseudo_inverse_coordinate():
    z0, r, s, eta, n, _ = MODES["stable"]
    assert theory.output_descent_mode(z0, r, s, eta, n, 10_000) == pytest.approx(r / s, rel=1e-14)
    assert descent.output_descent_limit().expr == descent.MODE_DATA / descent.MODE_SINGULAR


def test_branches_agree_where_both_are_defined():
    stable, power = (piece.expr for piece in descent.output_descent_mode().expr.args)
    point = {
        descent.MODE_START: sp.Rational(1, 10),
        descent.MODE_DATA: sp.Rational(-2, 3),
        descent.MODE_SINGULAR: sp.Rational(3, 2),
        descent.LEARNING_RATE: sp.Rational(1, 5),
        descent.SAMPLES: 4,
        descent.STEPS: 17,
    }
    assert abs(sp.N(stable.subs(point), 40) - sp.N(power.subs(point), 40)) < 1e-35


def test_the_solution_and_its_rewritings_are_machine_checked():
    mode, loss, limit = ([c.verdict for c in checked(r.name)] for r in descent.results())
    assert mode[3:] == [Verdict.CONFIRMED] * 4  # rsolve, contraction, expm1 form, branches
    assert loss == [Verdict.CONFIRMED] * 4
    assert limit[1] is Verdict.CONFIRMED
