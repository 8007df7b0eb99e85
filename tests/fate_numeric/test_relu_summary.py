"""The ReLU summary that verify and Figure 3 both read (fate_numeric.relu_analysis), on a planted
pair of sweeps whose numbers are known."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from fate_numeric import relu_analysis

SIZES = (8, 16, 32, 64)
FRACTIONS = (0.25, 0.75)


def _sweeps(seed: int):
    rng = np.random.default_rng(seed)
    scratch = [  # R_sc ≈ 2 n^(−1), 6 instances
        (SimpleNamespace(n=n, removed=0.0), {"risk": 2.0 / n * (1 + 0.05 * rng.random(6))})
        for n in reversed(SIZES)  # stored in any order
    ]
    transfer = []
    for mu in FRACTIONS:
        floor = 0.02 * (1 + mu)  # ‖P⊥f_t‖² on the source span
        diagnostics = {
            "out_of_span_source": np.array([floor]),
            "out_of_span_student": np.array([2 * floor]),
            "target_norm": np.array([1.0]),
        }
        for cell, _ in scratch:
            risk = floor + 0.01 * rng.random(6)
            transfer.append((SimpleNamespace(n=cell.n, removed=mu), {"risk": risk, **diagnostics}))
    return scratch, transfer


def test_the_pieces(seed) -> None:
    scratch, transfer = _sweeps(seed)
    sizes, risks, fit = relu_analysis.scratch_power_law(scratch, seed=seed)
    assert sizes == list(SIZES)
    assert fit.exponent == pytest.approx(1.0, abs=0.05)
    grid = relu_analysis.transfer_grid(scratch, transfer)
    by_n = dict(zip(sizes, risks, strict=True))
    for cell, arrays in transfer:
        mean, se = grid[(cell.removed, cell.n)]
        difference = by_n[cell.n] - arrays["risk"]
        assert mean == pytest.approx(difference.mean())
        assert se == pytest.approx(difference.std(ddof=1) / np.sqrt(difference.size))
    diagnostics = relu_analysis.diagnostics_by_fraction(transfer)
    bounds = relu_analysis.boundaries(sizes, grid, diagnostics, fit)
    assert list(bounds) == list(FRACTIONS)
    for mu, (crossing, (source, student)) in bounds.items():
        floor = 0.02 * (1 + mu)
        assert source == pytest.approx((fit.amplitude / floor) ** (1 / fit.exponent))
        assert student == pytest.approx((fit.amplitude / (2 * floor)) ** (1 / fit.exponent))
        means = [grid[(mu, n)][0] for n in sizes]
        assert crossing == relu_analysis.sign_change(sizes, means)
    agreement = relu_analysis.sign_agreement(grid, diagnostics, fit, "out_of_span_source")
    expected = np.mean(
        [
            (grid[(mu, n)][0] > 0) == (fit(n) > diagnostics[mu]["out_of_span_source"][0])
            for mu in FRACTIONS
            for n in SIZES
        ]
    )
    assert agreement == pytest.approx(expected)


def test_summarise_is_the_pieces_and_uses_the_given_evaluators(seed) -> None:
    scratch, transfer = _sweeps(seed)
    summary = relu_analysis.summarise(scratch, transfer, seed=seed)
    sizes, _, fit = relu_analysis.scratch_power_law(scratch, seed=seed)
    assert summary.sizes == sizes and summary.fit == fit
    assert summary.fractions == list(FRACTIONS)
    assert summary.transfer == relu_analysis.transfer_grid(scratch, transfer)
    altered = SimpleNamespace(relu_transfer_boundary=lambda a, nu, floor: -1.0)
    other = relu_analysis.summarise(scratch, transfer, seed=seed, evaluators=altered)
    assert all(predicted == (-1.0, -1.0) for _, predicted in other.boundaries.values())
