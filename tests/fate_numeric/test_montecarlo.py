"""Monte Carlo of the limit objects (fate_numeric.montecarlo) against the theory evaluators.

Tolerances are statistical: a Monte Carlo mean must lie within 5 standard errors of the exact
finite-size expectation, plus a tiny floor (1e-12, for risks that vanish identically). Where only
an asymptotic evaluator exists, a stated finite-size allowance is added, justified in the test by
the size of the correction (measured at several sizes, or bounded analytically). All tests pass for
any seed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import montecarlo as mc
from fate_numeric import theory

K_SE = 5.0  # standard errors allowed
FLOOR = 1e-12  # for quantities that are zero up to rounding on every draw


def _assert_close(values: np.ndarray, expected: float, allowance: float = 0.0) -> None:
    mean, se = mc.mean_and_standard_error(values)
    tolerance = K_SE * se + allowance + FLOOR
    assert abs(mean - expected) <= tolerance, (
        f"Monte Carlo {mean:.6f} ± {se:.6f} vs {expected:.6f} (tolerance {tolerance:.6f})"
    )


# ---------------------------------------------------------------------------------------------
# scratch (Thm 3.5-3.6)


@pytest.mark.parametrize(
    ("n", "d", "sigma"),
    [(40, 80, 0.5), (120, 80, 0.5), (30, 80, 0.0), (120, 80, 0.0), (1, 6, 0.3), (9, 2, 1.0)],
)
def test_scratch_mean_is_the_exact_finite_size_risk(n, d, sigma, seed):
    """E‖X⁺y − β_t‖² = 1 − n/d + σ²n/(d − n − 1) (n < d − 1), σ²d/(n − d − 1) (n > d + 1)."""
    risks = mc.scratch_risks(n, d, sigma, 400, seed=seed)
    assert risks.shape == (400,)
    assert risks.dtype == np.float64
    _assert_close(risks, theory.scratch_risk_finite(n, d, sigma))


def test_scratch_is_exact_without_noise_when_n_exceeds_d(seed):
    """σ = 0, n > d: OLS recovers β_t on every draw (not just on average)."""
    risks = mc.scratch_risks(50, 20, 0.0, 20, seed=seed)
    assert risks.max() < 1e-20


# ---------------------------------------------------------------------------------------------
# linear transfer (Thm 3.7-3.8)


@pytest.mark.parametrize(
    ("theta", "n", "sigma"),
    [
        (math.pi / 8, 10, 0.2),
        (math.pi / 4, 30, 0.2),
        (3 * math.pi / 8, 12, 1.0),
        (math.pi / 2, 16, 0.0),
        (2 * math.pi / 3, 11, 0.3),
        (0.0, 12, 0.0),  # risk identically 0: b = cos θ = 1 exactly
    ],
)
def test_linear_transfer_mean_is_eq10(theta, n, sigma, seed):
    """E R_lt = sin²θ + (σ² + sin²θ)/(n − 2), exact at finite n (Thm 3.7, eq. 10)."""
    risks = mc.linear_transfer_risks(theta, n, sigma, 10_000, seed=seed)
    _assert_close(risks, theory.lt_risk(theta, n, sigma))


@pytest.mark.parametrize("lam", [0.1, 0.5])
def test_ridge_linear_transfer_approaches_eq13(lam, seed):
    """Thm 3.8, eq. 13 is the n → ∞ limit of b = zᵀy/(zᵀz + nλ).

    Finite-n allowance 5/n: expanding b around cos θ/(1 + λ) in the O(n^-½) fluctuations of
    ‖z‖²/n and zᵀ(sin θ w + σε)/n gives E R − eq. 13 = O((1 + σ² + λ²)/n) with a constant below 3
    here (measured: +2e-5 at n = 10⁴). 5/n = 1.25e-3 is far below the gap to λ = 0 (7e-3 at
    λ = 0.1).
    """
    theta, n, sigma = math.pi / 8, 4000, 0.2
    risks = mc.linear_transfer_risks(theta, n, sigma, 300, lam=lam, seed=seed)
    _assert_close(risks, theory.ridge_lt_risk(theta, lam), allowance=5 / n)
    assert risks.mean() > theory.ridge_lt_risk(theta, 0.0) + 0.005  # ridge does not help


# ---------------------------------------------------------------------------------------------
# fine-tuning (Thm 3.9 and the balanced correction, docs/paper.md §3.8)


@pytest.mark.parametrize("theta", [math.pi / 8, math.pi / 3, math.pi / 2, 2 * math.pi / 3])
@pytest.mark.parametrize("sigma", [0.0, 0.5])
def test_fine_tuning_difference_is_eq15_at_finite_size(theta, sigma, seed):
    """mean(R_sc − R_ft) for β̂_ft = β̂_sc + (I − P)β_s against eq. 15 at γ = n/d.

    Exact at finite n < d: the row-space parts of β̂_sc and β̂_ft coincide, so per draw
    R_sc − R_ft = ‖(I − P)β_t‖² − ‖(I − P)(β_t − β_s)‖², which is linear in P and free of the
    noise; P is a uniformly random rank-n projector, E P = (n/d) I, hence the expectation is
    (1 − n/d)(‖β_t‖² − ‖β_t − β_s‖²) = (1 − n/d)(2 cos θ − 1) = ft_transferability(θ, n/d)
    exactly (at σ = 0 as the brief asks, and for every σ with c = 1).
    """
    n, d = 40, 80
    paired = mc.fine_tuning_risks(theta, n, d, sigma, 200, seed=seed)
    assert paired.scale is None
    _assert_close(paired.transferability, theory.ft_transferability(theta, n / d))


@pytest.mark.parametrize("balanced", [False, True])
@pytest.mark.parametrize(("n", "d"), [(100, 80), (80, 80)])
def test_fine_tuning_is_scratch_when_n_is_at_least_d(n, d, balanced, seed):
    """For n >= d, P = I: fine-tuning forgets the start (T_ft = 0 for γ > 1, eq. 15)."""
    paired = mc.fine_tuning_risks(math.pi / 4, n, d, 0.3, 10, balanced=balanced, seed=seed)
    np.testing.assert_array_equal(paired.transfer, paired.scratch)


def test_balanced_scale_is_one_at_theta_zero_without_noise(seed):
    """θ = 0, σ = 0: a + b = ‖(I − P)β_s‖² + ‖Pβ_s‖² = 1, so c = 1 and β̂_ft = β_s on every draw."""
    paired = mc.fine_tuning_risks(0.0, 30, 70, 0.0, 20, balanced=True, seed=seed)
    np.testing.assert_allclose(paired.scale, 1.0, rtol=0, atol=1e-12)
    assert paired.transfer.max() < 1e-20


def test_balanced_fine_tuning_follows_the_corrected_formula(seed):
    """σ = 1, γ = 0.5, θ = π/3: the balanced scale c ≈ 1.22 makes T_ft ≈ −0.138, not eq. 15's 0.

    Finite-size allowance 1/d = 0.0025: with many draws the bias of mean(R_sc − R_ft,balanced)
    against ft_transferability_balanced(θ, 0.5, 1) was −0.0035 ± 0.0009 at d = 100,
    −0.0024 ± 0.0010 at d = 200 and −0.0010 ± 0.0011 at d = 400 (θ = π/4: −0.0035, −0.0016,
    −0.0006), i.e. about −0.35/d; the allowance is 2.5–3× that.
    """
    theta, n, d, sigma = math.pi / 3, 200, 400, 1.0
    paired = mc.fine_tuning_risks(theta, n, d, sigma, 200, balanced=True, seed=seed)
    corrected = theory.ft_transferability_balanced(theta, n / d, sigma)
    _assert_close(paired.transferability, corrected, allowance=1 / d)
    _assert_close(paired.scale, theory.ft_balance_scale(n / d, sigma), allowance=1 / d)
    printed = theory.ft_transferability(theta, n / d)  # 0 at θ = π/3
    assert paired.transferability.mean() < printed - 0.1


# ---------------------------------------------------------------------------------------------
# finite source (App. C)


@pytest.mark.parametrize(("theta", "n_s"), [(math.pi / 8, 100), (math.pi / 2, 300)])
def test_finite_source_fine_tuning_follows_eq22(theta, n_s, seed):
    """mean(R_sc − R_ft) with β̂_s = X_s⁺y_s against Thm C.1 eq. 22 at γ = n/d, γ_s = n_s/d.

    Exact finite-size expectation (E P = (n/d) I, P independent of β̂_s):
    (1 − n/d)(2 E⟨β_t, β̂_s⟩ − E‖β̂_s‖²), which differs from eq. 22 only through the inverse-Wishart
    mean in E‖β̂_s‖²: σ_s² n_s/(d − n_s − 1) instead of σ_s² n_s/(d − n_s) (n_s < d), and
    σ_s² d/(n_s − d − 1) instead of σ_s²/(γ_s − 1) (n_s > d). That gap is the allowance (< 1e-3).
    """
    n, d, sigma, sigma_s = 50, 200, 0.2, 0.2
    if n_s < d:
        gap = sigma_s**2 * n_s * (1 / (d - n_s - 1) - 1 / (d - n_s))
    else:
        gap = sigma_s**2 * (d / (n_s - d - 1) - d / (n_s - d))
    allowance = (1 - n / d) * gap
    assert allowance < 1e-3
    paired = mc.finite_source_risks(theta, n, d, sigma, n_s, sigma_s, 200, seed=seed)
    expected = theory.ft_transferability_finite_source(theta, n / d, n_s / d, sigma_s)
    _assert_close(paired.transferability, expected, allowance=allowance)


@pytest.mark.parametrize(
    ("theta", "n_s", "sigma"), [(math.pi / 2, 50, 0.0), (math.pi / 8, 150, 0.2)]
)
def test_finite_source_balanced_fine_tuning_follows_its_finite_size_reference(
    theta, n_s, sigma, seed
):
    """The per-draw gradient-flow end point β̂_sc + κ(I − P)β̂_s against
    ``ft_risk_finite_source_balanced_d`` (deterministic equivalents: allowance 1/d), and not
    against eq. 22's κ = 1 object where κ matters (θ = π/2, γ_s = 0.5: a gap of about 0.07)."""
    n, d = 50, 100
    flow = mc.finite_source_risks(theta, n, d, sigma, n_s, sigma, 400, balanced=True, seed=seed)
    _assert_close(
        flow.transfer,
        theory.ft_risk_finite_source_balanced_d(theta, n, d, n_s, sigma, sigma),
        allowance=1 / d,
    )
    assert flow.scale is not None and flow.scale.shape == (400,)
    paper = mc.finite_source_risks(theta, n, d, sigma, n_s, sigma, 400, seed=seed)
    np.testing.assert_array_equal(paper.scratch, flow.scratch)  # the same draws
    if n_s < d and theta == math.pi / 2:
        assert flow.scale.mean() > 1.08  # the deterministic equivalent: κ ≈ 1.13
        assert flow.transfer.mean() > paper.transfer.mean() + 0.05


def test_finite_source_balanced_is_for_fine_tuning_only():
    with pytest.raises(InvalidArgumentError, match="fine-tuning only"):
        mc.finite_source_risks(
            0.3, 5, 10, 0.1, 5, 0.1, 4, procedure="linear_transfer", balanced=True, seed=0
        )
    with pytest.raises(InvalidArgumentError, match="balanced must be"):
        mc.finite_source_risks(0.3, 5, 10, 0.1, 5, 0.1, 4, balanced=1, seed=0)


def test_finite_source_linear_transfer_approaches_its_limit(seed):
    """LT risk along β̂_s → lt_risk_finite_source(θ, γ_s, σ_s) as n, d → ∞ (docs/paper.md §3.9).

    Allowance 1.5/d + (1 + σ²)/(n − 2). Given β̂_s, E R = ‖r‖²(n − 1)/(n − 2) + σ²/(n − 2) with
    ‖r‖² = 1 − ⟨β_t, β̂_s⟩²/‖β̂_s‖² (the second term bounds the finite-n excess); the finite-d bias
    of E‖r‖² was measured at −(0.3 … 0.8)/d (d = 100, 200, 400; θ = π/8, π/4; γ_s = 0.5, σ_s = 0.5).
    """
    theta, n, d, sigma, n_s, sigma_s = math.pi / 8, 1000, 100, 0.2, 50, 0.5
    paired = mc.finite_source_risks(
        theta, n, d, sigma, n_s, sigma_s, 200, procedure="linear_transfer", seed=seed
    )
    allowance = 1.5 / d + (1 + sigma**2) / (n - 2)
    _assert_close(paired.transfer, theory.lt_risk_finite_source(theta, n_s / d, sigma_s), allowance)
    # far from the infinite-source floor sin²θ: the noisy source costs a lot
    assert paired.transfer.mean() > theory.lt_risk_limit(theta) + 0.3
    _assert_close(paired.scratch, theory.scratch_risk_finite(n, d, sigma))


@pytest.mark.parametrize("procedure", mc.PROCEDURES)
def test_noiseless_large_source_is_the_exact_source(procedure, seed):
    """σ_s = 0 and n_s > d: β̂_s = β_s, so the finite-source paths reduce to eq. 10 / eq. 15."""
    theta, d, sigma = math.pi / 4, 8, 0.3
    n = 5 if procedure == "fine_tuning" else 40  # FT: n < d so that (I − P)β̂_s matters
    paired = mc.finite_source_risks(
        theta, n, d, sigma, 20, 0.0, 2000, procedure=procedure, seed=seed
    )
    if procedure == "fine_tuning":
        _assert_close(paired.transferability, theory.ft_transferability(theta, n / d))
    else:
        _assert_close(paired.transfer, theory.lt_risk(theta, n, sigma))


# ---------------------------------------------------------------------------------------------
# randomness, chunking, devices


def _all_samplers(seed, max_bytes=mc.DEFAULT_MAX_BYTES):
    common = {"seed": seed, "max_bytes": max_bytes}
    ft = mc.fine_tuning_risks(0.7, 9, 14, 0.4, 7, balanced=True, **common)
    fs = mc.finite_source_risks(0.7, 9, 14, 0.4, 6, 0.3, 7, **common)
    fs_lt = mc.finite_source_risks(
        0.7, 9, 14, 0.4, 20, 0.3, 7, procedure="linear_transfer", **common
    )
    return [
        mc.scratch_risks(9, 14, 0.4, 7, **common),
        mc.scratch_risks(20, 14, 0.4, 7, **common),
        mc.linear_transfer_risks(0.7, 9, 0.4, 7, lam=0.2, **common),
        ft.scratch,
        ft.transfer,
        ft.scale,
        fs.scratch,
        fs.transfer,
        fs_lt.scratch,
        fs_lt.transfer,
    ]


def test_same_seed_same_numbers_other_seed_other_numbers(seed):
    first, again, other = _all_samplers(seed), _all_samplers(seed), _all_samplers(seed + 1)
    for a, b, c in zip(first, again, other, strict=True):
        np.testing.assert_array_equal(a, b)
        assert not np.any(a == c)


def test_generator_argument_matches_integer_seed_and_is_advanced(seed):
    gen = torch.Generator(device="cpu")
    gen.manual_seed(seed)
    from_generator = mc.scratch_risks(5, 9, 0.2, 4, seed=gen)
    np.testing.assert_array_equal(from_generator, mc.scratch_risks(5, 9, 0.2, 4, seed=seed))
    assert not np.any(mc.scratch_risks(5, 9, 0.2, 4, seed=gen) == from_generator)


def test_chunking_does_not_change_the_numbers(seed):
    """Draws consume the generator one after the other: chunking is invisible (up to rounding)."""
    unchunked = _all_samplers(seed)
    for max_bytes in (1, 3 * mc.bytes_per_draw((9, 14), (20, 14))):  # chunks of 1; of 3 or so
        for a, b in zip(unchunked, _all_samplers(seed, max_bytes), strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=0)


def test_chunk_sizes_respect_the_budget():
    per_draw = mc.bytes_per_draw((100, 200))
    assert per_draw == 8 * (100 * 200 + 3 * 100**2 + 4 * 300)
    sizes = mc._chunk_sizes(10, per_draw, 3 * per_draw + 1)
    assert sizes == [3, 3, 3, 1]
    assert mc._chunk_sizes(5, per_draw, 1) == [1] * 5  # a draw above the budget runs alone
    assert mc._chunk_sizes(5, per_draw, 10**12) == [5]


@pytest.mark.parametrize(("n", "d"), [(30, 30), (29, 30), (31, 30)])
def test_singular_sizes_give_finite_draws(n, d, seed):
    """|n − d| <= 1 with σ > 0: infinite expected risk, yet every draw is finite (allowed)."""
    risks = mc.scratch_risks(n, d, 0.5, 50, seed=seed)
    assert np.isfinite(risks).all()
    paired = mc.fine_tuning_risks(1.0, n, d, 0.5, 50, balanced=True, seed=seed)
    assert np.isfinite(paired.transfer).all()
    assert np.isfinite(paired.scale).all()
    assert np.isfinite(mc.linear_transfer_risks(1.0, 1, 0.5, 50, seed=seed)).all()


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised without CUDA")
def test_cuda_without_cuda_is_an_error():
    with pytest.raises(InvalidArgumentError, match="CUDA"):
        mc.scratch_risks(5, 9, 0.2, 4, seed=0, device="cuda")


@pytest.mark.gpu
def test_cuda_matches_theory(seed):
    risks = mc.scratch_risks(60, 120, 0.5, 600, seed=seed, device="cuda")
    _assert_close(risks, theory.scratch_risk_finite(60, 120, 0.5))
    paired = mc.fine_tuning_risks(math.pi / 8, 60, 120, 0.5, 600, seed=seed, device="cuda")
    _assert_close(paired.transferability, theory.ft_transferability(math.pi / 8, 0.5))
    gen = torch.Generator(device="cuda")
    gen.manual_seed(seed)
    with pytest.raises(InvalidArgumentError, match="device"):
        mc.scratch_risks(5, 9, 0.2, 4, seed=gen, device="cpu")


# ---------------------------------------------------------------------------------------------
# validation and the summary helper

_BASE = {
    "scratch": (mc.scratch_risks, {"n": 5, "d": 9, "sigma": 0.2, "draws": 4}),
    "lt": (mc.linear_transfer_risks, {"theta": 0.5, "n": 5, "sigma": 0.2, "draws": 4}),
    "ft": (mc.fine_tuning_risks, {"theta": 0.5, "n": 5, "d": 9, "sigma": 0.2, "draws": 4}),
    "fs": (
        mc.finite_source_risks,
        {"theta": 0.5, "n": 5, "d": 9, "sigma": 0.2, "n_s": 4, "sigma_s": 0.1, "draws": 4},
    ),
}

_BAD = [
    ("scratch", "n", 0),
    ("scratch", "n", 2.5),
    ("scratch", "n", 5.0),
    ("scratch", "n", True),
    ("scratch", "d", 0),
    ("scratch", "d", "9"),
    ("scratch", "draws", 1),
    ("scratch", "sigma", -0.1),
    ("scratch", "sigma", math.nan),
    ("scratch", "sigma", math.inf),
    ("scratch", "seed", -1),
    ("scratch", "seed", 1.5),
    ("scratch", "max_bytes", 0),
    ("lt", "theta", -0.1),
    ("lt", "theta", 3.2),
    ("lt", "lam", -1.0),
    ("lt", "n", 0),
    ("ft", "d", 1),
    ("ft", "theta", math.nan),
    ("ft", "balanced", "yes"),
    ("ft", "draws", 1),
    ("fs", "n_s", 0),
    ("fs", "sigma_s", -1.0),
    ("fs", "procedure", "ridge"),
    ("fs", "d", 10.5),
]


@pytest.mark.parametrize(("which", "name", "value"), _BAD)
def test_bad_input_raises_naming_the_argument(which, name, value):
    function, kwargs = _BASE[which]
    kwargs = {**kwargs, "seed": 0, name: value}
    with pytest.raises(InvalidArgumentError, match=rf"^{name} must be"):
        function(**kwargs)


@pytest.mark.parametrize("which", list(_BASE))
def test_valid_base_arguments_run(which):
    """The baseline of the bad-input table is valid, so each failure above is the argument's."""
    function, kwargs = _BASE[which]
    function(**kwargs, seed=0)


def test_mean_and_standard_error():
    mean, se = mc.mean_and_standard_error([1.0, 2.0, 3.0, 4.0])
    assert mean == 2.5
    assert se == pytest.approx(math.sqrt(5 / 3) / 2, rel=1e-15)  # s² = 5/3, N = 4
    for bad in ([1.0], [[1.0, 2.0]], [1.0, math.inf]):
        with pytest.raises(InvalidArgumentError, match=r"^values must"):
            mc.mean_and_standard_error(bad)
