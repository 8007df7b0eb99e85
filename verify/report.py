"""Renderings of a verification report: terminal table, Markdown, JUnit XML, and the JSON files.

Every renderer takes the report's **JSON dict** (:meth:`verify.model.Report.to_dict`, or what
:func:`load_report` read back from a file), never the dataclasses, so that a saved report can be
rendered again without re-running anything. The renderers accept numbers either as floats
(``float("inf")``) or as the strings ``"inf"``, ``"-inf"``, ``"nan"`` that the JSON files hold,
and tolerate missing optional keys.

JSON files are strict JSON: the non-finite floats that a check can carry (a diverging measurement,
an infinite tolerance) are written as the strings ``"inf"``, ``"-inf"`` and ``"nan"`` rather than
as the ``Infinity``/``NaN`` tokens that Python's :mod:`json` emits by default and that most other
JSON readers reject. :func:`load_report` turns those strings back into floats in the numeric fields
(``measured``, ``predicted``, ``deviation``, ``tolerance``, ``standard_error``, ``seconds``), so
``load_report`` of a written report equals the report (up to ``nan != nan``).

Files are written atomically (a temporary file in the same folder, then :func:`os.replace`), so
a reader never sees half a report.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import re
import tempfile
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from derivations.errors import FateError, InvalidArgumentError

__all__ = [
    "ReportFormatError",
    "ReportWriteError",
    "load_report",
    "terminal_table",
    "to_json",
    "to_junit",
    "to_markdown",
    "write_reports",
    "write_text_atomic",
]

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

_ANSI = {
    "PASS": "\x1b[32m",  # green
    "FAIL": "\x1b[31m",  # red
    "EXPECTED-DEVIATION": "\x1b[33m",  # yellow
    "SKIP": "\x1b[90m",  # grey
    "NOT-JUDGED": "\x1b[36m",  # cyan
    "UNREPRODUCED": "\x1b[35m",  # magenta
}
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"

#: Versions shown first, in this order; any others follow in the report's order.
_MAIN_VERSIONS = ("python", "torch", "sympy", "numpy")

#: Failing checks listed under a FAIL claim in the terminal table before "... and N more".
_TERMINAL_MAX_CHECKS = 5

#: Numeric fields of a check that :func:`load_report` turns back into floats.
_CHECK_NUMBERS = ("measured", "predicted", "deviation", "tolerance", "standard_error")

_NONFINITE = {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "nan": math.nan}


class ReportWriteError(FateError, OSError):
    """A report file, or the folder that should hold it, could not be written."""


class ReportFormatError(FateError, ValueError):
    """A file read as a report is not a verification report."""


# --------------------------------------------------------------------------------------------
# Numbers


def _num(value: object) -> float | None:
    """A report value as a float (``"inf"``/``"nan"`` strings included); ``None`` if absent."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _NONFINITE:
            return _NONFINITE[text]
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _fmt(value: object, digits: int = 4) -> str:
    """``value`` with ``digits`` significant digits; ``inf``, ``-inf``, ``nan`` plainly; ``—``
    when absent."""
    x = _num(value)
    if x is None:
        return "—" if value is None else str(value)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def _digits(values: Iterable[object], scale: object) -> int:
    """Significant digits that show ``values`` down to the decimal place of ``scale`` (the
    tolerance, or the deviation): at least 4, at most 12."""
    s = _num(scale)
    if s is None or not math.isfinite(s) or s <= 0:
        return 4
    best = 4
    for value in values:
        x = _num(value)
        if x is None or not math.isfinite(x) or x == 0:
            continue
        best = max(best, math.floor(math.log10(abs(x))) - math.floor(math.log10(s)) + 2)
    return min(best, 12)


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
    """``<`` or ``>`` for the inequality checks, ``≈`` for the others."""
    relation = str(check.get("relation") or "≈")
    return relation if relation in ("<", ">") else "≈"


def _is_erratum(check: dict) -> bool:
    return bool(check.get("expect_deviation", False))


def _is_authors_number(check: dict) -> bool:
    """Whether the check asks if the package reproduces a number the authors published."""
    return bool(check.get("authors_number", False))


def _score(check: dict) -> float:
    """How the check stands against its criterion, in tolerances; above 1 when it is not met.

    ``|dev| / tolerance`` for ``≈``; ``(measured − predicted) / tolerance + 2`` for ``<`` (met
    when measured + tolerance < predicted) and the mirror image for ``>``; ``inf`` for a
    non-finite difference or a zero tolerance not met.
    """
    m, p = _num(check.get("measured")), _num(check.get("predicted"))
    tol = _num(check.get("tolerance"))
    if m is None or p is None or tol is None or math.isnan(tol) or not math.isfinite(m - p):
        return math.inf
    relation = _relation(check)
    if relation == "≈":
        deviation = abs(m - p)
        if tol > 0:
            return deviation / tol
        return 0.0 if deviation == 0 else math.inf
    margin = p - m if relation == "<" else m - p  # must exceed the tolerance
    if tol > 0:
        return 2.0 - margin / tol
    return 0.0 if margin > 0 else math.inf


def _fmt_seconds(value: object) -> str:
    s = _num(value)
    if s is None or not math.isfinite(s):
        return "—"
    return f"{s:.1f} s"


def _fmt_duration(value: object) -> str:
    """Seconds, plus minutes/hours when long: ``312.4 s (5 min 12 s)``."""
    s = _num(value)
    text = _fmt_seconds(value)
    if s is None or not math.isfinite(s) or s < 60:
        return text
    whole = round(s)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    long = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs} s"
    return f"{text} ({long})"


# --------------------------------------------------------------------------------------------
# Reading the report dict


def _claims(report: dict) -> list[dict]:
    return list(report.get("claims") or [])


def _tiers(claim: dict) -> list[dict]:
    return list(claim.get("tiers") or [])


def _checks(tier: dict) -> list[dict]:
    return list(tier.get("checks") or [])


def _outcome(item: dict) -> str:
    return str(item.get("outcome", "SKIP"))


def _passed(check: dict) -> bool:
    """The check's own ``passed``, or (for a hand-made dict without it) recomputed."""
    passed = check.get("passed")
    if isinstance(passed, bool):
        return passed
    return _score(check) <= 1 if _relation(check) == "≈" else _score(check) < 1


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


# --------------------------------------------------------------------------------------------
# Terminal


def _paint(text: str, outcome: str, color: bool) -> str:
    if not color or outcome not in _ANSI:
        return text
    return f"{_ANSI[outcome]}{text}{_RESET}"


def _truncate(text: str, n: int, ascii_only: bool) -> str:
    """``text`` cut to at most ``n`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    if n <= 0:
        return ""
    if ascii_only:
        return text[: n - 3] + "..." if n > 3 else text[:n]
    return text[: n - 1] + "…"


def _wrap(text: str, width: int, indent: str = "", subsequent: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _pack(items: list[str], sep: str, width: int, ascii_only: bool) -> list[str]:
    """``items`` joined by ``sep`` into lines of at most ``width`` characters, never breaking an
    item (an item too long for a line is cut); continuation lines are indented by two."""
    lines: list[str] = []
    current = ""
    for item in items:
        if current and len(current) + len(sep) + len(item) <= width:
            current += sep + item
            continue
        if current:
            end = sep.rstrip()
            lines.append(current + end if len(current) + len(end) <= width else current)
        indent = "  " if current else ""
        current = indent + _truncate(item, width - len(indent), ascii_only)
    if current:
        lines.append(current)
    return lines


def _tiers_cell(claim: dict, color: bool, ascii_only: bool) -> tuple[str, int]:
    """The tier marks of a claim (painted if ``color``) and their printed length."""
    marks = _ASCII_MARKS if ascii_only else _MARKS
    parts, plain = [], []
    for tier in _tiers(claim):
        name = str(tier.get("tier", "?"))
        outcome = _outcome(tier)
        text = TIER_ABBREV.get(name, name) + marks.get(outcome, "?")
        plain.append(text)
        parts.append(_paint(text, outcome, color))
    if not parts:
        return "—", 1
    return " ".join(parts), len(" ".join(plain))


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


def _evidence(claim: dict) -> str:
    """The claim's summing-up check (:func:`_worst_gated`) as a sentence."""
    found = _worst_gated(claim)
    if found is None:
        return ""
    tier, check = found
    return evidence_sentence(check, str(tier.get("tier", "?")))


def _claim_details(claim: dict, width: int, ascii_only: bool) -> list[str]:
    """The indented lines under a FAIL, EXPECTED-DEVIATION or SKIP claim."""
    lines: list[str] = []

    def add(text: str, indent: str = "    ") -> None:
        nonlocal lines
        lines += _wrap(_to_ascii(text) if ascii_only else text, width, indent, indent + "  ")

    outcome = _outcome(claim)
    bullet = "-" if ascii_only else "•"
    if outcome == "FAIL":
        for tier in _tiers(claim):
            if _outcome(tier) != "FAIL":
                continue
            name = str(tier.get("tier", "?"))
            failing = _failing_checks(tier)
            if tier.get("detail"):
                add(f"{name}: {tier['detail']}")
            for check in failing[:_TERMINAL_MAX_CHECKS]:
                add(f"{bullet} {name}: {_check_line(check, ascii_only=ascii_only)}")
            if len(failing) > _TERMINAL_MAX_CHECKS:
                add(f"... and {len(failing) - _TERMINAL_MAX_CHECKS} more failing checks", "      ")
    elif outcome == "EXPECTED-DEVIATION":
        add(f"erratum confirmed: {claim.get('expected_deviation') or '(no erratum text given)'}")
    elif outcome == "NOT-JUDGED":
        add(f"not judged: {claim.get('not_judged') or '(no reason given)'}")
    elif outcome == "UNREPRODUCED":
        add(f"not reproduced: {claim.get('unreproduced') or '(nothing known given)'}")
    elif outcome == "SKIP":
        reasons = [
            f"{t.get('tier', '?')}: {t.get('detail') or 'no reason given'}"
            for t in _tiers(claim)
            if _outcome(t) == "SKIP"
        ] or ["no tier ran"]
        for reason in reasons:
            add(f"skipped — {reason}")
    return lines


def _to_ascii(text: str) -> str:
    table = {
        "—": "-",
        "–": "-",
        "±": "+/-",
        "≤": "<=",
        "…": "...",
        "·": "|",
        "•": "-",
        "≮": "not <",
        "≯": "not >",
        "≠": "!=",
    }
    return "".join(table.get(ch, ch) for ch in text)


def terminal_table(
    report: dict, width: int = 120, color: bool = False, *, ascii_only: bool = False
) -> str:
    """The report as a table for the terminal, every line at most ``width`` characters.

    A header (profile, device, seed, versions, total time) and a legend; one row per claim (id,
    paper reference, the tiers that ran with their outcome mark, outcome, time), under it the
    gated check that sums the claim up (:func:`_worst_gated`) as a sentence
    (:func:`evidence_sentence`); under FAIL claims their failing checks, under
    EXPECTED-DEVIATION claims the erratum, under NOT-JUDGED and UNREPRODUCED claims the reason,
    under SKIP claims the reason; then one ``VERDICT:`` line. When the columns do not fit in
    ``width`` each claim's row takes two lines instead.

    Args:
        report: the report's dict (:meth:`verify.model.Report.to_dict` or :func:`load_report`).
        width: the largest line length, at least 40.
        color: colour outcomes with ANSI escapes (green PASS, red FAIL, yellow
            EXPECTED-DEVIATION, grey SKIP); escapes do not count towards ``width``.
        ascii_only: plain ASCII (``+ x ~ -`` marks) for terminals without Unicode.
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 40:
        raise InvalidArgumentError(f"width must be an integer >= 40, got {width!r}")
    dot = " | " if ascii_only else " · "
    marks = _ASCII_MARKS if ascii_only else _MARKS
    lines: list[str] = []

    head = [
        f"profile {report.get('profile', '?')}",
        f"device {report.get('device', '?')}",
        f"seed {report.get('seed', '?')}",
    ]
    head += [f"{name} {version}" for name, version in _versions(report)]
    head.append(_fmt_duration(report.get("seconds")))
    head[0] = "verify: " + head[0]
    legend = [f"tiers: {TIER_ABBREV['symbolic']} {TIER_NAMES['symbolic']}"]
    legend += [f"{TIER_ABBREV[t]} {TIER_NAMES[t]}" for t in TIER_ABBREV if t != "symbolic"]
    marks_legend = [
        f"marks: {marks['PASS']} pass",
        f"{marks['FAIL']} fail",
        f"{marks['EXPECTED-DEVIATION']} expected deviation (erratum confirmed)",
        f"{marks['SKIP']} skipped",
        f"{marks['NOT-JUDGED']} headline not judged at this scale",
        f"{marks['UNREPRODUCED']} a number of the authors not reproduced",
    ]
    if ascii_only:
        head = [_to_ascii(x) for x in head]
        legend = [_to_ascii(x) for x in legend]
        marks_legend = [_to_ascii(x) for x in marks_legend]
    lines += _pack(head, dot, width, ascii_only)
    for sentence in report.get("scope") or []:  # what was run at which scale, and what was not
        text = _to_ascii(sentence) if ascii_only else sentence
        lines += _wrap(text, width, "  scope: ", "    ")
    lines += _pack(legend, ", ", width, ascii_only)
    lines += _pack(marks_legend, ", ", width, ascii_only)

    claims = _claims(report)
    rows = []
    for claim in claims:
        tiers_text, tiers_len = _tiers_cell(claim, color, ascii_only)
        evidence = _evidence(claim)
        rows.append(
            {
                "id": str(claim.get("id", "?")),
                "ref": str(claim.get("reference") or ""),
                "tiers": tiers_text,
                "tiers_len": tiers_len,
                "evidence": _to_ascii(evidence) if ascii_only else evidence,
                "outcome": _outcome(claim),
                "time": _fmt_seconds(claim.get("seconds")),
            }
        )

    titles = {
        "id": "CLAIM",
        "ref": "REFERENCE",
        "tiers": "TIERS",
        "outcome": "OUTCOME",
        "time": "TIME",
    }
    natural = {key: len(title) for key, title in titles.items()}
    for row in rows:
        for key in ("id", "ref", "outcome", "time"):
            natural[key] = max(natural[key], len(row[key]))
        natural["tiers"] = max(natural["tiers"], row["tiers_len"])
    sep = 2
    widths = dict(natural)
    minimum = {"id": 12, "ref": 9}
    excess = sum(widths.values()) + sep * (len(widths) - 1) - width
    for key in ("ref", "id"):  # shrink the flexible columns, reference first
        if excess <= 0:
            break
        cut = min(excess, max(widths[key] - minimum[key], 0))
        widths[key] -= cut
        excess -= cut
    rule_char = "-" if ascii_only else "─"

    def cell(text: str, key: str, shown: int | None = None) -> str:
        if shown is None:
            text = _truncate(text, widths[key], ascii_only)
            shown = len(text)
        return text + " " * (widths[key] - shown)

    if excess <= 0:  # one line per claim
        order = ("id", "ref", "tiers", "outcome", "time")
        total = sum(widths.values()) + sep * (len(order) - 1)
        lines.append(rule_char * total)
        lines.append((" " * sep).join(cell(titles[k], k) for k in order).rstrip())
        lines.append(rule_char * total)
        for row, claim in zip(rows, claims, strict=True):
            parts = [
                cell(row["id"], "id"),
                cell(row["ref"], "ref"),
                cell(row["tiers"], "tiers", row["tiers_len"]),
                _paint(cell(row["outcome"], "outcome"), row["outcome"], color),
                row["time"].rjust(widths["time"]),
            ]
            lines.append((" " * sep).join(parts).rstrip())
            if row["evidence"]:
                lines += _wrap(row["evidence"], width, "    ", "      ")
            lines += _claim_details(claim, width, ascii_only)
        lines.append(rule_char * total)
    else:  # two lines per claim: id, outcome, time; then reference and tiers
        lines.append(rule_char * width)
        for row, claim in zip(rows, claims, strict=True):
            time = row["time"].rjust(widths["time"])
            tail = f"  {row['outcome']}  {time}"
            ident = " ".join(row["id"].split())
            if len(ident) + len(tail) > width:  # the id on a line of its own
                lines.append(_truncate(ident, width, ascii_only))
                ident = ""
            pad = " " * (width - len(ident) - len(tail))
            lines.append(f"{ident}{pad}  {_paint(row['outcome'], row['outcome'], color)}  {time}")
            room = width - 2
            budget = room - row["tiers_len"] - len(dot)
            if budget >= 8:
                rest = _truncate(row["ref"], budget, ascii_only)
                lines.append(f"  {row['tiers']}{dot}{rest}")
            elif row["tiers_len"] <= room:
                lines.append(f"  {row['tiers']}")
            else:  # very narrow: the tier marks without colour, cut
                plain, _ = _tiers_cell(claim, False, ascii_only)
                lines.append("  " + _truncate(plain, room, ascii_only))
            if row["evidence"]:
                lines += _wrap(row["evidence"], width, "    ", "      ")
            lines += _claim_details(claim, width, ascii_only)
        lines.append(rule_char * width)

    dash = "-" if ascii_only else "—"
    verdict = _verdict(report)
    pieces = [
        f"VERDICT: {verdict} {dash}",
        *_counts_text(report).split(" "),
        f"({report.get('profile', '?')} profile,",
        f"{report.get('device', '?')},",
        f"{_fmt_seconds(report.get('seconds'))})",
    ]
    verdict_lines = _pack(pieces, " ", width, ascii_only)
    if color:
        verdict_lines[0] = verdict_lines[0].replace(
            f"VERDICT: {verdict}", f"{_BOLD}VERDICT:{_RESET} {_paint(verdict, verdict, True)}", 1
        )
    lines += verdict_lines
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Markdown

_MD_OUTCOME = {
    "PASS": "✅ PASS",
    "FAIL": "❌ FAIL",
    "EXPECTED-DEVIATION": "⚠️ EXPECTED-DEVIATION",
    "SKIP": "⏭️ SKIP",
    "NOT-JUDGED": "🔎 NOT-JUDGED",
    "UNREPRODUCED": "❔ UNREPRODUCED",
}


_MD_CHECK_COLUMNS = [
    "Check",
    "d",
    "N",
    "Measured",
    "Predicted",
    "Predicted by",
    "Test",
    "|dev|",
    "Tolerance",
    "SE",
    "Gated",
    "Passed",
    "Note",
]


#: The "Test" column of a check table: what passing means.
_MD_TEST = {"≈": "|dev| ≤ tol.", "<": "meas. < pred. − tol.", ">": "meas. > pred. + tol."}


def _md_cell(value: object) -> str:
    """A table cell: ``|`` escaped, line breaks as ``<br>``, never empty."""
    text = str(value).replace("|", "\\|")
    text = "<br>".join(part.strip() for part in text.strip().splitlines())
    return text or " "


def _md_table(header: list[str], rows: list[list[object]], align: str | None = None) -> list[str]:
    out = ["| " + " | ".join(_md_cell(h) for h in header) + " |"]
    seps = ["---:" if a == "r" else "---" for a in (align or "l" * len(header))]
    out.append("| " + " | ".join(seps) + " |")
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return out


def _md_anchor(claim_id: str) -> str:
    return "claim-" + (re.sub(r"[^a-z0-9]+", "-", claim_id.lower()).strip("-") or "x")


def _md_code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"`` {text} ``"


def _md_quote(text: str) -> list[str]:
    return ["> " + line if line.strip() else ">" for line in str(text).splitlines()]


def _md_tiers(claim: dict) -> str:
    parts = [
        f"{TIER_ABBREV.get(str(t.get('tier')), t.get('tier'))} {_MARKS.get(_outcome(t), '?')}"
        for t in _tiers(claim)
    ]
    return " · ".join(parts) if parts else "—"


def to_markdown(report: dict) -> str:
    """The report as a GitHub-flavoured Markdown document.

    A table of the run (profile, device, seed, versions, time, counts), the verdict, a table of
    the claims, then one section per claim with each tier's checks as a table (label, measured,
    predicted, |dev|, tolerance, SE, gated, passed, note), the tier's detail and, for expected
    deviations, the erratum.
    """
    verdict = _verdict(report)
    lines = ["# Verification report: *Features are fate* (Tahir, Ganguli, Rotskoff, ICML 2025)", ""]
    versions = ", ".join(f"{name} {v}" for name, v in _versions(report)) or "—"
    run = [
        ["Profile", report.get("profile", "—")],
        ["Device", report.get("device", "—")],
        ["Seed", report.get("seed", "—")],
        ["Created", report.get("created", "—")],
        ["Versions", versions],
        ["Time", _fmt_duration(report.get("seconds"))],
        ["Claims", _counts_text(report)],
    ]
    lines += _md_table(["Run", ""], run)
    if report.get("scope"):
        lines += ["", "**Scope.**", ""]
        lines += [f"* {sentence}" for sentence in report["scope"]]
    lines += ["", f"**Verdict: {_MD_OUTCOME[verdict]}** — {_counts_text(report)}.", ""]

    claims = _claims(report)
    lines += ["## Claims", ""]
    if claims:
        lines.append(
            "Tiers: sym = symbolic, prec = precision (mpmath), mc = Monte Carlo, sim = simulation;"
            " ✓ pass, ✗ fail, ≈ expected deviation (erratum confirmed), ∅ skipped, ? headline not"
            " judged at this scale, ≠ a number of the authors not reproduced; in the check tables"
            " ℹ marks information, a row reported but not gated, d the dimension and N the"
            " instances (simulation) or draws (Monte Carlo) behind a mean."
        )
        lines.append("")
        rows = []
        for claim in claims:
            cid = str(claim.get("id", "?"))
            title = claim.get("title", "")
            name = f"[{_md_code(cid)}](#{_md_anchor(cid)})" + (f" {title}" if title else "")
            rows.append(
                [
                    name,
                    claim.get("reference", ""),
                    _MD_OUTCOME.get(_outcome(claim), _outcome(claim)),
                    _md_tiers(claim),
                    _fmt_seconds(claim.get("seconds")),
                ]
            )
        lines += _md_table(["Claim", "Reference", "Outcome", "Tiers", "Time"], rows)
        lines.append("")
    else:
        lines += ["No claims were verified.", ""]

    for claim in claims:
        cid = str(claim.get("id", "?"))
        title = claim.get("title", "")
        lines.append(f'<a id="{_md_anchor(cid)}"></a>')
        lines += [f"## {_md_code(cid)}" + (f" — {title}" if title else ""), ""]
        outcome = _outcome(claim)
        lines.append(
            f"**{_MD_OUTCOME.get(outcome, outcome)}** · reference: "
            f"{claim.get('reference') or '—'} · time: {_fmt_seconds(claim.get('seconds'))}"
        )
        lines.append("")
        if claim.get("expected_deviation"):
            confirmed = "confirmed by the numbers" if outcome == "EXPECTED-DEVIATION" else ""
            head = "**Known erratum**" + (f" ({confirmed})" if confirmed else "") + ":"
            lines += _md_quote(f"{head} {claim['expected_deviation']}")
            lines.append("")
        if claim.get("not_judged"):
            lines += _md_quote(f"**Headline not judged at this scale:** {claim['not_judged']}")
            lines.append("")
        if claim.get("unreproduced"):
            known = claim["unreproduced"]
            lines += _md_quote(f"**A number of the authors, not reproduced:** {known}")
            lines.append("")
        if _evidence(claim):
            lines += [f"**Evidence:** {_evidence(claim)}", ""]
        if not _tiers(claim):
            lines += ["No tier ran.", ""]
        for tier in _tiers(claim):
            name = str(tier.get("tier", "?"))
            t_out = _outcome(tier)
            lines += [
                f"### {TIER_NAMES.get(name, name)}: {_MD_OUTCOME.get(t_out, t_out)}"
                f" ({_fmt_seconds(tier.get('seconds'))})",
                "",
            ]
            if tier.get("detail"):
                lines += _md_quote(str(tier["detail"]))
                lines.append("")
            checks = _checks(tier)
            if not checks:
                lines += ["No checks.", ""]
                continue
            with_test = any(_relation(c) != "≈" or _is_erratum(c) for c in checks)
            rows = []
            for check in checks:
                m, p = _fmt_pair(check)
                gated = bool(check.get("gated", True))
                mark = _mark(check)
                rows.append(
                    [
                        check.get("label", ""),
                        "—" if check.get("d") is None else check["d"],
                        "—" if check.get("instances") is None else check["instances"],
                        m,
                        p,
                        check.get("predicted_by") or "—",
                        _MD_TEST[_relation(check)] + (" (erratum)" if _is_erratum(check) else ""),
                        _fmt(_deviation(check), 3),
                        _fmt(check.get("tolerance"), 3),
                        _fmt(check.get("standard_error"), 3),
                        "yes" if gated else "no",
                        mark,
                        check.get("note", ""),
                    ]
                )
            header, align = list(_MD_CHECK_COLUMNS), "lrrrrllrrrlll"
            if not with_test:  # every check is "|measured − predicted| <= tolerance"
                test = header.index("Test")
                del header[test]
                rows = [row[:test] + row[test + 1 :] for row in rows]
                align = align[:test] + align[test + 1 :]
            lines += _md_table(header, rows, align)
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# JUnit XML

_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _xml_text(value: object) -> str:
    """Text that XML 1.0 can hold: ANSI escapes and forbidden control characters removed."""
    return _XML_INVALID.sub("", _ANSI_ESCAPE.sub("", str(value)))


def _junit_seconds(value: object) -> str:
    s = _num(value)
    return f"{s:.3f}" if s is not None and math.isfinite(s) and s >= 0 else "0.000"


def _junit_timestamp(created: object) -> str | None:
    """``created`` as the JUnit schema's timestamp (ISO 8601, UTC, no zone suffix)."""
    if not isinstance(created, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(created.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


def to_junit(report: dict) -> str:
    """The report as JUnit XML: one test case per (claim, tier).

    ``<testsuites>`` holds one ``<testsuite name="verify">`` whose ``<properties>`` give the
    profile, device, seed and versions. Each tier of each claim is a
    ``<testcase classname="verify.<tier>" name="<claim id>">``: a FAIL tier has a ``<failure>``
    listing its failing checks, a SKIP tier a ``<skipped>`` with the tier's detail, an
    EXPECTED-DEVIATION tier passes with the confirmed erratum in ``<system-out>``. A claim without
    tiers is one skipped test case of class ``verify.claim``.
    """
    cases: list[ET.Element] = []
    n_fail = n_skip = 0
    total_time = 0.0
    for claim in _claims(report):
        cid = _xml_text(claim.get("id", "?"))
        tiers = _tiers(claim) or [
            {"tier": "claim", "outcome": "SKIP", "detail": "no tier ran", "seconds": 0.0}
        ]
        for tier in tiers:
            name = _xml_text(tier.get("tier", "?"))
            t_out = _outcome(tier)
            seconds = _junit_seconds(tier.get("seconds"))
            total_time += float(seconds)
            case = ET.Element("testcase", classname=f"verify.{name}", name=cid, time=seconds)
            detail = _xml_text(tier.get("detail", ""))
            if t_out == "SKIP":
                n_skip += 1
                ET.SubElement(case, "skipped", message=detail or "skipped")
            elif t_out == "FAIL" or t_out not in OUTCOMES:
                n_fail += 1
                failing = _failing_checks(tier)
                body = [f"{cid} [{name}], {claim.get('reference', '')}: FAIL"]
                if detail:
                    body.append(detail)
                if failing:
                    worst = max(failing, key=lambda c: (not _is_erratum(c), _score(c)))
                    n_gated = sum(bool(c.get("gated", True)) for c in _checks(tier))
                    message = (
                        f"{len(failing)} of {n_gated} gated checks failed; worst: "
                        + _check_line(worst, ascii_only=True)
                    )
                    body += ["failing checks:"] + [
                        "  " + _check_line(c, ascii_only=True) for c in failing
                    ]
                else:
                    message = detail or "failed"
                failure = ET.SubElement(
                    case, "failure", message=_xml_text(message), type="verify.FAIL"
                )
                failure.text = _xml_text("\n".join(body))
            else:
                out = []
                if t_out == "EXPECTED-DEVIATION":
                    erratum = claim.get("expected_deviation") or "(no erratum text given)"
                    out.append(f"EXPECTED-DEVIATION: the numbers confirm the erratum: {erratum}")
                if t_out == "UNREPRODUCED":
                    known = claim.get("unreproduced") or "(nothing known given)"
                    out.append(f"UNREPRODUCED: a number of the authors, not reproduced: {known}")
                if detail:
                    out.append(detail)
                if out:
                    out += ["checks:"] + [
                        "  " + _check_line(c, ascii_only=True) for c in _checks(tier)
                    ]
                    ET.SubElement(case, "system-out").text = _xml_text("\n".join(out))
            cases.append(case)

    counts = {
        "tests": str(len(cases)),
        "failures": str(n_fail),
        "errors": "0",
        "skipped": str(n_skip),
    }
    seconds = _num(report.get("seconds"))
    time = _junit_seconds(seconds if seconds is not None else total_time)
    root = ET.Element("testsuites", name="verify", time=time, **counts)
    suite_attrs = {"name": "verify", **counts, "time": time}
    timestamp = _junit_timestamp(report.get("created"))
    if timestamp:
        suite_attrs["timestamp"] = timestamp
    suite = ET.SubElement(root, "testsuite", suite_attrs)
    props = ET.SubElement(suite, "properties")
    for key in ("profile", "device", "seed", "created", "format"):
        if report.get(key) is not None:
            ET.SubElement(props, "property", name=key, value=_xml_text(report[key]))
    for name, version in _versions(report):
        key = f"version.{_xml_text(name)}"
        ET.SubElement(props, "property", name=key, value=_xml_text(version))
    suite.extend(cases)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


# --------------------------------------------------------------------------------------------
# Files


def _strict(value: object) -> object:
    """``value`` with every non-finite float replaced by ``"inf"``, ``"-inf"`` or ``"nan"``."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(v) for v in value]
    return value


def to_json(report: dict) -> str:
    """The report as strict JSON (indent 2, keys in the report's order, non-finite floats as the
    strings ``"inf"``, ``"-inf"``, ``"nan"``)."""
    return (
        json.dumps(_strict(report), indent=2, sort_keys=False, allow_nan=False, ensure_ascii=False)
        + "\n"
    )


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (a temporary file in the same folder, then
    :func:`os.replace`), creating the folder; :class:`ReportWriteError` names the path."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportWriteError(
            f"cannot create the folder {str(folder)!r} for the report {str(path)!r}: "
            f"{exc.strerror or exc}"
        ) from exc
    if path.is_dir():
        raise ReportWriteError(f"cannot write the report {str(path)!r}: it is a folder")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a report is for everyone to read
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise ReportWriteError(
            f"cannot write the report {str(path)!r}: {exc.strerror or exc}"
        ) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return path


def write_reports(
    report: dict,
    *,
    json_path: str | os.PathLike[str] | None = None,
    markdown_path: str | os.PathLike[str] | None = None,
    junit_path: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write the report's JSON, Markdown and JUnit XML files, those whose path is given.

    Parent folders are created; each file is written atomically (temporary file in the same
    folder, then :func:`os.replace`). The JSON is strict: see the module docstring.

    Returns:
        The written paths, in the order JSON, Markdown, JUnit.

    Raises:
        ReportWriteError: (an :class:`OSError` and a :class:`~derivations.errors.FateError`) a
            folder could not be created or a file not written; the message names the path.
    """
    if not isinstance(report, dict):
        raise InvalidArgumentError(
            f"report must be the report's dict (Report.to_dict()), got {type(report).__name__}"
        )
    jobs = []
    if json_path is not None:
        jobs.append((Path(json_path), to_json))
    if markdown_path is not None:
        jobs.append((Path(markdown_path), to_markdown))
    if junit_path is not None:
        jobs.append((Path(junit_path), to_junit))
    # Render everything before writing anything, so that a rendering error leaves no files.
    rendered = [(path, render(report)) for path, render in jobs]
    return [write_text_atomic(path, text) for path, text in rendered]


def _restore(report: dict) -> dict:
    """Turn the ``"inf"``/``"-inf"``/``"nan"`` strings of the numeric fields back into floats."""

    def number(value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in _NONFINITE:
            return _NONFINITE[value.strip().lower()]
        return value

    if "seconds" in report:
        report["seconds"] = number(report["seconds"])
    for claim in _claims(report):
        if "seconds" in claim:
            claim["seconds"] = number(claim["seconds"])
        for tier in _tiers(claim):
            if "seconds" in tier:
                tier["seconds"] = number(tier["seconds"])
            for check in _checks(tier):
                for key in _CHECK_NUMBERS:
                    if key in check:
                        check[key] = number(check[key])
    return report


def load_report(path: str | os.PathLike[str]) -> dict:
    """Read a report written by :func:`write_reports` (``"inf"``/``"nan"`` strings of the numeric
    fields become floats again).

    Raises:
        OSError: the file cannot be read.
        ReportFormatError: the file is not JSON, or not a report (no ``claims`` list).
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportFormatError(f"{str(path)!r} is not a JSON file: {exc}") from exc
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("claims"), list)
        or not all(isinstance(c, dict) for c in data["claims"])
    ):
        raise ReportFormatError(
            f"{str(path)!r} is not a verification report: expected a JSON object with a list of "
            "'claims' (as written by python -m verify)"
        )
    return _restore(data)
