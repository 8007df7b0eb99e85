"""``python -m fate_numeric simulate``: a short summary with the theory beside the simulated
mean by default, every per-instance number behind ``--full`` / ``--json FILE``
(:mod:`fate_numeric.cell_report`)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from fate_numeric import theory
from fate_numeric.__main__ import main
from fate_numeric.cell_report import Estimate, references
from fate_numeric.experiments import Cell

#: A scratch cell that trains in well under a second.
SMALL = "simulate --procedure scratch --d 10 --n 5 --sigma 0.2 --instances 4 --epochs 200"


def _kinds(cell: Cell, ridge: float = 0.0) -> dict[str, float]:
    found, _ = references(cell, ridge)
    return {r.kind: r.value for r in found}


# ---- which theory goes with which cell -----------------------------------------------------------
def test_scratch_is_set_beside_the_exact_and_the_asymptotic_risk():
    cell = Cell("scratch", d=40, n=20, sigma=0.2)
    kinds = _kinds(cell)
    assert kinds == {
        "exact": pytest.approx(theory.scratch_risk_finite(20, 40, 0.2), rel=1e-12),
        "asymptotic": pytest.approx(theory.scratch_risk(0.5, 0.2), rel=1e-12),
    }
    # independent oracle: E‖β̂ − β‖² = (1 − n/d) + σ² n/(d − n − 1) for n < d − 1
    assert kinds["exact"] == pytest.approx(0.5 + 0.04 * 20 / 19, rel=1e-12)


def test_linear_transfer_uses_eq10_at_zero_ridge_and_eq13_above():
    cell = Cell("linear_transfer", d=40, n=20, theta=0.5, sigma=0.2, ridges=(0.0, 0.3))
    assert _kinds(cell, 0.0) == {
        "exact": pytest.approx(theory.lt_risk(0.5, 20, 0.2), rel=1e-12),
        "asymptotic": pytest.approx(math.sin(0.5) ** 2, rel=1e-12),
    }
    assert _kinds(cell, 0.3) == {"asymptotic": pytest.approx(theory.ridge_lt_risk(0.5, 0.3))}
    tiny = Cell("linear_transfer", d=40, n=2, theta=0.5)
    found, note = references(tiny)
    assert [r.kind for r in found] == ["asymptotic"] and "eq. 10 needs n > 2" in note


def test_fine_tuning_at_zero_noise_is_exact():
    """At σ = 0 scratch interpolates exactly in the row space, so E R_ft = E‖(I − P)(β_t −
    β_s)‖² = (1 − n/d)(2 − 2cos θ) (an independent oracle)."""
    kinds = _kinds(Cell("fine_tuning", d=40, n=20, theta=0.5))
    assert kinds["exact"] == pytest.approx(0.5 * (2 - 2 * math.cos(0.5)), rel=1e-12)
    noisy = _kinds(Cell("fine_tuning", d=40, n=20, theta=1.0, sigma=1.0))
    assert set(noisy) == {"finite size", "as printed", "asymptotic"}
    assert noisy["finite size"] > noisy["as printed"]  # the balanced scale c > 1 (paper.md §3.8)


def test_finite_source_cells_use_the_finite_source_formulas():
    lt = Cell("linear_transfer", d=40, n=20, theta=0.5, sigma=0.2, n_source=30, sigma_source=0.2)
    assert _kinds(lt)["finite size"] == pytest.approx(
        theory.lt_risk_finite_source_n(0.5, 20, 0.75, 0.2, 0.2), rel=1e-12
    )
    ft = Cell("fine_tuning", d=40, n=20, theta=0.5, sigma=0.2, n_source=30, sigma_source=0.2)
    assert _kinds(ft)["finite size"] == pytest.approx(
        theory.ft_risk_finite_source_balanced_d(0.5, 20, 40, 30, 0.2, 0.2), rel=1e-12
    )


def test_no_theory_with_weight_decay_and_a_note_at_the_peak():
    found, note = references(Cell("scratch", d=40, n=20, weight_decay=0.01))
    assert found == [] and "weight decay" in note
    found, note = references(Cell("scratch", d=40, n=40, sigma=0.2))
    assert all(math.isinf(r.value) for r in found) and "infinite" in note


def test_the_deviation_is_in_standard_errors():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    estimate = Estimate.of(values)
    error = values.std(ddof=1) / 2
    assert estimate.standard_error == pytest.approx(error)
    assert estimate.deviation(2.0) == pytest.approx(0.5 / error)
    assert estimate.deviation(math.inf) is None
    assert Estimate.of(np.array([1.0])).deviation(0.0) is None


# ---- the command ---------------------------------------------------------------------------------
def test_simulate_prints_a_short_summary_with_the_theory(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert main(SMALL.split()) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) < 25  # a summary, not a dump
    assert lines[0].startswith("scratch: d = 10, n = 5 (γ = n/d = 0.5), σ = 0.2")
    assert "4 instances (seed 0)" in lines[1]
    simulated = next(line for line in lines if "simulated" in line)
    exact = next(line for line in lines if line.split()[:1] == ["exact"])
    assert f"{theory.scratch_risk_finite(5, 10, 0.2):.4g}" in exact
    assert exact.rstrip().endswith("theory.scratch_risk_finite)")
    assert " SE " in exact and "±" in simulated
    assert "per_instance" not in out and "--full" in out


def test_full_prints_and_json_writes_every_instance(capsys, tmp_path):
    target = tmp_path / "cell.json"
    assert main([*SMALL.split(), "--full", "--json", str(target)]) == 0
    printed = json.loads(capsys.readouterr().out)
    written = json.loads(target.read_text())
    assert printed["generalisation"]["per_instance"] == written["generalisation"]["per_instance"]
    assert len(written["generalisation"]["per_instance"]) == 4
    assert written["cell"]["d"] == 10
    kinds = {r["kind"]: r["value"] for r in written["theory"]}
    assert kinds["exact"] == pytest.approx(theory.scratch_risk_finite(5, 10, 0.2))


def test_json_alone_keeps_the_summary(capsys, tmp_path):
    target = tmp_path / "cell.json"
    assert main([*SMALL.split(), "--json", str(target)]) == 0
    captured = capsys.readouterr()
    assert "simulated" in captured.out and f"wrote {target}" in captured.err
    assert "per_instance" in target.read_text()


def test_linear_transfer_has_one_block_per_ridge(capsys):
    args = (
        "simulate --procedure linear_transfer --d 10 --n 6 --theta 0.5 --sigma 0.2 "
        "--instances 3 --ridge 0 0.1 --epochs 200"
    )
    assert main(args.split()) == 0
    out = capsys.readouterr().out
    assert "λ = 0 " in out and "λ = 0.1 " in out
    assert "theory.lt_risk)" in out and "theory.ridge_lt_risk" in out


def test_relu_linear_transfer_is_set_beside_the_eq18_floor(capsys):
    args = (
        "simulate --model relu --procedure linear_transfer --removed 0.5 --d 5 --n 8 --width 12 "
        "--teacher-width 4 --instances 2 --max-steps 100"
    )
    assert main(args.split()) == 0
    out = capsys.readouterr().out
    assert out.startswith("ReLU linear transfer: d = 5, n = 8")
    assert "eq. 18: ‖P⊥f_t‖²" in out and "per_instance" not in out
