"""SymPy re-derivations of the results of "Features are fate" (Tahir, Ganguli, Rotskoff, 2025).

Pure mathematics: this package imports only SymPy and mpmath. Each result is a
:class:`~derivations.record.DerivedResult`; :func:`all_results` returns them all in the order of
the paper, :func:`get` one by name. ``python -m derivations`` is the command line.
"""

from derivations.errors import FateError, InvalidArgumentError, UnknownResultError
from derivations.record import DerivedResult, Regime, Step
from derivations.registry import all_results, get

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
