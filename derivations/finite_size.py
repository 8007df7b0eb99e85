"""How far the asymptotic formulas are from the exact finite-size ones (docs/paper.md §3.12).

The paper's formulas are proportional limits (eq. 8: n, d → ∞ with n/d = γ; eq. 11: and n → ∞
for the linear probe), while every simulation has a finite d. Where the exact finite-size
expectation is known, SymPy expands it in the small parameter ε (ε = 1/d for scratch training at
n = γd, ε = 1/n for linear transfer) and reads off

    exact = asymptotic + c₁ ε + c₂ ε² + O(ε³).

Both expansions are geometric series — of ratio 1/(d|1 − γ|) (scratch below interpolation,
denominator d − n − 1 = d(1 − γ) − 1; above it, n − d − 1 = d(γ − 1) − 1) and of ratio 2/n
(linear transfer, denominator n − 2) — so where the ratio is below 1/3 the remainder after the
first-order term is below (3/2)·|c₂|ε²: the bound that ``verify`` states beside the gap.
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import record as check
from derivations.linear_transfer import lt_risk
from derivations.record import DerivedResult, Regime, Step
from derivations.scratch import risk, risk_finite
from derivations.symbols import d, gamma, n, sigma, theta

#: The small parameter of an expansion (1/d or 1/n).
epsilon = sp.Symbol("epsilon", positive=True)

_ORDER = 3  # expand to O(ε³): the constant, first- and second-order terms


def _evaluated(expr: sp.Basic) -> sp.Basic:
    """``expr`` rebuilt bottom-up with evaluation, as the derivation cache will read it back.

    ``factor`` may return a number times a sum, Mul(2, Add), that an evaluated Mul distributes;
    rebuilding now keeps the record equal to its cached copy.
    """
    if not expr.args:
        return expr
    return expr.func(*(_evaluated(arg) for arg in expr.args))


def _expand(
    exact: sp.Expr, mapping: dict, limit: sp.Expr, limit_name: str
) -> tuple[list[Step], tuple[sp.Expr, sp.Expr]]:
    """Substitute the scaling and expand in ε; the steps and the coefficients (c₁, c₂).

    The last step states series = limit + c₁ε + c₂ε² as an identity, which proves at once that
    the constant term is the asymptotic formula and that c₁, c₂ are the coefficients.
    """
    scaled = sp.simplify(exact.subs(mapping))
    series = sp.expand(scaled.series(epsilon, 0, _ORDER).removeO())
    first, second = (_evaluated(sp.factor(series.coeff(epsilon, k))) for k in (1, 2))
    collected = limit + first * epsilon + second * epsilon**2
    steps = [
        Step(
            scaled,
            "write the exact expectation in the small parameter ε",
            check.substitution(mapping),
        ),
        Step(series, "Taylor expansion at ε = 0 up to O(ε³)", check.series(epsilon, 0, _ORDER)),
        Step(
            sp.Eq(series, collected),
            f"collect powers of ε: the constant is {limit_name}, then c₁ and c₂",
            check.identity(series - collected),
        ),
    ]
    return steps, (first, second)


@functools.cache
def scratch_correction() -> DerivedResult:
    """E R_sc(n = γd, d) = eq. 8 + c₁/d + c₂/d² + O(d⁻³), per side of the interpolation peak."""
    exact = risk_finite().expr
    asymptotic = risk().expr
    (under_exact, _), (over_exact, _), *_ = exact.args
    (under_limit, _), (over_limit, _), *_ = asymptotic.args
    scaling = {n: gamma / epsilon, d: 1 / epsilon}
    steps: list[Step] = []
    firsts, seconds = [], []
    for side, exact_branch, limit_branch in (
        ("below interpolation (n < d − 1)", under_exact, under_limit),
        ("above interpolation (n > d + 1)", over_exact, over_limit),
    ):
        steps.append(Step(exact_branch, f"scratch_risk_finite {side}"))
        expanded, (first, second) = _expand(exact_branch, scaling, limit_branch, "eq. 8")
        steps += expanded
        firsts.append(first)
        seconds.append(second)
    expr = sp.Tuple(
        sp.Piecewise((firsts[0], gamma < 1), (firsts[1], gamma > 1), (sp.nan, True)),
        sp.Piecewise((seconds[0], gamma < 1), (seconds[1], gamma > 1), (sp.nan, True)),
    )
    return DerivedResult(
        name="scratch_risk_correction",
        title="Finite-size correction of the scratch risk: (c₁, c₂) of 1/d and 1/d²",
        reference="Thm 3.6, eq. 8 vs exact finite-size (docs/paper.md §3.12)",
        regime=Regime.EXACT,
        assumptions=(
            "n = γd, γ ≠ 1; the geometric series converges for d|1 − γ| > 1",
            "the remainder after c₁/d is below (3/2)|c₂|/d² where d|1 − γ| > 3",
        ),
        expr=expr,
        steps=tuple(steps),
        variables=(gamma, sigma),
    )


@functools.cache
def lt_correction() -> DerivedResult:
    """E R_lt(n) = sin²θ + a₁/n + a₂/n² + O(n⁻³): eq. 10 against its n → ∞ limit."""
    exact = lt_risk().expr
    steps = [Step(exact, "lt_risk: the exact linear-transfer risk at n > 2 (eq. 10)")]
    expanded, (first, second) = _expand(exact, {n: 1 / epsilon}, sp.sin(theta) ** 2, "sin²θ")
    steps += expanded
    expr = sp.Tuple(first, second)
    return DerivedResult(
        name="lt_risk_correction",
        title="Finite-size correction of the linear-transfer risk: (a₁, a₂) of 1/n and 1/n²",
        reference="Thm 3.7, eq. 10 vs its n → ∞ limit",
        regime=Regime.EXACT,
        assumptions=(
            "n > 2; the geometric series in 2/n converges",
            "the remainder after a₁/n is below (3/2)|a₂|/n² where n > 6",
        ),
        expr=expr,
        steps=tuple(steps),
        variables=(theta, sigma),
    )


def results() -> tuple[DerivedResult, ...]:
    return scratch_correction(), lt_correction()
