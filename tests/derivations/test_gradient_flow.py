"""Tests of :mod:`derivations.gradient_flow`.

Besides the structure of the records, every derived statement is checked against an independent
oracle written here with numpy/scipy: the gradient-flow equations of deep linear networks
(themselves checked against central finite differences of the loss), integrated with a
high-order adaptive solver or with plain gradient descent (explicit Euler), from random starts
drawn with ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

from derivations import gradient_flow
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import a0, t

NAMES = (
    "gf_conservation_L2",
    "gf_conservation_L3",
    "pretrain_ode",
    "pretrain_coefficient",
    "pretrain_limit",
    "feature_singular_value",
    "scratch_row_space",
)
REFERENCES = {
    "gf_conservation_L2": "eq. 36",
    "gf_conservation_L3": "eq. 36",
    "pretrain_ode": "Lemma 3.3",
    "pretrain_coefficient": "Lemma 3.3",
    "pretrain_limit": "Lemma 3.3",
    "feature_singular_value": "Thm 3.4",
    "scratch_row_space": "Thm 3.5",
}
# Tolerance of the adaptive solver: DOP853 at rtol = 1e-11, atol = 1e-13 on these smooth,
# O(1)-Lipschitz systems over t ≤ 5 keeps the global error near 1e-10; 1e-8 leaves a margin.
ODE_TOL = 1e-8


@pytest.fixture(scope="module")
def records() -> dict[str, DerivedResult]:
    return {r.name: r for r in gradient_flow.results()}


@pytest.fixture(scope="module")
def pretrain_coefficient(records):
    return sp.lambdify((t, a0), records["pretrain_coefficient"].expr, "numpy")


# --- independent numerical model of the deep linear network ------------------------------------


def _chain(mats: list[np.ndarray], size: int) -> np.ndarray:
    out = np.eye(size)
    for m in mats:
        out = out @ m
    return out


def end_to_end(weights: list[np.ndarray]) -> np.ndarray:
    return _chain(weights, weights[0].shape[0])


def velocities(weights: list[np.ndarray], r: np.ndarray) -> list[np.ndarray]:
    """Ẇ_l = −(W_1⋯W_{l−1})ᵀ r (W_{l+1}⋯W_L)ᵀ for the residual r = ∇_β̂ℒ (a d×1 column)."""
    d = weights[0].shape[0]
    return [
        -_chain(weights[:i], d).T @ r @ _chain(weights[i + 1 :], w.shape[1]).T
        for i, w in enumerate(weights)
    ]


def imbalances(weights: list[np.ndarray]) -> list[np.ndarray]:
    return [
        weights[i].T @ weights[i] - weights[i + 1] @ weights[i + 1].T
        for i in range(len(weights) - 1)
    ]


def population_residual(beta_s: np.ndarray):
    return lambda beta: 2.0 * (beta - beta_s)  # ∇ of ‖β − β_s‖², the authors' normalisation


def nonquadratic_loss(target: np.ndarray):
    """g(β) = Σ log cosh(β − b) + ‖β − b‖⁴/40 and its gradient: a generic, non-quadratic loss."""

    def loss(beta):
        e = beta - target
        return float(np.sum(np.log(np.cosh(e))) + 0.025 * np.sum(e**2) ** 2)

    def residual(beta):
        e = beta - target
        return np.tanh(e) + 0.1 * np.sum(e**2) * e

    return loss, residual


def shapes(depth: int, d: int) -> list[tuple[int, int]]:
    return [(d, d)] * (depth - 1) + [(d, 1)]


def pack(weights: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([w.ravel() for w in weights])


def unpack(flat: np.ndarray, depth: int, d: int) -> list[np.ndarray]:
    out, start = [], 0
    for shape in shapes(depth, d):
        size = shape[0] * shape[1]
        out.append(flat[start : start + size].reshape(shape))
        start += size
    return out


def integrate(weights, residual, times, depth):
    """Gradient flow by DOP853; returns the weights at each of ``times``."""
    d = weights[0].shape[0]

    def rhs(_, flat):
        ws = unpack(flat, depth, d)
        return pack(velocities(ws, residual(end_to_end(ws))))

    sol = solve_ivp(
        rhs, (0.0, times[-1]), pack(weights), method="DOP853", t_eval=times, rtol=1e-11, atol=1e-13
    )
    assert sol.success, sol.message
    return [unpack(sol.y[:, k], depth, d) for k in range(len(times))]


def gradient_descent(weights, residual, step, n_steps):
    ws = [w.copy() for w in weights]
    for _ in range(n_steps):
        vel = velocities(ws, residual(end_to_end(ws)))
        ws = [w + step * v for w, v in zip(ws, vel, strict=True)]
    return ws


def unit(rng, d):
    x = rng.standard_normal((d, 1))
    return x / np.linalg.norm(x)


def balanced_rank_one(rng, d, a_start):
    """W_1 = w β_s vᵀ, W_2 = w v with w² = a_start, random unit β_s and v."""
    beta_s, v = unit(rng, d), unit(rng, d)
    w = np.sqrt(a_start)
    return beta_s, [w * beta_s @ v.T, w * v]


# --- structure of the records -------------------------------------------------------------------


def test_every_record_exists_with_steps(records):
    assert tuple(records) == NAMES
    for name, record in records.items():
        assert record.regime is Regime.EXACT
        assert REFERENCES[name] in record.reference
        assert record.printed is None
        assert record.steps and all(isinstance(s, Step) for s in record.steps)
        assert all(isinstance(s.expr, sp.Basic) and s.why.strip() for s in record.steps)
        assert record.title and record.assumptions


def test_builders_are_cached():
    assert gradient_flow.pretrain_coefficient() is gradient_flow.pretrain_coefficient()
    assert gradient_flow.results()[1] is gradient_flow.conservation(3)


# --- eq. 36: conservation law -------------------------------------------------------------------


def test_conservation_derivative_is_the_zero_matrix(records):
    l2 = records["gf_conservation_L2"].expr
    assert isinstance(l2, sp.ImmutableMatrix) and l2.shape == (3, 3) and l2.is_zero_matrix
    l3 = records["gf_conservation_L3"].expr
    assert len(l3) == 2
    assert all(m.shape == (3, 3) and m.is_zero_matrix for m in l3)


def test_oracle_velocities_are_minus_the_gradient():
    """Central finite differences of a non-quadratic loss confirm the oracle's flow equations."""
    rng = np.random.default_rng(1)
    depth, d = 3, 4
    weights = [0.7 * rng.standard_normal(s) for s in shapes(depth, d)]
    loss, residual = nonquadratic_loss(rng.standard_normal((d, 1)))
    analytic = velocities(weights, residual(end_to_end(weights)))
    h = 1e-6
    for i, w in enumerate(weights):
        numeric = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            plus = [x.copy() for x in weights]
            minus = [x.copy() for x in weights]
            plus[i][idx] += h
            minus[i][idx] -= h
            numeric[idx] = -(loss(end_to_end(plus)) - loss(end_to_end(minus))) / (2 * h)
        np.testing.assert_allclose(analytic[i], numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("depth", [2, 3])
def test_symbolic_flow_equations_agree_with_the_oracle(depth):
    flow = gradient_flow.flow_equations(depth)
    entries = [x for layer in flow.weights for x in layer] + list(flow.residual)
    rng = np.random.default_rng(depth)
    values = rng.standard_normal(len(entries))
    numeric = dict(zip(entries, values, strict=True))
    weights = [np.array(layer.xreplace(numeric), dtype=float) for layer in flow.weights]
    r = np.array(flow.residual.xreplace(numeric), dtype=float)
    for symbolic, oracle in zip(flow.velocities, velocities(weights, r), strict=True):
        np.testing.assert_allclose(np.array(symbolic.xreplace(numeric), dtype=float), oracle)


def test_imbalances_are_conserved_along_gradient_descent():
    """Euler (gradient descent) from an unbalanced random start: D_l drifts by O(step).

    Gradient descent changes D_l by O(step²) per step, O(step) over a fixed time, so halving the
    step halves the drift (ratio 2 + O(step)); the exact flow conserves D_l to solver accuracy.
    """
    rng = np.random.default_rng(7)
    depth, d, horizon = 3, 4, 1.0
    weights = [0.5 * rng.standard_normal(s) for s in shapes(depth, d)]
    _, residual = nonquadratic_loss(rng.standard_normal((d, 1)))
    start = imbalances(weights)
    drifts = []
    for step in (1e-3, 5e-4):
        end = gradient_descent(weights, residual, step, round(horizon / step))
        drifts.append(max(np.abs(a - b).max() for a, b in zip(imbalances(end), start, strict=True)))
        # the flow really moves the Gram matrices: conservation is not trivial
        moved = max(np.abs(e.T @ e - w.T @ w).max() for e, w in zip(end, weights, strict=True))
        assert moved > 0.1
    assert drifts[1] < 1e-2
    assert 1.8 < drifts[0] / drifts[1] < 2.2  # first order in the step: zero for the flow

    # the exact flow (adaptive solver) conserves D_l to solver accuracy
    (final,) = integrate(weights, residual, [horizon], depth)
    for a, b in zip(imbalances(final), start, strict=True):
        np.testing.assert_allclose(a, b, atol=ODE_TOL)

    # negative control: a flow that is not a gradient flow breaks the conservation at O(1)
    def wrong(ws):
        vel = velocities(ws, residual(end_to_end(ws)))
        return [vel[0], vel[1], -vel[2]]

    ws = [w.copy() for w in weights]
    for _ in range(1000):
        ws = [w + 1e-3 * v for w, v in zip(ws, wrong(ws), strict=True)]
    broken = max(np.abs(a - b).max() for a, b in zip(imbalances(ws), start, strict=True))
    assert broken > 20 * drifts[1]


# --- Lemma 3.3: population pretraining ----------------------------------------------------------


def test_pretrain_ode_is_logistic(records):
    ode = records["pretrain_ode"].expr
    a = ode.lhs.expr
    assert sp.expand(ode.rhs - 4 * a * (1 - a)) == 0


def test_pretrain_coefficient_solves_the_ode(records):
    record = records["pretrain_coefficient"]
    a = record.expr
    assert record.variables == (t, a0)
    assert a.free_symbols == {t, a0}
    assert sp.simplify(sp.diff(a, t) - 4 * a * (1 - a)) == 0
    assert sp.simplify(a.subs(t, 0) - a0) == 0


@pytest.mark.parametrize("a_start", [1e-3, 0.25, 1.7])
def test_pretrain_coefficient_matches_the_matrix_gradient_flow(a_start, pretrain_coefficient):
    """Independent oracle: integrate the full 5×5 + 5×1 flow and read a = β_sᵀW_1W_2."""
    rng = np.random.default_rng(11)
    d = 5
    beta_s, weights = balanced_rank_one(rng, d, a_start)
    times = np.array([0.0, 0.1, 0.5, 1.0, 2.0, 4.0])
    states = integrate(weights, population_residual(beta_s), times, 2)
    for time, ws in zip(times, states, strict=True):
        beta_hat = end_to_end(ws)
        a_num = (beta_s.T @ beta_hat).item()
        assert abs(a_num - pretrain_coefficient(time, a_start)) < ODE_TOL
        # β̂ stays along β_s and W_1 stays rank one: the ansatz is invariant
        assert np.linalg.norm(beta_hat - a_num * beta_s) < ODE_TOL
        assert np.linalg.svd(ws[0], compute_uv=False)[1] < ODE_TOL


def test_gradient_descent_approaches_the_closed_form_at_first_order(pretrain_coefficient):
    """t = learning rate × steps: the error of gradient descent is O(learning rate)."""
    rng = np.random.default_rng(3)
    beta_s, weights = balanced_rank_one(rng, 5, 0.05)
    exact = pretrain_coefficient(1.0, 0.05)
    errors = []
    for step in (1e-2, 5e-3):
        ws = gradient_descent(weights, population_residual(beta_s), step, round(1.0 / step))
        errors.append(abs((beta_s.T @ end_to_end(ws)).item() - exact))
    assert errors[1] < 2e-2
    assert 1.7 < errors[0] / errors[1] < 2.3


def test_pretrain_limits(records, pretrain_coefficient):
    assert records["pretrain_limit"].expr == 1
    step_values = [s.expr for s in records["pretrain_limit"].steps]
    assert sp.Integer(0) in step_values and sp.oo in step_values
    assert abs(pretrain_coefficient(10.0, 1e-3) - 1) < 1e-10
    assert pretrain_coefficient(0.5, 1e-12) < 1e-10
    assert pretrain_coefficient(np.array([0.0, 1e3]), 0.3).tolist() == pytest.approx([0.3, 1.0])


# --- Thm 3.4: rank-one features with singular value 1 -------------------------------------------


@pytest.mark.parametrize(("depth", "alpha", "horizon"), [(2, 1e-3, 12.0), (3, 3e-2, 40.0)])
def test_pretrained_layers_have_one_unit_singular_value(records, depth, alpha, horizon):
    """Population pretraining from a small random (unbalanced) start, the authors' init.

    Bounds from the conserved imbalances D_l(0) = O(α²) (eq. 36), with δ = Σ_l ‖D_l(0)‖₂: Weyl's
    inequality on W_lᵀW_l = W_{l+1}W_{l+1}ᵀ + D_l gives σ_2(W_l)² ≤ δ; first-order perturbation of
    the balanced end point gives |σ_1(W_l) − 1| ≈ |vᵀDv|/4 ≤ δ.
    """
    assert records["feature_singular_value"].expr == 1
    rng = np.random.default_rng(5)
    d = 6
    beta_s = unit(rng, d)
    weights = [alpha * rng.standard_normal((d, d)) / np.sqrt(d) for _ in range(depth - 1)]
    weights.append(alpha * rng.standard_normal((d, 1)))
    delta = sum(np.linalg.norm(m, 2) for m in imbalances(weights))
    (final,) = integrate(weights, population_residual(beta_s), [horizon], depth)
    np.testing.assert_allclose(end_to_end(final), beta_s, atol=1e-6)
    for layer in final:
        singular = np.linalg.svd(layer, compute_uv=False)
        assert abs(singular[0] - 1) < delta
        assert np.all(singular[1:] < 1.01 * np.sqrt(delta))
    u, singular, _ = np.linalg.svd(end_to_end(final[:-1]))
    assert abs(singular[0] - 1) < (depth - 1) * delta
    assert abs(abs(u[:, 0] @ beta_s.ravel()) - 1) < 1e-6


# --- Thm 3.5: scratch training ------------------------------------------------------------------


def test_scratch_gradient_lies_in_row_space(records):
    expr = records["scratch_row_space"].expr
    assert expr.shape == (3, 1) and expr.is_zero_matrix


def _regression(rng, n=3, d=6):
    x = rng.standard_normal((n, d))
    y = rng.standard_normal((n, 1))
    null = np.eye(d) - np.linalg.pinv(x) @ x
    return x, y, null, (lambda beta: 2.0 / n * x.T @ (x @ beta - y))


def test_linear_flow_end_point_is_min_norm_plus_frozen_null_part():
    rng = np.random.default_rng(13)
    x, y, null, residual = _regression(rng)
    beta0 = rng.standard_normal((x.shape[1], 1))
    sol = solve_ivp(
        lambda _, b: -residual(b[:, None]).ravel(),
        (0.0, 200.0),
        beta0.ravel(),
        method="DOP853",
        rtol=1e-11,
        atol=1e-13,
    )
    end = sol.y[:, -1:]
    np.testing.assert_allclose(null @ end, null @ beta0, atol=ODE_TOL)
    np.testing.assert_allclose(end, np.linalg.pinv(x) @ y + null @ beta0, atol=1e-6)


def test_two_layer_balanced_flow_conserves_null_part_of_u():
    """On W_1 = u vᵀ, W_2 = c v (c = ‖u‖): (I − P)u is conserved, (I − P)β̂ = c (I − P)u(0)."""
    rng = np.random.default_rng(17)
    x, y, null, residual = _regression(rng)
    d = x.shape[1]
    u0, v = 0.3 * rng.standard_normal((d, 1)), unit(rng, d)
    weights = [u0 @ v.T, np.linalg.norm(u0) * v]
    states = integrate(weights, residual, np.array([1.0, 60.0]), 2)
    for ws in states:
        u, c = ws[0] @ v, (v.T @ ws[1]).item()
        np.testing.assert_allclose(null @ u, null @ u0, atol=ODE_TOL)
        np.testing.assert_allclose(c**2, (u.T @ u).item(), atol=ODE_TOL)
        np.testing.assert_allclose(null @ end_to_end(ws), c * null @ u0, atol=ODE_TOL)
    np.testing.assert_allclose(x @ end_to_end(states[-1]), y, atol=1e-6)  # interpolates


def test_small_initialisation_scratch_end_point_is_pinv_solution():
    rng = np.random.default_rng(19)
    x, y, _, residual = _regression(rng)
    d, alpha = x.shape[1], 1e-4
    weights = [
        alpha * rng.standard_normal((d, d)) / np.sqrt(d),
        alpha * rng.standard_normal((d, 1)),
    ]
    (final,) = integrate(weights, residual, [150.0], 2)
    # on the balanced manifold the null-space part grows from O(α²) to O(α) (see the record's
    # notes), so the end point is X⁺y up to O(α)
    np.testing.assert_allclose(end_to_end(final), np.linalg.pinv(x) @ y, atol=10 * alpha)
