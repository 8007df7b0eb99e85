"""Benchmark of the ReLU simulator (Sec. 4, Fig. 3): step throughput, then Figure 3's sweeps.

Runs, in one process on one device (float64):

1. the cost of one gradient-descent step of the batched empirical loss (hand-written gradients)
   at the profile's sizes — d, m, and 10 instances at the largest n — and of one population
   (kernel) pretraining step, each averaged over ``--steps`` steps after a warm-up; prints
   milliseconds per step and achieved GFLOP/s (6·B·N·m·d flops per empirical step), and the
   projected time of a 10⁵-step run;
2. the sweeps Figure 3 needs — ``relu_scratch`` and ``relu_linear_transfer`` (``--fine-tuning``
   adds ``relu_fine_tuning``) — at the chosen profile into a temporary store (or ``--store``),
   with the wall time of each.

``python benchmarks/bench_relu.py --profile paper --device cuda`` on a GPU (the issue asks for
Figure 3 at the paper's sizes in under 15 minutes on one H100; not measured yet: the session
that wrote this had no GPU); ``python benchmarks/bench_relu.py --profile quick --device cpu``
on a CPU (about a minute on one core).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time

import torch

from derivations.cli import run_script
from fate_numeric import relu
from fate_numeric.numerics import describe_device, generator, resolve_device
from fate_numeric.relu_sweeps import RELU_PROFILES
from fate_numeric.service import cells_of, run_sweep
from fate_numeric.store import ResultStore


def _synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _time_steps(step, steps: int, device: torch.device) -> float:
    for _ in range(3):
        step()
    _synchronise(device)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    _synchronise(device)
    return (time.perf_counter() - start) / steps


def step_costs(profile_name: str, device: torch.device, steps: int) -> dict:
    profile = RELU_PROFILES[profile_name]
    gen = generator(0, device)
    d, m, batch, n = profile.d, profile.width, 10, max(profile.sample_sizes)
    teacher = relu.make_teacher(d, profile.teacher_width, gen)
    tiled = relu.TwoLayer(
        teacher.weights.expand(batch, -1, -1), teacher.out.expand(batch, -1), teacher.scale
    )
    data = relu.Empirical.padded([relu.teacher_data(tiled, n, 0.0, gen)])
    net = relu.initial_student(batch, d, m, 1e-3, gen)
    empirical = _time_steps(lambda: relu.empirical_loss_and_gradients(net, data), steps, device)
    sources = relu.TwoLayer(
        teacher.weights.expand(len(profile.removed), -1, -1),
        teacher.out.expand(len(profile.removed), -1),
        teacher.scale,
    )
    students = relu.initial_student(len(profile.removed), d, m, 1e-3, gen)
    population = _time_steps(
        lambda: relu.population_loss_and_gradients(students, sources), steps, device
    )
    flops = 6 * batch * n * m * d
    return {
        "empirical_step_ms": round(1e3 * empirical, 3),
        "empirical_gflops": round(flops / empirical / 1e9, 1),
        "empirical_batch": [batch, n, m, d],
        "projected_1e5_steps_s": round(1e5 * empirical, 1),
        "population_step_ms": round(1e3 * population, 3),
        "population_batch": [len(profile.removed), m, profile.teacher_width, d],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=tuple(RELU_PROFILES), default="quick")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per step benchmark")
    parser.add_argument("--fine-tuning", action="store_true", help="also the fine-tuning sweep")
    parser.add_argument("--store", default=None, help="store folder (default: a temporary one)")
    parser.add_argument("--skip-sweeps", action="store_true")
    parser.add_argument("--skip-steps", action="store_true", help="only the sweeps")
    parser.add_argument(
        "--stop-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="start no sweep batch after this many seconds of sweeping (rerun with --store)",
    )
    args = parser.parse_args(argv)
    device = resolve_device(args.device)
    report = {"device": describe_device(device), "profile": args.profile}
    if not args.skip_steps:
        report["steps"] = step_costs(args.profile, device, args.steps)
        print(json.dumps(report["steps"]), file=sys.stderr)
    if not args.skip_sweeps:
        folder = args.store or tempfile.mkdtemp(prefix="bench-relu-")
        store = ResultStore(folder)
        names = ["relu_scratch", "relu_linear_transfer"]
        if args.fine_tuning:
            names.append("relu_fine_tuning")
        report["sweeps_s"] = {}
        began = time.perf_counter()
        for name in names:
            start = time.perf_counter()
            left = None if args.stop_after is None else max(0.0, args.stop_after - start + began)
            counts = run_sweep(cells_of(name, args.profile), store, device, stop_after=left)
            _synchronise(device)
            report["sweeps_s"][name] = round(time.perf_counter() - start, 1)
            print(f"{name}: {counts} in {report['sweeps_s'][name]} s", file=sys.stderr)
        report["store"] = str(folder)
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
