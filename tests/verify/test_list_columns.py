"""``python -m verify list``: the columns line up and no claim id, reference or title is cut."""

from __future__ import annotations

import pytest
from columns import check_listing

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
    claims = {claim.id: claim for claim in CLAIMS}
    titles = ["claim", "reference", "tiers", "title"]
    for claim_id, text in check_listing(lines, titles, list(claims), columns).items():
        claim = claims[claim_id]
        for word in [*claim.reference.split(), *claim.title.split(), *claim.tiers]:
            assert word in text, (claim_id, word)
        assert ("[erratum]" in text) == bool(claim.expected_deviation)
