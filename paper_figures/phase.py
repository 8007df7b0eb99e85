"""Phase-diagram figures: theory map, experiment with the theory's zero contour, residual map and
(optionally) slices, one row per transfer procedure.

A :class:`Diagram` says which simulations and which evaluators make one row; :func:`phase_figure`
turns a list of them into a :class:`~paper_figures.core.Figure` with these tables per row
(``KEY`` = ``Diagram.key``):

* ``KEY_theory``: ``theta, gamma, value`` — the theory map on the theory grid;
* ``KEY_experiment``: the simulated cells (:func:`paper_figures.tables.transfer_table`), with the
  per-cell theory ``expected`` and ``residual_se``;
* ``KEY_slices``: ``curve, theta, gamma, value`` — theory curves at the slice angles.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure as MplFigure

from fate_numeric.experiments import Cell
from paper_figures import plots
from paper_figures.core import Context, Figure, Table, Tables
from paper_figures.tables import (
    CONVERGED_LOSS,
    RESIDUAL_FLOOR,
    best_decay_baseline,
    pooled_residuals,
    theory_map,
    theory_slices,
    transfer_table,
)

SLICE_THETAS = (math.pi / 8, math.pi / 4, 3 * math.pi / 8)
PANEL = 3.3  # inches per panel
RESIDUAL_NOTE = (
    f"Residual maps show (simulated mean − theory)/√(SE² + ε²) with ε = {RESIDUAL_FLOOR:g} "
    "(the simulations' resolution, as verify's floors); grey cells are not compared: the "
    "theory is infinite there (|n − d| <= 1, σ > 0) or the run did not converge (training "
    f"loss > {CONVERGED_LOSS:g} where its minimum is 0, or unregularised scratch training "
    "used its whole step budget without being made to: under the authors' stopping rule of the "
    "paper profile a noisy cell with n > d + 1 always does, and counts as converged). SE is "
    "the sample standard error; the per-instance risks are "
    "skewed (χ²-like), so with few instances residuals of 2–3 occur more often than a normal "
    "law suggests, mostly where the sample missed the tail. Experimental cells are drawn "
    "around their (θ, γ) centres, not by grid index as in the notebook."
)


@dataclass(frozen=True)
class Bias:
    """The fourth panel of a row without slices: the residual in units of T against θ, pooled
    over the compared cells below γ = 1 (:func:`paper_figures.tables.pooled_residuals`),
    beside what other theories predict it to be, so that a residual of one sign can be judged.

    Attributes:
        alternatives: ``{key: (legend, expected(ctx, cell))}``: another theory's prediction per
            cell; the panel draws its mean difference from the row's own ``expected`` (the
            residual the networks would show if they followed that theory). Legends hold no comma.
        floor: the row's reference's finite-d error in units of 1/d (verify's floor for these
            cells): the grey band ± floor/d.
    """

    alternatives: dict[str, tuple[str, Callable[[Context, Cell], float]]] = field(
        default_factory=dict
    )
    floor: float = 1.0


@dataclass(frozen=True)
class Diagram:
    """One row of a phase figure.

    Attributes:
        key: table-name prefix (``lt``, ``ft`` ...).
        label: the procedure in words, for titles.
        sweep, procedure, sigma, ridge: which stored cells (linear transfer: which ridge λ).
        theory: ``theory(ctx, θ, γ)`` — the map, from ``ctx.theory``.
        expected: ``expected(ctx, cell)`` — the theory's prediction for one simulated cell
            (finite-size where an exact expression exists), used for the residuals.
        source_ratio: γ_s of finite-source pretraining (None: population source).
        best_decay_baseline: compare with the scratch runs of the best weight decay per n.
        slices: theory curves ``{legend: f(ctx, θ, γ)}`` drawn at π/8, π/4, 3π/8 (none: no panel).
        slice_styles: line style per curve legend.
        bias: the pooled residual panel (:class:`Bias`) for a row without slices (none: no panel).
    """

    key: str
    label: str
    sweep: str
    procedure: str
    sigma: float
    theory: Callable[[Context, np.ndarray, np.ndarray], np.ndarray]
    expected: Callable[[Context, Cell], float]
    ridge: float = 0.0
    source_ratio: float | None = None
    best_decay_baseline: bool = False
    slices: dict[str, Callable[[Context, float, np.ndarray], np.ndarray]] = field(
        default_factory=dict
    )
    slice_styles: dict[str, str] = field(default_factory=dict)
    bias: Bias | None = None
    theory_title: str = ""
    experiment_title: str = ""


def diagram_tables(ctx: Context, diagram: Diagram) -> dict[str, Table]:
    """The tables of one row (see the module docstring)."""
    baseline = None
    if diagram.best_decay_baseline:
        baseline, _ = best_decay_baseline(ctx, diagram.sigma)
    n_source = None if diagram.source_ratio is None else round(diagram.source_ratio * ctx.grid.d)
    alternatives = {} if diagram.bias is None else diagram.bias.alternatives
    experiment = transfer_table(
        ctx,
        diagram.sweep,
        diagram.procedure,
        diagram.sigma,
        lambda cell: diagram.expected(ctx, cell),
        ridge=diagram.ridge,
        n_source=n_source,
        baseline=baseline,
        alternatives={
            key: (lambda cell, f=function: f(ctx, cell))
            for key, (_, function) in alternatives.items()
        },
    )
    tables = {
        f"{diagram.key}_theory": theory_map(ctx, lambda th, ga: diagram.theory(ctx, th, ga)),
        f"{diagram.key}_experiment": experiment,
    }
    if diagram.bias is not None:
        observed, predicted = pooled_residuals(experiment, tuple(alternatives))
        d = float(experiment["d"][0])
        tables[f"{diagram.key}_bias"] = Table(
            {
                **observed.columns,
                "floor": np.full(len(observed), diagram.bias.floor / d),
                "floor_per_d": np.full(len(observed), diagram.bias.floor),
            }
        )
        if predicted is not None:
            labels = {key: legend for key, (legend, _) in alternatives.items()}
            tables[f"{diagram.key}_bias_predicted"] = Table(
                {**predicted.columns, "label": np.array([labels[k] for k in predicted["curve"]])}
            )
    if diagram.slices:
        tables[f"{diagram.key}_slices"] = theory_slices(
            ctx,
            SLICE_THETAS,
            {
                name: (lambda th, ga, f=function: f(ctx, th, ga))
                for name, function in diagram.slices.items()
            },
        )
    return tables


def draw_rows(
    tables: Tables, diagrams: tuple[Diagram, ...], extra_columns: int = 0
) -> tuple[MplFigure, np.ndarray]:
    """Draw every row; returns the figure and its axes (rows × columns) for extra panels."""
    columns = 3 + any(d.slices or d.bias for d in diagrams) + extra_columns
    fig = MplFigure(figsize=(PANEL * columns, PANEL * len(diagrams)))
    axes = fig.subplots(len(diagrams), columns, squeeze=False)
    for row, diagram in zip(axes, diagrams, strict=True):
        theory = tables[f"{diagram.key}_theory"]
        experiment = tables[f"{diagram.key}_experiment"]
        plots.theory_map(row[0], theory, diagram.theory_title or f"{diagram.label}: theory")
        plots.experiment_map(
            row[1],
            experiment,
            diagram.experiment_title or f"{diagram.label}: simulation",
            contour=theory,
        )
        plots.residual_map(row[2], experiment, f"{diagram.label}: residual")
        if diagram.slices:
            plots.slices(
                row[3],
                tables[f"{diagram.key}_slices"],
                experiment,
                SLICE_THETAS,
                f"{diagram.label}: slices",
                diagram.slice_styles,
            )
        elif diagram.bias is not None:
            plots.pooled_residual_panel(
                row[3],
                tables[f"{diagram.key}_bias"],
                tables.get(f"{diagram.key}_bias_predicted"),
                f"{diagram.label}: residual below γ = 1",
            )
        else:
            for ax in row[3 : columns - extra_columns]:
                ax.set_visible(False)
    return fig, axes


def phase_figure(
    name: str,
    title: str,
    reference: str,
    caption: str,
    diagrams: tuple[Diagram, ...],
    notes: tuple[str, ...] = (),
) -> Figure:
    """A :class:`Figure` made of the rows ``diagrams``."""

    def data(ctx: Context) -> dict[str, Table]:
        tables: dict[str, Table] = {}
        for diagram in diagrams:
            tables.update(diagram_tables(ctx, diagram))
        return tables

    def draw(tables: Tables) -> MplFigure:
        fig, _ = draw_rows(tables, diagrams)
        return fig

    sweeps = tuple(dict.fromkeys(["scratch", *(d.sweep for d in diagrams)]))
    return Figure(name, title, reference, caption, data, draw, sweeps, (*notes, RESIDUAL_NOTE))


# ---- the evaluators the rows use (compositions of fate_numeric.theory only) ---------------------
def lt_theory(sigma: float) -> Callable[[Context, np.ndarray, np.ndarray], np.ndarray]:
    """Eq. 11: T_lt(θ, γ, σ)."""
    return lambda ctx, theta, gamma: ctx.theory.lt_transferability(theta, gamma, sigma)


def lt_expected(ctx: Context, cell: Cell) -> float:
    """Exact finite-size T_lt of a cell: E R_sc(n, d, σ) − E R_lt(θ, n, σ) (eq. 10)."""
    return ctx.theory.lt_transferability_finite(cell.theta, cell.n, cell.d, cell.sigma)


def ft_printed(ctx: Context, theta, gamma):
    """Eq. 15 as printed (σ-independent)."""
    return ctx.theory.ft_transferability(theta, gamma)


def ft_printed_expected(ctx: Context, cell: Cell) -> float:
    """Eq. 15 at γ = n/d (exact in expectation at σ = 0: E(I − P) = (1 − n/d) I)."""
    return ctx.theory.ft_transferability(cell.theta, cell.n / cell.d)


def ft_balanced(sigma: float):
    """Eq. 15 with the balanced-scale correction c(γ, σ) (docs/paper.md §3.8)."""
    return lambda ctx, theta, gamma: ctx.theory.ft_transferability_balanced(theta, gamma, sigma)


def ft_balanced_expected(ctx: Context, cell: Cell) -> float:
    """The balanced-scale T_ft at γ = n/d (asymptotic in d)."""
    return ctx.theory.ft_transferability_balanced(cell.theta, cell.n / cell.d, cell.sigma)
