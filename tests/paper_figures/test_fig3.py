"""Figure 3 (ReLU): its tables against the stored simulations and independent recomputations."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from derivations.errors import InvalidArgumentError
from fate_numeric import relu_sweeps, service
from fate_numeric.relu_sweeps import ReluProfile
from fate_numeric.store import ResultStore
from paper_figures import fig3_relu as fig3
from paper_figures.core import Context, MissingSimulationError

TINY = ReluProfile("quick", 6, 20, 8, 4, (6, 12, 24), (0.25, 0.75), 1.0, 1500)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(relu_sweeps.RELU_PROFILES, "quick", TINY)
        store = ResultStore(tmp_path_factory.mktemp("fig3-store"))
        ctx = Context("quick", store, simulate=True, theory_points=20)
        yield fig3.data(ctx), store


def _stored(store, name):
    return {
        (c.removed, c.n): store.load(c.config()).arrays for c in service.cells_of(name, "quick")
    }


def test_scratch_and_phase_tables_are_the_stored_risks(built):
    tables, store = built
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(relu_sweeps.RELU_PROFILES, "quick", TINY)
        scratch = _stored(store, "relu_scratch")
        transfer = _stored(store, "relu_linear_transfer")
    table = tables["scratch"]
    np.testing.assert_allclose(
        table["mean"], [scratch[(0.0, n)]["risk"].mean() for n in table["n"]]
    )
    phase = tables["phase"]
    for removed, n, value in zip(phase["removed"], phase["n"], phase["transfer"], strict=True):
        expected = np.mean(scratch[(0.0, n)]["risk"] - transfer[(removed, n)]["risk"])
        assert value == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert len(phase) == len(TINY.removed) * len(TINY.sample_sizes)


def test_out_of_span_and_boundary(built):
    tables, _ = built
    span, fit, boundary = tables["out_of_span"], tables["fit"], tables["boundary"]
    np.testing.assert_allclose(
        span["fraction_source"], span["out_of_span_source"] / span["target_norm"]
    )
    assert np.all((span["fraction_source"] >= 0) & (span["fraction_source"] <= 1))
    a, nu = fit["amplitude"][0], fit["exponent"][0]
    np.testing.assert_allclose(
        boundary["predicted_source"], (a / span["out_of_span_source"]) ** (1 / nu), rtol=1e-12
    )
    assert fit["exponent_low"][0] <= nu <= fit["exponent_high"][0]
    assert fit["paper_exponent"][0] == pytest.approx(1.18)
    law = tables["power_law"]
    np.testing.assert_allclose(law["fitted"], a * law["n"] ** (-nu), rtol=1e-12)


def test_kernel_tables_are_double_centred_and_symmetric(built):
    tables, _ = built
    kernels = tables["kernels"]
    count = int(kernels["i"].max()) + 1
    for column in ("initial", "trained", "teacher"):
        matrix = kernels[column].reshape(count, count)
        np.testing.assert_allclose(matrix, matrix.T, atol=1e-12)
        np.testing.assert_allclose(matrix.sum(axis=0), 0, atol=1e-10)
    alignment = tables["kernel_alignment"]
    assert alignment["shown"].sum() == 1 and np.all(alignment["trained"] <= 1 + 1e-12)


def test_draw_makes_six_panels(built):
    tables, _ = built
    figure = fig3.draw(tables)
    assert len([ax for ax in figure.axes if ax.get_title()]) == 6
    plt.close(figure)


def test_phase_panel_legend_is_off_the_cells(built):
    """Panel (f)'s legend (black text) lies below the map, not on its dark cells."""
    tables, _ = built
    figure = fig3.draw(tables)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    (panel,) = [ax for ax in figure.axes if ax.get_title().startswith("(f)")]
    legend = panel.get_legend().get_window_extent(renderer)
    assert legend.y1 <= panel.get_window_extent(renderer).y0
    plt.close(figure)


def test_provenance_describes_the_relu_grid(built):
    tables, store = built
    line = fig3.describe_grid(Context("quick", store), tables)
    assert line.startswith("ReLU grid `quick`, d = 6, m = 20, m* = 8, 4 instances per cell")
    assert "n ∈ {6, 12, 24}, μ ∈ {0.25, 0.75}" in line and "at most 1500 steps" in line
    assert fig3.FIGURE.grid is fig3.describe_grid


def test_missing_simulations_are_named(tmp_path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(relu_sweeps.RELU_PROFILES, "quick", TINY)
        ctx = Context("quick", ResultStore(tmp_path), simulate=False)
        with pytest.raises(MissingSimulationError, match="relu_scratch"):
            fig3.data(ctx)


def test_figure3_is_drawn_at_a_relu_only_profile(tmp_path, monkeypatch, capsys):
    """``--profile paper_d500`` (a ReLU grid only) draws Figure 3, refuses the linear figures
    with a clear message, and names the ReLU sweeps when they are missing."""
    from paper_figures.__main__ import main

    tiny_d500 = ReluProfile("paper_d500", 6, 20, 8, 4, (6, 12, 24), (0.25, 0.75), 1.0, 1500)
    monkeypatch.setitem(relu_sweeps.RELU_PROFILES, "paper_d500", tiny_d500)
    common = ["--profile", "paper_d500", "--device", "cpu", "--out", str(tmp_path / "out")]
    store = ["--store", str(tmp_path / "store")]
    assert main(["figure1", *common, *store]) == 2
    assert "ReLU grid only; it draws figure3" in capsys.readouterr().err
    assert main(["all", "--no-simulate", *common, *store]) == 3
    err = capsys.readouterr().err
    assert "sweep relu_scratch --profile paper_d500" in err
    assert "sweep relu_linear_transfer --profile paper_d500" in err
    # each command with what it costs: cells × instances × steps, no invented time
    assert "cost: 3 cells × 4 instances × at most 1500 steps" in err
    assert "cost: 6 cells × 4 instances × at most 1500 steps" in err
    assert "no ReLU timing is stored" in err
    assert main(["all", *common, *store]) == 0  # simulates the tiny sweeps, draws figure3 only
    err = capsys.readouterr().err
    # said up front, for both sweeps, before the first progress bar: what, how big, where
    first_bar = err.index("sweep relu_scratch:")
    for name, cells in (("relu_scratch", 3), ("relu_linear_transfer", 6)):
        announced = err.index(f"simulating sweep {name} (paper_d500 profile) on cpu")
        assert announced < first_bar
        assert f"{cells} cells × 4 instances" in err[announced:]
    assert "a GPU is recommended" in err[:first_bar]
    assert f"/{len(tiny_d500.removed) * len(tiny_d500.sample_sizes)} [" in err  # the bar
    drawn = sorted(p.name for p in (tmp_path / "out").glob("*.png"))
    assert drawn == ["figure3.png"]
    caption = (tmp_path / "out" / "figure3.caption.md").read_text()
    # the provenance line describes the ReLU grid drawn, not a linear grid
    assert "profile `paper_d500`: ReLU grid `paper_d500`, d = 6, m = 20, m* = 8" in caption
    assert "n ∈ {6, 12, 24}, μ ∈ {0.25, 0.75}" in caption
    # and the theory it draws (the power laws), not a theory grid it does not evaluate
    assert "power laws on 50 sizes n" in caption and "points per axis" not in caption
    with pytest.raises(InvalidArgumentError, match="ReLU grid only"):
        _ = Context("paper_d500", ResultStore(tmp_path / "store")).grid
