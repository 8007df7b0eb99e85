"""The on-disk cache of the derivation records: where it lives, how a file is laid out and checked.

Derivations are pure functions of the source code of this package and of the SymPy version, so
:func:`derivations.registry.all_results` caches their records in ``derivations-<key>.json`` under
``$FATE_CACHE_DIR`` (or ``$XDG_CACHE_HOME/features-are-fate``, default
``~/.cache/features-are-fate``); the key hashes every ``derivations/*.py`` file, the SymPy version
and :data:`FORMAT`, so a changed source means a fresh derivation. ``FATE_NO_CACHE=1`` bypasses
the cache.

A cache file holds two lines:

1. a header, ``{"format": 2, "key": "...", "bytes": N, "sha256": "..."}`` (JSON);
2. the body, a JSON list of records whose expressions are ``srepr`` strings.

The header's length and checksum detect a truncated or altered body, its format version and key
a file written by another version of this package. They guard against accidents, not forgery
(whoever can write the file can recompute them); the guard against forgery is the reader of the
expressions, :mod:`derivations.srepr_reader`, which rebuilds only whitelisted SymPy constructors
and never runs the text. A file that fails a check is ignored with one
:class:`CacheRejectedWarning` that names it and says why; the registry then derives the records
afresh and rewrites the file. (A record the reader cannot rebuild, say one with a SymPy class
outside its whitelist, is reported that way too, at every start; tests/derivations round-trips
every record so that this never reaches a user.)
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import warnings
from pathlib import Path

import sympy as sp

from derivations.atomic import write_atomic
from derivations.record import DerivedResult, Regime, Step, decode_check, encode_check
from derivations.srepr_reader import SreprRejectedError, read

#: Version of the file layout; part of the key, and checked against the header of every file.
FORMAT = 2

_PACKAGE_DIR = Path(__file__).resolve().parent
_HEADER_FIELDS = frozenset({"format", "key", "bytes", "sha256"})


class CacheRejectedWarning(UserWarning):
    """A derivation cache file was ignored: tampered, truncated, foreign or unreadable."""


class _Rejected(Exception):
    """Internal: why a cache file is not used (turned into a :class:`CacheRejectedWarning`)."""


def enabled() -> bool:
    """Whether the disk cache is used (``FATE_NO_CACHE`` unset, empty or ``0``)."""
    return os.environ.get("FATE_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path:
    """Folder of the derivation cache."""
    if explicit := os.environ.get("FATE_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "features-are-fate"


def source_key() -> str:
    """Hash of the derivation sources, the SymPy version and the file format: the cache key."""
    digest = hashlib.sha256(f"format={FORMAT};sympy={sp.__version__}".encode())
    for path in sorted(_PACKAGE_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def cache_file() -> Path:
    """The cache file of the current sources."""
    return cache_dir() / f"derivations-{source_key()}.json"


def encode(result: DerivedResult) -> dict:
    """A JSON-ready form of ``result``, its expressions as ``srepr`` strings."""
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


def decode(data: dict, parse=read) -> DerivedResult:
    """Inverse of :func:`encode`; ``parse`` rebuilds an expression (default: the safe reader).

    Raises ``KeyError``, ``TypeError`` or ``ValueError`` (:class:`SreprRejectedError` among them)
    on anything :func:`encode` does not write.
    """
    return DerivedResult(
        name=_text(data, "name"),
        title=_text(data, "title"),
        reference=_text(data, "reference"),
        regime=Regime(data["regime"]),
        assumptions=tuple(_text({"item": a}, "item") for a in data["assumptions"]),
        expr=parse(data["expr"]),
        steps=tuple(
            Step(parse(s["expr"]), _text(s, "why"), decode_check(s["check"], parse))
            for s in data["steps"]
        ),
        printed=None if data["printed"] is None else _text(data, "printed"),
        notes=_text(data, "notes"),
        variables=tuple(parse(v) for v in data["variables"]),
    )


def _text(data: dict, key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key!r} is a {type(value).__name__}, not text")
    return value


def serialise(records: list[dict]) -> bytes:
    """The bytes of a cache file holding ``records`` (as :func:`encode` writes them)."""
    body = json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode()
    header = {
        "format": FORMAT,
        "key": source_key(),
        "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    return json.dumps(header).encode() + b"\n" + body


def _records(content: bytes) -> list:
    """The records of a cache file's ``content``, after its header's checks; :class:`_Rejected`."""
    head, newline, body = content.partition(b"\n")
    if not newline:
        raise _Rejected("no header line: truncated, or not a cache file of this version")
    try:
        header = json.loads(head)
    except ValueError:
        raise _Rejected("the header line is not JSON: not a cache file of this version") from None
    if not isinstance(header, dict):
        raise _Rejected("the header line is not a cache header")
    if (version := header.get("format")) != FORMAT:
        raise _Rejected(f"written in cache format {version!r:.20}; this reads format {FORMAT}")
    if set(header) != _HEADER_FIELDS or type(header["bytes"]) is not int:
        raise _Rejected(f"malformed header {head[:200]!r}")
    if header["key"] != source_key():
        raise _Rejected("written for other derivation sources (its key differs from the name's)")
    if len(body) < header["bytes"]:
        raise _Rejected(f"truncated: {len(body)} of {header['bytes']} bytes")
    if len(body) != header["bytes"] or hashlib.sha256(body).hexdigest() != header["sha256"]:
        raise _Rejected("checksum mismatch: the file was altered after it was written")
    try:
        records = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise _Rejected(f"the body is not JSON ({error})") from None
    if not isinstance(records, list):
        raise _Rejected("the body is not a list of records")
    return records


def load() -> dict[str, DerivedResult] | None:
    """The cached records by name, or ``None`` (no file, or a rejected one: warned once)."""
    path = cache_file()
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        _warn(f"derivation cache {path} is not readable ({error}); deriving afresh")
        return None
    parse = functools.cache(read)  # one rebuild per distinct text (steps repeat them)
    try:
        results = {}
        for number, data in enumerate(_records(content)):
            try:
                result = decode(data, parse)
            except (KeyError, TypeError, ValueError) as error:
                raise _Rejected(f"record {number}: {_reason(error)}") from None
            results[result.name] = result
    except _Rejected as reason:
        _warn(f"derivation cache {path} rejected: {reason}; deriving afresh and rewriting it")
        return None
    return results


def store(results: dict[str, DerivedResult]) -> None:
    """Write ``results`` to the cache file atomically; a read-only cache folder is no error."""
    path = cache_file()
    data = serialise([encode(r) for r in results.values()])
    with contextlib.suppress(OSError):  # a read-only cache folder must not break the derivations
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)


def _reason(error: Exception) -> str:
    if isinstance(error, SreprRejectedError):
        return f"expression rejected: {error}"
    if isinstance(error, KeyError):
        return f"field {error} missing"
    return f"{type(error).__name__}: {error}"


def _warn(message: str) -> None:
    warnings.warn(message, CacheRejectedWarning, stacklevel=3)
