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


def test_simulate_command_prints_a_json_summary(capsys):
    status = main(
        [
            "simulate",
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
        [*arguments.split(), "--epochs", "200", "--record-every", "100", "--device", "cpu"]
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
    assert "n must be an integer >= 1" in capsys.readouterr().err
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
