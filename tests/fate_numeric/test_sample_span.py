"""Gradient descent in the span of the samples equals gradient descent on the full statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import experiments
from fate_numeric.experiments import Cell, run_cells
from fate_numeric.linear import Empirical, Schedule, gradient_descent, initial_network
from fate_numeric.numerics import generator
from fate_numeric.sample_span import SampleSpan, gradient_descent_in_span
from fate_numeric.tasks import Statistics, gaussian_data, make_teachers

CPU = torch.device("cpu")


def _data(d: int, n: int, batch: int, seed: int = 0):
    gen = generator(seed, CPU)
    teachers = make_teachers(d, 0.7, gen)
    x, y = gaussian_data(batch, n, teachers.target, 0.2, gen)
    return gen, teachers, x, y


def _relative(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).norm() / b.norm())


def test_the_basis_is_orthonormal_and_spans_the_samples():
    _, _, x, y = _data(d=30, n=27, batch=3)  # n close to d: X is the worst conditioned
    span = SampleSpan.from_data(x, y)
    q = span.basis
    assert q.shape == (3, 30, 27)
    eye = torch.eye(27, dtype=q.dtype)
    assert float((q.transpose(-1, -2) @ q - eye).abs().max()) < 1e-13
    outside = x - (x @ q) @ q.transpose(-1, -2)  # the rows of X minus their projection
    assert float(outside.abs().max()) < 1e-12 * float(x.abs().max())


def test_the_loss_in_span_coordinates_is_the_full_loss():
    gen, _, x, y = _data(d=20, n=8, batch=4)
    span = SampleSpan.from_data(x, y)
    beta = torch.randn(4, 20, generator=gen, dtype=torch.float64)
    reduced = torch.einsum("bdk,bd->bk", span.basis, beta)
    full = Statistics.from_data(x, y).loss(beta)
    torch.testing.assert_close(span.stats.loss(reduced), full, rtol=1e-12, atol=0)


@pytest.mark.parametrize("depth", [2, 3])
def test_the_span_path_equals_the_full_path(depth):
    gen, teachers, x, y = _data(d=24, n=10, batch=4, seed=depth)
    start = initial_network(depth, 24, 0.5, gen).tile(4)
    schedule = Schedule(0.02, 1500, tol=1e-4, check_every=10)
    decays = torch.tensor([0.0, 0.1, 0.0, 0.1], dtype=torch.float64)
    groups = torch.tensor([0, 1, 0, 1])  # with and without weight decay
    common = dict(target=teachers.target, groups=groups, weight_decays=decays)
    full = gradient_descent(start, Empirical(Statistics.from_data(x, y)), schedule, **common)
    in_span = gradient_descent_in_span(start, SampleSpan.from_data(x, y), schedule, **common)
    assert torch.equal(in_span.steps, full.steps)
    assert len(set(full.steps.tolist())) == 2  # one group stopped early, the other did not
    for mine, theirs in zip(
        (*in_span.network.hidden, in_span.network.readout),
        (*full.network.hidden, full.network.readout),
        strict=True,
    ):
        assert _relative(mine, theirs) < 1e-10
    assert _relative(in_span.generalisation, full.generalisation) < 1e-10
    assert _relative(in_span.drift, full.drift) < 1e-10
    torch.testing.assert_close(in_span.train_loss, full.train_loss, rtol=1e-8, atol=1e-14)


def test_a_span_needs_fewer_samples_than_dimensions():
    _, _, x, y = _data(d=6, n=6, batch=1)
    with pytest.raises(InvalidArgumentError, match="n < d"):
        SampleSpan.from_data(x, y)


def _mixed_cells() -> list[list[Cell]]:
    """Batches whose cells train in the span (n ≤ 0.8 d), on the full statistics, or both."""
    scratch = [
        Cell("scratch", d=10, n=n, sigma=0.2, weight_decay=0.01, instances=3, epochs=400)
        for n in (4, 8, 15)
    ]
    common = dict(d=10, theta=0.5, sigma=0.2, instances=3, epochs=300)
    tuning = [Cell("fine_tuning", n=n, **common) for n in (3, 8, 12)]
    finite = [
        Cell("fine_tuning", n=n, n_source=6, sigma_source=0.2, pretrain_epochs=300, **common)
        for n in (5, 14)
    ]
    return [scratch, tuning, finite]


@pytest.mark.parametrize("batch", _mixed_cells(), ids=["scratch", "fine_tuning", "finite_source"])
def test_cells_give_the_same_numbers_with_and_without_the_span_path(batch, monkeypatch):
    assert any(experiments.trains_in_span(c.n, c.d, None) for c in batch)
    in_span = run_cells(batch, CPU, engine="weights")
    monkeypatch.setattr(experiments, "SPAN_MAX_RATIO", 0.0)  # every cell on the full statistics
    assert not any(experiments.trains_in_span(c.n, c.d, None) for c in batch)
    full = run_cells(batch, CPU, engine="weights")
    for mine, theirs in zip(in_span, full, strict=True):
        assert mine.keys() == theirs.keys()
        for name in ("generalisation", "train_loss", "drift", "pretrain_loss"):
            if name in theirs:
                np.testing.assert_allclose(mine[name], theirs[name], rtol=1e-9, atol=1e-13)
        np.testing.assert_array_equal(mine["steps"], theirs["steps"])


def test_memory_of_a_cell_counts_its_span():
    small, large = (Cell("scratch", d=100, n=n) for n in (80, 81))
    # n = 80 trains in its span (Q and P, n × d each, and S̃): more memory than n = 81 minus X
    extra = experiments.bytes_per_instance(small) - experiments.bytes_per_instance(large)
    span_words = 2 * 80 * 100 + 80 * 80
    assert extra == 2 * 8 * span_words - 8 * 100
    assert math.isclose(experiments.SPAN_MAX_RATIO, 0.8)
