"""The numbers behind the figures: theory tables against independent oracles (the paper's formulas
typed here, docs/paper.md §3, §8) and the evaluators, experiment tables against the stored
simulations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fate_numeric import theory
from fate_numeric.sweeps import cells_of
from paper_figures.registry import select
from paper_figures.tables import CONVERGED_LOSS, RESIDUAL_FLOOR

# ---- independent oracles (hand-typed from docs/paper.md §3; allowed in tests only) -----------


def eq8(gamma, sigma):
    gamma = np.asarray(gamma, float)
    with np.errstate(divide="ignore"):
        return np.where(
            gamma < 1, (1 - gamma) + gamma * sigma**2 / (1 - gamma), sigma**2 / (gamma - 1)
        )


def scratch_exact(n, d, sigma):
    if n < d - 1:
        return 1 - n / d + sigma**2 * n / (d - n - 1)
    if n > d + 1:
        return sigma**2 * d / (n - d - 1)
    return math.inf if sigma > 0 else max(0.0, 1 - n / d)


def eq10(theta, n, sigma):
    return math.sin(theta) ** 2 + (sigma**2 + math.sin(theta) ** 2) / (n - 2)


def eq15(theta, gamma):
    return np.where(np.asarray(gamma) < 1, (1 - gamma) * (2 * np.cos(theta) - 1), 0.0)


def balanced(theta, gamma, sigma):
    a = 1 - gamma
    b = gamma + gamma * sigma**2 / (1 - gamma)
    c = np.sqrt((a + np.sqrt(a * a + 4 * b)) / 2)
    return np.where(gamma < 1, (1 - gamma) * (2 * c * np.cos(theta) - c**2), 0.0)


def eq22(theta, gamma, gamma_s, sigma_s):
    if gamma_s < 1:
        bracket = gamma_s * (1 - 2 * np.cos(theta)) + sigma_s**2 * gamma_s / (1 - gamma_s)
    else:
        bracket = (1 - 2 * np.cos(theta)) + sigma_s**2 / (gamma_s - 1)
    return -np.maximum(1 - gamma, 0) * bracket


def lt_limit_finite_source(theta, gamma_s, sigma_s):
    if gamma_s < 1:
        kept = gamma_s * (1 - gamma_s) / ((1 - gamma_s) + sigma_s**2)
    else:
        kept = (gamma_s - 1) / (gamma_s - 1 + sigma_s**2)
    return 1 - np.cos(theta) ** 2 * kept


# ---- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def tables_of(ctx):
    made = {}

    def get(name):
        if name not in made:
            (figure,) = select([name])
            made[name] = figure.data(ctx)
        return made[name]

    return get


def stored(ctx, sweep):
    return [(c, ctx.store.load(c.config()).arrays) for c in cells_of(sweep, "quick")]


def away_from_one(table, column="gamma", margin=0.02):
    return table.where(np.abs(table[column] - 1) > margin)


# ---- theory tables ------------------------------------------------------------------------------


def test_figure1_theory_is_eq11(tables_of):
    tables = tables_of("figure1")
    grid = away_from_one(tables["lt_theory"])
    oracle = eq8(grid["gamma"], 0.2) - np.sin(grid["theta"]) ** 2
    assert np.allclose(grid["value"], oracle, rtol=1e-10, atol=1e-12)
    slices = away_from_one(tables["lt_slices"])
    assert set(np.round(slices["theta"] / np.pi, 12)) == {0.125, 0.25, 0.375}
    oracle = eq8(slices["gamma"], 0.2) - np.sin(slices["theta"]) ** 2
    assert np.allclose(slices["value"], oracle, rtol=1e-10, atol=1e-12)


def test_figure2_theory_is_eq15(tables_of):
    table = tables_of("figure2")["ft_theory"]
    assert np.allclose(table["value"], eq15(table["theta"], table["gamma"]), atol=1e-12)


def test_noisy_fine_tuning_draws_both_curves(tables_of):
    tables = tables_of("ft-noise-0.2")
    slices = tables["ft_slices"]
    below = slices["gamma"] < 0.98
    printed = slices.where((slices["curve"] == "eq. 15 as printed") & below)
    corrected = slices.where((slices["curve"] == "balanced scale c") & below)
    assert np.allclose(printed["value"], eq15(printed["theta"], printed["gamma"]), atol=1e-12)
    oracle = balanced(corrected["theta"], corrected["gamma"], 0.2)
    assert np.allclose(corrected["value"], oracle, rtol=1e-9, atol=1e-12)
    assert np.max(np.abs(corrected["value"] - printed["value"])) > 1e-3  # they differ at σ = 0.2
    grid = tables["ft_theory"].where(tables["ft_theory"]["gamma"] < 0.98)
    assert np.allclose(grid["value"], balanced(grid["theta"], grid["gamma"], 0.2), atol=1e-10)


@pytest.mark.parametrize("ratio", [0.5, 1.5])
def test_finite_source_theory(tables_of, ratio):
    tables = tables_of(f"finite-source-gs{ratio:g}")
    ft = tables["ft_theory"]
    assert np.allclose(ft["value"], eq22(ft["theta"], ft["gamma"], ratio, 0.2), atol=1e-12)
    lt = away_from_one(tables["lt_theory"])
    oracle = eq8(lt["gamma"], 0.2) - lt_limit_finite_source(lt["theta"], ratio, 0.2)
    assert np.allclose(lt["value"], oracle, rtol=1e-10, atol=1e-12)


def test_scratch_and_ridge_theory(tables_of):
    scratch = tables_of("scratch-risk")
    for sigma in (0.0, 0.2):
        curve = away_from_one(scratch[f"theory_sigma{sigma:g}"], margin=1e-9)
        assert np.allclose(curve["value"], eq8(curve["gamma"], sigma), rtol=1e-10, atol=1e-12)
    ridge = tables_of("ridge")["theory"]
    theta = math.pi / 8
    oracle = 1 - (1 + 2 * ridge["lam"]) * math.cos(theta) ** 2 / (1 + ridge["lam"]) ** 2
    assert np.allclose(ridge["value"], oracle, rtol=1e-12)
    assert ridge["value"][0] == pytest.approx(0.146447, abs=1e-6)  # docs/paper.md §8.1 oracle table


def test_surfaces_are_the_evaluators(tables_of):
    tables = tables_of("surfaces")
    lt = tables["lt_sigma0.2"]
    assert np.array_equal(lt["value"], theory.lt_transferability(lt["theta"], lt["gamma"], 0.2))
    ft = tables["ft"]
    assert np.array_equal(ft["value"], theory.ft_transferability(ft["theta"], ft["gamma"]))


# ---- experiment tables against the store ---------------------------------------------------------


def _scratch_values(ctx, sigma, decay=0.0):
    return {
        c.n: a["generalisation"]
        for c, a in stored(ctx, "scratch")
        if c.sigma == sigma and c.weight_decay == decay
    }


def _check_experiment(ctx, table, sweep, procedure, sigma, n_source=None, ridge_index=0):
    scratch = _scratch_values(ctx, sigma)
    cells = [
        (c, a)
        for c, a in stored(ctx, sweep)
        if c.procedure == procedure and c.sigma == sigma and c.n_source == n_source
    ]
    assert len(table) == len(cells) == 9
    for cell, arrays in cells:
        (row,) = np.flatnonzero(np.isclose(table["theta"], cell.theta) & (table["n"] == cell.n))
        risks = arrays["generalisation"]
        risks = risks[ridge_index] if risks.ndim == 2 else risks
        sc = scratch[cell.n]
        assert table["T_mean"][row] == pytest.approx(sc.mean() - risks.mean(), rel=1e-12)
        assert table["T_std"][row] == pytest.approx(
            math.hypot(sc.std(ddof=1), risks.std(ddof=1)), rel=1e-12
        )
        se = math.sqrt(sc.var(ddof=1) / sc.size + risks.var(ddof=1) / risks.size)
        assert table["T_se"][row] == pytest.approx(se, rel=1e-12)
        if table["converged"][row] and math.isfinite(table["expected"][row]):
            residual = (table["T_mean"][row] - table["expected"][row]) / math.hypot(
                se, RESIDUAL_FLOOR
            )
            assert table["residual_se"][row] == pytest.approx(residual, rel=1e-10)
        else:
            assert math.isnan(table["residual_se"][row])
        if "train_loss" in arrays and (cell.n <= cell.d or cell.sigma == 0):
            transfer_ok = arrays["train_loss"].max() <= CONVERGED_LOSS
            assert table["transfer_converged"][row] == int(transfer_ok)
    return cells


def test_figure1_experiment_is_the_store(ctx, tables_of):
    table = tables_of("figure1")["lt_experiment"]
    _check_experiment(ctx, table, "phase_diagram", "linear_transfer", 0.2)
    for row in range(len(table)):
        n, d, theta = int(table["n"][row]), int(table["d"][row]), table["theta"][row]
        oracle = scratch_exact(n, d, 0.2) - eq10(theta, n, 0.2)
        assert table["expected"][row] == pytest.approx(oracle, rel=1e-10)
    assert np.all(np.isnan(table["residual_se"][table["n"] == table["d"]]))  # infinite theory


def test_fine_tuning_experiments_are_the_store(ctx, tables_of):
    table = tables_of("figure2")["ft_experiment"]
    _check_experiment(ctx, table, "phase_diagram", "fine_tuning", 0.0)
    assert np.allclose(table["expected"], eq15(table["theta"], table["gamma"]), atol=1e-12)
    noisy = tables_of("ft-noise-0.2")["ft_experiment"]
    _check_experiment(ctx, noisy, "phase_diagram", "fine_tuning", 0.2)
    below = noisy["gamma"] < 1
    oracle = balanced(noisy["theta"][below], noisy["gamma"][below], 0.2)
    assert np.allclose(noisy["expected"][below], oracle, rtol=1e-9)


@pytest.mark.parametrize("ratio", [0.5, 1.5])
def test_finite_source_experiments_are_the_store(ctx, tables_of, ratio):
    tables = tables_of(f"finite-source-gs{ratio:g}")
    n_source = round(ratio * ctx.grid.d)
    _check_experiment(ctx, tables["ft_experiment"], "finite_source", "fine_tuning", 0.2, n_source)
    _check_experiment(
        ctx, tables["lt_experiment"], "finite_source", "linear_transfer", 0.2, n_source
    )
    ft = tables["ft_experiment"]
    assert np.allclose(ft["expected"], eq22(ft["theta"], ft["gamma"], n_source / 20, 0.2))
    lt = tables["lt_experiment"]
    for row in range(len(lt)):
        n, d, theta = int(lt["n"][row]), int(lt["d"][row]), lt["theta"][row]
        floor = lt_limit_finite_source(theta, n_source / d, 0.2)  # the n_t → ∞ risk
        at_n = floor + (floor + 0.2**2) / (n - 2)  # eq. 10 with sin²θ → that risk
        assert lt["expected"][row] == pytest.approx(scratch_exact(n, d, 0.2) - at_n, rel=1e-10)


def test_figure5_uses_the_best_decay(ctx, tables_of):
    tables = tables_of("figure5")
    means = {
        (c.n, c.weight_decay): a["generalisation"].mean()
        for c, a in stored(ctx, "scratch")
        if c.sigma == 0.2
    }
    chosen = tables["best_decay"]
    for n, decay in zip(chosen["n"], chosen["weight_decay"], strict=True):
        best = min(v for (m, _), v in means.items() if m == n)
        assert means[(int(n), decay)] == best
    lt = {
        (c.theta, c.n): a["generalisation"][0].mean()
        for c, a in stored(ctx, "phase_diagram")
        if c.procedure == "linear_transfer" and c.sigma == 0.2
    }
    experiment = tables["lt_experiment"]
    decay_of = dict(zip(chosen["n"].tolist(), chosen["weight_decay"].tolist(), strict=True))
    rows = zip(experiment["theta"], experiment["n"], experiment["T_mean"], strict=True)
    for theta, n, value in rows:
        expected = means[(int(n), decay_of[n])] - lt[(theta, int(n))]
        assert value == pytest.approx(expected, rel=1e-12)


def test_scratch_and_ridge_experiments_are_the_store(ctx, tables_of):
    simulated = tables_of("scratch-risk")["experiment_sigma0.2"]
    values = _scratch_values(ctx, 0.2)
    assert sorted(simulated["n"].astype(int)) == sorted(values)
    for n, mean, std in zip(simulated["n"], simulated["mean"], simulated["std"], strict=True):
        assert mean == pytest.approx(values[int(n)].mean(), rel=1e-12)
        assert std == pytest.approx(values[int(n)].std(ddof=1), rel=1e-12)
        assert simulated["theory_finite"][simulated["n"] == n][0] == pytest.approx(
            scratch_exact(int(n), 20, 0.2), rel=1e-12
        )
    ridge = tables_of("ridge")
    ((cell, arrays),) = [
        (c, a)
        for c, a in stored(ctx, "phase_diagram")
        if c.procedure == "linear_transfer"
        and c.sigma == 0.2
        and c.n == 10
        and math.isclose(c.theta, math.pi / 8)
    ]
    assert np.allclose(ridge["experiment"]["lam"], cell.ridges)
    assert np.allclose(ridge["experiment"]["mean"], arrays["generalisation"].mean(axis=1))
    assert ridge["finite_n_least_squares"]["value"][0] == pytest.approx(eq10(math.pi / 8, 10, 0.2))
