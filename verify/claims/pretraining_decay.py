"""Extension beyond the paper (not its claims): weight decay during pretraining (docs/paper.md §12).

The records of :mod:`derivations.pretraining_decay` say what SGD weight decay λ_p in the
population pretraining does: the pretrained vector shrinks to (1 − λ_p/2)β_s and is exactly rank
one (collapsing at λ_p = 2); linear transfer does not see the shrinkage, a ridge probe sees it as
a stronger ridge; fine-tuning by gradient flow puts κ = √p c on the null-space part of β_s, so
T_ft = (1 − γ)(2κ cos θ − κ²), and the best λ_p reaches (1 − γ)cos²θ >= 0. These claims check
them like the paper's own: the derivation steps (symbolic), a Monte Carlo of the exact per-draw
end point (``montecarlo.fine_tuning_risks(start_scale=p, balanced=True)``,
``montecarlo.linear_transfer_risks(feature_scale=√p)``), and the networks of the
``pretraining_decay`` extension sweep, pretrained with weight decay by gradient descent and then
refitted or fine-tuned as in the paper (``fate_numeric.sweeps.EXTENSION_SWEEPS``).

Gating follows the linear claims (:mod:`verify.claims.linear`): fine-tuning cells are compared
with the scratch cells of the same (n, d, σ) as R_sc − R_ft, within K standard errors plus a
floor for the finite-d bias of the proportional-limit κ (measured, :data:`FT_DECAY_FLOOR`);
cells the authors' 5000 steps leave unconverged are reported, not gated. What eq. 143's
assumption (the null part of the end-to-end vector kept, κ = p) would predict is printed beside
each fine-tuning comparison as a contrast, never gated.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from derivations.registry import get
from derivations.symbols import lam, lambda_p
from fate_numeric import montecarlo
from fate_numeric.experiments import Cell
from fate_numeric.statistics import CONVERGED_LOSS
from fate_numeric.sweeps import PRETRAIN_DECAYS
from verify.claims.core import Context, Tier, claim
from verify.claims.extensions import _steps_checks
from verify.claims.linear import FT_SCALE_BIAS_PER_D, _scratch_cells
from verify.model import Check
from verify.stats import difference_check, exact_check, mean_check

REFERENCE = "extension (docs/paper.md §12)"
#: The simulated pretraining reaches its end point to this relative accuracy in the authors' 5000
#: steps at lr 0.01 (t = 50): the slowest approach, at λ_p = 1.5, has rate 4p = 1 after an escape
#: from α² of ≈ 23 time units (wd_pretrain_end_point's notes), so its gap is e^{−27} ≪ 10⁻⁶.
END_POINT_RTOL = 1e-6
#: The directions of W_1 outside β_s decay at rate >= λ_p (wd_orthogonal_decay): from O(α) = 10⁻⁵
#: they end far below this bound (the undecayed network keeps them at ≈ 2·10⁻⁵).
ORTHOGONAL_BOUND = 1e-6
#: Floor of the fine-tuning comparisons: the gradient-descent allowance of claim fine-tuning (5e-3,
#: finite step and time) plus the finite-d bias of the proportional-limit κ. That bias was measured
#: with ``montecarlo.fine_tuning_risks(θ, γd, d, 0, 8000, balanced=True, start_scale=p, seed=3)``
#: against ``theory.wd_ft_transferability``: d × (mean − formula) between −0.26 ± 0.02 and
#: +0.05 ± 0.06 over λ_p ∈ {0.5, 1.5}, θ ∈ {π/8, 3π/8}, γ ∈ {0.25, 0.75}, d ∈ {40, 80}; the bound
#: FT_SCALE_BIAS_PER_D/d of claim fine-tuning-scale (0.35/d) covers it.
FT_GRADIENT_DESCENT_FLOOR = 5e-3


def _ft_floor(d: int) -> float:
    """The floor of a fine-tuning comparison at dimension d (FT_GRADIENT_DESCENT_FLOOR above)."""
    return FT_GRADIENT_DESCENT_FLOOR + FT_SCALE_BIAS_PER_D / d


def _label(cell: Cell) -> str:
    return (
        f"λ_p={cell.pretrain_weight_decay:g}, θ={cell.theta / math.pi:.3g}π, n={cell.n}, "
        f"d={cell.d}, σ={cell.sigma:g}"
    )


#: The extension sweep the simulation tiers read (``fate_numeric.sweeps.EXTENSION_SWEEPS``),
#: archived at d = 500 like the paper's sweeps.
SWEEP = "pretraining_decay"


def decay_cells(ctx: Context) -> list[tuple[Cell, dict[str, np.ndarray]]]:
    """The cells of the ``pretraining_decay`` extension sweep with their arrays (stored)."""
    return ctx.sweep(SWEEP)


def _identity_check(label: str, difference: sp.Expr, where: str) -> Check:
    """A SymPy identity between two records, simplified to 0 (1 when it is not)."""
    residual = sp.simplify(difference)
    return exact_check(label, float(residual != 0), 0.0, 0.0, where)


# ---- pretraining -------------------------------------------------------------------------------
@claim(
    "ext-wd-pretraining",
    "Extension: weight decay λ_p shrinks the pretrained network to an exactly rank-one "
    "(1 − λ_p/2)β_s, and collapses it for λ_p >= 2",
    REFERENCE,
    archived=(SWEEP,),
    extension=True,
)
def _pretraining() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        decayed, plain = get("wd_pretrain_ode").expr, get("pretrain_ode").expr
        return [
            *_steps_checks("wd_pretrain_end_point", {6: "a → 1 − λ_p/2", 9: "a → 0 above λ_p = 2"}),
            *_steps_checks("wd_imbalance_decay", {2: "dD/dt = −2λ_p D"}),
            *_steps_checks("wd_orthogonal_decay", {2: "dW_⊥/dt = −W_⊥(2W_2W_2ᵀ + λ_p I)"}),
            _identity_check(
                "wd_pretrain_ode at λ_p = 0 − pretrain_ode (Lemma 3.3)",
                decayed.rhs.subs(lambda_p, 0) - plain.rhs,
                "the decayed flow reduces to the paper's",
            ),
        ]

    def simulation(ctx: Context) -> list[Check]:
        checks, seen = [], set()
        for cell, arrays in decay_cells(ctx):
            key = (cell.pretrain_weight_decay, cell.theta)
            if cell.procedure != "linear_transfer" or key in seen:
                continue
            seen.add(key)
            singular = arrays["feature_singular_values"]
            scale = ctx.theory.wd_pretrain_end_point(cell.pretrain_weight_decay)
            where = f"λ_p={cell.pretrain_weight_decay:g}, θ={cell.theta / math.pi:.3g}π, d={cell.d}"
            checks.append(
                exact_check(
                    f"{where}: top singular value of W_1",
                    float(np.max(singular[:, 0])),
                    math.sqrt(scale),
                    END_POINT_RTOL * max(math.sqrt(scale), 1e-3),
                    "√(end-to-end scale) of a balanced rank-one network; gradient descent "
                    "with the authors' 5000 steps at lr 0.01",
                    predicted_by="√wd_pretrain_end_point",
                    d=cell.d,
                )
            )
            if scale > 0:
                checks.append(
                    exact_check(
                        f"{where}: second singular value of W_1 (the O(α) directions)",
                        float(np.max(singular[:, 1])),
                        0.0,
                        ORTHOGONAL_BOUND,
                        "they decay at rate >= λ_p (wd_orthogonal_decay)",
                        predicted_by="wd_orthogonal_decay",
                        d=cell.d,
                    )
                )
        return checks

    return {"symbolic": symbolic, "simulation": simulation}


# ---- linear transfer ---------------------------------------------------------------------------
@claim(
    "ext-wd-linear-transfer",
    "Extension: weight decay in pretraining leaves linear transfer unchanged (eq. 10); a ridge "
    "probe sees it as the ridge λ/p",
    REFERENCE,
    archived=(SWEEP,),
    extension=True,
)
def _linear_transfer() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        decayed = get("wd_lt_risk").expr.args[0].expr
        ridge = get("wd_ridge_lt_risk").expr.args[0].expr
        eq13 = get("ridge_lt_risk").expr
        return [
            *_steps_checks("wd_lt_risk", {2: "the feature scale cancels"}),
            *_steps_checks("wd_ridge_lt_risk", {4: "eq. 13 at λ/p"}),
            _identity_check(
                "wd_lt_risk (λ_p < 2) − lt_risk (eq. 10)",
                decayed - get("lt_risk").expr,
                "the refit does not see the scale",
            ),
            _identity_check(
                "wd_ridge_lt_risk (λ_p < 2) − eq. 13 at λ/(1 − λ_p/2)",
                ridge - eq13.subs(lam, lam / (1 - lambda_p / 2)),
                "ridge_lt_risk with the effective ridge",
            ),
        ]

    def montecarlo_tier(ctx: Context) -> list[Check]:
        checks = []
        large = 4000
        for decay in (0.5, 1.5):
            scale = math.sqrt(ctx.theory.wd_pretrain_end_point(decay))
            for strength in (0.1, 0.3):
                checks.append(
                    mean_check(
                        f"λ_p={decay:g}, θ=π/8, ridge λ={strength:g}, n={large}",
                        montecarlo.linear_transfer_risks(
                            math.pi / 8,
                            large,
                            0.2,
                            ctx.draws(),
                            lam=strength,
                            feature_scale=scale,
                            seed=ctx.seed,
                        ),
                        ctx.theory.wd_ridge_lt_risk(math.pi / 8, strength, decay),
                        floor=5 / large,
                        note="O(1/n) finite-n bias (as claim ridge-lt)",
                    )
                )
            n = 20
            checks.append(
                mean_check(
                    f"λ_p={decay:g}, θ=3π/8, least squares, n={n}, σ=0.2",
                    montecarlo.linear_transfer_risks(
                        3 * math.pi / 8, n, 0.2, ctx.draws(), feature_scale=scale, seed=ctx.seed
                    ),
                    ctx.theory.wd_lt_risk(3 * math.pi / 8, n, 0.2, decay),
                    population_sd=ctx.population_sd("linear_transfer", 3 * math.pi / 8, n, 0.2),
                    note="exact at finite n",
                )
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        checks = []
        for cell, arrays in decay_cells(ctx):
            if cell.procedure != "linear_transfer" or cell.pretrain_weight_decay >= 2:
                continue
            checks.append(
                mean_check(
                    _label(cell),
                    arrays["generalisation"][0],
                    ctx.theory.wd_lt_risk(
                        cell.theta, cell.n, cell.sigma, cell.pretrain_weight_decay
                    ),
                    floor=1e-3,
                    population_sd=ctx.population_sd(
                        "linear_transfer", cell.theta, cell.n, cell.sigma
                    ),
                    note="exact at finite n; floor: pretraining to its end point (1e-3, as the "
                    "paper's linear-transfer cells)",
                    predicted_by="wd_lt_risk (eq. 10)",
                    d=cell.d,
                )
            )
        return checks

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier, "simulation": simulation}


# ---- fine-tuning -------------------------------------------------------------------------------
def _ft_check(ctx: Context, cell: Cell, arrays: dict, scratch: np.ndarray) -> list[Check]:
    """R_sc − R_ft of one cell against wd_ft_transferability, with the frozen contrast."""
    gamma, decay = cell.n / cell.d, cell.pretrain_weight_decay
    converged = float(np.max(arrays["train_loss"])) <= CONVERGED_LOSS
    predicted = ctx.theory.wd_ft_transferability(cell.theta, gamma, cell.sigma, decay)
    main = difference_check(
        _label(cell),
        scratch,
        arrays["generalisation"],
        predicted,
        floor=_ft_floor(cell.d),
        gated=converged,
        note="floor: gradient descent + the measured finite-d bias of κ (FT_GRADIENT_DESCENT_FLOOR)"
        if converged
        else "not converged in the authors' 5000 steps: not gated",
        predicted_by="wd_ft_transferability, κ = √p c",
        d=cell.d,
    )
    frozen = difference_check(
        f"{_label(cell)}: contrast",
        scratch,
        arrays["generalisation"],
        ctx.theory.wd_ft_transferability_frozen(cell.theta, gamma, decay),
        floor=_ft_floor(cell.d),
        gated=False,
        note="what eq. 143's assumption (κ = p) predicts: a contrast, not gated",
        predicted_by="wd_ft_transferability_frozen, κ = 1 − λ_p/2",
        d=cell.d,
    )
    return [main, frozen]


def _fine_tuning_cells_checks(ctx: Context, at_best_decay: bool) -> list[Check]:
    """The fine-tuning cells of the sweep pretrained on the grid of decays (with the frozen
    contrast) or with the best decay of their angle (``at_best_decay``; no contrast)."""
    scratch = _scratch_cells(ctx)
    checks = []
    for cell, arrays in decay_cells(ctx):
        on_grid = cell.pretrain_weight_decay in PRETRAIN_DECAYS
        if cell.procedure != "fine_tuning" or on_grid == at_best_decay:
            continue
        main, contrast = _ft_check(ctx, cell, arrays, scratch[(cell.n, cell.sigma)])
        checks += [main] if at_best_decay else [main, contrast]
    return checks


@claim(
    "ext-wd-fine-tuning",
    "Extension: after pretraining with weight decay, T_ft = (1 − γ)(2κ cos θ − κ²) with κ = √p c",
    REFERENCE,
    archived=(SWEEP, "scratch"),
    extension=True,
)
def _fine_tuning() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        decayed = get("wd_ft_transferability").expr.args[0].expr
        balanced = get("ft_transferability_balanced").expr.args[0].expr
        return [
            *_steps_checks("wd_ft_scale", {10: "the positive root with a → p a"}),
            *_steps_checks("wd_ft_transferability", {}),
            _identity_check(
                "wd_ft_transferability at λ_p = 0 − ft_transferability_balanced",
                decayed.subs(lambda_p, 0) - balanced,
                "the balanced correction of eq. 15 at λ_p = 0",
            ),
        ]

    def montecarlo_tier(ctx: Context) -> list[Check]:
        checks = []
        n, d = 100, 200
        for decay, theta, sigma in (
            (0.5, math.pi / 3, 0.0),
            (1.0, math.pi / 3, 0.0),
            (1.5, 3 * math.pi / 8, 0.0),
            (1.0, 3 * math.pi / 8, 0.2),
        ):
            p = ctx.theory.wd_pretrain_end_point(decay)
            paired = montecarlo.fine_tuning_risks(
                theta, n, d, sigma, ctx.draws(), balanced=True, start_scale=p, seed=ctx.seed
            )
            where = f"λ_p={decay:g}, θ={theta / math.pi:.3g}π, n={n}, d={d}, σ={sigma:g}"
            checks.append(
                mean_check(
                    where,
                    paired.transferability,
                    ctx.theory.wd_ft_transferability(theta, n / d, sigma, decay),
                    floor=FT_SCALE_BIAS_PER_D / d,
                    note="the exact per-draw end point; floor: the finite-d bias of κ",
                    predicted_by="wd_ft_transferability",
                    d=d,
                )
            )
            checks.append(
                mean_check(
                    f"{where}: contrast",
                    paired.transferability,
                    ctx.theory.wd_ft_transferability_frozen(theta, n / d, decay),
                    floor=FT_SCALE_BIAS_PER_D / d,
                    gated=False,
                    note="eq. 143's assumption (κ = p): a contrast, not gated",
                    predicted_by="wd_ft_transferability_frozen",
                    d=d,
                )
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        return _fine_tuning_cells_checks(ctx, at_best_decay=False)

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier, "simulation": simulation}


# ---- the best pretraining decay ----------------------------------------------------------------
def _in_range_check(theta: float, gamma: float, best: float) -> Check:
    """A failing check: the derived optimum must be a decay that leaves a network, in [0, 2)."""
    return exact_check(
        f"θ={theta / math.pi:.3g}π, γ={gamma:g}: λ_p* = {best:.4g} lies in [0, 2)",
        0.0,
        1.0,
        0.0,
        "wd_ft_optimal_decay's step 7 shows 0 <= λ_p* <= 2 (2 only at θ = π/2)",
        predicted_by="wd_ft_optimal_decay",
    )


@claim(
    "ext-wd-optimal-decay",
    "Extension: with the best pretraining weight decay fine-tuning never transfers negatively, "
    "T_ft = (1 − γ)cos²θ",
    REFERENCE,
    archived=(SWEEP, "scratch"),
    extension=True,
)
def _optimal_decay() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        checks = _steps_checks("wd_ft_optimal_decay", {5: "p* = C/√(aC + b)"})
        grid = np.linspace(0.0, 1.999, 2000)
        for theta, gamma, sigma in ((math.pi / 3, 0.5, 0.0), (0.4 * math.pi, 0.3, 0.2)):
            best, gain = ctx.theory.wd_ft_optimal_decay(theta, gamma, sigma)
            if not 0 <= best < 2:
                checks.append(_in_range_check(theta, gamma, best))
                continue
            at_best = ctx.theory.wd_ft_transferability(theta, gamma, sigma, best)
            on_grid = float(np.max(ctx.theory.wd_ft_transferability(theta, gamma, sigma, grid)))
            where = f"θ={theta / math.pi:.3g}π, γ={gamma:g}, σ={sigma:g}"
            checks.append(
                exact_check(
                    f"{where}: wd_ft_transferability at λ_p* = {best:.4g}",
                    at_best,
                    gain,
                    1e-12,
                    "the two records agree at the optimum",
                    predicted_by="wd_ft_optimal_decay",
                )
            )
            checks.append(
                exact_check(
                    f"{where}: the best of 2000 decays in [0, 2) exceeds it by",
                    max(on_grid - gain, 0.0),
                    0.0,
                    1e-12,
                    "no decay on the grid does better than the derived optimum",
                    predicted_by="wd_ft_optimal_decay",
                )
            )
        return checks

    def montecarlo_tier(ctx: Context) -> list[Check]:
        checks = []
        n, d, gamma = 100, 200, 0.5
        for fraction in (2 / 3, 0.9):
            theta = fraction * math.pi / 2
            best, gain = ctx.theory.wd_ft_optimal_decay(theta, gamma, 0.0)
            if not 0 <= best < 2:  # no pretrained network to fine-tune: the optimum is wrong
                checks.append(_in_range_check(theta, gamma, best))
                continue
            paired = montecarlo.fine_tuning_risks(
                theta,
                n,
                d,
                0.0,
                ctx.draws(),
                balanced=True,
                start_scale=ctx.theory.wd_pretrain_end_point(best),
                seed=ctx.seed,
            )
            checks.append(
                mean_check(
                    f"θ={theta / math.pi:.3g}π, γ={gamma:g}, σ=0, λ_p*={best:.4g}, d={d}",
                    paired.transferability,
                    gain,
                    floor=FT_SCALE_BIAS_PER_D / d,
                    note="the exact per-draw end point at the best decay",
                    predicted_by="wd_ft_optimal_decay, (1 − γ)cos²θ",
                    d=d,
                )
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        return _fine_tuning_cells_checks(ctx, at_best_decay=True)

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier, "simulation": simulation}
