"""Sweeps on ``dask.distributed``: every core of this machine, or a cluster, one batch a task.

:func:`run_sweep_distributed` is :func:`fate_numeric.service.run_sweep` with the batches spread
over dask workers, for the cells of either model family (the linear or the ReLU networks): the
cells' family (:func:`fate_numeric.service.family_of`) partitions them into compatible groups and
splits those into batches under each worker's share of the memory budget, and a worker runs a
batch with the family's ``run``. The workers are by default a ``LocalCluster`` of one
single-threaded worker process per core (``workers``), or an existing cluster
(``scheduler="tcp://host:8786"``). Decisions:

* The store stays the one source of truth. A worker simulates its batch and writes each cell to
  the store itself (:class:`~fate_numeric.store.ResultStore` writes every file atomically under a
  key that is a hash of the cell's configuration, so concurrent workers never write the same file
  half-way and never collide on different cells); the client only counts. Workers of a remote
  cluster must see the store's folder at the same path (a shared file system).
* Results do not depend on where a batch runs: a cell's draws come from seeds of its own
  configuration, and every instance is simulated independently. They are equal to the last bit
  to a serial run with the same number of threads per process (one per worker here): BLAS sums
  in an order that depends on its thread count, so a 2-thread serial run differs from a 1-thread
  one at the 10⁻¹⁶ level. A linear cell does not depend on its batch either; a ReLU cell does,
  at that level (its batch pads every cell to the batch's largest n), so ReLU cells are equal to
  a serial run's with the same batches (the same memory budget per process).
* A ReLU transfer batch takes its pretrained networks from the store, or trains and stores them
  (:func:`fate_numeric.relu_sweeps.pretrain`); two workers that lack the same one at once both
  train it from the same seeds, and the later atomic write replaces the earlier.
* Killed worker: the scheduler reruns its batch on another worker (the ``LocalCluster``'s nanny
  restarts the dead one); a batch is only ever saved whole. Killed client: nothing stored is
  lost, and a rerun skips the stored cells.
* Progress is reported per finished batch, in cells (``progress(done, total)``); each worker
  holds one batch at a time, so ``stop_after`` means, as in the serial runner, that no batch
  starts after that many seconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import service
from fate_numeric.numerics import memory_budget, resolve_device
from fate_numeric.provenance import provenance
from fate_numeric.store import ResultStore


def _single_threaded() -> None:
    """One thread for torch and numba in this worker process (one worker per core)."""
    torch.set_num_threads(1)
    try:
        import numba

        numba.set_num_threads(1)
    except ImportError:  # pragma: no cover - numba is a dependency
        pass


def simulate_and_store(batch: list, store_root: str, device_name: str) -> int:
    """A worker's task: simulate ``batch`` (compatible cells of one family, run by the family's
    ``run``) and save every cell into the store; returns its size.

    Cells already stored (by an earlier attempt of this task) are not simulated again."""
    _single_threaded()
    store = ResultStore(store_root)
    todo = [cell for cell in batch if not store.has(cell.config())]
    if not todo:
        return len(batch)
    device = resolve_device(device_name)
    started = time.perf_counter()
    results = service.family_of(todo).run(todo, device, store)
    origin = {**provenance(), "worker_pid": os.getpid(), "distributed": True}
    service.save_batch(store, todo, results, device, time.perf_counter() - started, origin)
    return len(batch)


def connect(scheduler: str | None, workers: int | None, timeout: str = "10s"):
    """A dask client: of the cluster at ``scheduler``, or of a new ``LocalCluster`` with
    ``workers`` single-threaded worker processes (default: one per core)."""
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as error:
            raise InvalidArgumentError(
                f"cannot reach the dask scheduler at {scheduler!r} ({error}); start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS --nthreads 1`, or leave "
                "--scheduler out to use this machine's cores"
            ) from None
    if workers is not None and workers < 1:
        raise InvalidArgumentError(f"workers must be at least 1; got {workers}")
    count = workers or os.cpu_count() or 1
    cluster = LocalCluster(
        n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return Client(cluster)


def run_sweep_distributed(
    cells: list,
    store: ResultStore,
    device: torch.device,
    progress: Callable[[int, int], None] | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    budget_bytes: int | None = None,
    stop_after: float | None = None,
    client=None,
) -> dict[str, int]:
    """Run the cells (of either family) that are not in ``store`` on dask workers, a batch a task.

    Returns the counts of :func:`fate_numeric.service.run_sweep` (``total``, ``skipped``,
    ``computed``, ``remaining``). ``client``: an existing dask client (then ``scheduler`` and
    ``workers`` are ignored and the client is left open). As in the serial runner, no batch
    starts after ``stop_after`` seconds; each worker has one batch at a time.
    """
    if stop_after is not None and not stop_after >= 0:
        raise InvalidArgumentError(f"stop_after must be a number of seconds >= 0; got {stop_after}")
    pending = [cell for cell in cells if not store.has(cell.config())]
    skipped = len(cells) - len(pending)
    if progress:
        progress(skipped, len(cells))
    if not pending:
        return {"total": len(cells), "skipped": skipped, "computed": 0, "remaining": 0}
    own = client is None
    client = connect(scheduler, workers) if own else client
    try:
        from dask.distributed import as_completed

        count = max(1, len(client.scheduler_info()["workers"]))
        budget = budget_bytes or memory_budget(device) // count
        family = service.family_of(pending)
        batches = [
            batch for group in family.partition(pending) for batch in family.split(group, budget)
        ]
        began = time.perf_counter()
        queue = as_completed()
        in_flight = 0

        def submit() -> bool:
            if not batches or (
                stop_after is not None and time.perf_counter() - began >= stop_after
            ):
                return False
            batch = batches.pop(0)
            queue.add(
                client.submit(simulate_and_store, batch, str(store.root), str(device), pure=False)
            )
            return True

        while in_flight < count and submit():  # one batch per worker in flight, no more
            in_flight += 1
        done = skipped
        for future in queue:
            done += future.result()
            in_flight -= 1
            if progress:
                progress(done, len(cells))
            if submit():
                in_flight += 1
    finally:
        if own:
            client.close()
            cluster = getattr(client, "cluster", None)
            if cluster is not None:
                cluster.close()
    computed = sum(store.has(cell.config()) for cell in pending)
    return {
        "total": len(cells),
        "skipped": skipped,
        "computed": computed,
        "remaining": len(pending) - computed,
    }
