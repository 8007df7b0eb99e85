"""Grid cells: batching does not change a cell's numbers; authors' defaults; memory refusal."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import theory
from fate_numeric.__main__ import main
from fate_numeric.experiments import Cell, chunks, compatible, run_cells

CPU = torch.device("cpu")


def test_a_cell_does_not_depend_on_its_batch():
    alone = run_cells([Cell("fine_tuning", d=12, n=6, theta=0.4, instances=3, epochs=50)], CPU)[0]
    together = run_cells(
        [
            Cell("fine_tuning", d=12, n=6, theta=0.4, instances=3, epochs=50),
            Cell("fine_tuning", d=12, n=30, theta=1.2, sigma=0.3, instances=2, epochs=50),
        ],
        CPU,
    )[0]
    for name, values in alone.items():
        np.testing.assert_array_equal(values, together[name], err_msg=name)


def _bitwise_equal(first: dict, second: dict, where: str) -> None:
    assert first.keys() == second.keys(), where
    for name, values in first.items():
        np.testing.assert_array_equal(values, second[name], err_msg=f"{where}: {name}")


@pytest.mark.parametrize("engine", ["auto", "weights"])
@pytest.mark.parametrize("procedure", ["scratch", "fine_tuning", "linear_transfer"])
def test_a_cells_numbers_are_bit_for_bit_those_of_any_batching(procedure, engine):
    """Alone, together, or split in other batches (a batch of one instance or one angle
    included): the same bits (docs/design.md §5.4; torch rounds a batch of one differently,
    ``fate_numeric.linear.matvec``)."""
    cells = [
        Cell(
            procedure,
            d=8,
            n=n,
            theta=0.0 if procedure == "scratch" else theta,
            sigma=sigma,
            instances=instances,
            epochs=60,
            check_every=20,
            weight_decay=0.01 if procedure == "scratch" else 0.0,
            ridges=(0.0, 0.1) if procedure == "linear_transfer" else (0.0,),
            pretrain_epochs=None if procedure == "scratch" else 80,
        )
        for n, theta, sigma, instances in [
            (4, 0.3, 0.0, 1),
            (12, 0.3, 0.2, 2),
            (4, 1.1, 0.2, 2),
            (12, 1.1, 0.0, 1),
        ]
    ]
    assert len(compatible(cells)) == 1
    together = run_cells(cells, CPU, engine)
    halves = run_cells(cells[:1], CPU, engine) + run_cells(cells[1:], CPU, engine)
    for position, cell in enumerate(cells):
        (alone,) = run_cells([cell], CPU, engine)
        _bitwise_equal(alone, together[position], f"cell {position} alone / together")
        _bitwise_equal(halves[position], together[position], f"cell {position} halves")


def test_the_weight_decay_is_in_the_training_precision(monkeypatch):
    """The per-instance weight decays reach gradient descent in the cell's precision (a float32
    0.1 is 0.10000000149)."""
    import fate_numeric.experiments as experiments

    seen = []
    descend = experiments._descend

    def spy(*args, **kwargs):
        seen.append(kwargs["weight_decays"])
        return descend(*args, **kwargs)

    monkeypatch.setattr(experiments, "_descend", spy)
    for precision, dtype in (("float64", torch.float64), ("float32", torch.float32)):
        cell = Cell("scratch", d=6, n=3, instances=2, epochs=5, weight_decay=0.1)
        run_cells([dataclasses.replace(cell, precision=precision)], CPU)
        assert seen[-1].dtype == dtype
        assert seen[-1][0].item() == torch.tensor(0.1, dtype=dtype).item()


def test_the_memory_budget_does_not_follow_the_free_memory(monkeypatch):
    """A fraction of the total memory (the same batches on every run), or $FATE_MEMORY_BUDGET."""
    from fate_numeric.numerics import memory_budget

    monkeypatch.delenv("FATE_MEMORY_BUDGET", raising=False)
    budget = memory_budget(CPU)
    try:
        with open("/proc/meminfo") as meminfo:
            total = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
        assert budget == int(total * 1024 * 0.6)
    except OSError:
        assert budget == int(4 * 2**30 * 0.6)
    assert memory_budget(CPU) == budget
    monkeypatch.setenv("FATE_MEMORY_BUDGET", "2.5e9")
    assert memory_budget(CPU) == 2_500_000_000
    for bad in ("abc", "0", "-5", "nan", "inf"):
        monkeypatch.setenv("FATE_MEMORY_BUDGET", bad)
        with pytest.raises(InvalidArgumentError, match="FATE_MEMORY_BUDGET must be a number"):
            memory_budget(CPU)


def test_simulate_keeps_the_linear_cells_rank_rtol(capsys):
    """``--rank-rtol`` is a ReLU flag too, whose default (1e-10) is not the linear cell's
    (1e-3): left out, each cell keeps its own; given, it applies as given."""
    from fate_numeric.__main__ import _cell_arguments, build_parser
    from fate_numeric.relu_sweeps import ReluCell

    arguments = "simulate --procedure linear_transfer --d 8 --n 4 --theta 0.785 --sigma 0.2"
    arguments += " --instances 3 --ridge 0 0.1 --device cpu"
    assert main([*arguments.split(), "--full"]) == 0
    report = json.loads(capsys.readouterr().out)
    default = Cell(
        "linear_transfer", d=8, n=4, theta=0.785, sigma=0.2, instances=3, ridges=(0.0, 0.1)
    )
    assert default.rank_rtol == 1e-3
    assert report["cell"] == default.config()
    (arrays,) = run_cells([default], CPU)
    assert (
        report["generalisation"]["ridge=0"]["per_instance"] == arrays["generalisation"][0].tolist()
    )
    parsed = build_parser().parse_args([*arguments.split(), "--rank-rtol", "1e-10"])
    assert _cell_arguments(Cell, parsed)["rank_rtol"] == 1e-10
    relu = build_parser().parse_args(["simulate", "--procedure", "scratch", "--d", "8", "--n", "4"])
    assert "rank_rtol" not in _cell_arguments(ReluCell, relu)
    assert ReluCell(**_cell_arguments(ReluCell, relu)).rank_rtol == 1e-10


def test_authors_defaults():
    scratch = Cell("scratch", d=10, n=5).schedule
    assert (scratch.lr, scratch.steps, scratch.tol) == (0.1, 10_000, 1e-6)
    tuning = Cell("fine_tuning", d=10, n=5).schedule
    assert (tuning.lr, tuning.steps, tuning.tol) == (0.01, 5000, None)
    assert Cell("fine_tuning", d=10, n=5, n_source=5).schedule.steps == 8000
    assert Cell("linear_transfer", d=10, n=5).pretrain_schedule.steps == 5000


def test_incompatible_cells_are_split_and_refused_together():
    cells = [Cell("scratch", d=10, n=5), Cell("scratch", d=12, n=5), Cell("scratch", d=10, n=8)]
    assert [len(g) for g in compatible(cells)] == [2, 1]
    with pytest.raises(InvalidArgumentError, match="compatible"):
        run_cells(cells, CPU)


def test_linear_transfer_returns_one_row_per_ridge(seed):
    cell = Cell(
        "linear_transfer",
        d=20,
        n=30,
        theta=math.pi / 4,
        sigma=0.2,
        instances=40,
        ridges=(0.0, 0.2),
        seed=seed,
    )
    (arrays,) = run_cells([cell], CPU)
    assert arrays["generalisation"].shape == (2, 40)
    assert np.all(arrays["feature_singular_values"][:, 0] > 0.99)
    assert np.all(arrays["feature_singular_values"][:, 1] < 1e-3)
    errors = arrays["generalisation"][0]
    standard_error = errors.std(ddof=1) / math.sqrt(errors.size)
    assert abs(errors.mean() - theory.lt_risk(math.pi / 4, 30, 0.2)) < 5 * standard_error


def test_memory_budget_refuses_a_cell_that_cannot_fit():
    with pytest.raises(InvalidArgumentError, match="GiB"):
        chunks([Cell("scratch", d=5000, n=100, instances=20)], budget_bytes=2**30)
    small = [Cell("scratch", d=10, n=5, instances=4) for _ in range(3)]
    assert [len(c) for c in chunks(small, budget_bytes=10**9)] == [3]


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"procedure": "pretrain"}, "procedure"),
        ({"n": 0}, "n"),
        ({"d": 1}, "d"),
        ({"theta": 2.0}, "theta"),
        ({"sigma": -0.1}, "sigma"),
        ({"ridges": (-1.0,)}, "ridges"),
        ({"instances": 0}, "instances"),
        ({"record_every": 0}, "record_every"),
        ({"precision": "float16"}, "precision"),
    ],
)
def test_bad_cells_are_refused(kwargs, argument):
    arguments = {"procedure": "scratch", "d": 10, "n": 5, **kwargs}
    with pytest.raises(InvalidArgumentError, match=argument):
        Cell(**arguments)


def test_simulate_command_full_prints_a_json_record(capsys):
    status = main(
        [
            "simulate",
            "--full",
            "--procedure",
            "scratch",
            "--d",
            "10",
            "--n",
            "5",
            "--instances",
            "3",
            "--device",
            "cpu",
        ]
    )
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["generalisation"]["per_instance"]) == 3
    assert report["device"].startswith("cpu")


@pytest.mark.parametrize("procedure", ["scratch", "fine_tuning"])
def test_recording_a_time_course_changes_nothing_else(procedure):
    plain = Cell(procedure, d=12, n=6, theta=0.6, sigma=0.1, instances=3, epochs=250, tol=0.0)
    recorded = dataclasses.replace(plain, record_every=50)
    assert "record_every" not in plain.config()  # store keys of existing results unchanged
    assert recorded.config() != plain.config()
    (a,), (b,) = run_cells([plain], CPU), run_cells([recorded], CPU)
    # the plain cell trains in the Gram form, the recorded one in the W-form (the Gram form
    # records no time course): equal to rounding, accumulated over up to 5000 pretraining and
    # 250 training steps
    np.testing.assert_allclose(a["generalisation"], b["generalisation"], rtol=1e-9)
    assert "history_step" not in a
    np.testing.assert_array_equal(b["history_step"], np.arange(0, 250, 50))
    assert b["history_generalisation"].shape == (3, 5)
    assert b["history_train_loss"].shape == (3, 5)
    # the record at step 0 is the loss of the start, which later records improve on
    assert np.all(b["history_train_loss"][:, -1] < b["history_train_loss"][:, 0])
    if procedure == "fine_tuning":  # population pretraining: its loss falls to the tolerance
        assert b["pretrain_history_train_loss"][0, 0] == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("procedure", ["scratch", "fine_tuning", "linear_transfer"])
def test_float32_training_sees_the_same_draws_and_agrees_to_figure_precision(procedure):
    double = Cell(procedure, d=16, n=8, theta=0.6, sigma=0.2, instances=6, epochs=400)
    single = dataclasses.replace(double, precision="float32")
    assert "precision" not in double.config()  # store keys of float64 results unchanged
    assert single.config() != double.config()
    (a,), (b,) = run_cells([double], CPU), run_cells([single], CPU)
    assert b["generalisation"].dtype == np.float64  # stored in float64 whatever the training
    # same data and networks: per instance the results differ by float32 rounding only, far
    # below the spread over instances that the figures' error bars show
    spread = a["generalisation"].std()
    assert np.max(np.abs(a["generalisation"] - b["generalisation"])) < 1e-4 * spread
    assert not np.array_equal(a["generalisation"], b["generalisation"])


def test_simulate_command_reports_the_time_course(capsys):
    arguments = "simulate --procedure fine_tuning --d 10 --n 5 --theta 0.5 --instances 2"
    status = main(
        [
            *arguments.split(),
            "--epochs",
            "200",
            "--record-every",
            "100",
            "--device",
            "cpu",
            "--full",
        ]
    )
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    assert report["history"]["step"] == [0, 100]
    assert len(report["history"]["generalisation"]) == 2  # per instance
    assert len(report["feature_singular_values"][0]) == 3
    assert report["pretrain_history"]["step"][0] == 0
    assert set(report["train_loss"]) == {"mean", "standard_error", "per_instance"}


def test_simulate_command_refuses_impossible_requests(capsys):
    assert main(["simulate", "--procedure", "scratch", "--d", "10", "--n", "0"]) == 2
    assert "argument --n: must be an integer >= 1" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert (
            main(
                ["simulate", "--procedure", "scratch", "--d", "10", "--n", "3", "--device", "cuda"]
            )
            == 2
        )
        assert "CUDA is not available" in capsys.readouterr().err


def test_pretraining_and_data_are_shared_as_in_the_authors_scripts():
    """One pretraining per angle for every n; fine-tuning and linear transfer see the same data."""
    common = {"d": 12, "theta": 0.5, "sigma": 0.1, "instances": 3, "epochs": 30}
    tuned_small, tuned_large = run_cells(
        [Cell("fine_tuning", n=6, **common), Cell("fine_tuning", n=24, **common)], CPU
    )
    np.testing.assert_array_equal(
        tuned_small["feature_singular_values"], tuned_large["feature_singular_values"]
    )
    (probe,) = run_cells([Cell("linear_transfer", n=6, **common)], CPU)
    np.testing.assert_array_equal(probe["pretrain_steps"], tuned_small["pretrain_steps"])
    # different angles pretrain differently
    (other,) = run_cells([Cell("fine_tuning", n=6, **{**common, "theta": 0.9})], CPU)
    assert not np.array_equal(other["generalisation"], tuned_small["generalisation"])
