"""verify recheck: archived cells recomputed, a tampered archive caught, bad input refused."""

from __future__ import annotations

import hashlib
import io
import json

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import sweeps
from fate_numeric.archive import Archive, export_sweep
from fate_numeric.experiments import Cell
from fate_numeric.store import ResultStore
from verify import recheck
from verify.__main__ import main

CPU = torch.device("cpu")


@pytest.fixture
def archive_folder(tmp_path):
    store = ResultStore(tmp_path / "store")
    cells = [
        Cell("scratch", d=8, n=12, sigma=0.1, instances=3, epochs=100),
        Cell("linear_transfer", d=8, n=6, theta=0.5, instances=3, ridges=(0.0, 0.2)),
    ]
    sweeps.run_sweep(cells, store, CPU)
    export_sweep("toy", cells, store, tmp_path / "archive")
    return tmp_path / "archive"


def test_cell_round_trips_through_its_config():
    cell = Cell("fine_tuning", d=8, n=6, theta=0.3, n_source=5, stopping="authors")
    assert Cell.from_config(cell.config()) == cell
    with pytest.raises(InvalidArgumentError, match="not a linear cell"):
        Cell.from_config({"kind": "relu-cell"})


def test_recheck_recomputes_archived_cells(archive_folder):
    results = recheck.recheck(Archive(archive_folder), 2, 0, CPU)
    assert len(results) == 2 and all(r.ok for r in results)
    assert "2 of 2 archived cells recomputed" in recheck.describe(results)


def test_recheck_catches_a_changed_number(archive_folder, capsys):
    npz = archive_folder / "toy.npz"
    with np.load(npz) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["0000/generalisation"] = arrays["0000/generalisation"] * (1 + 1e-7)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    npz.write_bytes(buffer.getvalue())
    manifest = json.loads((archive_folder / "manifest.json").read_text())
    manifest["sweeps"]["toy"]["sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
    (archive_folder / "manifest.json").write_text(json.dumps(manifest))
    status = main(["recheck", "--cells", "2", "--archive", str(archive_folder), "--device", "cpu"])
    assert status == 1
    assert "DIFFERS in generalisation" in capsys.readouterr().out


def test_recheck_bounds_and_bad_input(archive_folder):
    archive = Archive(archive_folder)
    cheap = recheck.choose(archive, 1, 0, max_network_steps=10**6)
    assert len(cheap) == 1
    with pytest.raises(InvalidArgumentError, match="within the bounds"):
        recheck.choose(archive, 1, 0, max_network_steps=0)
    with pytest.raises(InvalidArgumentError, match="at least 1"):
        recheck.choose(archive, 0, 0, None)
    assert main(["recheck", "--archive", str(archive_folder / "nowhere")]) == 2


def test_gram_singular_values_are_compared_within_their_resolution():
    """The rounding floor of a Gram eigendecomposition (≈ 2.5e-8 at σ_max = 0.87, where weight
    decay in pretraining removed the O(α) directions) may move; a top value or an O(α) value of
    an undecayed network moved beyond 1e-9 relative may not."""
    stored = {"feature_singular_values": np.array([[0.8660254037844385, 2.5e-8, 2.4e-8]])}
    floor_moved = {"feature_singular_values": np.array([[0.8660254037844386, 2.52e-8, 2.3e-8]])}
    assert recheck.compare(floor_moved, stored)[1] == []
    top_moved = {"feature_singular_values": stored["feature_singular_values"] * [1 + 1e-8, 1, 1]}
    assert recheck.compare(top_moved, stored)[1] == ["feature_singular_values"]
    undecayed = {"feature_singular_values": np.array([[0.87, 2.1e-5, 2.0e-5]])}
    moved = {"feature_singular_values": undecayed["feature_singular_values"] * [1, 1 + 1e-5, 1]}
    assert recheck.compare(moved, undecayed)[1] == ["feature_singular_values"]
    other = stored["feature_singular_values"]  # any other array: 1e-9 relative, no floor
    assert recheck.compare({"x": other * [1, 1.01, 1]}, {"x": other})[1] == ["x"]
