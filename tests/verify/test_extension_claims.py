"""The extension claims (verify.claims.extensions, docs/paper.md §11): shown as extensions, judged
at d = 500 on the archived ``rank_k`` sweep as the paper's claims are on theirs, and a broken
evaluator of their own equations (scaled by 1.1) turns them FAIL — run as ``verify all`` runs
them, the d = 500 tier included.

That they hold on a tiny grid is ``test_claims.test_every_claim_holds_on_a_tiny_grid`` (every
registered claim)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from altered_theory import scaled
from own_evaluators import AT_D500, OWN_EVALUATORS, as_verify_all, own_pairs

from fate_numeric import sweeps, theory
from fate_numeric.archive import REPOSITORY_ARCHIVE, Archive, export_sweep
from fate_numeric.store import ResultStore
from verify.__main__ import main
from verify.claims import CLAIMS, Context, select
from verify.claims.extensions import FT_SWEEP, REFERENCE, SWEEP
from verify.claims.pretraining_decay import REFERENCE as DECAY_REFERENCE
from verify.model import Outcome
from verify.runner import ARCHIVED_TIER, archived_context, run_claim

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
        "ext-rank-k-fine-tuning",
        "ext-wd-pretraining",
        "ext-wd-linear-transfer",
        "ext-wd-fine-tuning",
        "ext-wd-optimal-decay",
        "ext-wd-finite-source",
    ]
    assert CLAIMS[-len(EXTENSIONS) :] == EXTENSIONS
    for claim in CLAIMS:
        assert claim.extension == claim.id.startswith("ext-"), claim.id
    for claim in EXTENSIONS:
        assert claim.title.startswith("Extension:")
        assert claim.reference in (REFERENCE, DECAY_REFERENCE)
    assert {c for c, _ in own_pairs("extensions")} <= set(OWN_EVALUATORS)
    assert {c for c, _ in own_pairs("pretraining_decay")} <= set(OWN_EVALUATORS)


def test_the_rank_k_claims_with_simulations_declare_the_archived_sweeps_they_read():
    """A claim with a simulation tier lists the rank_k or rank_k_fine_tuning sweep (and scratch
    where it pairs with it) in ``archived``, so ``verify all`` adds its d = 500 tier; every name
    is a sweep, and the extension sweeps are ones (``fate_numeric.sweeps.EXTENSION_SWEEPS``)."""
    assert sweeps.is_extension(SWEEP) and sweeps.is_extension(FT_SWEEP)
    for claim in (c for c in EXTENSIONS if c.reference == REFERENCE):
        reads = bool({SWEEP, FT_SWEEP} & set(claim.archived))
        assert ("simulation" in claim.tiers) == reads, claim.id
        for name in claim.archived:
            assert sweeps.cells_of(name, "paper")  # a named sweep, the paper's or an extension
    (transferability,) = select(["ext-rank-k-transferability"])
    assert set(transferability.archived) == {SWEEP, "scratch"}
    for claim_id, evaluators in AT_D500.items():
        (claim,) = select([claim_id])
        assert claim.archived and set(evaluators) <= set(OWN_EVALUATORS[claim_id])


@pytest.fixture(scope="module")
def paper_archive() -> Context:
    """The repository's d = 500 archive, as ``verify all`` reads it (tier sim500)."""
    context = archived_context(CPU, 0)
    assert context is not None and SWEEP in Archive(REPOSITORY_ARCHIVE / "paper").sweeps
    return context


def _d500(result):
    (tier,) = [t for t in result.tiers if t.tier == ARCHIVED_TIER]
    return tier


@pytest.mark.parametrize(
    "claim_id", [c.id for c in EXTENSIONS if c.archived and c.reference == REFERENCE]
)
def test_the_d500_tier_judges_the_archived_rank_k_cells(claim_id, paper_archive):
    """On the archived cells, never simulating (the archive is the context's store): one check
    per cell (three per pretrained network for the pretraining claim; for fine-tuning, the bound
    and the head's drift below interpolation), every one gated, at d = 500 with the sweep's 20
    instances, and the claim holds."""
    (claim,) = select([claim_id])
    simulation_only = replace(claim, tiers={"simulation": claim.tiers["simulation"]})
    tier = _d500(run_claim(simulation_only, paper_archive, paper_archive))
    assert tier.outcome is Outcome.PASS, tier.detail
    sweep = FT_SWEEP if FT_SWEEP in claim.archived else SWEEP
    cells = sweeps.cells_of(sweep, "paper")
    below = sum(c.n < c.d for c in cells)
    expected = {
        "ext-rank-k-pretraining": 3 * len({(c.source_rank, c.theta) for c in cells}),
        "ext-rank-k-fine-tuning-bound": below,
        "ext-rank-k-fine-tuning": len(cells) + below,
    }.get(claim_id, len(cells))
    assert len(tier.checks) == expected
    assert all(c.gated and c.d == 500 for c in tier.checks)
    assert f"{sweep} (an extension" in tier.detail  # where the numbers came from


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
def test_an_evaluator_scaled_by_1_1_fails_its_claim(
    claim_id, evaluator, store, tiny, paper_archive
):
    """As ``verify all`` runs it, the d = 500 tier included where the claim reads archived
    sweeps; that tier fails by itself for the evaluators it compares the cells with."""
    (claim,) = select([claim_id])
    result = as_verify_all(claim, _context(store), paper_archive, scaled(evaluator, 1.1))
    assert result.outcome is Outcome.FAIL
    assert not any(t.detail.startswith("error") for t in result.tiers)
    if claim.archived:
        d500 = _d500(result)
        assert d500.checks and all(c.d == 500 for c in d500.checks)
        failing = d500.outcome is Outcome.FAIL
        assert failing == (evaluator in AT_D500.get(claim_id, ())), d500.outcome


def test_a_registered_extension_sweep_is_read_from_the_archive_like_the_papers(
    tmp_path, monkeypatch
):
    """``Context.sweep`` takes an extension sweep's name: simulated into the store in a quick
    context, read from an archive (never simulated) in a d = 500-style one."""

    def toy(profile, seed):  # a registry entry, nothing more
        yield from sweeps.EXTENSION_SWEEPS[SWEEP](profile, seed)

    monkeypatch.setitem(sweeps.PROFILES, "quick", TINY)
    monkeypatch.setitem(sweeps.EXTENSION_SWEEPS, "toy_extension", toy)
    store = ResultStore(tmp_path / "store")
    simulated = _context(store).sweep("toy_extension")
    cells = [cell for cell, _ in simulated]
    assert [c.config() for c in cells] == [c.config() for c in sweeps.cells_of(SWEEP, "quick")]
    export_sweep("toy_extension", cells, store, tmp_path / "archive", extension=True)
    archived = Context(
        profile="quick", device=CPU, seed=0, store=Archive(tmp_path / "archive"), simulate=False
    ).sweep("toy_extension")
    for (_, mine), (_, theirs) in zip(archived, simulated, strict=True):
        assert mine.keys() == theirs.keys()
        for name in mine:
            np.testing.assert_array_equal(mine[name], theirs[name])
