"""Step-by-step explanation of a derivation, with every step re-checked by SymPy.

``python -m derivations explain NAME`` prints each step of a record: its expression, its
justification, and the machine check that takes it from what came before. A check *re-executes*
the step and compares (never trusts the record), and says plainly when a step cannot be confirmed.

The vocabulary of checks (:data:`derivations.record.CHECK_KINDS`):

* ``equal``: the step equals its input; ``simplify(step_k − step_{k−1}) = 0`` (component by
  component for tuples, matrices, equations and piecewise branches). When ``simplify`` is
  inconclusive, a 30-digit numeric probe at random points decides, and the report says so (both
  tests are those of :mod:`derivations.equality`, shared with :mod:`derivations.compare`).
* ``substitution``, ``limit``, ``integral``, ``derivative``, ``solve``: the stated operation is
  applied to the input (default: the previous step) and the outcome compared with the step.
* ``dsolve``: ``checkodesol`` confirms that the step solves the ODE, and the initial value holds.
* ``identity``: the expression the step states to vanish simplifies to zero.
* ``unchecked``: the step rests on an argument SymPy cannot run (rotation invariance, the law of
  large numbers, a modelling premise); the reason is printed, never a tick.

A step without a declared :class:`~derivations.record.Check` is still examined, in this order:
an unevaluated ``Limit``/``Integral``/``Derivative`` in the step itself is evaluated and compared
with the other side (an explicitly stated operation, so a mismatch FAILS); equality with the
previous step or an earlier one; equality with a result named in the justification (or one of its
branches, components or right-hand side); an equation that holds identically. Otherwise the step is
reported as not machine-checked. Only declared checks and stated operations can fail; the inferred
equalities can only confirm.
"""

from __future__ import annotations

import enum
import functools
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef

from derivations.display import for_display
from derivations.equality import draw_for_step, probe, symbolic_difference
from derivations.errors import InvalidArgumentError
from derivations.latex import expression_to_latex, result_fragment
from derivations.paper import PRINTED
from derivations.piecewise import branches
from derivations.record import Check, DerivedResult, Step
from derivations.registry import all_results, get

#: Digits of the numeric probe and the relative agreement it requires.
PROBE_DIGITS = 30
PROBE_TOLERANCE = sp.Float(10) ** (-(PROBE_DIGITS - 8))
PROBE_POINTS = 8
PROBE_DRAWS = 60  # draws before the probe gives up (inconclusive)


class Verdict(enum.Enum):
    """Outcome of one step's check."""

    CONFIRMED = "confirmed"
    FAILED = "failed"
    UNCHECKED = "not machine-checked"

    @property
    def mark(self) -> str:
        return {"confirmed": "✓", "failed": "✗", "not machine-checked": "○"}[self.value]


@dataclass(frozen=True)
class StepCheck:
    """The check of one step: which kind, its verdict, and what SymPy did (one line)."""

    number: int
    step: Step
    kind: str
    verdict: Verdict
    detail: str

    @property
    def line(self) -> str:
        return f"{self.verdict.mark} {self.detail}"


# --- comparison -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Same:
    """Result of comparing two objects: True/False/None (undecided) and the method used."""

    equal: bool | None
    method: str


def _probe(a: sp.Expr, b: sp.Expr, seed: int = 0) -> bool | None:
    """Compare scalars at random points: False if they differ somewhere, True if equal at enough.

    The probe of :mod:`derivations.equality` with the policy of a step check: values drawn for a
    derivation's own symbols (:func:`~derivations.equality.draw_for_step`), points where a side
    cannot be evaluated skipped, the first disagreement decisive.
    """
    return probe(
        [(a, b)],
        draw=draw_for_step,
        digits=PROBE_DIGITS,
        tolerance=PROBE_TOLERANCE,
        points=PROBE_POINTS,
        max_draws=PROBE_DRAWS,
        seed=seed,
        real=False,
        exact_replace=True,
        one_sided="skip",
        first_difference_decides=True,
    ).agree


def _scalar_same(a: sp.Basic, b: sp.Basic) -> _Same:
    if a == b:
        return _Same(True, "identical")
    a, b = (sp.piecewise_fold(e) if isinstance(e, sp.Expr) else e for e in (a, b))
    if isinstance(a, sp.Piecewise) or isinstance(b, sp.Piecewise):
        return _piecewise_same(a, b)
    if not (isinstance(a, sp.Expr) and isinstance(b, sp.Expr)):
        if isinstance(a, sp.Basic) and isinstance(b, sp.Basic) and a.is_Boolean and b.is_Boolean:
            return _Same(True if sp.simplify(sp.Equivalent(a, b)) == sp.true else None, "logic")
        return _Same(None, "incomparable objects")
    if a.has(sp.oo, -sp.oo, sp.zoo, sp.nan) or b.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        return _Same(sp.simplify(a) == sp.simplify(b) or None, "structure")
    if sp.expand(a - b) == 0:
        return _Same(True, "simplify")
    symbolic = symbolic_difference(a, b)
    if symbolic is not None:
        return _Same(symbolic, "simplify")
    probed = _probe(a, b)
    if probed is True:
        return _Same(True, "probe")
    return _Same(probed, "probe")


def _piecewise_same(a: sp.Basic, b: sp.Basic) -> _Same:
    left, right = branches(a), branches(b)
    if len(left) == len(right) and all(
        sp.simplify(ca) == sp.simplify(cb) for (_, ca), (_, cb) in zip(left, right, strict=True)
    ):
        parts = [_scalar_same(ea, eb) for (ea, _), (eb, _) in zip(left, right, strict=True)]
        combined = _combine(parts, "branch by branch")
        if combined.equal is not None:
            return combined
    if a.atoms(AppliedUndef) or b.atoms(AppliedUndef):
        return _Same(None, "probe")
    probed = _probe(a, b)
    return _Same(probed, "probe")


def _combine(parts: list[_Same], how: str = "") -> _Same:
    if any(p.equal is False for p in parts):
        return _Same(False, next(p.method for p in parts if p.equal is False))
    if all(p.equal is True for p in parts):
        methods = {p.method for p in parts} - {"identical"}
        method = "probe" if "probe" in methods else ("simplify" if methods else "identical")
        return _Same(True, method)
    return _Same(None, how or "undecided")


def components(expr: sp.Basic) -> list[sp.Basic] | None:
    """The parts of a composite object (tuple, matrix, set), or None for a single expression."""
    if isinstance(expr, sp.Tuple | tuple | list):
        return list(expr)
    if isinstance(expr, sp.MatrixBase):
        return list(expr)
    return None


def same(a: sp.Basic, b: sp.Basic) -> _Same:
    """Whether ``a`` equals ``b`` (tuples, matrices, equations and piecewise componentwise)."""
    if isinstance(a, sp.FiniteSet) or isinstance(b, sp.FiniteSet):
        return _set_same(a, b)
    if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) and a.shape != b.shape:
        return _Same(False, "shape")
    ca, cb = components(a), components(b)
    if ca is not None or cb is not None:
        if ca is None or cb is None or len(ca) != len(cb):
            return _Same(None, "different shapes")
        return _combine([same(x, y) for x, y in zip(ca, cb, strict=True)])
    if isinstance(a, sp.Equality) and isinstance(b, sp.Equality):
        return _combine([same(a.lhs, b.lhs), same(a.rhs, b.rhs)])
    if isinstance(a, sp.Equality) != isinstance(b, sp.Equality):
        return _Same(None, "equation against expression")
    return _scalar_same(a, b)


def _set_same(a: sp.Basic, b: sp.Basic) -> _Same:
    left = list(a) if isinstance(a, sp.FiniteSet | sp.Tuple | tuple | list) else [a]
    right = list(b) if isinstance(b, sp.FiniteSet | sp.Tuple | tuple | list) else [b]
    if len(left) != len(right):
        return _Same(False, "number of solutions")
    remaining = list(right)
    methods = []
    for x in left:
        match = next((y for y in remaining if same(x, y).equal), None)
        if match is None:
            return _Same(False, "solutions differ")
        methods.append(same(x, match))
        remaining.remove(match)
    return _combine(methods)


def value(expr: sp.Basic) -> sp.Basic:
    """What a step asserts as its value: the right-hand side of an equation, else the object."""
    return expr.rhs if isinstance(expr, sp.Equality) else expr


def parts(expr: sp.Basic) -> list[sp.Basic]:
    """``expr`` and the pieces a later step may pick out of it: rhs, components, branches."""
    found = [expr]
    if isinstance(expr, sp.Equality):
        found += parts(expr.rhs)
    elif (inner := components(expr)) is not None:
        for item in inner:
            found += parts(item)
    elif isinstance(expr, sp.Piecewise):
        found += [e for e, _ in branches(expr)]
    return found


def _describe(method: str) -> str:
    return {
        "simplify": "simplify(difference) = 0",
        "identical": "the same expression",
        "structure": "simplify evaluates both sides (limits, infinities) to the same value",
        "probe": f"simplify inconclusive; equal at {PROBE_POINTS} random points to "
        f"{PROBE_DIGITS - 8} digits",
    }.get(method, method)


# --- declared checks --------------------------------------------------------------------------


def _apply(source: sp.Basic, operation) -> sp.Basic:
    """Apply ``operation`` to an expression, to each component of a tuple, or to both sides."""
    if isinstance(source, sp.Equality):
        return sp.Eq(_apply(source.lhs, operation), _apply(source.rhs, operation), evaluate=False)
    if isinstance(source, sp.MatrixBase):
        return source.applyfunc(operation)
    if isinstance(source, sp.Tuple | tuple | list):
        return sp.Tuple(*(_apply(x, operation) for x in source))
    return operation(source)


def _input(check: Check, previous: Step | None) -> sp.Basic:
    if check.source is not None:
        return check.source
    if previous is None:
        raise ValueError("the first step has no previous step to take its input from")
    return previous.expr


def _compare_outcome(step: Step, outcome: sp.Basic, label: str, number: int, source_name: str):
    target = step.expr
    result = same(outcome, target)
    if result.equal is None and isinstance(target, sp.Equality):
        if not isinstance(outcome, sp.Equality):
            result = same(outcome, target.rhs)  # a value against a named equation
        elif not isinstance(target.rhs, sp.Number):
            result = same(outcome.rhs, target.rhs)  # the sides named differently
    if result.equal is True:
        if label == "rewriting":
            return Verdict.CONFIRMED, f"equal to {source_name}: {_describe(result.method)}"
        return (
            Verdict.CONFIRMED,
            f"{label} of {source_name} re-executed: {_describe(result.method)}",
        )
    if result.equal is False:
        return Verdict.FAILED, f"{label} of {source_name} re-executed gives a different result"
    return (
        Verdict.FAILED,
        f"{label} of {source_name} re-executed; SymPy cannot show it equals step {number}",
    )


def run_check(check: Check, step: Step, previous: Step | None, number: int) -> tuple[Verdict, str]:
    """Re-execute a declared check; return the verdict and a one-line account."""
    if check.kind == "unchecked":
        return Verdict.UNCHECKED, f"not machine-checked: {check.reason}"
    if check.kind == "identity":
        result = same(
            check.source,
            sp.zeros(*check.source.shape)
            if isinstance(check.source, sp.MatrixBase)
            else _zeros_like(check.source),
        )
        if result.equal is True:
            how = {
                "identical": "is 0 (SymPy's automatic simplification)",
                "simplify": "simplifies to 0",
            }.get(result.method, f"vanishes: {_describe(result.method)}")
            return Verdict.CONFIRMED, f"identity: the stated expression {how}"
        return Verdict.FAILED, "identity: the stated expression does not simplify to zero"
    source = _input(check, previous)
    source_name = f"step {number - 1}" if check.source is None else "the stated input"
    if check.kind == "dsolve":
        return _check_ode(check, step, source, source_name)
    if check.kind == "solve":
        return _check_solve(check, step, source, source_name)
    operation, label = _operation(check)
    try:
        outcome = _apply(source, operation)
    except (NotImplementedError, ValueError, TypeError) as error:
        return Verdict.FAILED, f"{label} of {source_name} could not be re-executed: {error}"
    return _compare_outcome(step, outcome, label, number, source_name)


def _zeros_like(expr: sp.Basic) -> sp.Basic:
    if (inner := components(expr)) is not None:
        return sp.Tuple(*(_zeros_like(x) for x in inner))
    if isinstance(expr, sp.MatrixBase):
        return sp.zeros(*expr.shape)
    return sp.Integer(0)


def _short(expr: sp.Basic, width: int = 32) -> str:
    text = str(expr)
    return text if len(text) <= width else text[: width - 1] + "…"


def _operation(check: Check):
    params = check.params
    if check.kind == "equal":
        return (lambda e: e), "rewriting"
    if check.kind == "substitution":
        mapping = {pair[0]: pair[1] for pair in params}
        shown = ", ".join(f"{_short(k)} → {_short(v)}" for k, v in mapping.items())
        return (lambda e: sp.simplify(e.subs(mapping))), f"substitution {shown}"
    if check.kind == "limit":
        variable, point, *pairs = params
        side = check.option or "+"
        first = {pair[0]: pair[1] for pair in pairs}
        shown = "".join(f"{k} = {v}, " for k, v in first.items())
        return (
            lambda e: sp.limit(e.subs(first), variable, point, side),
            f"limit {shown}{variable} → {point}",
        )
    if check.kind == "integral":
        variable, lower, upper = params
        return (
            lambda e: sp.integrate(e, (variable, lower, upper)),
            f"integral over {variable} from {lower} to {upper}",
        )
    if check.kind == "series":
        variable, point, order = params
        return (
            lambda e: sp.expand(sp.simplify(e.series(variable, point, int(order)).removeO())),
            f"series in {variable} at {point} to order {order}",
        )
    if check.kind == "modulo":
        constraints, generators = params
        basis = list(sp.groebner(list(constraints), *generators, order="lex").exprs)

        def normal_form(e):
            return sp.reduced(sp.expand(e), basis, *generators, order="lex")[1]

        return normal_form, f"normal form modulo {len(constraints)} constraints (Gröbner basis)"
    if check.kind == "derivative":
        (variable,) = params
        return (lambda e: sp.diff(e, variable)), f"derivative in {variable}"
    raise ValueError(f"no operation for check kind {check.kind!r}")


def _check_solve(check: Check, step: Step, source: sp.Basic, source_name: str):
    variable, *bounds = check.params
    equation = source if isinstance(source, sp.Equality) else sp.Eq(source, 0)
    if bounds:
        solved = sp.solveset(equation, variable, sp.Interval(*bounds))
        if not isinstance(solved, sp.FiniteSet):
            return Verdict.FAILED, f"solveset on {source_name} gives {solved}, not a finite set"
        found = list(solved)
    else:
        found = sp.solve(equation, variable, dict=False)
    if found and isinstance(found[0], tuple):
        found = [sp.Tuple(*f) for f in found]
    stated = value(step.expr)
    stated = list(stated) if isinstance(stated, sp.Tuple | sp.FiniteSet) else [stated]
    result = _set_same(sp.Tuple(*found), sp.Tuple(*stated))
    label = f"solve {source_name} for {variable}"
    if result.equal:
        return Verdict.CONFIRMED, f"{label} re-executed: the same {len(found)} solution(s)"
    return Verdict.FAILED, f"{label} re-executed gives {found}, not the stated solutions"


def _check_ode(check: Check, step: Step, source: sp.Basic, source_name: str):
    function, *initial = check.params
    solution = step.expr
    ok, residual = sp.checkodesol(source, solution, func=function)
    if not ok:
        return Verdict.FAILED, f"checkodesol: the step does not solve {source_name} ({residual})"
    for pair in initial:
        at, wanted = pair
        got = (
            solution.rhs.subs(function.args[0], at.args[0])
            if isinstance(at, AppliedUndef)
            else None
        )
        if got is None or not same(sp.simplify(got), wanted).equal:
            return Verdict.FAILED, f"checkodesol passes but the initial value {at} = {wanted} fails"
    note = " and the initial value holds" if initial else ""
    return Verdict.CONFIRMED, f"dsolve verified: checkodesol on {source_name} gives 0{note}"


# --- inferred checks ----------------------------------------------------------------------------

_OPERATIONS = {sp.Limit: "limit", sp.Integral: "integral", sp.Derivative: "derivative"}


def _stated_operations(expr: sp.Basic) -> list[sp.Equality]:
    """Equations ``Eq(op(...), rhs)`` in a step whose left side SymPy can evaluate."""
    equations = [e for e in parts(expr) if isinstance(e, sp.Equality)]
    found = []
    for eq in equations:
        if type(eq.lhs) in _OPERATIONS and not eq.lhs.atoms(AppliedUndef):
            found.append(eq)
    return found


def _infer(step: Step, number: int, earlier: list[Step], cited: Mapping[str, DerivedResult]):
    stated = _stated_operations(step.expr)
    if stated:
        verdicts = []
        for eq in stated:
            kind = _OPERATIONS[type(eq.lhs)]
            evaluated = eq.lhs.doit()
            if evaluated.has(type(eq.lhs)):
                return (
                    "unchecked",
                    Verdict.UNCHECKED,
                    f"not machine-checked: SymPy leaves the {kind} unevaluated",
                )
            result = same(evaluated, eq.rhs)
            if result.equal is not True:
                return kind, Verdict.FAILED, f"the stated {kind} re-executed gives {evaluated}"
            verdicts.append(kind)
        kinds = ", ".join(sorted(set(verdicts)))
        return kinds, Verdict.CONFIRMED, f"{kinds} stated in the step, re-executed: equal"
    if isinstance(step.expr, sp.Equality) and not step.expr.atoms(AppliedUndef):
        lhs, rhs = step.expr.lhs, step.expr.rhs
        if (
            isinstance(lhs, sp.Expr)
            and isinstance(rhs, sp.Expr)
            and lhs.free_symbols
            and (sp.simplify(lhs - rhs) == 0)
        ):
            return "identity", Verdict.CONFIRMED, "identity: simplify(lhs − rhs) = 0"
    for back, before in enumerate(reversed(earlier), start=1):
        result = same(step.expr, before.expr)
        if result.equal is None and not isinstance(step.expr, sp.Equality):
            result = same(step.expr, value(before.expr))
        if result.equal is True:
            k, j = number, number - back
            how = _describe(result.method)
            return (
                "equal",
                Verdict.CONFIRMED,
                f"equal to step {j}: simplify(step_{k} − step_{j}) = 0"
                if result.method == "simplify"
                else f"equal to step {j} ({how})",
            )
    if earlier and (inner := components(earlier[-1].expr)) is not None:
        for position, item in enumerate(inner, start=1):
            if same(value(step.expr), value(item)).equal is True:
                return (
                    "equal",
                    Verdict.CONFIRMED,
                    f"component {position} of step {number - 1} (the choice is argued in words)",
                )
    if (inner := components(step.expr)) is not None and cited:
        names = []
        for item in inner:
            name = next(
                (n for n, r in cited.items() if any(same(item, p).equal for p in parts(r.expr))),
                None,
            )
            names.append(name)
        if all(names):
            shown = ", ".join(dict.fromkeys(names))
            return "equal", Verdict.CONFIRMED, f"its components equal the results {shown}"
    for name, result in cited.items():
        for position, other in enumerate(result.steps, start=1):
            if same(step.expr, other.expr).equal is True:
                return "equal", Verdict.CONFIRMED, f"equals step {position} of result {name}"
        for piece in parts(result.expr):
            for mine in parts(step.expr)[:2]:
                if isinstance(value(mine), sp.Number) and mine is not step.expr:
                    continue
                match = same(mine, piece)
                if match.equal is True:
                    return (
                        "equal",
                        Verdict.CONFIRMED,
                        f"equals result {name} ({_describe(match.method)})",
                    )
    return (
        "unchecked",
        Verdict.UNCHECKED,
        "not machine-checked: argued in words, no SymPy check attached",
    )


def cited_results(step: Step, results: Mapping[str, DerivedResult], own: str) -> dict:
    """Results named in a step's justification (by their registry name)."""
    words = set(re.findall(r"[a-z][a-z0-9_]+", step.why))
    return {name: r for name, r in results.items() if name in words and name != own}


def check_result(result: DerivedResult, results: Mapping[str, DerivedResult]) -> list[StepCheck]:
    """Check every step of ``result`` in order (``results``: the registry, for cited results)."""
    checks = []
    for index, step in enumerate(result.steps):
        number = index + 1
        previous = result.steps[index - 1] if index else None
        try:
            if step.check is not None:
                kind = step.check.kind
                verdict, detail = run_check(step.check, step, previous, number)
            else:
                cited = cited_results(step, results, result.name)
                kind, verdict, detail = _infer(step, number, list(result.steps[:index]), cited)
        except Exception as error:  # a check that crashes is a failed check, not a crash
            kind, verdict, detail = "error", Verdict.FAILED, f"the check raised {error!r}"
        checks.append(StepCheck(number, step, kind, verdict, detail))
    return checks


def check_all(results: Mapping[str, DerivedResult]) -> dict[str, list[StepCheck]]:
    """Check every step of every result."""
    return {name: check_result(r, results) for name, r in results.items()}


@functools.cache
def checked(name: str) -> tuple[StepCheck, ...]:
    """The checks of the registered result ``name`` (computed once per process)."""
    results = all_results()
    return tuple(check_result(get(name), results))


# --- rendering ----------------------------------------------------------------------------------

FORMATS = ("unicode", "markdown", "latex")


def summary_line(checks: Iterable[StepCheck]) -> str:
    """'k of n steps confirmed by SymPy, ...' for the end of an explanation."""
    checks = list(checks)
    counts = tally(checks)
    parts = [f"{counts[Verdict.CONFIRMED]} of {len(checks)} steps confirmed by SymPy"]
    if counts[Verdict.UNCHECKED]:
        parts.append(f"{counts[Verdict.UNCHECKED]} not machine-checked (argued in words)")
    parts.append(f"{counts[Verdict.FAILED]} failed")
    return ", ".join(parts)


def _unicode_expr(expr: sp.Basic, full: bool = False) -> str:
    shown = for_display(expr, full=full)
    return textwrap.indent(sp.pretty(shown, use_unicode=True, wrap_line=False), "      ")


def render(result: DerivedResult, checks: Iterable[StepCheck], fmt: str = "unicode") -> str:
    """The explanation of ``result``: each step, its justification and its machine check."""
    if fmt not in FORMATS:
        raise InvalidArgumentError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    checks = list(checks)
    return {"unicode": _render_unicode, "markdown": _render_markdown, "latex": _render_latex}[fmt](
        result, checks
    )


def _printed(result: DerivedResult):
    return PRINTED[result.printed] if result.printed else None


def _render_unicode(result: DerivedResult, checks: list[StepCheck]) -> str:
    lines = [
        f"{result.title}  [{result.name}]",
        f"  {result.reference} · {result.regime.value}",
        "  assumptions:",
        *(f"    - {a}" for a in result.assumptions),
        "",
    ]
    for c in checks:
        lines += [
            f"  Step {c.number}. {c.step.why}",
            _unicode_expr(c.step.expr),
            f"    {c.line}",
            "",
        ]
    lines += ["  Result:", _unicode_expr(result.expr)]
    if (printed := _printed(result)) is not None:
        lines += [f"  As printed in the paper ({printed.equation}):", _unicode_expr(printed.expr)]
        if printed.erratum:
            lines.append(f"  Known erratum: {printed.erratum}")
    lines += ["", f"  {summary_line(checks)}."]
    return "\n".join(lines) + "\n"


def _render_markdown(result: DerivedResult, checks: list[StepCheck]) -> str:
    def math(expr: sp.Basic) -> str:
        return "$$" + expression_to_latex(expr) + "$$"

    lines = [
        f"## {result.title} (`{result.name}`)",
        "",
        f"*{result.reference}* · {result.regime.value}",
        "",
        "**Assumptions.**",
        "",
        *(f"- {a}" for a in result.assumptions),
        "",
    ]
    for c in checks:
        lines += [
            f"**Step {c.number}.** {c.step.why}",
            "",
            math(c.step.expr),
            "",
            f"> {c.line}",
            "",
        ]
    lines += ["**Result.**", "", math(result.expr), ""]
    if (printed := _printed(result)) is not None:
        lines += [f"As printed in the paper ({printed.equation}):", "", math(printed.expr), ""]
        if printed.erratum:
            lines += [f"**Known erratum.** {printed.erratum}", ""]
    lines.append(f"*{summary_line(checks)}.*")
    return "\n".join(lines) + "\n"


def _render_latex(result: DerivedResult, checks: list[StepCheck]) -> str:
    return result_fragment(result, checks=checks)


def tally(checks: Iterable[StepCheck]) -> dict[Verdict, int]:
    """How many steps got each verdict."""
    counts = dict.fromkeys(Verdict, 0)
    for c in checks:
        counts[c.verdict] += 1
    return counts
