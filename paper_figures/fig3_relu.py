"""Figure 3 (Sec. 4): two-layer ReLU networks — kernels, the out-of-feature-space norm, the scratch
power law and the transferability phase diagram with the predicted boundary.

Panels (docs/paper.md §5, §7.1: (a–b) kernels, (d) ‖P⊥f_t‖² against the removed fraction, (e) phase
diagram with grey circles; the paper's panel (c) is unknown to us):

(a–c) the kernel K(x, x') = (1/m) Σ_i relu(w_iᵀx) relu(w_iᵀx') of the student at initialisation and
      after pretraining, and the source teacher's (over its kept neurons), on probe inputs sorted
      by f_s(x), double-centred over the probe set (the constant part of relu features dominates
      raw ReLU kernels and hides the structure; decision);
(d)   ‖P⊥f_t‖²/‖f_t‖² against μ for the span of the source teacher's neurons (the paper's reading,
      we think) and of the pretrained student's neurons;
(e)   scratch risk against n with the fitted A n^(−ν) and the paper's exponent 1.18 for comparison;
(f)   T_lt = R_sc − R_lt over (μ, n), the predicted boundary A n^(−ν) = ‖P⊥f_t‖² (grey circles:
      source-teacher span; open squares: student span) and the simulated sign change (crosses).

Simulations: the sweeps ``relu_scratch`` and ``relu_linear_transfer`` of
:mod:`fate_numeric.relu_sweeps` at the figure's profile (``quick``: d = 10, m = 100, m* = 10;
``paper``: d = 100, m = 1000, m* = 100), and the stored pretrained networks.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import TwoSlopeNorm

from derivations.paper import PRINTED_NUMBERS
from fate_numeric import relu, relu_analysis
from fate_numeric.numerics import DTYPE, generator
from fate_numeric.relu_sweeps import (
    ReluCell,
    pretraining_entry,
    pretraining_start,
    relu_profile,
    target_teacher,
)
from fate_numeric.statistics import standard_error
from paper_figures.core import Context, Figure, Table, Tables
from paper_figures.plots import TRANSFER_CMAP, colorbar, edges

SWEEPS = ("relu_scratch", "relu_linear_transfer")
PROBES = {"quick": 40}  # probe inputs of the kernel panels; 80 at the paper's sizes
CURVE_POINTS = 50  # sizes n of the power-law curves of panel (e)


def relu_sweep(ctx: Context, name: str) -> list[tuple[ReluCell, dict[str, np.ndarray]]]:
    """A ReLU sweep's cells and arrays from the store (:meth:`Context.sweep`); missing cells are
    simulated first, after saying on stderr what they cost and on which device (a GPU is
    recommended for the paper grids), with a progress bar, or, with ``simulate`` off, named with
    their command and cost."""
    return ctx.sweep(name)


def _kernel_table(ctx: Context, cell: ReluCell) -> Table:
    cpu = torch.device("cpu")
    stored = dict(ctx.store.load(pretraining_entry(cell)).arrays)
    trained = torch.as_tensor(stored["weights"][0], dtype=DTYPE)
    teacher = target_teacher(cell, cpu)
    source = relu.source_teacher(teacher, cell.removed)
    kept = teacher.weights[0, source.out[0] != 0]
    start = pretraining_start(cell, cpu)
    probes = torch.randn(
        1, PROBES.get(ctx.profile, 80), cell.d, generator=generator(ctx.seed, cpu), dtype=DTYPE
    )
    x = probes[0, torch.argsort(source(probes)[0])]
    count = x.shape[0]
    centring = torch.eye(count, dtype=DTYPE) - 1.0 / count

    def centred(weights: torch.Tensor) -> np.ndarray:
        return (centring @ relu.empirical_kernel(weights, x) @ centring).numpy()

    i, j = np.meshgrid(np.arange(count), np.arange(count), indexing="ij")
    return Table(
        i=i.ravel(),
        j=j.ravel(),
        initial=centred(start.weights[0]).ravel(),
        trained=centred(trained).ravel(),
        teacher=centred(kept).ravel(),
    )


def _grid_table(ctx: Context) -> Table:
    """The ReLU grid of the profile (also the caption's provenance line, :func:`describe_grid`)."""
    grid = relu_profile(ctx.profile)
    return Table(
        profile=np.array([grid.name]),
        d=np.array([grid.d]),
        width=np.array([grid.width]),
        teacher_width=np.array([grid.teacher_width]),
        instances=np.array([grid.instances]),
        lr_scale=np.array([grid.lr_scale]),
        max_steps=np.array([grid.max_steps]),
        sample_sizes=np.array([" ".join(map(str, grid.sample_sizes))]),
        removed=np.array([" ".join(f"{mu:g}" for mu in grid.removed)]),
        seed=np.array([ctx.seed]),
    )


def describe_grid(ctx: Context, tables: Tables) -> str:
    """The provenance line: the ReLU grid the figure's sweeps ran on (its ``grid`` table)."""
    grid = tables["grid"]
    sizes = ", ".join(str(grid["sample_sizes"][0]).split())
    removed = ", ".join(str(grid["removed"][0]).split())
    return (
        f"ReLU grid `{grid['profile'][0]}`, d = {int(grid['d'][0])}, m = {int(grid['width'][0])}, "
        f"m* = {int(grid['teacher_width'][0])}, {int(grid['instances'][0])} instances per cell, "
        f"n ∈ {{{sizes}}}, μ ∈ {{{removed}}}, learning rate {grid['lr_scale'][0]:g}·m, at most "
        f"{int(grid['max_steps'][0])} steps"
    )


def data(ctx: Context) -> dict[str, Table]:
    """Every number Figure 3 plots."""
    if ctx.simulate:  # say up front what both sweeps will simulate, before the first starts
        for name in ctx.missing_sweeps(SWEEPS):
            ctx.simulating(ctx.sweep_cost(name))
    scratch = relu_sweep(ctx, "relu_scratch")
    transfer = relu_sweep(ctx, "relu_linear_transfer")
    summary = relu_analysis.summarise(scratch, transfer, seed=ctx.seed, evaluators=ctx.theory)
    sizes, risks, fit = np.array(summary.sizes), summary.scratch, summary.fit
    fractions = summary.fractions

    rows = {key: [] for key in ("removed", "n", "transfer", "standard_error")}
    for (removed, n), (mean, se) in sorted(summary.transfer.items()):
        for key, value in zip(rows, (removed, n, mean, se), strict=True):
            rows[key].append(value)

    def norms(name: str) -> np.ndarray:
        return np.array([float(summary.diagnostics[mu][name][0]) for mu in fractions])

    target_norm = norms("target_norm")
    boundary = {key: [] for key in ("removed", "predicted_source", "predicted_student")}
    boundary.update(simulated=[], simulated_kind=[])
    for mu, (crossing, predicted) in summary.boundaries.items():
        boundary["removed"].append(mu)
        for (basis, _), value in zip(relu_analysis.SPANS, predicted, strict=True):
            boundary[f"predicted_{basis}"].append(value)
        boundary["simulated"].append(crossing.n)
        boundary["simulated_kind"].append(crossing.kind)

    curve_n = np.geomspace(sizes[0], sizes[-1], CURVE_POINTS)
    paper_exponent = float(PRINTED_NUMBERS["relu_scratch_exponent"].value)
    middle = fractions[len(fractions) // 2]
    kernel_cell = next(cell for cell, _ in transfer if cell.removed == middle)
    return {
        "kernels": _kernel_table(ctx, kernel_cell),
        "kernel_alignment": Table(
            removed=np.array(fractions),
            initial=norms("alignment_init"),
            trained=norms("alignment_trained"),
            shown=np.array([mu == middle for mu in fractions], dtype=np.int64),
        ),
        "out_of_span": Table(
            removed=np.array(fractions),
            fraction_source=norms("out_of_span_source") / target_norm,
            fraction_student=norms("out_of_span_student") / target_norm,
            out_of_span_source=norms("out_of_span_source"),
            out_of_span_student=norms("out_of_span_student"),
            target_norm=target_norm,
        ),
        "scratch": Table(
            n=sizes,
            mean=np.array([r.mean() for r in risks]),
            standard_error=np.array([standard_error(r) for r in risks]),
        ),
        "power_law": Table(
            n=curve_n,
            fitted=ctx.theory.relu_scratch_power_law(curve_n, fit.amplitude, fit.exponent),
            paper_exponent=fit(curve_n[0])
            * ctx.theory.relu_scratch_power_law(curve_n / curve_n[0], 1.0, paper_exponent),
        ),
        "fit": Table(
            amplitude=np.array([fit.amplitude]),
            amplitude_low=np.array([fit.amplitude_interval[0]]),
            amplitude_high=np.array([fit.amplitude_interval[1]]),
            exponent=np.array([fit.exponent]),
            exponent_low=np.array([fit.exponent_interval[0]]),
            exponent_high=np.array([fit.exponent_interval[1]]),
            r_squared=np.array([fit.r_squared]),
            paper_exponent=np.array([paper_exponent]),
        ),
        "grid": _grid_table(ctx),
        "phase": Table(**{key: np.array(values) for key, values in rows.items()}),
        "boundary": Table(**{key: np.array(values) for key, values in boundary.items()}),
    }


def _kernel_panel(ax, kernels: Table, column: str, title: str) -> None:
    count = int(kernels["i"].max()) + 1
    values = kernels[column].reshape(count, count)
    limit = float(np.abs(values).max()) or 1.0
    image = ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    colorbar(ax, image, "centred K")


def draw(tables: dict[str, Table]):
    """The six panels (module docstring)."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 8))
    alignment = tables["kernel_alignment"].where(tables["kernel_alignment"]["shown"] == 1)
    mu = float(alignment["removed"][0])
    kernels = tables["kernels"]
    _kernel_panel(
        axes[0, 0],
        kernels,
        "initial",
        f"(a) student at init (align. {alignment['initial'][0]:.2f})",
    )
    _kernel_panel(
        axes[0, 1],
        kernels,
        "trained",
        f"(b) student after pretraining (align. {alignment['trained'][0]:.2f})",
    )
    _kernel_panel(axes[0, 2], kernels, "teacher", rf"(c) source teacher, $\mu$ = {mu:g}")

    span = tables["out_of_span"]
    ax = axes[1, 0]
    ax.plot(span["removed"], span["fraction_source"], "o-", label="source-teacher span")
    ax.plot(span["removed"], span["fraction_student"], "s--", label="pretrained-student span")
    ax.set_xlabel(r"removed fraction $\mu$")
    ax.set_ylabel(r"$\|P^\perp f_t\|^2 / \|f_t\|^2$")
    ax.set_title("(d) target outside the feature space")
    ax.legend(fontsize="small")

    ax = axes[1, 1]
    scratch, law, fit = tables["scratch"], tables["power_law"], tables["fit"]
    ax.errorbar(
        scratch["n"], scratch["mean"], yerr=scratch["standard_error"], fmt="o", label="scratch"
    )
    ax.plot(
        law["n"],
        law["fitted"],
        "-",
        label=rf"$A n^{{-\nu}}$, $\nu$ = {fit['exponent'][0]:.2f} "
        rf"[{fit['exponent_low'][0]:.2f}, {fit['exponent_high'][0]:.2f}]",
    )
    ax.plot(law["n"], law["paper_exponent"], ":", color="grey", label=r"slope $-1.18$ (paper)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel(r"$\mathcal{R}_{sc}$")
    ax.set_title("(e) scratch power law")
    ax.legend(fontsize="small")

    ax = axes[1, 2]
    phase, boundary = tables["phase"], tables["boundary"]
    fractions = np.unique(phase["removed"])
    sizes = np.unique(phase["n"])
    grid = np.full((sizes.size, fractions.size), np.nan)
    for removed, n, value in zip(phase["removed"], phase["n"], phase["transfer"], strict=True):
        grid[np.searchsorted(sizes, n), np.searchsorted(fractions, removed)] = value
    limit = float(np.nanmax(np.abs(grid))) or 1.0
    x_edges = edges(fractions, 0.0, 1.0)
    log_n = np.log(sizes)
    y_edges = np.exp(edges(log_n, log_n[0] - 0.5, log_n[-1] + 0.5))
    mesh = ax.pcolormesh(
        x_edges, y_edges, grid, cmap=TRANSFER_CMAP, norm=TwoSlopeNorm(0.0, -limit, limit)
    )
    colorbar(ax, mesh, r"$\mathcal{T}_{lt}$")
    ax.plot(
        boundary["removed"],
        boundary["predicted_source"],
        "o",
        color="grey",
        mfc="grey",
        label="predicted (source span)",
    )
    ax.plot(
        boundary["removed"],
        boundary["predicted_student"],
        "s",
        color="grey",
        mfc="none",
        label="predicted (student span)",
    )
    crossing = boundary.where(boundary["simulated_kind"] == "crossing")
    ax.plot(crossing["removed"], crossing["simulated"], "kx", label="simulated sign change")
    ax.set_yscale("log")
    ax.set_ylim(y_edges[0], y_edges[-1])
    ax.set_xlim(x_edges[0], x_edges[-1])
    ax.set_xlabel(r"removed fraction $\mu$")
    ax.set_ylabel("n")
    ax.set_title("(f) transferability, linear transfer")
    # below the axes, on the white page: black text over the dark cells was unreadable and
    # any cell may hold a marker
    ax.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    return fig


FIGURE = Figure(
    name="figure3",
    title="ReLU networks: kernels, feature space, scratch power law, phase diagram",
    reference="Fig. 3 (Sec. 4, App. E)",
    caption=(
        "Two-layer ReLU students f(x) = (1/m)Σ c_i relu(w_iᵀx) trained by gradient descent in the "
        "mean-field scaling; the source teacher is the target teacher with a fraction μ of its "
        "neurons removed. (a–c) Kernels (1/m)Σ relu(w_iᵀx)relu(w_iᵀx') on probe inputs sorted by "
        "f_s(x), double-centred over the probes: the student at initialisation, after "
        "population pretraining on the source, and the source teacher (exact centred alignments "
        "with the teacher's kernel in the titles). (d) ‖P⊥f_t‖²/‖f_t‖² against μ for the span of "
        "the source teacher's neurons and of the pretrained student's neurons (arc-cosine Gram "
        "matrices). (e) Scratch risk (mean ± s.e.) with the fitted A n^(−ν) and its 95 % "
        "bootstrap interval, and a line of the paper's slope −1.18. (f) T_lt = R_sc − R_lt "
        "(paired, blue positive, red negative), the predicted boundary A n^(−ν) = ‖P⊥f_t‖² "
        "(grey) and the simulated sign change (crosses)."
    ),
    data=data,
    draw=draw,
    sweeps=SWEEPS,
    grid=describe_grid,
    theory=f"the fitted and the paper's power laws on {CURVE_POINTS} sizes n (panel e)",
    notes=(
        "docs/paper.md §5.1, §9.3: the paper's teacher output weights, noise, n grid, μ grid, "
        "seeds and the basis of its feature-space projection are unknown; ours: output weights "
        "N(0, 1), σ = 0, the grids of fate_numeric.relu_sweeps, both bases shown.",
        "The quick profile (d = 10, m = 100, m* = 10, learning rate 1.0·m) is not the paper's "
        "setting (d = 100, m = 1000, m* = 100, 0.01·m); `--profile paper` needs a GPU, and "
        "`--profile paper_d500` draws the same at d = 500. The ReLU grid is in "
        "`figure3.grid.csv` and in the provenance line below.",
        "The scale of Fig. 3d (≈ 0.045) was not reproduced by us or by the third-party check; "
        "we plot the fraction of ‖f_t‖² and store the absolute values in the CSV.",
        "Pretraining is on the exact population loss (infinite source data) through the kernel; "
        "linear transfer refits the output layer on the target data by gradient descent "
        "(re-initialised at 1e-7, the training schedule; exact per singular mode).",
    ),
)
