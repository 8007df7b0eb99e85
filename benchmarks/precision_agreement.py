"""Does training in float32 give the float64 results to the precision the figures need?

Runs every named sweep of a profile twice, in float64 and in float32, on one device (the draws
are float64 in both, so the two runs see the same data, networks and teachers), and prints per
sweep, over every cell and ridge:

* the largest |mean₃₂ − mean₆₄| of the per-cell generalisation error (every procedure, ridge and
  cell), and the same in units of the float64 standard error over instances, floored at
  ``RESOLUTION`` — the figures plot means of risks of order 1 with error bars of that size, so a
  ratio far below 1 means they are indistinguishable (without the floor, noiseless cells whose
  risk and standard error are both ~10⁻⁷ would count float32 rounding as many standard errors);
* the largest per-instance difference;
* the time of each precision and their ratio.

``python benchmarks/precision_agreement.py --profile quick`` (CPU, minutes);
``python benchmarks/precision_agreement.py --profile paper --device cuda`` on a GPU.
Results go to ``--store`` (default: a temporary folder), so an interrupted run resumes there.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import tempfile
import time

import numpy as np
import torch

from derivations.cli import run_script
from fate_numeric.numerics import describe_device, resolve_device
from fate_numeric.service import cells_of, run_sweep
from fate_numeric.store import ResultStore
from fate_numeric.sweeps import SWEEPS

#: Differences of mean risks below this are invisible in every figure (risks are of order 1).
RESOLUTION = 1e-4


def _timed_sweep(cells, store: ResultStore, device: torch.device) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    run_sweep(cells, store, device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - start
    return seconds, [store.load(cell.config()).arrays for cell in cells]


def compare(name: str, profile: str, store: ResultStore, device: torch.device) -> dict:
    """Agreement of float32 with float64 over one sweep."""
    reference = cells_of(name, profile)
    single = [dataclasses.replace(cell, precision="float32") for cell in reference]
    seconds64, arrays64 = _timed_sweep(reference, store, device)
    seconds32, arrays32 = _timed_sweep(single, store, device)
    worst_se, worst_floored, worst_mean, worst_instance = 0.0, 0.0, 0.0, 0.0
    for a, b in zip(arrays64, arrays32, strict=True):
        errors64, errors32 = a["generalisation"], b["generalisation"]
        count = errors64.shape[-1]
        se = errors64.std(axis=-1, ddof=1) / math.sqrt(count)
        gap = np.abs(errors32.mean(axis=-1) - errors64.mean(axis=-1))
        finite = np.isfinite(gap) & (se > 0)
        worst_mean = max(worst_mean, float(np.max(gap[finite], initial=0.0)))
        worst_se = max(worst_se, float(np.max(gap[finite] / se[finite], initial=0.0)))
        floored = np.maximum(se[finite], RESOLUTION)
        worst_floored = max(worst_floored, float(np.max(gap[finite] / floored, initial=0.0)))
        worst_instance = max(worst_instance, float(np.nanmax(np.abs(errors32 - errors64))))
    return {
        "cells": len(reference),
        "max_mean_difference": worst_mean,
        "max_mean_difference_in_standard_errors": worst_se,
        "max_mean_difference_in_max(standard_error, resolution)": worst_floored,
        "max_instance_difference": worst_instance,
        "float64_seconds": round(seconds64, 2),
        "float32_seconds": round(seconds32, 2),
        "speed_ratio": round(seconds64 / seconds32, 2) if seconds32 > 0 else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("quick", "paper"), default="quick")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--store", default=None, help="store folder (default: temporary)")
    parser.add_argument("--sweeps", nargs="*", default=list(SWEEPS), choices=list(SWEEPS))
    args = parser.parse_args()
    device = resolve_device(args.device)
    report = {"device": describe_device(device), "profile": args.profile, "sweeps": {}}
    with tempfile.TemporaryDirectory() as folder:
        store = ResultStore(args.store or folder)
        for name in args.sweeps:
            report["sweeps"][name] = compare(name, args.profile, store, device)
            print(name, json.dumps(report["sweeps"][name]), file=sys.stderr)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(run_script(main))
