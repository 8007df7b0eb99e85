"""``python -m paper_figures all | list | explorer | NAME ... [--profile PROFILE] [--out DIR]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from derivations.errors import FateError
from paper_figures.core import FIGURE_PROFILES, Context, FigureError, MissingSimulationError
from paper_figures.registry import figures, select


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m paper_figures",
        description="Regenerate the paper's figures from the theory evaluators and the stored "
        "simulations.",
    )
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="all|list|explorer|NAME",
        help="'all', 'list', 'explorer' (the interactive page DIR/explorer.html) or figure names",
    )
    parser.add_argument(
        "--profile",
        choices=FIGURE_PROFILES,
        default="quick",
        help="quick, paper, or paper_d500 (Figure 3 at d = 500 only)",
    )
    parser.add_argument("--out", type=Path, default=Path("out/figures"), help="output folder")
    parser.add_argument(
        "--no-simulate",
        action="store_true",
        help="do not run missing simulations; print the sweep commands that produce them",
    )
    parser.add_argument(
        "--precision",
        choices=("float64", "float32"),
        default="float64",
        help="training precision of the linear sweeps drawn (float32: see "
        "benchmarks/precision_agreement.py)",
    )
    parser.add_argument("--store", type=Path, default=None, help="result store folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda[:index]")
    return parser


def _list() -> int:
    for figure in figures():
        sweeps = ", ".join(figure.sweeps) or "theory only"
        print(f"{figure.name:<22} {figure.reference:<40} {figure.title}  [{sweeps}]")
    return 0


def _explorer(out: Path) -> int:
    from paper_figures.explorer import build
    from paper_figures.render import prepare_output

    print(build(prepare_output(out), log=lambda line: print(line, file=sys.stderr, flush=True)))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.targets == ["list"]:
            return _list()
        if "explorer" in args.targets:
            if args.targets != ["explorer"]:
                raise FigureError("'explorer' is a target of its own: run it without figure names")
            return _explorer(args.out)
        chosen = select(args.targets)
        if args.targets == ["all"]:
            chosen = [figure for figure in chosen if figure.drawable_at(args.profile)]
        cannot = [figure.name for figure in chosen if not figure.drawable_at(args.profile)]
        if cannot:
            drawable = [figure.name for figure in figures() if figure.drawable_at(args.profile)]
            raise FigureError(
                f"{', '.join(cannot)} cannot be drawn at the {args.profile} profile, a ReLU grid "
                f"only; it draws {', '.join(drawable)}"
            )
        from fate_numeric.archive import with_repository_archive
        from fate_numeric.numerics import describe_device, resolve_device
        from fate_numeric.store import ResultStore, default_store
        from paper_figures.render import prepare_output, render, write_index

        out = prepare_output(args.out)
        device = resolve_device(args.device)
        store = ResultStore(args.store) if args.store else default_store()
        store = with_repository_archive(store, args.profile)  # archived sweeps: no recompute
        ctx = Context(
            profile=args.profile,
            store=store,
            device=device,
            seed=args.seed,
            simulate=not args.no_simulate,
            precision=args.precision,
        )
        started = time.perf_counter()
        made_count, commands, costs = 0, {}, {}
        for figure in chosen:
            try:
                if args.no_simulate:
                    absent = ctx.missing_sweeps(dict.fromkeys(figure.sweeps))
                    if absent:
                        raise MissingSimulationError(
                            f"the store {store.root} lacks cells of {', '.join(absent)}",
                            [ctx.sweep_command(name) for name in absent],
                            {ctx.sweep_command(n): ctx.sweep_cost(n).describe() for n in absent},
                        )
                print(f"{figure.name}: {figure.title} ...", file=sys.stderr, flush=True)
                made = render(figure, ctx, out, describe_device(device))
            except MissingSimulationError as missing:  # --no-simulate: the others still render
                print(f"{figure.name}: skipped, {missing}", file=sys.stderr, flush=True)
                commands.update(dict.fromkeys(missing.commands))
                costs.update(missing.costs)
                continue
            made_count += 1
            print(f"  {len(made.files)} files in {made.seconds:.1f} s", file=sys.stderr, flush=True)
        index = write_index(out, [f.name for f in figures()])
        print(
            f"{made_count} of {len(chosen)} figure(s) in {time.perf_counter() - started:.1f} s; "
            f"index {index}",
            file=sys.stderr,
        )
        if commands:
            raise MissingSimulationError(
                f"{len(chosen) - made_count} figure(s) need simulations that are not stored "
                f"({args.profile} profile); produce them with",
                commands,
                costs,
            )
        return 0
    except FigureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if not isinstance(exc, MissingSimulationError) else 3
    except FateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
