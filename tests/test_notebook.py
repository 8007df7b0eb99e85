"""The teaching notebook runs top to bottom, and its saved outputs are what it prints today.

Cells tagged ``deterministic`` (counts, derivation checks, hand calculations, theory numbers) must
show exactly what a fresh execution shows, so that a notebook whose saved outputs went stale (a
result added to the registry, a formula changed) fails here; refresh it by executing it in place
(from the repository root: ``PYTHONPATH=. OMP_NUM_THREADS=1 jupyter execute --inplace
notebooks/teaching.ipynb``). Simulations and figures are seeded but
not compared: their last digits may depend on the machine.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip(
    "nbformat", reason="nbformat is not installed (pip install -e .[dev])"
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "teaching.ipynb"
DETERMINISTIC = "deterministic"


def _code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _shown(cell) -> tuple[str, list[str]]:
    """What a cell shows, images left out: its printed text, then its displayed text/Markdown."""
    printed = "".join(o.text for o in cell.outputs if o.output_type == "stream")
    displayed = [
        o.data[mime]
        for o in cell.outputs
        if o.output_type in ("execute_result", "display_data")
        for mime in ("text/markdown", "text/plain")
        if mime in o.get("data", {})
    ]
    return printed, displayed


def test_saved_outputs_count_the_current_results():
    from derivations import all_results

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    printed = "".join(_shown(cell)[0] for cell in _code_cells(notebook))
    counts = re.findall(r"(\d+) derived results", printed)
    assert counts == [str(len(all_results()))], (
        f"the saved outputs count {counts} derived results, the registry has "
        f"{len(all_results())}: execute the notebook again (see this module's docstring)"
    )


def test_notebook_uses_no_private_names():
    """Only public entry points: no ``_name`` imported, no ``._name`` attribute read."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in _code_cells(notebook):
        private = re.findall(r"\._\w+|\bimport\s+_\w+|\bimport\b[^\n]*,\s*_\w+", cell.source)
        assert not private, f"private names in the notebook: {private}"
    tagged = [c for c in _code_cells(notebook) if DETERMINISTIC in c.metadata.get("tags", [])]
    assert len(tagged) >= 5, "the deterministic cells lost their tag"


@pytest.mark.slow
def test_teaching_notebook_runs_and_its_saved_outputs_are_fresh(monkeypatch, tmp_path):
    nbclient = pytest.importorskip(
        "nbclient", reason="nbclient is not installed (pip install -e .[dev])"
    )
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e .[dev])")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("MKL_NUM_THREADS", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # the kernel imports the code under test (a worktree), not whatever the venv points at
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    saved = nbformat.read(NOTEBOOK, as_version=4)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if any cell fails
    outputs = [o for cell in _code_cells(notebook) for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "the notebook should draw the risk curves and the phase diagrams"
    text = "".join(o.get("text", "") for o in outputs)
    assert "Monte Carlo" in text and "= 0.54" in text and "standard errors" in text

    stale = []
    for index, (fresh, old) in enumerate(
        zip(_code_cells(notebook), _code_cells(saved), strict=True)
    ):
        if DETERMINISTIC in fresh.metadata.get("tags", []) and _shown(fresh) != _shown(old):
            stale.append(f"code cell {index}: saved {_shown(old)!r}, now {_shown(fresh)!r}")
    assert not stale, "stale saved outputs (see this module's docstring):\n" + "\n".join(stale)
