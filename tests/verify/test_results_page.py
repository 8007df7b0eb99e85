"""docs/results.md is written from a report, the timings and the manifest, never by hand."""

from __future__ import annotations

import json

import pytest

from verify.__main__ import main
from verify.model import Check, ClaimResult, Outcome, Report, TierResult
from verify.report import to_json
from verify.results_page import TIMINGS_FORMAT, load_timings, results_page


def _report() -> dict:
    passing = ClaimResult(
        "lt-risk",
        "Linear-transfer risk",
        "Thm 3.7, eq. 10",
        Outcome.PASS,
        [TierResult("simulation", Outcome.PASS, [Check("n=10", 0.5, 0.5, 0.1, 0.01)])],
        seconds=12.5,
    )
    erratum = ClaimResult(
        "finite-source-scale",
        "Eq. 22 omits the balanced scale",
        "Thm C.1, eq. 22",
        Outcome.EXPECTED_DEVIATION,
        [TierResult("montecarlo", Outcome.EXPECTED_DEVIATION)],
        expected_deviation="κ ≠ 1",
        seconds=3.0,
    )
    return Report(
        [passing, erratum], "quick", "cpu (2 threads)", 0, {}, 417.0, "2026-12-05"
    ).to_dict()


def _timings() -> dict:
    return {
        "format": TIMINGS_FORMAT,
        "created": "2026-12-05 09:00 UTC",
        "commit": "0123456789abcdef",
        "machine": "AMD EPYC, 2 cores, 24 GiB",
        "device": "cpu (2 threads)",
        "commands": [
            {
                "name": "verify all, fresh",
                "command": "python -m verify all",
                "seconds": 417.0,
                "status": 0,
                "note": "empty store",
            },
            {
                "name": "make test",
                "command": "make test",
                "seconds": 290.4,
                "status": 1,
                "note": "ruff, then the tests",
            },
            {
                "name": "README",
                "command": "python -m fate_numeric archive scratch",
                "seconds": None,
                "status": None,
                "note": "not run here: it rewrites the archive",
            },
        ],
    }


def test_the_page_carries_the_measured_numbers_and_where_they_came_from():
    manifest = {
        "sweeps": {
            "scratch": {
                "cells": [{}] * 200,
                "compute_seconds": 3600.0,
                "devices": ["cpu"],
                "machines": [{"cpu_count": 2}],
                "commits": ["f635368d1e3d0000"],
            },
            "rank_k": {
                "cells": [{}] * 72,
                "compute_seconds": 43.0,
                "devices": ["cpu"],
                "machines": [{"cpu_count": 2}],
                "commits": ["b0d267d00000"],
                "extension": True,
            },
        }
    }
    page = results_page(_report(), _timings(), manifest)
    assert "| `rank_k` (extension beyond the paper) | 72 |" in page
    assert "AMD EPYC, 2 cores, 24 GiB" in page and "`0123456789ab`" in page
    assert "6 min 57 s" in page  # 417 s, the report's own duration format
    assert "exit status 1" in page  # a failed command is recorded, not dropped
    assert "| — | not run | not run here: it rewrites the archive |" in page  # and one not run
    assert "**Verdict: PASS**" in page
    assert "| `finite-source-scale` | Eq. 22 omits the balanced scale | EXPECTED-DEVIATION" in page
    assert "| `scratch` | 200 | 1.00 h | cpu (2 cores) | `f635368d1e3d` |" in page


def test_without_timings_the_page_says_so():
    page = results_page(_report(), None, None)
    assert "Not measured on this checkout" in page and "Paper-scale" not in page


def test_the_command_writes_the_page_and_refuses_a_foreign_timings_file(tmp_path, capsys):
    report, timings = tmp_path / "r.json", tmp_path / "t.json"
    report.write_text(to_json(_report()))
    timings.write_text(json.dumps(_timings()))
    out = tmp_path / "results.md"
    assert (
        main(
            ["results-page", "--report", str(report), "--timings", str(timings), "--out", str(out)]
        )
        == 0
    )
    assert out.read_text().startswith("# Measured results")
    timings.write_text(json.dumps({"format": "something else"}))
    assert (
        main(
            ["results-page", "--report", str(report), "--timings", str(timings), "--out", str(out)]
        )
        == 2
    )
    assert "is not a timings file" in capsys.readouterr().err
    with pytest.raises(ValueError):
        load_timings(timings)


def test_a_dimensions_study_is_embedded_under_its_own_heading():
    study = (
        "# The ReLU picture against the dimension\n\n| profile | d |\n|---|---|\n| quick | 10 |\n"
    )
    page = results_page(_report(), None, None, study)
    assert "## The ReLU picture against the dimension" in page and "| quick | 10 |" in page
    assert "\n# The ReLU picture" not in page
