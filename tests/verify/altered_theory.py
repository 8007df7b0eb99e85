"""The theory evaluators with some of them altered: how the tests break a claim on purpose."""

from __future__ import annotations

import types
from collections.abc import Callable

from fate_numeric import theory


def replaced(**evaluators: Callable) -> types.SimpleNamespace:
    """Every evaluator of :mod:`fate_numeric.theory`, with the named ones replaced."""
    unknown = set(evaluators) - set(theory.EVALUATORS)
    if unknown:
        raise KeyError(f"no evaluator named {', '.join(sorted(unknown))}")
    return types.SimpleNamespace(
        **{key: evaluators.get(key, getattr(theory, key)) for key in theory.EVALUATORS}
    )


def scaled(name: str, factor: float) -> types.SimpleNamespace:
    """Every evaluator, with ``name`` multiplied by ``factor`` (component-wise for tuples)."""
    original = getattr(theory, name)

    def altered(*args, **kwargs):
        value = original(*args, **kwargs)
        return tuple(factor * v for v in value) if isinstance(value, tuple) else factor * value

    return replaced(**{name: altered})
