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

One module per job:

* :mod:`~verify.report.formatting` — numbers as text (digits, seconds, durations);
* :mod:`~verify.report.checks` — one check: its score, mark, line and sentence;
* :mod:`~verify.report.summary` — the report dict: claims, tiers, counts, verdict, versions;
* :mod:`~verify.report.terminal` — :func:`terminal_table`;
* :mod:`~verify.report.markdown` — :func:`to_markdown`;
* :mod:`~verify.report.junit` — :func:`to_junit`;
* :mod:`~verify.report.jsonfile` — :func:`to_json`, :func:`load_report`;
* :mod:`~verify.report.files` — :func:`write_reports`, :func:`write_text_atomic`.
"""

from __future__ import annotations

# The ``_`` names are helpers that other modules import from ``verify.report`` today
# (``verify.results_page``, the tests); they stay importable from here (not the public API: new
# code imports them from their own module).
from verify.report.checks import _mark as _mark
from verify.report.checks import evidence_sentence
from verify.report.files import ReportWriteError, write_reports, write_text_atomic
from verify.report.formatting import _fmt_duration as _fmt_duration
from verify.report.formatting import _fmt_seconds as _fmt_seconds
from verify.report.jsonfile import ReportFormatError, load_report, to_json
from verify.report.junit import to_junit
from verify.report.markdown import _md_code as _md_code
from verify.report.markdown import _md_table as _md_table
from verify.report.markdown import _md_tiers as _md_tiers
from verify.report.markdown import to_markdown
from verify.report.summary import OUTCOMES, TIER_ABBREV, TIER_NAMES
from verify.report.summary import _counts_text as _counts_text
from verify.report.summary import _outcome as _outcome
from verify.report.summary import _verdict as _verdict
from verify.report.terminal import terminal_table

__all__ = [
    "OUTCOMES",
    "TIER_ABBREV",
    "TIER_NAMES",
    "ReportFormatError",
    "ReportWriteError",
    "evidence_sentence",
    "load_report",
    "terminal_table",
    "to_json",
    "to_junit",
    "to_markdown",
    "write_reports",
    "write_text_atomic",
]
