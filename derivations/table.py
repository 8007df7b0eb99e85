"""Tables for the terminal: columns as wide as their content, long text wrapped, nothing cut.

The listings of the command lines (``python -m derivations list | check``, ``python -m verify
list``) print one row per item. :func:`table` sizes every column from its widest cell, so the
columns line up whatever the content; where the table is wider than the terminal, the columns
marked wrappable are narrowed (widest first) and their text wrapped onto continuation lines with
:mod:`textwrap`, never cut. A word is never split, so a column is never narrower than its longest
word, and a table that cannot fit runs past the terminal's edge rather than lose anything.

Pure Python (``derivations`` imports no numerical package, docs/design.md §3).
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

#: Columns between two neighbours.
GAP = 2

#: A wrappable column is not narrowed below this many characters (or its longest word).
MIN_WRAP_WIDTH = 16


def terminal_width() -> int | None:
    """The width to fit tables to: ``$COLUMNS`` if set, else the terminal's width when standard
    output is a terminal (:func:`shutil.get_terminal_size`), else None (output piped to a file or
    another program is not wrapped, so that each row stays on one line for ``grep``)."""
    if os.environ.get("COLUMNS", "").strip().isdigit() or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal: combining marks (the hat of β̂) take none, wide
    East Asian characters two, every other character one."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _pad(text: str, width: int, right: bool) -> str:
    blanks = " " * max(0, width - display_width(text))
    return blanks + text if right else text + blanks


def _longest_word(cells: Sequence[str]) -> int:
    return max((display_width(word) for cell in cells for word in cell.split()), default=0)


def _wrapped(cell: str, width: int) -> list[str]:
    """``cell`` wrapped to ``width`` columns at blanks (never inside a word)."""
    if display_width(cell) <= width:
        return [cell]
    return textwrap.wrap(cell, width, break_long_words=False, break_on_hyphens=False) or [""]


def _widths(rows: Sequence[Sequence[str]], wrap: Collection[int], width: int | None) -> list[int]:
    """Each column's width: its widest cell, the wrappable ones narrowed one character at a
    time until the table fits ``width``. Each step narrows the column that adds the fewest lines
    to the table (the widest among equals), down to its floor."""
    count = len(rows[0])
    widths = [max(display_width(row[i]) for row in rows) for i in range(count)]
    if width is None:
        return widths
    floors = {
        i: min(widths[i], max(MIN_WRAP_WIDTH, _longest_word([row[i] for row in rows])))
        for i in wrap
    }
    heights: dict[tuple[int, int], list[int]] = {}  # (column, width) → lines per row

    def height(column: int, w: int) -> list[int]:
        if (column, w) not in heights:
            heights[column, w] = [len(_wrapped(row[column], w)) for row in rows]
        return heights[column, w]

    def lines(trial: list[int]) -> int:
        per_column = [height(i, trial[i]) for i in wrap]
        return sum(max(row) for row in zip(*per_column, strict=True))

    excess = sum(widths) + GAP * (count - 1) - width
    while excess > 0:
        shrinkable = [i for i in wrap if widths[i] > floors[i]]
        if not shrinkable:
            break

        def cost(i: int) -> tuple[int, int]:
            trial = list(widths)
            trial[i] -= 1
            return lines(trial), -widths[i]

        widths[min(shrinkable, key=cost)] -= 1
        excess -= 1
    return widths


@dataclass(frozen=True)
class Layout:
    """A laid-out table: the column widths, the header's lines and each row's lines."""

    widths: list[int]
    header: list[str]
    rows: list[list[str]]

    def offset(self, column: int) -> int:
        """Where column ``column`` starts on every line."""
        return sum(self.widths[:column]) + GAP * column

    def lines(self) -> list[str]:
        """The header's lines, then every row's."""
        return self.header + [line for row in self.rows for line in row]


def layout(
    rows: Sequence[Sequence[str]],
    *,
    header: Sequence[str] | None = None,
    wrap: Collection[int] = (),
    right: Collection[int] = (),
    width: int | None = None,
) -> Layout:
    """``rows`` (and ``header``) laid out as a table.

    Args:
        rows: the cells, one sequence of strings per row, all of the same length.
        header: column titles, printed first and counted in the widths.
        wrap: indices of the columns whose text may be wrapped to fit ``width``.
        right: indices of the columns aligned to the right (numbers).
        width: the width to fit (e.g. :func:`terminal_width`); None: no wrapping.

    Every row's cell ``i`` starts at the same offset on the row's first line; a wrapped cell
    continues on the following lines at that offset. Trailing blanks are stripped.
    """
    body = [[str(cell) for cell in row] for row in rows]
    everything = ([[str(cell) for cell in header]] if header is not None else []) + body
    if not everything:
        return Layout([], [], [])
    if len({len(row) for row in everything}) != 1:
        raise ValueError("every row of a table needs the same number of cells")
    widths = _widths(everything, wrap, width)

    def render(row: list[str]) -> list[str]:
        cells = [_wrapped(cell, widths[i]) if i in wrap else [cell] for i, cell in enumerate(row)]
        lines = []
        for k in range(max(len(c) for c in cells)):
            parts = []
            for i, cell in enumerate(cells):
                text = cell[k] if k < len(cell) else ""
                parts.append(_pad(text, widths[i], i in right))
            lines.append((" " * GAP).join(parts).rstrip())
        return lines

    rendered = [render(row) for row in everything]
    if header is None:
        return Layout(widths, [], rendered)
    return Layout(widths, rendered[0], rendered[1:])


def table(
    rows: Sequence[Sequence[str]],
    *,
    header: Sequence[str] | None = None,
    wrap: Collection[int] = (),
    right: Collection[int] = (),
    width: int | None = None,
) -> list[str]:
    """The lines of ``rows`` as a table (:func:`layout`, flattened)."""
    return layout(rows, header=header, wrap=wrap, right=right, width=width).lines()


def paragraph(text: str, indent: int, width: int | None, hanging: int = 0) -> list[str]:
    """``text`` as lines indented by ``indent`` blanks (continuation lines by ``hanging`` more),
    wrapped to ``width`` at blanks (None: one line)."""
    if width is None:
        return [" " * indent + text]
    return textwrap.wrap(
        text,
        max(width, indent + hanging + MIN_WRAP_WIDTH),
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + hanging),
        break_long_words=False,
        break_on_hyphens=False,
    )
