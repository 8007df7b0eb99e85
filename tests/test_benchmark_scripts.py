"""The benchmark scripts answer bad input as the command lines do: one line, exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = ("bench_linear.py", "bench_relu.py", "precision_agreement.py", "bench_gram.py")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
@pytest.mark.parametrize("script", SCRIPTS)
def test_cuda_asked_for_without_cuda_is_one_clear_line(script):
    answer = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--device", "cuda"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert answer.returncode == 2, answer.stderr
    assert "Traceback" not in answer.stderr
    lines = answer.stderr.strip().splitlines()
    assert lines == ["error: device 'cuda' was asked for but CUDA is not available on this "
                     "machine (use --device cpu or auto)"], lines  # fmt: skip
