"""The command line: list, show, check, export (and its PDF), errors."""

from __future__ import annotations

import shutil

import pytest

from derivations.__main__ import main
from derivations.latex import export, text_to_latex
from derivations.registry import all_results


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("scratch_risk", "lt_transferability", "pretrain_coefficient"):
        assert name in out


def test_show_prints_steps_and_the_printed_formula(capsys):
    assert main(["show", "scratch_risk"]) == 0
    out = capsys.readouterr().out
    assert "Thm 3.6, eq. 8" in out
    assert "derivation:" in out and "1. " in out
    assert "as printed in the paper" in out


def test_show_unknown_name(capsys):
    assert main(["show", "scratch_rsk"]) == 2
    assert "Did you mean" in capsys.readouterr().err


def test_check_passes(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out.replace("0 FAIL", "")
    assert "PASS" in out


def test_every_record_translates_to_latex():
    unknown: set[str] = set()
    for result in all_results().values():
        texts = (result.title, result.reference, result.notes, *result.assumptions)
        text_to_latex(" ".join(texts) + "".join(s.why for s in result.steps), unknown)
    assert not unknown, f"characters without a LaTeX translation: {sorted(unknown)}"


@pytest.mark.slow
def test_export_writes_one_file_per_result(tmp_path, capsys):
    assert main(["export", "--latex", str(tmp_path)]) == 0
    names = {p.stem for p in tmp_path.glob("*.tex")} - {"main", "lecture_notes"}
    assert names == set(all_results())
    main_tex = (tmp_path / "main.tex").read_text()
    assert all(rf"\input{{{name}}}" in main_tex for name in names)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_exported_document_compiles(tmp_path):
    from derivations.latex import compile_pdf

    main_file, unknown = export(all_results().values(), tmp_path)
    assert not unknown
    pdf = compile_pdf(main_file)
    assert pdf.stat().st_size > 10_000


def test_check_fails_on_a_broken_derivation(monkeypatch):
    """A derivation scaled by 1.1 must FAIL; an interval with the wrong ends must not pass."""
    import dataclasses

    import sympy as sp

    from derivations import consistency
    from derivations.registry import get

    scaled = dataclasses.replace(get("lt_risk"), expr=sp.Rational(11, 10) * get("lt_risk").expr)
    assert consistency.check_result(scaled).outcome == "FAIL"
    interval = get("lt_negative_interval")
    assert consistency.check_result(interval).outcome == "EXPECTED-DEVIATION"
    lower, upper = interval.expr
    as_printed = dataclasses.replace(interval, expr=sp.Tuple(upper, lower))
    assert consistency.check_result(as_printed).outcome == "PASS"  # the typo reproduced
    wrong = dataclasses.replace(interval, expr=sp.Tuple(lower, 2 * upper))
    assert consistency.check_result(wrong).outcome == "FAIL"


def test_the_command_line_imports_nothing_of_the_numerical_packages():
    """``derivations`` (its command line, ``eval``'s ranges and parser included) imports neither
    fate_numeric, verify nor paper_figures, nor numpy or torch (docs/design.md §3)."""
    import subprocess
    import sys

    code = (
        "import sys, derivations.__main__, derivations.evaluate, derivations.domains, "
        "derivations.cli; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('fate_numeric', 'verify', 'paper_figures', 'numpy', 'torch')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_errors_of_the_command_line_are_one_line(capsys):
    """argparse's errors without its usage block: one line, exit status 2."""
    assert main(["check", "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "argument --seed: must be an integer >= 0; got '-1'" in err
