"""Drawing helpers shared by the figures: transferability maps, zero contours, residuals, slices.

Colours follow the authors' notebook (docs/paper.md §2.4): transferability T > 0 (transfer helps) is
blue, T < 0 red, through white, on the range [−1, 1]. Axes are in the quantities' own units (θ in
radians with π ticks, γ = n/d), also for the experimental grids, whose cells are drawn around
their centres (the notebook labelled them by grid index, docs/paper.md §9.1.5).
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, TwoSlopeNorm, to_hex

from paper_figures.core import Table

TRANSFER_CMAP = LinearSegmentedColormap.from_list(
    "transferability", ["#c6423c", "#fafafa", "#4454c2"]
)
BINARY_CMAP = ListedColormap(["#c6423c", "#4454c2"])
RESIDUAL_CMAP = "PuOr_r"
RESIDUAL_LIMIT = 5.0  # colour range of residual maps, in standard errors
RESIDUAL_LABEL = "(simulated − theory)\n" + r"/ $\sqrt{SE^2+\epsilon^2}$"
NOT_GATED_COLOUR = "#bdbdbd"
#: Names of the style sheet's cycle colours (``paper_figures/fate.mplstyle``, the authors'
#: palette), for captions that name the colour of a curve (:func:`colour_name`).
COLOUR_NAMES = {
    "697eff": "blue",
    "d27faf": "pink",
    "7fac1e": "green",
    "f85542": "red",
    "005a24": "dark green",
    "0841bc": "dark blue",
    "9a4b00": "brown",
}
STYLE_SHEET = Path(__file__).with_name("fate.mplstyle")


def style_colour(index: int) -> str:
    """The ``index``-th colour of the package style sheet's cycle (``C{index}`` under the style),
    as ``#rrggbb``: figures that name colours in their captions draw with these."""
    cycle = matplotlib.rc_params_from_file(str(STYLE_SHEET), use_default_template=False)
    colours = cycle["axes.prop_cycle"].by_key()["color"]
    return to_hex(colours[index % len(colours)])


def colour_name(colour: str) -> str:
    """The word a caption uses for a cycle colour (``#697eff`` → ``blue``)."""
    key = to_hex(colour).lstrip("#").lower()
    if key not in COLOUR_NAMES:
        raise ValueError(f"colour {colour!r} is not one of the style sheet's named colours")
    return COLOUR_NAMES[key]


def cell_text(value: float) -> str:
    """A residual written in its cell: one decimal, never ``-0.0`` (a value that rounds to zero is
    ``0.0`` whatever its sign), ``–`` where there is none."""
    if not math.isfinite(value):
        return "–"
    text = f"{value:.1f}"
    return "0.0" if float(text) == 0 else text


def map_ticks(ax: Axes) -> None:
    """Ticks outside a map panel, on its left and bottom only (inward ticks on all four sides,
    the style's default for curves, run into the cells and the numbers written in them)."""
    ax.tick_params(direction="out", top=False, right=False)


def outside_legend(ax: Axes, **options) -> None:
    """The legend to the right of the axes, off the data at every profile."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **options)


def theta_axis(ax: Axes, label: bool = True) -> None:
    """θ axis from 0 to π/2 with ticks at multiples of π/8."""
    ax.set_xlim(0, math.pi / 2)
    ax.set_xticks([k * math.pi / 8 for k in range(5)])
    ax.set_xticklabels(["0", r"$\pi/8$", r"$\pi/4$", r"$3\pi/8$", r"$\pi/2$"])
    if label:
        ax.set_xlabel(r"$\theta$")


def angle_label(theta: float) -> str:
    """θ as a multiple of π/8 in mathtext where it is one (e.g. ``$3\\pi/8$``), else in radians."""
    eighths = theta / (math.pi / 8)
    k = round(eighths)
    if not math.isclose(eighths, k, abs_tol=1e-9):
        return f"{theta:.3f}"
    fraction = Fraction(k, 8)
    top = "" if fraction.numerator == 1 else str(fraction.numerator)
    if fraction.denominator == 1:
        return rf"${top}\pi$" if k else "0"
    return rf"${top}\pi/{fraction.denominator}$"


def edges(centres: np.ndarray, low: float, high: float) -> np.ndarray:
    """Cell edges around sorted ``centres``: midway between neighbours, clipped to [low, high]."""
    centres = np.asarray(centres, float)
    if centres.size == 1:
        return np.array([low, high])
    inner = 0.5 * (centres[1:] + centres[:-1])
    first = max(low, centres[0] - (inner[0] - centres[0]))
    last = min(high, centres[-1] + (centres[-1] - inner[-1]))
    return np.concatenate([[first], inner, [last]])


def colorbar(ax: Axes, mappable, label: str) -> None:
    ax.figure.colorbar(mappable, ax=ax, label=label, fraction=0.046, pad=0.03)


def theory_map(
    ax: Axes, table: Table, title: str, binary: bool = False, label: str = r"$\mathcal{T}$"
) -> None:
    """A theory map (long form ``theta, gamma, value``) with its zero contour in black."""
    thetas, gammas, values = table.grid("theta", "gamma", "value")
    if binary:
        mesh = ax.pcolormesh(
            thetas,
            gammas,
            np.sign(values),
            cmap=BINARY_CMAP,
            vmin=-1,
            vmax=1,
            alpha=0.55,
            shading="nearest",
            rasterized=True,
        )
    else:
        mesh = ax.pcolormesh(
            thetas,
            gammas,
            values,
            cmap=TRANSFER_CMAP,
            vmin=-1,
            vmax=1,
            shading="nearest",
            rasterized=True,
        )
        colorbar(ax, mesh, label)
    zero_contour(ax, table, colors="black", linestyles="solid")
    theta_axis(ax)
    map_ticks(ax)
    ax.set_ylim(0, 2)
    ax.set_ylabel(r"$\gamma = n/d$")
    ax.set_title(title)


def zero_contour(ax: Axes, table: Table, **style) -> None:
    """The T = 0 contour of a theory map (``value``), drawn over whatever is on ``ax``."""
    thetas, gammas, values = table.grid("theta", "gamma", "value")
    finite = np.where(np.isfinite(values), values, np.nanmax(np.abs(values[np.isfinite(values)])))
    ax.contour(thetas, gammas, finite, levels=[0.0], linewidths=1.0, **style)


def experiment_map(
    ax: Axes, table: Table, title: str, contour: Table | None = None, column: str = "T_mean"
) -> None:
    """Simulated transferability on its (θ, γ) grid; × marks cells not converged; optional
    theory zero contour (dashed) from a theory map table."""
    thetas, gammas, values = table.grid("theta", "gamma", column)
    mesh = ax.pcolormesh(
        edges(thetas, 0, math.pi / 2),
        edges(gammas, 0, 2),
        values,
        cmap=TRANSFER_CMAP,
        vmin=-1,
        vmax=1,
        shading="flat",
        edgecolors="face",
    )
    colorbar(ax, mesh, r"$\mathcal{T}$ (simulated mean)")
    unconverged = table["converged"] == 0
    if unconverged.any():  # explained in the title, not by a legend over the cells
        ax.plot(
            table["theta"][unconverged],
            table["gamma"][unconverged],
            "x",
            color="black",
            markersize=4,
        )
        title = f"{title}\n(× not converged)"
    if contour is not None:
        zero_contour(ax, contour, colors="black", linestyles="dashed")
    theta_axis(ax)
    map_ticks(ax)
    ax.set_ylim(0, 2)
    ax.set_ylabel(r"$\gamma = n/d$")
    ax.set_title(title)


def residual_map(ax: Axes, table: Table, title: str) -> None:
    """(simulated − expected)/SE per cell; grey where not gated (singular or not converged);
    the numbers are written in the cells when the grid is small."""
    thetas, gammas, values = table.grid("theta", "gamma", "residual_se")
    x_edges, y_edges = edges(thetas, 0, math.pi / 2), edges(gammas, 0, 2)
    ax.pcolormesh(
        x_edges,
        y_edges,
        np.where(np.isnan(values), 0.0, np.nan),
        cmap=ListedColormap([NOT_GATED_COLOUR]),
        shading="flat",
    )
    limit = max(RESIDUAL_LIMIT, 1.0)
    mesh = ax.pcolormesh(
        x_edges,
        y_edges,
        np.clip(values, -limit, limit),
        cmap=RESIDUAL_CMAP,
        norm=TwoSlopeNorm(0.0, -limit, limit),
        shading="flat",
    )
    colorbar(ax, mesh, RESIDUAL_LABEL)
    if thetas.size * gammas.size <= 64:
        # the centres of the drawn (clipped) cells, so a number stays inside its cell
        x_mid, y_mid = 0.5 * (x_edges[1:] + x_edges[:-1]), 0.5 * (y_edges[1:] + y_edges[:-1])
        widths = np.diff(x_edges)
        for j, gamma in enumerate(y_mid):
            for i, theta in enumerate(x_mid):
                ax.text(
                    theta,
                    gamma,
                    cell_text(values[j, i]),
                    ha="center",
                    va="center",
                    fontsize=6 if widths[i] >= 0.75 * widths.max() else 5,  # a clipped edge cell
                    clip_on=True,
                )
    theta_axis(ax)
    map_ticks(ax)
    ax.set_ylim(0, 2)
    ax.set_ylabel(r"$\gamma = n/d$")
    ax.set_title(title)


def slices(
    ax: Axes,
    curves: Table,
    experiment: Table,
    thetas: tuple[float, ...],
    title: str,
    styles: dict[str, str] | None = None,
) -> None:
    """Theory curves T(γ) at each θ (colour per θ, line style per curve), simulated mean ± std
    (filled markers) and the finite-size expectation at the simulated cells (open markers)."""
    styles = styles or {}
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, theta in enumerate(thetas):
        colour = cycle[k % len(cycle)]
        name = angle_label(theta)
        for curve in dict.fromkeys(curves["curve"]):
            rows = curves.where((curves["curve"] == curve) & np.isclose(curves["theta"], theta))
            ax.plot(rows["gamma"], rows["value"], styles.get(curve, "-"), color=colour)
        ax.plot([], [], "s", color=colour, label=rf"$\theta$ = {name}")
        rows = experiment.where(np.isclose(experiment["theta"], theta))
        order = np.argsort(rows["gamma"])
        ax.errorbar(
            rows["gamma"][order],
            rows["T_mean"][order],
            yerr=rows["T_std"][order],
            fmt="o",
            color=colour,
            markersize=3.5,
        )
        ax.plot(
            rows["gamma"],
            rows["expected"],
            "D",
            markerfacecolor="none",
            color=colour,
            markersize=4,
        )
    for curve in dict.fromkeys(curves["curve"]):
        ax.plot([], [], styles.get(curve, "-"), color="grey", label=curve)
    ax.plot([], [], "o", color="grey", label="simulated mean ± std")
    ax.plot([], [], "D", markerfacecolor="none", color="grey", label="expected at finite d")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlim(0, 2)
    ax.set_ylim(-1, 1)
    ax.set_xlabel(r"$\gamma = n/d$")
    ax.set_ylabel(r"$\mathcal{T}$")
    outside_legend(ax)
    ax.set_title(title)


def pooled_residual_panel(ax: Axes, observed: Table, predicted: Table | None, title: str) -> None:
    """The residual in units of T against θ, pooled over the compared cells below γ = 1 (mean ±
    SE), the residual other theories predict (lines), 0 (the row's own theory) and the grey band
    ± the reference's finite-d error (:class:`paper_figures.phase.Bias`)."""
    floor = float(observed["floor"][0]) if len(observed) else 0.0
    per_d = float(observed["floor_per_d"][0]) if len(observed) else 0.0
    ax.axhspan(
        -floor,
        floor,
        color="0.88",
        lw=0,
        label=f"± {per_d:g}/d = {floor:.2g}: the reference's O(1/d) error (verify's floor)",
    )
    ax.axhline(0.0, color="black", lw=0.6)
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    if predicted is not None:
        for k, label in enumerate(dict.fromkeys(predicted["label"])):
            rows = predicted.where(predicted["label"] == label)
            order = np.argsort(rows["theta"])
            ax.plot(rows["theta"][order], rows["value"][order], "-", color=cycle[k], label=label)
    ax.errorbar(
        observed["theta"],
        observed["residual"],
        yerr=observed["residual_se"],
        fmt="o",
        color="black",
        markersize=3.5,
        label="simulated − theory (mean ± SE)",
    )
    theta_axis(ax)
    ax.set_xlim(-0.03 * math.pi, 0.53 * math.pi)  # points at θ = 0 and π/2 are drawn whole
    ax.set_ylabel(r"simulated $-$ theory ($\mathcal{T}$)")
    ax.set_title(title)
    outside_legend(ax)
