"""The ReLU scratch power law and the predicted boundary (Sec. 4, Fig. 3e; docs/paper.md §5.4).

Oracles typed in: A n^(−ν) and n* = (A/‖P⊥f_t‖²)^(1/ν), the boundary where the two meet.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from derivations import relu_boundary
from derivations.record import Regime
from derivations.symbols import amplitude, exponent, n, out_of_span
from fate_numeric import relu_analysis, theory


def test_records_names_variables_and_regimes():
    records = {r.name: r for r in relu_boundary.results()}
    assert tuple(records) == ("relu_scratch_power_law", "relu_transfer_boundary")
    assert records["relu_scratch_power_law"].variables == (n, amplitude, exponent)
    assert records["relu_transfer_boundary"].variables == (amplitude, exponent, out_of_span)
    assert all(r.regime is Regime.APPROXIMATE for r in records.values())


@pytest.mark.parametrize(("a", "nu"), [(2.0, 1.18), (0.3, 0.5), (7.5, 2.2)])
def test_power_law_oracle(a, nu):
    sizes = np.array([1.0, 25.0, 400.0, 3200.0])
    assert theory.relu_scratch_power_law(sizes, a, nu) == pytest.approx(a * sizes**-nu, rel=1e-12)


@pytest.mark.parametrize(
    ("a", "nu", "floor"), [(2.0, 1.0, 0.01), (0.8, 1.18, 0.03), (5.0, 2.5, 1.7)]
)
def test_boundary_oracle_and_sign(a, nu, floor):
    boundary = theory.relu_transfer_boundary(a, nu, floor)
    assert boundary == pytest.approx((a / floor) ** (1 / nu), rel=1e-12)
    # the power law meets the floor there; transfer is positive below n*, negative above
    assert theory.relu_scratch_power_law(boundary, a, nu) == pytest.approx(floor, rel=1e-12)
    assert theory.relu_scratch_power_law(boundary / 2, a, nu) > floor
    assert theory.relu_scratch_power_law(2 * boundary, a, nu) < floor


def test_boundary_without_a_floor_is_infinite():
    assert math.isinf(theory.relu_transfer_boundary(2.0, 1.18, 0.0))
    values = theory.relu_transfer_boundary(2.0, 1.0, np.array([0.0, 0.5, 2.0]))
    assert math.isinf(values[0]) and values[1:] == pytest.approx([4.0, 1.0], rel=1e-12)


def test_the_analysis_uses_the_evaluators():
    fit = relu_analysis.PowerLaw(3.0, 1.3, (2.0, 4.0), (1.2, 1.4), 0.99, 0.95)
    assert fit(10.0) == pytest.approx(3.0 * 10.0**-1.3, rel=1e-12)
    assert relu_analysis.predicted_boundary(3.0, 1.3, 0.1) == pytest.approx(30 ** (1 / 1.3))
