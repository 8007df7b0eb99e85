"""Gradient descent on the output layer of a ReLU student with frozen features, solved per mode.

Linear transfer of the ReLU students (Sec. 4, App. E) refits the output layer on n target samples
with the first layer frozen. The paper trains every network by full-batch gradient descent
(learning rate 0.01·m, up to 10⁵ steps or until the loss reaches 10⁻⁶); whether its linear
transfer used that descent or a closed-form least-squares fit is not known
(docs/paper.md §5.5, §9.3). With frozen features the loss is quadratic in the output weights c, so
the descent has a closed form:

* ``output_descent_mode``: with A = Φ/m (Φ_ji = relu(w_iᵀx_j)), the loss (1/n)‖Ac − y‖² and its
  singular value decomposition A = U S Vᵀ, the coordinate z = v_kᵀc of one mode with singular
  value s and data projection r = u_kᵀy moves by z ← z − η ∂/∂z (sz − r)²/n. SymPy solves this
  recurrence (``rsolve``): z_t = r/s + (1 − 2ηs²/n)^t (z_0 − r/s), rewritten with expm1 and log1p
  where 2ηs²/n < 1, so that modes with 2ηs²/n far below machine precision are evaluated without
  cancellation (the numerics keep every mode, however small, as the descent does); where
  2ηs²/n >= 1 (a mode that oscillates) the power form is kept.
* ``output_descent_mode_loss``: that mode's share of the training loss after t steps,
  (s z_t − r)²/n = (1 − 2ηs²/n)^{2t} (s z_0 − r)²/n; the rest of the loss, ‖(I − UUᵀ)y‖²/n, does
  not move. The descent stops at the first check where the sum is below the tolerance, as the
  step-by-step descent does.
* ``output_descent_limit``: for 0 < 2ηs²/n < 2 (a stable step) z_t → r/s, so from z_0 = 0 on the
  row space the descent converges to the minimum-norm least-squares fit c = A⁺y: the closed-form
  refit is the t → ∞ end point of this descent, and the two differ only through the finite
  number of steps (an implicit regularisation of the modes with small s).

Coordinates of c outside the row space of A have zero gradient and keep their initial values.
"""

from __future__ import annotations

import functools

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p

from derivations.record import (
    DerivedResult,
    Regime,
    Step,
    derivative,
    equal,
    identity,
    substitution,
    unchecked,
)

#: Symbols of one mode: initial coordinate, data projection, singular value, learning rate, n, t.
MODE_START = sp.Symbol("z_0", real=True)
MODE_DATA = sp.Symbol("r", real=True)
MODE_SINGULAR = sp.Symbol("s", positive=True)
LEARNING_RATE = sp.Symbol("eta", positive=True)
SAMPLES = sp.Symbol("n", positive=True)
STEPS = sp.Symbol("t", integer=True, nonnegative=True)
MODE_VARIABLES = (MODE_START, MODE_DATA, MODE_SINGULAR, LEARNING_RATE, SAMPLES, STEPS)

_FROZEN = "first-layer weights frozen: the loss (1/n)‖Ac − y‖² is quadratic in c, A = Φ/m"
_z = sp.Function("z")
_coordinate = sp.Symbol("z", real=True)


_BRANCHES = (
    "the stable form where it is defined (1 − a > 0); for a = 2ηs²/n >= 1 the mode oscillates "
    "(1 − a <= 0, log1p undefined) and the power, far from 1, has no cancellation"
)


def _small_step() -> sp.Basic:
    """The condition 2ηs²/n < 1 under which the contraction 1 − 2ηs²/n is positive."""
    return 2 * LEARNING_RATE * MODE_SINGULAR**2 / SAMPLES < 1


def _contraction() -> sp.Expr:
    """The factor 1 − 2ηs²/n by which a mode's error shrinks each step."""
    return 1 - 2 * LEARNING_RATE * MODE_SINGULAR**2 / SAMPLES


@functools.cache
def output_descent_mode() -> DerivedResult:
    """z_t of one singular mode after t steps of gradient descent (``rsolve`` of the update)."""
    s, r, z0, eta, n, t = MODE_SINGULAR, MODE_DATA, MODE_START, LEARNING_RATE, SAMPLES, STEPS
    mode_loss = (s * _coordinate - r) ** 2 / n
    gradient = sp.diff(mode_loss, _coordinate)
    update = _z(t + 1) - (_z(t) - eta * gradient.subs(_coordinate, _z(t)))
    solved = sp.rsolve(update, _z(t), {_z(0): z0})
    closed = r / s + _contraction() ** t * (z0 - r / s)
    stable = z0 + (r / s - z0) * (-expm1(t * log1p(-2 * eta * s**2 / n)))
    by_branch = sp.Piecewise((stable, _small_step()), (closed, True))
    recurrence_residual = update.subs(_z(t + 1), closed.subs(t, t + 1)).subs(_z(t), closed)
    return DerivedResult(
        name="output_descent_mode",
        title="Gradient descent on the output layer, one singular mode",
        reference="Sec. 4 (ReLU linear transfer, our reading; docs/paper.md §5.5)",
        regime=Regime.EXACT,
        assumptions=(_FROZEN, "A = U S Vᵀ; z = v_kᵀc, r = u_kᵀy, s = s_k > 0; step η"),
        expr=by_branch,
        steps=(
            Step(
                sp.Eq(sp.Symbol("ℓ_k"), mode_loss),
                "in the singular basis the loss separates: (1/n)Σ_k (s_k z_k − r_k)² plus "
                "‖(I − UUᵀ)y‖²/n, which no c changes",
                unchecked("orthogonal invariance of the Euclidean norm (U, V orthonormal)"),
            ),
            Step(
                sp.Eq(sp.Symbol("∂ℓ_k/∂z"), gradient),
                "the gradient of the mode's loss",
                derivative(_coordinate, source=mode_loss),
            ),
            Step(
                sp.Eq(_z(t + 1), _z(t) - eta * gradient.subs(_coordinate, _z(t))),
                "one step of gradient descent with learning rate η",
                unchecked("the definition of gradient descent"),
            ),
            Step(
                sp.Eq(_z(t), solved),
                "the linear recurrence solved by SymPy (rsolve) with z(0) = z_0",
                identity(sp.Tuple(recurrence_residual, closed.subs(t, 0) - z0, solved - closed)),
            ),
            Step(
                sp.Eq(_z(t), closed),
                "the error z_t − r/s contracts by 1 − 2ηs²/n each step",
                identity(solved - closed),
            ),
            Step(
                sp.Eq(_z(t), stable),
                "1 − (1 − a)^t = −expm1(t log1p(−a)): no cancellation for tiny a = 2ηs²/n",
                identity((closed - stable).rewrite(sp.exp).rewrite(sp.log)),
            ),
            Step(
                sp.Eq(_z(t), by_branch),
                _BRANCHES,
                equal(source=closed),
            ),
        ),
        variables=MODE_VARIABLES,
    )


@functools.cache
def output_descent_mode_loss() -> DerivedResult:
    """(s z_t − r)²/n: the mode's share of the training loss after t steps."""
    s, r, z0, eta, n, t = MODE_SINGULAR, MODE_DATA, MODE_START, LEARNING_RATE, SAMPLES, STEPS
    closed = r / s + _contraction() ** t * (z0 - r / s)
    share = (s * closed - r) ** 2 / n
    factored = _contraction() ** (2 * t) * (s * z0 - r) ** 2 / n
    stable = sp.exp(2 * t * log1p(-2 * eta * s**2 / n)) * (s * z0 - r) ** 2 / n
    by_branch = sp.Piecewise((stable, _small_step()), (factored, True))
    return DerivedResult(
        name="output_descent_mode_loss",
        title="Training loss of one mode after t steps on the output layer",
        reference="Sec. 4 (early stopping of the refit at the paper's loss 10⁻⁶; our reading)",
        regime=Regime.EXACT,
        assumptions=(_FROZEN, "z_t from output_descent_mode"),
        expr=by_branch,
        steps=(
            Step(
                share,
                "the mode's loss (s z − r)²/n at z = z_t of output_descent_mode",
                substitution({_coordinate: closed}, source=(s * _coordinate - r) ** 2 / n),
            ),
            Step(
                sp.Eq(sp.Symbol("ℓ_k(t)"), factored),
                "s z_t − r = (1 − 2ηs²/n)^t (s z_0 − r)",
                identity(share - factored),
            ),
            Step(
                sp.Eq(sp.Symbol("ℓ_k(t)"), stable),
                "(1 − a)^{2t} = exp(2t log1p(−a))",
                identity((factored - stable).rewrite(sp.log)),
            ),
            Step(sp.Eq(sp.Symbol("ℓ_k(t)"), by_branch), _BRANCHES, equal(source=factored)),
        ),
        variables=MODE_VARIABLES,
    )


@functools.cache
def output_descent_limit() -> DerivedResult:
    """z_t → r/s for a stable step: the descent ends at the least-squares (pseudo-inverse) fit."""
    s, r, z0, t = MODE_SINGULAR, MODE_DATA, MODE_START, STEPS
    q = sp.Symbol("q", real=True)  # the contraction 1 − 2ηs²/n, with 0 < |q| < 1
    p = sp.Symbol("p", positive=True)  # |q| = 1/(1 + p): every 0 < |q| < 1 is some p > 0
    along = r / s + q**t * (z0 - r / s)
    distance = sp.Abs(q) ** t * sp.Abs(z0 - r / s)
    # unevaluated: the check re-executes SymPy's limit when the derivation is explained
    bound = sp.Limit(distance.subs(sp.Abs(q), 1 / (1 + p)), t, sp.oo)
    return DerivedResult(
        name="output_descent_limit",
        title="The refit by gradient descent converges to the pseudo-inverse fit",
        reference="Sec. 4 (closed-form refit as the t → ∞ end point; our reading)",
        regime=Regime.EXACT,
        assumptions=(_FROZEN, "0 < 2ηs²/n < 2, so |1 − 2ηs²/n| < 1"),
        expr=r / s,
        steps=(
            Step(
                sp.Eq(_z(t), along),
                "output_descent_mode with q = 1 − 2ηs²/n",
                unchecked("renaming the contraction of output_descent_mode"),
            ),
            Step(
                sp.Eq(sp.Symbol("|z_t − r/s|"), distance),
                "the distance to r/s, for either sign of q",
                identity(sp.Abs(along - r / s) - distance),
            ),
            Step(
                sp.Eq(bound, 0),
                "with |q| = 1/(1 + p), p > 0, SymPy's limit t → ∞ is 0 for every 0 < |q| < 1",
                identity(bound),
            ),
            Step(
                r / s,
                "z_∞ = r/s on every mode with s > 0: c_∞ = V S⁻¹ Uᵀ y = A⁺y from z_0 = 0",
                unchecked("assembling the modes: A⁺ = V S⁻¹ Uᵀ"),
            ),
        ),
        variables=(MODE_DATA, MODE_SINGULAR),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return (output_descent_mode(), output_descent_mode_loss(), output_descent_limit())
