"""Gaussian and Wishart moments used by the finite-size results.

* ``inverse_chi2_mean``: E[1/χ²_k] = 1/(k − 2), by integrating the chi-square density (the Gamma
  integral of the paper's App. D, eqs. 117–121, used for Thm 3.7).
* ``inverse_wishart_trace``: E tr (XXᵀ)⁻¹ = n/(d − n − 1) for n < d − 1 and E tr (XᵀX)⁻¹ =
  d/(n − d − 1) for n > d + 1, for X ∈ ℝ^{n×d} with i.i.d. standard Gaussian entries: the exact
  finite-size variance of the minimum-norm solution (docs/paper.md §3.5 step 5).
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import record as check
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import d, k_dof, n, q_chi


@functools.cache
def inverse_chi2_mean() -> DerivedResult:
    """E[1/χ²_k] = 1/(k − 2) for k > 2, by direct integration against the χ²_k density."""
    density = (
        q_chi ** (k_dof / 2 - 1) * sp.exp(-q_chi / 2) / (2 ** (k_dof / 2) * sp.gamma(k_dof / 2))
    )
    integral = sp.Integral(density / q_chi, (q_chi, 0, sp.oo))
    evaluated = integral.doit(conds="piecewise")
    convergent = next(
        branch.expr
        for branch in evaluated.args
        if branch.cond != sp.true and branch.cond.has(k_dof)
    )
    value = sp.simplify(sp.gammasimp(convergent))
    return DerivedResult(
        name="inverse_chi2_mean",
        title="Mean of the inverse of a chi-square variable",
        reference="App. D, eqs. 117-121 (used by Thm 3.7)",
        regime=Regime.EXACT,
        assumptions=("q ~ chi-square with k > 2 degrees of freedom",),
        expr=value,
        steps=(
            Step(
                sp.Eq(sp.Function("p_k")(q_chi), density),
                "density of the chi-square law with k degrees of freedom",
                check.unchecked("the χ²_k density is the model's definition"),
            ),
            Step(
                sp.Eq(sp.Symbol("E[1/q]"), integral),
                "definition of the expectation of 1/q",
                check.unchecked("definition of an expectation"),
            ),
            Step(
                evaluated,
                "SymPy's Gamma integral; it converges only for k > 2",
                check.integral(q_chi, 0, sp.oo, source=density / q_chi),
            ),
            Step(
                sp.Eq(sp.Symbol("E[1/q]"), value),
                "Γ(k/2 − 1)/(2Γ(k/2)) = 1/(k − 2) by Γ(x+1) = xΓ(x)",
                check.equal(source=sp.Eq(sp.Symbol("E[1/q]"), convergent)),
            ),
        ),
        variables=(k_dof,),
    )


@functools.cache
def inverse_wishart_trace() -> DerivedResult:
    """E tr of the inverse of the Gram matrix of an n×d standard Gaussian matrix (exact)."""
    p, dof = sp.symbols("p N", positive=True, integer=True)
    inverse_mean = inverse_chi2_mean().expr
    # For W ~ Wishart_p(N, I), 1/(W⁻¹)₁₁ is the Schur complement W₁₁ − w₁ᵀW₂₂⁻¹w₁ ~ χ²_{N−p+1}.
    diagonal = inverse_mean.subs(k_dof, dof - p + 1)
    trace = sp.simplify(p * diagonal)
    under = trace.subs({p: n, dof: d})  # XXᵀ ~ Wishart_n(d, I) when n < d
    over = trace.subs({p: d, dof: n})  # XᵀX ~ Wishart_d(n, I) when n > d
    result = sp.Piecewise((under, n < d - 1), (over, n > d + 1), (sp.oo, True))
    return DerivedResult(
        name="inverse_wishart_trace",
        title="Mean trace of the inverse Gaussian Gram matrix",
        reference="Thm 3.6, exact finite-size step (docs/paper.md §3.5 step 5)",
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=(
            "X ∈ R^{n×d} with i.i.d. N(0, 1) entries",
            "the smaller Gram matrix is inverted: XXᵀ for n < d, XᵀX for n > d",
        ),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("E[(W^{-1})_{11}]"), diagonal),
                "W ~ Wishart_p(N, I): 1/(W⁻¹)₁₁ is a Schur complement distributed as χ²_{N−p+1}; "
                "apply inverse_chi2_mean with k = N − p + 1",
                check.substitution(
                    {k_dof: dof - p + 1}, source=sp.Eq(sp.Symbol("E[(W^{-1})_{11}]"), inverse_mean)
                ),
            ),
            Step(
                sp.Eq(sp.Symbol("E[tr W^{-1}]"), trace),
                "all p diagonal entries have the same law (rotation invariance)",
                check.equal(source=sp.Eq(sp.Symbol("E[tr W^{-1}]"), p * diagonal)),
            ),
            Step(
                result,
                "n < d: XXᵀ ~ Wishart_n(d, I); n > d: XᵀX ~ Wishart_d(n, I); "
                "the mean is infinite when |n − d| ≤ 1",
                check.unchecked(
                    "which Gram matrix is Wishart and where its mean is finite, in words; each "
                    "branch is step 2 with (p, N) = (n, d) or (d, n)"
                ),
            ),
        ),
        variables=(n, d),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return inverse_chi2_mean(), inverse_wishart_trace()
