"""Shared pytest set-up: a private derivation cache, the --seed option and the gpu/slow markers."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--seed",
        type=int,
        default=None,
        help="run the seeded tests with this seed only (default: seeds 0, 1 and 2)",
    )
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow")


#: The tests' own derivation cache, kept between test sessions: its file is named by the hash of
#: the derivation sources (derivations.cache), so a changed derivation is derived afresh and an
#: unchanged one is read back, never stale. Apart from the user's cache, which tests never touch;
#: tests of the cache itself point FATE_CACHE_DIR at folders of their own.
TEST_CACHE = Path(tempfile.gettempdir()) / f"features-are-fate-test-cache-{os.getuid()}"


def pytest_configure(config: pytest.Config) -> None:
    if "FATE_CACHE_DIR" not in os.environ:
        os.environ["FATE_CACHE_DIR"] = str(TEST_CACHE)
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: one thread, one core each
        # (several workers each running torch's and numba's default thread pools on the same
        # cores slow every test several-fold)
        for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
            os.environ[variable] = "1"
    else:  # the main process (pytest-xdist's controller, or plain pytest)
        # derive (or read) every record once here, so that parallel workers read the cache
        # instead of each deriving the same records at the same time
        from derivations.registry import all_results

        with contextlib.suppress(Exception):  # the tests that use a broken record report it
            all_results()


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
