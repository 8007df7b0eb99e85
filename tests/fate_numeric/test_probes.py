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
from fate_numeric.probes import BalancedFineTuning
from fate_numeric.store import ResultStore

CPU = torch.device("cpu")
TINY = BalancedFineTuning(
    d=6, n=4, theta=math.pi / 3, sigma=0.5, instances=3, seed=0, lr=0.05, steps=50
)
#: A changed value of every field: each must give another store key.
CHANGED = {
    "d": 7,
    "n": 5,
    "theta": math.pi / 4,
    "sigma": 0.0,
    "instances": 4,
    "seed": 1,
    "lr": 0.02,
    "steps": 51,
}


def test_a_probe_round_trips_through_the_store(tmp_path):
    store = ResultStore(tmp_path)
    (arrays,) = service.load_cells([TINY], store, CPU)
    direct = TINY.simulate(CPU)
    assert set(arrays) == {"scratch", "fine_tuning", "train_loss"}
    for name, values in direct.items():
        assert values.shape == (TINY.instances,) and values.dtype == np.float64
        np.testing.assert_array_equal(arrays[name], values)  # same draws, bit for bit
    entry = store.load(TINY.config())
    assert entry.config == TINY.config()
    assert entry.metadata["extra"]["device"] == "cpu"
    assert service.stored_seconds([TINY], store) > 0
    report = store.verify()  # what `python -m fate_numeric store-check` runs
    assert report.ok and len(report.valid) == 1


def test_a_second_call_reads_instead_of_simulating(tmp_path, monkeypatch):
    store = ResultStore(tmp_path)
    (first,) = service.load_cells([TINY], store, CPU)

    def refuse(self, device):
        raise AssertionError("simulated a probe that is in the store")

    monkeypatch.setattr(BalancedFineTuning, "simulate", refuse)
    (second,) = service.load_cells([TINY], store, CPU)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    other = dataclasses.replace(TINY, seed=1)  # not in the store: simulated (refused here)
    with pytest.raises(AssertionError, match="simulated a probe"):
        service.load_cells([other], store, CPU)
    with pytest.raises(service.MissingCellsError):
        service.load_cells([other], store, CPU, simulate=False)


def test_the_key_changes_with_every_parameter(tmp_path):
    assert set(CHANGED) == {f.name for f in dataclasses.fields(BalancedFineTuning)}
    store = ResultStore(tmp_path)
    keys = {store.key(TINY.config())}
    for name, value in CHANGED.items():
        changed = dataclasses.replace(TINY, **{name: value})
        assert changed.config() != TINY.config(), name
        keys.add(store.key(changed.config()))
    assert len(keys) == 1 + len(CHANGED)
    assert TINY.config()["kind"] == "probe-balanced-fine-tuning"
    assert store.key(TINY.config()) == store.key(dataclasses.replace(TINY).config())


def test_the_seed_changes_the_draws():
    other = dataclasses.replace(TINY, seed=1).simulate(CPU)
    assert not np.allclose(TINY.simulate(CPU)["scratch"], other["scratch"])


def test_fine_tuning_from_the_exact_pretrained_network_fits_the_data():
    """With n < d the fine-tuned network interpolates (training loss → 0) and, at σ = 0 and
    θ = 0, the pretrained network is already the target: both risks then vanish for the
    fine-tuned network only (X⁺y misses the part of β_t outside the samples' span)."""
    aligned = dataclasses.replace(TINY, theta=0.0, sigma=0.0, steps=200)
    arrays = aligned.simulate(CPU)
    assert np.all(arrays["fine_tuning"] < 1e-20)
    assert np.all(arrays["scratch"] > 1e-3)
    noisy = dataclasses.replace(TINY, steps=4000).simulate(CPU)
    assert np.all(noisy["train_loss"] < 1e-8)


def test_probes_are_their_own_family_without_named_sweeps():
    assert service.family_of([TINY]).name == "probe"
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
        dataclasses.replace(TINY, **{field: value})
