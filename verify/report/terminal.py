"""The report as a table for the terminal (:func:`terminal_table`)."""

from __future__ import annotations

import textwrap

from derivations.errors import InvalidArgumentError
from verify.report.checks import _check_line
from verify.report.formatting import _fmt_duration, _fmt_seconds
from verify.report.summary import (
    _ASCII_MARKS,
    _MARKS,
    TIER_ABBREV,
    TIER_NAMES,
    _claims,
    _counts_text,
    _evidence,
    _failing_checks,
    _outcome,
    _tiers,
    _verdict,
    _versions,
)

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

#: Failing checks listed under a FAIL claim in the terminal table before "... and N more".
_TERMINAL_MAX_CHECKS = 5


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
