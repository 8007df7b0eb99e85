"""Shared pytest set-up: a private derivation cache, the --seed option and the gpu/slow markers."""

from __future__ import annotations

import os
import tempfile

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--seed",
        type=int,
        default=None,
        help="run the seeded tests with this seed only (default: seeds 0, 1 and 2)",
    )
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow")


def pytest_configure(config: pytest.Config) -> None:
    # Keep the user's derivation cache out of the tests (and the tests out of it).
    if "FATE_CACHE_DIR" not in os.environ:
        os.environ["FATE_CACHE_DIR"] = tempfile.mkdtemp(prefix="fate-test-cache-")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "seed" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--seed")
        metafunc.parametrize("seed", [chosen] if chosen is not None else [0, 1, 2])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run_slow = config.getoption("--run-slow")
    has_cuda = False
    if any("gpu" in item.keywords for item in items):
        import torch

        has_cuda = torch.cuda.is_available()
    for item in items:
        if "slow" in item.keywords and not run_slow:
            item.add_marker(pytest.mark.skip(reason="slow test: pass --run-slow to run it"))
        if "gpu" in item.keywords and not has_cuda:
            item.add_marker(pytest.mark.skip(reason="needs CUDA (no GPU on this machine)"))
