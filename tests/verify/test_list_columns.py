"""``python -m verify list``: the columns line up and no claim id, reference or title is cut."""

from __future__ import annotations

import pytest
from columns import blank_before, cell_starts_at, column_starts, rows_of

from derivations.table import display_width
from verify.__main__ import main
from verify.claims import CLAIMS


@pytest.mark.parametrize("columns", [None, "100"])
def test_list_lines_up_and_cuts_nothing(capsys, monkeypatch, columns):
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)  # piped: one line per claim
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    starts = column_starts(lines[0], ["claim", "reference", "tiers", "title"])
    claims = {claim.id: claim for claim in CLAIMS}
    rows = rows_of(lines[1:], list(claims))
    assert set(rows) == set(claims)  # every id, whole, at the start of its row
    for claim_id, row in rows.items():
        for start in starts[1:]:
            assert cell_starts_at(row[0], start), (row[0], start)  # every column lines up
        assert all(blank_before(line, starts[1]) for line in row[1:])
        if columns is None:
            assert len(row) == 1
        else:
            assert all(display_width(line) <= int(columns) for line in row)
        text = " ".join(line.strip() for line in row)
        claim = claims[claim_id]
        for word in [*claim.reference.split(), *claim.title.split(), *claim.tiers]:
            assert word in text, (claim_id, word)
        assert ("[erratum]" in text) == bool(claim.expected_deviation)
