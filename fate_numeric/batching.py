"""Batching shared by both model families: seeds from configurations, compatible groups, memory
chunks and per-cell arrays (docs/design.md §5.4).

A family (the deep linear networks of :mod:`fate_numeric.experiments`, the ReLU networks of
:mod:`fate_numeric.relu_sweeps`) supplies what is its own — the key under which cells batch
together and the memory of a group of its cells — and these functions do the rest, the same way
for both:

* :func:`seed_of` — a generator seed from a configuration (a hash of its canonical JSON), so that
  a cell's random draws depend on what they are drawn for, never on the batch;
* :func:`compatible` — cells partitioned by their batch key, in the order of first appearance;
* :func:`chunks` — a compatible group split into consecutive batches that fit a memory budget;
* :func:`split_rows` — per-instance tensors of a batch cut back into one dict of arrays per cell.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from derivations.errors import InvalidArgumentError

__all__ = ["chunks", "compatible", "seed_of", "split_rows"]


def seed_of(data: dict) -> int:
    """A generator seed from a configuration: 15 hex digits of the SHA-256 of its canonical JSON
    (sorted keys)."""
    text = json.dumps(data, sort_keys=True)
    return int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)


def compatible(cells: Sequence, key: Callable[[Any], tuple]) -> list[list]:
    """Partition ``cells`` into lists of equal ``key(cell)`` (cells one batched program can
    simulate together), in the order of their first appearance."""
    groups: dict[tuple, list] = {}
    for cell in cells:
        groups.setdefault(key(cell), []).append(cell)
    return list(groups.values())


def chunks(
    cells: Sequence,
    budget_bytes: int,
    footprint: Callable[[Sequence], int],
    describe: Callable[[Any], str],
    advice: str,
) -> list[list]:
    """Split compatible cells, in their order, into consecutive lists whose ``footprint`` (peak
    bytes of the batch) fits ``budget_bytes``.

    A cell that does not fit alone raises :class:`InvalidArgumentError` naming what it needs
    (``describe(cell)``, its instances) and what to lower (``advice``)."""
    out: list[list] = []
    current: list = []
    for cell in cells:
        alone = footprint([cell])
        if alone > budget_bytes:
            raise InvalidArgumentError(
                f"one cell needs {alone / 2**30:.1f} GiB ({describe(cell)}, "
                f"{cell.instances} instances) but only {budget_bytes / 2**30:.1f} GiB are "
                f"available on the device; lower {advice} or the number of instances"
            )
        if current and footprint([*current, cell]) > budget_bytes:
            out.append(current)
            current = []
        current.append(cell)
    if current:
        out.append(current)
    return out


def split_rows(
    outputs: list[dict[str, np.ndarray]], counts: Sequence[int], **arrays: torch.Tensor | None
) -> None:
    """Cut each tensor (instances of every cell stacked along the first axis) into ``counts``
    rows and store the pieces, as numpy arrays, under its name in the cells' ``outputs``;
    floating-point pieces in float64 whatever the training precision; ``None`` is skipped."""
    for name, values in arrays.items():
        if values is None:
            continue
        pieces = torch.split(values.detach(), list(counts))
        for output, piece in zip(outputs, pieces, strict=True):
            if piece.is_floating_point():
                piece = piece.to(torch.float64)
            output[name] = piece.cpu().numpy()
