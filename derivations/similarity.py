"""Dataset similarity does not predict transfer (App. A, Thm A.2; v1 Thm 2.2; docs/paper.md §4).

For a regression function f ∈ Φ the joint law of a task is p_f(x, y) = p(x) N(y; f(x), σ²)
(Gaussian label noise, σ > 0). Thm A.2 says that inside one feature space the laws of two tasks can
be arbitrarily far apart — in KL divergence and in the Dudley (bounded-Lipschitz) metric, hence in
every integral probability metric whose class contains the Dudley ball, such as W₁ — so a distance
between p_s and p_t cannot by itself predict transferability.

What SymPy derives here:

* KL (App. D.1, eqs. 32–35): the log density ratio of p_f and p_g at fixed x (p(x) cancels),
  integrated against N(y; f, σ²): (f − g)²/(2σ²); its mean over x: D_KL = ‖f − g‖²/(2σ²).
  In the paper's family (unit β_s, β_t at angle θ, x ~ N(0, I)): D_KL = (1 − cos θ)/σ², at most
  2/σ² (= 50 at σ = 0.2, θ = π).
* The paper's KL construction g = −α f: D_KL = (1 + α)²‖f‖²/(2σ²). Dropping the (1 + α) → α
  step needs α > σ√(2δ)/‖f‖; the paper prints α > σ√δ/‖f‖, which only guarantees δ/2, and for
  δ > (3 + 2√2)‖f‖²/σ² the printed choice gives D_KL < δ (erratum, docs/paper.md §4.3, §9.2.2).
* Dudley: the judge h(x, y) = ½ cos y has ‖h‖_L = ‖h‖_∞ = ½; E[cos y | x] = e^{−σ²/2} cos f(x),
  so γ_β ≥ ½ e^{−σ²/2} |E cos f − E cos g| ≤ e^{−σ²/2} < 1. The paper's next line bounds this by
  ½ e^{−σ²/2} ∫(f² + g²) p dx, which grows without bound: invalid (at g = −f the cosine bound is 0
  because cos is even). Every Dudley distance is at most 2 (‖h‖_∞ ≤ 1 − ‖h‖_L), so "≥ δ for every
  δ" is false for δ ≥ 2. What holds: along g = c f the tent judge
  h(y) = a(1 − 2 min(|y|/K, 1)), a = K/(K + 2), gives a lower bound that tends to the ceiling 2
  (c → ∞, then K → ∞).
* W₁ along g = c f (unit f = βᵀx): the projection (x, y) ↦ y is 1-Lipschitz, so W₁ is at least
  the W₁ distance of the label marginals N(0, 1 + σ²) and N(0, c² + σ²), √(2/π)|√(c² + σ²) −
  √(1 + σ²)|; the coupling with shared (x, ε) gives at most √(2/π)|c − 1|. Both grow like
  √(2/π)|c|: W₁ is unbounded. Inside the family the label marginals coincide and the shared
  coupling gives W₁ ≤ √(2/π)·‖β_s − β_t‖.
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import record as check
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import (
    alpha_g,
    c_g,
    cos_f,
    cos_g,
    delta_d,
    dist2,
    f_val,
    g_val,
    k_cut,
    norm_f,
    sigma,
    theta,
    y_label,
)

_SIGMA = sp.Symbol("sigma", positive=True)  # σ > 0 in the integrals (KL needs σ > 0)
_SCALE = sp.Symbol("s", positive=True)  # standard deviation of a centred Gaussian label
_Z = sp.Symbol("z", real=True)  # standard Gaussian variable
_M = sp.Symbol("M", nonnegative=True)  # sup norm of a judge
_MEAN_SQUARE = sp.Symbol("E_x[(f - g)^2]", nonnegative=True)
_A = sp.Symbol("alpha", positive=True)  # unknown of the construction's inequality

_JOINT = "p_f(x, y) = p(x) N(y; f(x), σ²): shared input law, Gaussian label noise, σ > 0"
_FAMILY = (
    "paper's family: f = β_sᵀx, g = β_tᵀx, x ~ N(0, I_d), ‖β_s‖ = ‖β_t‖ = 1, β_sᵀβ_t = cos θ "
    "(Assumptions 3.1-3.2)"
)
_SCALED = "f = βᵀx with ‖β‖ = 1, x ~ N(0, I_d); target g = c f (leaves the unit-norm family)"
_DUDLEY_BALL = "Dudley ball: ‖h‖_L + ‖h‖_∞ ≤ 1 (Lipschitz constant for the Euclidean metric)"


def _gaussian(mean: sp.Expr, scale: sp.Expr, variable: sp.Symbol = y_label) -> sp.Expr:
    return sp.exp(-((variable - mean) ** 2) / (2 * scale**2)) / sp.sqrt(2 * sp.pi * scale**2)


def _positive_sigma(expr: sp.Expr) -> sp.Expr:
    return expr.subs(_SIGMA, sigma)


@functools.cache
def kl_conditional() -> DerivedResult:
    """KL between N(f, σ²) and N(g, σ²): the integral of the log density ratio, (f − g)²/(2σ²)."""
    p_f, p_g = _gaussian(f_val, _SIGMA), _gaussian(g_val, _SIGMA)
    log_ratio = sp.expand(sp.expand_log(sp.log(p_f) - sp.log(p_g), force=True))
    integral = sp.Integral(p_f * log_ratio, (y_label, -sp.oo, sp.oo))
    value = sp.factor(sp.simplify(integral.doit()))
    return DerivedResult(
        name="kl_conditional",
        title="KL divergence of the label laws at one input",
        reference="App. D.1, eqs. 32-34 (Thm A.2)",
        regime=Regime.EXACT,
        assumptions=(_JOINT,),
        expr=_positive_sigma(value),
        steps=(
            Step(
                sp.Eq(sp.Function("p_f")(y_label), p_f),
                "label density at fixed x; p(x) is common to p_f and p_g and cancels in the ratio",
                check.unchecked("the model p_f(x, y) = p(x) N(y; f(x), σ²), σ > 0"),
            ),
            Step(
                sp.Eq(sp.Symbol("log(p_f/p_g)"), log_ratio),
                "log density ratio, expanded",
                check.equal(source=sp.Eq(sp.Symbol("log(p_f/p_g)"), sp.log(p_f / p_g))),
            ),
            Step(
                sp.Eq(sp.Symbol("KL_x"), integral),
                "KL = ∫ p_f log(p_f/p_g) dy",
                check.unchecked("definition of the Kullback-Leibler divergence"),
            ),
            Step(
                sp.Eq(sp.Symbol("KL_x"), value),
                "SymPy's Gaussian integral",
                check.integral(y_label, -sp.oo, sp.oo, source=p_f * log_ratio),
            ),
        ),
        notes="Undefined at σ = 0 (the laws are singular).",
        variables=(f_val, g_val, sigma),
    )


@functools.cache
def kl_label_noise() -> DerivedResult:
    """D_KL(p_f ‖ p_g) = ‖f − g‖²_{L2(p)}/(2σ²)."""
    conditional = kl_conditional().expr
    coefficient = sp.simplify(conditional / (f_val - g_val) ** 2)
    value = coefficient * dist2
    return DerivedResult(
        name="kl_label_noise",
        title="KL divergence between two tasks with Gaussian label noise",
        reference="App. D.1, eqs. 32-35 (Thm A.2)",
        regime=Regime.EXACT,
        assumptions=(_JOINT,),
        expr=value,
        steps=(
            Step(sp.Eq(sp.Symbol("KL_x"), conditional), "conditional KL (kl_conditional)"),
            Step(
                sp.Eq(sp.Symbol("KL_x"), coefficient * (f_val - g_val) ** 2),
                "a multiple of (f − g)² whose coefficient depends on neither f nor g",
                check.identity(
                    sp.Tuple(
                        conditional - coefficient * (f_val - g_val) ** 2,
                        sp.diff(coefficient, f_val),
                        sp.diff(coefficient, g_val),
                    )
                ),
            ),
            Step(
                sp.Eq(sp.Symbol("D_KL"), coefficient * _MEAN_SQUARE),
                "D_KL = E_x KL_x (chain rule: the x-marginals are equal)",
                check.unchecked("chain rule of the KL divergence with equal input laws"),
            ),
            Step(
                sp.Eq(sp.Symbol("D_KL"), value),
                "E_x (f − g)² = ‖f − g‖²_{L2(p)} = Δ²",
                check.substitution({_MEAN_SQUARE: dist2}, source=coefficient * _MEAN_SQUARE),
            ),
        ),
        printed="eq35_kl_label_noise",
        notes="Undefined at σ = 0; grows without bound with ‖f − g‖.",
        variables=(dist2, sigma),
    )


def _family_vectors() -> tuple[sp.Matrix, sp.Matrix]:
    """β_s and β_t in the orthonormal basis (β_s, ν) of their span."""
    beta_s = sp.Matrix([1, 0])
    return beta_s, sp.cos(theta) * beta_s + sp.sin(theta) * sp.Matrix([0, 1])


@functools.cache
def kl_family() -> DerivedResult:
    """Inside the paper's family: D_KL(p_s ‖ p_t) = (1 − cos θ)/σ² (docs/paper.md §4.3)."""
    beta_s, beta_t = _family_vectors()
    difference = beta_s - beta_t
    distance = sp.simplify((difference.T * sp.eye(2) * difference)[0])
    value = sp.simplify(kl_label_noise().expr.subs(dist2, distance))
    largest = value.subs(theta, sp.pi)
    return DerivedResult(
        name="kl_family",
        title="KL divergence between source and target tasks at angle θ",
        reference="App. A, Fig. 4a (docs/paper.md §4.3)",
        regime=Regime.EXACT,
        assumptions=(_JOINT, _FAMILY),
        expr=value,
        steps=(
            Step(
                sp.Eq(sp.Symbol("β_s - β_t"), difference),
                "β_t = cos θ β_s + sin θ ν in the orthonormal basis (β_s, ν)",
            ),
            Step(
                sp.Eq(sp.Symbol("Δ²"), distance),
                "E_x((β_s − β_t)ᵀx)² = (β_s − β_t)ᵀ E[xxᵀ] (β_s − β_t), E[xxᵀ] = I",
                check.equal(source=(difference.T * difference)[0]),
            ),
            Step(
                sp.Eq(sp.Symbol("D_KL"), value),
                "kl_label_noise at Δ² = 2 − 2cos θ",
                check.substitution({dist2: distance}, source=kl_label_noise().expr),
            ),
            Step(
                sp.Eq(sp.Symbol("D_KL(θ = π)"), largest),
                "increasing on [0, π]; largest for β_t = −β_s (50 at σ = 0.2)",
                check.substitution({theta: sp.pi}, source=value),
            ),
        ),
        notes="One value per θ ∈ [0, π]; independent of γ, d and of the transfer procedure.",
        variables=(theta, sigma),
    )


@functools.cache
def kl_negated_target() -> DerivedResult:
    """The paper's construction g = −α f: D_KL = (1 + α)²‖f‖²/(2σ²)."""
    distance = sp.factor(sp.expand((1 + alpha_g) ** 2 * norm_f**2))
    value = kl_label_noise().expr.subs(dist2, distance)
    return DerivedResult(
        name="kl_negated_target",
        title="KL divergence of the paper's construction g = −αf",
        reference="Thm A.2, proof (App. D.1)",
        regime=Regime.EXACT,
        assumptions=(_JOINT, "g = −α f with α > 0 (g ∈ Φ since Φ is a linear space)"),
        expr=value,
        steps=(
            Step(
                sp.Eq(sp.Symbol("‖f - g‖²"), distance),
                "f − g = (1 + α) f",
                check.equal(source=((1 + alpha_g) * norm_f) ** 2),
            ),
            Step(
                sp.Eq(sp.Symbol("D_KL"), value),
                "kl_label_noise",
                check.substitution({dist2: distance}, source=kl_label_noise().expr),
            ),
        ),
        variables=(alpha_g, norm_f, sigma),
    )


@functools.cache
def kl_construction_alpha() -> DerivedResult:
    """The α that the construction's bound needs: α > σ√(2δ)/‖f‖ (the paper prints σ√δ/‖f‖)."""
    exact = kl_negated_target().expr.subs(alpha_g, _A)
    dropped = sp.expand(exact.subs(1 + _A, _A))  # the proof's step (1 + α)² ≥ α²
    gap = sp.factor(sp.expand(exact - dropped))
    (root,) = [r for r in sp.solve(sp.Eq(dropped, delta_d), _A) if not r.is_negative]
    exact_roots = sp.solve(sp.Eq(exact, delta_d), _A)
    threshold = max(exact_roots, key=lambda r: float(r.subs({sigma: 1, delta_d: 1, norm_f: 1})))
    return DerivedResult(
        name="kl_construction_alpha",
        title="Scale of the KL construction that guarantees D_KL ≥ δ",
        reference="Thm A.2, proof (App. D.1; docs/paper.md §4.3)",
        regime=Regime.EXACT,
        assumptions=(_JOINT, "g = −α f, α > 0", "δ > 0"),
        expr=root,
        steps=(
            Step(
                sp.Eq(sp.Symbol("D_KL"), exact),
                "kl_negated_target",
                check.substitution({alpha_g: _A}, source=kl_negated_target().expr),
            ),
            Step(
                sp.Eq(sp.Symbol("D_KL - α²‖f‖²/(2σ²)"), gap),
                "> 0 for α > 0: D_KL > α²‖f‖²/(2σ²) (the proof's bound)",
                check.equal(source=exact - dropped),
            ),
            Step(
                sp.Eq(_A, root),
                "solving α²‖f‖²/(2σ²) = δ: every α above this makes D_KL > δ",
            ),
            Step(
                sp.Eq(sp.Symbol("α_min"), threshold),
                "exact threshold from (1 + α)²‖f‖²/(2σ²) = δ (any α > 0 if it is ≤ 0)",
            ),
        ),
        printed="thmA2_kl_alpha",
        notes=(
            "Erratum (docs/paper.md §9.2.2): the paper chooses α > σ√δ/‖f‖, which makes the bound "
            "α²‖f‖²/(2σ²) exceed only δ/2 (kl_printed_alpha_failure gives the δ beyond which "
            "even the exact KL falls below δ)."
        ),
        variables=(delta_d, norm_f, sigma),
    )


@functools.cache
def kl_printed_alpha_failure() -> DerivedResult:
    """With the printed α = σ√δ/‖f‖, D_KL < δ exactly when δ > (3 + 2√2)‖f‖²/σ²."""
    printed = sigma * sp.sqrt(delta_d) / norm_f
    bound = sp.simplify(printed**2 * norm_f**2 / (2 * sigma**2))
    exact = sp.simplify(kl_negated_target().expr.subs(alpha_g, printed))
    root = sp.Symbol("r", positive=True)  # r = √δ
    equation = sp.Eq(exact.subs({delta_d: root**2, sigma: _SIGMA}), root**2)
    (crossing,) = [_positive_sigma(r) for r in sp.solve(equation, root) if r.is_positive]
    threshold = sp.radsimp(sp.expand(crossing**2))
    return DerivedResult(
        name="kl_printed_alpha_failure",
        title="Distance beyond which the paper's printed KL construction falls short",
        reference="Thm A.2, proof (App. D.1; docs/paper.md §4.3)",
        regime=Regime.EXACT,
        assumptions=(_JOINT, "g = −α f with the printed α = σ√δ/‖f‖"),
        expr=threshold,
        steps=(
            Step(sp.Eq(sp.Symbol("α²‖f‖²/(2σ²)"), bound), "the proof's bound at the printed α"),
            Step(sp.Eq(sp.Symbol("D_KL"), exact), "kl_negated_target at the printed α"),
            Step(
                sp.Eq(sp.Symbol("√δ*"), crossing),
                "D_KL = δ ⟺ ‖f‖/σ + √δ = √(2δ); for larger δ, D_KL < δ",
            ),
            Step(sp.Eq(sp.Symbol("δ*"), threshold), "square; 145.7 at ‖f‖ = 1, σ = 0.2"),
        ),
        notes="Above δ* the printed choice does not even reach the claimed distance.",
        variables=(norm_f, sigma),
    )


@functools.cache
def cosine_judge_conditional() -> DerivedResult:
    """E[cos y | x] = e^{−σ²/2} cos f(x) under y ~ N(f(x), σ²)."""
    integral = sp.Integral(sp.cos(y_label) * _gaussian(f_val, _SIGMA), (y_label, -sp.oo, sp.oo))
    value = sp.simplify(integral.doit())
    return DerivedResult(
        name="cosine_judge_conditional",
        title="Mean of the cosine judge under Gaussian label noise",
        reference="Thm A.2, proof (App. D.1, line 28)",
        regime=Regime.EXACT,
        assumptions=(_JOINT,),
        expr=_positive_sigma(value),
        steps=(
            Step(
                sp.Eq(sp.Symbol("E[cos y | x]"), integral),
                "definition",
                check.unchecked("definition of the conditional mean"),
            ),
            Step(
                sp.Eq(sp.Symbol("E[cos y | x]"), value),
                "Gaussian characteristic function",
                check.integral(y_label, -sp.oo, sp.oo, source=integral.function),
            ),
        ),
        variables=(f_val, sigma),
    )


@functools.cache
def dudley_cosine_bound() -> DerivedResult:
    """γ_β(p_f, p_g) ≥ ½ e^{−σ²/2} |E cos f − E cos g| (the judge ½ cos y), at most e^{−σ²/2}."""
    judge = sp.cos(y_label) / 2
    period = sp.Interval(0, 2 * sp.pi)  # h and h' are periodic and their ranges symmetric
    lipschitz = sp.maximum(sp.diff(judge, y_label), y_label, period)
    sup_norm = sp.maximum(judge, y_label, period)
    ball = lipschitz + sup_norm
    conditional = cosine_judge_conditional().expr / 2
    factor = sp.simplify(conditional / sp.cos(f_val))
    value = factor * sp.Abs(cos_f - cos_g)
    ceiling = value.subs({cos_f: 1, cos_g: -1})
    return DerivedResult(
        name="dudley_cosine_bound",
        title="Dudley lower bound through the judge ½cos y",
        reference="Thm A.2, proof (App. D.1, line 28)",
        regime=Regime.EXACT,
        assumptions=(_JOINT, _DUDLEY_BALL, "C_f = E_x cos f(x), C_g = E_x cos g(x) in [−1, 1]"),
        expr=value,
        steps=(
            Step(
                sp.Eq(sp.Symbol("‖h‖_L + ‖h‖_∞"), ball),
                "h = ½cos y: both norms are ½, so h is in the Dudley ball",
            ),
            Step(
                sp.Eq(sp.Symbol("E_{p_f} h"), factor * cos_f),
                "cosine_judge_conditional averaged over x",
            ),
            Step(sp.Eq(sp.Symbol("γ_β"), value), "γ_β ≥ |E_{p_f} h − E_{p_g} h|"),
            Step(
                sp.Eq(sp.Symbol("sup bound"), ceiling),
                "at most e^{−σ²/2} < 1, whatever f and g: this judge cannot certify γ_β ≥ 1",
            ),
        ),
        variables=(cos_f, cos_g, sigma),
    )


@functools.cache
def dudley_cosine_scaled() -> DerivedResult:
    """Along g = c f (unit f = βᵀx): the cosine bound ½e^{−σ²/2}|e^{−1/2} − e^{−c²/2}|."""
    characteristic = sp.cos(c_g * _Z) * _gaussian(0, 1, _Z)
    mean_cos = sp.simplify(sp.integrate(characteristic, (_Z, -sp.oo, sp.oo)))
    value = dudley_cosine_bound().expr.subs({cos_f: mean_cos.subs(c_g, 1), cos_g: mean_cos})
    negated = value.subs(c_g, -1)
    limit = sp.limit(value, c_g, sp.oo)
    return DerivedResult(
        name="dudley_cosine_scaled",
        title="The cosine judge along g = c f",
        reference="Thm A.2, proof (App. D.1, lines 28-29)",
        regime=Regime.EXACT,
        assumptions=(_JOINT, _SCALED),
        expr=value,
        steps=(
            Step(
                sp.Eq(sp.Symbol("E_x cos(c βᵀx)"), mean_cos),
                "βᵀx ~ N(0, 1): Gaussian characteristic function",
                check.integral(_Z, -sp.oo, sp.oo, source=characteristic),
            ),
            Step(
                sp.Eq(sp.Symbol("bound(c)"), value),
                "dudley_cosine_bound",
                check.substitution(
                    {cos_f: mean_cos.subs(c_g, 1), cos_g: mean_cos},
                    source=dudley_cosine_bound().expr,
                ),
            ),
            Step(
                sp.Eq(sp.Symbol("bound(−1)"), negated),
                "g = −f (the KL construction with α = 1): cos is even, the judge sees nothing",
                check.substitution({c_g: -1}, source=value),
            ),
            Step(
                sp.Eq(sp.Symbol("bound(∞)"), limit),
                "c → ∞: bounded, it does not grow",
                check.limit(c_g, sp.oo, source=value),
            ),
        ),
        printed="thmA2_dudley_line29",
        notes=(
            "Erratum (docs/paper.md §9.2.2): the paper's next line bounds this by "
            "½e^{−σ²/2}∫(f² + g²)p dx = ½e^{−σ²/2}(1 + c²) via 'cos x + x² ≥ cos z − z²', which "
            "only gives "
            "cos f − cos g ≥ −(f² + g²), a lower bound by a negative number. The printed bound "
            "exceeds the Dudley ceiling 2 for large c; at c = −1 it is e^{−σ²/2} > 0 while the "
            "judge gives exactly 0."
        ),
        variables=(c_g, sigma),
    )


@functools.cache
def dudley_ceiling() -> DerivedResult:
    """Every Dudley distance is at most 2: |E_P h − E_Q h| ≤ 2‖h‖_∞ ≤ 2(1 − ‖h‖_L) ≤ 2."""
    lipschitz = sp.Symbol("L_h", nonnegative=True)
    largest = 2 * _M
    on_ball = largest.subs(_M, 1 - lipschitz)
    value = sp.maximum(on_ball, lipschitz, sp.Interval(0, 1))
    return DerivedResult(
        name="dudley_ceiling",
        title="The Dudley metric is bounded by 2",
        reference="Thm A.2 (docs/paper.md §4.3)",
        regime=Regime.EXACT,
        assumptions=(_DUDLEY_BALL,),
        expr=value,
        steps=(
            Step(
                sp.Eq(sp.Symbol("|E_P h - E_Q h|"), largest),
                "≤ 2M for any probability laws P, Q and |h| ≤ M",
            ),
            Step(
                sp.Eq(sp.Symbol("sup"), on_ball),
                "M = ‖h‖_∞ ≤ 1 − ‖h‖_L on the ball",
                check.substitution({_M: 1 - lipschitz}, source=largest),
            ),
            Step(sp.Eq(sp.Symbol("γ_β"), value), "largest at ‖h‖_L = 0"),
        ),
        notes="Hence 'γ_β(p_f, p_g) ≥ δ for every δ' is false for δ > 2 (the paper's Dudley half).",
        variables=(),
    )


def _tent_mean(scale: sp.Expr) -> sp.Expr:
    """E min(|Y|/K, 1) for Y ~ N(0, scale²), by integration of the half-normal density."""
    y_pos = sp.Symbol("y_pos", positive=True)
    density = 2 * _gaussian(0, _SCALE, y_pos)
    inner = sp.integrate(y_pos / k_cut * density, (y_pos, 0, k_cut))
    outer = sp.integrate(density, (y_pos, k_cut, sp.oo))
    return sp.simplify(inner + outer).subs(_SCALE, scale)


@functools.cache
def dudley_tent_bound() -> DerivedResult:
    """Along g = c f: the tent judge gives γ_β ≥ 2a(m(√(c²+σ²)) − m(√(1+σ²))), a = K/(K+2)."""
    height = k_cut / (k_cut + 2)
    judge_norm = sp.simplify(height + 2 * height / k_cut)
    mean_source = _tent_mean(sp.sqrt(1 + sigma**2))
    mean_target = _tent_mean(sp.sqrt(c_g**2 + sigma**2))
    value = 2 * height * (mean_target - mean_source)
    return DerivedResult(
        name="dudley_tent_bound",
        title="Dudley lower bound through a tent judge along g = c f",
        reference="Thm A.2 (corrected Dudley half, docs/paper.md §4.3)",
        regime=Regime.EXACT,
        assumptions=(_JOINT, _SCALED, _DUDLEY_BALL),
        expr=value,
        steps=(
            Step(
                sp.Eq(sp.Symbol("‖h‖_∞ + ‖h‖_L"), judge_norm),
                "h(y) = a(1 − 2min(|y|/K, 1)): ‖h‖_∞ = a, slope 2a/K; a = K/(K + 2) fills the ball",
                check.equal(source=height + 2 * height / k_cut),
            ),
            Step(
                sp.Eq(sp.Symbol("m(s)"), _tent_mean(_SCALE)),
                "m(s) = E min(|Y|/K, 1), Y ~ N(0, s²): the labels are N(0, c² + σ²) under p_{cf}",
            ),
            Step(
                sp.Eq(sp.Symbol("γ_β"), value),
                "E_{p_f} h − E_{p_g} h = 2a(m(s_g) − m(s_f)), s_f² = 1 + σ², s_g² = c² + σ²",
            ),
        ),
        variables=(k_cut, c_g, sigma),
    )


@functools.cache
def dudley_tent_limit() -> DerivedResult:
    """The tent bound tends to the ceiling 2: c → ∞, then K → ∞."""
    bound = dudley_tent_bound().expr
    far = sp.simplify(sp.limit(bound, c_g, sp.oo))
    value = sp.limit(far, k_cut, sp.oo)
    return DerivedResult(
        name="dudley_tent_limit",
        title="Along g = c f the Dudley distance approaches its ceiling 2",
        reference="Thm A.2 (corrected Dudley half, docs/paper.md §4.3)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(_JOINT, _SCALED, _DUDLEY_BALL),
        expr=value,
        steps=(
            Step(sp.Eq(sp.Symbol("γ_β"), bound), "dudley_tent_bound"),
            Step(
                sp.Eq(sp.Symbol("lim_{c→∞}"), far),
                "SymPy limit: m(s_g) → 1",
                check.limit(c_g, sp.oo, source=bound),
            ),
            Step(
                sp.Eq(sp.Symbol("lim_{K→∞}"), value),
                "SymPy limit: a → 1, m(s_f) → 0",
                check.limit(k_cut, sp.oo, source=far),
            ),
        ),
        notes=(
            "With dudley_ceiling: sup over g ∈ Φ of γ_β(p_f, p_g) is 2, approached, never exceeded."
        ),
        variables=(),
    )


@functools.cache
def w1_scaled_bounds() -> DerivedResult:
    """Along g = c f: √(2/π)|√(c²+σ²) − √(1+σ²)| ≤ W₁(p_f, p_g) ≤ √(2/π)|c − 1|."""
    half_normal = sp.Abs(_Z) * _gaussian(0, 1, _Z)
    mean_abs = sp.integrate(half_normal, (_Z, -sp.oo, sp.oo))
    scale_f, scale_g = sp.sqrt(1 + sigma**2), sp.sqrt(c_g**2 + sigma**2)
    lower = mean_abs * sp.Abs(scale_g - scale_f)
    upper = mean_abs * sp.Abs(c_g - 1)
    return DerivedResult(
        name="w1_scaled_bounds",
        title="Wasserstein-1 distance along g = c f (lower, upper bounds)",
        reference="Thm A.2 remark (W₁ contains the Dudley ball; docs/paper.md §4.3)",
        regime=Regime.EXACT,
        assumptions=(
            _JOINT,
            _SCALED,
            "W₁ with the Euclidean metric on (x, y) ∈ R^{d+1}",
        ),
        expr=sp.Tuple(lower, upper),
        steps=(
            Step(
                sp.Eq(sp.Symbol("E|Z|"), mean_abs),
                "Z ~ N(0, 1)",
                check.integral(_Z, -sp.oo, sp.oo, source=half_normal),
            ),
            Step(
                sp.Eq(sp.Symbol("W₁(N(0,s_f²), N(0,s_g²))"), lower),
                "(x, y) ↦ y is 1-Lipschitz, so W₁ ≥ W₁ of the label laws; in 1-D the quantile "
                "coupling y_g = (s_g/s_f) y_f is optimal: E|s_g − s_f||Z|",
            ),
            Step(
                sp.Eq(sp.Symbol("E|(c-1)βᵀx|"), upper),
                "coupling with shared x and noise: the points differ only in y by (c − 1)βᵀx",
            ),
        ),
        notes="Both bounds grow like √(2/π)|c| (w1_scaled_growth).",
        variables=(c_g, sigma),
    )


@functools.cache
def w1_scaled_growth() -> DerivedResult:
    """W₁(p_f, p_{cf})/c → √(2/π) as c → ∞: Wasserstein-1 is unbounded along g = c f."""
    lower, upper = w1_scaled_bounds().expr
    slopes = sp.Tuple(sp.limit(lower / c_g, c_g, sp.oo), sp.limit(upper / c_g, c_g, sp.oo))
    return DerivedResult(
        name="w1_scaled_growth",
        title="Wasserstein-1 grows linearly along g = c f",
        reference="Thm A.2 remark (docs/paper.md §4.3)",
        regime=Regime.ASYMPTOTIC,
        assumptions=(_JOINT, _SCALED),
        expr=slopes[0],
        steps=(
            Step(sp.Tuple(lower, upper), "w1_scaled_bounds"),
            Step(
                slopes,
                "SymPy limits of both bounds divided by c, c → ∞",
                check.limit(c_g, sp.oo, source=sp.Tuple(lower / c_g, upper / c_g)),
            ),
            Step(
                sp.Eq(sp.Symbol("W₁/c"), slopes[0]),
                "the two slopes are equal, so W₁(p_f, p_{cf})/c tends to this value",
                check.identity(slopes[0] - slopes[1]),
            ),
        ),
        variables=(),
    )


@functools.cache
def w1_family_upper() -> DerivedResult:
    """Inside the family: W₁(p_s, p_t) ≤ √(2/π)‖β_s − β_t‖ = √(2/π)√(2 − 2cos θ)."""
    beta_s, beta_t = _family_vectors()
    difference = beta_s - beta_t
    norm = sp.sqrt(sp.simplify((difference.T * difference)[0]))
    mean_abs = sp.integrate(sp.Abs(_Z) * _gaussian(0, 1, _Z), (_Z, -sp.oo, sp.oo))
    value = mean_abs * norm
    return DerivedResult(
        name="w1_family_upper",
        title="Wasserstein-1 between source and target tasks at angle θ (upper bound)",
        reference="App. A, Fig. 4b (docs/paper.md §4.4)",
        regime=Regime.EXACT,
        assumptions=(_JOINT, _FAMILY, "W₁ with the Euclidean metric on (x, y)"),
        expr=value,
        steps=(
            Step(
                sp.Eq(sp.Symbol("‖β_s - β_t‖"), norm),
                "in the basis (β_s, ν)",
                check.equal(source=sp.sqrt((difference.T * difference)[0])),
            ),
            Step(
                sp.Eq(sp.Symbol("W₁"), value),
                "shared (x, ε): the labels differ by (β_s − β_t)ᵀx ~ N(0, ‖β_s − β_t‖²)",
            ),
        ),
        notes=(
            "Both label laws are N(0, 1 + σ²), so the label-marginal lower bound is 0 here; the "
            "population W₁ is at most 1.6 for every θ, far below the empirical estimates between "
            "finite samples in high dimension (sampling floor)."
        ),
        variables=(theta,),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return (
        kl_conditional(),
        kl_label_noise(),
        kl_family(),
        kl_negated_target(),
        kl_construction_alpha(),
        kl_printed_alpha_failure(),
        cosine_judge_conditional(),
        dudley_cosine_bound(),
        dudley_cosine_scaled(),
        dudley_ceiling(),
        dudley_tent_bound(),
        dudley_tent_limit(),
        w1_scaled_bounds(),
        w1_scaled_growth(),
        w1_family_upper(),
    )
