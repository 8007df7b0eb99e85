"""Reading a report's dict: its claims, tiers and checks, the outcomes and their marks, the counts,
the verdict, the versions, and the check that sums each claim up."""

from __future__ import annotations

from verify.report.checks import (
    _is_authors_number,
    _is_erratum,
    _offending,
    _passed,
    _score,
    evidence_sentence,
)

OUTCOMES = ("PASS", "FAIL", "EXPECTED-DEVIATION", "SKIP", "NOT-JUDGED", "UNREPRODUCED")

#: Short names of the tiers in the terminal table (docs/design.md §6.1).
TIER_ABBREV = {
    "symbolic": "sym",
    "precision": "prec",
    "montecarlo": "mc",
    "simulation": "sim",
    "simulation_d500": "sim500",
}

TIER_NAMES = {
    "symbolic": "symbolic",
    "precision": "precision (mpmath)",
    "montecarlo": "Monte Carlo",
    "simulation": "simulation",
    "simulation_d500": "simulation at d = 500 (the archived paper profile)",
}

#: Marks of a tier's outcome next to its short name: Unicode and plain-ASCII variants.
_MARKS = {
    "PASS": "✓",
    "FAIL": "✗",
    "EXPECTED-DEVIATION": "≈",
    "SKIP": "∅",
    "NOT-JUDGED": "?",
    "UNREPRODUCED": "≠",
}

_ASCII_MARKS = {
    "PASS": "+",
    "FAIL": "x",
    "EXPECTED-DEVIATION": "~",
    "SKIP": "-",
    "NOT-JUDGED": "?",
    "UNREPRODUCED": "#",
}

#: Versions shown first, in this order; any others follow in the report's order.
_MAIN_VERSIONS = ("python", "torch", "sympy", "numpy")


def _claims(report: dict) -> list[dict]:
    return list(report.get("claims") or [])


def _tiers(claim: dict) -> list[dict]:
    return list(claim.get("tiers") or [])


def _checks(tier: dict) -> list[dict]:
    return list(tier.get("checks") or [])


def _outcome(item: dict) -> str:
    return str(item.get("outcome", "SKIP"))


def _worst_gated(claim: dict) -> tuple[dict, dict] | None:
    """The tier and gated check that best sum up ``claim``: an offending check if any, else a
    confirmed erratum or a missed number of the authors, else the ordinary check nearest its
    limit; among equals the one with the largest deviation relative to its tolerance."""
    gated = [(t, c) for t in _tiers(claim) for c in _checks(t) if c.get("gated", True)]
    if not gated:
        return None

    def rank(pair: tuple[dict, dict]) -> tuple:
        c = pair[1]
        unusual = _is_erratum(c) or (_is_authors_number(c) and not _passed(c))
        return (_offending(c), unusual, _score(c))

    return max(gated, key=rank)


def _failing_checks(tier: dict) -> list[dict]:
    """The checks that made ``tier`` FAIL."""
    return [c for c in _checks(tier) if _offending(c)]


def _counts(report: dict) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for claim in _claims(report):
        outcome = _outcome(claim)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _verdict(report: dict) -> str:
    """FAIL if any claim failed; PASS if something was verified and nothing failed; else SKIP."""
    counts = _counts(report)
    unknown = sum(n for o, n in counts.items() if o not in OUTCOMES)
    if counts["FAIL"] or unknown or report.get("failed") is True:
        return "FAIL"
    if counts["PASS"] or counts["EXPECTED-DEVIATION"] or counts["UNREPRODUCED"]:
        return "PASS"
    return "SKIP"


def _counts_text(report: dict) -> str:
    c = _counts(report)
    ed = c["EXPECTED-DEVIATION"]
    text = (
        f"{c['PASS']} passed, {ed} expected deviation{'' if ed == 1 else 's'}, "
        f"{c['FAIL']} failed, {c['SKIP']} skipped"
    )
    if c["NOT-JUDGED"]:  # counted apart, never with the passes
        text += f", {c['NOT-JUDGED']} not judged at this scale"
    if c["UNREPRODUCED"]:
        u = c["UNREPRODUCED"]
        text += f", {u} number{'' if u == 1 else 's'} of the authors not reproduced"
    return text


def _versions(report: dict) -> list[tuple[str, str]]:
    versions = report.get("versions") or {}
    keys = [k for k in _MAIN_VERSIONS if k in versions]
    keys += [k for k in versions if k not in _MAIN_VERSIONS]
    return [(k, str(versions[k])) for k in keys]


def _evidence(claim: dict) -> str:
    """The claim's summing-up check (:func:`_worst_gated`) as a sentence."""
    found = _worst_gated(claim)
    if found is None:
        return ""
    tier, check = found
    return evidence_sentence(check, str(tier.get("tier", "?")))
