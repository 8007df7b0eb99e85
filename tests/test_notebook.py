"""The teaching notebook runs top to bottom (so that it cannot rot)."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip(
    "nbformat", reason="nbformat is not installed (pip install -e .[dev])"
)
nbclient = pytest.importorskip(
    "nbclient", reason="nbclient is not installed (pip install -e .[dev])"
)
pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e .[dev])")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "teaching.ipynb"


@pytest.mark.slow
def test_teaching_notebook_runs_top_to_bottom(monkeypatch, tmp_path):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("MKL_NUM_THREADS", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if any cell fails
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "the notebook should draw the risk curves and the phase diagrams"
    text = "".join(o.get("text", "") for o in outputs)
    assert "Monte Carlo" in text and "= 0.54" in text
