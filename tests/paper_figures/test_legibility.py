"""What a reader sees (issue 18 §4): legends off the data, no "-0.0", numbers inside their cells,
titles that state σ, colour words that match the drawn colours, the finite-source residual beside
the bias a theory predicts."""

from __future__ import annotations

import math

import matplotlib.style
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from fate_numeric import theory
from paper_figures import fig2_fine_tuning, plots
from paper_figures.core import Table
from paper_figures.registry import select
from paper_figures.render import STYLE
from paper_figures.tables import pooled_residuals


def _drawn(name, ctx):
    """A figure's data at the tiny profile, drawn under the package style and laid out."""
    (figure,) = select([name])
    with matplotlib.style.context(str(STYLE)):
        tables = figure.data(ctx)
        drawn = figure.draw(tables)
        FigureCanvasAgg(drawn).draw()  # constrained layout places legends and colour bars here
    return tables, drawn


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _texts(figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text)]


# ---- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(-0.04, "0.0"), (-0.0, "0.0"), (0.04, "0.0"), (-0.06, "-0.1"), (1.25, "1.2"), (2.0, "2.0")],
)
def test_cell_text_never_writes_negative_zero(value, text):
    assert plots.cell_text(value) == text


def test_cell_text_marks_missing_values():
    assert plots.cell_text(math.nan) == plots.cell_text(math.inf) == "–"


def test_colour_names_follow_the_style_sheet():
    cycle = matplotlib.rc_params_from_file(str(STYLE), use_default_template=False)
    first, second = cycle["axes.prop_cycle"].by_key()["color"][:2]
    assert plots.style_colour(0) == "#" + first.lower().lstrip("#")
    assert plots.style_colour(1) == "#" + second.lower().lstrip("#")
    assert plots.colour_name(plots.style_colour(0)) == "blue"
    assert plots.colour_name(plots.style_colour(1)) == "pink"  # not orange: the authors' palette
    with pytest.raises(ValueError, match="not one of the style sheet's named colours"):
        plots.colour_name("#ff8800")


def test_figure2_theory_title_states_sigma():
    assert r"$\sigma$ = 0" in fig2_fine_tuning.FINE_TUNING.theory_title
    assert "σ = 0" in select(["figure2"])[0].caption.split("(b)")[0]


# ---- drawn figures ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", ["figure1", "figure2", "figure5", "finite-source-gs0.5"])
def test_legends_lie_outside_every_axes(ctx, name):
    """Every legend of the phase figures sits beside its panel, over no panel's data."""
    _, figure = _drawn(name, ctx)
    renderer = figure.canvas.get_renderer()
    legends = [ax.get_legend() for ax in figure.axes if ax.get_legend() is not None]
    assert legends
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in figure.axes:
            assert not _overlaps(box, ax.get_window_extent(renderer)), (name, ax.get_title())


@pytest.mark.slow
@pytest.mark.parametrize("name", ["figure1", "figure2", "finite-source-gs1.5"])
def test_no_text_reads_negative_zero_and_cell_numbers_stay_inside(ctx, name):
    tables, figure = _drawn(name, ctx)
    texts = _texts(figure)
    assert not {"-0.0", "−0.0"} & set(texts)
    renderer = figure.canvas.get_renderer()
    residual_axes = [ax for ax in figure.axes if ax.get_title().endswith(": residual")]
    assert residual_axes
    for ax in residual_axes:
        frame = ax.get_window_extent(renderer)
        numbers = [t for t in ax.texts if t.get_text()]
        assert numbers  # the tiny grid is small enough to write the residuals in the cells
        for text in numbers:
            box = text.get_window_extent(renderer)
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1, text.get_text()
            assert frame.y0 <= box.y0 and box.y1 <= frame.y1, text.get_text()
        # map ticks point outwards and not on the right, where they ran into the numbers
        assert not ax.yaxis.get_tick_params()["right"]
        assert ax.yaxis.get_tick_params()["direction"] == "out"
    experiment = next(t for key, t in tables.items() if key.endswith("_experiment"))
    if (experiment["converged"] == 0).any():  # × explained in the title, not by a legend
        maps = [ax for ax in figure.axes if "not converged" in ax.get_title()]
        assert maps and all(ax.get_legend() is None for ax in maps)


# ---- the finite-source residual against the predicted bias ------------------------------------


def _experiment(**columns) -> Table:
    base = {
        "theta": [0.1, 0.1, 0.1, 0.1, 0.5, 0.5],
        "n": [5, 10, 19, 30, 5, 10],
        "d": [20] * 6,
        "T_mean": [0.1, 0.3, 9.0, 9.0, -0.2, 0.0],
        "T_se": [0.03, 0.04, 0.1, 0.1, 0.05, math.nan],
        "expected": [0.0, 0.1, 0.0, 0.0, 0.0, 0.0],
        "residual_se": [1.0, 1.0, math.nan, 1.0, 1.0, math.nan],
        "expected_other": [0.5, 0.3, 7.0, 7.0, -1.0, -7.0],
    }
    return Table({**base, **columns})


def test_pooled_residuals_average_the_compared_cells_below_gamma_one():
    """Per θ: the mean of T_mean − expected and its standard error √(Σ SE²)/k over the cells
    with n < d − 1 and a residual (n = 19 = d − 1, n = 30 > d and a NaN residual are left out),
    and the mean of the other theory's expectation minus the row's over the same cells."""
    observed, predicted = pooled_residuals(_experiment(), ("other",))
    assert list(observed["theta"]) == [0.1, 0.5]
    assert list(observed["cells"]) == [2, 1]
    assert observed["residual"] == pytest.approx([0.15, -0.2])
    assert observed["residual_se"] == pytest.approx([math.hypot(0.03, 0.04) / 2, 0.05])
    assert list(predicted["curve"]) == ["other", "other"]
    assert predicted["value"] == pytest.approx([(0.5 + 0.2) / 2, -1.0])
    alone, none = pooled_residuals(_experiment())
    assert none is None and np.array_equal(alone["residual"], observed["residual"])


@pytest.mark.parametrize("ratio", [0.5, 1.5])
def test_finite_source_rows_carry_the_bias_the_other_theory_predicts(ctx, ratio):
    """The first row's predicted residual is eq. 22 with κ minus eq. 22, the second row's the
    reverse, cell by cell from the evaluators; the linear-transfer row has its band only."""
    (figure,) = select([f"finite-source-gs{ratio:g}"])
    tables = figure.data(ctx)
    ft = tables["ft_experiment"]
    below = np.isfinite(ft["residual_se"]) & (ft["n"] < ft["d"] - 1)
    n_source = round(ratio * ctx.grid.d)
    balanced = theory.ft_transferability_finite_source_balanced(
        ft["theta"], ft["n"] / ft["d"], n_source / ft["d"], 0.2, 0.2
    )
    assert np.allclose(ft["expected_balanced"], balanced, rtol=1e-12)
    predicted = tables["ft_bias_predicted"]
    for theta, value in zip(predicted["theta"], predicted["value"], strict=True):
        rows = below & (ft["theta"] == theta)
        assert value == pytest.approx(np.mean(balanced[rows] - ft["expected"][rows]), rel=1e-12)
    reverse = tables["ft_balanced_bias_predicted"]
    assert np.allclose(reverse["value"], -predicted["value"], rtol=1e-9, atol=1e-15)
    assert set(predicted["label"]) == {"if the networks follow eq. 22 with κ"}
    bias = tables["ft_bias"]
    assert np.allclose(bias["floor"], 1 / ctx.grid.d) and np.all(bias["floor_per_d"] == 1)
    assert np.allclose(tables["lt_bias"]["floor"], 3 / ctx.grid.d)
    assert "lt_bias_predicted" not in tables
    assert "Fourth column" in figure.caption and "one sign" in figure.caption
