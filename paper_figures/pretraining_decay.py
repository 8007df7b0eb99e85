"""Extension (not the paper's): fine-tuning phase diagrams after pretraining with weight decay.

Pretraining with SGD weight decay λ_p ends at the balanced rank-one network of end-to-end vector
(1 − λ_p/2)β_s (``wd_pretrain_end_point``, docs/paper.md §12); fine-tuning from it by gradient
flow ends at β̂_sc + κ(I − P)β_s with κ = √p c, so T_ft = (1 − γ)(2κ cos θ − κ²)
(``wd_ft_transferability``). The maps show it over (θ, γ) at σ = PRETRAIN_DECAY_SIGMA for
λ_p = 0 (the paper's eq. 15 at σ = 0) and the decays of the ``pretraining_decay`` sweep, with the
break-even angle θ* = arccos(κ/2) (solid) against the paper's π/3 (dashed). The last panel is the
slice γ = 1/2: T_ft against θ for each λ_p and the envelope (1 − γ)cos²θ reached with the best
decay (``wd_ft_optimal_decay``). Simulated cells are drawn where the store holds them (the
``pretraining_decay`` extension sweep; at λ_p = 0 the fine-tuning cells of ``phase_diagram``):
this figure simulates nothing.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure as MplFigure

from fate_numeric.statistics import CONVERGED_LOSS, standard_error
from fate_numeric.sweeps import (
    PRETRAIN_DECAY_OPTIMUM_GAMMA,
    PRETRAIN_DECAY_SIGMA,
    PRETRAIN_DECAYS,
    cells_of,
    extension_cells_of,
)
from paper_figures.core import Context, Figure, Table, Tables, midpoints
from paper_figures.plots import TRANSFER_CMAP, map_ticks

SIGMA = PRETRAIN_DECAY_SIGMA
DECAYS = (0.0, *PRETRAIN_DECAYS)
SLICE_GAMMA = PRETRAIN_DECAY_OPTIMUM_GAMMA
_COLOURS = ("black", "tab:blue", "tab:purple", "tab:red")


def simulated(ctx: Context) -> Table:
    """Stored fine-tuning cells at σ = SIGMA: T = mean R_sc − mean R_ft ± its standard error,
    whether the cell converged, and whether it was pretrained with the best decay."""
    d = ctx.grid.d
    scratch = ctx.held_scratch(SIGMA)
    tuned = [
        cell
        for cell in cells_of("phase_diagram", ctx.profile, ctx.seed)
        if cell.procedure == "fine_tuning" and cell.sigma == SIGMA
    ]
    tuned += [
        cell
        for cell in extension_cells_of("pretraining_decay", ctx.profile, ctx.seed)
        if cell.procedure == "fine_tuning"
    ]
    names = ("decay", "theta", "gamma", "T_mean", "T_se", "converged", "best")
    columns: dict[str, list] = {key: [] for key in names}
    for cell, arrays in ctx.held(tuned):
        if cell.n not in scratch:
            continue
        risks, baseline = arrays["generalisation"], scratch[cell.n]
        columns["decay"].append(cell.pretrain_weight_decay)
        columns["theta"].append(cell.theta)
        columns["gamma"].append(cell.n / d)
        columns["T_mean"].append(float(baseline.mean() - risks.mean()))
        columns["T_se"].append(float(np.hypot(standard_error(baseline), standard_error(risks))))
        # × marks cells above this training loss after the authors' 5000 steps
        columns["converged"].append(float(np.max(arrays["train_loss"])) <= CONVERGED_LOSS)
        columns["best"].append(cell.pretrain_weight_decay not in DECAYS)
    return Table(
        {
            key: np.array(values, dtype=np.int64 if key in ("converged", "best") else float)
            for key, values in columns.items()
        }
    )


def data(ctx: Context) -> dict[str, Table]:
    thetas = midpoints(0.0, math.pi / 2, ctx.theory_points)
    gammas = midpoints(0.0, 2.0, ctx.theory_points)
    grid_theta, grid_gamma = np.meshgrid(thetas, gammas)
    below = gammas[gammas < 1]
    tables: dict[str, Table] = {}
    for decay in DECAYS:
        key = f"{decay:g}"
        tables[f"theory_{key}"] = Table.from_grid(
            "theta",
            thetas,
            "gamma",
            gammas,
            value=ctx.theory.wd_ft_transferability(grid_theta, grid_gamma, SIGMA, decay),
        )
        tables[f"break_even_{key}"] = Table(
            gamma=below, theta=ctx.theory.wd_ft_break_even(below, SIGMA, decay)
        )
    slice_thetas = np.linspace(0.0, math.pi / 2, ctx.theory_points)
    tables["slice"] = Table(
        theta=slice_thetas,
        best=ctx.theory.wd_ft_optimal_decay(slice_thetas, SLICE_GAMMA, SIGMA)[1],
        **{
            f"T_{decay:g}": ctx.theory.wd_ft_transferability(
                slice_thetas, SLICE_GAMMA, SIGMA, decay
            )
            for decay in DECAYS
        },
    )
    tables["simulation"] = simulated(ctx)
    return tables


def _scatter(ax, rows: Table) -> None:
    done = rows.where(rows["converged"] == 1)  # the table stores flags as 0/1
    ax.scatter(
        done["theta"], done["gamma"], c=np.clip(done["T_mean"], -1, 1), cmap=TRANSFER_CMAP,
        vmin=-1, vmax=1, s=40 if len(rows) <= 100 else 22, edgecolors="black", linewidths=0.7,
        zorder=3, clip_on=False,
    )  # fmt: skip
    stuck = rows.where(rows["converged"] == 0)
    ax.scatter(
        stuck["theta"], stuck["gamma"], marker="x", color="grey", s=24, zorder=3, clip_on=False
    )


def draw(tables: Tables) -> MplFigure:
    fig = MplFigure(figsize=(21.0, 4.3), layout="constrained")
    axes = fig.subplots(1, len(DECAYS) + 1)
    simulation = tables["simulation"]
    mesh = None
    for ax, decay in zip(axes, DECAYS, strict=False):
        key = f"{decay:g}"
        thetas, gammas, values = tables[f"theory_{key}"].grid("theta", "gamma", "value")
        mesh = ax.pcolormesh(
            thetas, gammas, np.clip(values, -1, 1), cmap=TRANSFER_CMAP, vmin=-1, vmax=1,
            shading="nearest", rasterized=True,
        )  # fmt: skip
        boundary = tables[f"break_even_{key}"]
        ax.plot(boundary["theta"], boundary["gamma"], color="black", linewidth=1.2)
        ax.axvline(math.pi / 3, ymax=0.5, color="black", linestyle="dashed", linewidth=0.9)
        if len(simulation):
            rows = simulation.where((simulation["decay"] == decay) & (simulation["best"] == 0))
            if len(rows):
                _scatter(ax, rows)
        ax.set_xlim(0, math.pi / 2)
        ax.set_ylim(0, 2)
        ax.set_xticks([0, math.pi / 8, math.pi / 4, 3 * math.pi / 8, math.pi / 2])
        ax.set_xticklabels(["0", "π/8", "π/4", "3π/8", "π/2"])
        ax.set_xlabel(r"$\theta$")
        ax.set_title(
            r"$\lambda_p$ = " + key + (" (the paper: eq. 15)" if decay == 0 else ""), fontsize=11
        )
        map_ticks(ax)
    axes[0].set_ylabel(r"$\gamma = n/d$")
    fig.colorbar(mesh, ax=list(axes[: len(DECAYS)]), label=r"$\mathcal{T}_{ft}$ (clipped)")
    _draw_slice(axes[-1], tables)
    return fig


def _draw_slice(ax, tables: Tables) -> None:
    slice_ = tables["slice"]
    simulation = tables["simulation"]
    ax.plot(slice_["theta"], slice_["best"], color="tab:green", linewidth=2.2, alpha=0.6,
            label=r"best $\lambda_p$: $(1-\gamma)\cos^2\theta$")  # fmt: skip
    for decay, colour in zip(DECAYS, _COLOURS, strict=True):
        ax.plot(slice_["theta"], slice_[f"T_{decay:g}"], color=colour, linewidth=1.2,
                label=rf"$\lambda_p$ = {decay:g}")  # fmt: skip
        if len(simulation):
            rows = simulation.where(
                (simulation["decay"] == decay)
                & np.isclose(simulation["gamma"], SLICE_GAMMA)
                & (simulation["converged"] == 1)
                & (simulation["best"] == 0)
            )
            ax.errorbar(rows["theta"], rows["T_mean"], yerr=rows["T_se"], fmt="o", ms=4,
                        color=colour, capsize=2)  # fmt: skip
    if len(simulation):
        rows = simulation.where((simulation["best"] == 1) & (simulation["converged"] == 1))
        ax.errorbar(
            rows["theta"], rows["T_mean"], yerr=rows["T_se"], fmt="D", ms=5, color="tab:green",
            capsize=2, label=r"simulated at the best $\lambda_p$",
        )  # fmt: skip
    ax.axhline(0.0, color="grey", linewidth=0.7)
    ax.set_xlim(0, math.pi / 2)
    ax.set_xticks([0, math.pi / 8, math.pi / 4, 3 * math.pi / 8, math.pi / 2])
    ax.set_xticklabels(["0", "π/8", "π/4", "3π/8", "π/2"])
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$\mathcal{T}_{ft}$ at $\gamma$ = " + f"{SLICE_GAMMA:g}")
    ax.set_title(r"slice $\gamma$ = " + f"{SLICE_GAMMA:g} (points: mean ± SE)", fontsize=11)
    ax.legend(fontsize=7.5, loc="lower left")


def _grid(ctx: Context, tables: Tables) -> str:
    simulation = tables["simulation"]
    stored = (
        f"{len(simulation)} stored simulated fine-tuning cells"
        if len(simulation)
        else "no stored simulated cell"
    )
    return (
        f"d = {ctx.grid.d}, theory at σ = {SIGMA:g} on {ctx.theory_points} points per axis; "
        f"{stored} of the sweeps pretraining_decay and phase_diagram ({ctx.grid.instances} "
        "instances per cell) with the scratch cells of sweep scratch"
    )


FIGURE = Figure(
    name="pretraining-decay",
    title="Extension: fine-tuning after pretraining with weight decay",
    reference="not in the paper: extension, docs/paper.md §12",
    caption=(
        "Extension beyond the paper (not its claim). Transferability of fine-tuning, "
        "T_ft = R_sc − R_ft, after population pretraining with SGD weight decay λ_p, σ = 0, over "
        "(θ, γ = n/d): the derived (1 − γ)(2κ cos θ − κ²) with κ = √p c and p = 1 − λ_p/2 "
        "(blue T > 0, red T < 0), its break-even angle θ* = arccos(κ/2) (solid) and the paper's "
        "π/3 (dashed). Circles: simulated cells (mean R_sc − mean R_ft) where stored; ×: not "
        "converged in the authors' 5000 steps. Right: the slice γ = 1/2 with simulated means "
        "± SE; the green envelope (1 − γ)cos²θ is what the best decay at each angle reaches "
        "(diamonds: cells pretrained with it)."
    ),
    data=data,
    draw=draw,
    notes=(
        "Weight decay trades the gain at small angles for a wider positive region: κ < 1 lowers "
        "(1 − γ)(2κ − κ²) at θ = 0 and moves the break-even angle beyond π/3; with the best "
        "decay fine-tuning is never negative (wd_ft_optimal_decay).",
        "Simulated points are drawn only where the store holds them; the figure simulates "
        "nothing (run `python -m verify run ext-wd-fine-tuning ext-wd-optimal-decay` to fill "
        "the store).",
        "λ_p >= 2 collapses the pretrained network to 0 (wd_pretrain_end_point); fine-tuning from "
        "it is not drawn.",
    ),
    grid=_grid,
)
