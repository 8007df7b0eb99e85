"""Every registered figure renders on the tiny profile; the command line's errors are clear."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric.store import ResultStore
from fate_numeric.sweeps import cells_of
from paper_figures.__main__ import main
from paper_figures.core import Context, MissingSimulationError, Table
from paper_figures.registry import MODULES, figures, select
from paper_figures.render import prepare_output, render, write_index


@pytest.fixture(scope="module")
def rendered(make_context, tmp_path_factory):
    """Every registered figure rendered once into one folder (simulating whatever is missing)."""
    out = tmp_path_factory.mktemp("figures")
    ctx = make_context(simulate=True)
    made = {figure.name: render(figure, ctx, out) for figure in figures()}
    write_index(out, [f.name for f in figures()])
    return out, made


def test_registry_names_are_unique_and_every_module_registers():
    names = [f.name for f in figures()]
    assert len(names) == len(set(names)) >= len(MODULES)


@pytest.mark.slow
@pytest.mark.parametrize("name", [f.name for f in figures()])
def test_each_figure_renders_with_its_files(rendered, name):
    out, made = rendered
    for suffix in ("pdf", "png", "caption.md"):
        path = out / f"{name}.{suffix}"
        assert path.is_file() and path.stat().st_size > 0, path
    assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
    csvs = sorted(out.glob(f"{name}.*.csv"))
    assert csvs and all(p in made[name].files for p in csvs)
    for path in csvs:
        assert len(Table.read_csv(path)) > 0
    caption = (out / f"{name}.caption.md").read_text()
    figure = made[name].figure
    assert figure.title in caption and figure.reference in caption
    assert all(note in caption for note in figure.notes)
    if name == "figure3":  # the provenance line describes the grid the figure draws
        assert "profile `quick`: ReLU grid `quick`, d = 10" in caption
    elif name == "figure4":
        assert "profile `quick`: W₁ estimates at d ∈ {500, 2}, n = 250" in caption
    else:
        assert "profile `quick`: d = 20" in caption


@pytest.mark.slow
def test_csv_files_hold_the_data_step_tables(rendered, ctx):
    out, _ = rendered
    (figure,) = select(["figure1"])
    tables = figure.data(ctx)
    for table_name, table in tables.items():
        back = Table.read_csv(out / f"figure1.{table_name}.csv")
        for column, values in table.columns.items():
            if values.dtype.kind == "U":
                assert list(back[column]) == list(values)
            else:
                assert np.array_equal(back[column], values, equal_nan=True), column


@pytest.mark.slow
def test_index_lists_every_figure_with_its_caption(rendered):
    out, made = rendered
    index = (out / "index.md").read_text()
    for name, result in made.items():
        assert f"![{name}]({name}.png)" in index
        assert result.figure.title in index
    positions = [index.index(f"![{name}]") for name in made]
    assert positions == sorted(positions)  # registry order


def test_cli_rejects_an_unknown_figure(capsys):
    assert main(["figure1", "no-such-figure"]) == 2
    error = capsys.readouterr().err
    assert "unknown figure name(s) 'no-such-figure'" in error and "figure1" in error


def test_cli_rejects_an_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["figure1", "--out", str(blocker / "figures")]) == 2
    assert "cannot write to the output folder" in capsys.readouterr().err
    if os.geteuid() != 0:  # root can write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(Exception, match="cannot write"):
            prepare_output(locked)


def test_no_simulate_names_the_sweep_commands(tiny_profile, tmp_path, capsys):
    """Figures whose simulations are missing are skipped and their sweeps named; the others
    (here the theory-only surfaces) are still drawn; the exit status says something is missing."""
    empty = tmp_path / "empty-store"
    arguments = ["figure1", "ridge", "surfaces", "--no-simulate", "--store", str(empty)]
    status = main([*arguments, "--out", str(tmp_path)])
    assert status == 3
    error = capsys.readouterr().err
    for sweep in ("scratch", "phase_diagram"):
        command = f"python -m fate_numeric sweep {sweep} --profile quick --store {empty}"
        assert command in error
        cells = len(cells_of(sweep, "quick"))  # each command with its cost on the next line
        assert f"{command}\n        cost: {cells} cells × 8 instances × at most" in error
    assert "finite_source" not in error
    assert "1 of 3 figure(s)" in error
    assert [path.name for path in tmp_path.glob("*.png")] == ["surfaces.png"]


def test_context_stored_asks_or_computes(tmp_path, tiny_profile):
    store = ResultStore(tmp_path / "store")
    config = {"kind": "figure-test", "value": 1}
    off = Context("quick", store, simulate=False)
    with pytest.raises(MissingSimulationError, match="python -m make-it"):
        off.stored(config, lambda: {"x": np.ones(2)}, "python -m make-it")
    on = Context("quick", store, simulate=True)
    assert np.array_equal(on.stored(config, lambda: {"x": np.ones(2)}, "unused")["x"], np.ones(2))
    assert np.array_equal(off.stored(config, lambda: {}, "unused")["x"], np.ones(2))


def test_list_describes_every_figure(capsys):
    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    for figure in figures():
        assert figure.name in listing and figure.reference in listing


def test_sweep_simulates_missing_cells_or_names_the_command(tiny_profile, tmp_path, capsys):
    store = ResultStore(tmp_path / "store")
    off = Context("quick", store, simulate=False)
    with pytest.raises(MissingSimulationError, match="sweep phase_diagram --profile quick"):
        off.sweep("phase_diagram")
    on = Context("quick", store, simulate=True)
    cells = on.sweep("phase_diagram")
    assert len(cells) == len(cells_of("phase_diagram", "quick"))
    said = capsys.readouterr().err  # what it simulates, before the progress bar
    assert said.startswith(
        f"simulating sweep phase_diagram (quick profile) on cpu ({torch.get_num_threads()} "
    )
    assert f"{len(cells)} cells × 8 instances" in said.splitlines()[0]
    assert "GPU is recommended" not in said  # a few seconds at d = 20
    assert off.missing_sweeps(["phase_diagram", "scratch"]) == ["scratch"]
    assert len(off.sweep("phase_diagram")) == len(cells)  # now from the store


@pytest.mark.slow
def test_figures_can_read_float32_sweeps(filled_store, tmp_path, capsys):
    """``--precision float32`` reads (and names the commands for) the float32 cells, not the
    float64 ones, and says so in the caption."""
    float32 = Context("quick", filled_store, simulate=False, precision="float32")
    assert float32.missing_sweeps(["scratch"]) == ["scratch"]  # the store holds float64 only
    assert Context("quick", filled_store, simulate=False).missing_sweeps(["scratch"]) == []
    assert "--precision float32" in float32.sweep_command("scratch")
    assert all(cell.precision == "float32" for cell in float32.linear_cells("scratch"))
    with pytest.raises(InvalidArgumentError, match="precision"):
        Context("quick", filled_store, precision="float16")
    out = tmp_path / "out"
    arguments = ["scratch-risk", "--precision", "float32", "--device", "cpu"]
    assert main([*arguments, "--store", str(tmp_path / "store"), "--out", str(out)]) == 0
    caption = (out / "scratch-risk.caption.md").read_text()
    assert "linear sweeps trained in float32" in caption
