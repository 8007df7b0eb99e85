"""The Table: CSV round trip, long-form grids, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from paper_figures.core import FigureError, Table, midpoints
from paper_figures.plots import angle_label


def test_csv_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(0)
    table = Table(
        x=rng.normal(size=50) * 1e-7,
        y=rng.normal(size=50) * 1e9,
        flag=rng.integers(0, 2, 50).astype(bool),
        label=np.array(["a b"] * 50),
        special=np.array([np.inf, -np.inf, np.nan] + [1.0] * 47),
    )
    path = tmp_path / "t.csv"
    table.write_csv(path)
    back = Table.read_csv(path)
    assert list(back.columns) == list(table.columns)
    for name in ("x", "y", "flag"):
        assert np.array_equal(back[name], table[name]), name
    assert np.array_equal(back["special"], table["special"], equal_nan=True)
    assert list(back["label"]) == ["a b"] * 50


def test_grid_inverts_from_grid():
    xs, ys = np.array([0.1, 0.2, 0.3]), np.array([1.0, 2.0])
    values = np.arange(6.0).reshape(2, 3)
    table = Table.from_grid("theta", xs, "gamma", ys, value=values)
    gx, gy, back = table.grid("theta", "gamma", "value")
    assert np.array_equal(gx, xs) and np.array_equal(gy, ys) and np.array_equal(back, values)
    partial = table.where(table["value"] != 4.0)
    assert np.isnan(partial.grid("theta", "gamma", "value")[2][1, 1])


@pytest.mark.parametrize(
    "columns",
    [{}, {"a": [1, 2], "b": [1]}, {"a,b": [1]}, {"a": 3.0}, {"a": np.array(["x,y"])}],
)
def test_bad_tables_are_refused(columns):
    with pytest.raises(FigureError):
        Table(columns)


def test_unknown_column_names_the_known_ones():
    with pytest.raises(FigureError, match="has a, b"):
        Table(a=[1], b=[2])["c"]


def test_midpoints_avoid_the_ends_and_gamma_one():
    gammas = midpoints(0.0, 2.0, 400)
    assert gammas.min() > 0 and gammas.max() < 2 and not np.any(gammas == 1.0)
    assert np.allclose(np.diff(gammas), 2.0 / 400)


def test_angle_labels():
    assert angle_label(0.0) == "0"
    assert angle_label(np.pi / 8) == r"$\pi/8$"
    assert angle_label(3 * np.pi / 8) == r"$3\pi/8$"
    assert angle_label(np.pi / 2) == r"$\pi/2$"
    assert angle_label(0.3) == "0.300"
