"""Hand calculation of a derived result: formula, values substituted, number.

``python -m derivations eval NAME key=value ...`` evaluates the record's own SymPy expression at
the given values with mpmath (15 significant digits) and shows the work as one would on paper: the
formula, the branch that applies, the formula with the numbers written in, and the number.

Design decision (docs/design.md §3, one-way data flow): ``derivations`` never imports
``fate_numeric``, so this module does not call the lambdified evaluators of
:mod:`fate_numeric.theory`; it evaluates the very expression they are lambdified from. Every
evaluator is therefore covered (each one names its record) and so is every other record with free
symbols; the tests check that both routes give the same numbers. Values are parsed by SymPy
(``pi/3``, ``1/2``, ``0.25``) and validated against the symbol's assumptions (positive, nonnegative,
integer).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derivations.display import for_display
from derivations.errors import InvalidArgumentError
from derivations.piecewise import branches
from derivations.record import DerivedResult

#: Digits of the printed number.
DIGITS = 15


@dataclass(frozen=True)
class Component:
    """One scalar component of a result evaluated by hand."""

    formula: sp.Basic  # the applicable branch
    condition: sp.Basic  # the branch's condition (``True`` if not piecewise)
    written_in: sp.Basic  # the branch with the numbers written in place of the symbols
    value: sp.Basic  # the number (a SymPy Float, ``oo`` or ``nan``)


@dataclass(frozen=True)
class HandCalculation:
    """The evaluation of one result at given values."""

    result: DerivedResult
    values: dict[sp.Symbol, sp.Basic]
    components: tuple[Component, ...]

    @property
    def numbers(self) -> tuple[float, ...]:
        """The values as Python floats (inf and nan included)."""
        return tuple(
            float(c.value) if c.value.is_finite else _special(c.value) for c in self.components
        )


def _special(value: sp.Basic) -> float:
    if value == sp.oo:
        return float("inf")
    if value == -sp.oo:
        return float("-inf")
    return float("nan")


def _aliases(symbol: sp.Symbol) -> set[str]:
    """Names under which a user may give ``symbol``: its name, without underscores, short forms."""
    name = symbol.name
    names = {name, name.replace("_", ""), name.lower()}
    if name == "lambda":
        names.add("lam")
    return names


def parse_assignments(result: DerivedResult, assignments: list[str]) -> dict[sp.Symbol, sp.Basic]:
    """``["gamma=0.5", "sigma=1/5"]`` → {γ: 1/2, σ: 1/5}, validated against the record."""
    variables = list(result.variables)
    lookup = {alias: v for v in variables for alias in _aliases(v)}
    allowed = ", ".join(v.name for v in variables) or "none"
    values: dict[sp.Symbol, sp.Basic] = {}
    for item in assignments:
        key, sep, text = item.partition("=")
        if not sep or not key.strip() or not text.strip():
            raise InvalidArgumentError(f"expected key=value, got {item!r} (variables: {allowed})")
        symbol = lookup.get(key.strip())
        if symbol is None:
            raise InvalidArgumentError(
                f"{result.name} has no variable {key.strip()!r}; its variables are {allowed}"
            )
        try:
            number = sp.sympify(text.strip(), rational=True)
        except (sp.SympifyError, TypeError, SyntaxError) as error:
            raise InvalidArgumentError(f"{key}: cannot read {text!r} as a number") from error
        if not number.is_number or not number.is_real or not number.is_finite:
            raise InvalidArgumentError(f"{key} must be a finite real number, got {text!r}")
        _validate(symbol, number, text)
        values[symbol] = number
    missing = [v.name for v in variables if v not in values]
    if missing:
        raise InvalidArgumentError(
            f"{result.name} needs values for {', '.join(missing)} (e.g. {missing[0]}=0.5)"
        )
    return values


def _validate(symbol: sp.Symbol, number: sp.Basic, text: str) -> None:
    if symbol.is_integer and not number.is_integer:
        raise InvalidArgumentError(f"{symbol.name} must be an integer, got {text}")
    if symbol.is_positive and not number.is_positive:
        raise InvalidArgumentError(f"{symbol.name} must be > 0, got {text}")
    if symbol.is_nonnegative and number.is_negative:
        raise InvalidArgumentError(f"{symbol.name} must be >= 0, got {text}")


def _written_in(expr: sp.Basic, values: dict[sp.Symbol, sp.Basic]) -> sp.Basic:
    """``expr`` with each symbol replaced by a symbol that prints as its value (no evaluation)."""
    shown = {s: sp.Symbol(_number_text(v)) for s, v in values.items()}
    return expr.xreplace(shown)


def _number_text(value: sp.Basic) -> str:
    if value.is_Integer:
        return str(value)
    if value.is_Rational and value.q in (2, 4, 5, 8, 10, 20, 25, 50, 100, 1000):
        return f"{float(value):g}"
    if value.has(sp.pi):
        return str(value).replace("pi", "π").replace("*", "")
    return f"{float(value):.6g}"


def hand_calculation(result: DerivedResult, values: dict[sp.Symbol, sp.Basic]) -> HandCalculation:
    """Evaluate ``result`` at ``values``: the applicable branch of each component and its number."""
    expr = result.expr
    scalars = list(expr) if isinstance(expr, sp.Tuple) else [expr]
    components = []
    for scalar in scalars:
        applicable = next(
            ((f, c) for f, c in branches(scalar) if _holds(c, values)),
            None,
        )
        if applicable is None:
            raise InvalidArgumentError(
                f"no branch of {result.name} applies at {values} (outside the result's domain)"
            )
        formula, condition = applicable
        number = sp.N(formula.xreplace(values), DIGITS)
        components.append(Component(formula, condition, _written_in(formula, values), number))
    return HandCalculation(result, values, tuple(components))


def _holds(condition: sp.Basic, values: dict[sp.Symbol, sp.Basic]) -> bool:
    holds = sp.sympify(condition).xreplace(values)
    if holds not in (sp.true, sp.false):
        holds = sp.simplify(holds)
    return holds == sp.true


def render(calculation: HandCalculation) -> str:
    """The hand calculation as text: formula, values, branch, numbers written in, result."""
    result = calculation.result

    def pretty(expr: sp.Basic) -> str:
        text = sp.pretty(for_display(expr), use_unicode=True, wrap_line=False)
        return "\n".join("      " + line for line in text.splitlines())

    lines = [
        f"{result.title}  [{result.name}]",
        f"  {result.reference} · {result.regime.value}",
        "  formula:",
        pretty(result.expr),
        "  values: "
        + ", ".join(
            f"{sp.pretty(s, use_unicode=True)} = {_number_text(v)}"
            for s, v in calculation.values.items()
        ),
    ]
    many = len(calculation.components) > 1
    for index, component in enumerate(calculation.components, start=1):
        label = f"component {index}: " if many else ""
        if component.condition != sp.true:
            condition = sp.pretty(component.condition, use_unicode=True)
            lines.append(f"  {label}branch that applies: {condition}")
        elif many:
            lines.append(f"  {label}")
        lines += [
            "  numbers written in:",
            pretty(component.written_in),
            f"  = {_format(component.value)}",
        ]
    return "\n".join(lines) + "\n"


def _format(value: sp.Basic) -> str:
    if value == sp.oo:
        return "∞"
    if value == -sp.oo:
        return "−∞"
    if value == sp.nan:
        return "nan (undefined here)"
    return f"{float(value):.{DIGITS - 3}g}"
