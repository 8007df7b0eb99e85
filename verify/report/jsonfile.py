"""The report as strict JSON (:func:`to_json`) and read back from a file (:func:`load_report`).

The non-finite floats a check can carry are written as the strings ``"inf"``, ``"-inf"`` and
``"nan"`` (most JSON readers reject Python's ``Infinity``/``NaN`` tokens); :func:`load_report`
turns them back into floats in the numeric fields.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from derivations.errors import FateError
from verify.report.formatting import _NONFINITE
from verify.report.summary import _checks, _claims, _tiers

#: Numeric fields of a check that :func:`load_report` turns back into floats.
_CHECK_NUMBERS = ("measured", "predicted", "deviation", "tolerance", "standard_error")


class ReportFormatError(FateError, ValueError):
    """A file read as a report is not a verification report."""


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
