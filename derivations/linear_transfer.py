"""Linear transfer: re-fitting the last layer on the pretrained rank-one features (Thm 3.7).

By Thm 3.4 the pretrained hidden map is rank one along β_s, so linear transfer fits one scalar b
by least squares on the feature z = Xβ_s and predicts with b β_s. With β_t = cos θ β_s + sin θ ν
(ν ⊥ β_s, ‖ν‖ = 1) the labels are y = Xβ_t + ε = cos θ z + sin θ w + ε, where z = Xβ_s and
w = Xν are independent N(0, I_n) vectors (orthonormal directions of a standard Gaussian X), so

    b = zᵀy/‖z‖² = cos θ + zᵀu/‖z‖²,    u = sin θ w + ε ~ N(0, (sin²θ + σ²) I_n).

SymPy computes the risk ‖bβ_s − β_t‖² = (b − cos θ)² + sin²θ in the orthonormal basis
(β_s, ν), the conditional second moment E[(zᵀu)² | z] = (sin²θ + σ²)‖z‖² from the covariance of
u (a double sum with a Kronecker delta), and then the mean over ‖z‖² ~ χ²_n with
E[1/χ²_n] = 1/(n − 2) (:func:`derivations.gaussian.inverse_chi2_mean`, the Gamma integral of the
paper's App. D, eqs. 117-121). This is eq. 10, exact for every n > 2 and independent of d and L;
its n → ∞ limit sin²θ is the irreducible floor: the part of β_t outside the feature space, which
also acts as extra label noise.

The transferability (eq. 11) is T_lt = R_sc − sin²θ with the scratch risk of eq. 8
(:func:`derivations.scratch.risk`). Its sign analysis (docs/paper.md §3.6, §8.3 item 6):

* γ < 1: multiplying by 1 − γ > 0 gives T_lt < 0 ⟺ Q(γ) = γ² − (1 + cos²θ − σ²)γ + cos²θ < 0.
  Q(0) = cos²θ, Q(1) = σ², its vertex lies below 1, and its discriminant factorises as
  ((1 − cos θ)² − σ²)((1 + cos θ)² − σ²), so negative transfer below interpolation happens exactly
  on (γ₋, γ₊) ⊂ [0, 1], non-empty iff θ > arccos(1 − σ). The paper prints the interval as
  (γ₊, γ₋) (docs/paper.md §9.2.3); the derived record is (γ₋, γ₊).
* γ > 1: T_lt < 0 ⟺ γ > 1 + σ²/sin²θ.
* θ = π/2: transfer is positive only in the band (1 − σ², 1 + σ²) around the scratch
  double-descent peak ("anomalous" positive transfer).
* σ = 0: T_lt = 1 − γ − sin²θ for γ < 1 (boundary γ = cos²θ) and −sin²θ for γ ≥ 1.
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import record as check
from derivations.gaussian import inverse_chi2_mean
from derivations.record import DerivedResult, Regime, Step
from derivations.scratch import risk as scratch_risk
from derivations.scratch import risk_finite as scratch_risk_finite
from derivations.scratch import value_at_one
from derivations.symbols import d, gamma, k_dof, n, q_chi, sigma, theta

_ASSUMPTIONS = (
    "x ~ N(0, I_d); y = β_tᵀx + ε, ε ~ N(0, σ²); ‖β_s‖ = ‖β_t‖ = 1, β_sᵀβ_t = cos θ "
    "(Assumptions 3.1-3.2)",
    "pretrained hidden map of rank one along β_s (Thm 3.4, population pretraining, α → 0)",
    "linear transfer re-fits only the last layer by least squares on n target samples",
)
_SCRATCH = "scratch training ends at the minimum-norm solution X⁺y (Thms 3.5-3.6)"
_LIMIT = "n, d → ∞ with n/d → γ (eq. 8); the linear-transfer risk is taken at n → ∞"
_REFERENCE_T = "Thm 3.7, eq. 11"
_PROBE_NONEMPTY = {theta: sp.pi / 3, sigma: sp.Rational(1, 5)}  # a point with a negative interval

_COS = sp.cos(theta)
_SIN = sp.sin(theta)

# Scalars of the derivation (the vectors z, w, ε enter only through them).
_B = sp.Symbol("b", real=True)  # fitted last-layer scalar
_ZU = sp.Symbol("zᵀu", real=True)  # projection of the effective noise u on the feature z
_ZW = sp.Symbol("zᵀw", real=True)
_ZE = sp.Symbol("zᵀε", real=True)
_G = sp.Symbol("g")  # unrestricted root variable of the sign quadratic (γ is positive)
_VERTEX = sp.Symbol("γ_v")  # vertex of the sign quadratic (display only)


def gaussian_expectation(expr: sp.Expr, variances: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """E of a polynomial of degree ≤ 2 in independent centred Gaussians ``{symbol: variance}``.

    Monomials of degree 1 and mixed monomials x_a x_b (a ≠ b) have mean zero (zero mean,
    independence); x_a² has mean Var(x_a); the remaining coefficients are constants.
    """
    variables = list(variances)
    total = sp.Integer(0)
    for monomial, coefficient in sp.Poly(sp.expand(expr), *variables).terms():
        degree = sum(monomial)
        if degree == 0:
            total += coefficient
        elif degree == 2 and max(monomial) == 2:
            total += coefficient * variances[variables[monomial.index(2)]]
        elif degree > 2:
            raise ValueError("gaussian_expectation handles polynomials of degree ≤ 2 only")
    return total


def _squared_distance_in_basis(coefficient: sp.Expr) -> sp.Expr:
    """‖b β_s − β_t‖² written out with β_s = (1, 0), β_t = (cos θ, sin θ) (a step check)."""
    difference = sp.Matrix([coefficient - _COS, -_SIN])
    return difference.dot(difference)


def coefficient_risk(coefficient: sp.Expr) -> sp.Expr:
    """‖b β_s − β_t‖² for the predictor b β_s, computed in the orthonormal basis (β_s, ν)."""
    beta_s = sp.Matrix([1, 0])
    beta_t = _COS * beta_s + _SIN * sp.Matrix([0, 1])
    error = coefficient * beta_s - beta_t
    return (error.T * error)[0]


def _noise_covariance() -> tuple[sp.Expr, sp.Expr]:
    """Var(u_i) and Cov(u_i, u_j), i ≠ j, of u = sin θ w + ε from the Gaussian moment rules."""
    w_i, w_j = sp.symbols("w_i w_j", real=True)
    e_i, e_j = sp.symbols("epsilon_i epsilon_j", real=True)
    moments = {w_i: sp.Integer(1), w_j: sp.Integer(1), e_i: sigma**2, e_j: sigma**2}
    u_i, u_j = _SIN * w_i + e_i, _SIN * w_j + e_j
    return gaussian_expectation(u_i**2, moments), gaussian_expectation(u_i * u_j, moments)


@functools.cache
def lt_risk() -> DerivedResult:
    """Eq. 10: E R_lt = sin²θ + (σ² + sin²θ)/(n − 2), exact for n > 2."""
    # Fitted scalar: y = cos θ z + sin θ w + ε, so zᵀy = cos θ ‖z‖² + zᵀw sin θ + zᵀε.
    z_dot_y = _COS * q_chi + _SIN * _ZW + _ZE
    fitted = z_dot_y / q_chi
    deviation = sp.expand(fitted - _COS)
    risk_given_b = coefficient_risk(_B)
    # Conditional on z, zᵀu = Σ_i z_i u_i is centred Gaussian; its variance is a double sum.
    variance_u, covariance_u = _noise_covariance()
    if covariance_u != 0:  # the double sum below keeps the diagonal only
        raise AssertionError(f"Cov(u_i, u_j) = {covariance_u} for i ≠ j, expected 0")
    i, j = sp.symbols("i j", integer=True, positive=True)
    z_vec = sp.IndexedBase("z")
    double_sum = sp.Sum(
        z_vec[i] * z_vec[j] * variance_u * sp.KroneckerDelta(i, j), (j, 1, n), (i, 1, n)
    )
    inner = sp.Sum(double_sum.function, double_sum.limits[0]).doit()
    # The inner sum is Piecewise((…, i ≤ n), (0, True)); i ≤ n holds on the outer range.
    inner = inner.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0].expr)
    second_moment = sp.factor_terms(sp.Sum(inner, double_sum.limits[1]))
    second_moment = second_moment.subs(sp.Sum(z_vec[i] ** 2, (i, 1, n)), q_chi)
    # Risk conditional on z: average (zᵀu)² over u at fixed z.
    risk_in_zu = risk_given_b.subs(_B, _COS + _ZU / q_chi)
    conditional = sp.expand(gaussian_expectation(risk_in_zu, {_ZU: second_moment}))
    # Average over ‖z‖² ~ χ²_n: the conditional risk is affine in 1/q.
    floor, variable = conditional.as_independent(q_chi, as_Add=True)
    conditional = floor + sp.factor(variable)
    slope = sp.simplify(variable * q_chi)
    reciprocal = sp.Symbol("1/q", positive=True)  # the conditional risk as a function of 1/q
    in_reciprocal = conditional.subs(q_chi, 1 / reciprocal)
    inverse_mean = inverse_chi2_mean().expr.subs(k_dof, n)
    result = floor + slope * inverse_mean
    return DerivedResult(
        name="lt_risk",
        title="Risk of linear transfer at finite n",
        reference="Thm 3.7, eq. 10 (App. D, eqs. 117-121)",
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=(*_ASSUMPTIONS, "n > 2 target samples"),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("zᵀy"), z_dot_y),
                "y = Xβ_t + ε with β_t = cos θ β_s + sin θ ν: y = cos θ z + sin θ w + ε, "
                "z = Xβ_s, w = Xν independent N(0, I_n)",
                check.unchecked("the data model in the basis (β_s, ν)"),
            ),
            Step(
                sp.Eq(_B - _COS, deviation),
                "least squares on the single feature z: b = zᵀy/‖z‖² (here q = ‖z‖²)",
                check.equal(source=sp.Eq(_B - _COS, z_dot_y / q_chi - _COS)),
            ),
            Step(
                sp.Eq(_B - _COS, _ZU / q_chi),
                "= zᵀu/q with u = sin θ w + ε: the error of b is the feature's overlap with the "
                "effective noise",
                check.identity(deviation - (_SIN * _ZW + _ZE) / q_chi),
            ),
            Step(
                sp.Eq(sp.Symbol("R_lt"), risk_given_b),
                "‖bβ_s − β_t‖² in the orthonormal basis (β_s, ν)",
                check.equal(source=_squared_distance_in_basis(_B)),
            ),
            Step(
                sp.Eq(sp.Symbol("Cov(u)_ij"), variance_u * sp.KroneckerDelta(i, j)),
                "u = sin θ w + ε: independent centred Gaussian coordinates",
                check.unchecked("w and ε independent with unit and σ² variances (the data model)"),
            ),
            Step(
                sp.Eq(sp.Symbol("E[(zᵀu)² | z]"), second_moment),
                "Σ_ij z_i z_j Cov(u_i, u_j) = (sin²θ + σ²)‖z‖²: given z, zᵀu/‖z‖² ~ "
                "N(0, (sin²θ + σ²)/‖z‖²)",
                check.unchecked(
                    "a SymPy Sum over i, j ≤ n with a Kronecker delta, evaluated when the record "
                    "is built (symbolic n)"
                ),
            ),
            Step(
                sp.Eq(sp.Symbol("E[R | z]"), conditional),
                "average of (b − cos θ)² = (zᵀu)²/q² over u at fixed z",
                check.substitution({_ZU**2: second_moment}, source=sp.expand(risk_in_zu)),
            ),
            Step(
                sp.Eq(sp.Derivative(in_reciprocal, reciprocal, 2), 0),
                "E[R | z] is affine in 1/q (its slope (sin²θ + σ²) does not depend on q), so "
                "its mean over q is its value at E[1/q]",
            ),
            Step(
                sp.Eq(sp.Symbol("E[1/q]"), inverse_mean),
                "q = ‖z‖² ~ χ²_n: inverse_chi2_mean with k = n (finite for n > 2)",
                check.substitution(
                    {k_dof: n}, source=sp.Eq(sp.Symbol("E[1/q]"), inverse_chi2_mean().expr)
                ),
            ),
            Step(
                sp.Eq(sp.Symbol("E R_lt"), result),
                "the conditional risk is affine in 1/q",
                check.substitution({q_chi: 1 / inverse_mean}, source=conditional),
            ),
        ),
        printed="eq10_lt_risk",
        notes=(
            "Exact at every n > 2 and independent of d and L: the fit only sees the "
            "one-dimensional feature z. The authors' plotting code uses the n → ∞ limit."
        ),
        variables=(theta, n, sigma),
    )


@functools.cache
def lt_risk_limit() -> DerivedResult:
    """lim_{n→∞} E R_lt = sin²θ: the part of β_t outside the feature space."""
    finite = lt_risk().expr
    result = sp.limit(finite, n, sp.oo)
    return DerivedResult(
        name="lt_risk_limit",
        title="Risk of linear transfer with many target samples",
        reference="Thm 3.7 (n → ∞ limit of eq. 10)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, "n → ∞ (at any d)"),
        expr=result,
        steps=(
            Step(sp.Eq(sp.Symbol("E R_lt"), finite), "eq. 10 (lt_risk)"),
            Step(sp.Eq(sp.Limit(finite, n, sp.oo), result), "SymPy limit n → ∞"),
        ),
        notes="sin²θ = ‖(I − β_sβ_sᵀ)β_t‖²: the target component outside the feature space.",
        variables=(theta,),
    )


@functools.cache
def lt_transferability() -> DerivedResult:
    """Eq. 11: T_lt = R_sc − sin²θ, branch by branch of the scratch risk (eq. 8)."""
    scratch = scratch_risk().expr
    (under, under_cond), (over, over_cond), *_ = scratch.args
    floor = lt_risk_limit().expr
    t_under, t_over = under - floor, over - floor
    at_one = value_at_one(t_under, t_over)
    result = sp.Piecewise((t_under, under_cond), (t_over, over_cond), (at_one, True))
    return DerivedResult(
        name="lt_transferability",
        title="Transferability of linear transfer",
        reference=_REFERENCE_T,
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, _LIMIT),
        expr=result,
        steps=(
            Step(scratch, "scratch risk, eq. 8 (scratch_risk)"),
            Step(sp.Eq(sp.Symbol("R_lt"), floor), "linear-transfer risk at n → ∞ (lt_risk_limit)"),
            Step(
                result,
                "T_lt = R_sc − R_lt per branch; at γ = 1 the common one-sided limit "
                "(+∞ for σ > 0, −sin²θ for σ = 0)",
                check.equal(source=scratch - floor),
            ),
        ),
        printed="eq11_lt_transferability",
        notes=(
            "Positive values mean transfer beats scratch (docs/paper.md §2.4). The paper prints "
            "the two branches γ < 1 and γ > 1 only; the γ = 1 value is added here."
        ),
        variables=(theta, gamma, sigma),
    )


@functools.cache
def lt_transferability_finite() -> DerivedResult:
    """T_lt at finite (n, d): the exact scratch risk minus eq. 10, and its limit eq. 11."""
    exact_scratch = scratch_risk_finite().expr
    transfer = lt_risk().expr
    # Branch by branch; where the scratch risk is infinite, so is T_lt (eq. 10 is finite, n > 2).
    result = sp.Piecewise(
        *(
            (sp.oo if value == sp.oo else value - transfer, condition)
            for value, condition in exact_scratch.args
        )
    )
    (under, _), (over, _), *_ = exact_scratch.args
    branches = sp.Tuple(under - transfer, over - transfer)
    proportional = {n: gamma * d}
    limits = sp.Tuple(*(sp.limit(b.subs(proportional), d, sp.oo) for b in branches))
    eq11 = lt_transferability().expr
    (eq11_under, _), (eq11_over, _), *_ = eq11.args
    return DerivedResult(
        name="lt_transferability_finite",
        title="Transferability of linear transfer at finite n, d (exact expectations)",
        reference="Thm 3.7, eq. 11 at finite size (docs/paper.md §3.6, §3.12)",
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, "n > 2 target samples in dimension d"),
        expr=result,
        steps=(
            Step(
                exact_scratch,
                "the exact expected scratch risk at (n, d) (scratch_risk_finite)",
            ),
            Step(transfer, "the exact expected linear-transfer risk at n (eq. 10, lt_risk)"),
            Step(
                result,
                "T_lt = E R_sc − E R_lt (docs/paper.md §2.4) at the same n, branch by branch of "
                "the scratch risk (infinite for |n − d| <= 1 when σ > 0)",
                check.equal(source=exact_scratch - transfer),
            ),
            Step(
                limits,
                "n = γd, d → ∞, below and above interpolation",
                check.limit(d, sp.oo, first=proportional, source=branches),
            ),
            Step(
                sp.Tuple(sp.Eq(limits[0], eq11_under), sp.Eq(limits[1], eq11_over)),
                "the proportional limit is eq. 11 (lt_transferability), branch by branch",
                check.identity(sp.Tuple(limits[0] - eq11_under, limits[1] - eq11_over)),
            ),
        ),
        notes=(
            "The prediction for simulated T_lt = mean R_sc − mean R_lt at the sizes of a cell "
            "(claims lt-transferability, lt-phase-boundaries; the residuals of figure1). Both "
            "terms are exact expectations, so no finite-size allowance is needed."
        ),
        variables=(theta, n, d, sigma),
    )


@functools.cache
def _sign_quadratic() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(Q(γ), γ₋, γ₊): T_lt(γ < 1)·(1 − γ) = Q(γ) and its roots, γ₋ ≤ γ₊ where real."""
    t_under = lt_transferability().expr.args[0].expr
    cleared = sp.expand(sp.cancel(t_under * (1 - gamma)))
    quadratic = sp.collect(sp.expand(cleared.subs(_SIN**2, 1 - _COS**2)), gamma)
    # Generic roots of a g² + b g + c, then the coefficients of Q.
    a, b, c = sp.symbols("a b c")
    generic = sp.solve(a * _G**2 + b * _G + c, _G)
    coefficients = dict(zip((a, b, c), sp.Poly(quadratic, gamma).all_coeffs(), strict=True))
    roots = [root.subs(coefficients) for root in generic]
    lower, upper = sorted(roots, key=lambda r: float(r.subs(_PROBE_NONEMPTY)))
    return quadratic, lower, upper


@functools.cache
def lt_negative_interval() -> DerivedResult:
    """For γ < 1, T_lt < 0 exactly on (γ₋, γ₊), non-empty iff 1 − cos θ > σ."""
    t_under = lt_transferability().expr.args[0].expr
    quadratic, lower, upper = _sign_quadratic()
    at_zero = quadratic.subs(gamma, 0)
    at_one = sp.simplify(quadratic.subs(gamma, 1))
    vertex = -sp.Poly(quadratic, gamma).all_coeffs()[1] / 2
    vertex_below_one = sp.simplify(vertex - 1)
    discriminant = sp.factor(sp.discriminant(quadratic, gamma))
    vertex_above_cos = sp.factor(2 * vertex - 2 * _COS)  # = (1 − cos θ)² − σ², factorised
    nonempty = sigma < 1 - _COS
    result = sp.Tuple(
        sp.Piecewise((lower, nonempty), (sp.nan, True)),
        sp.Piecewise((upper, nonempty), (sp.nan, True)),
    )
    return DerivedResult(
        name="lt_negative_interval",
        title="Negative-transfer interval below interpolation",
        reference="Thm 3.7 (sign of eq. 11 for γ < 1)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, _LIMIT, "0 < γ < 1"),
        expr=result,
        steps=(
            Step(sp.Eq(sp.Symbol("T_lt"), t_under), "eq. 11, branch γ < 1 (lt_transferability)"),
            Step(
                sp.Eq(sp.Symbol("(1-γ) T_lt"), quadratic),
                "multiply by 1 − γ > 0 (sign unchanged), sin²θ = 1 − cos²θ, collect in γ",
                check.equal(source=sp.Eq(sp.Symbol("(1-γ) T_lt"), t_under * (1 - gamma))),
            ),
            Step(
                sp.Tuple(lower, upper),
                "roots γ₋ ≤ γ₊ of the quadratic",
                check.solutions(gamma, source=quadratic),
            ),
            Step(
                sp.Tuple(sp.Eq(sp.Symbol("Q(γ₋)"), sp.Integer(0)), sp.Eq(sp.Symbol("Q(γ₊)"), 0)),
                "the generic root formula with the coefficients of Q substituted solves Q",
                check.identity(sp.Tuple(*(quadratic.subs(gamma, root) for root in (lower, upper)))),
            ),
            Step(
                sp.Tuple(sp.Eq(sp.Symbol("Q(0)"), at_zero), sp.Eq(sp.Symbol("Q(1)"), at_one)),
                "Q ≥ 0 at both ends of (0, 1); the product of the roots is cos²θ ≥ 0",
                check.identity(
                    sp.Tuple(at_zero - quadratic.subs(gamma, 0), at_one - quadratic.subs(gamma, 1))
                ),
            ),
            Step(
                sp.Eq(_VERTEX - 1, vertex_below_one),
                "≤ 0: the vertex lies below 1 since cos²θ ≤ 1",
                check.equal(source=-sp.Poly(quadratic, gamma).all_coeffs()[1] / 2 - 1),
            ),
            Step(
                sp.Eq(sp.Symbol("Disc Q"), discriminant),
                "= ((1 − cos θ)² − σ²)((1 + cos θ)² − σ²): positive for σ < 1 − cos θ",
                check.equal(source=sp.Eq(sp.Symbol("Disc Q"), sp.discriminant(quadratic, gamma))),
            ),
            Step(
                sp.Eq(2 * (_VERTEX - _COS), vertex_above_cos),
                "> 0 for σ < 1 − cos θ: the vertex lies in (0, 1), so γ₋, γ₊ lie in [0, 1]; for "
                "σ > 1 + cos θ both roots are ≤ 0 and in between Disc ≤ 0: no negative transfer",
                check.equal(source=2 * vertex - 2 * _COS),
            ),
            Step(result, "T_lt < 0 exactly for γ ∈ (γ₋, γ₊); empty (nan) unless 1 − cos θ > σ"),
        ),
        printed="thm37_negative_interval",
        notes=(
            "Erratum (docs/paper.md §9.2.3): the paper prints the interval as (γ₊, γ₋), lower end "
            "above upper end. This record is the derived (γ₋, γ₊); it names the printed formula "
            "so that the symbolic check reports EXPECTED-DEVIATION (the printed entry carries "
            "the erratum), and the tests assert that it equals the printed tuple reversed "
            "wherever the interval is non-empty. Both components are nan where it is empty "
            "(θ ≤ arccos(1 − σ)). At σ = 0 the interval is (cos²θ, 1)."
        ),
        variables=(theta, sigma),
    )


@functools.cache
def lt_negative_threshold_angle() -> DerivedResult:
    """Negative transfer below interpolation exists iff θ > arccos(1 − σ) (σ < 1)."""
    quadratic, _, _ = _sign_quadratic()
    discriminant = sp.factor(sp.discriminant(quadratic, gamma))
    # The factor of Disc Q that vanishes at an angle in [0, π/2] (probe σ = 1/5): the others
    # have no zero there (cos θ = 1 + σ, −1 − σ or σ − 1 < 0).
    probe = {sigma: sp.Rational(1, 5)}

    def in_range(angle: sp.Expr) -> bool:
        value = sp.N(angle.subs(probe))
        return bool(value.is_real and 0 <= value <= sp.pi / 2)

    _, factors = sp.factor_list(discriminant)
    candidates = [(factor, sp.solve(factor, theta)) for factor, _ in factors if factor.has(theta)]
    critical = [(f, roots) for f, roots in candidates if any(in_range(r) for r in roots)]
    ((critical_factor, solutions),) = critical
    (angle,) = [s for s in solutions if in_range(s)]
    double_root = sp.simplify(
        (-sp.Poly(quadratic, gamma).all_coeffs()[1] / 2).subs(_COS, 1 - sigma)
    )
    return DerivedResult(
        name="lt_negative_threshold_angle",
        title="Smallest angle with negative transfer below interpolation",
        reference="Thm 3.7 (sign of eq. 11 for γ < 1)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, _LIMIT, "0 ≤ σ < 1", "0 ≤ θ ≤ π/2"),
        expr=angle,
        steps=(
            Step(
                sp.Eq(sp.Symbol("Disc Q"), discriminant),
                "discriminant of the sign quadratic",
                check.equal(source=sp.Eq(sp.Symbol("Disc Q"), sp.discriminant(quadratic, gamma))),
            ),
            Step(
                sp.Eq(critical_factor, 0),
                "the only factor of Disc Q with a zero for 0 ≤ θ ≤ π/2 (σ < 1): the factors "
                "1 + cos θ ± σ stay positive and cos θ − 1 − σ negative",
                check.unchecked("the choice of the factor (signs on 0 ≤ θ ≤ π/2), in words"),
            ),
            Step(
                sp.Tuple(*solutions),
                "SymPy solve for θ; only one solution lies in [0, π/2]",
                check.solutions(theta),
            ),
            Step(
                sp.Eq(sp.Symbol("γ_tangent"), double_root),
                "at the threshold the double root is the scratch optimum γ* = 1 − σ",
                check.substitution(
                    {_COS: 1 - sigma}, source=-sp.Poly(quadratic, gamma).all_coeffs()[1] / 2
                ),
            ),
            Step(
                sp.Eq(sp.Symbol("θ*"), angle),
                "negative transfer for some γ < 1 iff θ > θ*",
                check.unchecked("the sign argument of lt_negative_interval; θ* is solution 2"),
            ),
        ),
        notes=(
            "36.87 degrees at σ = 0.2. For σ ≥ 1 there is no negative transfer below interpolation."
        ),
        variables=(sigma,),
    )


@functools.cache
def lt_negative_threshold_overparam() -> DerivedResult:
    """γ > 1: T_lt < 0 ⟺ γ > 1 + σ²/sin²θ."""
    t_over = lt_transferability().expr.args[1].expr
    (root,) = sp.solve(t_over.subs(gamma, _G), _G)
    threshold = sp.expand(root)
    slope = sp.diff(t_over, gamma)
    return DerivedResult(
        name="lt_negative_threshold_overparam",
        title="Sample ratio beyond which transfer is negative above interpolation",
        reference="Thm 3.7 (sign of eq. 11 for γ > 1)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, _LIMIT, "γ > 1", "0 < θ ≤ π/2"),
        expr=threshold,
        steps=(
            Step(sp.Eq(sp.Symbol("T_lt"), t_over), "eq. 11, branch γ > 1 (lt_transferability)"),
            Step(
                sp.Eq(sp.Derivative(sp.Function("T_lt")(gamma), gamma), slope),
                "negative: T_lt decreases in γ",
                check.derivative(gamma, source=sp.Eq(sp.Function("T_lt")(gamma), t_over)),
            ),
            Step(
                sp.Eq(sp.Symbol("γ_0"), threshold),
                "SymPy solve T_lt = 0 for γ",
                check.solutions(gamma, source=t_over),
            ),
        ),
        notes="At σ = 0 the threshold is 1: noiseless scratch is exact above interpolation.",
        variables=(theta, sigma),
    )


@functools.cache
def lt_anomalous_band() -> DerivedResult:
    """θ = π/2: T_lt > 0 only for γ ∈ (1 − σ², 1 + σ²)."""
    quadratic, _, _ = _sign_quadratic()
    t_under, t_over = (branch.expr for branch in lt_transferability().expr.args[:2])
    orthogonal = {theta: sp.pi / 2}
    under_factored = sp.factor(sp.together(t_under.subs(orthogonal)))
    over_factored = sp.factor(sp.together(t_over.subs(orthogonal)))
    roots = sorted(
        sp.solve(quadratic.subs(orthogonal).subs(gamma, _G), _G), key=sp.default_sort_key
    )
    lower = max(roots, key=lambda r: float(r.subs(sigma, sp.Rational(1, 5))))
    (upper,) = sp.solve(t_over.subs(orthogonal).subs(gamma, _G), _G)
    result = sp.Tuple(lower, upper)
    return DerivedResult(
        name="lt_anomalous_band",
        title="Anomalous positive transfer around interpolation at θ = π/2",
        reference="Thm 3.7 (eq. 11 at θ = π/2)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, _LIMIT, "θ = π/2", "0 < σ < 1"),
        expr=result,
        steps=(
            Step(
                sp.Tuple(under_factored, over_factored),
                "eq. 11 at θ = π/2 (branches γ < 1, γ > 1): the features carry no information",
                check.substitution(orthogonal, source=sp.Tuple(t_under, t_over)),
            ),
            Step(
                sp.Tuple(*roots),
                "roots of the sign quadratic: negative transfer on (0, 1 − σ²)",
                check.solutions(_G, source=quadratic.subs(orthogonal).subs(gamma, _G)),
            ),
            Step(
                sp.Eq(sp.Symbol("γ_0"), upper),
                "γ > 1 threshold 1 + σ²/sin²θ at θ = π/2",
                check.solutions(gamma, source=t_over.subs(orthogonal)),
            ),
            Step(
                result,
                "T_lt > 0 exactly on (1 − σ², 1 + σ²) (+∞ at γ = 1 for σ > 0)",
                check.unchecked("the signs of T_lt between the two thresholds, in words"),
            ),
        ),
        notes=(
            "Transfer from an orthogonal source (nothing useful learnt) still beats scratch near "
            "γ = 1 because the scratch double-descent peak exceeds the floor sin²θ = 1. "
            "(0.96, 1.04) at σ = 0.2."
        ),
        variables=(sigma,),
    )


@functools.cache
def lt_transferability_noiseless() -> DerivedResult:
    """σ = 0: T_lt = 1 − γ − sin²θ for γ < 1 (boundary γ = cos²θ), −sin²θ for γ ≥ 1."""
    full = lt_transferability().expr
    (t_under, _), (t_over, _), (t_one, _) = full.args
    under = sp.cancel(t_under.subs(sigma, 0))
    over = t_over.subs(sigma, 0)
    at_one = t_one.subs(sigma, 0)  # equal to the γ > 1 branch: the last step checks it
    quadratic, _, _ = _sign_quadratic()
    factored = sp.factor(quadratic.subs(sigma, 0), gamma)
    boundary = sp.solve(quadratic.subs(sigma, 0).subs(gamma, _G), _G)
    result = sp.Piecewise((under, gamma < 1), (over, True))
    return DerivedResult(
        name="lt_transferability_noiseless",
        title="Transferability of linear transfer without label noise",
        reference="Thm 3.7, eq. 11 at σ = 0 (App. G, Fig. 7)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_ASSUMPTIONS, _SCRATCH, _LIMIT, "σ = 0"),
        expr=result,
        steps=(
            Step(
                sp.Tuple(under, over, at_one),
                "eq. 11 at σ = 0: branches γ < 1, γ > 1, γ = 1",
                check.substitution({sigma: 0}, source=sp.Tuple(t_under, t_over, t_one)),
            ),
            Step(
                sp.Eq(sp.Symbol("Q(γ)"), factored),
                "the sign quadratic at σ = 0 factorises",
                check.equal(source=sp.Eq(sp.Symbol("Q(γ)"), quadratic.subs(sigma, 0))),
            ),
            Step(
                sp.Tuple(*boundary),
                "its roots: T_lt < 0 for cos²θ < γ < 1",
                check.solutions(gamma, source=factored),
            ),
            Step(
                result,
                "the γ = 1 value equals the γ > 1 branch: no anomalous band",
                check.identity(at_one - over),
            ),
        ),
        notes="Negative transfer for every θ > 0 above interpolation (scratch is exact there).",
        variables=(theta, gamma),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return (
        lt_risk(),
        lt_risk_limit(),
        lt_transferability(),
        lt_transferability_finite(),
        lt_negative_interval(),
        lt_negative_threshold_angle(),
        lt_negative_threshold_overparam(),
        lt_anomalous_band(),
        lt_transferability_noiseless(),
    )
