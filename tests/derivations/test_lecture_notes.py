"""The lecture notes: one standalone document, the paper's order and numbers, errata, PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp

from derivations.latex import ROW_WIDTH, compile_pdf, equation_label, math_block
from derivations.notes import write_lecture_notes
from derivations.paper import PRINTED
from derivations.registry import all_results
from derivations.symbols import gamma, sigma, theta


@pytest.fixture(scope="module")
def notes(tmp_path_factory) -> tuple[Path, str, str]:
    folder = tmp_path_factory.mktemp("notes")
    path, unknown, summary = write_lecture_notes(folder)
    assert not unknown, f"characters without a LaTeX translation: {sorted(unknown)}"
    return path, path.read_text(), summary


def test_one_standalone_document_with_every_result_in_the_paper_order(notes):
    path, text, _ = notes
    assert path.name == "lecture_notes.tex"
    assert text.count(r"\documentclass") == 1 and text.rstrip().endswith(r"\end{document}")
    assert not re.search(r"\\input\{(?!glyphtounicode\})", text), "the results are inlined"
    positions = [text.find(rf"\label{{res:{name}}}") for name in all_results()]
    assert all(p >= 0 for p in positions), "a registered result is missing from the notes"
    assert positions == sorted(positions), "results are not in the order of the paper"


def test_results_are_numbered_with_the_paper_equations(notes):
    _, text, _ = notes
    section = text[text.find(r"\label{res:scratch_risk}") :]
    section = section[: section.find(r"\subsection", 1)]
    assert r"\tag{8}" in section or "[number={8}]" in section
    for name, label in (("lt_risk", "10"), ("ridge_lt_risk", "13"), ("finite_source_norm", "152")):
        part = text[text.find(rf"\label{{res:{name}}}") :]
        part = part[: part.find(r"\subsection", 1)]
        assert rf"\tag{{{label}}}" in part or f"[number={{{label}}}]" in part, name


def test_known_errata_are_marked(notes):
    _, text, _ = notes
    errata = [f for f in PRINTED.values() if f.erratum]
    assert text.count(r"\textbf{Known erratum.}") >= len(errata)
    part = text[text.find(r"\label{res:lt_negative_interval}") :]
    part = part[: part.find(r"\subsection", 1)]
    assert "EXPECTED-DEVIATION" in part and "Known erratum" in part


def test_every_step_carries_its_check(notes):
    _, text, summary = notes
    steps = sum(len(r.steps) for r in all_results().values())
    marks = len(re.findall(r"\\noindent\{\\small \$\\(checkmark|circ|times)\$", text))
    assert marks == steps
    assert f"{steps} steps in {len(all_results())} results" in summary
    assert "0 failed" in summary


def test_equation_labels():
    assert equation_label("Thm 3.6, eq. 8") == "8"
    assert equation_label("Thm C.1, eq. 152") == "152"
    assert equation_label("App. D, eqs. 117-121 (used by Thm 3.7)") == "117-121"
    assert equation_label("Thm 3.5 (Yun et al. 2021; docs/paper.md §3.4)") == "Thm 3.5"
    assert equation_label("Lemma 3.3 (docs/paper.md §3.2)") == "Lemma 3.3"
    assert equation_label("Thm 3.7 (sign of eq. 11 for γ < 1)") == "Thm 3.7"
    assert equation_label("Thm 3.9, eq. 15 corrected (docs/paper.md §3.8)") == "15 corrected"


def test_long_expressions_are_broken_into_rows():
    long_sum = sum(sp.cos(k * theta) * gamma**k / (1 + sigma**k) for k in range(1, 12))
    block = math_block(long_sum)
    assert r"\begin{aligned}" in block
    rows = block.split(r"\\")
    assert len(rows) >= 3
    piecewise = sp.Piecewise((long_sum, gamma < 1), (0, True))
    block = math_block(piecewise, label="8")
    assert r"\tag{8}" in block and r"\text{if } \gamma < 1" in block
    assert ROW_WIDTH < 100


def test_known_erratum_is_stated_once(notes):
    """One box per erratum, written for the reader; the record's own erratum note is left out."""
    _, text, _ = notes
    part = text[text.find(r"\label{res:lt_negative_interval}") :]
    part = part[: part.find(r"\subsection", 1)]
    assert part.count(r"\fbox{") == 1
    assert "symbolic check reports" not in part and "the tests assert" not in part
    gap = text[text.find(r"\label{res:scratch_risk_gap}") :]
    assert r"\fbox{" not in gap[: gap.find(r"\subsection", 1)], "not a correction of the paper"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: see docs/guide.md, lecture notes)")
    return path


def test_compile_pdf_reruns_pdflatex_until_labels_are_stable(tmp_path, monkeypatch):
    """Without latexmk, pdflatex runs again while the log asks for it (a forward reference)."""
    pdflatex = _tool("pdflatex")
    monkeypatch.setattr(shutil, "which", lambda name: pdflatex if name == "pdflatex" else None)
    main = tmp_path / "forward.tex"
    main.write_text(
        "\\documentclass{article}\\begin{document}\n"
        "See page \\pageref{end} and section \\ref{end}.\\newpage\\section{End}\\label{end}\n"
        "\\end{document}\n"
    )
    assert compile_pdf(main).exists()
    log = main.with_suffix(".log").read_text(errors="replace")
    assert "Rerun to get" not in log and "undefined" not in log


@pytest.mark.slow
def test_lecture_notes_compile(notes, tmp_path):
    """The PDF: Type 1 fonts, searchable words, stable labels, nothing wider than the page."""
    _tool("pdflatex")
    pdffonts, pdftotext = _tool("pdffonts"), _tool("pdftotext")
    path, _, _ = notes
    copy = tmp_path / path.name
    copy.write_text(path.read_text())
    pdf = compile_pdf(copy)
    assert pdf.exists() and pdf.stat().st_size > 100_000
    log = copy.with_suffix(".log").read_text(errors="replace")
    pages = re.search(r"Output written on .*\((\d+) pages", log)
    assert pages and int(pages.group(1)) > 20
    overfull = re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt too wide\) .*", log)
    assert not overfull, f"lines wider than the page: {overfull}"
    assert "undefined" not in log.lower(), "undefined references or control sequences"
    assert "Rerun to get" not in log and "Label(s) may have changed" not in log
    fonts = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True)
    assert "Type 3" not in fonts.stdout, "bitmap (Type 3) fonts: load lmodern\n" + fonts.stdout
    words = subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for word in ("confirms", "finite", "flow", "Marchenko-Pastur"):
        assert re.search(rf"\b{word}\b", words), f"{word!r} is not in the text of the PDF"
    for broken in ("conrms", "nite", "ow"):  # fi / fl ligatures lost
        assert not re.search(rf"(?<![A-Za-z\uFB00-\uFB06]){broken}\b", words), broken
