"""The data of a verification report: checks, tiers, claims, the report (docs/design.md §6).

A :class:`Claim`'s evidence comes in up to four tiers — ``symbolic`` (the derived expression equals
the printed one), ``precision`` (mpmath evaluation of the underlying integral), ``montecarlo`` (the
limit object sampled), ``simulation`` (the networks trained by gradient descent). Each tier is a
list of :class:`Check` s: one measured number against one predicted number with the tolerance that
judged it. The JSON form (:meth:`Report.to_dict`) is canonical; the Markdown, JUnit XML and terminal
renderings are derived from it (:mod:`verify.report`).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field


class Outcome(enum.Enum):
    """The outcome of a check, a tier, a claim."""

    PASS = "PASS"
    FAIL = "FAIL"
    EXPECTED_DEVIATION = "EXPECTED-DEVIATION"  # a documented erratum that the numbers confirm
    SKIP = "SKIP"
    #: a claim whose headline comparison is reported but cannot be judged at the run's scale
    #: (its gated checks passed; ``ClaimResult.not_judged`` says why): never counted as PASS
    NOT_JUDGED = "NOT-JUDGED"
    #: a number the authors published (a plotted point, a printed value) that neither this
    #: package's evaluation of the paper's formula nor its simulation reproduces, with the cause
    #: not identified (``ClaimResult.unreproduced`` says what is known): not an erratum, not a
    #: failure of the theory; counted apart
    UNREPRODUCED = "UNREPRODUCED"


TIERS = ("symbolic", "precision", "montecarlo", "simulation")


@dataclass(frozen=True)
class Check:
    """One comparison.

    Attributes:
        label: what was compared, e.g. ``"γ = 0.5, σ = 0.2"``.
        measured: the measured number (a mean over instances, an mpmath value, ...).
        predicted: what the theory predicts.
        tolerance: the largest |measured − predicted| accepted (k standard errors + floor).
        standard_error: the standard error of ``measured`` (``None`` for exact numbers).
        gated: whether the check decides the outcome (cells next to a singularity are reported
            but not gated).
        passed: |measured − predicted| <= tolerance.
        note: how the tolerance was set, or why the check is not gated.
        expect_deviation: the check tests a documented erratum: the printed formula is expected
            to *miss* the measurement (the check confirms the erratum when it does not pass).
        relation: ``≈`` (|measured − predicted| <= tolerance), ``<`` (measured + tolerance <
            predicted: significantly below), ``>`` (significantly above), for inequality claims,
            or ``≤`` (measured − tolerance <= predicted: not significantly above), for bounds.
        authors_number: ``measured`` is a number the authors published (a plotted point): the
            check asks whether the package reproduces it; when it does not, its tier is
            UNREPRODUCED, not FAIL (the package's own theory is not at stake).
        predicted_by: which formula gave ``predicted``, in words (e.g. ``"eq. 8, asymptotic"``,
            ``"exact finite-size expectation"``); empty: the claim's own reference.
        d: the dimension of the simulated or sampled problem (``None``: no dimension, or several).
        instances: how many independent instances (or draws) the measured mean is over.
    """

    label: str
    measured: float
    predicted: float
    tolerance: float
    standard_error: float | None = None
    gated: bool = True
    note: str = ""
    expect_deviation: bool = False
    relation: str = "≈"
    authors_number: bool = False
    predicted_by: str = ""
    d: int | None = None
    instances: int | None = None

    @property
    def deviation(self) -> float:
        return abs(self.measured - self.predicted)

    @property
    def passed(self) -> bool:
        if not math.isfinite(self.measured - self.predicted):
            return False
        if self.relation == "<":
            return self.measured + self.tolerance < self.predicted
        if self.relation == ">":
            return self.measured - self.tolerance > self.predicted
        if self.relation == "≤":
            return self.measured - self.tolerance <= self.predicted
        return self.deviation <= self.tolerance

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "measured": self.measured,
            "predicted": self.predicted,
            "deviation": self.deviation,
            "tolerance": self.tolerance,
            "standard_error": self.standard_error,
            "gated": self.gated,
            "passed": self.passed,
            "expect_deviation": self.expect_deviation,
            "relation": self.relation,
            "authors_number": self.authors_number,
            "predicted_by": self.predicted_by,
            "d": self.d,
            "instances": self.instances,
            "note": self.note,
        }


@dataclass
class TierResult:
    """The evidence of one tier of a claim."""

    tier: str
    outcome: Outcome
    checks: list[Check] = field(default_factory=list)
    detail: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "tier": self.tier,
            "outcome": self.outcome.value,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
            "checks": [c.to_dict() for c in self.checks],
        }


@dataclass
class ClaimResult:
    """The verdict on one claim of the paper."""

    id: str
    title: str
    reference: str
    outcome: Outcome
    tiers: list[TierResult]
    expected_deviation: str = ""
    seconds: float = 0.0
    not_judged: str = ""
    unreproduced: str = ""

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "reference": self.reference,
            "outcome": self.outcome.value,
            "expected_deviation": self.expected_deviation,
            "not_judged": self.not_judged,
            "unreproduced": self.unreproduced,
            "seconds": round(self.seconds, 3),
            "tiers": [t.to_dict() for t in self.tiers],
        }


def tier_outcome(checks: list[Check]) -> Outcome:
    """The outcome of a tier from its gated checks.

    FAIL if an ordinary check fails, or if an erratum check passes (the erratum is then not
    confirmed); EXPECTED-DEVIATION if there are erratum checks and all of them confirm it;
    UNREPRODUCED if a check of an authors' number misses it; PASS otherwise; SKIP without gated
    checks.
    """
    gated = [c for c in checks if c.gated]
    if not gated:
        return Outcome.SKIP
    ordinary = [c for c in gated if not c.expect_deviation and not c.authors_number]
    errata = [c for c in gated if c.expect_deviation]
    if any(not c.passed for c in ordinary) or any(c.passed for c in errata):
        return Outcome.FAIL
    if errata:
        return Outcome.EXPECTED_DEVIATION
    if any(not c.passed for c in gated if c.authors_number):
        return Outcome.UNREPRODUCED
    return Outcome.PASS


#: The order in which a tier's outcome decides its claim's: the first one present wins.
_PRECEDENCE = (Outcome.FAIL, Outcome.EXPECTED_DEVIATION, Outcome.UNREPRODUCED, Outcome.PASS)


def claim_outcome(tiers: list[TierResult]) -> Outcome:
    """FAIL if any tier failed; else EXPECTED-DEVIATION if any tier confirmed an erratum; else
    UNREPRODUCED if a tier missed an authors' number; else PASS if any tier passed; else SKIP."""
    outcomes = {t.outcome for t in tiers}
    for outcome in _PRECEDENCE:
        if outcome in outcomes:
            return outcome
    return Outcome.SKIP


@dataclass
class Report:
    """A whole run of ``python -m verify``."""

    claims: list[ClaimResult]
    profile: str
    device: str
    seed: int
    versions: dict[str, str]
    seconds: float
    created: str
    #: What was run and what was not, in sentences (:func:`verify.runner.describe_scope`): the
    #: sizes and instances simulated here, what was read from the archive, what no tier ran.
    scope: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        return claim_outcome([TierResult("all", c.outcome) for c in self.claims])

    def counts(self) -> dict[str, int]:
        return {o.value: sum(c.outcome is o for c in self.claims) for o in Outcome}

    def to_dict(self) -> dict:
        return {
            "format": "features-are-fate verify report, version 1",
            "created": self.created,
            "profile": self.profile,
            "device": self.device,
            "scope": list(self.scope),
            "seed": self.seed,
            "versions": self.versions,
            "seconds": round(self.seconds, 2),
            "counts": self.counts(),
            "failed": self.counts()["FAIL"] > 0,
            "claims": [c.to_dict() for c in self.claims],
        }
