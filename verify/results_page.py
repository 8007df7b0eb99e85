"""``docs/results.md``: the page of measured numbers, written from reports, never typed.

The README and the guide state no measurement; they point here. This module writes the page from
three sources, each produced by a command:

* the timings of the commands a user runs (``benchmarks/time_commands.py`` measures them and
  writes ``benchmarks/results/timings.json``: command, wall time, exit status, machine, commit);
* a verification report (``python -m verify all --json PATH``): the verdict and one row per claim;
* the paper-scale archive's manifest (``archive/paper/manifest.json``): which sweeps are stored at
  d = 500, how many cells, the compute they took and where;
* optionally the ReLU study against d (``python -m verify dimensions --markdown PATH``), its table
  embedded as that command wrote it.

``python -m verify results-page --report R --timings T --out docs/results.md`` writes it.
"""

from __future__ import annotations

import json
from pathlib import Path

from verify.report import (
    _counts_text,
    _fmt_duration,
    _fmt_seconds,
    _md_code,
    _md_table,
    _md_tiers,
    _outcome,
    _verdict,
    write_text_atomic,
)

#: The format tag of ``timings.json`` (:mod:`benchmarks.time_commands` writes it).
TIMINGS_FORMAT = "features-are-fate command timings, version 1"


def _status(status: int | None) -> str:
    if status is None:
        return "not run"
    return "ok" if status == 0 else f"exit status {status}"


def _timings_section(timings: dict) -> list[str]:
    rows = [
        [
            _md_code(entry["name"]),
            _md_code(entry["command"]),
            "—" if entry["seconds"] is None else _fmt_duration(entry["seconds"]),
            _status(entry["status"]),
            entry.get("note", ""),
        ]
        for entry in timings["commands"]
    ]
    return [
        "## Timings",
        "",
        f"Measured by `python benchmarks/time_commands.py` on {timings['machine']} "
        f"(device {timings['device']}), {timings['created']}, commit "
        f"`{timings['commit'][:12]}`; one run each, wall-clock time. Machines are shared: "
        "repeat the command for your own numbers.",
        "",
        *_md_table(["What", "Command", "Time", "Status", "Conditions"], rows),
        "",
    ]


def _report_section(report: dict) -> list[str]:
    rows = [
        [
            _md_code(str(claim.get("id", "?"))),
            claim.get("title", ""),
            _outcome(claim),
            _md_tiers(claim),
            _fmt_seconds(claim.get("seconds")),
        ]
        for claim in report["claims"]
    ]
    return [
        "## The latest verification",
        "",
        f"`python -m verify all` at the `{report.get('profile', '?')}` profile on "
        f"{report.get('device', '?')}, seed {report.get('seed', '?')}, {report.get('created', '?')}"
        f", {_fmt_duration(report.get('seconds'))}.",
        "",
        f"**Verdict: {_verdict(report)}** — {_counts_text(report)}.",
        "",
        "Tiers: sym = symbolic, prec = precision (mpmath), mc = Monte Carlo, sim = simulation, "
        "sim500 = simulation at d = 500 read from the archive; ✓ pass, ✗ fail, ≈ expected "
        "deviation (erratum confirmed), ∅ skipped, ? headline not judged at this scale, ≠ a "
        "number of the authors not reproduced. Every number behind each row is in the "
        "report itself (`--markdown`, `--json`).",
        "",
        *_md_table(["Claim", "Title", "Outcome", "Tiers", "Time"], rows),
        "",
    ]


def _archive_section(manifest: dict) -> list[str]:
    rows = []
    for name, entry in manifest.get("sweeps", {}).items():
        devices = ", ".join(sorted(set(entry.get("devices", [])))) or "?"
        machines = ", ".join(
            sorted({f"{m.get('cpu_count', '?')} cores" for m in entry.get("machines", [])})
        )
        extension = " (extension beyond the paper)" if entry.get("extension") else ""
        rows.append(
            [
                _md_code(name) + extension,
                str(len(entry.get("cells", []))),
                f"{entry.get('compute_seconds', float('nan')) / 3600:.2f} h",
                f"{devices} ({machines})" if machines else devices,
                ", ".join(f"`{c[:12]}`" for c in entry.get("commits", [])),
            ]
        )
    return [
        "## Paper-scale sweeps in the archive (d = 500)",
        "",
        "From `archive/paper/manifest.json`: compute is worker-seconds summed over the batches "
        "(the paper's sweeps ran on dask workers, one per core); an extension's commit ending in "
        "`+dirty` ran from a tree with uncommitted changes.",
        "",
        *_md_table(["Sweep", "Cells", "Compute", "Device", "Commits"], rows),
        "",
    ]


def _dimensions_section(markdown: str) -> list[str]:
    body = markdown.splitlines()
    if body and body[0].startswith("# "):  # the study's own title becomes this section's
        body = body[1:]
    return [
        "## The ReLU picture against the dimension",
        "",
        "`python -m verify dimensions` (the ReLU claims side by side at the CPU ladder; a study, "
        "not a gate), as it wrote its table:",
        *body,
        "",
    ]


def results_page(
    report: dict, timings: dict | None, manifest: dict | None, dimensions: str | None = None
) -> str:
    """The Markdown of ``docs/results.md`` from a verification report, the command timings, the
    archive's manifest and the Markdown of a ``verify dimensions`` study (the last three may be
    missing: the timings section then says so, the others are left out)."""
    lines = [
        "# Measured results",
        "",
        "Written by `python -m verify results-page` from the files named in each section; do not "
        "edit by hand (rerun `python benchmarks/time_commands.py`, which measures the commands "
        "and rewrites this page).",
        "",
    ]
    if timings is not None:
        lines += _timings_section(timings)
    else:
        lines += ["## Timings", "", "Not measured on this checkout (no timings file).", ""]
    lines += _report_section(report)
    if manifest is not None:
        lines += _archive_section(manifest)
    if dimensions is not None:
        lines += _dimensions_section(dimensions)
    return "\n".join(lines)


def load_timings(path: Path) -> dict:
    """``timings.json`` as written by ``benchmarks/time_commands.py``; ValueError if it is not."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != TIMINGS_FORMAT:
        raise ValueError(f"{str(path)!r} is not a timings file ({TIMINGS_FORMAT!r})")
    return data


def write_results_page(
    report: dict,
    timings: dict | None,
    manifest: dict | None,
    out: Path,
    dimensions: str | None = None,
) -> Path:
    """Write :func:`results_page` to ``out`` atomically."""
    return write_text_atomic(Path(out), results_page(report, timings, manifest, dimensions))
