"""Numbers of a report as text: report values read as floats (the ``"inf"``/``"nan"`` strings of
the JSON files included), significant digits, seconds and durations."""

from __future__ import annotations

import math
from collections.abc import Iterable

_NONFINITE = {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "nan": math.nan}


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
