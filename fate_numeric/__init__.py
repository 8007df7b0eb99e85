"""Numbers from the theory of "Features are fate": evaluators lambdified from :mod:`derivations`,
simulators of the networks, Monte Carlo of the limit objects, the result store.

The public API is ``__all__``: the closed-form evaluators (:mod:`fate_numeric.theory`), the Monte
Carlo of the limit objects (:mod:`fate_numeric.montecarlo`), a grid cell and its simulation
(:class:`~fate_numeric.experiments.Cell`, :func:`~fate_numeric.experiments.run_cells`), the result
store (:class:`~fate_numeric.store.ResultStore`, :func:`~fate_numeric.store.default_store`) and the
package's exceptions. They are imported on first use (:mod:`derivations.lazy`), so
``import fate_numeric`` loads neither SymPy nor torch.
"""

from derivations.errors import FateError, InvalidArgumentError, UnknownResultError
from derivations.lazy import exports

__all__ = [
    "Cell",
    "FateError",
    "InvalidArgumentError",
    "ResultStore",
    "UnknownResultError",
    "default_store",
    "montecarlo",
    "run_cells",
    "theory",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "Cell": "fate_numeric.experiments",
        "ResultStore": "fate_numeric.store",
        "default_store": "fate_numeric.store",
        "montecarlo": "fate_numeric.montecarlo",
        "run_cells": "fate_numeric.experiments",
        "theory": "fate_numeric.theory",
    },
)
