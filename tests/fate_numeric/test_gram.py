"""The Gram form of depth-2 gradient descent equals the W-form, per procedure and backend."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import gram as G
from fate_numeric.experiments import Cell, run_cells, uses_gram
from fate_numeric.linear import (
    Empirical,
    Population,
    Schedule,
    gradient_descent,
    groups_still_training,
    initial_network,
    linear_transfer,
)
from fate_numeric.numerics import generator
from fate_numeric.tasks import Statistics, gaussian_data, make_teachers

CPU = torch.device("cpu")
BACKENDS = ["torch", pytest.param("numba", marks=pytest.mark.skipif(
    not G.numba_available(), reason="numba is not installed"))]  # fmt: skip


def _relative(mine: torch.Tensor, theirs: torch.Tensor) -> float:
    return float((mine - theirs).norm() / theirs.norm())


def _problem(seed: int, d: int = 24, n: int = 16, batch: int = 5):
    gen = generator(seed, CPU)
    teachers = make_teachers(d, 0.6, gen)
    network = initial_network(2, d, 1e-5, gen).tile(batch)
    x, y = gaussian_data(batch, n, teachers.target, 0.2, gen)
    return teachers, network, Statistics.from_data(x, y)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("objective_kind", "schedule"),
    [
        ("population", Schedule(0.01, 100)),
        ("empirical", Schedule(0.1, 100)),
        ("empirical", Schedule(0.1, 100, weight_decay=1e-2)),
        ("empirical", Schedule(0.1, 100, weight_decay=1e-1)),
    ],
    ids=["population", "empirical", "decay-1e-2", "decay-1e-1"],
)
def test_gram_form_equals_w_form_after_100_steps(seed, backend, objective_kind, schedule):
    teachers, network, stats = _problem(seed)
    objective = Population(teachers.source) if objective_kind == "population" else Empirical(stats)
    theirs = gradient_descent(network, objective, schedule, target=teachers.target)
    mine = G.gram_descent(network, objective, schedule, target=teachers.target, backend=backend)
    first = theirs.network.hidden[0]
    assert _relative(mine.network.beta, theirs.network.end_to_end()) < 1e-10
    assert _relative(mine.network.gram, first @ first.transpose(-1, -2)) < 1e-10
    readout = theirs.network.readout
    assert _relative(mine.network.readout_norm2, (readout * readout).sum(-1)) < 1e-10
    assert _relative(mine.generalisation, theirs.generalisation) < 1e-10
    np.testing.assert_allclose(mine.train_loss, theirs.train_loss, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gram_form_stops_early_as_the_w_form_does(seed, backend):
    teachers, network, stats = _problem(seed, n=40)
    schedule = Schedule(0.1, 3000, tol=1e-6, check_every=50)
    groups = torch.tensor([0, 0, 1, 1, 2])
    theirs = gradient_descent(network, Empirical(stats), schedule, teachers.target, groups)
    mine = G.gram_descent(
        network, Empirical(stats), schedule, teachers.target, groups, backend=backend
    )
    assert torch.equal(mine.steps, theirs.steps)
    assert theirs.steps.min() < schedule.steps  # the test exercises early stopping
    assert _relative(mine.generalisation, theirs.generalisation) < 1e-10


def test_trace_drift_is_the_drift_of_tr_D(seed):
    _, network, stats = _problem(seed)
    trained = gradient_descent(network, Empirical(stats), Schedule(0.1, 200))
    mine = G.gram_descent(network, Empirical(stats), Schedule(0.1, 200), backend="torch")

    def trace(net):
        (imbalance,) = net.imbalances()
        return torch.diagonal(imbalance, dim1=-2, dim2=-1).sum(-1)

    expected = (trace(trained.network) - trace(network)).abs()
    np.testing.assert_allclose(mine.drift[:, 0], expected, rtol=1e-8, atol=1e-18)
    assert float(expected.max()) > 0  # gradient descent does move tr D


@pytest.mark.parametrize("jitter", [False, True])
def test_refit_through_k_equals_the_refit_through_w(seed, jitter):
    teachers, network, stats = _problem(seed, n=30)
    pretrained = gradient_descent(network, Population(teachers.source), Schedule(0.05, 400))
    ridges = (0.0, 0.1, 0.5)
    theirs = linear_transfer(
        pretrained.network.feature_map(), stats, ridges, teachers.target, authors_jitter=jitter
    )
    spectrum = G.GramState.from_network(pretrained.network).spectrum()
    mine = G.linear_transfer_gram(spectrum, stats, ridges, teachers.target, authors_jitter=jitter)
    np.testing.assert_allclose(mine, theirs, rtol=1e-10)
    singular = torch.linalg.svdvals(pretrained.network.feature_map())[:, :3]
    np.testing.assert_allclose(spectrum.singular_values(3)[:, 0], singular[:, 0], rtol=1e-12)
    # the O(α) singular values come from eigenvalues ~α² of K: absolute accuracy ε‖K‖/(2σ)
    np.testing.assert_allclose(spectrum.singular_values(3)[:, 1:], singular[:, 1:], atol=1e-10)


@pytest.mark.parametrize(
    "cells",
    [
        [Cell("scratch", d=16, n=n, sigma=0.2, weight_decay=1e-3, instances=3, epochs=300)
         for n in (8, 24)],
        [Cell("fine_tuning", d=16, n=n, theta=0.7, sigma=0.2, instances=3, epochs=150,
              pretrain_epochs=300) for n in (8, 24)],
        [Cell("linear_transfer", d=16, n=n, theta=0.7, sigma=0.2, instances=3,
              ridges=(0.0, 0.1)) for n in (8, 24)],
        [Cell("fine_tuning", d=16, n=12, theta=0.7, sigma=0.2, instances=3, epochs=150,
              n_source=10, sigma_source=0.2, pretrain_epochs=300)],
    ],
    ids=["scratch", "fine_tuning", "linear_transfer", "finite_source"],
)  # fmt: skip
def test_cells_give_the_same_numbers_in_both_engines(cells):
    mine = run_cells(cells, CPU, engine="gram")
    theirs = run_cells(cells, CPU, engine="weights")
    for ours, reference in zip(mine, theirs, strict=True):
        for name in ("generalisation", "pretrain_loss"):
            if name in reference:
                np.testing.assert_allclose(ours[name], reference[name], rtol=1e-10, atol=1e-15)
        if "train_loss" in reference:  # a loss near 0 carries cancellation of order ε·c
            np.testing.assert_allclose(ours["train_loss"], reference["train_loss"], atol=1e-13)
        for name in ("steps", "pretrain_steps"):
            if name in reference:
                np.testing.assert_array_equal(ours[name], reference[name])
        if "feature_singular_values" in reference:
            np.testing.assert_allclose(
                ours["feature_singular_values"], reference["feature_singular_values"], atol=1e-10
            )
        assert ("drift" in reference) == ("trace_drift" in ours)


def test_engine_choice_and_bad_input():
    assert uses_gram(Cell("scratch", d=10, n=5))
    assert not uses_gram(Cell("scratch", d=10, n=5, depth=3))
    assert not uses_gram(Cell("scratch", d=10, n=5), "weights")
    with pytest.raises(InvalidArgumentError, match="depth L = 2"):
        uses_gram(Cell("scratch", d=10, n=5, depth=3), "gram")
    with pytest.raises(InvalidArgumentError, match="engine"):
        uses_gram(Cell("scratch", d=10, n=5), "fast")
    _, network, stats = _problem(0)
    with pytest.raises(InvalidArgumentError, match="backend"):
        G.gram_descent(network, Empirical(stats), Schedule(0.1, 5), backend="cuda")
    with pytest.raises(InvalidArgumentError, match="time courses"):
        G.gram_descent(network, Empirical(stats), Schedule(0.1, 5, record_every=1))
    deep = initial_network(3, 6, 1e-5, generator(0, CPU))
    with pytest.raises(InvalidArgumentError, match="L = 2 only"):
        G.GramState.from_network(deep)
    if G.numba_available():
        with pytest.raises(InvalidArgumentError, match="float64"):
            G.resolve_backend("numba", CPU, torch.float32)
    assert math.isfinite(
        float(G.gram_descent(network, Empirical(stats), Schedule(0.1, 5)).train_loss[0])
    )


def test_authors_stopping_rule_is_their_broadcast_comparison(seed):
    rng = np.random.default_rng(seed)
    loss = torch.tensor(rng.uniform(0, 1e-3, 12))
    floors = torch.tensor(rng.uniform(0, 1e-3, 12))
    groups = torch.arange(12) // 4
    tol = 2e-4
    mine = groups_still_training(loss, floors, tol, groups, 3, "authors")
    for group in range(3):
        rows = groups == group
        # the authors' train.py: torch.all(loss_val <= min_err), min_err of shape (instances, 1)
        stops = bool(torch.all(loss[rows] <= (floors[rows] + tol).unsqueeze(-1)))
        assert bool(mine[rows].all()) == (not stops)
        assert bool(mine[rows].any()) == (not stops)
    same_floor = groups_still_training(loss, torch.zeros(12), tol, groups, 3, "authors")
    per_instance = groups_still_training(loss, torch.zeros(12), tol, groups, 3, "per_instance")
    assert torch.equal(same_floor, per_instance)  # equal floors (n < d): the rules agree


@pytest.mark.parametrize("backend", BACKENDS)
def test_both_forms_follow_the_authors_stopping_rule(seed, backend):
    teachers, network, stats = _problem(seed, n=40)
    groups = torch.tensor([0, 0, 1, 1, 2])
    results = {}
    for rule in ("per_instance", "authors"):
        schedule = Schedule(0.1, 2000, tol=1e-6, check_every=50, stopping=rule)
        theirs = gradient_descent(network, Empirical(stats), schedule, teachers.target, groups)
        mine = G.gram_descent(
            network, Empirical(stats), schedule, teachers.target, groups, backend=backend
        )
        assert torch.equal(mine.steps, theirs.steps)
        results[rule] = mine.steps
    # with noisy labels and n > d the floors differ: the authors' groups of two never stop
    # early; a group of one has a single floor and stops as under the per-instance rule
    assert int(results["per_instance"].max()) < 2000
    assert torch.equal(results["authors"][:4], torch.full((4,), 2000))
    assert results["authors"][4] == results["per_instance"][4]
