"""The sweep service: one registry of named sweeps for both model families, one resumable runner
and one reader with the missing-cell policy (docs/design.md §5.5).

Each family plugs in the same way. Its module (:mod:`fate_numeric.sweeps` for the deep linear
networks, :mod:`fate_numeric.relu_sweeps` for the ReLU networks) registers a :class:`Family` on
import: its cell type, its profiles, its ``run(batch, device, store)`` of one batch of compatible
cells, its ``partition(cells)`` into compatible groups, its ``split(group, budget_bytes)`` into
batches that fit the memory budget (both from :mod:`fate_numeric.batching`), and its tables of
named sweeps, name -> ``generate(profile, seed)``, the sweep's cells at one of the family's
profiles (the paper's sweeps, and the extensions beyond it: docs/paper.md §11, §12).

Then :func:`cells_of` gives the cells of any named sweep, :func:`run_sweep` runs the cells the
store lacks (any family's, serially; :mod:`fate_numeric.distributed` spreads them over
``dask.distributed``), and :func:`load_sweep` / :func:`load_cells` read them back for ``verify``
and ``paper_figures`` alike: a missing cell is simulated, or (``simulate=False``) reported by an
error that names the command producing it. The service imports the two family modules only to
have them register (:func:`registry`); they import the service, never each other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from derivations.errors import FateError, InvalidArgumentError
from fate_numeric.numerics import memory_budget
from fate_numeric.provenance import provenance

__all__ = [
    "Family",
    "MissingCellsError",
    "Sweep",
    "cells_of",
    "family_of",
    "load_cells",
    "load_sweep",
    "only_float64",
    "profile_names",
    "register_family",
    "registry",
    "run_sweep",
    "save_batch",
    "stored_seconds",
    "sweep",
    "sweep_command",
    "sweep_names",
    "with_precision",
]


@dataclass(frozen=True)
class Family:
    """A model family as the service runs it (module docstring). ``profiles``, ``sweeps`` (name
    -> ``generate(profile, seed)``) and ``extensions`` (the same, for sweeps beyond the paper)
    are the family's own tables, read live: an entry added to them later is a registered sweep."""

    name: str
    cell_type: type
    profiles: Mapping[str, Any]
    sweeps: Mapping[str, Callable[[Any, int], Iterator]]
    run: Callable[[Sequence, torch.device, Any], list[dict[str, np.ndarray]]]
    partition: Callable[[Sequence], list[list]]
    split: Callable[[Sequence, int], list[list]]
    extensions: Mapping[str, Callable[[Any, int], Iterator]] = field(default_factory=dict)
    #: ``with_precision(cells, precision)``: the cells trained in ``precision`` ("float64" or
    #: "float32"; the draws are float64 either way), or an :class:`InvalidArgumentError` for a
    #: precision the family does not train in. Default: float64 only.
    with_precision: Callable[[Sequence, str], list] | None = None
    #: Whether ``python -m fate_numeric archive`` takes the family's sweeps: the archive's readers
    #: (``verify recheck``, the archive tests) rebuild archived cells as linear cells.
    archivable: bool = False
    #: Whether ``python -m fate_numeric sweep`` runs the family's sweeps on dask workers by default
    #: on a CPU (else only with ``--scheduler`` or ``--workers``). The linear family does: a
    #: single-threaded worker stores its cells as a serial run on every core does, up to 10⁻¹⁶
    #: (BLAS sums in an order set by its thread count). The ReLU family does not: with the thread
    #: count its risks move by up to 10⁻¹² and its out-of-span diagnostics (near the rank floor)
    #: by up to 10⁻⁹ (``relu_linear_transfer``, quick profile), so it stays serial by default.
    dask_by_default: bool = False


def only_float64(family: str) -> Callable[[Sequence, str], list]:
    """A family's ``with_precision`` that keeps the cells and refuses every precision but float64
    (``family``: its name in the error, e.g. "ReLU")."""

    def with_precision(cells: Sequence, precision: str) -> list:
        if precision != "float64":
            raise InvalidArgumentError(f"the {family} sweeps train in float64 only")
        return list(cells)

    return with_precision


def with_precision(cells: Sequence, precision: str) -> list:
    """``cells`` (of one family) trained in ``precision``, as their family allows
    (:attr:`Family.with_precision`)."""
    if not cells:
        return []
    family = family_of(cells)
    adapt = family.with_precision or only_float64(family.name)
    return adapt(cells, precision)


@dataclass(frozen=True)
class Sweep:
    """A named sweep: its family and the generator of its cells at one of the family's profiles
    (``extension``: beyond the paper, docs/paper.md §11, §12)."""

    name: str
    family: Family
    generate: Callable[[Any, int], Iterator]
    extension: bool = False


class MissingCellsError(FateError):
    """Cells that are not in the store, with simulation switched off (the message names the
    command that produces them)."""


_FAMILIES: dict[str, Family] = {}


def register_family(family: Family) -> Family:
    """Add a model family with its sweeps (its module calls this on import)."""
    _FAMILIES[family.name] = family
    return family


def _families() -> list[Family]:
    """The registered families in the order of their names ("linear", then "relu"), whichever
    module was imported first."""
    return [_FAMILIES[name] for name in sorted(_FAMILIES)]


def registry() -> dict[str, Sweep]:
    """Every named sweep of both families (name -> :class:`Sweep`): the linear sweeps (the
    paper's, then the extensions), then the ReLU sweeps. A name belongs to one family."""
    from fate_numeric import relu_sweeps, sweeps  # noqa: F401  (they register on import)

    known: dict[str, Sweep] = {}
    for family in _families():
        for table, extension in ((family.sweeps, False), (family.extensions, True)):
            for name, generate in table.items():
                if name in known:
                    raise InvalidArgumentError(f"sweep {name!r} is registered twice")
                known[name] = Sweep(name, family, generate, extension)
    return known


def sweep_names() -> str:
    """The registered sweeps in words, for help texts and errors: the paper's sweeps of every
    family, then the extensions beyond the paper apart."""
    known = registry().values()
    papers = [entry.name for entry in known if not entry.extension]
    extensions = [entry.name for entry in known if entry.extension]
    text = f"the sweeps are {', '.join(papers)}"
    if extensions:
        text += f"; the extension sweeps (docs/paper.md §11, §12) are {', '.join(extensions)}"
    return text


def sweep(name: str) -> Sweep:
    """The registered sweep called ``name`` (an error lists them all, :func:`sweep_names`)."""
    known = registry()
    if name not in known:
        raise InvalidArgumentError(f"unknown sweep {name!r}; {sweep_names()}")
    return known[name]


def profile_names() -> tuple[str, ...]:
    """The profiles of every family, each once (the linear family's first)."""
    registry()
    return tuple(dict.fromkeys(p for family in _families() for p in family.profiles))


def cells_of(name: str, profile: str, seed: int = 0) -> list:
    """Every cell of a named sweep (either family) at a profile of its family."""
    entry = sweep(name)
    profiles = entry.family.profiles
    if profile not in profiles:
        raise InvalidArgumentError(
            f"unknown profile {profile!r} for the {entry.family.name} sweep {name!r}; the "
            f"profiles are {', '.join(profiles)}"
        )
    return list(entry.generate(profiles[profile], seed))


def family_of(cells: Sequence) -> Family:
    """The family whose cells these are (all of one family)."""
    registry()
    for family in _FAMILIES.values():
        if all(isinstance(cell, family.cell_type) for cell in cells):
            return family
    raise InvalidArgumentError("the cells are not all of one registered model family")


def run_sweep(
    cells: list,
    store,
    device: torch.device,
    progress: Callable[[int, int], None] | None = None,
    budget_bytes: int | None = None,
    *,
    runner: Callable | None = None,
    partition: Callable | None = None,
    split: Callable | None = None,
    stop_after: float | None = None,
) -> dict[str, int]:
    """Run the cells that are not in ``store`` yet, batch by batch, saving each cell as it ends.

    Returns counts: ``total``, ``skipped`` (already stored), ``computed`` and ``remaining`` (not
    run because ``stop_after`` seconds had passed: no batch starts after that, so a run under a
    time limit ends with every started batch saved, and a rerun carries on).
    ``progress(done, total)`` is called after each batch. The cells' family (:func:`family_of`)
    gives the ``runner(batch, device)``, the ``partition(cells)`` into batchable groups and the
    ``split(group, budget_bytes)`` into batches that fit the memory budget; a caller may pass
    its own instead.
    """
    if stop_after is not None and not stop_after >= 0:
        raise InvalidArgumentError(f"stop_after must be a number of seconds >= 0; got {stop_after}")
    pending = [cell for cell in cells if not store.has(cell.config())]
    skipped = len(cells) - len(pending)
    if None in (runner, partition, split):
        family = family_of(pending)
        runner = runner or (lambda batch, device: family.run(batch, device, store))
        partition = partition or family.partition
        split = split or family.split
    budget = budget_bytes or memory_budget(device)
    done = skipped
    if progress:
        progress(done, len(cells))
    began = time.perf_counter()
    origin = provenance()
    batches = (batch for group in partition(pending) for batch in split(group, budget))
    for batch in batches:
        if stop_after is not None and time.perf_counter() - began >= stop_after:
            break
        started = time.perf_counter()
        results = runner(batch, device)
        save_batch(store, batch, results, device, time.perf_counter() - started, origin)
        done += len(batch)
        if progress:
            progress(done, len(cells))
    computed = done - skipped
    return {
        "total": len(cells),
        "skipped": skipped,
        "computed": computed,
        "remaining": len(pending) - computed,
    }


def save_batch(
    store, batch: Sequence, results: Sequence, device: torch.device, seconds: float, origin: dict
) -> None:
    """Save every cell of a finished batch with the batch's device, time and provenance (each
    cell's share of the time is ``batch_seconds / batch_cells``, :func:`stored_seconds`)."""
    for cell, arrays in zip(batch, results, strict=True):
        store.save(
            cell.config(),
            arrays,
            {
                "device": str(device),
                "batch_seconds": seconds,
                "batch_cells": len(batch),
                **origin,
            },
        )


def stored_seconds(cells: Iterable, store) -> float:
    """The compute time ``store`` records for ``cells`` (saved by :func:`run_sweep`): each cell's
    share of the time of the batch it ran in."""
    total = 0.0
    for cell in cells:
        extra = store.load(cell.config()).metadata["extra"]
        total += extra["batch_seconds"] / extra["batch_cells"]
    return total


def sweep_command(name: str, profile: str, seed: int = 0, store_root: Any = None) -> str:
    """The shell command that fills a store with a named sweep."""
    command = f"python -m fate_numeric sweep {name} --profile {profile}"
    if seed:
        command += f" --seed {seed}"
    if store_root is not None:
        command += f" --store {store_root}"
    return command


def load_cells(
    cells: Sequence,
    store,
    device: torch.device,
    *,
    simulate: bool = True,
    missing: Callable[[list, Sequence], None] | None = None,
    run: Callable[[Sequence], Any] | None = None,
    what: str = "cells",
    command: str = "",
) -> list[dict[str, np.ndarray]]:
    """The stored arrays of ``cells``, in order, under the one missing-cell policy of ``verify``
    and ``paper_figures``.

    Where the store lacks cells, ``missing(absent, cells)`` is called first when given (it may
    raise the caller's own error, or say what is about to be simulated); then, with
    ``simulate``, the cells are simulated by ``run(cells)`` (default :func:`run_sweep`, serial,
    which skips the stored ones), else :class:`MissingCellsError` is raised naming ``command``.
    """
    absent = [cell for cell in cells if not store.has(cell.config())]
    if absent:
        if missing is not None:
            missing(absent, cells)
        if not simulate:
            how = f"; run `{command}`" if command else ""
            raise MissingCellsError(
                f"{len(absent)} of {len(cells)} {what} are not in the store and simulation is "
                f"off{how}"
            )
        if run is None:
            run_sweep(list(cells), store, device)
        else:
            run(cells)
    return [store.load(cell.config()).arrays for cell in cells]


def load_sweep(
    name: str,
    profile: str,
    store,
    device: torch.device,
    *,
    seed: int = 0,
    simulate: bool = True,
    cells: Sequence | None = None,
    missing: Callable[[list, Sequence], None] | None = None,
    run: Callable[[Sequence], Any] | None = None,
) -> list[tuple[Any, dict[str, np.ndarray]]]:
    """Every cell of a named sweep (either family) with its stored arrays: :func:`load_cells`
    on :func:`cells_of` (or on ``cells``, the sweep's cells as the caller varies them, e.g. in
    another training precision); the error of a missing cell names the sweep command."""
    chosen = cells_of(name, profile, seed) if cells is None else list(cells)
    command = sweep_command(name, profile, seed, getattr(store, "root", None))
    what = f"cells of sweep {name!r} ({profile} profile)"
    arrays = load_cells(
        chosen,
        store,
        device,
        simulate=simulate,
        missing=missing,
        run=run,
        what=what,
        command=command,
    )
    return list(zip(chosen, arrays, strict=True))
