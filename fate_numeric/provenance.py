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
    """Commit, machine, CPU count and the thread counts of torch and numba."""
    try:
        import numba

        numba_threads = numba.get_num_threads()
    except ImportError:  # pragma: no cover - numba is a dependency
        numba_threads = None
    return {
        "commit": git_commit(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "numba_threads": numba_threads,
    }
