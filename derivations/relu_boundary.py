"""The ReLU scratch power law and the predicted negative-transfer boundary (Sec. 4, Fig. 3e).

The ReLU section has no closed form for training from scratch: the paper fits the scratch risk of
the two-layer ReLU student with a power law R_sc(n) ≈ A n^(−ν) (ν ≈ 1.18 at d = 100; A is not
given). Transfer, by eq. 18, reaches the part of the target outside the pretrained feature space,
R_tx ≈ C(n) + ‖P⊥f_t‖² with C(n) → 0; neglecting C(n), transfer is negative once the scratch risk
falls below that floor, and the predicted boundary (the grey circles of Fig. 3e) is the n* at
which A n*^(−ν) = ‖P⊥f_t‖², n* = (A/‖P⊥f_t‖²)^(1/ν).

* ``relu_scratch_power_law``: the fitted model A n^(−ν) (an empirical model, not derived) and its
  logarithmic form, the straight line that :func:`fate_numeric.relu_analysis.fit_power_law` fits.
* ``relu_transfer_boundary``: n* from solving A n^(−ν) = ‖P⊥f_t‖² in logarithms (SymPy's solve),
  with the sign of T = A n^(−ν) − ‖P⊥f_t‖² on either side (it decreases in n); n* = ∞ where
  ‖P⊥f_t‖² = 0.
"""

from __future__ import annotations

import functools

import sympy as sp

from derivations import record as check
from derivations.record import DerivedResult, Regime, Step
from derivations.symbols import amplitude, exponent, n, n_star, out_of_span

_REFERENCE = "Sec. 4, Fig. 3e"
_EMPIRICAL = "the empirical scratch power law of Sec. 4 (Fig. 3e); A and ν are fitted, not derived"
_R_SC = sp.Symbol("R_sc")
_R_TX = sp.Symbol("R_tx")


@functools.cache
def power_law() -> DerivedResult:
    """R_sc(n) ≈ A n^(−ν): the model fitted to the ReLU scratch risks."""
    model = amplitude * n ** (-exponent)
    in_logs = sp.log(amplitude) - exponent * sp.log(n)
    # exp(log A − ν log n) rather than A n^(−ν): the same number, and exact rational arguments
    # (python -m derivations eval) do not make SymPy search for roots of a huge degree
    evaluated = sp.exp(in_logs)
    return DerivedResult(
        name="relu_scratch_power_law",
        title="The power law fitted to the scratch risk of the ReLU student",
        reference=f"{_REFERENCE} (docs/paper.md §5.4)",
        regime=Regime.APPROXIMATE,
        assumptions=(_EMPIRICAL, "A > 0, ν > 0, n > 0"),
        expr=evaluated,
        steps=(
            Step(
                sp.Eq(_R_SC, model),
                "the model of the scratch risk against the sample size n (the paper fits "
                "ν ≈ 1.18 at d = 100)",
                check.unchecked("an empirical model of simulated risks, not a derived result"),
            ),
            Step(
                sp.Eq(sp.log(_R_SC), in_logs),
                "in logarithms a straight line in log n: slope −ν, intercept log A, fitted by "
                "least squares of the log mean risk (fate_numeric.relu_analysis)",
                check.equal(source=sp.Eq(sp.log(_R_SC), sp.log(model))),
            ),
            Step(
                sp.Eq(_R_SC, evaluated),
                "the model written through logarithms (the form evaluated numerically)",
                check.equal(source=sp.Eq(_R_SC, model)),
            ),
        ),
        notes=(
            "Not a theorem: the paper's ReLU section is numerical (docs/paper.md §5.4). The "
            "record exists so that every evaluation of the fitted law goes through one "
            "lambdified expression."
        ),
        variables=(n, amplitude, exponent),
    )


@functools.cache
def transfer_boundary() -> DerivedResult:
    """n* = (A/‖P⊥f_t‖²)^(1/ν): where the scratch power law meets the transfer floor of eq. 18."""
    scratch = amplitude * n_star ** (-exponent)  # the power law at n* (the first step checks it)
    transferability = scratch - out_of_span
    slope = sp.diff(transferability, n_star)
    # Solved in logarithms, as the power law is fitted: log n* = (log A − log F_perp)/ν.
    log_n = sp.Symbol("log_n_star", real=True)
    in_logs = sp.Eq(sp.log(amplitude) - exponent * log_n, sp.log(out_of_span))
    (log_solution,) = sp.solve(in_logs, log_n)
    solution = sp.exp(log_solution)
    result = sp.Piecewise((solution, out_of_span > 0), (sp.oo, True))
    return DerivedResult(
        name="relu_transfer_boundary",
        title="Predicted negative-transfer boundary of the ReLU students",
        reference=f"{_REFERENCE} (grey circles), eq. 18 (docs/paper.md §5.2, §5.4)",
        regime=Regime.APPROXIMATE,
        assumptions=(
            _EMPIRICAL,
            "eq. 18: R_tx ≈ C(n) + ‖P⊥f_t‖² with C(n) → 0, and C(n) neglected",
            "F_perp = ‖P⊥f_t‖² >= 0 (relu_out_of_span_norm)",
        ),
        expr=result,
        steps=(
            Step(
                sp.Eq(_R_SC, scratch),
                "the scratch power law (relu_scratch_power_law) at n = n*",
                check.substitution({n: n_star}, source=sp.Eq(_R_SC, power_law().expr)),
            ),
            Step(
                sp.Eq(_R_TX, out_of_span),
                "eq. 18 without C(n): transfer reaches the part of f_t outside the pretrained "
                "feature space",
                check.unchecked("eq. 18 with C(n) → 0 neglected (the paper's approximation)"),
            ),
            Step(
                sp.Eq(sp.Symbol("T"), transferability),
                "T = R_sc − R_tx (docs/paper.md §2.4) with the two steps above",
                check.substitution(
                    {_R_SC: scratch, _R_TX: out_of_span},
                    source=sp.Eq(sp.Symbol("T"), _R_SC - _R_TX),
                ),
            ),
            Step(
                sp.Eq(sp.Derivative(transferability, n_star), slope),
                "T decreases in n (−νA n^(−ν−1) < 0): positive transfer below the n* where "
                "T = 0, negative above",
                check.derivative(n_star, source=transferability),
            ),
            Step(
                in_logs,
                "T = 0 for F_perp > 0, in logarithms (the straight line of "
                "relu_scratch_power_law), with log_n_star = log n*",
                check.unchecked("the logarithm of A n*^(−ν) = F_perp, both sides positive"),
            ),
            Step(
                sp.Tuple(log_solution),
                "solved for log n*",
                check.solutions(log_n, source=in_logs),
            ),
            Step(
                sp.Eq(n_star, solution),
                "n* = (A/F_perp)^(1/ν)",
                check.substitution({log_n: log_solution}, source=sp.Eq(n_star, sp.exp(log_n))),
            ),
            Step(
                sp.Eq(sp.Limit(solution, out_of_span, 0, "+"), sp.oo),
                "as F_perp → 0 the boundary recedes to infinity",
            ),
            Step(
                result,
                "F_perp = 0 (f_t inside the feature space): T > 0 at every n, n* = ∞",
                check.unchecked("T = A n^(−ν) > 0 for every n when F_perp = 0"),
            ),
        ),
        notes=(
            "Both the power law and eq. 18 are approximations; claim relu-transfer-boundary "
            "reports n* beside the simulated sign change of T_lt and gates only its trend with "
            "the removed fraction (docs/paper.md §5.4). Written exp((log A − log F_perp)/ν), "
            "the form in which it is solved."
        ),
        variables=(amplitude, exponent, out_of_span),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return power_law(), transfer_boundary()
