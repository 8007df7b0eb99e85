"""The three depth-2 simulators side by side on one fine-tuning cell, and the paper profile's cost.

On one device, in one process, the cell d = 500, n = 900 (γ = 1.8), θ = π/4, σ = 0.2, 20 instances,
lr 0.01, from the same pretrained-sized start:

1. the authors' loop — autograd on the per-sample loss with ``torch.optim.SGD``, as their
   ``train.py`` does it (:func:`fate_numeric.linear.reference_gradient_descent`);
2. the W-form fast path on sufficient statistics (:func:`fate_numeric.linear.gradient_descent`);
3. the Gram form (:func:`fate_numeric.gram.gram_descent`), with each backend available here
   (the compiled numba loop on a CPU, torch on any device).

Each path runs its own number of steps (the authors' loop is slow); the figure of merit is µs per
network-step (wall time / (instances × steps), set-up included: the Gram form diagonalises S and
rotates K once per instance, ≈ 45 ms at d = 500 on a CPU, so it runs as many steps as a
fine-tuning cell, 5000), median of ``--repeats`` runs, and the ratios between paths measured in
this run. The Gram form's results are compared with the W-form's after
the same number of steps. The projected time of every linear sweep of the ``paper`` profile is its
network-steps — instances × maximal steps of the target-side training and of the pretraining
(scratch cells stop early, so that is an upper bound for them) — times the measured µs per
network-step of each path.

``python benchmarks/bench_gram.py`` (CPU, about 2 minutes); ``--device cuda`` on a GPU.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys

import torch
from bench_linear import _timed  # the same timing as the W-form benchmark

from derivations.cli import run_script
from fate_numeric import gram as G
from fate_numeric.linear import (
    Empirical,
    Schedule,
    gradient_descent,
    initial_network,
    reference_gradient_descent,
)
from fate_numeric.numerics import describe_device, generator, resolve_device
from fate_numeric.service import cells_of
from fate_numeric.sweeps import SWEEPS, network_steps
from fate_numeric.tasks import Statistics, gaussian_data, make_teachers


def paper_network_steps() -> dict[str, int]:
    """Network-steps of each linear sweep of the paper profile at the maximal step counts: the
    target-side training of every instance plus one pretraining per batch key (one network per
    angle with a population source, one per instance with a finite source)."""
    return {name: network_steps(cells_of(name, "paper")) for name in SWEEPS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--d", type=int, default=500)
    parser.add_argument("--n", type=int, default=900)
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--authors-steps", type=int, default=10)
    parser.add_argument("--fast-steps", type=int, default=100)
    parser.add_argument("--gram-steps", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    device = resolve_device(args.device)
    d, n, instances = args.d, args.n, args.instances
    gen = generator(0, device)
    teachers = make_teachers(d, math.pi / 4, gen)
    x, y = gaussian_data(instances, n, teachers.target, 0.2, gen)
    start = initial_network(2, d, 0.1, gen).tile(instances)
    stats = Statistics.from_data(x, y)

    def per_step(seconds: float, steps: int) -> float:
        return round(1e6 * seconds / (instances * steps), 2)

    report: dict = {
        "device": describe_device(device),
        "machine": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "cell": {"d": d, "n": n, "instances": instances, "lr": 0.01, "dtype": "float64"},
    }
    paths = {}
    seconds, _ = _timed(
        lambda: reference_gradient_descent(start, x, y, 0.01, args.authors_steps), device, 1
    )
    paths["authors_autograd"] = {"steps": args.authors_steps, "us_per_network_step": per_step(
        seconds, args.authors_steps)}  # fmt: skip
    print(json.dumps(paths), file=sys.stderr)
    schedule = Schedule(0.01, args.fast_steps)
    seconds, fast = _timed(
        lambda: gradient_descent(start, Empirical(stats), schedule, track_drift=False),
        device,
        args.repeats,
    )
    paths["w_form_fast_path"] = {
        "steps": args.fast_steps,
        "us_per_network_step": per_step(seconds, args.fast_steps),
    }
    print(json.dumps(paths), file=sys.stderr)
    backends = ["torch"] + (["numba"] if device.type == "cpu" and G.numba_available() else [])
    for backend in backends:
        steps = args.gram_steps if backend == "numba" else 5 * args.fast_steps
        schedule = Schedule(0.01, steps)
        run = lambda schedule=schedule, backend=backend: G.gram_descent(  # noqa: E731
            start, Empirical(stats), schedule, backend=backend
        )
        if backend == "numba":
            run()  # compile once, outside the timing
        seconds, _ = _timed(run, device, args.repeats)
        entry = {"steps": steps, "us_per_network_step": per_step(seconds, steps)}
        short = G.gram_descent(start, Empirical(stats), Schedule(0.01, args.fast_steps),
                               backend=backend)  # fmt: skip
        reference = fast.network.end_to_end()
        entry["relative_difference_beta_vs_w_form"] = float(
            (short.network.beta - reference).norm() / reference.norm()
        )
        paths[f"gram_{backend}"] = entry
        print(json.dumps(paths), file=sys.stderr)
    report["paths"] = paths
    authors = paths["authors_autograd"]["us_per_network_step"]
    report["speed_ratios"] = {
        f"{name}_vs_authors": round(authors / entry["us_per_network_step"], 1)
        for name, entry in paths.items()
        if name != "authors_autograd"
    }
    fast_us = paths["w_form_fast_path"]["us_per_network_step"]
    report["speed_ratios"].update(
        {
            f"{name}_vs_w_form": round(fast_us / entry["us_per_network_step"], 1)
            for name, entry in paths.items()
            if name.startswith("gram")
        }
    )
    steps = paper_network_steps()
    total = sum(steps.values())
    report["paper_profile"] = {
        "network_steps": {**steps, "all": total},
        "projected_hours": {
            name: round(total * entry["us_per_network_step"] / 3.6e9, 2)
            for name, entry in paths.items()
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
