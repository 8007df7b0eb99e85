"""How the ReLU picture changes with the dimension: the Sec. 4 claims at several profiles.

Issue 6 asks whether the ReLU phase diagram keeps its picture at d = 500, beyond the paper's
d = 100. ``python -m verify dimensions`` runs the simulation claims of Sec. 4
(:mod:`verify.claims.relu`) at each profile named and tabulates, per profile, the numbers that make
the picture:

* the verdict of each claim (PASS / FAIL of its gated checks);
* pretraining: the centred kernel alignment with the source teacher at initialisation and after
  (mean over μ), and the largest ‖P⊥f_s‖²/‖f_s‖² on the student's neurons;
* ‖P⊥f_t‖²/‖f_t‖² on the source teacher's span at each removed fraction μ (Fig. 3d);
* the scratch power law A n^(−ν), ν with its bootstrap interval (Fig. 3e; the paper fits 1.18 at
  d = 100);
* per μ, the simulated sign change n* of T_lt and the predicted (A/‖P⊥f_t‖²)^(1/ν) on the source
  teacher's span (the grey circles);
* per μ, the n at which the linear-transfer risk is largest: the refit of the m output weights
  by the paper's gradient descent (the sweeps' default) peaks at the fewest samples on the CPU
  ladder; its closed-form end point, the minimum-norm fit (``relu_linear_transfer_min_norm``),
  peaks where n reaches the rank of the feature map (n = 8d = 0.8m for every μ), a band of
  negative transfer the descent does not have;
* T_lt at the two corners (fewest samples and smallest μ; most samples and largest μ) and the
  fraction of cells whose sign the power law predicts;
* the compute time the store records for the two sweeps.

Default profiles: the CPU ladder :data:`fate_numeric.relu_sweeps.LADDER` up to d = 40 (the
``quick`` hyper-parameters at d = 10, 20, 40; widths m = 10d, m* = d; n = d..16d), a few minutes
on two cores from an empty store; ``ladder_d100`` (the paper's m and m*) adds about an hour
there (its pretraining alone is 20 000 population steps). On a GPU, ``--profiles paper
paper_d500`` answers the issue's question at the paper's hyper-parameters. This is a study, not a
gate: the exit status is 0 whatever the verdicts (2 on bad input, 130 when interrupted; finished
simulations are stored).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from derivations.errors import InvalidArgumentError
from fate_numeric import service
from fate_numeric.relu_sweeps import RELU_PROFILES
from verify.claims import Context, relu, select
from verify.runner import run_claims

CLAIMS = (
    "relu-pretraining-features",
    "relu-out-of-span-growth",
    "relu-scratch-power-law",
    "relu-transfer-boundary",
    "relu-phase-sign",
)
SWEEPS = ("relu_scratch", "relu_linear_transfer")  # what the claims read
DEFAULT_PROFILES = ("quick", "ladder_d20", "ladder_d40")  # the CPU ladder but its longest rung


@dataclass(frozen=True)
class Boundary:
    """The negative-transfer boundary at one μ: simulated (with the kind of sign change, see
    :func:`fate_numeric.relu_analysis.sign_change`) and predicted on the source teacher's span."""

    removed: float
    simulated: float
    kind: str
    predicted: float


@dataclass(frozen=True)
class DimensionRow:
    """The picture at one profile (module docstring)."""

    profile: str
    d: int
    width: int
    teacher_width: int
    instances: int
    sample_sizes: tuple[int, ...]
    outcomes: dict[str, str]
    alignment_init: float
    alignment_trained: float
    source_outside: float
    target_outside: dict[float, float]
    exponent: float
    exponent_interval: tuple[float, float]
    amplitude: float
    boundaries: tuple[Boundary, ...]
    transfer_peaks: dict[float, int]
    corners: tuple[tuple[float, int, float, float], ...]
    sign_agreement: float
    seconds: float


def summarise(ctx: Context) -> DimensionRow:
    """Run the claims at ``ctx.profile`` (simulating what the store lacks) and tabulate them."""
    profile = RELU_PROFILES[ctx.profile]
    results = run_claims(select(list(CLAIMS)), ctx)
    diagnostics = relu.per_fraction(ctx)
    sizes, _, fit = relu.scratch_fit(ctx)
    grid = relu.transfer_grid(ctx)
    transfer_risks = {
        (cell.removed, cell.n): arrays["risk"]
        for cell, arrays in relu.relu_sweep(ctx, "relu_linear_transfer")
    }
    fractions = sorted(diagnostics)
    corners = ((fractions[0], sizes[0]), (fractions[-1], sizes[-1]))
    return DimensionRow(
        profile=profile.name,
        d=profile.d,
        width=profile.width,
        teacher_width=profile.teacher_width,
        instances=profile.instances,
        sample_sizes=tuple(sizes),
        outcomes={result.id: result.outcome.value for result in results},
        alignment_init=float(np.mean([a["alignment_init"][0] for a in diagnostics.values()])),
        alignment_trained=float(np.mean([a["alignment_trained"][0] for a in diagnostics.values()])),
        source_outside=max(
            float(a["source_out_of_span_student"][0] / a["source_norm"][0])
            for a in diagnostics.values()
        ),
        target_outside={
            removed: float(a["out_of_span_source"][0] / a["target_norm"][0])
            for removed, a in sorted(diagnostics.items())
        },
        exponent=fit.exponent,
        exponent_interval=fit.exponent_interval,
        amplitude=fit.amplitude,
        boundaries=tuple(
            Boundary(removed, crossing.n, crossing.kind, predictions[0])
            for removed, (crossing, predictions) in relu.boundaries(ctx).items()
        ),
        transfer_peaks={
            removed: max(sizes, key=lambda n, m=removed: float(np.mean(transfer_risks[(m, n)])))
            for removed in fractions
        },
        corners=tuple((removed, n, *grid[(removed, n)]) for removed, n in corners),
        sign_agreement=relu.sign_agreement(ctx, "out_of_span_source"),
        seconds=service.stored_seconds(
            [c for name in SWEEPS for c in service.cells_of(name, ctx.profile, seed=ctx.seed)],
            ctx.store,
        ),
    )


def study(
    profiles: list[str] | None,
    make_context: Callable[[str], Context],
    progress: Callable[[str], None] | None = None,
) -> list[DimensionRow]:
    """:func:`summarise` at each profile, in the order given (``None``: ``DEFAULT_PROFILES``)."""
    profiles = list(DEFAULT_PROFILES) if profiles is None else profiles
    unknown = [name for name in profiles if name not in RELU_PROFILES]
    if unknown:
        raise InvalidArgumentError(
            f"unknown ReLU profile(s) {', '.join(unknown)}; the profiles are "
            f"{', '.join(RELU_PROFILES)}"
        )
    rows = []
    for name in profiles:
        if progress:
            progress(name)
        rows.append(summarise(make_context(name)))
    return rows


# ---- rendering -----------------------------------------------------------------------------------
def _g(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}" if math.isfinite(value) else str(value)


def _verdicts(row: DimensionRow) -> str:
    """``3/5 PASS; 2 NOT-JUDGED; FAIL: ...``: how many claims passed, how many had their headline
    reported but not gated at this profile, and which failed."""
    outcomes = row.outcomes.items()
    passed = sum(outcome == "PASS" for _, outcome in outcomes)
    unjudged = sum(outcome == "NOT-JUDGED" for _, outcome in outcomes)
    failed = [claim for claim, outcome in outcomes if outcome not in ("PASS", "NOT-JUDGED")]
    text = f"{passed}/{len(row.outcomes)} PASS"
    if unjudged:
        text += f"; {unjudged} NOT-JUDGED"
    return text + (f"; FAIL: {', '.join(failed)}" if failed else "")


_CROSSING = {"crossing": "", "always_negative": "≤", "always_positive": "≥"}


def _boundary(boundary: Boundary | None) -> str:
    if boundary is None:
        return ""
    simulated = _CROSSING[boundary.kind] + _g(boundary.simulated)
    return f"{simulated} / {_g(boundary.predicted)}"


def table_rows(rows: list[DimensionRow]) -> list[list[str]]:
    """The study as a table: a header (quantity, one column per profile), then one line per
    quantity."""
    fractions = sorted({removed for row in rows for removed in row.target_outside})
    lines = [["", *(row.profile for row in rows)]]

    def line(label: str, cell: Callable[[DimensionRow], str]) -> None:
        lines.append([label, *(cell(row) for row in rows)])

    line("d, m, m*, instances", lambda r: f"{r.d}, {r.width}, {r.teacher_width}, {r.instances}")
    line("n", lambda r: f"{r.sample_sizes[0]}…{r.sample_sizes[-1]}")
    line("claims", _verdicts)
    line(
        "kernel alignment with f_s: init → trained (mean over μ)",
        lambda r: f"{r.alignment_init:.2f} → {r.alignment_trained:.2f}",
    )
    line("largest ‖P⊥f_s‖²/‖f_s‖² (student's span)", lambda r: _g(r.source_outside, 2))
    for removed in fractions:
        line(
            f"‖P⊥f_t‖²/‖f_t‖² at μ = {removed:g} (source span)",
            lambda r, m=removed: _g(r.target_outside[m]) if m in r.target_outside else "",
        )
    line(
        "ν [95 % interval] (paper: 1.18 at d = 100)",
        lambda r: f"{r.exponent:.2f} [{r.exponent_interval[0]:.2f}, {r.exponent_interval[1]:.2f}]",
    )
    line("A", lambda r: _g(r.amplitude))
    for removed in fractions:
        line(
            f"n* at μ = {removed:g}: simulated / predicted",
            lambda r, m=removed: _boundary(next((b for b in r.boundaries if b.removed == m), None)),
        )
    line(
        "n of the largest linear-transfer risk, per μ",
        lambda r: ", ".join(str(r.transfer_peaks[m]) for m in sorted(r.transfer_peaks)),
    )
    for index, corner in enumerate(("fewest samples, smallest μ", "most samples, largest μ")):
        line(
            f"T_lt ± SE, {corner}",
            lambda r, k=index: f"{r.corners[k][2]:+.2g} ± {r.corners[k][3]:.1g}",
        )
    line("cells with the predicted sign", lambda r: f"{r.sign_agreement:.0%}")
    line("compute time (store)", lambda r: f"{r.seconds:.0f} s")
    return lines


def to_markdown(rows: list[DimensionRow], device: str) -> str:
    table = table_rows(rows)
    out = [
        "# The ReLU picture against the dimension",
        "",
        f"Device: {device}. n* columns: simulated sign change of T_lt (≤: negative already at the "
        "smallest n; ≥: still positive at the largest) / predicted (A/‖P⊥f_t‖²)^(1/ν) on the "
        "source teacher's span.",
        "",
        "| " + " | ".join(table[0]) + " |",
        "|" + "---|" * len(table[0]),
    ]
    out += ["| " + " | ".join(line) + " |" for line in table[1:]]
    return "\n".join(out) + "\n"


def to_text(rows: list[DimensionRow]) -> str:
    table = table_rows(rows)
    widths = [max(len(line[k]) for line in table) for k in range(len(table[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    )


def to_json_dict(rows: list[DimensionRow], device: str, seconds: float) -> dict:
    return {
        "device": device,
        "seconds": seconds,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rows": [
            asdict(row)
            | {
                "target_outside": list(row.target_outside.items()),
                "transfer_peaks": list(row.transfer_peaks.items()),
            }
            for row in rows
        ],
    }


def print_progress(name: str) -> None:
    print(f"dimensions: profile {name} (simulating what the store lacks)", file=sys.stderr)
