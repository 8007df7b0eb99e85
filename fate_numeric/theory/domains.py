"""Allowed ranges of the evaluators' arguments, and their validation.

The ranges themselves live in :mod:`derivations.domains` (one table, shared with
``python -m derivations eval``, which must not import this package; docs/design.md §3); this
module re-exports them and checks arrays against them. Every public evaluator checks its arguments
here before any arithmetic, so that bad input gets one exception type
(:class:`~derivations.errors.InvalidArgumentError`) with a message naming the argument, what was
given and what is allowed. Booleans, strings and complex numbers are refused even where numpy
would convert them (``True`` is not the number 1 here, nor ``"0.5"`` the number 0.5).
"""

from __future__ import annotations

import numpy as np

from derivations.domains import (
    ANGLE,
    ANGLE_HALF,
    ANY_REAL,
    COSINE,
    INTEGER_ABOVE_TWO,
    NONNEGATIVE,
    NONNEGATIVE_INTEGER,
    POSITIVE,
    POSITIVE_INTEGER,
    UNIT_OPEN,
    Domain,
    domain_of,
)
from derivations.errors import InvalidArgumentError

__all__ = [
    "ANGLE",
    "ANGLE_HALF",
    "ANY_REAL",
    "COSINE",
    "INTEGER_ABOVE_TWO",
    "NONNEGATIVE",
    "NONNEGATIVE_INTEGER",
    "POSITIVE",
    "POSITIVE_INTEGER",
    "UNIT_OPEN",
    "Domain",
    "domain_of",
    "validate",
    "violations",
]

#: numpy kinds accepted as numbers: signed and unsigned integers, floats.
_NUMERIC_KINDS = "iuf"


def violations(domain: Domain, values: np.ndarray) -> np.ndarray:
    """Boolean mask of the entries of ``values`` outside ``domain`` (non-finite ones included)."""
    bad = ~np.isfinite(values)
    finite = np.where(bad, 0.0, values)
    bad |= (finite < domain.lower) if domain.lower_closed else (finite <= domain.lower)
    bad |= (finite > domain.upper) if domain.upper_closed else (finite >= domain.upper)
    if domain.integer:
        bad |= finite != np.round(finite)
    return bad


def _not_a_number(value: object) -> str | None:
    """What is wrong with a value numpy would convert but that is not a number, else None."""
    if value is None:
        return "None"
    if isinstance(value, bool | np.bool_):
        return f"the boolean {value!r} (booleans are not numbers here)"
    if isinstance(value, str | bytes):
        return f"the text {value!r} (pass a number, not a string)"
    if isinstance(value, complex | np.complexfloating):
        return f"the complex number {value!r}"
    return None


def _scan(value: object) -> str | None:
    """The first entry of nested lists/tuples that is not a number (see :func:`_not_a_number`)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif (problem := _not_a_number(item)) is not None:
            return problem
    return None


def validate(name: str, value: object, domain: Domain) -> np.ndarray:
    """``value`` as a float64 array, or :class:`InvalidArgumentError` if any entry is outside."""
    allowed = f"{name} must be {domain.describe()} (or an array of them)"
    problem = _scan(value) if isinstance(value, list | tuple) else _not_a_number(value)
    if problem is not None:
        raise InvalidArgumentError(f"{allowed}; got {problem}")
    try:
        raw = np.asarray(value)
        if raw.dtype.kind == "O":  # e.g. Fractions, or a list mixing numbers and other things
            for item in raw.flat:
                if (problem := _not_a_number(item)) is not None:
                    raise InvalidArgumentError(f"{allowed}; got an array holding {problem}")
        elif raw.dtype.kind not in _NUMERIC_KINDS:
            raise InvalidArgumentError(f"{allowed}; got an array of dtype {raw.dtype}")
        array = np.asarray(raw, dtype=np.float64)
    except OverflowError:
        raise InvalidArgumentError(f"{allowed}; got a number beyond the float64 range") from None
    except (TypeError, ValueError) as error:
        if isinstance(error, InvalidArgumentError):
            raise
        raise InvalidArgumentError(f"{allowed}; got {value!r:.80}") from None
    bad = violations(domain, array)
    if bad.any():
        if array.ndim == 0:
            got = repr(array.item())
        else:
            got = f"{int(bad.sum())} of {array.size} entries outside, e.g. {float(array[bad][0])!r}"
        raise InvalidArgumentError(f"{name} must be {domain.describe()}; got {got}")
    return array
