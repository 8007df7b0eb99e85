"""Lecture notes: every derivation in the paper's order, each step re-checked, errata marked.

:func:`write_lecture_notes` gathers what :func:`derivations.latex.lecture_notes` typesets: one
section per derivation module (in the order of :data:`derivations.registry.MODULES`, which is the
order of the paper), titled by the first line of the module's docstring and introduced by the rest
of its first paragraph; the step checks of :mod:`derivations.explain`; and the comparison of each
result with the formula the paper prints (:mod:`derivations.consistency`), so that the known
errata are marked as confirmed.

Grouping by module calls each module's ``results()``; the derivations are cached in memory
(``functools.cache``), so this is free after :func:`derivations.registry.all_results` derived them
and costs one derivation when the records came from the disk cache.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from derivations import explain
from derivations.consistency import check_all
from derivations.latex import lecture_notes
from derivations.record import DerivedResult
from derivations.registry import MODULES, all_results


def _heading(module) -> tuple[str, str]:
    """Title (first docstring line) and introduction (rest of the first paragraph)."""
    doc = (module.__doc__ or module.__name__).strip()
    paragraph = doc.split("\n\n", 1)[0]
    title, _, rest = paragraph.partition("\n")
    introduction = " ".join(line.strip() for line in rest.splitlines()).replace("``", "")
    return title.strip().rstrip("."), introduction


def sections() -> list[tuple[str, str, list[DerivedResult]]]:
    """(title, introduction, records) for every derivation module, in the order of the paper."""
    results = all_results()
    out, seen = [], set()
    for module_name in MODULES:
        module = importlib.import_module(f"derivations.{module_name}")
        names = [r.name for r in module.results()]
        title, introduction = _heading(module)
        out.append((title, introduction, [results[name] for name in names]))
        seen.update(names)
    leftover = [r for name, r in results.items() if name not in seen]
    if leftover:
        out.append(("Further results", "", leftover))
    return out


def write_lecture_notes(folder: Path) -> tuple[Path, set[str], str]:
    """Write ``lecture_notes.tex`` into ``folder``; return it, unknown characters and a summary."""
    grouped = sections()
    checks = {r.name: explain.checked(r.name) for _, _, records in grouped for r in records}
    counts = explain.tally(c for steps in checks.values() for c in steps)
    total = sum(counts.values())
    summary = (
        f"{total} steps in {len(checks)} results: {counts[explain.Verdict.CONFIRMED]} confirmed "
        f"by SymPy, {counts[explain.Verdict.UNCHECKED]} not machine-checked (argued in words), "
        f"{counts[explain.Verdict.FAILED]} failed"
    )
    paper_checks = {row.result: row for row in check_all()}
    path, unknown = lecture_notes(
        grouped, folder, checks=checks, paper_checks=paper_checks, summary=summary + "."
    )
    return path, unknown, summary
