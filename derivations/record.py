"""The record of one derived result: what it is, where the paper states it, and how it was derived.

Every module of :mod:`derivations` returns :class:`DerivedResult` objects. A record's ``expr`` is
the end of its ``steps``: each step is a SymPy expression produced by the algebra of the module
(solve, limit, integrate, dsolve, ...) together with a one-line justification, so that a reader
(and ``python -m derivations show NAME``) can follow the derivation from the model to the result.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import sympy as sp


class Regime(enum.Enum):
    """In which sense a result holds."""

    ASYMPTOTIC = "asymptotic"  # proportional limit n, d -> oo with n/d fixed (or n -> oo)
    EXACT_FINITE_SIZE = "exact finite-size"  # an exact expectation at finite n, d
    EXACT = "exact"  # an identity (algebra, conservation law, ODE solution)
    APPROXIMATE = "approximate"  # relies on an approximation beyond the limit (stated in notes)


@dataclass(frozen=True)
class Step:
    """One step of a derivation: an expression and why it follows from the previous ones."""

    expr: sp.Basic
    why: str


@dataclass(frozen=True)
class DerivedResult:
    """A result of the paper re-derived by SymPy.

    Attributes:
        name: unique identifier, ``snake_case`` (used by the CLI and the evaluators).
        title: one-line human-readable title.
        reference: where the paper states it, e.g. ``"Thm 3.6, eq. 8"``.
        regime: in which sense it holds.
        assumptions: the hypotheses, in words.
        expr: the result (a SymPy expression, relation, tuple or matrix).
        steps: the derivation, in order; the last step's expression is ``expr`` or implies it.
        printed: name of the formula in :mod:`derivations.paper` that the result must equal,
            or ``None`` where the paper prints no formula for it.
        notes: caveats, errata and decisions (SPEC §8), in words.
    """

    name: str
    title: str
    reference: str
    regime: Regime
    assumptions: tuple[str, ...]
    expr: sp.Basic
    steps: tuple[Step, ...]
    printed: str | None = None
    notes: str = ""
    variables: tuple[sp.Symbol, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError(f"result {self.name!r} has no derivation steps")
        if not self.variables:
            ordered = tuple(sorted(self.expr.free_symbols, key=lambda s: s.name))
            object.__setattr__(self, "variables", ordered)
