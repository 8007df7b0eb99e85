"""All derived results, in the order of the paper, built once and cached.

Derivations are pure functions of the source code of this package and of the SymPy version, so
their records are cached on disk (``$FATE_CACHE_DIR`` or ``$XDG_CACHE_HOME/features-are-fate``,
default ``~/.cache/features-are-fate``) as ``srepr`` strings in JSON, keyed by a hash of every
``derivations/*.py`` file and the SymPy version. A changed source file, another SymPy or a
corrupt cache file means a fresh derivation; the cache is written atomically. Set
``FATE_NO_CACHE=1`` to bypass it.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import importlib
import json
import os
import tempfile
from pathlib import Path

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p
from sympy.functions.elementary.piecewise import ExprCondPair

from derivations.errors import UnknownResultError
from derivations.record import DerivedResult, Regime, Step, decode_check, encode_check

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
    "output_layer_descent",
    "gram_descent",
)

_PACKAGE_DIR = Path(__file__).resolve().parent
_FORMAT = 1


def cache_dir() -> Path:
    """Folder of the derivation cache."""
    if explicit := os.environ.get("FATE_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "features-are-fate"


def source_key() -> str:
    """Hash of the derivation sources and the SymPy version: the cache key."""
    digest = hashlib.sha256(f"format={_FORMAT};sympy={sp.__version__}".encode())
    for path in sorted(_PACKAGE_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


_SYMPY_NAMESPACE = {
    **{name: getattr(sp, name) for name in dir(sp) if not name.startswith("_")},
    "ExprCondPair": ExprCondPair,
    "expm1": expm1,  # numerically stable forms (derivations.output_layer_descent)
    "log1p": log1p,
}


def _parse(text: str) -> sp.Basic:
    """Rebuild an expression from its ``srepr``; refuses anything but SymPy constructors.

    ``srepr`` strings are Python expressions; they are evaluated with no builtins and only SymPy's
    public names in scope, and any double underscore is rejected, so a foreign cache file cannot
    reach the interpreter.
    """
    if "__" in text:
        raise ValueError("not an srepr string")
    value = eval(
        compile(text, "<derivation cache>", "eval"), {"__builtins__": {}}, _SYMPY_NAMESPACE
    )
    if not isinstance(value, sp.Basic):
        raise ValueError("not a SymPy expression")
    return value


def _encode(result: DerivedResult) -> dict:
    return {
        "name": result.name,
        "title": result.title,
        "reference": result.reference,
        "regime": result.regime.value,
        "assumptions": list(result.assumptions),
        "expr": sp.srepr(result.expr),
        "steps": [
            {"expr": sp.srepr(s.expr), "why": s.why, "check": encode_check(s.check)}
            for s in result.steps
        ],
        "printed": result.printed,
        "notes": result.notes,
        "variables": [sp.srepr(v) for v in result.variables],
    }


def _decode(data: dict) -> DerivedResult:
    return DerivedResult(
        name=data["name"],
        title=data["title"],
        reference=data["reference"],
        regime=Regime(data["regime"]),
        assumptions=tuple(data["assumptions"]),
        expr=_parse(data["expr"]),
        steps=tuple(
            Step(_parse(s["expr"]), s["why"], decode_check(s.get("check"), _parse))
            for s in data["steps"]
        ),
        printed=data["printed"],
        notes=data["notes"],
        variables=tuple(_parse(v) for v in data["variables"]),
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


def _cache_file() -> Path:
    return cache_dir() / f"derivations-{source_key()}.json"


def _load_cache() -> dict[str, DerivedResult] | None:
    path = _cache_file()
    try:
        payload = json.loads(path.read_text())
        return {item["name"]: _decode(item) for item in payload["results"]}
    except (OSError, ValueError, KeyError, TypeError, SyntaxError, NameError, AttributeError):
        return None


def _store_cache(results: dict[str, DerivedResult]) -> None:
    path = _cache_file()
    payload = {"key": source_key(), "results": [_encode(r) for r in results.values()]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as f:
            json.dump(payload, f)
        os.replace(f.name, path)
    except OSError:  # a read-only cache folder must not break the derivations
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(f.name)


@functools.cache
def all_results() -> dict[str, DerivedResult]:
    """Every derived result by name, in the order of the paper (cached in memory and on disk)."""
    use_disk = os.environ.get("FATE_NO_CACHE", "") in ("", "0")
    if use_disk and (cached := _load_cache()) is not None:
        return cached
    results = derive_all()
    if use_disk:
        _store_cache(results)
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
