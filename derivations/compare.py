"""Is a derived expression equal to a printed one?

Two independent tests, because ``simplify(a - b) == 0`` is sufficient but can miss equalities:

1. symbolic: ``simplify`` of the difference (branch by branch for piecewise expressions whose
   conditions coincide);
2. numeric probe: both sides evaluated with mpmath at ``dps`` significant digits at random points
   drawn from :data:`derivations.symbols.PROBE_DOMAINS` (restricted by optional side conditions).

The expressions are equivalent when the probe agrees to ``dps - 10`` digits at every point and the
symbolic difference is zero or inconclusive (SymPy could not reduce it); a symbolic difference that
is provably nonzero, or one disagreeing probe point, means not equivalent.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

import sympy as sp

from derivations.symbols import PROBE_DOMAINS


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
    difference = sp.simplify(a - b)
    if difference == 0:
        return True
    if difference.is_number and difference.is_zero is False:
        return False
    return None


def _draw(symbols: Iterable[sp.Symbol], rng: random.Random) -> dict[sp.Symbol, sp.Rational]:
    values = {}
    for symbol in symbols:
        domain = PROBE_DOMAINS.get(symbol)
        if domain is None:
            raise KeyError(f"no probe domain for symbol {symbol} (add it to symbols.PROBE_DOMAINS)")
        if domain.integer:
            values[symbol] = sp.Integer(rng.randint(int(domain.lower), int(domain.upper)))
        else:
            values[symbol] = sp.Rational(rng.uniform(domain.lower, domain.upper))
    return values


def _numeric(expr: sp.Basic, values: dict, dps: int) -> sp.Expr | None:
    value = sp.N(expr.subs(values), dps)
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not value.is_number:
        return None
    if not value.is_real:
        return None
    return value


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

    symbols = sorted(
        set().union(*(sp.sympify(e).free_symbols for e in (*left, *right, where))),
        key=lambda s: s.name,
    )
    rng = random.Random(seed)
    tolerance = sp.Float(10) ** (-(dps - 10))
    used, worst, draws = 0, sp.Float(0), 0
    while used < points and draws < max_draws:
        draws += 1
        values = _draw(symbols, rng)
        if sp.sympify(where).subs(values) is not sp.true:
            continue
        pairs = [
            (_numeric(a, values, dps), _numeric(b, values, dps))
            for a, b in zip(left, right, strict=True)
        ]
        if all(p is None and q is None for p, q in pairs):
            continue
        for p, q in pairs:
            if (p is None) != (q is None):
                return Equivalence(
                    False, symbolic, used, float("inf"), f"only one side is finite at {values}"
                )
            if p is not None:
                error = abs(p - q) / max(sp.Integer(1), abs(p), abs(q))
                worst = max(worst, error)
        used += 1
    if used < points:
        return Equivalence(False, symbolic, used, float(worst), "too few probe points in domain")
    probe_ok = worst <= tolerance
    equal = probe_ok and symbolic is not False
    detail = "" if equal else f"largest relative difference {float(worst):.3e}"
    return Equivalence(equal, symbolic, used, float(worst), detail)
