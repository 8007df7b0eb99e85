"""Risk of training from scratch: the minimum-norm interpolator (Thms 3.5–3.6, eq. 8).

By Thm 3.5 scratch training ends at β̂_sc = X⁺y, so with P = X⁺X and y = Xβ_t + ε

    β̂_sc − β_t = −(I − P)β_t + X⁺ε,    R_sc = ‖(I − P)β_t‖² + ‖X⁺ε‖²

(the two terms lie in the null space and the row space of X, so they are orthogonal). The bias
uses E P = min(n, d)/d · I (rotation invariance); the variance σ² E tr (XXᵀ)⁻¹ or σ² E tr (XᵀX)⁻¹
is computed twice: exactly at finite (n, d) from inverse-Wishart means
(:func:`derivations.gaussian.inverse_wishart_trace`) and in the proportional limit from the
Marchenko–Pastur mean inverse eigenvalue (:func:`derivations.marchenko_pastur.inverse_moment`).
SymPy takes the limit n = γd, d → ∞ of the finite-size risk and checks that both routes give eq. 8.
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import record as check
from derivations.gaussian import inverse_wishart_trace
from derivations.marchenko_pastur import inverse_moment
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import d, gamma, n, ratio, sigma

_ASSUMPTIONS = (
    "x ~ N(0, I_d); y = β_tᵀx + ε, ε ~ N(0, σ²), ‖β_t‖ = 1 (Assumptions 3.1-3.2)",
    "scratch training ends at the minimum-norm solution X⁺y (Thm 3.5, α → 0)",
)
_LIMIT = "n, d → ∞ with n/d → γ"
_AT_ONE = (
    "the γ = 1 value is the common one-sided limit taken by value_at_one when the record is "
    "built; the γ ≠ 1 branches are the previous steps"
)


def value_at_one(under: sp.Expr, over: sp.Expr) -> sp.Expr:
    """The value at γ = 1 of a piecewise result: the common one-sided limit, else NaN.

    The limits are taken for σ > 0 and at σ = 0 separately (docs/paper.md §3.5: divergence at γ = 1
    only when σ > 0), giving ``Piecewise((value at σ = 0, Eq(σ, 0)), (value for σ > 0, True))``.
    """
    positive = sp.Symbol("sigma_pos", positive=True)
    values = []
    for noise in (sp.Integer(0), positive):
        left = sp.limit(under.subs(sigma, noise), gamma, 1, "-")
        right = sp.limit(over.subs(sigma, noise), gamma, 1, "+")
        values.append(left if left == right else sp.nan)
    at_zero, at_positive = values
    if at_zero == at_positive:
        return at_zero
    return sp.Piecewise((at_zero, sp.Eq(sigma, 0)), (at_positive, True))


def _asymptotic(under: sp.Expr, over: sp.Expr) -> sp.Piecewise:
    return sp.Piecewise((under, gamma < 1), (over, gamma > 1), (value_at_one(under, over), True))


@functools.cache
def bias_finite() -> DerivedResult:
    """E‖(I − P)β‖² = 1 − min(n, d)/d for a unit vector β (exact)."""
    trace_p = sp.Min(n, d)
    mean_projector = trace_p / d
    bias = 1 - mean_projector
    return DerivedResult(
        name="scratch_bias_finite",
        title="Bias of the minimum-norm solution (exact)",
        reference="Thm 3.6, proof (docs/paper.md §3.5 step 2)",
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=_ASSUMPTIONS,
        expr=bias,
        steps=(
            Step(
                sp.Eq(sp.Symbol("tr P"), trace_p),
                "P = X⁺X projects on the row space, of rank min(n, d)",
                check.unchecked("a Gaussian X has full rank min(n, d) almost surely"),
            ),
            Step(
                sp.Eq(sp.Symbol("E P"), mean_projector * sp.Symbol("I")),
                "the row space is uniformly distributed (rotation invariance): E P = (E tr P/d) I",
                check.unchecked("rotation invariance of the Gaussian design"),
            ),
            Step(
                sp.Eq(sp.Symbol("E‖(I-P)β‖²"), bias),
                "βᵀ(I − E P)β with ‖β‖ = 1",
                check.substitution({sp.Symbol("I"): 1}, source=1 - mean_projector * sp.Symbol("I")),
            ),
        ),
        variables=(n, d),
    )


@functools.cache
def risk_finite() -> DerivedResult:
    """Exact E R_sc at finite (n, d): bias + σ² E tr(Gram⁻¹) (docs/paper.md §3.5 step 5)."""
    bias = bias_finite().expr
    trace = inverse_wishart_trace().expr
    (under_trace, under_cond), (over_trace, over_cond), _ = trace.args
    under = sp.simplify(bias.subs(sp.Min(n, d), n)) + sigma**2 * under_trace
    over = sp.simplify(bias.subs(sp.Min(n, d), d)) + sigma**2 * over_trace
    noiseless = bias
    risk = sp.Piecewise(
        (under, under_cond), (over, over_cond), (noiseless, sp.Eq(sigma, 0)), (sp.oo, True)
    )
    return DerivedResult(
        name="scratch_risk_finite",
        title="Scratch risk at finite n, d (exact Gaussian expectation)",
        reference="Thm 3.6, exact finite-size form (docs/paper.md §3.5 step 5)",
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=_ASSUMPTIONS,
        expr=risk,
        steps=(
            Step(
                sp.Eq(sp.Symbol("R_sc"), sp.Symbol("‖(I-P)β_t‖²") + sp.Symbol("‖X⁺ε‖²")),
                "β̂_sc − β_t = −(I−P)β_t + X⁺ε, a null-space plus a row-space vector",
                check.unchecked("Pythagoras for orthogonal null-space and row-space parts"),
            ),
            Step(
                sp.Eq(sp.Symbol("E‖X⁺ε‖²"), sigma**2 * sp.Symbol("E tr(Gram⁻¹)")),
                "E_ε‖X⁺ε‖² = σ² tr (X⁺)ᵀX⁺ = σ² tr of the inverse of the smaller Gram matrix",
                check.unchecked("E εεᵀ = σ²I and tr (X⁺)ᵀX⁺ = tr (Gram)⁻¹, in words"),
            ),
            Step(
                risk,
                "bias (scratch_bias_finite) + σ² × inverse_wishart_trace; for |n − d| ≤ 1 "
                "the variance is infinite unless σ = 0",
                check.equal(source=bias + sigma**2 * trace),
            ),
        ),
        variables=(n, d, sigma),
    )


@functools.cache
def variance() -> DerivedResult:
    """E‖X⁺ε‖² → σ²γ/(1 − γ) (γ < 1), σ²/(γ − 1) (γ > 1), from the Marchenko–Pastur m(0)."""
    mean_inverse = inverse_moment().expr  # E[1/x] for aspect ratio c < 1
    # γ < 1: tr(XXᵀ)⁻¹ = (1/d) tr(XXᵀ/d)⁻¹ = (n/d) E[1/x] with c = n/d = γ.
    under = sp.simplify(sigma**2 * gamma * mean_inverse.subs(ratio, gamma))
    # γ > 1: tr(XᵀX)⁻¹ = (1/n) tr(XᵀX/n)⁻¹ = (d/n) E[1/x] with c = d/n = 1/γ.
    over = sp.simplify(sigma**2 / gamma * mean_inverse.subs(ratio, 1 / gamma))
    result = _asymptotic(under, over)
    return DerivedResult(
        name="scratch_variance",
        title="Variance of the minimum-norm solution (proportional limit)",
        reference="Thm 3.6, proof (docs/paper.md §3.5 steps 3-4)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _LIMIT),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("E[1/x]"), mean_inverse),
                "mean inverse Marchenko-Pastur eigenvalue (mp_inverse_moment)",
            ),
            Step(
                under,
                "γ < 1: σ² tr(XXᵀ)⁻¹ = σ² (n/d) · (1/n) tr(XXᵀ/d)⁻¹ with c = γ",
                check.substitution({ratio: gamma}, source=sigma**2 * gamma * mean_inverse),
            ),
            Step(
                over,
                "γ > 1: σ² tr(XᵀX)⁻¹ = σ² (d/n) · (1/d) tr(XᵀX/n)⁻¹ with c = 1/γ",
                check.substitution({ratio: 1 / gamma}, source=sigma**2 / gamma * mean_inverse),
            ),
            Step(
                result,
                "at γ = 1: the one-sided limits (infinite for σ > 0)",
                check.unchecked(_AT_ONE),
            ),
        ),
        variables=(gamma, sigma),
    )


@functools.cache
def bias() -> DerivedResult:
    """E‖(I − P)β‖² → (1 − γ) for γ < 1 and 0 for γ ≥ 1 (unit β)."""
    finite = bias_finite().expr.subs(n, gamma * d)
    under = sp.limit(finite.subs(sp.Min(gamma * d, d), gamma * d), d, sp.oo)
    over = sp.limit(finite.subs(sp.Min(gamma * d, d), d), d, sp.oo)
    result = sp.Piecewise((under, gamma < 1), (over, True))
    return DerivedResult(
        name="scratch_bias",
        title="Bias of the minimum-norm solution (proportional limit)",
        reference="Thm 3.6, proof (docs/paper.md §3.5 step 2)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _LIMIT),
        expr=result,
        steps=(
            Step(
                finite,
                "scratch_bias_finite with n = γd",
                check.substitution({n: gamma * d}, source=bias_finite().expr),
            ),
            Step(result, "min(γd, d) = γd for γ < 1, d otherwise"),
        ),
        variables=(gamma,),
    )


@functools.cache
def risk() -> DerivedResult:
    """Eq. 8: the limit of the exact finite-size risk, checked against bias + MP variance."""
    finite = risk_finite().expr
    (under_finite, _), (over_finite, _), *_ = finite.args
    under = sp.limit(under_finite.subs(n, gamma * d), d, sp.oo)
    over = sp.limit(over_finite.subs(n, gamma * d), d, sp.oo)
    under, over = sp.factor(sp.together(under)), sp.factor(sp.together(over))
    result = _asymptotic(under, over)
    # The other route: bias + Marchenko-Pastur variance, branch by branch.
    bias_under = bias().expr.args[0].expr
    var_under, var_over = (branch.expr for branch in variance().expr.args[:2])
    return DerivedResult(
        name="scratch_risk",
        title="Scratch risk and double descent",
        reference="Thm 3.6, eq. 8",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _LIMIT),
        expr=result,
        steps=(
            Step(
                sp.Tuple(under_finite, over_finite),
                "exact finite-size risk (scratch_risk_finite), n < d − 1 and n > d + 1",
            ),
            Step(
                sp.Tuple(under, over),
                "substitute n = γd and let d → ∞ (SymPy limit)",
                check.limit(d, sp.oo, first={n: gamma * d}),
            ),
            Step(
                sp.Tuple(sp.Eq(under, bias_under + var_under), sp.Eq(over, var_over)),
                "the same as bias (1 − γ) plus the Marchenko-Pastur variance σ²γ/(1 − γ) below "
                "interpolation, and as the variance σ²/(γ − 1) alone above it (scratch_bias, "
                "scratch_variance)",
                check.identity(sp.Tuple(under - (bias_under + var_under), over - var_over)),
            ),
            Step(
                result,
                "at γ = 1 the one-sided limits: infinite for σ > 0, 0 for σ = 0",
                check.unchecked(_AT_ONE),
            ),
        ),
        printed="eq8_scratch_risk",
        variables=(gamma, sigma),
    )


@functools.cache
def optimum() -> DerivedResult:
    """The minimiser γ* = 1 − σ of the γ < 1 branch of eq. 8 and its value 2σ − σ² (σ < 1)."""
    under = risk().expr.args[0].expr
    stationary = sp.solve(sp.Eq(sp.diff(under, gamma), 0), gamma)
    probe = {sigma: sp.Rational(1, 5)}
    inside = [g for g in stationary if 0 < g.subs(probe) < 1]
    (minimiser,) = inside
    curvature = sp.simplify(sp.diff(under, gamma, 2).subs(gamma, minimiser))
    value = sp.expand(sp.simplify(under.subs(gamma, minimiser)))
    return DerivedResult(
        name="scratch_optimum",
        title="Best sample ratio below interpolation and the risk there",
        reference="Thm 3.6 (consequence of eq. 8; docs/paper.md §3.5)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _LIMIT, "0 < σ < 1"),
        expr=sp.Tuple(minimiser, value),
        steps=(
            Step(
                sp.Eq(sp.diff(under, gamma), 0),
                "stationarity of the γ < 1 branch",
                check.derivative(gamma, source=sp.Eq(under, 0)),
            ),
            Step(
                sp.Tuple(*stationary),
                "its roots 1 ± σ; only 1 − σ lies in (0, 1)",
                check.solutions(gamma),
            ),
            Step(
                sp.Eq(sp.Symbol("R''(γ*)"), curvature),
                "positive: a minimum",
                check.substitution(
                    {gamma: minimiser},
                    source=sp.Eq(sp.Symbol("R''(γ*)"), sp.diff(under, gamma, 2)),
                ),
            ),
            Step(
                sp.Tuple(minimiser, value),
                "γ* and R_sc(γ*)",
                check.substitution({gamma: minimiser}, source=sp.Tuple(gamma, under)),
            ),
        ),
        variables=(sigma,),
    )


@functools.cache
def risk_noiseless() -> DerivedResult:
    """σ = 0: R_sc = 1 − γ for γ < 1 and 0 for γ ≥ 1 (no double-descent peak)."""
    full = risk().expr
    noiseless = sp.piecewise_fold(full.subs(sigma, 0))
    under = sp.simplify(noiseless.args[0].expr)
    result = sp.Piecewise((under, gamma < 1), (0, True))
    return DerivedResult(
        name="scratch_risk_noiseless",
        title="Scratch risk without label noise",
        reference="Thm 3.6 at σ = 0 (App. G, Fig. 7)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS[1:], "σ = 0", _LIMIT),
        expr=result,
        steps=(
            Step(noiseless, "eq. 8 at σ = 0", check.substitution({sigma: 0}, source=full)),
            Step(result, "the branches for γ > 1 and γ = 1 are both 0"),
        ),
        variables=(gamma,),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return (
        bias_finite(),
        risk_finite(),
        bias(),
        variance(),
        risk(),
        optimum(),
        risk_noiseless(),
    )
