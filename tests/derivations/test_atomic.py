"""derivations.atomic: the one atomic-write helper of the package."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from derivations.atomic import fsync_folder, write_atomic


def test_writes_bytes_and_utf8_text_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "file.txt"
    assert write_atomic(path, b"old\r\n") == path
    assert path.read_bytes() == b"old\r\n"
    write_atomic(str(path), "γ = 0.5\n")  # text: UTF-8, line ends untouched
    assert path.read_bytes() == "γ = 0.5\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # no temporary left


def test_mode_is_applied(tmp_path: Path) -> None:
    path = write_atomic(tmp_path / "report.md", "x", mode=0o640)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"old")
    seen = []

    def replace(src, dst):
        seen.append(Path(src).name)
        raise error

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(type(error)):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin"]
    (temporary,) = seen
    assert temporary.startswith(".data.bin.") and temporary.endswith(".tmp")  # same folder


def test_a_missing_folder_is_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "absent" / "file", b"x")
    fsync_folder(tmp_path / "absent")  # best effort: no error
