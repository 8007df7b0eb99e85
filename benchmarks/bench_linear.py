"""Benchmark of the linear simulator: the authors' autograd path against the fast path, one device.

Runs, in one process on one device:

1. one fine-tuning cell as the authors run it — θ = π/4, n = 900, d = 500, 20 instances, 5000
   steps of lr 0.01 — with the per-sample autograd path (:func:`reference_gradient_descent`) and
   with the fast path (:func:`gradient_descent` on sufficient statistics); prints both times, their
   ratio, the difference of the results, and the fast path's achieved memory bandwidth as a
   fraction of the device's peak;
2. every named sweep at the chosen profile into a temporary store (the whole paper profile on a
   GPU), with the total time, in the chosen ``--precision`` (float64 by default; float32 halves
   the memory traffic — ``benchmarks/precision_agreement.py`` measures whether the results agree
   to the precision the figures need).

``python benchmarks/bench_linear.py --profile paper --device cuda`` on a GPU;
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

from fate_numeric.linear import (
    Empirical,
    Schedule,
    gradient_descent,
    initial_network,
    reference_gradient_descent,
)
from fate_numeric.numerics import PRECISIONS, describe_device, generator, resolve_device
from fate_numeric.store import ResultStore
from fate_numeric.sweeps import SWEEPS, cells_of, run_sweep
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("quick", "paper"), default="quick")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, default=5000, help="steps of the benchmarked cell")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the fast path (median)")
    parser.add_argument("--precision", choices=tuple(PRECISIONS), default="float64")
    parser.add_argument("--skip-sweeps", action="store_true")
    args = parser.parse_args()
    device = resolve_device(args.device)
    d = 500 if args.profile == "paper" else 100
    report = {
        "device": describe_device(device),
        "torch": torch.__version__,
        "profile": args.profile,
    }
    report["precision"] = args.precision
    report["cell_benchmark"] = cell_benchmark(
        device, d, round(1.8 * d), 20, args.steps, args.repeats, PRECISIONS[args.precision]
    )
    print(json.dumps(report["cell_benchmark"]), file=sys.stderr)
    if not args.skip_sweeps:
        sweeps = {}
        with tempfile.TemporaryDirectory() as folder:
            store = ResultStore(folder)
            for name in SWEEPS:
                cells = [
                    dataclasses.replace(cell, precision=args.precision)
                    for cell in cells_of(name, args.profile)
                ]
                start = time.perf_counter()
                run_sweep(cells, store, device)
                _synchronise(device)
                sweeps[name] = {
                    "cells": len(cells),
                    "seconds": round(time.perf_counter() - start, 1),
                }
                print(name, sweeps[name], file=sys.stderr)
        report["sweeps"] = sweeps
        report["all_sweeps_seconds"] = round(sum(s["seconds"] for s in sweeps.values()), 1)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
