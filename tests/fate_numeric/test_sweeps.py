"""Named sweeps: the authors' grids, and a sweep that resumes after an interruption."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import experiments, service, sweeps
from fate_numeric.experiments import Cell, bytes_per_instance
from fate_numeric.store import ResultStore

CPU = torch.device("cpu")


def test_paper_profile_is_the_authors_grid():
    paper = sweeps.PROFILES["paper"]
    assert paper.sample_sizes() == list(range(50, 1001, 50))
    assert paper.thetas()[0] == pytest.approx(math.pi / 40) and paper.thetas()[-1] == pytest.approx(
        math.pi / 2
    )
    scratch = sweeps.cells_of("scratch", "paper")
    assert len(scratch) == 2 * 5 * 20
    assert {c.weight_decay for c in scratch} == {0.0, 1e-4, 1e-3, 1e-2, 1e-1}
    phase = sweeps.cells_of("phase_diagram", "paper")
    assert len(phase) == 2 * 20 * 20 * 2
    assert all(c.d == 500 and c.instances == 20 and c.depth == 2 for c in phase)
    finite = sweeps.cells_of("finite_source", "paper")
    assert {c.n_source for c in finite} == {250, 750}
    assert {c.schedule.steps for c in finite if c.procedure == "fine_tuning"} == {8000}


def test_unknown_sweep_or_profile():
    with pytest.raises(InvalidArgumentError, match="unknown sweep"):
        sweeps.cells_of("phase", "quick")
    with pytest.raises(InvalidArgumentError, match="unknown profile"):
        sweeps.cells_of("scratch", "huge")


def _cells() -> list[Cell]:
    return [
        Cell("scratch", d=8, n=n, sigma=0.1, instances=2, epochs=200) for n in (2, 4, 6, 12, 16)
    ]


def test_an_interrupted_sweep_resumes_without_redoing_cells(tmp_path):
    store = ResultStore(tmp_path)
    cells = _cells()
    budget = sum(bytes_per_instance(c) * c.instances for c in cells[:2])  # the first batch: two
    calls: list[int] = []
    original = experiments.run_cells

    def interrupted(batch, device):
        calls.append(len(batch))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(batch, device)

    with pytest.raises(KeyboardInterrupt):
        sweeps.run_sweep(cells, store, CPU, budget_bytes=budget, runner=interrupted)
    stored = [c for c in cells if store.has(c.config())]
    assert len(stored) == 2

    counts = sweeps.run_sweep(cells, store, CPU, budget_bytes=budget)
    assert counts == {"total": 5, "skipped": 2, "computed": 3, "remaining": 0}
    # the resumed sweep gives the same numbers as an uninterrupted one
    fresh = ResultStore(tmp_path / "fresh")
    sweeps.run_sweep(cells, fresh, CPU)
    for cell in cells:
        np.testing.assert_array_equal(
            store.load(cell.config()).arrays["generalisation"],
            fresh.load(cell.config()).arrays["generalisation"],
        )
    assert sweeps.run_sweep(cells, store, CPU)["computed"] == 0


def test_a_sweep_under_a_time_limit_saves_what_it_started_and_carries_on(tmp_path, monkeypatch):
    store = ResultStore(tmp_path)
    cells = _cells()
    budget = sum(bytes_per_instance(c) * c.instances for c in cells[:2])  # two cells a batch
    first = sweeps.run_sweep(cells, store, CPU, budget_bytes=budget, stop_after=0.0)
    assert first == {"total": 5, "skipped": 0, "computed": 0, "remaining": 5}

    def clock() -> float:  # ten seconds pass with the first saved batch
        return 10.0 if any(store.has(c.config()) for c in cells) else 0.0

    monkeypatch.setattr(service.time, "perf_counter", clock)
    second = sweeps.run_sweep(cells, store, CPU, budget_bytes=budget, stop_after=5.0)
    monkeypatch.undo()
    assert second["computed"] == 2 and second["remaining"] == 3  # one batch, then time was up
    assert sum(store.has(c.config()) for c in cells) == 2
    third = sweeps.run_sweep(cells, store, CPU, budget_bytes=budget, stop_after=1e6)
    assert third == {"total": 5, "skipped": 2, "computed": 3, "remaining": 0}
    with pytest.raises(InvalidArgumentError, match="stop_after"):
        sweeps.run_sweep(cells, store, CPU, stop_after=-1.0)


@pytest.mark.slow
def test_sweep_command_runs_then_resumes_from_the_store(tmp_path, capsys):
    import json

    from fate_numeric.__main__ import main

    arguments = [
        "sweep",
        "phase_diagram",
        "--profile",
        "quick",
        "--device",
        "cpu",
        "--store",
        str(tmp_path),
    ]
    assert main(arguments) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["computed"] == first["total"] == len(sweeps.cells_of("phase_diagram", "quick"))
    assert main(arguments) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["skipped"] == second["total"] and second["computed"] == 0
    assert main(["sweep", "nonexistent", "--store", str(tmp_path)]) == 2


@pytest.mark.slow
def test_sweep_command_trains_in_float32_when_asked(tmp_path, capsys, monkeypatch):
    import json

    from fate_numeric.__main__ import main

    tiny = sweeps.Profile("quick", d=8, instances=2, gammas=(0.5, 1.5), theta_fractions=(0.5,))
    monkeypatch.setitem(sweeps.PROFILES, "quick", tiny)
    arguments = ["sweep", "scratch", "--device", "cpu", "--store", str(tmp_path)]
    assert main([*arguments, "--precision", "float32"]) == 0
    assert json.loads(capsys.readouterr().out)["computed"] == 20
    store = ResultStore(tmp_path)
    cells = sweeps.cells_of("scratch", "quick")
    assert not any(store.has(c.config()) for c in cells)  # the float64 cells are not there
    float32 = [dataclasses.replace(c, precision="float32") for c in cells]
    assert all(store.has(c.config()) for c in float32)
    assert main(["sweep", "relu_scratch", "--precision", "float32", "--store", str(tmp_path)]) == 2
    assert "float64 only" in capsys.readouterr().err
