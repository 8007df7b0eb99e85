"""Simulation results on disk: ``.npz`` arrays plus JSON metadata, keyed by the configuration.

This is the ``store`` of docs/design.md §5.7: results on disk as ``.npz`` arrays plus JSON
metadata, keyed by a hash of the full configuration and package version, written atomically, so
that a sweep interrupted half-way resumes where it stopped; never ``pickle``.

Entries
    A result is a mapping of named numeric or boolean numpy arrays (any shape) computed from a
    *configuration*: a JSON-like mapping that says everything the result depends on (model,
    hyper-parameters, seeds, profile, device policy ...). An entry is two files in the store's
    root folder::

        <key>.npz    the arrays, one ``<name>.npy`` member each (numpy's npz format)
        <key>.json   the metadata; its presence marks the entry complete

    The JSON holds the canonical configuration, the package version (``importlib.metadata`` of
    the distribution ``features-are-fate``, else ``"unknown"``), the store format, the creation
    time (UTC, ISO 8601), every array's shape and dtype, the SHA-256 of the npz file and any extra
    metadata the caller gave (wall time, device ...; not part of the key).

Keys
    :func:`config_key` is the SHA-256 (first 20 hex digits, 80 bits) of the canonical JSON of
    ``{"config": ..., "package_version": ..., "store_format": ...}``: keys sorted, no spaces,
    floats written by ``repr`` (so ``0.1`` and ``0.1 + 1e-12`` differ; ``1`` and ``1.0`` differ as
    well, and so do ``True`` and ``1``), tuples as lists, numpy scalars and arrays as the Python
    numbers they hold, ``±inf``/``nan`` as Python's ``json`` writes them (``Infinity``, ``NaN``).
    Mapping keys must be strings; anything else (sets, paths, complex numbers, objects) is refused
    with an :class:`~derivations.errors.InvalidArgumentError` naming where in the configuration it
    sits. A new package version therefore starts a fresh set of entries; old ones stay valid and
    are listed by :meth:`ResultStore.entries`.

Never pickle
    Arrays of kind bool, signed/unsigned integer, float or complex are accepted; object (and
    string, structured, datetime) arrays are refused on save. The npz is written with
    ``numpy.lib.format.write_array(..., allow_pickle=False)`` into a zip laid out exactly as
    ``numpy.savez`` lays it out (uncompressed, one ``<name>.npy`` member per array; ``np.load``
    reads it), rather than through ``np.savez`` itself, whose own keywords (``file``,
    ``allow_pickle``) would collide with array names and which cannot refuse pickling on
    numpy 1.26. The members carry a fixed time stamp, so equal arrays give identical bytes. On
    load, every array header is checked before any data is decoded and ``np.load`` runs with
    ``allow_pickle=False``: an object array in a file is reported, never unpickled.

Atomic writes
    Each file is written to a temporary file in the same folder (``.<key>.npz.<random>.tmp``),
    flushed and ``fsync``-ed, then moved into place by ``os.replace`` (atomic on POSIX and Windows;
    :func:`derivations.atomic.write_atomic`), and the folder is ``fsync``-ed. The npz is written
    first and the JSON, which marks the entry complete, last; when an entry is overwritten its old
    JSON is removed first. An interruption at any point therefore leaves no entry that looks
    complete: at worst an npz without its JSON, or a temporary file, both reported as ``incomplete``
    by :meth:`ResultStore.verify` and ignored otherwise.

Nothing on disk is trusted
    The checks are in :mod:`fate_numeric.store_validation`. Every read checks that the JSON parses
    and has every field with the right type, that its store format is known, that its configuration
    and package version hash to its file name (otherwise it is *foreign*: renamed, copied or
    edited), that the npz exists and matches the recorded checksum (otherwise it is *corrupt*, or
    swapped with another entry's), that the npz holds exactly the recorded arrays with the recorded
    shapes and dtypes, none of them object arrays, and that each member has the size its header
    implies. :meth:`ResultStore.load` raises :class:`StoreCorruptionError` (kind ``corrupt``,
    ``foreign`` or ``incomplete``, with the file and the reason); :meth:`ResultStore.has` and
    :meth:`ResultStore.missing` treat such entries as absent without raising, with a
    :class:`StoreCorruptionWarning` naming the file (the caller is about to recompute it: a sweep,
    ``verify``, a figure; the command lines print it as one ``warning:`` line);
    :meth:`ResultStore.entries` skips them; :meth:`ResultStore.verify` lists them, together with
    leftover temporary files and files that are not the store's (``python -m fate_numeric
    store-check`` prints that list); :meth:`ResultStore.get_or_compute` recomputes and overwrites
    them with a :class:`StoreCorruptionWarning` naming the file.

What the checks protect against
    Accidents: a truncated or interrupted write, damaged bytes, an npz swapped with another
    entry's, a JSON copied, renamed or edited (its configuration no longer hashes to its name),
    an entry of another store format, and object arrays (never unpickled). Not forgery: the key
    and the checksum are plain SHA-256 of what the entry holds, so whoever can write the files
    can edit an npz together with the checksum its JSON records, or write a whole new entry, and
    it is trusted. Keying the checksum on the configuration hash (an HMAC keyed by the entry's
    key) would not change that, since the key is computed from public data, and would change the
    format of every stored entry; it is not done. The store is the user's own data, like the
    derivation cache (:mod:`derivations.cache`, which draws the same line); the property that
    matters against a hostile file is that reading one cannot run code (no pickle, headers
    checked before any data are decoded).

Resuming a sweep
    A sweep needs no support of its own: each cell of the sweep is one entry, keyed by the cell's
    own *full* configuration (including the seed and everything the sweep shares), and is
    computed through :meth:`ResultStore.get_or_compute`::

        store = default_store()
        for cell in cells:                       # each cell: the full configuration of one run
            store.get_or_compute(cell, functools.partial(simulate, cell))

    A sweep interrupted half-way (an exception, Ctrl-C, a killed job) has stored every cell that
    finished; rerunning the same loop loads those and computes only the others. The cells still
    to do are ``store.missing(cells)``. Cells are written one by one, so an interruption costs at
    most the cell in progress. A cell must not be keyed by the sweep it belongs to (e.g. the list
    of all its cells), otherwise growing the sweep would recompute every cell.

Where the store lives
    :func:`default_root` is ``$FATE_STORE_DIR`` when set, else
    ``$XDG_DATA_HOME/features-are-fate/store``, else ``~/.local/share/features-are-fate/store``.
    Simulation results can cost GPU hours, so they are *data*, not a cache (the derivation cache
    lives under ``~/.cache``, which users and tools clean freely); and the folder does not depend
    on the working directory, so a sweep resumed from another directory finds its cells. The root
    folder is created on the first save.

Concurrency
    One writer per entry at a time. Two processes writing the same entry at once cannot produce
    an entry that is wrong and looks valid (the checksum ties the JSON to its npz), but the loser
    may leave it reported as corrupt, which the next :meth:`~ResultStore.get_or_compute` repairs.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np

from derivations.atomic import fsync_folder, write_atomic
from derivations.errors import InvalidArgumentError
from fate_numeric.store_validation import (
    KEY_LENGTH,
    STORE_FORMAT,
    StoreCorruptionError,
    StoreError,
    check_arrays,
    check_metadata,
    check_npz_headers,
    dumps,
    key_of,
    to_canonical,
)

__all__ = [
    "DISTRIBUTION",
    "KEY_LENGTH",
    "STORE_FORMAT",
    "ResultNotStoredError",
    "ResultStore",
    "StoreCorruptionError",
    "StoreCorruptionWarning",
    "StoreError",
    "StoreProblem",
    "StoreReport",
    "StoreWriteError",
    "StoredResult",
    "canonical_json",
    "config_key",
    "default_root",
    "default_store",
    "package_version",
]

#: The distribution whose version is recorded in, and hashed into, every entry.
DISTRIBUTION = "features-are-fate"

_KEY_RE = re.compile(rf"[0-9a-f]{{{KEY_LENGTH}}}")
_TEMP_RE = re.compile(rf"\.[0-9a-f]{{{KEY_LENGTH}}}\.(npz|json)\.[0-9a-f]+\.tmp")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------------------------
# Errors (StoreError and StoreCorruptionError: fate_numeric.store_validation)


class StoreCorruptionWarning(UserWarning):
    """A corrupt, foreign or incomplete entry was found and is being recomputed and overwritten."""


class ResultNotStoredError(StoreError, KeyError):
    """No entry (not even a damaged one) exists for a configuration."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class StoreWriteError(StoreError, OSError):
    """The store could not write to its folder; the message names the folder."""


# --------------------------------------------------------------------------------------------
# Keys


def package_version() -> str:
    """Installed version of ``features-are-fate``, or ``"unknown"`` when it is not installed."""
    try:
        return importlib_metadata.version(DISTRIBUTION)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


_installed_version = package_version  # parameters named package_version shadow the function


def canonical_json(config: Mapping[str, Any]) -> str:
    """The canonical JSON text of a configuration (what its key hashes).

    Keys sorted, no white space, ASCII only, floats by ``repr``, tuples as lists, numpy scalars and
    arrays as Python numbers and lists.

    Raises:
        InvalidArgumentError: ``config`` is not a mapping, or holds a value that has no JSON form
            (the message says where).
    """
    if not isinstance(config, Mapping):
        raise InvalidArgumentError(
            f"a configuration must be a mapping (dict) with string keys, got "
            f"{type(config).__name__}"
        )
    return dumps(to_canonical(config, "config"))


def config_key(config: Mapping[str, Any], *, package_version: str | None = None) -> str:
    """The store key of a configuration: 20 hex digits of SHA-256.

    Args:
        config: the full configuration of a result (see the module docstring for what it may hold).
        package_version: the version hashed with it; default the installed version
            (:func:`package_version`).

    Raises:
        InvalidArgumentError: as :func:`canonical_json`.
    """
    version = _installed_version() if package_version is None else package_version
    return key_of(json.loads(canonical_json(config)), version, STORE_FORMAT)


# --------------------------------------------------------------------------------------------
# Results and reports


@dataclass(frozen=True)
class StoredResult:
    """One entry of the store, as loaded.

    Attributes:
        key: the entry's key (its file name without suffix).
        arrays: the arrays, by name.
        metadata: the parsed JSON metadata (``config``, ``package_version``, ``created``,
            ``arrays``, ``npz_sha256``, ``npz_bytes``, ``extra``, ``key``, ``store_format``).
    """

    key: str
    arrays: dict[str, np.ndarray]
    metadata: dict[str, Any]

    @property
    def config(self) -> dict[str, Any]:
        """The canonical configuration the entry was computed from."""
        return self.metadata["config"]


@dataclass(frozen=True)
class StoreProblem:
    """A file of the store that is not part of a valid entry."""

    path: Path
    kind: str  # "corrupt", "foreign" or "incomplete"
    reason: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.path.name}: {self.reason}"


@dataclass(frozen=True)
class StoreReport:
    """What :meth:`ResultStore.verify` found: the valid keys and every problem file."""

    root: Path
    valid: tuple[str, ...]
    problems: tuple[StoreProblem, ...]

    @property
    def ok(self) -> bool:
        """True when every file in the store belongs to a valid entry."""
        return not self.problems

    def _of_kind(self, kind: str) -> tuple[StoreProblem, ...]:
        return tuple(p for p in self.problems if p.kind == kind)

    @property
    def corrupt(self) -> tuple[StoreProblem, ...]:
        return self._of_kind("corrupt")

    @property
    def foreign(self) -> tuple[StoreProblem, ...]:
        return self._of_kind("foreign")

    @property
    def incomplete(self) -> tuple[StoreProblem, ...]:
        return self._of_kind("incomplete")

    @property
    def paths(self) -> tuple[Path, ...]:
        """The problem files."""
        return tuple(p.path for p in self.problems)

    def __str__(self) -> str:
        lines = [
            f"result store {self.root}: {len(self.valid)} valid entr"
            f"{'y' if len(self.valid) == 1 else 'ies'}, {len(self.problems)} problem file(s)"
        ]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Low-level file handling


def _npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    """The npz file of ``arrays`` (the layout of ``np.savez``; no pickle; deterministic)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, arrays[name], allow_pickle=False)
    return buffer.getvalue()


def _array_description(array: np.ndarray) -> dict[str, Any]:
    return {"shape": list(array.shape), "dtype": array.dtype.str}


# --------------------------------------------------------------------------------------------
# The store


class ResultStore:
    """Simulation results on disk, keyed by their configuration (see the module docstring).

    Args:
        root: the store's folder; created on the first save. ``~`` is expanded.
        package_version: the version recorded in and hashed into new entries; default the
            installed version of ``features-are-fate`` (``"unknown"`` when not installed).

    Raises:
        InvalidArgumentError: ``root`` exists and is not a folder.
    """

    def __init__(self, root: Path | str, *, package_version: str | None = None) -> None:
        self.root = Path(root).expanduser()
        if self.root.exists() and not self.root.is_dir():
            raise InvalidArgumentError(
                f"the result store root {self.root} exists and is not a folder"
            )
        self.package_version = _installed_version() if package_version is None else package_version

    def __repr__(self) -> str:
        return f"ResultStore({str(self.root)!r}, package_version={self.package_version!r})"

    # -- keys and paths --------------------------------------------------------------------

    def key(self, config: Mapping[str, Any]) -> str:
        """The key of ``config`` in this store (see :func:`config_key`)."""
        return config_key(config, package_version=self.package_version)

    def _npz(self, key: str) -> Path:
        return self.root / f"{key}.npz"

    def _json(self, key: str) -> Path:
        return self.root / f"{key}.json"

    # -- reading ---------------------------------------------------------------------------

    def _read(self, key: str, *, load_arrays: bool) -> StoredResult:
        """Read and check one entry; raise StoreCorruptionError / ResultNotStoredError."""
        json_path, npz_path = self._json(key), self._npz(key)
        try:
            text = json_path.read_bytes()
        except FileNotFoundError:
            if npz_path.exists():
                raise StoreCorruptionError(
                    npz_path, "incomplete", "npz without its JSON (an interrupted write)"
                ) from None
            raise ResultNotStoredError(
                f"no result with key {key} in the store {self.root}"
            ) from None
        except OSError as exc:
            raise StoreCorruptionError(json_path, "corrupt", f"cannot be read: {exc}") from exc
        meta = check_metadata(json_path, key, text)
        try:
            data = npz_path.read_bytes()
        except FileNotFoundError:
            raise StoreCorruptionError(
                npz_path, "corrupt", f"missing, although its JSON {json_path.name} exists"
            ) from None
        except OSError as exc:
            raise StoreCorruptionError(npz_path, "corrupt", f"cannot be read: {exc}") from exc
        digest = hashlib.sha256(data).hexdigest()
        if len(data) != meta["npz_bytes"] or digest != meta["npz_sha256"]:
            raise StoreCorruptionError(
                npz_path,
                "corrupt",
                f"checksum mismatch (SHA-256 {digest[:16]}…, {len(data)} bytes; its JSON records "
                f"{meta['npz_sha256'][:16]}…, {meta['npz_bytes']} bytes): damaged, or swapped "
                "with another file",
            )
        declared = {
            name: (tuple(spec["shape"]), np.dtype(spec["dtype"]))
            for name, spec in meta["arrays"].items()
        }
        check_npz_headers(npz_path, data, declared)
        arrays: dict[str, np.ndarray] = {}
        if load_arrays:
            try:
                with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                    for name in declared:
                        arrays[name] = npz[name]
            except (ValueError, OSError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                raise StoreCorruptionError(
                    npz_path, "corrupt", f"cannot be decoded: {exc}"
                ) from exc
            for name, array in arrays.items():
                if (array.shape, array.dtype) != declared[name]:
                    raise StoreCorruptionError(
                        npz_path,
                        "corrupt",
                        f"array {name!r} decodes to {array.shape} {array.dtype}",
                    )
        return StoredResult(key=key, arrays=arrays, metadata=meta)

    def load(self, config: Mapping[str, Any]) -> StoredResult:
        """The stored result of ``config``.

        Raises:
            ResultNotStoredError: there is no entry for ``config`` (a ``KeyError``).
            StoreCorruptionError: the entry is corrupt, foreign or incomplete (the error names the
                file and says why); nothing from it is returned.
            InvalidArgumentError: ``config`` has no JSON form.
        """
        return self._read(self.key(config), load_arrays=True)

    def _is_valid(self, key: str) -> bool:
        try:
            self._read(key, load_arrays=False)
        except StoreCorruptionError as exc:
            warnings.warn(
                f"result store: {exc.path} is {exc.kind} ({exc.reason}); its entry counts as "
                "absent and is recomputed and overwritten where it is needed (`python -m "
                "fate_numeric store-check` lists every such file)",
                StoreCorruptionWarning,
                stacklevel=3,
            )
            return False
        except (ResultNotStoredError, OSError):
            return False
        return True

    def has(self, config: Mapping[str, Any]) -> bool:
        """Whether a complete and valid entry exists for ``config`` (damaged ones count as absent).

        Checks the JSON, the npz checksum and every array header, as :meth:`load` does, without
        decoding the data; never raises for what is on disk, but a damaged entry is reported with
        a :class:`StoreCorruptionWarning` naming the file, since whoever asks is about to
        recompute it (a sweep, ``verify``, a figure).
        """
        return self._is_valid(self.key(config))

    def missing(self, configs: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """The configurations (in the given order) without a complete and valid entry."""
        return [config for config in configs if not self.has(config)]

    def entries(self) -> Iterator[dict[str, Any]]:
        """The metadata of every valid entry, in key order (any package version).

        Damaged, foreign and incomplete entries are skipped; :meth:`verify` lists them.
        """
        for key in self._json_keys():
            try:
                yield self._read(key, load_arrays=False).metadata
            except (StoreCorruptionError, ResultNotStoredError):
                continue

    def _json_keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            path.stem
            for path in self.root.iterdir()
            if path.suffix == ".json" and _KEY_RE.fullmatch(path.stem)
        )

    def verify(self) -> StoreReport:
        """Check every file of the store; nothing is trusted, changed or removed.

        Returns a :class:`StoreReport` with the valid keys and, for every other file, its kind:
        ``corrupt`` (unparsable or incomplete JSON, npz missing, damaged or swapped), ``foreign``
        (a JSON whose configuration does not hash to its name, object arrays, files that are not
        the store's) or ``incomplete`` (an npz without its JSON, a leftover temporary file).
        """
        valid: list[str] = []
        problems: list[StoreProblem] = []
        if not self.root.is_dir():
            return StoreReport(self.root, (), ())
        paths = sorted(self.root.iterdir())
        json_keys = {p.stem for p in paths if p.suffix == ".json" and _KEY_RE.fullmatch(p.stem)}
        for path in paths:
            name = path.name
            if path.suffix == ".json" and path.stem in json_keys:
                try:
                    self._read(path.stem, load_arrays=False)
                except StoreCorruptionError as exc:
                    problems.append(StoreProblem(exc.path, exc.kind, exc.reason))
                else:
                    valid.append(path.stem)
            elif path.suffix == ".npz" and _KEY_RE.fullmatch(path.stem):
                if path.stem not in json_keys:
                    problems.append(
                        StoreProblem(path, "incomplete", "npz without its JSON (interrupted write)")
                    )
                # else: checked together with its JSON
            elif _TEMP_RE.fullmatch(name):
                problems.append(
                    StoreProblem(path, "incomplete", "temporary file of an interrupted write")
                )
            else:
                problems.append(StoreProblem(path, "foreign", "not a file of this result store"))
        # a problem found through a JSON may name its npz: keep the report in file order
        problems.sort(key=lambda p: (p.path.name, p.kind))
        return StoreReport(self.root, tuple(valid), tuple(problems))

    # -- writing ---------------------------------------------------------------------------

    def save(
        self,
        config: Mapping[str, Any],
        arrays: Mapping[str, Any],
        extra_metadata: Mapping[str, Any] | None = None,
    ) -> str:
        """Store ``arrays`` as the result of ``config`` (replacing any entry) and return the key.

        Everything is checked before anything is written. The npz goes first and the JSON last,
        each atomically (module docstring).

        Raises:
            InvalidArgumentError: a configuration or extra-metadata value has no JSON form, an
                array name is not allowed, or an array is not bool/integer/float/complex.
            StoreWriteError: the store's folder cannot be created or written (named).
        """
        canonical = json.loads(canonical_json(config))
        key = key_of(canonical, self.package_version, STORE_FORMAT)
        checked = check_arrays(arrays)
        if extra_metadata is None:
            extra: dict[str, Any] = {}
        elif isinstance(extra_metadata, Mapping):
            extra = to_canonical(extra_metadata, "extra_metadata")
        else:
            raise InvalidArgumentError(
                f"extra_metadata must be a mapping, got {type(extra_metadata).__name__}"
            )
        data = _npz_bytes(checked)
        meta = {
            "store_format": STORE_FORMAT,
            "key": key,
            "config": canonical,
            "package_version": self.package_version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "arrays": {name: _array_description(checked[name]) for name in sorted(checked)},
            "npz_sha256": hashlib.sha256(data).hexdigest(),
            "npz_bytes": len(data),
            "extra": extra,
        }
        text = json.dumps(meta, sort_keys=True, indent=1, ensure_ascii=True) + "\n"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._json(key).unlink(missing_ok=True)  # the entry stops looking complete first
            write_atomic(self._npz(key), data)
            write_atomic(self._json(key), text.encode("ascii"))
        except OSError as exc:
            raise StoreWriteError(
                f"cannot write the result {key} into the store folder {self.root}: "
                f"{exc.strerror or exc}"
            ) from exc
        fsync_folder(self.root)
        return key

    def get_or_compute(
        self,
        config: Mapping[str, Any],
        compute: Callable[[], Mapping[str, Any]],
        extra_metadata: Mapping[str, Any] | None = None,
    ) -> StoredResult:
        """The stored result of ``config``; computed by ``compute()`` and saved when absent.

        A corrupt, foreign or incomplete entry is recomputed and overwritten, with a
        :class:`StoreCorruptionWarning` naming the file. Exceptions of ``compute`` propagate and
        store nothing. The result returned after computing is the one read back from disk, so a
        first run and a rerun return the same thing.
        """
        key = self.key(config)
        try:
            return self._read(key, load_arrays=True)
        except ResultNotStoredError:
            pass
        except StoreCorruptionError as exc:
            warnings.warn(
                f"result store: {exc.path} is {exc.kind} ({exc.reason}); recomputing and "
                "overwriting it",
                StoreCorruptionWarning,
                stacklevel=2,
            )
        self.save(config, compute(), extra_metadata)
        return self._read(key, load_arrays=True)

    def remove(self, config: Mapping[str, Any]) -> bool:
        """Remove the entry of ``config`` (also if damaged) and its leftover temporary files.

        The JSON goes first, so a partial removal leaves an incomplete entry, never a complete one.
        Returns whether anything was removed.
        """
        key = self.key(config)
        if not self.root.is_dir():
            return False
        paths = [self._json(key), self._npz(key)]
        paths += sorted(self.root.glob(f".{key}.*.tmp"))
        removed = False
        try:
            for path in paths:
                if path.exists():
                    path.unlink()
                    removed = True
        except OSError as exc:
            raise StoreWriteError(
                f"cannot remove the result {key} from the store folder {self.root}: "
                f"{exc.strerror or exc}"
            ) from exc
        return removed


def default_root() -> Path:
    """``$FATE_STORE_DIR``, else ``$XDG_DATA_HOME/features-are-fate/store``, else
    ``~/.local/share/features-are-fate/store`` (results are data, not a cache; module docstring).
    """
    if explicit := os.environ.get("FATE_STORE_DIR"):
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "")
    # the XDG base-directory specification says to ignore a relative path
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / DISTRIBUTION / "store"


def default_store() -> ResultStore:
    """The store at :func:`default_root`."""
    return ResultStore(default_root())
