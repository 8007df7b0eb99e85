"""A command whose reader stops early (``python -m verify list | head -1``) ends quietly.

The reading end of the pipe is closed before the command starts, so its first write fails with
EPIPE (Python ignores SIGPIPE and raises BrokenPipeError): the command must end with exit status
0 and no traceback, as when ``head`` has read what it wanted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "command",
    [
        ["derivations", "list"],
        ["verify", "list"],
        ["fate_numeric", "store-check", "--store", "{tmp}"],
    ],
)
def test_a_closed_stdout_ends_the_command_quietly(command, tmp_path):
    command = [part.format(tmp=tmp_path) for part in command]
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", *command],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
            text=True,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
