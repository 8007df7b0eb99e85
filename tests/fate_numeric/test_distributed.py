"""Sweeps of either family on dask workers: equal to a serial run to the last bit, robust to a
killed worker."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import relu_sweeps
from fate_numeric.distributed import connect, run_sweep_distributed
from fate_numeric.experiments import Cell, bytes_per_instance
from fate_numeric.relu_sweeps import ReluCell
from fate_numeric.store import ResultStore

pytest.importorskip("distributed")
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def client():
    client = connect(None, workers=2)
    yield client
    client.close()
    client.cluster.close()


def _cells(epochs: int = 150) -> list[Cell]:
    common = dict(d=12, theta=0.5, sigma=0.2, instances=3)
    return [
        *(Cell("scratch", d=12, n=n, sigma=0.2, instances=3, epochs=epochs) for n in (6, 18)),
        *(Cell("fine_tuning", n=n, epochs=epochs, pretrain_epochs=300, **common) for n in (6, 18)),
        Cell("linear_transfer", n=9, ridges=(0.0, 0.3), pretrain_epochs=300, **common),
    ]


def _one_cell(cells) -> int:
    """A memory budget that holds one cell a batch."""
    return max(bytes_per_instance(cell) * cell.instances for cell in cells)


_SERIAL = """
import pickle, sys
import torch
torch.set_num_threads(1)
import numba
numba.set_num_threads(1)
from fate_numeric import service
from fate_numeric.store import ResultStore
with open(sys.argv[2], "rb") as file:
    cells, budget = pickle.load(file)
service.run_sweep(cells, ResultStore(sys.argv[1]), torch.device("cpu"), budget_bytes=budget)
"""


def _serial_single_threaded(cells, store, budget_bytes=None):
    """The serial runner of the cells' family (:func:`fate_numeric.service.run_sweep`, with the
    memory budget ``budget_bytes`` when given) with one thread, as each dask worker has, in a
    fresh interpreter: in this process the thread count may not be raised again (torch 2.13's
    CPU build solves linear systems wrongly after ``torch.set_num_threads(n)`` with n >= 2)."""
    job = store.root.parent / f"{store.root.name}-cells.pickle"
    job.write_bytes(pickle.dumps((cells, budget_bytes)))
    subprocess.run([sys.executable, "-c", _SERIAL, str(store.root), str(job)], check=True)


def _assert_same_bits(cells, mine: ResultStore, theirs: ResultStore) -> None:
    for cell in cells:
        a, b = mine.load(cell.config()).arrays, theirs.load(cell.config()).arrays
        assert a.keys() == b.keys()
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=f"{cell} {name}")


@pytest.mark.slow
def test_distributed_equals_serial_to_the_last_bit(client, tmp_path):
    cells = _cells()
    seen = []
    counts = run_sweep_distributed(
        cells,
        ResultStore(tmp_path / "dask"),
        CPU,
        lambda done, total: seen.append((done, total)),
        client=client,
        budget_bytes=_one_cell(cells),  # one cell a batch: tasks on both workers
    )
    assert counts == {"total": 5, "skipped": 0, "computed": 5, "remaining": 0}
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)  # progress over cells
    _serial_single_threaded(cells, ResultStore(tmp_path / "serial"))
    _assert_same_bits(cells, ResultStore(tmp_path / "dask"), ResultStore(tmp_path / "serial"))
    again = run_sweep_distributed(cells, ResultStore(tmp_path / "dask"), CPU, client=client)
    assert again["skipped"] == 5 and again["computed"] == 0  # a rerun resumes: nothing redone


#: Tiny ReLU cells of every procedure; the transfer cells of one μ share a pretraining.
_RELU = dict(d=4, width=8, teacher_width=4, instances=2, lr_scale=1.0, max_steps=300)


def _relu_cells() -> list[ReluCell]:
    return [
        *(ReluCell("scratch", n=n, **_RELU) for n in (6, 12)),
        *(ReluCell("fine_tuning", n=n, removed=0.5, **_RELU) for n in (6, 12)),
        *(
            ReluCell("linear_transfer", n=n, removed=r, **_RELU)
            for r in (0.25, 0.5)
            for n in (6, 12)
        ),
        ReluCell("linear_transfer", n=9, removed=0.5, refit="min_norm", **_RELU),
    ]


@pytest.mark.slow  # about 15 s on 2 cores: the serial run in a fresh interpreter
def test_a_relu_sweep_on_dask_stores_the_serial_runners_arrays(client, tmp_path):
    """The ReLU family through the same distributed runner: one cell a batch, so that the
    workers run the batches of one pretraining at the same time; every stored array equal to
    the serial runner's with the same batches to the last bit, the pretrained networks too."""
    cells = _relu_cells()
    budget = max(relu_sweeps.bytes_per_instance(cell) * cell.instances for cell in cells)
    dask_store, serial_store = ResultStore(tmp_path / "dask"), ResultStore(tmp_path / "serial")
    counts = run_sweep_distributed(cells, dask_store, CPU, client=client, budget_bytes=budget)
    assert counts == {"total": 9, "skipped": 0, "computed": 9, "remaining": 0}
    _serial_single_threaded(cells, serial_store, budget)
    _assert_same_bits(cells, dask_store, serial_store)
    pretrainings = {
        json.dumps(relu_sweeps.pretraining_entry(cell), sort_keys=True): cell
        for cell in cells
        if cell.procedure != "scratch"
    }
    assert len(pretrainings) == 2
    for cell in pretrainings.values():
        entry = relu_sweeps.pretraining_entry(cell)
        mine, theirs = dask_store.load(entry).arrays, serial_store.load(entry).arrays
        for name in ("weights", "out"):
            np.testing.assert_array_equal(mine[name], theirs[name], err_msg=f"{cell} {name}")
    again = run_sweep_distributed(cells, dask_store, CPU, client=client)
    assert again["skipped"] == 9 and again["computed"] == 0


def test_a_stopped_client_resumes_where_it_stopped(client, tmp_path):
    cells = _cells()
    store = ResultStore(tmp_path)
    first = run_sweep_distributed(cells, store, CPU, client=client, stop_after=0)
    assert first["computed"] == 0 and first["remaining"] == 5
    second = run_sweep_distributed(cells, store, CPU, client=client, budget_bytes=_one_cell(cells))
    assert second["computed"] == 5 and second["remaining"] == 0


@pytest.mark.slow
def test_a_killed_worker_does_not_lose_or_change_results(client, tmp_path):
    common = dict(d=150, theta=0.5, sigma=0.2, instances=4, epochs=8000, pretrain_epochs=300)
    cells = [Cell("fine_tuning", n=n, **common) for n in (75, 225)]  # seconds each
    store = ResultStore(tmp_path / "dask")
    outcome = {}

    def sweep() -> None:
        budget = _one_cell(cells)
        try:
            outcome["counts"] = run_sweep_distributed(
                cells, store, CPU, client=client, budget_bytes=budget
            )
        except Exception as error:  # reported by the assertions below
            outcome["error"] = error

    worker = threading.Thread(target=sweep)
    worker.start()
    deadline = time.time() + 120
    busy = {}
    while time.time() < deadline and not busy and worker.is_alive():
        busy = {w: tasks for w, tasks in client.processing().items() if tasks}
        time.sleep(0.05)
    assert busy, f"no task seen running: {outcome}"
    victim = next(iter(busy))
    with contextlib.suppress(Exception):  # the connection to the killed worker closes
        client.run(os._exit, 1, workers=[victim])
    worker.join(timeout=300)
    assert outcome["counts"]["computed"] == 2
    _serial_single_threaded(cells, ResultStore(tmp_path / "serial"))
    _assert_same_bits(cells, store, ResultStore(tmp_path / "serial"))


def test_an_unreachable_scheduler_is_one_clear_error():
    with pytest.raises(InvalidArgumentError, match="cannot reach the dask scheduler"):
        connect("tcp://127.0.0.1:9", None, timeout="1s")
