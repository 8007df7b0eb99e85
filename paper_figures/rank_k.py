"""Extension (not the paper's): linear-transfer phase diagrams of rank-k feature spaces.

Pretraining on k orthonormal source teachers leaves a rank-k feature space; linear transfer from
it has the exact risk ρ + (ρ + σ²)k/(n − k − 1) (``lt_risk_rank_k``, docs/paper.md §11), with
ρ = ‖(I − P_k)β_t‖² the target's part outside the features (sin²θ at k = 1). The panels show the
exact finite-size transferability E R_sc(n, d) − E R_lt over (ρ, γ = n/d) at the profile's d for
k = 1, 2, 4, 8, its zero contour (solid), and the zero contour of the proportional limit at fixed
k (dashed; the same for every k: eq. 11 with sin²θ → ρ). Simulated cells are drawn where the store
holds them (the ``rank_k`` extension sweep; at k = 1 the linear-transfer cells of
``phase_diagram``): this figure simulates nothing.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure as MplFigure

from fate_numeric.experiments import rank_k_out_of_span
from fate_numeric.statistics import standard_error
from fate_numeric.sweeps import RANK_K_SIGMA, cells_of, extension_cells_of
from paper_figures.core import Context, Figure, Table, Tables, midpoints
from paper_figures.plots import TRANSFER_CMAP, map_ticks

RANKS = (1, 2, 4, 8)
SIGMA = RANK_K_SIGMA
RHO_RANGE = (0.0, 1.0)


def sample_sizes(d: int, points: int) -> np.ndarray:
    """The integer n of the theory maps: 1, ..., 2d (γ up to 2), thinned to about ``points``."""
    sizes = np.arange(1, 2 * d + 1)
    if sizes.size <= points:
        return sizes
    return np.unique(np.linspace(1, 2 * d, points).round().astype(int))


def simulated(ctx: Context) -> Table:
    """Stored simulated cells at σ = 0.2: T = mean R_sc − mean R_lt with its standard error and
    the exact finite-size prediction (empty columns where nothing is stored)."""
    d = ctx.grid.d
    scratch = ctx.held_scratch(SIGMA)
    transfer = [
        cell
        for cell in cells_of("phase_diagram", ctx.profile, ctx.seed)
        if cell.procedure == "linear_transfer" and cell.sigma == SIGMA
    ]
    transfer += extension_cells_of("rank_k", ctx.profile, ctx.seed)
    columns: dict[str, list] = {
        key: [] for key in ("k", "rho", "gamma", "n", "T_mean", "T_se", "expected")
    }
    for cell, arrays in ctx.held(transfer):
        if cell.n not in scratch:
            continue
        risks = arrays["generalisation"][0]
        scratch_risks = scratch[cell.n]
        rho = rank_k_out_of_span(cell)
        se = np.hypot(standard_error(scratch_risks), standard_error(risks))
        columns["k"].append(cell.source_rank)
        columns["rho"].append(rho)
        columns["gamma"].append(cell.n / d)
        columns["n"].append(cell.n)
        columns["T_mean"].append(float(scratch_risks.mean() - risks.mean()))
        columns["T_se"].append(float(se))
        columns["expected"].append(
            float(
                ctx.theory.lt_transferability_rank_k_finite(rho, cell.n, d, cell.source_rank, SIGMA)
            )
        )
    return Table(
        {
            key: np.array(values, dtype=np.int64 if key in ("k", "n") else float)
            for key, values in columns.items()
        }
    )


def data(ctx: Context) -> dict[str, Table]:
    d = ctx.grid.d
    rhos = midpoints(*RHO_RANGE, ctx.theory_points)
    sizes = sample_sizes(d, ctx.theory_points)
    grid_rho, grid_n = np.meshgrid(rhos, sizes)
    tables: dict[str, Table] = {}
    for k in RANKS:
        values = ctx.theory.lt_transferability_rank_k_finite(grid_rho, grid_n, d, k, SIGMA)
        tables[f"theory_k{k}"] = Table.from_grid("rho", rhos, "gamma", sizes / d, value=values)
        tables[f"boundary_k{k}"] = Table(
            gamma=sizes / d,
            n=sizes,
            rho_star=ctx.theory.lt_rank_k_boundary_finite(sizes, d, k, SIGMA),
        )
    gammas = midpoints(0.0, 2.0, ctx.theory_points)
    limit_rho, limit_gamma = np.meshgrid(rhos, gammas)
    tables["limit"] = Table.from_grid(
        "rho",
        rhos,
        "gamma",
        gammas,
        value=ctx.theory.lt_transferability_rank_k(limit_rho, limit_gamma, SIGMA),
    )
    tables["simulation"] = simulated(ctx)
    return tables


def draw(tables: Tables) -> MplFigure:
    fig = MplFigure(figsize=(17.0, 4.4), layout="constrained")
    axes = fig.subplots(1, len(RANKS), sharey=True)
    simulation = tables["simulation"]
    mesh = None
    for ax, k in zip(axes, RANKS, strict=True):
        rhos, gammas, values = tables[f"theory_k{k}"].grid("rho", "gamma", "value")
        shown = np.clip(np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
        mesh = ax.pcolormesh(
            rhos, gammas, shown, cmap=TRANSFER_CMAP, vmin=-1, vmax=1, shading="nearest",
            rasterized=True,
        )  # fmt: skip
        finite = np.where(np.isfinite(values), values, np.where(values > 0, 1.0, -1.0))
        ax.contour(rhos, gammas, finite, levels=[0.0], colors="black", linewidths=1.0)
        l_rhos, l_gammas, l_values = tables["limit"].grid("rho", "gamma", "value")
        l_finite = np.where(np.isfinite(l_values), l_values, 1.0)
        ax.contour(
            l_rhos, l_gammas, l_finite, levels=[0.0], colors="black", linewidths=1.0,
            linestyles="dashed",
        )  # fmt: skip
        if len(simulation):
            rows = simulation.where(simulation["k"] == k)
            if len(rows):
                ax.scatter(
                    rows["rho"], rows["gamma"], c=np.clip(rows["T_mean"], -1, 1),
                    cmap=TRANSFER_CMAP, vmin=-1, vmax=1, s=46 if len(rows) <= 100 else 16,
                    edgecolors="black", linewidths=0.8 if len(rows) <= 100 else 0.5, zorder=3,
                )  # fmt: skip
        ax.set_xlim(*RHO_RANGE)
        ax.set_ylim(0, 2)
        ax.set_xlabel(r"$\rho = \|(I - P_k)\beta_t\|^2$")
        ax.set_title(f"k = {k}" + (" (eq. 10 vs eq. 8 at finite d)" if k == 1 else ""))
        map_ticks(ax)
    axes[0].set_ylabel(r"$\gamma = n/d$")
    fig.colorbar(mesh, ax=list(axes), label=r"transferability $\mathcal{T}$ (clipped to [−1, 1])")
    return fig


def _grid(ctx: Context, tables: Tables) -> str:
    simulation = tables["simulation"]
    ranks = ", ".join(map(str, sorted(set(simulation["k"].tolist()))))
    stored = (
        f"{len(simulation)} stored simulated cells (k ∈ {{{ranks}}})"
        if len(simulation)
        else "no stored simulated cell"
    )
    return (
        f"d = {ctx.grid.d}, theory at σ = {SIGMA:g} for n = 1…{2 * ctx.grid.d}; {stored} of the "
        f"sweeps rank_k and phase_diagram ({ctx.grid.instances} instances per cell) with the "
        "scratch cells of sweep scratch"
    )


FIGURE = Figure(
    name="rank-k",
    title="Extension: linear-transfer phase diagrams of rank-k feature spaces",
    reference="not in the paper: extension, docs/paper.md §11",
    caption=(
        "Extension beyond the paper (not its claim). Transferability of linear transfer from a "
        "rank-k pretrained feature space against scratch training, σ = 0.2, over the target's "
        "out-of-span norm ρ = ‖(I − P_k)β_t‖² (sin²θ at k = 1) and γ = n/d, for k = 1, 2, 4, 8 "
        "at the profile's d: the exact finite-size T = E R_sc(n, d) − [ρ + (ρ + σ²)k/(n − k − 1)] "
        "(blue T > 0, red T < 0), its zero contour ρ = ρ*(n, d, k) (solid) and the zero contour "
        "of the proportional limit at fixed k (dashed), which is the same for every k. Circles: "
        "simulated cells (mean R_sc − mean R_lt over instances, same colours) where stored."
    ),
    data=data,
    draw=draw,
    notes=(
        "The rank costs (ρ + σ²)k/(n − k − 1): below n = k + 2 the transfer risk is infinite "
        "(red band at small γ), and the negative-transfer region grows with k at finite d; as "
        "d → ∞ at fixed k every panel tends to the dashed contour (lt_transferability_rank_k).",
        "Simulated points are drawn only where the store holds them; the figure simulates "
        "nothing (run `python -m verify run ext-rank-k-transferability` to fill the store).",
        "Where n <= k + 3 the transfer risk has an infinite variance: a simulated mean there "
        "(e.g. k = 8, n = 10 at d = 40) usually misses the tail and lies far above the red "
        "prediction; such cells are not gated by the claims.",
        "The k = 1 panel is Fig. 1's diagram at finite d with the abscissa sin²θ instead of θ.",
    ),
    grid=_grid,
)
