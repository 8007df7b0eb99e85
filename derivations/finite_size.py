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

The records:

* ``scratch_risk_correction``, ``lt_risk_correction``: the coefficients (c₁, c₂) and (a₁, a₂);
* ``scratch_risk_gap``, ``lt_risk_gap``: the gap itself, exact − asymptotic, at n = γd (scratch)
  or at n (linear transfer);
* ``scratch_risk_remainder_bound``, ``lt_risk_remainder_bound``: the bound on the remainder after
  the first-order term and where it is claimed. SymPy finds the ratio r of the series from the
  gap and c₁ (gap = c₁ε/(1 − r)), checks that the remainder is exactly c₂ε²/(1 − r), that
  1/(1 − r) increases to 3/2 at r = 1/3, and that r = 1/(d|1 − γ|) (scratch) and r = 2/n (linear
  transfer): hence |gap − c₁ε| ≤ (3/2)|c₂|ε² where d|1 − γ| > 3 (n > 6). Each evaluates to
  (bound, claimed), claimed being 1 where the condition holds and 0 elsewhere.
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import record as check
from derivations.linear_transfer import lt_risk, lt_risk_limit
from derivations.record import DerivedResult, Regime, Step
from derivations.scratch import risk, risk_finite
from derivations.symbols import d, gamma, n, sigma, theta

#: The small parameter of an expansion (1/d or 1/n).
epsilon = sp.Symbol("epsilon", positive=True)
_RATIO = sp.Symbol("r", nonnegative=True)  # the ratio of a geometric series, 0 <= r < 1
_LARGEST_RATIO = sp.Rational(1, 3)  # the bound is claimed where the ratio is below 1/3
_GAP = sp.Symbol("gap")  # exact − asymptotic (display)

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
            "the remainder after c₁/d is below (3/2)|c₂|/d² where d|1 − γ| > 3 "
            "(scratch_risk_remainder_bound)",
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
            "the remainder after a₁/n is below (3/2)|a₂|/n² where n > 6 (lt_risk_remainder_bound)",
        ),
        expr=expr,
        steps=tuple(steps),
        variables=(theta, sigma),
    )


# ---- the gaps and the bounds on the remainder after the first-order term -----------------------
def _scratch_branches() -> tuple[tuple[sp.Expr, sp.Expr], tuple[sp.Expr, sp.Expr]]:
    """(exact, asymptotic) below and above interpolation."""
    (under_exact, _), (over_exact, _), *_ = risk_finite().expr.args
    (under_limit, _), (over_limit, _), *_ = risk().expr.args
    return (under_exact, under_limit), (over_exact, over_limit)


@functools.cache
def scratch_gap() -> DerivedResult:
    """E R_sc(n = γd, d) − eq. 8: the finite-size gap of the scratch risk."""
    (under_exact, under_limit), (over_exact, over_limit) = _scratch_branches()
    scaling = {n: gamma * d}
    under, over = (sp.factor(sp.simplify(e.subs(scaling) - a)) for e, a in _scratch_branches())
    differences = sp.Piecewise(
        (under_exact - under_limit, n < d - 1),
        (over_exact - over_limit, n > d + 1),
        (0, sp.Eq(sigma, 0)),
        (sp.oo, True),
    )
    result = sp.Piecewise(
        (under, gamma * d < d - 1), (over, gamma * d > d + 1), (0, sp.Eq(sigma, 0)), (sp.oo, True)
    )
    return DerivedResult(
        name="scratch_risk_gap",
        title="Finite-size gap of the scratch risk: exact E R_sc(n = γd, d) minus eq. 8",
        reference="Thm 3.6, eq. 8 vs exact finite-size (docs/paper.md §3.12)",
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=(
            "n = γd samples in dimension d (the exact risk holds for integer n, d; the formula "
            "for any γd)",
        ),
        expr=result,
        steps=(
            Step(
                sp.Tuple(under_exact, over_exact),
                "the exact risk below and above interpolation (scratch_risk_finite)",
            ),
            Step(sp.Tuple(under_limit, over_limit), "eq. 8, γ < 1 and γ > 1 (scratch_risk)"),
            Step(
                sp.Tuple(under, over),
                "exact − eq. 8 at n = γd, branch by branch",
                check.substitution(
                    scaling, source=sp.Tuple(under_exact - under_limit, over_exact - over_limit)
                ),
            ),
            Step(
                result,
                "with the branch conditions of scratch_risk_finite at n = γd; for |n − d| <= 1 "
                "the exact risk is infinite when σ > 0, and at σ = 0 it equals eq. 8 (both are "
                "1 − min(γ, 1))",
                check.substitution(scaling, source=differences),
            ),
        ),
        notes=(
            "The quantity that scratch_risk_correction expands: gap = c₁/d + c₂/d² + O(d⁻³) "
            "(claim finite-size-corrections)."
        ),
        variables=(gamma, sigma, d),
    )


def _magnitude(expr: sp.Expr) -> sp.Expr:
    """|expr| with |bᵉ| written |b|ᵉ: the same number, in the form that SymPy builds back the
    same way when the record is read from the cache (``Abs(b**e)`` is rebuilt differently)."""
    return sp.Abs(expr).replace(
        lambda e: isinstance(e, sp.Abs) and e.args[0].is_Pow,
        lambda e: sp.Abs(e.args[0].base) ** e.args[0].exp,
    )


def _remainder_steps(
    gap: sp.Expr, first: sp.Expr, second: sp.Expr, size: sp.Symbol, label: str
) -> tuple[list[Step], sp.Expr]:
    """Steps: the gap as a geometric series in ε = 1/size and its exact remainder; the ratio."""
    in_epsilon = sp.simplify(gap.subs(size, 1 / epsilon))
    ratio = sp.factor(sp.simplify(1 - first * epsilon / in_epsilon))
    remainder = second * epsilon**2 / (1 - ratio)
    steps = [
        Step(
            sp.Eq(_GAP, in_epsilon),
            f"{label}: the gap in ε = 1/{size}",
            check.substitution({size: 1 / epsilon}, source=gap),
        ),
        Step(
            sp.Eq(_RATIO, ratio),
            f"{label}: gap = c₁ε/(1 − r), a geometric series of this ratio",
            check.identity(in_epsilon - first * epsilon / (1 - ratio)),
        ),
        Step(
            sp.Eq(_GAP - sp.Symbol("c₁") * epsilon, remainder),
            f"{label}: the remainder after the first-order term is exactly c₂ε²/(1 − r)",
            check.identity(in_epsilon - first * epsilon - remainder),
        ),
    ]
    return steps, ratio


def _in_epsilon(result: sp.Tuple, size: sp.Symbol) -> sp.Tuple:
    """``result`` with 1/size written as ε (the source of its last step's check)."""
    return sp.Tuple(*(part.subs(size, 1 / epsilon) for part in result))


def _factor_steps() -> list[Step]:
    """1/(1 − r) increases on [0, 1) and is 3/2 at r = 1/3."""
    factor = 1 / (1 - _RATIO)
    return [
        Step(
            sp.Eq(sp.Derivative(factor, _RATIO), 1 / (1 - _RATIO) ** 2),
            "the factor 1/(1 − r) of c₂ε² increases with r on [0, 1)",
        ),
        Step(
            sp.Eq(sp.Symbol("1/(1 − r) at r = 1/3"), sp.Rational(3, 2)),
            "so |gap − c₁ε| <= (3/2)|c₂|ε² wherever r <= 1/3",
            check.substitution({_RATIO: _LARGEST_RATIO}, source=factor),
        ),
    ]


@functools.cache
def scratch_remainder_bound() -> DerivedResult:
    """|E R_sc − eq. 8 − c₁/d| <= (3/2)|c₂|/d² where d|1 − γ| > 3."""
    gap = scratch_gap().expr
    (under_gap, _), (over_gap, _), *_ = gap.args
    firsts, seconds = scratch_correction().expr
    (first_under, _), (first_over, _), *_ = firsts.args
    (second_under, _), (second_over, _), *_ = seconds.args
    steps: list[Step] = []
    ratios = []
    for side, branch, first, second in (
        ("γ < 1", under_gap, first_under, second_under),
        ("γ > 1", over_gap, first_over, second_over),
    ):
        branch_steps, ratio = _remainder_steps(branch, first, second, d, side)
        steps += branch_steps
        ratios.append(ratio.subs(epsilon, 1 / d))
    steps += _factor_steps()
    under_ratio, over_ratio = ratios
    condition = d * sp.Abs(1 - gamma) > 1 / _LARGEST_RATIO
    bound = sp.Piecewise(
        (sp.Rational(3, 2) * _magnitude(second_under) / d**2, gamma < 1),
        (sp.Rational(3, 2) * _magnitude(second_over) / d**2, gamma > 1),
        (sp.nan, True),
    )
    result = sp.Tuple(bound, sp.Piecewise((1, condition), (0, True)))
    steps += [
        Step(
            sp.Tuple(sp.Eq(_RATIO, under_ratio), sp.Eq(_RATIO, over_ratio)),
            "at ε = 1/d the ratio is 1/(d(1 − γ)) and 1/(d(γ − 1)): r = 1/(d|1 − γ|), so "
            "r < 1/3 exactly where d|1 − γ| > 3",
            check.identity(
                sp.Tuple(under_ratio * d * (1 - gamma) - 1, over_ratio * d * (gamma - 1) - 1)
            ),
        ),
        Step(
            result,
            "the bound (3/2)|c₂|ε² at ε = 1/d per branch (c₂ of scratch_risk_correction), and "
            "1 where it is claimed, d|1 − γ| > 3 (0 elsewhere: not claimed)",
            check.substitution({epsilon: 1 / d}, source=_in_epsilon(result, d)),
        ),
    ]
    return DerivedResult(
        name="scratch_risk_remainder_bound",
        title="Bound on the scratch gap beyond its first-order term, and where it holds",
        reference="Thm 3.6, eq. 8 vs exact finite-size (docs/paper.md §3.12)",
        regime=Regime.EXACT,
        assumptions=(
            "n = γd, γ ≠ 1",
            "the bound is claimed where the ratio of the geometric series is below 1/3, "
            "d|1 − γ| > 3",
        ),
        expr=result,
        steps=tuple(steps),
        notes=(
            "Evaluates to (bound, claimed): |scratch_risk_gap − c₁/d| <= bound wherever "
            "claimed = 1. The bound is sharp up to the factor 3/2 (the remainder is c₂/d² "
            "(1 + r + r² + ...))."
        ),
        variables=(gamma, sigma, d),
    )


@functools.cache
def lt_gap() -> DerivedResult:
    """Eq. 10 − sin²θ: the finite-n gap of the linear-transfer risk."""
    exact = lt_risk().expr
    limit = lt_risk_limit().expr
    result = sp.factor(exact - limit)
    return DerivedResult(
        name="lt_risk_gap",
        title="Finite-n gap of the linear-transfer risk: eq. 10 minus its n → ∞ limit",
        reference="Thm 3.7, eq. 10 vs its n → ∞ limit (docs/paper.md §3.12)",
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=("n > 2 target samples",),
        expr=result,
        steps=(
            Step(exact, "eq. 10 (lt_risk)"),
            Step(limit, "its n → ∞ limit sin²θ (lt_risk_limit)"),
            Step(result, "the difference", check.equal(source=exact - limit)),
        ),
        notes="The quantity that lt_risk_correction expands: a₁/n + a₂/n² + O(n⁻³).",
        variables=(theta, sigma, n),
    )


@functools.cache
def lt_remainder_bound() -> DerivedResult:
    """|eq. 10 − sin²θ − a₁/n| <= (3/2)|a₂|/n² where n > 6."""
    gap = lt_gap().expr
    first, second = lt_correction().expr
    steps, ratio = _remainder_steps(gap, first, second, n, "eq. 10")
    steps += _factor_steps()
    claimed_from = 2 / _LARGEST_RATIO
    result = sp.Tuple(
        sp.Rational(3, 2) * _magnitude(second) / n**2,
        sp.Piecewise((1, n > claimed_from), (0, True)),
    )
    steps += [
        Step(
            sp.Eq(_RATIO, 2 / n),
            "at ε = 1/n the ratio is 2/n, so r < 1/3 exactly where n > 6",
            check.substitution({epsilon: 1 / n}, source=sp.Eq(_RATIO, ratio)),
        ),
        Step(
            result,
            "the bound (3/2)|a₂|ε² at ε = 1/n (a₂ of lt_risk_correction), and 1 where it is "
            "claimed, n > 6",
            check.substitution({epsilon: 1 / n}, source=_in_epsilon(result, n)),
        ),
    ]
    return DerivedResult(
        name="lt_risk_remainder_bound",
        title="Bound on the linear-transfer gap beyond its first-order term, and where it holds",
        reference="Thm 3.7, eq. 10 vs its n → ∞ limit (docs/paper.md §3.12)",
        regime=Regime.EXACT,
        assumptions=(
            "n > 2",
            "the bound is claimed where the ratio 2/n of the geometric series is below 1/3, n > 6",
        ),
        expr=result,
        steps=tuple(steps),
        notes="Evaluates to (bound, claimed): |lt_risk_gap − a₁/n| <= bound wherever claimed = 1.",
        variables=(theta, sigma, n),
    )


def results() -> tuple[DerivedResult, ...]:
    return (
        scratch_correction(),
        scratch_gap(),
        scratch_remainder_bound(),
        lt_correction(),
        lt_gap(),
        lt_remainder_bound(),
    )
