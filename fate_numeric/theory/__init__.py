"""Closed-form evaluators of the paper's results, lambdified from :mod:`derivations`.

Every function here is an :class:`~fate_numeric.theory.evaluator.Evaluator`: numpy float64,
broadcasting over its arguments, validating them (one exception type,
:class:`~derivations.errors.InvalidArgumentError`), and carrying the SymPy expression it came from
as ``.expr``. Angles are in radians. Scalars in give a Python float out; arrays give arrays.
Each argument's allowed range is that of its symbol in its record, from the table of
:mod:`derivations.domains` (shared with ``python -m derivations eval``): parameters are declared
here without one.

Singular points follow the derived records: γ = 1 gives ``inf`` where σ > 0 (the double-descent
peak) and the σ = 0 value where σ = 0; ``scratch_risk_finite`` gives ``inf`` for |n − d| ≤ 1 when
σ > 0; ``lt_negative_interval`` gives NaN where the interval is empty.
"""

from __future__ import annotations

from derivations import output_layer_descent as DESCENT
from derivations import symbols as S
from derivations.fine_tuning import NULL_NORM2, SCRATCH_NORM2
from fate_numeric.theory.evaluator import Evaluator, Parameter

_gamma = Parameter("gamma", S.gamma)
_sigma = Parameter("sigma", S.sigma)
_theta = Parameter("theta", S.theta)
_lam = Parameter("lam", S.lam)
_gamma_s = Parameter("gamma_s", S.gamma_s)
_sigma_s = Parameter("sigma_s", S.sigma_s)

scratch_risk = Evaluator(
    "scratch_risk",
    "scratch_risk",
    (_gamma, _sigma),
    "Asymptotic scratch risk E R_sc(γ, σ), Thm 3.6 eq. 8 (inf at γ = 1 when σ > 0).",
)
scratch_risk_finite = Evaluator(
    "scratch_risk_finite",
    "scratch_risk_finite",
    (Parameter("n", S.n), Parameter("d", S.d), _sigma),
    "Exact E R_sc at finite n, d (inverse-Wishart means); inf for |n − d| <= 1 when σ > 0.",
)
scratch_optimum = Evaluator(
    "scratch_optimum",
    "scratch_optimum",
    (Parameter("sigma", S.sigma),),
    "(γ*, R_sc(γ*)) = (1 − σ, 2σ − σ²): the best γ < 1 for scratch training, 0 < σ < 1.",
)
lt_risk = Evaluator(
    "lt_risk",
    "lt_risk",
    (_theta, Parameter("n", S.n), _sigma),
    "Expected linear-transfer risk at n > 2 target samples, Thm 3.7 eq. 10 (exact).",
)
lt_risk_limit = Evaluator(
    "lt_risk_limit",
    "lt_risk_limit",
    (_theta,),
    "Linear-transfer risk as n → oo: sin²θ (Thm 3.7).",
)
lt_transferability = Evaluator(
    "lt_transferability",
    "lt_transferability",
    (_theta, _gamma, _sigma),
    "Transferability of linear transfer T_lt = R_sc − sin²θ, Thm 3.7 eq. 11.",
)
lt_transferability_finite = Evaluator(
    "lt_transferability_finite",
    "lt_transferability_finite",
    (
        _theta,
        Parameter("n", S.n),
        Parameter("d", S.d),
        _sigma,
    ),
    "Exact finite-size T_lt = E R_sc(n, d, σ) − eq. 10 at n > 2 (inf for |n − d| <= 1 when "
    "σ > 0); its proportional limit is eq. 11.",
)
lt_negative_threshold_overparam = Evaluator(
    "lt_negative_threshold_overparam",
    "lt_negative_threshold_overparam",
    (Parameter("theta", S.theta), _sigma),
    "γ = 1 + σ²/sin²θ, 0 < θ <= π/2: above interpolation T_lt < 0 exactly beyond it.",
)
lt_negative_threshold_angle = Evaluator(
    "lt_negative_threshold_angle",
    "lt_negative_threshold_angle",
    (Parameter("sigma", S.sigma),),
    "θ* = arccos(1 − σ): the negative-transfer interval below interpolation opens at θ > θ*.",
)
lt_negative_interval = Evaluator(
    "lt_negative_interval",
    "lt_negative_interval",
    (_theta, _sigma),
    "(γ₋, γ₊): for γ < 1, T_lt < 0 exactly on (γ₋, γ₊); NaN where empty (θ <= arccos(1 − σ)).",
)
ridge_lt_risk = Evaluator(
    "ridge_lt_risk",
    "ridge_lt_risk",
    (_theta, _lam),
    "Ridge linear-transfer risk as n → oo, Thm 3.8 eq. 13 (penalty nλ‖c‖²).",
)
ft_transferability = Evaluator(
    "ft_transferability",
    "ft_transferability",
    (_theta, _gamma),
    "Fine-tuning transferability as printed, Thm 3.9 eq. 15 (exact for σ → 0).",
)
ft_balance_scale = Evaluator(
    "ft_balance_scale",
    "ft_balance_scale",
    (_gamma, _sigma),
    "Balancedness scale c of gradient-flow fine-tuning (docs/paper.md §3.8); 1 at σ = 0 or γ >= 1.",
)
ft_balance_root = Evaluator(
    "ft_balance_root",
    "ft_balance_root",
    (Parameter("a", NULL_NORM2), Parameter("b", SCRATCH_NORM2)),
    "Positive root c of c⁴ − a c² − b = 0: the balanced scale of one fine-tuning run with "
    "a = ‖(I − P)β_s‖², b = ‖β̂_sc‖² (docs/paper.md §3.8).",
)
ft_transferability_balanced = Evaluator(
    "ft_transferability_balanced",
    "ft_transferability_balanced",
    (_theta, _gamma, _sigma),
    "Fine-tuning transferability with the balanced-scale correction (docs/paper.md §3.8).",
)
ft_transferability_finite_source = Evaluator(
    "ft_transferability_finite_source",
    "ft_transferability_finite_source",
    (_theta, _gamma, _gamma_s, _sigma_s),
    "Fine-tuning transferability after pretraining on γ_s·d noisy source samples, Thm C.1 eq. 22.",
)
ft_transferability_finite_source_balanced = Evaluator(
    "ft_transferability_finite_source_balanced",
    "ft_transferability_finite_source_balanced",
    (_theta, _gamma, _gamma_s, _sigma, _sigma_s),
    "Eq. 22 corrected for the balanced scale of gradient flow from a start of norm ‖β̂_s‖ "
    "(not in the paper).",
)
_finite_sizes = (
    _theta,
    Parameter("n", S.n),
    Parameter("d", S.d),
    Parameter("n_s", S.n_s),
    _sigma,
    _sigma_s,
)
ft_risk_finite_source_d = Evaluator(
    "ft_risk_finite_source_d",
    "ft_risk_finite_source_d",
    _finite_sizes,
    "Fine-tuning risk at finite n, d, n_s after finite-source pretraining as eq. 22 has it "
    "(κ = 1): exact scratch risk minus eq. 22 at γ = n/d, γ_s = n_s/d (O(1/d) error).",
)
ft_risk_finite_source_balanced_d = Evaluator(
    "ft_risk_finite_source_balanced_d",
    "ft_risk_finite_source_balanced_d",
    _finite_sizes,
    "Fine-tuning risk at finite n, d, n_s after finite-source pretraining: exact scratch risk "
    "minus the balanced-scale transferability at γ = n/d, γ_s = n_s/d (O(1/d) error).",
)
lt_risk_finite_source = Evaluator(
    "lt_risk_finite_source",
    "lt_risk_finite_source",
    (_theta, _gamma_s, _sigma_s),
    "Linear-transfer risk (n_t → oo) after finite-source pretraining (docs/paper.md §3.9; not in "
    "the paper).",
)
lt_transferability_finite_source = Evaluator(
    "lt_transferability_finite_source",
    "lt_transferability_finite_source",
    (_theta, _gamma, _sigma, _gamma_s, _sigma_s),
    "T_lt = eq. 8 − the n_t → ∞ linear-transfer risk after finite-source pretraining "
    "(docs/paper.md §3.9; not in the paper).",
)
lt_transferability_finite_source_d = Evaluator(
    "lt_transferability_finite_source_d",
    "lt_transferability_finite_source_d",
    (
        _theta,
        Parameter("n", S.n),
        Parameter("d", S.d),
        Parameter("n_s", S.n_s),
        _sigma,
        _sigma_s,
    ),
    "T_lt at finite n, d, n_s after finite-source pretraining: exact scratch risk minus the "
    "linear-transfer risk at n_t = n, γ_s = n_s/d (O(1/d) error on the source side).",
)
lt_risk_finite_source_n = Evaluator(
    "lt_risk_finite_source_n",
    "lt_risk_finite_source_n",
    (_theta, Parameter("n", S.n), _gamma_s, _sigma_s, _sigma),
    "Linear-transfer risk at n > 2 target samples after finite-source pretraining: eq. 10 with "
    "sin²θ replaced by the n_t → ∞ risk (not in the paper).",
)
scratch_risk_correction = Evaluator(
    "scratch_risk_correction",
    "scratch_risk_correction",
    (_gamma, _sigma),
    "(c₁, c₂): E R_sc(n = γd, d) = eq. 8 + c₁/d + c₂/d² + O(d⁻³), γ ≠ 1 (NaN at γ = 1).",
)
lt_risk_correction = Evaluator(
    "lt_risk_correction",
    "lt_risk_correction",
    (_theta, _sigma),
    "(a₁, a₂): eq. 10 = sin²θ + a₁/n + a₂/n² + O(n⁻³).",
)
scratch_risk_gap = Evaluator(
    "scratch_risk_gap",
    "scratch_risk_gap",
    (_gamma, _sigma, Parameter("d", S.d)),
    "E R_sc(n = γd, d) − eq. 8: the finite-size gap that scratch_risk_correction expands (inf "
    "for |γd − d| <= 1 when σ > 0).",
)
scratch_risk_remainder_bound = Evaluator(
    "scratch_risk_remainder_bound",
    "scratch_risk_remainder_bound",
    (_gamma, _sigma, Parameter("d", S.d)),
    "(bound, claimed): |scratch_risk_gap − c₁/d| <= bound = (3/2)|c₂|/d² wherever claimed = 1, "
    "i.e. d|1 − γ| > 3 (claimed = 0 elsewhere; NaN bound at γ = 1).",
)
lt_risk_gap = Evaluator(
    "lt_risk_gap",
    "lt_risk_gap",
    (_theta, _sigma, Parameter("n", S.n)),
    "Eq. 10 − sin²θ: the finite-n gap that lt_risk_correction expands.",
)
lt_risk_remainder_bound = Evaluator(
    "lt_risk_remainder_bound",
    "lt_risk_remainder_bound",
    (_theta, _sigma, Parameter("n", S.n)),
    "(bound, claimed): |lt_risk_gap − a₁/n| <= bound = (3/2)|a₂|/n² wherever claimed = 1, "
    "i.e. n > 6.",
)
pretrain_coefficient = Evaluator(
    "pretrain_coefficient",
    "pretrain_coefficient",
    (Parameter("t", S.t), Parameter("a0", S.a0)),
    "End-to-end coefficient a(t) of population pretraining of a balanced rank-one two-layer "
    "network, a(0) = a0 (loss ‖β̂ − β_s‖², t = learning rate × steps).",
)

_cosine = Parameter("u", S.u_cos)
relu_kernel = Evaluator(
    "relu_kernel",
    "relu_kernel",
    (_cosine,),
    "Arc-cosine kernel κ(u) = E[relu(wᵀx) relu(vᵀx)] for unit w, v with wᵀv = u, x ~ N(0, I) "
    "(Sec. 4, App. E eq. 167); multiply by ‖w‖‖v‖ for other norms.",
)
relu_kernel_radial = Evaluator(
    "relu_kernel_radial",
    "relu_kernel_radial",
    (_cosine,),
    "ρ(u) = κ(u) − uκ'(u), the radial coefficient of the gradient of the arc-cosine kernel in a "
    "weight vector (κ = ρ + uκ').",
)
relu_mean = Evaluator(
    "relu_mean",
    "relu_mean",
    (Parameter("w_norm", S.w_norm),),
    "E[relu(wᵀx)] = ‖w‖/√(2π) for x ~ N(0, I): the constant part of a ReLU feature.",
)
relu_kernel_slope = Evaluator(
    "relu_kernel_slope",
    "relu_kernel_slope",
    (_cosine,),
    "κ'(u) = P(wᵀx > 0, vᵀx > 0), the derivative of the arc-cosine kernel in u.",
)

_amplitude = Parameter("amplitude", S.amplitude)
_exponent = Parameter("exponent", S.exponent)
relu_scratch_power_law = Evaluator(
    "relu_scratch_power_law",
    "relu_scratch_power_law",
    (Parameter("n", S.n), _amplitude, _exponent),
    "A n^(−ν): the power law fitted to the ReLU scratch risks (Sec. 4, Fig. 3e; empirical).",
)
relu_transfer_boundary = Evaluator(
    "relu_transfer_boundary",
    "relu_transfer_boundary",
    (_amplitude, _exponent, Parameter("floor", S.out_of_span)),
    "n* = (A/‖P⊥f_t‖²)^(1/ν), where A n^(−ν) meets the transfer floor of eq. 18 (Fig. 3e, grey "
    "circles); inf where the floor is 0.",
)

# ---- the refit of the ReLU students' output layer by gradient descent (Sec. 4) -------------------
_mode = (
    Parameter("z0", DESCENT.MODE_START),
    Parameter("r", DESCENT.MODE_DATA),
    Parameter("s", DESCENT.MODE_SINGULAR),
    Parameter("eta", DESCENT.LEARNING_RATE),
    Parameter("n", DESCENT.SAMPLES),
    Parameter("steps", DESCENT.STEPS),
)
output_descent_mode = Evaluator(
    "output_descent_mode",
    "output_descent_mode",
    _mode,
    "Coordinate z_t of one singular mode (singular value s, data projection r, start z0) after "
    "t steps of gradient descent with learning rate η on the loss (1/n)‖Ac − y‖².",
)
output_descent_mode_loss = Evaluator(
    "output_descent_mode_loss",
    "output_descent_mode_loss",
    _mode,
    "That mode's share (s z_t − r)²/n of the training loss after t steps.",
)

# ---- dataset similarity (App. A, Thm A.2) -------------------------------------------------------
_scale_c = Parameter("c", S.c_g)
kl_label_noise = Evaluator(
    "kl_label_noise",
    "kl_label_noise",
    (Parameter("distance2", S.dist2), _sigma),
    "D_KL(p_f ‖ p_g) = ‖f − g‖²/(2σ²) for Gaussian label noise, σ > 0 (App. D.1, eqs. 32-35).",
)
kl_family = Evaluator(
    "kl_family",
    "kl_family",
    (_theta, _sigma),
    "D_KL(p_s ‖ p_t) = (1 − cos θ)/σ² for unit teachers at angle θ ∈ [0, π] (docs/paper.md §4.3).",
)
kl_negated_target = Evaluator(
    "kl_negated_target",
    "kl_negated_target",
    (Parameter("alpha", S.alpha_g), Parameter("norm_f", S.norm_f), _sigma),
    "D_KL for the paper's construction g = −αf: (1 + α)²‖f‖²/(2σ²) (Thm A.2).",
)
kl_construction_alpha = Evaluator(
    "kl_construction_alpha",
    "kl_construction_alpha",
    (Parameter("delta", S.delta_d), Parameter("norm_f", S.norm_f), _sigma),
    "α = σ√(2δ)/‖f‖: every larger α makes g = −αf have D_KL > δ (corrected Thm A.2 constant).",
)
kl_printed_alpha_failure = Evaluator(
    "kl_printed_alpha_failure",
    "kl_printed_alpha_failure",
    (Parameter("norm_f", S.norm_f), _sigma),
    "δ* = (3 + 2√2)‖f‖²/σ²: above it the printed α = σ√δ/‖f‖ gives D_KL < δ.",
)
dudley_cosine_scaled = Evaluator(
    "dudley_cosine_scaled",
    "dudley_cosine_scaled",
    (_scale_c, _sigma),
    "Dudley lower bound of the judge ½cos y along g = c f (unit f): at most e^{−σ²/2}/2.",
)
dudley_tent_bound = Evaluator(
    "dudley_tent_bound",
    "dudley_tent_bound",
    (Parameter("K", S.k_cut), _scale_c, _sigma),
    "Dudley lower bound of the tent judge of width K along g = c f (unit f); → 2 (docs/paper.md "
    "§4.3).",
)
w1_scaled_bounds = Evaluator(
    "w1_scaled_bounds",
    "w1_scaled_bounds",
    (_scale_c, _sigma),
    "(lower, upper) bounds of W₁(p_f, p_{cf}) for unit f = βᵀx, Euclidean metric on (x, y).",
)
w1_family_upper = Evaluator(
    "w1_family_upper",
    "w1_family_upper",
    (_theta,),
    "W₁(p_s, p_t) ≤ √(2/π)‖β_s − β_t‖ for unit teachers at angle θ (shared-input coupling).",
)

EVALUATORS: dict[str, Evaluator] = {
    e.name: e
    for e in (
        scratch_risk,
        scratch_risk_finite,
        scratch_optimum,
        lt_risk,
        lt_risk_limit,
        lt_transferability,
        lt_transferability_finite,
        lt_negative_threshold_overparam,
        lt_negative_threshold_angle,
        lt_negative_interval,
        ridge_lt_risk,
        ft_transferability,
        ft_balance_root,
        ft_balance_scale,
        ft_transferability_balanced,
        ft_transferability_finite_source,
        ft_transferability_finite_source_balanced,
        ft_risk_finite_source_d,
        ft_risk_finite_source_balanced_d,
        lt_risk_finite_source,
        lt_risk_finite_source_n,
        lt_transferability_finite_source,
        lt_transferability_finite_source_d,
        scratch_risk_correction,
        scratch_risk_gap,
        scratch_risk_remainder_bound,
        lt_risk_correction,
        lt_risk_gap,
        lt_risk_remainder_bound,
        pretrain_coefficient,
        relu_kernel,
        relu_kernel_slope,
        relu_kernel_radial,
        relu_mean,
        relu_scratch_power_law,
        relu_transfer_boundary,
        output_descent_mode,
        output_descent_mode_loss,
        kl_label_noise,
        kl_family,
        kl_negated_target,
        kl_construction_alpha,
        kl_printed_alpha_failure,
        dudley_cosine_scaled,
        dudley_tent_bound,
        w1_scaled_bounds,
        w1_family_upper,
    )
}

__all__ = ["EVALUATORS", "Evaluator", *EVALUATORS]


# ---- Extensions (not the paper's claims): rank-k feature spaces (docs/paper.md §11) -------------
_rho = Parameter("rho", S.rho)
_k = Parameter("k", S.k_rank)
lt_risk_rank_k = Evaluator(
    "lt_risk_rank_k",
    "lt_risk_rank_k",
    (_rho, Parameter("n", S.n), _k, _sigma),
    "Extension: exact linear-transfer risk from a rank-k feature space, ρ + (ρ + σ²)k/(n − k − 1) "
    "for n > k + 1 (minimum-norm refit for k > n + 1; inf for |n − k| <= 1 unless ρ = σ = 0); "
    "ρ = ‖(I − P_k)β_t‖².",
)
lt_risk_rank_k_proportional = Evaluator(
    "lt_risk_rank_k_proportional",
    "lt_risk_rank_k_proportional",
    (_rho, Parameter("kappa", S.kappa), _sigma),
    "Extension: rank-k linear-transfer risk with k/n → κ at fixed ρ: (ρ + σ²κ)/(1 − κ) for κ < 1 "
    "(inf at κ = 1 unless ρ = σ = 0).",
)
lt_transferability_rank_k = Evaluator(
    "lt_transferability_rank_k",
    "lt_transferability_rank_k",
    (_rho, _gamma, _sigma),
    "Extension: T = R_sc − ρ of rank-k linear transfer, n = γd → ∞ at fixed k (eq. 11 with "
    "sin²θ → ρ).",
)
lt_transferability_rank_k_finite = Evaluator(
    "lt_transferability_rank_k_finite",
    "lt_transferability_rank_k_finite",
    (_rho, Parameter("n", S.n), Parameter("d", S.d), _k, _sigma),
    "Extension: exact finite-size T = E R_sc(n, d, σ) − lt_risk_rank_k (±inf where one risk is "
    "infinite, NaN where both are).",
)
lt_rank_k_boundary_finite = Evaluator(
    "lt_rank_k_boundary_finite",
    "lt_rank_k_boundary_finite",
    (Parameter("n", S.n), Parameter("d", S.d), _k, _sigma),
    "Extension: ρ* with T < 0 exactly for ρ > ρ* at finite n > k + 1, d (NaN for n <= k + 1 or an "
    "infinite scratch risk); → eq. 8 as d → ∞ at fixed k.",
)
lt_negative_interval_rank_k = Evaluator(
    "lt_negative_interval_rank_k",
    "lt_negative_interval_rank_k",
    (_rho, _sigma),
    "Extension: (γ₋, γ₊): for γ < 1 rank-k transfer is negative exactly there (k fixed); NaN "
    "where empty (σ >= 1 − √(1 − ρ)).",
)
lt_negative_threshold_overparam_rank_k = Evaluator(
    "lt_negative_threshold_overparam_rank_k",
    "lt_negative_threshold_overparam_rank_k",
    (Parameter("rho", S.rho), _sigma),
    "Extension: γ = 1 + σ²/ρ, 0 < ρ <= 1: above interpolation rank-k transfer is negative beyond "
    "it (k fixed).",
)
ft_rank_k_transferability_bound = Evaluator(
    "ft_rank_k_transferability_bound",
    "ft_rank_k_transferability_bound",
    (_rho, _gamma),
    "Extension: upper bound (1 − γ)(1 − ρ) (γ < 1; 0 above) on the transferability of fine-tuning "
    "from a rank-k start, whatever head gradient flow reaches (k fixed).",
)
ft_rank_k_aligned_transferability = Evaluator(
    "ft_rank_k_aligned_transferability",
    "ft_rank_k_aligned_transferability",
    (_rho, _gamma, _sigma),
    "Extension: transferability of fine-tuning from a rank-k start through the head of the "
    "source that the target's feature part lies along: ft_transferability_balanced at "
    "cos θ = √(1 − ρ) (k fixed, proportional limit; 0 for γ >= 1).",
)

EXTENSIONS: dict[str, Evaluator] = {
    e.name: e
    for e in (
        lt_risk_rank_k,
        lt_risk_rank_k_proportional,
        lt_transferability_rank_k,
        lt_transferability_rank_k_finite,
        lt_rank_k_boundary_finite,
        lt_negative_interval_rank_k,
        lt_negative_threshold_overparam_rank_k,
        ft_rank_k_transferability_bound,
        ft_rank_k_aligned_transferability,
    )
}
EVALUATORS.update(EXTENSIONS)


# ---- Extensions (not the paper's claims): weight decay during pretraining (docs/paper.md §12) ---
_lambda_p = Parameter("lambda_p", S.lambda_p)
wd_pretrain_end_point = Evaluator(
    "wd_pretrain_end_point",
    "wd_pretrain_end_point",
    (_lambda_p,),
    "Extension: ‖β̂‖ after population pretraining with weight decay λ_p: 1 − λ_p/2 for "
    "λ_p < 2, 0 beyond (the features collapse).",
)
wd_lt_risk = Evaluator(
    "wd_lt_risk",
    "wd_lt_risk",
    (_theta, Parameter("n", S.n), _sigma, _lambda_p),
    "Extension: linear-transfer risk after decayed pretraining: eq. 10 for λ_p < 2 (the refit "
    "undoes the feature scale), 1 beyond.",
)
wd_ridge_lt_risk = Evaluator(
    "wd_ridge_lt_risk",
    "wd_ridge_lt_risk",
    (_theta, _lam, _lambda_p),
    "Extension: ridge linear transfer (n → ∞) after decayed pretraining: eq. 13 at the "
    "effective ridge λ/(1 − λ_p/2); 1 for λ_p >= 2.",
)
wd_ft_scale = Evaluator(
    "wd_ft_scale",
    "wd_ft_scale",
    (_gamma, _sigma, _lambda_p),
    "Extension: κ = √p c, the factor fine-tuning by gradient flow puts on (I − P)β_s after "
    "pretraining with weight decay λ_p < 2 (p = 1 − λ_p/2, γ < 1).",
)
wd_ft_transferability = Evaluator(
    "wd_ft_transferability",
    "wd_ft_transferability",
    (_theta, _gamma, _sigma, _lambda_p),
    "Extension: T_ft = (1 − γ)(2κ cos θ − κ²) after pretraining with weight decay λ_p < 2 "
    "(κ = wd_ft_scale; 0 for γ >= 1).",
)
wd_ft_transferability_frozen = Evaluator(
    "wd_ft_transferability_frozen",
    "wd_ft_transferability_frozen",
    (_theta, _gamma, _lambda_p),
    "Extension, contrast: T_ft if the null part stayed that of the pretrained vector "
    "(eq. 143's assumption), κ = 1 − λ_p/2.",
)
wd_ft_break_even = Evaluator(
    "wd_ft_break_even",
    "wd_ft_break_even",
    (_gamma, _sigma, _lambda_p),
    "Extension: θ* = arccos(κ/2): fine-tuning after decayed pretraining is positive for θ < θ* "
    "(γ < 1; NaN where κ > 2).",
)
wd_ft_optimal_decay = Evaluator(
    "wd_ft_optimal_decay",
    "wd_ft_optimal_decay",
    (_theta, _gamma, _sigma),
    "Extension: (λ_p*, T_ft(λ_p*)) = (the pretraining decay with κ = cos θ, (1 − γ)cos²θ), "
    "γ < 1, θ ∈ [0, π/2].",
)
WEIGHT_DECAY_EXTENSION: dict[str, Evaluator] = {
    e.name: e
    for e in (
        wd_pretrain_end_point,
        wd_lt_risk,
        wd_ridge_lt_risk,
        wd_ft_scale,
        wd_ft_transferability,
        wd_ft_transferability_frozen,
        wd_ft_break_even,
        wd_ft_optimal_decay,
    )
}
EXTENSIONS.update(WEIGHT_DECAY_EXTENSION)
EVALUATORS.update(WEIGHT_DECAY_EXTENSION)
__all__ = ["EVALUATORS", "EXTENSIONS", "Evaluator", *EVALUATORS]
