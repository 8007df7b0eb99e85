"""Independent numpy samplers shared by the tests: teachers and minimum-norm solutions.

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
