"""Is a derived expression equal to a printed one?

Two independent tests, because ``simplify(a - b) == 0`` is sufficient but can miss equalities:

1. symbolic: ``simplify`` of the difference (branch by branch for piecewise expressions whose
   conditions coincide);
2. numeric probe: both sides evaluated with mpmath at ``dps`` significant digits at random points
   drawn from :data:`derivations.symbols.PROBE_DOMAINS` (restricted by optional side conditions).

The expressions are equivalent when the probe agrees to ``dps - 10`` digits at every point and the
symbolic difference is zero or inconclusive (SymPy could not reduce it); a symbolic difference that
is provably nonzero, or one disagreeing probe point, means not equivalent.

Both tests are those of :mod:`derivations.equality`, the engine that :mod:`derivations.explain`
uses too; this module sets the policy of the paper check (the paper's ranges, 50 digits, every
point visited).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derivations.equality import draw_in_domain, probe, symbolic_difference


@dataclass(frozen=True)
class Equivalence:
    """Outcome of :func:`equivalent`."""

    equal: bool
    symbolic: bool | None  # True: simplify gave 0; False: provably different; None: inconclusive
    probe_points: int
    max_relative_error: float
    detail: str = ""


def _components(expr: sp.Basic) -> list[sp.Basic]:
    if isinstance(expr, sp.Tuple | tuple | list):
        return list(expr)
    if isinstance(expr, sp.MatrixBase):
        return list(expr)
    return [expr]


def _symbolic_difference(a: sp.Basic, b: sp.Basic) -> bool | None:
    """True if ``a - b`` simplifies to zero, False if it is a nonzero number, None otherwise."""
    if isinstance(a, sp.Piecewise) and isinstance(b, sp.Piecewise):
        if len(a.args) != len(b.args) or any(
            ca.cond != cb.cond for ca, cb in zip(a.args, b.args, strict=True)
        ):
            return None
        verdicts = [
            _symbolic_difference(ca.expr, cb.expr) for ca, cb in zip(a.args, b.args, strict=True)
        ]
        if all(v is True for v in verdicts):
            return True
        return False if any(v is False for v in verdicts) else None
    if isinstance(a, sp.Piecewise) or isinstance(b, sp.Piecewise):
        return None
    return symbolic_difference(a, b)


def equivalent(
    derived: sp.Basic,
    printed: sp.Basic,
    *,
    where: sp.Basic = sp.true,
    seed: int = 0,
    points: int = 16,
    dps: int = 50,
    max_draws: int = 2000,
) -> Equivalence:
    """Compare two expressions (or tuples of expressions) symbolically and by a numeric probe.

    Args:
        derived, printed: the expressions; tuples are compared component by component.
        where: a side condition on the free symbols (e.g. ``n > 2``); draws violating it are
            discarded.
        seed: seed of the probe's private random generator.
        points: number of probe points at which both sides must be finite and agree.
        dps: working precision (decimal digits) of the probe.
        max_draws: give up (not equivalent) after this many draws without enough usable points.
    """
    left, right = _components(derived), _components(printed)
    if len(left) != len(right):
        return Equivalence(False, False, 0, float("inf"), "different number of components")
    verdicts = [_symbolic_difference(a, b) for a, b in zip(left, right, strict=True)]
    if all(v is True for v in verdicts):
        symbolic: bool | None = True
    elif any(v is False for v in verdicts):
        symbolic = False
    else:
        symbolic = None

    outcome = probe(
        list(zip(left, right, strict=True)),
        draw=draw_in_domain,
        digits=dps,
        tolerance=sp.Float(10) ** (-(dps - 10)),
        points=points,
        max_draws=max_draws,
        seed=seed,
        where=sp.sympify(where),
        real=True,
        exact_replace=False,
        one_sided="differs",
        first_difference_decides=False,
    )
    worst = float(outcome.worst)
    if outcome.agree is None or (outcome.agree is False and outcome.worst == sp.oo):
        return Equivalence(False, symbolic, outcome.points, worst, outcome.detail)
    equal = outcome.agree is True and symbolic is not False
    detail = "" if equal else f"largest relative difference {worst:.3e}"
    return Equivalence(equal, symbolic, outcome.points, worst, detail)
