"""Figure 7 (Appendix G): the linear-transfer phase diagram without label noise (σ = 0)."""

from __future__ import annotations

from paper_figures.phase import Diagram, lt_expected, lt_theory, phase_figure

LINEAR_TRANSFER = Diagram(
    key="lt",
    label="linear transfer",
    sweep="phase_diagram",
    procedure="linear_transfer",
    sigma=0.0,
    theory=lt_theory(0.0),
    expected=lt_expected,
    slices={"eq. 11": lt_theory(0.0)},
    theory_title=r"eq. 11, $\sigma$ = 0",
    experiment_title=r"simulation, $\sigma$ = 0",
)

FIGURE = phase_figure(
    name="figure7",
    title="Linear transfer without label noise, σ = 0",
    reference="Fig. 7, Appendix G (notebook plots #9, #11, #13)",
    caption=(
        "Linear transfer at σ = 0. (a) Eq. 11: T_lt = (1 − γ) − sin²θ for γ < 1 (zero contour "
        "γ = cos²θ) and −sin²θ for γ > 1, where scratch training is exact; there is no "
        "anomalous band at γ = 1. (b) Simulation with the theory's zero contour dashed. "
        "(c) Residual from the exact finite-size expectation E R_sc(n, d) − eq. 10, in standard "
        "errors. (d) Slices at θ = π/8, π/4, 3π/8, simulated mean ± std over instances."
    ),
    diagrams=(LINEAR_TRANSFER,),
    notes=(
        "At the paper profile (the archived d = 500 sweeps) panel (b) shows the notebook's σ = 0 "
        "linear-transfer experiment (its plot #9), with the boundary γ = cos²θ.",
        "docs/paper.md §7.1: Figure 7 is the noiseless case 'likely'; the noiseless fine-tuning "
        "diagram (σ-independent eq. 15) is `figure2`.",
        "Linear transfer simulated with λ = 0 (see `figure1`).",
    ),
)
