"""Allowed ranges of the evaluators' arguments, and their validation.

Every public evaluator checks its arguments here before any arithmetic, so that bad input gets one
exception type (:class:`~derivations.errors.InvalidArgumentError`) with a message naming the
argument, what was given and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from derivations.errors import InvalidArgumentError


@dataclass(frozen=True)
class Domain:
    """A real interval, optionally restricted to integers."""

    lower: float = -math.inf
    upper: float = math.inf
    lower_closed: bool = True
    upper_closed: bool = True
    integer: bool = False

    def describe(self) -> str:
        """Human-readable form, e.g. ``an integer > 2`` or ``a real number in [0, π/2]``."""
        kind = "an integer" if self.integer else "a real number"
        finite_lower, finite_upper = math.isfinite(self.lower), math.isfinite(self.upper)
        if finite_lower and finite_upper:
            left, right = "[" if self.lower_closed else "(", "]" if self.upper_closed else ")"
            return f"{kind} in {left}{_show(self.lower)}, {_show(self.upper)}{right}"
        if finite_lower:
            return f"{kind} {'>=' if self.lower_closed else '>'} {_show(self.lower)}"
        if finite_upper:
            return f"{kind} {'<=' if self.upper_closed else '<'} {_show(self.upper)}"
        return f"a finite {kind.removeprefix('a ').removeprefix('an ')}"

    def violations(self, values: np.ndarray) -> np.ndarray:
        """Boolean mask of the entries outside the domain (non-finite entries included)."""
        bad = ~np.isfinite(values)
        finite = np.where(bad, 0.0, values)
        bad |= (finite < self.lower) if self.lower_closed else (finite <= self.lower)
        bad |= (finite > self.upper) if self.upper_closed else (finite >= self.upper)
        if self.integer:
            bad |= finite != np.round(finite)
        return bad


def _show(value: float) -> str:
    for multiple, text in ((1.0, "π"), (0.5, "π/2")):
        if value == math.pi * multiple:
            return text
    return f"{value:g}"


def validate(name: str, value: object, domain: Domain) -> np.ndarray:
    """``value`` as a float64 array, or :class:`InvalidArgumentError` if any entry is outside."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"{name} must be {domain.describe()} (or an array of them); got {value!r}"
        ) from None
    bad = domain.violations(array)
    if bad.any():
        if array.ndim == 0:
            got = repr(array.item())
        else:
            got = f"{int(bad.sum())} of {array.size} entries outside, e.g. {float(array[bad][0])!r}"
        raise InvalidArgumentError(f"{name} must be {domain.describe()}; got {got}")
    return array


POSITIVE = Domain(0.0, math.inf, lower_closed=False)
NONNEGATIVE = Domain(0.0, math.inf)
ANGLE_HALF = Domain(0.0, math.pi / 2)  # θ in the phase-diagram range [0, π/2]
ANGLE = Domain(0.0, math.pi)  # θ in [0, π] where the formula holds for any angle
POSITIVE_INTEGER = Domain(1.0, math.inf, integer=True)
INTEGER_ABOVE_TWO = Domain(2.0, math.inf, lower_closed=False, integer=True)
UNIT_OPEN = Domain(0.0, 1.0, lower_closed=False, upper_closed=False)
ANY_REAL = Domain()
