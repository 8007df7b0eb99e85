"""Statistical checks: tolerance from standard errors, inequalities, the population-SD guard."""

from __future__ import annotations

import numpy as np
import pytest

from verify.model import Outcome, tier_outcome
from verify.stats import K, difference_check, mean_check, pooled_check


def test_tolerance_is_k_standard_errors_plus_floor():
    samples = np.array([1.0, 2.0, 3.0, 4.0])
    check = mean_check("x", samples, 2.5, floor=0.1)
    se = samples.std(ddof=1) / 2
    assert check.tolerance == K * se + 0.1 and check.passed


def test_inequalities_are_kept_by_both_checks():
    high, low = np.array([10.0, 10.1, 9.9]), np.array([1.0, 1.1, 0.9])
    assert difference_check("d", high, low, 0.0, relation=">").passed
    assert not difference_check("d", low, high, 0.0, relation=">").passed
    assert mean_check("m", low, 5.0, relation="<").passed
    assert not mean_check("m", high, 5.0, relation="<").passed


def test_population_sd_widens_a_too_narrow_sample():
    lucky = np.array([0.50, 0.501, 0.502, 0.503])  # a skewed sample missing its tail
    narrow = mean_check("m", lucky, 0.52)
    guarded = mean_check("m", lucky, 0.52, population_sd=0.05)
    assert not narrow.passed and guarded.passed
    assert guarded.standard_error == 0.05 / 2


def test_an_erratum_check_that_passes_fails_its_tier():
    samples = np.array([0.0, 0.1, -0.1])
    confirmed = mean_check("e", samples + 1, 0.0, expect_deviation=True)
    unconfirmed = mean_check("e", samples, 0.0, expect_deviation=True)
    assert tier_outcome([confirmed]) is Outcome.EXPECTED_DEVIATION
    assert tier_outcome([unconfirmed]) is Outcome.FAIL


def test_pooled_check_resolves_a_common_deviation_no_single_cell_does():
    rng = np.random.default_rng(0)
    cells = [0.3 + 0.05 * rng.standard_normal(20) for _ in range(16)]
    offsets = [float(np.mean(c)) - 0.3 for c in cells]
    single = [mean_check("c", c, 0.3 - 0.02) for c in cells]  # each cell: 0.02 is ~2 SE
    assert all(check.passed for check in single)
    pooled = pooled_check("p", cells, [0.3 - 0.02] * 16)
    errors = [c.std(ddof=1) / np.sqrt(20) for c in cells]
    assert pooled.measured == pytest.approx(np.mean(offsets) + 0.02)
    assert pooled.standard_error == pytest.approx(np.sqrt(np.sum(np.square(errors))) / 16)
    assert pooled.predicted == 0.0 and not pooled.passed  # 0.02 is ~8 pooled SE
    assert pooled_check("p", cells, [0.3] * 16).passed


def test_pooled_check_refuses_mismatched_inputs():
    with pytest.raises(ValueError):
        pooled_check("p", [np.ones(3)], [])
