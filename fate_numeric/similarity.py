"""Distances between the joint laws of two tasks, from samples (App. A, Thm A.2; docs/paper.md §4).

A task is the law of (x, y) with x ~ N(0, I_d) and y = βᵀx + σε (docs/paper.md §2.1); a sample of it
is an array of shape (n, d + 1) whose rows are (x, y). The estimators here measure how far apart two
such laws are:

* :func:`kl_closed_form` — D_KL(p_f ‖ p_g) = E_x (f − g)²/(2σ²) averaged over sampled inputs, the
  conditional KL taken from the derived formula (:func:`fate_numeric.theory.kl_label_noise`);
* :func:`kl_quadrature` — the same average with the conditional KL computed by adaptive
  quadrature of the two Gaussian label densities (SciPy ``quad_vec``), not from the formula;
* :func:`wasserstein1` — the exact Wasserstein-1 distance between two empirical measures of equal
  size with the Euclidean ground metric on (x, y): an optimal coupling of two uniform measures on
  n points is a permutation (Birkhoff–von Neumann), found by SciPy's ``linear_sum_assignment``;
* :func:`dudley` — the exact bounded-Lipschitz (Dudley) distance sup{E_P h − E_Q h :
  ‖h‖_L + ‖h‖_∞ ≤ 1} between two empirical measures, by linear programming (SciPy ``linprog``,
  HiGHS) over the values of h on the pooled support. This is exact: a function on a finite set with
  sup norm M and Lipschitz constant L extends to the whole space with the same constants
  (McShane's extension clipped to [−M, M]).

Sampling error. :func:`task_distance` repeats an estimator over independent pairs of samples
(one seed per replicate) and reports the mean, the spread (standard deviation over replicates) and
the standard error of the mean. An empirical W₁ or Dudley distance is biased upwards: by joint
convexity E W₁(P_n, Q_n) ≥ W₁(P, Q), and between two samples of the *same* law it is positive (the
sampling floor, :func:`task_distance` with equal teachers); in high dimension the floor dominates.

Bad input (σ ≤ 0 for KL, empty samples, mismatched dimensions or sizes, non-finite values) raises
:class:`~derivations.errors.InvalidArgumentError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize, sparse
from scipy.spatial.distance import cdist

from derivations.errors import FateError, InvalidArgumentError
from fate_numeric import theory


@dataclass(frozen=True)
class Estimate:
    """An estimated number with its sampling error.

    Attributes:
        value: the estimate (a mean over points or over replicates).
        standard_error: standard error of ``value``.
        spread: standard deviation of the averaged quantity (over points or replicates).
        count: how many values were averaged.
        method: how it was obtained.
    """

    value: float
    standard_error: float
    spread: float
    count: int
    method: str


def _mean(values: np.ndarray, method: str) -> Estimate:
    values = np.asarray(values, dtype=np.float64)
    count = values.size
    spread = float(np.std(values, ddof=1)) if count > 1 else 0.0
    return Estimate(float(np.mean(values)), spread / math.sqrt(count), spread, count, method)


def _positive_sigma(sigma: float) -> float:
    if not (isinstance(sigma, int | float | np.floating) and math.isfinite(sigma) and sigma > 0):
        raise InvalidArgumentError(
            f"sigma must be a real number > 0 (the KL divergence of noiseless labels is "
            f"undefined); got {sigma!r}"
        )
    return float(sigma)


def _values(name: str, values: object) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise InvalidArgumentError(
            f"{name} must be a non-empty 1-D array of regression values; got shape {array.shape}"
        )
    if not np.isfinite(array).all():
        raise InvalidArgumentError(f"{name} contains non-finite values")
    return array


def _paired_values(f_values: object, g_values: object) -> tuple[np.ndarray, np.ndarray]:
    f = _values("f_values", f_values)
    g = _values("g_values", g_values)
    if f.shape != g.shape:
        raise InvalidArgumentError(
            f"f_values and g_values must be evaluated at the same inputs; got {f.size} and "
            f"{g.size} values"
        )
    return f, g


def kl_closed_form(f_values: object, g_values: object, sigma: float) -> Estimate:
    """D_KL(p_f ‖ p_g) from f(x_i), g(x_i) at sampled inputs x_i: mean of (f − g)²/(2σ²).

    The conditional KL comes from the derived evaluator ``kl_label_noise`` (App. D.1, eq. 35); the
    standard error is that of the mean over the inputs.
    """
    f, g = _paired_values(f_values, g_values)
    conditional = theory.kl_label_noise((f - g) ** 2, _positive_sigma(sigma))
    return _mean(conditional, "closed form (f − g)²/(2σ²) averaged over the sampled inputs")


def conditional_kl_quadrature(f_values: object, g_values: object, sigma: float) -> np.ndarray:
    """∫ N(y; f, σ²) log[N(y; f, σ²)/N(y; g, σ²)] dy at each pair (f_i, g_i), by quadrature.

    Adaptive Gauss–Kronrod quadrature (``scipy.integrate.quad_vec``) over the standardised label
    t = (y − f)/σ of the Gaussian density times the difference of the two log densities, evaluated
    pointwise (the integral is not taken in closed form); absolute tolerance 1e-12.
    """
    f, g = _paired_values(f_values, g_values)
    sigma = _positive_sigma(sigma)

    log_norm = math.log(sigma * math.sqrt(2 * math.pi))

    def log_density(y: np.ndarray, mean: np.ndarray) -> np.ndarray:
        return -((y - mean) ** 2) / (2 * sigma**2) - log_norm

    def integrand(t: float) -> np.ndarray:
        y = f + sigma * t
        weight = math.exp(-(t**2) / 2) / math.sqrt(2 * math.pi)  # N(y; f, σ²) dy in t
        return weight * (log_density(y, f) - log_density(y, g))

    # |t| > 40 carries a Gaussian weight below 1e-340: the truncation is exact in float64.
    values, _ = integrate.quad_vec(integrand, -40.0, 40.0, epsabs=1e-12, epsrel=1e-10)
    return np.asarray(values, dtype=np.float64)


def kl_quadrature(f_values: object, g_values: object, sigma: float) -> Estimate:
    """D_KL(p_f ‖ p_g): conditional KL by quadrature of the densities, averaged over the inputs."""
    conditional = conditional_kl_quadrature(f_values, g_values, sigma)
    return _mean(conditional, "quadrature of the label densities averaged over the sampled inputs")


def _sample(name: str, sample: object) -> np.ndarray:
    array = np.asarray(sample, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise InvalidArgumentError(
            f"{name} must be a non-empty sample of shape (points, dimension); got shape "
            f"{np.shape(sample)}"
        )
    if not np.isfinite(array).all():
        raise InvalidArgumentError(f"{name} contains non-finite values")
    return array


def _pair(first: object, second: object) -> tuple[np.ndarray, np.ndarray]:
    a, b = _sample("first", first), _sample("second", second)
    if a.shape[1] != b.shape[1]:
        raise InvalidArgumentError(
            f"the two samples live in different dimensions: {a.shape[1]} and {b.shape[1]}"
        )
    return a, b


def wasserstein1(first: object, second: object) -> float:
    """Exact W₁ between the empirical measures of two samples of equal size (Euclidean metric).

    Rows are points; 1-D inputs are points on the line. The optimal coupling of two uniform
    measures on n points each is a permutation, so W₁ = min over permutations of the mean
    distance, solved exactly by ``scipy.optimize.linear_sum_assignment``.
    """
    a, b = _pair(first, second)
    if a.shape[0] != b.shape[0]:
        raise InvalidArgumentError(
            f"wasserstein1 needs samples of equal size (the optimal coupling is then a "
            f"permutation); got {a.shape[0]} and {b.shape[0]} points"
        )
    cost = cdist(a, b)
    rows, cols = optimize.linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def dudley(first: object, second: object) -> float:
    """Exact bounded-Lipschitz distance between the empirical measures of two samples.

    γ_β(P, Q) = sup{Σ_k w_k h_k : |h_k − h_l| ≤ L‖z_k − z_l‖, |h_k| ≤ M, L + M ≤ 1} over the
    pooled points z_k with weights w = P − Q (1/n on the first sample, −1/m on the second), a
    linear programme in (h, L, M) solved by HiGHS. The samples may differ in size. Cost: N(N − 1)
    Lipschitz constraints for N = n + m points (N = 400 takes a few seconds).
    """
    a, b = _pair(first, second)
    points = np.vstack([a, b])
    size = points.shape[0]
    weights = np.concatenate(
        [np.full(a.shape[0], 1 / a.shape[0]), np.full(b.shape[0], -1 / b.shape[0])]
    )
    distances = cdist(points, points)
    first_index, second_index = np.nonzero(~np.eye(size, dtype=bool))
    pairs = first_index.size
    # Variables: h_0 .. h_{N-1}, L (index N), M (index N + 1).
    rows = np.concatenate([np.arange(pairs)] * 3)
    cols = np.concatenate([first_index, second_index, np.full(pairs, size)])
    data = np.concatenate([np.ones(pairs), -np.ones(pairs), -distances[first_index, second_index]])
    lipschitz = sparse.csr_matrix((data, (rows, cols)), shape=(pairs, size + 2))
    eye = sparse.identity(size, format="csr")
    minus_m = sparse.csr_matrix(
        (-np.ones(size), (np.arange(size), np.full(size, size + 1))), shape=(size, size + 2)
    )
    upper = sparse.hstack([eye, sparse.csr_matrix((size, 2))]) + minus_m
    lower = sparse.hstack([-eye, sparse.csr_matrix((size, 2))]) + minus_m
    budget = sparse.csr_matrix(([1.0, 1.0], ([0, 0], [size, size + 1])), shape=(1, size + 2))
    constraints = sparse.vstack([lipschitz, upper, lower, budget], format="csr")
    bounds_right = np.concatenate([np.zeros(pairs + 2 * size), [1.0]])
    objective = np.concatenate([-weights, [0.0, 0.0]])
    bounds = [(None, None)] * size + [(0, None), (0, None)]
    solution = optimize.linprog(
        objective, A_ub=constraints, b_ub=bounds_right, bounds=bounds, method="highs"
    )
    if not solution.success:
        raise FateError(f"the Dudley linear programme failed: {solution.message}")
    return float(-solution.fun)


def family_teachers(
    d: int, theta: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Unit β_s and β_t = cos θ β_s + sin θ ν (ν ⊥ β_s), drawn as in ``tasks.make_teachers``."""
    if not isinstance(d, int) or d < 2:
        raise InvalidArgumentError(f"d must be an integer >= 2; got {d!r}")
    if not 0.0 <= theta <= math.pi:
        raise InvalidArgumentError(f"theta must be a real number in [0, π]; got {theta!r}")
    source = rng.standard_normal(d)
    source /= np.linalg.norm(source)
    other = rng.standard_normal(d)
    other -= (other @ source) * source
    other /= np.linalg.norm(other)
    return source, math.cos(theta) * source + math.sin(theta) * other


def joint_sample(beta: np.ndarray, sigma: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """n rows (x, y) of the joint law p_β: x ~ N(0, I_d), y = βᵀx + σε (docs/paper.md §2.1)."""
    if not isinstance(n, int) or n < 1:
        raise InvalidArgumentError(f"n must be an integer >= 1; got {n!r}")
    if not (math.isfinite(sigma) and sigma >= 0):
        raise InvalidArgumentError(f"sigma must be a real number >= 0; got {sigma!r}")
    beta = np.asarray(beta, dtype=np.float64)
    x = rng.standard_normal((n, beta.size))
    y = x @ beta + sigma * rng.standard_normal(n)
    return np.column_stack([x, y])


Distance = Callable[[np.ndarray, np.ndarray], float]


def task_distance(
    distance: Distance,
    beta_s: np.ndarray,
    beta_t: np.ndarray,
    sigma: float,
    n: int,
    seeds: Sequence[int],
) -> Estimate:
    """``distance`` between independent n-point samples of p_s and p_t, over one seed each.

    The value is the mean over replicates, ``spread`` their standard deviation (the estimator's
    sampling noise) and ``standard_error`` = spread/√replicates.
    """
    if len(seeds) < 2:
        raise InvalidArgumentError(f"task_distance needs at least 2 seeds; got {len(seeds)}")
    if np.shape(beta_s) != np.shape(beta_t):
        raise InvalidArgumentError(
            f"beta_s and beta_t differ in dimension: {np.shape(beta_s)} and {np.shape(beta_t)}"
        )
    values = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        values.append(
            distance(joint_sample(beta_s, sigma, n, rng), joint_sample(beta_t, sigma, n, rng))
        )
    name = getattr(distance, "__name__", "distance")
    return _mean(np.array(values), f"{name} between samples of {n} points, {len(seeds)} seeds")
