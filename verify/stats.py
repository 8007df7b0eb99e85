"""Tolerances from statistics, not taste (docs/design.md §6.3).

A simulated mean is compared with its prediction within ``K`` standard errors over instances plus a
stated floor (for discretisation or finite-size effects the standard error does not cover). With
K = 5 a correct prediction fails a single check with probability below 10⁻⁶, so a report of a few
hundred checks stays trustworthy. Exact numbers (symbolic, mpmath) are compared with a fixed
tolerance stated beside them.

Small samples of skewed risks (a χ²-like excess over the floor) often lack their rare large values,
and then their sample standard deviation underestimates the true one several-fold. Where the same
distribution can be sampled cheaply — the limit object of the theorem, by Monte Carlo — its standard
deviation ``population_sd`` is passed in and the standard error is max(sample SE,
population_sd/√N).
"""

from __future__ import annotations

import math

import numpy as np

from fate_numeric.statistics import mean_and_standard_error as mean_and_se
from verify.model import Check

K = 5.0


def _guarded(se: float, population_sd: float | None, size: int) -> float:
    return se if population_sd is None else max(se, population_sd / math.sqrt(size))


def _statistical(
    label: str,
    measured: float,
    predicted: float,
    se: float,
    floor: float,
    gated: bool,
    note: str,
    expect_deviation: bool,
    relation: str,
    **about: object,
) -> Check:
    """A check whose tolerance is K standard errors plus a floor, stated in its note; ``about``
    names the prediction's formula and the scale (``predicted_by``, ``d``, ``instances``)."""
    text = f"{K:g} SE + {floor:g}" + (f"; {note}" if note else "")
    return Check(
        label,
        measured,
        float(predicted),
        K * se + floor,
        se,
        gated,
        text,
        expect_deviation,
        relation,
        **about,
    )


def mean_check(
    label: str,
    samples: np.ndarray,
    predicted: float,
    *,
    floor: float = 0.0,
    gated: bool = True,
    note: str = "",
    expect_deviation: bool = False,
    relation: str = "≈",
    population_sd: float | None = None,
    predicted_by: str = "",
    d: int | None = None,
) -> Check:
    """The mean of ``samples`` against ``predicted`` within K standard errors + ``floor``
    (``predicted_by``: the formula's name in words; ``d``: the problem's dimension)."""
    mean, se = mean_and_se(samples)
    se = _guarded(se, population_sd, np.size(samples))
    return _statistical(
        label,
        mean,
        predicted,
        se,
        floor,
        gated,
        note,
        expect_deviation,
        relation,
        predicted_by=predicted_by,
        d=d,
        instances=int(np.size(samples)),
    )


def difference_check(
    label: str,
    first: np.ndarray,
    second: np.ndarray,
    predicted: float,
    *,
    floor: float = 0.0,
    gated: bool = True,
    note: str = "",
    expect_deviation: bool = False,
    relation: str = "≈",
    population_sds: tuple[float, float] | None = None,
    predicted_by: str = "",
    d: int | None = None,
) -> Check:
    """mean(first) − mean(second) of two independent samples against ``predicted``."""
    mean_a, se_a = mean_and_se(first)
    mean_b, se_b = mean_and_se(second)
    if population_sds is not None:
        se_a = _guarded(se_a, population_sds[0], np.size(first))
        se_b = _guarded(se_b, population_sds[1], np.size(second))
    se = math.hypot(se_a, se_b)
    return _statistical(
        label,
        mean_a - mean_b,
        predicted,
        se,
        floor,
        gated,
        note,
        expect_deviation,
        relation,
        predicted_by=predicted_by,
        d=d,
        instances=int(min(np.size(first), np.size(second))),
    )


def pooled_check(
    label: str,
    samples: list[np.ndarray],
    predicted: list[float],
    *,
    floor: float = 0.0,
    gated: bool = True,
    note: str = "",
    expect_deviation: bool = False,
    predicted_by: str = "",
    d: int | None = None,
) -> Check:
    """The mean over k cells of (mean of the cell's samples − the cell's prediction) against 0,
    within K standard errors of that mean, √(Σ SE_i²)/k, + ``floor``: a small deviation common
    to many cells, which no single cell's standard error resolves."""
    if not samples or len(samples) != len(predicted):
        raise ValueError("pooled_check needs one prediction per sample, and at least one")
    means, errors = zip(*(mean_and_se(s) for s in samples), strict=True)
    residuals = [m - p for m, p in zip(means, predicted, strict=True)]
    se = math.sqrt(sum(e * e for e in errors)) / len(samples)
    return _statistical(
        label,
        float(np.mean(residuals)),
        0.0,
        se,
        floor,
        gated,
        note,
        expect_deviation,
        "≈",
        predicted_by=predicted_by,
        d=d,
        instances=int(min(np.size(s) for s in samples)),
    )


def exact_check(
    label: str,
    measured: float,
    predicted: float,
    tolerance: float,
    note: str = "",
    expect_deviation: bool = False,
    relation: str = "≈",
    *,
    authors_number: bool = False,
    predicted_by: str = "",
    d: int | None = None,
) -> Check:
    """An exact comparison with a stated tolerance (``authors_number``: ``measured`` is a
    number the authors published, see :class:`~verify.model.Check`)."""
    return Check(
        label,
        float(measured),
        float(predicted),
        tolerance,
        None,
        True,
        note,
        expect_deviation,
        relation,
        authors_number,
        predicted_by,
        d,
    )
