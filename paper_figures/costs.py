"""What a simulation will cost, said before it runs and beside the commands that run it.

A figure that has to simulate says so on stderr before it starts (:func:`announce`): which
sweep, how many cells, instances and steps, a time where one can be derived from a measurement
in ``benchmarks/results``, the device, and that a GPU is recommended when a CPU would take long;
then a progress bar that keeps its elapsed time moving even while one long batch runs
(:func:`progress`). With ``--no-simulate`` each printed command carries the same description.

Times come only from measurements: the linear sweeps' from ``benchmarks/results/
bench_gram_cpu.json`` (µs per network-step of the Gram form's compiled CPU loop, measured at
d = 500 on the 2-core development CPU), and only for cells of that d on a CPU. No ReLU or W₁ timing
is stored there, so their descriptions give the sizes and say that no time is measured.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fate_numeric.sweeps import network_steps

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "bench_gram_cpu.json"
#: A CPU run estimated longer than this (seconds), or a ReLU grid meant for a GPU, recommends one.
LONG_SECONDS = 600.0
#: How often (seconds) the progress bar is redrawn while a batch runs, so its clock moves.
HEARTBEAT_SECONDS = 2.0


@dataclass(frozen=True)
class Cost:
    """The size of a simulation, and its time where a stored measurement gives one.

    Attributes:
        what: what is simulated, e.g. ``"sweep scratch (paper profile)"``.
        cells: cells to simulate (the missing ones).
        total: cells of the whole sweep.
        instances: instances per cell (the largest).
        steps: the step budget per instance (the largest; early stopping may end sooner).
        network_steps: an upper bound on network-steps (instances × step budgets, pretraining
            included), the unit of the benchmarks.
        sizes: the dimensions that set the cost of one step.
        cpu_seconds: the CPU time that the stored benchmark projects, or None.
        basis: where ``cpu_seconds`` comes from, or why there is none.
        gpu_recommended: whether a CPU run should rather go to a GPU.
    """

    what: str
    cells: int
    total: int
    instances: int
    steps: int
    network_steps: int
    sizes: str
    cpu_seconds: float | None
    basis: str
    gpu_recommended: bool

    def describe(self) -> str:
        """One line: cells × instances × steps, network-steps, sizes, time or why none."""
        missing = (
            f"{self.cells} cells"
            if self.cells == self.total
            else (f"{self.cells} of {self.total} cells")
        )
        text = (
            f"{missing} × {self.instances} instances × at most {self.steps} steps "
            f"(≤ {self.network_steps:.2e} network-steps; {self.sizes})"
        )
        if self.cpu_seconds is not None:
            return f"{text}; at most about {_duration(self.cpu_seconds)} on a CPU ({self.basis})"
        return f"{text}; {self.basis}"


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def _benchmark() -> dict | None:
    """The stored CPU benchmark of the linear simulator, or None where it is not available."""
    try:
        return json.loads(BENCHMARK.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def linear_cost(what: str, cells: Sequence, total: int) -> Cost:
    """The cost of linear-model cells (:class:`fate_numeric.experiments.Cell`).

    Network-steps as ``benchmarks/bench_gram.py`` counts them
    (:func:`fate_numeric.sweeps.network_steps`).
    """
    steps = network_steps(cells)
    dims = sorted({cell.d for cell in cells})
    cpu_seconds, basis = (
        None,
        "no stored CPU timing at this d (benchmarks/bench_gram.py measures one)",
    )
    bench = _benchmark()
    if bench is not None and dims == [bench["cell"]["d"]]:
        per_step = bench["paths"]["gram_numba"]["us_per_network_step"]
        cpu_seconds = steps * per_step * 1e-6
        basis = (
            f"{per_step:g} µs per network-step measured at d = {dims[0]} on "
            f"{bench['device']}, benchmarks/results/bench_gram_cpu.json; no GPU timing is stored"
        )
    return Cost(
        what=what,
        cells=len(cells),
        total=total,
        instances=max((cell.instances for cell in cells), default=0),
        steps=max(
            (max(cell.schedule.steps, cell.pretrain_schedule.steps) for cell in cells), default=0
        ),
        network_steps=steps,
        sizes=f"d = {', '.join(map(str, dims))}, depth 2",
        cpu_seconds=cpu_seconds,
        basis=basis,
        gpu_recommended=cpu_seconds is not None and cpu_seconds > LONG_SECONDS,
    )


def relu_cost(what: str, cells: Sequence, total: int, gpu_grid: bool) -> Cost:
    """The cost of ReLU cells (:class:`fate_numeric.relu_sweeps.ReluCell`): every instance at
    the step budget, plus one population pretraining per removed fraction μ of a transfer
    sweep; a step of an instance costs about n·m·d (no ReLU timing is stored)."""
    steps = sum(cell.instances * cell.max_steps for cell in cells)
    fractions = {cell.removed for cell in cells if cell.procedure != "scratch"}
    steps += len(fractions) * max((cell.max_steps for cell in cells), default=0)
    first = cells[0]
    sizes = sorted({cell.n for cell in cells})
    return Cost(
        what=what,
        cells=len(cells),
        total=total,
        instances=max(cell.instances for cell in cells),
        steps=max(cell.max_steps for cell in cells),
        network_steps=steps,
        sizes=(
            f"d = {first.d}, m = {first.width}, m* = {first.teacher_width}, n from {sizes[0]} to "
            f"{sizes[-1]}; a step costs about n·m·d per instance"
            + (f", {len(fractions)} pretrainings" if fractions else "")
        ),
        cpu_seconds=None,
        basis="no ReLU timing is stored in benchmarks/results (benchmarks/bench_relu.py "
        "measures one)",
        gpu_recommended=gpu_grid,
    )


def announce(cost: Cost, device: str, on_cpu: bool) -> None:
    """Say on stderr, before simulating, what is about to run, its cost and the device."""
    lines = [f"simulating {cost.what} on {device}: {cost.describe()}"]
    if on_cpu and cost.gpu_recommended:
        why = (
            f"it may take {_duration(cost.cpu_seconds)} here"
            if cost.cpu_seconds is not None
            else "this grid is sized for a GPU"
        )
        lines.append(
            f"  this runs on a CPU and {why}: a GPU is recommended (--device cuda on a machine "
            "with one); the store keeps each finished batch, so an interrupted run carries on "
            "where it stopped"
        )
    for line in lines:
        write_line(line)


def write_line(text: str) -> None:
    """One line on stderr, kept apart from a progress bar there."""
    from tqdm import tqdm

    tqdm.write(text, file=sys.stderr)


@contextmanager
def progress(description: str, total: int, unit: str = "cell") -> Iterator:
    """A tqdm bar on stderr, redrawn every :data:`HEARTBEAT_SECONDS` so that its elapsed time
    moves while a long batch runs (the sweeps report only when a batch ends)."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=description, unit=unit, file=sys.stderr, leave=False)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            bar.refresh()

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield bar
    finally:
        stop.set()
        thread.join()
        bar.close()
