"""SymPy re-derivations of the results of "Features are fate" (Tahir, Ganguli, Rotskoff, 2025).

Pure mathematics: this package imports only SymPy and mpmath. Each result is a
:class:`~derivations.record.DerivedResult`; :func:`all_results` returns them all in the order of
the paper, :func:`get` one by name. ``python -m derivations`` is the command line.

The public API is ``__all__``; the names that need SymPy are imported on first use
(:mod:`derivations.lazy`), so ``import derivations`` (and ``from derivations.errors import ...``,
which every package runs) does not load SymPy.
"""

from derivations.errors import FateError, InvalidArgumentError, UnknownResultError
from derivations.lazy import exports

__all__ = [
    "DerivedResult",
    "FateError",
    "InvalidArgumentError",
    "Regime",
    "Step",
    "UnknownResultError",
    "all_results",
    "get",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "DerivedResult": "derivations.record",
        "Regime": "derivations.record",
        "Step": "derivations.record",
        "all_results": "derivations.registry",
        "get": "derivations.registry",
    },
)
