"""The Monte Carlo guard of linear transfer's standard error: one limit object per n, scaled."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from fate_numeric import montecarlo
from verify.claims import Context


@pytest.mark.parametrize(
    ("theta", "n", "sigma"), [(math.pi / 8, 12, 0.2), (math.pi / 3, 40, 1.0), (0.0, 25, 0.5)]
)
def test_scaled_unit_object_matches_the_direct_monte_carlo(theta, n, sigma):
    """(sin²θ + σ²) × sd at (π/2, n, 0) against the sd sampled at (θ, n, σ) directly, within the
    sampling error of two independent 20 000-draw standard deviations (heavy-tailed: 1/χ²_n)."""
    ctx = Context(profile="quick", device=torch.device("cpu"), seed=3, store=None)
    scaled = ctx.population_sd("linear_transfer", theta, n, sigma)
    direct = np.std(montecarlo.linear_transfer_risks(theta, n, sigma, 20_000, seed=11), ddof=1)
    unit = np.std(montecarlo.linear_transfer_risks(math.pi / 2, n, 0.0, 20_000, seed=12), ddof=1)
    assert scaled == pytest.approx(
        (math.sin(theta) ** 2 + sigma**2) * ctx._sampled_sd("linear_transfer", math.pi / 2, n, 0.0)
    )
    assert direct == pytest.approx((math.sin(theta) ** 2 + sigma**2) * unit, rel=0.1)
    assert scaled == pytest.approx(direct, rel=0.2)  # 2000 draws behind the guard


def test_other_kinds_are_sampled_at_their_own_arguments():
    ctx = Context(profile="quick", device=torch.device("cpu"), seed=0, store=None)
    sd = ctx.population_sd("scratch", 30, 60, 0.2)
    assert sd == pytest.approx(np.std(montecarlo.scratch_risks(30, 60, 0.2, 2000, seed=0), ddof=1))
    assert ctx.population_sd("not-guarded", 1.0) is None
