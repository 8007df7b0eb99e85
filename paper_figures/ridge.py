"""Ridge-regularised linear transfer against λ (Thm 3.8, eq. 13) at γ = 0.5, θ = π/8, σ = 0.2."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure as MplFigure

from paper_figures.core import Context, Figure, FigureError, Table, Tables
from paper_figures.tables import summary

GAMMA, THETA, SIGMA = 0.5, math.pi / 8, 0.2
LAMBDA_MAX, CURVE_POINTS = 0.6, 250


def data(ctx: Context) -> dict[str, Table]:
    lams = np.linspace(0.0, LAMBDA_MAX, CURVE_POINTS)
    n = round(GAMMA * ctx.grid.d)
    cells = [
        (cell, arrays)
        for cell, arrays in ctx.sweep("phase_diagram")
        if cell.procedure == "linear_transfer"
        and cell.sigma == SIGMA
        and cell.n == n
        and math.isclose(cell.theta, THETA)
    ]
    if len(cells) != 1:
        raise FigureError(
            f"the {ctx.profile} profile has no linear-transfer cell at γ = {GAMMA}, θ = π/8"
        )
    cell, arrays = cells[0]
    stats = [summary(row) for row in arrays["generalisation"]]
    return {
        "theory": Table(lam=lams, value=ctx.theory.ridge_lt_risk(THETA, lams)),
        "experiment": Table(
            lam=np.array(cell.ridges),
            mean=np.array([s[0] for s in stats]),
            std=np.array([s[1] for s in stats]),
            count=np.array([s[2] for s in stats]),
            n=np.full(len(cell.ridges), cell.n),
        ),
        "finite_n_least_squares": Table(
            lam=[0.0], n=[cell.n], value=[ctx.theory.lt_risk(THETA, cell.n, SIGMA)]
        ),
    }


def draw(tables: Tables) -> MplFigure:
    fig = MplFigure(figsize=(4, 4))
    ax = fig.subplots()
    theory, simulated = tables["theory"], tables["experiment"]
    exact = tables["finite_n_least_squares"]
    ax.plot(theory["lam"], theory["value"], "-", color="C0", label=r"eq. 13 ($n\to\infty$)")
    ax.errorbar(
        simulated["lam"],
        simulated["mean"],
        yerr=simulated["std"],
        fmt="o",
        color="C3",
        label="simulated mean ± std",
    )
    ax.plot(
        exact["lam"],
        exact["value"],
        "D",
        markerfacecolor="none",
        color="black",
        label=f"eq. 10 at n = {int(exact['n'][0])} (λ = 0)",
    )
    ax.set_xlim(-0.02, LAMBDA_MAX)
    ax.set_xlabel(r"ridge $\lambda$")
    ax.set_ylabel(r"$\mathcal{R}_{lt}$")
    ax.set_title(r"ridge linear transfer, $\gamma$ = 0.5, $\theta$ = $\pi/8$, $\sigma$ = 0.2")
    ax.legend(loc="upper left")
    return fig


FIGURE = Figure(
    name="ridge",
    title="Ridge linear transfer against λ",
    reference="Thm 3.8, eq. 13 (notebook plot #6)",
    caption=(
        "Risk of re-fitting the last layer with penalty nλ‖c‖² at γ = 0.5, θ = π/8, σ = 0.2. "
        "Line: eq. 13, 1 − (1 + 2λ)cos²θ/(1 + λ)², the n → ∞ limit, increasing in λ (ridge "
        "cannot remove negative transfer). Points: simulated mean ± std over instances at "
        "λ ∈ {0, 0.1, ..., 0.5}. Diamond: the exact finite-n least-squares risk (eq. 10)."
    ),
    data=data,
    draw=draw,
    sweeps=("phase_diagram",),
    notes=(
        "At the paper profile (the archived d = 500 sweeps) the points for λ >= 0.1 lie on eq. 13 "
        "as in the notebook's plot #6; at λ = 0 this package's point (the minimum-norm refit) lies"
        " on eq. 10 at n = 250 (≈ 0.147), where the notebook's sits at ≈ 0.237: its jittered "
        "solve, whose cause is not identified (the claim lt-authors-jitter).",
        "Our λ = 0 point is true least squares; the notebook's λ = 0 is a ridge of n·1e-5 and "
        "sits far above eq. 13 (≈0.237 vs 0.146, docs/paper.md §9.1.1), which we do not reproduce.",
        "At the quick profile n is small (n = 20 at d = 40), so the finite-n variance term "
        "(σ² + sin²θ)/(n − 2) lifts the λ = 0 point above eq. 13, and a small λ can lower the "
        "risk (variance reduction), which eq. 13 does not describe (docs/paper.md §3.7, §9.2.5).",
    ),
)
