"""The probes (:mod:`fate_numeric.probes`): one-off simulations stored under their full
configuration and read back through the sweep service like any cell."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import service
from fate_numeric.probes import (
    BalancedFineTuning,
    ConservationDrift,
    PopulationTimeCourse,
    ScratchMinimumNorm,
)
from fate_numeric.store import ResultStore

CPU = torch.device("cpu")
#: Tiny probes, each with a changed value of every field (each must give another store key) and
#: the shape of each of its arrays.
TINY_FT = BalancedFineTuning(
    d=6, n=4, theta=math.pi / 3, sigma=0.5, instances=3, seed=0, lr=0.05, steps=50
)
PROBES = {
    "balanced-fine-tuning": (
        TINY_FT,
        {
            "d": 7,
            "n": 5,
            "theta": math.pi / 4,
            "sigma": 0.0,
            "instances": 4,
            "seed": 1,
            "lr": 0.02,
            "steps": 51,
        },
        {"scratch": (3,), "fine_tuning": (3,), "train_loss": (3,)},
    ),
    "conservation-drift": (
        ConservationDrift(
            d=5,
            n=7,
            theta=0.5,
            sigma=0.2,
            depth=3,
            alpha=0.5,
            instances=2,
            seed=0,
            descents=((0.02, 10), (0.01, 20)),
        ),
        {
            "d": 6,
            "n": 8,
            "theta": 0.4,
            "sigma": 0.3,
            "depth": 4,
            "alpha": 0.4,
            "instances": 3,
            "seed": 1,
            "descents": ((0.02, 10), (0.01, 21)),
        },
        {"drift": (2, 2, 2), "mean_drift": (2,)},
    ),
    "population-time-course": (
        PopulationTimeCourse(d=5, theta=0.3, a0=1e-3, lr=1e-2, times=(0.5, 1.0), seed=0),
        {"d": 6, "theta": 0.2, "a0": 2e-3, "lr": 2e-2, "times": (0.5, 1.5), "seed": 1},
        {"coefficient": (2,)},
    ),
    "scratch-minimum-norm": (
        ScratchMinimumNorm(
            d=6, n=3, theta=0.5, sigma=0.2, alpha=1e-3, instances=2, seed=0, lr=0.1, steps=30
        ),
        {
            "d": 7,
            "n": 4,
            "theta": 0.4,
            "sigma": 0.0,
            "alpha": 1e-4,
            "instances": 3,
            "seed": 1,
            "lr": 0.05,
            "steps": 31,
        },
        {"distance": (2,)},
    ),
}


@pytest.fixture(params=sorted(PROBES))
def probe_case(request):
    return PROBES[request.param]


def test_a_probe_round_trips_through_the_store(probe_case, tmp_path):
    probe, _, shapes = probe_case
    store = ResultStore(tmp_path)
    (arrays,) = service.load_cells([probe], store, CPU)
    direct = probe.simulate(CPU)
    assert {name: values.shape for name, values in direct.items()} == shapes
    for name, values in direct.items():
        assert values.dtype == np.float64
        np.testing.assert_array_equal(arrays[name], values)  # the same draws, bit for bit
    entry = store.load(probe.config())
    assert entry.config == probe.config()
    assert entry.metadata["extra"]["device"] == "cpu"
    assert service.stored_seconds([probe], store) > 0
    report = store.verify()  # what `python -m fate_numeric store-check` runs
    assert report.ok and len(report.valid) == 1


def test_a_second_call_reads_instead_of_simulating(probe_case, tmp_path, monkeypatch):
    probe, _, _ = probe_case
    store = ResultStore(tmp_path)
    (first,) = service.load_cells([probe], store, CPU)

    def refuse(self, device):
        raise AssertionError("simulated a probe that is in the store")

    monkeypatch.setattr(type(probe), "simulate", refuse)
    (second,) = service.load_cells([probe], store, CPU)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    other = dataclasses.replace(probe, seed=1)  # not in the store: simulated (refused here)
    with pytest.raises(AssertionError, match="simulated a probe"):
        service.load_cells([other], store, CPU)
    with pytest.raises(service.MissingCellsError):
        service.load_cells([other], store, CPU, simulate=False)


def test_the_key_changes_with_every_parameter(probe_case, tmp_path):
    probe, changed, _ = probe_case
    assert set(changed) == {f.name for f in dataclasses.fields(probe)}
    store = ResultStore(tmp_path)
    keys = {store.key(probe.config())}
    for name, value in changed.items():
        other = dataclasses.replace(probe, **{name: value})
        assert other.config() != probe.config(), name
        keys.add(store.key(other.config()))
    assert len(keys) == 1 + len(changed)
    assert store.key(probe.config()) == store.key(dataclasses.replace(probe).config())


def test_the_seed_changes_the_draws(probe_case):
    """Another seed, other draws; except that the population time course from a balanced
    rank-one start depends on a0 alone (Lemma 3.3: rotation invariance), whatever the draws."""
    probe, _, shapes = probe_case
    first, other = probe.simulate(CPU), dataclasses.replace(probe, seed=1).simulate(CPU)
    name = next(iter(shapes))
    if isinstance(probe, PopulationTimeCourse):
        np.testing.assert_allclose(first[name], other[name], rtol=1e-10)
    else:
        assert not np.allclose(first[name], other[name])


def test_every_probe_kind_is_its_own():
    kinds = [probe.config()["kind"] for probe, _, _ in PROBES.values()]
    assert len(set(kinds)) == len(kinds) and all(k.startswith("probe-") for k in kinds)


def test_fine_tuning_from_the_exact_pretrained_network_fits_the_data():
    """With n < d the fine-tuned network interpolates (training loss → 0); at σ = 0 and θ = 0 the
    pretrained network is already the target, so fine-tuning's risk vanishes while X⁺y misses
    the part of β_t outside the samples' span."""
    aligned = dataclasses.replace(TINY_FT, theta=0.0, sigma=0.0, steps=200).simulate(CPU)
    assert np.all(aligned["fine_tuning"] < 1e-20)
    assert np.all(aligned["scratch"] > 1e-3)
    noisy = dataclasses.replace(TINY_FT, steps=4000).simulate(CPU)
    assert np.all(noisy["train_loss"] < 1e-8)


def test_the_drift_shrinks_with_the_learning_rate():
    """Gradient descent drifts from the conserved D_l by O(lr) over a fixed time (eq. 36)."""
    probe = PROBES["conservation-drift"][0]
    drift = dataclasses.replace(probe, descents=((0.02, 200), (0.005, 800))).simulate(CPU)
    assert 0 < drift["mean_drift"][1] < drift["mean_drift"][0] / 2


def test_pretraining_grows_the_coefficient_towards_one():
    """Lemma 3.3: a(t) increases from a0 towards 1 (the logistic solution)."""
    probe = dataclasses.replace(PROBES["population-time-course"][0], times=(1.0, 3.0, 8.0))
    coefficient = probe.simulate(CPU)["coefficient"]
    assert probe.a0 < coefficient[0] < coefficient[1] < coefficient[2] < 1
    assert coefficient[2] > 0.99


def test_probes_are_their_own_family_without_named_sweeps():
    for probe, _, _ in PROBES.values():
        assert service.family_of([probe]).name == "probe"
    assert not any(entry.family.name == "probe" for entry in service.registry().values())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("d", 1),
        ("n", 0),
        ("instances", 2.0),
        ("seed", -1),
        ("theta", math.pi),
        ("sigma", -0.1),
        ("sigma", math.inf),
        ("lr", 0.0),
        ("steps", 0),
        ("theta", True),
    ],
)
def test_bad_parameters_are_refused(field, value):
    with pytest.raises(InvalidArgumentError, match=field):
        dataclasses.replace(TINY_FT, **{field: value})


@pytest.mark.parametrize(
    ("probe", "changes", "message"),
    [
        (PROBES["conservation-drift"][0], {"descents": ()}, "descents"),
        (PROBES["conservation-drift"][0], {"descents": ((0.1, -1),)}, "steps"),
        (PROBES["conservation-drift"][0], {"depth": 1}, "depth"),
        (PROBES["population-time-course"][0], {"times": ()}, "times"),
        (PROBES["population-time-course"][0], {"times": (1.0, -1.0)}, "times"),
        (PROBES["population-time-course"][0], {"a0": 0.0}, "a0"),
        (PROBES["scratch-minimum-norm"][0], {"alpha": -1e-4}, "alpha"),
    ],
)
def test_bad_parameters_of_the_other_probes_are_refused(probe, changes, message):
    with pytest.raises(InvalidArgumentError, match=message):
        dataclasses.replace(probe, **changes)
