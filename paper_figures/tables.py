"""From stored sweeps and theory evaluators to :class:`~paper_figures.core.Table` s.

Statistics of a transferability T = R_sc − R_tx estimated from the simulations: the scratch and
transfer runs are independent (different data, as in the authors' scripts, docs/paper.md §9.1.3), so

* ``T_mean`` = mean(R_sc) − mean(R_tx) over instances,
* ``T_std`` = √(s_sc² + s_tx²), the standard deviation of the difference of one scratch and one
  transfer instance (the error bars: "mean ± std over instances"),
* ``T_se`` = √(s_sc²/N_sc + s_tx²/N_tx), the standard error of ``T_mean``, and
* ``residual_se`` = (T_mean − expected)/√(T_se² + ε²), with ``expected`` the theory's prediction
  for that cell and ε = :data:`RESIDUAL_FLOOR` the resolution of the simulations (where both
  risks are ~0, e.g. σ = 0 and γ > 1, T_se is ~1e-7 and a bare ratio would only measure the
  optimiser's stopping tolerance); NaN where the prediction is infinite (the scratch peak at
  |n − d| <= 1 with σ > 0) or the cell is not converged (below).

Convergence. A cell is compared with theory only when both runs converged. Transfer (fine-tuning,
no early stopping): the stored ``train_loss`` is the raw loss (1/n)‖Xβ̂ − y‖², whose minimum is 0
when n <= d or σ = 0 and the least-squares residual otherwise (not stored); the run is marked not
converged when its floor is known to be 0 and its largest training loss exceeds
:data:`CONVERGED_LOSS` (for n > d with σ > 0 it is not judged). Unregularised scratch: not
converged when some instance used the whole step budget without reaching the authors' early-stop
tolerance (at n = d the smallest eigenvalue of XᵀX/n nearly vanishes), except where the budget
is used by design (:func:`scratch_converged`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from fate_numeric.experiments import Cell
from fate_numeric.statistics import CONVERGED_LOSS, RESIDUAL_FLOOR
from paper_figures.core import Context, Table, midpoints

THETA_RANGE = (0.0, 0.5 * math.pi)
GAMMA_RANGE = (0.0, 2.0)


def summary(values: np.ndarray) -> tuple[float, float, int]:
    """(mean, standard deviation with ddof = 1, count) of per-instance values."""
    values = np.asarray(values, float)
    std = float(values.std(ddof=1)) if values.size > 1 else math.nan
    return float(values.mean()), std, int(values.size)


class Runs(NamedTuple):
    """Per-instance risks of one cell and whether its training converged."""

    values: np.ndarray
    converged: bool


def scratch_converged(cell: Cell, arrays: dict[str, np.ndarray]) -> bool:
    """Whether every instance of an unregularised scratch cell stopped early (training loss
    within the authors' tol of its floor) before the step budget. Cells that run the whole budget
    by design count as converged: regularised ones, and, under the authors' stopping rule (the
    paper profile), noisy ones with n > d + 1, whose largest loss never falls below their
    smallest least-squares floor + tol (at n >= d + 2 and lr 0.1, 10⁴ steps shrink the slowest
    direction of the least-squares problem by e^{−2·0.1·λ_min·10⁴} <= e^{−2.6} at d = 500)."""
    if cell.weight_decay > 0:
        return True
    if cell.stopping == "authors" and cell.sigma > 0 and cell.n > cell.d + 1:
        return True
    return int(np.max(arrays["steps"])) < cell.schedule.steps


def scratch_runs(ctx: Context, sigma: float, decay: float = 0.0) -> dict[int, Runs]:
    """Scratch runs by n, at label noise ``sigma`` and weight decay ``decay``."""
    return {
        cell.n: Runs(arrays["generalisation"], scratch_converged(cell, arrays))
        for cell, arrays in ctx.sweep("scratch")
        if cell.sigma == sigma and cell.weight_decay == decay
    }


def scratch_table(ctx: Context, sigma: float) -> Table:
    """Scratch risk per (n, weight decay) at ``sigma``: mean, std, count, convergence, exact E R."""
    rows = []
    for cell, arrays in ctx.sweep("scratch"):
        if cell.sigma != sigma:
            continue
        mean, std, count = summary(arrays["generalisation"])
        exact = ctx.theory.scratch_risk_finite(cell.n, cell.d, cell.sigma)
        converged = int(scratch_converged(cell, arrays))
        rows.append(
            (cell.n / cell.d, cell.n, cell.d, cell.weight_decay, mean, std, count, converged, exact)
        )
    names = (
        "gamma",
        "n",
        "d",
        "weight_decay",
        "mean",
        "std",
        "count",
        "converged",
        "theory_finite",
    )
    return Table({name: np.array([row[i] for row in rows]) for i, name in enumerate(names)})


def best_decay_baseline(ctx: Context, sigma: float) -> tuple[dict[int, Runs], dict[int, float]]:
    """Per n, the scratch runs of the weight decay with the lowest mean risk.

    The weight-decayed baseline of Fig. 5 (docs/paper.md §3.10).
    """
    best: dict[int, tuple[float, float, Runs]] = {}
    for cell, arrays in ctx.sweep("scratch"):
        if cell.sigma != sigma:
            continue
        mean = float(np.mean(arrays["generalisation"]))
        if cell.n not in best or mean < best[cell.n][0]:
            runs = Runs(arrays["generalisation"], scratch_converged(cell, arrays))
            best[cell.n] = (mean, cell.weight_decay, runs)
    return {n: v[2] for n, v in best.items()}, {n: v[1] for n, v in best.items()}


def _judged(cell: Cell, arrays: dict[str, np.ndarray]) -> bool:
    """Whether the training loss's floor is known to be 0 (see the module docstring)."""
    return "train_loss" in arrays and (cell.n <= cell.d or cell.sigma == 0)


def transfer_table(
    ctx: Context,
    sweep: str,
    procedure: str,
    sigma: float,
    expected: Callable[[Cell], float],
    *,
    ridge: float = 0.0,
    n_source: int | None = None,
    baseline: dict[int, Runs] | None = None,
    alternatives: dict[str, Callable[[Cell], float]] | None = None,
) -> Table:
    """The experimental transferability of ``procedure`` over the (θ, γ) grid of a sweep.

    Columns: ``theta, gamma, n, d, scratch_mean, scratch_std, transfer_mean, transfer_std,
    T_mean, T_std, T_se, scratch_converged, transfer_converged, converged, expected,
    residual_se``, and ``expected_KEY`` per entry of ``alternatives`` (another theory's
    prediction for the cell). ``baseline`` replaces the unregularised scratch runs (per n);
    ``expected(cell)`` is the theory for the cell.
    """
    alternatives = alternatives or {}
    scratch = baseline if baseline is not None else scratch_runs(ctx, sigma)
    rows = []
    for cell, arrays in ctx.sweep(sweep):
        if cell.procedure != procedure or cell.sigma != sigma or cell.n_source != n_source:
            continue
        risks = arrays["generalisation"]
        if procedure == "linear_transfer":
            risks = risks[cell.ridges.index(ridge)]
        sc_mean, sc_std, sc_count = summary(scratch[cell.n].values)
        tx_mean, tx_std, tx_count = summary(risks)
        tx_converged = not _judged(cell, arrays) or float(np.max(arrays["train_loss"])) <= (
            CONVERGED_LOSS
        )
        converged = tx_converged and scratch[cell.n].converged
        mean = sc_mean - tx_mean
        std = math.hypot(sc_std, tx_std)
        se = math.sqrt(sc_std**2 / sc_count + tx_std**2 / tx_count)
        prediction = float(expected(cell))
        residual = (
            (mean - prediction) / math.hypot(se, RESIDUAL_FLOOR)
            if converged and math.isfinite(prediction)
            else math.nan
        )
        rows.append(
            (
                cell.theta,
                cell.n / cell.d,
                cell.n,
                cell.d,
                sc_mean,
                sc_std,
                tx_mean,
                tx_std,
                mean,
                std,
                se,
                int(scratch[cell.n].converged),
                int(tx_converged),
                int(converged),
                prediction,
                residual,
                *(float(other(cell)) for other in alternatives.values()),
            )
        )
    names = (
        "theta",
        "gamma",
        "n",
        "d",
        "scratch_mean",
        "scratch_std",
        "transfer_mean",
        "transfer_std",
        "T_mean",
        "T_std",
        "T_se",
        "scratch_converged",
        "transfer_converged",
        "converged",
        "expected",
        "residual_se",
        *(f"expected_{key}" for key in alternatives),
    )
    return Table({name: np.array([row[i] for row in rows]) for i, name in enumerate(names)})


def pooled_residuals(experiment: Table, keys: tuple[str, ...] = ()) -> tuple[Table, Table | None]:
    """The residual in units of T per angle, pooled over the compared cells below the singular
    strip (n < d − 1, where the theories of a row differ), with what other theories predict it
    to be.

    Per θ, over the cells with n < d − 1 and a finite ``residual_se`` (converged, finite
    prediction): ``residual`` the mean of ``T_mean − expected``, ``residual_se`` its standard error
    √(Σ T_se²)/k (the cells of one θ have different n, so independent runs), ``cells`` k. The
    second table (none without ``keys``) has per alternative ``KEY`` (a column ``expected_KEY`` of
    ``experiment``) the mean of ``expected_KEY − expected`` over the same cells: the residual the
    networks would show if they followed that theory.
    """
    compared = np.isfinite(experiment["residual_se"]) & (experiment["n"] < experiment["d"] - 1)
    observed = {"theta": [], "residual": [], "residual_se": [], "cells": []}
    predicted = {"curve": [], "theta": [], "value": []}
    for theta in np.unique(experiment["theta"][compared]):
        rows = experiment.where(compared & (experiment["theta"] == theta))
        difference = rows["T_mean"] - rows["expected"]
        observed["theta"].append(theta)
        observed["residual"].append(float(difference.mean()))
        observed["residual_se"].append(float(np.sqrt(np.sum(rows["T_se"] ** 2)) / len(rows)))
        observed["cells"].append(len(rows))
        for key in keys:
            predicted["curve"].append(key)
            predicted["theta"].append(theta)
            predicted["value"].append(float(np.mean(rows[f"expected_{key}"] - rows["expected"])))
    observed_table = Table({k: np.array(v, dtype=float) for k, v in observed.items()})
    if not keys:
        return observed_table, None
    return observed_table, Table({k: np.array(v) for k, v in predicted.items()})


def theory_map(ctx: Context, function: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Table:
    """``function(θ, γ)`` on the theory grid (cell centres of [0, π/2] × [0, 2]) in long form."""
    thetas = midpoints(*THETA_RANGE, ctx.theory_points)
    gammas = midpoints(*GAMMA_RANGE, ctx.theory_points)
    grid_theta, grid_gamma = np.meshgrid(thetas, gammas)
    return Table.from_grid("theta", thetas, "gamma", gammas, value=function(grid_theta, grid_gamma))


def theory_slices(
    ctx: Context,
    thetas: tuple[float, ...],
    curves: dict[str, Callable[[float, np.ndarray], np.ndarray]],
    points: int = 1000,
) -> Table:
    """Theory curves ``curves[label](θ, γ)`` against γ (cell centres of [0, 2]) at each θ."""
    gammas = midpoints(*GAMMA_RANGE, points)
    columns: dict[str, list] = {"curve": [], "theta": [], "gamma": [], "value": []}
    for label, function in curves.items():
        for theta in thetas:
            columns["curve"] += [label] * gammas.size
            columns["theta"] += [theta] * gammas.size
            columns["gamma"] += list(gammas)
            columns["value"] += list(np.asarray(function(theta, gammas), float))
    return Table({k: np.array(v) for k, v in columns.items()})
