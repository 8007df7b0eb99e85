"""The claims of the paper and the evidence for each (docs/design.md §6.1).

The registry and the run context live in :mod:`verify.claims.core`; each family of claims is a
module that registers its claims on import, in the order of the paper:

- :mod:`verify.claims.linear` — the deep linear theory (Sections 2–3, Apps. C, G;
  docs/paper.md §3, §8, §9).
- :mod:`verify.claims.relu` — two-layer ReLU networks (Sec. 4, App. E, Fig. 3; docs/paper.md §5).
- :mod:`verify.claims.similarity` — dataset similarity does not predict transfer (App. A,
  docs/paper.md §4).
- :mod:`verify.claims.extensions` — extensions beyond the paper, not its claims (ids ``ext-``;
  docs/paper.md §11), and :mod:`verify.claims.pretraining_decay` — weight decay during
  pretraining (docs/paper.md §12).
"""

from verify.claims import (
    linear,  # noqa: F401  (registers the claims)
    relu,  # noqa: F401  (after linear: Sec. 4, App. E)
    similarity,  # noqa: F401  (after linear: App. A)
)

# isort: split
from verify.claims import (
    extensions,  # noqa: F401  (last: beyond the paper, docs/paper.md §11)
    pretraining_decay,  # noqa: F401  (extension, docs/paper.md §12)
)
from verify.claims.core import CLAIMS, Claim, Context, SkipTier, claim, paper_check, select

__all__ = ["CLAIMS", "Claim", "Context", "SkipTier", "claim", "paper_check", "select"]
