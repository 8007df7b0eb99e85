"""Verification of every claim of the paper against simulation (``python -m verify``).

The public API is ``__all__``: the registered claims (:data:`~verify.claims.CLAIMS`,
:func:`~verify.claims.select`) and their run context (:class:`~verify.claims.Context`), running
them (:func:`~verify.runner.run_claims`, :func:`~verify.runner.build_report`), the report
(:class:`~verify.model.Report`, :class:`~verify.model.Check`, :class:`~verify.model.Outcome`)
and its renderings (:mod:`verify.report`: :func:`~verify.report.terminal_table`,
:func:`~verify.report.write_reports`, :func:`~verify.report.load_report`). They are imported on
first use (:mod:`derivations.lazy`): the claims load torch and the derivations.
"""

from derivations.lazy import exports

__all__ = [
    "CLAIMS",
    "Check",
    "Context",
    "Outcome",
    "Report",
    "build_report",
    "load_report",
    "run_claims",
    "select",
    "terminal_table",
    "write_reports",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "CLAIMS": "verify.claims",
        "Check": "verify.model",
        "Context": "verify.claims",
        "Outcome": "verify.model",
        "Report": "verify.model",
        "build_report": "verify.runner",
        "load_report": "verify.report",
        "run_claims": "verify.runner",
        "select": "verify.claims",
        "terminal_table": "verify.report",
        "write_reports": "verify.report",
    },
)
