"""The ReLU claims: they hold at the quick profile (what ``verify all`` runs on a CPU; about 40 s
from an empty store), a broken kernel evaluator fails its claim, and the exponent 1.18 is gated at
the paper profile only (checked on a tiny grid standing in for the paper profile)."""

from __future__ import annotations

import pytest
import torch
from altered_theory import scaled
from own_evaluators import own_pairs

from fate_numeric import relu_sweeps, theory
from fate_numeric.relu_sweeps import ReluProfile
from fate_numeric.store import ResultStore
from verify.claims import Context, relu, select
from verify.model import Outcome
from verify.runner import run_claim

CPU = torch.device("cpu")
TINY = ReluProfile("paper", 6, 40, 8, 4, (6, 12, 24, 48), (0.125, 0.75), 1.0, 8000)
RELU_CLAIMS = [
    "relu-kernel",
    "relu-pretraining-features",
    "relu-out-of-span-growth",
    "relu-scratch-power-law",
    "relu-transfer-boundary",
    "relu-phase-sign",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> ResultStore:
    return ResultStore(tmp_path_factory.mktemp("relu-store"))


@pytest.fixture
def tiny_paper(monkeypatch):
    monkeypatch.setitem(relu_sweeps.RELU_PROFILES, "paper", TINY)


def _context(store, profile="quick", evaluators=theory) -> Context:
    return Context(profile=profile, device=CPU, seed=0, store=store, theory=evaluators)


@pytest.mark.parametrize("claim_id", RELU_CLAIMS)
def test_relu_claims_hold_at_the_quick_profile(claim_id, store):
    (claim,) = select([claim_id])
    result = run_claim(claim, _context(store))
    failures = [(t.tier, t.detail) for t in result.tiers if t.outcome is Outcome.FAIL]
    # a claim whose headline is only reported at this profile is NOT-JUDGED, never PASS
    expected = Outcome.PASS if claim.headline_judged("quick") else Outcome.NOT_JUDGED
    assert result.outcome is expected, failures
    assert bool(result.not_judged) == (expected is Outcome.NOT_JUDGED)


@pytest.mark.parametrize(("claim_id", "evaluator"), own_pairs("relu"))
@pytest.mark.parametrize("factor", [1.1, 1.01])
def test_an_evaluator_scaled_fails_its_claim(claim_id, evaluator, factor, store):
    (claim,) = select([claim_id])
    result = run_claim(claim, _context(store, evaluators=scaled(evaluator, factor)))
    outcomes = {t.tier: t.outcome for t in result.tiers}
    assert result.outcome is Outcome.FAIL and outcomes["precision"] is Outcome.FAIL


def test_the_exponent_is_gated_at_the_paper_profile_only(store, tiny_paper):
    (claim,) = select(["relu-scratch-power-law"])
    gated = {}
    for profile in ("quick", "paper"):
        result = run_claim(claim, _context(store, profile=profile))
        (check,) = [c for t in result.tiers for c in t.checks if "paper's fit" in c.label]
        assert check.predicted == pytest.approx(1.18)
        gated[profile] = check.gated
    assert gated == {"quick": False, "paper": True}


def test_the_transfer_grid_is_paired(store):
    grid = relu.transfer_grid(_context(store))
    quick = relu_sweeps.RELU_PROFILES["quick"]
    assert set(grid) == {(mu, n) for mu in quick.removed for n in quick.sample_sizes}
    assert all(se >= 0 for _, se in grid.values())
