"""The imports of every module follow the one-way flow of docs/design.md §3.

Read with :mod:`ast` (nothing is imported), every ``import`` statement anywhere in a module (inside
functions too) is checked:

* ``derivations`` imports the standard library, SymPy and mpmath only: never ``fate_numeric``,
  ``verify``, ``paper_figures``, numpy or torch;
* ``fate_numeric`` imports neither ``verify`` nor ``paper_figures``;
* ``verify`` and ``paper_figures`` do not import each other (today neither does; both read
  ``fate_numeric``);
* inside ``fate_numeric`` the linear family (the deep linear networks) and the ReLU family
  (``relu*.py``) do not import each other, except for the imports listed in
  :data:`CROSS_FAMILY_EXCEPTIONS`, today's, which may only shrink: a new cross-family import
  fails, and so does an exception that no longer occurs (delete it from the list).

A failure names the file, the line and the rule.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("derivations", "fate_numeric", "verify", "paper_figures")

#: What each package may not import (top-level names), and why.
FORBIDDEN = {
    "fate_numeric": {"verify", "paper_figures"},
    "verify": {"paper_figures"},
    "paper_figures": {"verify"},
}
#: ``derivations`` may import these besides the standard library (docs/design.md §3, §4).
DERIVATIONS_ALLOWED = {"derivations", "sympy", "mpmath"}

#: The deep-linear-network modules of ``fate_numeric``; the ReLU family is ``relu*.py``; the
#: others (numerics, store, theory, statistics, archive, similarity, the sweep service, batching,
#: the distributed runner, the command line ...) are shared by both.
LINEAR_FAMILY = {
    "cell_report",
    "experiments",
    "gram",
    "linear",
    "montecarlo",
    "probes",
    "sample_span",
    "sweeps",
    "tasks",
}

#: Today's cross-family imports (importing module's file, imported module) and why they remain.
#: The list may only shrink (issue 19): remove an entry together with its import.
CROSS_FAMILY_EXCEPTIONS: dict[tuple[str, str], str] = {}


def module_imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """``(line, module)`` for every module that ``path`` imports, relative imports resolved;
    ``from a import b`` gives ``a.b`` when ``b`` is a submodule of the package ``a`` in ``root``,
    else ``a``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parts = list(path.relative_to(root).with_suffix("").parts)
    package = parts[:-1]  # a module's package; an __init__.py's own package
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                sub = root.joinpath(*module.split("."), alias.name)
                is_module = sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file()
                found.append((node.lineno, f"{module}.{alias.name}" if is_module else module))
    return found


def package_files(package: str, root: Path = ROOT) -> list[Path]:
    return sorted((root / package).rglob("*.py"))


def family(module: str) -> str | None:
    """``linear``, ``relu`` or ``None`` (shared) for a module of ``fate_numeric``."""
    parts = module.split(".")
    if parts[0] != "fate_numeric" or len(parts) < 2:
        return None
    name = parts[1]
    if name.startswith("relu"):
        return "relu"
    return "linear" if name in LINEAR_FAMILY else None


def upward_imports(root: Path = ROOT) -> list[str]:
    """Every import against the direction of docs/design.md §3, as ``file:line: message``."""
    problems = []
    stdlib = set(sys.stdlib_module_names)
    for package in PACKAGES:
        for path in package_files(package, root):
            where = path.relative_to(root).as_posix()
            for line, module in module_imports(path, root):
                top = module.split(".")[0]
                if package == "derivations":
                    if top not in stdlib and top not in DERIVATIONS_ALLOWED:
                        problems.append(
                            f"{where}:{line}: imports {module}; derivations/ imports only the "
                            "standard library, sympy and mpmath (docs/design.md §3)"
                        )
                elif top in FORBIDDEN[package]:
                    problems.append(
                        f"{where}:{line}: imports {module}; {package} must not import "
                        f"{top} (docs/design.md §3: no arrow points back)"
                    )
    return problems


def cross_family_imports(root: Path = ROOT) -> dict[tuple[str, str], int]:
    """``(file, imported module) -> line`` for every import between the linear and the ReLU
    modules of ``fate_numeric``."""
    found = {}
    for path in package_files("fate_numeric", root):
        where = path.relative_to(root).as_posix()
        own = family(".".join(path.relative_to(root).with_suffix("").parts))
        if own is None:
            continue
        for line, module in module_imports(path, root):
            other = family(module)
            if other is not None and other != own:
                found.setdefault((where, module), line)
    return found


def test_no_import_points_back() -> None:
    problems = upward_imports()
    assert not problems, "imports against docs/design.md §3:\n" + "\n".join(problems)


def test_cross_family_imports_are_only_the_listed_exceptions() -> None:
    found = cross_family_imports()
    new = [
        f"{where}:{line}: imports {module} across the linear/ReLU families of fate_numeric; "
        "move what both need to a shared module (not a new entry in CROSS_FAMILY_EXCEPTIONS)"
        for (where, module), line in sorted(found.items())
        if (where, module) not in CROSS_FAMILY_EXCEPTIONS
    ]
    gone = [
        f"{where} no longer imports {module}: delete its entry from CROSS_FAMILY_EXCEPTIONS"
        for where, module in sorted(CROSS_FAMILY_EXCEPTIONS)
        if (where, module) not in found
    ]
    assert not new + gone, "\n".join(new + gone)


def test_every_linear_module_exists() -> None:
    """The family list names real modules (a renamed module must be renamed there too)."""
    missing = sorted(m for m in LINEAR_FAMILY if not (ROOT / "fate_numeric" / f"{m}.py").is_file())
    assert not missing, f"LINEAR_FAMILY names modules that do not exist: {missing}"


# ---- the checker itself, on a planted tree ---------------------------------------------------


def _plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for package in PACKAGES:
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").touch()


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "derivations/bad.py",
            "import os\nimport numpy as np\n",
            "derivations/bad.py:2: imports numpy",
        ),
        (
            "derivations/late.py",
            "def f():\n    from fate_numeric import theory\n",
            "derivations/late.py:2: imports fate_numeric.theory",
        ),
        (
            "fate_numeric/up.py",
            "\n\nfrom verify.stats import K\n",
            "fate_numeric/up.py:3: imports verify",
        ),
        (
            "verify/side.py",
            "import paper_figures.core\n",
            "verify/side.py:1: imports paper_figures",
        ),
        (
            "paper_figures/side.py",
            "from ..verify import model\n",  # relative, resolved
            "paper_figures/side.py:1: imports verify.model",
        ),
    ],
)
def test_the_checker_names_file_and_line(tmp_path: Path, name: str, text: str, expected: str):
    _plant(tmp_path, {name: text, "fate_numeric/theory.py": "", "verify/model.py": ""})
    problems = upward_imports(tmp_path)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_the_checker_accepts_the_allowed_directions(tmp_path: Path) -> None:
    _plant(
        tmp_path,
        {
            "derivations/ok.py": "import json\nimport sympy as sp\nimport mpmath\n",
            "fate_numeric/ok.py": "import numpy\nfrom derivations.errors import FateError\n",
            "verify/ok.py": "from fate_numeric import store\n",
            "paper_figures/ok.py": "import matplotlib\nfrom fate_numeric import theory\n",
        },
    )
    assert upward_imports(tmp_path) == []


def test_the_checker_finds_cross_family_imports(tmp_path: Path) -> None:
    _plant(
        tmp_path,
        {
            "fate_numeric/linear.py": "from fate_numeric import numerics\n",
            "fate_numeric/numerics.py": "",
            "fate_numeric/relu.py": "from fate_numeric import numerics\n",
            "fate_numeric/relu_new.py": "import fate_numeric.relu\n\nfrom fate_numeric import gram",
            "fate_numeric/gram.py": "from fate_numeric.relu import x\n",
        },
    )
    assert cross_family_imports(tmp_path) == {
        ("fate_numeric/gram.py", "fate_numeric.relu"): 1,
        ("fate_numeric/relu_new.py", "fate_numeric.gram"): 3,
    }
