"""All derived results, in the order of the paper, built once and cached.

:func:`all_results` derives every record (:func:`derive_all`) or reads them back from the disk
cache of :mod:`derivations.cache`, then keeps them in memory; :func:`get` finds one by name.
"""

from __future__ import annotations

import difflib
import functools
import importlib

from derivations import cache
from derivations.errors import UnknownResultError
from derivations.record import DerivedResult

#: Modules of derivations, in the order of the paper.
MODULES: tuple[str, ...] = (
    "gradient_flow",
    "marchenko_pastur",
    "gaussian",
    "scratch",
    "linear_transfer",
    "ridge",
    "fine_tuning",
    "finite_source",
    "finite_size",
    "similarity",
    "relu_kernel",
    "relu_boundary",
    "output_layer_descent",
    "gram_descent",
    "rank_k",  # extensions beyond the paper (docs/paper.md §11), after the paper's results
    "pretraining_decay",  # extension: weight decay during pretraining (docs/paper.md §12)
)


def derive_all() -> dict[str, DerivedResult]:
    """Run every derivation (no cache)."""
    results: dict[str, DerivedResult] = {}
    for module_name in MODULES:
        module = importlib.import_module(f"derivations.{module_name}")
        for result in module.results():
            if result.name in results:
                raise RuntimeError(f"two derivations are named {result.name!r}")
            results[result.name] = result
    return results


@functools.cache
def all_results() -> dict[str, DerivedResult]:
    """Every derived result by name, in the order of the paper (cached in memory and on disk)."""
    use_disk = cache.enabled()
    if use_disk and (cached := cache.load()) is not None:
        return cached
    results = derive_all()
    if use_disk:
        cache.store(results)
    return results


def get(name: str) -> DerivedResult:
    """The derived result called ``name``; a clear error with suggestions otherwise."""
    results = all_results()
    try:
        return results[name]
    except KeyError:
        close = difflib.get_close_matches(name, results, n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownResultError(
            f"no derived result is named {name!r}.{hint} "
            "`python -m derivations list` shows them all."
        ) from None
