"""Public names of a package imported on first use (PEP 562), so ``import package`` stays cheap.

Each package's ``__init__`` names its public API in ``__all__``; where importing a name would load
SymPy, numpy, torch or matplotlib, the package lists it here instead of importing it, and
:func:`exports` gives the package's ``__getattr__`` and ``__dir__``:
``from fate_numeric import theory`` and ``fate_numeric.Cell`` work as if imported eagerly, but
``import fate_numeric`` (which ``python -m fate_numeric`` and ``from fate_numeric.X import ...``
run first) costs nothing. Pure Python, in :mod:`derivations` so that every package may import it
(docs/design.md §3).
"""

from __future__ import annotations

import sys

__all__ = ["exports"]


def exports(package: str, names: dict[str, str]) -> tuple:
    """``(__getattr__, __dir__)`` for ``package`` whose public ``names`` map to the module that
    defines each (``"fate_numeric.experiments"`` for ``Cell``); a name that is the last part of
    its module (``"theory": "fate_numeric.theory"``) is that submodule.

    A name is imported when first asked for and then kept in the package's namespace; an unknown
    name raises :class:`AttributeError`, so ``from package import submodule`` still imports the
    submodule.
    """

    def __getattr__(name: str) -> object:
        try:
            module_name = names[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        import importlib  # here, not at the top: ``import package`` stays cheap

        module = importlib.import_module(module_name)
        value = module if module_name == f"{package}.{name}" else getattr(module, name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
