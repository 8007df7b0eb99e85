"""Bad input everywhere a user types: one clear line, a non-zero exit status, no traceback.

Every case of :data:`CASES` is what a user might type at one of the three command lines
(``python -m derivations | fate_numeric | verify``) or pass to a public function of
``fate_numeric.theory`` / ``fate_numeric.experiments``. Each is run in this process and must
answer with one line (stderr for a command, the exception's message for a function) that contains
the expected words, exit status 2 (1 for ``store-check`` on a damaged store), no traceback, and
no work done before the refusal.

The same outcomes are the table of docs/input_errors.md: ``test_the_documented_table_is_current``
fails when the table and the messages differ; rewrite it with

    PYTHONPATH=. python tests/test_bad_input.py
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import functools
import io
import math
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from derivations.errors import FateError

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "input_errors.md"

#: The folder the command-line cases run in (their paths are relative to it, so the messages,
#: and the documented table, do not depend on where the tests run).
_WORKDIR = Path(tempfile.mkdtemp(prefix="fate-bad-input-"))


@atexit.register
def _remove_workdir() -> None:
    with contextlib.suppress(OSError):
        os.chmod(_WORKDIR / READ_ONLY, 0o755)
    shutil.rmtree(_WORKDIR, ignore_errors=True)


READ_ONLY = "read-only"  # a folder nobody may write into
A_FILE = "a-file"  # a plain file where a folder is expected
DAMAGED_STORE = "damaged-store"  # a store with one damaged entry


@dataclass(frozen=True)
class Case:
    """One bad input: where it is typed, what is typed, the words the answer must contain."""

    group: str  # the section of the documented table
    typed: str  # what the user types (a command line, or a Python call)
    expect: str  # words the one-line answer must contain
    run: Callable[[], tuple[int | str, str]]  # → (exit status or exception name, answer)
    status: int | str = 2
    note: str = ""  # shown in the table beside the input
    env: dict[str, str] = field(default_factory=dict)


# ---- the fixture folder ------------------------------------------------------------------------
@functools.cache
def _prepare() -> None:
    """The files the cases refer to, made once in :data:`_WORKDIR`."""
    (_WORKDIR / A_FILE).write_text("not a folder\n")
    (_WORKDIR / READ_ONLY).mkdir()
    os.chmod(_WORKDIR / READ_ONLY, 0o555)
    (_WORKDIR / "a-folder").mkdir()
    from fate_numeric.store import ResultStore

    store = ResultStore(_WORKDIR / DAMAGED_STORE, package_version="test")
    key = store.save({"cell": 1}, {"x": np.arange(3.0)})
    store.save({"cell": 2}, {"x": np.arange(4.0)})
    npz = _WORKDIR / DAMAGED_STORE / f"{key}.npz"
    data = bytearray(npz.read_bytes())
    data[-1] ^= 0xFF
    npz.write_bytes(bytes(data))


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """Run in :data:`_WORKDIR` with ``env`` set, a private default store, and — for root, whom
    permission bits do not stop — the folder :data:`READ_ONLY` refusing writes as it would
    anyone else."""
    import derivations.cli as cli

    _prepare()
    saved_env = {name: os.environ.get(name) for name in [*env, "FATE_STORE_DIR"]}
    saved_cwd, saved_probe = Path.cwd(), cli._probe

    def probe(folder: Path) -> None:
        if Path(folder).resolve() == (_WORKDIR / READ_ONLY).resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
        saved_probe(folder)

    os.environ.update(env)
    os.environ["FATE_STORE_DIR"] = str(_WORKDIR / "default-store")
    os.chdir(_WORKDIR)
    cli._probe = probe
    try:
        yield
    finally:
        cli._probe = saved_probe
        os.chdir(saved_cwd)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _command(package: str, typed: str, env: dict[str, str] | None = None, **patches):
    """A command-line case: ``python -m PACKAGE ARGS`` run in this process."""

    def run() -> tuple[int | str, str]:
        import importlib

        module = importlib.import_module(f"{package}.__main__")
        saved = {name: getattr(module, name) for name in patches}
        err, out = io.StringIO(), io.StringIO()
        with (
            _environment(env or {}),
            contextlib.redirect_stderr(err),
            contextlib.redirect_stdout(out),
        ):
            for name, value in patches.items():
                setattr(module, name, value)
            try:
                status = module.main(shlex.split(typed))
            except SystemExit as exit_:
                status = exit_.code
            finally:
                for name, value in saved.items():
                    setattr(module, name, value)
        return status, err.getvalue()

    return run


def _call(function: Callable[[], object]):
    """A Python-call case: the exception's name and message."""

    def run() -> tuple[int | str, str]:
        try:
            function()
        except Exception as error:  # the test checks which
            return type(error).__name__, str(error)
        return "returned", ""

    return run


def _theory(name: str, *args, **kwargs):
    def call():
        from fate_numeric import theory

        return getattr(theory, name)(*args, **kwargs)

    return _call(call)


def _cell(**kwargs):
    def call():
        from fate_numeric.experiments import Cell

        return Cell(**{"procedure": "scratch", "d": 10, "n": 5, **kwargs})

    return _call(call)


def _cli(package: str, group: str, args: str, expect: str, status: int = 2, **options) -> Case:
    env = options.pop("env", {})
    note = options.pop("note", "")
    run = _command(package, args, env, **options)
    shown = " ".join(f"{k}={v}" for k, v in env.items())
    typed = f"{shown + ' ' if shown else ''}python -m {package} {args}"
    return Case(group, typed, expect, run, status, note, env)


SIMULATE = "simulate --procedure scratch --d 10 --n 5"
SCRATCH = "simulate --procedure scratch"

CASES: list[Case] = [
    # ---- python -m fate_numeric simulate ----------------------------------------------------
    *[
        _cli("fate_numeric", "simulate", f"{SCRATCH} {flags}", expect)
        for flags, expect in [
            ("--d 10 --n 5 --lr 0", "argument --lr: must be a real number > 0; got '0'"),
            ("--d 10 --n 5 --lr -0.1", "argument --lr: must be a real number > 0"),
            ("--d 10 --n 5 --epochs 0", "argument --epochs: must be an integer >= 1; got '0'"),
            ("--d 10 --n 5 --seed -1", "argument --seed: must be an integer >= 0; got '-1'"),
            ("--d 1 --n 5", "d must be an integer >= 2; got 1"),
            ("--d abc --n 5", "argument --d: must be an integer; got 'abc'"),
            ("--d 10 --n 0", "argument --n: must be an integer >= 1"),
            ("--d 10 --n 2.5", "argument --n: must be an integer; got '2.5'"),
            ("--d 10 --n 5 --theta 2", "theta must be in [0, π/2] (radians); got 2.0"),
            ("--d 10 --n 5 --theta nan", "argument --theta: must be a finite number; got 'nan'"),
            ("--d 10 --n 5 --sigma -0.1", "argument --sigma: must be a real number >= 0"),
            ("--d 10 --n 5 --sigma inf", "argument --sigma: must be a finite number; got 'inf'"),
            ("--d 10 --n 5 --ridge -1", "argument --ridge: must be a real number >= 0"),
            ("--d 10 --n 5 --instances 0", "argument --instances: must be an integer >= 1"),
            ("--d 10 --n 5 --depth 1", "depth must be an integer >= 2; got 1"),
            ("--d 10 --n 5 --alpha 0", "argument --alpha: must be a real number > 0"),
            ("--d 10 --n 5 --tol -1", "argument --tol: must be a real number >= 0"),
            ("--d 10 --n 5 --n-source 0", "argument --n-source: must be an integer >= 1"),
            ("--d 10 --n 5 --record-every 0", "argument --record-every: must be an integer >= 1"),
            ("--d 10 --n 5 --rank-rtol -1", "argument --rank-rtol: must be a real number >= 0"),
            ("--d 10 --n 5 --precision float16", "argument --precision: invalid choice: 'float16'"),
            (
                "--d 10 --n 5 --device tpu",
                "device must be 'auto', 'cpu' or 'cuda[:index]'; got 'tpu'",
            ),
            (
                "--d 10 --n 5 --model relu --removed 2",
                "removed must be a fraction in [0, 1]; got 2.0",
            ),
            ("--d 10 --n 5 --model relu --width 0", "argument --width: must be an integer >= 1"),
            (
                "--d 10 --n 5 --model relu --lr-scale 0",
                "argument --lr-scale: must be a real number > 0",
            ),
            ("--d 10 --n 5 --foo 1", "unrecognized arguments: --foo 1"),
        ]
    ],
    _cli(
        "fate_numeric",
        "simulate",
        "simulate --procedure pretrain --d 10 --n 5",
        "argument --procedure: invalid choice: 'pretrain'",
    ),
    _cli(
        "fate_numeric",
        "simulate",
        "simulate --procedure scratch --n 5",
        "the following arguments are required: --d",
    ),
    _cli(
        "fate_numeric",
        "simulate",
        "simulate --procedure scratch --d 5000 --n 100 --device cpu",
        "one cell needs 22.7 GiB (d=5000, n=100, 20 instances) but only 0.9 GiB are available",
        env={"FATE_MEMORY_BUDGET": "1e9"},
    ),
    _cli(
        "fate_numeric",
        "simulate",
        SIMULATE,
        "FATE_MEMORY_BUDGET must be a number of bytes >= 1 (e.g. 8e9 for 8 GB); got 'abc'",
        env={"FATE_MEMORY_BUDGET": "abc"},
    ),
    _cli(
        "fate_numeric",
        "simulate",
        SIMULATE,
        "FATE_MEMORY_BUDGET must be a number of bytes >= 1",
        env={"FATE_MEMORY_BUDGET": "-5"},
    ),
    _cli(
        "fate_numeric",
        "simulate",
        f"{SIMULATE} --json a-folder",
        "the --json file 'a-folder' is a folder; give a file name",
        note="nothing simulated",
    ),
    _cli(
        "fate_numeric",
        "simulate",
        f"{SIMULATE} --json {READ_ONLY}/cell.json",
        f"the --json file '{READ_ONLY}/cell.json' cannot be written: its folder '{READ_ONLY}' is "
        "not writable (Permission denied)",
        note="nothing simulated",
    ),
    # ---- python -m fate_numeric sweep / archive / store-check --------------------------------
    _cli("fate_numeric", "sweep", "sweep nosuch --serial", "unknown sweep 'nosuch'"),
    _cli(
        "fate_numeric",
        "sweep",
        f"sweep scratch --serial --device cpu --store {READ_ONLY}",
        f"the result store '{READ_ONLY}' is not writable: Permission denied",
        note="nothing simulated",
    ),
    _cli(
        "fate_numeric",
        "sweep",
        f"sweep scratch --serial --device cpu --store {A_FILE}",
        f"the result store root {A_FILE} exists and is not a folder",
    ),
    _cli(
        "fate_numeric",
        "sweep",
        f"sweep scratch --serial --device cpu --store {A_FILE}/store",
        f"the result store '{A_FILE}/store' is not writable: '{A_FILE}' is not a folder",
    ),
    _cli("fate_numeric", "sweep", "sweep scratch --seed -1", "argument --seed: must be an integer"),
    _cli("fate_numeric", "sweep", "sweep scratch --workers 0", "argument --workers: must be an"),
    _cli(
        "fate_numeric",
        "sweep",
        "sweep scratch --stop-after -1",
        "argument --stop-after: must be a real number >= 0",
    ),
    _cli(
        "fate_numeric",
        "sweep",
        "sweep scratch --profile huge",
        "argument --profile: invalid choice: 'huge'",
    ),
    _cli(
        "fate_numeric",
        "sweep",
        "sweep relu_scratch --precision float32 --device cpu",
        "the ReLU sweeps train in float64 only",
    ),
    _cli(
        "fate_numeric",
        "archive",
        f"archive scratch --profile quick --out {READ_ONLY}",
        f"the archive folder '{READ_ONLY}' is not writable: Permission denied",
    ),
    _cli(
        "fate_numeric",
        "archive",
        "archive relu_scratch --profile quick --out an-archive",
        "sweep 'relu_scratch' (relu family) cannot be archived: the archive's readers (verify "
        "recheck) rebuild linear cells only",
    ),
    _cli(
        "fate_numeric",
        "archive",
        "archive scratch --profile quick --store empty-store --out an-archive",
        "sweep 'scratch' is not finished: 60 of 60 cells are not in the store empty-store",
    ),
    _cli(
        "fate_numeric",
        "store-check",
        "store-check --store no-such-folder",
        "there is no result store at no-such-folder (no such folder)",
    ),
    _cli(
        "fate_numeric",
        "store-check",
        f"store-check --store {DAMAGED_STORE}",
        "1 problem file(s): the entries they belong to count as absent",
        status=1,
        note="stdout: the report, naming the damaged file and why",
    ),
    # ---- python -m verify ---------------------------------------------------------------------
    _cli("verify", "verify", "all --seed -1", "argument --seed: must be an integer >= 0; got '-1'"),
    _cli("verify", "verify", "run no-such-claim", "unknown claim(s) no-such-claim"),
    _cli("verify", "verify", "all --profile huge", "argument --profile: invalid choice: 'huge'"),
    _cli(
        "verify",
        "verify",
        f"all --profile quick --device cpu --store {READ_ONLY}",
        f"the result store '{READ_ONLY}' is not writable: Permission denied",
        note="before any claim runs",
    ),
    _cli(
        "verify",
        "verify",
        f"all --profile quick --device cpu --json {READ_ONLY}/verify.json",
        f"the --json report '{READ_ONLY}/verify.json' cannot be written: its folder '{READ_ONLY}' "
        "is not writable (Permission denied)",
        note="before any claim runs",
    ),
    _cli(
        "verify",
        "verify",
        "all --profile quick --device cpu --markdown a-folder",
        "the --markdown report 'a-folder' is a folder; give a file name",
    ),
    _cli(
        "verify",
        "verify",
        f"all --profile quick --device cpu --junit {A_FILE}/verify.xml",
        f"its folder '{A_FILE}' is not writable (it exists and is not a folder)",
    ),
    _cli(
        "verify",
        "verify",
        "all --profile quick --device cpu --json out.txt --markdown out.txt",
        "--json and --markdown name the same file 'out.txt'",
    ),
    _cli(
        "verify",
        "verify",
        "all --profile quick --device cpu",
        "FATE_MEMORY_BUDGET must be a number of bytes >= 1",
        env={"FATE_MEMORY_BUDGET": "abc"},
    ),
    _cli("verify", "verify", "recheck --cells 0", "argument --cells: must be an integer >= 1"),
    _cli(
        "verify",
        "verify",
        "recheck --archive nowhere --device cpu",
        "no archive at nowhere (no manifest.json)",
    ),
    _cli(
        "verify",
        "verify",
        f"dimensions --profiles nosuch --device cpu --store {READ_ONLY}",
        f"the result store '{READ_ONLY}' is not writable",
    ),
    _cli(
        "verify",
        "verify",
        "dimensions --profiles nosuch --device cpu",
        "unknown ReLU profile(s) nosuch",
    ),
    # ---- python -m derivations ----------------------------------------------------------------
    *[
        _cli("derivations", "derivations eval", f"eval {values}", expect)
        for values, expect in [
            ("lt_risk theta=0.5 n=2 sigma=0.2", "n must be an integer > 2; got 2"),
            ("lt_risk theta=4 n=10 sigma=0.2", "theta must be a real number in [0, π]; got 4"),
            ("lt_risk theta=0.1 n=2.5 sigma=0", "n must be an integer > 2; got 2.5"),
            ("lt_negative_interval theta=2 sigma=0.1", "theta must be a real number in [0, π/2]"),
            ("kl_family theta=1 sigma=0", "sigma must be a real number > 0; got 0"),
            (
                "scratch_risk gamma=10**10**10 sigma=0.2",
                "'10**10**10': an exponent must be an integer between -1000 and 1000",
            ),
            ("scratch_risk gamma=10**400 sigma=0.2", "'10**400' is out of range"),
            ("scratch_risk gamma=1e400 sigma=0.2", "'1e400' is out of range"),
            ("scratch_risk gamma=1e-400 sigma=0.2", "'1e-400' is out of range"),
            ("scratch_risk gamma=1/0 sigma=0.2", "'1/0' divides by zero"),
            ("scratch_risk gamma=2**0.5 sigma=0.2", "an exponent must be an integer"),
            ("scratch_risk gamma=0.5 gamma=0.6 sigma=0.2", "gamma is given twice"),
            ("scratch_risk gamma=0.5 sigma=0.2 sigma=0.3", "sigma is given twice"),
            ("ridge_lt_risk theta=1 lam=0.1 lambda=0.2", "lambda is given twice"),
            (
                "scratch_risk \"gamma=__import__('os').system('true')\" sigma=0.2",
                "cannot read \"__import__('os').system('true')\": expected a number",
            ),
            ("scratch_risk gamma=x sigma=0.2", "cannot read 'x': expected a number"),
            ("scratch_risk gamma=True sigma=0.2", "cannot read 'True'"),
            ("scratch_risk gamma=-1 sigma=0.2", "gamma must be a real number > 0; got -1"),
            ("scratch_risk gamma sigma=0.2", "expected key=value, got 'gamma'"),
            ("scratch_risk gama=0.5 sigma=0.2", "scratch_risk has no variable 'gama'"),
            ("scratch_risk gamma=0.5", "scratch_risk needs values for sigma"),
            ("scratch_risk gamma=" + "9" * 101 + " sigma=0.2", "a value is at most 100"),
            ("nosuch gamma=1", "no derived result is named 'nosuch'"),
        ]
    ],
    _cli(
        "derivations",
        "derivations eval",
        "eval output_descent_mode z0=1 r=1 s=1e300 eta=1e300 n=1e-300 t=10**300",
        "evaluating output_descent_mode at these values took longer than 1 s; stopped",
        EVAL_SECONDS=1,
        note="limit lowered to 1 s here; 60 s by default",
    ),
    _cli("derivations", "derivations", "check --seed -1", "argument --seed: must be an integer"),
    _cli(
        "derivations",
        "derivations",
        f"export --latex {A_FILE}/notes",
        f"the LaTeX folder (--latex) '{A_FILE}/notes' is not writable: '{A_FILE}' is not a folder",
    ),
    _cli("derivations", "derivations", "show nosuch", "no derived result is named 'nosuch'"),
    _cli("derivations", "derivations", "explain", "give a result NAME (see `list`) or --all"),
    _cli("derivations", "derivations", "bogus", "argument command: invalid choice: 'bogus'"),
    # ---- fate_numeric.theory -------------------------------------------------------------------
    *[
        Case("fate_numeric.theory", typed, expect, _theory(*call), "InvalidArgumentError")
        for typed, call, expect in [
            ("scratch_risk(True, 0.2)", ("scratch_risk", True, 0.2), "got the boolean True"),
            ("scratch_risk('0.5', 0.2)", ("scratch_risk", "0.5", 0.2), "got the text '0.5'"),
            (
                "scratch_risk([0.5, True], 0.2)",
                ("scratch_risk", [0.5, True], 0.2),
                "got the boolean True",
            ),
            (
                "scratch_risk(np.array(['0.5']), 0.2)",
                ("scratch_risk", np.array(["0.5"]), 0.2),
                "got an array of dtype <U3",
            ),
            ("scratch_risk(None, 0.2)", ("scratch_risk", None, 0.2), "got None"),
            ("scratch_risk(1 + 2j, 0.2)", ("scratch_risk", 1 + 2j, 0.2), "got the complex number"),
            (
                "scratch_risk(10**400, 0.2)",
                ("scratch_risk", 10**400, 0.2),
                "beyond the float64 range",
            ),
            (
                "scratch_risk(0.0, 0.2)",
                ("scratch_risk", 0.0, 0.2),
                "gamma must be a real number > 0",
            ),
            ("scratch_risk(math.nan, 0.2)", ("scratch_risk", math.nan, 0.2), "got nan"),
            ("scratch_risk(math.inf, 0.2)", ("scratch_risk", math.inf, 0.2), "got inf"),
            ("scratch_risk(0.5, -0.1)", ("scratch_risk", 0.5, -0.1), "sigma must be a real number"),
            ("lt_risk(0.3, 2, 0.2)", ("lt_risk", 0.3, 2, 0.2), "n must be an integer > 2; got 2.0"),
            ("lt_risk(0.3, 10.5, 0.2)", ("lt_risk", 0.3, 10.5, 0.2), "n must be an integer > 2"),
            ("lt_risk(4.0, 10, 0.2)", ("lt_risk", 4.0, 10, 0.2), "theta must be a real number in"),
            (
                "lt_negative_interval(2.0, 0.2)",
                ("lt_negative_interval", 2.0, 0.2),
                "theta must be a real number in [0, π/2]",
            ),
            ("kl_family(0.5, 0.0)", ("kl_family", 0.5, 0.0), "sigma must be a real number > 0"),
            ("scratch_optimum(1.0)", ("scratch_optimum", 1.0), "sigma must be a real number in"),
            ("scratch_risk(0.5)", ("scratch_risk", 0.5), "scratch_risk() is missing sigma"),
            (
                "scratch_risk(np.ones(2), np.ones(3))",
                ("scratch_risk", np.ones(2), np.ones(3)),
                "argument shapes do not broadcast",
            ),
        ]
    ],
    # ---- fate_numeric.experiments.Cell ----------------------------------------------------------
    *[
        Case(
            "fate_numeric.experiments.Cell", typed, expect, _cell(**kwargs), "InvalidArgumentError"
        )
        for typed, kwargs, expect in [
            ("Cell('scratch', d=10, n=5, lr=0)", {"lr": 0}, "lr must be a finite real number > 0"),
            ("Cell('scratch', d=10, n=5, epochs=0)", {"epochs": 0}, "epochs must be an integer"),
            (
                "Cell('scratch', d=10, n=5, pretrain_epochs=0)",
                {"pretrain_epochs": 0},
                "pretrain_epochs must be an integer >= 1",
            ),
            ("Cell('scratch', d=10, n=5, alpha=0)", {"alpha": 0}, "alpha must be a finite real"),
            ("Cell('scratch', d=10, n=5, seed=-1)", {"seed": -1}, "seed must be an integer >= 0"),
            ("Cell('scratch', d=10, n=5, seed=True)", {"seed": True}, "seed must be an integer"),
            ("Cell('scratch', d=10, n=5, sigma='0.1')", {"sigma": "0.1"}, "sigma must be a"),
            ("Cell('scratch', d=10, n=5, rank_rtol=-1)", {"rank_rtol": -1}, "rank_rtol must be"),
            ("Cell('scratch', d=10, n=5, ridges=('0',))", {"ridges": ("0",)}, "ridges must be"),
        ]
    ],
]

CASES.insert(
    next(i for i, c in enumerate(CASES) if c.typed == "scratch_risk(0.5)") + 1,
    Case(
        "fate_numeric.theory",
        "scratch_risk(0.5, 0.2, noise=1)",
        "scratch_risk() has no argument 'noise'",
        _theory("scratch_risk", 0.5, 0.2, noise=1),
        "InvalidArgumentError",
    ),
)


@functools.cache
def outcome(typed: str) -> tuple[int | str, str]:
    """The exit status (or exception name) and the answer of the case typed so (run once)."""
    (case,) = [c for c in CASES if c.typed == typed]
    return case.run()


def _line(answer: str) -> str:
    """The one line of an answer (the test checks that there is exactly one)."""
    lines = [line for line in answer.splitlines() if line.strip()]
    return lines[0] if len(lines) == 1 else " / ".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[c.typed for c in CASES])
def test_bad_input_gets_one_clear_line(case: Case) -> None:
    status, answer = outcome(case.typed)
    assert "Traceback" not in answer, answer
    lines = [line for line in answer.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {answer!r}"
    assert case.expect in lines[0], lines[0]
    assert status == case.status, (status, answer)
    if case.status == 2:
        assert "error: " in lines[0]


def test_exceptions_of_the_functions_are_the_packages_own() -> None:
    from derivations.errors import InvalidArgumentError

    assert issubclass(InvalidArgumentError, FateError)
    names = {c.status for c in CASES if isinstance(c.status, str)}
    assert names == {"InvalidArgumentError"}


def render() -> str:
    """The table of docs/input_errors.md from the outcomes of :data:`CASES`."""

    def code(text: str) -> str:
        return "`` " + text.replace("|", "\\|") + " ``"

    lines = [
        "# Bad input and the answers it gets",
        "",
        "Every command line of the package (`python -m derivations`, `python -m fate_numeric`,",
        "`python -m verify`) answers bad input with one line on stderr that names what was wrong",
        "and what is allowed, exit status 2, no traceback, and nothing computed, written or lost",
        "before the refusal (docs/design.md §8.3); the public functions raise",
        "`InvalidArgumentError` (a `ValueError`) with such a line. This table is written by",
        "`tests/test_bad_input.py`, which also checks every row (run",
        "`PYTHONPATH=. python tests/test_bad_input.py` to rewrite it after changing a message).",
        "Paths are relative to the folder the command runs in; `read-only` is a folder nobody may",
        "write into, `a-file` a plain file, `damaged-store` a store with one damaged entry.",
        "",
        "Related behaviour, tested in `tests/test_bad_input.py` and the module tests:",
        "",
        "* a flag left out takes the cell's own default (`simulate --procedure linear_transfer`",
        "  keeps the linear cell's `rank_rtol` 10⁻³; `--rank-rtol` given applies as given);",
        "* a damaged store entry met by a sweep, `verify` or a figure is named in one",
        "  `warning: result store: FILE is corrupt (...)` line before it is recomputed;",
        "  `python -m fate_numeric store-check` lists every damaged file without changing any;",
        "* `python -m derivations eval` reads values with a whitelist of arithmetic (numbers,",
        "  `pi`, `+ - * / **`), never with `sympify`, and stops an evaluation after 60 s.",
        "",
    ]
    for group in dict.fromkeys(c.group for c in CASES):
        lines += [f"## {group}", "", "| input | status | answer |", "|---|---|---|"]
        for case in (c for c in CASES if c.group == group):
            status, answer = outcome(case.typed)
            typed = code(case.typed) + (f" ({case.note})" if case.note else "")
            lines.append(f"| {typed} | {status} | {code(_line(answer))} |")
        lines.append("")
    return "\n".join(lines)


def test_the_documented_table_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/input_errors.md is stale: run `PYTHONPATH=. python tests/test_bad_input.py`"
    )


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC} ({len(CASES)} cases)", file=sys.stderr)
