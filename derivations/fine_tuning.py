"""Fine-tuning the pretrained network on target data (Thm 3.9, eqs. 14–15; docs/paper.md §3.8).

Fine-tuning starts gradient flow on the target loss from the pretrained network, whose end-to-end
vector is β_s. The gradient of the loss with respect to the end-to-end vector,
g = (2/n) Xᵀ(Xβ̂ − y), lies in the row space of X, so the flow only moves β̂ inside row(X) and
ends at the interpolator whose row-space part is that of the scratch solution β̂_sc = X⁺y
(Thm 3.5). The paper (App. D.8, eq. 143) takes the null-space part to stay at (I − P)β_s:

    β̂_ft = β̂_sc + (I − P)β_s,    P = X⁺X.

In an orthonormal basis adapted to row(X) and null(X) (P = diag(I_r, 0), X⁺ε = (ξ, 0)) SymPy's
block-matrix algebra gives, for every X and ε,

    R_ft − R_sc = ‖(I − P)(β_s − β_t)‖² − ‖(I − P)β_t‖²

(the noise term ‖ξ‖² cancels). For a vector w independent of X, E‖(I − P)w‖² = wᵀ(I − E P)w is
the bias fraction of :func:`derivations.scratch.bias` (1 − γ for γ < 1, 0 for γ ≥ 1) times ‖w‖²,
and in the basis (β_s, ν) with β_t = cos θ β_s + sin θ ν SymPy finds ‖β_s − β_t‖² = 2 − 2cos θ.
Hence eq. 14, E R_ft − E R_sc = (1 − γ)(1 − 2cos θ) for γ < 1, and eq. 15,
T_ft = (1 − γ)(2cos θ − 1), which changes sign at θ = π/3 for every γ < 1.

Balanced-scale correction (third-party erratum, docs/paper.md §3.8 and §9.2.1). Exact gradient flow
of the L = 2 network from the balanced rank-one pretrained state W_1 = β_s vᵀ, W_2 = v
(‖v‖ = 1) keeps the form W_1 = u vᵀ, W_2 = c v with du/dt = −c g and dc/dt = −uᵀg (SymPy's matrix
derivatives). Therefore the null-space part of u is frozen at (I − P)β_s, the balance
‖u‖² − c² = 0 is conserved, and at convergence P(c u) = β̂_sc. With a = ‖(I − P)β_s‖² and
b = ‖β̂_sc‖², ‖u‖² = b/c² + a = c² gives the quartic c⁴ − a c² − b = 0, whose positive root is
c = √((a + √(a² + 4b))/2), and β̂_ft = β̂_sc + c(I − P)β_s. In the proportional limit a and b
concentrate on 1 − γ and γ + σ²γ/(1 − γ) (γ < 1), so c > 1 whenever σ > 0 and
T_ft = (1 − γ)(2c cos θ − c²); at σ = 0 the quartic factors as (c² − 1)(c² + γ) and c = 1, which
recovers eq. 15.

Reference: Tahir, Ganguli, Rotskoff, "Features are fate: a theory of transfer learning in
high-dimensional regression", ICML 2025 (arXiv 2410.08194), Thm 3.9, eqs. 14–15, App. D.8.
"""

from __future__ import annotations

import functools

import sympy as sp
from sympy import (
    BlockMatrix,
    Identity,
    MatAdd,
    MatMul,
    MatrixSymbol,
    Transpose,
    ZeroMatrix,
    block_collapse,
)

from derivations import record as check
from derivations import scratch
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import c_bal, d, gamma, sigma, theta

# Local symbols (not shared): the dimensions of row(X) and null(X) and the two numbers that fix
# the balanced scale.
_RANK = sp.Symbol("r", positive=True, integer=True)  # dim row(X) = min(n, d)
_NULLITY = sp.Symbol("k", positive=True, integer=True)  # dim null(X) = d − r
NULL_NORM2 = sp.Symbol("a", nonnegative=True)  # a = ‖(I − P)β_s‖²
SCRATCH_NORM2 = sp.Symbol("b", positive=True)  # b = ‖β̂_sc‖²
_A, _B = NULL_NORM2, SCRATCH_NORM2
_ONE = sp.Integer(1)

_ASSUMPTIONS = (
    "x ~ N(0, I_d); y = β_tᵀx + ε, ε ~ N(0, σ²); ‖β_s‖ = ‖β_t‖ = 1, β_sᵀβ_t = cos θ "
    "(Assumptions 3.1-3.2)",
    "pretraining on the source population loss: rank-one network with end-to-end vector β_s "
    "(Lemma 3.3, Thm 3.4)",
    "scratch training ends at β̂_sc = X⁺y (Thm 3.5, α → 0)",
    "fine-tuning by gradient flow from the pretrained network, trained to convergence",
)
_LIMIT = "n, d → ∞ with n/d → γ"
_MATRIX_ALGEBRA = (
    "matrix-symbol algebra (derivatives of gᵀW_1W_2, block products) checked when the record is "
    "built (an error otherwise); the cached plain rendering cannot redo it"
)
_REFERENCE = "Thm 3.9"


def simplify_radicals(expr: sp.Expr) -> sp.Expr:
    """``simplify`` after factoring the radicand of every square root (√((1 + γ)²) = 1 + γ)."""
    return sp.simplify(
        expr.replace(
            lambda e: e.is_Pow and e.exp == sp.S.Half, lambda e: sp.sqrt(sp.factor(e.base))
        )
    )


def _branches(pw: sp.Piecewise, transform) -> sp.Piecewise:
    """Apply ``transform`` to every branch expression of a Piecewise."""
    return sp.Piecewise(*[(transform(branch.expr), branch.cond) for branch in pw.args])


def _factor_name(factor: sp.Basic) -> str:
    if isinstance(factor, Transpose):
        return f"{_factor_name(factor.arg)}ᵀ"
    if isinstance(factor, MatrixSymbol):
        return str(factor.name)
    raise TypeError(f"cannot render the matrix factor {factor}")


def plain(expr: sp.Basic) -> sp.Basic:
    """A rendering of a matrix expression in plain symbols, for derivation steps.

    ``MatrixSymbol`` expressions do not survive the ``srepr`` round trip of the derivation cache
    (``cache.py``), so steps hold this rendering instead: a matrix symbol becomes a symbol of
    the same name, a bilinear form aᵀb the symbol ⟨a, b⟩ (‖a‖² when a = b), any other product
    the symbol of its factors joined by ``·``; block matrices become explicit matrices.
    """
    if isinstance(expr, sp.Tuple | tuple):
        return sp.Tuple(*(plain(item) for item in expr))
    if isinstance(expr, sp.BlockMatrix):
        blocks = expr.blocks
        return sp.ImmutableMatrix(blocks.rows, blocks.cols, [plain(b) for b in blocks])
    if not getattr(expr, "is_Matrix", False):
        return expr
    expanded = sp.expand(expr.doit())
    terms = expanded.args if isinstance(expanded, MatAdd) else (expanded,)
    total = sp.Integer(0)
    for term in terms:
        if isinstance(term, ZeroMatrix):
            continue
        factors = term.args if isinstance(term, MatMul) else (term,)
        scalars = [f for f in factors if not getattr(f, "is_Matrix", False)]
        matrices = [f for f in factors if getattr(f, "is_Matrix", False)]
        matrices = [f for f in matrices if not isinstance(f, Identity)]
        if any(isinstance(f, ZeroMatrix) for f in matrices):
            continue
        names = [_factor_name(f) for f in matrices]
        if len(names) == 2 and term.shape == (1, 1) and names[0].endswith("ᵀ"):
            left, right = names[0][:-1], names[1]
            left, right = sorted((left, right))
            name = f"‖{left}‖²" if left == right else f"⟨{left}, {right}⟩"
        else:
            name = "·".join(names)
        total += sp.Mul(*scalars) * sp.Symbol(name)
    return total


def null_space_excess_steps(source: str, scale: sp.Expr = _ONE) -> tuple[Step, ...]:
    """R_ft − R_sc for β̂_ft = β̂_sc + scale·(I − P)·source, in a basis adapted to row(X).

    In an orthonormal basis whose first r vectors span row(X), P = diag(I_r, 0), every vector is
    a block vector (Pw, (I − P)w) and X⁺ε = (ξ, 0). SymPy's block algebra computes the two errors
    and checks that R_ft − R_sc equals ‖(I − P)(scale·source − β_t)‖² − ‖(I − P)β_t‖².

    Args:
        source: name of the vector that fine-tuning keeps in the null space (e.g. ``"β_s"``).
        scale: the factor multiplying it (1 in the paper, the balanced scale c in the correction).

    Returns:
        The derivation steps (used by this module and by :mod:`derivations.finite_source`).
    """
    r, k = _RANK, _NULLITY

    def block_vector(name: str) -> BlockMatrix:
        return BlockMatrix([[MatrixSymbol(f"P{name}", r, 1)], [MatrixSymbol(f"(I−P){name}", k, 1)]])

    target, start = block_vector("β_t"), block_vector(source)
    added = source if scale == 1 else f"{scale}{source}"
    projector = BlockMatrix([[Identity(r), ZeroMatrix(r, k)], [ZeroMatrix(k, r), ZeroMatrix(k, k)]])
    identity = BlockMatrix([[Identity(r), ZeroMatrix(r, k)], [ZeroMatrix(k, r), Identity(k)]])
    noise = BlockMatrix([[MatrixSymbol("ξ", r, 1)], [ZeroMatrix(k, 1)]])  # X⁺ε ∈ row(X)

    scratch_fit = block_collapse(projector * target + noise)  # X⁺y = X⁺Xβ_t + X⁺ε
    fine_tuned = block_collapse(scratch_fit + scale * (identity - projector) * start)
    error_sc = block_collapse(scratch_fit - target)
    error_ft = block_collapse(fine_tuned - target)
    risk_sc = block_collapse(error_sc.T * error_sc)
    risk_ft = block_collapse(error_ft.T * error_ft)
    excess = sp.expand(block_collapse(risk_ft - risk_sc))

    moved = block_collapse((identity - projector) * (scale * start - target))
    kept = block_collapse((identity - projector) * target)
    claimed = sp.expand(block_collapse(moved.T * moved - kept.T * kept))
    if not sp.expand(excess - claimed).is_ZeroMatrix:  # the block rendering shown in the steps
        raise AssertionError(f"block algebra: R_ft − R_sc ≠ ‖(I − P)({added} − β_t)‖² − …")
    explicit_difference = _explicit_excess_identity(scale)

    return (
        Step(
            plain(sp.Tuple(scratch_fit, fine_tuned)),
            "basis adapted to row(X) and null(X): P = diag(I_r, 0), X⁺ε = (ξ, 0); "
            f"β̂_sc = Pβ_t + X⁺ε and fine-tuning keeps (I − P){added} in the null space",
            check.unchecked("the model of fine-tuning (App. D.8, eq. 143) in block form"),
        ),
        Step(
            plain(sp.Tuple(error_sc, error_ft)),
            "the errors β̂_sc − β_t and β̂_ft − β_t",
            check.equal(
                source=sp.Tuple(
                    plain(scratch_fit) - plain(target), plain(fine_tuned) - plain(target)
                )
            ),
        ),
        Step(
            plain(sp.Tuple(risk_sc, risk_ft)),
            "R = ‖β̂ − β_t‖² (block algebra; row and null blocks are orthogonal)",
            check.unchecked(
                "products of matrix symbols, computed by block_collapse when the record is built "
                "(the cached plain rendering cannot redo them)"
            ),
        ),
        Step(
            plain(excess),
            f"R_ft − R_sc: the noise term ‖ξ‖² cancels, leaving ‖(I − P)({added} − β_t)‖² "
            "− ‖(I − P)β_t‖² (checked by SymPy for every X, ε)",
            check.equal(source=plain(risk_ft) - plain(risk_sc)),
        ),
        Step(
            sp.Eq(sp.Symbol(f"R_ft − R_sc − ‖(I−P)({added} − β_t)‖² + ‖(I−P)β_t‖²"), sp.Integer(0)),
            "the same identity for an explicit X with one row xᵀ in R³ (P = xxᵀ/‖x‖², "
            "X⁺ε = xε/‖x‖²) and symbolic β_t and start: the cross terms vanish because P is the "
            "orthogonal projector on row(X), whatever n and d",
            check.identity(explicit_difference),
        ),
    )


def _explicit_excess_identity(scale: sp.Expr) -> sp.Expr:
    """R_ft − R_sc − [‖(I − P)(scale·w − β_t)‖² − ‖(I − P)β_t‖²] for one explicit data row.

    X = xᵀ ∈ R^{1×3} with symbolic entries: X⁺ = x/‖x‖², P = xxᵀ/‖x‖², X⁺ε = x ε/‖x‖². Returned
    unexpanded, so that the step check re-executes the algebra; it vanishes identically because
    P is the orthogonal projector on row(X) and X⁺ε lies in row(X).
    """
    x = sp.Matrix(sp.symbols("x_1:4", real=True))
    target = sp.Matrix(sp.symbols("t_1:4", real=True))
    start = sp.Matrix(sp.symbols("w_1:4", real=True))
    noise = sp.Symbol("epsilon", real=True)
    length2 = (x.T * x)[0]
    projector = x * x.T / length2
    null = sp.eye(3) - projector
    scratch_fit = projector * target + x * noise / length2  # X⁺y = X⁺Xβ_t + X⁺ε
    fine_tuned = scratch_fit + scale * null * start

    def norm2(vector: sp.Matrix) -> sp.Expr:
        return (vector.T * vector)[0]

    excess = norm2(fine_tuned - target) - norm2(scratch_fit - target)
    return excess - (norm2(null * (scale * start - target)) - norm2(null * target))


def _teachers_2d() -> tuple[sp.Matrix, sp.Matrix]:
    """β_s and β_t in the orthonormal basis (β_s, ν), ν ⊥ β_s (docs/paper.md §2.1)."""
    return sp.Matrix([1, 0]), sp.Matrix([sp.cos(theta), sp.sin(theta)])


@functools.cache
def _expected_excess(scale: sp.Expr) -> tuple[sp.Piecewise, tuple[Step, ...]]:
    """E‖(I − P)(scale·β_s − β_t)‖² − E‖(I − P)β_t‖² in the proportional limit."""
    bias = scratch.bias().expr  # E‖(I − P)w‖²/‖w‖² for w independent of X
    source, target = _teachers_2d()
    moved = scale * source - target
    moved_norm = sp.trigsimp(sp.expand(moved.dot(moved)))
    target_norm = sp.trigsimp(target.dot(target))
    w = MatrixSymbol("w", d, 1)
    fraction = sp.Symbol("q", positive=True)  # stands for the bias fraction
    quadratic = sp.expand(w.T * (fraction * Identity(d)) * w)
    excess = _branches(bias, lambda frac: sp.factor(frac * (moved_norm - target_norm)))
    label = "" if scale == 1 else str(scale)
    steps = (
        Step(
            plain(quadratic),
            "for w independent of X: E‖(I − P)w‖² = wᵀ(I − E P)w with I − E P = q I, "
            "q = bias fraction of scratch_bias (rotation invariance)",
            check.unchecked("rotation invariance: E P = (1 − q) I for a Gaussian design"),
        ),
        Step(
            sp.Eq(sp.Symbol("q"), bias),
            "the bias fraction in the proportional limit (scratch_bias)",
        ),
        Step(
            sp.Tuple(
                sp.Eq(sp.Symbol(f"‖{label}β_s − β_t‖²"), moved_norm),
                sp.Eq(sp.Symbol("‖β_t‖²"), target_norm),
            ),
            "norms in the basis (β_s, ν) with β_t = cos θ β_s + sin θ ν (trigsimp)",
            check.equal(
                source=sp.Tuple(
                    sp.Eq(sp.Symbol(f"‖{label}β_s − β_t‖²"), moved.dot(moved)),
                    sp.Eq(sp.Symbol("‖β_t‖²"), target.dot(target)),
                )
            ),
        ),
        Step(
            excess,
            f"E R_ft − E R_sc = q (‖{label}β_s − β_t‖² − ‖β_t‖²), branch by branch",
            check.equal(source=bias * (moved_norm - target_norm)),
        ),
    )
    return excess, steps


@functools.cache
def risk_excess() -> DerivedResult:
    """Eq. 14: E R_ft − E R_sc = (1 − γ)(1 − 2cos θ) for γ < 1, 0 otherwise."""
    identity_steps = null_space_excess_steps("β_s")
    excess, expectation_steps = _expected_excess(sp.Integer(1))
    return DerivedResult(
        name="ft_risk_excess",
        title="Excess risk of fine-tuning over training from scratch",
        reference=f"{_REFERENCE}, eq. 14",
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_ASSUMPTIONS,
            "fine-tuning keeps the null-space part (I − P)β_s of the start (App. D.8, eq. 143)",
            _LIMIT,
        ),
        expr=excess,
        steps=(*identity_steps, *expectation_steps),
        printed="eq14_ft_risk_excess",
        notes=(
            "Exact for every X, ε before the expectation; the expectation E P = min(n, d)/d I is "
            "exact at finite size too, so eq. 14 holds with γ = n/d at every (n, d). Independent "
            "of σ and of the depth L. Like eq. 15 it omits the balanced scale c (docs/paper.md "
            "§3.8): see ft_transferability_balanced."
        ),
        variables=(theta, gamma),
    )


@functools.cache
def transferability() -> DerivedResult:
    """Eq. 15: T_ft = E[R_sc − R_ft] = (1 − γ)(2cos θ − 1) for γ < 1, 0 otherwise."""
    excess = risk_excess().expr
    result = _branches(excess, lambda branch: sp.factor(-branch))
    return DerivedResult(
        name="ft_transferability",
        title="Transferability of fine-tuning",
        reference=f"{_REFERENCE}, eq. 15",
        regime=Regime.ASYMPTOTIC,
        assumptions=risk_excess().assumptions,
        expr=result,
        steps=(
            Step(excess, "E R_ft − E R_sc (ft_risk_excess)"),
            Step(
                result,
                "T_ft = E[R_sc − R_ft] = −(E R_ft − E R_sc) (docs/paper.md §2.4)",
                check.equal(source=-excess),
            ),
        ),
        printed="eq15_ft_transferability",
        notes=(
            "Erratum (third-party, docs/paper.md §3.8 and §9.2.1): eq. 15 omits the balanced "
            "scale c of fine-tuning by gradient flow; it is exact only for σ → 0. The corrected "
            "result is ft_transferability_balanced, (1 − γ)(2c cos θ − c²) with c = "
            "ft_balance_scale. The paper prints the first branch for γ ≤ 1; both branches vanish "
            "at γ = 1."
        ),
        variables=(theta, gamma),
    )


@functools.cache
def break_even_angle() -> DerivedResult:
    """θ = π/3: the angle at which T_ft vanishes for every γ < 1."""
    under = transferability().expr.args[0].expr
    factors = [factor for factor, _ in sp.factor_list(under)[1] if factor.has(theta)]
    (angular,) = factors
    roots = sp.solveset(angular, theta, sp.Interval(0, sp.pi / 2))
    (angle,) = roots
    slope = sp.factor(sp.diff(under, theta))
    return DerivedResult(
        name="ft_break_even_angle",
        title="Angle at which fine-tuning breaks even with scratch training",
        reference=f"{_REFERENCE} (consequence of eq. 15)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*risk_excess().assumptions, "γ < 1", "0 ≤ θ ≤ π/2"),
        expr=angle,
        steps=(
            Step(under, "the γ < 1 branch of eq. 15 (ft_transferability)"),
            Step(
                angular,
                "the only θ-dependent factor (1 − γ > 0 for γ < 1)",
                check.identity(sp.diff(under / angular, theta)),
            ),
            Step(
                roots,
                "its zeros in [0, π/2] (solveset)",
                check.solutions(theta, within=(0, sp.pi / 2)),
            ),
            Step(
                slope,
                "∂T_ft/∂θ = −2(1 − γ) sin θ < 0 on (0, π/2]: positive transfer for θ < π/3, "
                "negative for θ > π/3",
                check.derivative(theta, source=under),
            ),
        ),
        notes=(
            "With the balanced scale c the break-even condition becomes cos θ = c/2 "
            "(docs/paper.md §9.2.1), i.e. a slightly smaller angle for σ > 0."
        ),
        variables=(),
    )


@functools.cache
def flow_steps() -> tuple[Step, ...]:
    """Gradient flow of W_1 = u vᵀ, W_2 = c v: du/dt = −c g, dc/dt = −uᵀg, ‖u‖² − c² conserved."""
    g = MatrixSymbol("g", d, 1)  # ∇_β̂ of the target loss, a vector in row(X)
    w1, w2 = MatrixSymbol("W_1", d, d), MatrixSymbol("W_2", d, 1)
    u, v = MatrixSymbol("u", d, 1), MatrixSymbol("v", d, 1)
    first_order = g.T * w1 * w2  # the loss to first order around the current weights
    ansatz = {w1: u * v.T, w2: c_bal * v}
    flow_w1 = (-first_order.diff(w1)).subs(ansatz)
    flow_w2 = (-first_order.diff(w2)).subs(ansatz)
    unit = {v.T * v: Identity(1)}  # ‖v‖ = 1
    u_dot = (flow_w1 * v).subs(unit)
    c_dot = (v.T * flow_w2).subs(unit)
    conserved = sp.expand(2 * u.T * u_dot - 2 * c_bal * c_dot)
    if not conserved.is_ZeroMatrix:  # the matrix-symbol rendering shown in the steps
        raise AssertionError(f"matrix algebra: d/dt(‖u‖² − c²) = {conserved}, expected 0")
    explicit_rate = _explicit_balance_rate()
    end_to_end = ((u * v.T) * (c_bal * v)).subs(unit)

    r, k = _RANK, _NULLITY
    g_block = BlockMatrix([[MatrixSymbol("Pg", r, 1)], [ZeroMatrix(k, 1)]])
    null_projector = BlockMatrix(
        [[ZeroMatrix(r, r), ZeroMatrix(r, k)], [ZeroMatrix(k, r), Identity(k)]]
    )
    frozen = block_collapse(null_projector * (-c_bal * g_block))
    return (
        Step(
            plain(sp.Tuple(flow_w1, flow_w2)),
            "L = 2 gradient flow dW_1/dt = −g W_2ᵀ, dW_2/dt = −W_1ᵀg (matrix derivatives of "
            "gᵀW_1W_2) at W_1 = u vᵀ, W_2 = c v: both keep this form with v fixed",
            check.unchecked(_MATRIX_ALGEBRA),
        ),
        Step(
            plain(sp.Tuple(u_dot, c_dot)),
            "du/dt = dW_1/dt v and dc/dt = vᵀdW_2/dt with ‖v‖ = 1",
            check.unchecked(_MATRIX_ALGEBRA),
        ),
        Step(
            plain(conserved),
            "d/dt(‖u‖² − c²) = 2uᵀdu/dt − 2cdc/dt = 0: the balance is conserved, and it is 0 at "
            "the balanced pretrained start (u = β_s, c = 1 for a unit β_s)",
            check.unchecked(_MATRIX_ALGEBRA),
        ),
        Step(
            sp.Eq(sp.Symbol("d/dt(‖u‖² − c²)"), sp.Integer(0)),
            "the same on explicit 3 × 3 weights: the flow −∂(gᵀW_1W_2)/∂W entry by entry at "
            "W_1 = u vᵀ, W_2 = c v, then 2uᵀ(dW_1/dt v) − 2c vᵀdW_2/dt vanishes (for any v; "
            "‖v‖ = 1 only identifies these with du/dt and dc/dt); the computation does not "
            "depend on the width",
            check.identity(explicit_rate),
        ),
        Step(
            plain(end_to_end),
            "end-to-end vector β̂ = W_1 W_2 = c u",
            check.unchecked(_MATRIX_ALGEBRA),
        ),
        Step(
            plain(frozen),
            "g ∈ row(X), so (I − P)du/dt = 0: the null part of u stays at its start, (I − P)β_s "
            "for a unit β_s",
            check.unchecked(_MATRIX_ALGEBRA),
        ),
    )


def _explicit_balance_rate() -> sp.Expr:
    """d/dt(‖u‖² − c²) along the flow of W_1 = u vᵀ, W_2 = c v with explicit 3 × 3 weights.

    The flow is −∂(gᵀW_1W_2)/∂W, differentiated entry by entry. Returned unexpanded, so that the
    step check re-executes the algebra; it vanishes identically.
    """
    width = 3
    g = sp.Matrix(sp.symbols(f"g_1:{width + 1}", real=True))
    u = sp.Matrix(sp.symbols(f"u_1:{width + 1}", real=True))
    v = sp.Matrix(sp.symbols(f"v_1:{width + 1}", real=True))
    w1 = sp.Matrix(width, width, lambda i, j: sp.Symbol(f"W1_{i + 1}{j + 1}", real=True))
    w2 = sp.Matrix(sp.symbols(f"W2_1:{width + 1}", real=True))
    loss = (g.T * w1 * w2)[0]
    ansatz = {**dict(zip(w1, u * v.T, strict=True)), **dict(zip(w2, c_bal * v, strict=True))}
    flow_w1 = w1.applyfunc(lambda entry: -sp.diff(loss, entry)).subs(ansatz)
    flow_w2 = w2.applyfunc(lambda entry: -sp.diff(loss, entry)).subs(ansatz)
    u_dot = flow_w1 * v  # du/dt = dW_1/dt v for a unit v
    c_dot = (v.T * flow_w2)[0]  # dc/dt = vᵀ dW_2/dt
    return 2 * (u.T * u_dot)[0] - 2 * c_bal * c_dot


@functools.cache
def balance_quartic() -> tuple[sp.Eq, sp.Expr, list[sp.Expr], sp.Expr]:
    """The balance condition, its quartic in c, the roots, and the positive root c(a, b)."""
    balance = sp.Eq(_B / c_bal**2 + _A, c_bal**2)
    quartic = sp.expand((balance.rhs - balance.lhs) * c_bal**2)
    roots = sp.solve(quartic, c_bal)
    probe = {_A: 1, _B: 1}
    (root,) = [candidate for candidate in roots if candidate.subs(probe).is_positive]
    return balance, quartic, roots, root


def scratch_norm_limit() -> sp.Expr:
    """b = ‖β̂_sc‖² → (1 − bias) + variance = γ + σ²γ/(1 − γ) for γ < 1.

    From scratch_bias and scratch_variance (proportional limit).
    β̂_sc = Pβ_t + X⁺ε; the cross term has mean 0 and ‖Pβ_t‖² = 1 − ‖(I − P)β_t‖².
    """
    bias, variance = scratch.bias().expr, scratch.variance().expr
    return sp.factor((1 - bias.args[0].expr) + variance.args[0].expr)


@functools.cache
def balance_root() -> DerivedResult:
    """c(a, b): the positive root of c⁴ − a c² − b = 0 for one data set (docs/paper.md §3.8)."""
    balance, quartic, roots, root = balance_quartic()
    return DerivedResult(
        name="ft_balance_root",
        title="Balanced scale of fine-tuning for given null-space and scratch norms",
        reference=f"{_REFERENCE}, correction (docs/paper.md §3.8, §9.2.1)",
        regime=Regime.EXACT,
        assumptions=(
            "L = 2; gradient flow from the exactly balanced rank-one state W_1 = β_s vᵀ, W_2 = v",
            "a = ‖(I − P)β_s‖² >= 0 and b = ‖β̂_sc‖² > 0 of one data set",
        ),
        expr=root,
        steps=(
            Step(
                balance,
                "‖u‖² = b/c² + a at convergence; balance ‖u‖² = c²",
                check.unchecked("the convergence and balance argument of ft_balance_scale"),
            ),
            Step(
                sp.Eq(quartic, 0),
                "multiply by c²: the quartic c⁴ − a c² − b = 0",
                check.equal(source=sp.Eq((balance.rhs - balance.lhs) * c_bal**2, 0)),
            ),
            Step(sp.Tuple(*roots), "the roots of the biquadratic", check.solutions(c_bal, quartic)),
            Step(sp.Eq(c_bal, root), "the only positive real root"),
        ),
        notes="Per data set (the Monte Carlo of the limit object uses it); ft_balance_scale is "
        "its concentration limit.",
        variables=(_A, _B),
    )


@functools.cache
def balance_scale() -> DerivedResult:
    """The balanced scale c(γ, σ) > 1 of fine-tuning by gradient flow (docs/paper.md §9.2.1)."""
    flow = flow_steps()
    balance, quartic, roots, root = balance_quartic()

    bias = scratch.bias().expr
    variance = scratch.variance().expr
    a_under = bias.args[0].expr  # ‖(I − P)β_s‖² → 1 − γ
    b_under = scratch_norm_limit()  # ‖Pβ_t‖² + ‖X⁺ε‖²
    c_under = root.subs({_A: a_under, _B: b_under})
    result = sp.Piecewise((c_under, gamma < 1), (1, True))

    noiseless_quartic = sp.factor(quartic.subs({_A: a_under, _B: b_under.subs(sigma, 0)}))
    return DerivedResult(
        name="ft_balance_scale",
        title="Balanced scale c of fine-tuning by gradient flow (correction of Thm 3.9)",
        reference=f"{_REFERENCE}, correction (docs/paper.md §3.8, §9.2.1)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_ASSUMPTIONS,
            "L = 2; fine-tuning starts at the exactly balanced rank-one state W_1 = β_s vᵀ, "
            "W_2 = v, ‖v‖ = 1",
            _LIMIT,
        ),
        expr=result,
        steps=(
            *flow,
            Step(
                balance,
                "at convergence P(c u) = β̂_sc, so ‖u‖² = ‖Pu‖² + ‖(I − P)u‖² = b/c² + a, "
                "a = ‖(I − P)β_s‖², b = ‖β̂_sc‖²; balance ‖u‖² = c²",
                check.unchecked("Pythagoras in row(X) ⊕ null(X) at the end of the flow"),
            ),
            Step(
                sp.Eq(quartic, 0),
                "multiply by c²: the quartic c⁴ − a c² − b = 0",
                check.equal(source=sp.Eq((balance.rhs - balance.lhs) * c_bal**2, 0)),
            ),
            Step(
                sp.Tuple(*roots),
                "the roots of the biquadratic (solve, with c > 0 assumed)",
                check.solutions(c_bal, quartic),
            ),
            Step(sp.Eq(c_bal, root), "the only positive real root (a, b > 0)"),
            Step(
                sp.Tuple(sp.Eq(_A, a_under), sp.Eq(_B, b_under)),
                "γ < 1: a → 1 − γ (scratch_bias); b = ‖Pβ_t‖² + 2β_tᵀPX⁺ε + ‖X⁺ε‖² → "
                "(1 − bias) + variance (scratch_variance), the cross term has mean 0",
                check.equal(
                    source=sp.Tuple(
                        sp.Eq(_A, bias.args[0].expr),
                        sp.Eq(_B, 1 - bias.args[0].expr + variance.args[0].expr),
                    )
                ),
            ),
            Step(
                result,
                "concentration: c → its deterministic equivalent; γ ≥ 1: P = I, c is immaterial",
                check.substitution(
                    {_A: a_under, _B: b_under}, source=sp.Piecewise((root, gamma < 1), (1, True))
                ),
            ),
            Step(
                sp.Eq(noiseless_quartic, 0),
                "σ = 0: the quartic factors, (c² − 1)(c² + γ) = 0",
                check.substitution(
                    {_A: a_under, _B: b_under.subs(sigma, 0)}, source=sp.Eq(quartic, 0)
                ),
            ),
            Step(
                sp.Eq(c_bal, sp.Integer(1)),
                "so the limit c = 1 when σ = 0 (eq. 15 is recovered)",
                check.substitution({sigma: 0}, source=c_under),
            ),
        ),
        notes=(
            "Third-party correction (docs/paper.md §3.8 and §9.2.1; not printed in the paper): the "
            "paper takes c = 1. c is the concentration limit of the random scale solving "
            "c⁴ − ‖(I − P)β_s‖² c² − ‖β̂_sc‖² = 0, with a and b replaced by their deterministic "
            "equivalents 1 − γ and γ + σ²γ/(1 − γ). For γ ≥ 1 the null space is trivial and the "
            "correction c(I − P)β_s vanishes, so the record sets c = 1 there (no nan at γ ≥ 1). "
            "c(0.5, 0.2) ≈ 1.013; c(0.5, 1) = √1.5."
        ),
        variables=(gamma, sigma),
    )


@functools.cache
def transferability_balanced() -> DerivedResult:
    """T_ft = (1 − γ)(2c cos θ − c²) with the balanced scale c(γ, σ) (corrected eq. 15)."""
    identity_steps = null_space_excess_steps("β_s", c_bal)
    excess, expectation_steps = _expected_excess(c_bal)
    symbolic = _branches(excess, lambda branch: sp.factor(-branch))
    c_under = balance_scale().expr.args[0].expr
    if symbolic.args[0].cond != (gamma < 1):  # the branch order of _expected_excess
        raise AssertionError(f"expected the branch γ < 1 first, got {symbolic.args[0].cond}")
    result = sp.Piecewise((symbolic.args[0].expr.subs(c_bal, c_under), gamma < 1), (0, True))
    noiseless = sp.Piecewise(
        (sp.factor(sp.simplify(symbolic.args[0].expr.subs(c_bal, 1))), gamma < 1), (0, True)
    )
    at_zero_noise = simplify_radicals(c_under.subs(sigma, 0))
    printed_branch = transferability().expr.args[0].expr
    return DerivedResult(
        name="ft_transferability_balanced",
        title="Transferability of fine-tuning with the balanced scale c (corrected eq. 15)",
        reference=f"{_REFERENCE}, eq. 15 corrected (docs/paper.md §3.8, §9.2.1)",
        regime=Regime.ASYMPTOTIC,
        assumptions=balance_scale().assumptions,
        expr=result,
        steps=(
            *identity_steps,
            *expectation_steps,
            Step(
                symbolic,
                "T_ft = −(E R_ft − E R_sc) with β̂_ft = β̂_sc + c(I − P)β_s",
                check.equal(source=-excess),
            ),
            Step(
                result,
                "substitute c(γ, σ) (ft_balance_scale)",
                check.substitution({c_bal: c_under}, source=symbolic),
            ),
            Step(
                sp.Tuple(sp.Eq(c_bal, at_zero_noise), noiseless),
                "σ = 0: c = 1 and the result reduces to eq. 15, (1 − γ)(2cos θ − 1) "
                "(checked by SymPy)",
                check.substitution({sigma: 0}, source=sp.Tuple(sp.Eq(c_bal, c_under), result)),
            ),
            Step(
                sp.Eq(result.args[0].expr.subs(sigma, 0), printed_branch),
                "the γ < 1 branch at σ = 0 is that of eq. 15 (ft_transferability)",
                check.identity(result.args[0].expr.subs(sigma, 0) - printed_branch),
            ),
        ),
        printed=None,
        notes=(
            "Correction of eq. 15 (third-party, docs/paper.md §3.8 and §9.2.1), so no printed "
            "formula: the paper's eq. 15 is this result at c = 1, exact only for σ → 0. c is the "
            "concentration limit of the random balanced scale; the excess-risk expectation uses "
            "that the quadratic forms of the random projection concentrate. Break-even at cos θ = "
            "c/2. At γ = 0.5, σ = 0.2: c ≈ 1.013 and T_ft(π/3) ≈ −0.007 instead of 0."
        ),
        variables=(theta, gamma, sigma),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return (
        risk_excess(),
        transferability(),
        break_even_angle(),
        balance_root(),
        balance_scale(),
        transferability_balanced(),
    )
