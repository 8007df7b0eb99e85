"""Summaries of per-instance numbers, and the thresholds that judge simulations, in one place.

``verify`` (its checks, docs/design.md §6.3) and ``paper_figures`` (the plotted error bars and
residual maps) both summarise simulated risks with these, so a mean, its standard error and the
floors they are compared with mean the same thing in a report and in a figure:

* :func:`standard_error`: std(ddof = 1)/√N, the standard error of a sample mean;
* :func:`mean_and_standard_error`: the mean and that standard error of N >= 2 finite values;
* :func:`paired_difference`: the mean and standard error of ``first − second`` over instances
  that share their data (paired: the standard error of the differences, which is smaller than
  √(SE₁² + SE₂²) when the two are correlated, as scratch and transfer risks on the same data are);
* :data:`CONVERGED_LOSS`, :data:`RESIDUAL_FLOOR`.
"""

from __future__ import annotations

import math

import numpy as np

from derivations.errors import InvalidArgumentError

__all__ = [
    "CONVERGED_LOSS",
    "RESIDUAL_FLOOR",
    "mean_and_standard_error",
    "paired_difference",
    "standard_error",
]

#: Fine-tuning runs whose largest training loss exceeds this have not reached the interpolating
#: end point in the authors' step budget (near γ = 1 the smallest eigenvalue of XᵀX/n vanishes and
#: 5000 steps at lr 0.01 do not get there): ``verify`` reports such cells without gating them and
#: the figures mark them as not converged.
CONVERGED_LOSS = 1e-5

#: The resolution of a simulated transferability R_sc − R_tx: ``verify`` compares it with theory
#: within K standard errors + this floor (claim ``lt-transferability``), the figures' residual maps
#: divide by √(SE² + this²), so that where both risks are ~0 (σ = 0, γ > 1) the optimiser's
#: stopping tolerance is not read as a deviation.
RESIDUAL_FLOOR = 2e-3


def standard_error(values: object, axis: int | None = None) -> float | np.ndarray:
    """std(ddof = 1)/√N of ``values`` (along ``axis``; all of them when ``None``), in the
    precision of ``values``."""
    array = np.asarray(values)
    count = array.size if axis is None else array.shape[axis]
    spread = array.std(axis=axis, ddof=1) / math.sqrt(count)
    return float(spread) if axis is None else spread


def mean_and_standard_error(values: object) -> tuple[float, float]:
    """Sample mean and its standard error std(ddof=1)/√N of a 1-D set of finite values (N >= 2)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size < 2:
        raise InvalidArgumentError(
            f"values must be a 1-D array of at least 2 numbers; got shape {array.shape}"
        )
    if not np.isfinite(array).all():
        raise InvalidArgumentError(
            f"values must be finite; got {int((~np.isfinite(array)).sum())} non-finite entries"
        )
    return float(array.mean()), standard_error(array)


def paired_difference(first: object, second: object) -> tuple[float, float]:
    """Mean and standard error of ``first − second`` over paired instances (same data)."""
    difference = np.asarray(first, dtype=np.float64) - np.asarray(second, dtype=np.float64)
    if difference.ndim != 1 or difference.size < 2:
        raise InvalidArgumentError("need two 1-D arrays of at least 2 paired values")
    return mean_and_standard_error(difference)
