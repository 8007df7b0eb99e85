"""The simulation_d500 tier: a claim's simulation checks on archived cells, never simulating."""

from __future__ import annotations

import pytest
import torch
from altered_theory import scaled

from fate_numeric import sweeps, theory
from fate_numeric.archive import Archive, export_sweep
from fate_numeric.store import ResultStore
from verify.claims import Context, select
from verify.model import Outcome
from verify.runner import ARCHIVED_TIER, run_claim

CPU = torch.device("cpu")
TINY = sweeps.Profile(
    "quick", d=20, instances=24, gammas=(0.5, 1.0, 1.5), theta_fractions=(0.5, 1.0)
)


@pytest.fixture
def archived(tmp_path, monkeypatch):
    """A context over an archive of the tiny scratch sweep (the quick profile patched)."""
    monkeypatch.setitem(sweeps.PROFILES, "quick", TINY)
    store = ResultStore(tmp_path / "store")
    cells = sweeps.cells_of("scratch", "quick")
    sweeps.run_sweep(cells, store, CPU)
    export_sweep("scratch", cells, store, tmp_path / "archive")

    def context(evaluators=theory) -> Context:
        return Context(
            profile="quick",
            device=CPU,
            seed=0,
            store=Archive(tmp_path / "archive"),
            theory=evaluators,
            simulate=False,
            guarded=(),
            source="from a test archive",
        )

    return store, context


def _tier(result, name):
    (tier,) = [t for t in result.tiers if t.tier == name]
    return tier


def test_the_archived_tier_judges_the_archived_cells(archived):
    store, context = archived
    (claim,) = select(["scratch-risk"])
    fresh = Context(profile="quick", device=CPU, seed=0, store=store)
    result = run_claim(claim, fresh, context())
    tier = _tier(result, ARCHIVED_TIER)
    assert tier.outcome is Outcome.PASS
    assert tier.detail == "from a test archive"  # where the numbers came from
    assert len(tier.checks) == len(_tier(result, "simulation").checks)


def test_the_archived_tier_can_fail(archived):
    store, context = archived
    (claim,) = select(["scratch-risk"])
    fresh = Context(profile="quick", device=CPU, seed=0, store=store)
    # d = 20 with 24 instances resolves a 50 % error, not 10 % (the SE is that of the instances)
    result = run_claim(claim, fresh, context(scaled("scratch_risk_finite", 1.5)))
    assert _tier(result, ARCHIVED_TIER).outcome is Outcome.FAIL
    assert result.outcome is Outcome.FAIL


def test_cells_outside_the_archive_skip_the_tier_without_simulating(archived):
    store, context = archived
    (claim,) = select(["lt-risk"])  # reads the phase diagram, which is not archived
    fresh = Context(profile="quick", device=CPU, seed=0, store=store)
    result = run_claim(claim, fresh, context())
    tier = _tier(result, ARCHIVED_TIER)
    assert tier.outcome is Outcome.SKIP
    assert "not archived" in tier.detail
    (other,) = select(["scratch-min-norm"])  # simulates its own cells: no archived tier
    assert ARCHIVED_TIER not in {t.tier for t in run_claim(other, fresh, context()).tiers}
