"""The one equality engine of the derivations: are two expressions equal?

Two modules ask that question. :mod:`derivations.compare` asks it of a derived result and the
formula the paper prints (``python -m derivations check``); :mod:`derivations.explain` asks it of a
step and its re-executed check (``python -m derivations explain``). Both answer it with the same
two tests, defined here once:

1. :func:`symbolic_difference` — ``simplify(a − b)``: zero means equal, a nonzero number means
   different, anything else is inconclusive;
2. :func:`probe` — both sides evaluated at random points to many digits: one point where they
   differ beyond the tolerance means different; enough agreeing points mean equal.

What differs between the two callers is the *policy* of the probe, passed as arguments, never a
second implementation:

* ``compare`` judges a result against the paper on the paper's own ranges: every symbol is drawn
  from :data:`derivations.symbols.PROBE_DOMAINS` (:func:`draw_in_domain`, an error for a symbol
  without one), restricted by the printed formula's side condition ``where``; 50 digits; a point
  where only one side is finite (or real) decides *different*, and the probe visits all its points
  to report the largest relative difference.
* ``explain`` confirms a step, whose expressions may hold auxiliary symbols of a derivation
  (:func:`draw_for_step`: the symbol's probe domain kept away from 0, a small default range
  otherwise); 30 digits; points where a side cannot be evaluated are skipped, and the first
  disagreeing point decides.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from derivations.symbols import PROBE_DOMAINS

#: A way of drawing the probe's values: (symbols, generator) -> {symbol: exact number}.
Draw = Callable[[Iterable[sp.Symbol], random.Random], dict]


def symbolic_difference(a: sp.Basic, b: sp.Basic) -> bool | None:
    """True if ``simplify(a − b)`` is 0, False if it is a nonzero number, None otherwise."""
    difference = sp.simplify(a - b)
    if difference == 0:
        return True
    if difference.is_number and difference.is_zero is False:
        return False
    return None


def draw_in_domain(symbols: Iterable[sp.Symbol], rng: random.Random) -> dict:
    """A point of the paper's ranges: each symbol uniform in its ``PROBE_DOMAINS`` entry."""
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


def draw_for_step(symbols: Iterable[sp.Symbol], rng: random.Random) -> dict:
    """A point for a derivation step: the probe domain where there is one (real ones kept above
    10⁻³ and rounded to denominators ≤ 10⁶), integers 3..40 for other integer symbols, and
    (0.05, 2.5) for the auxiliary symbols of a derivation."""
    values = {}
    for symbol in symbols:
        domain = PROBE_DOMAINS.get(symbol)
        if domain is not None and domain.integer:
            values[symbol] = sp.Integer(rng.randint(int(domain.lower), int(domain.upper)))
        elif symbol.is_integer:
            values[symbol] = sp.Integer(rng.randint(3, 40))
        elif domain is not None:
            low, high = max(domain.lower, 1e-3), domain.upper
            values[symbol] = sp.Rational(rng.uniform(low, high)).limit_denominator(10**6)
        else:
            values[symbol] = sp.Rational(rng.uniform(0.05, 2.5)).limit_denominator(10**6)
    return values


def numeric_value(
    expr: sp.Basic, values: dict, digits: int, *, real: bool, exact_replace: bool
) -> sp.Basic | None:
    """``expr`` at ``values`` to ``digits`` digits, or None where it is not a finite number (nor
    real, with ``real``) or cannot be evaluated there (an unevaluated derivative whose variable
    the substitution replaced by a number). ``exact_replace`` substitutes by ``xreplace`` (the
    symbols as they are), otherwise by ``subs``."""
    try:
        substituted = expr.xreplace(values) if exact_replace else expr.subs(values)
        value = sp.N(substituted, digits)
    except (ValueError, TypeError):
        return None
    if not value.is_number or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    if real and not value.is_real:
        return None
    return value


def relative_difference(p: sp.Basic, q: sp.Basic) -> sp.Basic:
    """|p − q| relative to the larger of 1, |p| and |q|."""
    return abs(p - q) / max(sp.Integer(1), abs(p), abs(q))


@dataclass(frozen=True)
class ProbeOutcome:
    """What the probe found.

    ``agree``: True if every usable point agreed (and there were ``points`` of them), False if one
    disagreed (or, with ``one_sided="differs"``, only one side was finite there), None if too few
    points were usable. ``points``: the usable points; ``worst``: the largest relative difference
    seen (inf where only one side was finite); ``detail``: why it is not True, in words.
    """

    agree: bool | None
    points: int
    worst: sp.Basic
    detail: str = ""


def probe(
    pairs: Sequence[tuple[sp.Basic, sp.Basic]],
    *,
    draw: Draw,
    digits: int,
    tolerance: sp.Basic,
    points: int,
    max_draws: int,
    seed: int = 0,
    where: sp.Basic = sp.true,
    real: bool,
    exact_replace: bool,
    one_sided: str,
    first_difference_decides: bool,
) -> ProbeOutcome:
    """Compare the pairs of scalar expressions at random points (one generator, ``seed``).

    A draw is discarded where ``where`` does not hold, and where no pair can be evaluated on both
    sides. ``one_sided`` says what a pair finite on one side only means: ``"differs"`` (the
    expressions differ) or ``"skip"`` (discard the draw). A point is usable once some pair is
    finite on both sides; those pairs must agree to ``tolerance`` (relative). With
    ``first_difference_decides`` the first disagreeing point ends the probe; otherwise the probe
    visits ``points`` usable points and reports the largest difference. Expressions holding an
    undefined function cannot be evaluated: no usable point.
    """
    if one_sided not in ("differs", "skip"):
        raise ValueError(f"one_sided must be 'differs' or 'skip'; got {one_sided!r}")
    if any(side.atoms(AppliedUndef) for pair in pairs for side in pair):
        return ProbeOutcome(None, 0, sp.Float(0), "too few probe points in domain")
    symbols = sorted(
        set().union(
            *(sp.sympify(e).free_symbols for pair in pairs for e in pair),
            sp.sympify(where).free_symbols,
        ),
        key=lambda s: s.name,
    )
    rng = random.Random(seed)
    used, worst, draws = 0, sp.Float(0), 0
    while used < points and draws < max_draws:
        draws += 1
        values = draw(symbols, rng)
        if sp.sympify(where).subs(values) is not sp.true:
            continue
        evaluated = [
            tuple(
                numeric_value(e, values, digits, real=real, exact_replace=exact_replace)
                for e in pair
            )
            for pair in pairs
        ]
        if all(p is None and q is None for p, q in evaluated):
            continue
        if any((p is None) != (q is None) for p, q in evaluated):
            if one_sided == "skip":
                continue
            return ProbeOutcome(False, used, sp.oo, f"only one side is finite at {values}")
        for p, q in evaluated:
            if p is not None:
                error = relative_difference(p, q)
                worst = max(worst, error)
                if first_difference_decides and error > tolerance:
                    return ProbeOutcome(False, used, worst, "a probe point disagrees")
        used += 1
    if used < points:
        return ProbeOutcome(None, used, worst, "too few probe points in domain")
    if worst > tolerance:
        return ProbeOutcome(False, used, worst, f"largest relative difference {float(worst):.3e}")
    return ProbeOutcome(True, used, worst)
