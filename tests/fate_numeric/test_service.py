"""The sweep service (:mod:`fate_numeric.service`, issue 19): both families' sweeps in one registry
with their store keys unchanged, cells run through the service bit-identical to their family's own
runner, and the one missing-cell policy that verify and paper_figures read through."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import relu_sweeps, service, sweeps
from fate_numeric.experiments import Cell, run_cells
from fate_numeric.relu_sweeps import ReluCell, ReluProfile, pretraining_entry, run_relu_cells
from fate_numeric.store import ResultStore, config_key

CPU = torch.device("cpu")

#: sha256 of the sorted store keys (``config_key`` at a pinned package version) of every cell of
#: every named sweep at the quick profile — for the ReLU transfer sweeps with the keys of their
#: stored pretrainings — and the number of cells, computed on main before the service (commit
#: a78f47e, /tmp/svc_work/baseline.py of issue 19).
QUICK_KEYS = {
    "scratch": ("4349e70ac098d27022bd960d929212d17bdfc38f7612cddb232c64654f9231ec", 60),
    "phase_diagram": ("87a6a1a3351b8dac3c44b86e35b2d24c934ff4816a7e58f18b15cf27da257367", 96),
    "finite_source": ("d84ff10772f3ea68df4ff8e09bd8bc17567650685440911edade0436ad0aec77", 96),
    "rank_k": ("243077a28bfabce3dd57cc0163a9105a3e6f4c14021f7e0187f9795e9a268359", 72),
    "pretraining_decay": ("ceff9ca28766aa02b8de588ff5626cc4d06d46d3dc800683f2331df93ad7725e", 148),
    "relu_scratch": ("53abf46fedd0320bb04e4eee3262ca13039a7885ef03e3d442171e9d4d2f9042", 5),
    "relu_linear_transfer": (
        "2aa3601811c2a806f8e19069ec933104857f9af8c5861dc12f8918290bbff975",
        20,
    ),
    "relu_linear_transfer_min_norm": (
        "c78687027ca04404df8dccef45837a0bf0820798ebb0c93d82bef2876fb1523f",
        20,
    ),
    "relu_fine_tuning": ("7302f72d1c9c7dacdd6a2ad2856cb54882521b99b1103aadb1da0940ad880d6b", 20),
}


def _key_digest(cells: list) -> str:
    keys = set()
    for cell in cells:
        keys.add(config_key(cell.config(), package_version="pinned"))
        if isinstance(cell, ReluCell) and cell.procedure != "scratch":
            keys.add(config_key(pretraining_entry(cell), package_version="pinned"))
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()


#: The quick profiles as on main (pinned here: a package-scoped fixture of the figure tests may
#: still hold a tiny "quick" profile in the same xdist worker when this module runs).
QUICK_LINEAR = sweeps.Profile(
    "quick", d=40, instances=32, gammas=(0.25, 0.5, 0.75, 1.0, 1.5, 2.0),
    theta_fractions=(0.25, 0.5, 0.75, 1.0),
)  # fmt: skip
QUICK_RELU = ReluProfile("quick", 10, 100, 10, 6, (10, 20, 40, 80, 160), (0.2, 0.4, 0.6, 0.8), 1.0,
                         20_000)  # fmt: skip


@pytest.mark.parametrize("name", sorted(QUICK_KEYS))
def test_store_keys_of_every_quick_cell_are_those_before_the_service(name, monkeypatch):
    monkeypatch.setitem(sweeps.PROFILES, "quick", QUICK_LINEAR)
    monkeypatch.setitem(relu_sweeps.RELU_PROFILES, "quick", QUICK_RELU)
    cells = service.cells_of(name, "quick")
    assert (_key_digest(cells), len(cells)) == QUICK_KEYS[name]


def test_the_registry_holds_both_families_and_every_table_entry():
    known = service.registry()
    assert set(QUICK_KEYS) <= set(known)
    for table, family, extension in (
        (sweeps.SWEEPS, "linear", False),
        (sweeps.EXTENSION_SWEEPS, "linear", True),
        (relu_sweeps.RELU_SWEEPS, "relu", False),
    ):
        for name in table:
            assert (known[name].family.name, known[name].extension) == (family, extension), name
    assert set(known) == {*sweeps.SWEEPS, *sweeps.EXTENSION_SWEEPS, *relu_sweeps.RELU_SWEEPS}
    assert set(service.profile_names()) == {*sweeps.PROFILES, *relu_sweeps.RELU_PROFILES}
    with pytest.raises(InvalidArgumentError, match=r"unknown sweep 'nosuch'.*relu_scratch"):
        service.cells_of("nosuch", "quick")
    with pytest.raises(InvalidArgumentError, match="unknown profile 'paper_d500'"):
        service.cells_of("scratch", "paper_d500")  # a ReLU profile only


LINEAR = dict(d=8, n=6, instances=2, seed=3, sigma=0.2)
RELU = dict(d=4, n=6, width=8, teacher_width=4, instances=2, lr_scale=1.0, max_steps=300)
#: One tiny cell per procedure of each family (the rank-k and finite-source variants included).
CELLS = {
    "scratch": Cell("scratch", weight_decay=1e-3, **LINEAR),
    "fine_tuning": Cell("fine_tuning", theta=0.7, **LINEAR),
    "linear_transfer": Cell("linear_transfer", theta=0.7, ridges=(0.0, 0.1), **LINEAR),
    "finite_source": Cell("fine_tuning", theta=0.7, n_source=10, sigma_source=0.2, **LINEAR),
    "rank_k": Cell("linear_transfer", theta=0.7, source_rank=2, **LINEAR),
    "relu_scratch": ReluCell("scratch", **RELU),
    "relu_linear_transfer": ReluCell("linear_transfer", removed=0.5, **RELU),
    "relu_min_norm": ReluCell("linear_transfer", removed=0.5, refit="min_norm", **RELU),
    "relu_fine_tuning": ReluCell("fine_tuning", removed=0.5, **RELU),
}


@pytest.mark.parametrize("kind", sorted(CELLS))
def test_a_cell_through_the_service_is_bit_identical_to_its_family_runner(kind, tmp_path):
    cell = CELLS[kind]
    direct = (run_relu_cells if isinstance(cell, ReluCell) else run_cells)([cell], CPU)[0]
    store = ResultStore(tmp_path)
    counts = service.run_sweep([cell], store, CPU)
    assert counts == {"total": 1, "skipped": 0, "computed": 1, "remaining": 0}
    (stored,) = service.load_cells([cell], store, CPU, simulate=False)
    assert sorted(stored) == sorted(direct)
    for name, values in direct.items():
        assert stored[name].dtype == values.dtype, name
        assert np.array_equal(stored[name], values, equal_nan=True), name


TINY_RELU = ReluProfile("quick", 4, 8, 4, 2, (6, 12), (0.5,), 1.0, 300)
TINY_LINEAR = sweeps.Profile("quick", d=6, instances=2, gammas=(0.5,), theta_fractions=(0.5,))


@pytest.mark.parametrize("name", ["relu_linear_transfer", "phase_diagram"])
def test_the_missing_cell_policy_is_one_for_both_families(name, tmp_path, monkeypatch):
    monkeypatch.setitem(relu_sweeps.RELU_PROFILES, "quick", TINY_RELU)
    monkeypatch.setitem(sweeps.PROFILES, "quick", TINY_LINEAR)
    store = ResultStore(tmp_path)
    cells = service.cells_of(name, "quick")
    with pytest.raises(service.MissingCellsError) as error:
        service.load_sweep(name, "quick", store, CPU, simulate=False)
    message = str(error.value)
    assert f"{len(cells)} of {len(cells)} cells of sweep {name!r} (quick profile)" in message
    assert f"python -m fate_numeric sweep {name} --profile quick --store {tmp_path}" in message

    seen = []
    loaded = service.load_sweep(
        name, "quick", store, CPU, missing=lambda absent, all_: seen.append((absent, all_))
    )
    assert seen == [(cells, cells)]
    assert [cell for cell, _ in loaded] == cells
    again = service.load_sweep(name, "quick", store, CPU, simulate=False, missing=seen.append)
    assert len(seen) == 1  # nothing missing: the callback is not called
    for (_, first), (_, second) in zip(loaded, again, strict=True):
        assert all(np.array_equal(first[k], second[k], equal_nan=True) for k in first)


def test_family_of_refuses_mixed_cells():
    assert service.family_of([CELLS["scratch"]]).name == "linear"
    assert service.family_of([CELLS["relu_scratch"]]).name == "relu"
    with pytest.raises(InvalidArgumentError, match="one registered model family"):
        service.family_of([CELLS["scratch"], CELLS["relu_scratch"]])
