"""ReLU students and teachers: exact risks, projections, simulator, cells, sweeps, power law."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
import sympy as sp
import torch

from derivations import relu_kernel as derived
from derivations.errors import InvalidArgumentError
from fate_numeric import relu, relu_analysis, relu_sweeps, service, theory
from fate_numeric.numerics import DTYPE, generator
from fate_numeric.relu_sweeps import ReluCell
from fate_numeric.store import ResultStore

CPU = torch.device("cpu")


def _tile(net: relu.TwoLayer, copies: int) -> relu.TwoLayer:
    return relu.TwoLayer(
        net.weights.expand(copies, -1, -1).clone(), net.out.expand(copies, -1).clone(), net.scale
    )


def _monte_carlo(f, g, d: int, gen, samples: int = 200_000) -> tuple[float, float]:
    x = torch.randn(1, samples, d, generator=gen, dtype=DTYPE)
    values = (f(x) * g(x))[0]
    return float(values.mean()), float(values.std() / math.sqrt(samples))


def test_kernel_matrix_and_risk_against_monte_carlo(seed):
    gen = generator(seed, CPU)
    teacher = relu.make_teacher(5, 4, gen)
    student = relu.TwoLayer(
        2.0 * torch.randn(1, 7, 5, generator=gen, dtype=DTYPE),
        torch.randn(1, 7, generator=gen, dtype=DTYPE),
        1 / 7,
    )
    mean, se = _monte_carlo(student, teacher, 5, gen)
    assert abs(float(relu.inner_product(student, teacher)[0]) - mean) < 5 * se
    diff = relu.TwoLayer(
        torch.cat([student.weights, teacher.weights], 1),
        torch.cat([student.out / 7, -teacher.out / 4], 1),
        1.0,
    )
    mean, se = _monte_carlo(diff, diff, 5, gen)
    assert abs(float(relu.population_risk(student, teacher)[0]) - mean) < 5 * se


def test_kernel_gradient_is_finite_at_identical_neurons():
    w = torch.tensor([[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]], dtype=DTYPE, requires_grad=True)
    value = relu.kernel_matrix(w, w).sum()
    (grad,) = torch.autograd.grad(value, w)
    assert torch.isfinite(grad).all()


def test_projection_of_a_function_in_the_span_is_zero(seed):
    gen = generator(seed, CPU)
    basis = relu.unit_rows(1, 12, 6, gen)[0]
    inside = relu.TwoLayer(
        3.0 * basis[:5].unsqueeze(0), torch.randn(1, 5, generator=gen, dtype=DTYPE), 0.2
    )
    assert relu.out_of_span_norm(basis, inside) < 1e-10 * float(
        relu.inner_product(inside, inside)[0]
    )


def test_projection_matches_the_derived_formula_at_two_features(seed):
    gen = generator(seed, CPU)
    basis = relu.unit_rows(1, 2, 4, gen)[0]
    f = relu.make_teacher(4, 3, gen)
    gram = relu.kernel_matrix(basis, basis).numpy()
    overlap = (relu.kernel_matrix(basis, f.weights[0]) @ f.coefficients()[0]).numpy()
    values = {
        derived.NORM_SYMBOL: float(relu.inner_product(f, f)[0]),
        derived.GRAM_SYMBOLS[0]: gram[0, 0],
        derived.GRAM_SYMBOLS[1]: gram[0, 1],
        derived.GRAM_SYMBOLS[2]: gram[1, 1],
        derived.OVERLAP_SYMBOLS[0]: overlap[0],
        derived.OVERLAP_SYMBOLS[1]: overlap[1],
    }
    expected = float(derived.relu_out_of_span_norm().expr.subs(values))
    assert relu.out_of_span_norm(basis, f) == pytest.approx(expected, rel=1e-9)


def test_projection_shrinks_as_the_basis_grows(seed):
    gen = generator(seed, CPU)
    target = relu.make_teacher(6, 8, gen)
    extra = relu.unit_rows(1, 30, 6, gen)[0]
    source = target.weights[0, :4]
    small = relu.out_of_span_norm(source, target)
    large = relu.out_of_span_norm(torch.cat([source, extra]), target)
    total = float(relu.inner_product(target, target)[0])
    assert 0 <= large <= small <= total


def test_source_teacher_removes_the_last_neurons():
    gen = generator(0, CPU)
    target = relu.make_teacher(5, 10, gen)
    source = relu.source_teacher(target, 0.3)
    assert torch.equal(source.out[0, :7], target.out[0, :7]) and not source.out[0, 7:].any()
    with pytest.raises(InvalidArgumentError):
        relu.source_teacher(target, 1.5)


def _teacher_copy_student(teacher: relu.TwoLayer, copies: int) -> relu.TwoLayer:
    return relu.TwoLayer(
        teacher.weights.expand(copies, -1, -1).clone(),
        teacher.out.expand(copies, -1).clone(),
        teacher.scale,
    )


def test_student_initialised_at_the_teacher_stays_there(seed):
    gen = generator(seed, CPU)
    teacher = relu.make_teacher(6, 5, gen)
    students = _teacher_copy_student(teacher, 3)
    x, y = relu.teacher_data(_tile(teacher, 3), 20, 0.0, gen)
    schedule = relu.Schedule(lr_scale=0.5, max_steps=50, tol=0.0, check_every=10)
    for run in (
        relu.gradient_descent(students, schedule, data=relu.Empirical.padded([(x, y)])),
        relu.gradient_descent(students, schedule, teacher=_tile(teacher, 3)),
    ):
        assert torch.allclose(run.network.weights, students.weights, atol=1e-12)
        assert torch.allclose(run.network.out, students.out, atol=1e-12)
        assert float(run.loss.max()) < 1e-20


def test_fast_gradients_equal_autograd(seed):
    gen = generator(seed, CPU)
    teacher = relu.make_teacher(5, 4, gen)
    start = relu.initial_student(2, 5, 9, 0.1, gen)
    data = relu.Empirical.padded(
        [
            relu.teacher_data(_tile(teacher, 1), 7, 0.1, gen),
            relu.teacher_data(_tile(teacher, 1), 11, 0.1, gen),
        ]
    )
    fast = relu.gradient_descent(start, relu.Schedule(0.3, 60, 0.0, 1000), data=data)
    reference = relu.reference_gradient_descent(start, data, 0.3, 60)
    assert torch.allclose(fast.network.weights, reference.weights, rtol=1e-10, atol=1e-13)
    assert torch.allclose(fast.network.out, reference.out, rtol=1e-10, atol=1e-13)


def test_population_gradients_equal_autograd_through_the_kernel(seed):
    """The hand-written population gradients against autograd, with student neurons equal and
    opposite to teacher neurons (cosines exactly 1 and −1) and of varied norms."""
    gen = generator(seed, CPU)
    teacher = relu.make_teacher(6, 4, gen)
    teachers = relu.TwoLayer(
        teacher.weights.expand(3, -1, -1).clone(),
        torch.randn(3, 4, generator=gen, dtype=DTYPE),
        teacher.scale,
    )
    start = relu.initial_student(3, 6, 9, 0.5, gen)
    weights = start.weights * (0.5 + torch.rand(3, 9, 1, generator=gen, dtype=DTYPE))
    weights[:, 0] = 2.0 * teacher.weights[0, 1]
    weights[:, 1] = -teacher.weights[0, 2]
    student = relu.TwoLayer(weights, torch.randn(3, 9, generator=gen, dtype=DTYPE), start.scale)
    mine = relu.population_loss_and_gradients(student, teachers)
    theirs = relu.reference_population_loss_and_gradients(student, teachers)
    for ours, reference in zip(mine, theirs, strict=True):
        torch.testing.assert_close(ours, reference, rtol=1e-11, atol=1e-14)


def test_batched_equals_unbatched(seed):
    """Padding to a common n, per-network early stopping and batching change nothing."""
    gen = generator(seed, CPU)
    teacher = relu.make_teacher(5, 4, gen)
    starts = [relu.initial_student(1, 5, 12, 1e-3, gen) for _ in range(3)]
    sets = [relu.teacher_data(_tile(teacher, 1), n, 0.0, gen) for n in (6, 15, 9)]
    schedule = relu.Schedule(lr_scale=1.0, max_steps=400, tol=1e-4, check_every=20)
    batched = relu.gradient_descent(
        relu.TwoLayer(
            torch.cat([s.weights for s in starts]), torch.cat([s.out for s in starts]), 1 / 12
        ),
        schedule,
        data=relu.Empirical.padded(sets),
    )
    for k, (start, data) in enumerate(zip(starts, sets, strict=True)):
        alone = relu.gradient_descent(start, schedule, data=relu.Empirical.padded([data]))
        assert torch.allclose(
            batched.network.weights[k], alone.network.weights[0], rtol=1e-12, atol=1e-14
        )
        assert int(batched.steps[k]) == int(alone.steps[0])


def test_gradient_descent_needs_one_objective():
    gen = generator(0, CPU)
    start = relu.initial_student(1, 3, 4, 1e-7, gen)
    with pytest.raises(InvalidArgumentError):
        relu.gradient_descent(start, relu.Schedule())


def test_refit_is_the_minimum_norm_interpolator(seed):
    gen = generator(seed, CPU)
    net = relu.initial_student(2, 4, 15, 1.0, gen)
    x = torch.randn(2, 8, 4, generator=gen, dtype=DTYPE)
    y = torch.randn(2, 8, generator=gen, dtype=DTYPE)
    refit = relu.refit_output_layer(net, x, y, 1e-12)
    assert torch.allclose(refit(x), y, atol=1e-9)
    features = torch.relu(x @ net.weights.transpose(-1, -2))
    expected = torch.linalg.pinv(features) @ y.unsqueeze(-1) * 15
    assert torch.allclose(refit.out, expected[..., 0], rtol=1e-8, atol=1e-10)


def _stepwise_output_descent(net, x, y, schedule, init_output):
    """Oracle: plain gradient descent on c for (1/n)‖scale·relu(xWᵀ)c − y‖², one step at a time,
    stopping per instance at the first check with loss <= tol (or at max_steps)."""
    design = net.scale * torch.relu(x @ net.weights.transpose(-1, -2))
    c = torch.full(net.out.shape, init_output, dtype=DTYPE)
    kept, steps = c.clone(), torch.full((c.shape[0],), schedule.max_steps)
    losses, done = torch.zeros(c.shape[0], dtype=DTYPE), torch.zeros(c.shape[0], dtype=torch.bool)
    lr, n = schedule.lr_scale * net.weights.shape[-2], y.shape[-1]
    for t in range(schedule.max_steps + 1):
        residual = torch.einsum("bnm,bm->bn", design, c) - y
        loss = (residual**2).mean(-1)
        if t % schedule.check_every == 0 or t == schedule.max_steps:
            new = ~done & ((loss <= schedule.tol) | (t == schedule.max_steps))
            kept[new], steps[new], losses[new] = c[new], t, loss[new]
            done |= new
            if done.all():
                break
        c = c - lr * 2 / n * torch.einsum("bnm,bn->bm", design, residual)
    return kept, steps, losses


@pytest.mark.parametrize("lr_scale", [1.0, 3.0])
def test_output_descent_refit_equals_stepwise_descent(seed, lr_scale):
    gen = generator(seed, CPU)
    net = relu.initial_student(3, 6, 40, 1e-7, gen)
    x = torch.randn(3, 12, 6, generator=gen, dtype=DTYPE)
    y = _tile(relu.make_teacher(6, 5, gen), 3)(x)
    schedule = relu.Schedule(lr_scale, 3000, 1e-6, 100)
    design = net.scale * torch.relu(x @ net.weights.transpose(-1, -2))
    top = torch.linalg.svdvals(design)[:, 0] ** 2 * 2 * lr_scale * 40 / 12
    assert (top > 1).any() == (lr_scale > 1)  # at lr_scale 3 a mode oscillates (1 − a < 0)
    fast = relu.refit_output_layer_descent(net, x, y, schedule, 1e-7)
    out, steps, loss = _stepwise_output_descent(net, x, y, schedule, 1e-7)
    assert torch.equal(fast.steps, steps) and (steps < 3000).any()
    torch.testing.assert_close(fast.network.out, out, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(fast.loss, loss, rtol=1e-8, atol=1e-15)
    assert torch.equal(fast.network.weights, net.weights)


def test_output_descent_refit_tends_to_the_minimum_norm_fit(seed):
    gen = generator(seed, CPU)
    net = relu.initial_student(2, 4, 15, 1.0, gen)
    x = torch.randn(2, 8, 4, generator=gen, dtype=DTYPE)
    y = torch.randn(2, 8, generator=gen, dtype=DTYPE)
    closed = relu.refit_output_layer(net, x, y, 1e-12)
    long = relu.refit_output_layer_descent(net, x, y, relu.Schedule(1.0, 10**9, 0.0, 10**8), 0.0)
    short = relu.refit_output_layer_descent(net, x, y, relu.Schedule(1.0, 50, 0.0, 10), 0.0)
    torch.testing.assert_close(long.network.out, closed.out, rtol=1e-7, atol=1e-9)
    assert (short.network.out - closed.out).norm() > 1e-3 * closed.out.norm()
    assert torch.all(short.network.out.norm(dim=-1) < closed.out.norm(dim=-1))  # implicit ridge


def test_kernel_alignment_of_a_kernel_with_itself_is_one(seed):
    gen = generator(seed, CPU)
    w = relu.unit_rows(1, 6, 4, gen)[0]
    assert relu.kernel_alignment(w, w) == pytest.approx(1.0, abs=1e-12)
    assert 0 < relu.kernel_alignment(w, relu.unit_rows(1, 6, 4, gen)[0]) < 1


# ---- cells, sweeps ------------------------------------------------------------------------------
_TINY = dict(d=4, width=10, teacher_width=4, instances=2, lr_scale=1.0, max_steps=300, tol=1e-5)


def test_cell_results_do_not_depend_on_batching():
    cells = [ReluCell("linear_transfer", n=n, removed=0.5, **_TINY) for n in (5, 9)]
    cells += [ReluCell("scratch", n=n, **_TINY) for n in (5, 9)]
    together = {
        json.dumps(c.config()): a
        for group in relu_sweeps.compatible(cells)
        for c, a in zip(group, relu_sweeps.run_relu_cells(group, CPU), strict=True)
    }
    for cell in (cells[1], cells[3]):
        (alone,) = relu_sweeps.run_relu_cells([cell], CPU)
        np.testing.assert_allclose(
            alone["risk"], together[json.dumps(cell.config())]["risk"], rtol=1e-10
        )


def test_size_groups_bound_the_padding_and_cover_every_cell():
    cells = service.cells_of("relu_scratch", "paper")
    groups = relu_sweeps.size_groups(cells)
    assert sorted(i for group in groups for i in group) == list(range(len(cells)))

    def work(members: list[int]) -> tuple[int, int]:  # padded and real activation elements
        rows = sum(cells[i].instances for i in members)
        padded = rows * max(cells[i].n for i in members) * cells[0].width
        return padded, sum(cells[i].instances * cells[i].n * cells[0].width for i in members)

    for group in groups:
        padded, real = work(group)
        assert padded <= max(relu_sweeps.SMALL_PROGRAM, relu_sweeps.PADDING_WASTE * real)
    assert [cells[g[0]].n for g in groups] == sorted(cells[g[0]].n for g in groups)
    one_program, real = work(list(range(len(cells))))
    assert sum(work(group)[0] for group in groups) < 0.35 * one_program  # was 4× the real work
    assert one_program > 3.9 * real


@pytest.mark.parametrize("procedure", ["scratch", "fine_tuning"])
def test_size_groups_give_the_numbers_of_one_padded_program(procedure, monkeypatch):
    removed = 0.5 if procedure == "fine_tuning" else 0.0
    cells = [ReluCell(procedure, n=n, removed=removed, **_TINY) for n in (3, 12, 48)]
    monkeypatch.setattr(relu_sweeps, "SMALL_PROGRAM", 0)  # every n its own program
    assert len(relu_sweeps.size_groups(cells)) == 3
    grouped = relu_sweeps.run_relu_cells(cells, CPU)
    monkeypatch.setattr(relu_sweeps, "PADDING_WASTE", math.inf)  # one padded program
    assert len(relu_sweeps.size_groups(cells)) == 1
    padded = relu_sweeps.run_relu_cells(cells, CPU)
    for mine, theirs in zip(grouped, padded, strict=True):
        np.testing.assert_array_equal(mine["steps"], theirs["steps"])
        np.testing.assert_allclose(mine["risk"], theirs["risk"], rtol=1e-10)
        np.testing.assert_allclose(mine["train_loss"], theirs["train_loss"], rtol=1e-8, atol=1e-15)


def test_sweep_resumes_from_the_store(tmp_path):
    store = ResultStore(tmp_path)
    cells = [ReluCell("fine_tuning", n=6, removed=r, **_TINY) for r in (0.25, 0.5)]
    first = service.run_sweep(cells, store, CPU)
    again = service.run_sweep(cells, store, CPU)
    assert first["computed"] == 2
    assert again == {"total": 2, "skipped": 2, "computed": 0, "remaining": 0}
    arrays = store.load(cells[0].config()).arrays
    assert arrays["risk"].shape == (2,) and arrays["out_of_span_source"].shape == (1,)


def test_cell_validation():
    with pytest.raises(InvalidArgumentError, match="removed"):
        ReluCell("scratch", d=4, n=3, removed=0.5)
    with pytest.raises(InvalidArgumentError, match="procedure"):
        ReluCell("pretrain", d=4, n=3)
    with pytest.raises(InvalidArgumentError, match="lr_scale"):
        ReluCell("scratch", d=4, n=3, lr_scale=0.0)
    with pytest.raises(InvalidArgumentError, match="refit must be one of"):
        ReluCell("linear_transfer", d=4, n=3, removed=0.5, refit="lstsq")
    with pytest.raises(InvalidArgumentError, match="linear_transfer cells only"):
        ReluCell("fine_tuning", d=4, n=3, removed=0.5, refit="min_norm")


def test_refit_is_keyed_only_where_it_applies():
    descent = ReluCell("linear_transfer", n=5, removed=0.5, **_TINY)
    closed = dataclasses.replace(descent, refit="min_norm")
    assert descent.config()["refit"] == "gradient_descent" and descent.config() != closed.config()
    assert "refit" not in ReluCell("fine_tuning", n=5, removed=0.5, **_TINY).config()
    (by_descent,), (by_closed_form,) = (
        relu_sweeps.run_relu_cells([c], CPU) for c in (descent, closed)
    )
    assert np.all(by_descent["steps"] > 0) and np.all(by_closed_form["steps"] == 0)
    assert np.all(by_descent["refit_rank"] == by_closed_form["refit_rank"])
    assert np.all(by_descent["refit_rank"] == 5)  # n = 5 samples < width 10: full row rank
    assert not np.allclose(by_descent["risk"], by_closed_form["risk"])


def test_profiles():
    paper = relu_sweeps.RELU_PROFILES["paper"]
    assert (paper.d, paper.width, paper.teacher_width, paper.lr_scale) == (100, 1000, 100, 0.01)
    assert relu_sweeps.RELU_PROFILES["paper_d500"].d == 500
    cells = service.cells_of("relu_linear_transfer", "quick")
    assert len(cells) == 4 * 5 and all(dataclasses.asdict(c)["max_steps"] == 20_000 for c in cells)
    with pytest.raises(InvalidArgumentError):
        service.cells_of("relu_transfer", "quick")
    for profile in ("paper", "paper_d500"):  # every paper cell fits one 80 GB GPU's budget
        for name in relu_sweeps.RELU_SWEEPS:
            batches = relu_sweeps.chunks(service.cells_of(name, profile), 48 * 2**30)
            assert sum(len(b) for b in batches) == len(service.cells_of(name, profile))


# ---- analysis -----------------------------------------------------------------------------------
def test_power_law_fit_recovers_a_known_exponent(seed):
    rng = np.random.default_rng(seed)
    n = np.array([20, 40, 80, 160, 320, 640])
    amplitude, exponent = 3.0, 1.3
    risks = [amplitude * k**-exponent * rng.lognormal(0.0, 0.2, 30) / math.exp(0.02) for k in n]
    fit = relu_analysis.fit_power_law(n, risks, seed=seed, resamples=500)
    low, high = fit.exponent_interval
    assert low < exponent < high and high - low < 0.15
    assert fit.amplitude_interval[0] < amplitude < fit.amplitude_interval[1]
    exact = relu_analysis.fit_power_law(n, [amplitude * k**-exponent * np.ones(3) for k in n])
    assert exact.exponent == pytest.approx(
        exponent, rel=1e-12
    ) and exact.r_squared == pytest.approx(1)


def test_boundaries():
    assert relu_analysis.predicted_boundary(2.0, 1.0, 0.01) == pytest.approx(200.0)
    assert math.isinf(relu_analysis.predicted_boundary(2.0, 1.0, 0.0))
    crossing = relu_analysis.sign_change([10, 100, 1000], [0.5, 0.1, -0.1])
    assert crossing.kind == "crossing" and crossing.n == pytest.approx(10**2.5)
    assert relu_analysis.sign_change([10, 20], [-1, -2]).kind == "always_negative"
    assert relu_analysis.sign_change([10, 20], [1, 2]).kind == "always_positive"
    mean, se = relu_analysis.paired_transfer(np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.0, 2.0]))
    assert mean == pytest.approx(2.5 / 3) and se > 0


def test_boundary_rises_and_their_bootstrap_errors():
    sizes = [10, 100, 1000]
    scratch = [np.full(4, 1.0) for _ in sizes]

    def transfer(ts):  # risks with T = R_sc − R_tx = ts at every instance
        return [1.0 - np.full(4, t) for t in ts]

    # n* = 10^1.5 at the first μ (T: 0.5 → −0.5), 10^2.5 at the second (0.1, 0.1, −0.1)
    rows = [transfer([0.5, -0.5, -1.0]), transfer([0.1, 0.1, -0.1])]
    rises, errors = relu_analysis.boundary_rises(sizes, scratch, rows, resamples=50)
    assert rises == pytest.approx([math.log(10.0)]) and errors == pytest.approx([0.0])
    # noise in the instances gives the rise a spread; the same seed gives the same errors
    noisy = [[r + np.array([0.3, -0.3, 0.2, -0.2]) for r in row] for row in rows]
    _, spread = relu_analysis.boundary_rises(sizes, scratch, noisy, seed=1, resamples=200)
    _, again = relu_analysis.boundary_rises(sizes, scratch, noisy, seed=1, resamples=200)
    assert spread[0] > 0 and np.array_equal(spread, again)
    with pytest.raises(InvalidArgumentError, match="two removed fractions"):
        relu_analysis.boundary_rises(sizes, scratch, rows[:1])
    with pytest.raises(InvalidArgumentError, match="one array of risks per sample size"):
        relu_analysis.boundary_rises(sizes, scratch[:2], rows)


@pytest.mark.parametrize("columns", ["", "80"])  # piped, and a terminal's width (wrapped)
def test_simulate_cli_relu(capsys, monkeypatch, columns):
    from fate_numeric.__main__ import main

    monkeypatch.setenv("COLUMNS", columns)

    args = "simulate --model relu --procedure scratch --d 4 --n 6 --width 8 --teacher-width 3 "
    args += "--instances 2 --lr-scale 1 --max-steps 200 --device cpu --full"
    assert main(args.split()) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["risk"]["per_instance"]) == 2 and report["cell"]["kind"] == "relu-cell"
    args = args.replace("scratch", "linear_transfer --removed 0.5") + " --refit min_norm"
    assert main(args.split()) == 0
    assert json.loads(capsys.readouterr().out)["cell"]["refit"] == "min_norm"
    assert main(args.replace(" --full", "").split()) == 0  # the summary, theory column or not
    assert "instances" in capsys.readouterr().out


def test_torch_kernel_is_the_lambdified_record():
    u = torch.linspace(-1, 1, 9, dtype=DTYPE)
    expected = sp.lambdify(derived.u_cos, derived.relu_kernel().expr, "numpy")(u.numpy())
    np.testing.assert_allclose(relu.unit_kernel(u).numpy(), expected, rtol=1e-14, atol=1e-16)


def test_relu_mean_is_the_half_gaussian_first_moment():
    """Oracle: E relu(‖w‖z) = ‖w‖ E[z; z > 0] = ‖w‖/√(2π), against sampled features."""
    rng = np.random.default_rng(7)
    w = np.array([1.5, -0.5, 2.0])
    features = np.maximum(rng.standard_normal((400_000, 3)) @ w, 0.0)
    standard_error = features.std() / np.sqrt(features.size)
    assert abs(theory.relu_mean(np.linalg.norm(w)) - features.mean()) < 5 * standard_error
    assert theory.relu_mean(1.0) == pytest.approx(1 / math.sqrt(2 * math.pi), rel=1e-15)
