"""``python -m verify all | list | run ID... | dimensions``: every claim of the paper, checked.

Profiles: ``auto`` (default: ``paper`` where CUDA is available, else ``quick``), ``quick`` (CPU,
d = 40, minutes on two cores) and ``paper`` (the authors' d = 500 grids, meant for one GPU).
Simulations come from the result store, so a second run reuses them. The exit status is 0 only
when no claim failed.

``recheck --cells K [--seed S]`` recomputes K randomly chosen cells of the repository's archive of
paper-scale simulations and fails if any differs by more than 10⁻⁹ relative (:mod:`verify.recheck`).

``dimensions [--profiles NAME...]`` is a study, not a gate: the ReLU claims at several profiles
side by side, to see how the picture changes with d (:mod:`verify.dimensions`).

Bad input (a negative seed, an unwritable ``--store``, ``--json``, ``--markdown`` or ``--junit``,
a malformed ``$FATE_MEMORY_BUDGET``) is refused in one line with exit status 2 before any claim
runs (docs/input_errors.md); a damaged store entry that is recomputed is named in a ``warning:``
line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from derivations.cli import (
    Parser,
    check_writable_file,
    check_writable_folder,
    nonnegative_int,
    one_line_warnings,
    parse,
    positive_int,
    reader_gone,
)
from derivations.errors import FateError, InvalidArgumentError


def _profile(requested: str) -> str:
    if requested != "auto":
        return requested
    return "paper" if torch.cuda.is_available() else "quick"


def _check_outputs(args: argparse.Namespace, flags: tuple[str, ...]) -> None:
    """Every output file named by ``flags`` (``json``, ``markdown``, ``junit``) is writable and
    named once; checked before any work, so that nothing computed is lost at the end."""
    seen: dict[Path, str] = {}
    for flag in flags:
        path = getattr(args, flag)
        if path is None:
            continue
        target = check_writable_file(path, f"the --{flag} report")
        resolved = target.resolve()
        if resolved in seen:
            raise InvalidArgumentError(
                f"--{seen[resolved]} and --{flag} name the same file {str(target)!r}; give each "
                "report its own file"
            )
        seen[resolved] = flag


def _store(args: argparse.Namespace):
    """The result store of ``--store`` (default: the user store), checked to be writable: the
    claims save the simulations they run there."""
    from fate_numeric.store import ResultStore, default_store

    store = ResultStore(args.store) if args.store else default_store()
    check_writable_folder(store.root, "the result store")
    return store


def _tag(claim) -> str:
    """``  [erratum]``, ``  [authors' number]`` or ``  [extension]`` after a claim's title, where
    it is one."""
    if claim.expected_deviation:
        return "  [erratum]"
    if claim.authors_number:
        return "  [authors' number]"
    return "  [extension]" if claim.extension else ""


def _list(args: argparse.Namespace) -> int:
    from derivations.table import table, terminal_width
    from verify.claims import CLAIMS

    rows = [
        (
            claim.id,
            claim.reference,
            ", ".join(claim.tiers),
            claim.title + _tag(claim),
        )
        for claim in CLAIMS
    ]
    header = ("claim", "reference", "tiers", "title")
    print("\n".join(table(rows, header=header, wrap=(1, 2, 3), width=terminal_width())))
    print(
        f"\n{len(rows)} claims; [erratum]: the paper's printed statement is wrong and the claim "
        "expects the deviation; [authors' number]: the claim asks whether a number the authors "
        "published is reproduced; [extension]: beyond the paper, not one of its claims "
        "(docs/paper.md §11). `python -m verify run ID...` checks some of them."
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from fate_numeric.archive import with_repository_archive
    from fate_numeric.numerics import describe_device, resolve_device
    from verify.claims import Context, select
    from verify.report import terminal_table, write_reports
    from verify.runner import archived_context, build_report, run_claims

    claims = select(args.ids if args.command == "run" else None)
    device = resolve_device(args.device)
    profile = _profile(args.profile)
    _check_outputs(args, ("json", "markdown", "junit"))
    store = _store(args)
    store = with_repository_archive(store, profile)  # archived sweeps are not recomputed
    ctx = Context(profile=profile, device=device, seed=args.seed, store=store)
    # the linear claims are also judged at d = 500 on the archived paper profile
    archived = None if profile == "paper" else archived_context(device, args.seed)
    start = time.perf_counter()
    with tqdm(total=len(claims), unit="claim", file=sys.stderr, leave=False) as bar:

        def progress(claim) -> None:  # called as each claim finishes
            bar.set_postfix_str(claim.id)
            bar.update(1)

        results = run_claims(claims, ctx, progress, archived)
    report = build_report(
        results, ctx, describe_device(device), time.perf_counter() - start, archived
    )
    data = report.to_dict()
    print(terminal_table(data, color=sys.stdout.isatty()))
    for path in write_reports(
        data, json_path=args.json, markdown_path=args.markdown, junit_path=args.junit
    ):
        print(f"wrote {path}", file=sys.stderr)
    return 1 if data["failed"] else 0


def _dimensions(args: argparse.Namespace) -> int:
    from fate_numeric.numerics import describe_device, resolve_device
    from verify import dimensions
    from verify.claims import Context
    from verify.report import to_json, write_text_atomic

    device = resolve_device(args.device)
    _check_outputs(args, ("json", "markdown"))
    store = _store(args)
    start = time.perf_counter()
    rows = dimensions.study(
        args.profiles,
        lambda name: Context(profile=name, device=device, seed=args.seed, store=store),
        dimensions.print_progress,
    )
    seconds = time.perf_counter() - start
    described = describe_device(device)
    print(dimensions.to_text(rows))
    print(f"({described}, {seconds:.0f} s)")
    if args.json:
        data = dimensions.to_json_dict(rows, described, seconds)
        print(f"wrote {write_text_atomic(Path(args.json), to_json(data))}", file=sys.stderr)
    if args.markdown:
        text = dimensions.to_markdown(rows, described)
        print(f"wrote {write_text_atomic(Path(args.markdown), text)}", file=sys.stderr)
    return 0


def _recheck(args: argparse.Namespace) -> int:
    from fate_numeric.archive import REPOSITORY_ARCHIVE, Archive
    from fate_numeric.numerics import describe_device, resolve_device
    from verify import recheck
    from verify.report import write_text_atomic

    folder = Path(args.archive) if args.archive else REPOSITORY_ARCHIVE / args.profile
    if not (folder / "manifest.json").exists():
        raise InvalidArgumentError(f"no archive at {folder} (no manifest.json)")
    device = resolve_device(args.device)
    _check_outputs(args, ("json",))
    archive = Archive(folder)
    print(f"recheck: {args.cells} cells of {folder} on {describe_device(device)}", file=sys.stderr)
    results = recheck.recheck(archive, args.cells, args.seed, device, args.max_network_steps)
    print(recheck.describe(results))
    if args.json:
        print(
            f"wrote {write_text_atomic(Path(args.json), recheck.to_json(results))}", file=sys.stderr
        )
    return 0 if all(r.ok for r in results) else 1


def _results_page(args: argparse.Namespace) -> int:
    from fate_numeric.archive import REPOSITORY_ARCHIVE
    from verify.report import ReportFormatError, load_report
    from verify.results_page import load_timings, write_results_page

    _check_outputs(args, ("out",))
    try:
        report = load_report(args.report)
        timings = load_timings(Path(args.timings)) if args.timings else None
        dimensions = Path(args.dimensions).read_text() if args.dimensions else None
    except (OSError, ValueError, ReportFormatError) as error:
        raise InvalidArgumentError(str(error)) from None
    manifest_path = REPOSITORY_ARCHIVE / "paper" / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    written = write_results_page(report, timings, manifest, Path(args.out), dimensions)
    print(f"wrote {written}", file=sys.stderr)
    return 0


def _write_line(text: str) -> None:
    """One line on stderr, kept apart from a progress bar there."""
    from tqdm import tqdm

    tqdm.write(text, file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m verify", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the claims").set_defaults(handler=_list)
    for name, helptext in (("all", "check every claim"), ("run", "check the named claims")):
        command = commands.add_parser(name, help=helptext)
        if name == "run":
            command.add_argument("ids", nargs="+", metavar="ID", help="claim ids (see `list`)")
        command.add_argument("--profile", choices=("auto", "quick", "paper"), default="auto")
        command.add_argument("--device", default="auto", help="auto (default), cpu or cuda")
        command.add_argument("--seed", type=nonnegative_int, default=0)
        command.add_argument("--store", default=None, help="result store (default: user store)")
        command.add_argument("--json", default=None, metavar="PATH", help="canonical JSON report")
        command.add_argument("--markdown", default=None, metavar="PATH")
        command.add_argument("--junit", default=None, metavar="PATH")
        command.set_defaults(handler=_run)
    study = commands.add_parser(
        "dimensions", help="the ReLU claims at several profiles: the picture against d (a study)"
    )
    study.add_argument(
        "--profiles",
        nargs="+",
        default=None,
        metavar="NAME",
        help="ReLU profiles (default: quick ladder_d20 ladder_d40, minutes on a CPU; ladder_d100 "
        "takes about an hour there; on a GPU e.g. paper paper_d500)",
    )
    study.add_argument("--device", default="auto", help="auto (default), cpu or cuda")
    study.add_argument("--seed", type=nonnegative_int, default=0)
    study.add_argument("--store", default=None, help="result store (default: user store)")
    study.add_argument("--json", default=None, metavar="PATH")
    study.add_argument("--markdown", default=None, metavar="PATH")
    study.set_defaults(handler=_dimensions)
    again = commands.add_parser(
        "recheck", help="recompute random archived cells with today's code (1e-9 relative)"
    )
    again.add_argument("--cells", type=positive_int, default=3, help="how many cells (default 3)")
    again.add_argument("--seed", type=nonnegative_int, default=0, help="seed of the random choice")
    again.add_argument("--profile", default="paper", help="archive of this profile (default)")
    again.add_argument("--archive", default=None, help="an archive folder instead")
    again.add_argument(
        "--max-network-steps",
        type=positive_int,
        default=None,
        help="only cells whose stored instance-steps are at most this (cheap cells, for CI)",
    )
    again.add_argument("--device", default="auto", help="auto (default), cpu or cuda")
    again.add_argument("--json", default=None, metavar="PATH")
    again.set_defaults(handler=_recheck)
    page = commands.add_parser(
        "results-page", help="write docs/results.md from a report and the measured timings"
    )
    page.add_argument("--report", required=True, metavar="PATH", help="a `verify all --json` file")
    page.add_argument(
        "--timings", default=None, metavar="PATH", help="benchmarks/results/timings.json"
    )
    page.add_argument(
        "--dimensions", default=None, metavar="PATH", help="a `verify dimensions --markdown` file"
    )
    page.add_argument("--out", default="docs/results.md", metavar="PATH")
    page.set_defaults(handler=_results_page)
    return parser


def main(argv: list[str] | None = None) -> int:
    from fate_numeric.numerics import memory_budget_override

    args = parse(build_parser(), argv)
    if isinstance(args, int):  # argparse refused the input (or printed --help)
        return args
    try:
        memory_budget_override()  # a malformed $FATE_MEMORY_BUDGET is refused before any work
        with one_line_warnings(_write_line):
            return args.handler(args)
    except BrokenPipeError:  # the reader stopped early (`list | head`): nothing went wrong
        return reader_gone()
    except FateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished simulations are stored; rerun to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
