"""One check of a report: how it stands against its criterion, its mark, its one-line and its
sentence forms (every renderer shows checks through these)."""

from __future__ import annotations

import math

from verify.report.formatting import _digits, _fmt, _num


def _check_scale(check: dict) -> object:
    tol = _num(check.get("tolerance"))
    if tol is not None and math.isfinite(tol) and tol > 0:
        return tol
    return _deviation(check)


def _fmt_pair(check: dict) -> tuple[str, str]:
    """Measured and predicted with as many digits as their difference needs."""
    m, p = check.get("measured"), check.get("predicted")
    digits = _digits((m, p), _check_scale(check))
    return _fmt(m, digits), _fmt(p, digits)


def _deviation(check: dict) -> float:
    dev = _num(check.get("deviation"))
    if dev is None:
        m, p = _num(check.get("measured")), _num(check.get("predicted"))
        dev = abs(m - p) if m is not None and p is not None else math.nan
    return dev


def _relation(check: dict) -> str:
    """``<``, ``>`` or ``≤`` for the inequality checks and bounds, ``≈`` for the others."""
    relation = str(check.get("relation") or "≈")
    return relation if relation in ("<", ">", "≤") else "≈"


def _is_erratum(check: dict) -> bool:
    return bool(check.get("expect_deviation", False))


def _is_authors_number(check: dict) -> bool:
    """Whether the check asks if the package reproduces a number the authors published."""
    return bool(check.get("authors_number", False))


def _score(check: dict) -> float:
    """How the check stands against its criterion, in tolerances; above 1 when it is not met.

    ``|dev| / tolerance`` for ``≈``; ``(measured − predicted) / tolerance + 2`` for ``<`` (met
    when measured + tolerance < predicted) and the mirror image for ``>``; the excess
    ``max(0, measured − predicted) / tolerance`` for ``≤``; ``inf`` for a non-finite difference
    or a zero tolerance not met.
    """
    m, p = _num(check.get("measured")), _num(check.get("predicted"))
    tol = _num(check.get("tolerance"))
    if m is None or p is None or tol is None or math.isnan(tol) or not math.isfinite(m - p):
        return math.inf
    relation = _relation(check)
    if relation == "≤":
        excess = max(0.0, m - p)
        if tol > 0:
            return excess / tol
        return 0.0 if excess == 0 else math.inf
    if relation == "≈":
        deviation = abs(m - p)
        if tol > 0:
            return deviation / tol
        return 0.0 if deviation == 0 else math.inf
    margin = p - m if relation == "<" else m - p  # must exceed the tolerance
    if tol > 0:
        return 2.0 - margin / tol
    return 0.0 if margin > 0 else math.inf


def _passed(check: dict) -> bool:
    """The check's own ``passed``, or (for a hand-made dict without it) recomputed."""
    passed = check.get("passed")
    if isinstance(passed, bool):
        return passed
    return _score(check) <= 1 if _relation(check) in ("≈", "≤") else _score(check) < 1


def _mark(check: dict) -> str:
    """The mark of one check in a table: ✗ only where a gated check lets its claim down.

    An ungated check is information, reported beside its reference and never judged (``ℹ``); a
    gated check passes (✓) or fails (✗); a gated erratum check either confirms the erratum
    (``≈``, as the tier marks have it) or does not (✗, a failure: the printed result agrees).
    """
    if not check.get("gated", True):
        return "ℹ information"
    if _is_authors_number(check):
        return "✓ (reproduced)" if _passed(check) else "≠ (not reproduced)"
    if _is_erratum(check):
        return "✗ (erratum not confirmed)" if _passed(check) else "≈ (erratum confirmed)"
    return "✓" if _passed(check) else "✗"


def _offending(check: dict) -> bool:
    """Whether a check lets its tier down: a gated ordinary check that does not pass, or a gated
    erratum check that passes (the printed result then agrees: the erratum is not confirmed). A
    missed number of the authors is not a failure (its claim is UNREPRODUCED)."""
    if _is_authors_number(check):
        return False
    return bool(check.get("gated", True)) and _passed(check) == _is_erratum(check)


def _comparison(check: dict, *, ascii_only: bool) -> str:
    """``measured M vs predicted P, |dev| D ≤ tolerance T`` (or the inequality's wording)."""
    m, p = _fmt_pair(check)
    tol = _fmt(check.get("tolerance"), 3)
    relation = _relation(check)
    if relation == "≈":
        sign = ("<=" if ascii_only else "≤") if _passed(check) else ">"
        dev = _fmt(_deviation(check), 3)
        return f"measured {m} vs predicted {p}, |dev| {dev} {sign} tolerance {tol}"
    met = "met" if _passed(check) else "not met"
    if relation == "≤":
        at_most = "<=" if ascii_only else "≤"
        return f"measured {m} vs bound {p}, needs measured {at_most} bound + {tol}: {met}"
    return f"measured {m} vs predicted {p}, needs measured {relation} predicted by > {tol}: {met}"


def _check_line(check: dict, *, ascii_only: bool = False) -> str:
    """``label: measured M vs predicted P, |dev| D > tolerance T (SE S; note)``."""
    extras = []
    if _is_erratum(check):
        confirmed = "not confirmed" if _passed(check) else "confirmed"
        extras.append(f"erratum check, {confirmed}")
    if check.get("standard_error") is not None:
        extras.append(f"SE {_fmt(check.get('standard_error'), 3)}")
    if not check.get("gated", True):
        extras.append("not gated")
    if check.get("note"):
        extras.append(str(check["note"]))
    tail = f" ({'; '.join(extras)})" if extras else ""
    return f"{check.get('label', '?')}: {_comparison(check, ascii_only=ascii_only)}{tail}"


#: How a tier's measured number was obtained, as the subject of an evidence sentence.
_MEASURED_BY = {
    "symbolic": "SymPy gives",
    "precision": "mpmath gives",
    "montecarlo": "Monte Carlo",
    "simulation": "simulated",
    "simulation_d500": "simulated",
}


def _scale_words(check: dict, tier: str) -> str:
    """``d = 40, 32 instances`` (or ``400 draws``): the size behind a measured mean."""
    parts = []
    if check.get("d") is not None:
        parts.append(f"d = {check['d']}")
    if check.get("instances") is not None:
        noun = "draws" if tier == "montecarlo" else "instances"
        parts.append(f"{check['instances']} {noun}")
    return ", ".join(parts)


def _in_se(value: float, se: float | None) -> str:
    return f" = {value / se:.1f} SE" if se and math.isfinite(value) else ""


def evidence_sentence(check: dict, tier: str) -> str:
    """One check as a sentence: what was measured, how, at which size, against which formula's
    value, and how the test came out, e.g. ``θ=0.25π, n=50: simulated 0.5429 ± 0.0100 (d = 40,
    32 instances) against eq. 10 0.5408: |dev| 0.0021 = 0.2 SE ≤ tolerance 0.05 = 5 SE``."""
    m, p = _fmt_pair(check)
    se = _num(check.get("standard_error"))
    se = se if se is not None and math.isfinite(se) and se > 0 else None
    measured = f"{m} ± {_fmt(se, 2)}" if se else m
    subject = "the authors' number" if _is_authors_number(check) else _MEASURED_BY.get(tier, tier)
    scale = _scale_words(check, tier)
    head = f"{subject} {measured}" + (f" ({scale})" if scale else "")
    against = f"against {check.get('predicted_by') or 'the prediction'} {p}"
    tol = _num(check.get("tolerance"))
    relation = _relation(check)
    if relation == "≈":
        dev = _deviation(check)
        if tol == 0:
            test = "equal" if dev == 0 else f"differ by {_fmt(dev, 3)} (exact comparison)"
        else:
            sign = "≤" if _passed(check) else ">"
            test = (
                f"|dev| {_fmt(dev, 2)}{_in_se(dev, se)} {sign} tolerance {_fmt(tol, 2)}"
                f"{_in_se(tol or 0.0, se)}"
            )
    elif relation == "≤":
        within = f" + {_fmt(tol, 2)}{_in_se(tol or 0.0, se)}" if tol else ""
        outcome = "it does" if _passed(check) else "it does not"
        test = f"needs to lie at most at it{within}: {outcome}"
    else:
        direction = "below" if relation == "<" else "above"
        by = f" by more than {_fmt(tol, 2)}" if tol else ""
        test = f"needs to lie {direction} it{by}: {'it does' if _passed(check) else 'it does not'}"
    verdict = ""
    if _is_erratum(check):
        verdict = " (erratum not confirmed)" if _passed(check) else " (erratum confirmed)"
    elif _is_authors_number(check):
        verdict = " (reproduced)" if _passed(check) else " (not reproduced)"
    label = str(check.get("label") or "").strip()
    return f"{label + ': ' if label else ''}{head} {against}: {test}{verdict}"
