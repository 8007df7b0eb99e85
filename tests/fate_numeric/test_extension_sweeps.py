"""Extension sweeps (``fate_numeric.sweeps.EXTENSION_SWEEPS``, docs/paper.md §11) are first-class:
``cells_of``, the ``sweep`` command (resumable, into the store, the same flags) and the
``archive`` command take their names, and name them as extensions; a registry entry is all a new
one needs."""

from __future__ import annotations

import json
import math

import pytest

from derivations.errors import InvalidArgumentError
from fate_numeric import sweeps
from fate_numeric.__main__ import main
from fate_numeric.archive import Archive
from fate_numeric.experiments import Cell
from fate_numeric.store import ResultStore

#: The quick profile shrunk to one n and one angle at d = 12 (k = 2, 4, 8 fit), 3 instances.
TINY = sweeps.Profile("quick", d=12, instances=3, gammas=(1.5,), theta_fractions=(0.5,))


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(sweeps.PROFILES, "quick", TINY)


def _toy_extension(profile: sweeps.Profile, seed: int):
    """A made-up extension: linear transfer at k = 2 and σ = 0.1, two angles."""
    for theta in (0.25 * math.pi, 0.5 * math.pi):
        yield Cell(
            "linear_transfer",
            d=profile.d,
            n=profile.sample_sizes()[0],
            theta=theta,
            sigma=0.1,
            instances=profile.instances,
            seed=seed,
            source_rank=2,
        )


def _sweep(name: str, store, *flags: str) -> None:
    argv = ["sweep", name, "--profile", "quick", "--serial", "--device", "cpu"]
    assert main([*argv, "--store", str(store), *flags]) == 0


def test_cells_of_takes_the_extension_sweeps_and_keeps_them_apart():
    for name in sweeps.EXTENSION_SWEEPS:
        assert sweeps.is_extension(name) and name not in sweeps.SWEEPS
        for profile in sweeps.PROFILES:
            assert [c.config() for c in sweeps.cells_of(name, profile)] == [
                c.config() for c in sweeps.extension_cells_of(name, profile)
            ]
    assert not any(sweeps.is_extension(name) for name in sweeps.SWEEPS)
    with pytest.raises(InvalidArgumentError) as refused:
        sweeps.cells_of("nosuch", "quick")
    message = str(refused.value)
    papers, extensions = message.split("; the extension sweeps (docs/paper.md §11, §12) are ")
    assert "rank_k" in extensions and "rank_k" not in papers and "scratch" in papers
    with pytest.raises(InvalidArgumentError, match="unknown profile"):
        sweeps.cells_of("rank_k", "paper_d500")


@pytest.mark.parametrize("command", ["sweep", "archive"])
def test_the_commands_list_the_extension_sweeps_as_extensions(command, capsys):
    assert main([command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "the extension sweeps (docs/paper.md §11, §12) are rank_k" in text


def test_an_unknown_sweep_is_refused_naming_the_extensions(capsys, tmp_path):
    assert main(["sweep", "nosuch", "--serial", "--store", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "unknown sweep 'nosuch'" in error and "relu_scratch" in error
    assert "the extension sweeps (docs/paper.md §11, §12) are rank_k" in error


def test_the_sweep_command_runs_an_extension_sweep_resumably(tiny, tmp_path, capsys):
    """Into the store, one cell per rank, resumed from the store, with the flags of the paper's
    sweeps (``--stop-after 0`` starts nothing)."""
    store = tmp_path / "store"
    cells = sweeps.cells_of("rank_k", "quick")
    assert len(cells) == len(sweeps.SOURCE_RANKS)
    _sweep("rank_k", store, "--stop-after", "0")
    captured = capsys.readouterr()
    assert json.loads(captured.out)["remaining"] == len(cells)
    assert "sweep rank_k (quick profile; an extension, docs/paper.md §11, §12)" in captured.err
    _sweep("rank_k", store)
    assert json.loads(capsys.readouterr().out)["computed"] == len(cells)
    assert all(ResultStore(store).has(c.config()) for c in cells)
    _sweep("rank_k", store)
    counts = json.loads(capsys.readouterr().out)
    assert counts["skipped"] == len(cells) and counts["computed"] == 0


def test_the_archive_command_archives_an_extension_sweep(tiny, tmp_path, capsys):
    store, folder = tmp_path / "store", tmp_path / "archive"
    _sweep("rank_k", store)
    _sweep("scratch", store)
    capsys.readouterr()
    argv = ["archive", "rank_k", "scratch", "--profile", "quick", "--store", str(store)]
    assert main([*argv, "--out", str(folder)]) == 0
    summary = json.loads(capsys.readouterr().out)["sweeps"]
    assert summary["rank_k"]["cells"] == len(sweeps.cells_of("rank_k", "quick"))
    archive = Archive(folder)
    assert archive.is_extension("rank_k") and not archive.is_extension("scratch")
    assert "extension" not in archive.manifest["sweeps"]["scratch"]  # the paper's: as before
    assert "rank_k (an extension, commit" in archive.describe()
    fresh = ResultStore(store)
    for cell in sweeps.cells_of("rank_k", "quick"):
        archived = archive.load(cell.config()).arrays
        assert archived.keys() == fresh.load(cell.config()).arrays.keys()
        assert "projection_error" in archived  # the extension's own array travels too


def test_a_registry_entry_is_all_a_new_extension_sweep_needs(tiny, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sweeps.EXTENSION_SWEEPS, "toy_extension", _toy_extension)
    store, folder = tmp_path / "store", tmp_path / "archive"
    _sweep("toy_extension", store)
    assert "an extension" in capsys.readouterr().err
    argv = ["archive", "toy_extension", "--profile", "quick", "--store", str(store)]
    assert main([*argv, "--out", str(folder)]) == 0
    archive = Archive(folder)
    assert archive.is_extension("toy_extension")
    assert all(archive.has(c.config()) for c in _toy_extension(TINY, 0))
