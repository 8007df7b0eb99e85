"""fate_numeric.statistics against numbers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from derivations.errors import InvalidArgumentError
from fate_numeric import statistics


def test_standard_error_of_a_mean() -> None:
    # 1, 2, 3, 4: mean 2.5, sample variance 5/3, SE √(5/3)/2
    assert statistics.standard_error([1.0, 2.0, 3.0, 4.0]) == pytest.approx(math.sqrt(5 / 3) / 2)
    assert statistics.mean_and_standard_error([1.0, 2.0, 3.0, 4.0]) == pytest.approx(
        (2.5, math.sqrt(5 / 3) / 2)
    )
    rows = np.array([[1.0, 3.0], [2.0, 2.0]])  # per row: SE |a − b|/2
    np.testing.assert_allclose(statistics.standard_error(rows, axis=1), [1.0, 0.0])


def test_paired_difference_uses_the_differences() -> None:
    first, second = np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.0, 2.0])
    mean, se = statistics.paired_difference(first, second)
    # differences 0.5, 1, 1: mean 5/6, sample variance 1/12, SE √(1/36)
    assert mean == pytest.approx(5 / 6) and se == pytest.approx(1 / 6)
    shifted = statistics.paired_difference(first + 10.0, first)  # a constant shift: no spread
    assert shifted == pytest.approx((10.0, 0.0))


@pytest.mark.parametrize("bad", [[1.0], [[1.0, 2.0]], [1.0, math.inf], [math.nan, 1.0]])
def test_refuses_what_has_no_standard_error(bad) -> None:
    with pytest.raises(InvalidArgumentError):
        statistics.mean_and_standard_error(bad)


def test_the_thresholds_are_those_verify_and_the_figures_read() -> None:
    from paper_figures import tables
    from verify.claims import linear

    assert tables.CONVERGED_LOSS is linear.CONVERGED_LOSS is statistics.CONVERGED_LOSS
    assert tables.RESIDUAL_FLOOR is linear.RESIDUAL_FLOOR is statistics.RESIDUAL_FLOOR
