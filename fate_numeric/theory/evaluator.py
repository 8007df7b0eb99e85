"""Turning a derived SymPy expression into a fast, safe numpy function.

An :class:`Evaluator` wraps one :class:`~derivations.record.DerivedResult`: it validates its
arguments (:mod:`fate_numeric.theory.domains`), broadcasts them, and evaluates the expression that
:func:`sympy.lambdify` made from the record — never a re-typed formula. Piecewise results are
lambdified *per branch*: each branch's condition is evaluated first and each branch expression only
on the points where it applies, so no branch is ever evaluated outside its domain (no division by
zero at γ = 1, no square root of a negative number) and no warning is raised. Singular points are
handled by the record's own branches (e.g. ``oo`` at γ = 1 when σ > 0). A finite value beyond
the float64 range (the iterate of a diverging gradient descent, ``output_descent_mode``) comes back
as ±inf, as IEEE arithmetic rounds it, without a warning.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from derivations.errors import InvalidArgumentError
from derivations.piecewise import branches
from derivations.registry import get
from fate_numeric.theory.domains import Domain, domain_of, validate


@dataclass(frozen=True)
class Parameter:
    """One argument of an evaluator: its name, the symbol it binds and its allowed range.

    The range is left out where evaluators are declared: :class:`Evaluator` fills it in from the
    shared table of :mod:`derivations.domains` (:func:`~derivations.domains.domain_of` of its
    record and symbol), so that ``python -m derivations eval`` refuses exactly what the evaluator
    refuses. A range given here must equal the table's.
    """

    name: str
    symbol: sp.Symbol
    domain: Domain | None = None


class _CompiledComponent:
    """One scalar expression compiled branch by branch.

    Piecewise parts inside a sum or product (a difference of two piecewise results) are folded
    into one top-level Piecewise first, so that they too are evaluated only where they apply.
    """

    def __init__(self, expr: sp.Basic, symbols: Sequence[sp.Symbol]) -> None:
        self.branches: list[tuple[Callable, Callable]] = []
        for branch_expr, condition in branches(sp.piecewise_fold(expr)):
            self.branches.append(
                (
                    sp.lambdify(symbols, branch_expr, modules=["numpy", "scipy"], dummify=True),
                    sp.lambdify(symbols, condition, modules="numpy", dummify=True),
                )
            )

    def __call__(self, args: list[np.ndarray]) -> np.ndarray:
        shape = args[0].shape
        flat = [a.ravel() for a in args]
        out = np.full(flat[0].shape if flat else (), np.nan)
        pending = np.ones(out.shape, dtype=bool)
        for function, condition in self.branches:
            if not pending.any():
                break
            selected = pending & np.broadcast_to(
                np.asarray(condition(*flat), dtype=bool), out.shape
            )
            if not selected.any():
                continue
            with np.errstate(over="ignore"):  # beyond float64: ±inf, the rounded value
                values = function(*[a[selected] for a in flat])
            out[selected] = np.broadcast_to(
                np.asarray(values, dtype=np.float64), (int(selected.sum()),)
            )
            pending &= ~selected
        return out.reshape(shape)


def _with_domain(result: str, parameter: Parameter) -> Parameter:
    """``parameter`` with the range :mod:`derivations.domains` gives its symbol in ``result``."""
    domain = domain_of(result, parameter.symbol)
    if parameter.domain is not None and parameter.domain != domain:
        raise RuntimeError(
            f"parameter {parameter.name} of {result}: range {parameter.domain.describe()} differs "
            f"from {domain.describe()} in derivations/domains.py (change it there)"
        )
    return dataclasses.replace(parameter, domain=domain)


class Evaluator:
    """A numpy function lambdified from a derived result.

    Attributes:
        name: the evaluator's name (its public function name in :mod:`fate_numeric.theory`).
        result: the name of the :class:`~derivations.record.DerivedResult` it evaluates.
        parameters: its arguments, in order.
        expr: the SymPy expression it was lambdified from (a Tuple for multi-valued results).
    """

    def __init__(self, name: str, result: str, parameters: Sequence[Parameter], doc: str) -> None:
        self.name = name
        self.result = result
        self.parameters = tuple(_with_domain(result, p) for p in parameters)
        self.__name__ = name
        self.__qualname__ = name
        self.__doc__ = doc

    @property
    def expr(self) -> sp.Basic:
        """The SymPy expression of the derived result this evaluator was made from."""
        return get(self.result).expr

    @functools.cached_property
    def _compiled(self) -> list[_CompiledComponent]:
        symbols = [p.symbol for p in self.parameters]
        expr = self.expr
        stray = set(sp.sympify(expr).free_symbols) - set(symbols)
        if stray:
            raise RuntimeError(
                f"evaluator {self.name}: result {self.result!r} depends on "
                f"{sorted(map(str, stray))}, "
                f"which are not among its parameters {[p.name for p in self.parameters]}"
            )
        components = list(expr) if isinstance(expr, sp.Tuple) else [expr]
        return [_CompiledComponent(c, symbols) for c in components]

    def _bind(self, args: tuple, kwargs: dict) -> list[np.ndarray]:
        names = [p.name for p in self.parameters]
        if len(args) > len(names):
            raise InvalidArgumentError(
                f"{self.name}() takes {len(names)} arguments ({', '.join(names)}); got {len(args)}"
            )
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names:
                raise InvalidArgumentError(
                    f"{self.name}() has no argument {key!r}; its arguments are {', '.join(names)}"
                )
            if key in values:
                raise InvalidArgumentError(f"{self.name}() got two values for {key!r}")
            values[key] = value
        missing = [n for n in names if n not in values]
        if missing:
            raise InvalidArgumentError(f"{self.name}() is missing {', '.join(missing)}")
        return [validate(p.name, values[p.name], p.domain) for p in self.parameters]

    def __call__(self, *args: object, **kwargs: object) -> np.ndarray | float | tuple:
        arrays = self._bind(args, kwargs)
        try:
            broadcast = list(np.broadcast_arrays(*arrays)) if arrays else []
        except ValueError:
            shapes = ", ".join(
                f"{p.name}{a.shape}" for p, a in zip(self.parameters, arrays, strict=True)
            )
            raise InvalidArgumentError(
                f"{self.name}(): argument shapes do not broadcast: {shapes}"
            ) from None
        outputs = [component(broadcast) for component in self._compiled]
        scalar = all(a.ndim == 0 for a in arrays)
        outputs = [float(o) if scalar else o for o in outputs]
        return tuple(outputs) if isinstance(self.expr, sp.Tuple) else outputs[0]

    def __repr__(self) -> str:
        arguments = ", ".join(p.name for p in self.parameters)
        return f"<evaluator {self.name}({arguments}) from {self.result!r}>"
