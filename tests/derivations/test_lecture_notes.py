"""The lecture notes: one standalone document, the paper's order and numbers, errata, PDF."""

from __future__ import annotations

import re
import shutil
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
    assert r"\input{" not in text
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


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_lecture_notes_compile(notes, tmp_path):
    path, _, _ = notes
    copy = tmp_path / path.name
    copy.write_text(path.read_text())
    pdf = compile_pdf(copy)
    assert pdf.exists() and pdf.stat().st_size > 100_000
    log = copy.with_suffix(".log").read_text(errors="replace")
    pages = re.search(r"Output written on .*\((\d+) pages", log)
    assert pages and int(pages.group(1)) > 20
    overfull = [float(w) for w in re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt too wide", log)]
    assert max(overfull, default=0.0) < 20, f"lines wider than the page by {max(overfull)} pt"
