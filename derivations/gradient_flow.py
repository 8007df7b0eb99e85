"""Gradient flow of deep linear networks: conservation law, pretraining, feature sparsification.

The model (docs/paper.md §2.2): f(x) = xᵀW_1⋯W_L with W_l ∈ ℝ^{d×d} for l < L and W_L ∈ ℝ^{d×1}; the
end-to-end vector is β̂ = W_1⋯W_L; training is gradient flow Ẇ_l = −∇_{W_l}ℒ with time t =
learning rate × number of gradient steps. Every result below starts from these equations and lets
SymPy do the calculus (differentiation, ``dsolve``, ``limit``, ``solve``) on explicit symbolic
matrices; nothing final is typed in.

Records (paper numbering v2 as reconstructed in docs/paper.md §3; the statements of Lemma 3.3 and
Thms 3.4–3.5 are known only through the third-party reading, docs/paper.md §1.3–1.4):

* ``gf_conservation_L2``, ``gf_conservation_L3``: eq. 36 — with r = ∇_β̂ℒ, the flow is
  Ẇ_l = −(W_1⋯W_{l−1})ᵀ r (W_{l+1}⋯W_L)ᵀ (checked against SymPy's derivative of a generic loss
  g(β̂)), and the imbalances D_l = W_lᵀW_l − W_{l+1}W_{l+1}ᵀ have zero time derivative.
* ``pretrain_ode``: on population pretraining (loss ‖β̂ − β_s‖², no factor ½), the balanced
  rank-one ansatz W_1 = w β_s vᵀ, W_2 = w v is invariant and a = w² obeys ȧ = 4a(1 − a).
* ``pretrain_coefficient``: its solution a(t) with a(0) = a_0 (``dsolve``), the evaluator
  ``pretrain_coefficient(t, a0)``.
* ``pretrain_limit``: Lemma 3.3 end point a(∞) = 1 (β̂ → β_s) and the order of limits
  lim_{a_0→0} lim_{t→∞} a = 1 ≠ lim_{t→∞} lim_{a_0→0} a = 0.
* ``feature_singular_value``: Thm 3.4 end point — balanced rank-one layers s u_l u_{l+1}ᵀ whose
  product is the unit β_s have s^L = 1, so s = 1.
* ``scratch_row_space``: Thm 3.5 (Yun et al. 2021) — the empirical-loss gradient lies in the row
  space of X, so the null-space part of β is frozen (exactly for the linear model; for L = 2 on
  the balanced rank-one manifold the null-space part of the first-layer vector u is conserved)
  and the small-initialisation end point is the minimum-norm interpolator X⁺y.

Conventions and decisions. Matrix identities are checked on explicit matrices of width d = 3
whose entries are independent real symbols; the general-d argument is the same product rule, which
the ``why`` of each step states. Unit vectors (β_s, v, u_l) are vectors of independent symbols, and
polynomial identities that need ‖u‖ = 1 are decided by their normal form modulo the ideal generated
by the constraints ‖u‖² − 1 (``reduced`` against a Gröbner basis that SymPy computes): a zero
normal form means the identity holds on every unit vector. Steps hold explicit ``ImmutableMatrix``
objects rather than ``MatrixSymbol`` expressions because the latter do not survive the ``srepr``
round trip of the derivation cache (``cache.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from derivations import record as check
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import L, a0, alpha, s_val, t

# Local symbols (not shared with other modules, hence not in symbols.py).
_WIDTH = 3  # width d of the explicit symbolic matrices; identities are entrywise polynomial
_W_SCALE = sp.Function("w")  # common scale w(t) of the balanced rank-one pretraining ansatz
_A = sp.Function("a")  # end-to-end coefficient a(t) = w(t)²
_WDOT = sp.Symbol("wdot", real=True)  # placeholder for ẇ while matching coefficients
_LOSS = sp.Symbol("Loss")


def _symbol_matrix(name: str, rows: int, cols: int) -> sp.ImmutableMatrix:
    """Matrix whose entries are independent real symbols ``name_ij``."""
    return sp.ImmutableMatrix(
        rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True)
    )


def _symbol_vector(name: str, size: int = _WIDTH) -> sp.ImmutableMatrix:
    """Column of independent real symbols ``name1, …, name<size>``."""
    return sp.ImmutableMatrix(sp.symbols(f"{name}1:{size + 1}", real=True))


def _modulo_unit_norms(expr: sp.Expr, vectors: Sequence[sp.MatrixBase]) -> sp.Expr:
    """Normal form of a polynomial modulo ‖u‖² = 1 for each of ``vectors``.

    The constraints are first turned into a Gröbner basis (lex order), so the remainder is zero
    exactly when ``expr`` lies in the ideal, i.e. vanishes because of the unit norms.
    """
    generators = [x for u in vectors for x in u]
    basis = sp.groebner([(u.T * u)[0] - 1 for u in vectors], *generators, order="lex")
    return sp.reduced(sp.expand(expr), list(basis.exprs), *generators, order="lex")[1]


def _unit_norm_check(vectors: Sequence[sp.MatrixBase], source: sp.Basic) -> check.Check:
    """The step check "normal form of ``source`` modulo ‖u‖² = 1 for each of ``vectors``"."""
    generators = [x for u in vectors for x in u]
    return check.modulo([(u.T * u)[0] - 1 for u in vectors], generators, source=source)


def _matrix_modulo_unit_norms(
    matrix: sp.MatrixBase, vectors: Sequence[sp.MatrixBase]
) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(matrix.applyfunc(lambda e: _modulo_unit_norms(e, vectors)))


def _product(factors: Sequence[sp.MatrixBase], size: int) -> sp.ImmutableMatrix:
    """Ordered product of matrices; the identity of the given size if there are none."""
    out = sp.eye(size)
    for factor in factors:
        out = out * factor
    return sp.ImmutableMatrix(out)


def _is_zero(matrix: sp.MatrixBase, simplifier=sp.expand) -> bool:
    return all(simplifier(entry) == 0 for entry in matrix)


def _require(condition: bool, what: str) -> None:
    """A derivation step that SymPy could not confirm is a bug, never a silent pass."""
    if not condition:
        raise RuntimeError(f"gradient_flow derivation failed: {what}")


# --- eq. 36: the gradient-flow equations and the conservation law ------------------------------


@dataclass(frozen=True)
class FlowEquations:
    """The gradient flow of a generic loss g(β̂) of a depth-``depth`` linear network.

    Attributes:
        weights: the layers W_1, …, W_L with symbolic entries (W_L is a column).
        residual: r = (∂g/∂β̂_k)_k evaluated at β̂, as symbols ``r_k``.
        loss: g(β̂) with β̂ = W_1⋯W_L written out.
        gradients: ∂ℒ/∂W_l computed by SymPy's chain rule, ∂g/∂β̂_k renamed ``r_k``.
        velocities: Ẇ_l = −(W_1⋯W_{l−1})ᵀ r (W_{l+1}⋯W_L)ᵀ, equal to −gradients.
    """

    weights: tuple[sp.ImmutableMatrix, ...]
    residual: sp.ImmutableMatrix
    loss: sp.Expr
    gradients: tuple[sp.ImmutableMatrix, ...]
    velocities: tuple[sp.ImmutableMatrix, ...]


@functools.cache
def flow_equations(depth: int, width: int = _WIDTH) -> FlowEquations:
    """Gradient flow Ẇ_l = −∇_{W_l} g(W_1⋯W_L) of a generic loss (docs/paper.md §3.3 step 1).

    SymPy differentiates g(β̂(W)) entry by entry; each partial derivative ∂g/∂β̂_k that the chain
    rule produces (a ``Subs`` object) is checked to be evaluated at β̂ itself and renamed r_k.
    The result is compared entrywise with the matrix formula (W_1⋯W_{l−1})ᵀ r (W_{l+1}⋯W_L)ᵀ.
    """
    weights = tuple(
        _symbol_matrix(f"W{i + 1}", width, width if i < depth - 1 else 1) for i in range(depth)
    )
    beta_hat = _product(weights, width)
    residual = sp.ImmutableMatrix(sp.symbols(f"r1:{width + 1}", real=True))
    g = sp.Function("g")
    loss = g(*beta_hat)

    def rename_partial(partial: sp.Subs) -> sp.Symbol:
        (variable,) = partial.expr.variables
        arguments = partial.expr.expr.args
        point = tuple(a.subs(variable, partial.point[0]) for a in arguments)
        _require(point == tuple(beta_hat), "a partial derivative of g is not taken at β̂")
        return residual[arguments.index(variable)]

    gradients, velocities = [], []
    for i, layer in enumerate(weights):
        gradient = layer.applyfunc(
            lambda w: sp.diff(loss, w).replace(lambda e: isinstance(e, sp.Subs), rename_partial)
        )
        left = _product(weights[:i], width)
        right = _product(weights[i + 1 :], layer.shape[1])
        formula = left.T * residual * right.T
        _require(_is_zero(gradient - formula), f"∂ℒ/∂W_{i + 1} differs from the matrix formula")
        gradients.append(sp.ImmutableMatrix(gradient.applyfunc(sp.factor)))
        velocities.append(sp.ImmutableMatrix(-formula))
    return FlowEquations(weights, residual, loss, tuple(gradients), tuple(velocities))


@functools.cache
def conservation(depth: int) -> DerivedResult:
    """Eq. 36: dD_l/dt = 0 for D_l = W_lᵀW_l − W_{l+1}W_{l+1}ᵀ under gradient flow.

    The weights are made functions of t, D_l(t) is differentiated by SymPy, the derivatives of the
    entries are replaced by the gradient-flow velocities of :func:`flow_equations`, and the result
    expands to the zero matrix, for an arbitrary residual vector r (so for any loss of β̂).
    """
    flow = flow_equations(depth)
    entries = [w for layer in flow.weights for w in layer]
    as_functions = {w: sp.Function(w.name)(t) for w in entries}
    timed = [layer.xreplace(as_functions) for layer in flow.weights]
    rates = {
        sp.Derivative(as_functions[w], t): v.xreplace(as_functions)
        for layer, velocity in zip(flow.weights, flow.velocities, strict=True)
        for w, v in zip(layer, velocity, strict=True)
    }
    imbalances, derivatives, unexpanded = [], [], []
    for i in range(depth - 1):
        imbalance = timed[i].T * timed[i] - timed[i + 1] * timed[i + 1].T
        derivative = imbalance.diff(t).xreplace(rates).applyfunc(sp.expand)
        _require(_is_zero(derivative), f"dD_{i + 1}/dt is not zero")
        imbalances.append(sp.ImmutableMatrix(imbalance))
        derivatives.append(sp.ImmutableMatrix(derivative))
        unexpanded.append(sp.ImmutableMatrix(imbalance.diff(t).xreplace(rates)))
    expr = derivatives[0] if depth == 2 else sp.Tuple(*derivatives)
    layers = " ".join(f"W_{i + 1}" for i in range(depth))
    return DerivedResult(
        name=f"gf_conservation_L{depth}",
        title=f"Conservation of the layer imbalances under gradient flow (L = {depth})",
        reference="eq. 36 (docs/paper.md §3.3 step 2)",
        regime=Regime.EXACT,
        assumptions=(
            f"deep linear network of depth L = {depth}, β̂ = {layers}",
            "gradient flow on an arbitrary differentiable loss g(β̂)",
            f"checked on symbolic matrices of width d = {_WIDTH} (entrywise polynomial identity)",
        ),
        expr=expr,
        steps=(
            Step(
                sp.Eq(_LOSS, flow.loss),
                f"a generic loss g of the end-to-end vector β̂ = {layers}, entries symbolic",
                check.unchecked("the model: any differentiable loss of β̂"),
            ),
            Step(
                sp.Tuple(*flow.gradients),
                "∂ℒ/∂W_l by SymPy's chain rule, ∂g/∂β̂_k(β̂) renamed r_k; entrywise equal to "
                "(W_1⋯W_{l−1})ᵀ r (W_{l+1}⋯W_L)ᵀ (the difference expands to zero)",
                check.identity(
                    sp.Tuple(*(g + v for g, v in zip(flow.gradients, flow.velocities, strict=True)))
                ),
            ),
            Step(
                sp.Tuple(*flow.velocities),
                "gradient flow: Ẇ_l = −(W_1⋯W_{l−1})ᵀ r (W_{l+1}⋯W_L)ᵀ",
                check.equal(source=sp.Tuple(*(-g for g in flow.gradients))),
            ),
            Step(
                sp.Tuple(*imbalances),
                "imbalances D_l = W_lᵀW_l − W_{l+1}W_{l+1}ᵀ with time-dependent entries",
                check.unchecked("definition of the imbalances D_l"),
            ),
            Step(
                expr,
                "SymPy differentiates D_l(t) in t and substitutes the flow: both terms equal "
                "−[(W_1⋯W_l)ᵀ r (W_{l+1}⋯W_L)ᵀ + its transpose], so every entry cancels",
                check.identity(unexpanded[0] if depth == 2 else sp.Tuple(*unexpanded)),
            ),
        ),
        notes=(
            "Equation number reconstructed (docs/paper.md §3.3). Exact for gradient flow; gradient "
            "descent with step η changes D_l by O(η²) per step, i.e. O(η) over a fixed time."
        ),
    )


# --- Lemma 3.3: population pretraining of the balanced rank-one network (L = 2) ----------------


@functools.cache
def rank_one_population_flow(decay: sp.Expr = sp.S.Zero) -> tuple[sp.Eq, tuple[Step, ...]]:
    """The ODE of a(t) = w(t)² on the balanced rank-one ansatz, and the steps that derive it.

    Population loss ‖W_1W_2 − β_s‖² (docs/paper.md §2.2, no factor ½) plus the weight-decay
    penalty (decay/2)(‖W_1‖²_F + ‖W_2‖²) of SGD's ``weight_decay`` (0: the paper's pretraining),
    differentiated by SymPy with respect to symbolic W_1 (3×3) and W_2 (3×1) and checked against
    the flow of eq. 36 with r = 2(β̂ − β_s) plus decay·W_l; the ansatz W_1 = w β_s vᵀ, W_2 = w v is
    substituted, the unknown velocity ẇ is matched on one entry modulo ‖β_s‖ = ‖v‖ = 1, and every
    other entry is checked; then a = w².
    """
    width = _WIDTH
    beta_s, v = _symbol_vector("b"), _symbol_vector("v")
    units = (beta_s, v)
    w1, w2 = _symbol_matrix("W1", width, width), _symbol_matrix("W2", width, 1)
    misfit = w1 * w2 - beta_s
    penalty = decay / 2 * (sum(x**2 for x in w1) + sum(x**2 for x in w2))
    loss = sp.expand((misfit.T * misfit)[0] + penalty)
    grad1 = w1.applyfunc(lambda x: sp.diff(loss, x))
    grad2 = w2.applyfunc(lambda x: sp.diff(loss, x))

    # The gradient is 2(β̂ − β_s) pushed through the layers, plus decay·W: check against the flow.
    flow = flow_equations(2, width)
    r_population = {r: 2 * m for r, m in zip(flow.residual, misfit, strict=True)}
    gradient_gaps = tuple(
        sp.ImmutableMatrix(grad - decay * weight - general.xreplace(r_population))
        for grad, weight, general in zip((grad1, grad2), (w1, w2), flow.gradients, strict=True)
    )
    _require(
        all(_is_zero(gap) for gap in gradient_gaps),
        "population gradient differs from the generic flow with r = 2(β̂ − β_s) (+ decay·W)",
    )

    w = sp.Symbol("w", real=True)  # w(t) at a fixed time; ẇ is the unknown _WDOT
    ansatz1, ansatz2 = w * beta_s * v.T, w * v
    on_ansatz = dict(zip([*w1, *w2], [*ansatz1, *ansatz2], strict=True))
    velocity1 = sp.ImmutableMatrix((-grad1.xreplace(on_ansatz)).applyfunc(sp.factor))
    velocity2 = sp.ImmutableMatrix((-grad2.xreplace(on_ansatz)).applyfunc(sp.factor))
    beta_hat = _matrix_modulo_unit_norms(ansatz1 * ansatz2, units)
    _require(_is_zero(beta_hat - w**2 * beta_s), "β̂ ≠ w² β_s on the ansatz")

    # d/dt of the ansatz is ẇ β_s vᵀ and ẇ v; it must equal the velocity on the unit sphere.
    residuals = [
        _modulo_unit_norms(e, units)
        for e in (*(_WDOT * beta_s * v.T - velocity1), *(_WDOT * v - velocity2))
    ]
    (wdot,) = sp.solve(residuals[0], _WDOT)
    wdot = sp.factor(wdot)
    _require(
        all(_modulo_unit_norms(e.xreplace({_WDOT: wdot}), units) == 0 for e in residuals),
        "the flow leaves the balanced rank-one ansatz",
    )
    w_of_t = _W_SCALE(t)
    w_ode = sp.Eq(sp.Derivative(w_of_t, t), wdot.xreplace({w: w_of_t}))

    a = _A(t)
    adot = sp.expand(sp.diff(w_of_t**2, t).xreplace({w_ode.lhs: w_ode.rhs}))
    a_rhs = sp.factor(adot.subs(w_of_t**2, a))
    _require(not a_rhs.has(w_of_t), "ȧ is not a function of a = w² alone")
    ode = sp.Eq(sp.Derivative(a, t), a_rhs)
    decayed = decay != 0
    steps = (
        Step(
            sp.Eq(_LOSS, loss),
            "population loss ‖W_1W_2 − β_s‖² with symbolic entries"
            + (", plus the weight-decay penalty (λ_p/2)(‖W_1‖² + ‖W_2‖²)" if decayed else ""),
            check.unchecked(
                "the model: the population source loss"
                + (" and SGD's weight decay" if decayed else "")
            ),
        ),
        Step(
            sp.Tuple(grad1.applyfunc(sp.expand), grad2.applyfunc(sp.expand)),
            "∇_{W_1}ℒ, ∇_{W_2}ℒ by SymPy differentiation; equal to the flow of eq. 36 with "
            "r = 2(β̂ − β_s)" + (" plus λ_p W_l" if decayed else ""),
            check.identity(sp.Tuple(*gradient_gaps)),
        ),
        Step(
            sp.Tuple(velocity1, velocity2),
            "−∇ on the ansatz W_1 = w β_s vᵀ, W_2 = w v; modulo ‖v‖² = 1 this is "
            + ("(2w(1 − w²) − λ_p w)(β_s vᵀ, v)" if decayed else "2w(1 − w²)(β_s vᵀ, v)")
            + ", and β̂ = w² β_s",
            check.substitution(
                on_ansatz,
                source=sp.Tuple(sp.ImmutableMatrix(-grad1), sp.ImmutableMatrix(-grad2)),
            ),
        ),
        Step(
            sp.Tuple(*residuals),
            "ẇ β_s vᵀ − Ẇ_1 and ẇ v − Ẇ_2 modulo ‖β_s‖² = ‖v‖² = 1: one scalar equation for ẇ",
            _unit_norm_check(
                units,
                sp.Tuple(*(_WDOT * beta_s * v.T - velocity1), *(_WDOT * v - velocity2)),
            ),
        ),
        Step(
            w_ode,
            "solved for ẇ; all 12 residuals then vanish, so the flow stays on the ansatz",
            check.identity(sp.Tuple(*(e.xreplace({_WDOT: wdot}) for e in residuals))),
        ),
        Step(
            ode,
            "a = w² ⇒ ȧ = 2wẇ = "
            + ("4w²(1 − w²) − 2λ_p w²" if decayed else "4w²(1 − w²)")
            + ", a function of a alone (logistic)",
            check.substitution(
                {w_of_t**2: a},
                source=sp.Eq(
                    sp.Derivative(a, t),
                    sp.expand(sp.diff(w_of_t**2, t).xreplace({w_ode.lhs: w_ode.rhs})),
                ),
            ),
        ),
    )
    return ode, steps


@functools.cache
def pretrain_ode() -> DerivedResult:
    """ȧ = 4a(1 − a) for population pretraining from the balanced rank-one ansatz (L = 2)
    (:func:`rank_one_population_flow` without weight decay)."""
    ode, steps = rank_one_population_flow()
    return DerivedResult(
        name="pretrain_ode",
        title="Population pretraining of the balanced rank-one network: ȧ = 4a(1 − a)",
        reference="Lemma 3.3 (docs/paper.md §3.2, §3.3)",
        regime=Regime.EXACT,
        assumptions=(
            "L = 2, population source loss ‖β̂ − β_s‖² (authors' normalisation, no ½)",
            "‖β_s‖ = 1; start on the balanced rank-one ansatz W_1 = w β_s vᵀ, W_2 = w v, ‖v‖ = 1",
            "gradient flow, t = learning rate × number of steps",
        ),
        expr=ode,
        steps=steps,
        notes=(
            "Balanced start means D_1 = 0 (w equal in both layers); a_0 = w(0)², e.g. α² for "
            "W_l(0) of scale α. Gradient descent with rate η follows this ODE up to O(η)."
        ),
    )


@functools.cache
def pretrain_coefficient() -> DerivedResult:
    """a(t) solving ȧ = 4a(1 − a), a(0) = a_0, by ``dsolve``.

    The closed form is the evaluator ``pretrain_coefficient(t, a0)`` (variables ordered (t, a_0)).
    """
    ode = pretrain_ode().expr
    a = _A(t)
    solution = sp.dsolve(ode, a, ics={_A(0): a0})
    _require(isinstance(solution, sp.Eq), "dsolve returned several solutions")
    closed = solution.rhs
    verified = sp.checkodesol(ode, solution)
    _require(verified == (True, 0), f"dsolve's solution does not satisfy the ODE: {verified}")
    residual = sp.simplify(sp.diff(closed, t) - ode.rhs.subs(a, closed))
    _require(residual == 0, "the closed form does not solve the ODE")
    initial = sp.simplify(closed.subs(t, 0))
    _require(initial == a0, "a(0) ≠ a_0")
    return DerivedResult(
        name="pretrain_coefficient",
        title="Time course of population pretraining, a(t) = β_sᵀβ̂(t)",
        reference="Lemma 3.3 (docs/paper.md §3.2)",
        regime=Regime.EXACT,
        assumptions=(
            "balanced rank-one two-layer network, ‖β_s‖ = 1, β̂(t) = a(t) β_s",
            "a_0 > 0; t ≥ 0 is learning rate × number of gradient steps",
        ),
        expr=closed,
        steps=(
            Step(ode, "logistic ODE of pretrain_ode"),
            Step(
                solution,
                "dsolve (separable Bernoulli equation) with initial value a(0) = a_0",
                check.ode_solution(a, initial={_A(0): a0}),
            ),
            Step(
                residual,
                "substituting a(t) back: ȧ − 4a(1 − a) simplifies to 0",
                check.identity(sp.diff(closed, t) - ode.rhs.subs(a, closed)),
            ),
            Step(initial, "a(0) = a_0", check.substitution({t: 0}, source=closed)),
        ),
        notes=(
            "Written with exp(−4t) only, so the evaluator does not overflow for large t; "
            "pretraining reaches a = 1/2 at t = ¼ log(1/a_0 − 1) (pretrain_limit)."
        ),
        variables=(t, a0),
    )


@functools.cache
def pretrain_limit() -> DerivedResult:
    """Lemma 3.3: a(t) → 1 (β̂ → β_s) for every a_0 > 0, exponentially; the order of limits."""
    closed = pretrain_coefficient().expr
    at_infinity = sp.limit(closed, t, sp.oo)
    _require(at_infinity == 1, "a(∞) ≠ 1")
    rate = sp.simplify(sp.limit((1 - closed) * sp.exp(4 * t), t, sp.oo))
    small_start = sp.limit(closed, a0, 0)
    _require(small_start == 0, "lim_{a0→0} a(t) ≠ 0 at fixed t")
    outer = sp.limit(at_infinity, a0, 0)
    x = sp.Symbol("x", positive=True)  # stands for exp(−4t)
    (x_half,) = sp.solve(sp.Eq(closed.subs(sp.exp(-4 * t), x), sp.Rational(1, 2)), x)
    t_half = sp.log(sp.cancel(1 / x_half)) / 4
    escape = sp.limit(t_half, a0, 0)
    _require(escape == sp.oo, "the escape time does not diverge as a_0 → 0")
    via_alpha = sp.simplify(closed.subs(a0, alpha**2))
    return DerivedResult(
        name="pretrain_limit",
        title="End point of population pretraining and the order of limits",
        reference="Lemma 3.3 (docs/paper.md §3.2)",
        regime=Regime.EXACT,
        assumptions=("balanced rank-one two-layer network on the population source loss, a_0 > 0",),
        expr=outer,
        steps=(
            Step(
                at_infinity,
                "lim_{t→∞} a(t) = 1 for every a_0 > 0: β̂ → β_s",
                check.limit(t, sp.oo, source=closed),
            ),
            Step(
                rate,
                "lim_{t→∞} (1 − a) e^{4t}: the gap closes as e^{−4t}, the loss (1 − a)² as e^{−8t}",
                check.limit(t, sp.oo, source=(1 - closed) * sp.exp(4 * t)),
            ),
            Step(
                small_start,
                "lim_{a_0→0} a(t) = 0 at any fixed t: a small start needs time",
                check.limit(a0, 0, source=closed),
            ),
            Step(
                outer,
                "lim_{a_0→0} lim_{t→∞} a = 1: the paper's order of limits",
                check.limit(a0, 0, source=sp.Limit(closed, t, sp.oo).doit()),
            ),
            Step(
                sp.Eq(sp.Symbol("t_half"), t_half),
                "solving a(t) = 1/2 for e^{−4t}: the escape time (valid for a_0 < 1)",
                check.identity(closed.subs(t, t_half) - sp.Rational(1, 2)),
            ),
            Step(
                escape,
                "the escape time diverges as a_0 → 0, logarithmically",
                check.limit(a0, 0, source=t_half),
            ),
            Step(
                via_alpha,
                "with W_l(0) of scale α (balanced rank-one start) a_0 = α²; the limits above "
                "apply with α → 0",
                check.substitution({a0: alpha**2}, source=closed),
            ),
        ),
        notes="The exponential rate bound 2(α²λ)^{L−1} of eq. 49 is far looser than e^{−4t}.",
    )


# --- Thm 3.4: the singular value of the pretrained rank-one features ---------------------------


@functools.cache
def feature_singular_value() -> DerivedResult:
    """Thm 3.4 end point: W_l = s u_l u_{l+1}ᵀ balanced, product β_s (unit) ⇒ s^L = 1 ⇒ s = 1.

    For L = 2 and 3 with symbolic unit vectors u_l ∈ ℝ³ (u_{L+1} = 1 since W_L is a column), SymPy
    checks modulo ‖u_l‖ = 1 that the layers are balanced and that W_1ᵀW_1 has the single nonzero
    eigenvalue s², computes the product s^L u_1 and its squared norm, and solves ‖β̂‖² = ‖β_s‖² = 1
    for s > 0; then it solves s^L = 1 for a symbolic depth L.
    """
    steps: list[Step] = []
    solutions = []
    mu = sp.Symbol("mu")  # eigenvalue variable of W_1ᵀW_1
    for depth in (2, 3):
        units = [_symbol_vector(f"u{i + 1}_") for i in range(depth)]
        right = [*units[1:], sp.ImmutableMatrix([[1]])]
        layers = [s_val * u * r.T for u, r in zip(units, right, strict=True)]
        imbalances = [
            _matrix_modulo_unit_norms(
                layers[i].T * layers[i] - layers[i + 1] * layers[i + 1].T, units
            )
            for i in range(depth - 1)
        ]
        _require(all(_is_zero(m) for m in imbalances), f"L = {depth}: layers are not balanced")
        spectrum = sp.factor(
            _modulo_unit_norms((layers[0].T * layers[0]).charpoly(mu).as_expr(), units)
        )
        _require(
            sp.expand(spectrum - mu ** (_WIDTH - 1) * (mu - s_val**2)) == 0,
            "W_1 is not rank one with singular value s",
        )
        product = _matrix_modulo_unit_norms(_product(layers, _WIDTH), units)
        _require(_is_zero(product - s_val**depth * units[0]), "β̂ ≠ s^L u_1")
        norm2 = sp.factor(_modulo_unit_norms((product.T * product)[0], units))
        solution = sp.solve(sp.Eq(norm2, 1), s_val)
        solutions.append(solution)
        steps += [
            Step(
                sp.Tuple(*imbalances),
                f"L = {depth}: D_l = W_lᵀW_l − W_(l+1)W_(l+1)ᵀ for W_l = s u_l u_(l+1)ᵀ, "
                "modulo ‖u_l‖ = 1: zero, the layers are balanced",
                _unit_norm_check(
                    units,
                    sp.Tuple(
                        *(
                            sp.ImmutableMatrix(
                                layers[i].T * layers[i] - layers[i + 1] * layers[i + 1].T
                            )
                            for i in range(depth - 1)
                        )
                    ),
                ),
            ),
            Step(
                spectrum,
                f"L = {depth}: characteristic polynomial of W_1ᵀW_1 modulo ‖u_l‖ = 1: "
                "one singular value s, the others 0",
                _unit_norm_check(units, (layers[0].T * layers[0]).charpoly(mu).as_expr()),
            ),
            Step(
                product,
                f"L = {depth}: β̂ = W_1⋯W_L = s^L u_1",
                _unit_norm_check(units, _product(layers, _WIDTH)),
            ),
            Step(
                norm2,
                f"L = {depth}: ‖β̂‖² = s^(2L)",
                _unit_norm_check(units, (product.T * product)[0]),
            ),
            Step(
                sp.Tuple(*solution),
                f"L = {depth}: ‖β̂‖² = ‖β_s‖² = 1 with s > 0 gives s = 1",
                check.solutions(s_val, source=sp.Eq(norm2, 1)),
            ),
        ]
    general = sp.solve(sp.Eq(s_val**L, 1), s_val)
    _require(all(sol == [1] for sol in solutions) and general == [1], "s ≠ 1")
    steps.append(
        Step(
            sp.Tuple(*general),
            "symbolic depth L: s^L = 1 with s > 0 gives s = 1",
            check.solutions(s_val, source=sp.Eq(s_val**L, 1)),
        )
    )
    value = general[0]
    steps.append(
        Step(
            value,
            "β̂ = β_s fixes u_1 = β_s; the feature map W_1⋯W_{L−1} = s^{L−1} u_1 u_Lᵀ = β_s u_Lᵀ "
            "is rank one along β_s with singular value 1",
        )
    )
    return DerivedResult(
        name="feature_singular_value",
        title="Pretrained rank-one features have singular value 1",
        reference="Thm 3.4 (docs/paper.md §3.3 steps 3-5)",
        regime=Regime.EXACT,
        assumptions=(
            "end point of population pretraining with α → 0: layers balanced (D_l(0) = O(α²), "
            "conserved by eq. 36) and rank one, W_l = s u_l u_{l+1}ᵀ with a shared s > 0",
            "product W_1⋯W_L = β_s with ‖β_s‖ = 1",
        ),
        expr=value,
        steps=tuple(steps),
        notes=(
            "Balancedness and the rank-one form are inputs here (from the conservation law and "
            "the rank-one last layer, docs/paper.md §3.3 steps 3-4, argued in words, not derived); "
            "the singular value 1 is what the ridge formula of Thm 3.8 uses."
        ),
    )


# --- Thm 3.5: implicit bias of scratch training ------------------------------------------------


@functools.cache
def scratch_row_space() -> DerivedResult:
    """Thm 3.5: ∇_β (1/n)‖Xβ − y‖² ∈ row(X), so the small-initialisation end point is X⁺y.

    On a generic symbolic X ∈ ℝ^{2×3} (n < d, full row rank where det XXᵀ ≠ 0), with X⁺ =
    Xᵀ(XXᵀ)⁻¹ = Xᵀ adj(XXᵀ)/det(XXᵀ) and P = X⁺X: the gradient by differentiation satisfies
    (I − P)∇ = 0 (cleared of the denominator, a polynomial identity); the end point of the flow
    from β(0) is the interpolator with the null-space component of β(0) (``linsolve``), which for
    β(0) → 0 is the minimum-norm interpolator (Lagrange conditions solved by ``solve``). For the
    two-layer network on the balanced rank-one manifold W_1 = u vᵀ, W_2 = c v, (I − P)u is
    conserved.
    """
    rows, width = 2, _WIDTH
    x_mat = _symbol_matrix("X", rows, width)
    y = _symbol_vector("y", rows)
    beta = _symbol_vector("beta")
    beta0 = _symbol_vector("beta0_")  # β(0)
    misfit = x_mat * beta - y
    loss = sp.expand((misfit.T * misfit)[0] / rows)
    gradient = sp.ImmutableMatrix([sp.diff(loss, b) for b in beta])
    gram = x_mat * x_mat.T
    det = sp.factor(gram.det())
    pinv_num = sp.ImmutableMatrix((x_mat.T * gram.adjugate()).applyfunc(sp.expand))  # det · X⁺
    null_num = sp.ImmutableMatrix((det * sp.eye(width) - pinv_num * x_mat).applyfunc(sp.factor))
    in_row_space = sp.ImmutableMatrix((null_num * gradient).applyfunc(sp.expand))
    _require(_is_zero(in_row_space), "the gradient has a component outside row(X)")

    # End point of the flow on β: interpolates (∇ = 0) and keeps the null component of β(0).
    (null_vector,) = x_mat.nullspace()
    equations = [*(x_mat * beta - y), (null_vector.T * (beta - beta0))[0]]
    (end_point,) = sp.linsolve(equations, list(beta))
    end_point = sp.ImmutableMatrix(end_point).applyfunc(sp.factor)
    expected = (pinv_num * y + null_num * beta0) / det
    _require(_is_zero(end_point - expected, sp.cancel), "end point ≠ X⁺y + (I − P)β(0)")
    small_init = sp.ImmutableMatrix(end_point.xreplace(dict.fromkeys(beta0, 0)))

    # Minimum-norm interpolator: stationary point of ‖β‖² − 2μᵀ(Xβ − y).
    mu = _symbol_vector("mu", rows)
    lagrangian = (beta.T * beta)[0] - 2 * (mu.T * (x_mat * beta - y))[0]
    (stationary,) = sp.solve(
        [sp.diff(lagrangian, x) for x in (*beta, *mu)], [*beta, *mu], dict=True
    )
    min_norm = sp.ImmutableMatrix([stationary[b] for b in beta])
    _require(_is_zero(min_norm - pinv_num * y / det, sp.cancel), "min-norm solution ≠ X⁺y")
    _require(_is_zero(min_norm - small_init, sp.cancel), "small-init end point ≠ min-norm")

    # Two-layer network on the balanced rank-one manifold: (I − P)u is conserved.
    flow = flow_equations(2, width)
    u, v = _symbol_vector("u"), _symbol_vector("v")
    c = sp.Symbol("c", positive=True)
    w1, w2 = flow.weights
    on_manifold = dict(zip([*w1, *w2], [*(u * v.T), *(c * v)], strict=True))
    beta_hat = _matrix_modulo_unit_norms(u * v.T * c * v, [v])  # c u
    gradient_at = gradient.xreplace(dict(zip(beta, beta_hat, strict=True)))
    r_at = dict(zip(flow.residual, gradient_at, strict=True))
    velocity1 = flow.velocities[0].xreplace(on_manifold).xreplace(r_at)
    velocity2 = flow.velocities[1].xreplace(on_manifold).xreplace(r_at)
    u_rate = _matrix_modulo_unit_norms(velocity1 * v, [v])  # u̇ = Ẇ_1 v since vᵀv = 1
    c_rate = _modulo_unit_norms((v.T * velocity2)[0], [v])  # ċ = vᵀẆ_2
    _require(_is_zero(velocity1 - u_rate * v.T), "Ẇ_1 leaves the form u vᵀ")
    _require(_is_zero(velocity2 - c_rate * v), "Ẇ_2 leaves the form c v")
    _require(sp.expand(c * c_rate - (u.T * u_rate)[0]) == 0, "the balance c² = ‖u‖² is lost")
    frozen = sp.ImmutableMatrix((null_num * u_rate).applyfunc(sp.expand))
    _require(_is_zero(frozen), "(I − P)u is not conserved")

    expr = in_row_space
    return DerivedResult(
        name="scratch_row_space",
        title="Scratch training moves β̂ only in the row space of X; end point X⁺y",
        reference="Thm 3.5 (Yun et al. 2021; docs/paper.md §3.4)",
        regime=Regime.EXACT,
        assumptions=(
            "empirical loss (1/n)‖Xβ − y‖², X ∈ ℝ^{n×d} of full row rank, n < d",
            "checked on a generic symbolic X with n = 2, d = 3",
            "small initialisation: β(0) = O(α^L) → 0",
        ),
        expr=expr,
        steps=(
            Step(
                sp.Eq(_LOSS, loss),
                "empirical loss (1/n)‖Xβ − y‖², n = 2, d = 3, X symbolic",
                check.unchecked("the model: the empirical target loss"),
            ),
            Step(
                gradient.applyfunc(sp.factor),
                "∇_β ℒ by differentiation: (2/n)Xᵀ(Xβ − y)",
                check.identity(sp.ImmutableMatrix(gradient - 2 * x_mat.T * misfit / rows)),
            ),
            Step(
                null_num,
                "det(XXᵀ)(I − P) with P = X⁺X, X⁺ = Xᵀ adj(XXᵀ)/det(XXᵀ) (full row rank)",
                check.equal(
                    source=sp.ImmutableMatrix(
                        gram.det() * sp.eye(width) - x_mat.T * gram.adjugate() * x_mat
                    )
                ),
            ),
            Step(
                expr,
                "det(XXᵀ)(I − P)∇_β ℒ expands to 0: the gradient lies in row(X)",
                check.identity(sp.ImmutableMatrix(null_num * gradient)),
            ),
            Step(
                end_point,
                "flow on β: (I − P)β is frozen and the flow stops where ∇ = 0 (Xβ = y); linsolve "
                "gives X⁺y + (I − P)β(0)",
                check.identity(
                    sp.Tuple(
                        sp.ImmutableMatrix(x_mat * end_point - y),
                        (null_vector.T * (end_point - beta0))[0],
                    )
                ),
            ),
            Step(
                small_init,
                "β(0) → 0 (small initialisation): the end point is X⁺y",
                check.substitution(dict.fromkeys(beta0, 0)),
            ),
            Step(
                min_norm,
                "Lagrange conditions of min ‖β‖² s.t. Xβ = y solved by SymPy: the same vector, "
                "so the end point is the minimum-norm interpolator",
            ),
            Step(
                sp.Tuple(u_rate, c_rate),
                "L = 2 on the balanced rank-one manifold W_1 = u vᵀ, W_2 = c v (‖v‖ = 1): the flow "
                "of eq. 36 keeps this form with u̇ = −c r, ċ = −uᵀr, and c² − ‖u‖² is conserved",
                check.identity(
                    sp.Tuple(
                        sp.ImmutableMatrix(velocity1 - u_rate * v.T),
                        sp.ImmutableMatrix(velocity2 - c_rate * v),
                        c * c_rate - (u.T * u_rate)[0],
                    )
                ),
            ),
            Step(
                frozen,
                "det(XXᵀ)(I − P)u̇ = 0: (I − P)u is conserved, so (I − P)β̂ = c (I − P)u(0)",
                check.identity(sp.ImmutableMatrix(null_num * u_rate)),
            ),
        ),
        notes=(
            "For L = 1 the null-space part of β is exactly frozen. For a deep network the "
            "end-to-end flow is preconditioned and the null-space part of β̂ is not frozen: on the "
            "balanced rank-one manifold (L = 2) it equals c(t)(I − P)u(0) with c = ‖β̂‖^{1/2}, so "
            "it grows from O(α²) to O(α) and vanishes only in the limit α → 0 (Yun et al. 2021). "
            "For n > d, P = I and the end point is the least-squares solution (XᵀX)⁻¹Xᵀy."
        ),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in the order of the paper."""
    return (
        conservation(2),
        conservation(3),
        pretrain_ode(),
        pretrain_coefficient(),
        pretrain_limit(),
        feature_singular_value(),
        scratch_row_space(),
    )
