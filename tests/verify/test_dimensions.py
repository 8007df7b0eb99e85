"""``verify dimensions``: the ReLU claims at several profiles side by side (tiny stand-in profiles;
the numbers are recomputed here from the store's arrays)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from fate_numeric import relu_analysis, relu_sweeps, service
from fate_numeric.relu_sweeps import ReluProfile
from fate_numeric.store import ResultStore
from verify import dimensions
from verify.__main__ import main
from verify.claims import Context

CPU = torch.device("cpu")
TINY = {  # small and short (the claims may fail here; the test is about the tabulation)
    "tiny_d4": ReluProfile("tiny_d4", 4, 16, 4, 3, (4, 8, 16), (0.25, 0.75), 1.0, 1500),
    "tiny_d5": ReluProfile("tiny_d5", 5, 20, 5, 3, (5, 10, 20), (0.2, 0.8), 1.0, 1500),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> ResultStore:
    return ResultStore(tmp_path_factory.mktemp("dimension-store"))


@pytest.fixture(scope="module")
def rows(store):
    with pytest.MonkeyPatch.context() as patch:
        for name, profile in TINY.items():
            patch.setitem(relu_sweeps.RELU_PROFILES, name, profile)
        yield dimensions.study(
            list(TINY), lambda name: Context(profile=name, device=CPU, seed=0, store=store)
        )


def _arrays(store, sweep, profile):
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(relu_sweeps.RELU_PROFILES, profile, TINY[profile])
        cells = service.cells_of(sweep, profile)
    return [(cell, store.load(cell.config()).arrays) for cell in cells]


def test_one_row_per_profile_with_every_claim(rows):
    assert [row.profile for row in rows] == list(TINY)
    assert [row.d for row in rows] == [4, 5]
    for row in rows:
        assert list(row.outcomes) == list(dimensions.CLAIMS)
        assert set(row.outcomes.values()) <= {"PASS", "FAIL", "NOT-JUDGED"}
        assert row.seconds > 0


@pytest.mark.parametrize("index", [0, 1])
def test_the_numbers_are_those_of_the_stored_simulations(rows, store, index):
    row = rows[index]
    scratch = sorted(_arrays(store, "relu_scratch", row.profile), key=lambda item: item[0].n)
    transfer = _arrays(store, "relu_linear_transfer", row.profile)
    fit = relu_analysis.fit_power_law([c.n for c, _ in scratch], [a["risk"] for _, a in scratch])
    assert row.exponent == pytest.approx(fit.exponent, rel=1e-12)
    assert row.sample_sizes == tuple(c.n for c, _ in scratch)
    by_n = {c.n: a["risk"] for c, a in scratch}
    smallest = min(transfer, key=lambda item: (item[0].removed, item[0].n))
    largest = max(transfer, key=lambda item: (item[0].removed, item[0].n))
    for corner, (cell, arrays) in zip(row.corners, (smallest, largest), strict=True):
        difference = by_n[cell.n] - arrays["risk"]
        assert corner[:2] == (cell.removed, cell.n)
        assert corner[2] == pytest.approx(difference.mean(), rel=1e-12)
        assert corner[3] == pytest.approx(difference.std(ddof=1) / np.sqrt(difference.size))
    for cell, arrays in transfer:
        ratio = arrays["out_of_span_source"][0] / arrays["target_norm"][0]
        assert row.target_outside[cell.removed] == pytest.approx(ratio, rel=1e-12)
    # the predicted boundary (A / ‖P⊥f_t‖²)^(1/ν) on the source teacher's span
    predicted = {b.removed: b.predicted for b in row.boundaries}
    for cell, arrays in transfer:
        floor = arrays["out_of_span_source"][0]
        expected = (fit.amplitude / floor) ** (1 / fit.exponent)
        assert predicted[cell.removed] == pytest.approx(expected, rel=1e-12)
    for removed, peak in row.transfer_peaks.items():
        risks = {c.n: a["risk"].mean() for c, a in transfer if c.removed == removed}
        assert peak == max(risks, key=risks.get)
    agree = [
        (np.mean(by_n[cell.n] - arrays["risk"]) > 0)
        == (fit(cell.n) > arrays["out_of_span_source"][0])
        for cell, arrays in transfer
    ]
    assert row.sign_agreement == pytest.approx(np.mean(agree))


def test_the_table_has_a_column_per_profile_and_a_line_per_removed_fraction(rows):
    table = dimensions.table_rows(rows)
    assert table[0] == ["", *TINY]
    assert all(len(line) == 3 for line in table)
    labels = [line[0] for line in table]
    for removed in (0.25, 0.75, 0.2, 0.8):
        outside = [
            line for line in table if line[0].startswith(f"‖P⊥f_t‖²/‖f_t‖² at μ = {removed:g} ")
        ]
        assert len(outside) == 1
        # a fraction of one profile's grid only is blank in the other's column
        assert (outside[0][1] == "") != (outside[0][2] == "")
    assert "claims" in labels
    assert dimensions.to_text(rows).splitlines()[0].split() == list(TINY)


def test_cli_writes_json_and_markdown(rows, store, tmp_path, monkeypatch, capsys):
    for name, profile in TINY.items():
        monkeypatch.setitem(relu_sweeps.RELU_PROFILES, name, profile)
    json_path, markdown_path = tmp_path / "d.json", tmp_path / "d.md"
    arguments = ["dimensions", "--profiles", *TINY, "--store", str(store.root), "--device", "cpu"]
    status = main([*arguments, "--json", str(json_path), "--markdown", str(markdown_path)])
    assert status == 0
    data = json.loads(json_path.read_text())
    assert [row["profile"] for row in data["rows"]] == list(TINY)
    assert data["rows"][0]["exponent"] == pytest.approx(rows[0].exponent)
    markdown = markdown_path.read_text()
    assert "|  | tiny_d4 | tiny_d5 |" in markdown
    assert "tiny_d4" in capsys.readouterr().out


def test_an_unknown_profile_is_a_clear_error(capsys):
    assert main(["dimensions", "--profiles", "quick", "nonsense"]) == 2
    assert "unknown ReLU profile(s) nonsense" in capsys.readouterr().err
