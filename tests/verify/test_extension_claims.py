"""The extension claims (verify.claims.extensions, docs/paper.md §11): shown as extensions, and a
broken evaluator of their own equations (scaled by 1.1) turns them FAIL.

That they hold on a tiny grid is ``test_claims.test_every_claim_holds_on_a_tiny_grid`` (every
registered claim)."""

from __future__ import annotations

import pytest
import torch
from altered_theory import scaled
from own_evaluators import OWN_EVALUATORS, own_pairs

from fate_numeric import sweeps, theory
from fate_numeric.store import ResultStore
from verify.__main__ import main
from verify.claims import CLAIMS, Context, select
from verify.claims.extensions import REFERENCE
from verify.claims.pretraining_decay import REFERENCE as DECAY_REFERENCE
from verify.model import Outcome
from verify.runner import run_claim

CPU = torch.device("cpu")
TINY = sweeps.Profile(
    "quick", d=20, instances=24, gammas=(0.5, 1.0, 1.5), theta_fractions=(0.5, 1.0)
)
EXTENSIONS = [c for c in CLAIMS if c.extension]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> ResultStore:
    return ResultStore(tmp_path_factory.mktemp("store"))


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(sweeps.PROFILES, "quick", TINY)


def _context(store, evaluators=theory) -> Context:
    return Context(profile="quick", device=CPU, seed=0, store=store, theory=evaluators)


def test_extensions_are_marked_and_registered_after_the_papers_claims():
    assert [c.id for c in EXTENSIONS] == [
        "ext-rank-k-pretraining",
        "ext-rank-k-lt-risk",
        "ext-rank-k-transferability",
        "ext-rank-k-fine-tuning-bound",
        "ext-wd-pretraining",
        "ext-wd-linear-transfer",
        "ext-wd-fine-tuning",
        "ext-wd-optimal-decay",
    ]
    assert CLAIMS[-len(EXTENSIONS) :] == EXTENSIONS
    for claim in CLAIMS:
        assert claim.extension == claim.id.startswith("ext-"), claim.id
    for claim in EXTENSIONS:
        assert claim.title.startswith("Extension:")
        assert claim.reference in (REFERENCE, DECAY_REFERENCE)
    assert {c for c, _ in own_pairs("extensions")} <= set(OWN_EVALUATORS)
    assert {c for c, _ in own_pairs("pretraining_decay")} <= set(OWN_EVALUATORS)


def test_verify_list_tags_the_extensions(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    rows = out.split("\n\n")[0]  # the table (titles may wrap), then the footnote
    assert rows.count("[extension]") == len(EXTENSIONS)
    assert all(claim.id in rows for claim in EXTENSIONS)
    assert "[extension]: beyond the paper" in out


@pytest.mark.parametrize(
    ("claim_id", "evaluator"), own_pairs("extensions") + own_pairs("pretraining_decay")
)
def test_an_evaluator_scaled_by_1_1_fails_its_claim(claim_id, evaluator, store, tiny):
    (claim,) = select([claim_id])
    result = run_claim(claim, _context(store, scaled(evaluator, 1.1)))
    assert result.outcome is Outcome.FAIL
    assert not any(t.detail.startswith("error") for t in result.tiers)
