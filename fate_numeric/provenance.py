"""Where a stored result came from: the code's git commit, the machine and its threads.

Every batch a sweep stores carries :func:`provenance` in its metadata, so that an archive of
results (:mod:`fate_numeric.archive`) can say which commit produced each sweep, on what, with how
many threads.
"""

from __future__ import annotations

import functools
import os
import platform
import subprocess
from pathlib import Path

import torch

_REPOSITORY = Path(__file__).resolve().parent.parent


@functools.cache
def git_commit() -> str:
    """The commit of the working tree that holds this package, with ``+dirty`` where files
    differ from it; ``unknown`` outside a git checkout."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(_REPOSITORY), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        status = subprocess.run(
            ["git", "-C", str(_REPOSITORY), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if status else "")


def provenance() -> dict:
    """Commit, machine, CPU count and the thread counts of torch and numba.

    Asking numba for its thread count starts its OpenMP threading layer, which resets torch's
    intra-op thread count to the number of cores (whatever ``OMP_NUM_THREADS`` said): torch's
    count is read first and put back, so that recording the provenance never changes how the
    next batch runs (two torch threads on cores another job is using made small batched solves
    up to 50× slower).
    """
    torch_threads = torch.get_num_threads()
    try:
        import numba

        numba_threads = numba.get_num_threads()
    except ImportError:  # pragma: no cover - numba is a dependency
        numba_threads = None
    if torch.get_num_threads() != torch_threads:
        torch.set_num_threads(torch_threads)
    return {
        "commit": git_commit(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch_threads,
        "numba_threads": numba_threads,
    }


def machine_description() -> str:
    """The machine in words, for pages that report timings: CPU model, cores and memory, e.g.
    ``AMD EPYC 7B13, 2 cores, 24 GiB`` (what ``/proc`` says; less where it is absent)."""
    model, memory = platform.processor() or platform.machine(), None
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    memory = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    parts = [model, f"{os.cpu_count()} cores"]
    if memory is not None:
        parts.append(f"{memory / 2**30:.0f} GiB")
    if torch.cuda.is_available():
        parts.append(torch.cuda.get_device_name(0))
    return ", ".join(parts)
