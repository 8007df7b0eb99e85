"""The README's tour, as ``benchmarks/time_commands.py`` reads it: every command is found, and
every one is either run as printed, run with a stated change, or said not to be run and why."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _time_commands():
    spec = importlib.util.spec_from_file_location(
        "time_commands", ROOT / "benchmarks" / "time_commands.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_tour_command_of_the_readme_is_timed_or_its_exception_stated():
    timing = _time_commands()
    commands = timing.readme_commands(ROOT / "README.md")
    assert len(commands) >= 10
    assert all(c.startswith(".venv/bin/python -m ") for c in commands), commands
    assert not any(c.startswith("make") for c in commands)  # timed on their own
    assert any(c.endswith("--ridge 0 0.1") for c in commands)  # a continued line, joined
    modules = {" ".join(c.split()[2:4]) for c in commands}
    for special in (*timing.NOT_RUN, *timing.NOT_AS_PRINTED):
        assert special in modules  # each exception names a command the README prints
