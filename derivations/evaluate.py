"""Hand calculation of a derived result: formula, values substituted, number.

``python -m derivations eval NAME key=value ...`` evaluates the record's own SymPy expression at
the given values with mpmath (15 significant digits) and shows the work as one would on paper: the
formula, the branch that applies, the formula with the numbers written in, and the number.

Design decision (docs/design.md §3, one-way data flow): ``derivations`` never imports
``fate_numeric``, so this module does not call the lambdified evaluators of
:mod:`fate_numeric.theory`; it evaluates the very expression they are lambdified from. Every
evaluator is therefore covered (each one names its record) and so is every other record with free
symbols; the tests check that both routes give the same numbers.

Values are read by :func:`parse_value`, never by ``sympify`` (which runs Python code): a number
(``0.25``, ``1e-3``), ``pi`` or ``π``, and ``+ − * / **`` and parentheses between them (``pi/3``,
``1/2``, ``2*pi/5``, ``10**-3``), exactly (decimals become fractions). Exponents are integers of
at most :data:`MAX_EXPONENT` in size, every intermediate value stays within
10^±:data:`MAX_DECADES` (so ``10**10**10`` is refused at once instead of computed), and the text
is at most :data:`MAX_TEXT` characters. Each value must lie in the range
:func:`derivations.domains.domain_of` gives its symbol in the record, the range the lambdified
evaluator of the same record refuses outside of; a variable given twice is refused.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

import sympy as sp

from derivations.display import for_display
from derivations.domains import domain_of
from derivations.errors import InvalidArgumentError
from derivations.piecewise import branches
from derivations.record import DerivedResult

#: Digits of the printed number.
DIGITS = 15
#: Longest value text read (characters).
MAX_TEXT = 100
#: Largest exponent of ``**`` in a value.
MAX_EXPONENT = 1000
#: Every value, and every intermediate of its arithmetic, lies within 10^±MAX_DECADES (or is 0).
MAX_DECADES = 300
#: What a value may say, for the error messages.
VALUE_SYNTAX = "a number (0.25, 1e-3), pi, and + - * / ** between them (pi/3, 1/5, 10**-3)"


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
            float(c.value) if c.value.is_extended_real and c.value.is_finite else _special(c.value)
            for c in self.components
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


def parse_value(text: str) -> sp.Basic:
    """A value typed by a user as an exact SymPy number (module docstring); no code runs.

    Raises:
        InvalidArgumentError: the text is not such a value, or it is too large or too long.
    """
    if len(text) > MAX_TEXT:
        raise InvalidArgumentError(f"a value is at most {MAX_TEXT} characters; got {len(text)}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # ValueError: a NUL byte
        raise InvalidArgumentError(f"cannot read {text!r}: expected {VALUE_SYNTAX}") from None
    return _number(tree.body, text.strip())


def _out_of_range(text: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"{text!r} is out of range: values (and their arithmetic) stay within 1e-{MAX_DECADES} "
        f"and 1e{MAX_DECADES} in size"
    )


def _bounded(value: sp.Basic, text: str) -> sp.Basic:
    if value != 0 and not sp.Rational(1, 10**MAX_DECADES) <= abs(value) <= 10**MAX_DECADES:
        raise _out_of_range(text)
    return value


def _number(node: ast.AST, text: str) -> sp.Basic:
    """Evaluate one node of the whitelisted arithmetic exactly."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidArgumentError(f"cannot read {text!r}: expected {VALUE_SYNTAX}")
        # a float literal is read exactly as the decimal it was typed as (0.1 is 1/10; 1e-400 is
        # not 0.0, the float Python would round it to)
        literal = ast.get_source_segment(text, node) if isinstance(value, float) else None
        exact = sp.Integer(value) if literal is None else sp.Rational(literal.replace("_", ""))
        return _bounded(exact, text)
    if isinstance(node, ast.Name) and node.id in ("pi", "π"):
        return sp.pi
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        operand = _number(node.operand, text)
        return operand if isinstance(node.op, ast.UAdd) else -operand
    if isinstance(node, ast.BinOp) and isinstance(
        node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow
    ):
        left, right = _number(node.left, text), _number(node.right, text)
        if isinstance(node.op, ast.Add):
            return _bounded(left + right, text)
        if isinstance(node.op, ast.Sub):
            return _bounded(left - right, text)
        if isinstance(node.op, ast.Mult):
            return _bounded(left * right, text)
        if isinstance(node.op, ast.Div):
            if right == 0:
                raise InvalidArgumentError(f"{text!r} divides by zero")
            return _bounded(left / right, text)
        if not right.is_Integer or abs(right) > MAX_EXPONENT:
            raise InvalidArgumentError(
                f"{text!r}: an exponent must be an integer between -{MAX_EXPONENT} and "
                f"{MAX_EXPONENT}"
            )
        if left == 0:
            if right < 0:
                raise InvalidArgumentError(f"{text!r} divides by zero")
            return sp.Integer(0 if right > 0 else 1)
        if abs(int(right) * math.log10(abs(float(left)))) > MAX_DECADES + 1:
            raise _out_of_range(text)  # before computing it
        return _bounded(left**right, text)
    raise InvalidArgumentError(f"cannot read {text!r}: expected {VALUE_SYNTAX}")


def parse_assignments(result: DerivedResult, assignments: list[str]) -> dict[sp.Symbol, sp.Basic]:
    """``["gamma=0.5", "sigma=1/5"]`` → {γ: 1/2, σ: 1/5}, validated against the record."""
    variables = list(result.variables)
    lookup = {alias: v for v in variables for alias in _aliases(v)}
    allowed = ", ".join(v.name for v in variables) or "none"
    values: dict[sp.Symbol, sp.Basic] = {}
    for item in assignments:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key or not text.strip():
            raise InvalidArgumentError(f"expected key=value, got {item!r} (variables: {allowed})")
        symbol = lookup.get(key)
        if symbol is None:
            raise InvalidArgumentError(
                f"{result.name} has no variable {key!r}; its variables are {allowed}"
            )
        if symbol in values:
            raise InvalidArgumentError(f"{symbol.name} is given twice; give each variable once")
        try:
            number = parse_value(text)
        except InvalidArgumentError as error:
            raise InvalidArgumentError(f"{key}: {error}") from None
        _validate(result.name, symbol, number, text.strip())
        values[symbol] = number
    missing = [v.name for v in variables if v not in values]
    if missing:
        raise InvalidArgumentError(
            f"{result.name} needs values for {', '.join(missing)} (e.g. {missing[0]}=0.5)"
        )
    return values


def _validate(record: str, symbol: sp.Symbol, number: sp.Basic, text: str) -> None:
    """``number`` must lie in the range of ``symbol`` in ``record`` (:mod:`derivations.domains`)."""
    domain = domain_of(record, symbol)
    exact_integer = bool(number.is_integer) if domain.integer else True
    if not (exact_integer and domain.contains(float(number))):
        raise InvalidArgumentError(f"{symbol.name} must be {domain.describe()}; got {text}")


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
    if value == sp.nan or not value.is_extended_real:
        return "nan (undefined here)"
    return f"{float(value):.{DIGITS - 3}g}"
