"""Figure 4: dataset similarity does not predict transferability (Thm A.2; docs/paper.md §4.4).

(a) T against D_KL(p_s ‖ p_t) = (1 − cos θ)/σ² over θ ∈ [0, π] at σ = 0.2, γ = 0.5 (theory).
(b) T against an empirical W₁ estimate between n = 250 source and target samples in R^{d+1} with
    d = 500 (the size docs/paper.md §4.4 infers from the paper's axis), mean ± std over seeds as a
    band.
(c) The same estimate at d = 2, where the sampling floor is small and W₁ resolves θ.

The empirical distances are computed here (exact optimal transport between the empirical measures,
Euclidean ground metric, :func:`fate_numeric.similarity.wasserstein1`) and kept in the result store
through ``ctx.stored``; T comes from the evaluators (eq. 11 and eq. 15).
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

from fate_numeric import similarity as sim
from fate_numeric.statistics import standard_error
from paper_figures.core import Context, Figure, Table, Tables
from paper_figures.plots import colour_name, style_colour

SIGMA, GAMMA = 0.2, 0.5
SAMPLES = 250  # n source and n target points per estimate (docs/paper.md §4.4)
DIMENSIONS = {"w1_paper_dimension": 500, "w1_low_dimension": 2}
ANGLES = 13  # θ values of the W₁ sweeps, evenly spaced in [0, π]
MARKED = (0.0, math.pi / 3, math.pi / 2, 2 * math.pi / 3, math.pi)
MARK_LABELS = ("0", r"$\pi/3$", r"$\pi/2$", r"$2\pi/3$", r"$\pi$")
#: The colours of the two transferabilities in every panel; the caption names them from these.
LT_COLOUR, FT_COLOUR = style_colour(0), style_colour(1)
SAME_LAW_GREY = "0.85"


def _seeds(ctx: Context) -> int:
    return 10 if ctx.profile == "quick" else 40


def _transferabilities(ctx: Context, thetas: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "t_lt": np.asarray(ctx.theory.lt_transferability(thetas, GAMMA, SIGMA), float),
        "t_ft": np.asarray(ctx.theory.ft_transferability(thetas, GAMMA), float),
    }


def _w1_sweep(d: int, thetas: np.ndarray, seeds: int, seed: int) -> dict[str, np.ndarray]:
    """W₁ between n-point samples of p_s and p_t per θ and seed, and between two samples of one
    law (the sampling floor). Every estimate draws from its own generator."""
    rng = np.random.default_rng(seed)
    streams = iter(np.random.SeedSequence(seed).spawn((thetas.size + 1) * seeds))
    values = np.empty((thetas.size, seeds))
    for i, theta in enumerate(thetas):
        beta_s, beta_t = sim.family_teachers(d, float(theta), rng)
        for j in range(seeds):
            draw = np.random.default_rng(next(streams))
            values[i, j] = sim.wasserstein1(
                sim.joint_sample(beta_s, SIGMA, SAMPLES, draw),
                sim.joint_sample(beta_t, SIGMA, SAMPLES, draw),
            )
    beta, _ = sim.family_teachers(d, 0.0, rng)
    floor = np.empty(seeds)
    for j in range(seeds):
        draw = np.random.default_rng(next(streams))
        floor[j] = sim.wasserstein1(
            sim.joint_sample(beta, SIGMA, SAMPLES, draw),
            sim.joint_sample(beta, SIGMA, SAMPLES, draw),
        )
    return {"theta": thetas, "w1": values, "floor": floor}


def _w1_cost(angles: int, seeds: int) -> str:
    """What computing every W₁ estimate of the figure costs (sizes; no timing is stored)."""
    dims = " and ".join(f"R^{d + 1}" for d in DIMENSIONS.values())
    return (
        f"figure 4's W₁ estimates: {len(DIMENSIONS)} × {(angles + 1) * seeds} exact "
        f"optimal-transport problems between {SAMPLES} and {SAMPLES} points, in {dims} "
        f"(({angles} angles + the same-law floor) × {seeds} seeds each); no timing is stored in "
        "benchmarks/results"
    )


def _w1_tables(ctx: Context, d: int) -> tuple[Table, Table]:
    thetas = np.linspace(0.0, math.pi, ANGLES)
    seeds = _seeds(ctx)
    config = {
        "kind": "figure4_w1",
        "d": d,
        "n": SAMPLES,
        "sigma": SIGMA,
        "thetas": thetas.tolist(),
        "seeds": seeds,
        "seed": ctx.seed,
        "metric": "euclidean",
    }
    arrays = ctx.stored(
        config,
        lambda: _w1_sweep(d, thetas, seeds, ctx.seed),
        f"python -m paper_figures figure4 --profile {ctx.profile}",
        _w1_cost(thetas.size, seeds),
    )
    values, floor = arrays["w1"], arrays["floor"]
    sweep = Table(
        theta=thetas,
        kl=ctx.theory.kl_family(thetas, SIGMA),
        w1_mean=values.mean(axis=1),
        w1_std=values.std(axis=1, ddof=1),
        w1_se=standard_error(values, axis=1),
        w1_population_upper=ctx.theory.w1_family_upper(thetas),
        seeds=np.full(thetas.size, seeds),
        d=np.full(thetas.size, d),
        n=np.full(thetas.size, SAMPLES),
        **_transferabilities(ctx, thetas),
    )
    same_law = Table(
        d=[d], n=[SAMPLES], mean=[floor.mean()], std=[floor.std(ddof=1)], seeds=[floor.size]
    )
    return sweep, same_law


def describe_grid(ctx: Context, tables: Tables) -> str:
    """The provenance line: the W₁ estimates drawn (not the profile's linear grid)."""
    sweeps = [tables[name] for name in DIMENSIONS]
    dims = ", ".join(str(int(t["d"][0])) for t in sweeps)
    first = sweeps[0]
    return (
        f"W₁ estimates at d ∈ {{{dims}}}, n = {int(first['n'][0])} source and "
        f"{int(first['n'][0])} target samples each, {len(first)} angles θ in [0, π], "
        f"{int(first['seeds'][0])} seeds per angle and for the same-law floor, σ = {SIGMA:g}; "
        f"KL and T from the evaluators (no sweep of fate_numeric)"
    )


def data(ctx: Context) -> dict[str, Table]:
    thetas = np.linspace(0.0, math.pi, ctx.theory_points)
    marked = np.array(MARKED)
    tables = {
        "kl_sweep": Table(
            theta=thetas, kl=ctx.theory.kl_family(thetas, SIGMA), **_transferabilities(ctx, thetas)
        ),
        "kl_marked": Table(
            theta=marked,
            label=np.array(MARK_LABELS),
            kl=ctx.theory.kl_family(marked, SIGMA),
            **_transferabilities(ctx, marked),
        ),
    }
    for name, d in DIMENSIONS.items():
        tables[name], tables[f"{name}_same_law"] = _w1_tables(ctx, d)
    return tables


def _kl_panel(ax: Axes, sweep: Table, marked: Table) -> None:
    half = float(np.interp(math.pi / 2, sweep["theta"], sweep["kl"]))
    ax.axvspan(half, float(sweep["kl"].max()), color="0.92", lw=0)
    ax.text(half + 1, 0.95, r"$\theta > \pi/2$", fontsize=7, color="0.35", va="top", ha="left")
    ax.plot(sweep["kl"], sweep["t_lt"], "-", color=LT_COLOUR, label=r"$\mathcal{T}_{lt}$ (eq. 11)")
    ax.plot(sweep["kl"], sweep["t_ft"], "--", color=FT_COLOUR, label=r"$\mathcal{T}_{ft}$ (eq. 15)")
    ax.plot(marked["kl"], marked["t_lt"], "o", color=LT_COLOUR, ms=4)
    for kl, t, label in zip(marked["kl"], marked["t_lt"], marked["label"], strict=True):
        ax.annotate(label, (kl, t), textcoords="offset points", xytext=(0, 5), fontsize=7)
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xlabel(r"$D_{KL}(p_s\,\|\,p_t)$")
    ax.set_ylabel(r"transferability $\mathcal{T}$")
    ax.set_ylim(-1.6, 1.05)
    ax.set_title(r"(a) KL, $\theta\in[0,\pi]$", fontsize=9)
    ax.legend(loc="lower left", fontsize=7)


def _same_law_band(ax: Axes, same_law: Table) -> None:
    floor, spread = float(same_law["mean"][0]), float(same_law["std"][0])
    ax.axvspan(
        floor - spread, floor + spread, color=SAME_LAW_GREY, lw=0, label="same law, mean ± std"
    )


def _w1_points(ax: Axes, sweep: Table, same_law: Table) -> None:
    """Panel (b): one point per θ at its mean W₁ with a horizontal bar ± std over seeds, no lines
    (the means barely move with θ, so lines between them would only draw sampling noise)."""
    _same_law_band(ax, same_law)
    mean, std = sweep["w1_mean"], sweep["w1_std"]
    ax.errorbar(
        mean,
        sweep["t_lt"],
        xerr=std,
        fmt="o",
        color=LT_COLOUR,
        ms=3.5,
        elinewidth=0.8,
        capsize=1.5,
        label=r"$\mathcal{T}_{lt}$ (eq. 11), W$_1$ mean ± std",
    )
    ax.errorbar(
        mean,
        sweep["t_ft"],
        xerr=std,
        fmt="s",
        color=FT_COLOUR,
        mfc="none",
        ms=3.5,
        elinewidth=0.8,
        capsize=1.5,
        label=r"$\mathcal{T}_{ft}$ (eq. 15), same estimates",
    )
    _angle_marks(ax, mean, sweep["t_lt"])


def _w1_curves(ax: Axes, sweep: Table, same_law: Table) -> None:
    """Panel (c): W₁ resolves θ, so the means are joined (θ in order) with a light ± std band."""
    _same_law_band(ax, same_law)
    theta, mean, std = sweep["theta"], sweep["w1_mean"], sweep["w1_std"]
    for branch in (theta <= math.pi / 2, theta >= math.pi / 2):  # T is monotone on each branch
        ax.fill_betweenx(
            sweep["t_lt"][branch],
            (mean - std)[branch],
            (mean + std)[branch],
            color=LT_COLOUR,
            alpha=0.2,
            lw=0,
        )
    ax.plot(
        mean,
        sweep["t_lt"],
        "o-",
        color=LT_COLOUR,
        ms=3,
        label=r"$\mathcal{T}_{lt}$ (eq. 11), W$_1$ mean, band ± std",
    )
    ax.plot(mean, sweep["t_ft"], "s--", color=FT_COLOUR, ms=3, label=r"$\mathcal{T}_{ft}$ (eq. 15)")
    ax.plot(
        sweep["w1_population_upper"],
        sweep["t_lt"],
        ":",
        color="0.3",
        label=r"population bound $\sqrt{2/\pi}\,\|\beta_s-\beta_t\|$",
    )
    _angle_marks(ax, mean, sweep["t_lt"])


def _angle_marks(ax: Axes, w1: np.ndarray, t_lt: np.ndarray) -> None:
    last = w1.size - 1
    for index, label in ((0, "0"), (last // 2, r"$\pi/2$"), (last, r"$\pi$")):
        ax.annotate(
            label, (w1[index], t_lt[index]), textcoords="offset points", xytext=(3, 4), fontsize=7
        )


def _w1_axes(ax: Axes, sweep: Table, title: str) -> None:
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xlabel(
        rf"empirical $W_1$ ($n$ = {int(sweep['n'][0])}, $d$ = {int(sweep['d'][0])},"
        rf" {int(sweep['seeds'][0])} seeds)"
    )
    ax.set_ylim(-1.6, 1.05)
    ax.set_title(title, fontsize=9)
    # below the axes: the bars of (b) and the same-law band of (c) reach every corner
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=6)


def draw(tables: Tables) -> MplFigure:
    fig = MplFigure(figsize=(12, 4))
    axes = fig.subplots(1, 3)
    _kl_panel(axes[0], tables["kl_sweep"], tables["kl_marked"])
    high = tables["w1_paper_dimension"]
    _w1_points(axes[1], high, tables["w1_paper_dimension_same_law"])
    _w1_axes(axes[1], high, r"(b) $W_1$ at the paper's size: sampling floor dominates")
    low = tables["w1_low_dimension"]
    _w1_curves(axes[2], low, tables["w1_low_dimension_same_law"])
    _w1_axes(axes[2], low, r"(c) $W_1$ in low dimension")
    fig.suptitle(
        rf"Distances between tasks do not predict transfer ($\sigma$ = {SIGMA:g},"
        rf" $\gamma$ = {GAMMA:g})",
        fontsize=10,
    )
    return fig


FIGURE = Figure(
    name="figure4",
    title="Transferability against dataset distances (KL, W₁)",
    reference="Fig. 4 (App. A, Thm A.2)",
    caption=(
        f"Transferability of linear transfer (eq. 11, {colour_name(LT_COLOUR)}) and fine-tuning "
        f"(eq. 15, {colour_name(FT_COLOUR)}) at "
        "γ = 0.5, σ = 0.2 for source and target teachers at angle θ ∈ [0, π], against the "
        "distance between the two joint laws of (x, y). (a) D_KL = (1 − cos θ)/σ², from 0 to "
        "2/σ² = 50: KL increases monotonically with θ while T_lt depends on θ only through "
        "sin²θ, so T_lt traces a 'U' (+0.54 at θ = 0, −0.46 at π/2, +0.54 at π) and one KL value "
        "(e.g. 50) goes with positive linear transfer and strongly negative fine-tuning (−1.5). "
        "The grey region (KL > 25) is θ > π/2, outside the phase diagrams. (b) Exact empirical "
        "W₁ (optimal transport, Euclidean metric on R^{d+1}) between n = 250 source and n = 250 "
        "target samples at d = 500: one point per θ (filled circles T_lt, open squares T_ft, "
        "both at the same W₁ estimate) with horizontal bars ± std over seeds (sampling noise); "
        "grey band: W₁ between two samples of the same law, mean ± std. Every point lies in or "
        "next to the band: the estimates barely move with θ, because the population W₁ is at "
        "most √(2/π)‖β_s − β_t‖ ≤ 1.6, far below the sampling floor. (c) The same at d = 2, the "
        "means joined in θ order with a light ± std band: there W₁ resolves θ and is again "
        "monotone in θ while T is not; dotted: the population bound."
    ),
    data=data,
    draw=draw,
    grid=describe_grid,
    notes=(
        "docs/paper.md §4.4: the paper's KL axis (0 to 50) implies θ ∈ [0, π] at σ = 0.2, i.e. "
        "targets with β_sᵀβ_t < 0, beyond the θ ∈ [0, π/2] of every phase diagram. We show that "
        "sweep; it implies that the 'U' of panel (a) is half made of anti-aligned targets, which "
        "lie in the same (one-dimensional) feature space as θ < π/2 targets reflected.",
        "Whether the paper plots theory or simulated T, and its exact d and n, are UNCERTAIN "
        "(docs/paper.md §4.4); we plot theory (eqs. 11, 15) and take d = 500, n = 250 for panel "
        "(b).",
        "The paper's W₁ axis (≈526–529) suggests an ℓ1 ground metric; we use the Euclidean "
        "metric on (x, y), so our values (≈30) differ in scale, not in what they show.",
        "T_ft at θ > π/2 is eq. 15 evaluated beyond the range the paper plots (still the "
        "fine-tuning end point of docs/paper.md §3.8 at σ → 0).",
    ),
)
