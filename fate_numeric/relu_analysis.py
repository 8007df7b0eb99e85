"""Analysis of the ReLU experiments (Sec. 4, Fig. 3e): the scratch power law, the predicted and the
simulated negative-transfer boundaries, the transferability grid.

* :func:`fit_power_law`: the scratch risk is modelled as R_sc(n) ≈ A n^(−ν) (the paper fits
  ν ≈ 1.18 at d = 100; A is not given). Fit: least squares of log(mean risk) on log n; confidence
  interval: percentile bootstrap over instances (resampling the instances of every n, refitting),
  seeded. Decision: fitting log means (not the mean of logs) fits the quantity the boundary uses,
  the expected risk.
* :func:`predicted_boundary`: the paper's grey circles, the n at which A n^(−ν) = ‖P⊥f_t‖², i.e.
  n* = (A/‖P⊥f_t‖²)^(1/ν) (the evaluator ``theory.relu_transfer_boundary`` of the derived record;
  the fitted law itself is ``theory.relu_scratch_power_law``).
* :func:`sign_change`: the n at which a simulated transferability T(n) = R_sc − R_tx first turns
  from positive to negative, by linear interpolation in log n between grid points.
* :func:`boundary_rises`: how far log n* rises from one removed fraction μ to the next, with
  bootstrap standard errors (instances resampled per n, paired across μ), so that a rise can be
  judged against its sampling noise.

From the stored sweeps ``relu_scratch`` and ``relu_linear_transfer`` (lists of ``(ReluCell,
arrays)``), the summary that ``verify`` (:mod:`verify.claims.relu`) and Figure 3
(:mod:`paper_figures.fig3_relu`) both read, computed here once: :func:`scratch_power_law` (sizes,
risks, fit), :func:`diagnostics_by_fraction` (the pretraining numbers per μ),
:func:`transfer_grid` (the paired T_lt per (μ, n)), :func:`boundaries` (simulated and predicted
n* per μ), :func:`sign_agreement`, and :func:`summarise`, all of them at once
(:class:`ReluSummary`). The evaluators come from ``evaluators`` (default
:mod:`fate_numeric.theory`; ``verify`` passes its context's, which the tests alter).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from derivations.errors import InvalidArgumentError
from fate_numeric import statistics, theory

#: A stored ReLU sweep: its cells (:class:`~fate_numeric.relu_sweeps.ReluCell`) and their arrays.
Cells = Sequence[tuple[Any, Mapping[str, np.ndarray]]]

#: The two readings of the pretrained feature space (docs/paper.md §5.1): the span of the source
#: teacher's neurons and of the pretrained student's, with the array of ‖P⊥f_t‖² on each.
SPANS = (("source", "out_of_span_source"), ("student", "out_of_span_student"))


@dataclass(frozen=True)
class PowerLaw:
    """A fitted power law A n^(−ν) with bootstrap confidence intervals."""

    amplitude: float
    exponent: float
    amplitude_interval: tuple[float, float]
    exponent_interval: tuple[float, float]
    r_squared: float
    level: float

    def __call__(self, n: np.ndarray | float) -> np.ndarray | float:
        """A n^(−ν) at ``n`` (the evaluator of the record ``relu_scratch_power_law``)."""
        return theory.relu_scratch_power_law(n, self.amplitude, self.exponent)


def _least_squares(log_n: np.ndarray, log_r: np.ndarray) -> tuple[float, float, float]:
    slope, intercept = np.polyfit(log_n, log_r, 1)
    fitted = intercept + slope * log_n
    total = float(((log_r - log_r.mean()) ** 2).sum())
    r_squared = 1.0 - float(((log_r - fitted) ** 2).sum()) / total if total > 0 else 1.0
    return float(math.exp(intercept)), float(-slope), r_squared


def fit_power_law(
    sample_sizes: Sequence[int],
    risks: Sequence[np.ndarray],
    *,
    seed: int = 0,
    resamples: int = 2000,
    level: float = 0.95,
) -> PowerLaw:
    """Fit A n^(−ν) to per-instance risks (one array per sample size); bootstrap intervals."""
    n = np.asarray(sample_sizes, dtype=np.float64)
    if n.ndim != 1 or n.size < 3 or len(risks) != n.size:
        raise InvalidArgumentError("need at least 3 sample sizes, each with an array of risks")
    samples = [np.asarray(r, dtype=np.float64).ravel() for r in risks]
    if any(s.size < 2 or not np.all(np.isfinite(s)) or np.any(s <= 0) for s in samples):
        raise InvalidArgumentError("risks must be finite, positive, at least 2 per sample size")
    if not 0 < level < 1:
        raise InvalidArgumentError(f"level must be in (0, 1); got {level!r}")
    log_n = np.log(n)
    amplitude, exponent, r_squared = _least_squares(log_n, np.log([s.mean() for s in samples]))
    rng = np.random.default_rng(seed)
    boot = np.empty((resamples, 2))
    for b in range(resamples):
        means = [s[rng.integers(0, s.size, s.size)].mean() for s in samples]
        a_b, nu_b, _ = _least_squares(log_n, np.log(means))
        boot[b] = (a_b, nu_b)
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(boot, [tail, 100 - tail], axis=0)
    return PowerLaw(
        amplitude,
        exponent,
        (float(low[0]), float(high[0])),
        (float(low[1]), float(high[1])),
        r_squared,
        level,
    )


def predicted_boundary(amplitude: float, exponent: float, floor: float | np.ndarray):
    """n* with A n*^(−ν) = floor (‖P⊥f_t‖²): (A/floor)^(1/ν); inf where floor = 0.

    The evaluator ``theory.relu_transfer_boundary`` (record ``relu_transfer_boundary``); it raises
    :class:`InvalidArgumentError` unless A > 0, ν > 0 and floor >= 0.
    """
    return theory.relu_transfer_boundary(amplitude, exponent, floor)


@dataclass(frozen=True)
class Crossing:
    """Where a transferability curve turns negative: ``n`` (interpolated) and ``kind`` —
    ``crossing``, ``always_negative`` (n at or below the grid), ``always_positive`` (above)."""

    n: float
    kind: str


def sign_change(sample_sizes: Sequence[int], transfer: Sequence[float]) -> Crossing:
    """The first n at which T(n) goes from > 0 to <= 0 (log-linear interpolation)."""
    n = np.asarray(sample_sizes, dtype=np.float64)
    t = np.asarray(transfer, dtype=np.float64)
    if n.shape != t.shape or n.size < 2 or np.any(np.diff(n) <= 0):
        raise InvalidArgumentError("need increasing sample sizes and one T per size")
    if t[0] <= 0:
        return Crossing(float(n[0]), "always_negative")
    for k in range(1, n.size):
        if t[k] <= 0:
            fraction = t[k - 1] / (t[k - 1] - t[k])
            log_n = math.log(n[k - 1]) + fraction * (math.log(n[k]) - math.log(n[k - 1]))
            return Crossing(math.exp(log_n), "crossing")
    return Crossing(float(n[-1]), "always_positive")


def paired_transfer(scratch: np.ndarray, transfer: np.ndarray) -> tuple[float, float]:
    """Mean and standard error of R_sc − R_tx over instances that share their data (paired)."""
    return statistics.paired_difference(scratch, transfer)


def boundary_rises(
    sample_sizes: Sequence[int],
    scratch: Sequence[np.ndarray],
    transfer: Sequence[Sequence[np.ndarray]],
    *,
    seed: int = 0,
    resamples: int = 2000,
) -> tuple[np.ndarray, np.ndarray]:
    """log n*(μ_{k+1}) − log n*(μ_k) for successive removed fractions, with bootstrap errors.

    Args:
        sample_sizes: the increasing n grid.
        scratch: per n, the scratch risks of the instances.
        transfer: per μ (in increasing order), per n, the transfer risks of the same instances
            (paired: instance i at n saw the same data in every procedure and every μ).
        seed, resamples: the bootstrap: instances are resampled per n, with the same indices for
            the scratch risks and every μ, and :func:`sign_change` is recomputed.

    Returns:
        ``(rises, standard_errors)``, each of length (number of μ) − 1.
    """
    sizes = list(sample_sizes)
    scratch = [np.asarray(r, dtype=np.float64) for r in scratch]
    transfer = [[np.asarray(r, dtype=np.float64) for r in row] for row in transfer]
    if len(scratch) != len(sizes) or any(len(row) != len(sizes) for row in transfer):
        raise InvalidArgumentError("need one array of risks per sample size, for every μ")
    if len(transfer) < 2:
        raise InvalidArgumentError("need at least two removed fractions")
    pairs = [(r, s) for row in transfer for r, s in zip(row, scratch, strict=True)]
    if any(r.shape != s.shape or s.size < 2 for r, s in pairs):
        raise InvalidArgumentError("transfer and scratch risks must pair, at least 2 per n")

    def rises(indices: list[np.ndarray]) -> np.ndarray:
        log_n = []
        for row in transfer:
            means = [(s[i] - r[i]).mean() for s, r, i in zip(scratch, row, indices, strict=True)]
            log_n.append(math.log(sign_change(sizes, means).n))
        return np.diff(log_n)

    measured = rises([np.arange(s.size) for s in scratch])
    rng = np.random.default_rng(seed)
    boot = np.array(
        [rises([rng.integers(0, s.size, s.size) for s in scratch]) for _ in range(resamples)]
    )
    return measured, boot.std(axis=0, ddof=1)


# ---- the summary of the stored sweeps (verify and Figure 3) ----------------------------------


def scratch_power_law(scratch: Cells, *, seed: int) -> tuple[list[int], list[np.ndarray], PowerLaw]:
    """The sample sizes (increasing), the per-instance scratch risks at each and the fitted
    A n^(−ν) (:func:`fit_power_law`, bootstrap seeded by ``seed``)."""
    cells = sorted(scratch, key=lambda item: item[0].n)
    sizes = [cell.n for cell, _ in cells]
    risks = [arrays["risk"] for _, arrays in cells]
    return sizes, risks, fit_power_law(sizes, risks, seed=seed)


def diagnostics_by_fraction(transfer: Cells) -> dict[float, Mapping[str, np.ndarray]]:
    """μ → the pretraining diagnostics (‖P⊥f_t‖² on both spans, alignments, norms, loss) of the
    linear-transfer cells; every n of one μ shares its pretrained network."""
    return {cell.removed: arrays for cell, arrays in transfer}


def transfer_grid(scratch: Cells, transfer: Cells) -> dict[tuple[float, int], tuple[float, float]]:
    """(μ, n) → mean and standard error of T_lt = R_sc − R_lt (paired: same target data), in
    the order of the transfer sweep."""
    risks = {cell.n: arrays["risk"] for cell, arrays in scratch}
    return {
        (cell.removed, cell.n): paired_transfer(risks[cell.n], arrays["risk"])
        for cell, arrays in transfer
    }


def boundaries(
    sizes: Sequence[int],
    grid: Mapping[tuple[float, int], tuple[float, float]],
    diagnostics: Mapping[float, Mapping[str, np.ndarray]],
    fit: PowerLaw,
    evaluators: Any = theory,
) -> dict[float, tuple[Crossing, tuple[float, float]]]:
    """μ (increasing) → the simulated sign change of T_lt(μ, n) (:func:`sign_change`) and the
    predicted n* = (A/‖P⊥f_t‖²)^(1/ν) on each span of :data:`SPANS` (grey circles of Fig. 3e)."""
    out = {}
    for removed, arrays in sorted(diagnostics.items()):
        crossing = sign_change(sizes, [grid[(removed, n)][0] for n in sizes])
        predicted = tuple(
            float(evaluators.relu_transfer_boundary(fit.amplitude, fit.exponent, arrays[name][0]))
            for _, name in SPANS
        )
        out[removed] = (crossing, predicted)
    return out


def sign_agreement(
    grid: Mapping[tuple[float, int], tuple[float, float]],
    diagnostics: Mapping[float, Mapping[str, np.ndarray]],
    fit: PowerLaw,
    span: str,
    evaluators: Any = theory,
) -> float:
    """The fraction of (μ, n) cells whose simulated sign of T_lt is the predicted one: positive
    where A n^(−ν) > ‖P⊥f_t‖² (``span``: ``out_of_span_source`` or ``out_of_span_student``)."""
    agree = [
        (mean > 0)
        == (
            evaluators.relu_scratch_power_law(n, fit.amplitude, fit.exponent)
            > float(diagnostics[removed][span][0])
        )
        for (removed, n), (mean, _) in grid.items()
    ]
    return float(np.mean(agree))


@dataclass(frozen=True)
class ReluSummary:
    """What the ReLU sweeps say, as ``verify`` and Figure 3 read it (:func:`summarise`)."""

    sizes: list[int]
    scratch: list[np.ndarray]
    fit: PowerLaw
    diagnostics: dict[float, Mapping[str, np.ndarray]]
    transfer: dict[tuple[float, int], tuple[float, float]]
    boundaries: dict[float, tuple[Crossing, tuple[float, float]]]

    @property
    def fractions(self) -> list[float]:
        """The removed fractions μ, increasing."""
        return sorted(self.diagnostics)


def summarise(
    scratch: Cells, transfer: Cells, *, seed: int, evaluators: Any = theory
) -> ReluSummary:
    """The summary of the sweeps ``relu_scratch`` (``scratch``) and ``relu_linear_transfer``
    (``transfer``): power law, diagnostics, paired transfer grid and boundaries."""
    sizes, risks, fit = scratch_power_law(scratch, seed=seed)
    diagnostics = diagnostics_by_fraction(transfer)
    grid = transfer_grid(scratch, transfer)
    return ReluSummary(
        sizes, risks, fit, diagnostics, grid, boundaries(sizes, grid, diagnostics, fit, evaluators)
    )
