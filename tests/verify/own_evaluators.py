"""Which evaluator states each claim's own equation: scaled by 1.1, it must make the claim FAIL
(issue 18 §1: every claim's numeric tiers exercise the evaluator of its own equation).

Every registered claim is in exactly one of the two tables (``test_claims`` checks it): in
``OWN_EVALUATORS`` with the evaluators its tiers must not survive a 10 % error in, or in
``WITHOUT_EVALUATOR`` with the reason it has none. The tests run each claim as ``verify all``
does (:func:`as_verify_all`): for a claim that reads archived sweeps, with its d = 500 tier on the
repository's archive too; ``AT_D500`` names the evaluators that tier alone must not survive.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from verify.claims import CLAIMS, Claim, Context
from verify.model import ClaimResult
from verify.runner import run_claim

#: claim id -> the evaluators of its own equation (each scaled by 1.1 in turn).
OWN_EVALUATORS: dict[str, tuple[str, ...]] = {
    # deep linear networks
    "pretrain-time-course": ("pretrain_coefficient",),
    "scratch-risk": ("scratch_risk", "scratch_risk_finite"),
    "lt-risk": ("lt_risk",),
    "lt-transferability": ("lt_transferability",),
    "ridge-lt": ("ridge_lt_risk",),
    "fine-tuning": ("ft_transferability",),
    "finite-source": (
        "ft_transferability_finite_source",
        "ft_risk_finite_source_balanced_d",
        "lt_risk_finite_source_n",
    ),
    "finite-source-scale": ("ft_risk_finite_source_balanced_d",),
    # its L = 3 scratch check (n = 10, d = 30, 60 instances) resolves about 12 %, not 10 %
    "depth-independence": ("lt_risk",),
    "lt-phase-boundaries": ("lt_negative_interval",),
    "finite-size-corrections": (
        "scratch_risk_correction",
        "lt_risk_correction",
        "scratch_risk_gap",
        "lt_risk_gap",
    ),
    "noiseless": ("scratch_risk_finite",),
    # ReLU networks
    "relu-kernel": ("relu_kernel",),
    # dataset similarity
    "kl-identity": ("kl_label_noise", "kl_family"),
    "kl-unbounded": ("kl_negated_target",),
    "dudley-bounded": ("dudley_tent_bound",),
    "w1-unbounded": ("w1_scaled_bounds",),
    "similarity-not-predictive": ("kl_family",),
    # extensions beyond the paper (docs/paper.md §11)
    "ext-rank-k-lt-risk": ("lt_risk_rank_k", "lt_risk_rank_k_proportional"),
    "ext-rank-k-transferability": (
        "lt_transferability_rank_k_finite",
        "lt_transferability_rank_k",
        "lt_rank_k_boundary_finite",
        "lt_negative_interval_rank_k",
        "lt_negative_threshold_overparam_rank_k",
    ),
    "ext-rank-k-fine-tuning-bound": ("ft_rank_k_transferability_bound",),
    "ext-rank-k-fine-tuning": ("ft_rank_k_aligned_transferability",),
    # weight decay during pretraining (docs/paper.md §12)
    "ext-wd-pretraining": ("wd_pretrain_end_point",),
    "ext-wd-linear-transfer": ("wd_lt_risk", "wd_ridge_lt_risk"),
    "ext-wd-fine-tuning": ("wd_ft_transferability",),
    "ext-wd-optimal-decay": ("wd_ft_optimal_decay",),
}

#: claim id -> why no evaluator states its equation, or why a 10 % error in it cannot show.
WITHOUT_EVALUATOR: dict[str, str] = {
    "lt-negative-interval-order": "the printed order of the interval's ends: a 10 % scaling keeps "
    "every sign it checks; lt-phase-boundaries checks T = 0 at the derived ends, which a scaled "
    "lt_negative_interval fails",
    "lt-authors-jitter": "its own number is the authors' plotted point; eq. 10, which it is "
    "compared with, is lt-risk's own equation (a 10 % error is resolved there, not by the "
    "jittered solve's 32 instances at d = 40)",
    "fine-tuning-scale": "an erratum of eq. 15 (ft_transferability scaled still misses the "
    "simulation); the balanced correction is resolved to ± 0.068 at d = 40 (400 instances plus the "
    "measured finite-d bias): enough to tell eq. 15's 0 from −0.15, not a 10 % error",
    "gf-conservation": "an identity (dD/dt = 0) checked in SymPy and by the step-size ratio of "
    "the drift, with no closed-form value to scale",
    "pretraining-rank-one": "the end point is β_s itself with a rank-one feature map: measured "
    "against exact targets (0 loss, rank one), not an evaluator",
    "scratch-min-norm": "compared with X⁺y computed from the same data, not a formula",
    "weight-decay-baseline": "empirical (Fig. 5): weight decay lowering the interpolation peak has "
    "no formula in the paper; lt_risk_limit is only the floor it is compared with",
    "relu-pretraining-features": "a containment and alignment threshold on measured spans, with no "
    "formula",
    "relu-out-of-span-growth": "a monotonicity of measured out-of-span norms, with no formula",
    "relu-scratch-power-law": "the power law is fitted to the simulations (ν ≈ 1.18 is the paper's "
    "fit): its exponent is gated against the printed number at the paper profile "
    "(test_relu_claims)",
    "relu-transfer-boundary": "NOT-JUDGED: the predicted boundary is reported beside the simulated "
    "one, not gated",
    "relu-phase-sign": "the sign structure of simulated transferabilities, with no formula",
    "ext-rank-k-pretraining": "the end point is the projection onto the teachers' span, measured "
    "against it (‖W_1W_1ᵀ − P_k‖ within the pretraining's accuracy, rank k), not an evaluator",
    "ext-wd-finite-source": "the end point is derived per data set (wd_finite_source_end_point, "
    "wd_finite_source_ft_scale); its expectation over data sets is not derived (Marchenko-Pastur "
    "functionals at a self-consistent ridge), so the prediction is the Monte Carlo of the exact "
    "per-draw end point, not an evaluator",
}


#: claim id -> the evaluators its d = 500 tier (``simulation_d500``: the archived paper-profile
#: cells) compares the simulations with; scaled by 1.1, that tier alone must FAIL (measured:
#: 66 of 72 cells miss lt_risk_rank_k, 41 of 72 lt_transferability_rank_k_finite). The others of
#: ``OWN_EVALUATORS`` are judged by the claims' symbolic and Monte Carlo tiers.
AT_D500: dict[str, tuple[str, ...]] = {
    "ext-rank-k-lt-risk": ("lt_risk_rank_k",),
    "ext-rank-k-transferability": ("lt_transferability_rank_k_finite",),
    "ext-rank-k-fine-tuning": ("ft_rank_k_aligned_transferability",),
    # weight decay in pretraining (measured: 15 of 31 pretraining checks miss the scaled end
    # point, 90 of 90 cells the scaled eq. 10, 15 of 76 converged fine-tuning cells the scaled
    # transferability — the only tier that resolves a 10 % error in it)
    "ext-wd-pretraining": ("wd_pretrain_end_point",),
    "ext-wd-linear-transfer": ("wd_lt_risk",),
    "ext-wd-fine-tuning": ("wd_ft_transferability",),
}


def as_verify_all(
    claim: Claim, quick: Context, paper_archive: Context | None, evaluators: Any
) -> ClaimResult:
    """``claim`` run as ``verify all`` runs it, with ``evaluators`` for the theory: its tiers in
    ``quick`` and, where it reads archived sweeps and there is an archive, its simulation tier on
    the archived d = 500 cells (``paper_archive``, ``verify.runner.archived_context``)."""
    archived = None
    if claim.archived and paper_archive is not None:
        archived = replace(paper_archive, theory=evaluators)
    return run_claim(claim, replace(quick, theory=evaluators), archived)


def own_pairs(family: str) -> list[tuple[str, str]]:
    """(claim, evaluator) pairs of the claims that ``verify.claims.<family>`` registers."""
    ids = [
        c.id for c in CLAIMS if next(iter(c.tiers.values())).__module__ == f"verify.claims.{family}"
    ]
    return [(c, e) for c in ids for e in OWN_EVALUATORS.get(c, ())]
