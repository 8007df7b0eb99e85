"""Extension (not the paper's claims): transfer from a rank-k pretrained feature space.

Pretraining on k orthonormal source teachers (a network with k outputs) leaves a rank-k feature
space, the span of the teachers: the balanced end point of population pretraining is the projection
onto it (rank_k_pretrained_features; Thm 3.4 at k = 1). Write the target as β_t = Ua + √ρ ν with U
∈ ℝ^{d×k} an orthonormal basis of the features, ν ⊥ span U a unit vector and ‖a‖² = 1 − ρ, so that
ρ = ‖(I − P_k)β_t‖² is the part of the target outside the features (sin²θ at k = 1). Linear
transfer re-fits the last layer: the features Z = XU ∈ ℝ^{n×k} and w = Xν are independent standard
Gaussians, and y = Za + u with u = √ρ w + ε ~ N(0, (ρ + σ²)I_n) independent of Z. The refit is
therefore scratch training in dimension k, with teacher a and noise variance ρ + σ², and the
inverse-Wishart mean E (ZᵀZ)⁻¹ = I/(n − k − 1) gives E R_lt = ρ + (ρ + σ²)k/(n − k − 1) for n > k +
1, which is eq. 10 at k = 1.

None of this is in the paper (docs/paper.md §11). The records and their regimes:

* ``rank_k_pretrained_features`` (exact at the balanced end point): W_1W_1ᵀ = P_k.
* ``lt_risk_rank_k`` (exact at finite n, any d): the risk above, and for k > n + 1 the minimum-norm
  refit ρ + (1 − ρ)(1 − n/k) + (ρ + σ²)n/(k − n − 1); infinite for |n − k| <= 1 unless
  ρ = σ = 0. At k = d and ρ = 0 it is the exact scratch risk.
* ``lt_risk_rank_k_limit``: n → ∞ at fixed k (hence also n = γd, d → ∞): ρ.
* ``lt_risk_rank_k_proportional``: k = κn, n → ∞ at fixed ρ: (ρ + σ²κ)/(1 − κ) for κ < 1, a
  double descent in κ (the scratch law in the feature dimension).
* ``lt_transferability_rank_k`` (n = γd, d → ∞, k fixed): eq. 11 with sin²θ replaced by ρ: the
  rank only enters through ρ. ``lt_transferability_rank_k_finite``: the exact finite-size
  difference of the two expectations, where the rank costs (ρ + σ²)k/(n − k − 1).
* ``lt_rank_k_boundary_finite``: transfer is negative exactly for ρ > ρ*(n, d, k, σ) (T is linear
  and decreasing in ρ); ρ* → eq. 8 as d → ∞ at fixed k.
* ``lt_negative_interval_rank_k``, ``lt_negative_threshold_overparam_rank_k``: the boundaries of
  Thm 3.7 in ρ (k fixed, proportional limit).
* ``ft_rank_k_flow`` (exact): fine-tuning one output of the balanced rank-k network keeps the
  null-space part of the first layer and the k × k matrix AᵀA − ccᵀ, and ends at
  β̂_sc + (I − P)Uc_∞; the final head c_∞ ∈ ℝ^k is not determined by these invariants for k > 1
  and is NOT derived.
* ``ft_rank_k_transferability_bound`` (proportional limit, k fixed): whatever c_∞ is,
  T_ft <= (1 − γ)(1 − ρ) for γ < 1 and T_ft = 0 for γ > 1; eq. 15 lies (1 − γ)(1 − cos θ)² below
  it at k = 1.
* ``ft_rank_k_aligned_transferability`` (proportional limit, k fixed): when the target's part
  inside the features lies along the source whose output is fine-tuned, the head stays aligned
  up to O(1/√d) per entry and fine-tuning is the rank-one fine-tuning of §3.8 with sin²θ = ρ.
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import record as check
from derivations.fine_tuning import (
    null_space_excess_steps,
    simplify_radicals,
    transferability_balanced,
)
from derivations.gaussian import inverse_wishart_trace
from derivations.linear_transfer import gaussian_expectation, lt_risk
from derivations.record import DerivedResult, Regime, Step
from derivations.scratch import bias_finite, value_at_one
from derivations.scratch import risk as scratch_risk
from derivations.scratch import risk_finite as scratch_risk_finite
from derivations.symbols import d, gamma, k_rank, kappa, n, rho, sigma, theta

k = k_rank

_REFERENCE = "extension (docs/paper.md §11)"
_ASSUMPTIONS = (
    "x ~ N(0, I_d); y = β_tᵀx + ε, ε ~ N(0, σ²); ‖β_t‖ = 1 (Assumptions 3.1-3.2)",
    "pretrained feature space of rank k: the span of U ∈ R^{d×k}, UᵀU = I_k "
    "(rank_k_pretrained_features: k orthonormal source teachers, population pretraining, α → 0)",
    "ρ = ‖(I − UUᵀ)β_t‖² ∈ [0, 1], the part of the target outside the features",
    "linear transfer re-fits only the last layer, by (minimum-norm) least squares on n target "
    "samples",
)
_SCRATCH = "scratch training ends at the minimum-norm solution X⁺y (Thms 3.5-3.6)"
_FIXED_K = "n, d → ∞ with n/d → γ at fixed k and ρ"
_PROBE_NONEMPTY = {rho: sp.Rational(3, 4), sigma: sp.Rational(1, 5)}  # a negative interval

_G = sp.Symbol("g")  # unrestricted root variable of the sign quadratic
_R = sp.Symbol("R_sc", positive=True)  # the scratch risk, as a number
_U_NOISE = sp.Symbol("u_i", real=True)


def _explicit(name: str, rows: int, columns: int) -> sp.Matrix:
    """A matrix of real symbols ``name_ij`` (the explicit small cases of the matrix steps)."""
    return sp.Matrix(rows, columns, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


# --- pretraining ------------------------------------------------------------------------------
@functools.cache
def pretrained_features() -> DerivedResult:
    """Balanced end point of population pretraining on k orthonormal teachers: W_1W_1ᵀ = P_k."""
    width, outputs = 3, 2  # explicit case: d = 3, k = 2; the algebra does not depend on sizes
    w1, w2 = _explicit("W1", width, width), _explicit("W2", width, outputs)
    sources = _explicit("B", width, outputs)
    gram = w1 * w1.T
    end_to_end = w1 * w2
    imbalance = w1.T * w1 - w2 * w2.T
    square_identity = gram * gram - end_to_end * end_to_end.T - w1 * imbalance * w1.T
    projector = sources * sources.T
    projector_identity = (
        projector * projector
        - projector
        - sources * (sources.T * sources - sp.eye(outputs)) * sources.T
    )
    k_sym, p_sym, b_sym = sp.Symbol("W_1W_1ᵀ"), sp.Symbol("P_k"), sp.Symbol("B_s")
    result = sp.Eq(k_sym, p_sym)
    return DerivedResult(
        name="rank_k_pretrained_features",
        title="Extension: pretraining on k orthonormal teachers leaves the projection on them",
        reference=_REFERENCE,
        regime=Regime.EXACT,
        assumptions=(
            "a depth-2 linear network x ↦ W_2ᵀW_1ᵀx with k outputs, trained by gradient flow on "
            "the "
            "population loss ‖W_1W_2 − B_s‖²_F of k source teachers B_s ∈ R^{d×k}, B_sᵀB_s = I_k",
            "initialisation α → 0: the imbalance D = W_1ᵀW_1 − W_2W_2ᵀ is O(α²) and conserved "
            "(eq. 36, gf_conservation_L2), so D = 0 at the end point",
            "the flow converges to a global minimum, W_1W_2 = B_s",
        ),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("(W_1W_1ᵀ)² − BBᵀ"), sp.Symbol("W_1 D W_1ᵀ")),
                "with B = W_1W_2 and D = W_1ᵀW_1 − W_2W_2ᵀ (an identity, written out for d = 3, "
                "k = 2 entry by entry; it does not depend on the sizes)",
                check.identity(square_identity),
            ),
            Step(
                sp.Eq(sp.Symbol("(W_1W_1ᵀ)²"), b_sym * sp.Symbol("B_sᵀ")),
                "at the end point D = 0 (balanced) and B = B_s (zero population loss)",
                check.unchecked("the end point's balance and zero loss are the assumptions"),
            ),
            Step(
                sp.Eq(sp.Symbol("(B_sB_sᵀ)² − B_sB_sᵀ"), sp.Symbol("B_s(B_sᵀB_s − I_k)B_sᵀ")),
                "= 0 for orthonormal teachers: B_sB_sᵀ = P_k is the orthogonal projection onto "
                "their span (identity written out for d = 3, k = 2)",
                check.identity(projector_identity),
            ),
            Step(
                result,
                "W_1W_1ᵀ is positive semi-definite with square P_k; the only positive "
                "semi-definite square root of a projection is the projection itself (its "
                "eigenvalues 0 and 1 are their own square roots): the feature map W_1 has k "
                "singular values 1, the others 0, and column space span B_s",
                check.unchecked("uniqueness of the positive semi-definite square root, in words"),
            ),
        ),
        notes=(
            "At k = 1 this is Thm 3.4 (feature_singular_value): a rank-one feature map along β_s "
            "with singular value 1. The simulations check the end point of gradient descent "
            "against it (claim ext-rank-k-pretraining)."
        ),
        variables=(),
    )


# --- linear transfer: the exact risk -----------------------------------------------------------
def _risk_branches() -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Piecewise]:
    """(n > k + 1, n < k − 1, noiseless) branches of E R_lt and the Piecewise before folding."""
    bias = bias_finite().expr.subs(d, k)  # 1 − min(n, k)/k for a unit teacher in dimension k
    trace = inverse_wishart_trace().expr.subs(d, k)  # E tr (Gram)⁻¹ of Z ∈ R^{n×k}
    (under_trace, _), (over_trace, _), _ = trace.args
    over = rho + (1 - rho) * bias.subs(sp.Min(n, k), k) + (rho + sigma**2) * over_trace
    under = rho + (1 - rho) * bias.subs(sp.Min(n, k), n) + (rho + sigma**2) * under_trace
    noiseless = bias
    composed = rho + (1 - rho) * bias + (rho + sigma**2) * trace
    return over, under, noiseless, composed


@functools.cache
def lt_risk_rank_k() -> DerivedResult:
    """E R_lt = ρ + (ρ + σ²)k/(n − k − 1) for n > k + 1 (exact; and the k > n + 1 branch)."""
    over, under, noiseless, composed = _risk_branches()
    result = sp.Piecewise(
        (over, n > k + 1),
        (under, n < k - 1),
        (noiseless, sp.Eq(sigma, 0) & sp.Eq(rho, 0)),
        (sp.oo, True),
    )
    # the noise of the k-dimensional problem
    w_i, e_i = sp.symbols("w_i epsilon_i", real=True)
    w_j, e_j = sp.symbols("w_j epsilon_j", real=True)
    moments = {w_i: sp.Integer(1), w_j: sp.Integer(1), e_i: sigma**2, e_j: sigma**2}
    u_i, u_j = sp.sqrt(rho) * w_i + e_i, sp.sqrt(rho) * w_j + e_j
    variance = gaussian_expectation(u_i**2, moments)
    covariance = gaussian_expectation(u_i * u_j, moments)
    # ‖Uĉ − β_t‖² in the basis (U, ν), written out for k = 2
    c1, c2, a1, a2 = sp.symbols("c_1 c_2 a_1 a_2", real=True)
    fitted = sp.Matrix([c1, c2, 0])
    target = sp.Matrix([a1, a2, sp.sqrt(rho)])
    pythagoras = (fitted - target).dot(fitted - target) - ((c1 - a1) ** 2 + (c2 - a2) ** 2 + rho)
    # the reductions: k = 1 (eq. 10) and k = d with ρ = 0 (the exact scratch risk)
    eq10 = lt_risk().expr
    at_one = over.subs({k: 1, rho: sp.sin(theta) ** 2})
    (sc_under, _), (sc_over, _), *_ = scratch_risk_finite().expr.args
    full_rank = {k: d, rho: 0}
    return DerivedResult(
        name="lt_risk_rank_k",
        title="Extension: risk of linear transfer from a rank-k feature space at finite n",
        reference=_REFERENCE,
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=(*_ASSUMPTIONS, "n target samples, |n − k| > 1 for a finite risk"),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("y"), sp.Symbol("Z·a") + sp.Symbol("u")),
                "β_t = Ua + √ρ ν: y = Xβ_t + ε = Za + u with Z = XU ∈ R^{n×k} and u = √ρ Xν + ε; "
                "Z and w = Xν are independent N(0, 1) arrays (UᵀU = I, Uᵀν = 0, rotation "
                "invariance of a Gaussian X), so u is independent of Z",
                check.unchecked("the data model in the orthonormal basis (U, ν)"),
            ),
            Step(
                sp.Tuple(
                    sp.Eq(sp.Symbol("Var(u_i)"), variance), sp.Eq(sp.Symbol("Cov(u_i, u_j)"), 0)
                ),
                "u_i = √ρ w_i + ε_i: centred, independent coordinates of variance ρ + σ²",
                check.identity(sp.Tuple(variance - (rho + sigma**2), covariance)),
            ),
            Step(
                sp.Eq(sp.Symbol("‖Uĉ − β_t‖²"), sp.Symbol("‖ĉ − a‖²") + rho),
                "Pythagoras in the basis (U, ν): the part √ρ ν of the target is out of reach "
                "(written out for k = 2)",
                check.identity(pythagoras),
            ),
            Step(
                sp.Eq(sp.Symbol("ĉ"), sp.Symbol("Z⁺y")),
                "the refit is least squares on the k features (minimum norm when k > n): scratch "
                "training in dimension k with teacher a, ‖a‖² = 1 − ρ, and label-noise variance "
                "ρ + σ² (Thm 3.5 in dimension k)",
                check.unchecked("the refit of linear transfer, as the package's simulator does it"),
            ),
            Step(
                sp.Eq(sp.Symbol("E R_lt"), composed),
                "ρ + ‖a‖² × the bias fraction 1 − min(n, k)/k (scratch_bias_finite in dimension "
                "k, rotation invariance) + (ρ + σ²) E tr (Gram of Z)⁻¹ (inverse_wishart_trace with "
                "d = k: E (ZᵀZ)⁻¹ = I/(n − k − 1) for n > k + 1)",
                check.substitution(
                    {d: k},
                    source=sp.Eq(
                        sp.Symbol("E R_lt"),
                        rho
                        + (1 - rho) * bias_finite().expr
                        + (rho + sigma**2) * inverse_wishart_trace().expr,
                    ),
                ),
            ),
            Step(
                result,
                "branch by branch: n > k + 1 (min(n, k) = k, no bias), n < k − 1, and the "
                "noiseless ρ = σ = 0 where |n − k| <= 1 (else the variance is infinite)",
                check.unchecked(
                    "the branch conditions of inverse_wishart_trace with d = k; each branch "
                    "expression is the previous step with min(n, k) resolved"
                ),
            ),
            Step(
                sp.Eq(at_one, eq10),
                "k = 1 and ρ = sin²θ (β_t = cos θ β_s + sin θ ν): eq. 10 (lt_risk)",
                check.identity(at_one - eq10),
            ),
            Step(
                sp.Tuple(over.subs(full_rank), under.subs(full_rank)),
                "k = d and ρ = 0 (every direction is a feature): the exact scratch risk "
                "(scratch_risk_finite), above and below interpolation",
                check.identity(
                    sp.Tuple(over.subs(full_rank) - sc_over, under.subs(full_rank) - sc_under)
                ),
            ),
        ),
        notes=(
            "Exact at every n and independent of d: the refit only sees the k features. The "
            "variance of the risk is finite only for n > k + 3 (the second inverse-Wishart "
            "moment), which is where the simulations are gated (claim ext-rank-k-lt-risk)."
        ),
        variables=(rho, n, k, sigma),
    )


@functools.cache
def lt_risk_rank_k_limit() -> DerivedResult:
    """lim_{n→∞} E R_lt = ρ at fixed k: the part of β_t outside the rank-k feature space."""
    over = lt_risk_rank_k().expr.args[0].expr
    result = sp.limit(over, n, sp.oo)
    return DerivedResult(
        name="lt_risk_rank_k_limit",
        title="Extension: risk of rank-k linear transfer with many target samples",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, "n → ∞ at fixed k (any d, so also n = γd, d → ∞)"),
        expr=result,
        steps=(
            Step(sp.Eq(sp.Symbol("E R_lt"), over), "lt_risk_rank_k, n > k + 1"),
            Step(
                sp.Eq(sp.Limit(over, n, sp.oo), result),
                "SymPy limit n → ∞ at fixed k",
                check.limit(n, sp.oo, source=over),
            ),
        ),
        notes="At k = 1 and ρ = sin²θ this is lt_risk_limit. The rank k only costs at finite n.",
        variables=(rho,),
    )


@functools.cache
def lt_risk_rank_k_proportional() -> DerivedResult:
    """k = κn, n → ∞ at fixed ρ: (ρ + σ²κ)/(1 − κ) for κ < 1, a double descent in κ."""
    risk = lt_risk_rank_k().expr
    (over, _), (under, _), *_ = risk.args
    scaling = {k: kappa * n}
    few = sp.factor(sp.limit(over.subs(scaling), n, sp.oo))  # κ < 1: fewer features than samples
    many = sp.factor(sp.limit(under.subs(scaling), n, sp.oo))  # κ > 1
    result = sp.Piecewise(
        (few, kappa < 1),
        (many, kappa > 1),
        (0, sp.Eq(sigma, 0) & sp.Eq(rho, 0)),
        (sp.oo, True),
    )
    return DerivedResult(
        name="lt_risk_rank_k_proportional",
        title="Extension: risk of rank-k linear transfer with k/n → κ",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_ASSUMPTIONS,
            "k = κn, n → ∞ with ρ held fixed (a family of tasks whose out-of-span part does not "
            "change as features are added; any d >= k)",
        ),
        expr=result,
        steps=(
            Step(sp.Tuple(over, under), "lt_risk_rank_k for n > k + 1 and for k > n + 1"),
            Step(
                sp.Tuple(few, many),
                "substitute k = κn and let n → ∞ (SymPy limit), κ < 1 and κ > 1",
                check.limit(n, sp.oo, first=scaling),
            ),
            Step(
                result,
                "at κ = 1 the inverse-Wishart mean diverges unless ρ = σ = 0 (where both sides "
                "tend to 0): the interpolation peak of scratch training, now in the number of "
                "features",
                check.unchecked("the κ = 1 value from the |n − k| <= 1 branch, in words"),
            ),
        ),
        notes=(
            "This regime is not the one of the phase diagrams (k fixed): there the rank drops out "
            "as n → ∞ (lt_risk_rank_k_limit). With κ → 0 it tends to ρ; as a function of κ it is "
            "eq. 8 in the feature dimension with teacher norm 1 − ρ and noise σ² + ρ."
        ),
        variables=(rho, kappa, sigma),
    )


# --- transferability ---------------------------------------------------------------------------
def _infinities_resolved(pw: sp.Piecewise) -> sp.Piecewise:
    """A folded Piecewise with every branch "±∞ + finite" written as ±∞ (the finite part is a
    finite risk wherever the branch applies: the other branches hold the infinite ones)."""

    def resolve(expr: sp.Expr) -> sp.Expr:
        if expr.is_Add:
            infinite = [a for a in expr.args if a in (sp.oo, -sp.oo)]
            if len(infinite) == 1:
                return infinite[0]
        return expr

    return sp.Piecewise(*((resolve(e), c) for e, c in pw.args))


@functools.cache
def lt_transferability_rank_k() -> DerivedResult:
    """n = γd, d → ∞ at fixed k: T = R_sc − ρ, eq. 11 with sin²θ replaced by ρ."""
    scratch = scratch_risk().expr
    (under, under_cond), (over, over_cond), *_ = scratch.args
    floor = lt_risk_rank_k_limit().expr
    t_under, t_over = under - floor, over - floor
    result = sp.Piecewise(
        (t_under, under_cond), (t_over, over_cond), (value_at_one(t_under, t_over), True)
    )
    return DerivedResult(
        name="lt_transferability_rank_k",
        title="Extension: transferability of rank-k linear transfer (proportional limit)",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, _FIXED_K),
        expr=result,
        steps=(
            Step(scratch, "scratch risk, eq. 8 (scratch_risk)"),
            Step(sp.Eq(sp.Symbol("R_lt"), floor), "rank-k risk at n → ∞ (lt_risk_rank_k_limit)"),
            Step(
                result,
                "T = R_sc − R_lt per branch; at γ = 1 the common one-sided limit",
                check.equal(source=scratch - floor),
            ),
        ),
        notes=(
            "At fixed k the rank enters only through ρ: the phase diagram over (ρ, γ) is Fig. 1's "
            "over (sin²θ, γ) for every k. More source tasks help exactly by shrinking ρ."
        ),
        variables=(rho, gamma, sigma),
    )


@functools.cache
def lt_transferability_rank_k_finite() -> DerivedResult:
    """T at finite (n, d, k): the exact scratch risk minus lt_risk_rank_k; its limit."""
    exact_scratch = scratch_risk_finite().expr
    transfer = lt_risk_rank_k().expr
    result = _infinities_resolved(sp.piecewise_fold(exact_scratch - transfer))
    (sc_under, _), (sc_over, _), *_ = exact_scratch.args
    lt_over = transfer.args[0].expr
    branches = sp.Tuple(sc_under - lt_over, sc_over - lt_over)
    proportional = {n: gamma * d}
    limits = sp.Tuple(*(sp.limit(b.subs(proportional), d, sp.oo) for b in branches))
    (t_under, _), (t_over, _), *_ = lt_transferability_rank_k().expr.args
    return DerivedResult(
        name="lt_transferability_rank_k_finite",
        title="Extension: transferability of rank-k linear transfer at finite n, d",
        reference=_REFERENCE,
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, "n target samples in dimension d"),
        expr=result,
        steps=(
            Step(exact_scratch, "the exact expected scratch risk at (n, d) (scratch_risk_finite)"),
            Step(transfer, "the exact rank-k linear-transfer risk at n (lt_risk_rank_k)"),
            Step(
                result,
                "T = E R_sc − E R_lt, branch by branch (−∞ where only the transfer risk is "
                "infinite, NaN where both are)",
                check.equal(source=exact_scratch - transfer),
            ),
            Step(
                limits,
                "n = γd, d → ∞ at fixed k (n > k + 1 eventually), below and above interpolation",
                check.limit(d, sp.oo, first=proportional, source=branches),
            ),
            Step(
                sp.Tuple(sp.Eq(limits[0], t_under), sp.Eq(limits[1], t_over)),
                "the limit is lt_transferability_rank_k, branch by branch",
                check.identity(sp.Tuple(limits[0] - t_under, limits[1] - t_over)),
            ),
        ),
        notes=(
            "The prediction for simulated mean R_sc − mean R_lt at the sizes of a cell (claim "
            "ext-rank-k-transferability). The cost of the rank at finite n is "
            "(ρ + σ²)k/(n − k − 1)."
        ),
        variables=(rho, n, d, k, sigma),
    )


@functools.cache
def lt_rank_k_boundary_finite() -> DerivedResult:
    """T < 0 exactly for ρ > ρ* = ((n − k − 1)E R_sc − σ²k)/(n − 1), n > k + 1; ρ* → eq. 8."""
    lt_over = lt_risk_rank_k().expr.args[0].expr
    generic = _R - lt_over  # T with the scratch risk as a number, n > k + 1
    slope = sp.factor(sp.diff(generic, rho))
    (root,) = sp.solve(generic, rho)
    root = sp.factor(root)
    exact_scratch = scratch_risk_finite().expr
    (sc_under, under_cond), (sc_over, over_cond), (sc_noiseless, noiseless_cond), _ = (
        exact_scratch.args
    )
    valid = n > k + 1
    result = sp.Piecewise(
        (sp.factor(sp.cancel(root.subs(_R, sc_under))), under_cond & valid),
        (sp.factor(sp.cancel(root.subs(_R, sc_over))), over_cond & valid),
        (root.subs(_R, sc_noiseless), noiseless_cond & valid),
        (sp.nan, True),
    )
    proportional = {n: gamma * d}
    in_limit = sp.Tuple(
        *(sp.limit(root.subs(_R, b).subs(proportional), d, sp.oo) for b in (sc_under, sc_over))
    )
    (eq8_under, _), (eq8_over, _), *_ = scratch_risk().expr.args
    return DerivedResult(
        name="lt_rank_k_boundary_finite",
        title="Extension: out-of-span norm above which rank-k transfer is negative (finite n, d)",
        reference=_REFERENCE,
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, "n > k + 1 target samples in dimension d"),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("T"), generic),
                "T = E R_sc − E R_lt with E R_sc = R_sc (a number at given n, d, σ), n > k + 1",
                check.unchecked("the definition of T with the scratch risk kept as a number"),
            ),
            Step(
                sp.Eq(sp.Derivative(sp.Function("T")(rho), rho), slope),
                "negative: T decreases in ρ, so T < 0 exactly beyond its root",
                check.derivative(rho, source=sp.Eq(sp.Function("T")(rho), generic)),
            ),
            Step(
                sp.Eq(sp.Symbol("ρ*"), root),
                "SymPy solve T = 0 for ρ",
                check.solutions(rho, source=generic),
            ),
            Step(
                result,
                "with the exact scratch risk of each branch (scratch_risk_finite); NaN where "
                "n <= k + 1 or the scratch risk is infinite",
                check.unchecked("the branch conditions of scratch_risk_finite and n > k + 1"),
            ),
            Step(
                sp.Tuple(sp.Eq(in_limit[0], eq8_under), sp.Eq(in_limit[1], eq8_over)),
                "n = γd, d → ∞ at fixed k: ρ* → eq. 8 (the boundary sin²θ = R_sc of eq. 11 for "
                "every k)",
                check.identity(sp.Tuple(in_limit[0] - eq8_under, in_limit[1] - eq8_over)),
            ),
        ),
        notes=(
            "ρ* can be negative (transfer negative for every target, e.g. few samples and many "
            "features) or above 1 (positive for every target). The zero contour of the finite-size "
            "phase diagrams of figure rank-k."
        ),
        variables=(n, d, k, sigma),
    )


@functools.cache
def _sign_quadratic() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(Q(γ), γ₋, γ₊) with (1 − γ)T = Q(γ) below interpolation, T = R_sc − ρ."""
    t_under = lt_transferability_rank_k().expr.args[0].expr
    quadratic = sp.collect(sp.expand(sp.cancel(t_under * (1 - gamma))), gamma)
    roots = sp.solve(quadratic.subs(gamma, _G), _G)
    lower, upper = sorted(roots, key=lambda r: float(r.subs(_PROBE_NONEMPTY)))
    return quadratic, lower, upper


@functools.cache
def lt_negative_interval_rank_k() -> DerivedResult:
    """γ < 1: T < 0 exactly on (γ₋, γ₊), non-empty iff σ < 1 − √(1 − ρ) (k fixed)."""
    t_under = lt_transferability_rank_k().expr.args[0].expr
    quadratic, lower, upper = _sign_quadratic()
    discriminant = sp.factor(sp.discriminant(quadratic, gamma))
    at_zero, at_one = quadratic.subs(gamma, 0), sp.expand(quadratic.subs(gamma, 1))
    nonempty = sigma < 1 - sp.sqrt(1 - rho)
    result = sp.Tuple(
        sp.Piecewise((lower, nonempty), (sp.nan, True)),
        sp.Piecewise((upper, nonempty), (sp.nan, True)),
    )
    cosine = sp.sqrt(1 - rho)  # the in-span norm ‖a‖ (cos θ at k = 1)
    discriminant_factored = ((1 - cosine) ** 2 - sigma**2) * ((1 + cosine) ** 2 - sigma**2)
    return DerivedResult(
        name="lt_negative_interval_rank_k",
        title="Extension: negative-transfer interval of rank-k linear transfer below interpolation",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, _FIXED_K, "0 < γ < 1"),
        expr=result,
        steps=(
            Step(sp.Eq(sp.Symbol("T"), t_under), "lt_transferability_rank_k, γ < 1"),
            Step(
                sp.Eq(sp.Symbol("(1-γ) T"), quadratic),
                "multiply by 1 − γ > 0 (sign unchanged) and collect in γ",
                check.equal(source=sp.Eq(sp.Symbol("(1-γ) T"), t_under * (1 - gamma))),
            ),
            Step(
                sp.Tuple(sp.Eq(sp.Symbol("Q(0)"), at_zero), sp.Eq(sp.Symbol("Q(1)"), at_one)),
                "Q(0) = 1 − ρ >= 0 and Q(1) = σ² >= 0: any negative part lies between two roots "
                "in (0, 1)",
                check.identity(sp.Tuple(at_zero - (1 - rho), at_one - sigma**2)),
            ),
            Step(
                sp.Tuple(lower, upper),
                "the roots γ₋ <= γ₊ of Q",
                check.solutions(gamma, source=quadratic),
            ),
            Step(
                sp.Eq(sp.Symbol("Disc Q"), discriminant),
                "= ((1 − √(1 − ρ))² − σ²)((1 + √(1 − ρ))² − σ²): real distinct roots for "
                "σ < 1 − √(1 − ρ) (cos θ = √(1 − ρ) at k = 1, Thm 3.7)",
                check.identity(discriminant - discriminant_factored),
            ),
            Step(
                result,
                "T < 0 exactly for γ ∈ (γ₋, γ₊); empty (NaN) unless σ < 1 − √(1 − ρ)",
                check.unchecked(
                    "the sign argument of lt_negative_interval with cos θ = √(1 − ρ), in words"
                ),
            ),
        ),
        notes="At k = 1 and ρ = sin²θ this is lt_negative_interval (θ <= π/2).",
        variables=(rho, sigma),
    )


@functools.cache
def lt_negative_threshold_overparam_rank_k() -> DerivedResult:
    """γ > 1: T < 0 exactly for γ > 1 + σ²/ρ (k fixed)."""
    t_over = lt_transferability_rank_k().expr.args[1].expr
    (root,) = sp.solve(t_over.subs(gamma, _G), _G)
    threshold = sp.expand(root)
    return DerivedResult(
        name="lt_negative_threshold_overparam_rank_k",
        title="Extension: sample ratio above which rank-k transfer is negative (γ > 1)",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, _FIXED_K, "γ > 1", "ρ > 0"),
        expr=threshold,
        steps=(
            Step(sp.Eq(sp.Symbol("T"), t_over), "lt_transferability_rank_k, γ > 1"),
            Step(
                sp.Eq(sp.Derivative(sp.Function("T")(gamma), gamma), sp.diff(t_over, gamma)),
                "negative: T decreases in γ",
                check.derivative(gamma, source=sp.Eq(sp.Function("T")(gamma), t_over)),
            ),
            Step(
                sp.Eq(sp.Symbol("γ_0"), threshold),
                "SymPy solve T = 0 for γ",
                check.solutions(gamma, source=t_over),
            ),
        ),
        notes="At k = 1 and ρ = sin²θ this is lt_negative_threshold_overparam.",
        variables=(rho, sigma),
    )


# --- fine-tuning from the rank-k start ---------------------------------------------------------
def _explicit_flow() -> tuple[sp.Matrix, sp.Matrix, sp.Expr]:
    """The gradient flow of W_1 = AVᵀ, w = Vc (d = 3, k = 2, explicit entries).

    Returns the two ansatz residuals (−∂L/∂W_1 + g cᵀVᵀ and −∂L/∂w + VAᵀg, both zero) and the
    rate of change of AᵀA − ccᵀ along dA/dt = −g cᵀ, dc/dt = −Aᵀg (zero): unexpanded, so that
    the step checks re-execute the algebra.
    """
    width, rank = 3, 2
    g = sp.Matrix(sp.symbols(f"g_1:{width + 1}", real=True))
    big_a, v = _explicit("A", width, rank), _explicit("V", width, rank)
    c = sp.Matrix(sp.symbols(f"c_1:{rank + 1}", real=True))
    w1 = _explicit("W1", width, width)
    w = sp.Matrix(sp.symbols(f"w_1:{width + 1}", real=True))
    loss = (g.T * w1 * w)[0]  # the loss to first order around the current weights
    ansatz = {**dict(zip(w1, big_a * v.T, strict=True)), **dict(zip(w, v * c, strict=True))}
    flow_w1 = w1.applyfunc(lambda entry: -sp.diff(loss, entry)).subs(ansatz)
    flow_w = w.applyfunc(lambda entry: -sp.diff(loss, entry)).subs(ansatz)
    a_dot, c_dot = -g * c.T, -big_a.T * g
    residuals = (flow_w1 - a_dot * v.T, flow_w - v * c_dot)
    conserved = a_dot.T * big_a + big_a.T * a_dot - c_dot * c.T - c * c_dot.T
    return residuals[0], residuals[1], conserved


@functools.cache
def ft_rank_k_flow() -> DerivedResult:
    """Fine-tuning one output of the balanced rank-k network: what gradient flow keeps."""
    flow_w1, flow_w, conserved = _explicit_flow()
    end = sp.Eq(sp.Symbol("β̂_ft"), sp.Symbol("β̂_sc") + sp.Symbol("(I − P)U·c_∞"))
    excess = null_space_excess_steps("U·c_∞")
    return DerivedResult(
        name="ft_rank_k_flow",
        title="Extension: fine-tuning from a rank-k start keeps the features' null-space part",
        reference=_REFERENCE,
        regime=Regime.EXACT,
        assumptions=(
            "balanced rank-k pretrained network W_1 = UVᵀ, W_2 = V (U, V ∈ R^{d×k} orthonormal "
            "columns; rank_k_pretrained_features), fine-tuned on the target through one output: "
            "its head w = Vc starts at c = e_1 (the output of the first source teacher)",
            "gradient flow on the target loss (1/n)‖XW_1w − y‖², gradient g = ∇_β̂ ∈ row(X)",
            "n < d, and the flow converges to an interpolator (Xβ̂ = y)",
        ),
        expr=end,
        steps=(
            Step(
                sp.Eq(sp.Symbol("−∂L/∂W_1 + g cᵀVᵀ"), sp.Integer(0)),
                "at W_1 = AVᵀ, w = Vc the flow dW_1/dt = −∂(gᵀW_1w)/∂W_1 = −g cᵀVᵀ keeps the form "
                "with dA/dt = −g cᵀ (explicit d = 3, k = 2 entries)",
                check.identity(flow_w1),
            ),
            Step(
                sp.Eq(sp.Symbol("−∂L/∂w − V Aᵀg"), sp.Integer(0)),
                "and dw/dt = −W_1ᵀg = V(−Aᵀg): dc/dt = −Aᵀg, V fixed",
                check.identity(flow_w),
            ),
            Step(
                sp.Eq(sp.Symbol("d/dt(AᵀA − ccᵀ)"), sp.Integer(0)),
                "the k × k matrix AᵀA − ccᵀ is conserved (= I_k − e_1e_1ᵀ from the start A = U, "
                "c = e_1); at k = 1 it is the balance ‖u‖² − c² of fine_tuning",
                check.identity(conserved),
            ),
            Step(
                sp.Eq(sp.Symbol("d/dt (I − P)A"), sp.Integer(0)),
                "(I − P)dA/dt = −(I − P)g cᵀ = 0 since g ∈ row(X): the null-space part of the "
                "features stays at (I − P)U",
                check.unchecked("g = (2/n)Xᵀ(Xβ̂ − y) lies in row(X), as in Thm 3.5"),
            ),
            Step(
                end,
                "β̂ = Ac; an interpolator has row-space part X⁺y = β̂_sc, and its null-space part "
                "is (I − P)A_∞c_∞ = (I − P)Uc_∞",
                check.unchecked("Pβ̂ = X⁺Xβ̂ = X⁺y for every interpolator, in words"),
            ),
            *excess,
            Step(
                sp.Eq(sp.Symbol("c_∞"), sp.Symbol("not derived for k > 1")),
                "the end head c_∞ ∈ R^k: the conserved AᵀA − ccᵀ gives k(k + 1)/2 equations and "
                "PA_∞c_∞ = β̂_sc fixes only one vector of PA_∞ ∈ R^{d×k}; for k = 1 they close into "
                "the quartic of ft_balance_root, for k > 1 the end point depends on the path and "
                "is not derived here",
                check.unchecked("a statement of what is not derived"),
            ),
        ),
        notes=(
            "What is derived: the form of the end point and R_ft − R_sc = ‖(I − P)(Uc_∞ − β_t)‖² − "
            "‖(I − P)β_t‖². What is not: c_∞ for k > 1, except in the limit for the aligned head "
            "(ft_rank_k_aligned_transferability). ft_rank_k_transferability_bound bounds the "
            "transferability over every c_∞."
        ),
        variables=(),
    )


@functools.cache
def ft_rank_k_transferability_bound() -> DerivedResult:
    """T_ft <= (1 − γ)(1 − ρ) for γ < 1 and T_ft = 0 for γ > 1, whatever c_∞ (k fixed)."""
    # the null-space quadratic after concentration, for an explicit k = 2 head (c − a = e)
    e1, e2, a1, a2 = sp.symbols("e_1 e_2 a_1 a_2", real=True)
    head, inside = sp.Matrix([a1 + e1, a2 + e2]), sp.Matrix([a1, a2])
    concentrated = (1 - gamma) * (head.dot(head) - 2 * inside.dot(head) + 1)
    completed = (1 - gamma) * (sp.Symbol("‖e‖²") + 1 - sp.Symbol("‖a‖²"))
    minimum = (1 - gamma) * rho
    bound = sp.Piecewise(((1 - gamma) * (1 - rho), gamma < 1), (0, True))
    eq15 = (1 - gamma) * (2 * sp.cos(theta) - 1)
    gap = sp.factor(bound.args[0].expr.subs(rho, sp.sin(theta) ** 2) - eq15)
    return DerivedResult(
        name="ft_rank_k_transferability_bound",
        title="Extension: upper bound on fine-tuning transferability from a rank-k start",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_ASSUMPTIONS[:3],
            "fine-tuning ends at β̂_sc + (I − P)Uc_∞ for some head c_∞ ∈ R^k (ft_rank_k_flow)",
            _FIXED_K,
        ),
        expr=bound,
        steps=(
            Step(
                sp.Eq(
                    sp.Symbol("R_ft − R_sc"),
                    sp.Symbol("‖(I − P)(Uc − β_t)‖²") - sp.Symbol("‖(I − P)β_t‖²"),
                ),
                "the end point of ft_rank_k_flow, for every head c",
                check.unchecked("the excess of ft_rank_k_flow with c_∞ left free"),
            ),
            Step(
                sp.Eq(sp.Symbol("‖(I − P)(Uc − β_t)‖²"), concentrated),
                "γ < 1: UᵀNU → (1 − γ)I_k, UᵀNβ_t → (1 − γ)a, ‖Nβ_t‖² → 1 − γ for N = I − P "
                "(E N = (1 − γ)I by rotation invariance, fluctuations O(√(k/d)) at fixed k); "
                "written for k = 2 with c = a + e",
                check.unchecked("concentration of a k-dimensional compression of N, in words"),
            ),
            Step(
                sp.Eq(
                    concentrated,
                    completed.subs(
                        {sp.Symbol("‖e‖²"): e1**2 + e2**2, sp.Symbol("‖a‖²"): a1**2 + a2**2}
                    ),
                ),
                "completing the square: minimal at c = a (e = 0)",
                check.equal(source=concentrated),
            ),
            Step(
                sp.Eq(sp.Symbol("min_c ‖(I − P)(Uc − β_t)‖²"), minimum),
                "with ‖a‖² = 1 − ρ",
                check.substitution(
                    {sp.Symbol("‖e‖²"): 0, sp.Symbol("‖a‖²"): 1 - rho}, source=completed
                ),
            ),
            Step(
                bound,
                "T_ft = R_sc − R_ft <= (1 − γ) − (1 − γ)ρ below interpolation; above it P = I, "
                "β̂_ft = β̂_sc and T_ft = 0 exactly",
                check.unchecked("R_ft >= R_sc − ‖Nβ_t‖² + min_c, with ‖Nβ_t‖² → 1 − γ, in words"),
            ),
            Step(
                sp.Eq(sp.Symbol("bound − eq. 15"), gap),
                "k = 1, ρ = sin²θ: eq. 15 (c_∞ = 1 at σ = 0) lies (1 − γ)(1 − cos θ)² below the "
                "bound, which the head c = cos θ would reach",
                check.equal(
                    source=sp.Eq(
                        sp.Symbol("bound − eq. 15"),
                        bound.args[0].expr.subs(rho, sp.sin(theta) ** 2) - eq15,
                    )
                ),
            ),
        ),
        notes=(
            "An upper bound, not the fine-tuning transferability: the head c_∞ that gradient flow "
            "reaches is not derived for k > 1 in general (ft_rank_k_flow); for the aligned head "
            "it is (ft_rank_k_aligned_transferability). Claim ext-rank-k-fine-tuning-bound checks "
            "the simulated networks of the rank_k_fine_tuning sweep against it."
        ),
        variables=(rho, gamma),
    )


def _explicit_aligned_flow() -> tuple[sp.Matrix, sp.Matrix, sp.Expr, sp.Matrix]:
    """The flow of ft_rank_k_flow at an aligned head c = c_1e_1 (d = 4, k = 3, explicit entries).

    Returns the rates of the columns 2..k of A (zero), the residuals of (A_1, c_1) against the
    rank-one flow dA_1/dt = −g c_1, dc_1/dt = −A_1ᵀg (zero), the rate of ‖A_1‖² − c_1² (zero), and
    the drive −A_jᵀg of the other head entries (not zero: the step that concentration closes).
    """
    width, rank = 4, 3
    g = sp.Matrix(sp.symbols(f"g_1:{width + 1}", real=True))
    big_a = _explicit("A", width, rank)
    c_1 = sp.Symbol("c_1", real=True)
    head = sp.Matrix([c_1] + [0] * (rank - 1))
    a_dot, c_dot = -g * head.T, -big_a.T * g
    first = big_a[:, 0]
    rank_one = sp.Matrix.vstack(a_dot[:, 0] + g * c_1, sp.Matrix([c_dot[0] + (first.T * g)[0]]))
    balance_rate = 2 * (first.T * a_dot[:, 0])[0] - 2 * c_1 * c_dot[0]
    return a_dot[:, 1:], rank_one, balance_rate, c_dot[1:, :]


@functools.cache
def ft_rank_k_aligned_transferability() -> DerivedResult:
    """Fine-tuning from the rank-k start through the head of the source that the target's feature
    part lies along: the rank-one result of §3.8 with cos θ = √(1 − ρ) (proportional limit)."""
    frozen, rank_one, balance_rate, drive = _explicit_aligned_flow()
    balanced = transferability_balanced().expr
    result = balanced.subs(theta, sp.asin(sp.sqrt(rho)))
    at_zero_noise = sp.factor(simplify_radicals(result.args[0].expr.subs(sigma, 0)))
    noiseless = sp.Piecewise((at_zero_noise, gamma < 1), (0, True))
    bound = ft_rank_k_transferability_bound().expr
    gap = sp.factor(bound.args[0].expr - noiseless.args[0].expr)
    return DerivedResult(
        name="ft_rank_k_aligned_transferability",
        title="Extension: fine-tuning from a rank-k start through the aligned head",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_ASSUMPTIONS[:3],
            "the target's part inside the features lies along the first source teacher: "
            "β_t = √(1 − ρ) β_s1 + √ρ ν (a = √(1 − ρ) e_1), and fine-tuning trains the output of "
            "that teacher, c(0) = e_1 (ft_rank_k_flow)",
            "gradient flow converges to an interpolator for γ < 1",
            _FIXED_K,
        ),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("dA_{2..k}/dt"), sp.Integer(0)),
                "while the head stays at c = c_1e_1, dA/dt = −g cᵀ moves only the first column: "
                "the other features stay at β_s2, …, β_sk (explicit d = 4, k = 3 entries)",
                check.identity(frozen),
            ),
            Step(
                sp.Eq(sp.Symbol("(dA_1/dt + g c_1, dc_1/dt + A_1ᵀg)"), sp.Integer(0)),
                "and (A_1, c_1) follow the rank-one flow of fine_tuning (u = A_1, c = c_1)",
                check.identity(rank_one),
            ),
            Step(
                sp.Eq(sp.Symbol("d/dt(‖A_1‖² − c_1²)"), sp.Integer(0)),
                "the (1, 1) entry of the conserved AᵀA − ccᵀ: the rank-one balance, 0 from the "
                "start A_1 = β_s1, c_1 = 1",
                check.identity(balance_rate),
            ),
            Step(
                sp.Eq(sp.Symbol("dc_{2..k}/dt"), drive),
                "the only drive away from the aligned head: β_sj is independent of the data and "
                "orthogonal to the target, so β_sjᵀg = (Xβ_sj)ᵀ(residual)/n has mean 0 and "
                "standard deviation √(loss/n); integrated over the exponentially converging flow "
                "c_j = O(1/√d), and its effect on the risk O(k/d)",
                check.unchecked(
                    "concentration of β_sjᵀg, in words; the simulated networks measure c_j "
                    "(final_head)"
                ),
            ),
            Step(
                sp.Eq(sp.Symbol("β̂_ft"), sp.Symbol("β̂_sc + c_1(I − P)β_s1")),
                "so in the limit the end point is the balanced rank-one end point of "
                "ft_balance_scale with β_s → β_s1 and ‖(I − P)β_s1‖² → 1 − γ",
                check.unchecked("the argument of ft_balance_scale applied to (A_1, c_1)"),
            ),
            Step(
                result,
                "ft_transferability_balanced with sin²θ = ρ (cos θ = √(1 − ρ))",
                check.substitution({theta: sp.asin(sp.sqrt(rho))}, source=balanced),
            ),
            Step(
                noiseless,
                "σ = 0 (c = 1): (1 − γ)(2√(1 − ρ) − 1), eq. 15 at sin²θ = ρ",
                check.substitution({sigma: 0}, source=result),
            ),
            Step(
                sp.Eq(sp.Symbol("bound − T_ft(σ = 0)"), gap),
                "below ft_rank_k_transferability_bound by (1 − γ)(1 − √(1 − ρ))² at σ = 0: the "
                "aligned head keeps scale c_1 = 1 where the best head would shrink to √(1 − ρ)",
                check.equal(
                    source=sp.Eq(
                        sp.Symbol("bound − T_ft(σ = 0)"),
                        bound.args[0].expr - noiseless.args[0].expr,
                    )
                ),
            ),
        ),
        notes=(
            "Derived for the aligned head only: the simulated cells (rank_k_teachers) put the "
            "target's feature part along β_s1 and fine-tune its output. The rank enters only "
            "through O(k/d) corrections (the drift of c_j, j ≥ 2), which the simulations measure. "
            "For a target whose feature part is spread over several teachers the head must "
            "rotate, and the end point is not derived (ft_rank_k_flow)."
        ),
        variables=(rho, gamma, sigma),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return (
        pretrained_features(),
        lt_risk_rank_k(),
        lt_risk_rank_k_limit(),
        lt_risk_rank_k_proportional(),
        lt_transferability_rank_k(),
        lt_transferability_rank_k_finite(),
        lt_rank_k_boundary_finite(),
        lt_negative_interval_rank_k(),
        lt_negative_threshold_overparam_rank_k(),
        ft_rank_k_flow(),
        ft_rank_k_transferability_bound(),
        ft_rank_k_aligned_transferability(),
    )
