"""gram_descent: the derived step coefficients against one numeric gradient step (oracle)."""

from __future__ import annotations

import numpy as np
import pytest

from derivations.registry import get
from fate_numeric.gram import step_coefficients


@pytest.mark.parametrize("decay", [0.0, 0.03])
def test_step_coefficients_reproduce_a_numeric_step(seed, decay):
    rng = np.random.default_rng(seed)
    d, eta = 7, 0.13
    first = rng.standard_normal((d, d))
    readout = rng.standard_normal(d)
    g = rng.standard_normal(d)  # any gradient in β̂
    # the oracle: one SGD step with weight decay of the two layers, written out independently
    new_first = first - eta * (np.outer(g, readout) + decay * first)
    new_readout = readout - eta * (first.T @ g + decay * readout)
    gram, beta, s = first @ first.T, first @ readout, readout @ readout
    a_beta, b, c, a_k, dd, e, a_s, f, g0 = step_coefficients()(eta, decay, s, beta @ g)
    u = dd * beta + e * g
    np.testing.assert_allclose(a_beta * beta + b * gram @ g + c * g, new_first @ new_readout)
    np.testing.assert_allclose(
        a_k * gram + np.outer(u, g) + np.outer(g, u), new_first @ new_first.T, atol=1e-12
    )
    np.testing.assert_allclose(
        a_s * s + f * (beta @ g) + g0 * g @ gram @ g, new_readout @ new_readout
    )


def test_refit_record_states_the_system_through_k():
    system, rhs = get("gram_refit").expr
    names = {str(symbol) for symbol in system.free_symbols | rhs.free_symbols}
    assert not any(name.startswith("W_") for name in names)  # W_1 enters only through K
    assert {"K_11", "K_12", "K_22", "S_11", "lambda"} <= names
