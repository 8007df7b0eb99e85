"""The result store's checks: what it accepts and what it trusts (docs/design.md §5.7).

:mod:`fate_numeric.store` keeps the API (:class:`~fate_numeric.store.ResultStore`, keys, files);
this module holds what it checks, so that the two can be read apart:

* configurations: :func:`to_canonical` turns a configuration into plain JSON data or refuses it
  with an :class:`~derivations.errors.InvalidArgumentError` naming where the bad value sits;
  :func:`key_of` hashes it with the package version and the store format into the entry's key;
* arrays to be saved: :func:`check_arrays` (names, and numeric or boolean dtypes only: never
  pickle);
* an entry read back: :func:`check_metadata` (every field of the JSON, its format, that its
  configuration hashes to its file name, every array's description) and
  :func:`check_npz_headers` (every member's ``.npy`` header before any data is decoded: no object
  arrays, sizes as the headers imply, exactly the arrays the JSON lists), each raising
  :class:`StoreCorruptionError` with the file, its kind (``corrupt``, ``foreign``) and the reason.

Nothing here touches the disk. :mod:`fate_numeric.store` re-exports ``STORE_FORMAT``,
``KEY_LENGTH``, :class:`StoreError` and :class:`StoreCorruptionError`.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from derivations.errors import FateError, InvalidArgumentError

__all__ = [
    "KEY_LENGTH",
    "STORE_FORMAT",
    "StoreCorruptionError",
    "StoreError",
    "check_arrays",
    "check_metadata",
    "check_npz_headers",
    "dumps",
    "key_of",
    "to_canonical",
]


#: Version of the on-disk layout; part of every key, so a new layout starts fresh entries.
STORE_FORMAT = 1
#: Number of hex digits of SHA-256 kept in a key (80 bits).
KEY_LENGTH = 20

#: Array kinds that are stored: bool, signed and unsigned integers, floats, complex numbers.
_ARRAY_KINDS = "biufc"
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
_SHA_RE = re.compile(r"[0-9a-f]{64}")
_METADATA_FIELDS: dict[str, type | tuple[type, ...]] = {
    "store_format": int,
    "key": str,
    "config": dict,
    "package_version": str,
    "created": str,
    "arrays": dict,
    "npz_sha256": str,
    "npz_bytes": int,
    "extra": dict,
}


# --------------------------------------------------------------------------------------------
# Errors


class StoreError(FateError):
    """Base class of the result store's errors."""


class StoreCorruptionError(StoreError):
    """A stored file is corrupt, foreign or incomplete; it was not trusted.

    Attributes:
        path: the file at fault.
        kind: ``"corrupt"`` (damaged or inconsistent bytes), ``"foreign"`` (not written by this
            store for that key: renamed, edited, unknown format, object arrays) or
            ``"incomplete"`` (an npz without its JSON, left by an interrupted write).
        reason: what is wrong, in words.
    """

    def __init__(self, path: Path, kind: str, reason: str) -> None:
        self.path = Path(path)
        self.kind = kind
        self.reason = reason
        super().__init__(f"{kind} result-store file {self.path}: {reason}")


# --------------------------------------------------------------------------------------------
# Configurations and keys


def to_canonical(value: Any, where: str) -> Any:
    """``value`` as plain JSON data (dict with str keys, list, str, int, float, bool, None)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        if isinstance(value, np.floating) and value.dtype.itemsize > 8:
            raise InvalidArgumentError(
                f"configuration value at {where} is a numpy {value.dtype} scalar, which has no "
                "exact JSON form; convert it to float (float64) first"
            )
        return float(value)
    if isinstance(value, np.ndarray):
        return to_canonical(value.tolist(), where)
    if isinstance(value, Mapping):
        result = {}
        for name, item in value.items():
            if not isinstance(name, str):
                raise InvalidArgumentError(
                    f"configuration key {name!r} at {where} is a {type(name).__name__}; "
                    "mapping keys must be strings (JSON objects have string keys)"
                )
            result[str.__str__(name)] = to_canonical(item, f"{where}[{name!r}]")
        return result
    if isinstance(value, list | tuple):
        return [to_canonical(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise InvalidArgumentError(
        f"configuration value at {where} has type {type(value).__name__} ({value!r:.80}), which "
        "is not JSON-serialisable; allowed: None, bool, int, float, str, lists/tuples, mappings "
        "with string keys, numpy scalars and numeric arrays"
    )


def dumps(data: Any) -> str:
    """Canonical JSON text: keys sorted, no white space, ASCII only."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def key_of(canonical_config: Any, version: str, store_format: int) -> str:
    """The key of an entry: the first ``KEY_LENGTH`` hex digits of the SHA-256 of the canonical
    JSON of its configuration, package version and store format."""
    text = dumps(
        {"config": canonical_config, "package_version": version, "store_format": store_format}
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:KEY_LENGTH]


# --------------------------------------------------------------------------------------------
# Arrays and entries


def check_arrays(arrays: Any) -> dict[str, np.ndarray]:
    """``arrays`` as numpy arrays by name, or :class:`InvalidArgumentError` for a name that is not
    allowed or an array that is not bool, integer, float or complex (never pickle)."""
    if not isinstance(arrays, Mapping):
        raise InvalidArgumentError(
            f"the arrays of a result must be a mapping of names to arrays, got "
            f"{type(arrays).__name__}"
        )
    checked: dict[str, np.ndarray] = {}
    for name, value in arrays.items():
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise InvalidArgumentError(
                f"array name {name!r} is not allowed: names are 1 to 100 ASCII letters, digits and "
                "underscores, not starting with a digit"
            )
        try:
            array = np.asarray(value)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise InvalidArgumentError(
                f"array {name!r} cannot be converted to a numpy array: {exc}"
            ) from exc
        if array.dtype.kind not in _ARRAY_KINDS:
            raise InvalidArgumentError(
                f"array {name!r} has dtype {array.dtype} (kind {array.dtype.kind!r}); only bool, "
                "integer, float and complex arrays are stored (object arrays would need pickle, "
                "which the store never uses)"
            )
        checked[name] = array
    return checked


def check_metadata(path: Path, key: str, text: bytes) -> dict[str, Any]:
    """The parsed JSON ``text`` of the entry ``key`` (file ``path``) once every field has been
    checked; :class:`StoreCorruptionError` (``corrupt`` or ``foreign``) otherwise."""

    def bad(reason: str, kind: str = "corrupt") -> StoreCorruptionError:
        return StoreCorruptionError(path, kind, reason)

    try:
        meta = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise bad(f"not valid JSON ({exc})") from exc
    if not isinstance(meta, dict):
        raise bad(f"the JSON is a {type(meta).__name__}, not an object")
    for field, kind in _METADATA_FIELDS.items():
        if field not in meta:
            raise bad(f"lacks the field {field!r}")
        value = meta[field]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise bad(f"field {field!r} is a {type(value).__name__}")
    if meta["store_format"] != STORE_FORMAT:
        raise bad(
            f"store format {meta['store_format']}, this store reads format {STORE_FORMAT}",
            "foreign",
        )
    if meta["key"] != key:
        raise bad(f"records the key {meta['key']!r}, not its file name's {key!r}", "foreign")
    if not _SHA_RE.fullmatch(meta["npz_sha256"]) or meta["npz_bytes"] < 0:
        raise bad("the npz checksum or size is malformed")
    try:
        actual = key_of(
            json.loads(dumps(to_canonical(meta["config"], "config"))),
            meta["package_version"],
            meta["store_format"],
        )
    except (InvalidArgumentError, RecursionError) as exc:
        raise bad(f"its configuration is not canonical JSON ({exc})") from exc
    if actual != key:
        raise bad(
            f"its configuration and package version hash to {actual}, not to its file name "
            f"{key} (renamed, copied or edited)",
            "foreign",
        )
    for name, spec in meta["arrays"].items():
        if not _NAME_RE.fullmatch(name):
            raise bad(f"lists an array with the invalid name {name!r}", "foreign")
        if (
            not isinstance(spec, dict)
            or not isinstance(spec.get("shape"), list)
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in spec["shape"])
            or any(n < 0 for n in spec["shape"])
            or not isinstance(spec.get("dtype"), str)
        ):
            raise bad(f"the description of array {name!r} is malformed: {spec!r:.100}")
        try:
            dtype = np.dtype(spec["dtype"])
        except (TypeError, ValueError) as exc:
            raise bad(f"array {name!r} has the unknown dtype {spec['dtype']!r}") from exc
        if dtype.kind not in _ARRAY_KINDS:
            raise bad(
                f"array {name!r} is declared with dtype {dtype} (kind {dtype.kind!r}); object "
                "and other non-numeric arrays are refused",
                "foreign",
            )
    return meta


def check_npz_headers(
    path: Path, data: bytes, declared: Mapping[str, tuple[tuple[int, ...], np.dtype]]
) -> None:
    """Check every member's .npy header (no data decoded, nothing unpickled)."""
    found: dict[str, tuple[tuple[int, ...], np.dtype]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                name = info.filename.removesuffix(".npy")
                if name == info.filename or not _NAME_RE.fullmatch(name) or name in found:
                    raise StoreCorruptionError(
                        path, "foreign", f"unexpected member {info.filename!r}"
                    )
                with zf.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    if version == (1, 0):
                        header = np.lib.format.read_array_header_1_0(member)
                    elif version == (2, 0):
                        header = np.lib.format.read_array_header_2_0(member)
                    else:
                        raise StoreCorruptionError(
                            path, "foreign", f"member {info.filename!r}: .npy version {version}"
                        )
                    shape, _, dtype = header
                    if dtype.kind not in _ARRAY_KINDS:
                        raise StoreCorruptionError(
                            path,
                            "foreign",
                            f"array {name!r} has dtype {dtype} (kind {dtype.kind!r}): object "
                            "arrays are refused and never unpickled",
                        )
                    expected = member.tell() + math.prod(shape) * dtype.itemsize
                    if info.file_size != expected:
                        raise StoreCorruptionError(
                            path,
                            "corrupt",
                            f"array {name!r} has {info.file_size} bytes, its header implies "
                            f"{expected}",
                        )
                found[name] = (tuple(shape), dtype)
    except StoreCorruptionError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise StoreCorruptionError(path, "corrupt", f"not a readable npz file ({exc})") from exc
    if found != dict(declared):
        raise StoreCorruptionError(
            path,
            "corrupt",
            f"holds arrays {_describe(found)}, its JSON lists {_describe(declared)}",
        )


def _describe(arrays: Mapping[str, tuple[tuple[int, ...], np.dtype]]) -> str:
    return "{" + ", ".join(f"{n}: {s} {d}" for n, (s, d) in sorted(arrays.items())) + "}"
