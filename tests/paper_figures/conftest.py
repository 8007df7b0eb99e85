"""A tiny profile and a store filled once per session, shared by the figure tests."""

from __future__ import annotations

import pytest
import torch

from fate_numeric import sweeps
from fate_numeric.store import ResultStore
from paper_figures.core import Context

# Holds every angle of the slices (π/8, π/4, 3π/8) and the ridge figure's cell (γ = 0.5, θ = π/8),
# the singular n = d and one n > d.
TINY = sweeps.Profile(
    "quick", d=20, instances=8, gammas=(0.5, 1.0, 1.5), theta_fractions=(0.25, 0.5, 0.75)
)
THEORY_POINTS = 40


# Package scope: the tiny profile replaces the quick one only while this package's tests run (a
# session-wide patch leaked into later tests, which then saw 30 quick scratch cells, not 60).
@pytest.fixture(scope="package")
def tiny_profile():
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sweeps.PROFILES, "quick", TINY)
        yield TINY


@pytest.fixture(scope="package")
def filled_store(tiny_profile, tmp_path_factory) -> ResultStore:
    """A store with every named sweep of the tiny profile (simulated once, about 30 s)."""
    store = ResultStore(tmp_path_factory.mktemp("figure-store"))
    for name in sweeps.SWEEPS:
        sweeps.run_sweep(sweeps.cells_of(name, "quick"), store, torch.device("cpu"))
    return store


@pytest.fixture(scope="package")
def make_context(filled_store):
    """Contexts on the filled tiny store (coarse theory grids for speed)."""

    def make(simulate: bool = False) -> Context:
        return Context("quick", filled_store, simulate=simulate, theory_points=THEORY_POINTS)

    return make


@pytest.fixture
def ctx(make_context) -> Context:
    return make_context()
