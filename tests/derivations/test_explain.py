"""The step checker (``explain``) and the hand calculation (``eval``).

Every step of every registered derivation is run through the checker: none may fail, and a step
that is not confirmed must say why. Deliberately wrong steps of each check kind must be reported
as FAILED, so that a pass means something.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
import sympy as sp

from derivations import explain
from derivations import record as check
from derivations.__main__ import main
from derivations.evaluate import hand_calculation, parse_assignments
from derivations.explain import Verdict, check_result
from derivations.record import DerivedResult, Regime, Step
from derivations.registry import all_results, get
from derivations.symbols import a0, d, gamma, n, sigma, t


@pytest.fixture(scope="module")
def results() -> dict[str, DerivedResult]:
    return all_results()


def test_every_step_of_every_record_is_checked(results):
    failed, silent = [], []
    confirmed = total = 0
    for name in results:
        checks = explain.checked(name)
        assert [c.number for c in checks] == list(range(1, len(results[name].steps) + 1))
        for c in checks:
            total += 1
            confirmed += c.verdict is Verdict.CONFIRMED
            if c.verdict is Verdict.FAILED:
                failed.append(f"{name} step {c.number}: {c.detail}")
            if c.verdict is Verdict.UNCHECKED and "not machine-checked:" not in c.detail:
                silent.append(f"{name} step {c.number}")
    assert not failed, "steps whose check failed:\n" + "\n".join(failed)
    assert not silent, f"unchecked steps that do not say so: {silent}"
    assert confirmed > total / 2, f"only {confirmed} of {total} steps confirmed"


def test_declared_checks_of_the_paper_results_all_confirm(results):
    """The core results carry explicit checks; each one re-executes and passes."""
    for name in ("scratch_risk", "ridge_lt_risk", "pretrain_coefficient", "inverse_chi2_mean"):
        checks = explain.checked(name)
        declared = [c for c in checks if c.step.check is not None and c.kind != "unchecked"]
        assert declared, name
        assert all(c.verdict is Verdict.CONFIRMED for c in declared), name


def _with_step(result: DerivedResult, index: int, step: Step) -> DerivedResult:
    steps = list(result.steps)
    steps[index] = step
    return dataclasses.replace(result, steps=tuple(steps))


def _toy(*steps: Step) -> DerivedResult:
    return DerivedResult(
        name="toy",
        title="toy",
        reference="none",
        regime=Regime.EXACT,
        assumptions=("none",),
        expr=steps[-1].expr if isinstance(steps[-1].expr, sp.Expr) else sp.Integer(0),
        steps=steps,
    )


def _verdict_of_last(result: DerivedResult, results) -> explain.StepCheck:
    return check_result(result, results)[-1]


def test_a_wrong_limit_step_fails(results):
    original = get("scratch_risk")
    step = original.steps[1]
    under, over = step.expr
    wrong = Step(sp.Tuple(sp.Rational(11, 10) * under, over), step.why, step.check)
    outcome = check_result(_with_step(original, 1, wrong), results)[1]
    assert outcome.verdict is Verdict.FAILED
    assert outcome.kind == "limit"


@pytest.mark.parametrize(
    "steps",
    [
        # substitution that does not give the stated expression
        (
            Step(gamma**2 + sigma, "start", check.unchecked("premise")),
            Step(sp.Rational(1, 4) + sigma + 1, "γ = 1/2", check.substitution({gamma: 0.5})),
        ),
        # a wrong derivative
        (
            Step(gamma**3, "start", check.unchecked("premise")),
            Step(2 * gamma**2, "d/dγ", check.derivative(gamma)),
        ),
        # a wrong set of solutions
        (
            Step(sp.Eq(gamma**2 - 3 * gamma + 2, 0), "start", check.unchecked("premise")),
            Step(sp.Tuple(1, 3), "roots", check.solutions(gamma)),
        ),
        # a function that does not solve the ODE
        (
            Step(
                sp.Eq(sp.Derivative(sp.Function("a")(t), t), -sp.Function("a")(t)),
                "ODE",
                check.unchecked("premise"),
            ),
            Step(
                sp.Eq(sp.Function("a")(t), a0 * sp.exp(-2 * t)),
                "dsolve",
                check.ode_solution(sp.Function("a")(t), {sp.Function("a")(0): a0}),
            ),
        ),
        # the right solution with the wrong initial value
        (
            Step(
                sp.Eq(sp.Derivative(sp.Function("a")(t), t), -sp.Function("a")(t)),
                "ODE",
                check.unchecked("premise"),
            ),
            Step(
                sp.Eq(sp.Function("a")(t), 2 * a0 * sp.exp(-t)),
                "dsolve",
                check.ode_solution(sp.Function("a")(t), {sp.Function("a")(0): a0}),
            ),
        ),
        # an identity that does not hold
        (Step(sp.sin(gamma) ** 2 + sp.cos(gamma), "claim", check.identity(sp.sin(gamma) ** 2)),),
        # a wrong integral
        (
            Step(sp.exp(-gamma * t), "density", check.unchecked("premise")),
            Step(2 / gamma, "∫_0^∞", check.integral(t, 0, sp.oo)),
        ),
        # a stated limit with the wrong value (no declared check: the step states it)
        (Step(sp.Eq(sp.Limit((n + 1) / (2 * n), n, sp.oo), 1), "limit"),),
        # a wrong rewriting
        (
            Step((gamma + 1) ** 2, "start", check.unchecked("premise")),
            Step(gamma**2 + 1, "expand", check.equal()),
        ),
        # a wrong normal form modulo a unit norm
        (
            Step(gamma**2 + sigma**2 + d, "start", check.unchecked("premise")),
            Step(d, "modulo γ² + σ² = 1", check.modulo([gamma**2 + sigma**2 - 1], [gamma, sigma])),
        ),
    ],
    ids=[
        "substitution",
        "derivative",
        "solve",
        "dsolve",
        "initial-value",
        "identity",
        "integral",
        "stated-limit",
        "rewriting",
        "modulo",
    ],
)
def test_a_wrong_step_of_each_kind_fails(steps, results):
    outcome = _verdict_of_last(_toy(*steps), results)
    assert outcome.verdict is Verdict.FAILED, outcome.detail


def test_the_same_steps_done_right_are_confirmed(results):
    """The counterpart of the wrong-step test: each kind confirms a correct step."""
    a = sp.Function("a")

    def start(expr: sp.Basic) -> Step:
        return Step(expr, "start", check.unchecked("premise"))

    half = {gamma: sp.Rational(1, 2)}
    limit = sp.Eq(sp.Limit((n + 1) / (2 * n), n, sp.oo), sp.Rational(1, 2))
    cases = [
        (start(gamma**2 + sigma), Step(sigma + sp.Rational(1, 4), "γ", check.substitution(half))),
        (start(gamma**3), Step(3 * gamma**2, "d/dγ", check.derivative(gamma))),
        (
            start(sp.Eq(gamma**2 - 3 * gamma + 2, 0)),
            Step(sp.Tuple(2, 1), "r", check.solutions(gamma)),
        ),
        (
            start(sp.Eq(sp.Derivative(a(t), t), -a(t))),
            Step(sp.Eq(a(t), a0 * sp.exp(-t)), "dsolve", check.ode_solution(a(t), {a(0): a0})),
        ),
        (start(sp.exp(-gamma * t)), Step(1 / gamma, "∫", check.integral(t, 0, sp.oo))),
        (Step(limit, "limit"),),
        (start((gamma + 1) ** 2), Step(gamma**2 + 2 * gamma + 1, "expand", check.equal())),
    ]
    for steps in cases:
        outcome = _verdict_of_last(_toy(*steps), results)
        assert outcome.verdict is Verdict.CONFIRMED, (steps, outcome.detail)


def test_an_unrelated_step_without_check_is_reported_unchecked(results):
    steps = (Step(gamma**2, "start", check.unchecked("premise")), Step(sigma**3, "by magic"))
    outcome = _verdict_of_last(_toy(*steps), results)
    assert outcome.verdict is Verdict.UNCHECKED
    assert outcome.detail.startswith("not machine-checked")


def test_explain_cli_formats(capsys):
    assert main(["explain", "pretrain_coefficient"]) == 0
    out = capsys.readouterr().out
    assert "Step 2." in out and "✓ dsolve verified: checkodesol" in out
    assert "steps confirmed by SymPy" in out
    assert main(["explain", "scratch_risk", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "**Step 2.**" in out and "$$" in out and "> ✓ limit" in out
    assert main(["explain", "lt_negative_interval", "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert r"\checkmark" in out and r"\begin{enumerate}" in out and "Known erratum" in out


def test_explain_exit_status_is_one_when_a_step_fails(monkeypatch, capsys):
    original = explain.checked("scratch_risk")
    broken = (dataclasses.replace(original[0], verdict=Verdict.FAILED, detail="broken"),)
    monkeypatch.setattr(explain, "checked", lambda name: broken + original[1:])
    assert main(["explain", "scratch_risk"]) == 1
    assert "✗ broken" in capsys.readouterr().out


@pytest.mark.slow
def test_explain_all_prints_a_table(capsys):
    assert main(["explain", "--all"]) == 0
    out = capsys.readouterr().out
    assert "confirmed by SymPy" in out and "0 failed" in out


# --- eval ---------------------------------------------------------------------------------------

_SAMPLE = {
    "gamma": "0.5",
    "sigma": "0.2",
    "theta": "0.7",
    "lam": "0.1",
    "gamma_s": "1.5",
    "sigma_s": "0.3",
    "n": "50",
    "d": "80",
    "t": "0.3",
    "a0": "0.05",
    "a": "0.4",
    "b": "0.8",
}


def _sample(parameter) -> str:
    """A value inside an evaluator parameter's domain (the usual one for the paper's symbols)."""
    if parameter.name in _SAMPLE:
        return _SAMPLE[parameter.name]
    domain = parameter.domain
    if domain.integer:
        return str(max(int(domain.lower) + 1, 3))
    if math.isfinite(domain.lower) and math.isfinite(domain.upper):
        return repr(domain.lower + 0.37 * (domain.upper - domain.lower))
    return repr((domain.lower if math.isfinite(domain.lower) else 0.0) + 0.7)


def test_eval_agrees_with_every_evaluator():
    """The hand calculation (SymPy/mpmath on the record) equals the lambdified evaluator."""
    from fate_numeric.theory import EVALUATORS

    for name, evaluator in EVALUATORS.items():
        texts = {p.symbol: _sample(p) for p in evaluator.parameters}
        result = get(evaluator.result)
        calculation = hand_calculation(
            result, {symbol: sp.Rational(text) for symbol, text in texts.items()}
        )
        numeric = evaluator(**{p.name: float(texts[p.symbol]) for p in evaluator.parameters})
        numeric = numeric if isinstance(numeric, tuple) else (numeric,)
        assert len(numeric) == len(calculation.numbers), name
        for by_hand, lambdified in zip(calculation.numbers, numeric, strict=True):
            if math.isnan(lambdified):
                assert math.isnan(by_hand), name
            else:
                assert math.isclose(by_hand, lambdified, rel_tol=1e-10, abs_tol=1e-12), name


def test_eval_parses_the_symbol_names():
    result = get("ft_transferability_balanced")
    values = parse_assignments(result, ["theta=pi/3", "gamma=1/2", "sigma=0.2"])
    assert {s.name for s in values} == {"theta", "gamma", "sigma"}
    assert values[next(s for s in values if s.name == "theta")] == sp.pi / 3


def test_eval_cli_shows_formula_values_and_number(capsys):
    assert main(["eval", "scratch_risk", "gamma=0.5", "sigma=0.2"]) == 0
    out = capsys.readouterr().out
    assert "branch that applies: γ < 1" in out
    assert "numbers written in:" in out and "0.5" in out
    assert out.rstrip().endswith("= 0.54")
    assert main(["eval", "scratch_risk", "gamma=1", "sigma=0.2"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("= ∞")
    assert main(["eval", "lt_risk", "theta=pi/3", "n=10", "sigma=0"]) == 0
    assert "π/3" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "scratch_risk", "gamma=0.5"], "needs values for sigma"),
        (["eval", "scratch_risk", "gamma=-1", "sigma=0.2"], "gamma must be a real number > 0"),
        (["eval", "scratch_risk", "gama=0.5", "sigma=0.2"], "has no variable 'gama'"),
        (["eval", "scratch_risk", "gamma=x", "sigma=0.2"], "cannot read 'x'"),
        (["eval", "lt_risk", "theta=0.1", "n=2.5", "sigma=0"], "must be an integer"),
    ],
)
def test_eval_rejects_bad_input(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_eval_reads_values_exactly_and_safely(monkeypatch):
    """Values are read by a whitelist of arithmetic, exactly, and never by ``sympify``."""
    from derivations.evaluate import parse_value

    result = get("lt_negative_interval")

    def refuse(*args, **kwargs):
        raise AssertionError("sympify must not read user input")

    monkeypatch.setattr(sp, "sympify", refuse)
    assert parse_value("0.1") == sp.Rational(1, 10)
    assert parse_value("1e-3") == sp.Rational(1, 1000)
    assert parse_value("2*pi/5") == 2 * sp.pi / 5
    assert parse_value("π/4") == sp.pi / 4
    assert parse_value("-(1/2)**3") == sp.Rational(-1, 8)
    assert parse_value("10**-2") == sp.Rational(1, 100)
    assert parse_value(" 1_000 ") == 1000
    values = parse_assignments(result, ["theta=pi/2", "sigma=0.1"])  # the closed end of [0, π/2]
    assert values[next(s for s in values if s.name == "theta")] == sp.pi / 2


def test_eval_and_the_evaluators_refuse_the_same_values():
    """Just outside each parameter's range (and just inside), ``derivations eval`` and the
    evaluator agree: both refuse, or both accept (one table, derivations/domains.py)."""
    from derivations.domains import domain_of
    from derivations.errors import InvalidArgumentError
    from fate_numeric.theory import EVALUATORS

    for name, evaluator in EVALUATORS.items():
        result = get(evaluator.result)
        inside = {p.name: _sample(p) for p in evaluator.parameters}
        for parameter in evaluator.parameters:
            domain = parameter.domain
            assert domain == domain_of(evaluator.result, parameter.symbol), (name, parameter.name)
            probes = []
            if math.isfinite(domain.lower):
                probes += [domain.lower - 0.5, domain.lower]
            if math.isfinite(domain.upper):
                probes += [domain.upper + 0.5, domain.upper]
            if domain.integer:
                probes.append(max(domain.lower, 0) + 3.5)
            for probe in probes:
                texts = {**inside, parameter.name: repr(probe)}
                aliases = {p.name: p.symbol.name for p in evaluator.parameters}
                assignments = [f"{aliases[k]}={v}" for k, v in texts.items()]
                try:
                    parse_assignments(result, assignments)
                    by_hand = True
                except InvalidArgumentError:
                    by_hand = False
                try:
                    evaluator(**{k: float(v) for k, v in texts.items()})
                    lambdified = True
                except InvalidArgumentError:
                    lambdified = False
                assert by_hand == lambdified, (name, parameter.name, probe)
