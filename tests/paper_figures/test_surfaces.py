"""The 3D surfaces are drawn with faces of one shape (no ragged faces for matplotlib to pad)."""

from __future__ import annotations

import numpy as np
import pytest

from fate_numeric.store import ResultStore
from paper_figures import surfaces
from paper_figures.core import Context
from paper_figures.plots import TRANSFER_CMAP


@pytest.mark.parametrize("points", [2, 7, 50, 51, 199, 200, 201])
def test_facet_lines_keep_both_ends_and_increase(points):
    lines = surfaces.facet_lines(points)
    assert lines[0] == 0 and lines[-1] == points - 1
    assert np.all(np.diff(lines) > 0)
    assert lines.size == min(points, surfaces.FACETS + 1)


def test_every_drawn_face_is_a_quadrilateral(tmp_path):
    """At the notebook's 200 × 200 grid matplotlib's own stride (4) leaves ragged edge faces whose
    padding is uninitialised memory (it overflowed in CI); drawn through ``facet_lines`` none is."""
    ctx = Context("quick", ResultStore(tmp_path), theory_points=surfaces.MAX_POINTS)
    figure = surfaces.draw(surfaces.data(ctx))
    figure.savefig(tmp_path / "surfaces.png")
    for ax in [ax for ax in figure.axes if ax.name == "3d"]:
        (collection,) = ax.collections
        # matplotlib keeps the faces of a Poly3DCollection as one array and marks the padding
        assert not np.any(getattr(collection, "_invalid_vertices", False))
        paths = collection.get_paths()
        assert len(paths) == surfaces.FACETS**2
        assert {len(path.vertices) for path in paths} == {len(paths[0].vertices)}


def test_surfaces_have_a_colour_map_a_colour_bar_and_an_upright_label(tmp_path):
    """Colour gives T as the phase diagrams do (blue > 0, red < 0) with a colour bar saying so;
    the z label 𝒯 is not rotated (rotated it reads like ⊥)."""
    ctx = Context("quick", ResultStore(tmp_path), theory_points=20)
    figure = surfaces.draw(surfaces.data(ctx))
    surfaces_axes = [ax for ax in figure.axes if ax.name == "3d"]
    bars = [ax for ax in figure.axes if ax.name != "3d"]
    assert len(surfaces_axes) == 3 and len(bars) == 1
    assert "transferability" in bars[0].get_ylabel()
    for ax in surfaces_axes:
        (collection,) = ax.collections
        assert collection.get_cmap() is TRANSFER_CMAP
        assert collection.norm.vmin == -1 and collection.norm.vmax == 1
        colours = collection.get_facecolor()
        assert len(np.unique(np.round(colours[:, :3], 3), axis=0)) > 10  # mapped, not one colour
        assert ax.zaxis.get_rotate_label(ax.get_zlabel()) is False
        assert ax.zaxis.label.get_rotation() == 0 and ax.get_zlabel() == r"$\mathcal{T}$"
