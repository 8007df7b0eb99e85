"""The ReLU (arc-cosine) kernel and the part of a function outside a feature space (Sec. 4, App. E).

* ``relu_kernel``: for unit vectors w, v with wᵀv = u = cos φ and x ~ N(0, I_d),

      κ(u) = E[relu(wᵀx) relu(vᵀx)] = (√(1 − u²) + u(π − arccos u)) / (2π)

  (the first-order arc-cosine kernel of Cho & Saul; App. E, eq. 167 as quoted by [NOTES]).
  Derivation: by rotation invariance (wᵀx, vᵀx) only depends on the projection of x on the plane
  of w and v, a standard Gaussian in two dimensions; in polar coordinates (r, a) with w along
  a = 0 and v along a = φ, relu(wᵀx) relu(vᵀx) = r² cos a cos(a − φ) on the wedge where both
  cosines are positive, a ∈ (φ − π/2, π/2) for φ ∈ (0, π], and 0 elsewhere. SymPy does the radial
  Gamma integral and the angular integral and substitutes φ = arccos u. For weights of any norm,
  positive homogeneity relu(s t) = s relu(t), s > 0, gives ‖w‖‖v‖ κ(u): the numerics use that.
* ``relu_kernel_slope``: κ'(u) = (π − arccos u)/(2π) = P(wᵀx > 0, vᵀx > 0) (the zeroth-order
  arc-cosine kernel); it is finite on [−1, 1] (unlike the derivatives of √(1 − u²) and arccos u
  taken separately), which the population-loss gradients of :mod:`fate_numeric.relu` use.
* ``relu_kernel_radial``: the gradient of k(w, v) = ‖w‖‖v‖κ(ŵᵀv̂) in w is
  ‖v‖[(κ(u) − uκ'(u)) ŵ + κ'(u) v̂] (the chain rule through ‖w‖ and u, for any differentiable
  κ), and its radial coefficient κ(u) − uκ'(u) = √(1 − u²)/(2π); the population-loss gradients of
  :mod:`fate_numeric.relu` are built from it and the slope.
* ``relu_mean``: E[relu(wᵀx)] = ‖w‖/√(2π), the constant part of a ReLU feature (removed before
  kernels are compared, in the centred kernel alignment of :mod:`fate_numeric.relu`).
* ``relu_out_of_span_norm``: the squared L₂(p) norm of the part of f outside the span of features
  φ_1..φ_p with Gram matrix G (G_jk = ⟨φ_j, φ_k⟩) and overlaps k_j = ⟨φ_j, f⟩ is
  ‖P⊥f‖² = ‖f‖² − kᵀG⁻¹k (App. E, eqs. 172–173 per [NOTES]): minimise ‖f − Σ a_j φ_j‖² over a,
  the normal equations Ga = k give the projection. The Gram matrices themselves are kernel values
  (above), evaluated numerically in :mod:`fate_numeric.relu`; G is assumed invertible (linearly
  independent features; the numerics use a pseudo-inverse with a stated rank cut-off).

Decision: which basis spans "the feature space" (the source teacher's neurons, the trained
student's neurons) is not stated in what we could read of the paper (docs/paper.md §5.3, §9.3); the
formula here holds for any basis, and the numerics compute both.
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations.record import (
    DerivedResult,
    Regime,
    Step,
    derivative,
    identity,
    integral,
    substitution,
    unchecked,
)
from derivations.symbols import phi_angle, u_cos, w_norm

_GAUSSIAN = "x ~ N(0, I_d) (Assumption 3.1)"


@functools.cache
def relu_kernel() -> DerivedResult:
    """κ(u) = E[relu(wᵀx) relu(vᵀx)] for unit w, v with wᵀv = u, by a polar Gaussian integral."""
    r = sp.Symbol("r", positive=True)
    a = sp.Symbol("a", real=True)
    density = sp.exp(-(r**2) / 2) / (2 * sp.pi)  # standard Gaussian density in the plane
    radial_integral = sp.Integral(r**2 * density * r, (r, 0, sp.oo))
    radial = radial_integral.doit()
    angular_integral = sp.Integral(
        sp.cos(a) * sp.cos(a - phi_angle), (a, phi_angle - sp.pi / 2, sp.pi / 2)
    )
    angular = sp.simplify(angular_integral.doit())
    in_angle = sp.simplify(radial * angular)
    kernel = sp.simplify(in_angle.subs(phi_angle, sp.acos(u_cos)))
    name = sp.Symbol("kappa")
    return DerivedResult(
        name="relu_kernel",
        title="Arc-cosine kernel of ReLU features under Gaussian inputs",
        reference="Sec. 4, App. E, eq. 167",
        regime=Regime.EXACT,
        assumptions=(
            _GAUSSIAN,
            "w, v unit vectors with wᵀv = u = cos φ, φ ∈ [0, π]",
            "for other norms multiply by ‖w‖‖v‖ (positive homogeneity of relu)",
        ),
        expr=kernel,
        steps=(
            Step(
                sp.Eq(
                    name,
                    sp.Integral(
                        r**2 * sp.cos(a) * sp.cos(a - phi_angle) * density * r,
                        (r, 0, sp.oo),
                        (a, phi_angle - sp.pi / 2, sp.pi / 2),
                    ),
                ),
                "rotation invariance: (wᵀx, vᵀx) = (r cos a, r cos(a − φ)) with (r, a) polar "
                "coordinates of a 2-d standard Gaussian; both relu's are positive exactly for "
                "a ∈ (φ − π/2, π/2) when 0 < φ <= π",
                unchecked("rotation invariance of N(0, I_d) and the wedge where both factors > 0"),
            ),
            Step(sp.Eq(radial_integral, radial), "Gamma integral ∫ r³ e^{−r²/2} dr = 2"),
            Step(
                sp.Eq(angular_integral, angular),
                "cos a cos(a − φ) = [cos(2a − φ) + cos φ]/2 integrated over the wedge",
            ),
            Step(
                sp.Eq(name, in_angle),
                "product of the radial and angular integrals",
                identity(in_angle - radial * angular),
            ),
            Step(
                sp.Eq(name, kernel),
                "φ = arccos u, sin(arccos u) = √(1 − u²)",
                substitution({phi_angle: sp.acos(u_cos)}, source=in_angle),
            ),
        ),
        printed="eq167_arccos_kernel",
        notes="κ(1) = 1/2 = E relu(g)², κ(0) = 1/(2π) = (E relu(g))², κ(−1) = 0.",
        variables=(u_cos,),
    )


@functools.cache
def relu_kernel_slope() -> DerivedResult:
    """κ'(u) = (π − arccos u)/(2π), finite on [−1, 1] (used by population-loss gradients)."""
    kernel = relu_kernel().expr
    unsimplified = sp.Derivative(kernel, u_cos).doit()
    slope = sp.simplify(unsimplified)
    name = sp.Symbol("kappa'")
    return DerivedResult(
        name="relu_kernel_slope",
        title="Derivative of the arc-cosine kernel in the cosine u",
        reference="Sec. 4, App. E (derivative of eq. 167)",
        regime=Regime.EXACT,
        assumptions=(_GAUSSIAN, "w, v unit vectors with wᵀv = u ∈ (−1, 1)"),
        expr=slope,
        steps=(
            Step(
                sp.Eq(name, sp.Derivative(kernel, u_cos)),
                "differentiate relu_kernel in u",
                unchecked("definition of κ'(u)"),
            ),
            Step(
                sp.Eq(name, slope),
                "the √(1 − u²) terms cancel: κ'(u) = (π − arccos u)/(2π), bounded on [−1, 1]",
                derivative(u_cos, source=kernel),
            ),
        ),
        notes="Equals P(wᵀx > 0, vᵀx > 0) = (π − φ)/(2π): the zeroth-order arc-cosine kernel.",
        variables=(u_cos,),
    )


@functools.cache
def relu_kernel_radial() -> DerivedResult:
    """∂k(w, v)/∂w = ‖v‖[(κ − uκ')ŵ + κ'v̂] and the radial coefficient κ(u) − uκ'(u)."""
    w = sp.Matrix(sp.symbols("w_1:4", real=True))
    v = sp.Matrix(sp.symbols("v_1:4", real=True))
    t = sp.Symbol("t", real=True)
    f = sp.Function("kappa")
    norm_w, norm_v = sp.sqrt((w.T * w)[0]), sp.sqrt((v.T * v)[0])
    cosine = (w.T * v)[0] / (norm_w * norm_v)
    pair_kernel = norm_w * norm_v * f(cosine)
    gradient = sp.Matrix([sp.diff(pair_kernel, component) for component in w])
    # the chain rule leaves κ' as Subs(Derivative(κ(ξ), ξ), ξ, u) with a Dummy ξ whose index
    # SymPy draws at random per process; t in its place keeps the record (and its cache file)
    # the same from run to run
    gradient = gradient.xreplace({dummy: t for dummy in gradient.atoms(sp.Dummy)})
    slope_at = sp.Derivative(f(t), t).subs(t, cosine)
    claimed = norm_v * ((f(cosine) - cosine * slope_at) * w / norm_w + slope_at * v / norm_v)
    at_u = sp.Derivative(f(u_cos), u_cos)
    weight = sp.Symbol("w")
    compact = sp.Symbol("‖v‖") * (
        (f(u_cos) - u_cos * at_u) * sp.Symbol("ŵ") + at_u * sp.Symbol("v̂")
    )
    kernel, slope = relu_kernel().expr, relu_kernel_slope().expr
    radial = sp.simplify(kernel - u_cos * slope)
    name = sp.Symbol("rho")
    return DerivedResult(
        name="relu_kernel_radial",
        title="Gradient of the ReLU kernel in a weight vector: its radial coefficient",
        reference="Sec. 4, App. E (eq. 167 differentiated in w, for the population loss)",
        regime=Regime.EXACT,
        assumptions=(_GAUSSIAN, "w, v ≠ 0, u = ŵᵀv̂ ∈ (−1, 1)"),
        expr=radial,
        steps=(
            Step(
                sp.Eq(sp.Derivative(sp.Function("k")(weight), weight), compact, evaluate=False),
                "chain rule through ‖w‖ (∂‖w‖/∂w = ŵ) and u (∂u/∂w = (v̂ − uŵ)/‖w‖), for any "
                "differentiable κ; SymPy differentiates ‖w‖‖v‖κ(u) componentwise in d = 3",
                identity(gradient - claimed),
            ),
            Step(
                sp.Eq(name, kernel - u_cos * slope),
                "the radial coefficient ρ(u) = κ(u) − uκ'(u) with the derived κ and κ'",
                unchecked("definition of ρ"),
            ),
            Step(
                sp.Eq(name, radial),
                "the arccos terms cancel: ρ(u) = √(1 − u²)/(2π), so κ = ρ + uκ'",
                identity(kernel - u_cos * slope - radial),
            ),
        ),
        notes="ρ(±1) = 0: a neuron parallel to another feels only the tangential part.",
        variables=(u_cos,),
    )


@functools.cache
def relu_mean() -> DerivedResult:
    """E[relu(wᵀx)] = ‖w‖/√(2π): a one-dimensional Gaussian integral."""
    z = sp.Symbol("z", real=True)
    integrand = w_norm * z * sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)
    value = sp.Integral(integrand, (z, 0, sp.oo)).doit()
    mean = sp.Symbol("E relu(wᵀx)")
    return DerivedResult(
        name="relu_mean",
        title="Mean of a ReLU feature",
        reference="Sec. 4 (centring of the kernels compared in Fig. 3)",
        regime=Regime.EXACT,
        assumptions=(_GAUSSIAN,),
        expr=value,
        steps=(
            Step(
                sp.Eq(mean, sp.Integral(integrand, (z, 0, sp.oo))),
                "wᵀx = ‖w‖z with z ~ N(0, 1), and relu(‖w‖z) = ‖w‖z for z > 0, 0 otherwise",
                unchecked("rotation invariance of N(0, I_d) and positive homogeneity of relu"),
            ),
            Step(value, "the Gaussian integral", integral(z, 0, sp.oo, source=integrand)),
        ),
        variables=(w_norm,),
    )


#: Symbols of the two-feature instance of the projection (G symmetric, k, F = ‖f‖²).
GRAM_SYMBOLS = sp.symbols("G_11 G_12 G_22", real=True)
OVERLAP_SYMBOLS = sp.symbols("k_1 k_2", real=True)
NORM_SYMBOL = sp.Symbol("F", nonnegative=True)


@functools.cache
def relu_out_of_span_norm() -> DerivedResult:
    """‖P⊥f‖² = ‖f‖² − kᵀG⁻¹k: least squares in the span of features (App. E), two features.

    SymPy solves the normal equations symbolically for two features with a general symmetric
    Gram matrix; the algebra is the same for any number p of features (the numerics apply the
    matrix form F − kᵀG⁻¹k with a solver; a test compares it with this record at p = 2).
    """
    g11, g12, g22 = GRAM_SYMBOLS
    k1, k2 = OVERLAP_SYMBOLS
    gram = sp.Matrix([[g11, g12], [g12, g22]])
    overlap = sp.Matrix([k1, k2])
    a1, a2 = sp.symbols("a_1 a_2", real=True)
    coefficients = sp.Matrix([a1, a2])
    residual = sp.Symbol("R")
    expanded = sp.expand(
        NORM_SYMBOL - 2 * (overlap.T * coefficients)[0] + (coefficients.T * gram * coefficients)[0]
    )
    normal = [sp.diff(expanded, a) for a in (a1, a2)]
    solution = sp.solve(normal, [a1, a2], dict=True)[0]
    at_optimum = sp.factor(sp.simplify(expanded.subs(solution)))
    quadratic_form = (overlap.T * gram.inv() * overlap)[0]
    matrix_form = sp.factor(sp.simplify(NORM_SYMBOL - quadratic_form))
    stationary = sp.Tuple(*[sp.simplify(g.subs(solution)) for g in normal])
    return DerivedResult(
        name="relu_out_of_span_norm",
        title="Squared norm of the part of a function outside a feature span",
        reference="Sec. 4, eq. 18; App. E, eqs. 172-173",
        regime=Regime.EXACT,
        assumptions=(
            "features φ_1, φ_2 in L₂(p) with invertible symmetric Gram matrix G "
            "(G_jk = ⟨φ_j, φ_k⟩); the same algebra for any number of features",
            "k_j = ⟨φ_j, f⟩, F = ‖f‖²",
        ),
        expr=matrix_form,
        steps=(
            Step(
                sp.Eq(residual, expanded),
                "R(a) = ‖f − a_1φ_1 − a_2φ_2‖², expanded with the Gram matrix and the overlaps",
                unchecked("bilinearity of the L₂(p) inner product"),
            ),
            Step(
                sp.Tuple(*[sp.Eq(g, 0) for g in normal]),
                "stationarity of the quadratic: the normal equations G a = k",
                unchecked("∂R/∂a_j of step 1, as computed by SymPy's diff"),
            ),
            Step(
                sp.Tuple(*[sp.Eq(a, solution[a]) for a in (a1, a2)]),
                "their solution a = G⁻¹k (det G ≠ 0): it satisfies both normal equations",
                identity(stationary),
            ),
            Step(
                sp.Eq(residual, at_optimum),
                "R at the minimiser",
                substitution(solution, source=expanded),
            ),
            Step(
                sp.Eq(residual, NORM_SYMBOL - sp.UnevaluatedExpr(quadratic_form)),
                "which is F − kᵀG⁻¹k",
                identity(at_optimum - matrix_form),
            ),
        ),
        notes=(
            "The paper's basis and normalisation are uncertain (docs/paper.md §5.3, §9.2.6); the "
            "numerics evaluate G and k with relu_kernel for source-teacher and trained-student "
            "neurons."
        ),
        variables=(NORM_SYMBOL, *GRAM_SYMBOLS, *OVERLAP_SYMBOLS),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return (
        relu_kernel(),
        relu_kernel_slope(),
        relu_kernel_radial(),
        relu_mean(),
        relu_out_of_span_norm(),
    )
