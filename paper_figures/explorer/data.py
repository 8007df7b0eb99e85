"""The explorer's data: stored simulations, ReLU teachers' out-of-span norms, derivation steps.

Everything the page draws that is not a formula: numbers summarised from the package's stores and
records when the page is built, as plain JSON-ready dicts.

* :func:`simulations`: the archived paper-profile sweeps (``archive/paper/``, d = 500) summarised
  per cell by :mod:`paper_figures.tables` exactly as the figures summarise them: mean and standard
  error over instances of the scratch risk (eq. 8), of T_lt (eq. 11) and T_ft (eq. 15), and of the
  ridge linear-transfer risk per λ (eq. 13), with the figures' convergence flags.
* :func:`relu_out_of_span`: ‖P⊥f_t‖²/‖f_t‖² against the removed fraction μ for the target teacher
  of the ``quick`` and ``paper`` ReLU profiles (Fig. 3d, the source-teacher span), by
  :func:`fate_numeric.relu.out_of_span_norm` as the sweeps compute it.
* :func:`derivations`: every record's steps in LaTeX with the check of each step as
  ``python -m derivations explain NAME`` gives it (:func:`derivations.explain.checked`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from derivations.explain import checked, summary_line
from derivations.latex import expression_to_latex
from derivations.paper import PRINTED
from derivations.registry import all_results
from fate_numeric import relu, service
from fate_numeric.archive import MANIFEST, REPOSITORY_ARCHIVE, Archive
from fate_numeric.relu_sweeps import relu_profile, target_teacher
from paper_figures.core import Context
from paper_figures.tables import scratch_table, summary, transfer_table

#: The noise levels of the archived linear sweeps.
NOISES = (0.0, 0.2)
#: The ReLU profiles whose teachers panel 7 shows.
RELU_PROFILES = ("quick", "paper")


#: Significant digits of the simulation summaries in the page (their standard errors are some
#: 1e-3 of the means: 10 digits keep every plotted number and halve the page's data).
DIGITS = 10


def _floats(values: Any) -> list[float | None]:
    """A column as JSON numbers to :data:`DIGITS` significant digits (NaN and ±inf have no JSON
    form: they become null)."""
    return [
        float(f"{v:.{DIGITS}g}") if math.isfinite(v) else None
        for v in np.asarray(values, float).tolist()
    ]


def _transfer(ctx: Context, procedure: str) -> dict[str, list]:
    columns: dict[str, list] = {"theta": [], "n": [], "sigma": [], "mean": [], "se": []}
    columns["converged"] = []
    for sigma in NOISES:
        table = transfer_table(ctx, "phase_diagram", procedure, sigma, lambda cell: math.nan)
        columns["theta"] += table["theta"].tolist()
        columns["n"] += [int(n) for n in table["n"]]
        columns["sigma"] += [sigma] * len(table)
        columns["mean"] += _floats(table["T_mean"])
        columns["se"] += _floats(table["T_se"])
        columns["converged"] += [bool(c) for c in table["converged"]]
    return columns


def _scratch(ctx: Context) -> dict[str, list]:
    columns: dict[str, list] = {"n": [], "sigma": [], "mean": [], "se": [], "converged": []}
    for sigma in NOISES:
        table = scratch_table(ctx, sigma)
        table = table.where(table["weight_decay"] == 0)
        columns["n"] += [int(n) for n in table["n"]]
        columns["sigma"] += [sigma] * len(table)
        columns["mean"] += _floats(table["mean"])
        columns["se"] += _floats(table["std"] / np.sqrt(table["count"]))
        columns["converged"] += [bool(c) for c in table["converged"]]
    return columns


def _ridge(ctx: Context) -> dict[str, list]:
    """Per linear-transfer cell: θ, n, σ and, per ridge λ of the sweep, mean and standard error."""
    cells: dict[str, list] = {key: [] for key in ("theta", "n", "sigma", "mean", "se")}
    ridges = None
    for cell, arrays in ctx.sweep("phase_diagram"):
        if cell.procedure != "linear_transfer" or cell.sigma not in NOISES:
            continue
        if ridges is None:
            ridges = list(cell.ridges)
        elif list(cell.ridges) != ridges:
            raise ValueError("the archived linear-transfer cells have different ridge grids")
        stats = [summary(row) for row in arrays["generalisation"]]
        cells["theta"].append(cell.theta)
        cells["n"].append(cell.n)
        cells["sigma"].append(cell.sigma)
        cells["mean"].append(_floats([mean for mean, _, _ in stats]))
        cells["se"].append(_floats([std / math.sqrt(count) for _, std, count in stats]))
    return {"lam": ridges or [], **cells}


def simulations() -> dict[str, Any]:
    """The archived d = 500 sweeps, summarised per cell (module docstring), or
    ``available: False`` and the reason where the repository has no archive."""
    folder = REPOSITORY_ARCHIVE / "paper"
    if not (folder / MANIFEST).exists():
        return {"available": False, "reason": f"no archive at {folder}", "d": 500, "ridge_n": []}
    archive = Archive(folder)
    ctx = Context("paper", archive, simulate=False)
    ridge = _ridge(ctx)
    return {
        "available": True,
        "describe": archive.describe(["scratch", "phase_diagram"]),
        "d": ctx.grid.d,
        "instances": ctx.grid.instances,
        "lt": _transfer(ctx, "linear_transfer"),
        "ft": _transfer(ctx, "fine_tuning"),
        "scratch": _scratch(ctx),
        "ridge": ridge,
        "ridge_n": sorted(set(ridge["n"])),
    }


def relu_out_of_span(profiles: tuple[str, ...] = RELU_PROFILES) -> dict[str, Any]:
    """‖P⊥f_t‖²/‖f_t‖² on the span of the source teacher's neurons for every removed count
    k = 0, …, m* − 1 (μ = k/m*) of each profile's target teacher (seed 0), and at the sweep's μ."""
    cpu = torch.device("cpu")
    out = {}
    for name in profiles:
        profile = relu_profile(name)
        cell = service.cells_of("relu_linear_transfer", name, seed=0)[0]
        teacher = target_teacher(cell, cpu)
        total = float(relu.inner_product(teacher, teacher)[0])

        def fraction(mu: float, teacher=teacher, total=total, cell=cell) -> float:
            source = relu.source_teacher(teacher, mu)
            kept = teacher.weights[0, source.out[0] != 0]
            return relu.out_of_span_norm(kept, teacher, cell.rank_rtol) / total

        removed = [k / profile.teacher_width for k in range(profile.teacher_width)]
        out[name] = {
            "d": profile.d,
            "teacher_width": profile.teacher_width,
            "seed": 0,
            "removed": removed,
            "fraction": [fraction(mu) for mu in removed],
            "sweep_removed": list(profile.removed),
            "sweep_fraction": [fraction(mu) for mu in profile.removed],
        }
    return out


def derivations(names: list[str] | None = None) -> dict[str, Any]:
    """Every record (or those ``names``) with its steps in LaTeX and each step's check."""
    results = all_results()
    chosen = names if names is not None else list(results)
    out = {}
    for name in chosen:
        result = results[name]
        checks = checked(name)
        printed = PRINTED[result.printed] if result.printed else None
        out[name] = {
            "title": result.title,
            "reference": result.reference,
            "regime": result.regime.value,
            "assumptions": list(result.assumptions),
            "steps": [
                {
                    "why": c.step.why,
                    "latex": expression_to_latex(c.step.expr),
                    "verdict": c.verdict.name.lower(),
                    "line": c.line,
                }
                for c in checks
            ],
            "result": expression_to_latex(result.expr),
            "printed": None
            if printed is None
            else {
                "equation": printed.equation,
                "latex": expression_to_latex(printed.expr),
                "erratum": printed.erratum or "",
            },
            "summary": summary_line(checks),
        }
    return {"results": out}
