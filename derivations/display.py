"""How an expression is shown to a reader (terminal and LaTeX): flattened, and elided if huge.

Some derivation steps hold explicit symbolic matrices (the gradient-flow identities are checked
on 3x3 matrices of independent symbols); printed in full they run to thousands of characters. The
reader sees a stand-in naming the object and its size instead, unless ``full`` is asked for.
"""

from __future__ import annotations

import sympy as sp

from derivations.piecewise import flatten

#: Expressions whose LaTeX is longer than this many characters are elided.
LATEX_LIMIT = 1200


def too_long(expr: sp.Basic) -> bool:
    """Whether ``expr`` is too large to be worth printing."""
    return len(sp.latex(expr)) > LATEX_LIMIT


def summary(expr: sp.Basic) -> sp.Symbol:
    """A one-symbol stand-in for an expression too large to print, naming its kind and size."""
    if isinstance(expr, sp.MatrixBase):
        kind = f"{expr.rows}x{expr.cols} matrix"
    elif isinstance(expr, sp.Tuple):
        kind = f"tuple of {len(expr)} expressions"
    elif isinstance(expr, sp.Equality):
        kind = f"equation with {sp.count_ops(expr)} operations"
    else:
        kind = f"expression with {sp.count_ops(expr)} operations"
    return sp.Symbol(f"[{kind}: too long to show]")


def for_display(expr: sp.Basic, *, full: bool = False) -> sp.Basic:
    """``expr`` as it should be shown: nested Piecewise flattened, huge objects elided."""
    expr = flatten(expr)
    return expr if full or not too_long(expr) else summary(expr)
