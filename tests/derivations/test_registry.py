"""The registry: names, order, cache invalidation, speed (the cache file: test_cache_safety.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from derivations import cache, registry
from derivations.errors import UnknownResultError
from derivations.paper import PRINTED
from derivations.record import DerivedResult

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def results() -> dict[str, DerivedResult]:
    return registry.all_results()


def test_every_record_is_complete(results):
    assert len(results) >= 30
    for result in results.values():
        assert result.steps, result.name
        assert result.reference and result.title and result.assumptions, result.name
        assert all(step.why for step in result.steps), result.name
        if result.printed is not None:
            assert result.printed in PRINTED, result.name


def test_every_printed_formula_is_claimed_by_a_derivation(results):
    claimed = {r.printed for r in results.values() if r.printed}
    assert claimed == set(PRINTED), set(PRINTED) - claimed


def test_unknown_name_gets_suggestions():
    with pytest.raises(UnknownResultError, match="scratch_risk"):
        registry.get("scratch_rsik")


def test_source_key_changes_with_sympy_version(monkeypatch):
    key = cache.source_key()
    monkeypatch.setattr(sp, "__version__", "0.0.0")
    assert cache.source_key() != key


@pytest.mark.slow
def test_a_fresh_process_reads_the_cache_instead_of_deriving(tmp_path):
    """Derivations from an empty cache in a fresh process write the cache; a second fresh process
    gets every record from it with derivation disabled. (How long a cold start takes is a
    measurement, not a test: timings belong to benchmarks.)"""
    env = {**os.environ, "FATE_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    env.pop("FATE_NO_CACHE", None)
    cold = "import derivations; print(len(derivations.all_results()))"
    warm = (
        "from derivations import registry\n"
        "def refuse():\n"
        "    raise RuntimeError('derived although the cache was filled')\n"
        "registry.derive_all = refuse\n"
        "print(len(registry.all_results()))"
    )
    counts = [
        subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            check=True,
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
        for code in (cold, warm)
    ]
    assert counts[0] == counts[1] == str(len(registry.all_results()))
    assert list(tmp_path.glob("derivations-*.json"))


def test_no_derivation_relies_on_a_bare_assert():
    """``assert`` vanishes under ``python -O``: facts of a derivation are step checks that
    ``explain`` re-executes, and sanity conditions of a construction raise explicitly."""
    import ast

    found = []
    for path in sorted((REPO / "derivations").glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        found += [
            f"{path.name}:{node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Assert)
        ]
    assert not found, f"bare asserts in derivations/: {found}"
