"""Transfer from a network pretrained on finite, noisy source data (App. C, Thm C.1).

docs/paper.md §3.9 states the results and their settings.

The source network is pretrained by small-initialisation gradient flow on n_s = γ_s d samples
y_s = X_sβ_s + ε_s with noise level σ_s. By Thm 3.5 its end-to-end vector is the minimum-norm
solution β̂_s = X_s⁺y_s = P_sβ_s + X_s⁺ε_s (P_s = X_s⁺X_s), and by the same conservation argument as
Thm 3.4 its feature map is rank one along β̂_s. Everything then follows from the infinite-source
results with β_s replaced by β̂_s, a random vector independent of the target data:

* ``finite_source_overlap``: E⟨β_t, β̂_s⟩ = β_tᵀ(E P_s)β_s = cos θ · min(1, γ_s), with
  E P_s = (1 − bias) I from :func:`derivations.scratch.bias` at γ → γ_s (the noise term has mean 0).
* ``finite_source_norm`` (eq. 152): in a basis adapted to row(X_s), ‖β̂_s‖² = ‖P_sβ_s‖² +
  2⟨P_sβ_s, X_s⁺ε_s⟩ + ‖X_s⁺ε_s‖²; the cross term has mean 0, ‖P_sβ_s‖² = 1 − ‖(I − P_s)β_s‖² has
  mean 1 − bias and ‖X_s⁺ε_s‖² has mean :func:`derivations.scratch.variance`, both at
  (γ, σ) → (γ_s, σ_s).
* ``ft_transferability_finite_source`` (eq. 22): the block-matrix identity of
  :func:`derivations.fine_tuning.null_space_excess_steps` with β̂_s in the null space gives
  R_ft − R_sc = ‖(I − P)(β̂_s − β_t)‖² − ‖(I − P)β_t‖²; averaging over the target data (P is
  independent of β̂_s) gives (1 − γ)₊(‖β̂_s‖² − 2⟨β_t, β̂_s⟩) (SymPy expands the norms in the basis
  (β_s, ν, e)), and averaging over the source data gives T_ft = (1 − γ)₊(2E⟨β_t, β̂_s⟩ − E‖β̂_s‖²).
* ``finite_source_break_even`` (eq. 23): T_ft is linear and increasing in cos θ; SymPy solves
  T_ft = 0 for cos θ in each γ_s branch: cos θ* = (1/2)(1 + σ_s²/|1 − γ_s|).
* ``ft_transferability_finite_source_balanced`` (eq. 22 corrected; not printed): pretraining ends
  balanced, W_1 = u₀vᵀ, W_2 = c₀v with c₀⁴ = ‖β̂_s‖², and gradient flow of fine-tuning multiplies
  (I − P)β̂_s by κ = c/c₀, c the positive root of the balance quartic of
  :func:`derivations.fine_tuning.balance_root`; T_ft = (1 − γ)(2κ E O − κ² E N). Since ‖β̂_s‖ ≠ 1,
  κ ≠ 1 even without noise. ``ft_risk_finite_source_balanced_d`` is the risk at finite (n, d, n_s).
* ``lt_risk_finite_source`` (derived in docs/paper.md §3.9, not printed in the paper): re-fitting
  the readout of the rank-one feature map with n_t → ∞ target samples gives the population-optimal
  multiple of β̂_s; SymPy minimises ‖β_t − bβ̂_s‖² over b, R = 1 − ⟨β_t, β̂_s⟩²/‖β̂_s‖², and the
  concentration limits of ⟨β_t, β̂_s⟩ and ‖β̂_s‖² give the proportional-limit risk.
* ``lt_transferability_finite_source``: eq. 8 (:func:`derivations.scratch.risk`) minus that risk.

Conventions: ``Piecewise`` results list γ_s < 1, γ_s > 1 and the value at γ_s = 1 (the common
one-sided limit, from :func:`derivations.scratch.value_at_one`), like eq. 8. The results inherit
the omission of the balanced scale c of fine-tuning (docs/paper.md §3.8, §3.9, §9.2.1; see
:mod:`derivations.fine_tuning`).

Reference: Tahir, Ganguli, Rotskoff, "Features are fate: a theory of transfer learning in
high-dimensional regression", ICML 2025 (arXiv 2410.08194), App. C, Thm C.1, eqs. 22, 23, 152.
"""

from __future__ import annotations

import functools

import sympy as sp
from sympy import BlockMatrix, Identity, MatrixSymbol, ZeroMatrix, block_collapse

from derivations import fine_tuning, scratch
from derivations import record as check
from derivations.fine_tuning import null_space_excess_steps, plain
from derivations.linear_transfer import lt_risk as lt_risk_exact
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import d, gamma, gamma_s, n, n_s, sigma, sigma_s, theta

# Local symbols (not shared): dimensions of row(X_s) and null(X_s), the components of β̂_s in the
# orthonormal basis (β_s, ν, e), the two random scalars of the source fit, the readout coefficient
# of linear transfer and cos θ as an unknown.
_RANK = sp.Symbol("r_s", positive=True, integer=True)
_NULLITY = sp.Symbol("k_s", positive=True, integer=True)
_H = sp.symbols("h_1:4", real=True)
_NORM = sp.Symbol("N", positive=True)  # N = ‖β̂_s‖²
_OVERLAP = sp.Symbol("O", real=True)  # O = ⟨β_t, β̂_s⟩
_READOUT = sp.Symbol("b", real=True)
_COS = sp.Symbol("cos_theta", real=True)
_COS_PLAIN = sp.Symbol("cos_theta_plain", nonnegative=True)  # cos θ on [0, π/2], during limits
_START = sp.Symbol("c_0", positive=True)  # output weight of the balanced pretrained start
_KAPPA = sp.Symbol("κ", positive=True)  # the factor fine-tuning puts on (I − P)β̂_s

_TO_SOURCE = {gamma: gamma_s, sigma: sigma_s}
_FROM_SOURCE = {gamma_s: gamma, sigma_s: sigma}

_ASSUMPTIONS = (
    "x ~ N(0, I_d); y_t = β_tᵀx + ε, ε ~ N(0, σ²); ‖β_s‖ = ‖β_t‖ = 1, β_sᵀβ_t = cos θ "
    "(Assumptions 3.1-3.2)",
    "source data: n_s = γ_s d samples y_s = X_sβ_s + ε_s, ε_s ~ N(0, σ_s²), independent of the "
    "target data",
    "small-initialisation gradient flow: pretraining ends at β̂_s = X_s⁺y_s with a rank-one feature "
    "map along β̂_s, scratch training at X⁺y (Thm 3.5)",
)
_LIMIT = "n, n_s, d → ∞ with n/d → γ, n_s/d → γ_s"
_REFERENCE = "Thm C.1"


def _at_one(under: sp.Expr, over: sp.Expr) -> sp.Expr:
    """Value at γ_s = 1 of a piecewise source result: scratch.value_at_one in source symbols.

    cos θ is held as a plain symbol during the limits, so that the two one-sided limits come out
    in the same form (SymPy would otherwise return sin²θ on one side and 1 − cos²θ on the other,
    which ``value_at_one`` would take for different values).
    """
    cosine = {sp.cos(theta): _COS_PLAIN}
    value = scratch.value_at_one(
        under.xreplace(cosine).xreplace(_FROM_SOURCE), over.xreplace(cosine).xreplace(_FROM_SOURCE)
    )
    return value.xreplace(_TO_SOURCE).xreplace({_COS_PLAIN: sp.cos(theta)})


def _source_piecewise(under: sp.Expr, over: sp.Expr) -> sp.Piecewise:
    return sp.Piecewise((under, gamma_s < 1), (over, gamma_s > 1), (_at_one(under, over), True))


def _teachers_3d() -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    """β_s, β_t and β̂_s in the orthonormal basis (β_s, ν, e), e ⊥ β_s, ν (docs/paper.md §2.1)."""
    source = sp.Matrix([1, 0, 0])
    target = sp.Matrix([sp.cos(theta), sp.sin(theta), 0])
    estimate = sp.Matrix(_H)
    return source, target, estimate


def _source_fit() -> tuple[sp.Basic, sp.Basic]:
    """β̂_s = X_s⁺(X_sβ_s + ε_s) = P_sβ_s + X_s⁺ε_s (matrix algebra)."""
    pinv = MatrixSymbol("X_s⁺", d, n_s)
    data = MatrixSymbol("X_s", n_s, d)
    beta = MatrixSymbol("β_s", d, 1)
    noise = MatrixSymbol("ε_s", n_s, 1)
    projector = MatrixSymbol("P_s", d, d)
    fit = sp.expand(pinv * (data * beta + noise))
    split = fit.subs(pinv * data, projector)
    if not split.has(projector):  # the substitution X_s⁺X_s → P_s must apply
        raise AssertionError(f"X_s⁺X_s not found in {fit}")
    return fit, split


@functools.cache
def overlap() -> DerivedResult:
    """E⟨β_t, β̂_s⟩ = cos θ · min(1, γ_s)."""
    fit, split = _source_fit()
    target = MatrixSymbol("β_t", d, 1)
    inner = sp.expand(target.T * split)
    mean_projection = sp.Symbol("m", positive=True)  # E P_s = m I
    averaged = sp.expand(target.T * (mean_projection * Identity(d)) * MatrixSymbol("β_s", d, 1))
    bias = scratch.bias().expr.xreplace(_TO_SOURCE)
    kept = sp.Piecewise(*[(sp.expand(1 - b.expr), b.cond) for b in bias.args])
    source, target_2, _ = _teachers_3d()
    cosine = sp.trigsimp(source.dot(target_2))
    result = sp.Piecewise(*[(branch.expr * cosine, branch.cond) for branch in kept.args])
    return DerivedResult(
        name="finite_source_overlap",
        title="Mean overlap of the pretrained source vector with the target teacher",
        reference=f"{_REFERENCE}, proof (App. C)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _LIMIT),
        expr=result,
        steps=(
            Step(
                plain(fit),
                "β̂_s = X_s⁺y_s with y_s = X_sβ_s + ε_s",
                check.unchecked("the model: pretraining ends at the minimum-norm fit (Thm 3.5)"),
            ),
            Step(
                plain(split),
                "X_s⁺X_s = P_s, the projector on the row space of X_s",
                check.unchecked("definition of P_s (a renaming)"),
            ),
            Step(
                plain(inner),
                "⟨β_t, β̂_s⟩ = β_tᵀP_sβ_s + β_tᵀX_s⁺ε_s",
                check.unchecked("matrix-symbol algebra; the cached plain rendering cannot redo it"),
            ),
            Step(
                plain(averaged),
                "the noise term is linear in ε_s (mean 0, independent of X_s); E P_s = m I "
                "(rotation invariance)",
                check.unchecked("mean-zero noise and rotation invariance of the design"),
            ),
            Step(
                sp.Eq(mean_projection, kept),
                "m = 1 − bias fraction (scratch_bias at γ → γ_s)",
                check.equal(source=sp.Eq(mean_projection, sp.piecewise_fold(1 - bias))),
            ),
            Step(
                sp.Eq(sp.Symbol("⟨β_s, β_t⟩"), cosine),
                "in the basis (β_s, ν)",
                check.equal(source=sp.Eq(sp.Symbol("⟨β_s, β_t⟩"), source.dot(target_2))),
            ),
            Step(
                result,
                "E⟨β_t, β̂_s⟩ = m cos θ = cos θ · min(1, γ_s)",
                check.equal(source=kept * cosine),
            ),
        ),
        notes=(
            "E P_s = min(n_s, d)/d · I holds exactly at finite size, so this mean is exact with "
            "γ_s = n_s/d; ⟨β_t, β̂_s⟩ also concentrates on it as d → ∞."
        ),
        variables=(theta, gamma_s),
    )


@functools.cache
def norm() -> DerivedResult:
    """Eq. 152: E‖β̂_s‖² = γ_s + σ_s²γ_s/(1 − γ_s) (γ_s < 1), 1 + σ_s²/(γ_s − 1) (γ_s > 1)."""
    _, split = _source_fit()
    r, k = _RANK, _NULLITY
    fit_block = BlockMatrix(
        [[MatrixSymbol("P_sβ_s", r, 1) + MatrixSymbol("ξ_s", r, 1)], [ZeroMatrix(k, 1)]]
    )
    squared = sp.expand(block_collapse(fit_block.T * fit_block))

    bias = scratch.bias().expr
    variance = scratch.variance().expr
    bias_under, bias_over = bias.args[0].expr, bias.args[1].expr
    var_under, var_over = variance.args[0].expr, variance.args[1].expr
    under = sp.factor((1 - bias_under) + var_under).xreplace(_TO_SOURCE)
    over = sp.factor((1 - bias_over) + var_over).xreplace(_TO_SOURCE)
    result = _source_piecewise(under, over)
    return DerivedResult(
        name="finite_source_norm",
        title="Mean squared norm of the pretrained source vector",
        reference=f"{_REFERENCE}, eq. 152",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _LIMIT),
        expr=result,
        steps=(
            Step(plain(split), "β̂_s = P_sβ_s + X_s⁺ε_s (finite_source_overlap)"),
            Step(
                plain(squared),
                "basis adapted to row(X_s): β̂_s = (P_sβ_s + ξ_s, 0) with ξ_s = X_s⁺ε_s ∈ row(X_s)",
                check.unchecked("block products of matrix symbols (block_collapse)"),
            ),
            Step(
                sp.Eq(
                    sp.Symbol("E‖P_sβ_s‖²"),
                    sp.Piecewise((1 - bias_under, gamma < 1), (1 - bias_over, True)).xreplace(
                        _TO_SOURCE
                    ),
                ),
                "‖P_sβ_s‖² = ‖β_s‖² − ‖(I − P_s)β_s‖²: 1 − scratch_bias at γ → γ_s",
                check.substitution(_TO_SOURCE, source=sp.piecewise_fold(1 - bias)),
            ),
            Step(
                sp.Eq(sp.Symbol("E‖ξ_s‖²"), variance.xreplace(_TO_SOURCE)),
                "scratch_variance at (γ, σ) → (γ_s, σ_s); the cross term is linear in ε_s (mean 0)",
                check.substitution(_TO_SOURCE, source=variance),
            ),
            Step(
                result,
                "sum, branch by branch; at γ_s = 1 the one-sided limits (∞ for σ_s > 0)",
                check.equal(
                    source=sp.piecewise_fold(1 - bias).xreplace(_TO_SOURCE)
                    + variance.xreplace(_TO_SOURCE)
                ),
            ),
        ),
        printed="eq152_source_norm",
        notes=(
            "The exact finite-size mean is n_s/d + σ_s² n_s/(d − n_s − 1) for n_s < d − 1 and "
            "1 + σ_s² d/(n_s − d − 1) for n_s > d + 1 (inverse-Wishart means, as in "
            "scratch_risk_finite); ‖β̂_s‖² concentrates on the limit."
        ),
        variables=(gamma_s, sigma_s),
    )


@functools.cache
def _target_average() -> tuple[sp.Expr, tuple[Step, ...]]:
    """‖β̂_s − β_t‖² − ‖β_t‖² = N − 2O, from the components in the basis (β_s, ν, e)."""
    _, target, estimate = _teachers_3d()
    moved = estimate - target
    difference = sp.trigsimp(sp.expand(moved.dot(moved) - target.dot(target)))
    norm_sq, inner = estimate.dot(estimate), target.dot(estimate)
    in_scalars = _NORM - 2 * _OVERLAP
    steps = (
        Step(
            difference,
            "β̂_s = (h_1, h_2, h_3) in the basis (β_s, ν, e), β_t = (cos θ, sin θ, 0): "
            "‖β̂_s − β_t‖² − ‖β_t‖² (trigsimp)",
            check.equal(source=moved.dot(moved) - target.dot(target)),
        ),
        Step(
            sp.Tuple(sp.Eq(_NORM, norm_sq), sp.Eq(_OVERLAP, inner), in_scalars),
            "it equals N − 2O with N = ‖β̂_s‖² and O = ⟨β_t, β̂_s⟩ (checked by SymPy)",
            check.identity(difference - (norm_sq - 2 * inner)),
        ),
    )
    return in_scalars, steps


@functools.cache
def ft_transferability() -> DerivedResult:
    """Eq. 22: T_ft = (1 − γ)₊ (2E⟨β_t, β̂_s⟩ − E‖β̂_s‖²), piecewise in γ_s."""
    identity_steps = null_space_excess_steps("β̂_s")
    in_scalars, algebra_steps = _target_average()
    bias = scratch.bias().expr
    (q_under, under_cond), (q_over, _) = ((b.expr, b.cond) for b in bias.args)
    conditional = sp.Piecewise((q_under * in_scalars, under_cond), (q_over * in_scalars, True))
    transfer_scalars = sp.expand(-in_scalars)  # T = −E(R_ft − R_sc)

    overlap_pw, norm_pw = overlap().expr, norm().expr
    overlap_under, overlap_over = overlap_pw.args[0].expr, overlap_pw.args[1].expr
    (norm_under, _), (norm_over, _), (norm_one, _) = ((b.expr, b.cond) for b in norm_pw.args)

    def branch(overlap_value: sp.Expr, norm_value: sp.Expr) -> sp.Expr:
        value = sp.piecewise_fold(
            transfer_scalars.subs({_OVERLAP: overlap_value, _NORM: norm_value})
        )
        if not isinstance(value, sp.Piecewise):
            return sp.factor(q_under * value)
        # q > 0 on γ < 1, so an infinite value (γ_s = 1, σ_s > 0) keeps its sign.
        return sp.Piecewise(
            *[
                (b.expr if b.expr.is_infinite else sp.factor(q_under * b.expr), b.cond)
                for b in value.args
            ]
        )

    result = sp.Piecewise(
        (q_over, gamma >= 1),
        (branch(overlap_under, norm_under), gamma_s < 1),
        (branch(overlap_over, norm_over), gamma_s > 1),
        (branch(overlap_over, norm_one), True),
    )
    return DerivedResult(
        name="ft_transferability_finite_source",
        title="Transferability of fine-tuning from a finite noisy source",
        reference=f"{_REFERENCE}, eq. 22",
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_ASSUMPTIONS,
            "fine-tuning keeps the null-space part (I − P)β̂_s of the start (eq. 143 with β̂_s)",
            _LIMIT,
        ),
        expr=result,
        steps=(
            *identity_steps,
            *algebra_steps,
            Step(
                conditional,
                "average over the target data at fixed source data: E‖(I − P)w‖² = q‖w‖² "
                "(scratch_bias) since P is independent of β̂_s",
                check.equal(source=bias * in_scalars),
            ),
            Step(
                transfer_scalars,
                "T_ft = E[R_sc − R_ft]: per unit q, 2O − N",
                check.equal(source=-in_scalars),
            ),
            Step(
                sp.Tuple(overlap_pw, norm_pw),
                "average over the source data: E O (finite_source_overlap), E N (eq. 152, "
                "finite_source_norm)",
            ),
            Step(
                result,
                "γ ≥ 1: P = I and R_ft = R_sc for every draw, T_ft = 0; γ < 1: "
                "(1 − γ)(2 E O − E N) in each γ_s branch (at γ_s = 1 it is −∞ for σ_s > 0)",
                check.equal(
                    source=sp.Piecewise(
                        (0, gamma >= 1),
                        (
                            q_under * transfer_scalars.subs({_OVERLAP: overlap_pw, _NORM: norm_pw}),
                            True,
                        ),
                    )
                ),
            ),
        ),
        printed="eq22_ft_transferability_finite_source",
        notes=(
            "Same omission of the balanced scale c as eq. 15 (docs/paper.md §3.8, §3.9, §9.2.1): "
            "exact gradient-flow fine-tuning multiplies (I − P)β̂_s by a scale c ≠ 1 when the "
            "target data are noisy. The means over target and source data are exact at finite "
            "size with γ = n/d (given the exact finite-size E‖β̂_s‖²); the γ_s = 1 branch is the "
            "common one-sided limit. The paper writes (1 − γ_t)₊ for the target factor."
        ),
        variables=(theta, gamma, gamma_s, sigma_s),
    )


@functools.cache
def break_even() -> DerivedResult:
    """Eq. 23: T_ft = 0 at cos θ* = (1/2)(1 + σ_s²/|1 − γ_s|)."""
    transfer = ft_transferability().expr
    under, over = transfer.args[1].expr, transfer.args[2].expr
    roots = []
    for branch in (under, over):
        linear = branch.subs(sp.cos(theta), _COS)
        (root,) = sp.solve(linear, _COS)
        roots.append(sp.factor(root))
    root_under, root_over = roots
    result = _source_piecewise(root_under, root_over)
    factor = scratch.bias().expr.args[0].expr  # 1 − γ > 0 on γ < 1
    slopes = sp.Tuple(
        *(sp.cancel(sp.diff(b.subs(sp.cos(theta), _COS), _COS) / factor) for b in (under, over))
    )
    return DerivedResult(
        name="finite_source_break_even",
        title="Break-even angle of fine-tuning from a finite noisy source",
        reference=f"{_REFERENCE}, eq. 23",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*ft_transferability().assumptions, "γ < 1 (T_ft = 0 for γ ≥ 1)"),
        expr=result,
        steps=(
            Step(
                sp.Tuple(under, over),
                "the γ < 1 branches of eq. 22 for γ_s < 1 and γ_s > 1 "
                "(ft_transferability_finite_source)",
            ),
            Step(
                slopes,
                "∂T_ft/∂cos θ divided by 1 − γ > 0: 2 min(1, γ_s) > 0, so T_ft > 0 iff "
                "cos θ > cos θ*",
                check.equal(
                    source=sp.Tuple(
                        *(sp.diff(b, theta) / (-sp.sin(theta)) / factor for b in (under, over))
                    )
                ),
            ),
            Step(
                sp.Tuple(root_under, root_over),
                "solve T_ft = 0 for cos θ in each branch",
                check.identity(
                    sp.Tuple(
                        under.subs(sp.cos(theta), root_under), over.subs(sp.cos(theta), root_over)
                    )
                ),
            ),
            Step(
                result,
                "both branches are (1/2)(1 + σ_s²/|1 − γ_s|); at γ_s = 1 the common limit "
                "(1/2 for σ_s = 0, ∞ for σ_s > 0: fine-tuning never helps)",
                check.equal(source=(1 + sigma_s**2 / sp.Abs(1 - gamma_s)) / 2),
            ),
        ),
        printed="eq23_finite_source_break_even",
        notes=(
            "Independent of γ (for γ < 1). cos θ* > 1 means fine-tuning never beats scratch. cos "
            "θ* = 0.54 at σ_s = 0.2 for both γ_s = 0.5 and 1.5 (docs/paper.md §8.1). Inherits the "
            "omission of the balanced scale (docs/paper.md §3.9, §9.2.1; see "
            "ft_transferability_finite_source_balanced)."
        ),
        variables=(gamma_s, sigma_s),
    )


@functools.cache
def ft_transferability_balanced() -> DerivedResult:
    """Eq. 22 with the balanced scale of gradient flow: T_ft = (1 − γ)(2κ E O − κ² E N).

    Pretraining ends balanced and rank one, W_1 = u₀vᵀ, W_2 = c₀v with c₀u₀ = β̂_s and ‖u₀‖ = c₀,
    so c₀ = N^{1/4} (N = ‖β̂_s‖², not 1 as for a population source). Fine-tuning keeps that form
    (the flow of ``ft_balance_scale``): the null part of u stays (I − P)β̂_s/c₀ and the flow ends
    at the positive root c of c⁴ − a c² − b = 0 (``ft_balance_root``) with a = ‖(I − P)β̂_s‖²/c₀²
    and b = ‖β̂_sc‖². So β̂_ft = β̂_sc + κ(I − P)β̂_s with κ = c/c₀, and eq. 22's derivation runs
    with κ in place of 1.
    """
    norm_n, overlap_o, kappa, start = _NORM, _OVERLAP, _KAPPA, _START
    null_a, scratch_b = fine_tuning.NULL_NORM2, fine_tuning.SCRATCH_NORM2
    start_value = norm_n ** sp.Rational(1, 4)
    root = fine_tuning.balance_root().expr
    q_under = scratch.bias().expr.args[0].expr  # E‖(I − P)w‖²/‖w‖² → 1 − γ (γ < 1)
    a_limit = sp.simplify(q_under * norm_n / start_value**2)
    b_limit = fine_tuning.scratch_norm_limit()
    kappa_value = root.subs({null_a: a_limit, scratch_b: b_limit}) / start_value

    _, target, estimate = _teachers_3d()
    moved = kappa * estimate - target
    difference = sp.expand(moved.dot(moved) - target.dot(target))
    in_scalars = kappa**2 * norm_n - 2 * kappa * overlap_o
    norm_sq, inner = estimate.dot(estimate), target.dot(estimate)
    general = -q_under * in_scalars  # T = −E(R_ft − R_sc), per draw of the source
    closed = general.subs(kappa, kappa_value)

    unit = fine_tuning.transferability_balanced().expr.args[0].expr
    at_unit_source = closed.subs({norm_n: 1, overlap_o: sp.cos(theta)})

    overlap_pw, norm_pw = overlap().expr, norm().expr

    def branch(overlap_value: sp.Expr, norm_value: sp.Expr) -> sp.Expr:
        return closed.subs({overlap_o: overlap_value, norm_n: norm_value})

    result = sp.Piecewise(
        (0, gamma >= 1),
        (branch(overlap_pw.args[0].expr, norm_pw.args[0].expr), gamma_s < 1),
        (branch(overlap_pw.args[1].expr, norm_pw.args[1].expr), gamma_s > 1),
        (sp.Piecewise((at_unit_source, sp.Eq(sigma_s, 0)), (-sp.oo, True)), True),
    )
    return DerivedResult(
        name="ft_transferability_finite_source_balanced",
        title="Fine-tuning transferability from a finite noisy source, with the balanced scale",
        reference=f"{_REFERENCE}, eq. 22 corrected (the balanced scale of a start of norm ‖β̂_s‖)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_ASSUMPTIONS,
            "L = 2; pretraining ends at the balanced rank-one state W_1 = u₀vᵀ, W_2 = c₀v, "
            "‖u₀‖ = c₀, c₀u₀ = β̂_s (small initialisation)",
            "fine-tuning by gradient flow to convergence",
            _LIMIT,
        ),
        expr=result,
        steps=(
            Step(
                sp.Eq(start, start_value),
                "balanced start: c₀u₀ = β̂_s and ‖u₀‖ = c₀ give c₀⁴ = ‖β̂_s‖² = N",
                check.identity(start_value**4 - norm_n),
            ),
            *fine_tuning.flow_steps(),
            Step(
                sp.Eq(null_a, norm_n * sp.Symbol("q") / start**2),
                "the balance quartic of ft_balance_root holds with a = ‖(I − P)u₀‖² = "
                "‖(I − P)β̂_s‖²/c₀², which averages to qN/c₀² over the target data",
                check.unchecked(
                    "E‖(I − P)w‖² = q‖w‖² for w independent of X (rotation invariance)"
                ),
            ),
            Step(
                sp.Eq(kappa, kappa_value),
                "κ = c/c₀: the end-to-end null part is c(I − P)u₀ = κ(I − P)β̂_s; "
                "c = ft_balance_root at a → (1 − γ)N/c₀², b → γ + σ²γ/(1 − γ) (concentration)",
                check.substitution(
                    {null_a: a_limit, scratch_b: b_limit}, source=root / start_value
                ),
            ),
            *null_space_excess_steps("β̂_s", kappa),
            Step(
                sp.Tuple(sp.Eq(_NORM, norm_sq), sp.Eq(_OVERLAP, inner), difference),
                "in the basis (β_s, ν, e): ‖κβ̂_s − β_t‖² − ‖β_t‖² = κ²N − 2κO (checked by SymPy)",
                check.identity(difference - in_scalars.subs({norm_n: norm_sq, overlap_o: inner})),
            ),
            Step(
                general,
                "average over the target data at fixed source data: T_ft = −q(κ²N − 2κO), "
                "q = 1 − γ (scratch_bias), γ < 1",
                check.equal(source=-q_under * in_scalars),
            ),
            Step(
                sp.Eq(at_unit_source, unit),
                "check: at N = 1, O = cos θ (a population source) this is "
                "ft_transferability_balanced (SymPy simplifies the difference to 0)",
                check.identity(at_unit_source - unit),
            ),
            Step(
                result,
                "average over the source data: E O (finite_source_overlap) and E N (eq. 152, "
                "finite_source_norm), in each γ_s branch; γ ≥ 1: T_ft = 0; γ_s = 1: N = 1 at "
                "σ_s = 0, N = ∞ (T_ft = −∞) for σ_s > 0",
                check.equal(
                    source=sp.Piecewise(
                        (0, gamma >= 1),
                        (closed.subs({overlap_o: overlap_pw, norm_n: norm_pw}), True),
                    )
                ),
            ),
        ),
        printed=None,
        notes=(
            "Correction of eq. 22 (not printed in the paper): eq. 22 is this result at κ = 1. "
            "Unlike the population-source case, κ ≠ 1 even at σ = σ_s = 0 when γ_s < 1, because "
            "the pretrained vector has norm N ≠ 1 (at γ = γ_s = 0.5, σ = σ_s = 0: κ ≈ 1.13 and "
            "T_ft(π/2) ≈ −0.32 against eq. 22's −0.25). Deterministic equivalents of a, b, N, O "
            "replace the random ones (concentration as d → ∞); at γ_s > 1, σ_s = 0 (N = 1) and "
            "σ = 0 it reduces to eq. 15."
        ),
        variables=(theta, gamma, gamma_s, sigma, sigma_s),
    )


def _risk_at_d(transfer: DerivedResult, name: str, title: str, reference: str) -> DerivedResult:
    """E R_ft at finite (n, d, n_s): the exact scratch risk minus ``transfer`` at γ = n/d,
    γ_s = n_s/d (the finite-size reference of a fine-tuning transferability record)."""
    exact_scratch = scratch.risk_finite().expr
    ratios = {gamma: n / d, gamma_s: n_s / d}
    at_d = transfer.expr.subs(ratios)
    result = sp.piecewise_fold(exact_scratch - at_d)
    return DerivedResult(
        name=name,
        title=title,
        reference=reference,
        regime=Regime.APPROXIMATE,
        assumptions=transfer.assumptions[:-1],
        expr=result,
        steps=(
            Step(exact_scratch, "E R_sc at finite n, d (scratch_risk_finite, exact)"),
            Step(
                at_d,
                f"the finite-source transferability at γ = n/d, γ_s = n_s/d ({transfer.name})",
                check.substitution(ratios, source=transfer.expr),
            ),
            Step(
                result,
                "E R_ft = E R_sc − T_ft",
                check.equal(source=exact_scratch - at_d),
            ),
        ),
        printed=None,
        notes=(
            "The reference for fine-tuned networks at a given size (e.g. d = 500). The scratch "
            "part is exact; the transfer part uses the deterministic equivalents of the "
            "proportional limit, so an O(1/d) error remains (the claim finite-source measures it "
            "against a Monte Carlo of the end point at the same sizes)."
        ),
        variables=(theta, n, d, n_s, sigma, sigma_s),
    )


@functools.cache
def ft_risk_balanced_at_d() -> DerivedResult:
    """E R_ft at finite (n, d, n_s): exact scratch risk minus the balanced T_ft at γ = n/d."""
    return _risk_at_d(
        ft_transferability_balanced(),
        "ft_risk_finite_source_balanced_d",
        "Fine-tuning risk from a finite noisy source at finite n, d, n_s (balanced scale)",
        f"{_REFERENCE}, eq. 22 corrected, at finite size",
    )


@functools.cache
def ft_risk_at_d() -> DerivedResult:
    """E R_ft at finite (n, d, n_s) as eq. 22 has it (κ = 1): exact scratch risk minus eq. 22
    at γ = n/d, γ_s = n_s/d; what claim finite-source-scale tells apart from the balanced one."""
    return _risk_at_d(
        ft_transferability(),
        "ft_risk_finite_source_d",
        "Fine-tuning risk from a finite noisy source at finite n, d, n_s, as eq. 22 has it",
        f"{_REFERENCE}, eq. 22 at finite size",
    )


@functools.cache
def lt_risk() -> DerivedResult:
    """Linear transfer from β̂_s with n_t → ∞: R = 1 − ⟨β_t, β̂_s⟩²/‖β̂_s‖² (docs/paper.md §3.9)."""
    _, target, estimate = _teachers_3d()
    error = target - _READOUT * estimate
    risk_b = sp.trigsimp(sp.expand(error.dot(error)))
    norm_sq, inner = estimate.dot(estimate), target.dot(estimate)
    in_scalars = 1 - 2 * _READOUT * _OVERLAP + _READOUT**2 * _NORM
    (optimal,) = sp.solve(sp.diff(in_scalars, _READOUT), _READOUT)
    curvature = sp.diff(in_scalars, _READOUT, 2)
    minimum = sp.factor(in_scalars.subs(_READOUT, optimal))

    overlap_pw, norm_pw = overlap().expr, norm().expr
    overlap_under, overlap_over = overlap_pw.args[0].expr, overlap_pw.args[1].expr
    norm_under, norm_over = norm_pw.args[0].expr, norm_pw.args[1].expr
    under = 1 - sp.factor((_OVERLAP**2 / _NORM).subs({_OVERLAP: overlap_under, _NORM: norm_under}))
    over = 1 - sp.factor((_OVERLAP**2 / _NORM).subs({_OVERLAP: overlap_over, _NORM: norm_over}))
    result = _source_piecewise(under, over)
    return DerivedResult(
        name="lt_risk_finite_source",
        title="Linear-transfer risk from a finite noisy source (n_t → ∞)",
        reference="App. C (derived here, not printed; docs/paper.md §3.9)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_ASSUMPTIONS,
            "linear transfer: the rank-one feature map is frozen and its readout re-fitted by "
            "least squares on n_t → ∞ target samples",
            "d, n_s → ∞ with n_s/d → γ_s",
        ),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("R(b)"), risk_b),
                "the end-to-end vector is bβ̂_s; R(b) = ‖β_t − bβ̂_s‖² with β̂_s = (h_1, h_2, h_3) "
                "in the basis (β_s, ν, e)",
                check.equal(source=sp.Eq(sp.Symbol("R(b)"), error.dot(error))),
            ),
            Step(
                sp.Eq(sp.Symbol("R(b)"), in_scalars),
                "in terms of N = ‖β̂_s‖², O = ⟨β_t, β̂_s⟩ (checked by SymPy)",
                check.identity(risk_b - in_scalars.subs({_OVERLAP: inner, _NORM: norm_sq})),
            ),
            Step(
                sp.Tuple(sp.Eq(_READOUT, optimal), sp.Eq(sp.Symbol("R''(b)"), curvature)),
                "n_t → ∞: least squares reaches the population minimiser (R is convex in b)",
                check.identity(
                    sp.Tuple(
                        sp.diff(in_scalars, _READOUT).subs(_READOUT, optimal),
                        curvature - sp.diff(in_scalars, _READOUT, 2),
                    )
                ),
            ),
            Step(
                sp.Eq(sp.Symbol("R"), minimum),
                "the risk at the optimal readout",
                check.substitution({_READOUT: optimal}, source=in_scalars),
            ),
            Step(
                sp.Tuple(overlap_pw, norm_pw),
                "as d → ∞, O and N concentrate on finite_source_overlap and eq. 152 "
                "(finite_source_norm)",
            ),
            Step(
                result,
                "substitute, branch by branch; at γ_s = 1 the one-sided limits",
                check.equal(
                    source=1
                    - sp.piecewise_fold(
                        (_OVERLAP**2 / _NORM).subs({_OVERLAP: overlap_pw, _NORM: norm_pw})
                    )
                ),
            ),
        ),
        printed=None,
        notes=(
            "Not printed in the paper (the authors' notebook has no finite-source linear-transfer "
            "theory): derived in this package (docs/paper.md §3.9), so there is no printed "
            "formula to compare with. It replaces the floor sin²θ of eq. 10 (n → ∞); at γ_s → ∞ "
            "it tends to sin²θ. Uses 1 − E[O]²/E[N] in place of E[1 − O²/N], exact in the limit "
            "by concentration. At γ_s = 1: 1 for σ_s > 0 (no usable feature), sin²θ for σ_s = 0."
        ),
        variables=(theta, gamma_s, sigma_s),
    )


_SIN2 = sp.Symbol("s", nonnegative=True)  # sin²φ, φ the angle between β_t and β̂_s


@functools.cache
def lt_risk_at_n() -> DerivedResult:
    """E R_lt with n_t > 2 target samples from a finite noisy source: eq. 10 with sin²θ → R_∞."""
    exact = lt_risk_exact().expr
    conditional = exact.subs(sp.sin(theta) ** 2, _SIN2)
    if theta in conditional.free_symbols:
        raise AssertionError("eq. 10 is expected to depend on θ through sin²θ only")
    limit = lt_risk().expr
    result = sp.piecewise_fold(conditional.subs(_SIN2, limit))
    return DerivedResult(
        name="lt_risk_finite_source_n",
        title="Linear-transfer risk from a finite noisy source at n_t target samples",
        reference="App. C, finite-source linear transfer at finite n_t (derived here, not printed)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *lt_risk().assumptions[:-1],
            "n_t > 2 target samples, label noise σ, independent of the source data",
            "d, n_s → ∞ with n_s/d → γ_s (the source side); exact in n_t given the source",
        ),
        expr=result,
        steps=(
            Step(exact, "lt_risk: eq. 10, the exact risk at n_t samples for a unit feature β_s"),
            Step(
                conditional,
                "given the source data, the frozen feature is the direction of β̂_s, at angle φ "
                "from β_t; the readout's scale absorbs ‖β̂_s‖, so eq. 10 holds with sin²θ → "
                "s = sin²φ",
                check.substitution({sp.sin(theta) ** 2: _SIN2}),
            ),
            Step(
                sp.Eq(sp.Derivative(conditional, _SIN2, 2), 0),
                "the conditional risk is affine in s, so its mean over the source data is its "
                "value at E s",
            ),
            Step(
                result,
                "E sin²φ = 1 − E⟨β_t, β̂_s⟩²/‖β̂_s‖², which concentrates on "
                "lt_risk_finite_source (the n_t → ∞ risk) as d → ∞",
                check.substitution({_SIN2: limit}, source=conditional),
            ),
        ),
        printed=None,
        notes=(
            "Not printed in the paper. Tends to lt_risk_finite_source as n_t → ∞ and to eq. 10 "
            "as γ_s → ∞ (σ_s fixed)."
        ),
        variables=(theta, n, gamma_s, sigma_s, sigma),
    )


@functools.cache
def lt_transferability() -> DerivedResult:
    """T_lt = E R_sc(γ, σ) − R_lt(θ, γ_s, σ_s) with a finite noisy source."""
    scratch_risk = scratch.risk().expr
    transfer_risk = lt_risk().expr
    result = scratch_risk - transfer_risk
    return DerivedResult(
        name="lt_transferability_finite_source",
        title="Transferability of linear transfer from a finite noisy source (n_t → ∞ readout)",
        reference="App. C (derived here, not printed; docs/paper.md §3.9)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*lt_risk().assumptions, "n, d → ∞ with n/d → γ for the scratch baseline"),
        expr=result,
        steps=(
            Step(scratch_risk, "scratch risk, eq. 8 (scratch_risk)"),
            Step(
                transfer_risk, "linear-transfer risk from the finite source (lt_risk_finite_source)"
            ),
            Step(
                result,
                "T_lt = E R_sc − R_lt (docs/paper.md §2.4), as eq. 11 does with sin²θ",
                check.equal(source=scratch_risk - transfer_risk),
            ),
        ),
        printed=None,
        notes=(
            "Not printed in the paper: derived here (docs/paper.md §3.9). Like eq. 11 it "
            "subtracts the n_t → ∞ linear-transfer risk from the scratch risk at ratio γ. With "
            "γ_s = 0.5, σ_s = 0.2 and θ = 0 it is ≈ 0 at γ = 0.5, σ = 0.2, as in the authors' "
            "finite-source experiments."
        ),
        variables=(theta, gamma, sigma, gamma_s, sigma_s),
    )


@functools.cache
def lt_transferability_at_d() -> DerivedResult:
    """T_lt at finite (n, d, n_s): exact scratch risk minus the risk at n_t = n, γ_s = n_s/d."""
    exact_scratch = scratch.risk_finite().expr
    transfer = lt_risk_at_n().expr
    ratio = {gamma_s: n_s / d}
    at_d = transfer.subs(ratio)
    # Branch by branch of the scratch risk; where it is infinite, so is T_lt.
    result = sp.Piecewise(
        *(
            (sp.oo if value == sp.oo else sp.piecewise_fold(value - at_d), condition)
            for value, condition in exact_scratch.args
        )
    )
    return DerivedResult(
        name="lt_transferability_finite_source_d",
        title="Transferability of linear transfer from a finite noisy source at finite n, d, n_s",
        reference="App. C, finite-source linear transfer at finite size (derived here)",
        regime=Regime.APPROXIMATE,
        assumptions=(
            *lt_risk_at_n().assumptions[:-1],
            "n > 2 target samples in dimension d, n_s source samples",
            "the source side at its proportional limit γ_s = n_s/d (an O(1/d) error remains)",
        ),
        expr=result,
        steps=(
            Step(exact_scratch, "E R_sc at finite n, d (scratch_risk_finite, exact)"),
            Step(
                at_d,
                "the linear-transfer risk at n_t = n target samples with γ_s = n_s/d "
                "(lt_risk_finite_source_n)",
                check.substitution(ratio, source=transfer),
            ),
            Step(
                result,
                "T_lt = E R_sc − E R_lt (docs/paper.md §2.4), branch by branch of the scratch "
                "risk (infinite for |n − d| <= 1 when σ > 0)",
                check.equal(source=exact_scratch - at_d),
            ),
        ),
        printed=None,
        notes=(
            "Not printed in the paper: the reference of the finite-source linear-transfer "
            "residuals at a cell's sizes (figures finite-source-gs0.5, -gs1.5). The scratch part "
            "is exact, the transfer part exact in n_t given the source and asymptotic in d on "
            "the source side. Its proportional limit with n_t → ∞ is "
            "lt_transferability_finite_source."
        ),
        variables=(theta, n, d, n_s, sigma, sigma_s),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return (
        overlap(),
        norm(),
        ft_transferability(),
        break_even(),
        ft_risk_at_d(),
        ft_transferability_balanced(),
        ft_risk_balanced_at_d(),
        lt_risk(),
        lt_risk_at_n(),
        lt_transferability(),
        lt_transferability_at_d(),
    )
