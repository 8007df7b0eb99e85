"""Recording the provenance must not change how the next computation runs."""

from __future__ import annotations

import os
import subprocess
import sys


def test_asking_numba_for_its_threads_keeps_torchs_thread_count():
    """numba.get_num_threads() starts numba's OpenMP layer, which resets torch to one thread per
    core; provenance() puts torch's count back (checked in a fresh process with
    OMP_NUM_THREADS=1, where the layer has not started yet)."""
    script = (
        "import torch\n"
        "from fate_numeric.provenance import provenance\n"
        "record = provenance()\n"
        "print(torch.get_num_threads(), record['torch_threads'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    ).stdout.split()
    assert out == ["1", "1"]
