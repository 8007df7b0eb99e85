"""Writing the report files: JSON, Markdown and JUnit XML, each atomically
(:func:`derivations.atomic.write_atomic`), so a reader never sees half a report."""

from __future__ import annotations

import os
from pathlib import Path

from derivations.atomic import write_atomic
from derivations.errors import FateError, InvalidArgumentError
from verify.report.jsonfile import to_json
from verify.report.junit import to_junit
from verify.report.markdown import to_markdown


class ReportWriteError(FateError, OSError):
    """A report file, or the folder that should hold it, could not be written."""


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (:func:`derivations.atomic.write_atomic`: a
    temporary file in the same folder, ``fsync``, then :func:`os.replace`), creating the folder;
    :class:`ReportWriteError` names the path."""
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
    try:
        write_atomic(path, text, mode=0o644)  # a report is for everyone to read
    except OSError as exc:
        raise ReportWriteError(
            f"cannot write the report {str(path)!r}: {exc.strerror or exc}"
        ) from exc
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
    folder, then :func:`os.replace`). The JSON is strict: see :mod:`verify.report.jsonfile`.

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
