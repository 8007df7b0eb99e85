"""Extensions beyond the paper (not its claims): rank-k feature spaces (docs/paper.md §11).

Pretraining on k orthonormal source teachers leaves a rank-k feature space; linear transfer then
re-fits the last layer on k features. The records of :mod:`derivations.rank_k` give the exact
risk ρ + (ρ + σ²)k/(n − k − 1), its limits, the transferability against scratch training and its
sign boundaries; these claims check them like the paper's own: the derivation steps (symbolic),
a Monte Carlo of the limit object (``montecarlo.linear_transfer_rank_k_risks``), and the
simulated networks of the ``rank_k`` extension sweep (``fate_numeric.sweeps.EXTENSION_SWEEPS``),
pretrained with k outputs and refitted by least squares. That sweep is archived at d = 500
(``archive/paper/rank_k.npz``), so the claims that read it declare ``archived=`` like the paper's
and ``verify all`` adds their simulation tier on the archived cells (``sim500``), with the same
statistics: K standard errors, the same floors and gating, the rank-k risk's standard error
guarded by its limit object; scratch training's, at d = 500, from its 20 instances, as the
paper's own d = 500 tier takes it (``verify.runner.archived_context``). Every id starts with
``ext-``, every title with "Extension:", and the claims are registered with ``extension=True``
(``verify list`` tags them ``[extension]``).

Gating follows the linear claims (:mod:`verify.claims.linear`): means within K standard errors
plus a stated floor, the standard error guarded from below by a Monte Carlo of the limit object
(the risk rests on an inverse Wishart matrix whose tail few instances miss); cells whose risk has
an infinite variance (n <= k + 3, the second inverse-Wishart moment) or an infinite scratch risk
(|n − d| <= 1) are reported, not gated.
"""

from __future__ import annotations

import math

import numpy as np

from derivations import explain
from fate_numeric import montecarlo
from fate_numeric.experiments import Cell, paired_transferability, rank_k_out_of_span
from fate_numeric.statistics import CONVERGED_LOSS
from verify.claims.core import Context, SkipTier, Tier, claim
from verify.claims.linear import FT_GRADIENT_DESCENT_FLOOR, FT_SCALE_BIAS_PER_D
from verify.model import Check
from verify.stats import difference_check, exact_check, mean_check

REFERENCE = "extension (docs/paper.md §11)"
#: The extension sweep the simulation tiers read (``fate_numeric.sweeps.EXTENSION_SWEEPS``).
SWEEP = "rank_k"
#: Floor of the simulated risks: the pretraining stops at a population loss <= 10⁻⁶, so the
#: features are the projection to about 10⁻³ (claim ext-rank-k-pretraining), as for k = 1.
PRETRAINING_FLOOR = 1e-3
#: Draws of the unit limit object behind each guarded standard error.
GUARD_DRAWS = 2000
#: Allowance of the Monte Carlo check of the κ regime at n = 200, k = 50 for its finite n (the
#: exact gap there is 6.5e-4; stated, not computed from the evaluators under test).
KAPPA_GAP_ALLOWANCE = 0.005


def _label(cell: Cell) -> str:
    rho = rank_k_out_of_span(cell)
    return f"k={cell.source_rank}, ρ={rho:.3g}, n={cell.n}, d={cell.d}, σ={cell.sigma:g}"


def _finite_variance(cell: Cell) -> bool:
    """The rank-k risk has a finite variance for n > k + 3 (second moment of (ZᵀZ)⁻¹)."""
    return cell.n > cell.source_rank + 3


def rank_k_cells(ctx: Context) -> list[tuple[Cell, dict[str, np.ndarray]]]:
    """The cells of the ``rank_k`` extension sweep with their arrays (simulated once and stored,
    or read from the archive in the d = 500 tier)."""
    return ctx.sweep(SWEEP)


_UNIT_SDS: dict[tuple[int, int, int], float] = {}


def guard_sd(ctx: Context, rho: float, n: int, k: int, sigma: float) -> float:
    """Standard deviation of the rank-k linear-transfer risk, from its limit object.

    For n > k + 1 the risk is ρ + ‖(ZᵀZ)⁻¹Zᵀu‖² with u ~ N(0, (ρ + σ²)I) independent of Z, so
    risk − ρ has the law of (ρ + σ²) times the risk − 1 at ρ = 1, σ = 0: one Monte Carlo per
    (n, k) (the scaling ``Context.population_sd`` uses at k = 1)."""
    if n <= k + 1:
        raise ValueError(f"the unit object of the guard needs n > k + 1; got n = {n}, k = {k}")
    key = (n, k, ctx.seed)
    if key not in _UNIT_SDS:
        unit = montecarlo.linear_transfer_rank_k_risks(1.0, n, k, 0.0, GUARD_DRAWS, seed=ctx.seed)
        _UNIT_SDS[key] = float(np.std(unit, ddof=1))
    return (rho + sigma**2) * _UNIT_SDS[key]


def _steps_checks(name: str, confirmed: dict[int, str]) -> list[Check]:
    """No step of the record fails its SymPy re-check, and the named steps are confirmed."""
    checks = explain.checked(name)
    failed = [c.number for c in checks if c.verdict is explain.Verdict.FAILED]
    out = [
        exact_check(
            f"{name}: steps whose SymPy re-check fails (of {len(checks)})",
            len(failed),
            0.0,
            0.0,
            "python -m derivations explain " + name,
        )
    ]
    for number, what in confirmed.items():
        verdict = checks[number - 1].verdict
        out.append(
            exact_check(
                f"{name} step {number} ({what}) confirmed by SymPy",
                float(verdict is explain.Verdict.CONFIRMED),
                1.0,
                0.0,
                checks[number - 1].detail,
            )
        )
    return out


# ---- pretraining -------------------------------------------------------------------------------
@claim(
    "ext-rank-k-pretraining",
    "Extension: pretraining on k orthonormal teachers leaves the projection onto their span",
    REFERENCE,
    archived=(SWEEP,),
    extension=True,
)
def _pretraining() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        return _steps_checks(
            "rank_k_pretrained_features",
            {1: "(W_1W_1ᵀ)² − BBᵀ = W_1DW_1ᵀ", 3: "B_sB_sᵀ is a projection"},
        )

    def simulation(ctx: Context) -> list[Check]:
        """Per pretrained network (one per k and θ): W_1W_1ᵀ = P_k to the pretraining's
        accuracy (‖W_1W_2 − B_s‖_F = √loss moves K by at most about √2 √loss), k singular values
        1 and the next one below the refit's rank threshold."""
        checks, seen = [], set()
        for cell, arrays in rank_k_cells(ctx):
            key = (cell.source_rank, cell.theta)
            if key in seen:
                continue
            seen.add(key)
            k = cell.source_rank
            root_loss = math.sqrt(float(arrays["pretrain_loss"][0]))
            allowance = 2 * root_loss + 1e-4
            singular = arrays["feature_singular_values"][0]
            label = f"k={k}, θ={cell.theta / math.pi:.3g}π, d={cell.d}"
            checks += [
                exact_check(
                    f"{label}: ‖W_1W_1ᵀ − P_k‖_F",
                    float(arrays["projection_error"][0]),
                    0.0,
                    allowance,
                    f"2√(pretraining loss) + 1e-4; {int(arrays['pretrain_steps'][0])} steps",
                    predicted_by="the balanced end point P_k (rank_k_pretrained_features)",
                    d=cell.d,
                ),
                exact_check(
                    f"{label}: max |s_i − 1| over the top k singular values",
                    float(np.max(np.abs(singular[:k] - 1.0))),
                    0.0,
                    allowance,
                    "2√(pretraining loss) + 1e-4",
                    predicted_by="singular values 1 of P_k (rank_k_pretrained_features)",
                    d=cell.d,
                ),
                exact_check(
                    f"{label}: s_(k+1)/s_1, the first singular value outside the features",
                    float(singular[k] / singular[0]),
                    cell.rank_rtol,
                    0.0,
                    "below the refit's rank threshold: the refit sees rank k",
                    relation="<",
                    d=cell.d,
                ),
            ]
        return checks

    return {"symbolic": symbolic, "simulation": simulation}


# ---- the risk ------------------------------------------------------------------------------------
@claim(
    "ext-rank-k-lt-risk",
    "Extension: linear-transfer risk from a rank-k feature space at finite n",
    REFERENCE,
    archived=(SWEEP,),
    extension=True,
)
def _lt_risk() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        """The derivation re-checked (k = 1 is eq. 10, k = d with ρ = 0 the scratch risk), and
        the same two reductions through the evaluators."""
        checks = _steps_checks(
            "lt_risk_rank_k",
            {7: "k = 1, ρ = sin²θ: eq. 10", 8: "k = d, ρ = 0: scratch_risk_finite"},
        )
        for theta, n, sigma in ((math.pi / 6, 10, 0.2), (math.pi / 3, 50, 1.0)):
            checks.append(
                exact_check(
                    f"k = 1, ρ = sin²θ, θ={theta / math.pi:.3g}π, n={n}, σ={sigma:g}",
                    ctx.theory.lt_risk_rank_k(math.sin(theta) ** 2, n, 1, sigma),
                    ctx.theory.lt_risk(theta, n, sigma),
                    1e-12,
                    "lt_risk_rank_k against lt_risk (eq. 10)",
                )
            )
        for kappa, rho, sigma in ((0.25, 0.2, 0.3), (0.5, 0.0, 1.0), (2.0, 0.3, 0.2)):
            big = 10**7
            checks.append(
                exact_check(
                    f"k = κn at n = 10⁷ → the κ law, κ={kappa:g}, ρ={rho:g}, σ={sigma:g}",
                    ctx.theory.lt_risk_rank_k(rho, big, round(kappa * big), sigma),
                    ctx.theory.lt_risk_rank_k_proportional(rho, kappa, sigma),
                    1e-5,
                    "lt_risk_rank_k at large n against lt_risk_rank_k_proportional (gap O(1/n))",
                )
            )
        for n, d, sigma in ((10, 40, 0.2), (80, 40, 0.2)):
            checks.append(
                exact_check(
                    f"k = d, ρ = 0, n={n}, d={d}, σ={sigma:g}",
                    ctx.theory.lt_risk_rank_k(0.0, n, d, sigma),
                    ctx.theory.scratch_risk_finite(n, d, sigma),
                    1e-12,
                    "lt_risk_rank_k against scratch_risk_finite",
                )
            )
        return checks

    def montecarlo_tier(ctx: Context) -> list[Check]:
        checks = []
        draws = ctx.draws() * 5
        for rho, n, k, sigma in (
            (0.3, 20, 4, 0.2),
            (0.5, 30, 8, 0.2),
            (0.1, 12, 2, 1.0),
            (0.3, 5, 20, 0.2),  # more features than samples: the minimum-norm refit
        ):
            risks = montecarlo.linear_transfer_rank_k_risks(rho, n, k, sigma, draws, seed=ctx.seed)
            checks.append(
                mean_check(
                    f"ρ={rho:g}, n={n}, k={k}, σ={sigma:g}",
                    risks,
                    ctx.theory.lt_risk_rank_k(rho, n, k, sigma),
                    floor=1e-12,
                    predicted_by="lt_risk_rank_k (exact)",
                )
            )
        # the κ regime: k = κn, against the limit within an allowance for the finite-n gap
        rho, n, k, sigma = 0.2, 200, 50, 0.3
        risks = montecarlo.linear_transfer_rank_k_risks(rho, n, k, sigma, draws, seed=ctx.seed)
        limit = ctx.theory.lt_risk_rank_k_proportional(rho, k / n, sigma)
        checks.append(
            mean_check(
                f"κ = k/n = {k}/{n}, ρ={rho:g}, σ={sigma:g}: the proportional limit",
                risks,
                limit,
                floor=KAPPA_GAP_ALLOWANCE,
                note=f"floor {KAPPA_GAP_ALLOWANCE:g}: the exact finite-n gap (ρ + σ²)"
                "(k/(n − k − 1) − κ/(1 − κ)) is 6.5e-4 at these sizes",
                predicted_by="lt_risk_rank_k_proportional (k/n → κ)",
            )
        )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        return [
            mean_check(
                _label(cell),
                arrays["generalisation"][0],
                ctx.theory.lt_risk_rank_k(
                    rank_k_out_of_span(cell), cell.n, cell.source_rank, cell.sigma
                ),
                floor=PRETRAINING_FLOOR,
                gated=_finite_variance(cell),
                note="floor: pretraining tolerance"
                + ("" if _finite_variance(cell) else "; n <= k + 3: infinite variance"),
                population_sd=guard_sd(
                    ctx, rank_k_out_of_span(cell), cell.n, cell.source_rank, cell.sigma
                )
                if cell.n > cell.source_rank + 1
                else None,
                predicted_by="lt_risk_rank_k (exact)",
                d=cell.d,
            )
            for cell, arrays in rank_k_cells(ctx)
        ]

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier, "simulation": simulation}


# ---- transferability and its boundaries ---------------------------------------------------------
def _scratch(ctx: Context) -> dict[tuple[int, float], np.ndarray]:
    return {
        (cell.n, cell.sigma): arrays["generalisation"]
        for cell, arrays in ctx.sweep("scratch")
        if cell.weight_decay == 0.0
    }


@claim(
    "ext-rank-k-transferability",
    "Extension: transferability of rank-k linear transfer and its negative-transfer boundaries",
    REFERENCE,
    archived=(SWEEP, "scratch"),
    extension=True,
)
def _transferability() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        """The boundaries are zeros of T (through their evaluators), and the finite-size T and
        boundary tend to the proportional-limit ones (d = 10⁶ at fixed k)."""
        theory = ctx.theory
        checks = _steps_checks(
            "lt_transferability_rank_k_finite", {4: "limit n = γd, d → ∞ at fixed k"}
        )
        for n, d, k, sigma in ((20, 40, 2, 0.2), (30, 40, 8, 0.2), (80, 40, 4, 0.2)):
            boundary = float(theory.lt_rank_k_boundary_finite(n, d, k, sigma))
            checks.append(
                exact_check(
                    f"T at ρ* = {boundary:.4g}, n={n}, d={d}, k={k}, σ={sigma:g}",
                    theory.lt_transferability_rank_k_finite(boundary, n, d, k, sigma),
                    0.0,
                    1e-12,
                    "lt_rank_k_boundary_finite is the zero of lt_transferability_rank_k_finite",
                )
            )
        for rho, sigma in ((0.75, 0.2), (0.9, 0.1), (0.5, 0.05)):
            lower, upper = theory.lt_negative_interval_rank_k(rho, sigma)
            over = theory.lt_negative_threshold_overparam_rank_k(rho, sigma)
            for name, gamma in (("γ₋", lower), ("γ₊", upper), ("1 + σ²/ρ", over)):
                checks.append(
                    exact_check(
                        f"T at {name}, ρ={rho:g}, σ={sigma:g}",
                        theory.lt_transferability_rank_k(rho, gamma, sigma),
                        0.0,
                        1e-12,
                        "a boundary of the sign of T (k fixed, proportional limit)",
                    )
                )
        big = 10**6
        for rho, gamma, k, sigma in ((0.1, 0.5, 4, 0.2), (0.6, 0.25, 8, 0.2), (0.3, 1.5, 2, 0.2)):
            n = round(gamma * big)
            checks.append(
                exact_check(
                    f"T(n = γd, d = 10⁶) → T(γ), ρ={rho:g}, γ={gamma:g}, k={k}",
                    theory.lt_transferability_rank_k_finite(rho, n, big, k, sigma),
                    theory.lt_transferability_rank_k(rho, gamma, sigma),
                    1e-3,
                    "the finite-size gap is O(k/n + 1/d) ~ 1e-5 here",
                )
            )
            checks.append(
                exact_check(
                    f"ρ*(n = γd, d = 10⁶) → eq. 8, γ={gamma:g}, k={k}",
                    theory.lt_rank_k_boundary_finite(n, big, k, sigma),
                    theory.scratch_risk(gamma, sigma),
                    1e-3,
                    "the boundary of every k tends to sin²θ = R_sc (eq. 11's)",
                )
            )
        return checks

    def montecarlo_tier(ctx: Context) -> list[Check]:
        """Independent Monte Carlos of scratch training and of rank-k linear transfer."""
        checks = []
        draws = ctx.draws() * 5
        for rho, n, d, k, sigma in (
            (0.1, 10, 40, 2, 0.2),
            (0.5, 30, 40, 8, 0.2),
            (0.3, 60, 40, 4, 0.2),
        ):
            scratch = montecarlo.scratch_risks(n, d, sigma, draws, seed=ctx.seed)
            transfer = montecarlo.linear_transfer_rank_k_risks(
                rho, n, k, sigma, draws, seed=ctx.seed + 1
            )
            checks.append(
                difference_check(
                    f"ρ={rho:g}, n={n}, d={d}, k={k}, σ={sigma:g}",
                    scratch,
                    transfer,
                    ctx.theory.lt_transferability_rank_k_finite(rho, n, d, k, sigma),
                    floor=1e-12,
                    predicted_by="lt_transferability_rank_k_finite (exact)",
                )
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        scratch = _scratch(ctx)
        checks = []
        for cell, arrays in rank_k_cells(ctx):
            runs = scratch.get((cell.n, cell.sigma))
            if runs is None:
                raise SkipTier(f"no scratch cell at n = {cell.n}, σ = {cell.sigma:g}")
            singular = abs(cell.n - cell.d) <= 1
            gated = not singular and _finite_variance(cell)
            reason = "; |n − d| <= 1" if singular else ""
            reason += "" if _finite_variance(cell) else "; n <= k + 3: infinite variance"
            checks.append(
                difference_check(
                    _label(cell),
                    runs,
                    arrays["generalisation"][0],
                    ctx.theory.lt_transferability_rank_k_finite(
                        rank_k_out_of_span(cell), cell.n, cell.d, cell.source_rank, cell.sigma
                    ),
                    floor=2e-3,
                    gated=gated,
                    population_sds=(
                        ctx.population_sd("scratch", cell.n, cell.d, cell.sigma),
                        guard_sd(
                            ctx, rank_k_out_of_span(cell), cell.n, cell.source_rank, cell.sigma
                        ),
                    )
                    if gated
                    else None,
                    note="exact finite-size T = E R_sc(n, d) − lt_risk_rank_k" + reason,
                    predicted_by="lt_transferability_rank_k_finite (exact)",
                    d=cell.d,
                )
            )
        return checks

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier, "simulation": simulation}


# ---- fine-tuning from a rank-k start: the simulated networks -------------------------------------
#: The extension sweep of networks fine-tuned from a rank-k start (``EXTENSION_SWEEPS``).
FT_SWEEP = "rank_k_fine_tuning"
#: Finite-d allowance of the aligned head's transferability, per further feature (k − 1) and 1/d:
#: a *measured* number, not a derived one. The head's other entries drift by O(1/√d) each, in
#: step with the fluctuations of UᵀNU, which costs O((k − 1)/d) of transferability that the
#: record's limit leaves out. Measured with the simulated networks (seed 1, σ = 0.2, ρ ∈ {0.5, 1},
#: γ ∈ {0.25, 0.5, 0.75}, R_sc − R_ft per data set): (mean − formula) × d/(k − 1) at k = 8 lies
#: between −0.90 ± 0.08 and −0.18 ± 0.04 at d = 40 (256 instances), −0.88 ± 0.14 and −0.10 ± 0.09
#: at d = 80 (128), −1.20 ± 0.29 and −0.12 ± 0.23 at d = 160 (64): stable in d, always negative
#: (the drift costs), largest at ρ = 1; at k = 2 every value is within 2 SE of 0. 1.5 covers it.
ALIGNED_HEAD_BIAS_PER_K_AND_D = 1.5
#: Bound on d‖c_⊥‖²/(k − 1), the drift of the head's other entries (c_j = O(1/√d) each: the
#: concentration step of ft_rank_k_aligned_transferability). Measured in the same runs: 0.07 to
#: 0.42 at d = 40, 80 and 160, and 0.03 to 0.26 on the archived d = 500 cells: O(1), as the step
#: argues, where an O(1) drift of each entry would give O(d).
HEAD_DRIFT_BOUND = 1.0
_FLOOR_WORDS = (
    "gradient descent + the measured finite-d bias of the balanced scale and of the head's "
    "drift (ALIGNED_HEAD_BIAS_PER_K_AND_D)"
)


def rank_k_fine_tuning_cells(ctx: Context) -> list[tuple[Cell, dict[str, np.ndarray]]]:
    """The cells of the ``rank_k_fine_tuning`` extension sweep with their arrays."""
    return ctx.sweep(FT_SWEEP)


def _fine_tuning_floor(cell: Cell) -> float:
    """Gradient descent, the finite-d bias of the balanced scale (as at k = 1) and the measured
    O((k − 1)/d) of the head's drift."""
    return (
        FT_GRADIENT_DESCENT_FLOOR
        + FT_SCALE_BIAS_PER_D / cell.d
        + ALIGNED_HEAD_BIAS_PER_K_AND_D * (cell.source_rank - 1) / cell.d
    )


def _fine_tuning_gate(cell: Cell, arrays: dict[str, np.ndarray]) -> tuple[bool, str]:
    """Cells at the interpolation threshold (|n − d| <= 1: an infinite minimum-norm risk) and
    cells below it that the authors' 5000 steps leave unconverged are reported, not gated."""
    if abs(cell.n - cell.d) <= 1:
        return False, "|n − d| <= 1: infinite scratch risk, not gated"
    if cell.n < cell.d and float(np.max(arrays["train_loss"])) > CONVERGED_LOSS:
        return False, "not converged in the authors' 5000 steps: not gated"
    return True, ""


# ---- fine-tuning from a rank-k start: the bound ------------------------------------------------
#: Allowance of the Monte Carlo of the best head for its finite d, per feature and 1/d: a
#: *measured* number, not a derived one (the bound is a proportional limit at fixed k). Measured
#: with ``montecarlo.fine_tuning_rank_k_best_transferabilities(ρ, n, d, k, 2000, seed=1)`` against
#: the bound: d × (mean − bound) = 0.37, 0.40, 0.60, 1.05, −0.25 (standard errors 0.2, 0.15, 0.3,
#: 0.14, 0.23) at (ρ, n, d, k) = (0.3, 100, 200, 4), (0.3, 50, 100, 4), (0.3, 200, 400, 4),
#: (0.6, 40, 200, 8), (0, 100, 200, 2): at most 0.15 k; k/d covers it with room.
FT_BOUND_BIAS_PER_K_AND_D = 1.0


@claim(
    "ext-rank-k-fine-tuning-bound",
    "Extension: fine-tuning from a rank-k start cannot beat (1 − γ)(1 − ρ)",
    REFERENCE,
    archived=(FT_SWEEP,),
    extension=True,
)
def _fine_tuning_bound() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        """The flow's invariants and the bound's completion of the square are re-checked; at
        k = 1 eq. 15 lies below the bound (strictly for θ > 0)."""
        checks = _steps_checks(
            "ft_rank_k_flow",
            {1: "dA/dt = −g cᵀ", 2: "dc/dt = −Aᵀg", 3: "AᵀA − ccᵀ conserved"},
        )
        checks += _steps_checks("ft_rank_k_transferability_bound", {6: "eq. 15 below the bound"})
        for theta, gamma in ((math.pi / 6, 0.3), (math.pi / 3, 0.6), (math.pi / 2, 0.1)):
            checks.append(
                exact_check(
                    f"k = 1, θ={theta / math.pi:.3g}π, γ={gamma:g}: bound − eq. 15",
                    ctx.theory.ft_rank_k_transferability_bound(math.sin(theta) ** 2, gamma)
                    - ctx.theory.ft_transferability(theta, gamma),
                    0.0,
                    0.0,
                    "eq. 15 (the head c = 1) is one head among those the bound covers",
                    relation=">",
                )
            )
        return checks

    def montecarlo_tier(ctx: Context) -> list[Check]:
        """The best head's transferability per draw, max_c ‖Nβ_t‖² − ‖N(Uc − β_t)‖², against its
        proportional limit, the bound."""
        checks = []
        draws = ctx.draws() * 5
        for rho, n, d, k in ((0.1, 25, 100, 4), (0.5, 20, 100, 2)):
            best = montecarlo.fine_tuning_rank_k_best_transferabilities(
                rho, n, d, k, draws, seed=ctx.seed
            )
            allowance = FT_BOUND_BIAS_PER_K_AND_D * k / d
            checks.append(
                mean_check(
                    f"ρ={rho:g}, n={n}, d={d}, k={k}: the best head",
                    best,
                    ctx.theory.ft_rank_k_transferability_bound(rho, n / d),
                    floor=allowance,
                    note=f"floor: the measured finite-d allowance k/d = {allowance:.3g}",
                    predicted_by="ft_rank_k_transferability_bound (proportional limit)",
                    d=d,
                )
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        """The networks fine-tuned from the rank-k start, per data set against the minimum-norm
        fit to the same data: not significantly above the bound."""
        checks = []
        for cell, arrays in rank_k_fine_tuning_cells(ctx):
            if cell.n >= cell.d:
                continue  # the bound is 0 there: claim ext-rank-k-fine-tuning checks T = 0
            gated, reason = _fine_tuning_gate(cell, arrays)
            allowance = FT_BOUND_BIAS_PER_K_AND_D * cell.source_rank / cell.d
            checks.append(
                mean_check(
                    _label(cell),
                    paired_transferability(arrays),
                    ctx.theory.ft_rank_k_transferability_bound(
                        rank_k_out_of_span(cell), cell.n / cell.d
                    ),
                    floor=FT_GRADIENT_DESCENT_FLOOR + allowance,
                    gated=gated,
                    relation="≤",
                    note="R_sc − R_ft per data set; floor: gradient descent + the best head's "
                    f"measured finite-d allowance k/d = {allowance:.3g}"
                    + (f"; {reason}" if reason else ""),
                    predicted_by="ft_rank_k_transferability_bound (proportional limit)",
                    d=cell.d,
                )
            )
        return checks

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier, "simulation": simulation}


# ---- fine-tuning from a rank-k start through the aligned head ----------------------------------
@claim(
    "ext-rank-k-fine-tuning",
    "Extension: fine-tuning from a rank-k start through the aligned head transfers as from rank "
    "one with sin²θ = ρ",
    REFERENCE,
    archived=(FT_SWEEP,),
    extension=True,
)
def _fine_tuning_aligned() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        """The aligned flow's reduction to rank one, the substitution and the gap to the bound."""
        return _steps_checks(
            "ft_rank_k_aligned_transferability",
            {
                1: "the other features stay",
                2: "(A_1, c_1) follow the rank-one flow",
                3: "the rank-one balance",
                6: "ft_transferability_balanced at sin²θ = ρ",
                7: "σ = 0: eq. 15 at sin²θ = ρ",
                8: "the gap to the bound",
            },
        )

    def montecarlo_tier(ctx: Context) -> list[Check]:
        """The reduced per-draw end point (aligned head, c_⊥ = 0: β̂_sc + c_1(I − P)β_s1 with
        c_1 the balanced root of the data set) is rank-one fine-tuning at sin²θ = ρ, sampled by
        ``montecarlo.fine_tuning_risks(balanced=True)``; its mean against the limit."""
        checks = []
        n, d = 100, 200
        for rho, sigma in ((0.15, 0.2), (0.5, 0.2), (0.85, 0.0)):
            theta = math.asin(math.sqrt(rho))
            paired = montecarlo.fine_tuning_risks(
                theta, n, d, sigma, ctx.draws(), balanced=True, seed=ctx.seed
            )
            checks.append(
                mean_check(
                    f"ρ={rho:g}, n={n}, d={d}, σ={sigma:g}: the aligned end point",
                    paired.transferability,
                    ctx.theory.ft_rank_k_aligned_transferability(rho, n / d, sigma),
                    floor=FT_SCALE_BIAS_PER_D / d,
                    note="the per-draw end point with c_⊥ = 0; floor: the balanced scale's "
                    "finite-d bias (the head's drift is the networks' to show)",
                    predicted_by="ft_rank_k_aligned_transferability (proportional limit)",
                    d=d,
                )
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        """Per cell: R_sc − R_ft per data set against the aligned prediction, and the drift of
        the head's other entries against its O(1/√d) bound."""
        checks = []
        for cell, arrays in rank_k_fine_tuning_cells(ctx):
            gated, reason = _fine_tuning_gate(cell, arrays)
            checks.append(
                mean_check(
                    _label(cell),
                    paired_transferability(arrays),
                    ctx.theory.ft_rank_k_aligned_transferability(
                        rank_k_out_of_span(cell), cell.n / cell.d, cell.sigma
                    ),
                    floor=_fine_tuning_floor(cell),
                    gated=gated,
                    note="R_sc − R_ft per data set; floor: "
                    + _FLOOR_WORDS
                    + (f"; {reason}" if reason else ""),
                    predicted_by="ft_rank_k_aligned_transferability (proportional limit)",
                    d=cell.d,
                )
            )
            if cell.n < cell.d:
                drift = (arrays["final_head"][:, 1:] ** 2).sum(-1)
                checks.append(
                    mean_check(
                        f"{_label(cell)}: d‖c_⊥‖²/(k − 1)",
                        drift * cell.d / (cell.source_rank - 1),
                        HEAD_DRIFT_BOUND,
                        gated=gated,
                        relation="≤",
                        note="the head's other entries c_j = O(1/√d) (HEAD_DRIFT_BOUND)",
                        predicted_by="the concentration step of ft_rank_k_aligned_transferability",
                        d=cell.d,
                    )
                )
        return checks

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier, "simulation": simulation}
