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


#: What the source tags in the provenance of a printed formula (:mod:`derivations.paper`) stand
#: for; docs/paper.md §1.3 describes each source and how far it is trusted.
SOURCE_TAGS: dict[str, str] = {
    "[PAPER]": "the paper itself (arXiv 2410.08194: its abstract and the opening of its "
    "introduction)",
    "[NOTES]": "a third-party annotated reading of the paper's v2 (GitHub "
    "msrepo/theory_inclined_papers_with_annotations, papers/2025-tahir-features-are-fate), which "
    "quotes its theorems and equation numbers",
    "[CODE]": "the authors' code (their repository's scripts and plotting notebook plots.ipynb)",
    "[REVIEW]": "the public ICLR 2025 reviews of the paper's v1",
    "[DERIVED]": "derived or checked independently, and re-derived by this package",
}


def source_legend(text: str) -> list[str]:
    """One line per source tag (``[NOTES]``, ``[CODE]``, …) that occurs in ``text``, saying
    what it stands for, in the order of :data:`SOURCE_TAGS`."""
    return [f"{tag} = {meaning}" for tag, meaning in SOURCE_TAGS.items() if tag in text]
