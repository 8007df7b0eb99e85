"""Figure 4 (dataset similarity): its tables against independent oracles, the store, the drawing.

Oracles typed from docs/paper.md §4 (tests only): D_KL = (1 − cos θ)/σ², T_lt = eq. 11 at γ = 0.5,
eq. 15, and the numbers docs/paper.md §4.4 quotes (+0.54, −0.46, +0.54 at θ = 0, π/2, π; KL up to
50).
"""

from __future__ import annotations

import math

import matplotlib.style
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex

from fate_numeric.store import ResultStore
from paper_figures import fig4_similarity as fig4
from paper_figures.core import Context, MissingSimulationError
from paper_figures.plots import colour_name
from paper_figures.render import STYLE

SIGMA, GAMMA = 0.2, 0.5


def eq11(theta):
    return (1 - GAMMA) + GAMMA * SIGMA**2 / (1 - GAMMA) - np.sin(theta) ** 2


def eq15(theta):
    return (1 - GAMMA) * (2 * np.cos(theta) - 1)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    store = ResultStore(tmp_path_factory.mktemp("fig4-store"))
    ctx = Context("quick", store, simulate=True, theory_points=41)
    return fig4.data(ctx), store


def test_kl_sweep_spans_zero_to_pi(tables):
    data, _ = tables
    sweep = data["kl_sweep"]
    np.testing.assert_allclose(sweep["kl"], (1 - np.cos(sweep["theta"])) / SIGMA**2, rtol=1e-12)
    np.testing.assert_allclose(sweep["t_lt"], eq11(sweep["theta"]), atol=1e-12)
    np.testing.assert_allclose(sweep["t_ft"], eq15(sweep["theta"]), atol=1e-12)
    assert sweep["theta"][0] == 0 and sweep["theta"][-1] == pytest.approx(math.pi)
    assert sweep["kl"].max() == pytest.approx(50.0)
    assert np.all(np.diff(sweep["kl"]) > 0)  # KL is monotone in θ ...
    assert np.any(np.diff(sweep["t_lt"]) > 0) and np.any(np.diff(sweep["t_lt"]) < 0)  # ... T is not
    marked = data["kl_marked"]
    at = dict(zip(np.round(marked["theta"], 6), marked["t_lt"], strict=True))
    assert at[0.0] == pytest.approx(0.54)
    assert at[round(math.pi / 2, 6)] == pytest.approx(-0.46)
    assert at[round(math.pi, 6)] == pytest.approx(0.54)


def test_w1_tables(tables):
    data, _ = tables
    high, high_floor = data["w1_paper_dimension"], data["w1_paper_dimension_same_law"]
    low, low_floor = data["w1_low_dimension"], data["w1_low_dimension_same_law"]
    assert set(high["d"]) == {500} and set(low["d"]) == {2} and set(high["n"]) == {250}
    np.testing.assert_allclose(high["t_lt"], eq11(high["theta"]), atol=1e-12)
    np.testing.assert_allclose(
        low["w1_population_upper"],
        math.sqrt(2 / math.pi) * np.sqrt(2 - 2 * np.cos(low["theta"])),
        rtol=1e-12,
    )
    assert np.all(high["w1_std"] > 0) and np.all(low["w1_std"] > 0)
    np.testing.assert_allclose(high["w1_se"], high["w1_std"] / np.sqrt(high["seeds"]))
    # At d = 500 the sampling floor dominates: every estimate lies within 1 % of the same-law one.
    assert np.all(np.abs(high["w1_mean"] / high_floor["mean"][0] - 1) < 0.01)
    # At d = 2, W₁ resolves θ: far above the floor at θ = π, and increasing from θ = 0 to π.
    assert low["w1_mean"][-1] > low_floor["mean"][0] + 5 * low_floor["std"][0]
    assert low["w1_mean"][-1] > low["w1_mean"][len(low) // 2] > low["w1_mean"][0]
    # ... while T_lt is equal at θ = 0 and π: the distance does not predict the transfer.
    assert low["t_lt"][0] == pytest.approx(low["t_lt"][-1])


def test_w1_results_come_back_from_the_store(tables):
    data, store = tables
    again = fig4.data(Context("quick", store, simulate=False, theory_points=41))
    np.testing.assert_array_equal(
        again["w1_low_dimension"]["w1_mean"], data["w1_low_dimension"]["w1_mean"]
    )


def test_missing_results_name_the_command(tmp_path):
    ctx = Context("quick", ResultStore(tmp_path), simulate=False, theory_points=11)
    with pytest.raises(MissingSimulationError, match="python -m paper_figures figure4"):
        fig4.data(ctx)


def test_draw_has_three_panels(tables):
    data, _ = tables
    figure = fig4.draw(data)
    assert len(figure.axes) == 3
    assert "KL" in figure.axes[0].get_title()


def test_caption_names_the_colours_drawn(tables):
    """The caption's colour words are the names of the colours the curves are drawn in (the
    style's cycle: blue and pink; an earlier caption said orange)."""
    data, _ = tables
    with matplotlib.style.context(str(STYLE)):
        figure = fig4.draw(data)
    lines = {line.get_label(): to_hex(line.get_color()) for line in figure.axes[0].get_lines()}
    assert lines[r"$\mathcal{T}_{lt}$ (eq. 11)"] == fig4.LT_COLOUR
    assert lines[r"$\mathcal{T}_{ft}$ (eq. 15)"] == fig4.FT_COLOUR
    caption = fig4.FIGURE.caption
    assert f"(eq. 11, {colour_name(fig4.LT_COLOUR)})" in caption
    assert f"(eq. 15, {colour_name(fig4.FT_COLOUR)})" in caption
    assert "orange" not in caption
    for ax in figure.axes[1:]:  # the W₁ panels draw both in the same two colours
        drawn = {to_hex(c.get_color()) for c in ax.get_lines() if c.get_label()[0] != "_"}
        assert {fig4.LT_COLOUR, fig4.FT_COLOUR} <= drawn | _errorbar_colours(ax)


def _errorbar_colours(ax) -> set[str]:
    return {to_hex(c.lines[0].get_color()) for c in ax.containers if hasattr(c, "lines")}


def test_paper_size_panel_draws_points_with_bars_and_legends_stay_off_the_data(tables):
    """Panel (b): one point per θ with a horizontal bar ± std, for each transferability, and no
    bands; the legends of (b) and (c) lie below their axes."""
    data, _ = tables
    with matplotlib.style.context(str(STYLE)):
        figure = fig4.draw(data)
        FigureCanvasAgg(figure).draw()
    panel = figure.axes[1]
    bars = [c for c in panel.containers if c.has_xerr]
    assert len(bars) == 2
    for container in bars:
        (segments,) = container.lines[2]
        widths = [abs(s[1][0] - s[0][0]) for s in segments.get_segments()]
        assert np.allclose(np.array(widths) / 2, data["w1_paper_dimension"]["w1_std"])
    assert not [c for c in panel.collections if type(c).__name__ == "FillBetweenPolyCollection"]
    renderer = figure.canvas.get_renderer()
    for ax in figure.axes[1:]:
        legend = ax.get_legend().get_window_extent(renderer)
        assert legend.y1 <= ax.get_window_extent(renderer).y0


def test_provenance_describes_the_w1_estimates(tables):
    data, store = tables
    line = fig4.describe_grid(Context("quick", store), data)
    assert "d ∈ {500, 2}" in line and "n = 250" in line and "13 angles" in line
    assert "10 seeds" in line and "instances per cell" not in line and "γ ∈" not in line


def test_missing_results_say_what_they_cost(tmp_path):
    ctx = Context("quick", ResultStore(tmp_path), simulate=False, theory_points=11)
    with pytest.raises(MissingSimulationError) as missing:
        fig4.data(ctx)
    (cost,) = missing.value.costs.values()
    assert "2 × 140 exact optimal-transport problems between 250 and 250 points" in cost
    assert "no timing is stored" in cost and "cost: figure 4" in str(missing.value)
