"""The notebook's 3D surfaces of the transferability: eq. 11 at σ = 0.2 and 0, and eq. 15."""

from __future__ import annotations

import dataclasses

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure as MplFigure

from paper_figures.core import Context, Figure, Table, Tables
from paper_figures.phase import ft_printed, lt_theory
from paper_figures.plots import TRANSFER_CMAP, theta_axis
from paper_figures.tables import theory_map

SURFACES = {
    "lt_sigma0.2": (r"linear transfer, eq. 11, $\sigma$ = 0.2", lt_theory(0.2)),
    "lt_sigma0": (r"linear transfer, eq. 11, $\sigma$ = 0", lt_theory(0.0)),
    "ft": ("fine-tuning, eq. 15 (any σ)", ft_printed),
}
MAX_POINTS = 200  # the notebook's 200 × 200 surfaces
Z_LIMITS = (-1.0, 1.0)
FACETS = 50  # faces per side drawn, matplotlib's default count


def facet_lines(points: int, facets: int = FACETS) -> np.ndarray:
    """Indices of the grid lines a surface is drawn through: both ends and evenly spread.

    Drawing through these lines with stride 1 makes every face a quadrilateral. With matplotlib's
    own striding, a grid whose size minus one is not a multiple of the stride (200 points, stride
    4) gets ragged edge faces, which matplotlib pads with uninitialised memory; projecting that
    memory can overflow and raise a RuntimeWarning at draw time (matplotlib 3.11).
    """
    return np.linspace(0, points - 1, min(points, facets + 1)).round().astype(int)


def data(ctx: Context) -> dict[str, Table]:
    coarse = dataclasses.replace(ctx, theory_points=min(ctx.theory_points, MAX_POINTS))
    return {
        key: theory_map(coarse, lambda th, ga, f=function: f(ctx, th, ga))
        for key, (_, function) in SURFACES.items()
    }


def draw(tables: Tables) -> MplFigure:
    fig = MplFigure(figsize=(13.5, 4.6))
    norm = Normalize(*Z_LIMITS)
    axes = []
    for index, (key, (title, _)) in enumerate(SURFACES.items()):
        ax = fig.add_subplot(1, 3, index + 1, projection="3d")
        axes.append(ax)
        thetas, gammas, values = tables[key].grid("theta", "gamma", "value")
        rows, columns = facet_lines(gammas.size), facet_lines(thetas.size)
        grid_theta, grid_gamma = np.meshgrid(thetas[columns], gammas[rows])
        shown = np.clip(values[np.ix_(rows, columns)], *Z_LIMITS)  # the CSV keeps the values
        ax.plot_surface(
            grid_theta,
            grid_gamma,
            shown,
            rstride=1,
            cstride=1,
            cmap=TRANSFER_CMAP,  # the phase diagrams' colours: blue T > 0, red T < 0
            norm=norm,
            edgecolor=(0, 0, 0, 0.15),  # a faint mesh: colour-mapped faces are not shaded
            linewidth=0.2,
            antialiased=True,
        )
        ax.set_zlim(*Z_LIMITS)
        ax.view_init(elev=10, azim=45)
        theta_axis(ax)
        ax.set_ylim(0, 2)
        ax.set_ylabel(r"$\gamma$")
        ax.zaxis.set_rotate_label(False)  # a rotated calligraphic T reads like ⊥
        ax.set_zlabel(r"$\mathcal{T}$", rotation=0)
        ax.set_title(title)
    fig.colorbar(
        ScalarMappable(norm=norm, cmap=TRANSFER_CMAP),
        ax=axes,
        label=r"transferability $\mathcal{T}$ (clipped to [−1, 1])",
        fraction=0.02,
        pad=0.02,
        shrink=0.7,
    )
    return fig


FIGURE = Figure(
    name="surfaces",
    title="Transferability surfaces",
    reference="notebook plots #5, #14",
    caption=(
        "The transferability over (θ, γ) as surfaces, viewed at elevation 10°, azimuth 45° as in "
        "the notebook: linear transfer (eq. 11) at σ = 0.2, with its spike at γ = 1, and at "
        "σ = 0, and fine-tuning (eq. 15), which is 0 for γ > 1. Height and colour both give T "
        "(blue T > 0, white 0, red T < 0, as in the phase diagrams; colour bar on the right)."
    ),
    data=data,
    draw=draw,
    notes=(
        "Values are clipped to the notebook's z-range [−1, 1] for drawing only (the spike at "
        "γ = 1 for σ = 0.2 goes to +∞); the CSVs hold the evaluators' values.",
    ),
)
