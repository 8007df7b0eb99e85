"""Time the commands a user runs, as a new user would meet them, and rewrite docs/results.md.

    python benchmarks/time_commands.py [--skip-tests] [--out benchmarks/results/timings.json]

Runs, one after the other in fresh temporary folders (an empty result store and an empty
derivation cache, as on a fresh machine; the repository's archive of d = 500 sweeps is read as it
always is):

1. ``python -m verify all`` from an empty store and cache (what ``make run`` does on first use);
2. the same again, with the store and cache it filled;
3. ``python -m paper_figures all --profile quick`` with that store (simulating what is missing);
4. ``python -m verify dimensions`` (the ReLU study at the CPU ladder, embedded in the page);
5. every other command of the README's tour (its ``bash`` blocks), outputs into the temporary
   folder: the d = 500 sweep stopped by ``--stop-after`` (its full compute is in the archive's
   manifest, which the page shows), the archive command not run (it rewrites the repository's
   archive; ``tests/fate_numeric`` runs it on a temporary archive);
6. the README's test command (``make test``: lint and the test suite), unless ``--skip-tests``.

Each is timed by the wall clock, once (the machine is what it is: shared machines are noisy, so
the page says so). The timings, the machine, the device and the commit go to ``timings.json``;
then ``python -m verify results-page`` writes ``docs/results.md`` from them, the report of run 2
and the archive's manifest. Exit status 1 if a command failed (the page still records it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from fate_numeric.numerics import describe_device, resolve_device  # noqa: E402
from fate_numeric.provenance import git_commit, machine_description  # noqa: E402
from verify.report import write_text_atomic  # noqa: E402
from verify.results_page import TIMINGS_FORMAT  # noqa: E402


def _timed(name: str, command: list[str], env: dict, note: str) -> dict:
    """Run ``command`` in the repository root; its name, text, wall time, status and note."""
    print(f"[time_commands] {name}: {' '.join(command)}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    status = subprocess.run(command, cwd=REPOSITORY, env=env, check=False).returncode
    seconds = time.perf_counter() - start
    print(f"[time_commands] {name}: {seconds:.1f} s, exit status {status}", file=sys.stderr)
    shown = " ".join("python" if part == sys.executable else part for part in command)
    return {
        "name": name,
        "command": shown,
        "seconds": round(seconds, 1),
        "status": status,
        "note": note,
    }


#: Tour commands that are not run as printed, and what is run or said instead.
SWEEP_SECONDS = 60
NOT_AS_PRINTED = {
    "fate_numeric sweep": (
        ["--stop-after", str(SWEEP_SECONDS)],
        f"stopped by --stop-after {SWEEP_SECONDS} (every started batch saved; a rerun carries on): "
        "the sweep's full compute is in the archive table below",
    ),
}
NOT_RUN = {
    "fate_numeric archive": "not run here: it rewrites the repository's archive/paper "
    "(tests/fate_numeric run it on a temporary archive)",
}


def readme_commands(readme: Path) -> list[str]:
    """The commands of the README's ``bash`` blocks (continuation lines joined, comments cut),
    except the two ``make`` commands, which are timed on their own."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", readme.read_text(encoding="utf-8"), re.S):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            command = line.split("#", 1)[0].strip()
            if command and not command.startswith("make "):
                commands.append(" ".join(command.split()))
    return commands


def _tour(folder: Path, env: dict) -> list[dict]:
    """Each README tour command, timed, with its outputs in ``folder``."""
    runs = []
    for printed in readme_commands(REPOSITORY / "README.md"):
        words = shlex.split(printed.replace("out/", f"{folder}/out/"))
        words = [str(folder / "tour-store") if w == "DIR" else w for w in words]
        if words[0].endswith("python"):
            words[0] = sys.executable
        what = " ".join(words[2:4]) if words[1:2] == ["-m"] else words[0]
        if what in NOT_RUN:
            runs.append(
                {
                    "name": "README",
                    "command": printed,
                    "seconds": None,
                    "status": None,
                    "note": NOT_RUN[what],
                }
            )
            continue
        extra, note = NOT_AS_PRINTED.get(what, ([], "as printed in the README's tour"))
        run = _timed("README", words + extra, env, note)
        run["command"] = printed + (" " + " ".join(extra) if extra else "")
        runs.append(run)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-tests", action="store_true", help="do not time `make test`")
    parser.add_argument(
        "--out", default=str(REPOSITORY / "benchmarks" / "results" / "timings.json")
    )
    parser.add_argument("--page", default=str(REPOSITORY / "docs" / "results.md"))
    args = parser.parse_args(argv)

    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="fate-timings-") as scratch:
        folder = Path(scratch)
        env = {
            **os.environ,
            "FATE_STORE_DIR": str(folder / "store"),
            "FATE_CACHE_DIR": str(folder / "cache"),
        }
        env.pop("FATE_NO_CACHE", None)
        report = folder / "verify.json"
        runs = [
            _timed(
                "verify all, fresh",
                [python, "-m", "verify", "all", "--json", str(folder / "first.json")],
                env,
                "empty result store and derivation cache (a fresh machine's first `make run`)",
            ),
            _timed(
                "verify all, filled",
                [python, "-m", "verify", "all", "--json", str(report)],
                env,
                "the store and cache the first run filled",
            ),
            _timed(
                "figures",
                [
                    python,
                    "-m",
                    "paper_figures",
                    "all",
                    "--profile",
                    "quick",
                    "--out",
                    str(folder / "figures"),
                ],
                env,
                "quick profile, the store of the runs above (missing sweeps simulated)",
            ),
        ]
        runs.append(
            _timed(
                "ReLU against d",
                [python, "-m", "verify", "dimensions", "--markdown", str(folder / "dims.md")],
                env,
                "the default CPU ladder d = 10, 20, 40 (a study, not a gate)",
            )
        )
        runs += _tour(folder, env)
        if not args.skip_tests:
            runs.append(_timed("make test", ["make", "test"], env, "ruff, then the test suite"))
        for run in runs:  # the temporary folder is gone once this returns: name it as such
            run["command"] = run["command"].replace(scratch, "$TMP")
        timings = {
            "format": TIMINGS_FORMAT,
            "created": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git_commit(),
            "machine": machine_description(),
            "device": describe_device(resolve_device("auto")),
            "commands": runs,
        }
        out = write_text_atomic(Path(args.out), json.dumps(timings, indent=2) + "\n")
        print(f"wrote {out}", file=sys.stderr)
        source = report if report.exists() else folder / "first.json"
        page = subprocess.run(
            [
                python,
                "-m",
                "verify",
                "results-page",
                "--report",
                str(source),
                "--timings",
                str(out),
                "--out",
                args.page,
                *(
                    ["--dimensions", str(folder / "dims.md")]
                    if (folder / "dims.md").exists()
                    else []
                ),
            ],
            cwd=REPOSITORY,
            env=env,
            check=False,
        ).returncode
    return 1 if page or any(run["status"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
