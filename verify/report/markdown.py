"""The report as a GitHub-flavoured Markdown document (:func:`to_markdown`)."""

from __future__ import annotations

import re

from verify.report.checks import _deviation, _fmt_pair, _is_erratum, _mark, _relation
from verify.report.formatting import _fmt, _fmt_duration, _fmt_seconds
from verify.report.summary import (
    _MARKS,
    TIER_ABBREV,
    TIER_NAMES,
    _checks,
    _claims,
    _counts_text,
    _evidence,
    _outcome,
    _tiers,
    _verdict,
    _versions,
)

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
