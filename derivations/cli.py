"""Command-line plumbing shared by the package's command lines (pure Python, no dependencies).

``python -m derivations``, ``python -m fate_numeric`` and ``python -m verify`` answer bad input
the same way (docs/design.md §8.3, docs/input_errors.md): one line on stderr that names what was
wrong and what is allowed, exit status 2, no traceback, and no work started before the input is
known to be good. It lives here because ``derivations`` is the package every other one may import
(docs/design.md §3).

* :class:`Parser`: an :class:`argparse.ArgumentParser` whose errors are one line
  (``prog: error: argument --lr: must be a real number > 0; got '0' (see prog --help)``), without
  argparse's usage block; :func:`parse` returns argparse's exit status instead of exiting;
* argument types that refuse zero, negative and non-finite numbers with such a message
  (:func:`positive_int`, :func:`nonnegative_int`, :func:`positive_float`,
  :func:`nonnegative_float`, :func:`finite_float`);
* :func:`check_writable_folder` and :func:`check_writable_file`: that an output can be written,
  before any work is done;
* :func:`time_limit`: an upper bound on the wall time of one evaluation (POSIX main thread);
* :func:`one_line_warnings`: warnings printed as ``warning: message`` lines;
* :func:`reader_gone`: what a command does when the reader of its output stopped early
  (``… | head``): nothing went wrong, exit status 0, no traceback;
* :func:`run_script`: a script's ``main`` (the benchmarks) with the same answer to bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

from derivations.errors import FateError, InvalidArgumentError


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace | int:
    """The parsed arguments, or the exit status argparse stopped with (2 on bad input, 0 after
    ``--help``), so that a ``main()`` returns its status instead of raising ``SystemExit``."""
    try:
        return parser.parse_args(argv)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 2)


def _number(text: str, kind: type) -> int | float:
    try:
        value = kind(text)
    except ValueError:
        noun = "an integer" if kind is int else "a real number"
        raise argparse.ArgumentTypeError(f"must be {noun}; got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number; got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = _number(text, int)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1; got {text!r}")
    return value


def nonnegative_int(text: str) -> int:
    """An integer >= 0."""
    value = _number(text, int)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0; got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite real number > 0."""
    value = _number(text, float)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a real number > 0; got {text!r}")
    return value


def nonnegative_float(text: str) -> float:
    """A finite real number >= 0."""
    value = _number(text, float)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a real number >= 0; got {text!r}")
    return value


def finite_float(text: str) -> float:
    """A finite real number."""
    return _number(text, float)


def _probe(folder: Path) -> None:
    """Create and remove a nameless file in ``folder`` (OSError if that is not possible)."""
    with tempfile.TemporaryFile(dir=folder):
        pass


def _unwritable(folder: Path) -> str | None:
    """Why ``folder`` could not be written into, or None. A missing folder is judged by the
    nearest existing folder above it, where it would be created; nothing is created."""
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        if existing == folder:
            return "it exists and is not a folder"
        return f"{str(existing)!r} is not a folder"
    try:
        _probe(existing)
    except OSError as error:
        return f"{error.strerror or error}"
    return None


def check_writable_folder(path: str | os.PathLike[str], what: str) -> Path:
    """``path`` is a folder this process can write into, or could be created as one.

    A nameless temporary file is made and removed in the folder (or, if it does not exist yet,
    in the nearest existing folder above it), which also catches read-only file systems and, for
    root, what permission bits do not; nothing is left behind or created. Raises
    :class:`InvalidArgumentError` naming ``what`` and the path.
    """
    folder = Path(path).expanduser()
    if (reason := _unwritable(folder)) is not None:
        raise InvalidArgumentError(
            f"{what} {str(folder)!r} is not writable: {reason}; give a folder you can write to"
        )
    return folder


def check_writable_file(path: str | os.PathLike[str], what: str) -> Path:
    """``path`` can be written as a file: not a folder, and its folder writable (or creatable).
    Raises :class:`InvalidArgumentError` naming ``what`` and the path."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise InvalidArgumentError(f"{what} {str(target)!r} is a folder; give a file name")
    if (reason := _unwritable(target.parent)) is not None:
        raise InvalidArgumentError(
            f"{what} {str(target)!r} cannot be written: its folder {str(target.parent)!r} is not "
            f"writable ({reason})"
        )
    return target


class TimeLimitExceeded(InvalidArgumentError):
    """An evaluation ran past its :func:`time_limit`."""


@contextlib.contextmanager
def time_limit(seconds: int, what: str) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` if the block runs longer than ``seconds`` (wall time).

    Uses ``SIGALRM``: on platforms without it, or outside the main thread, there is no limit.
    """
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum, frame) -> NoReturn:
        raise TimeLimitExceeded(f"{what} took longer than {seconds} s; stopped")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def reader_gone() -> int:
    """Handle a :class:`BrokenPipeError` of stdout (the reader, e.g. ``head``, stopped early):
    stdout is pointed at the null device so that Python's flush at exit does not fail again, and
    the command ends with exit status 0 (what it printed was read as far as it was wanted)."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


@contextlib.contextmanager
def one_line_warnings(write: Callable[[str], None] | None = None) -> Iterator[None]:
    """Within the block, print warnings as one line, ``warning: message``, on stderr.

    ``write`` prints a line instead (e.g. ``tqdm.write``, which keeps the line apart from a
    progress bar drawn on stderr).
    """

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        text = f"warning: {message}"
        if write is not None and file is None:
            write(text)
        else:
            print(text, file=file or sys.stderr, flush=True)

    previous = warnings.showwarning
    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = previous


def run_script(main: Callable[[], int | None]) -> int:
    """Run a script's ``main`` and return its exit status; a :class:`FateError` (bad input, such
    as ``--device cuda`` without CUDA) becomes one ``error:`` line on stderr and status 2, as on
    the package's command lines, instead of a traceback."""
    try:
        return main() or 0
    except FateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
