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
class Check:
    """How SymPy confirms a step: an operation re-executed on an input and compared with the step.

    :mod:`derivations.explain` runs it. ``kind`` is one of :data:`CHECK_KINDS`; ``source`` is the
    input of the operation (``None``: the previous step's expression); ``params`` are its SymPy
    arguments (a variable and a point, a mapping, ...), ``option`` a plain-text option (the side
    of a limit), ``reason`` the reason a step is *not* machine-checked (kind ``"unchecked"``).
    Use the constructors below rather than the class itself.
    """

    kind: str
    source: sp.Basic | None = None
    params: tuple[sp.Basic, ...] = ()
    option: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in CHECK_KINDS:
            raise ValueError(f"unknown check kind {self.kind!r}; known: {', '.join(CHECK_KINDS)}")
        # Immutable SymPy objects only, so that the check survives the srepr cache round trip.
        object.__setattr__(self, "source", _immutable(self.source))
        object.__setattr__(self, "params", tuple(_immutable(p) for p in self.params))


def _immutable(value):
    if value is None:
        return None
    if isinstance(value, sp.MatrixBase):
        return sp.ImmutableMatrix(value)
    if isinstance(value, tuple | list):
        return sp.Tuple(*(_immutable(v) for v in value))
    return sp.sympify(value)


#: The vocabulary of step checks (what each one re-executes is described in derivations.explain).
CHECK_KINDS: tuple[str, ...] = (
    "equal",  # the step equals its input (an algebraic rewriting)
    "substitution",  # the step is its input with symbols replaced
    "limit",  # the step is a limit of its input
    "integral",  # the step is a definite integral of its input
    "derivative",  # the step is a derivative of its input
    "series",  # the step is a truncated series expansion of its input
    "solve",  # the step lists the solutions of its input (an equation) for a variable
    "dsolve",  # the step solves the ODE of its input (checkodesol and the initial value)
    "modulo",  # the step is the normal form of its input modulo polynomial constraints
    "identity",  # the expression in ``source`` simplifies to zero (the identity the step states)
    "unchecked",  # the step rests on an argument SymPy cannot run (``reason`` says which)
)


def equal(source: sp.Basic | None = None) -> Check:
    """The step is an algebraic rewriting of ``source`` (default: the previous step)."""
    return Check("equal", source)


def substitution(mapping: dict, source: sp.Basic | None = None) -> Check:
    """The step is ``source.subs(mapping)`` (then simplified)."""
    pairs = tuple(sp.Tuple(sp.sympify(k), sp.sympify(v)) for k, v in mapping.items())
    return Check("substitution", source, pairs)


def limit(
    variable: sp.Symbol, point: sp.Basic, side: str = "+", source=None, first: dict | None = None
) -> Check:
    """The step is ``limit(source.subs(first), variable, point, side)``."""
    pairs = tuple(sp.Tuple(sp.sympify(k), sp.sympify(v)) for k, v in (first or {}).items())
    return Check("limit", source, (variable, sp.sympify(point), *pairs), option=side)


def integral(variable: sp.Symbol, lower: sp.Basic, upper: sp.Basic, source=None) -> Check:
    """The step is the definite integral of ``source`` over ``variable`` from lower to upper."""
    return Check("integral", source, (variable, sp.sympify(lower), sp.sympify(upper)))


def derivative(variable: sp.Symbol, source: sp.Basic | None = None) -> Check:
    """The step is ``diff(source, variable)``."""
    return Check("derivative", source, (variable,))


def series(variable: sp.Symbol, point: sp.Basic, order: int, source=None) -> Check:
    """The step is ``source.series(variable, point, order).removeO()``."""
    return Check("series", source, (variable, sp.sympify(point), sp.Integer(order)))


def solutions(
    variable: sp.Basic, source: sp.Basic | None = None, within: tuple | None = None
) -> Check:
    """The step lists the solutions of the equation ``source`` for ``variable`` (as a set).

    ``within = (lower, upper)`` restricts them to that closed interval (``solveset``).
    """
    bounds = tuple(sp.sympify(b) for b in within) if within else ()
    return Check("solve", source, (variable, *bounds))


def ode_solution(function: sp.Basic, initial: dict | None = None, source=None) -> Check:
    """The step (an ``Eq(f(t), ...)``) solves the ODE ``source``, with optional initial values."""
    pairs = tuple(sp.Tuple(sp.sympify(k), sp.sympify(v)) for k, v in (initial or {}).items())
    return Check("dsolve", source, (function, *pairs))


def modulo(constraints, generators, source: sp.Basic | None = None) -> Check:
    """The step is ``source`` reduced modulo the ideal of ``constraints`` (each = 0).

    The normal form is taken against a lex Gröbner basis in ``generators``; it is zero exactly
    when the input vanishes because of the constraints (e.g. unit norms ‖u‖² − 1 = 0).
    """
    return Check("modulo", source, (sp.Tuple(*constraints), sp.Tuple(*generators)), option="lex")


def identity(expr: sp.Basic) -> Check:
    """The step states that ``expr`` (an expression, matrix or tuple) vanishes identically."""
    return Check("identity", expr)


def unchecked(reason: str) -> Check:
    """The step rests on an argument SymPy cannot run; ``reason`` names it (shown to the reader)."""
    return Check("unchecked", reason=reason)


@dataclass(frozen=True)
class Step:
    """One step of a derivation: an expression and why it follows from the previous ones.

    ``check`` says how SymPy confirms it (:class:`Check`); ``None`` leaves the choice to
    :mod:`derivations.explain`, which tries equality with earlier steps and cited results.
    """

    expr: sp.Basic
    why: str
    check: Check | None = None


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
        notes: caveats, errata and decisions (docs/paper.md §9), in words.
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


def encode_check(check: Check | None) -> dict | None:
    """A JSON-ready form of ``check`` (expressions as ``srepr``), for the derivation cache."""
    if check is None:
        return None
    return {
        "kind": check.kind,
        "source": None if check.source is None else sp.srepr(check.source),
        "params": [sp.srepr(p) for p in check.params],
        "option": check.option,
        "reason": check.reason,
    }


def decode_check(data: dict | None, parse) -> Check | None:
    """Inverse of :func:`encode_check`; ``parse`` rebuilds an expression from its ``srepr``."""
    if data is None:
        return None
    for key in ("kind", "option", "reason"):
        if not isinstance(data[key], str):
            raise TypeError(f"the check's {key!r} is not text")
    return Check(
        kind=data["kind"],
        source=None if data["source"] is None else parse(data["source"]),
        params=tuple(parse(p) for p in data["params"]),
        option=data["option"],
        reason=data["reason"],
    )
