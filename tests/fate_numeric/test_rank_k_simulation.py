"""Extension (docs/paper.md §11): the rank-k Monte Carlo, the k-output pretraining and the cells.

The Monte Carlo and the simulated networks are compared with ``theory.lt_risk_rank_k`` within 5
standard errors (guarded from below by the Monte Carlo's standard deviation, as verify does); the
pretraining with the closed-form balanced end point W_1W_1ᵀ = P_k; and the extension leaves every
existing store key unchanged (digests of the keys before the extension, computed on main).
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import montecarlo as mc
from fate_numeric import theory
from fate_numeric.experiments import (
    Cell,
    _Data,
    _SpanOfSamples,
    compatible,
    rank_k_teachers,
    run_cells,
)
from fate_numeric.linear import (
    Population,
    Schedule,
    gradient_descent,
    initial_network,
    population_descent_k_outputs,
)
from fate_numeric.numerics import generator
from fate_numeric.sweeps import SOURCE_RANKS, cells_of, extension_cells_of

CPU = torch.device("cpu")
K_SE = 5.0

#: sha256 of the store keys (config, pretraining and data configurations) of the named sweeps, as
#: computed on main before the rank-k extension (commit aad116b).
KEY_DIGESTS = {
    "quick": "c261ddef99b02401441d7e92c8195145fde84cb49b9b144957ac1c0491ffc9d7",
    "paper": "6b5212b9b34bea220dc14ae06ba3924bf6c75537822066fec4d4347c9e210dd9",
}


def _key_digest(profile: str) -> str:
    digest = hashlib.sha256()
    for name in ("scratch", "phase_diagram", "finite_source"):
        for cell in cells_of(name, profile):
            keys = [cell.config()]
            if cell.procedure != "scratch":
                keys += [cell.pretraining_config(), cell.data_config()]
            digest.update(json.dumps(keys, sort_keys=True).encode())
    return digest.hexdigest()


@pytest.mark.parametrize("profile", sorted(KEY_DIGESTS))
def test_existing_store_keys_are_unchanged(profile):
    assert _key_digest(profile) == KEY_DIGESTS[profile]
    assert all("source_rank" not in c.config() for c in cells_of("phase_diagram", profile))


def test_source_rank_enters_the_keys_only_above_one():
    common = dict(d=20, n=10, theta=0.3, sigma=0.2)
    one = Cell("linear_transfer", **common)
    two = Cell("linear_transfer", source_rank=2, **common)
    assert "source_rank" not in one.config() and "source_rank" not in one.pretraining_config()
    assert two.config()["source_rank"] == 2 and two.pretraining_config()["source_rank"] == 2
    assert Cell.from_config(two.config()) == two and Cell.from_config(one.config()) == one
    assert len(compatible([one, two])) == 2  # never batched together


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"procedure": "scratch"}, "procedure 'scratch'"),
        ({"n_source": 10}, "a finite source"),
        ({"depth": 3}, "depth 3"),
        ({"source_rank": 20}, "below d"),
        ({"source_rank": 0}, "integer >= 1"),
        ({"source_rank": 2.0}, "integer >= 1"),
    ],
)
def test_unsupported_rank_k_cells_are_refused(changes, message):
    values = dict(procedure="linear_transfer", d=20, n=10, source_rank=2) | changes
    with pytest.raises(InvalidArgumentError, match=message):
        Cell(**values)


def test_teachers_are_orthonormal_with_the_stated_out_of_span_norm(seed):
    sources, target = rank_k_teachers(30, 4, math.pi / 5, generator(seed, CPU))
    assert torch.allclose(sources.T @ sources, torch.eye(4, dtype=torch.float64), atol=1e-12)
    assert float(target @ target) == pytest.approx(1.0, abs=1e-12)
    outside = target - sources @ (sources.T @ target)
    assert float(outside @ outside) == pytest.approx(math.sin(math.pi / 5) ** 2, abs=1e-12)


def test_k_output_pretraining_at_k_1_is_the_packages_gradient_descent(seed):
    """One output: the same updates as ``gradient_descent`` on the population loss (rounding)."""
    gen = generator(seed, CPU)
    d = 12
    start = initial_network(2, d, 1e-2, gen)
    beta = torch.randn(d, generator=gen, dtype=torch.float64)
    beta /= beta.norm()
    schedule = Schedule(0.05, 400, tol=1e-8, check_every=50)
    reference = gradient_descent(start, Population(beta.unsqueeze(0)), schedule, track_drift=False)
    ours = population_descent_k_outputs(
        start.hidden[0], start.readout.unsqueeze(-1), beta.reshape(1, d, 1), schedule
    )
    assert torch.equal(ours.steps, reference.steps)
    assert torch.allclose(ours.hidden, reference.network.hidden[0], rtol=1e-10, atol=1e-14)
    assert torch.allclose(ours.readout[..., 0], reference.network.readout, rtol=1e-10, atol=1e-14)


def test_pretraining_reaches_the_projection_on_the_teachers(seed):
    """Small initialisation: W_1W_1ᵀ → B_sB_sᵀ = P_k (rank_k_pretrained_features)."""
    gen = generator(seed, CPU)
    d, k = 16, 3
    sources, _ = rank_k_teachers(d, k, 0.4, gen)
    hidden = initial_network(2, d, 1e-5, gen).hidden[0]
    readout = 1e-5 * torch.randn(1, d, k, generator=gen, dtype=torch.float64)
    trained = population_descent_k_outputs(
        hidden, readout, sources.unsqueeze(0), Schedule(0.01, 5000, tol=1e-10, check_every=100)
    )
    assert float(trained.train_loss[0]) <= 1e-10
    error = torch.linalg.matrix_norm(trained.gram()[0] - sources @ sources.T)
    assert float(error) <= 2 * math.sqrt(1e-10) + 1e-6


def test_pretraining_refuses_mismatched_shapes():
    with pytest.raises(InvalidArgumentError, match="readout and sources"):
        population_descent_k_outputs(
            torch.zeros(1, 4, 4), torch.zeros(1, 4, 2), torch.zeros(1, 4, 3), Schedule(0.1, 1)
        )


@pytest.mark.parametrize(
    ("rho", "n", "k", "sigma"),
    [(0.3, 20, 4, 0.2), (0.6, 40, 8, 0.5), (0.0, 15, 3, 1.0), (0.3, 6, 20, 0.2), (1.0, 12, 2, 0.0)],
)
def test_monte_carlo_mean_is_the_exact_risk(rho, n, k, sigma, seed):
    risks = mc.linear_transfer_rank_k_risks(rho, n, k, sigma, 2000, seed=seed)
    assert risks.shape == (2000,) and risks.dtype == np.float64
    mean, se = mc.mean_and_standard_error(risks)
    assert abs(mean - theory.lt_risk_rank_k(rho, n, k, sigma)) <= K_SE * se + 1e-12


def test_monte_carlo_at_k_1_is_the_rank_one_sampler_in_law(seed):
    """k = 1 samples the same limit object as ``linear_transfer_risks`` (ρ = sin²θ)."""
    theta, n, sigma = math.pi / 3, 12, 0.4
    ours = mc.linear_transfer_rank_k_risks(math.sin(theta) ** 2, n, 1, sigma, 4000, seed=seed)
    theirs = mc.linear_transfer_risks(theta, n, sigma, 4000, seed=seed + 7)
    (m1, s1), (m2, s2) = mc.mean_and_standard_error(ours), mc.mean_and_standard_error(theirs)
    assert abs(m1 - m2) <= K_SE * math.hypot(s1, s2)


def test_monte_carlo_does_not_depend_on_the_chunking(seed):
    whole = mc.linear_transfer_rank_k_risks(0.4, 10, 3, 0.2, 50, seed=seed)
    chunked = mc.linear_transfer_rank_k_risks(0.4, 10, 3, 0.2, 50, seed=seed, max_bytes=2000)
    assert np.allclose(whole, chunked, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"rho": 1.5}, "rho must be a real number in"), ({"k": 0}, "k must be an integer >= 1")],
)
def test_monte_carlo_refuses_bad_input(kwargs, message):
    values = dict(rho=0.3, n=10, k=2, sigma=0.2, draws=10, seed=0) | kwargs
    with pytest.raises(InvalidArgumentError, match=message):
        mc.linear_transfer_rank_k_risks(**values)


def test_extension_sweep_grid():
    quick = extension_cells_of("rank_k", "quick")
    assert {c.source_rank for c in quick} == set(SOURCE_RANKS)
    assert all(c.procedure == "linear_transfer" and c.d == 40 for c in quick)
    paper = extension_cells_of("rank_k", "paper")
    scratch_sizes = {c.n for c in cells_of("scratch", "paper")}
    assert {c.n for c in paper} <= scratch_sizes  # paired with the archived scratch cells
    assert len(paper) == 72 and {c.d for c in paper} == {500}
    with pytest.raises(InvalidArgumentError, match="unknown extension sweep"):
        extension_cells_of("phase_diagram", "quick")


def test_simulated_networks_agree_with_the_exact_risk():
    """Rank-k cells at d = 20: the pretraining end point, and the refit risks within 5 guarded
    standard errors + the pretraining floor 1e-3 (verify's tolerance), where n > k + 3."""
    cells = [
        Cell("linear_transfer", d=20, n=n, theta=math.pi / 4, sigma=0.2, instances=48,
             source_rank=k)
        for k in (2, 4)
        for n in (10, 30)
    ]  # fmt: skip
    results = [r for group in compatible(cells) for r in run_cells(group, CPU)]
    ordered = [c for group in compatible(cells) for c in group]
    for cell, arrays in zip(ordered, results, strict=True):
        k = cell.source_rank
        assert arrays["generalisation"].shape == (1, cell.instances)
        assert arrays["feature_singular_values"].shape == (cell.instances, k + 1)
        singular = arrays["feature_singular_values"][0]
        assert np.all(np.abs(singular[:k] - 1) < 5e-3) and singular[k] < 1e-3
        assert arrays["projection_error"][0] <= 2 * math.sqrt(arrays["pretrain_loss"][0]) + 1e-4
        rho = math.sin(cell.theta) ** 2
        unit = mc.linear_transfer_rank_k_risks(1.0, cell.n, k, 0.0, 2000, seed=0)
        guard = (rho + cell.sigma**2) * float(np.std(unit, ddof=1)) / math.sqrt(cell.instances)
        mean, se = mc.mean_and_standard_error(arrays["generalisation"][0])
        expected = theory.lt_risk_rank_k(rho, cell.n, k, cell.sigma)
        assert abs(mean - expected) <= K_SE * max(se, guard) + 1e-3, (cell, mean, expected)


def test_best_fine_tuning_head_tends_to_the_bound(seed):
    """max_c of the fine-tuning transferability per draw, against its proportional limit within
    5 standard errors + k/d (the finite-d allowance measured in verify.claims.extensions)."""
    rho, n, d, k = 0.2, 20, 80, 3
    best = mc.fine_tuning_rank_k_best_transferabilities(rho, n, d, k, 400, seed=seed)
    mean, se = mc.mean_and_standard_error(best)
    assert abs(mean - theory.ft_rank_k_transferability_bound(rho, n / d)) <= K_SE * se + k / d
    # n >= d: P = I, fine-tuning ends at the scratch solution whatever the head
    assert np.all(mc.fine_tuning_rank_k_best_transferabilities(rho, 90, d, k, 3, seed=0) == 0)


def test_best_fine_tuning_head_beats_eq15_at_rank_one(seed):
    """At k = 1 the best head's mean transferability, ≈ (1 − γ)cos²θ, exceeds eq. 15's
    (1 − γ)(2cos θ − 1) (the head c = 1 of the paper's end point) by ≈ (1 − γ)(1 − cos θ)²."""
    theta, n, d = math.pi / 3, 10, 30
    best = mc.fine_tuning_rank_k_best_transferabilities(
        math.sin(theta) ** 2, n, d, 1, 400, seed=seed
    )
    mean, se = mc.mean_and_standard_error(best)
    gap = (1 - n / d) * (1 - math.cos(theta)) ** 2  # oracle, 1/6 here
    assert mean - theory.ft_transferability(theta, n / d) >= gap - K_SE * se - 1 / d


@pytest.mark.parametrize("in_span", [False, True])
def test_span_of_samples_gives_the_minimum_norm_fit_and_reads_the_head(in_span, seed):
    """_SpanOfSamples against torch's pseudo-inverse (n < d, both forms of the data, and n > d),
    and its head recovers c from β = X⁺y + (I − P)Uc."""
    gen = generator(seed, CPU)
    d, n, k = 12, 7, 3
    x = torch.randn(4, n, d, generator=gen, dtype=torch.float64)
    y = torch.randn(4, n, generator=gen, dtype=torch.float64)
    span = _SpanOfSamples.of(_Data.of(x, y, in_span))
    fit = torch.einsum("bdn,bn->bd", torch.linalg.pinv(x), y)
    assert torch.allclose(span.fit, fit, atol=1e-12)
    sources = torch.linalg.qr(torch.randn(d, k, generator=gen, dtype=torch.float64))[0]
    head = torch.randn(4, k, generator=gen, dtype=torch.float64)
    projector = torch.linalg.pinv(x) @ x
    beta = fit + (
        (torch.eye(d, dtype=torch.float64) - projector) @ (sources @ head.T).T.unsqueeze(-1)
    ).squeeze(-1)
    assert torch.allclose(span.head(beta, sources), head, atol=1e-10)
    tall_x = torch.randn(4, 2 * d, d, generator=gen, dtype=torch.float64)  # n = 2d samples
    tall_y = torch.randn(4, 2 * d, generator=gen, dtype=torch.float64)
    tall = _SpanOfSamples.of(_Data.of(tall_x, tall_y, False))
    least_squares = torch.einsum("bdn,bn->bd", torch.linalg.pinv(tall_x), tall_y)
    assert tall.basis is None and torch.allclose(tall.fit, least_squares, atol=1e-12)
    assert bool(torch.isnan(tall.head(beta, sources)).all())  # no null space


def test_fine_tuning_from_a_rank_k_start():
    """Fine-tuning cells pretrained on k teachers: both engines give the same numbers; the stored
    head is the aligned one up to a drift of the other entries (ft_rank_k_aligned_transferability);
    its minimum-norm risk is the fine-tuned network's at n > d + 1 (P = I); the pretrained
    network is the k-output one of linear transfer, bit for bit."""
    common = dict(d=24, theta=math.pi / 3, sigma=0.2, instances=6, source_rank=3)
    cells = [Cell("fine_tuning", n=n, **common) for n in (12, 48)]
    auto = run_cells(cells, CPU)
    weights = run_cells(cells, CPU, engine="weights")
    for a, w in zip(auto, weights, strict=True):
        assert np.allclose(a["generalisation"], w["generalisation"], rtol=1e-8)
        assert np.allclose(a["final_head"], w["final_head"], rtol=1e-8, equal_nan=True)
    below, above = auto
    assert below["final_head"].shape == (6, 3)
    head = below["final_head"]
    assert abs(head[:, 0].mean() - theory.ft_balance_scale(0.5, 0.2)) < 0.1
    assert (head[:, 1:] ** 2).sum(-1).mean() * 24 / 2 < 1.0  # d‖c_⊥‖²/(k − 1): O(1)
    assert np.all(np.isnan(above["final_head"]))
    assert np.allclose(above["minimum_norm_generalisation"], above["generalisation"], atol=1e-3)
    (refit,) = run_cells([Cell("linear_transfer", n=12, **common)], CPU)
    for name in ("pretrain_loss", "pretrain_steps", "projection_error"):
        assert np.array_equal(below[name], refit[name]), name
