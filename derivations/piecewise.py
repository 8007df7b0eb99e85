"""Piecewise expressions as flat lists of branches (for display and per-branch evaluation)."""

from __future__ import annotations

import sympy as sp


def branches(expr: sp.Basic) -> list[tuple[sp.Basic, sp.Basic]]:
    """The ``(expression, condition)`` branches of ``expr``, nested Piecewise expanded.

    A non-piecewise expression is the single branch ``(expr, True)``. Conditions are meant in
    order (the first true one applies), exactly as in :class:`sympy.Piecewise`.
    """
    if not isinstance(expr, sp.Piecewise):
        return [(expr, sp.true)]
    flat = []
    for piece in expr.args:
        for inner_expr, inner_cond in branches(piece.expr):
            flat.append((inner_expr, sp.And(piece.cond, inner_cond)))
    return flat


def flatten(expr: sp.Basic) -> sp.Basic:
    """``expr`` with nested Piecewise merged into one level (same meaning, easier to read)."""
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*branches(expr))
    if isinstance(expr, sp.Tuple):
        return sp.Tuple(*(flatten(e) for e in expr))
    return expr
