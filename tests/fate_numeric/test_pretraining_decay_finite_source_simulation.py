"""Extension (docs/paper.md §12): pretraining with weight decay on a finite source.

The Monte Carlo's per-draw end point against a direct numeric minimisation of
(1/n_s)‖y_s − X_sB‖² + λ_p‖B‖ (scipy, independent of the code); λ_p = 0 unchanged bit for bit;
the collapse; the sweep's cells; and the simulated networks against the exact end point of their
own data sets.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.optimize import minimize

from derivations.errors import InvalidArgumentError
from fate_numeric import montecarlo
from fate_numeric.experiments import Cell, _draw_pretraining, _draw_target, compatible, run_cells
from fate_numeric.sweeps import (
    FINITE_SOURCE_DECAY_PAPER_GAMMAS,
    FINITE_SOURCE_DECAYS,
    PROFILES,
    SOURCE_RATIOS,
    cells_of,
    is_extension,
)
from fate_numeric.tasks import make_teachers

CPU = torch.device("cpu")
SWEEP = "pretraining_decay_finite_source"


def _oracle(gram: np.ndarray, cross: np.ndarray, decay: float) -> np.ndarray:
    """argmin BᵀSB − 2rᵀB + λ‖B‖ (the loss (1/n)‖y − XB‖² + λ‖B‖ up to the constant ‖y‖²/n) by
    BFGS from the least-squares fit, or 0 where that is lower."""

    def objective(b):
        return b @ gram @ b - 2 * cross @ b + decay * np.linalg.norm(b)

    start = np.linalg.lstsq(gram, cross, rcond=None)[0]
    found = minimize(objective, start, method="BFGS", options={"gtol": 1e-12, "maxiter": 10_000})
    return found.x if found.fun < 0 else np.zeros_like(found.x)


@pytest.mark.parametrize(("n_s", "d"), [(4, 7), (11, 5), (6, 6)])
def test_the_decayed_fit_is_the_minimiser_of_the_penalised_loss(n_s, d, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4, n_s, d))
    beta = rng.normal(size=d)
    y = x @ (beta / np.linalg.norm(beta)) + 0.3 * rng.normal(size=(4, n_s))
    decay = 0.8
    fit, ridge = montecarlo.decayed_source_fit(torch.tensor(x), torch.tensor(y), decay)
    for k in range(4):
        expected = _oracle(x[k].T @ x[k] / n_s, x[k].T @ y[k] / n_s, decay)
        np.testing.assert_allclose(fit[k].numpy(), expected, atol=1e-6)
        if np.linalg.norm(expected) > 0:  # self-consistent: μ = λ_p/(2‖B‖), to the last bits
            norm = float(fit[k].norm())
            assert float(ridge[k]) == pytest.approx(decay / (2 * norm), rel=1e-12)
        else:
            assert math.isinf(float(ridge[k]))


def test_a_decay_above_twice_the_norm_of_r_collapses_the_source():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 8, 5))
    y = rng.normal(size=(2, 8))
    norms = np.linalg.norm(np.einsum("bnd,bn->bd", x, y) / 8, axis=-1)
    fit, ridge = montecarlo.decayed_source_fit(
        torch.tensor(x), torch.tensor(y), 2.0001 * float(norms.max())
    )
    assert torch.all(fit == 0) and torch.all(torch.isinf(ridge))
    fit, ridge = montecarlo.decayed_source_fit(
        torch.tensor(x), torch.tensor(y), 1.999 * float(norms.min())
    )
    assert torch.all(fit.norm(dim=-1) > 0) and torch.all(torch.isfinite(ridge))


ARGS = (0.7, 6, 10, 0.2)  # θ, n, d, σ


@pytest.mark.parametrize("n_s", [5, 14])
@pytest.mark.parametrize("procedure", ["fine_tuning", "linear_transfer"])
def test_no_decay_keeps_the_papers_finite_source_bit_for_bit(n_s, procedure, seed):
    """source_decay = 0 is X_s⁺y_s with the same draws and numbers; a tiny decay is close to it;
    every decay draws the same data (the scratch risks agree bit for bit)."""
    balanced = procedure == "fine_tuning"
    common = dict(procedure=procedure, balanced=balanced, seed=seed)
    plain = montecarlo.finite_source_risks(*ARGS, n_s, 0.3, 50, **common)
    zero = montecarlo.finite_source_risks(*ARGS, n_s, 0.3, 50, source_decay=0.0, **common)
    tiny = montecarlo.finite_source_risks(*ARGS, n_s, 0.3, 50, source_decay=1e-9, **common)
    decayed = montecarlo.finite_source_risks(*ARGS, n_s, 0.3, 50, source_decay=0.8, **common)
    np.testing.assert_array_equal(plain.transfer, zero.transfer)
    np.testing.assert_array_equal(plain.scratch, zero.scratch)
    np.testing.assert_array_equal(plain.source_norm, zero.source_norm)
    np.testing.assert_allclose(tiny.transfer, plain.transfer, rtol=1e-6)
    np.testing.assert_allclose(tiny.source_norm, plain.source_norm, rtol=1e-6)
    np.testing.assert_array_equal(decayed.scratch, plain.scratch)
    assert np.all(decayed.source_norm < plain.source_norm)  # weight decay shrinks the source


def test_the_source_norm_is_the_norm_of_the_papers_source_fit(seed):
    """At λ_p = 0 the reported norm is ‖X_s⁺y_s‖, drawn as the module notes say (teachers, then
    per draw X_s, ε_s, X, ε)."""
    theta, n, d, sigma, n_s, sigma_s = 0.4, 5, 9, 0.1, 6, 0.2
    gen = torch.Generator().manual_seed(seed)
    paired = montecarlo.finite_source_risks(
        theta, n, d, sigma, n_s, sigma_s, 3, seed=torch.Generator().manual_seed(seed)
    )
    teachers = make_teachers(d, theta, gen)
    norms = []
    for _ in range(3):
        x_s = torch.empty(n_s, d, dtype=torch.float64).normal_(generator=gen)
        noise = torch.empty(n_s, dtype=torch.float64).normal_(generator=gen)
        torch.empty(n, d, dtype=torch.float64).normal_(generator=gen)
        torch.empty(n, dtype=torch.float64).normal_(generator=gen)
        y_s = x_s @ teachers.source + sigma_s * noise
        norms.append(float(torch.linalg.norm(torch.linalg.pinv(x_s) @ y_s)))
    np.testing.assert_allclose(paired.source_norm, norms, rtol=1e-10)


def test_a_collapsed_source_makes_fine_tuning_scratch_and_linear_transfer_null(seed):
    huge = 50.0  # far above 2‖r‖ for every draw
    tuned = montecarlo.finite_source_risks(
        *ARGS, 8, 0.2, 20, balanced=True, source_decay=huge, seed=seed
    )
    np.testing.assert_array_equal(tuned.transfer, tuned.scratch)
    np.testing.assert_array_equal(tuned.scale, np.zeros(20))
    np.testing.assert_array_equal(tuned.source_norm, np.zeros(20))
    frozen = montecarlo.finite_source_risks(*ARGS, 8, 0.2, 20, source_decay=huge, seed=seed)
    np.testing.assert_array_equal(frozen.transfer, frozen.scratch)
    refit = montecarlo.finite_source_risks(
        *ARGS, 8, 0.2, 20, procedure="linear_transfer", source_decay=huge, seed=seed
    )
    np.testing.assert_allclose(refit.transfer, 1.0, rtol=1e-14)  # ‖β_t‖² = 1


@pytest.mark.parametrize("bad", [-0.1, math.inf, True, "1"])
def test_a_bad_source_decay_is_refused(bad):
    with pytest.raises(InvalidArgumentError, match="source_decay"):
        montecarlo.finite_source_risks(*ARGS, 8, 0.2, 4, source_decay=bad, seed=0)


def test_the_sweep_is_an_extension_on_the_papers_grids():
    assert is_extension(SWEEP)
    quick = cells_of(SWEEP, "quick")
    profile = PROFILES["quick"]
    assert {c.pretrain_weight_decay for c in quick} == set(FINITE_SOURCE_DECAYS)
    assert {c.n_source for c in quick} == {round(r * profile.d) for r in SOURCE_RATIOS}
    assert {c.n for c in quick} == set(profile.sample_sizes())
    assert {c.procedure for c in quick} == {"fine_tuning", "linear_transfer"}
    assert all(c.sigma == c.sigma_source == 0.2 for c in quick)
    paper = cells_of(SWEEP, "paper")
    scratch_sizes = {c.n for c in cells_of("scratch", "paper")}
    assert {c.n for c in paper} == {round(g * 500) for g in FINITE_SOURCE_DECAY_PAPER_GAMMAS}
    assert {c.n for c in paper} <= scratch_sizes  # the archived scratch cells pair with them
    for cell in paper:
        assert cell.pretrain_schedule.weight_decay == cell.pretrain_weight_decay > 0
        assert cell.pretrain_schedule.steps == 8000 and cell.schedule.weight_decay == 0
        assert Cell.from_config(cell.config()) == cell


@pytest.mark.parametrize("n_source", [5, 14])
def test_the_networks_end_at_the_exact_end_point_of_their_own_data(n_source):
    """A decayed finite-source pretraining ends at ‖B‖ of its own source data; fine-tuning ends at
    β̂_sc + κ(I − P)B on its own target data (lr 0.01: up to the finite step)."""
    d, n = 10, 4
    cells = [
        Cell(
            procedure,
            d=d,
            n=n,
            theta=0.6,
            sigma=0.2,
            instances=3,
            n_source=n_source,
            sigma_source=0.2,
            pretrain_weight_decay=1.0,
        )
        for procedure in ("fine_tuning", "linear_transfer")
    ]
    results = {}
    for group in compatible(cells):
        for cell, arrays in zip(group, run_cells(group, CPU), strict=True):
            results[cell.procedure] = (cell, arrays)
    cell, arrays = results["fine_tuning"]
    drawn = _draw_pretraining(cell, CPU, True)
    source = drawn.source_data.stats
    target = _draw_target(cell, drawn.target, CPU, True).stats
    for k in range(cell.instances):
        b = _oracle(source.gram[k].numpy(), source.cross[k].numpy(), 1.0)
        for _, stored in results.values():
            assert stored["feature_singular_values"][k, 0] ** 2 == pytest.approx(
                np.linalg.norm(b), rel=1e-6
            )
        gram, cross = target.gram[k].numpy(), target.cross[k].numpy()
        pinv = np.linalg.pinv(gram, rcond=1e-10)
        scratch, null = pinv @ cross, b - pinv @ (gram @ b)
        roots = np.roots([1.0, 0.0, -(null @ null) / np.linalg.norm(b), 0.0, -(scratch @ scratch)])
        c = max(z.real for z in roots if abs(z.imag) < 1e-12 and z.real > 0)
        tuned = scratch + c / math.sqrt(np.linalg.norm(b)) * null
        risk = float(np.sum((tuned - drawn.target.numpy()) ** 2))
        assert arrays["generalisation"][k] == pytest.approx(risk, abs=2e-3)
