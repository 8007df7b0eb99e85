"""The claim registry, :class:`Context`, :class:`Claim` and ``@claim`` (docs/design.md §6.1).

Every claim has up to four tiers — ``symbolic``, ``precision``, ``montecarlo``, ``simulation`` —
each a function from the run's :class:`Context` to a list of :class:`~verify.model.Check` s. A
family of claims lives in its own module of this package and registers itself on import.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import torch

from derivations.consistency import check_result
from derivations.errors import UnknownResultError
from derivations.registry import get
from fate_numeric import montecarlo, service, theory
from fate_numeric.experiments import Cell
from verify.model import Check
from verify.stats import exact_check


class SkipTier(Exception):
    """A tier that cannot run here (the message says why)."""


@dataclass
class Context:
    """What every check may use: profile, device, seed, the store, the theory evaluators."""

    profile: str
    device: torch.device
    seed: int
    store: Any
    theory: ModuleType | Any = theory
    #: False: the cells must already be stored (the archive of paper-scale runs); a tier that
    #: needs others is skipped with the reason instead of simulating them.
    simulate: bool = True
    #: The risks whose simulated standard error is guarded from below by a Monte Carlo of the
    #: limit object (:meth:`population_sd`); for the others it comes from the instances alone.
    guarded: tuple[str, ...] = ("scratch", "linear_transfer", "fine_tuning")
    #: Where the simulations come from, in words (shown with the tier's evidence).
    source: str = ""
    _sweeps: dict[str, list[tuple[Any, dict[str, np.ndarray]]]] = field(default_factory=dict)
    _sds: dict[tuple, float] = field(default_factory=dict)
    #: The cells read since :meth:`forget_cells` (the runner reads each tier's scale from them).
    _read: list[Any] = field(default_factory=list)

    def sweep(self, name: str) -> list[tuple[Any, dict[str, np.ndarray]]]:
        """The cells of a named sweep of either family and their arrays, read once per context
        through the sweep service (:func:`fate_numeric.service.load_sweep`: simulated where the
        store lacks them, or the tier skipped when this context does not simulate)."""
        if name not in self._sweeps:
            self._sweeps[name] = service.load_sweep(
                name,
                self.profile,
                self.store,
                self.device,
                seed=self.seed,
                simulate=self.simulate,
                missing=self._skip_unless_simulating,
            )
        self._read.extend(cell for cell, _ in self._sweeps[name])
        return self._sweeps[name]

    def forget_cells(self) -> None:
        """Start a new record of the cells read (the runner calls it before each tier)."""
        self._read.clear()

    def cells_read(self) -> list[Any]:
        """The cells read since :meth:`forget_cells`, each with ``d`` and ``instances``."""
        return list(self._read)

    def run(self, cells: list[Cell]) -> list[dict[str, np.ndarray]]:
        """The arrays of some cells, simulated where the store lacks them, then from the store
        (:func:`fate_numeric.service.load_cells`)."""
        self._read.extend(cells)
        return service.load_cells(
            cells,
            self.store,
            self.device,
            simulate=self.simulate,
            missing=self._skip_unless_simulating,
        )

    def _skip_unless_simulating(self, missing: list, cells: list) -> None:
        """The missing-cell policy of a context that does not simulate: skip the tier."""
        if not self.simulate:
            raise SkipTier(
                f"{len(missing)} of {len(cells)} cells (d = {missing[0].d}) are not archived; "
                f"{self.source or 'nothing is simulated in this context'}"
            )

    def draws(self) -> int:
        return 400 if self.profile == "quick" else 2000

    def population_sd(self, kind: str, *args: float) -> float | None:
        """Standard deviation of a per-instance risk, from 2000 draws of its limit object
        (``None`` for a kind not in ``guarded``: the standard error then comes from the
        instances).

        Linear transfer (θ, n, σ) samples one limit object per n: in the two-dimensional
        reduction of Thm 3.7 (``montecarlo.linear_transfer_risks``) the risk is
        sin²θ + ((sinθ w + σε)·z / ‖z‖²)², and sinθ w + σε is N(0, (sin²θ + σ²) I) independent
        of z, so risk − sin²θ has the law of (sin²θ + σ²) times the risk − 1 at θ = π/2, σ = 0.
        Its standard deviation is that factor times the one of the unit object at the same n
        (one Monte Carlo per n instead of per cell; ``tests/verify/test_population_sd.py``
        checks the two against each other)."""
        if kind not in self.guarded:
            return None
        if kind == "linear_transfer":
            theta, n, sigma = args
            scale = math.sin(theta) ** 2 + sigma**2
            return scale * self._sampled_sd("linear_transfer", math.pi / 2, n, 0.0)
        return self._sampled_sd(kind, *args)

    def _sampled_sd(self, kind: str, *args: float) -> float:
        key = (kind, *args)
        if key not in self._sds:
            if kind == "scratch":  # (n, d, sigma)
                values = montecarlo.scratch_risks(*args, 2000, seed=self.seed)
            elif kind == "linear_transfer":  # (theta, n, sigma)
                values = montecarlo.linear_transfer_risks(*args, 2000, seed=self.seed)
            else:  # fine-tuning: (theta, n, d, sigma)
                values = montecarlo.fine_tuning_risks(*args, 2000, seed=self.seed).transfer
            self._sds[key] = float(np.std(values, ddof=1))
        return self._sds[key]


Tier = Callable[[Context], list[Check]]


@dataclass(frozen=True)
class Claim:
    """One statement of the paper (or a documented erratum) with the evidence for it."""

    id: str
    title: str
    reference: str
    tiers: dict[str, Tier]
    expected_deviation: str = ""
    #: The named sweeps its simulation tier reads and nothing else: that tier also runs on the
    #: archived paper-scale sweeps (``simulation_d500``).
    archived: tuple[str, ...] = ()
    #: Why the claim's headline comparison (its title's) is reported but not gated: the claim is
    #: then NOT-JUDGED where its gated checks pass, never PASS (and FAIL where one fails).
    not_judged: str = ""
    #: The profiles where that headline is gated after all (empty: none).
    judged_at: tuple[str, ...] = ()
    #: What is known about a number of the authors that the claim tries to reproduce: the claim
    #: is UNREPRODUCED (not an erratum, not a failure) where its ``authors_number`` check misses.
    authors_number: str = ""
    #: An extension beyond the paper (docs/paper.md §11), not one of its claims.
    extension: bool = False

    def headline_judged(self, profile: str) -> bool:
        """Whether the claim's headline comparison is gated at ``profile``."""
        return not self.not_judged or profile in self.judged_at


CLAIMS: list[Claim] = []


def claim(
    id: str,
    title: str,
    reference: str,
    expected_deviation: str = "",
    archived: tuple[str, ...] = (),
    not_judged: str = "",
    judged_at: tuple[str, ...] = (),
    authors_number: str = "",
    extension: bool = False,
):
    """Register a claim whose tiers are given by the decorated function's returned dict."""

    def register(build: Callable[[], dict[str, Tier]]) -> Callable[[], dict[str, Tier]]:
        CLAIMS.append(
            Claim(
                id,
                title,
                reference,
                build(),
                expected_deviation,
                archived,
                not_judged,
                judged_at,
                authors_number,
                extension,
            )
        )
        return build

    return register


def paper_check(result: str) -> list[Check]:
    """The derived result against the printed formula (simplify + 50-digit probe)."""
    row = check_result(get(result))
    probe = row.equivalence
    simplified = {True: "0", False: "nonzero", None: "inconclusive"}[probe.symbolic]
    note = (
        f"{probe.probe_points} probe points at 50 digits; simplify(derived − printed): {simplified}"
    )
    checks = [
        exact_check(
            f"{result} vs {row.equation}",
            probe.max_relative_error,
            0.0,
            1e-40,
            note,
            expect_deviation=bool(row.erratum and row.outcome != "PASS"),
        )
    ]
    return checks


def select(ids: list[str] | None) -> list[Claim]:
    """The claims with the given ids (all when ``None``), in registry order."""
    if not ids:
        return list(CLAIMS)
    known = {c.id: c for c in CLAIMS}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise UnknownResultError(
            f"unknown claim(s) {', '.join(unknown)}; `python -m verify list` shows them all"
        )
    return [known[i] for i in ids]
