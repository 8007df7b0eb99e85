"""Independent numpy samplers shared by the tests: teachers, minimum-norm solutions, gradient flow.

Deliberately independent of the package (no derivations, no fate_numeric): the tests compare the
package's formulas with what these plain simulations of the paper's data model produce.
"""

from __future__ import annotations

import math

import numpy as np


def teachers(rng: np.random.Generator, dim: int, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit source β_s and target β_t = cos θ β_s + sin θ ν with ν ⊥ β_s (docs/paper.md §2.1)."""
    source = rng.standard_normal(dim)
    source /= np.linalg.norm(source)
    other = rng.standard_normal(dim)
    other -= (other @ source) * source
    other /= np.linalg.norm(other)
    return source, math.cos(angle) * source + math.sin(angle) * other


def min_norm(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """X⁺y for a batch of n×d matrices of full rank (equal to pinv(X) @ y)."""
    xt = np.swapaxes(x, -1, -2)
    if x.shape[-2] < x.shape[-1]:
        return np.einsum("bnd,bn->bd", x, np.linalg.solve(x @ xt, y[..., None])[..., 0])
    return np.linalg.solve(xt @ x, np.einsum("bnd,bn->bd", x, y)[..., None])[..., 0]


def gradient_flow(x, y, w1, w2, step, max_steps):
    """RK4 integration of Ẇ_1 = −g W_2ᵀ, Ẇ_2 = −W_1ᵀg, g = (2/n)Xᵀ(X W_1W_2 − y)."""
    samples = x.shape[0]

    def field(a, b):
        g = 2 / samples * x.T @ (x @ (a @ b) - y)
        return -np.outer(g, b), -a.T @ g

    for _ in range(max_steps):
        k1 = field(w1, w2)
        k2 = field(w1 + step / 2 * k1[0], w2 + step / 2 * k1[1])
        k3 = field(w1 + step / 2 * k2[0], w2 + step / 2 * k2[1])
        k4 = field(w1 + step * k3[0], w2 + step * k3[1])
        w1 = w1 + step / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        w2 = w2 + step / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        if np.mean((x @ (w1 @ w2) - y) ** 2) < 1e-26:
            break
    return w1, w2
