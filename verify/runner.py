"""Running claims into a report."""

from __future__ import annotations

import datetime
import platform
import time
import traceback
from collections.abc import Callable
from dataclasses import replace

import mpmath
import numpy as np
import sympy
import torch

from verify.claims import Claim, Context, SkipTier
from verify.model import (
    Check,
    ClaimResult,
    Outcome,
    Report,
    TierResult,
    claim_outcome,
    tier_outcome,
)

#: The tier that runs a claim's simulation checks on the archived paper-scale sweeps.
ARCHIVED_TIER = "simulation_d500"


def _with_scale(checks: list[Check], cells: list, reference: str) -> list[Check]:
    """``checks`` with what they leave unsaid filled in: the dimension of the cells the tier
    read (where they share one), and the claim's ``reference`` as the formula behind
    ``predicted``."""
    dimensions = {cell.d for cell in cells}
    d = dimensions.pop() if len(dimensions) == 1 else None
    return [
        replace(
            c,
            d=c.d if c.d is not None else d,
            predicted_by=c.predicted_by or reference,
        )
        for c in checks
    ]


def _run_tier(name: str, check, ctx: Context, detail: str = "", reference: str = "") -> TierResult:
    """One tier; a tier that raises is a FAIL with the error as its detail."""
    tier_start = time.perf_counter()
    ctx.forget_cells()
    try:
        checks = _with_scale(check(ctx), ctx.cells_read(), reference)
        result = TierResult(name, tier_outcome(checks), checks, detail=detail)
    except SkipTier as reason:
        result = TierResult(name, Outcome.SKIP, detail=str(reason))
    except Exception as error:  # a crash must not hide the other claims
        lines = traceback.format_exception_only(type(error), error)
        result = TierResult(name, Outcome.FAIL, detail="error: " + "".join(lines).strip())
    result.seconds = time.perf_counter() - tier_start
    return result


def run_claim(claim: Claim, ctx: Context, archived: Context | None = None) -> ClaimResult:
    """Every tier of one claim, and, where ``archived`` is given and the claim reads only
    archivable sweeps, its simulation tier again on the archived paper-scale cells."""
    start = time.perf_counter()
    reference = claim.reference
    tiers = [_run_tier(name, check, ctx, "", reference) for name, check in claim.tiers.items()]
    if archived is not None and claim.archived and "simulation" in claim.tiers:
        simulation = claim.tiers["simulation"]
        tiers.append(_run_tier(ARCHIVED_TIER, simulation, archived, archived.source, reference))
    outcome = claim_outcome(tiers)
    judged = claim.headline_judged(ctx.profile)
    if not judged and outcome is Outcome.PASS:  # the headline is reported here, not gated
        outcome = Outcome.NOT_JUDGED
    return ClaimResult(
        claim.id,
        claim.title,
        claim.reference,
        outcome,
        tiers,
        claim.expected_deviation,
        time.perf_counter() - start,
        "" if judged else claim.not_judged,
        claim.authors_number if outcome is Outcome.UNREPRODUCED else "",
    )


def run_claims(
    claims: list[Claim],
    ctx: Context,
    progress: Callable[[Claim], None] | None = None,
    archived: Context | None = None,
) -> list[ClaimResult]:
    """Run ``claims`` in order; ``progress(claim)`` is called as each one finishes."""
    results = []
    for claim in claims:
        results.append(run_claim(claim, ctx, archived))
        if progress:
            progress(claim)
    return results


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("features-are-fate")
    except PackageNotFoundError:
        package = "unknown"
    return {
        "features-are-fate": package,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "sympy": sympy.__version__,
        "numpy": np.__version__,
        "mpmath": mpmath.__version__,
    }


def build_report(
    results: list[ClaimResult],
    ctx: Context,
    device: str,
    seconds: float,
    archived: Context | None = None,
) -> Report:
    return Report(
        results,
        ctx.profile,
        device,
        ctx.seed,
        versions(),
        seconds,
        datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        describe_scope(ctx, device, archived),
    )


def describe_scope(ctx: Context, device: str, archived: Context | None) -> list[str]:
    """What a run judged at which scale, and what it did not run, one sentence each: the linear
    networks simulated here, those read from the d = 500 archive, the ReLU students, the Monte
    Carlo draws, and the sizes left to a GPU."""
    from fate_numeric.relu_sweeps import RELU_PROFILES
    from fate_numeric.sweeps import PROFILES

    linear = PROFILES[ctx.profile]
    sizes = linear.sample_sizes()
    where = "simulated here (or read from the store)" if ctx.simulate else "read from the store"
    lines = [
        f"deep linear networks {where}: {ctx.profile} profile, d = {linear.d}, "
        f"{linear.instances} instances per cell, n = {sizes[0]}…{sizes[-1]} ({len(sizes)} sizes) "
        f"× {len(linear.theta_fractions)} angles, float64, on {device}"
    ]
    if archived is not None:
        paper = PROFILES[archived.profile]
        lines.append(
            f"deep linear networks at d = {paper.d} (tier sim500): {paper.instances} instances per "
            f"cell, not simulated in this run but read {archived.source}"
        )
    elif ctx.profile != "paper":
        lines.append("no archive of the paper profile here: the d = 500 tier (sim500) did not run")
    relu = RELU_PROFILES.get(ctx.profile)
    if relu is not None:
        lines.append(
            f"ReLU students {where}: {ctx.profile} profile, d = {relu.d}, m = {relu.width} "
            f"neurons, teacher m* = {relu.teacher_width}, {relu.instances} instances per cell, "
            f"n = {relu.sample_sizes[0]}…{relu.sample_sizes[-1]}"
        )
    lines.append(f"Monte Carlo tiers: {ctx.draws()} draws of each limit object per check")
    if ctx.profile != "paper":
        big = RELU_PROFILES["paper"]
        lines.append(
            f"not run: the ReLU students at the paper's sizes (d = {big.d}, m = {big.width}, "
            f"m* = {big.teacher_width}) and at d = 500, which take a GPU (`--profile paper` on "
            "CUDA; `python -m verify dimensions` runs the CPU ladder d = 10…100)"
        )
    return lines


def archived_context(device: torch.device, seed: int) -> Context | None:
    """The context of the ``simulation_d500`` tier: the repository's archive of the paper
    profile, never simulating (a cell that is not archived skips the tier with the reason); only
    linear transfer's standard errors are guarded by a Monte Carlo (``source`` says why);
    ``None`` where there is no archive."""
    from fate_numeric.archive import MANIFEST, REPOSITORY_ARCHIVE, Archive

    folder = REPOSITORY_ARCHIVE / "paper"
    if not (folder / MANIFEST).exists():
        return None
    archive = Archive(folder)
    source = (
        f"from {archive.describe()}; standard errors of linear transfer guarded by the Monte "
        "Carlo of its limit object (its risk rests on one 1/χ²_n, whose tail 20 instances often "
        "miss), the others from the 20 instances (scratch and fine-tuning risks concentrate at "
        "d = 500, and their limit objects cost CPU-hours there)"
    )
    return Context(
        profile="paper",
        device=device,
        seed=seed,
        store=archive,
        simulate=False,
        guarded=("linear_transfer",),
        source=source,
    )
