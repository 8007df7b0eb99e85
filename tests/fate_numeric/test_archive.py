"""The archive of finished sweeps: numpy alone reads it, it answers like a store, it is checked;
the repository's archive is whole."""

from __future__ import annotations

import hashlib
import io
import json

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import sweeps
from fate_numeric.__main__ import main
from fate_numeric.archive import REPOSITORY_ARCHIVE, Archive, ArchivedStore, export_sweep
from fate_numeric.experiments import Cell
from fate_numeric.store import ResultNotStoredError, ResultStore, canonical_json

CPU = torch.device("cpu")


def _cells() -> list[Cell]:
    return [Cell("scratch", d=8, n=n, sigma=0.1, instances=3, epochs=100) for n in (4, 12)] + [
        Cell("linear_transfer", d=8, n=6, theta=0.5, instances=3, ridges=(0.0, 0.2))
    ]


@pytest.fixture
def filled(tmp_path):
    store = ResultStore(tmp_path / "store")
    cells = _cells()
    sweeps.run_sweep(cells, store, CPU)
    return store, cells


def test_export_round_trip_and_numpy_alone_reads_it(filled, tmp_path):
    store, cells = filled
    folder = tmp_path / "archive"
    entry = export_sweep("toy", cells, store, folder)
    assert entry["cells"] == [c.config() for c in cells]
    assert entry["commits"]
    shares = [store.load(c.config()).metadata["extra"] for c in cells]
    expected = sum(extra["batch_seconds"] / extra["batch_cells"] for extra in shares)
    assert entry["compute_seconds"] == round(expected, 1)  # tiny cells may round to 0.0 s
    with np.load(folder / "toy.npz", allow_pickle=False) as npz:  # plain numpy, no pickle
        np.testing.assert_array_equal(
            npz["0002/generalisation"], store.load(cells[2].config()).arrays["generalisation"]
        )
    archive = Archive(folder)
    for cell in cells:
        assert archive.has(cell.config())
        mine = archive.load(cell.config()).arrays
        theirs = store.load(cell.config()).arrays
        assert mine.keys() == theirs.keys()
        for name in theirs:
            np.testing.assert_array_equal(mine[name], theirs[name])
    other = Cell("scratch", d=8, n=5, sigma=0.1, instances=3, epochs=100)
    assert not archive.has(other.config())
    with pytest.raises(ResultNotStoredError):
        archive.load(other.config())


def test_an_unfinished_sweep_is_refused(filled, tmp_path):
    store, cells = filled
    extra = Cell("scratch", d=8, n=5, sigma=0.1, instances=3, epochs=100)
    with pytest.raises(InvalidArgumentError, match="not finished: 1 of 4"):
        export_sweep("toy", [*cells, extra], store, tmp_path / "archive")


def test_a_damaged_archive_is_detected(filled, tmp_path):
    store, cells = filled
    folder = tmp_path / "archive"
    export_sweep("toy", cells, store, folder)
    data = bytearray((folder / "toy.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "toy.npz").write_bytes(bytes(data))
    with pytest.raises(InvalidArgumentError, match="damaged"):
        Archive(folder).load(cells[0].config())


def test_archived_store_reads_the_archive_and_saves_to_the_store(filled, tmp_path):
    store, cells = filled
    folder = tmp_path / "archive"
    export_sweep("toy", cells, store, folder)
    layered = ArchivedStore(ResultStore(tmp_path / "fresh"), Archive(folder))
    assert all(layered.has(c.config()) for c in cells)
    ran = sweeps.run_sweep(cells, layered, CPU)
    assert ran["computed"] == 0 and ran["skipped"] == len(cells)  # nothing recomputed
    new = Cell("scratch", d=8, n=5, sigma=0.1, instances=3, epochs=100)
    sweeps.run_sweep([new], layered, CPU)
    assert layered.store.has(new.config()) and not layered.archive.has(new.config())


def test_archive_command(filled, tmp_path, capsys, monkeypatch):
    store, cells = filled
    monkeypatch.setitem(sweeps.SWEEPS, "toy", lambda profile, seed: iter(cells))
    status = main(["archive", "toy", "--store", str(store.root), "--out", str(tmp_path / "a")])
    assert status == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["sweeps"]["toy"]["cells"] == len(cells)
    assert (tmp_path / "a" / "manifest.json").exists()


def test_the_repository_archive_is_whole_and_matches_todays_sweeps():
    """Every sweep committed in ``archive/paper`` — the paper's and the extensions' (``rank_k``,
    docs/paper.md §11) — is the file its manifest hashes, holds the arrays of exactly the cells
    of today's ``cells_of(NAME, "paper")`` in their order (so that no archived cell is
    recomputed and none is judged under a stale configuration), and says whether it is an
    extension."""
    archive = Archive(REPOSITORY_ARCHIVE / "paper")
    assert {"scratch", "phase_diagram", "finite_source", "rank_k"} <= set(archive.sweeps)
    for name in archive.sweeps:
        entry = archive.manifest["sweeps"][name]
        data = (archive.folder / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert entry["seeds"] == [0]
        cells = sweeps.cells_of(name, "paper", seed=0)
        assert [canonical_json(c) for c in entry["cells"]] == [
            canonical_json(c.config()) for c in cells
        ], name
        assert archive.is_extension(name) == sweeps.is_extension(name)
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            names = npz.files
            positions = {int(key.split("/")[0]) for key in names}
            assert positions == set(range(len(cells))), name
            for index, cell in enumerate(cells):
                errors = npz[f"{index:04d}/generalisation"]
                assert errors.shape[-1] == cell.instances and np.isfinite(errors).all()
