"""Every derived result against the formula the paper prints (the symbolic tier of the checks).

Outcomes: ``PASS`` (equal to the printed formula), ``EXPECTED-DEVIATION`` (different from the
printed formula and equal to its documented correction, docs/paper.md §9: the derivation confirms
the erratum), ``FAIL`` (equal to neither: a bug in the derivation or in the transcription of the
paper). A printed formula may carry an erratum about the model rather than its algebra (eq. 15 omits
the balancedness scale): its derivation still has to reproduce the printed formula to PASS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from derivations.compare import Equivalence, equivalent
from derivations.paper import PRINTED
from derivations.record import DerivedResult
from derivations.registry import all_results


@dataclass(frozen=True)
class PaperCheck:
    """The comparison of one derived result with its printed formula."""

    result: str
    printed: str
    equation: str
    outcome: str
    equivalence: Equivalence
    erratum: str
    seconds: float


def check_result(result: DerivedResult, *, seed: int = 0) -> PaperCheck:
    """Compare one result that names a printed formula with that formula."""
    if result.printed is None:
        raise ValueError(f"result {result.name!r} has no printed formula to compare with")
    printed = PRINTED[result.printed]
    start = time.perf_counter()
    outcome = equivalent(result.expr, printed.expr, where=printed.where, seed=seed)
    verdict = "PASS" if outcome.equal else "FAIL"
    if not outcome.equal and printed.corrected is not None:
        mended = equivalent(result.expr, printed.corrected, where=printed.where, seed=seed)
        if mended.equal:
            verdict = "EXPECTED-DEVIATION"
    return PaperCheck(
        result=result.name,
        printed=printed.name,
        equation=printed.equation,
        outcome=verdict,
        equivalence=outcome,
        erratum=printed.erratum,
        seconds=time.perf_counter() - start,
    )


def check_all(*, seed: int = 0) -> list[PaperCheck]:
    """Compare every result that names a printed formula, in the order of the paper."""
    return [check_result(r, seed=seed) for r in all_results().values() if r.printed is not None]
