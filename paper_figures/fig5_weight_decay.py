"""Figure 5: linear transfer against the best weight-decayed scratch baseline.

The regularised scratch baseline is empirical only (docs/paper.md §3.10).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure as MplFigure

from paper_figures.core import Context, Figure, Table, Tables
from paper_figures.phase import Diagram, diagram_tables, draw_rows, lt_expected, lt_theory
from paper_figures.plots import outside_legend
from paper_figures.tables import best_decay_baseline, scratch_table

SIGMA = 0.2

AGAINST_BEST_DECAY = Diagram(
    key="lt",
    label="vs best weight decay",
    sweep="phase_diagram",
    procedure="linear_transfer",
    sigma=SIGMA,
    theory=lt_theory(SIGMA),
    expected=lt_expected,
    best_decay_baseline=True,
    theory_title=r"eq. 11 (unregularised scratch), $\sigma$ = 0.2",
    experiment_title=r"simulation: best-decay scratch − LT",
)


def data(ctx: Context) -> dict[str, Table]:
    tables = diagram_tables(ctx, AGAINST_BEST_DECAY)
    tables["scratch"] = scratch_table(ctx, SIGMA)
    _, chosen = best_decay_baseline(ctx, SIGMA)
    ns = np.array(sorted(chosen))
    tables["best_decay"] = Table(
        n=ns, gamma=ns / ctx.grid.d, weight_decay=np.array([chosen[n] for n in ns])
    )
    return tables


def draw(tables: Tables) -> MplFigure:
    fig, axes = draw_rows(tables, (AGAINST_BEST_DECAY,), extra_columns=1)
    ax = axes[0, -1]
    scratch = tables["scratch"]
    for decay in np.unique(scratch["weight_decay"]):
        rows = scratch.where(scratch["weight_decay"] == decay)
        order = np.argsort(rows["gamma"])
        ax.errorbar(
            rows["gamma"][order],
            rows["mean"][order],
            yerr=rows["std"][order],
            fmt="o-",
            markersize=3,
            linewidth=0.8,
            label=f"wd = {decay:g}",
        )
    best = tables["best_decay"]
    pairs = set(zip(best["n"].tolist(), best["weight_decay"].tolist(), strict=True))
    chosen = np.array(
        [
            (n, w) in pairs
            for n, w in zip(scratch["n"].tolist(), scratch["weight_decay"].tolist(), strict=True)
        ]
    )
    ax.plot(
        scratch["gamma"][chosen],
        scratch["mean"][chosen],
        "o",
        markersize=8,
        markerfacecolor="none",
        color="black",
        label="best decay per γ",
    )
    ax.set_xlim(0, 2.05)
    ax.set_ylim(-0.1, 1.1)
    ax.set_xlabel(r"$\gamma = n/d$")
    ax.set_ylabel(r"$\mathcal{R}_{sc}$")
    ax.set_title(r"scratch risk by weight decay, $\sigma$ = 0.2")
    outside_legend(ax)
    return fig


FIGURE = Figure(
    name="figure5",
    title="Linear transfer against the best weight-decayed scratch baseline, σ = 0.2",
    reference="Fig. 5 (notebook plot #7)",
    caption=(
        "Scratch training with weight decay wd ∈ {0, 1e-4, 1e-3, 1e-2, 1e-1} on all layers; per "
        "γ the decay with the lowest mean scratch risk is the baseline. (a) Eq. 11 with the "
        "unregularised baseline, for reference (no theory exists for the regularised one). "
        "(b) Simulated min_wd mean R_sc(γ) − mean R_lt with eq. 11's zero contour dashed: the "
        "anomalous-positive band at γ ≈ 1 disappears and the negative region grows. "
        "(c) Residual from the unregularised finite-size theory, in standard errors: it "
        "measures what weight decay changes (negative where regularised scratch beats "
        "unregularised). (d) Scratch risk against γ for each decay, mean ± std over instances."
    ),
    data=data,
    draw=draw,
    sweeps=("scratch", "phase_diagram"),
    notes=(
        "At the paper profile (the archived d = 500 sweeps) panel (b) shows the notebook's weight-"
        "decay experiment (its plot #7): the blue band at γ = 1 is gone. The residual map compares"
        " with eq. 11, whose scratch risk is unregularised, so it is negative wherever weight "
        "decay lowers the scratch risk (0.6 < γ < 1.5): by design, not a disagreement.",
        "The choice of the best decay uses the same runs it is evaluated on (as the notebook "
        "does), which biases the baseline slightly low.",
        "Linear transfer simulated with λ = 0; the notebook uses λ = 0.1 (see `figure1`).",
        "docs/paper.md §3.10: regularised scratch is empirical only; panel (c) is not a test of a "
        "theory.",
    ),
)
