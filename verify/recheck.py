"""``python -m verify recheck``: recompute randomly chosen archived cells with today's code.

The archive (:mod:`fate_numeric.archive`) holds the paper-scale simulations that the package's
claims and figures are judged on; they took hours to compute, so they are not recomputed on every
run. This command is the evidence that they still are what today's code computes: it draws
``--cells K`` archived cells at random (a seeded generator; ``--max-network-steps`` keeps only
cells whose stored instance × step counts are below a bound, so that CI can recheck cheap ones),
simulates each afresh and compares every stored array: integers exactly, floating-point values
within 10⁻⁹ relative (and 10⁻¹² absolute, below anything the claims resolve). The exit status is 1
when a cell differs, 2 on bad input.

One array is resolved more coarsely than that by its own computation: ``feature_singular_values``
are square roots of eigenvalues of the Gram matrix K = W_1W_1ᵀ (``fate_numeric.gram_refit``).
A symmetric eigensolver gets an eigenvalue to about δ = c·ε‖K‖ absolute (c of order one; we
take c = 16), so a singular value σ is fixed only to √(σ² + δ) − σ: δ/(2σ) for the top one and the
O(α) ≈ 2·10⁻⁵ ones of an undecayed network (≈ 10⁻⁶ relative and tighter), but √δ ≈ 6·10⁻⁸σ_max
for a value at zero. Weight decay in pretraining (docs/paper.md §12) drives the O(α) directions
to e^{−λ_p·lr·steps}·α ≈ 10⁻¹⁶ in the authors' 5000 steps, so there the second and third values
are that rounding floor (≈ 2.5·10⁻⁸ for σ_max = 0.87) and move when the pretraining changes in its
last bit. Those arrays are compared within this resolution on top of the 10⁻⁹ relative,
:func:`resolution`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import numpy as np
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric.archive import Archive
from fate_numeric.experiments import Cell, run_cells

RTOL = 1e-9
ATOL = 1e-12
#: c of the eigenvalue accuracy δ = c·ε·σ_max² of singular values taken from a Gram matrix.
EIGENVALUE_ACCURACY = 16 * np.finfo(np.float64).eps
#: Arrays of singular values computed as square roots of Gram eigenvalues (module docstring).
GRAM_SINGULAR_VALUES = frozenset({"feature_singular_values"})


def resolution(name: str, stored: np.ndarray) -> np.ndarray:
    """How far the computation itself fixes each entry of a stored array beyond floating-point
    reproducibility: √(σ² + δ) − σ for singular values from a Gram eigendecomposition
    (δ = c·ε·σ_max² per row), zero for every other array."""
    if name not in GRAM_SINGULAR_VALUES:
        return np.zeros_like(stored, dtype=float)
    values = np.abs(np.asarray(stored, dtype=float))
    delta = EIGENVALUE_ACCURACY * np.max(values, axis=-1, keepdims=True) ** 2
    return np.sqrt(values**2 + delta) - values


@dataclass
class Recheck:
    """One recomputed cell: its configuration, the largest difference of each array in units of
    its tolerance, the arrays that differ, and the seconds it took."""

    cell: Cell
    differences: dict[str, float]
    failed: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.failed


def network_steps(arrays: dict[str, np.ndarray]) -> int:
    """Instance-steps a stored cell took (target side and pretraining)."""
    return int(sum(arrays[name].sum() for name in ("steps", "pretrain_steps") if name in arrays))


def compare(fresh: dict[str, np.ndarray], stored: dict[str, np.ndarray]) -> tuple[dict, list]:
    """Largest difference per array in units of its tolerance (10⁻⁹|stored| + 10⁻¹² plus the
    entry's :func:`resolution`; integers: 0 or inf), and the arrays outside the tolerance."""
    differences, failed = {}, []
    for name in sorted(set(fresh) | set(stored)):
        if name not in fresh or name not in stored:
            failed.append(name)
            differences[name] = float("inf")
            continue
        mine, theirs = np.asarray(fresh[name]), np.asarray(stored[name])
        if mine.shape != theirs.shape:
            failed.append(name)
            differences[name] = float("inf")
            continue
        if np.issubdtype(theirs.dtype, np.integer):
            same = bool(np.array_equal(mine, theirs))
            differences[name] = 0.0 if same else float("inf")
        else:
            allowed = RTOL * np.abs(theirs) + ATOL + resolution(name, theirs)
            differences[name] = float(np.max(np.abs(mine - theirs) / allowed, initial=0))
            same = differences[name] <= 1.0
        if not same:
            failed.append(name)
    return differences, failed


def choose(archive: Archive, count: int, seed: int, max_network_steps: int | None) -> list[dict]:
    """``count`` archived cell configurations drawn at random (without replacement)."""
    if count < 1:
        raise InvalidArgumentError(f"--cells must be at least 1; got {count}")
    configs = []
    for sweep in archive.sweeps:
        for config in archive.manifest["sweeps"][sweep]["cells"]:
            arrays = archive.load(config).arrays
            if max_network_steps is not None and network_steps(arrays) > max_network_steps:
                continue
            configs.append(config)
    if len(configs) < count:
        raise InvalidArgumentError(
            f"the archive {archive.folder} has {len(configs)} cells within the bounds; asked for "
            f"{count}"
        )
    picked = np.random.default_rng(seed).choice(len(configs), size=count, replace=False)
    return [configs[i] for i in sorted(picked)]


def recheck(
    archive: Archive,
    count: int,
    seed: int,
    device: torch.device,
    max_network_steps: int | None = None,
) -> list[Recheck]:
    out = []
    for config in choose(archive, count, seed, max_network_steps):
        cell = Cell.from_config(config)
        began = time.perf_counter()
        (fresh,) = run_cells([cell], device)
        seconds = time.perf_counter() - began
        differences, failed = compare(fresh, archive.load(config).arrays)
        out.append(Recheck(cell, differences, failed, seconds))
    return out


def describe(results: list[Recheck]) -> str:
    lines = []
    for result in results:
        cell = result.cell
        worst = max(result.differences.values(), default=0.0)
        verdict = "same" if result.ok else f"DIFFERS in {', '.join(result.failed)}"
        extensions = (f" k={cell.source_rank}" if cell.source_rank != 1 else "") + (
            f" λ_p={cell.pretrain_weight_decay:g}" if cell.pretrain_weight_decay else ""
        )
        lines.append(
            f"{cell.procedure:15s} d={cell.d} n={cell.n:4d} θ={cell.theta:.4f} σ={cell.sigma} "
            f"wd={cell.weight_decay:g} n_s={cell.n_source}{extensions}: {verdict} (largest "
            f"difference "
            f"{worst:.1e} of the tolerance, {result.seconds:.1f} s)"
        )
    failed = sum(not r.ok for r in results)
    lines.append(
        f"{len(results) - failed} of {len(results)} archived cells recomputed within "
        f"{RTOL:g} relative (Gram singular values within their resolution); {failed} differ"
    )
    return "\n".join(lines)


def to_json(results: list[Recheck]) -> str:
    return json.dumps(
        [
            {
                "config": r.cell.config(),
                "differences": r.differences,
                "failed": r.failed,
                "seconds": round(r.seconds, 2),
            }
            for r in results
        ],
        indent=1,
    )
