"""The allowed range of every variable of every derived result, in one table.

Both routes that evaluate a record at numbers refuse the same inputs with the same words: the
lambdified evaluators of ``fate_numeric.theory`` (which import this module; the arrow points that
way, docs/design.md §3) and the hand calculation of ``python -m derivations eval``
(:mod:`derivations.evaluate`). :func:`domain_of` answers, in this order:

1. :data:`RECORD_DOMAINS`: a range particular to one result (``lt_risk`` needs n > 2; the
   negative-transfer interval is stated for θ ≤ π/2; a KL divergence needs σ > 0);
2. :data:`SYMBOL_DOMAINS`: the usual range of a shared symbol that its SymPy assumptions cannot
   say (θ ∈ [0, π]; a cosine in [−1, 1]);
3. the symbol's own assumptions: ``positive`` → > 0, ``nonnegative`` → >= 0, ``integer`` → an
   integer (with ``positive``: >= 1), anything else a finite real number.

Pure Python apart from the symbols; no numpy (``fate_numeric.theory.domains`` adds the array
check).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from derivations import symbols as S


@dataclass(frozen=True)
class Domain:
    """A real interval, optionally restricted to integers (bounds are floats; ±inf for none)."""

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

    def contains(self, value: float) -> bool:
        """Whether the float ``value`` lies in the domain (NaN and ±inf never do).

        A bound that is a multiple of π is the float nearest to it, so compare the float of an
        exact value (``float(sympy.pi / 2) == math.pi / 2``), not the exact value itself.
        """
        if not math.isfinite(value):
            return False
        if value < self.lower or (value == self.lower and not self.lower_closed):
            return False
        if value > self.upper or (value == self.upper and not self.upper_closed):
            return False
        return not self.integer or float(value).is_integer()


def _show(value: float) -> str:
    for multiple, text in ((1.0, "π"), (0.5, "π/2")):
        if value == math.pi * multiple:
            return text
    return f"{value:g}"


POSITIVE = Domain(0.0, math.inf, lower_closed=False)
NONNEGATIVE = Domain(0.0, math.inf)
ANGLE_HALF = Domain(0.0, math.pi / 2)  # θ in the phase-diagram range [0, π/2]
ANGLE = Domain(0.0, math.pi)  # θ in [0, π] where the formula holds for any angle
POSITIVE_INTEGER = Domain(1.0, math.inf, integer=True)
NONNEGATIVE_INTEGER = Domain(0.0, math.inf, integer=True)
INTEGER_ABOVE_TWO = Domain(2.0, math.inf, lower_closed=False, integer=True)
UNIT_OPEN = Domain(0.0, 1.0, lower_closed=False, upper_closed=False)
COSINE = Domain(-1.0, 1.0)
ANY_REAL = Domain()
ANY_INTEGER = Domain(integer=True)

#: Usual ranges of shared symbols beyond what their assumptions say.
SYMBOL_DOMAINS: dict[sp.Symbol, Domain] = {
    S.theta: ANGLE,
    S.u_cos: COSINE,
    S.rho: Domain(0.0, 1.0),  # ‖(I − P_k)β_t‖² of a unit target (extension, docs/paper.md §11)
}

#: Ranges particular to one result, by record name and symbol.
RECORD_DOMAINS: dict[str, dict[sp.Symbol, Domain]] = {
    # eq. 10 divides by n − 2 (Thm 3.7 needs n > 2 target samples)
    **{
        name: {S.n: INTEGER_ABOVE_TWO}
        for name in (
            "lt_risk",
            "lt_risk_finite_source_n",
            "lt_transferability_finite",
            "lt_transferability_finite_source_d",
            "lt_risk_gap",
            "lt_risk_remainder_bound",
        )
    },
    # γ = 1 + σ²/sin²θ needs sin θ > 0; θ* = arccos(1 − σ) needs 1 − σ >= −1
    "lt_negative_threshold_overparam": {S.theta: Domain(0.0, math.pi / 2, lower_closed=False)},
    "lt_negative_threshold_angle": {S.sigma: Domain(0.0, 2.0)},
    # the fitted power law A n^(−ν) is evaluated on a continuum of sample sizes (Fig. 3e)
    "relu_scratch_power_law": {S.n: POSITIVE},
    # γ = 1 + σ²/ρ needs a target partly outside the features (extension, docs/paper.md §11)
    "lt_negative_threshold_overparam_rank_k": {S.rho: Domain(0.0, 1.0, lower_closed=False)},
    # extension (docs/paper.md §12): fine-tuning needs a pretrained network that has not
    # collapsed (λ_p < 2), and κ only matters below interpolation (γ < 1)
    **{
        name: {S.lambda_p: Domain(0.0, 2.0, upper_closed=False), **extra}
        for name, extra in (
            ("wd_ft_scale", {S.gamma: UNIT_OPEN}),
            ("wd_ft_transferability", {}),
            ("wd_ft_transferability_frozen", {}),
            ("wd_ft_break_even", {S.gamma: UNIT_OPEN}),
        )
    },
    "wd_ft_optimal_decay": {S.gamma: UNIT_OPEN, S.theta: ANGLE_HALF},
    "wd_lt_risk": {S.n: INTEGER_ABOVE_TWO},
    # the negative-transfer interval is stated on the phase diagram's range of angles
    "lt_negative_interval": {S.theta: ANGLE_HALF},
    # the best γ < 1 of scratch training exists for 0 < σ < 1
    "scratch_optimum": {S.sigma: UNIT_OPEN},
    # a Kullback-Leibler divergence of Gaussian label noise needs σ > 0 (App. D.1)
    **{
        name: {S.sigma: POSITIVE}
        for name in (
            "kl_label_noise",
            "kl_family",
            "kl_negated_target",
            "kl_construction_alpha",
            "kl_printed_alpha_failure",
        )
    },
}


def from_assumptions(symbol: sp.Symbol) -> Domain:
    """The range a symbol's SymPy assumptions state (``positive``, ``nonnegative``, ``integer``)."""
    integer = bool(symbol.is_integer)
    if symbol.is_positive:
        return POSITIVE_INTEGER if integer else POSITIVE
    if symbol.is_nonnegative:
        return NONNEGATIVE_INTEGER if integer else NONNEGATIVE
    return ANY_INTEGER if integer else ANY_REAL


def domain_of(record: str, symbol: sp.Symbol) -> Domain:
    """The allowed range of ``symbol`` in the result named ``record`` (module docstring)."""
    particular = RECORD_DOMAINS.get(record, {})
    if symbol in particular:
        return particular[symbol]
    if symbol in SYMBOL_DOMAINS:
        return SYMBOL_DOMAINS[symbol]
    return from_assumptions(symbol)
