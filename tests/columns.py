"""Reading a printed table back, for the tests of the command lines' listings: where its
columns start (in terminal columns, :func:`derivations.table.display_width`) and which lines
belong to which row."""

from __future__ import annotations

from derivations.table import display_width


def column_starts(header: str, titles: list[str]) -> list[int]:
    """The display offsets of the column ``titles`` in the ``header`` line."""
    starts, at = [], 0
    for title in titles:
        at = header.index(title, at)
        starts.append(display_width(header[:at]))
        at += len(title)
    return starts


def cell_starts_at(line: str, offset: int) -> bool:
    """Whether a cell starts at display ``offset`` of ``line``: text there, two blanks before."""
    width = 0
    for i, character in enumerate(line):
        if width == offset:
            return character != " " and line[max(0, i - 2) : i] == "  "
        width += display_width(character)
    return False


def blank_before(line: str, offset: int) -> bool:
    """Whether ``line`` is blank up to display ``offset`` (a continuation line of a row)."""
    return line[:offset].strip() == ""


def rows_of(lines: list[str], names: list[str]) -> dict[str, list[str]]:
    """The lines of each row whose first cell is one of ``names``: its first line and the
    continuation lines (those starting with a blank) that follow it."""
    rows: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line and not line.startswith(" "):
            first = line.split("  ")[0]
            current = first if first in names else None
            if current is not None:
                rows[current] = [line]
        elif current is not None and line.strip():
            rows[current].append(line)
    return rows
