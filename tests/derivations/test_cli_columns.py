"""The listings line up and cut nothing: ``derivations list | check``, ``derivations show``'s
source legend, and the table layout they share (:mod:`derivations.table`)."""

from __future__ import annotations

import pytest
from columns import blank_before, cell_starts_at, check_listing, column_starts, rows_of

from derivations.__main__ import main
from derivations.consistency import check_all
from derivations.paper import PRINTED
from derivations.registry import all_results
from derivations.table import display_width, layout, paragraph, table


def _words(text: str) -> list[str]:
    return text.split()


# ---- the layout ----------------------------------------------------------------------------------
def test_columns_line_up_by_display_width():
    """β̂ is two code points but one column on a terminal: the next column still lines up."""
    lines = table([("a", "E‖β̂_s‖²", "x"), ("bbb", "plain text", "y")], header=("n", "t", "z"))
    third = {display_width(line[: line.rindex("  ") + 2]) for line in lines}
    assert len(third) == 1
    assert lines[1].startswith("a    E‖β̂_s‖²")


def test_wrapped_cells_continue_in_their_column_and_keep_every_word():
    text = "a long reference that cannot fit in a narrow column of a table"
    laid = layout([("name", text, "end")], wrap=(1,), width=40)
    lines = laid.lines()
    assert len(lines) > 1
    assert all(display_width(line) <= 40 for line in lines)
    assert lines[0].startswith("name  ") and lines[0].endswith("end")
    for line in lines[1:]:
        assert line[: laid.offset(1)].strip() == ""  # continuation: blank before its column
    wrapped = " ".join(line[laid.offset(1) :].replace("end", "").strip() for line in lines)
    assert _words(wrapped) == _words(text)


def test_no_wrapping_without_a_width_and_no_word_is_split():
    text = "words that would wrap"
    assert table([("x", text)], wrap=(1,)) == [f"x  {text}"]
    long_word = "docs/paper.md§3.12-and-more-without-blanks"
    lines = table([("x", long_word + " tail")], wrap=(1,), width=20)
    assert any(long_word in line for line in lines)  # wider than asked rather than cut


def test_paragraph_indents_and_wraps():
    lines = paragraph("one two three four five six seven", 4, 20, hanging=2)
    assert lines[0].startswith("    one") and all(line.startswith("      ") for line in lines[1:])
    assert paragraph("x y", 3, None) == ["   x y"]


def test_rows_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="same number of cells"):
        table([("a", "b"), ("c",)])


# ---- the commands --------------------------------------------------------------------------------
@pytest.mark.parametrize("columns", [None, "100"])
def test_list_lines_up_and_cuts_nothing(capsys, monkeypatch, columns):
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)  # piped: one line per result
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    results = all_results()
    titles = ["name", "reference", "regime", "title"]
    for name, text in check_listing(lines, titles, list(results), columns).items():
        result = results[name]
        for part in (result.reference, result.title):
            for word in _words(part):
                assert word in text, (name, word)
    assert "…" not in "\n".join(lines)


def test_check_lines_up_and_cuts_no_equation(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "110")
    assert main(["check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("result  "))
    starts = column_starts(lines[header], ["result", "paper", "simplify", "probe", "outcome"])
    checked = {row.result: row for row in check_all(seed=0)}
    rows = rows_of(lines[header + 1 :], list(checked))
    assert set(rows) == set(checked)
    for name, row in rows.items():
        for start in starts[1:]:
            assert cell_starts_at(row[0], start), (row[0], start)
        # a wrapped equation or the erratum: under the second column
        assert all(blank_before(line, starts[1]) for line in row[1:])
        text = " ".join(line.strip() for line in row)
        for word in _words(checked[name].equation) + _words(checked[name].erratum):
            assert word in text, (name, word)


def test_show_says_what_its_source_tags_are(capsys, monkeypatch):
    """[NOTES] and [CODE] in the provenance of a printed formula come with a legend."""
    monkeypatch.delenv("COLUMNS", raising=False)  # the legend on one line per tag
    assert "[NOTES]" in PRINTED["eq8_scratch_risk"].source
    assert main(["show", "scratch_risk"]) == 0
    out = capsys.readouterr().out
    assert "[NOTES]" in out and "[CODE]" in out
    legend = out[out.index("sources (docs/paper.md §1.3):") :]
    assert "[NOTES] = a third-party annotated reading of the paper's v2" in legend
    assert "[CODE] = the authors' code" in legend
    assert "[REVIEW]" not in legend  # only the tags that were cited


def test_show_without_tags_prints_no_legend(capsys):
    assert main(["show", "gf_conservation_L2"]) == 0
    assert "sources (docs/paper.md" not in capsys.readouterr().out
