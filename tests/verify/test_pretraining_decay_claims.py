"""The weight-decay extension claims (verify.claims.pretraining_decay, docs/paper.md §12) judge the
archived d = 500 cells of the ``pretraining_decay`` sweep without simulating them.

That they hold on a tiny grid and that a scaled evaluator fails them are the tests of
``test_claims`` and ``test_extension_claims`` (every claim, every extension pair)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from fate_numeric import sweeps
from verify.claims import select
from verify.claims.pretraining_decay import SWEEP
from verify.model import Outcome
from verify.runner import ARCHIVED_TIER, archived_context, run_claim

CPU = torch.device("cpu")
CELLS = sweeps.cells_of(SWEEP, "paper")


@pytest.fixture(scope="module")
def paper_archive():
    context = archived_context(CPU, 0)
    assert context is not None
    return context


def _expected_checks(claim_id: str) -> int:
    grid = [c for c in CELLS if c.pretrain_weight_decay in sweeps.PRETRAIN_DECAYS]
    if claim_id == "ext-wd-pretraining":  # per pretrained network: scale, and the O(α) directions
        networks = {
            (c.pretrain_weight_decay, c.theta) for c in CELLS if c.procedure != "fine_tuning"
        }
        collapsed = {n for n in networks if n[0] >= 2}
        return 2 * len(networks) - len(collapsed)
    if claim_id == "ext-wd-linear-transfer":
        return sum(c.procedure == "linear_transfer" for c in grid)
    if claim_id == "ext-wd-fine-tuning":  # the derived κ and the ungated frozen contrast
        return 2 * sum(c.procedure == "fine_tuning" for c in grid)
    return sum(c.procedure == "fine_tuning" for c in CELLS if c not in grid)


@pytest.mark.parametrize(
    "claim_id",
    ["ext-wd-pretraining", "ext-wd-linear-transfer", "ext-wd-fine-tuning", "ext-wd-optimal-decay"],
)
def test_the_d500_tier_judges_the_archived_cells(claim_id, paper_archive):
    (claim,) = select([claim_id])
    assert SWEEP in claim.archived
    simulation_only = replace(claim, tiers={"simulation": claim.tiers["simulation"]})
    tier = next(
        t
        for t in run_claim(simulation_only, paper_archive, paper_archive).tiers
        if t.tier == ARCHIVED_TIER
    )
    assert tier.outcome is Outcome.PASS, tier.detail
    assert len(tier.checks) == _expected_checks(claim_id)
    assert all(c.d == 500 for c in tier.checks)
    assert f"{SWEEP} (an extension" in tier.detail
    gated = [c for c in tier.checks if c.gated]
    assert len(gated) >= 0.75 * len([c for c in tier.checks if "contrast" not in c.label])


def test_the_frozen_contrast_is_rejected_where_the_derived_factor_holds(paper_archive):
    """At d = 500, below interpolation, the derived κ = √p c fits the converged cells (|z| < 3)
    while eq. 143's frozen κ = p misses many of them by more than 5 standard errors."""
    (claim,) = select(["ext-wd-fine-tuning"])
    simulation_only = replace(claim, tiers={"simulation": claim.tiers["simulation"]})
    tier = next(
        t
        for t in run_claim(simulation_only, paper_archive, paper_archive).tiers
        if t.tier == ARCHIVED_TIER
    )
    main = [c for c in tier.checks if c.gated and "n=750" not in c.label]
    contrast = {c.label.removesuffix(": contrast"): c for c in tier.checks if "contrast" in c.label}
    assert len(main) >= 40
    for check in main:
        assert abs(check.measured - check.predicted) < 3 * check.standard_error, check.label
    missed = [
        c
        for c in main
        if abs(contrast[c.label].measured - contrast[c.label].predicted)
        > 5 * contrast[c.label].standard_error
    ]
    assert len(missed) >= 10
