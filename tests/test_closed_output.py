"""A command whose reader stops early (``python -m verify list | head -1``) ends quietly.

Its stdout is the writing end of a pipe whose reading end is already closed, so its first write
fails with EPIPE (Python ignores SIGPIPE and raises BrokenPipeError): the command must end with
exit status 0 and no traceback, as when ``head`` has read what it wanted."""

from __future__ import annotations

import importlib
import io
import os
import sys

import pytest


@pytest.mark.parametrize(
    ("package", "arguments"),
    [
        ("derivations", ["list"]),
        ("verify", ["list"]),
        ("fate_numeric", ["store-check", "--store", "{tmp}"]),
    ],
)
def test_a_closed_stdout_ends_the_command_quietly(package, arguments, tmp_path, monkeypatch):
    main = importlib.import_module(f"{package}.__main__").main
    read_end, write_end = os.pipe()
    os.close(read_end)
    closed = io.TextIOWrapper(io.FileIO(write_end, "w"), write_through=True)
    monkeypatch.setattr(sys, "stdout", closed)
    try:
        status = main([part.format(tmp=tmp_path) for part in arguments])
    finally:
        monkeypatch.undo()
        closed.close()
    assert status == 0
