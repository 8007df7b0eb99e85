"""Rebuild a SymPy expression from its ``srepr`` text without running the text.

``srepr`` writes an expression as a Python call, ``Add(Symbol('x', real=True), Integer(1))``,
and the derivation cache (:mod:`derivations.cache`) stores records that way. Evaluating such text
runs whatever a tampered file puts in it: ``sympify`` of a string assembled at run time (which
``parse_expr`` evaluates), ``lambdify`` of a string or of a function named ``open``, a lambda in a
comprehension that walks frames up to the builtins, a chain of module attributes that reaches
``open``. This reader therefore never evaluates: :func:`read` parses the text with :mod:`ast`
(mode ``"eval"``) and rebuilds the tree node by node, accepting only

* calls, by bare name, of the SymPy classes in :data:`CONSTRUCTORS`, each with the arguments its
  ``srepr`` has: expressions (nested accepted nodes); for ``Integer``/``Rational`` integer
  literals; for ``Float`` a numeral string and ``precision``; for ``Symbol``/``Dummy`` a name
  string and the assumption keywords of :data:`ASSUMPTIONS` set to ``True``/``False`` (``Dummy``
  also ``dummy_index``); for ``ImmutableDenseMatrix`` a list of rows of expressions;
* applied undefined functions, ``Function('f')(x, ...)``, where ``f`` is an identifier (an
  optional ``^superscript`` allowed) that is not a Python builtin or keyword, because
  ``lambdify`` prints an undefined function's name verbatim into the code it generates;
* the constants of :data:`ATOMS` (``pi``, ``oo``, ``true``, ...), and ``-`` before an integer
  literal or a numeric constant (``Integer(-1)``, ``-oo``).

Anything else (an attribute, a subscript, an operator, a lambda, a comprehension, ``*`` or
``**`` arguments, a keyword outside the constructor's list, a string where an expression belongs,
a name outside the whitelist) raises :class:`SreprRejectedError` naming it. A call's name is
checked before its arguments are visited, so no callable outside the whitelist is ever reached,
and no string is ever parsed as an expression (no ``eval``, ``sympify``, ``S`` or
``parse_expr`` of text): names stay names, numerals go to ``Float``'s own numeral parser.

The whitelist is the set of classes that ``srepr`` emits for the records of :mod:`derivations`
(found by serialising every record and walking the trees), completed by the siblings of the same
families (``Max`` beside ``Min``, ``Or``/``Not`` beside ``And``, every relational, ``Float``,
``E``, ``zoo``) so that a small change of a derivation does not fall outside it. A class missing
here fails the round trip of every record in tests/derivations/test_cache_safety.py, and at run
time shows up as a cache warning that names it, never as a wrong record.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
from collections.abc import Callable

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.core.assumptions import _assume_defined
from sympy.functions.elementary.piecewise import ExprCondPair


class SreprRejectedError(ValueError):
    """The text is not the ``srepr`` of an expression this reader rebuilds (the message: why)."""


#: Assumption keywords a ``Symbol`` or ``Dummy`` may carry (``real=True``, ``positive=True``, ...).
ASSUMPTIONS: frozenset[str] = frozenset(_assume_defined)

#: Bare names that stand for a SymPy constant.
ATOMS: dict[str, sp.Basic] = {
    "pi": sp.pi,
    "E": sp.E,
    "I": sp.I,
    "oo": sp.oo,
    "zoo": sp.zoo,
    "nan": sp.nan,
    "true": sp.true,
    "false": sp.false,
}

#: Classes whose arguments are all expressions, by the name ``srepr`` gives them.
_EXPRESSION_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        # arithmetic
        sp.Add,
        sp.Mul,
        sp.Pow,
        # functions
        sp.exp,
        sp.log,
        expm1,
        log1p,
        sp.sin,
        sp.cos,
        sp.acos,
        sp.asin,
        sp.Abs,
        sp.Min,
        sp.Max,
        sp.erf,
        sp.gamma,
        sp.KroneckerDelta,
        # relations, logic and piecewise definitions
        sp.Equality,
        sp.Unequality,
        sp.GreaterThan,
        sp.LessThan,
        sp.StrictGreaterThan,
        sp.StrictLessThan,
        sp.And,
        sp.Or,
        sp.Not,
        sp.Piecewise,
        ExprCondPair,
        # containers
        sp.Tuple,
        sp.FiniteSet,
        # unevaluated calculus
        sp.Derivative,
        sp.Integral,
        sp.Limit,
        sp.Subs,
        sp.UnevaluatedExpr,
    )
}

_NUMERAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.IGNORECASE)
_FUNCTION_NAME = re.compile(r"[^\W\d]\w*(\^\w+)?")
_UNSAFE_FUNCTION_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist)


def read(text: str) -> sp.Basic:
    """The SymPy object whose ``srepr`` is ``text``; :class:`SreprRejectedError` otherwise."""
    if not isinstance(text, str):
        raise SreprRejectedError(f"expected srepr text, got {type(text).__name__}")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise SreprRejectedError(f"not a Python expression ({error})") from None
    try:
        return _expression(tree.body)
    except RecursionError:
        raise SreprRejectedError("nested too deeply") from None


def _expression(node: ast.expr) -> sp.Basic:
    """Rebuild one accepted node: a whitelisted call, an applied function or a constant."""
    if isinstance(node, ast.Call):
        callee = node.func
        if isinstance(callee, ast.Name) and callee.id in CONSTRUCTORS:
            return _construct(callee.id, node)
        if isinstance(callee, ast.Call):
            return _applied_function(callee, node)
        raise SreprRejectedError(f"a call of {_describe(callee)} is not allowed")
    if isinstance(node, ast.Name) and node.id in ATOMS:
        return ATOMS[node.id]
    if _is_negation(node) and isinstance(node.operand, ast.Name):
        constant = ATOMS.get(node.operand.id)
        if isinstance(constant, sp.Expr):  # -oo, not -true
            return -constant
    raise SreprRejectedError(f"{_describe(node)} is not allowed where an expression belongs")


def _construct(name: str, node: ast.Call) -> sp.Basic:
    """Call the whitelisted class ``name`` on the arguments its reader accepts from ``node``."""
    cls, arguments = CONSTRUCTORS[name]
    args, kwargs = arguments(node)
    try:
        return cls(*args, **kwargs)
    except Exception as error:  # a constructor fed arguments srepr never writes may raise anything
        raise SreprRejectedError(f"{name}(...) failed: {type(error).__name__}: {error}") from None


def _applied_function(function: ast.Call, node: ast.Call) -> sp.Basic:
    """``Function('f')(args)``: an undefined function of a safe name applied to expressions."""
    if not (isinstance(function.func, ast.Name) and function.func.id == "Function"):
        raise SreprRejectedError(f"a call of {_describe(function)} is not allowed")
    _keywords(function, {})
    (name,) = _literals(function, str, count=1, what="Function")
    if not _FUNCTION_NAME.fullmatch(name) or name in _UNSAFE_FUNCTION_NAMES:
        raise SreprRejectedError(f"Function name {name!r} is not allowed")
    args, _ = _expressions(node)
    try:
        return sp.Function(name)(*args)
    except Exception as error:  # as in _construct
        raise SreprRejectedError(f"Function({name!r})(...) failed: {error}") from None


# Argument readers, one per kind of signature: each returns (args, kwargs) for the constructor.


def _expressions(node: ast.Call) -> tuple[list[sp.Basic], dict]:
    """Positional expressions only (``Add``, ``Piecewise``, ``Tuple``, ...)."""
    _keywords(node, {})
    return [_expression(arg) for arg in node.args], {}


def _integer(node: ast.Call) -> tuple[list[int], dict]:
    """``Integer(7)``, ``Integer(-1)``."""
    _keywords(node, {})
    return _literals(node, int, count=1, what="Integer"), {}


def _rational(node: ast.Call) -> tuple[list[int], dict]:
    """``Rational(-1, 2)``."""
    _keywords(node, {})
    return _literals(node, int, count=2, what="Rational"), {}


def _float(node: ast.Call) -> tuple[list[str], dict]:
    """``Float('0.5', precision=53)``: a numeral string, never an expression string."""
    (numeral,) = _literals(node, str, count=1, what="Float")
    if not _NUMERAL.fullmatch(numeral):
        raise SreprRejectedError(f"Float({numeral!r}): not a numeral")
    return [numeral], _keywords(node, {"precision": int})


def _symbol(node: ast.Call) -> tuple[list[str], dict]:
    """``Symbol('x', real=True)``: a name and assumption keywords."""
    return _literals(node, str, count=1, what="Symbol"), _keywords(node, _ASSUMPTION_KEYWORDS)


def _dummy(node: ast.Call) -> tuple[list[str], dict]:
    """``Dummy('x', dummy_index=12)``: as :func:`_symbol`, with the dummy's index."""
    return _literals(node, str, count=1, what="Dummy"), _keywords(node, _DUMMY_KEYWORDS)


def _matrix(node: ast.Call) -> tuple[list[list[list[sp.Basic]]], dict]:
    """``ImmutableDenseMatrix([[a, b], [c, d]])``: one list of rows of expressions."""
    _keywords(node, {})
    if len(node.args) != 1 or not isinstance(node.args[0], ast.List):
        raise SreprRejectedError("ImmutableDenseMatrix takes one list of rows")
    rows = []
    for row in node.args[0].elts:
        if not isinstance(row, ast.List):
            raise SreprRejectedError(f"a matrix row must be a list, not {_describe(row)}")
        rows.append([_expression(entry) for entry in row.elts])
    return [rows], {}


_ASSUMPTION_KEYWORDS: dict[str, type] = dict.fromkeys(ASSUMPTIONS, bool)
_DUMMY_KEYWORDS: dict[str, type] = {**_ASSUMPTION_KEYWORDS, "dummy_index": int}

#: Every accepted constructor: its ``srepr`` name, the class, and the reader of its arguments.
CONSTRUCTORS: dict[str, tuple[type, Callable[[ast.Call], tuple]]] = {
    **{name: (cls, _expressions) for name, cls in _EXPRESSION_CLASSES.items()},
    "Integer": (sp.Integer, _integer),
    "Rational": (sp.Rational, _rational),
    "Float": (sp.Float, _float),
    "Symbol": (sp.Symbol, _symbol),
    "Dummy": (sp.Dummy, _dummy),
    "ImmutableDenseMatrix": (sp.ImmutableDenseMatrix, _matrix),
}


def _literals(node: ast.Call, kind: type, count: int, what: str) -> list:
    """The ``count`` positional arguments of ``node``, each a literal of type ``kind``."""
    if len(node.args) != count:
        raise SreprRejectedError(f"{what} takes {count} literal argument(s), got {len(node.args)}")
    return [_literal(arg, kind, what) for arg in node.args]


def _literal(node: ast.expr, kind: type, what: str):
    """A literal of exactly type ``kind`` (``-`` allowed before an int; ``True`` is no int)."""
    if kind is int and _is_negation(node):
        return -_literal(node.operand, int, what)
    if isinstance(node, ast.Constant) and type(node.value) is kind:
        return node.value
    raise SreprRejectedError(
        f"{what} expects a literal of type {kind.__name__}, not {_describe(node)}"
    )


def _keywords(node: ast.Call, allowed: dict[str, type]) -> dict:
    """The keyword arguments of ``node``, each named in ``allowed`` with a literal of its type."""
    kwargs = {}
    for item in node.keywords:
        if item.arg not in allowed:  # also rejects ``**mapping`` (arg None)
            shown = "**" if item.arg is None else f"{item.arg}="
            raise SreprRejectedError(f"keyword {shown} is not allowed in {_describe(node.func)}")
        kwargs[item.arg] = _literal(item.value, allowed[item.arg], f"{item.arg}=")
    return kwargs


def _is_negation(node: ast.expr) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)


def _describe(node: ast.AST) -> str:
    """A short quotation of ``node`` for an error message."""
    text = ast.unparse(node)
    return f"{type(node).__name__} `{text[:60]}{'...' if len(text) > 60 else ''}`"
