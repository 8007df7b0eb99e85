"""The deep-linear-network simulator: fast = autograd path, the theorems' end points, theory."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import theory
from fate_numeric.linear import (
    Empirical,
    Population,
    Schedule,
    gradient_descent,
    initial_network,
    linear_transfer,
    reference_gradient_descent,
)
from fate_numeric.numerics import generator
from fate_numeric.tasks import Statistics, gaussian_data, make_teachers

CPU = torch.device("cpu")


def _relative(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).norm() / b.norm())


@pytest.mark.parametrize(
    ("depth", "decay", "init"), [(2, 0.0, "rand"), (3, 1e-2, "rand"), (4, 1e-3, "identity")]
)
def test_fast_path_equals_autograd_path(depth, decay, init, seed):
    gen = generator(seed, CPU)
    teachers = make_teachers(12, 0.7, gen)
    x, y = gaussian_data(3, 9, teachers.target, 0.3, gen)
    start = initial_network(depth, 12, 0.6, gen, init=init).tile(3)
    fast = gradient_descent(
        start, Empirical(Statistics.from_data(x, y)), Schedule(0.05, 100, decay)
    )
    reference = reference_gradient_descent(start, x, y, lr=0.05, steps=100, weight_decay=decay)
    for ours, theirs in zip(
        [*fast.network.hidden, fast.network.readout],
        [*reference.hidden, reference.readout],
        strict=True,
    ):
        assert _relative(ours, theirs) < 1e-10


def test_population_pretraining_gives_a_rank_one_feature_map(seed):
    """Lemma 3.3 and Thm 3.4: β̂ → β_s; W_1 has one singular value ≈ 1, the others O(α)."""
    alpha = 1e-5
    gen = generator(seed, CPU)
    teachers = make_teachers(40, 0.4, gen)
    start = initial_network(2, 40, alpha, gen)
    run = gradient_descent(start, Population(teachers.source), Schedule(0.01, 5000, tol=1e-6))
    assert float(run.train_loss) <= 1e-6
    singular = torch.linalg.svdvals(run.network.feature_map())[0]
    assert abs(float(singular[0]) - 1) < 1e-3  # loss <= 1e-6 means |‖β̂‖ − 1| <~ 1e-3
    assert float(singular[1]) < 10 * alpha
    direction = torch.linalg.svd(run.network.feature_map())[0][0, :, 0]
    assert abs(float(direction @ teachers.source)) == pytest.approx(1, abs=1e-9)


def test_scratch_training_reaches_the_minimum_norm_solution(seed):
    """Thm 3.5: from a small initialisation, gradient descent ends at X⁺y (error O(α))."""
    gen = generator(seed, CPU)
    teachers = make_teachers(30, 0.5, gen)
    x, y = gaussian_data(4, 12, teachers.target, 0.2, gen)
    stats = Statistics.from_data(x, y)
    minimum_norm = torch.einsum("bdn,bn->bd", torch.linalg.pinv(x), y)
    distances = []
    for alpha in (1e-2, 1e-4):
        start = initial_network(2, 30, alpha, gen).tile(4)
        run = gradient_descent(start, Empirical(stats), Schedule(0.1, 4000))
        distances.append(float((run.network.end_to_end() - minimum_norm).norm(dim=-1).max()))
    assert distances[1] < 1e-3
    assert distances[1] < distances[0] / 10  # shrinks with α


def test_imbalance_drift_shrinks_with_the_learning_rate(seed):
    """D_l is conserved by gradient flow; gradient descent drifts by O(lr) over a fixed time."""
    gen = generator(seed, CPU)
    teachers = make_teachers(15, 0.5, gen)
    x, y = gaussian_data(2, 20, teachers.target, 0.1, gen)
    start = initial_network(3, 15, 0.5, gen).tile(2)
    drifts = []
    for lr, steps in ((0.02, 100), (0.01, 200), (0.005, 400)):
        run = gradient_descent(start, Empirical(Statistics.from_data(x, y)), Schedule(lr, steps))
        drifts.append(run.drift)
    first, second = drifts[0] / drifts[1], drifts[1] / drifts[2]
    assert torch.all((first > 1.7) & (first < 2.3)) and torch.all((second > 1.8) & (second < 2.2))


def test_early_stopping_is_per_group():
    gen = generator(0, CPU)
    teachers = make_teachers(10, 0.0, gen)
    x, y = gaussian_data(4, 40, teachers.target, 0.0, gen)
    stats = Statistics.from_data(x, y)
    start = initial_network(2, 10, 1e-3, gen).tile(4)
    groups = torch.tensor([0, 0, 1, 1])
    schedule = Schedule(0.1, 3000, tol=1e-6, check_every=10)
    run = gradient_descent(start, Empirical(stats), schedule, groups=groups)
    assert torch.all(run.train_loss <= 1e-6 + 1e-3)
    assert run.steps[0] == run.steps[1] and run.steps[2] == run.steps[3]
    assert int(run.steps.max()) < 3000 and int(run.steps.max()) % 10 == 1  # stops after a check


def test_a_shared_weight_decay_gives_the_same_steps_before_and_after_a_group_stops():
    """With one decay for all, the decay rides on the rank-one update while every instance
    trains and is applied separately once a group has stopped: an instance's numbers do not
    depend on which of the two ran, nor on the other instances of the batch."""
    gen = generator(3, CPU)
    teachers = make_teachers(10, 0.4, gen)
    x, y = gaussian_data(2, 30, teachers.target, 0.1, gen)
    stats = Statistics.from_data(x, y)
    start = initial_network(2, 10, 0.3, gen).tile(2)
    schedule = Schedule(0.05, 600, weight_decay=1e-3, tol=0.0, check_every=10)
    early = Schedule(0.05, 600, weight_decay=1e-3, tol=1.0, check_every=10)  # stops at once
    together = gradient_descent(start, Empirical(stats), schedule, groups=torch.tensor([0, 1]))
    for row in range(2):
        alone = gradient_descent(start.select([row]), Empirical(stats).select([row]), schedule)
        assert _relative(together.network.hidden[0][row], alone.network.hidden[0][0]) < 1e-12
    stopping = Empirical(stats, floors=torch.tensor([0.0, -2.0], dtype=torch.float64))
    mixed = gradient_descent(start, stopping, early, groups=torch.tensor([0, 1]))
    assert mixed.steps.tolist() == [1, 600]  # the first group stops after its first check
    alone = gradient_descent(start.select([1]), Empirical(stats).select([1]), schedule)
    assert _relative(mixed.network.hidden[0][1], alone.network.hidden[0][0]) < 1e-12


def test_linear_transfer_on_a_rank_one_map_is_the_one_dimensional_regression(seed):
    gen = generator(seed, CPU)
    teachers = make_teachers(20, 0.6, gen)
    x, y = gaussian_data(5, 15, teachers.target, 0.2, gen)
    stats = Statistics.from_data(x, y)
    start = initial_network(2, 20, 1e-5, gen)
    pretrained = gradient_descent(
        start, Population(teachers.source), Schedule(0.01, 5000, tol=1e-8)
    )
    feature_map = pretrained.network.tile(5).feature_map()
    errors = linear_transfer(feature_map, stats, [0.0, 0.3], teachers.target)
    # independent oracle: regress y on z = Xβ_s (λ = 0) and the authors' ridge solve (λ = 0.3)
    z = torch.einsum("bnd,d->bn", x, teachers.source)
    b = (z * y).sum(-1) / (z * z).sum(-1)
    oracle = ((b[:, None] * teachers.source - teachers.target) ** 2).sum(-1)
    assert torch.allclose(errors[0], oracle, rtol=1e-6)
    features = x @ feature_map
    system = features.transpose(-1, -2) @ features + 15 * 0.3 * torch.eye(20, dtype=torch.float64)
    readout = torch.linalg.solve(system, (features.transpose(-1, -2) @ y.unsqueeze(-1)))
    ridge_beta = (feature_map @ readout).squeeze(-1)
    assert torch.allclose(errors[1], ((ridge_beta - teachers.target) ** 2).sum(-1), rtol=1e-8)


def _mean_se(values: torch.Tensor) -> tuple[float, float]:
    array = values.numpy()
    return float(array.mean()), float(array.std(ddof=1) / np.sqrt(array.size))


def test_simulated_scratch_and_linear_transfer_match_the_finite_size_theory(seed):
    """Quick-profile sized check: GD means within 5 standard errors of the exact expectations."""
    d, n, instances, sigma, theta = 40, 20, 200, 0.3, math.pi / 4
    gen = generator(seed, CPU)
    teachers = make_teachers(d, theta, gen)
    x, y = gaussian_data(instances, n, teachers.target, sigma, gen)
    stats = Statistics.from_data(x, y)
    start = initial_network(2, d, 1e-5, gen)
    scratch = gradient_descent(
        start.tile(instances),
        Empirical(stats),
        Schedule(0.1, 3000, tol=1e-10),
        target=teachers.target,
    )
    mean, se = _mean_se(scratch.generalisation)
    assert abs(mean - theory.scratch_risk_finite(n, d, sigma)) < 5 * se + 1e-4
    pretrained = gradient_descent(
        start, Population(teachers.source), Schedule(0.01, 5000, tol=1e-8)
    )
    errors = linear_transfer(
        pretrained.network.tile(instances).feature_map(), stats, [0.0], teachers.target
    )
    mean, se = _mean_se(errors[0])
    assert abs(mean - theory.lt_risk(theta, n, sigma)) < 5 * se + 1e-4


def test_simulated_fine_tuning_matches_the_theory_without_noise(seed):
    """σ = 0: R_sc − R_ft has the exact expectation (1 − n/d)(2cos θ − 1) (eq. 15 at γ = n/d)."""
    d, n, instances, theta = 40, 16, 100, math.pi / 5
    gen = generator(seed, CPU)
    teachers = make_teachers(d, theta, gen)
    x, y = gaussian_data(instances, n, teachers.target, 0.0, gen)
    stats = Statistics.from_data(x, y)
    start = initial_network(2, d, 1e-5, gen)
    scratch = gradient_descent(
        start.tile(instances), Empirical(stats), Schedule(0.1, 3000), target=teachers.target
    )
    pretrained = gradient_descent(
        start, Population(teachers.source), Schedule(0.01, 5000, tol=1e-10)
    )
    tuned = gradient_descent(
        pretrained.network.tile(instances),
        Empirical(stats),
        Schedule(0.05, 3000),
        target=teachers.target,
    )
    mean, se = _mean_se(scratch.generalisation - tuned.generalisation)
    assert abs(mean - theory.ft_transferability(theta, n / d)) < 5 * se + 2e-3


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda g: initial_network(1, 5, 0.1, g), "depth"),
        (lambda g: initial_network(2, 0, 0.1, g), "width"),
        (lambda g: initial_network(2, 5, 0.0, g), "alpha"),
        (lambda g: initial_network(2, 5, 0.1, g, init="zeros"), "init"),
        (lambda g: Schedule(-0.1, 10), "lr"),
        (lambda g: Schedule(0.1, -1), "steps"),
        (lambda g: gaussian_data(2, 0, torch.ones(3, dtype=torch.float64), 0.1, g), "n"),
        (lambda g: make_teachers(5, 4.0, g), "theta"),
        (lambda g: generator(-1, CPU), "seed"),
    ],
)
def test_bad_input_is_named(call, argument):
    with pytest.raises(InvalidArgumentError, match=argument):
        call(generator(0, CPU))
