"""The claims of the linear theory and the evidence for each.

See docs/design.md §6 for the claim machinery and docs/paper.md §3, §8, §9 for the results.

Every claim has up to four tiers — ``symbolic``, ``precision``, ``montecarlo``, ``simulation`` —
each a function from the run's :class:`Context` to a list of :class:`~verify.model.Check` s. All
predictions come from :mod:`fate_numeric.theory` through ``ctx.theory`` (never a retyped formula),
so a broken evaluator turns its claims FAIL. Simulations come from the named sweeps of
:mod:`fate_numeric.sweeps` and the probes of :mod:`fate_numeric.probes` (one-off simulations of
single claims), both through the store: a second run reuses them.

Gating. Simulated means are compared with the *exact finite-size* expectation where one exists
(scratch: inverse-Wishart means; linear transfer: eq. 10; fine-tuning at σ = 0: eq. 15 at γ = n/d),
within K standard errors plus a stated floor. Cells next to a singularity (|n − d| <= 1, where the
expected scratch risk is infinite) are reported, not gated; so are fine-tuning cells that the
authors' 5000 steps leave unconverged (training loss above 10⁻⁵, near γ = 1 where the smallest
eigenvalue of XᵀX/n vanishes) — the number of such cells is printed.
"""

from __future__ import annotations

import dataclasses
import math

import mpmath
import numpy as np
import sympy as sp

from derivations.paper import PLOTTED
from derivations.registry import get
from derivations.symbols import ratio, x_eig
from fate_numeric import montecarlo
from fate_numeric.experiments import Cell
from fate_numeric.probes import (
    BalancedFineTuning,
    ConservationDrift,
    PopulationTimeCourse,
    ScratchMinimumNorm,
)
from fate_numeric.statistics import CONVERGED_LOSS, RESIDUAL_FLOOR
from fate_numeric.sweeps import PROFILES
from verify.claims.core import Context, SkipTier, Tier, claim, paper_check
from verify.model import Check
from verify.stats import K, difference_check, exact_check, mean_check, pooled_check

#: The finite-d bias allowance of claim fine-tuning-scale, per 1/d: a *measured* number, not a
#: derived one. The balanced correction (``ft_transferability_balanced``) is a proportional
#: limit: it replaces the random scale c, the positive root of c⁴ − ‖(I − P)β_s‖²c² − ‖β̂_sc‖² = 0,
#: by its deterministic equivalent. At finite d the fluctuations of the two norms (and the
#: inverse-Wishart corrections of their means) shift E T_ft by O(1/d) through the nonlinear root;
#: that coefficient is not derived here. It was measured with the Monte Carlo of the exact
#: per-draw gradient-flow end point, ``montecarlo.fine_tuning_risks(π/3, d/2, d, 1.0, 40000,
#: balanced=True, seed=1)``, against ``theory.ft_transferability_balanced(π/3, 0.5, 1.0)``:
#: d × (mean − formula) = −0.28, −0.22, −0.30, −0.22 (standard errors 0.03, 0.04, 0.05, 0.08) at
#: d = 20, 40, 80, 160 (n = d/2, the claim's σ and θ). 0.35/d covers it with some room;
#: ``tests/verify/test_claims.py`` re-measures it at the claim's d = 40.
FT_SCALE_BIAS_PER_D = 0.35
#: Allowance of a simulated fine-tuning transferability for gradient descent's finite step and
#: time (the authors' 5000 steps at lr 0.01), beside its standard errors.
FT_GRADIENT_DESCENT_FLOOR = 5e-3


def _near_singular(cell: Cell) -> bool:
    return abs(cell.n - cell.d) <= 1


def _label(cell: Cell) -> str:
    parts = [f"n={cell.n}", f"d={cell.d}", f"σ={cell.sigma:g}"]
    if cell.procedure != "scratch":
        parts.insert(0, f"θ={cell.theta / math.pi:.3g}π")
    if cell.weight_decay:
        parts.append(f"wd={cell.weight_decay:g}")
    return ", ".join(parts)


def _scratch_cells(ctx: Context, decay: float = 0.0) -> dict[tuple[int, float], np.ndarray]:
    return {
        (cell.n, cell.sigma): arrays["generalisation"]
        for cell, arrays in ctx.sweep("scratch")
        if cell.weight_decay == decay
    }


# ---- gradient flow -------------------------------------------------------------------------------
@claim("gf-conservation", "Gradient flow conserves the layer imbalances D_l", "eq. 36")
def _conservation() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        checks = []
        for name in ("gf_conservation_L2", "gf_conservation_L3"):
            expr = get(name).expr
            matrices = list(expr) if isinstance(expr, sp.Tuple) else [expr]
            largest = max(abs(float(v)) for m in matrices for v in m)
            checks.append(
                exact_check(
                    f"{name}: entries of dD/dt", largest, 0.0, 0.0, "SymPy's expanded derivative"
                )
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        probe = ConservationDrift(
            d=20,
            n=30,
            theta=0.5,
            sigma=0.2,
            depth=3,
            alpha=0.5,
            instances=8,
            seed=ctx.seed,
            descents=((0.02, 100), (0.01, 200)),
        )
        (arrays,) = ctx.run([probe])
        drifts = arrays["mean_drift"]
        ratio_ = float(drifts[0] / drifts[1])
        return [
            exact_check(
                "drift(lr) / drift(lr/2) over the same time, L = 3",
                ratio_,
                2.0,
                0.3,
                "gradient descent drifts by O(lr): the ratio tends to 2",
            )
        ]

    return {"symbolic": symbolic, "simulation": simulation}


@claim(
    "pretrain-time-course",
    "Population pretraining follows the logistic a(t)",
    "Lemma 3.3 (dsolve solution)",
)
def _time_course() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        a0, lr = 1e-3, 1e-3
        probe = PopulationTimeCourse(
            d=30, theta=0.3, a0=a0, lr=lr, times=(1.0, 2.0, 3.0), seed=ctx.seed
        )
        (arrays,) = ctx.run([probe])
        checks = []
        for time_, coefficient in zip(probe.times, arrays["coefficient"], strict=True):
            measured = float(coefficient)
            predicted = float(ctx.theory.pretrain_coefficient(time_, a0))
            checks.append(
                exact_check(
                    f"a(t = {time_:g}), a0 = {a0:g}",
                    measured,
                    predicted,
                    0.02,
                    f"gradient descent with lr {lr:g}: O(lr · t) discretisation",
                )
            )
        return checks

    return {"simulation": simulation}


@claim(
    "pretraining-rank-one",
    "Pretraining converges to β_s with a rank-one feature map",
    "Lemma 3.3, Thm 3.4",
    archived=("phase_diagram",),
)
def _rank_one() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        cells = [(c, a) for c, a in ctx.sweep("phase_diagram") if c.procedure == "linear_transfer"]
        losses = np.concatenate([a["pretrain_loss"] for _, a in cells])
        top = np.concatenate([a["feature_singular_values"][:, 0] for _, a in cells])
        second = np.concatenate([a["feature_singular_values"][:, 1] for _, a in cells])
        alpha = cells[0][0].alpha
        return [
            exact_check(
                "largest pretraining loss",
                losses.max(),
                0.0,
                cells[0][0].tol,
                "early stopping at the authors' tol",
            ),
            exact_check(
                "largest |s₁ − 1|",
                np.abs(top - 1).max(),
                0.0,
                2e-3,
                "loss <= 1e-6 bounds |‖β̂‖ − 1| by about 1e-3",
            ),
            exact_check("largest s₂", second.max(), 0.0, 10 * alpha, "O(α) with α = 1e-5"),
        ]

    return {"simulation": simulation}


@claim("scratch-min-norm", "Scratch training from small initialisation ends at X⁺y", "Thm 3.5")
def _min_norm() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        alpha = 1e-4
        probe = ScratchMinimumNorm(
            d=30,
            n=12,
            theta=0.5,
            sigma=0.2,
            alpha=alpha,
            instances=6,
            seed=ctx.seed,
            lr=0.1,
            steps=4000,
        )
        (arrays,) = ctx.run([probe])
        distance = float(arrays["distance"].max())
        return [
            exact_check(
                "max ‖β̂ − X⁺y‖, n = 12, d = 30",
                distance,
                0.0,
                100 * alpha,
                "deviation O(α), α = 1e-4",
            )
        ]

    return {"simulation": simulation}


# ---- scratch -------------------------------------------------------------------------------------
@claim("scratch-risk", "Scratch risk and double descent", "Thm 3.6, eq. 8", archived=("scratch",))
def _scratch_risk() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        return paper_check("scratch_risk")

    def precision(ctx: Context) -> list[Check]:
        density = get("mp_density").expr.args[0].expr
        lower, upper = get("mp_support").expr
        mean_inverse = get("mp_inverse_moment").expr
        checks = []
        with mpmath.workdps(30):
            for c in (sp.Rational(1, 4), sp.Rational(1, 2), sp.Rational(3, 4)):
                rho = sp.lambdify(x_eig, density.subs(ratio, c), "mpmath")
                a, b = (mpmath.mpf(str(sp.N(e.subs(ratio, c), 40))) for e in (lower, upper))
                value = mpmath.quad(lambda t, rho=rho: mpmath.re(rho(t)) / t, [a, b])
                checks.append(
                    exact_check(
                        f"∫ρ(x)/x dx at c = {c}",
                        float(value),
                        float(mean_inverse.subs(ratio, c)),
                        1e-12,
                        "mpmath quadrature of the derived density, 30 digits",
                    )
                )
        return checks

    def montecarlo_tier(ctx: Context) -> list[Check]:
        checks = []
        for n, d, sigma in ((20, 60, 0.2), (100, 60, 0.2), (30, 60, 0.0)):
            risks = montecarlo.scratch_risks(n, d, sigma, ctx.draws(), seed=ctx.seed)
            checks.append(
                mean_check(
                    f"n={n}, d={d}, σ={sigma:g}",
                    risks,
                    ctx.theory.scratch_risk_finite(n, d, sigma),
                    floor=1e-12,
                    note="exact finite-size risk (scratch_risk_finite)",
                    predicted_by="the exact finite-size expectation",
                )
            )
        for n, d, sigma in ((100, 200, 0.2), (300, 200, 0.2)):  # eq. 8 itself, at d = 200
            risks = montecarlo.scratch_risks(n, d, sigma, ctx.draws(), seed=ctx.seed)
            checks.append(
                _eq8_within_its_gap(ctx, f"n={n}, d={d}, σ={sigma:g}", risks, n, d, sigma)
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        checks = []
        for cell, arrays in ctx.sweep("scratch"):
            if cell.weight_decay:
                continue
            singular = _near_singular(cell)
            checks.append(
                mean_check(
                    _label(cell),
                    arrays["generalisation"],
                    ctx.theory.scratch_risk_finite(cell.n, cell.d, cell.sigma),
                    floor=1e-3,
                    gated=not singular,
                    population_sd=None
                    if singular
                    else ctx.population_sd("scratch", cell.n, cell.d, cell.sigma),
                    predicted_by="the exact finite-size expectation",
                    note="|n − d| <= 1: infinite expectation for σ > 0 and an ill-conditioned X; "
                    "not gated"
                    if singular
                    else "exact finite-size risk (scratch_risk_finite); floor: early stopping at "
                    "tol 1e-6",
                )
            )
            if not singular:
                checks.append(
                    _eq8_within_its_gap(
                        ctx,
                        _label(cell),
                        arrays["generalisation"],
                        cell.n,
                        cell.d,
                        cell.sigma,
                        floor=1e-3,
                        population_sd=ctx.population_sd("scratch", cell.n, cell.d, cell.sigma),
                    )
                )
        return checks

    return {
        "symbolic": symbolic,
        "precision": precision,
        "montecarlo": montecarlo_tier,
        "simulation": simulation,
    }


def _eq8_within_its_gap(
    ctx: Context,
    label: str,
    samples: np.ndarray,
    n: int,
    d: int,
    sigma: float,
    *,
    floor: float = 0.0,
    population_sd: float | None = None,
) -> Check:
    """Risks at (n, d) against eq. 8 itself at γ = n/d, within the finite-size gap that the
    derivation bounds: |c₁|/d + (3/2)|c₂|/d² (``scratch_risk_correction``,
    ``scratch_risk_remainder_bound``), gated only where that bound is claimed (d|1 − γ| > 3)."""
    gamma = n / d
    first, _ = ctx.theory.scratch_risk_correction(gamma, sigma)
    bound, claimed = ctx.theory.scratch_risk_remainder_bound(gamma, sigma, d)
    gap = abs(first) / d + bound
    return mean_check(
        f"{label}: eq. 8 at γ = n/d",
        samples,
        ctx.theory.scratch_risk(gamma, sigma),
        floor=floor + gap if claimed else floor,
        gated=bool(claimed),
        population_sd=population_sd,
        predicted_by="eq. 8 (asymptotic) at γ = n/d",
        note=f"eq. 8 (scratch_risk); floor + the finite-size gap |c₁|/d + (3/2)|c₂|/d² = {gap:.3g}"
        if claimed
        else "eq. 8 (scratch_risk); d|1 − γ| <= 3, where the gap's bound is not claimed: not gated",
    )


@claim(
    "weight-decay-baseline",
    "Weight decay removes the scratch peak at γ = 1 (empirical)",
    "Fig. 5, docs/paper.md §3.10",
    archived=("scratch",),
)
def _weight_decay() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        checks = []
        for cell, arrays in ctx.sweep("scratch"):
            if cell.n != cell.d or cell.sigma == 0 or cell.weight_decay != 0:
                continue
            plain = arrays["generalisation"]
            best = min(
                (
                    a["generalisation"]
                    for c, a in ctx.sweep("scratch")
                    if c.n == cell.n and c.sigma == cell.sigma and c.weight_decay > 0
                ),
                key=lambda g: float(np.mean(g)),
            )
            checks.append(
                difference_check(
                    f"mean R_sc(wd = 0) − min over wd > 0 at n = d = {cell.n}, σ = {cell.sigma:g}",
                    plain,
                    best,
                    0.0,
                    relation=">",
                    gated=False,
                    note="weight decay lowers the interpolation peak; the expected risk at n = d "
                    "is infinite without decay, so this difference is reported, not gated",
                )
            )
            checks.append(
                mean_check(
                    f"best weight-decayed R_sc at n = d = {cell.n} vs sin²(π/2)",
                    best,
                    float(ctx.theory.lt_risk_limit(math.pi / 2)),
                    relation="<",
                    note="below the θ = π/2 linear-transfer floor: the anomalous band is gone",
                )
            )
        if not checks:
            raise SkipTier("the profile has no cell with n = d")
        return checks

    return {"simulation": simulation}


# ---- linear transfer ----------------------------------------------------------------------------
@claim(
    "lt-risk", "Linear-transfer risk at finite n", "Thm 3.7, eq. 10", archived=("phase_diagram",)
)
def _lt_risk() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        return paper_check("lt_risk")

    def montecarlo_tier(ctx: Context) -> list[Check]:
        checks = []
        for theta, n, sigma in (
            (math.pi / 8, 10, 0.2),
            (math.pi / 4, 50, 0.2),
            (3 * math.pi / 8, 5, 1.0),
        ):
            risks = montecarlo.linear_transfer_risks(
                theta, n, sigma, ctx.draws() * 5, seed=ctx.seed
            )
            checks.append(
                mean_check(
                    f"θ={theta / math.pi:.3g}π, n={n}, σ={sigma:g}",
                    risks,
                    ctx.theory.lt_risk(theta, n, sigma),
                    floor=1e-12,
                )
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        return [
            mean_check(
                _label(cell),
                arrays["generalisation"][0],
                ctx.theory.lt_risk(cell.theta, cell.n, cell.sigma),
                floor=1e-3,
                gated=cell.n > 4,
                note="floor: pretraining tolerance",
                population_sd=ctx.population_sd("linear_transfer", cell.theta, cell.n, cell.sigma),
            )
            for cell, arrays in ctx.sweep("phase_diagram")
            if cell.procedure == "linear_transfer"
        ]

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier, "simulation": simulation}


@claim(
    "lt-transferability",
    "Transferability of linear transfer and its sign",
    "Thm 3.7, eq. 11",
    archived=("scratch", "phase_diagram"),
)
def _lt_transferability() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        return paper_check("lt_transferability")

    def simulation(ctx: Context) -> list[Check]:
        scratch = _scratch_cells(ctx)
        checks = []
        for cell, arrays in ctx.sweep("phase_diagram"):
            if cell.procedure != "linear_transfer":
                continue
            singular = _near_singular(cell)
            predicted = ctx.theory.lt_transferability_finite(cell.theta, cell.n, cell.d, cell.sigma)
            checks.append(
                difference_check(
                    _label(cell),
                    scratch[(cell.n, cell.sigma)],
                    arrays["generalisation"][0],
                    predicted,
                    floor=RESIDUAL_FLOOR,
                    gated=not singular,
                    population_sds=None
                    if singular
                    else (
                        ctx.population_sd("scratch", cell.n, cell.d, cell.sigma),
                        ctx.population_sd("linear_transfer", cell.theta, cell.n, cell.sigma),
                    ),
                    note="exact finite-size T = E R_sc(n, d) − eq. 10 (lt_transferability_finite)"
                    + ("; |n − d| <= 1" if singular else ""),
                    predicted_by="the exact finite-size expectation",
                )
            )
            if not singular:
                checks.append(
                    _eq11_within_its_gap(
                        ctx, cell, scratch[(cell.n, cell.sigma)], arrays["generalisation"][0]
                    )
                )
        return checks

    return {"symbolic": symbolic, "simulation": simulation}


def _eq11_within_its_gap(
    ctx: Context, cell: Cell, scratch: np.ndarray, transfer: np.ndarray
) -> Check:
    """R_sc − R_lt at (n, d) against eq. 11 itself at γ = n/d, within the finite-size gap the
    derivations bound: T_finite − T_eq11 = (scratch gap) − (linear-transfer gap), each its
    first-order term (c₁/d, a₁/n) plus a remainder within (3/2)|c₂|/d² and (3/2)|a₂|/n²
    (``scratch_risk_correction``, ``lt_risk_correction`` and their ``*_remainder_bound``), so the
    tolerance adds |c₁/d − a₁/n| and both bounds; gated only where both bounds are claimed."""
    gamma = cell.n / cell.d
    c1, _ = ctx.theory.scratch_risk_correction(gamma, cell.sigma)
    a1, _ = ctx.theory.lt_risk_correction(cell.theta, cell.sigma)
    bound_sc, claimed_sc = ctx.theory.scratch_risk_remainder_bound(gamma, cell.sigma, cell.d)
    bound_lt, claimed_lt = ctx.theory.lt_risk_remainder_bound(cell.theta, cell.sigma, cell.n)
    gap = abs(c1 / cell.d - a1 / cell.n) + bound_sc + bound_lt
    claimed = bool(claimed_sc) and bool(claimed_lt)
    return difference_check(
        f"{_label(cell)}: eq. 11 at γ = n/d",
        scratch,
        transfer,
        ctx.theory.lt_transferability(cell.theta, gamma, cell.sigma),
        floor=RESIDUAL_FLOOR + gap,
        gated=claimed,
        population_sds=(
            ctx.population_sd("scratch", cell.n, cell.d, cell.sigma),
            ctx.population_sd("linear_transfer", cell.theta, cell.n, cell.sigma),
        ),
        predicted_by="eq. 11 (asymptotic) at γ = n/d",
        note=f"eq. 11 (lt_transferability); floor + the finite-size gap |c₁/d − a₁/n| + both "
        f"remainder bounds = {gap:.3g}"
        if claimed
        else "eq. 11 (lt_transferability); a remainder bound is not claimed here (d|1 − γ| <= 3 "
        "or n <= 6): not gated",
    )


@claim(
    "lt-negative-interval-order",
    "The printed negative-transfer interval (γ₊, γ₋)",
    "Thm 3.7",
    expected_deviation="printed with its ends swapped: T_lt < 0 on (γ₋, γ₊)",
)
def _interval() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        checks = paper_check("lt_negative_interval")
        theta = math.pi / 3
        lower, upper = ctx.theory.lt_negative_interval(theta, 0.2)
        inside = float(ctx.theory.lt_transferability(theta, (lower + upper) / 2, 0.2))
        outside = float(ctx.theory.lt_transferability(theta, lower / 2, 0.2))
        checks.append(
            exact_check(
                "T_lt at the middle of (γ₋, γ₊), θ = π/3, σ = 0.2",
                inside,
                0.0,
                0.0,
                "negative inside the derived interval",
                relation="<",
            )
        )
        checks.append(
            exact_check(
                "T_lt at γ₋/2",
                outside,
                0.0,
                0.0,
                "positive below the derived interval",
                relation=">",
            )
        )
        return checks

    return {"symbolic": symbolic}


@claim("ridge-lt", "Ridge cannot help the linear probe as n → ∞", "Thm 3.8, eq. 13")
def _ridge() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        return paper_check("ridge_lt_risk")

    def montecarlo_tier(ctx: Context) -> list[Check]:
        n = 4000
        return [
            mean_check(
                f"θ=π/8, λ={lam:g}, n={n}",
                montecarlo.linear_transfer_risks(
                    math.pi / 8, n, 0.2, ctx.draws(), lam=lam, seed=ctx.seed
                ),
                ctx.theory.ridge_lt_risk(math.pi / 8, lam),
                floor=5 / n,
                note="O(1/n) finite-n bias",
            )
            for lam in (0.0, 0.1, 0.3, 0.5)
        ]

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier}


@claim(
    "lt-authors-jitter",
    "The authors' λ = 0 point of the ridge figure",
    "docs/paper.md §9.1.1; ridge figure (γ = 0.5, θ = π/8, σ = 0.2)",
    authors_number="the λ = 0 point of the authors' ridge figure (notebook) lies far above eq. "
    "10/13, and no 20-instance mean under eq. 10 plausibly gives it; the authors' own jittered "
    "solve, simulated here, agrees with eq. 10. The cause of their number is not identified: it "
    "is neither an erratum of the paper's formula nor reproduced by this package",
)
def _authors_jitter() -> dict[str, Tier]:
    """The authors solve λ = 0 as the ridge (FᵀF + n·10⁻⁵I)⁻¹Fᵀy (transfer.py), and their ridge
    figure's λ = 0 point sits at ≈ 0.237 where eq. 13 gives sin²(π/8) = 0.146. Is the jitter the
    cause? The simulation runs their exact solve after gradient-descent pretraining, paired with
    the minimum-norm solve on the same data; the Monte Carlo tier asks whether the plotted value
    is a plausible 20-instance mean under eq. 10."""
    theta, sigma, gamma = math.pi / 8, 0.2, 0.5

    def montecarlo_tier(ctx: Context) -> list[Check]:
        plotted = PLOTTED["ridge_figure_lambda0"]
        n, instances = 250, 20
        spread = ctx.population_sd("linear_transfer", theta, n, sigma)
        return [
            exact_check(
                f"the authors' plotted λ = 0 point (n={n}, {instances} instances) vs eq. 10",
                plotted.value,
                ctx.theory.lt_risk(theta, n, sigma),
                K * spread / math.sqrt(instances),
                f"tolerance {K:g} × the per-instance sd ({spread:.3g}, Monte Carlo of the limit "
                f"object) / √{instances}: {plotted.source}",
                authors_number=True,
                predicted_by="eq. 10 at finite n",
            )
        ]

    def simulation(ctx: Context) -> list[Check]:
        d = PROFILES[ctx.profile].d
        common = dict(
            d=d,
            n=round(gamma * d),
            theta=theta,
            sigma=sigma,
            instances=PROFILES[ctx.profile].instances,
            seed=ctx.seed,
        )
        minimum_norm, jittered = (
            Cell("linear_transfer", ridges=(0.0,), authors_jitter=flag, **common)
            for flag in (False, True)
        )
        plain, authors = (a["generalisation"][0] for a in ctx.run([minimum_norm, jittered]))
        return [
            mean_check(
                f"authors' jittered λ = 0, {_label(jittered)}, vs eq. 10",
                authors,
                ctx.theory.lt_risk(theta, jittered.n, sigma),
                floor=1e-4,
                note="the jitter is a ridge λ = 10⁻⁵: its bias is below 10⁻⁴",
                population_sd=ctx.population_sd("linear_transfer", theta, jittered.n, sigma),
            ),
            mean_check(
                "paired: jittered − minimum-norm, same data",
                authors - plain,
                0.0,
                floor=1e-4,
            ),
        ]

    return {"montecarlo": montecarlo_tier, "simulation": simulation}


# ---- fine-tuning ---------------------------------------------------------------------------------
@claim(
    "fine-tuning",
    "Fine-tuning transferability",
    "Thm 3.9, eq. 15",
    archived=("scratch", "phase_diagram"),
)
def _fine_tuning() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        return paper_check("ft_transferability")

    def montecarlo_tier(ctx: Context) -> list[Check]:
        checks = []
        for theta, n, d in ((math.pi / 8, 30, 60), (math.pi / 2, 30, 60), (math.pi / 3, 90, 60)):
            paired = montecarlo.fine_tuning_risks(theta, n, d, 0.0, ctx.draws(), seed=ctx.seed)
            checks.append(
                mean_check(
                    f"θ={theta / math.pi:.3g}π, n={n}, d={d}, σ=0",
                    paired.transferability,
                    ctx.theory.ft_transferability(theta, n / d),
                    floor=1e-12,
                    note="exact at σ = 0 with γ = n/d",
                )
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        scratch = _scratch_cells(ctx)
        checks = []
        for cell, arrays in ctx.sweep("phase_diagram"):
            if cell.procedure != "fine_tuning" or cell.sigma != 0:
                continue
            converged = float(np.max(arrays["train_loss"])) <= CONVERGED_LOSS
            checks.append(
                difference_check(
                    _label(cell),
                    scratch[(cell.n, 0.0)],
                    arrays["generalisation"],
                    ctx.theory.ft_transferability(cell.theta, cell.n / cell.d),
                    floor=FT_GRADIENT_DESCENT_FLOOR,
                    gated=converged,
                    population_sds=(
                        ctx.population_sd("scratch", cell.n, cell.d, 0.0),
                        ctx.population_sd("fine_tuning", cell.theta, cell.n, cell.d, 0.0),
                    ),
                    note="σ = 0: eq. 15 at γ = n/d is exact"
                    if converged
                    else "not converged in the authors' 5000 steps: not gated",
                )
            )
        return checks

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier, "simulation": simulation}


@claim(
    "fine-tuning-scale",
    "Eq. 15 omits the balancedness scale c (σ > 0)",
    "Thm 3.9, docs/paper.md §3.8 / §9.2.1",
    expected_deviation="exact gradient flow keeps c ≠ 1 when σ > 0",
)
def _fine_tuning_scale() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        """Fine-tune the exact balanced rank-one pretrained network (the α → 0 limit,
        W_1 = β_s vᵀ, W_2 = v) by gradient descent, paired with the minimum-norm scratch solution
        X⁺y of the same data (Thm 3.5): the label noise cancels from R_sc − R_ft. The simulation
        is a probe (:class:`fate_numeric.probes.BalancedFineTuning`), read through the store."""
        d, n, theta, sigma = 40, 20, math.pi / 3, 1.0
        probe = BalancedFineTuning(
            d=d,
            n=n,
            theta=theta,
            sigma=sigma,
            instances=400 if ctx.profile == "quick" else 2000,
            seed=ctx.seed,
            lr=0.05,
            steps=4000,
        )
        (arrays,) = ctx.run([probe])
        difference = arrays["scratch"] - arrays["fine_tuning"]
        gamma = n / d
        return [
            mean_check(
                "σ = 1, θ = π/3, n = 20, d = 40: R_sc − R_ft vs eq. 15",
                difference,
                ctx.theory.ft_transferability(theta, gamma),
                floor=0.01,
                note="eq. 15 predicts 0 at θ = π/3",
                expect_deviation=True,
                predicted_by="eq. 15 as printed",
                d=d,
            ),
            mean_check(
                "same draws: vs the balanced correction",
                difference,
                ctx.theory.ft_transferability_balanced(theta, gamma, sigma),
                floor=FT_SCALE_BIAS_PER_D / d + 0.01,
                predicted_by="eq. 15 with the balancedness scale c",
                d=d,
                note=f"floor: the measured finite-d bias of the formula, within "
                f"{FT_SCALE_BIAS_PER_D:g}/d (FT_SCALE_BIAS_PER_D), + 0.01 for gradient descent's "
                "finite step and time (set by hand, as against eq. 15)",
            ),
        ]

    return {"simulation": simulation}


# ---- finite source -------------------------------------------------------------------------------
FINITE_SOURCE_MC_D = 200  # the dimension of the Monte Carlo checks of the finite-d references


def _finite_source_gate(cell: Cell, arrays: dict[str, np.ndarray]) -> tuple[bool, str]:
    """Whether a finite-source cell is gated, and why not when it is not."""
    if cell.procedure == "linear_transfer":
        return cell.n > 4, "n <= 4: the readout's variance is infinite or huge"
    if cell.n >= cell.d - 1:
        return False, "n >= d − 1: convergence to the least-squares floor not recorded"
    if float(np.max(arrays["train_loss"])) > CONVERGED_LOSS:
        return False, f"not converged in the authors' {cell.schedule.steps} fine-tuning steps"
    return True, ""


def _finite_source_reference(ctx: Context, cell: Cell) -> tuple[float, float, float | None, str]:
    """(predicted risk, floor, population sd guard, note) for a finite-source cell.

    Fine-tuning: eq. 22 corrected for the balanced scale, at the cell's (n, d, n_s)
    (``ft_risk_finite_source_balanced_d``; its deterministic equivalents are within 1/d of the
    Monte Carlo of the gradient-flow end point, see the Monte Carlo tier). Linear transfer at
    λ = 0: ``lt_risk_finite_source_n`` (eq. 10 with sin²θ → the n_t → ∞ risk; finite-d
    correction of E sin²φ below 3/d), its standard error guarded by the Monte Carlo of eq. 10's
    limit object at the effective angle.
    """
    ratio_s = cell.n_source / cell.d
    if cell.procedure == "fine_tuning":
        predicted = ctx.theory.ft_risk_finite_source_balanced_d(
            cell.theta, cell.n, cell.d, cell.n_source, cell.sigma, cell.sigma_source
        )
        note = "eq. 22 with the balanced scale at these sizes (deterministic equivalent, ≤ 1/d)"
        return predicted, 1 / cell.d, None, note
    floor_risk = ctx.theory.lt_risk_finite_source(cell.theta, ratio_s, cell.sigma_source)
    effective_angle = math.asin(math.sqrt(min(1.0, floor_risk)))
    predicted = ctx.theory.lt_risk_finite_source_n(
        cell.theta, cell.n, ratio_s, cell.sigma_source, cell.sigma
    )
    spread = ctx.population_sd("linear_transfer", effective_angle, cell.n, cell.sigma)
    note = "eq. 10 with sin²θ → the finite-source n_t → ∞ risk (finite-d correction ≤ 3/d)"
    return predicted, 3 / cell.d, spread, note


@claim(
    "finite-source",
    "Fine-tuning after finite-source pretraining",
    "Thm C.1, eqs. 22-23, 152",
    archived=("finite_source",),
)
def _finite_source() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        checks = []
        for name in (
            "finite_source_norm",
            "ft_transferability_finite_source",
            "finite_source_break_even",
        ):
            checks += paper_check(name)
        return checks

    def montecarlo_tier(ctx: Context) -> list[Check]:
        """Eq. 22 against the paper's limit object β̂_sc + (I − P)β̂_s; the finite-d references of
        the simulation tier against Monte Carlos of the objects they describe."""
        checks = []
        d = FINITE_SOURCE_MC_D
        for ratio_s in (0.5, 1.5):
            for theta in (math.pi / 8, math.pi / 2):
                paired = montecarlo.finite_source_risks(
                    theta, 50, d, 0.2, round(ratio_s * d), 0.2, ctx.draws() // 2, seed=ctx.seed
                )
                predicted = ctx.theory.ft_transferability_finite_source(theta, 50 / d, ratio_s, 0.2)
                checks.append(
                    mean_check(
                        f"eq. 22: γ_s={ratio_s:g}, θ={theta / math.pi:.3g}π, n=50, d={d}",
                        paired.transferability,
                        predicted,
                        floor=2e-3,
                        note="finite-d inverse-Wishart correction below 2e-3",
                    )
                )
                balanced = montecarlo.finite_source_risks(
                    theta,
                    d // 2,
                    d,
                    0.2,
                    round(ratio_s * d),
                    0.2,
                    ctx.draws() // 2,
                    balanced=True,
                    seed=ctx.seed,
                )
                checks.append(
                    mean_check(
                        f"balanced end point: γ_s={ratio_s:g}, θ={theta / math.pi:.3g}π, "
                        f"n={d // 2}, d={d}",
                        balanced.transfer,
                        ctx.theory.ft_risk_finite_source_balanced_d(
                            theta, d // 2, d, round(ratio_s * d), 0.2, 0.2
                        ),
                        floor=1 / d,
                        note="the simulation tier's fine-tuning reference; deterministic "
                        "equivalents, O(1/d)",
                    )
                )
        d, theta = 400, math.pi / 3
        for ratio_s in (0.5, 1.5):
            for n in (10, 50):
                risks = montecarlo.finite_source_risks(
                    theta,
                    n,
                    d,
                    0.2,
                    round(ratio_s * d),
                    0.2,
                    ctx.draws() // 2,
                    procedure="linear_transfer",
                    seed=ctx.seed,
                )
                checks.append(
                    mean_check(
                        f"linear transfer, γ_s={ratio_s:g}, θ=π/3, n={n}, d={d}",
                        risks.transfer,
                        ctx.theory.lt_risk_finite_source_n(theta, n, ratio_s, 0.2, 0.2),
                        floor=3 / d,
                        note="eq. 10 with sin²θ → the n_t → ∞ risk; finite-d correction of "
                        "E sin²φ below 3/d",
                    )
                )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        """The networks of the ``finite_source`` sweep against the finite-size references of
        their cells (:func:`_finite_source_reference`): the fine-tuned networks follow eq. 22
        only once it carries the balanced scale of gradient flow (claim finite-source-scale)."""
        checks = []
        for cell, arrays in ctx.sweep("finite_source"):
            simulated = arrays["generalisation"]
            if cell.procedure == "linear_transfer":
                simulated = simulated[0]  # λ = 0
            predicted, floor, spread, note = _finite_source_reference(ctx, cell)
            gated, why = _finite_source_gate(cell, arrays)
            checks.append(
                mean_check(
                    f"{cell.procedure}, n_s={cell.n_source}, {_label(cell)}",
                    simulated,
                    predicted,
                    floor=floor,
                    gated=gated,
                    population_sd=spread,
                    note=note if gated else f"{why}: not gated",
                    predicted_by=note.split(" (", 1)[0],
                )
            )
        return checks

    return {"symbolic": symbolic, "montecarlo": montecarlo_tier, "simulation": simulation}


@claim(
    "finite-source-scale",
    "Eq. 22 omits the balanced scale, which a finite source makes large",
    "Thm C.1, eq. 22",
    expected_deviation="with a finite source ‖β̂_s‖ ≠ 1, so gradient flow puts κ = c/‖β̂_s‖^½ ≠ 1 "
    "on (I − P)β̂_s even at σ = σ_s = 0; eq. 22 takes κ = 1",
    archived=("finite_source",),
)
def _finite_source_scale() -> dict[str, Tier]:
    def montecarlo_tier(ctx: Context) -> list[Check]:
        """The gradient-flow end point (per-draw κ) against eq. 22, noiseless and noisy."""
        d, theta, ratio_s = FINITE_SOURCE_MC_D, math.pi / 2, 0.5
        checks = []
        for sigma in (0.0, 0.2):
            balanced = montecarlo.finite_source_risks(
                theta,
                d // 2,
                d,
                sigma,
                round(ratio_s * d),
                sigma,
                ctx.draws() // 2,
                balanced=True,
                seed=ctx.seed,
            )
            label = f"γ_s={ratio_s:g}, θ=π/2, n={d // 2}, d={d}, σ=σ_s={sigma:g}"
            checks += [
                mean_check(
                    f"{label}: gradient-flow T vs eq. 22",
                    balanced.transferability,
                    ctx.theory.ft_transferability_finite_source(theta, 0.5, ratio_s, sigma),
                    floor=2 / d,
                    note="eq. 22 takes κ = 1",
                    expect_deviation=True,
                ),
                mean_check(
                    f"{label}: gradient-flow T vs the balanced correction",
                    balanced.transferability,
                    ctx.theory.ft_transferability_finite_source_balanced(
                        theta, 0.5, ratio_s, sigma, sigma
                    ),
                    floor=2 / d,
                    note="per-draw κ against its deterministic equivalent",
                ),
            ]
        return checks

    def simulation(ctx: Context) -> list[Check]:
        """The fine-tuned networks at the sweep's largest angle (where κ matters most).

        Per source size, the converged n closest to d/2 against the paper's limit object (κ = 1)
        sampled at the same sizes; then every converged n pooled (:func:`verify.stats.pooled_check`)
        against eq. 22 at the cells' sizes (``ft_risk_finite_source_d``, κ = 1), and, as the
        control, against the balanced reference (``ft_risk_finite_source_balanced_d``). A κ = 1
        row is gated only where the test has power: where the gap that gradient flow predicts
        exceeds twice the row's tolerance; otherwise it is reported."""
        cells = ctx.sweep("finite_source")
        widest = max(cell.theta for cell, _ in cells)
        converged: dict[int, list[tuple[Cell, dict[str, np.ndarray]]]] = {}
        for cell, arrays in cells:
            if cell.procedure != "fine_tuning" or cell.theta != widest:
                continue
            if _finite_source_gate(cell, arrays)[0]:
                converged.setdefault(cell.n_source, []).append((cell, arrays))
        chosen = {
            n_s: min(group, key=lambda pair: abs(pair[0].n - pair[0].d / 2))
            for n_s, group in converged.items()
        }
        checks = []
        for cell, arrays in chosen.values():
            sizes = (cell.theta, cell.n, cell.d, cell.sigma, cell.n_source, cell.sigma_source)
            paper = montecarlo.finite_source_risks(*sizes, 200, seed=ctx.seed)
            flow = montecarlo.finite_source_risks(*sizes, 200, balanced=True, seed=ctx.seed)
            predicted_gap = float(np.mean(flow.transfer - paper.transfer))  # the same draws
            check = difference_check(
                f"n_s={cell.n_source}, {_label(cell)}: network − eq. 22's object (κ = 1)",
                arrays["generalisation"],
                paper.transfer,
                0.0,
                floor=1 / cell.d,
                note=f"Monte Carlo of β̂_sc + (I − P)β̂_s, 200 draws; gradient flow predicts a "
                f"gap of {predicted_gap:+.3g}",
                expect_deviation=True,
            )
            if abs(predicted_gap) <= 2 * check.tolerance:
                check = dataclasses.replace(
                    check,
                    gated=False,
                    note=f"{check.note}, within twice the tolerance at this size: no power, "
                    "not gated",
                )
            checks.append(check)
        for group in converged.values():
            checks += _pooled_scale_checks(ctx, group)
        return checks

    return {"montecarlo": montecarlo_tier, "simulation": simulation}


def _pooled_scale_checks(
    ctx: Context, group: list[tuple[Cell, dict[str, np.ndarray]]]
) -> list[Check]:
    """Converged fine-tuning cells of one source size and angle, pooled: the networks against
    eq. 22 at their sizes (κ = 1; expected to miss, gated only with power) and against the
    balanced reference (expected to hold)."""
    first = group[0][0]
    sizes = [
        (cell.theta, cell.n, cell.d, cell.n_source, cell.sigma, cell.sigma_source)
        for cell, _ in group
    ]
    samples = [arrays["generalisation"] for _, arrays in group]
    printed = [ctx.theory.ft_risk_finite_source_d(*size) for size in sizes]
    balanced = [ctx.theory.ft_risk_finite_source_balanced_d(*size) for size in sizes]
    predicted_gap = float(np.mean(np.subtract(balanced, printed)))
    where = (
        f"n_s={first.n_source}, θ={first.theta / math.pi:.3g}π, d={first.d}, σ={first.sigma:g}, "
        f"{len(group)} converged n from {min(c.n for c, _ in group)} to "
        f"{max(c.n for c, _ in group)} pooled"
    )
    against_printed = pooled_check(
        f"{where}: network − eq. 22 at these sizes (κ = 1)",
        samples,
        printed,
        floor=1 / first.d,
        expect_deviation=True,
        note=f"ft_risk_finite_source_d; gradient flow predicts a mean gap of {predicted_gap:+.3g}",
    )
    if abs(predicted_gap) <= 2 * against_printed.tolerance:
        against_printed = dataclasses.replace(
            against_printed,
            gated=False,
            note=f"{against_printed.note}, within twice the tolerance: no power, not gated",
        )
    against_balanced = pooled_check(
        f"{where}: network − eq. 22 with the balanced scale",
        samples,
        balanced,
        floor=1 / first.d,
        note="ft_risk_finite_source_balanced_d (deterministic equivalents, ≤ 1/d)",
    )
    return [against_printed, against_balanced]


@claim(
    "depth-independence",
    "Linear-transfer and scratch risks do not depend on depth (L = 3)",
    "Thms 3.5-3.7",
)
def _depth() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        d, sigma, theta = 30, 0.2, math.pi / 4
        instances = 60 if ctx.profile == "quick" else 200
        cells = [
            Cell(
                "linear_transfer",
                d=d,
                n=n,
                theta=theta,
                sigma=sigma,
                depth=3,
                instances=instances,
                alpha=0.02,
                pretrain_lr=0.05,
                pretrain_epochs=20000,
                seed=ctx.seed,
            )
            for n in (10, 45)
        ]
        results = ctx.run(cells)  # stored: a second run reads them
        largest = max(float(a["pretrain_loss"].max()) for a in results)
        checks = [exact_check("L=3 pretraining: largest loss", largest, 0.0, 1e-6)]
        checks += [
            mean_check(
                f"L=3, {_label(c)}",
                a["generalisation"][0],
                ctx.theory.lt_risk(theta, c.n, sigma),
                floor=2e-3,
                note="α = 0.02, pretraining lr 0.05 (a depth-3 product starts at α³)",
                population_sd=ctx.population_sd("linear_transfer", theta, c.n, sigma),
            )
            for c, a in zip(cells, results, strict=True)
        ]
        scratch = Cell(
            "scratch",
            d=d,
            n=10,
            sigma=sigma,
            depth=3,
            instances=instances,
            alpha=1e-3,
            lr=0.05,
            epochs=20000,
            tol=1e-10,
            seed=ctx.seed,
        )
        (arrays,) = ctx.run([scratch])
        checks.append(
            mean_check(
                f"L=3 scratch, {_label(scratch)}",
                arrays["generalisation"],
                ctx.theory.scratch_risk_finite(10, d, sigma),
                floor=5e-3,
            )
        )
        return checks

    return {"simulation": simulation}


@claim(
    "lt-phase-boundaries",
    "The negative-transfer region of linear transfer",
    "Thm 3.7 (sign of eq. 11)",
    archived=("scratch", "phase_diagram"),
)
def _phase_boundaries() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        """T_lt vanishes on the derived boundaries (evaluated through their evaluators)."""
        over = ctx.theory.lt_negative_threshold_overparam
        angle = ctx.theory.lt_negative_threshold_angle
        checks = []
        for theta, sigma in ((math.pi / 4, 0.2), (math.pi / 3, 0.3), (2 * math.pi / 5, 0.1)):
            lower, upper = ctx.theory.lt_negative_interval(theta, sigma)
            for name, gamma in (("γ₋", lower), ("γ₊", upper), ("1 + σ²/sin²θ", over(theta, sigma))):
                checks.append(
                    exact_check(
                        f"T_lt at {name}, θ={theta / math.pi:.3g}π, σ={sigma:g}",
                        ctx.theory.lt_transferability(theta, gamma, sigma),
                        0.0,
                        1e-12,
                        "a boundary of the sign of eq. 11",
                    )
                )
        for sigma in (0.1, 0.2, 0.5):
            threshold = float(angle(sigma))
            lower, upper = ctx.theory.lt_negative_interval(
                min(threshold + 1e-6, math.pi / 2), sigma
            )
            checks.append(
                exact_check(
                    f"interval width just above θ* = arccos(1 − σ), σ={sigma:g}",
                    float(upper - lower),
                    0.0,
                    1e-2,
                    "the interval opens at the threshold angle",
                )
            )
        return checks

    def simulation(ctx: Context) -> list[Check]:
        """The sign of the simulated T_lt agrees with eq. 11 wherever the difference is clear."""
        scratch = _scratch_cells(ctx)
        clear, disagreements = 0, []
        for cell, arrays in ctx.sweep("phase_diagram"):
            if cell.procedure != "linear_transfer" or _near_singular(cell):
                continue
            check = difference_check(
                _label(cell), scratch[(cell.n, cell.sigma)], arrays["generalisation"][0], 0.0
            )
            predicted = float(
                ctx.theory.lt_transferability_finite(cell.theta, cell.n, cell.d, cell.sigma)
            )
            if abs(predicted) > check.tolerance and abs(check.measured) > check.tolerance:
                clear += 1
                if np.sign(check.measured) != np.sign(predicted):
                    disagreements.append(_label(cell))
        if not clear:
            raise SkipTier("no cell of this profile has a clear sign")
        return [
            exact_check(
                f"cells whose sign disagrees with eq. 11 (of {clear} clear ones)",
                len(disagreements),
                0.0,
                0.0,
                "; ".join(disagreements[:3]),
            )
        ]

    return {"symbolic": symbolic, "simulation": simulation}


@claim(
    "finite-size-corrections",
    "Asymptotic formulas against the exact finite-size expectations",
    "eqs. 8, 10 (docs/paper.md §3.12)",
)
def _finite_size() -> dict[str, Tier]:
    """How far eq. 8 and sin²θ are from the exact expectations at the sizes simulated here (the
    profiles' d and n): the gap (scratch_risk_gap, lt_risk_gap) against its first-order term c₁/d
    (a₁/n), within the derived bound (3/2)|c₂|/d² on the remainder of the geometric series
    (scratch_risk_remainder_bound, lt_risk_remainder_bound), which is claimed where d|1 − γ| > 3
    (n > 6); cells outside that range are reported, not gated."""

    def precision(ctx: Context) -> list[Check]:
        sigma, theta = 0.2, math.pi / 4
        checks = []
        for profile in dict.fromkeys((ctx.profile, "paper")):
            d = PROFILES[profile].d
            for n in PROFILES[profile].sample_sizes():
                gamma = n / d
                if abs(n - d) <= 1:
                    continue
                first, _ = ctx.theory.scratch_risk_correction(gamma, sigma)
                bound, claimed = ctx.theory.scratch_risk_remainder_bound(gamma, sigma, d)
                inside = bool(claimed)
                checks.append(
                    Check(
                        f"scratch, n={n}, d={d}, σ={sigma:g}: exact − eq. 8",
                        ctx.theory.scratch_risk_gap(gamma, sigma, d),
                        first / d,
                        bound,
                        gated=inside,
                        predicted_by="the first-order term c₁/d",
                        d=d,
                        note="predicted c₁/d; tolerance (3/2)|c₂|/d²"
                        if inside
                        else "d|1 − γ| <= 3: the bound is not claimed here; not gated",
                    )
                )
        for n in (8, 20, 50, 250, 1000):
            first, _ = ctx.theory.lt_risk_correction(theta, sigma)
            bound, claimed = ctx.theory.lt_risk_remainder_bound(theta, sigma, n)
            checks.append(
                Check(
                    f"linear transfer, n={n}, θ=π/4, σ={sigma:g}: eq. 10 − sin²θ",
                    ctx.theory.lt_risk_gap(theta, sigma, n),
                    first / n,
                    bound,
                    gated=bool(claimed),
                    predicted_by="the first-order term a₁/n",
                    note="predicted a₁/n; tolerance (3/2)|a₂|/n²",
                )
            )
        return checks

    return {"precision": precision}


@claim(
    "noiseless",
    "Without label noise: scratch is exact above interpolation",
    "App. G, Fig. 7",
    archived=("scratch",),
)
def _noiseless() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        checks = []
        for cell, arrays in ctx.sweep("scratch"):
            if cell.sigma != 0 or cell.weight_decay:
                continue
            predicted = ctx.theory.scratch_risk_finite(cell.n, cell.d, 0.0)  # 1 − n/d, or 0
            singular = _near_singular(cell)
            checks.append(
                mean_check(
                    _label(cell),
                    arrays["generalisation"],
                    predicted,
                    floor=1e-3,
                    gated=not singular,
                    note="n = d: X is square and ill-conditioned; early stopping leaves GD "
                    "short of "
                    "the exact solution; not gated"
                    if singular
                    else "σ = 0: 1 − n/d below interpolation, 0 above",
                    population_sd=ctx.population_sd("scratch", cell.n, cell.d, 0.0),
                )
            )
        return checks

    return {"simulation": simulation}
