"""The 3D surfaces are drawn with faces of one shape (no ragged faces for matplotlib to pad)."""

from __future__ import annotations

import numpy as np
import pytest

from fate_numeric.store import ResultStore
from paper_figures import surfaces
from paper_figures.core import Context


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
    for ax in figure.axes:
        (collection,) = ax.collections
        # matplotlib keeps the faces of a Poly3DCollection as one array and marks the padding
        assert not np.any(getattr(collection, "_invalid_vertices", False))
        paths = collection.get_paths()
        assert len(paths) == surfaces.FACETS**2
        assert {len(path.vertices) for path in paths} == {len(paths[0].vertices)}
