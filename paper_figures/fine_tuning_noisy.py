"""Fine-tuning at σ = 0.2: eq. 15 as printed against its balanced-scale correction.

The correction is that of docs/paper.md §3.8 (erratum §9.2.1).
"""

from __future__ import annotations

from paper_figures.phase import (
    Diagram,
    ft_balanced,
    ft_balanced_expected,
    ft_printed,
    phase_figure,
)

SIGMA = 0.2

FINE_TUNING = Diagram(
    key="ft",
    label="fine-tuning",
    sweep="phase_diagram",
    procedure="fine_tuning",
    sigma=SIGMA,
    theory=ft_balanced(SIGMA),
    expected=ft_balanced_expected,
    slices={"balanced scale c": ft_balanced(SIGMA), "eq. 15 as printed": ft_printed},
    slice_styles={"balanced scale c": "-", "eq. 15 as printed": "--"},
    theory_title=r"eq. 15 with scale $c$, $\sigma$ = 0.2",
    experiment_title=r"simulation, $\sigma$ = 0.2",
)

FIGURE = phase_figure(
    name="ft-noise-0.2",
    title="Fine-tuning, σ = 0.2: printed eq. 15 and the balanced-scale correction",
    reference="notebook's commented-out σ = 0.2 fine-tuning; docs/paper.md §3.8, §9.2.1",
    caption=(
        "Fine-tuning at label noise σ = 0.2. (a) The balanced-scale theory "
        "T_ft = (1 − γ)(2c cos θ − c²), with c the positive root of c⁴ − (1 − γ)c² − "
        "(γ + γσ²/(1 − γ)) = 0; at σ = 0.2 it differs from eq. 15 (c = 1) by a few per cent. "
        "(b) Simulation with the zero contour of (a) dashed; × marks cells not converged in the "
        "authors' 5000 steps. (c) Residual from the balanced theory at γ = n/d (asymptotic in "
        "d), in standard errors. (d) Slices: balanced theory (solid) and eq. 15 as printed "
        "(dashed), simulated mean ± std."
    ),
    diagrams=(FINE_TUNING,),
    notes=(
        "Eq. 15 omits the balancedness scale c of gradient-flow fine-tuning; it is exact only "
        "at σ = 0 (docs/paper.md §3.8, §9.2.1; verify claim `fine-tuning-scale`). We draw the "
        "corrected theory as the map and both curves in the slices.",
        "The notebook comments this experiment out as 'slightly off': near γ = 1 fine-tuning is "
        "not converged in 5000 steps at lr 0.01 (docs/paper.md §9.1.2), and such cells (training "
        "loss > 1e-5) are marked and not compared.",
        "The residual's theory is asymptotic (no exact finite-d expression for c), so "
        "finite-size bias of order 1/d remains at the quick profile's d.",
    ),
)
