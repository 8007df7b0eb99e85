"""Benchmark of the linear simulator: the authors' autograd path against the fast path, one device.

Runs, in one process on one device:

1. one fine-tuning cell as the authors run it — θ = π/4, n = 900, d = 500, 20 instances, 5000
   steps of lr 0.01 — with the per-sample autograd path (:func:`reference_gradient_descent`) and
   with the fast path (:func:`gradient_descent` on sufficient statistics); prints both times, their
   ratio, the difference of the results, and the fast path's achieved memory bandwidth as a
   fraction of the device's peak;
2. the same cell at n = d/2 on the full statistics and in the span of the samples
   (:mod:`fate_numeric.sample_span`, what the sweeps use for n ≤ 0.8d): both times and the ratio;
   then the bandwidth of each operation of a step in the forms torch offers
   (:func:`kernel_benchmark`), to choose the fastest on the device;
3. the named sweeps at the chosen profile into a store (a temporary one, or ``--store DIR`` so
   that a run cut by a time limit resumes: every finished batch is kept), in the chosen
   ``--precision`` (float64 by default; float32 halves the memory traffic —
   ``benchmarks/precision_agreement.py`` measures whether the results agree to the precision the
   figures need). For each sweep: the wall time of the cells computed in this run, and the
   memory traffic of their target-side gradient descent (steps actually taken × words a step
   moves, L = 2) over that time, as a fraction of the device's peak — a lower bound, since
   pretraining, drawing and solving also take time. ``--from-store`` prints, instead, the compute
   time the store's metadata records for every cell of the sweeps (the sum over batches), which
   adds up runs split across several calls.

``python benchmarks/bench_linear.py --profile paper --device cuda --precision float32`` on a GPU;
``python benchmarks/bench_linear.py --profile quick --steps 500`` on a CPU (the autograd cell is
then shortened to ``--steps`` and both paths run the same number of steps).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import statistics
import sys
import tempfile
import time

import torch

from derivations.cli import run_script
from fate_numeric.experiments import Cell, trains_in_span
from fate_numeric.linear import (
    Empirical,
    Schedule,
    gradient_descent,
    initial_network,
    reference_gradient_descent,
)
from fate_numeric.numerics import PRECISIONS, describe_device, generator, resolve_device
from fate_numeric.sample_span import SampleSpan, gradient_descent_in_span
from fate_numeric.service import cells_of, run_sweep, stored_seconds
from fate_numeric.store import ResultStore
from fate_numeric.sweeps import SWEEPS
from fate_numeric.tasks import Statistics, gaussian_data, make_teachers

# Peak DRAM bandwidth (bytes/s) of devices we may meet, by a substring of their name.
PEAK_BANDWIDTH = {"H200": 4.8e12, "H100 PCIe": 2.0e12, "H100": 3.35e12, "A100": 2.0e12}


def _peak(device: torch.device) -> float | None:
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    return next((value for key, value in PEAK_BANDWIDTH.items() if key in name), None)


def _synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(function, device: torch.device, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        _synchronise(device)
        start = time.perf_counter()
        result = function()
        _synchronise(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cell_benchmark(
    device: torch.device,
    d: int,
    n: int,
    instances: int,
    steps: int,
    repeats: int,
    dtype: torch.dtype = torch.float64,
) -> dict:
    gen = generator(0, device)
    teachers = make_teachers(d, math.pi / 4, gen)
    x, y = gaussian_data(instances, n, teachers.target, 0.2, gen)
    x, y = x.to(dtype), y.to(dtype)
    start = initial_network(2, d, 0.1, gen).tile(instances).cast(dtype)
    stats = Statistics.from_data(x, y)
    schedule = Schedule(0.01, steps)
    fast_time, fast = _timed(
        lambda: gradient_descent(start, Empirical(stats), schedule, track_drift=False),
        device,
        repeats,
    )
    slow_time, slow = _timed(
        lambda: reference_gradient_descent(start, x, y, 0.01, steps), device, 1
    )
    difference = float((fast.network.hidden[0] - slow.hidden[0]).norm() / slow.hidden[0].norm())
    # S, W_1 twice, W_1 read+write per step
    bytes_moved = 5 * dtype.itemsize * d * d * instances * steps
    bandwidth = bytes_moved / fast_time
    peak = _peak(device)
    return {
        "cell": {"d": d, "n": n, "instances": instances, "steps": steps, "dtype": str(dtype)},
        "autograd_seconds": round(slow_time, 3),
        "fast_seconds_median": round(fast_time, 4),
        "speed_ratio": round(slow_time / fast_time, 1),
        "relative_difference_W1": difference,
        "fast_bandwidth_GBps": round(bandwidth / 1e9, 1),
        "fraction_of_peak_bandwidth": None if peak is None else round(bandwidth / peak, 3),
    }


def span_benchmark(
    device: torch.device, d: int, instances: int, steps: int, repeats: int, dtype: torch.dtype
) -> dict:
    """A fine-tuning-sized cell at n = d/2 on the full statistics and in the sample span."""
    n = d // 2
    gen = generator(1, device)
    teachers = make_teachers(d, math.pi / 4, gen)
    x, y = gaussian_data(instances, n, teachers.target, 0.2, gen)
    start = initial_network(2, d, 0.1, gen).tile(instances).cast(dtype)
    stats = Statistics.from_data(x, y).cast(dtype)
    schedule = Schedule(0.01, steps)
    target = teachers.target.to(dtype)
    full_time, full = _timed(
        lambda: gradient_descent(start, Empirical(stats), schedule, target, track_drift=False),
        device,
        repeats,
    )
    span_time, in_span = _timed(
        lambda: gradient_descent_in_span(
            start, SampleSpan.from_data(x, y).cast(dtype), schedule, target, track_drift=False
        ),
        device,
        repeats,
    )
    difference = (in_span.generalisation - full.generalisation).abs() / full.generalisation
    return {
        "cell": {"d": d, "n": n, "instances": instances, "steps": steps, "dtype": str(dtype)},
        "full_statistics_seconds_median": round(full_time, 4),
        "sample_span_seconds_median": round(span_time, 4),
        "speed_ratio": round(full_time / span_time, 2),
        "words_per_step_ratio": round(5 * d * d / (4 * n * d + n * n), 2),
        "largest_relative_difference_of_errors": float(difference.max()),
    }


def kernel_benchmark(
    device: torch.device, d: int, batch: int, repeats: int, dtype: torch.dtype
) -> dict:
    """Bandwidth of the operations one step is made of, in the forms torch offers, on a batch of
    d × d matrices: W v and Wᵀv as batched products (what the fast path uses) and as a product
    with a broadcast vector summed over an axis, and the rank-one update W − u vᵀ by ``baddbmm_``
    (what the fast path uses) and by ``addcmul_``. The fastest form on the device is the one a
    step should use."""
    gen = generator(2, device)
    w = torch.randn(batch, d, d, generator=gen, dtype=torch.float64, device=device).to(dtype)
    u = torch.randn(batch, d, generator=gen, dtype=torch.float64, device=device).to(dtype)
    v = torch.randn(batch, d, generator=gen, dtype=torch.float64, device=device).to(dtype)
    matrix_bytes = batch * d * d * dtype.itemsize
    forms = {
        "Wv bmm": (lambda: torch.einsum("bij,bj->bi", w, v), 1),
        "Wv mul-sum": (lambda: (w * v.unsqueeze(1)).sum(-1), 1),
        "WTv bmm": (lambda: torch.einsum("bji,bj->bi", w, v), 1),
        "WTv mul-sum": (lambda: (w * v.unsqueeze(2)).sum(1), 1),
        "rank-one baddbmm_": (
            lambda: w.baddbmm_(u.unsqueeze(2), v.unsqueeze(1), alpha=-1e-30),
            2,
        ),
        "rank-one addcmul_": (
            lambda: w.addcmul_(u.unsqueeze(2), v.unsqueeze(1), value=-1e-30),
            2,
        ),
    }
    peak = _peak(device)
    out = {"batch": batch, "d": d, "dtype": str(dtype)}
    for name, (operation, passes) in forms.items():
        seconds, _ = _timed(operation, device, repeats)
        bandwidth = passes * matrix_bytes / seconds
        out[name] = {
            "ms": round(1e3 * seconds, 3),
            "GBps": round(bandwidth / 1e9, 1),
            "fraction_of_peak": None if peak is None else round(bandwidth / peak, 3),
        }
    return out


def words_per_step(cell: Cell) -> int | None:
    """Words one target-side gradient-descent step of a depth-2 instance reads and writes:
    5d² on the full statistics (S, W_1 twice, W_1 read and written), 4nd + n² in the span."""
    if cell.depth != 2 or cell.procedure == "linear_transfer":
        return None
    d, n = cell.d, cell.n
    return 4 * n * d + n * n if trains_in_span(n, d, cell.record_every) else 5 * d * d


def sweep_traffic_bytes(cells: list[Cell], store: ResultStore, itemsize: int) -> int:
    """Memory traffic of the target-side gradient descent of stored cells (steps taken)."""
    total = 0
    for cell in cells:
        words = words_per_step(cell)
        if words is not None:
            steps = store.load(cell.config()).arrays["steps"]
            total += int(steps.sum()) * words * itemsize
    return total


def modelled_traffic(args) -> dict:
    """The memory traffic of the sweeps' target-side gradient descent if every instance takes
    its maximal number of steps (an upper bound for early-stopped scratch training), and the
    time it takes at the peak bandwidths of ``PEAK_BANDWIDTH``."""
    itemsize = PRECISIONS[args.precision].itemsize
    out = {}
    for name in args.sweeps:
        cells = cells_of(name, args.profile)
        total = 0
        for cell in cells:
            words = words_per_step(cell)
            if words is not None:
                total += cell.instances * cell.schedule.steps * words * itemsize
        out[name] = {"bytes": total}
    total = sum(entry["bytes"] for entry in out.values())
    out["all_sweeps_bytes"] = total
    out["minutes_at_peak"] = {
        device: round(total / peak / 60, 2) for device, peak in PEAK_BANDWIDTH.items()
    }
    return out


def run_sweeps(args, device: torch.device) -> dict:
    folder = args.store or tempfile.mkdtemp(prefix="bench-linear-")
    store = ResultStore(folder)
    peak = _peak(device)
    itemsize = PRECISIONS[args.precision].itemsize
    report = {"store": str(folder)}
    began = time.perf_counter()
    for name in args.sweeps:
        cells = [
            dataclasses.replace(cell, precision=args.precision)
            for cell in cells_of(name, args.profile)
        ]
        if args.from_store:
            missing = sum(not store.has(cell.config()) for cell in cells)
            stored = [cell for cell in cells if store.has(cell.config())]
            report[name] = {
                "cells": len(cells),
                "missing": missing,
                "stored_compute_seconds": round(stored_seconds(stored, store), 1),
            }
            continue
        pending = [cell for cell in cells if not store.has(cell.config())]
        left = None if args.stop_after is None else args.stop_after - (time.perf_counter() - began)
        if left is not None and left <= 0:
            report[name] = {"not_started": len(pending)}
            continue
        start = time.perf_counter()
        counts = run_sweep(cells, store, device, stop_after=left)
        _synchronise(device)
        seconds = time.perf_counter() - start
        pending = [cell for cell in pending if store.has(cell.config())]
        traffic = sweep_traffic_bytes(pending, store, itemsize)
        bandwidth = traffic / seconds if seconds > 0 else 0.0
        report[name] = {
            **counts,
            "seconds": round(seconds, 1),
            "target_side_traffic_GB": round(traffic / 1e9, 1),
            "bandwidth_GBps": round(bandwidth / 1e9, 1),
            "fraction_of_peak_bandwidth": None if peak is None else round(bandwidth / peak, 3),
        }
        print(name, report[name], file=sys.stderr)
    key = "stored_compute_seconds" if args.from_store else "seconds"
    report["all_sweeps_seconds"] = round(sum(report[n].get(key, 0) for n in args.sweeps), 1)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("quick", "paper"), default="quick")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, default=5000, help="steps of the benchmarked cell")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the fast path (median)")
    parser.add_argument("--precision", choices=tuple(PRECISIONS), default="float64")
    parser.add_argument("--skip-sweeps", action="store_true")
    parser.add_argument("--skip-cells", action="store_true", help="only the sweeps")
    parser.add_argument("--sweeps", nargs="+", choices=tuple(SWEEPS), default=list(SWEEPS))
    parser.add_argument("--store", default=None, help="store folder (default: a temporary one)")
    parser.add_argument(
        "--from-store", action="store_true", help="report the stored compute time; run nothing"
    )
    parser.add_argument(
        "--model-only", action="store_true", help="print the traffic model of the sweeps only"
    )
    parser.add_argument(
        "--stop-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="start no sweep batch after this many seconds of sweeping (rerun with --store)",
    )
    args = parser.parse_args()
    if args.model_only:
        print(
            json.dumps(
                {
                    "profile": args.profile,
                    "precision": args.precision,
                    "model": modelled_traffic(args),
                },
                indent=2,
            )
        )
        return 0
    device = resolve_device(args.device)
    d = 500 if args.profile == "paper" else 100
    report = {
        "device": describe_device(device),
        "torch": torch.__version__,
        "profile": args.profile,
        "precision": args.precision,
    }
    dtype = PRECISIONS[args.precision]
    if not (args.skip_cells or args.from_store):
        report["cell_benchmark"] = cell_benchmark(
            device, d, round(1.8 * d), 20, args.steps, args.repeats, dtype
        )
        print(json.dumps(report["cell_benchmark"]), file=sys.stderr)
        report["span_benchmark"] = span_benchmark(device, d, 20, args.steps, args.repeats, dtype)
        print(json.dumps(report["span_benchmark"]), file=sys.stderr)
        batch = 2000 if device.type == "cuda" else 20  # a GPU batch of the paper sweeps
        report["kernel_benchmark"] = kernel_benchmark(device, d, batch, 5, dtype)
        print(json.dumps(report["kernel_benchmark"]), file=sys.stderr)
    if not args.skip_sweeps:
        report["sweeps"] = run_sweeps(args, device)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
