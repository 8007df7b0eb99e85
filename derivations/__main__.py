"""Command line of the derivations: ``python -m derivations list | show | explain | eval | ...``.

* ``list``: every derived result with its paper reference and regime.
* ``show NAME``: one result, its assumptions and its derivation step by step.
* ``explain NAME [--format unicode|markdown|latex]``: the derivation with every step re-checked
  by SymPy (:mod:`derivations.explain`); exit status 1 if a check fails. ``explain --all``
  checks every result and prints a table.
* ``eval NAME key=value ...``: the hand calculation of a result (:mod:`derivations.evaluate`):
  values are read safely and checked against the result's ranges (:mod:`derivations.domains`),
  and an evaluation that takes longer than :data:`EVAL_SECONDS` is stopped.
* ``check``: every result against the formula the paper prints (exit status 1 on a FAIL).
* ``export --latex DIR [--pdf]``: one ``.tex`` per result, ``main.tex`` that inputs them, and
  ``lecture_notes.tex``, one standalone document with every derivation in the paper's order,
  numbered with the paper's equations, errata marked and every step's check; ``--pdf`` builds
  ``lecture_notes.pdf`` with latexmk or pdflatex.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

import sympy as sp

from derivations.cache import cache_dir
from derivations.cli import (
    Parser,
    check_writable_folder,
    nonnegative_int,
    parse,
    reader_gone,
    time_limit,
)
from derivations.display import for_display, source_legend
from derivations.errors import FateError, InvalidArgumentError
from derivations.paper import PRINTED
from derivations.registry import all_results, get
from derivations.table import layout, paragraph, table, terminal_width


def _pretty(expr: sp.Basic, full: bool, indent: str = "      ") -> str:
    shown = for_display(expr, full=full)
    return textwrap.indent(sp.pretty(shown, use_unicode=True, wrap_line=False), indent)


#: Wall-time limit of one ``eval`` (seconds): SymPy/mpmath on extreme values can take very long.
EVAL_SECONDS = 60


def _list(_: argparse.Namespace) -> int:
    results = all_results()
    rows = [(r.name, r.reference, r.regime.value, r.title) for r in results.values()]
    lines = table(
        rows, header=("name", "reference", "regime", "title"), wrap=(1, 3), width=terminal_width()
    )
    print("\n".join(lines))
    print(f"\n{len(results)} results. `python -m derivations show NAME` prints a derivation.")
    return 0


def _show(args: argparse.Namespace) -> int:
    result = get(args.name)
    print(f"{result.title}  [{result.name}]")
    print(f"  reference: {result.reference}")
    print(f"  regime:    {result.regime.value}")
    print("  assumptions:")
    for assumption in result.assumptions:
        print(f"    - {assumption}")
    print("  derivation:")
    for number, step in enumerate(result.steps, start=1):
        print(f"    {number}. {step.why}")
        print(_pretty(step.expr, args.full))
    print("  result:")
    print(_pretty(result.expr, args.full))
    if result.printed:
        printed = PRINTED[result.printed]
        print(f"  as printed in the paper ({printed.equation}; source: {printed.source}):")
        print(_pretty(printed.expr, args.full))
        if printed.erratum:
            print(f"  erratum: {printed.erratum}")
    if result.notes:
        print(f"  notes: {result.notes}")
    cited = " ".join([result.reference, result.notes, *result.assumptions])
    if result.printed:
        cited += " " + PRINTED[result.printed].source
    legend = source_legend(cited)
    if legend:
        print("  sources (docs/paper.md §1.3):")
        for line in legend:
            print("\n".join(paragraph(line, 4, terminal_width(), hanging=2)))
    return 0


def _explain(args: argparse.Namespace) -> int:
    from derivations import explain

    if args.all:
        return _explain_all(explain)
    if args.name is None:
        raise InvalidArgumentError("give a result NAME (see `list`) or --all")
    result = get(args.name)
    checks = explain.checked(result.name)
    print(explain.render(result, checks, args.format), end="")
    return 1 if any(c.verdict is explain.Verdict.FAILED for c in checks) else 0


def _explain_all(explain) -> int:
    start = time.perf_counter()
    results = all_results()
    width = max(len(name) for name in results)
    print(f"{'result':<{width}}  steps  confirmed  unchecked  failed")
    failed = []
    totals = dict.fromkeys(explain.Verdict, 0)
    for name in results:
        checks = explain.checked(name)
        counts = explain.tally(checks)
        for verdict, count in counts.items():
            totals[verdict] += count
        print(
            f"{name:<{width}}  {len(checks):>5}  {counts[explain.Verdict.CONFIRMED]:>9}  "
            f"{counts[explain.Verdict.UNCHECKED]:>9}  {counts[explain.Verdict.FAILED]:>6}"
        )
        failed += [(name, c) for c in checks if c.verdict is explain.Verdict.FAILED]
    for name, c in failed:
        print(f"FAILED {name} step {c.number}: {c.detail}")
    total = sum(totals.values())
    print(
        f"\n{total} steps in {len(results)} results: {totals[explain.Verdict.CONFIRMED]} confirmed "
        f"by SymPy, {totals[explain.Verdict.UNCHECKED]} not machine-checked (argued in words), "
        f"{totals[explain.Verdict.FAILED]} failed ({time.perf_counter() - start:.1f} s)"
    )
    return 1 if failed else 0


def _eval(args: argparse.Namespace) -> int:
    from derivations.evaluate import hand_calculation, parse_assignments, render

    result = get(args.name)
    values = parse_assignments(result, args.values)
    try:
        with time_limit(EVAL_SECONDS, f"evaluating {result.name} at these values"):
            text = render(hand_calculation(result, values))
    except FateError:
        raise
    except (ArithmeticError, TypeError, ValueError) as error:  # SymPy/mpmath gave up
        raise InvalidArgumentError(
            f"cannot evaluate {result.name} at these values ({type(error).__name__}: {error})"
        ) from None
    print(text, end="")
    return 0


def _check(args: argparse.Namespace) -> int:
    from derivations.consistency import check_all

    start = time.perf_counter()
    rows = check_all(seed=args.seed)
    width = terminal_width()
    print(f"Derived results against the paper's printed formulas (probe seed {args.seed})\n")
    cells = []
    for row in rows:
        symbolic = {True: "0", False: "nonzero", None: "n/a"}[row.equivalence.symbolic]
        probe = f"{row.equivalence.probe_points} pts, {row.equivalence.max_relative_error:.0e}"
        cells.append((row.result, row.equation, symbolic, probe, row.outcome))
    laid = layout(
        cells, header=("result", "paper", "simplify", "probe", "outcome"), wrap=(1,), width=width
    )
    print("\n".join(laid.header))
    for row, lines in zip(rows, laid.rows, strict=True):
        print("\n".join(lines))
        if row.erratum:
            label = "erratum confirmed" if row.outcome == "EXPECTED-DEVIATION" else "known erratum"
            print("\n".join(paragraph(f"{label}: {row.erratum}", laid.offset(1), width)))
    failed = [r for r in rows if r.outcome == "FAIL"]
    counts = {o: sum(r.outcome == o for r in rows) for o in ("PASS", "EXPECTED-DEVIATION", "FAIL")}
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(
        f"\n{summary} in {time.perf_counter() - start:.1f} s (probe: 50-digit evaluation; "
        "a relative difference below 1e-40 counts as equal)"
    )
    print(
        "verdict:",
        "FAILED" if failed else "all derivations agree with the paper or its known errata",
    )
    return 1 if failed else 0


def _export(args: argparse.Namespace) -> int:
    from derivations.latex import compile_pdf, export
    from derivations.notes import write_lecture_notes

    folder = check_writable_folder(Path(args.latex), "the LaTeX folder (--latex)")
    main, unknown = export(all_results().values(), folder)
    print(f"wrote {len(all_results())} result files and {main}")
    notes, more_unknown, summary = write_lecture_notes(folder)
    unknown |= more_unknown
    print(f"wrote {notes} ({summary})")
    if unknown:
        print(
            f"warning: characters without a LaTeX translation: {''.join(sorted(unknown))}",
            file=sys.stderr,
        )
    if args.pdf:
        pdf = compile_pdf(notes)
        print(f"compiled {pdf}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = Parser(
        prog="python -m derivations",
        description="SymPy re-derivations of 'Features are fate' (Tahir, Ganguli, Rotskoff).",
        epilog=f"Derivations are cached in {cache_dir()} (FATE_NO_CACHE=1 disables the cache).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list every derived result").set_defaults(run=_list)
    show = commands.add_parser("show", help="print one result and its derivation")
    show.add_argument("name", help="result name, as given by `list`")
    show.add_argument("--full", action="store_true", help="print huge expressions in full too")
    show.set_defaults(run=_show)
    explain = commands.add_parser(
        "explain", help="a derivation step by step, every step re-checked by SymPy"
    )
    explain.add_argument("name", nargs="?", help="result name, as given by `list`")
    explain.add_argument(
        "--format", choices=("unicode", "markdown", "latex"), default="unicode", help="output"
    )
    explain.add_argument("--all", action="store_true", help="check every result; print a table")
    explain.set_defaults(run=_explain)
    evaluate = commands.add_parser("eval", help="hand calculation: formula, values, number")
    evaluate.add_argument("name", help="result name, as given by `list`")
    evaluate.add_argument("values", nargs="*", metavar="key=value", help="e.g. gamma=0.5")
    evaluate.set_defaults(run=_eval)
    check = commands.add_parser("check", help="compare every result with the paper's formula")
    check.add_argument(
        "--seed", type=nonnegative_int, default=0, help="seed of the numeric probe (default 0)"
    )
    check.set_defaults(run=_check)
    export = commands.add_parser("export", help="write the derivations as LaTeX")
    export.add_argument("--latex", required=True, metavar="DIR", help="output folder")
    export.add_argument(
        "--pdf", action="store_true", help="also build lecture_notes.pdf (latexmk or pdflatex)"
    )
    export.set_defaults(run=_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parse(build_parser(), argv)
    if isinstance(args, int):  # argparse refused the input (or printed --help)
        return args
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader stopped early (`list | head`): nothing went wrong
        return reader_gone()
    except (FateError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
