"""Atomic file writes, the package's one implementation (pure Python, no dependencies).

A file is written to a temporary file in the same folder (``.<name>.<16 hex digits>.tmp``),
flushed and ``fsync``-ed, then moved into place by :func:`os.replace`, which is atomic on POSIX
and Windows: a reader sees the old file or the new one, never half of one. Whatever interrupts the
write in this process (an ``OSError``, ``KeyboardInterrupt``) removes the temporary file and
propagates. A process killed in the middle leaves at most the temporary file behind.

It lives in :mod:`derivations`, next to :mod:`derivations.errors`, because every package may
import :mod:`derivations` and :mod:`derivations` may import nothing else (docs/design.md §3): the
derivation cache (:mod:`derivations.cache`), the result store (:mod:`fate_numeric.store`), the
verification reports (:mod:`verify.report`) and the figures' index
(:mod:`paper_figures.render`) all write through it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["fsync_folder", "write_atomic"]


def write_atomic(
    path: str | os.PathLike[str], data: bytes | str, *, mode: int | None = None
) -> Path:
    """Write ``data`` (text is written as UTF-8, line ends untouched) to ``path`` atomically.

    The folder must exist. The new file has the permissions of any new file (0o666 less the
    umask) unless ``mode`` is given. The rename is not made durable by this call: where a crash
    must not lose it, call :func:`fsync_folder` on the folder afterwards.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        OSError: the temporary file could not be created, written or moved into place (it is
            removed again).
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return target


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Make the renames in ``folder`` durable (best effort: not every platform opens folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
