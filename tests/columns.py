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


def check_listing(lines: list[str], titles: list[str], names: list[str], columns: str | None):
    """Assert that a printed listing has every name whole at the start of its row, every column
    lined up under its title, continuation lines blank in the first column, one line per row when
    piped (``columns`` None) and no line wider than ``columns`` otherwise; return each row's text
    (its lines joined) by name."""
    starts = column_starts(lines[0], titles)
    rows = rows_of(lines[1:], names)
    assert set(rows) == set(names)  # every name, whole, at the start of its row
    texts = {}
    for name, row in rows.items():
        for start in starts[1:]:
            assert cell_starts_at(row[0], start), (row[0], start)  # every column lines up
        assert all(blank_before(line, starts[1]) for line in row[1:])
        if columns is None:
            assert len(row) == 1
        else:
            assert all(display_width(line) <= int(columns) for line in row)
        texts[name] = " ".join(line.strip() for line in row)
    return texts
