"""Extension (not the paper's claims): weight decay during population pretraining.

The paper pretrains without regularisation and leaves open how regularising the pretraining
changes the features and transfer. Here the depth-2 network is pretrained on the source
population loss ‖W_1 W_2 − β_s‖² (the authors' normalisation, no ½) by SGD with
``weight_decay = λ_p``, i.e. gradient flow on ‖W_1 W_2 − β_s‖² + (λ_p/2)(‖W_1‖² + ‖W_2‖²), and
then transferred exactly as in the paper: linear transfer re-fits the last layer, fine-tuning
trains all layers on the target data without weight decay (the authors' settings).

What the records derive (docs/paper.md §12):

* ``wd_pretrain_ode`` / ``wd_pretrain_end_point``: on the balanced rank-one ansatz the end-to-end
  coefficient a = ‖β̂‖ obeys ȧ = 4a(1 − a) − 2λ_p a, a logistic law with carrying capacity
  p = 1 − λ_p/2: pretraining ends at β̂ = (1 − λ_p/2)β_s for λ_p < 2 and collapses to 0 for
  λ_p >= 2 (the origin turns from a saddle into a minimum). The same end point minimises
  ‖β_s − β̂‖² + λ_p‖β̂‖, the penalty a balanced factorisation pays: soft thresholding.
* ``wd_imbalance_decay`` and ``wd_orthogonal_decay``: weight decay breaks the conservation law
  of eq. 36, D(t) = D(0)e^{−2λ_p t}, and shrinks the part of W_1 outside β_s at least as
  e^{−λ_p t}. The O(α) directions that the paper's end point keeps (Thm 3.4) therefore vanish:
  for λ_p > 0 the pretrained network is exactly W_1 = √p β_s vᵀ, W_2 = √p v, for every α.
* ``wd_lt_risk``: the least-squares refit does not see the scale √p of the features, so linear
  transfer is unchanged (eq. 10) until the features collapse at λ_p = 2 (risk 1 beyond).
  ``wd_ridge_lt_risk``: a ridge refit does see it, eq. 13 at the effective ridge λ/p.
* ``wd_ft_scale``, ``wd_ft_transferability``: fine-tuning by gradient flow from the smaller
  balanced start keeps the flow invariants of ``ft_balance_scale`` and ends at
  β̂_sc + κ(I − P)β_s with κ = √p c, c the positive root of c⁴ − p(1 − γ)c² − b = 0, so
  T_ft = (1 − γ)(2κ cos θ − κ²). ``wd_ft_transferability_frozen`` is what eq. 143's assumption
  (the null-space part stays that of the pretrained vector, κ = p) would give instead.
* ``wd_ft_break_even``: positive transfer for cos θ > κ/2; κ < 1 moves the break-even angle
  beyond π/3. ``wd_ft_optimal_decay``: the λ_p that makes κ = cos θ maximises T_ft at
  (1 − γ)cos²θ >= 0; it always lies in [0, 2].

* ``wd_finite_source_end_point``, ``wd_finite_source_ft_scale`` (exact per data set): on n_s
  noisy source samples the end point is the balanced rank-one network along the ridge solution
  B = (S + μI)⁻¹r with the self-consistent ridge μ = λ_p/(2‖B‖) (collapse for λ_p >= 2‖r‖), and
  fine-tuning puts κ = c/√‖B‖ on (I − P)B. Their expectation over the data (Marchenko–Pastur
  functionals at a self-consistent point) is not derived: the package takes it by Monte Carlo of
  the per-draw end point.

Not derived: fine-tuning from the collapsed network (λ_p >= 2: the origin is a stationary point
of every loss, so exact gradient flow stays there; from a small perturbation it is scratch
training), and the proportional-limit expectation of the finite-source records.
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import fine_tuning, ridge
from derivations import record as check
from derivations.gradient_flow import _A, flow_equations, rank_one_population_flow
from derivations.linear_transfer import coefficient_risk, lt_risk
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import a0, c_bal, gamma, lam, lambda_p, n, sigma, t, theta

_REFERENCE = "extension (docs/paper.md §12)"
_PRETRAINING = (
    "depth L = 2; population source loss ‖W_1 W_2 − β_s‖², ‖β_s‖ = 1 (authors' normalisation); "
    "‖·‖ of a matrix is the Frobenius norm",
    "SGD weight decay λ_p on both layers: gradient flow on the loss plus "
    "(λ_p/2)(‖W_1‖² + ‖W_2‖²); t = learning rate × number of steps",
)
_TRANSFER = (
    "x ~ N(0, I_d); y = β_tᵀx + ε, ε ~ N(0, σ²); ‖β_t‖ = 1, β_sᵀβ_t = cos θ (Assumptions 3.1-3.2)",
    "pretrained end point of wd_pretrain_end_point with 0 <= λ_p < 2: W_1 = √p β_s vᵀ, "
    "W_2 = √p v, ‖v‖ = 1, p = 1 − λ_p/2 (exact for every α, wd_orthogonal_decay)",
)
_LIMIT = "n, d → ∞ with n/d → γ"
_FINE_TUNING = (
    "fine-tuning by gradient flow on the target loss, without weight decay, to convergence"
)

_P = sp.Symbol("p", positive=True)  # end-to-end scale of the pretrained network, 1 − λ_p/2
_M = sp.Symbol("m", positive=True)  # λ_p/2 − 1 above the collapse
_K = sp.Symbol("κ_p", positive=True)  # the factor fine-tuning puts on (I − P)β_s
_COS2 = sp.Symbol("C", positive=True)  # cos²θ, while solving for the best decay
_COSINE = sp.Symbol("cos_theta", positive=True)  # cos θ on [0, π/2), while solving
_a = sp.Symbol("a", nonnegative=True)  # the end-to-end coefficient as a number
_END_SCALE = 1 - lambda_p / 2


def _end_scale_substitution() -> dict:
    return {_P: _END_SCALE}


# --- pretraining -------------------------------------------------------------------------------
@functools.cache
def pretrain_ode() -> DerivedResult:
    """ȧ = 4a(1 − a) − 2λ_p a on the balanced rank-one ansatz (pretrain_ode with weight decay)."""
    ode, steps = rank_one_population_flow(lambda_p)
    return DerivedResult(
        name="wd_pretrain_ode",
        title="Extension: pretraining with weight decay, ȧ = 4a(1 − a) − 2λ_p a",
        reference=_REFERENCE,
        regime=Regime.EXACT,
        assumptions=(
            *_PRETRAINING,
            "start on the balanced rank-one ansatz W_1 = w β_s vᵀ, W_2 = w v, ‖v‖ = 1 "
            "(wd_imbalance_decay and wd_orthogonal_decay: the flow approaches it)",
        ),
        expr=ode,
        steps=steps,
        notes="At λ_p = 0 this is pretrain_ode (Lemma 3.3).",
        variables=(lambda_p,),
    )


@functools.cache
def pretrain_end_point() -> DerivedResult:
    """lim a(t) = 1 − λ_p/2 for λ_p < 2, 0 for λ_p >= 2 (every a_0 > 0)."""
    ode = pretrain_ode().expr
    a = _A(t)
    rate = ode.rhs.subs(a, _a)
    fixed = sp.solve(rate, _a)
    slope = sp.diff(rate, _a)
    slopes = sp.Tuple(*(sp.expand(slope.subs(_a, point)) for point in fixed))

    below = sp.Eq(ode.lhs, sp.factor(ode.rhs.subs(lambda_p, 2 - 2 * _P)))
    logistic = _P * a0 / (a0 + (_P - a0) * sp.exp(-4 * _P * t))
    above = sp.Eq(ode.lhs, sp.factor(ode.rhs.subs(lambda_p, 2 + 2 * _M)))
    decaying = _M * a0 / ((_M + a0) * sp.exp(4 * _M * t) - a0)
    critical = sp.Eq(ode.lhs, sp.factor(ode.rhs.subs(lambda_p, 2)))
    algebraic = a0 / (1 + 4 * a0 * t)
    limits = sp.Tuple(*(sp.limit(f, t, sp.oo) for f in (logistic, decaying, algebraic)))
    if limits != sp.Tuple(_P, 0, 0):
        raise AssertionError(f"unexpected limits of the pretraining flow: {limits}")
    result = sp.Piecewise((_END_SCALE, lambda_p < 2), (0, True))

    b = sp.Symbol("b", nonnegative=True)  # ‖β̂‖ of a candidate end-to-end vector b β_s
    objective = (1 - b) ** 2 + lambda_p * b
    (stationary,) = sp.solve(sp.diff(objective, b), b)
    gain = sp.factor(objective.subs(b, stationary) - objective.subs(b, 0))
    w1, w2 = sp.symbols("s_1 s_2", positive=True)
    return DerivedResult(
        name="wd_pretrain_end_point",
        title="Extension: weight decay shrinks the pretrained vector to (1 − λ_p/2)β_s",
        reference=_REFERENCE,
        regime=Regime.EXACT,
        assumptions=(*pretrain_ode().assumptions, "a_0 = a(0) > 0; t → ∞"),
        expr=result,
        steps=(
            Step(ode, "the flow of the end-to-end coefficient (wd_pretrain_ode)"),
            Step(
                sp.Tuple(*fixed),
                "its fixed points: a = 0 and a = 1 − λ_p/2",
                check.solutions(_a, rate),
            ),
            Step(
                slopes,
                "∂ȧ/∂a there: 4 − 2λ_p at a = 0 (unstable for λ_p < 2) and 2λ_p − 4 at "
                "a = 1 − λ_p/2 (stable for λ_p < 2); for λ_p > 2 the origin is the only "
                "nonnegative fixed point, and stable",
                check.identity(
                    sp.Tuple(
                        *(s - slope.subs(_a, point) for s, point in zip(slopes, fixed, strict=True))
                    )
                ),
            ),
            Step(
                below,
                "λ_p = 2 − 2p with p > 0: the logistic law ȧ = 4a(p − a)",
                check.substitution({lambda_p: 2 - 2 * _P}, source=ode),
            ),
            Step(
                sp.Eq(a, logistic),
                "its solution from a(0) = a_0",
                check.ode_solution(a, initial={_A(0): a0}, source=below),
            ),
            Step(
                sp.Eq(sp.Limit(a, t, sp.oo), _P),
                "t → ∞: a → p = 1 − λ_p/2 for every a_0 > 0",
                check.limit(t, sp.oo, source=logistic),
            ),
            Step(
                above,
                "λ_p = 2 + 2m with m > 0: ȧ = −4a(m + a)",
                check.substitution({lambda_p: 2 + 2 * _M}, source=ode),
            ),
            Step(
                sp.Eq(a, decaying),
                "its solution from a(0) = a_0",
                check.ode_solution(a, initial={_A(0): a0}, source=above),
            ),
            Step(
                sp.Eq(sp.Limit(a, t, sp.oo), 0),
                "t → ∞: a → 0, exponentially (rate 4m)",
                check.limit(t, sp.oo, source=decaying),
            ),
            Step(
                critical,
                "λ_p = 2: ȧ = −4a²",
                check.substitution({lambda_p: 2}, source=ode),
            ),
            Step(
                sp.Eq(a, algebraic),
                "its solution from a(0) = a_0: a → 0, only as 1/(4t)",
                check.ode_solution(a, initial={_A(0): a0}, source=critical),
            ),
            Step(
                sp.Eq((w1**2 + w2**2) / 2 - w1 * w2, sp.factor((w1**2 + w2**2) / 2 - w1 * w2)),
                "the same end point, variationally: a factorisation of β̂ pays "
                "(λ_p/2)(‖W_1‖² + ‖W_2‖²) >= λ_p‖W_1‖‖W_2‖ >= λ_p‖β̂‖ (this AM-GM gap on the "
                "layer norms s_1, s_2), with equality for balanced rank-one layers",
                check.equal(source=(w1**2 + w2**2) / 2 - w1 * w2),
            ),
            Step(
                sp.Eq(b, stationary),
                "so the end point minimises ‖β_s − bβ_s‖² + λ_p b over b >= 0: the stationary "
                "point of (1 − b)² + λ_p b",
                check.solutions(b, sp.diff(objective, b)),
            ),
            Step(
                sp.Eq(sp.Symbol("f(b*) − f(0)"), gain),
                "< 0 for λ_p < 2 (soft thresholding: b* = 1 − λ_p/2); for λ_p >= 2 the convex "
                "objective has f'(0) = λ_p − 2 >= 0 and its minimum over b >= 0 is at 0",
                check.equal(source=objective.subs(b, stationary) - objective.subs(b, 0)),
            ),
            Step(result, "the end-to-end coefficient of the pretrained network"),
        ),
        notes=(
            "Extension, docs/paper.md §12. At λ_p = 0 it is Lemma 3.3's β̂ → β_s. The pretraining "
            "loss at the end point is (λ_p/2)² (without the penalty), so the authors' early "
            "stopping (loss <= 1e-6) never fires for λ_p > 0.002 and pretraining runs its full "
            "step budget. Near λ_p = 2 the approach is slow (rate 4p), and the escape from a "
            "small start takes ≈ log(p/a_0)/(4p)."
        ),
        variables=(lambda_p,),
    )


@functools.cache
def imbalance_decay() -> DerivedResult:
    """dD/dt = −2λ_p D for D = W_1ᵀW_1 − W_2 W_2ᵀ, so D(t) = D(0)e^{−2λ_p t} (any loss)."""
    flow = flow_equations(2)
    w1, w2 = flow.weights
    v1, v2 = (
        velocity - lambda_p * weight
        for velocity, weight in zip(flow.velocities, flow.weights, strict=True)
    )
    imbalance = w1.T * w1 - w2 * w2.T
    rate = v1.T * w1 + w1.T * v1 - v2 * w2.T - w2 * v2.T
    residual = sp.ImmutableMatrix(rate + 2 * lambda_p * imbalance)
    entry = sp.Function("D_ij")(t)
    entry_ode = sp.Eq(sp.Derivative(entry, t), -2 * lambda_p * entry)
    d0 = sp.Symbol("D_ij(0)", real=True)
    solution = sp.Eq(entry, d0 * sp.exp(-2 * lambda_p * t))
    return DerivedResult(
        name="wd_imbalance_decay",
        title="Extension: weight decay makes the layers balanced, D(t) = D(0)e^{−2λ_p t}",
        reference=_REFERENCE,
        regime=Regime.EXACT,
        assumptions=(
            "depth L = 2, gradient flow on any loss g(W_1 W_2) plus (λ_p/2)(‖W_1‖² + ‖W_2‖²)",
        ),
        expr=solution,
        steps=(
            Step(
                sp.Tuple(v1, v2),
                "Ẇ_l = −(W_1⋯W_{l−1})ᵀr(W_{l+1}⋯W_L)ᵀ − λ_p W_l: the flow of eq. 36 plus the "
                "decay, on explicit 3 × 3 weights and a generic residual r",
                check.unchecked("the model: eq. 36's flow (gf_flow_equations) and SGD's decay"),
            ),
            Step(
                sp.ImmutableMatrix.zeros(3, 3),
                "dD/dt + 2λ_p D with dD/dt = Ẇ_1ᵀW_1 + W_1ᵀẆ_1 − Ẇ_2W_2ᵀ − W_2Ẇ_2ᵀ vanishes: the "
                "loss terms cancel (eq. 36's conservation) and the decay terms give −2λ_p D, "
                "entry by entry",
                check.identity(residual),
            ),
            Step(
                entry_ode,
                "so every entry of D obeys a linear ODE",
                check.unchecked("the previous identity read entry by entry"),
            ),
            Step(
                solution,
                "solved from D_ij(0)",
                check.ode_solution(entry, initial={entry.subs(t, 0): d0}, source=entry_ode),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12. Without decay D is conserved and the end point is "
            "balanced only up to O(α²) (gf_conservation_L2); with λ_p > 0 it is balanced exactly "
            "as t → ∞, whatever α. Gradient descent with step η multiplies D by "
            "(1 − ηλ_p)² per step, up to O(η²) terms of the loss."
        ),
        variables=(lambda_p, t),
    )


@functools.cache
def orthogonal_decay() -> DerivedResult:
    """‖(I − β_sβ_sᵀ)W_1‖² <= e^{−2λ_p t}‖(I − β_sβ_sᵀ)W_1(0)‖² under population pretraining."""
    width = 3
    beta = sp.Matrix(sp.symbols(f"b1:{width + 1}", real=True))
    w1 = sp.Matrix(width, width, lambda i, j: sp.Symbol(f"W1_{i + 1}{j + 1}", real=True))
    w2 = sp.Matrix(sp.symbols(f"W2_1:{width + 1}", real=True))
    projector = sp.eye(width) - beta * beta.T
    velocity = 2 * (beta - w1 * w2) * w2.T - lambda_p * w1  # −∇ of ‖W_1 W_2 − β_s‖² + decay
    outside = projector * w1
    claimed = -outside * (2 * w2 * w2.T + lambda_p * sp.eye(width))
    difference = sp.ImmutableMatrix((projector * velocity - claimed).applyfunc(sp.expand))
    generators = [*beta, *w1, *w2]
    unit = [(beta.T * beta)[0] - 1]
    norm_rate = sp.Symbol("d‖W_⊥‖²/dt")
    bound_rate = sp.Eq(norm_rate, -4 * sp.Symbol("‖W_⊥W_2‖²") - 2 * lambda_p * sp.Symbol("‖W_⊥‖²"))
    envelope = sp.Function("E")(t)
    envelope_ode = sp.Eq(sp.Derivative(envelope, t), -2 * lambda_p * envelope)
    e0 = sp.Symbol("‖W_⊥(0)‖²", nonnegative=True)
    bound = sp.Eq(envelope, e0 * sp.exp(-2 * lambda_p * t))
    return DerivedResult(
        name="wd_orthogonal_decay",
        title="Extension: weight decay removes the first layer's directions outside β_s",
        reference=_REFERENCE,
        regime=Regime.EXACT,
        assumptions=_PRETRAINING,
        expr=bound,
        steps=(
            Step(
                difference,
                "(I − β_sβ_sᵀ)Ẇ_1 + W_⊥(2W_2 W_2ᵀ + λ_p I) with W_⊥ = (I − β_sβ_sᵀ)W_1 and "
                "Ẇ_1 = 2(β_s − W_1 W_2)W_2ᵀ − λ_p W_1 on explicit 3 × 3 weights: what is left "
                "vanishes modulo ‖β_s‖² = 1 (next step)",
                check.unchecked("the projected flow, written out entry by entry"),
            ),
            Step(
                sp.ImmutableMatrix.zeros(width, width),
                "normal form modulo ‖β_s‖² = 1 (Gröbner basis): dW_⊥/dt = −W_⊥(2W_2 W_2ᵀ + λ_p I)",
                check.modulo(unit, generators, source=difference),
            ),
            Step(
                bound_rate,
                "d/dt tr(W_⊥ᵀW_⊥) = −2tr(W_⊥ᵀW_⊥(2W_2 W_2ᵀ + λ_p I)) <= −2λ_p‖W_⊥‖²",
                check.unchecked("trace of the product with the positive semi-definite W_2 W_2ᵀ"),
            ),
            Step(
                envelope_ode,
                "the comparison ODE of the bound",
                check.unchecked("Grönwall's inequality: ‖W_⊥‖² stays below its solution"),
            ),
            Step(
                bound,
                "‖W_⊥(t)‖² <= ‖W_⊥(0)‖²e^{−2λ_p t} → 0: with D → 0 (wd_imbalance_decay) the "
                "first layer becomes β_s W_2ᵀ, the balanced rank-one ansatz of wd_pretrain_ode",
                check.ode_solution(
                    envelope, initial={envelope.subs(t, 0): e0}, source=envelope_ode
                ),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12. Without decay (λ_p = 0) W_⊥ only shrinks through "
            "W_2 W_2ᵀ, which acts on one direction: the other O(α) directions of W_1 survive "
            "pretraining, the small singular values the paper's Thm 3.4 neglects as α → 0. "
            "With λ_p > 0 they decay at rate >= λ_p (e^{−λ_p t} in norm)."
        ),
        variables=(lambda_p, t),
    )


# --- linear transfer ---------------------------------------------------------------------------
@functools.cache
def lt_risk_decayed() -> DerivedResult:
    """Linear transfer from the decayed features: eq. 10 for λ_p < 2, the null risk 1 beyond."""
    s = sp.Symbol("s", positive=True)  # the singular value √p of the decayed feature map
    q, fit = sp.Symbol("q", positive=True), sp.Symbol("zᵀy", real=True)  # ‖z‖², zᵀy
    coefficient = s * (s * fit) / (s**2 * q)  # W_1c = s β_s · (s zᵀy)/(s²‖z‖²)
    cancelled = sp.cancel(coefficient)
    risk = lt_risk().expr
    result = sp.Piecewise((risk, lambda_p < 2), (1, True))
    return DerivedResult(
        name="wd_lt_risk",
        title="Extension: weight decay in pretraining leaves linear transfer unchanged (eq. 10)",
        reference=_REFERENCE,
        regime=Regime.EXACT_FINITE_SIZE,
        assumptions=(
            *_TRANSFER,
            "linear transfer re-fits the last layer by least squares on n > 2 target samples",
        ),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("b"), coefficient),
                "features F = XW_1 = s z vᵀ with z = Xβ_s and s = √p: the least-squares refit "
                "c = (s zᵀy/(s²‖z‖²)) v gives the end-to-end vector W_1c = b β_s",
                check.unchecked("the refit on rank-one features (as for eq. 10)"),
            ),
            Step(
                sp.Eq(sp.Symbol("b"), cancelled),
                "s cancels: the coefficient is that of the undecayed features",
                check.equal(source=coefficient),
            ),
            Step(
                sp.Eq(sp.Symbol("E R_lt"), risk),
                "so the risk is eq. 10 (lt_risk) for every λ_p < 2",
            ),
            Step(
                result,
                "λ_p >= 2: the pretrained network is 0 (wd_pretrain_end_point), the features "
                "vanish, the minimum-norm refit is 0 and the risk is ‖β_t‖² = 1",
                check.unchecked("the collapsed features, in words"),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12. Weight decay in pretraining changes the scale of the "
            "features, not their direction; an unregularised probe undoes any scale. At λ_p = 2 "
            "exactly the features vanish only as 1/t (wd_pretrain_end_point), so after finite "
            "pretraining they are small but nonzero and the refit is still eq. 10."
        ),
        variables=(theta, n, sigma, lambda_p),
    )


@functools.cache
def ridge_lt_risk_decayed() -> DerivedResult:
    """Ridge linear transfer from the decayed features: eq. 13 at the effective ridge λ/p."""
    coefficient, _ = ridge._fitted_coefficient()  # b_λ(‖z‖² = q, zᵀy = p) for unit features
    q, fit = sp.Symbol("q", positive=True), sp.Symbol("p", real=True)  # ridge's own symbols
    s = sp.Symbol("s", positive=True)
    scaled = sp.factor(s * coefficient.subs({q: s**2 * q, fit: s * fit}, simultaneous=True))
    eta, xi = sp.symbols("eta xi", real=True)
    cosine = sp.cos(theta)
    fluctuating = {q: n + sp.sqrt(n) * eta, fit: cosine * (n + sp.sqrt(n) * eta) + sp.sqrt(n) * xi}
    limit = sp.limit(scaled.subs(fluctuating), n, sp.oo)
    in_p = sp.factor(limit.subs(s, sp.sqrt(_P)))
    risk_p = coefficient_risk(in_p)
    eq13 = ridge.ridge_lt_risk().expr
    effective = eq13.subs(lam, lam / _P)
    in_cos = sp.expand(risk_p.subs(sp.sin(theta) ** 2, 1 - cosine**2))
    tidy = in_cos.coeff(cosine, 0) + sp.factor(in_cos.coeff(cosine, 2)) * cosine**2
    under = (
        in_cos.coeff(cosine, 0)
        + sp.factor(in_cos.coeff(cosine, 2).subs(_P, _END_SCALE)) * cosine**2
    )
    result = sp.Piecewise((under, lambda_p < 2), (1, True))
    return DerivedResult(
        name="wd_ridge_lt_risk",
        title="Extension: ridge linear transfer after decayed pretraining (eq. 13 at λ/p)",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_TRANSFER,
            "last layer fitted by ridge c = (FᵀF + nλI)⁻¹Fᵀy (the authors' normalisation, "
            "ridge_lt_risk); n → ∞",
        ),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("b_λ"), scaled),
                "features s z vᵀ (s = √p): ridge_lt_risk's coefficient with ‖z‖² → s²‖z‖², "
                "zᵀy → s zᵀy, times s for the end-to-end vector W_1c",
                check.substitution({q: s**2 * q, fit: s * fit}, source=s * coefficient),
            ),
            Step(
                sp.Eq(sp.Limit(sp.Symbol("b_λ"), n, sp.oo), limit),
                "‖z‖² = n + √n η, zᵀy = cos θ‖z‖² + √n ξ (as in ridge_lt_risk), n → ∞",
                check.limit(n, sp.oo, source=scaled.subs(fluctuating)),
            ),
            Step(
                sp.Eq(sp.Symbol("R_lt^λ"), risk_p),
                "s² = p and the risk ‖b_λβ_s − β_t‖² in the basis (β_s, ν)",
                check.equal(source=coefficient_risk(limit.subs(s, sp.sqrt(_P)))),
            ),
            Step(
                sp.Eq(sp.Symbol("R_lt^λ − eq. 13(λ/p)"), 0),
                "it is eq. 13 (ridge_lt_risk) at the effective ridge λ/p",
                check.identity(risk_p - effective),
            ),
            Step(
                sp.Eq(sp.Symbol("R_lt^λ"), tidy),
                "sin²θ = 1 − cos²θ, collected in cos θ",
                check.equal(source=sp.Eq(sp.Symbol("R_lt^λ"), risk_p)),
            ),
            Step(
                sp.Eq(sp.Symbol("R_lt^λ"), under),
                "p = 1 − λ_p/2 (wd_pretrain_end_point)",
                check.substitution(
                    _end_scale_substitution(), source=sp.Eq(sp.Symbol("R_lt^λ"), tidy)
                ),
            ),
            Step(
                result,
                "λ_p >= 2: the features vanish, the refit is 0 and the risk is 1",
                check.unchecked("the collapsed features, in words (as in wd_lt_risk)"),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12. Shrinking the features by weight decay strengthens "
            "the probe's ridge: λ/p >= λ. At λ = 0 the risk is sin²θ whatever λ_p < 2 "
            "(wd_lt_risk)."
        ),
        variables=(theta, lam, lambda_p),
    )


# --- fine-tuning -------------------------------------------------------------------------------
@functools.cache
def _scale_in_p() -> tuple[sp.Expr, tuple[Step, ...]]:
    """κ = √p c(p a, b) in the proportional limit (γ < 1), as a function of p, and its steps."""
    _, quartic, _, root = fine_tuning.balance_quartic()
    a_sym, b_sym = fine_tuning.NULL_NORM2, fine_tuning.SCRATCH_NORM2
    beta = sp.Matrix(sp.symbols("b1:4", real=True))  # a unit β_s written out in R³
    start_u, start_c = sp.sqrt(_P) * beta, sp.sqrt(_P)  # the decayed start u(0), c(0)
    balance_at_start = sp.expand((start_u.T * start_u)[0] - start_c**2)
    decayed_quartic = quartic.subs(a_sym, _P * a_sym)
    decayed_root = root.subs(a_sym, _P * a_sym)
    factor = sp.sqrt(_P) * decayed_root
    a_limit = fine_tuning.scratch.bias().expr.args[0].expr
    b_limit = fine_tuning.scratch_norm_limit()
    in_limit = factor.subs({a_sym: a_limit, b_sym: b_limit})
    steps = (
        *fine_tuning.flow_steps(),
        Step(
            sp.Integer(0),
            "the decayed start W_1 = √p β_s vᵀ, W_2 = √p v has u(0) = √p β_s, c(0) = √p: "
            "balanced, ‖u(0)‖² − c(0)² = 0 for a unit β_s (normal form modulo ‖β_s‖² = 1, "
            "written out in R³), which the flow conserves",
            check.modulo([(beta.T * beta)[0] - 1], list(beta), source=balance_at_start),
        ),
        Step(
            sp.Eq(sp.Symbol("‖(I − P)u‖²"), _P * a_sym),
            "the frozen null part of u is √p(I − P)β_s, so ‖(I − P)u‖² = p a with "
            "a = ‖(I − P)β_s‖²",
            check.unchecked("the frozen null part of flow_steps at the decayed start"),
        ),
        Step(
            sp.Eq(decayed_quartic, 0),
            "balance at convergence, ‖u‖² = b/c² + p a = c² (ft_balance_scale with a → p a)",
            check.substitution({a_sym: _P * a_sym}, source=sp.Eq(quartic, 0)),
        ),
        Step(
            sp.Eq(c_bal, decayed_root),
            "its positive root (ft_balance_root with a → p a)",
            check.substitution({a_sym: _P * a_sym}, source=root),
        ),
        Step(
            sp.Eq(_K, factor),
            "β̂_ft = c u = β̂_sc + c√p(I − P)β_s: the null-space factor κ = √p c",
            check.unchecked("c u with Pcu = β̂_sc and (I − P)u = √p(I − P)β_s"),
        ),
        Step(
            sp.Eq(_K, in_limit),
            "γ < 1: a → 1 − γ, b → γ + σ²γ/(1 − γ) (scratch_bias, scratch_variance)",
            check.substitution({a_sym: a_limit, b_sym: b_limit}, source=factor),
        ),
    )
    return in_limit, steps


@functools.cache
def ft_scale() -> DerivedResult:
    """κ(γ, σ, λ_p) = √p c: the factor fine-tuning puts on (I − P)β_s after decayed pretraining."""
    in_p, steps = _scale_in_p()
    result = in_p.subs(_P, _END_SCALE)
    at_zero = sp.simplify(result.subs(lambda_p, 0) - fine_tuning.balance_scale().expr.args[0].expr)
    return DerivedResult(
        name="wd_ft_scale",
        title="Extension: the null-space factor κ of fine-tuning after decayed pretraining",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_TRANSFER,
            _FINE_TUNING,
            "γ < 1 (for γ >= 1 the null space is trivial)",
            _LIMIT,
        ),
        expr=result,
        steps=(
            *steps,
            Step(
                sp.Eq(_K, result),
                "p = 1 − λ_p/2 (wd_pretrain_end_point)",
                check.substitution(_end_scale_substitution(), source=in_p),
            ),
            Step(
                sp.Eq(sp.Symbol("κ(λ_p = 0) − c"), at_zero),
                "at λ_p = 0 it is the balanced scale c of ft_balance_scale",
                check.identity(
                    result.subs(lambda_p, 0) - fine_tuning.balance_scale().expr.args[0].expr
                ),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12. κ < 1 at σ = 0 for every λ_p > 0, and κ > p: "
            "fine-tuning re-grows part of what weight decay took from the pretrained vector "
            "(its null-space part grows by the factor c > √p). Defined for γ < 1 only: above "
            "interpolation P = I and κ does not enter the end point."
        ),
        variables=(gamma, sigma, lambda_p),
    )


def _transferability_in(scale: sp.Expr) -> tuple[sp.Expr, sp.Expr, tuple[Step, ...]]:
    """(1 − γ)(2κ cos θ − κ²) for a null-space factor ``scale`` (γ < 1), with its steps."""
    identity_steps = fine_tuning.null_space_excess_steps("β_s", scale)
    excess, expectation_steps = fine_tuning._expected_excess(scale)
    symbolic = fine_tuning._branches(excess, lambda branch: sp.factor(-branch))
    if symbolic.args[0].cond != (gamma < 1):
        raise AssertionError(f"expected the branch γ < 1 first, got {symbolic.args[0].cond}")
    steps = (
        *identity_steps,
        *expectation_steps,
        Step(
            symbolic,
            f"T_ft = −(E R_ft − E R_sc) with β̂_ft = β̂_sc + {scale}(I − P)β_s",
            check.equal(source=-excess),
        ),
    )
    return symbolic, symbolic.args[0].expr, steps


@functools.cache
def ft_transferability() -> DerivedResult:
    """T_ft = (1 − γ)(2κ cos θ − κ²) with κ = wd_ft_scale."""
    symbolic, under, steps = _transferability_in(_K)
    kappa_value = ft_scale().expr
    result = sp.Piecewise((under.subs(_K, kappa_value), gamma < 1), (0, True))
    balanced = fine_tuning.transferability_balanced().expr.args[0].expr
    return DerivedResult(
        name="wd_ft_transferability",
        title="Extension: fine-tuning transferability after pretraining with weight decay",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(*_TRANSFER, _FINE_TUNING, _LIMIT),
        expr=result,
        steps=(
            *steps,
            Step(
                result,
                "κ = √p c (wd_ft_scale); γ >= 1: P = I, fine-tuning ends at β̂_sc, T = 0",
                check.substitution({_K: kappa_value}, source=symbolic),
            ),
            Step(
                sp.Eq(sp.Symbol("T_ft(λ_p = 0) − ft_transferability_balanced"), 0),
                "at λ_p = 0 it is the balanced correction of eq. 15",
                check.identity(result.args[0].expr.subs(lambda_p, 0) - balanced),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12. Weight decay trades the gain at small angles, "
            "(1 − γ)(2κ − κ²) < 1 − γ at θ = 0 when κ < 1, for a wider positive region "
            "(wd_ft_break_even). For λ_p >= 2 the pretrained network is the origin, a stationary "
            "point of the fine-tuning loss: not covered (λ_p must be < 2). As λ_p → 2, κ → 0 "
            "and T_ft → 0 (fine-tuning from a vanishing start is scratch training)."
        ),
        variables=(theta, gamma, sigma, lambda_p),
    )


@functools.cache
def ft_transferability_frozen() -> DerivedResult:
    """What eq. 143's assumption predicts: the null part stays (I − P)β̂_pre, κ = 1 − λ_p/2."""
    symbolic, under, steps = _transferability_in(_P)
    result = sp.Piecewise((under.subs(_P, _END_SCALE), gamma < 1), (0, True))
    return DerivedResult(
        name="wd_ft_transferability_frozen",
        title="Extension: fine-tuning after decayed pretraining if the null part stayed frozen",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(
            *_TRANSFER,
            "fine-tuning keeps the null-space part (I − P)β̂_pre = p(I − P)β_s of the pretrained "
            "vector (the assumption of App. D.8, eq. 143)",
            _LIMIT,
        ),
        expr=result,
        steps=(
            *steps,
            Step(
                result,
                "κ = p = 1 − λ_p/2 (wd_pretrain_end_point)",
                check.substitution({_P: _END_SCALE}, source=symbolic),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12: the contrast, not a prediction. Gradient flow does not "
            "keep the null part of the end-to-end vector: it keeps that of the first layer, and "
            "the readout grows, so κ = √p c > p (wd_ft_transferability). At λ_p = 0 and σ = 0 "
            "the two coincide with eq. 15; the simulations tell them apart at λ_p > 0."
        ),
        variables=(theta, gamma, lambda_p),
    )


def _angular_factor() -> tuple[sp.Expr, Step]:
    """T_ft/(1 − γ) = 2κ cos θ − κ² (γ < 1) in the symbol cos_theta, and the step that reads it
    off wd_ft_transferability's symbolic form."""
    _, under, _ = _transferability_in(_K)
    angular = 2 * _K * _COSINE - _K**2
    step = Step(
        sp.Eq(sp.Symbol("T_ft/(1 − γ)"), angular),
        "the angular factor of wd_ft_transferability (1 − γ > 0), a concave parabola in κ",
        check.substitution(
            {sp.cos(theta): _COSINE},
            source=sp.Eq(sp.Symbol("T_ft/(1 − γ)"), sp.factor(under / (1 - gamma))),
        ),
    )
    return angular, step


@functools.cache
def ft_break_even() -> DerivedResult:
    """θ* = arccos(κ/2): fine-tuning after decayed pretraining is positive for θ < θ*."""
    cosine = _COSINE
    angular, angular_step = _angular_factor()
    (root,) = sp.solve(angular, cosine)
    kappa_value = ft_scale().expr
    angle = sp.acos(root.subs(_K, kappa_value))
    result = sp.Piecewise((angle, kappa_value <= 2), (sp.nan, True))
    return DerivedResult(
        name="wd_ft_break_even",
        title="Extension: break-even angle of fine-tuning after pretraining with weight decay",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(*ft_transferability().assumptions, "γ < 1"),
        expr=result,
        steps=(
            angular_step,
            Step(sp.Tuple(root), "its zero in cos θ", check.solutions(cosine, angular)),
            Step(
                sp.Eq(sp.Symbol("θ*"), angle),
                "θ* = arccos(κ/2) with κ = wd_ft_scale; T_ft decreases in θ, so positive for "
                "θ < θ* and negative beyond",
                check.substitution({_K: kappa_value}, source=sp.acos(root)),
            ),
            Step(
                result,
                "a break-even angle exists for κ <= 2; above (large σ) T_ft < 0 at every angle",
                check.unchecked("cos θ ∈ [0, 1] reaches κ/2 only for κ <= 2"),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12. π/3 at κ = 1 (eq. 15); κ < 1 moves it to larger "
            "angles (π/2 as κ → 0). NaN where κ > 2 (large σ): negative at every angle."
        ),
        variables=(gamma, sigma, lambda_p),
    )


@functools.cache
def ft_optimal_decay() -> DerivedResult:
    """The λ_p that maximises T_ft at given (θ, γ, σ), and the maximum (1 − γ)cos²θ."""
    cosine = _COSINE
    angular, angular_step = _angular_factor()
    (best_kappa,) = sp.solve(sp.diff(angular, _K), _K)
    best = sp.factor(angular.subs(_K, best_kappa))
    _, quartic, _, _ = fine_tuning.balance_quartic()
    a_sym, b_sym = fine_tuning.NULL_NORM2, fine_tuning.SCRATCH_NORM2
    # κ² = p c² = C (= cos²θ): c² = C/p in the quartic with a → p a
    in_p = sp.factor(quartic.subs(a_sym, _P * a_sym).subs(c_bal, sp.sqrt(_COS2 / _P)))
    roots = sp.solve(in_p, _P)
    (p_star,) = [r for r in roots if r.subs({_COS2: 1, a_sym: 1, b_sym: 1}).is_positive]
    a_limit = fine_tuning.scratch.bias().expr.args[0].expr
    b_limit = fine_tuning.scratch_norm_limit()
    p_limit = p_star.subs({a_sym: a_limit, b_sym: b_limit, _COS2: sp.cos(theta) ** 2})
    decay_star = 2 * (1 - p_limit)
    gain = (1 - gamma) * sp.cos(theta) ** 2
    feasible = sp.factor((1 - gamma) * _COS2 + gamma - _COS2**2)
    result = sp.Tuple(decay_star, gain)
    return DerivedResult(
        name="wd_ft_optimal_decay",
        title="Extension: the pretraining weight decay that maximises fine-tuning transfer",
        reference=_REFERENCE,
        regime=Regime.ASYMPTOTIC,
        assumptions=(*ft_transferability().assumptions, "γ < 1"),
        expr=result,
        steps=(
            angular_step,
            Step(
                sp.Eq(_K, best_kappa),
                "its maximum over κ (derivative zero)",
                check.solutions(_K, sp.diff(angular, _K)),
            ),
            Step(
                sp.Eq(sp.Symbol("max"), best),
                "the maximum value cos²θ",
                check.substitution({_K: best_kappa}, source=angular),
            ),
            Step(
                sp.Eq(in_p, 0),
                "κ² = p c² = C = cos²θ: c² = C/p in the quartic c⁴ − p a c² − b = 0 (wd_ft_scale)",
                check.substitution(
                    {c_bal: sp.sqrt(_COS2 / _P)},
                    source=sp.Eq(quartic.subs(a_sym, _P * a_sym), 0),
                ),
            ),
            Step(
                sp.Eq(_P, p_star),
                "solved for p > 0: p* = C/√(aC + b)",
                check.solutions(_P, in_p),
            ),
            Step(
                sp.Eq(sp.Symbol("λ_p*"), decay_star),
                "λ_p* = 2(1 − p*) with a → 1 − γ, b → γ + σ²γ/(1 − γ)",
                check.substitution(
                    {a_sym: a_limit, b_sym: b_limit, _COS2: sp.cos(theta) ** 2},
                    source=2 * (1 - p_star),
                ),
            ),
            Step(
                sp.Eq(sp.Symbol("(1 − γ)C + γ − C²"), feasible),
                "p* <= 1 since aC + b − C² >= (1 − γ)C + γ − C² = (1 − C)(C + γ) >= 0 for C <= 1: "
                "λ_p* ∈ [0, 2], reaching 2 (collapse, T = 0) at θ = π/2",
                check.equal(source=(1 - gamma) * _COS2 + gamma - _COS2**2),
            ),
            Step(
                result,
                "(λ_p*, T_ft at λ_p*) = (λ_p*, (1 − γ)cos²θ)",
                check.equal(
                    source=sp.Tuple(decay_star, (1 - gamma) * best.subs(cosine, sp.cos(theta)))
                ),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12. With the best pretraining decay fine-tuning never "
            "transfers negatively in this model, T_ft = (1 − γ)cos²θ >= 0, against eq. 15's "
            "(1 − γ)(2cos θ − 1) < 0 beyond π/3. λ_p* = 0 only where the balanced scale c of "
            "ft_balance_scale already equals cos θ, i.e. at θ = 0 and σ = 0."
        ),
        variables=(theta, gamma, sigma),
    )


# --- finite source ------------------------------------------------------------------------------
_MU = sp.Symbol("μ", positive=True)  # the self-consistent ridge λ_p/(2‖B‖)
_EIGENVALUE = sp.Symbol("s", positive=True)  # a nonzero eigenvalue of S
_B_NORM = sp.Symbol("N_B", positive=True)  # ‖B‖, the norm of the pretrained end-to-end vector
_NULL_B = sp.Symbol("a_B", nonnegative=True)  # ‖(I − P)B‖², its part in the target's null space
_R_NORM = sp.Symbol("‖r‖", positive=True)
_FINITE_PRETRAINING = (
    "depth L = 2; n_s source samples: X_s (n_s × d) with N(0, 1) entries, y_s = X_sβ_s + σ_sε_s; "
    "the authors' loss (1/n_s)‖y_s − X_sβ̂‖² = β̂ᵀSβ̂ − 2rᵀβ̂ + c with S = X_sᵀX_s/n_s, "
    "r = X_sᵀy_s/n_s, c = ‖y_s‖²/n_s (fate_numeric.linear.Empirical)",
    "SGD weight decay λ_p on both layers: gradient flow on the loss plus "
    "(λ_p/2)(‖W_1‖²_F + ‖W_2‖²), to convergence, from a small start",
)


def _explicit_loss_identity() -> sp.Expr:
    """(1/n)‖y − Xβ‖² − (βᵀSβ − 2rᵀβ + c) on explicit 3 × 2 data (S = XᵀX/n, r = Xᵀy/n)."""
    samples, width = 3, 2
    x = sp.Matrix(samples, width, lambda i, j: sp.Symbol(f"x_{i + 1}{j + 1}", real=True))
    y = sp.Matrix(sp.symbols(f"y1:{samples + 1}", real=True))
    beta = sp.Matrix(sp.symbols(f"β1:{width + 1}", real=True))
    residual = y - x * beta
    loss = (residual.T * residual)[0] / samples
    gram, cross, energy = x.T * x / samples, x.T * y / samples, (y.T * y)[0] / samples
    quadratic = (beta.T * gram * beta)[0] - 2 * (cross.T * beta)[0] + energy
    return loss - quadratic


def _stationary_network() -> tuple[sp.Expr, sp.Expr, list[sp.Expr], list[sp.Symbol]]:
    """On explicit 2-vectors: W_1 = g w_2ᵀ/λ_p (Ẇ_1 = 0), the residual of ẇ_2 = 0 against
    w_2(‖g‖² − λ_p²)/λ_p, and λ_p²D = λ_p²(W_1ᵀW_1 − w_2w_2ᵀ) with the constraint ‖g‖² = λ_p²."""
    g = sp.Matrix(sp.symbols("g1:3", real=True))
    w2 = sp.Matrix(sp.symbols("w1:3", real=True))
    w1 = g * w2.T / lambda_p
    readout_rate = w1.T * g - lambda_p * w2  # ẇ_2 at W_1 = g w_2ᵀ/λ_p
    norm2 = (g.T * g)[0]
    residual = sp.ImmutableMatrix(readout_rate - w2 * (norm2 - lambda_p**2) / lambda_p)
    imbalance = sp.ImmutableMatrix((lambda_p**2 * (w1.T * w1 - w2 * w2.T)).applyfunc(sp.expand))
    return residual, imbalance, [norm2 - lambda_p**2], [*g, *w2, lambda_p]


def _explicit_ridge_identity() -> tuple[sp.Expr, sp.Expr]:
    """On an explicit symmetric 2 × 2 S: 2(SB − r) + 2μB for B = (S + μI)⁻¹r (zero), and
    μ²‖B‖² − Σ_i (μ/(s_i + μ))²r_i² for a diagonal S (zero)."""
    s11, s12, s22 = sp.symbols("S_11 S_12 S_22", real=True)
    gram = sp.Matrix([[s11, s12], [s12, s22]])
    r = sp.Matrix(sp.symbols("r1:3", real=True))
    solution = (gram + _MU * sp.eye(2)).inv() * r
    stationarity = sp.ImmutableMatrix(2 * (gram * solution - r) + 2 * _MU * solution)
    s1, s2 = sp.symbols("s1:3", positive=True)
    diagonal = (sp.diag(s1, s2) + _MU * sp.eye(2)).inv() * r
    in_eigenbasis = _MU**2 * (diagonal.T * diagonal)[0] - sum(
        (_MU / (s + _MU)) ** 2 * ri**2 for s, ri in zip((s1, s2), r, strict=True)
    )
    return stationarity, in_eigenbasis


@functools.cache
def finite_source_end_point() -> DerivedResult:
    """Pretraining with weight decay on n_s samples ends at B = (S + μI)⁻¹r, μ = λ_p/(2‖B‖)."""
    loss_identity = _explicit_loss_identity()
    readout_residual, imbalance, unit, generators = _stationary_network()
    stationarity, in_eigenbasis = _explicit_ridge_identity()
    shrink = _MU / (_EIGENVALUE + _MU)
    slope = sp.diff(shrink, _MU)
    population_h = shrink.subs(_EIGENVALUE, 1)
    (population_mu,) = sp.solve(sp.Eq(population_h, lambda_p / 2), _MU)
    population_norm = 1 / (1 + population_mu)
    decayed_scale = pretrain_end_point().expr.args[0].expr
    b_vec, ridge_solution = sp.Symbol("B"), sp.Symbol("(S + μI)⁻¹r")
    h_of_mu = sp.Symbol("μ‖B(μ)‖")
    result = sp.Tuple(sp.Eq(b_vec, ridge_solution), sp.Eq(_MU, lambda_p / (2 * _B_NORM)))
    return DerivedResult(
        name="wd_finite_source_end_point",
        title="Extension: on a finite source, weight decay ends pretraining at a ridge solution "
        "with the self-consistent ridge μ = λ_p/(2‖B‖)",
        reference=_REFERENCE,
        regime=Regime.EXACT,
        assumptions=(*_FINITE_PRETRAINING, "per data set: S, r fixed; N_B = ‖B‖"),
        expr=result,
        steps=(
            Step(
                sp.Eq(sp.Symbol("(1/n_s)‖y_s − X_sβ̂‖² − (β̂ᵀSβ̂ − 2rᵀβ̂ + c)"), 0),
                "the authors' mean-squared loss (no ½) in the statistics S, r, c: written out on "
                "explicit 3 × 2 data (the general case is the same expansion)",
                check.identity(loss_identity),
            ),
            Step(
                sp.Eq(sp.Symbol("W_1"), sp.Symbol("g") * sp.Symbol("w_2ᵀ") / lambda_p),
                "a stationary point of the flow Ẇ_1 = g w_2ᵀ − λ_pW_1, ẇ_2 = W_1ᵀg − λ_pw_2, "
                "g = 2(r − Sβ̂) (the loss's negative gradient in β̂ = W_1w_2): Ẇ_1 = 0 makes W_1 "
                "rank one",
                check.unchecked("Ẇ_1 = 0 solved for W_1 (the flow of wd_imbalance_decay)"),
            ),
            Step(
                sp.ImmutableMatrix.zeros(2, 1),
                "then ẇ_2 = w_2(‖g‖² − λ_p²)/λ_p (explicit 2-vectors: the difference vanishes), "
                "so a stationary point with w_2 ≠ 0 has ‖g‖ = λ_p",
                check.identity(readout_residual),
            ),
            Step(
                sp.ImmutableMatrix.zeros(2, 2),
                "λ_p²(W_1ᵀW_1 − w_2w_2ᵀ) = w_2w_2ᵀ(‖g‖² − λ_p²) vanishes modulo ‖g‖² = λ_p² "
                "(Gröbner basis): the end point is balanced (as wd_imbalance_decay's D → 0)",
                check.modulo(unit, generators, source=imbalance),
            ),
            Step(
                sp.Eq(sp.Symbol("2(r − SB)"), lambda_p * b_vec / _B_NORM),
                "B = W_1w_2 = g‖w_2‖²/λ_p, so ‖B‖ = ‖w_2‖² and g = λ_pB/‖B‖: the stationarity "
                "condition of the convex f(B) = BᵀSB − 2rᵀB + λ_p‖B‖, whose minimiser the end "
                "point is (a balanced rank-one factorisation pays exactly λ_p‖B‖, the least any "
                "factorisation of B pays: the AM-GM step of wd_pretrain_end_point)",
                check.unchecked("g read off the stationary network; convexity of f"),
            ),
            Step(
                sp.ImmutableMatrix.zeros(2, 1),
                "B = (S + μI)⁻¹r satisfies 2(SB − r) + 2μB = 0 (an explicit symmetric 2 × 2 S): "
                "with μ = λ_p/(2‖B‖) this is the stationarity condition above, a ridge solution",
                check.identity(stationarity),
            ),
            Step(
                sp.Eq(h_of_mu**2, sp.Symbol("Σ_i (μ/(s_i + μ))²r_i²")),
                "the self-consistency μ‖B(μ)‖ = λ_p/2 in the eigenbasis of S = Σ_i s_i e_ie_iᵀ, "
                "r_i = e_iᵀr (explicit diagonal 2 × 2 S: the difference vanishes; r has no part "
                "in the kernel of S, since r = X_sᵀy_s/n_s lies in the row space of X_s)",
                check.identity(in_eigenbasis),
            ),
            Step(
                sp.Eq(sp.Derivative(shrink, _MU), slope),
                "each factor μ/(s + μ) increases with μ",
                check.derivative(_MU, source=shrink),
            ),
            Step(
                sp.Eq(sp.Limit(shrink, _MU, 0), 0),
                "from 0 at μ → 0 (s > 0) ...",
                check.limit(_MU, 0, source=shrink),
            ),
            Step(
                sp.Eq(sp.Limit(shrink, _MU, sp.oo), 1),
                "... to 1 as μ → ∞",
                check.limit(_MU, sp.oo, source=shrink),
            ),
            Step(
                sp.StrictLessThan(lambda_p, 2 * _R_NORM),
                "so μ‖B(μ)‖ increases strictly from 0 to ‖r‖: a unique μ > 0 solves "
                "μ‖B(μ)‖ = λ_p/2, and the end point is nonzero, iff λ_p < 2‖r‖",
                check.unchecked("a continuous increasing function and the intermediate values"),
            ),
            Step(
                sp.Eq(b_vec, 0),
                "for λ_p >= 2‖r‖: f(B) − f(0) >= BᵀSB + (λ_p − 2‖r‖)‖B‖ >= 0 (Cauchy-Schwarz), "
                "the minimum is at B = 0 and no stationary point with w_2 ≠ 0 exists: the "
                "network collapses to the origin (as wd_pretrain_end_point for λ_p >= 2)",
                check.unchecked("Cauchy-Schwarz, rᵀB <= ‖r‖‖B‖"),
            ),
            Step(
                sp.Eq(h_of_mu, population_h),
                "the population limit S = I, r = β_s (‖β_s‖ = 1): one factor with s = 1",
                check.substitution({_EIGENVALUE: 1}, source=shrink),
            ),
            Step(
                sp.Eq(_MU, population_mu),
                "solved with μ/(1 + μ) = λ_p/2",
                check.solutions(_MU, sp.Eq(population_h, lambda_p / 2)),
            ),
            Step(
                sp.Eq(sp.Symbol("‖B‖ − (1 − λ_p/2)"), 0),
                "‖B‖ = ‖β_s‖/(1 + μ) is wd_pretrain_end_point's 1 − λ_p/2 (and 2‖r‖ = 2 its "
                "collapse threshold)",
                check.identity(population_norm - decayed_scale),
            ),
            Step(
                sp.Eq(sp.Symbol("μ − λ_p/(2‖B‖)"), 0),
                "and μ = λ_p/(2 − λ_p) is λ_p/(2‖B‖) there",
                check.identity(population_mu - lambda_p / (2 * decayed_scale)),
            ),
            Step(
                result,
                "the end point for λ_p < 2‖r‖ (B = 0 otherwise)",
                check.unchecked("steps 5, 6 and 11 together"),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12. Per data set: the pretrained network is the balanced "
            "rank-one W_1 = √‖B‖ (B/‖B‖)vᵀ, W_2 = √‖B‖ v. At λ_p = 0 the ridge vanishes and "
            "(from a small start) the end point is the minimum-norm X_s⁺y_s of Thm 3.5. Linear "
            "transfer from it refits the readout on the rank-one features z = XB/√‖B‖: the scale "
            "cancels (as in wd_lt_risk), so β̂_lt = (zᵀy/‖z‖²)B, the direction of B only. The "
            "expectation over source data sets in the proportional limit needs Marchenko-Pastur "
            "functionals of S at the self-consistent μ, a random point: not derived here; the "
            "package samples the exact per-draw end point instead "
            "(montecarlo.finite_source_risks(source_decay=λ_p))."
        ),
        variables=(lambda_p, _B_NORM),
    )


@functools.cache
def finite_source_ft_scale() -> DerivedResult:
    """Fine-tuning from the decayed finite-source end point B: κ = c/√‖B‖ on (I − P)B."""
    _, quartic, _, root = fine_tuning.balance_quartic()
    a_sym = fine_tuning.NULL_NORM2
    vector = sp.Matrix(sp.symbols("B1:4", real=True))  # B written out in R³
    start_u, start_c = vector / sp.sqrt(_B_NORM), sp.sqrt(_B_NORM)
    balance_at_start = sp.expand(_B_NORM * ((start_u.T * start_u)[0] - start_c**2))
    product = sp.ImmutableMatrix(start_c * start_u - vector)
    null_norm = _NULL_B / _B_NORM
    decayed_quartic = quartic.subs(a_sym, null_norm)
    decayed_root = root.subs(a_sym, null_norm)
    result = decayed_root / sp.sqrt(_B_NORM)
    population = result.subs({_NULL_B: _P**2 * a_sym, _B_NORM: _P}) * _P - sp.sqrt(_P) * root.subs(
        a_sym, _P * a_sym
    )
    return DerivedResult(
        name="wd_finite_source_ft_scale",
        title="Extension: the null-space factor of fine-tuning from the decayed finite-source "
        "end point",
        reference=_REFERENCE,
        regime=Regime.EXACT,
        assumptions=(
            "the pretrained network of wd_finite_source_end_point, B ≠ 0 (λ_p < 2‖r‖)",
            "target data X (n × d), P = X⁺X; β̂_sc = X⁺y; a_B = ‖(I − P)B‖², b = ‖β̂_sc‖², "
            "N_B = ‖B‖, per data set",
            _FINE_TUNING,
        ),
        expr=result,
        steps=(
            Step(
                sp.ImmutableMatrix.zeros(3, 1),
                "the pretrained start W_1 = u(0)vᵀ, W_2 = c(0)v with u(0) = B/√‖B‖, "
                "c(0) = √‖B‖ has c(0)u(0) = B (written out in R³) ...",
                check.identity(product),
            ),
            Step(
                sp.Integer(0),
                "... and is balanced: ‖B‖(‖u(0)‖² − c(0)²) = ‖B‖² − N_B² vanishes modulo "
                "N_B² = ‖B‖² (Gröbner basis)",
                check.modulo(
                    [(vector.T * vector)[0] - _B_NORM**2],
                    [*vector, _B_NORM],
                    source=balance_at_start,
                ),
            ),
            *fine_tuning.flow_steps(),
            Step(
                sp.Eq(sp.Symbol("‖(I − P)u‖²"), null_norm),
                "the frozen null part of u is (I − P)B/√‖B‖",
                check.unchecked("the frozen null part of flow_steps at this start"),
            ),
            Step(
                sp.Eq(decayed_quartic, 0),
                "balance at convergence, ‖u‖² = b/c² + a_B/N_B = c² (ft_balance_root with "
                "a → a_B/N_B)",
                check.substitution({a_sym: null_norm}, source=sp.Eq(quartic, 0)),
            ),
            Step(
                sp.Eq(c_bal, decayed_root),
                "its positive root",
                check.substitution({a_sym: null_norm}, source=root),
            ),
            Step(
                sp.Eq(_K, result),
                "β̂_ft = c u = β̂_sc + (c/√‖B‖)(I − P)B: the factor κ = c/√‖B‖ on (I − P)B "
                "(the argument of wd_ft_scale, at a general start)",
                check.unchecked("c u with Pcu = β̂_sc and (I − P)u = (I − P)B/√‖B‖"),
            ),
            Step(
                sp.Eq(sp.Symbol("κ p − √p c(p a, b)"), 0),
                "the population source, B = pβ_s (N_B = p, a_B = p²a): κB's null part is "
                "√p c(p a, b)(I − P)β_s, wd_ft_scale's factor",
                check.identity(population),
            ),
            Step(
                result,
                "κ per data set",
                check.equal(source=decayed_root / sp.sqrt(_B_NORM)),
            ),
        ),
        notes=(
            "Extension, docs/paper.md §12. At λ_p = 0, B = X_s⁺y_s and this is the per-draw "
            "κ = c/c₀ (c₀ = ‖β̂_s‖^{1/2}) of ft_transferability_finite_source_balanced. Per data "
            "set, as ft_balance_root: the Monte Carlo montecarlo.finite_source_risks("
            "source_decay=λ_p, balanced=True) evaluates it draw by draw. Its expectation in the "
            "proportional limit (E over the source of ‖B‖, ‖(I − P)B‖², ⟨β_t, B⟩ at the "
            "self-consistent μ: Marchenko-Pastur functionals at a random point) is not derived."
        ),
        variables=(_NULL_B, fine_tuning.SCRATCH_NORM2, _B_NORM),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return (
        pretrain_ode(),
        pretrain_end_point(),
        imbalance_decay(),
        orthogonal_decay(),
        lt_risk_decayed(),
        ridge_lt_risk_decayed(),
        ft_scale(),
        ft_transferability(),
        ft_transferability_frozen(),
        ft_break_even(),
        ft_optimal_decay(),
        finite_source_end_point(),
        finite_source_ft_scale(),
    )
