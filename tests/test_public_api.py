"""Each package's ``__init__`` names its public API in ``__all__`` (issue 19), and every name
there resolves; the packages that import their names on first use (:mod:`derivations.lazy`) load
none of the heavy libraries on ``import package``."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The packages and the modules whose ``__all__`` is their public surface.
MODULES = (
    "derivations",
    "fate_numeric",
    "verify",
    "paper_figures",
    "verify.report",
    "fate_numeric.store",
    "fate_numeric.statistics",
    "derivations.atomic",
)

#: What ``import package`` must not load (the reason its names are imported on first use).
HEAVY = ("sympy", "numpy", "torch", "matplotlib")


@pytest.mark.parametrize("name", MODULES)
def test_every_name_in_all_resolves(name: str) -> None:
    module = importlib.import_module(name)
    public = module.__all__
    assert public and len(set(public)) == len(public), f"{name}.__all__ is empty or repeats"
    unresolved = []
    for attribute in public:
        try:
            getattr(module, attribute)
        except AttributeError:
            unresolved.append(attribute)
    assert not unresolved, f"{name}.__all__ names what {name} does not have: {unresolved}"
    assert set(public) <= set(dir(module))


def test_lazy_names_are_the_defining_objects() -> None:
    import derivations
    import fate_numeric
    import paper_figures
    import verify
    from derivations.registry import get
    from fate_numeric import experiments, theory
    from paper_figures.core import Table
    from verify.report import terminal_table

    assert derivations.get is get
    assert fate_numeric.theory is theory and fate_numeric.Cell is experiments.Cell
    assert paper_figures.Table is Table
    assert verify.terminal_table is terminal_table


def test_an_unknown_name_is_an_attribute_error_and_submodules_still_import() -> None:
    import derivations

    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        derivations.not_a_name  # noqa: B018
    from derivations import explain  # a submodule, not in __all__

    assert explain.__name__ == "derivations.explain"


def test_importing_a_package_loads_no_heavy_library() -> None:
    script = (
        "import sys, json\n"
        "import derivations, fate_numeric, verify, paper_figures\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []
