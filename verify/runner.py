"""Running claims into a report."""

from __future__ import annotations

import datetime
import platform
import time
import traceback
from collections.abc import Callable

import mpmath
import numpy as np
import sympy
import torch

from verify.claims import Claim, Context, SkipTier
from verify.model import ClaimResult, Outcome, Report, TierResult, claim_outcome, tier_outcome


def run_claim(claim: Claim, ctx: Context) -> ClaimResult:
    """Every tier of one claim; a tier that raises is a FAIL with the error as its detail."""
    start = time.perf_counter()
    tiers = []
    for tier, check in claim.tiers.items():
        tier_start = time.perf_counter()
        try:
            checks = check(ctx)
            result = TierResult(tier, tier_outcome(checks), checks)
        except SkipTier as reason:
            result = TierResult(tier, Outcome.SKIP, detail=str(reason))
        except Exception as error:  # a crash must not hide the other claims
            lines = traceback.format_exception_only(type(error), error)
            result = TierResult(tier, Outcome.FAIL, detail="error: " + "".join(lines).strip())
        result.seconds = time.perf_counter() - tier_start
        tiers.append(result)
    return ClaimResult(
        claim.id,
        claim.title,
        claim.reference,
        claim_outcome(tiers),
        tiers,
        claim.expected_deviation,
        time.perf_counter() - start,
    )


def run_claims(
    claims: list[Claim], ctx: Context, progress: Callable[[Claim], None] | None = None
) -> list[ClaimResult]:
    """Run ``claims`` in order; ``progress(claim)`` is called as each one finishes."""
    results = []
    for claim in claims:
        results.append(run_claim(claim, ctx))
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


def build_report(results: list[ClaimResult], ctx: Context, device: str, seconds: float) -> Report:
    return Report(
        results,
        ctx.profile,
        device,
        ctx.seed,
        versions(),
        seconds,
        datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    )
