"""Extension (docs/paper.md §12): cells pretrained with weight decay, and their Monte Carlo.

The paper's cells keep their store keys (the decay is left out of every key at 0); a decayed
pretraining ends at the derived end point; both simulation engines agree; the Monte Carlo with a
shrunk start or shrunk features reduces to the paper's at scale 1 and matches the exact frozen
expectation at σ = 0.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import montecarlo, theory
from fate_numeric.experiments import Cell, compatible, run_cells
from fate_numeric.sweeps import PRETRAIN_DECAYS, extension_cells_of

CPU = torch.device("cpu")


def test_the_papers_cells_keep_their_keys_and_decayed_cells_round_trip():
    plain = Cell("fine_tuning", d=20, n=10, theta=0.5)
    assert "pretrain_weight_decay" not in plain.config()
    assert (
        plain.config()
        == Cell("fine_tuning", d=20, n=10, theta=0.5, pretrain_weight_decay=0.0).config()
    )
    decayed = Cell("fine_tuning", d=20, n=10, theta=0.5, pretrain_weight_decay=1.0)
    assert decayed.config()["pretrain_weight_decay"] == 1.0
    assert decayed.pretrain_schedule.weight_decay == 1.0
    assert decayed.schedule.weight_decay == 0.0  # fine-tuning itself is not decayed
    assert Cell.from_config(decayed.config()) == decayed
    assert decayed.pretraining_config() != plain.pretraining_config()


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        (dict(procedure="scratch", pretrain_weight_decay=0.5), "scratch training has no"),
        (dict(procedure="linear_transfer", pretrain_weight_decay=-0.1), "pretrain_weight_decay"),
        (
            dict(procedure="linear_transfer", pretrain_weight_decay=0.5, source_rank=2),
            "weight decay",
        ),
    ],
)
def test_bad_decays_are_refused(fields, match):
    with pytest.raises(InvalidArgumentError, match=match):
        Cell(d=20, n=10, theta=0.5, **fields)


def test_the_sweep_covers_its_grid_and_the_best_decays():
    cells = extension_cells_of("pretraining_decay", "quick")
    decays = {c.pretrain_weight_decay for c in cells}
    assert set(PRETRAIN_DECAYS) < decays
    best = decays - set(PRETRAIN_DECAYS) - {2.5}
    assert best and all(0 < b < 2 for b in best)
    assert any(c.pretrain_weight_decay == 2.5 for c in cells)


@pytest.mark.parametrize("engine", ["gram", "weights"])
def test_pretraining_with_decay_ends_at_the_derived_end_point(engine):
    cells = [
        Cell(procedure, d=8, n=4, theta=0.6, instances=3, pretrain_weight_decay=decay)
        for decay in (0.5, 1.0)
        for procedure in ("fine_tuning", "linear_transfer")
    ]
    for group in compatible(cells):
        for cell, arrays in zip(group, run_cells(group, CPU, engine), strict=True):
            p = theory.wd_pretrain_end_point(cell.pretrain_weight_decay)
            singular = arrays["feature_singular_values"]
            assert np.allclose(singular[:, 0], math.sqrt(p), rtol=1e-8)
            assert np.all(singular[:, 1] < 1e-6)
            assert np.allclose(arrays["pretrain_loss"], (1 - p) ** 2, rtol=1e-8)


def test_a_decay_above_two_collapses_the_pretrained_network():
    cell = Cell("linear_transfer", d=8, n=6, theta=0.6, instances=2, pretrain_weight_decay=2.5)
    (arrays,) = run_cells([cell], CPU)
    assert np.all(arrays["feature_singular_values"] < 1e-6)


def test_the_engines_agree_on_fine_tuning_from_a_decayed_start():
    cell = Cell(
        "fine_tuning", d=8, n=4, theta=0.6, instances=3, pretrain_weight_decay=1.0, epochs=300
    )
    (gram,) = run_cells([cell], CPU, "gram")
    (weights,) = run_cells([cell], CPU, "weights")
    assert np.allclose(gram["generalisation"], weights["generalisation"], rtol=1e-9)


def test_the_monte_carlo_scales_reduce_to_the_papers_and_validate():
    kwargs = dict(seed=3)
    plain = montecarlo.fine_tuning_risks(0.5, 10, 20, 0.2, 50, balanced=True, **kwargs)
    unit = montecarlo.fine_tuning_risks(
        0.5, 10, 20, 0.2, 50, balanced=True, start_scale=1.0, **kwargs
    )
    assert np.array_equal(plain.transfer, unit.transfer)
    lt = montecarlo.linear_transfer_risks(0.5, 10, 0.2, 50, **kwargs)
    scaled = montecarlo.linear_transfer_risks(0.5, 10, 0.2, 50, feature_scale=0.3, **kwargs)
    assert np.allclose(lt, scaled, rtol=1e-12)  # least squares does not see the scale
    for bad in (0.0, -1.0, math.nan):
        with pytest.raises(InvalidArgumentError, match="start_scale"):
            montecarlo.fine_tuning_risks(0.5, 10, 20, 0.2, 5, start_scale=bad, **kwargs)
        with pytest.raises(InvalidArgumentError, match="feature_scale"):
            montecarlo.linear_transfer_risks(0.5, 10, 0.2, 5, feature_scale=bad, **kwargs)


def test_the_frozen_start_matches_its_exact_expectation():
    """At σ = 0, R_sc − R_ft = ‖(I − P)β_t‖² − ‖(I − P)(pβ_s − β_t)‖² has mean
    (1 − n/d)(2p cos θ − p²) exactly (E P = (n/d)I): the frozen record at γ = n/d."""
    decay, theta, n, d = 1.0, 1.0, 12, 30
    paired = montecarlo.fine_tuning_risks(theta, n, d, 0.0, 4000, start_scale=1 - decay / 2, seed=5)
    mean, se = montecarlo.mean_and_standard_error(paired.transferability)
    assert abs(mean - theory.wd_ft_transferability_frozen(theta, n / d, decay)) < 4 * se
