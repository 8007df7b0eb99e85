"""Extension (docs/paper.md §11): the rank-k records against independent oracles and eq. 10.

The oracles are typed here by hand, independently of :mod:`derivations.rank_k`: the rank-k refit is
least squares on k Gaussian features with effective noise variance ρ + σ², so (Wishart) E R =
ρ + (ρ + σ²)k/(n − k − 1) for n > k + 1 and, with the minimum-norm fit for k > n + 1,
ρ + (1 − ρ)(1 − n/k) + (ρ + σ²)n/(k − n − 1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import derivations.rank_k as module
from derivations import explain, notes
from derivations.explain import Verdict
from derivations.rank_k import results
from derivations.record import Regime
from derivations.registry import MODULES, get
from fate_numeric import theory

RECORDS = [r.name for r in results()]


def _oracle_risk(rho: float, n: int, k: int, sigma: float) -> float:
    if n > k + 1:
        return rho + (rho + sigma**2) * k / (n - k - 1)
    if n < k - 1:
        return rho + (1 - rho) * (1 - n / k) + (rho + sigma**2) * n / (k - n - 1)
    return 0.0 if rho == 0 and sigma == 0 else math.inf


def test_the_module_is_registered_after_the_papers_results_as_an_extension():
    assert MODULES.index("rank_k") > MODULES.index("gram_descent")
    title, _ = notes._heading(module)
    assert title.startswith("Extension (not the paper's claims)")
    for name in RECORDS:
        record = get(name)
        assert record.reference == "extension (docs/paper.md §11)", name
        assert record.title.startswith("Extension:"), name
        assert record.printed is None, name  # no formula of the paper to compare with


@pytest.mark.parametrize("name", RECORDS)
def test_every_step_is_confirmed_or_says_why_not(name):
    checks = explain.checked(name)
    assert not [c.number for c in checks if c.verdict is Verdict.FAILED]
    assert all("not machine-checked:" in c.detail for c in checks if c.verdict is Verdict.UNCHECKED)
    assert any(c.verdict is Verdict.CONFIRMED for c in checks)


def test_the_reductions_are_confirmed_steps():
    """k = 1 is eq. 10 and k = d with ρ = 0 is the exact scratch risk: steps 7 and 8."""
    checks = explain.checked("lt_risk_rank_k")
    assert "eq. 10" in checks[6].step.why and checks[6].verdict is Verdict.CONFIRMED
    assert "scratch" in checks[7].step.why and checks[7].verdict is Verdict.CONFIRMED
    assert get("lt_risk_rank_k").regime is Regime.EXACT_FINITE_SIZE
    assert get("lt_risk_rank_k_proportional").regime is Regime.ASYMPTOTIC


@pytest.mark.parametrize(
    ("rho", "n", "k", "sigma"),
    [(0.3, 20, 4, 0.2), (0.0, 9, 2, 0.0), (1.0, 100, 8, 1.5), (0.3, 5, 20, 0.2), (0.7, 3, 40, 0.1),
     (0.2, 6, 5, 0.3), (0.0, 7, 7, 0.0)],
)  # fmt: skip
def test_risk_matches_the_oracle(rho, n, k, sigma):
    assert theory.lt_risk_rank_k(rho, n, k, sigma) == pytest.approx(
        _oracle_risk(rho, n, k, sigma), rel=1e-12, abs=1e-15
    )


def test_rank_one_is_eq10_and_full_rank_is_scratch():
    thetas = np.linspace(0, math.pi / 2, 7)
    for n, sigma in ((3, 0.2), (10, 1.0), (400, 0.05)):
        assert theory.lt_risk_rank_k(np.sin(thetas) ** 2, n, 1, sigma) == pytest.approx(
            theory.lt_risk(thetas, n, sigma), rel=1e-13
        )
    for n, d, sigma in ((5, 30, 0.2), (60, 30, 0.5), (30, 30, 0.0)):
        assert theory.lt_risk_rank_k(0.0, n, d, sigma) == pytest.approx(
            theory.scratch_risk_finite(n, d, sigma), rel=1e-13
        )


def test_limits():
    """n → ∞ at fixed k: ρ; k = κn: the proportional law, approached at rate 1/n."""
    assert theory.lt_risk_rank_k(0.4, 10**9, 8, 0.3) == pytest.approx(0.4, abs=1e-8)
    for kappa, rho, sigma in ((0.25, 0.2, 0.3), (0.5, 0.0, 1.0), (2.0, 0.3, 0.2)):
        n = 10**6
        finite = theory.lt_risk_rank_k(rho, n, round(kappa * n), sigma)
        limit = theory.lt_risk_rank_k_proportional(rho, kappa, sigma)
        assert finite == pytest.approx(limit, rel=1e-5)
    assert theory.lt_risk_rank_k_proportional(0.3, 0.25, 0.2) == pytest.approx(
        (0.3 + 0.04 * 0.25) / 0.75, rel=1e-13
    )
    assert theory.lt_risk_rank_k_proportional(0.3, 1.0, 0.2) == math.inf


def test_proportional_transferability_is_eq11_with_rho():
    thetas = np.linspace(0.05, math.pi / 2, 9)
    for gamma in (0.3, 0.8, 1.0, 1.7):
        assert theory.lt_transferability_rank_k(np.sin(thetas) ** 2, gamma, 0.2) == pytest.approx(
            theory.lt_transferability(thetas, gamma, 0.2), rel=1e-12
        )


def test_finite_transferability_and_its_boundary():
    rho, n, d, k, sigma = 0.3, 20, 40, 4, 0.2
    scratch = 1 - n / d + sigma**2 * n / (d - n - 1)  # oracle: eq. 8's exact finite form
    expected = scratch - _oracle_risk(rho, n, k, sigma)
    assert theory.lt_transferability_rank_k_finite(rho, n, d, k, sigma) == pytest.approx(expected)
    boundary = theory.lt_rank_k_boundary_finite(n, d, k, sigma)
    assert boundary == pytest.approx(((n - k - 1) * scratch - sigma**2 * k) / (n - 1))
    for delta, sign in ((-0.05, 1), (0.05, -1)):
        assert sign * theory.lt_transferability_rank_k_finite(boundary + delta, n, d, k, sigma) > 0
    assert math.isnan(theory.lt_rank_k_boundary_finite(5, 40, 4, 0.2))  # n <= k + 1
    assert theory.lt_transferability_rank_k_finite(0.3, 5, 40, 4, 0.2) == -math.inf
    assert theory.lt_transferability_rank_k_finite(0.3, 40, 40, 4, 0.2) == math.inf
    # the rank costs at finite n: more features, lower transferability at equal ρ
    values = [theory.lt_transferability_rank_k_finite(0.3, 30, 40, k, 0.2) for k in (1, 2, 4, 8)]
    assert values == sorted(values, reverse=True)


def test_interval_and_threshold_are_thm37_with_rho():
    for theta, sigma in ((math.pi / 3, 0.2), (2 * math.pi / 5, 0.1)):
        rho = math.sin(theta) ** 2
        assert theory.lt_negative_interval_rank_k(rho, sigma) == pytest.approx(
            theory.lt_negative_interval(theta, sigma), rel=1e-12
        )
        assert theory.lt_negative_threshold_overparam_rank_k(rho, sigma) == pytest.approx(
            theory.lt_negative_threshold_overparam(theta, sigma), rel=1e-12
        )
    assert all(math.isnan(v) for v in theory.lt_negative_interval_rank_k(0.1, 0.2))


def test_fine_tuning_bound_lies_above_eq15():
    """At k = 1 the bound exceeds eq. 15 by (1 − γ)(1 − cos θ)² (oracle) and is 0 for γ > 1."""
    thetas = np.linspace(0, math.pi / 2, 9)
    for gamma in (0.2, 0.7):
        gap = theory.ft_rank_k_transferability_bound(np.sin(thetas) ** 2, gamma) - (
            theory.ft_transferability(thetas, gamma)
        )
        assert gap == pytest.approx((1 - gamma) * (1 - np.cos(thetas)) ** 2, abs=1e-12)
    assert theory.ft_rank_k_transferability_bound(0.3, 1.5) == 0.0
    flow = explain.checked("ft_rank_k_flow")
    assert "not derived" in flow[-1].step.why and flow[-1].verdict is Verdict.UNCHECKED


def test_aligned_fine_tuning_is_rank_one_fine_tuning_at_sin2_theta_rho():
    """The aligned head's transferability is ft_transferability_balanced at sin²θ = ρ; at σ = 0
    it is (1 − γ)(2√(1 − ρ) − 1) (oracle, eq. 15), below the bound by (1 − γ)(1 − √(1 − ρ))²,
    and 0 above interpolation."""
    rhos = np.linspace(0, 1, 7)
    for gamma, sigma in ((0.3, 0.0), (0.5, 0.2), (0.8, 1.0)):
        aligned = theory.ft_rank_k_aligned_transferability(rhos, gamma, sigma)
        rank_one = theory.ft_transferability_balanced(np.arcsin(np.sqrt(rhos)), gamma, sigma)
        assert aligned == pytest.approx(rank_one, abs=1e-12)
    noiseless = theory.ft_rank_k_aligned_transferability(rhos, 0.4, 0.0)
    assert noiseless == pytest.approx(0.6 * (2 * np.sqrt(1 - rhos) - 1), abs=1e-12)
    gap = theory.ft_rank_k_transferability_bound(rhos, 0.4) - noiseless
    assert gap == pytest.approx(0.6 * (1 - np.sqrt(1 - rhos)) ** 2, abs=1e-12)
    assert theory.ft_rank_k_aligned_transferability(0.3, 1.5, 0.2) == 0.0
    steps = explain.checked("ft_rank_k_aligned_transferability")
    assert [s.verdict for s in steps].count(Verdict.UNCHECKED) == 2  # the argued steps
