"""Ridge-regularised linear transfer in the limit of many target samples (Thm 3.8, eq. 13).

The last layer is fitted with the authors' penalty normalisation (docs/paper.md §3.7, code
``transfer.py``)

    c = argmin (1/n)‖y − Fc‖² + λ‖c‖² = (FᵀF + nλI)⁻¹Fᵀy,

on the pretrained features F = XW₁ with W₁ = β_s vᵀ, ‖v‖ = 1 (Thm 3.4: a rank-one feature map
whose single singular value is 1), so F = z vᵀ with z = Xβ_s. SymPy solves the normal equations
with the ansatz c = κv (FᵀF = ‖z‖² v vᵀ and Fᵀy = (zᵀy) v are both along v, and FᵀF + nλI is
invertible for λ > 0) and confirms the solution on an explicit d = 3 example with a generic unit v.
The end-to-end vector is W₁c = b_λ β_s with

    b_λ = zᵀy/(‖z‖² + nλ).

By the law of large numbers ‖z‖² = n + √n η and zᵀy = cos θ ‖z‖² + zᵀu with zᵀu = √n ξ (O(1)
fluctuations η, ξ), so SymPy's limit n → ∞ gives b_λ → cos θ/(1 + λ), and the risk
‖b_λβ_s − β_t‖² = (b_λ − cos θ)² + sin²θ (:func:`derivations.linear_transfer.coefficient_risk`)
becomes eq. 13, 1 − (1 + 2λ)cos²θ/(1 + λ)². Its λ-derivative 2λcos²θ/(1 + λ)³ ≥ 0: in this limit
ridge on the one-coefficient probe only adds shrinkage bias and cannot remove negative transfer
(docs/paper.md §9.2.5). At finite n a small λ can reduce the variance term of eq. 10; eq. 13 does
not describe that. The paper's own derivation uses spherical coordinates and a saddle point
(App. D.7).
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import record as check
from derivations.linear_transfer import coefficient_risk
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import lam, n, theta

_COS = sp.cos(theta)
_ASSUMPTIONS = (
    "x ~ N(0, I_d); y = β_tᵀx + ε, ε ~ N(0, σ²); ‖β_s‖ = ‖β_t‖ = 1, β_sᵀβ_t = cos θ "
    "(Assumptions 3.1-3.2)",
    "pretrained first layer W₁ = β_s vᵀ with ‖v‖ = 1 (Thm 3.4: rank one, singular value 1)",
    "last layer fitted by ridge: c = (FᵀF + nλI)⁻¹Fᵀy, F = XW₁ (penalty (1/n)‖y − Fc‖² + λ‖c‖²)",
    "n → ∞ target samples",
)


@functools.cache
def _fitted_coefficient() -> tuple[sp.Expr, tuple[Step, ...]]:
    """b_λ = zᵀy/(‖z‖² + nλ): the ridge solution on rank-one features, and its steps."""
    q = sp.Symbol("q", positive=True)  # ‖z‖²
    p = sp.Symbol("p", real=True)  # zᵀy
    norm_v = sp.Symbol("‖v‖²", positive=True)
    kappa = sp.Symbol("kappa")
    # Normal equations with the ansatz c = κv, written on the coefficient of v:
    # (FᵀF + nλI)κv = κ(q‖v‖² + nλ)v and Fᵀy = p v.
    equation = sp.Eq(kappa * (q * norm_v + n * lam), p)
    (kappa_value,) = sp.solve(equation, kappa)
    end_to_end = sp.cancel(kappa_value * norm_v)  # W₁c = β_s vᵀ(κv) = κ‖v‖² β_s
    coefficient = end_to_end.subs(norm_v, 1)
    # Explicit check in d = 3 with a generic unit vector v and an arbitrary n-vector z.
    v1, v2 = sp.symbols("v_1 v_2", real=True)
    v = sp.Matrix([v1, v2, sp.sqrt(1 - v1**2 - v2**2)])
    gram = q * v * v.T  # FᵀF = v zᵀz vᵀ
    system = gram + n * lam * sp.eye(3)
    eigenvalue = sp.simplify((system * v)[0] / v[0])
    eigen = sp.simplify(system * v - eigenvalue * v)
    candidate = coefficient * v
    if eigen != sp.zeros(3, 1):  # the eigenvalue read off the first coordinate
        raise AssertionError(f"v is not an eigenvector of FᵀF + nλI: {eigen}")
    steps = (
        Step(
            sp.Eq(sp.Symbol("(FᵀF + nλI)v / v"), eigenvalue),
            "F = z vᵀ: FᵀF = ‖z‖² v vᵀ, so the unit vector v is an eigenvector of FᵀF + nλI "
            "(SymPy on d = 3 with a generic unit v; q = ‖z‖²)",
            check.identity(system * v - eigenvalue * v),
        ),
        Step(
            equation,
            "normal equations along v with the ansatz c = κv (Fᵀy = p v, p = zᵀy)",
            check.unchecked("the normal equations written on the coefficient of v"),
        ),
        Step(
            sp.Eq(kappa, kappa_value),
            "SymPy solve for κ (unique solution for λ > 0)",
            check.solutions(kappa),
        ),
        Step(
            sp.Eq(sp.Symbol("b_λ"), coefficient),
            "end-to-end vector W₁c = κ‖v‖²β_s, with ‖v‖ = 1 (unit singular value)",
            check.substitution({norm_v: 1}, source=kappa_value * norm_v),
        ),
        Step(
            sp.Eq(sp.Symbol("(FᵀF + nλI)(b_λ v) − Fᵀy"), sp.zeros(3, 1)),
            "c = b_λ v solves the normal equations (d = 3, generic unit v)",
            check.identity(system * candidate - p * v),
        ),
        Step(
            sp.Eq(sp.Symbol("vᵀc"), coefficient),
            "and its coordinate along the unit v is b_λ",
            check.identity((v.T * candidate)[0] - coefficient),
        ),
    )
    return coefficient, steps


@functools.cache
def ridge_lt_risk() -> DerivedResult:
    """Eq. 13: R_lt^λ = 1 − (1 + 2λ)cos²θ/(1 + λ)² as n → ∞."""
    coefficient, fit_steps = _fitted_coefficient()
    q, p = sp.Symbol("q", positive=True), sp.Symbol("p", real=True)
    eta, xi = sp.symbols("eta xi", real=True)
    # Law of large numbers / CLT: ‖z‖² = n + √n η, zᵀy = cos θ ‖z‖² + zᵀu with zᵀu = √n ξ.
    fluctuating = {q: n + sp.sqrt(n) * eta, p: _COS * (n + sp.sqrt(n) * eta) + sp.sqrt(n) * xi}
    finite = coefficient.subs(fluctuating)
    limit = sp.limit(finite, n, sp.oo)
    risk_of_b = coefficient_risk(sp.Symbol("b_λ"))
    raw = coefficient_risk(limit)
    in_cos = sp.expand(raw.subs(sp.sin(theta) ** 2, 1 - _COS**2))
    constant = in_cos.coeff(_COS, 0)
    slope = sp.factor(in_cos.coeff(_COS, 2))
    result = constant + slope * _COS**2
    return DerivedResult(
        name="ridge_lt_risk",
        title="Risk of ridge-regularised linear transfer with many target samples",
        reference="Thm 3.8, eq. 13 (App. D.7)",
        regime=Regime.ASYMPTOTIC,
        assumptions=_ASSUMPTIONS,
        expr=result,
        steps=(
            *fit_steps,
            Step(
                sp.Eq(sp.Symbol("b_λ"), finite),
                "‖z‖² = n + √n η and zᵀu = √n ξ with O(1) fluctuations (law of large numbers, "
                "CLT), zᵀy = cos θ ‖z‖² + zᵀu",
                check.substitution(fluctuating, source=coefficient),
            ),
            Step(
                sp.Eq(sp.Limit(sp.Symbol("b_λ"), n, sp.oo), limit),
                "SymPy limit n → ∞",
                check.limit(n, sp.oo, source=finite),
            ),
            Step(
                sp.Eq(sp.Symbol("R_lt^λ"), risk_of_b),
                "‖b_λβ_s − β_t‖² in the basis (β_s, ν)",
                check.equal(
                    source=(sp.Symbol("b_λ") - _COS) ** 2 + sp.sin(theta) ** 2,
                ),
            ),
            Step(
                sp.Eq(sp.Symbol("R_lt^λ"), raw),
                "insert the limit of b_λ",
                check.substitution({sp.Symbol("b_λ"): limit}, source=risk_of_b),
            ),
            Step(
                sp.Eq(sp.Symbol("R_lt^λ"), result),
                "sin²θ = 1 − cos²θ, collect in cos θ and factor the coefficient",
                check.equal(source=sp.Eq(sp.Symbol("R_lt^λ"), in_cos)),
            ),
        ),
        printed="eq13_ridge_lt_risk",
        notes=(
            "Independent of σ: the noise enters b_λ only through zᵀε = O(√n), negligible against "
            "‖z‖² + nλ = O(n). λ = 0 gives the floor sin²θ of eq. 10. The penalty normalisation "
            "nλ (the authors' code) and the unit singular value of the pretrained features are "
            "both needed: with a penalty λ instead of nλ the limit would not depend on λ."
        ),
        variables=(theta, lam),
    )


@functools.cache
def ridge_lt_monotone() -> DerivedResult:
    """∂R_lt^λ/∂λ = 2λcos²θ/(1 + λ)³ ≥ 0: ridge cannot lower the n → ∞ risk."""
    risk = ridge_lt_risk().expr
    derivative = sp.factor(sp.simplify(sp.diff(risk, lam)))
    excess = sp.factor(sp.simplify(risk - risk.subs(lam, 0)))
    floor = sp.trigsimp(risk.subs(lam, 0))
    return DerivedResult(
        name="ridge_lt_monotone",
        title="Ridge on the linear probe cannot remove negative transfer (n → ∞)",
        reference="Thm 3.8 (consequence of eq. 13)",
        regime=Regime.ASYMPTOTIC,
        assumptions=_ASSUMPTIONS,
        expr=derivative,
        steps=(
            Step(sp.Eq(sp.Symbol("R_lt^λ"), risk), "eq. 13 (ridge_lt_risk)"),
            Step(
                sp.Eq(sp.Derivative(sp.Function("R_lt^λ")(lam), lam), derivative),
                "SymPy derivative: ≥ 0 for λ ≥ 0",
                check.derivative(lam, source=sp.Eq(sp.Function("R_lt^λ")(lam), risk)),
            ),
            Step(
                sp.Eq(sp.Symbol("R_lt^0"), floor),
                "λ = 0: the unregularised floor sin²θ",
                check.substitution({lam: 0}, source=risk),
            ),
            Step(
                sp.Eq(sp.Symbol("R_lt^λ") - sp.Symbol("R_lt^0"), excess),
                "≥ 0: the shrinkage bias (λ cos θ/(1 + λ))²",
                check.equal(source=risk - risk.subs(lam, 0)),
            ),
        ),
        notes=(
            "Strictly increasing in λ for θ < π/2, flat at θ = π/2. This is a statement about "
            "the n → ∞ limit of a one-coefficient probe (docs/paper.md §9.2.5): at finite n a "
            "small λ can lower the variance term (σ² + sin²θ)/(n − 2) of eq. 10, which eq. 13 "
            "does not capture. The authors' experiments use λ = 0.1 for linear transfer; the gap "
            "to λ = 0 is λ²cos²θ/(1 + λ)² ≤ 0.00826 (docs/paper.md §9.1.1)."
        ),
        variables=(theta, lam),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return ridge_lt_risk(), ridge_lt_monotone()
