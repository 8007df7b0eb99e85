"""What a simulation costs, said before it runs and beside the commands (issue 18 §6)."""

from __future__ import annotations

import json
import time

import pytest

from fate_numeric.service import cells_of
from fate_numeric.store import ResultStore
from fate_numeric.sweeps import SWEEPS
from paper_figures import costs
from paper_figures.core import Context, MissingSimulationError


def test_linear_cost_counts_network_steps_as_the_benchmark_and_projects_its_time():
    """At the paper profile (d = 500, the benchmark's d) the network-steps are the ones
    benchmarks/bench_gram.py projected, and the CPU time is them × its measured µs per step."""
    bench = json.loads(costs.BENCHMARK.read_text())
    per_step = bench["paths"]["gram_numba"]["us_per_network_step"]
    for name in SWEEPS:
        cells = cells_of(name, "paper")
        cost = costs.linear_cost(f"sweep {name}", cells, len(cells))
        assert cost.network_steps == bench["paper_profile"]["network_steps"][name]
        assert cost.cpu_seconds == pytest.approx(cost.network_steps * per_step * 1e-6)
        assert cost.gpu_recommended  # 21 min to 1.1 h on the 2-core CPU
        text = cost.describe()
        assert f"{len(cells)} cells × 20 instances × at most" in text
        assert "bench_gram_cpu.json" in text and "no GPU timing is stored" in text
    quick = cells_of("scratch", "quick")
    cost = costs.linear_cost("sweep scratch", quick[:7], len(quick))
    assert cost.cpu_seconds is None and not cost.gpu_recommended  # no timing at d = 40
    assert (
        f"7 of {len(quick)} cells" in cost.describe() and "no stored CPU timing" in cost.describe()
    )


def test_relu_cost_gives_sizes_and_no_invented_time():
    cells = cells_of("relu_linear_transfer", "paper_d500")
    cost = costs.relu_cost("sweep relu_linear_transfer", cells, len(cells), gpu_grid=True)
    assert (cost.cells, cost.instances, cost.steps) == (72, 10, 100_000)
    assert cost.network_steps == 72 * 10 * 100_000 + 9 * 100_000  # + one pretraining per μ
    assert cost.cpu_seconds is None and cost.gpu_recommended
    text = cost.describe()
    assert "d = 500, m = 1000, m* = 100, n from 25 to 3200" in text
    assert "no ReLU timing is stored" in text and "on a CPU" not in text  # no time given


def test_announce_recommends_a_gpu_on_a_cpu_only_for_long_runs(capsys):
    cells = cells_of("relu_scratch", "paper_d500")
    long = costs.relu_cost("sweep relu_scratch (paper_d500 profile)", cells, 8, gpu_grid=True)
    costs.announce(long, "cpu (2 threads)", on_cpu=True)
    err = capsys.readouterr().err
    assert err.startswith("simulating sweep relu_scratch (paper_d500 profile) on cpu (2 threads)")
    assert "8 cells × 10 instances × at most 100000 steps" in err
    assert "a GPU is recommended" in err
    costs.announce(long, "cuda:0 (NVIDIA H100)", on_cpu=False)
    assert "GPU is recommended" not in capsys.readouterr().err
    short = costs.relu_cost("sweep relu_scratch", cells, 8, gpu_grid=False)
    costs.announce(short, "cpu (2 threads)", on_cpu=True)
    assert "GPU is recommended" not in capsys.readouterr().err


def test_progress_bar_clock_moves_while_a_batch_runs(monkeypatch, capsys):
    """The sweeps report only when a batch ends; the bar is redrawn meanwhile."""
    monkeypatch.setattr(costs, "HEARTBEAT_SECONDS", 0.02)
    with costs.progress("sweep demo", 3) as bar:
        time.sleep(0.3)
        bar.update(3)
    err = capsys.readouterr().err
    assert err.count("sweep demo:") >= 5


def test_missing_simulation_lists_each_command_with_its_cost():
    error = MissingSimulationError(
        "missing; run", ["cmd one", "cmd two"], {"cmd two": "3 cells", "other": "x"}
    )
    assert error.costs == {"cmd two": "3 cells"}
    assert str(error) == "missing; run\n    cmd one\n    cmd two\n        cost: 3 cells"


def test_missing_linear_sweep_names_its_cost(tiny_profile, tmp_path):
    cells = cells_of("scratch", "quick")
    off = Context("quick", ResultStore(tmp_path), simulate=False)
    assert off.sweep_cost("scratch").cells == len(cells)
    with pytest.raises(MissingSimulationError, match=f"cost: {len(cells)} cells × 8 instances"):
        off.sweep("scratch")
