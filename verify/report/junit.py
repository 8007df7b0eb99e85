"""The report as JUnit XML, one test case per (claim, tier) (:func:`to_junit`)."""

from __future__ import annotations

import datetime
import math
import re
import xml.etree.ElementTree as ET

from verify.report.checks import _check_line, _is_erratum, _score
from verify.report.formatting import _num
from verify.report.summary import (
    OUTCOMES,
    _checks,
    _claims,
    _failing_checks,
    _outcome,
    _tiers,
    _versions,
)

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
