"""Tests of verify.report: terminal table, Markdown, JUnit XML and the report files."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET

import pytest

from derivations.errors import FateError, InvalidArgumentError
from verify import report as report_module
from verify.model import (
    Check,
    ClaimResult,
    Outcome,
    Report,
    TierResult,
    claim_outcome,
    tier_outcome,
)
from verify.report import (
    ReportFormatError,
    ReportWriteError,
    load_report,
    terminal_table,
    to_json,
    to_junit,
    to_markdown,
    write_reports,
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ERRATUM = "The printed Eq. (17) drops a factor 1/2 in the second term."
SKIP_REASON = "needs CUDA for the paper profile"


def _tier(name: str, checks: list[Check], detail: str = "", seconds: float = 0.5) -> TierResult:
    return TierResult(name, tier_outcome(checks), checks, detail, seconds)


def _claim(
    cid: str, reference: str, tiers: list[TierResult], erratum: str = "", seconds: float = 1.0
) -> ClaimResult:
    return ClaimResult(
        cid, cid.replace("-", " "), reference, claim_outcome(tiers), tiers, erratum, seconds
    )


def _claims() -> list[ClaimResult]:
    passing = _claim(
        "claim-pass",
        "Eq. (12)",
        [
            _tier("symbolic", [Check("printed = derived", 0.0, 0.0, 1e-30, note="simplify")]),
            _tier(
                "simulation",
                [
                    Check("γ = 2.0", 0.30001, 0.3, 0.01, 0.002),  # |dev|/tol = 1e-3
                    Check("γ = 0.5, σ = 0.2", 0.5412, 0.5402, 0.0031, 0.001, note="3 SE"),
                    Check("γ = 1.0 | near pole", math.inf, 2.0, 0.1, gated=False, note="pole"),
                ],
            ),
        ],
        seconds=12.34,
    )
    failing = _claim(
        "claim-fail",
        "Thm. 2 | Fig. 3",
        [
            _tier(
                "montecarlo",
                [
                    Check("θ = 0.3", 0.8123, 0.7, 0.0123, 0.004, note="3 SE + floor"),
                    Check("θ = 0.6", 0.5, 0.5001, 0.01, 0.002),
                    Check("θ = 1.5 (not gated)", 9.75, 0.2, 0.01, gated=False, note="diverges"),
                ],
            )
        ],
        seconds=3.2,
    )
    erratum = _claim(
        "claim-erratum",
        "Fig. 4",
        [
            _tier("symbolic", [Check("derived", 1.0, 1.0, 0.0)]),
            _tier(
                "precision",
                [Check("printed vs integral", 1.25, 1.0, 1e-12, expect_deviation=True)],
            ),
        ],
        erratum=ERRATUM,
        seconds=0.8,
    )
    skipped = _claim(
        "claim-skip", "Fig. 5", [_tier("simulation", [], detail=SKIP_REASON)], seconds=0.0
    )
    return [passing, failing, erratum, skipped]


def _report(claims: list[ClaimResult] | None = None) -> dict:
    report = Report(
        claims=_claims() if claims is None else claims,
        profile="quick",
        device="cpu",
        seed=7,
        versions={"numpy": "1.26.4", "python": "3.11.9", "sympy": "1.13.1", "torch": "2.3.0"},
        seconds=312.4,
        created="2025-06-01T12:00:00+00:00",
    )
    return report.to_dict()


def test_the_fixture_has_one_claim_of_each_outcome() -> None:
    outcomes = [c["outcome"] for c in _report()["claims"]]
    assert outcomes == ["PASS", "FAIL", "EXPECTED-DEVIATION", "SKIP"]


# --------------------------------------------------------------------------------------------
# Terminal


def _row(table: str, claim_id: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(claim_id + " "))


def _evidence(table: str, claim_id: str) -> str:
    """The evidence sentence under a claim's row, its wrapped lines joined."""
    lines = table.splitlines()
    start = lines.index(_row(table, claim_id)) + 1
    sentence = [lines[start].strip()]
    for line in lines[start + 1 :]:
        if not line.startswith("      "):
            break
        sentence.append(line.strip())
    return " ".join(sentence)


def test_terminal_table_has_a_row_per_claim_with_its_outcome() -> None:
    table = terminal_table(_report())
    for claim_id, outcome in [
        ("claim-pass", "PASS"),
        ("claim-fail", "FAIL"),
        ("claim-erratum", "EXPECTED-DEVIATION"),
        ("claim-skip", "SKIP"),
    ]:
        assert outcome in _row(table, claim_id).split()
    assert "sym✓ sim✓" in _row(table, "claim-pass")
    assert "mc✗" in _row(table, "claim-fail")
    assert "prec≈" in _row(table, "claim-erratum")
    assert "sim∅" in _row(table, "claim-skip")
    assert _row(table, "claim-pass").endswith("12.3 s")
    assert _row(table, "claim-skip").endswith(" 0.0 s")


def test_terminal_header_names_the_run() -> None:
    header = terminal_table(_report()).splitlines()[0]
    for text in ("profile quick", "device cpu", "seed 7", "python 3.11.9", "torch 2.3.0"):
        assert text in header
    assert header.index("python") < header.index("torch") < header.index("numpy")


def test_terminal_verdict_counts_and_fails_when_a_claim_failed() -> None:
    last = terminal_table(_report()).rstrip("\n").splitlines()[-1]
    assert last == (
        "VERDICT: FAIL — 1 passed, 1 expected deviation, 1 failed, 1 skipped "
        "(quick profile, cpu, 312.4 s)"
    )


def test_the_verdict_follows_the_claims_not_the_summary_keys() -> None:
    report = _report()
    report["failed"] = False  # stale or hand-edited summary keys
    report["counts"] = {}
    assert "VERDICT: FAIL — 1 passed" in terminal_table(report)
    del report["failed"], report["counts"]
    assert "VERDICT: FAIL — 1 passed" in terminal_table(report)
    assert "**Verdict: ❌ FAIL**" in to_markdown(report)


def test_terminal_verdict_passes_without_failures() -> None:
    claims = [c for c in _claims() if c.outcome is not Outcome.FAIL]
    last = terminal_table(_report(claims)).rstrip("\n").splitlines()[-1]
    assert last.startswith("VERDICT: PASS — 1 passed, 1 expected deviation, 0 failed, 1 skipped")


def test_terminal_summary_is_the_gated_check_furthest_from_its_prediction() -> None:
    table = terminal_table(_report())
    # 0.001/0.0031 beats 0.00001/0.01; the non-gated infinite measurement is not the summary.
    # The summary reads as a sentence: how it was measured, against which formula, the test.
    assert _evidence(table, "claim-pass") == (
        "γ = 0.5, σ = 0.2: simulated 0.5412 ± 0.001 against the prediction 0.5402: "
        "|dev| 0.001 = 1.0 SE ≤ tolerance 0.0031 = 3.1 SE"
    )
    assert "Monte Carlo 0.8123 ± 0.004 against the prediction 0.7: |dev| 0.11 = 28.1 SE > " in (
        _evidence(table, "claim-fail")
    )
    assert "mpmath gives 1.25 against the prediction 1: |dev| 0.25 > tolerance 1e-12 (erratum" in (
        _evidence(table, "claim-erratum")
    )


def test_terminal_summary_of_an_inequality_check() -> None:
    check = Check("gain > 0", 0.02, 0.0, 0.05, relation=">", predicted_by="eq. 11")
    claim = _claim("claim-ineq", "Thm. 1", [_tier("montecarlo", [check])])
    table = terminal_table(_report([claim]))
    assert _evidence(table, "claim-ineq") == (
        "gain > 0: Monte Carlo 0.02 against eq. 11 0: needs to lie above it by more than 0.05: "
        "it does not"
    )


def test_terminal_details_name_the_failing_checks_the_erratum_and_the_skip_reason() -> None:
    table = terminal_table(_report(), width=200)
    lines = table.splitlines()
    detail = lines[lines.index(_row(table, "claim-fail")) + 2]  # under the evidence sentence
    assert detail.startswith("    • ")
    for text in ("montecarlo", "θ = 0.3", "measured 0.8123", "predicted 0.7", "0.0123", "3 SE"):
        assert text in detail
    assert "θ = 0.6" not in table  # passes
    assert "θ = 1.5" not in table  # fails but is not gated
    assert ERRATUM in table
    assert f"simulation: {SKIP_REASON}" in table


def test_terminal_lists_at_most_five_failing_checks() -> None:
    checks = [Check(f"cell {i}", 1.0, 0.0, 0.1) for i in range(8)]
    table = terminal_table(_report([_claim("claim-many", "Fig. 2", [_tier("simulation", checks)])]))
    assert "cell 4:" in table
    assert "cell 5:" not in table
    assert "and 3 more failing checks" in table


@pytest.mark.parametrize("width", [40, 55, 80, 100, 120, 200])
@pytest.mark.parametrize("color", [False, True])
def test_terminal_lines_fit_the_width(width: int, color: bool) -> None:
    table = terminal_table(_report(), width=width, color=color)
    lines = [ANSI.sub("", line) for line in table.splitlines()]
    assert max(len(line) for line in lines) <= width
    text = "\n".join(lines)
    for claim_id in ("claim-pass", "claim-fail", "claim-erratum", "claim-skip"):
        assert claim_id in text
    verdict = [i for i, line in enumerate(lines) if line.startswith("VERDICT: FAIL — ")]
    assert len(verdict) == 1
    assert all(line.startswith("  ") for line in lines[verdict[0] + 1 :])  # wrapped, indented
    assert " ".join(line.strip() for line in lines[verdict[0] :]) == (
        "VERDICT: FAIL — 1 passed, 1 expected deviation, 1 failed, 1 skipped "
        "(quick profile, cpu, 312.4 s)"
    )


def test_terminal_long_cells_are_cut_with_an_ellipsis() -> None:
    long_reference = "Appendix C, proof of Proposition 4, second display " * 3
    claims = _claims()
    claims[0].reference = long_reference
    table = terminal_table(_report(claims), width=120)
    row = _row(table, "claim-pass")
    assert len(row) <= 120
    assert "…" in row
    assert long_reference.strip() not in table


def test_terminal_colour_only_on_request() -> None:
    assert "\x1b[" not in terminal_table(_report())
    coloured = terminal_table(_report(), color=True)
    assert "\x1b[31mFAIL" in coloured
    assert "\x1b[32mPASS" in coloured
    assert "\x1b[33mEXPECTED-DEVIATION" in coloured
    assert "\x1b[90mSKIP" in coloured


def test_terminal_ascii_only() -> None:
    table = terminal_table(_report(), ascii_only=True)
    assert not set(table) & set("✓✗≈∅—·±…•─")
    assert "sym+ sim+" in _row(table, "claim-pass")
    assert "VERDICT: FAIL - 1 passed" in table


def test_terminal_rejects_a_tiny_width() -> None:
    with pytest.raises(InvalidArgumentError, match="width"):
        terminal_table(_report(), width=10)


# --------------------------------------------------------------------------------------------
# Markdown

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _md_row(markdown: str, first_cell: str) -> list[str]:
    line = next(row for row in markdown.splitlines() if row.startswith(f"| {first_cell} |"))
    return [cell.strip() for cell in _UNESCAPED_PIPE.split(line)[1:-1]]


def test_markdown_tables_are_well_formed() -> None:
    markdown = to_markdown(_report())
    tables: list[list[str]] = []
    previous = ""
    for line in markdown.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    assert len(tables) == 1 + 1 + 5  # run, claims, one per tier that ran checks or skipped
    for table in tables:
        widths = {len(_UNESCAPED_PIPE.findall(row)) for row in table}
        assert len(widths) == 1, table
        assert re.fullmatch(r"\|( -+:? \|)+", table[1])


def test_markdown_run_summary_and_verdict() -> None:
    markdown = to_markdown(_report())
    assert markdown.startswith("# ")
    assert _md_row(markdown, "Profile") == ["Profile", "quick"]
    assert _md_row(markdown, "Seed") == ["Seed", "7"]
    assert "python 3.11.9" in _md_row(markdown, "Versions")[1]
    assert "312.4 s" in _md_row(markdown, "Time")[1]
    assert "**Verdict: ❌ FAIL** — 1 passed, 1 expected deviation, 1 failed, 1 skipped." in markdown


def test_markdown_claims_table_escapes_pipes() -> None:
    markdown = to_markdown(_report())
    row = _md_row(markdown, "[`claim-fail`](#claim-claim-fail) claim fail")
    assert row[1:4] == ["Thm. 2 \\| Fig. 3", "❌ FAIL", "mc ✗"]
    assert row[4] == "3.2 s"
    assert '<a id="claim-claim-fail"></a>' in markdown


def test_markdown_check_rows_carry_the_numbers() -> None:
    markdown = to_markdown(_report())
    assert _md_row(markdown, "θ = 0.3") == [
        "θ = 0.3",
        "—",  # d: not given
        "—",  # instances: not given
        "0.8123",
        "0.7",
        "—",  # predicted by: not given
        "0.112",
        "0.0123",
        "0.004",
        "yes",
        "✗",
        "3 SE + floor",
    ]
    # an ungated row is information: never ✗, whatever its numbers (issue 18 §1)
    assert _md_row(markdown, "θ = 1.5 (not gated)")[9:11] == ["no", "ℹ information"]
    # A non-finite measurement is shown plainly; the label's pipe is escaped.
    row = _md_row(markdown, "γ = 1.0 \\| near pole")
    assert row[3:7] == ["inf", "2", "—", "inf"]
    assert row[8] == "—"  # no standard error
    # A row carries its dimension, its instances and the formula of its prediction (§2).
    check = Check("cell", 0.5, 0.5, 0.01, 0.001, predicted_by="eq. 8", d=500, instances=20)
    report = _report([_claim("claim-scaled", "Eq. 8", [_tier("simulation", [check])])])
    assert _md_row(to_markdown(report), "cell")[:6] == ["cell", "500", "20", "0.5", "0.5", "eq. 8"]


def test_measured_and_predicted_are_shown_to_the_tolerance() -> None:
    # Four significant digits would show 0.5412 vs 0.5412; the tolerance 3e-5 asks for six.
    check = Check("fine", 0.541234, 0.5412, 3e-5)
    report = _report([_claim("claim-fine", "Eq. (3)", [_tier("precision", [check])])])
    assert _md_row(to_markdown(report), "fine")[3:5] == ["0.541234", "0.5412"]
    assert "mpmath gives 0.541234 against" in _evidence(terminal_table(report), "claim-fine")
    # With a coarse tolerance, four digits are enough.
    assert _md_row(to_markdown(_report()), "γ = 2.0")[3:5] == ["0.3", "0.3"]


def test_markdown_erratum_and_skip_reason() -> None:
    markdown = to_markdown(_report())
    section = markdown[markdown.index("## `claim-erratum`") :]
    assert ERRATUM in section.split("## `claim-skip`")[0]
    row = _md_row(markdown, "printed vs integral")
    assert "erratum" in row[6]
    assert row[-2] == "≈ (erratum confirmed)"  # a confirmed erratum is not a failure
    assert f"> {SKIP_REASON}" in markdown[markdown.index("## `claim-skip`") :]


# --------------------------------------------------------------------------------------------
# JUnit


def _junit(report: dict) -> ET.Element:
    text = to_junit(report)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def _cases(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    return {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}


def test_junit_counts() -> None:
    root = _junit(_report())
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == "verify"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("6", "1", "1")
    assert suite.get("errors") == "0"
    assert float(suite.get("time")) == pytest.approx(312.4)
    assert len(list(suite.iter("testcase"))) == 6
    assert len(list(suite.iter("failure"))) == 1
    assert len(list(suite.iter("skipped"))) == 1


def test_junit_properties() -> None:
    props = {p.get("name"): p.get("value") for p in _junit(_report()).iter("property")}
    assert props["profile"] == "quick"
    assert props["device"] == "cpu"
    assert props["seed"] == "7"
    assert props["version.python"] == "3.11.9"
    assert props["version.torch"] == "2.3.0"


def test_junit_failure_names_the_failing_check() -> None:
    cases = _cases(_junit(_report()))
    failure = cases[("verify.montecarlo", "claim-fail")].find("failure")
    assert failure is not None
    assert "θ = 0.3" in failure.get("message")
    for text in ("θ = 0.3", "0.8123", "0.7", "0.112", "0.0123"):
        assert text in failure.text
    assert "θ = 0.6" not in failure.text
    assert "θ = 1.5" not in failure.text
    assert float(cases[("verify.montecarlo", "claim-fail")].get("time")) == pytest.approx(0.5)


def test_junit_expected_deviation_passes_with_the_erratum_and_skip_has_its_reason() -> None:
    cases = _cases(_junit(_report()))
    erratum = cases[("verify.precision", "claim-erratum")]
    assert erratum.find("failure") is None and erratum.find("skipped") is None
    assert ERRATUM in erratum.find("system-out").text
    assert "EXPECTED-DEVIATION" in erratum.find("system-out").text
    skipped = cases[("verify.simulation", "claim-skip")].find("skipped")
    assert skipped is not None and skipped.get("message") == SKIP_REASON
    passing = cases[("verify.symbolic", "claim-pass")]
    assert list(passing) == []


def test_junit_escapes_markup_and_drops_control_characters() -> None:
    check = Check('a < b & "c" > d', 1.0, 0.0, 0.1)
    tier = _tier("simulation", [check], detail="bell \x07 and <tag>")
    root = _junit(_report([_claim("claim-<&>", "Eq. <1>", [tier])]))
    case = next(root.iter("testcase"))
    assert case.get("name") == "claim-<&>"
    failure = case.find("failure")
    assert 'a < b & "c" > d' in failure.text
    assert "bell  and <tag>" in failure.text


def test_junit_of_an_empty_report() -> None:
    root = _junit(_report([]))
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("0", "0", "0")


# --------------------------------------------------------------------------------------------
# Files


def _reject_constant(name: str) -> None:
    raise AssertionError(f"non-strict JSON constant {name}")


def test_write_reports_writes_the_three_files(tmp_path) -> None:
    report = _report()
    paths = write_reports(
        report,
        json_path=tmp_path / "a" / "report.json",
        markdown_path=tmp_path / "b" / "c" / "report.md",
        junit_path=str(tmp_path / "junit.xml"),
    )
    assert paths == [
        tmp_path / "a" / "report.json",
        tmp_path / "b" / "c" / "report.md",
        tmp_path / "junit.xml",
    ]
    assert paths[1].read_text(encoding="utf-8") == to_markdown(report)
    assert paths[2].read_text(encoding="utf-8") == to_junit(report)
    ET.parse(paths[2])
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_write_reports_writes_only_what_is_asked(tmp_path) -> None:
    assert write_reports(_report()) == []
    paths = write_reports(_report(), markdown_path=tmp_path / "r.md")
    assert paths == [tmp_path / "r.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md"]


def test_json_is_strict_and_round_trips(tmp_path) -> None:
    report = _report()
    claims = report["claims"]
    claims[0]["tiers"][1]["checks"][0]["standard_error"] = math.nan
    claims[0]["tiers"][1]["checks"][1]["tolerance"] = -math.inf
    (path,) = write_reports(report, json_path=tmp_path / "report.json")
    text = path.read_text(encoding="utf-8")
    raw = json.loads(text, parse_constant=_reject_constant)
    assert raw == json.loads(to_json(report))
    assert list(raw) == list(report)  # keys kept in order
    assert text.startswith('{\n  "format": ')  # indent 2
    checks = raw["claims"][0]["tiers"][1]["checks"]
    assert checks[2]["measured"] == "inf"
    assert checks[2]["deviation"] == "inf"
    assert checks[0]["standard_error"] == "nan"
    assert checks[1]["tolerance"] == "-inf"
    assert "γ = 0.5" in text  # UTF-8, not \u escapes

    loaded = load_report(path)
    back = loaded["claims"][0]["tiers"][1]["checks"]
    assert back[2]["measured"] == math.inf
    assert math.isnan(back[0]["standard_error"])
    assert back[1]["tolerance"] == -math.inf
    assert back[2]["label"] == "γ = 1.0 | near pole"
    assert to_json(loaded) == to_json(report)


def test_a_loaded_report_renders_as_the_original(tmp_path) -> None:
    report = _report()
    (path,) = write_reports(report, json_path=tmp_path / "report.json")
    raw = json.loads(path.read_text(encoding="utf-8"))  # "inf" strings, not floats
    for source in (load_report(path), raw):
        assert terminal_table(source) == terminal_table(report)
        assert to_markdown(source) == to_markdown(report)
        assert to_junit(source) == to_junit(report)


def test_write_reports_replaces_an_existing_file(tmp_path) -> None:
    path = tmp_path / "report.md"
    path.write_text("old", encoding="utf-8")
    write_reports(_report(), markdown_path=path)
    assert path.read_text(encoding="utf-8") == to_markdown(_report())


def test_unwritable_folder_gives_a_clear_error(tmp_path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    target = blocker / "sub" / "report.json"
    with pytest.raises(ReportWriteError) as info:
        write_reports(_report(), json_path=target)
    assert isinstance(info.value, OSError) and isinstance(info.value, FateError)
    assert str(target) in str(info.value)
    assert "folder" in str(info.value)


def test_a_folder_in_place_of_the_file_gives_a_clear_error(tmp_path) -> None:
    target = tmp_path / "report.xml"
    target.mkdir()
    with pytest.raises(ReportWriteError, match=r"report\.xml.*folder"):
        write_reports(_report(), junit_path=target)


def test_load_report_rejects_what_is_not_a_report(tmp_path) -> None:
    not_json = tmp_path / "a.json"
    not_json.write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportFormatError, match="not a JSON file"):
        load_report(not_json)
    other = tmp_path / "b.json"
    other.write_text('{"results": []}', encoding="utf-8")
    with pytest.raises(ReportFormatError, match="not a verification report"):
        load_report(other)


@pytest.mark.parametrize(
    ("gated", "erratum", "passed", "mark"),
    [
        (True, False, True, "✓"),
        (True, False, False, "✗"),
        (True, True, False, "≈ (erratum confirmed)"),
        (True, True, True, "✗ (erratum not confirmed)"),
        (False, False, False, "ℹ information"),
        (False, True, True, "ℹ information"),
    ],
)
def test_a_cross_marks_a_failure_of_a_gated_check_only(gated, erratum, passed, mark) -> None:
    check = {"gated": gated, "expect_deviation": erratum, "passed": passed}
    assert report_module._mark(check) == mark


def test_every_report_opens_with_profile_sizes_instances_and_device(tmp_path) -> None:
    """The first lines say at which scale the claims were judged and what did not run."""
    import torch

    from fate_numeric.store import ResultStore
    from fate_numeric.sweeps import PROFILES
    from verify.claims import Context
    from verify.model import Report
    from verify.runner import describe_scope

    ctx = Context(profile="quick", device=torch.device("cpu"), seed=0, store=ResultStore(tmp_path))
    scope = describe_scope(ctx, "cpu (2 threads)", None)
    data = Report([], "quick", "cpu (2 threads)", 0, {}, 1.0, "2026-12-05", scope).to_dict()
    quick = PROFILES["quick"]
    expected = ("quick", f"d = {quick.d}", f"{quick.instances} instances", "cpu (2 threads)")
    lines = terminal_table(data, width=120).splitlines()
    terminal = "\n".join(lines[: next(i for i, x in enumerate(lines) if x.startswith("tiers:"))])
    markdown = "\n".join(to_markdown(data).splitlines()[:20])
    for text in (terminal, markdown, json.dumps(data)[:1500]):
        assert all(part in text for part in expected), text
        assert "sim500) did not run" in text and "not run: the ReLU students" in text
