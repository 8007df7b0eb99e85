"""``python -m fate_numeric sweep`` and ``archive`` through the sweep service: one code path for
the sweeps of both families (the runner chosen by the flags and the device, never by the family),
the family's training precisions, and the refusals, each one line with exit status 2."""

from __future__ import annotations

import json

import pytest

from fate_numeric import distributed, relu_sweeps, service, sweeps
from fate_numeric.__main__ import main
from fate_numeric.relu_sweeps import ReluProfile

TINY_RELU = ReluProfile("quick", 4, 8, 4, 2, (6, 12), (0.5,), 1.0, 300)
TINY_LINEAR = sweeps.Profile("quick", d=12, instances=2, gammas=(0.5,), theta_fractions=(0.5,))
#: A paper sweep, an extension and a ReLU sweep.
NAMES = ("scratch", "rank_k", "relu_linear_transfer")


@pytest.fixture
def runs(monkeypatch):
    """Both runners replaced by recorders: ``(runner, cells, options)`` per call."""
    monkeypatch.setitem(relu_sweeps.RELU_PROFILES, "quick", TINY_RELU)
    monkeypatch.setitem(sweeps.PROFILES, "quick", TINY_LINEAR)
    calls = []

    def recorder(runner: str):
        def run(cells, store, device, progress=None, **options):
            calls.append((runner, list(cells), options))
            return {"total": len(cells), "skipped": 0, "computed": 0, "remaining": len(cells)}

        return run

    monkeypatch.setattr(distributed, "run_sweep_distributed", recorder("dask"))
    monkeypatch.setattr(service, "run_sweep", recorder("serial"))
    return calls


def _sweep(name: str, tmp_path, *flags: str) -> int:
    argv = ["sweep", name, "--profile", "quick", "--device", "cpu", "--store", str(tmp_path)]
    return main([*argv, *flags])


#: The runner each flag set picks on a CPU, ``None``: the family's default.
CHOICES = [
    ((), None),
    (("--serial",), "serial"),
    (("--workers", "2"), "dask"),
    (("--workers", "2", "--serial"), "serial"),
    (("--scheduler", "tcp://host:8786"), "dask"),
    (("--scheduler", "tcp://host:8786", "--serial"), "dask"),
]


@pytest.mark.parametrize(("flags", "runner"), CHOICES)
def test_every_family_goes_through_one_runner_choice(flags, runner, runs, tmp_path, capsys):
    """The same flags pick the same runner for a paper sweep, an extension and a ReLU sweep;
    without flags, the family's ``dask_by_default`` (the linear family: dask; the ReLU family:
    serial, its diagnostics move with the thread count)."""
    for name in NAMES:
        assert _sweep(name, tmp_path, *flags) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["total"] == len(service.cells_of(name, "quick"))
    default = {"scratch": "dask", "rank_k": "dask", "relu_linear_transfer": "serial"}
    for name in NAMES:
        assert service.sweep(name).family.dask_by_default == (default[name] == "dask")
    assert [(used, cells) for used, cells, _ in runs] == [
        (runner or default[name], service.cells_of(name, "quick")) for name in NAMES
    ]
    for used, _, options in runs:
        if used == "dask":
            scheduler = "tcp://host:8786" if "--scheduler" in flags else None
            assert options["scheduler"] == scheduler
            assert options["workers"] == (2 if "--workers" in flags else None)


def test_the_precision_is_the_familys(runs, tmp_path, capsys):
    assert _sweep("scratch", tmp_path, "--serial", "--precision", "float32") == 0
    ((_, cells, _),) = runs
    assert cells and all(cell.precision == "float32" for cell in cells)
    assert [c.config() for c in cells] != [c.config() for c in service.cells_of("scratch", "quick")]
    capsys.readouterr()
    for flags in ((), ("--serial",), ("--scheduler", "tcp://host:8786")):
        assert _sweep("relu_scratch", tmp_path, "--precision", "float32", *flags) == 2
        assert capsys.readouterr().err == "error: the ReLU sweeps train in float64 only\n"
    assert len(runs) == 1  # nothing run for the refused ReLU sweep
    assert _sweep("relu_scratch", tmp_path, "--serial", "--precision", "float64") == 0
    assert runs[-1][1] == service.cells_of("relu_scratch", "quick")


def test_an_unknown_sweep_lists_every_sweep_the_extensions_apart(runs, tmp_path, capsys):
    assert _sweep("nosuch", tmp_path) == 2
    error = capsys.readouterr().err
    papers, extensions = error.split("; the extension sweeps (docs/paper.md §11, §12) are ")
    assert papers == (
        f"error: unknown sweep 'nosuch'; the sweeps are "
        f"{', '.join([*sweeps.SWEEPS, *relu_sweeps.RELU_SWEEPS])}"
    )
    assert extensions == f"{', '.join(sweeps.EXTENSION_SWEEPS)}\n"
    assert not runs


def test_a_profile_of_the_other_family_is_named(runs, tmp_path, capsys):
    argv = ["sweep", "scratch", "--profile", "paper_d500", "--store", str(tmp_path), "--serial"]
    assert main(argv) == 2
    assert "unknown profile 'paper_d500' for the linear sweep 'scratch'" in capsys.readouterr().err
    assert not runs


def test_archiving_a_relu_sweep_is_refused_with_the_reason(runs, tmp_path, capsys):
    out = tmp_path / "archive"
    argv = ["archive", "scratch", "relu_scratch", "--profile", "quick", "--out", str(out)]
    assert main([*argv, "--store", str(tmp_path / "store")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: sweep 'relu_scratch' (relu family) cannot be archived")
    assert "verify recheck" in error and "the sweeps it takes are scratch," in error
    assert "relu_" not in error.split("the sweeps it takes are")[1]
    assert not out.exists()  # refused before anything is written
