"""An archive of finished sweeps: compact, read by numpy alone, committed with the repository.

Format (one folder per profile, e.g. ``archive/paper/``):

* ``<sweep>.npz`` — a plain numpy ``.npz`` (``numpy.load(path)``; never pickle: every array is a
  numeric array). For the cell at position ``i`` of the sweep (the order of ``manifest.json``),
  each stored array ``name`` is the entry ``"{i:04d}/{name}"``: ``generalisation`` (instances,) —
  (ridges, instances) for linear transfer —, ``train_loss``, ``steps``, ``pretrain_loss``,
  ``pretrain_steps``, ``feature_singular_values`` (instances, 3), ``trace_drift`` or ``drift``,
  as :func:`fate_numeric.experiments.run_cells` returns them.
* ``manifest.json`` — per sweep: its cells' configurations in order (each one exactly the
  store configuration :meth:`fate_numeric.experiments.Cell.config`), the package version, the git
  commits of the code that produced the cells, devices, machine, CPU count and thread counts
  (:mod:`fate_numeric.provenance`), the compute seconds (each cell's share of its batch, summed)
  and the SHA-256 of the ``.npz``; an extension sweep beyond the paper (docs/paper.md §11, §12,
  ``fate_numeric.sweeps.EXTENSION_SWEEPS``) also has ``"extension": true``.

:class:`Archive` reads a folder back (checking each ``.npz`` against its hash) and answers
``has(config)`` / ``load(config)`` like :class:`fate_numeric.store.ResultStore`;
:class:`ArchivedStore` puts an archive behind a store, so that ``verify`` and ``paper_figures``
use archived cells without recomputing them while new results still go to the store.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from derivations.atomic import write_atomic
from derivations.errors import InvalidArgumentError
from fate_numeric.store import (
    ResultNotStoredError,
    ResultStore,
    StoredResult,
    canonical_json,
)

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
#: Where the repository keeps its archives (one folder per profile).
REPOSITORY_ARCHIVE = Path(__file__).resolve().parent.parent / "archive"


def _entry(index: int, name: str) -> str:
    return f"{index:04d}/{name}"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, mode=0o644)  # a file of the repository, readable by all


def export_sweep(
    name: str, cells: Sequence, store: ResultStore, folder: str | Path, *, extension: bool = False
) -> dict[str, Any]:
    """Write the sweep ``name`` (every one of ``cells`` must be in ``store``) into ``folder``:
    ``<name>.npz`` and its entry of ``manifest.json`` (other sweeps' entries are kept), marked
    ``"extension": true`` for an extension sweep beyond the paper."""
    folder = Path(folder)
    missing = [cell for cell in cells if not store.has(cell.config())]
    if missing:
        raise InvalidArgumentError(
            f"sweep {name!r} is not finished: {len(missing)} of {len(cells)} cells are not in the "
            f"store {store.root}; run `python -m fate_numeric sweep {name}` first"
        )
    arrays: dict[str, np.ndarray] = {}
    configs, commits, devices, origins = [], set(), set(), set()
    seconds = 0.0
    versions = set()
    for index, cell in enumerate(cells):
        result = store.load(cell.config())
        configs.append(result.config)
        for array_name, values in result.arrays.items():
            arrays[_entry(index, array_name)] = np.asarray(values)
        extra = result.metadata.get("extra", {})
        versions.add(result.metadata.get("package_version", "unknown"))
        commits.add(extra.get("commit", "unknown"))
        devices.add(extra.get("device", "unknown"))
        origins.add(
            json.dumps(
                {key: extra.get(key) for key in ("machine", "cpu_count", "torch_threads",
                                                 "numba_threads")},
                sort_keys=True,
            )
        )  # fmt: skip
        if "batch_seconds" in extra and extra.get("batch_cells"):
            seconds += extra["batch_seconds"] / extra["batch_cells"]
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    data = buffer.getvalue()
    _write_atomically(folder / f"{name}.npz", data)
    manifest = _read_manifest(folder)
    manifest["sweeps"][name] = {
        "file": f"{name}.npz",
        "sha256": hashlib.sha256(data).hexdigest(),
        "cells": configs,
        "package_versions": sorted(versions),
        "commits": sorted(commits),
        "devices": sorted(devices),
        "machines": [json.loads(o) for o in sorted(origins)],
        "compute_seconds": round(seconds, 1),
        "seeds": sorted({config.get("seed") for config in configs}),
        **({"extension": True} if extension else {}),
    }
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    _write_atomically(folder / MANIFEST, text.encode())
    return manifest["sweeps"][name]


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.exists():
        return {"archive_format": ARCHIVE_FORMAT, "sweeps": {}}
    manifest = json.loads(path.read_text())
    if manifest.get("archive_format") != ARCHIVE_FORMAT:
        raise InvalidArgumentError(f"{path} is not an archive of format {ARCHIVE_FORMAT}")
    return manifest


class Archive:
    """A folder of archived sweeps, read-only, looked up by cell configuration."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.manifest = _read_manifest(self.folder)
        self._index: dict[str, tuple[str, int]] = {}
        for sweep, entry in self.manifest["sweeps"].items():
            for position, config in enumerate(entry["cells"]):
                self._index[canonical_json(config)] = (sweep, position)
        self._arrays: dict[str, Mapping[str, np.ndarray]] = {}

    @property
    def sweeps(self) -> list[str]:
        return list(self.manifest["sweeps"])

    def _sweep_arrays(self, sweep: str) -> Mapping[str, np.ndarray]:
        if sweep not in self._arrays:
            entry = self.manifest["sweeps"][sweep]
            data = (self.folder / entry["file"]).read_bytes()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise InvalidArgumentError(
                    f"{self.folder / entry['file']} does not match the hash in its manifest: the "
                    "archive is damaged"
                )
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                self._arrays[sweep] = {name: npz[name] for name in npz.files}
        return self._arrays[sweep]

    def has(self, config: Mapping[str, Any]) -> bool:
        return canonical_json(config) in self._index

    def is_extension(self, sweep: str) -> bool:
        """Whether the archived ``sweep`` is an extension beyond the paper (its manifest says)."""
        return bool(self.manifest["sweeps"][sweep].get("extension", False))

    def describe(self, sweeps: Sequence[str] | None = None) -> str:
        """Where the archived ``sweeps`` (default: all) came from, in one line: commits, devices
        and compute hours per sweep (an extension sweep tagged so)."""
        parts = []
        for name in sweeps if sweeps is not None else self.sweeps:
            entry = self.manifest["sweeps"].get(name)
            if entry is None:
                parts.append(f"{name} (not archived)")
                continue
            commits = ", ".join(commit[:12] for commit in entry["commits"])
            hours = entry["compute_seconds"] / 3600
            tag = "an extension, " if entry.get("extension") else ""
            devices = ", ".join(entry["devices"])
            parts.append(f"{name} ({tag}commit {commits}, {devices}, {hours:.2f} h)")
        where = f"{self.folder.parent.name}/{self.folder.name}"
        return f"the archive `{where}`: " + "; ".join(parts)

    def load(self, config: Mapping[str, Any]) -> StoredResult:
        text = canonical_json(config)
        if text not in self._index:
            raise ResultNotStoredError(f"the archive {self.folder} has no cell {text}")
        sweep, position = self._index[text]
        prefix = f"{position:04d}/"
        arrays = {
            name[len(prefix) :]: values
            for name, values in self._sweep_arrays(sweep).items()
            if name.startswith(prefix)
        }
        entry = self.manifest["sweeps"][sweep]
        metadata = {
            "config": json.loads(text),
            "package_version": ",".join(entry["package_versions"]),
            "extra": {"archive": str(self.folder), "sweep": sweep, "commits": entry["commits"]},
        }
        return StoredResult(key=f"archive:{sweep}:{position}", arrays=arrays, metadata=metadata)


class ArchivedStore:
    """A result store with an archive behind it: lookups try the store, then the archive; new
    results are saved to the store. Everything else is the store's."""

    def __init__(self, store: ResultStore, archive: Archive) -> None:
        self.store = store
        self.archive = archive

    def has(self, config: Mapping[str, Any]) -> bool:
        return self.store.has(config) or self.archive.has(config)

    def load(self, config: Mapping[str, Any]) -> StoredResult:
        if self.store.has(config):
            return self.store.load(config)
        return self.archive.load(config)

    def get_or_compute(self, config, compute):
        if self.archive.has(config) and not self.store.has(config):
            return self.archive.load(config)
        return self.store.get_or_compute(config, compute)

    def __getattr__(self, name: str):
        return getattr(self.store, name)


def with_repository_archive(store: ResultStore, profile: str) -> ResultStore | ArchivedStore:
    """``store`` with the repository's archive of ``profile`` behind it, where there is one."""
    folder = REPOSITORY_ARCHIVE / profile
    if not (folder / MANIFEST).exists():
        return store
    return ArchivedStore(store, Archive(folder))


__all__ = [
    "ARCHIVE_FORMAT",
    "Archive",
    "ArchivedStore",
    "export_sweep",
    "with_repository_archive",
]
