"""Command line of the simulators: ``python -m fate_numeric simulate|sweep|archive|store-check``.

* ``simulate``: one grid cell from flags; prints a short summary: the cell's parameters, the
  mean generalisation error ± its standard error over the instances beside the matching theory
  values of :mod:`fate_numeric.theory` (the exact finite-size one where there is one, and the
  asymptotic one) with the deviation in standard errors (:mod:`fate_numeric.cell_report`), the
  losses and steps. ``--full`` prints instead, and ``--json FILE`` writes, everything as JSON:
  per instance the generalisation errors and training losses, the steps taken, the top singular
  values of the pretrained feature map, the drift of the conserved D_l (its trace for depth 2,
  which trains in the Gram form of :mod:`fate_numeric.gram`), with ``--record-every K`` the time
  course of both losses, the theory values, the device and the time taken.
* ``sweep NAME --profile quick|paper``: a named sweep of either family from the sweep service
  (:mod:`fate_numeric.service`): one of the authors' launch scripts (:mod:`fate_numeric.sweeps`),
  an extension sweep (beyond the paper: ``rank_k``, ``pretraining_decay``,
  ``pretraining_decay_finite_source``, docs/paper.md §11, §12) or a ReLU sweep (below), with a
  progress bar and ETA; results go to the store, and a rerun resumes where an interrupted one
  stopped. Linear sweeps on a CPU run on ``dask.distributed`` (one single-threaded worker per
  core, or ``--workers N``; :mod:`fate_numeric.distributed`), ReLU sweeps in this process (their
  refit diagnostics move at 10⁻⁹ with the thread count) unless ``--workers N`` asks for dask;
  ``--scheduler ADDRESS`` runs either on an existing cluster; ``--serial``, and a GPU, run it in
  this process. ``--precision float32`` trains a linear sweep in float32 (the ReLU sweeps refuse
  it).
* ``archive NAME... --profile paper --store DIR``: finished linear sweeps, the extension sweeps
  included, from a store into the repository's archive (``archive/PROFILE/``,
  :mod:`fate_numeric.archive`; an extension's manifest entry says so). A ReLU sweep is refused
  with the reason: the archive's readers (``verify recheck``) rebuild linear cells only.
* ``store-check [--store DIR]``: every file of a result store checked
  (:meth:`~fate_numeric.store.ResultStore.verify`): valid entries counted, every corrupt, foreign
  or incomplete file listed with the reason; exit status 1 when there is any, 2 when there is no
  store at DIR.
* ReLU networks (Sec. 4): ``simulate --model relu`` (one cell, :class:`ReluCell` flags) and the
  sweeps ``relu_scratch``, ``relu_linear_transfer`` (``_min_norm``: the closed-form refit),
  ``relu_fine_tuning`` at the profiles
  ``quick``, ``paper``, ``paper_d500`` and the CPU ladder ``ladder_d20|40|100``
  (:mod:`fate_numeric.relu_sweeps`).

Bad input gets one line and exit status 2 before any work starts (docs/input_errors.md): numbers
out of range, an unwritable ``--store``, ``--out`` or ``--json``, a malformed
``$FATE_MEMORY_BUDGET``. A flag left out takes the cell's own default (``--rank-rtol``: 10⁻³ for
a linear cell, 10⁻¹⁰ for a ReLU cell); a damaged store entry that is recomputed is named in a
``warning:`` line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from derivations.cli import (
    Parser,
    check_writable_file,
    check_writable_folder,
    finite_float,
    nonnegative_float,
    nonnegative_int,
    one_line_warnings,
    parse,
    positive_float,
    positive_int,
    reader_gone,
)
from derivations.errors import FateError, InvalidArgumentError
from derivations.table import terminal_width
from fate_numeric import cell_report, service
from fate_numeric.experiments import PROCEDURES, Cell, chunks, run_cells
from fate_numeric.numerics import (
    describe_device,
    memory_budget,
    memory_budget_override,
    resolve_device,
)
from fate_numeric.relu_sweeps import REFITS
from fate_numeric.sweeps import PROFILES


def _cell_arguments(cls: type, args: argparse.Namespace) -> dict:
    """The flags that are fields of ``cls``, leaving out those not given (``None``), so that the
    cell's own default applies (a linear cell's ``rank_rtol`` is not the ReLU cell's)."""
    flags = vars(args)
    return {
        f.name: flags[f.name]
        for f in dataclasses.fields(cls)
        if f.name in flags and flags[f.name] is not None
    }


def _emit(args: argparse.Namespace, record: dict, summary: str) -> None:
    """The summary on stdout, or with ``--full`` the whole record as JSON; with ``--json FILE``
    the record is also written to FILE."""
    if args.json is not None:
        target = Path(args.json).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(record, indent=2) + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    if args.full:
        json.dump(record, sys.stdout, indent=2)
        print()
    else:
        print(summary)


def _simulate_relu(args: argparse.Namespace) -> int:
    """One ReLU cell (``--model relu``, :mod:`fate_numeric.relu_sweeps`): risks and diagnostics."""
    from fate_numeric.relu_sweeps import ReluCell, run_relu_cells
    from fate_numeric.relu_sweeps import chunks as relu_chunks

    device = resolve_device(args.device)
    cell = ReluCell(**_cell_arguments(ReluCell, args))
    relu_chunks([cell], memory_budget(device))  # refuses a cell that cannot fit, before any work
    start = time.perf_counter()
    (arrays,) = run_relu_cells([cell], device)
    seconds, described = time.perf_counter() - start, describe_device(device)
    _emit(
        args,
        cell_report.relu_record(cell, arrays, described, seconds),
        cell_report.relu_summary(cell, arrays, described, seconds, terminal_width()),
    )
    return 0


def _simulate(args: argparse.Namespace) -> int:
    if args.json is not None:
        check_writable_file(args.json, "the --json file")  # before any work
    if args.model == "relu":
        return _simulate_relu(args)
    device = resolve_device(args.device)
    cell = Cell(**_cell_arguments(Cell, args))
    chunks([cell], memory_budget(device))  # refuses a cell that cannot fit, before any work
    start = time.perf_counter()
    (arrays,) = run_cells([cell], device)
    seconds, described = time.perf_counter() - start, describe_device(device)
    _emit(
        args,
        cell_report.linear_record(cell, arrays, described, seconds),
        cell_report.linear_summary(cell, arrays, described, seconds, terminal_width()),
    )
    return 0


def _sweep(args: argparse.Namespace) -> int:
    """Run a named sweep of either family (:mod:`fate_numeric.service`) into the store: on dask
    workers (:mod:`fate_numeric.distributed`) with ``--scheduler``, or on a CPU with ``--workers``
    or by default where the family says so (:attr:`~fate_numeric.service.Family.dask_by_default`),
    else (``--serial``, a GPU) in this process."""
    from tqdm import tqdm

    from fate_numeric.store import ResultStore, default_store

    entry = service.sweep(args.name)  # an unknown name: an error that lists every sweep
    device = resolve_device(args.device)
    cells = service.with_precision(
        service.cells_of(args.name, args.profile, seed=args.seed), args.precision
    )
    store = ResultStore(args.store) if args.store else default_store()
    check_writable_folder(store.root, "the result store")  # before any simulation
    kind = "; an extension, docs/paper.md §11, §12" if entry.extension else ""
    print(
        f"sweep {args.name} ({args.profile} profile{kind}): {len(cells)} cells on "
        f"{describe_device(device)}; store {store.root}",
        file=sys.stderr,
    )
    bar = tqdm(total=len(cells), unit="cell", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.update(done - bar.n)

    local = device.type == "cpu" and (entry.family.dask_by_default or args.workers is not None)
    distributed = args.scheduler is not None or (local and not args.serial)
    start = time.perf_counter()
    try:
        if distributed:
            from fate_numeric.distributed import run_sweep_distributed

            counts = run_sweep_distributed(
                cells,
                store,
                device,
                progress,
                scheduler=args.scheduler,
                workers=args.workers,
                stop_after=args.stop_after,
            )
        else:
            counts = service.run_sweep(cells, store, device, progress, stop_after=args.stop_after)
    finally:
        bar.close()
    counts["seconds"] = round(time.perf_counter() - start, 2)
    counts["device"] = describe_device(device)
    json.dump(counts, sys.stdout)
    print()
    return 0


def _archive(args: argparse.Namespace) -> int:
    """Export finished sweeps (the paper's or extensions) from a store into an archive folder."""
    from fate_numeric.archive import REPOSITORY_ARCHIVE, export_sweep
    from fate_numeric.store import ResultStore, default_store

    store = ResultStore(args.store) if args.store else default_store()
    folder = args.out or REPOSITORY_ARCHIVE / args.profile
    entries = {name: service.sweep(name) for name in args.names}
    for name, entry in entries.items():
        if not entry.family.archivable:
            takes = [other for other, e in service.registry().items() if e.family.archivable]
            raise InvalidArgumentError(
                f"sweep {name!r} ({entry.family.name} family) cannot be archived: the archive's "
                f"readers (verify recheck) rebuild linear cells only; the sweeps it takes are "
                f"{', '.join(takes)}"
            )
    cells = {name: service.cells_of(name, args.profile, seed=args.seed) for name in args.names}
    check_writable_folder(folder, "the archive folder")  # before reading the store
    summary = {}
    for name in args.names:
        entry = export_sweep(name, cells[name], store, folder, extension=entries[name].extension)
        summary[name] = {
            "cells": len(entry["cells"]),
            "commits": entry["commits"],
            "compute_seconds": entry["compute_seconds"],
        }
    json.dump({"archive": str(folder), "sweeps": summary}, sys.stdout)
    print()
    return 0


def _store_check(args: argparse.Namespace) -> int:
    """Check every file of a store; 0 when all are valid entries, 1 otherwise."""
    from fate_numeric.store import ResultStore, default_store

    store = ResultStore(args.store) if args.store else default_store()
    if not store.root.is_dir():
        raise InvalidArgumentError(f"there is no result store at {store.root} (no such folder)")
    report = store.verify()
    print(report)
    if report.ok:
        return 0
    print(
        f"{len(report.problems)} problem file(s): the entries they belong to count as absent and "
        "are recomputed by the next sweep (each with a warning); nothing was changed",
        file=sys.stderr,
    )
    return 1


def _write_line(text: str) -> None:
    """One line on stderr, kept apart from a progress bar there."""
    from tqdm import tqdm

    tqdm.write(text, file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = Parser(prog="python -m fate_numeric", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    simulate = commands.add_parser(
        "simulate", help="simulate one grid cell; print its mean risk beside the theory"
    )
    simulate.add_argument("--procedure", choices=PROCEDURES, required=True)
    simulate.add_argument("--d", type=positive_int, required=True, help="input dimension and width")
    simulate.add_argument(
        "--n", type=positive_int, required=True, help="target samples per instance"
    )
    simulate.add_argument(
        "--theta", type=finite_float, default=0.0, help="source-target angle (radians)"
    )
    simulate.add_argument("--sigma", type=nonnegative_float, default=0.0, help="target label noise")
    simulate.add_argument("--depth", "-L", type=positive_int, default=2)
    simulate.add_argument("--instances", type=positive_int, default=20)
    simulate.add_argument("--weight-decay", type=nonnegative_float, default=0.0)
    simulate.add_argument(
        "--ridge",
        dest="ridges",
        type=nonnegative_float,
        nargs="+",
        default=(0.0,),
        help="λ values (LT)",
    )
    simulate.add_argument(
        "--authors-jitter", action="store_true", help="λ = 0 as the authors' n·1e-5"
    )
    simulate.add_argument("--alpha", type=positive_float, default=1e-5, help="initialisation scale")
    simulate.add_argument("--init", choices=("rand", "identity"), default="rand")
    simulate.add_argument(
        "--lr", type=positive_float, default=None, help="default: the authors' per procedure"
    )
    simulate.add_argument("--epochs", type=positive_int, default=None, help="default: the authors'")
    simulate.add_argument("--tol", type=nonnegative_float, default=1e-6)
    simulate.add_argument(
        "--n-source", type=positive_int, default=None, help="finite source samples"
    )
    simulate.add_argument("--sigma-source", type=nonnegative_float, default=0.0)
    simulate.add_argument("--seed", type=nonnegative_int, default=0)
    simulate.add_argument(
        "--record-every",
        type=positive_int,
        default=None,
        help="record the training loss and ‖β̂ − β‖² every K steps (the time course)",
    )
    simulate.add_argument("--model", choices=("linear", "relu"), default="linear")
    relu_flags = simulate.add_argument_group("ReLU model (--model relu; Sec. 4)")
    relu_flags.add_argument(
        "--removed", type=finite_float, default=0.0, help="source: fraction μ removed"
    )
    relu_flags.add_argument("--width", type=positive_int, default=1000, help="student neurons m")
    relu_flags.add_argument(
        "--teacher-width", type=positive_int, default=100, help="teacher neurons m*"
    )
    relu_flags.add_argument(
        "--lr-scale", type=positive_float, default=0.01, help="learning rate / m"
    )
    relu_flags.add_argument("--max-steps", type=positive_int, default=100_000)
    relu_flags.add_argument("--check-every", type=positive_int, default=100)
    relu_flags.add_argument("--init-output", type=nonnegative_float, default=1e-7)
    relu_flags.add_argument(
        "--rank-rtol",
        type=nonnegative_float,
        default=None,
        help="relative rank cut-off of the minimum-norm refit (default: the cell's, 1e-3 for "
        "--model linear, 1e-10 for --model relu)",
    )
    relu_flags.add_argument(
        "--refit",
        choices=REFITS,
        default=REFITS[0],
        help="linear transfer: the output layer by gradient descent (default) or min-norm fit",
    )
    simulate.add_argument(
        "--precision",
        choices=("float64", "float32"),
        default="float64",
        help="training precision (draws are float64 either way); verification uses float64",
    )
    simulate.add_argument("--device", default="auto", help="auto (default), cpu or cuda")
    simulate.add_argument(
        "--full",
        action="store_true",
        help="print every per-instance number as JSON instead of the summary",
    )
    simulate.add_argument(
        "--json", default=None, metavar="FILE", help="also write every per-instance number to FILE"
    )
    simulate.set_defaults(run=_simulate)

    sweep = commands.add_parser("sweep", help="run a named sweep into the store (resumable)")
    sweep.add_argument("name", help=service.sweep_names())
    sweep.add_argument(
        "--profile",
        choices=service.profile_names(),
        default="quick",
        help="quick, paper; for the ReLU sweeps also paper_d500 and ladder_d20|40|100",
    )
    sweep.add_argument("--seed", type=nonnegative_int, default=0)
    sweep.add_argument("--device", default="auto")
    sweep.add_argument("--store", default=None, help="store folder (default: the user store)")
    sweep.add_argument(
        "--precision",
        choices=("float64", "float32"),
        default="float64",
        help="training precision: float32 for the linear sweeps only (draws are float64 either "
        "way)",
    )
    sweep.add_argument(
        "--stop-after",
        type=nonnegative_float,
        default=None,
        metavar="SECONDS",
        help="start no batch after this many seconds (every started batch is saved; rerun to "
        "carry on), for runs under a time limit",
    )
    sweep.add_argument(
        "--serial",
        action="store_true",
        help="one process (its threads on every core) instead of dask workers; the default on "
        "a GPU and for the ReLU sweeps",
    )
    sweep.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="dask worker processes (default: one per core); on a CPU it also runs the ReLU "
        "sweeps on dask",
    )
    sweep.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="an existing dask scheduler, e.g. tcp://host:8786 (its workers must see the store)",
    )
    sweep.set_defaults(run=_sweep)

    archive = commands.add_parser(
        "archive",
        help="export finished linear sweeps (extensions included) from the store into an archive "
        "folder",
    )
    archive.add_argument("names", nargs="+", help=service.sweep_names())
    archive.add_argument("--profile", choices=tuple(PROFILES), default="paper")
    archive.add_argument("--seed", type=nonnegative_int, default=0)
    archive.add_argument("--store", default=None, help="store folder (default: the user store)")
    archive.add_argument(
        "--out", default=None, help="archive folder (default: the repository's archive/PROFILE)"
    )
    archive.set_defaults(run=_archive)

    check = commands.add_parser(
        "store-check", help="check every file of a result store (nothing is changed)"
    )
    check.add_argument("--store", default=None, help="store folder (default: the user store)")
    check.set_defaults(run=_store_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parse(build_parser(), argv)
    if isinstance(args, int):  # argparse refused the input (or printed --help)
        return args
    try:
        memory_budget_override()  # a malformed $FATE_MEMORY_BUDGET is refused before any work
        with one_line_warnings(_write_line):
            return args.run(args)
    except BrokenPipeError:  # the reader stopped early (`store-check | head`): nothing went wrong
        return reader_gone()
    except FateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\ninterrupted: finished cells are stored; rerun the same command to resume",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
