"""Gradient flow of deep linear networks: conservation law, pretraining, feature sparsification.

The model (SPEC §1.2): f(x) = xᵀW_1⋯W_L with W_l ∈ ℝ^{d×d} for l < L and W_L ∈ ℝ^{d×1}; the
end-to-end vector is β̂ = W_1⋯W_L; training is gradient flow Ẇ_l = −∇_{W_l}ℒ with time t =
learning rate × number of gradient steps. Every result below starts from these equations and lets
SymPy do the calculus (differentiation, ``dsolve``, ``limit``, ``solve``) on explicit symbolic
matrices; nothing final is typed in.

Records (paper numbering v2 as reconstructed in SPEC §2; the statements of Lemma 3.3 and
Thms 3.4–3.5 are known only through the third-party reading, SPEC §0):

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
  space of X, so the null-space part of β is frozen and the small-initialisation end point is the
  minimum-norm interpolator X⁺y.

Conventions and decisions. Generic unit vectors in ℝ³ are written by inverse stereographic
projection, u(p, q) = (2p, 2q, 1 − p² − q²)/(1 + p² + q²), which is exactly of unit norm for every
real p, q and keeps all algebra rational (``cancel`` decides it). Matrix identities are checked
on explicit matrices of width d = 3 whose entries are independent symbols; the general-d argument
is the same product rule, which the ``why`` of each step states. Steps hold explicit ``ImmutableMatrix`` objects rather than
``MatrixSymbol`` expressions because the latter do not survive the ``srepr`` round trip of the
derivation cache (``registry.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import L, a0, alpha, s_val, t

# Local symbols (not shared with other modules, hence not in symbols.py).
_WIDTH = 3  # width d of the explicit symbolic matrices; identities are entrywise polynomial
_P = sp.symbols("p1:5", real=True)  # stereographic coordinates of generic unit vectors
_Q = sp.symbols("q1:5", real=True)
_W_SCALE = sp.Function("w")  # common scale w(t) of the balanced rank-one pretraining ansatz
_A = sp.Function("a")  # end-to-end coefficient a(t) = w(t)²
_WDOT = sp.Symbol("wdot")  # placeholder for ẇ while matching coefficients
_LOSS = sp.Symbol("Loss")


def _symbol_matrix(name: str, rows: int, cols: int) -> sp.ImmutableMatrix:
    """Matrix whose entries are independent real symbols ``name_ij``."""
    return sp.ImmutableMatrix(
        rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True)
    )


def _unit_vector(p: sp.Symbol, q: sp.Symbol) -> sp.ImmutableMatrix:
    """Generic unit vector of ℝ³ by inverse stereographic projection (exactly ‖u‖ = 1)."""
    den = 1 + p**2 + q**2
    return sp.ImmutableMatrix([2 * p / den, 2 * q / den, (1 - p**2 - q**2) / den])


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
    """Gradient flow Ẇ_l = −∇_{W_l} g(W_1⋯W_L) of a generic loss (SPEC §2.2 step 1).

    SymPy differentiates g(β̂(W)) entry by entry; each partial derivative ∂g/∂β̂_k that the chain
    rule produces (a ``Subs`` object) is checked to be evaluated at β̂ itself and renamed r_k.
    The result is compared entrywise with the matrix formula (W_1⋯W_{l−1})ᵀ r (W_{l+1}⋯W_L)ᵀ.
    """
    weights = tuple(
        _symbol_matrix(f"W{l + 1}", width, width if l < depth - 1 else 1) for l in range(depth)
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
    for l, layer in enumerate(weights):
        gradient = layer.applyfunc(
            lambda w: sp.diff(loss, w).replace(lambda e: isinstance(e, sp.Subs), rename_partial)
        )
        left = _product(weights[:l], width)
        right = _product(weights[l + 1 :], layer.shape[1])
        formula = left.T * residual * right.T
        _require(_is_zero(gradient - formula), f"∂ℒ/∂W_{l + 1} differs from the matrix formula")
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
    imbalances, derivatives = [], []
    for l in range(depth - 1):
        imbalance = timed[l].T * timed[l] - timed[l + 1] * timed[l + 1].T
        derivative = imbalance.diff(t).xreplace(rates).applyfunc(sp.expand)
        _require(_is_zero(derivative), f"dD_{l + 1}/dt is not zero")
        imbalances.append(sp.ImmutableMatrix(imbalance))
        derivatives.append(sp.ImmutableMatrix(derivative))
    expr = derivatives[0] if depth == 2 else sp.Tuple(*derivatives)
    layers = " ".join(f"W_{l + 1}" for l in range(depth))
    return DerivedResult(
        name=f"gf_conservation_L{depth}",
        title=f"Conservation of the layer imbalances under gradient flow (L = {depth})",
        reference="eq. 36 (SPEC §2.2 step 2)",
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
            ),
            Step(
                sp.Tuple(*flow.gradients),
                "∂ℒ/∂W_l by SymPy's chain rule, ∂g/∂β̂_k(β̂) renamed r_k; entrywise equal to "
                "(W_1⋯W_{l−1})ᵀ r (W_{l+1}⋯W_L)ᵀ (the difference expands to zero)",
            ),
            Step(
                sp.Tuple(*flow.velocities),
                "gradient flow: Ẇ_l = −(W_1⋯W_{l−1})ᵀ r (W_{l+1}⋯W_L)ᵀ",
            ),
            Step(
                sp.Tuple(*imbalances),
                "imbalances D_l = W_lᵀW_l − W_{l+1}W_{l+1}ᵀ with time-dependent entries",
            ),
            Step(
                expr,
                "SymPy differentiates D_l(t) in t and substitutes the flow: both sides equal "
                "(W_1⋯W_l)ᵀ r (W_{l+1}⋯W_L)ᵀ + its transpose, so every entry cancels",
            ),
        ),
        notes=(
            "Equation number reconstructed (SPEC §2.2). Exact for gradient flow; gradient descent "
            "with step η changes D_l by O(η²) per step, i.e. O(η) over a fixed time."
        ),
    )


# --- Lemma 3.3: population pretraining of the balanced rank-one network (L = 2) ----------------


@functools.cache
def pretrain_ode() -> DerivedResult:
    """ȧ = 4a(1 − a) for population pretraining from the balanced rank-one ansatz (L = 2).

    Population loss ‖W_1W_2 − β_s‖² (SPEC §1.2, no factor ½), differentiated by SymPy with respect
    to symbolic W_1 (3×3) and W_2 (3×1); the ansatz W_1 = w(t) β_s vᵀ, W_2 = w(t) v with generic
    unit β_s, v is substituted, the velocity ẇ is matched on one entry and all other entries are
    checked, then a = w².
    """
    width = _WIDTH
    beta_s, v = _unit_vector(_P[0], _Q[0]), _unit_vector(_P[1], _Q[1])
    _require(sp.cancel((beta_s.T * beta_s)[0]) == 1, "β_s is not a unit vector")
    w1, w2 = _symbol_matrix("W1", width, width), _symbol_matrix("W2", width, 1)
    misfit = w1 * w2 - beta_s
    loss = sp.expand((misfit.T * misfit)[0])
    grad1 = w1.applyfunc(lambda x: sp.diff(loss, x))
    grad2 = w2.applyfunc(lambda x: sp.diff(loss, x))

    # The gradient is 2(β̂ − β_s) pushed through the layers: check against the flow equations.
    flow = flow_equations(2, width)
    r_population = {r: 2 * m for r, m in zip(flow.residual, misfit, strict=True)}
    for grad, general in zip((grad1, grad2), flow.gradients, strict=True):
        _require(
            _is_zero(grad - general.xreplace(r_population)),
            "population gradient differs from the generic flow with r = 2(β̂ − β_s)",
        )

    w = _W_SCALE(t)
    ansatz1, ansatz2 = w * beta_s * v.T, w * v
    on_ansatz = dict(zip([*w1, *w2], [*ansatz1, *ansatz2], strict=True))
    velocity1 = -grad1.xreplace(on_ansatz)
    velocity2 = -grad2.xreplace(on_ansatz)
    beta_hat = (ansatz1 * ansatz2).applyfunc(sp.cancel)
    _require(_is_zero(beta_hat - w**2 * beta_s, sp.cancel), "β̂ ≠ w² β_s on the ansatz")

    derivative = sp.Derivative(w, t)
    residual1 = (ansatz1.diff(t) - velocity1).xreplace({derivative: _WDOT})
    residual2 = (ansatz2.diff(t) - velocity2).xreplace({derivative: _WDOT})
    (wdot,) = sp.solve(residual2[0], _WDOT)
    wdot = sp.factor(wdot)
    _require(
        all(sp.cancel(e.xreplace({_WDOT: wdot})) == 0 for e in (*residual1, *residual2)),
        "the flow leaves the balanced rank-one ansatz",
    )
    w_ode = sp.Eq(derivative, wdot)

    a = _A(t)
    adot = sp.expand(sp.diff(w**2, t).xreplace({derivative: wdot}))
    a_rhs = sp.factor(adot.subs(w**2, a))
    _require(not a_rhs.has(w), "ȧ is not a function of a = w² alone")
    ode = sp.Eq(sp.Derivative(a, t), a_rhs)
    return DerivedResult(
        name="pretrain_ode",
        title="Population pretraining of the balanced rank-one network: ȧ = 4a(1 − a)",
        reference="Lemma 3.3 (SPEC §2.1, §2.2)",
        regime=Regime.EXACT,
        assumptions=(
            "L = 2, population source loss ‖β̂ − β_s‖² (authors' normalisation, no ½)",
            "‖β_s‖ = 1; start on the balanced rank-one ansatz W_1 = w β_s vᵀ, W_2 = w v, ‖v‖ = 1",
            "gradient flow, t = learning rate × number of steps",
        ),
        expr=ode,
        steps=(
            Step(sp.Eq(_LOSS, loss), "population loss ‖W_1W_2 − β_s‖², β_s a generic unit vector"),
            Step(
                sp.Tuple(grad1.applyfunc(sp.factor), grad2.applyfunc(sp.factor)),
                "∇_{W_1}ℒ, ∇_{W_2}ℒ by SymPy differentiation; equal to the flow of eq. 36 with "
                "r = 2(β̂ − β_s)",
            ),
            Step(
                sp.Tuple(velocity1.applyfunc(sp.factor), velocity2.applyfunc(sp.factor)),
                "−∇ evaluated on the ansatz W_1 = w β_s vᵀ, W_2 = w v (β̂ = w² β_s since vᵀv = 1)",
            ),
            Step(
                w_ode,
                "matching d/dt of the ansatz with the velocity: all 12 entries agree with this ẇ, "
                "so the flow stays on the ansatz",
            ),
            Step(ode, "a = w² ⇒ ȧ = 2wẇ = 4w²(1 − w²), a function of a alone (logistic)"),
        ),
        notes=(
            "Balanced start means D_1 = 0 (w equal in both layers); a_0 = w(0)², e.g. α² for "
            "W_l(0) of scale α. Gradient descent with rate η follows this ODE up to O(η)."
        ),
    )


@functools.cache
def pretrain_coefficient() -> DerivedResult:
    """a(t) solving ȧ = 4a(1 − a), a(0) = a_0, by ``dsolve`` (evaluator ``pretrain_coefficient``)."""
    ode = pretrain_ode().expr
    a = _A(t)
    solution = sp.dsolve(ode, a, ics={_A(0): a0})
    _require(isinstance(solution, sp.Eq), "dsolve returned several solutions")
    closed = solution.rhs
    check = sp.checkodesol(ode, solution)
    _require(check == (True, 0), f"dsolve's solution does not satisfy the ODE: {check}")
    residual = sp.simplify(sp.diff(closed, t) - ode.rhs.subs(a, closed))
    _require(residual == 0, "the closed form does not solve the ODE")
    initial = sp.simplify(closed.subs(t, 0))
    _require(initial == a0, "a(0) ≠ a_0")
    return DerivedResult(
        name="pretrain_coefficient",
        title="Time course of population pretraining, a(t) = β_sᵀβ̂(t)",
        reference="Lemma 3.3 (SPEC §2.1)",
        regime=Regime.EXACT,
        assumptions=(
            "balanced rank-one two-layer network, ‖β_s‖ = 1, β̂(t) = a(t) β_s",
            "a_0 > 0; t ≥ 0 is learning rate × number of gradient steps",
        ),
        expr=closed,
        steps=(
            Step(ode, "logistic ODE of pretrain_ode"),
            Step(solution, "dsolve (separable Bernoulli equation) with initial value a(0) = a_0"),
            Step(residual, "substituting a(t) back: ȧ − 4a(1 − a) simplifies to 0"),
            Step(initial, "a(0) = a_0"),
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
    t_half = sp.expand_log(-sp.log(x_half) / 4, force=True)
    escape = sp.limit(t_half, a0, 0)
    _require(escape == sp.oo, "the escape time does not diverge as a_0 → 0")
    via_alpha = sp.simplify(closed.subs(a0, alpha**2))
    return DerivedResult(
        name="pretrain_limit",
        title="End point of population pretraining and the order of limits",
        reference="Lemma 3.3 (SPEC §2.1)",
        regime=Regime.EXACT,
        assumptions=(
            "balanced rank-one two-layer network on the population source loss, a_0 > 0",
        ),
        expr=outer,
        steps=(
            Step(at_infinity, "lim_{t→∞} a(t) = 1 for every a_0 > 0: β̂ → β_s"),
            Step(
                rate,
                "lim_{t→∞} (1 − a) e^{4t}: the gap closes as e^{−4t}, the loss (1 − a)² as e^{−8t}",
            ),
            Step(small_start, "lim_{a_0→0} a(t) = 0 at any fixed t: a small start needs time"),
            Step(outer, "lim_{a_0→0} lim_{t→∞} a = 1: the paper's order of limits"),
            Step(
                sp.Eq(sp.Symbol("t_half"), t_half),
                "solving a(t) = 1/2 for e^{−4t}: the escape time (valid for a_0 < 1)",
            ),
            Step(escape, "the escape time diverges as a_0 → 0, logarithmically"),
            Step(
                via_alpha,
                "with W_l(0) of scale α (balanced rank-one start) a_0 = α²; the limits above "
                "apply with α → 0",
            ),
        ),
        notes="The exponential rate bound 2(α²λ)^{L−1} of eq. 49 is far looser than e^{−4t}.",
    )


# --- Thm 3.4: the singular value of the pretrained rank-one features ---------------------------


@functools.cache
def feature_singular_value() -> DerivedResult:
    """Thm 3.4 end point: W_l = s u_l u_{l+1}ᵀ balanced, product β_s (unit) ⇒ s^L = 1 ⇒ s = 1.

    For L = 2 and 3 on generic unit vectors of ℝ³ (u_{L+1} = 1 since W_L is a column): SymPy
    checks that the layers are balanced, computes the product s^L u_1, its squared norm, and
    solves ‖β̂‖² = ‖β_s‖² = 1 for s > 0; then solves s^L = 1 for symbolic L.
    """
    steps: list[Step] = []
    solutions = []
    lam = sp.Symbol("mu")  # eigenvalue variable of W_lᵀW_l
    for depth in (2, 3):
        units = [_unit_vector(_P[l], _Q[l]) for l in range(depth)]
        right = [*units[1:], sp.ImmutableMatrix([[1]])]
        layers = [s_val * u * r.T for u, r in zip(units, right, strict=True)]
        for l in range(depth - 1):
            imbalance = layers[l].T * layers[l] - layers[l + 1] * layers[l + 1].T
            _require(_is_zero(imbalance, sp.cancel), f"layers {l + 1}, {l + 2} are not balanced")
        spectrum = sp.factor(sp.cancel((layers[0].T * layers[0]).charpoly(lam).as_expr()))
        _require(
            sp.expand(spectrum - lam ** (_WIDTH - 1) * (lam - s_val**2)) == 0,
            "W_1 is not rank one with singular value s",
        )
        product = _product(layers, _WIDTH).applyfunc(sp.cancel)
        _require(_is_zero(product - s_val**depth * units[0], sp.cancel), "β̂ ≠ s^L u_1")
        norm2 = sp.factor(sp.cancel((product.T * product)[0]))
        solution = sp.solve(sp.Eq(norm2, 1), s_val)
        solutions.append(solution)
        steps += [
            Step(
                spectrum,
                f"L = {depth}: W_l = s u_l u_(l+1)ᵀ with unit u_l are balanced (D_l = 0 entrywise); "
                "characteristic polynomial of W_1ᵀW_1: one singular value s, the rest 0",
            ),
            Step(norm2, f"L = {depth}: β̂ = W_1⋯W_L = s^L u_1, so ‖β̂‖² = s^(2L)"),
            Step(sp.Tuple(*solution), f"L = {depth}: ‖β̂‖² = ‖β_s‖² = 1 with s > 0 gives s = 1"),
        ]
    general = sp.solve(sp.Eq(s_val**L, 1), s_val)
    _require(all(sol == [1] for sol in solutions) and general == [1], "s ≠ 1")
    steps.append(Step(sp.Tuple(*general), "symbolic depth L: s^L = 1 with s > 0 gives s = 1"))
    value = general[0]
    steps.append(
        Step(
            value,
            "the feature map W_1⋯W_{L−1} = s^{L−1} u_1 u_Lᵀ = β_s u_Lᵀ has one singular value, 1",
        )
    )
    return DerivedResult(
        name="feature_singular_value",
        title="Pretrained rank-one features have singular value 1",
        reference="Thm 3.4 (SPEC §2.2 steps 3-5)",
        regime=Regime.EXACT,
        assumptions=(
            "end point of population pretraining with α → 0: layers balanced (D_l(0) = O(α²), "
            "conserved by eq. 36) and rank one, W_l = s u_l u_{l+1}ᵀ with a shared s > 0",
            "product W_1⋯W_L = β_s with ‖β_s‖ = 1",
        ),
        expr=value,
        steps=tuple(steps),
        notes=(
            "Balancedness and the rank-one form are the inputs here (from the conservation law "
            "and the rank-one last layer, SPEC §2.2 steps 3-4); the singular value 1 is what the "
            "ridge formula of Thm 3.8 uses."
        ),
    )


# --- Thm 3.5: implicit bias of scratch training ------------------------------------------------


@functools.cache
def scratch_row_space() -> DerivedResult:
    """Thm 3.5: ∇_β (1/n)‖Xβ − y‖² ∈ row(X), so the small-initialisation end point is X⁺y.

    On a generic full-row-rank symbolic X ∈ ℝ^{2×3} (n < d): the gradient by differentiation,
    (I − X⁺X)∇ = 0 with X⁺ = Xᵀ(XXᵀ)⁻¹; the end point of the flow from β(0) is the interpolator
    with the null-space component of β(0) (``linsolve``), which for β(0) → 0 is the minimum-norm
    interpolator (Lagrange conditions solved by ``solve``). For the two-layer network on the
    balanced rank-one manifold W_1 = u vᵀ, W_2 = c v the null-space part of u is conserved.
    """
    rows, width = 2, _WIDTH
    x_mat = _symbol_matrix("X", rows, width)
    y = sp.ImmutableMatrix(sp.symbols(f"y1:{rows + 1}", real=True))
    beta = sp.ImmutableMatrix(sp.symbols(f"beta1:{width + 1}", real=True))
    beta0 = sp.ImmutableMatrix(sp.symbols(f"b1:{width + 1}", real=True))  # β(0)
    misfit = x_mat * beta - y
    loss = sp.expand((misfit.T * misfit)[0] / rows)
    gradient = sp.ImmutableMatrix([sp.diff(loss, b) for b in beta])
    pinv = x_mat.T * (x_mat * x_mat.T).inv()
    null_projector = sp.ImmutableMatrix((sp.eye(width) - pinv * x_mat).applyfunc(sp.cancel))
    in_row_space = (null_projector * gradient).applyfunc(sp.cancel)
    _require(_is_zero(in_row_space), "the gradient has a component outside row(X)")
    _require(
        _is_zero(pinv.applyfunc(sp.cancel) - x_mat.pinv().applyfunc(sp.cancel), sp.cancel),
        "Xᵀ(XXᵀ)⁻¹ is not SymPy's pseudo-inverse",
    )

    # End point of the flow: interpolates (gradient zero) and keeps the null component of β(0).
    (null_vector,) = x_mat.nullspace()
    equations = [*(x_mat * beta - y), (null_vector.T * (beta - beta0))[0]]
    (end_point,) = sp.linsolve(equations, list(beta))
    end_point = sp.ImmutableMatrix(end_point)
    expected = pinv * y + null_projector * beta0
    _require(_is_zero(end_point - expected, sp.cancel), "end point ≠ X⁺y + (I − P)β(0)")
    small_init = end_point.xreplace(dict.fromkeys(beta0, 0)).applyfunc(sp.factor)

    # Minimum-norm interpolator: stationary point of ‖β‖² − 2μᵀ(Xβ − y).
    mu = sp.ImmutableMatrix(sp.symbols(f"mu1:{rows + 1}", real=True))
    lagrangian = (beta.T * beta)[0] - 2 * (mu.T * (x_mat * beta - y))[0]
    stationary = sp.solve([sp.diff(lagrangian, v) for v in (*beta, *mu)], [*beta, *mu], dict=True)
    (stationary,) = stationary
    min_norm = sp.ImmutableMatrix([stationary[b] for b in beta])
    _require(_is_zero(min_norm - small_init, sp.cancel), "small-init end point ≠ min-norm")

    # Two-layer network on the balanced rank-one manifold: (I − P)u is conserved.
    flow = flow_equations(2, width)
    u = sp.ImmutableMatrix(sp.symbols(f"u1:{width + 1}", real=True))
    c = sp.Symbol("c", positive=True)
    v = _unit_vector(_P[0], _Q[0])
    w1, w2 = flow.weights
    on_manifold = dict(zip([*w1, *w2], [*(u * v.T), *(c * v)], strict=True))
    beta_hat = (u * v.T * c * v).applyfunc(sp.cancel)
    r_at = {r: g for r, g in zip(flow.residual, gradient.xreplace(dict(zip(beta, beta_hat))))}
    velocity1 = flow.velocities[0].xreplace(on_manifold).xreplace(r_at)
    u_rate = (velocity1 * v).applyfunc(sp.cancel)  # u̇ = Ẇ_1 v because vᵀv = 1
    _require(_is_zero(velocity1 - u_rate * v.T, sp.cancel), "Ẇ_1 leaves the form u vᵀ")
    velocity2 = flow.velocities[1].xreplace(on_manifold).xreplace(r_at)
    c_rate = sp.cancel((v.T * velocity2)[0])
    _require(_is_zero(velocity2 - c_rate * v, sp.cancel), "Ẇ_2 leaves the form c v")
    _require(sp.expand(sp.cancel(c * c_rate - (u.T * u_rate)[0])) == 0, "balance c² = ‖u‖² lost")
    frozen = (null_projector * u_rate).applyfunc(sp.cancel)
    _require(_is_zero(frozen), "(I − P)u is not conserved")

    expr = sp.ImmutableMatrix(in_row_space)
    return DerivedResult(
        name="scratch_row_space",
        title="Scratch training moves β̂ only in the row space of X; end point X⁺y",
        reference="Thm 3.5 (Yun et al. 2021; SPEC §2.3)",
        regime=Regime.EXACT,
        assumptions=(
            "empirical loss (1/n)‖Xβ − y‖², X ∈ ℝ^{n×d} of full row rank, n < d",
            "checked on a generic symbolic X with n = 2, d = 3",
            "small initialisation: β(0) = O(α^L) → 0",
        ),
        expr=expr,
        steps=(
            Step(sp.Eq(_LOSS, loss), "empirical loss (1/n)‖Xβ − y‖², n = 2, d = 3, X symbolic"),
            Step(gradient.applyfunc(sp.factor), "∇_β ℒ by differentiation: (2/n)Xᵀ(Xβ − y)"),
            Step(null_projector.applyfunc(sp.factor), "I − P with P = X⁺X, X⁺ = Xᵀ(XXᵀ)⁻¹"),
            Step(expr, "(I − P)∇_β ℒ = 0: the gradient lies in row(X)"),
            Step(
                end_point.applyfunc(sp.factor),
                "flow on β: (I − P)β is frozen, the flow stops where ∇ = 0 (Xβ = y); linsolve "
                "gives X⁺y + (I − P)β(0)",
            ),
            Step(small_init, "β(0) → 0 (small initialisation): the end point is X⁺y"),
            Step(
                min_norm.applyfunc(sp.factor),
                "Lagrange conditions of min ‖β‖² s.t. Xβ = y solved by SymPy: the same vector, "
                "so the end point is the minimum-norm interpolator",
            ),
            Step(
                frozen,
                "L = 2 on the balanced rank-one manifold W_1 = u vᵀ, W_2 = c v (c² = ‖u‖², "
                "conserved): u̇ = −c r, so (I − P)u̇ = 0 and (I − P)β̂ = c (I − P)u(0)",
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
