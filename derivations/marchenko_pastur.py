"""The Marchenko–Pastur law from its self-consistency equation (the random-matrix step of Thm 3.6).

Convention: X ∈ ℝ^{p×N} with i.i.d. N(0, 1) entries, W = XXᵀ/N, aspect ratio c = p/N ∈ (0, 1).
As p, N → ∞ the eigenvalue law of W converges to the Marchenko–Pastur law ρ_c, whose Stieltjes
transform m(z) = ∫ ρ_c(x)/(x − z) dx solves (docs/paper.md §8.3 item 1)

    c z m² + (z − (1 − c)) m + 1 = 0.

SymPy solves the quadratic; of its two roots, m(z) is the one with m(z) ~ −1/z at infinity, with the
square root of the discriminant taken as √(z − λ₋)·√(z − λ₊) (analytic off the support
[λ₋, λ₊]). From it follow the support (zeros of the discriminant), the density (Stieltjes
inversion ρ(x) = Im m(x + i0)/π), the moments (expansion at z = ∞) and the mean inverse
eigenvalue m(0) = E[1/x] = 1/(1 − c), which gives the variance terms γ/(1−γ) and 1/(γ−1) of eq. 8.
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import record as check
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import ratio, x_eig, z

_M = sp.Symbol("m")
_ASSUMPTIONS = (
    "W = XXᵀ/N, X ∈ R^{p×N} with i.i.d. N(0, 1) entries",
    "p, N → ∞ with p/N → c ∈ (0, 1)",
)
_REFERENCE = "App. D (Stieltjes transform of Marchenko-Pastur, used in Thm 3.6)"


def _self_consistency() -> sp.Expr:
    return ratio * z * _M**2 + (z - (1 - ratio)) * _M + 1


@functools.cache
def _edges() -> tuple[sp.Expr, sp.Expr]:
    """λ₋ < λ₊: the zeros of the discriminant of the self-consistency quadratic."""
    discriminant = sp.discriminant(_self_consistency(), _M)
    edges = sp.solve(discriminant, z)
    probe = {ratio: sp.Rational(1, 4)}
    lower, upper = sorted(edges, key=lambda e: e.subs(probe))
    return lower, upper


@functools.cache
def stieltjes() -> DerivedResult:
    """m(z): the root of the self-consistency equation that behaves as −1/z at infinity."""
    equation = sp.Eq(_self_consistency(), 0)
    roots = sp.solve(equation, _M)
    discriminant = sp.discriminant(_self_consistency(), _M)
    lower, upper = _edges()
    factorised = sp.Eq(discriminant, (z - lower) * (z - upper))
    analytic_root = sp.sqrt(z - lower) * sp.sqrt(z - upper)
    candidates = [(-(z - (1 - ratio)) + sign * analytic_root) / (2 * ratio * z) for sign in (1, -1)]
    at_infinity = [sp.simplify(sp.limit(z * m, z, sp.oo)) for m in candidates]
    chosen = candidates[at_infinity.index(-1)]
    return DerivedResult(
        name="mp_stieltjes",
        title="Stieltjes transform of the Marchenko-Pastur law",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=_ASSUMPTIONS,
        expr=chosen,
        steps=(
            Step(
                equation,
                "self-consistency equation of the resolvent of W (Marchenko-Pastur)",
                check.unchecked("the self-consistency equation is the random-matrix input"),
            ),
            Step(sp.Tuple(*roots), "the two roots of the quadratic in m", check.solutions(_M)),
            Step(
                factorised,
                "the discriminant factorises over its zeros λ∓ = (1 ∓ √c)²",
                check.identity(discriminant - (z - lower) * (z - upper)),
            ),
            Step(
                sp.Tuple(
                    *[
                        sp.Eq(sp.Limit(z * m, z, sp.oo), v)
                        for m, v in zip(candidates, at_infinity, strict=True)
                    ]
                ),
                "with the branch √(z−λ₋)√(z−λ₊) ~ z, only one root decays like −1/z, "
                "as ∫ρ(x)/(x−z)dx must",
            ),
            Step(
                sp.Eq(sp.Function("m")(z), chosen),
                "the Stieltjes transform (it solves the equation)",
                check.identity(sp.expand(_self_consistency().subs(_M, chosen))),
            ),
        ),
        variables=(z, ratio),
    )


@functools.cache
def support() -> DerivedResult:
    """The support [λ₋, λ₊] = [(1 − √c)², (1 + √c)²]."""
    lower, upper = _edges()
    discriminant = sp.discriminant(_self_consistency(), _M)
    return DerivedResult(
        name="mp_support",
        title="Support of the Marchenko-Pastur law",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=_ASSUMPTIONS,
        expr=sp.Tuple(lower, upper),
        steps=(
            Step(
                sp.Eq(discriminant, 0),
                "m(z) is real off the support: the edges are the "
                "branch points, the zeros of the discriminant",
                check.unchecked("the edges are the branch points of m (complex analysis)"),
            ),
            Step(sp.Tuple(lower, upper), "SymPy's solution, ordered", check.solutions(z)),
        ),
        variables=(ratio,),
    )


@functools.cache
def density() -> DerivedResult:
    """ρ_c(x) = √((x − λ₋)(λ₊ − x)) / (2π c x) on [λ₋, λ₊], by Stieltjes inversion."""
    lower, upper = _edges()
    m = stieltjes().expr
    above, below = sp.symbols("a b", positive=True)  # x − λ₋ > 0 and λ₊ − x > 0 on the support
    # On the support, z = x + i0: √(z − λ₋) = √(x − λ₋) and √(z − λ₊) = i√(λ₊ − x).
    on_support = m.subs(
        sp.sqrt(z - lower) * sp.sqrt(z - upper), sp.sqrt(above) * sp.I * sp.sqrt(below)
    )
    on_support = on_support.subs(z, x_eig)
    imaginary = sp.simplify(sp.im(on_support) / sp.pi)
    inside = imaginary.subs({above: x_eig - lower, below: upper - x_eig})
    rho = sp.Piecewise((inside, (x_eig > lower) & (x_eig < upper)), (0, True))
    return DerivedResult(
        name="mp_density",
        title="Marchenko-Pastur density",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=_ASSUMPTIONS,
        expr=rho,
        steps=(
            Step(
                on_support,
                "m(x + i0) on the support: √(z − λ₊) → i√(λ₊ − x)",
                check.substitution(
                    {
                        sp.sqrt(z - lower) * sp.sqrt(z - upper): sp.sqrt(above)
                        * sp.I
                        * sp.sqrt(below),
                        z: x_eig,
                    },
                    source=m,
                ),
            ),
            Step(
                sp.Eq(sp.Function("rho")(x_eig), imaginary),
                "Stieltjes inversion ρ(x) = Im m(x + i0)/π",
                check.equal(source=sp.Eq(sp.Function("rho")(x_eig), sp.im(on_support) / sp.pi)),
            ),
            Step(
                rho,
                "with a = x − λ₋, b = λ₊ − x; zero off the support (c < 1: no atom at 0)",
                check.substitution(
                    {above: x_eig - lower, below: upper - x_eig},
                    source=sp.Piecewise((imaginary, (x_eig > lower) & (x_eig < upper)), (0, True)),
                ),
            ),
        ),
        variables=(x_eig, ratio),
    )


@functools.cache
def moments() -> DerivedResult:
    """E[x] = 1 and E[x²] = 1 + c, from m(z) = −Σ_k E[x^k] / z^{k+1} at infinity."""
    w = sp.Symbol("w", positive=True)  # w = 1/z
    series = sp.series(stieltjes().expr.subs(z, 1 / w), w, 0, 4).removeO()
    series = sp.expand(sp.simplify(series))
    first, second = (-series.coeff(w, k + 1) for k in (1, 2))
    return DerivedResult(
        name="mp_moments",
        title="First two moments of the Marchenko-Pastur law",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=_ASSUMPTIONS,
        expr=sp.Tuple(sp.simplify(first), sp.simplify(second)),
        steps=(
            Step(
                sp.Eq(sp.Function("m")(1 / w), series),
                "expansion of m at z = 1/w → ∞",
                check.series(w, 0, 4, source=stieltjes().expr.subs(z, 1 / w)),
            ),
            Step(
                sp.Tuple(first, second),
                "m(z) = −Σ_k E[x^k] z^{−k−1}: read off E[x] and E[x²]",
                check.unchecked("reading moments off the coefficients of w² and w³, in words"),
            ),
        ),
        variables=(ratio,),
    )


@functools.cache
def inverse_moment() -> DerivedResult:
    """E[1/x] = m(0) = 1/(1 − c) for c < 1 (the variance step of Thm 3.6)."""
    lower, upper = _edges()
    u = sp.Symbol("u", positive=True)  # z = −u < 0 ≤ λ₋: left of the support
    gap = sp.Symbol("e", positive=True)  # e = 1 − c > 0
    # For real z < λ₋ both factors √(z − λ∓) are i·√(λ∓ − z): their product is −√((λ₋−z)(λ₊−z)).
    left = (u + (1 - ratio) - sp.sqrt(sp.expand((u + lower) * (u + upper)))) / (-2 * ratio * u)
    limit = sp.limit(left.subs(ratio, 1 - gap), u, 0, "+")
    value = sp.simplify(limit.subs(gap, 1 - ratio))
    return DerivedResult(
        name="mp_inverse_moment",
        title="Mean inverse eigenvalue of the Marchenko-Pastur law",
        reference="App. D, used in Thm 3.6 (docs/paper.md §8.3 item 1)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, "c < 1, so that 0 lies left of the support"),
        expr=value,
        steps=(
            Step(
                sp.Eq(sp.Symbol("E[1/x]"), sp.Function("m")(0)),
                "E[1/x] = ∫ρ(x)/(x − 0)dx = m(0)",
                check.unchecked("definition of the Stieltjes transform at z = 0"),
            ),
            Step(
                sp.Eq(sp.Function("m")(-u), left),
                "m on the real axis left of the support, z = −u",
                check.substitution({z: -u}, source=stieltjes().expr),
            ),
            Step(
                sp.Eq(sp.Limit(sp.Function("m")(-u), u, 0, "+"), limit),
                "limit u → 0⁺ with e = 1 − c > 0",
                check.limit(u, 0, "+", source=left, first={ratio: 1 - gap}),
            ),
            Step(
                sp.Eq(sp.Symbol("E[1/x]"), value),
                "back to c",
                check.substitution({gap: 1 - ratio}, source=limit),
            ),
        ),
        variables=(ratio,),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return stieltjes(), support(), density(), moments(), inverse_moment()
