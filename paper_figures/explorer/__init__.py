"""An interactive explorer of the paper's results: one static HTML page, generated.

``python -m paper_figures explorer --out DIR`` writes ``DIR/explorer.html``: a self-contained
page (every script, style and font inside; no server, no kernel, no network) with nine panels —
the linear-transfer phase map with a σ slider, its zero contour and the negative interval
(γ₋, γ₊) (Thm 3.7, eq. 11); the scratch risk against γ (eq. 8) with the exact finite-d form and
the sin²θ floor of linear transfer; fine-tuning, eq. 15 as printed or corrected for balancedness;
ridge risk against λ (eq. 13) with its finite-n points; finite-source phase maps (eq. 22);
transferability against KL and W₁ (Thm A.2); the ReLU out-of-span norm against the removed
fraction (Fig. 3d); the stored d = 500 simulations on slices of the first three; and any
derivation's steps, typeset by the bundled KaTeX, with their checks.

The formulas reach JavaScript only through :mod:`paper_figures.explorer.jsgen` (SymPy's JavaScript
printer applied to the derivation records, branch by branch, with the argument ranges of
:mod:`derivations.domains`); none is typed into the page. The page exposes
``window.fate.evaluate(name, args)`` and ``window.fate.names()`` (names and argument names as in
:mod:`fate_numeric.theory`). ``tests/paper_figures/test_explorer_browser.py`` drives it in a
headless Chromium.
"""

from __future__ import annotations

import time
from importlib import metadata
from pathlib import Path

from paper_figures.explorer import data
from paper_figures.explorer.jsgen import generate
from paper_figures.explorer.page import PAGE_NAME, assemble

__all__ = ["PAGE_NAME", "build"]


def _version() -> str:
    try:
        return metadata.version("features-are-fate")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def build(out: Path, log=None, results: list[str] | None = None) -> Path:
    """Write ``out/explorer.html`` and return its path.

    ``log``: a callable that receives progress lines; ``results``: the derivations panel 9 offers
    (default: every record; each is checked step by step, about half a minute for all).
    """
    say = log or (lambda line: None)
    started = time.perf_counter()
    generated = generate()
    say(f"evaluators: {len(generated.evaluators)} in JavaScript, {len(generated.omitted)} left out")
    page_data = {
        "simulations": data.simulations(),
        "relu": data.relu_out_of_span(),
    }
    say("simulations and ReLU teachers summarised")
    page_data["derivations"] = data.derivations(results)
    say(f"{len(page_data['derivations']['results'])} derivations checked and typeset")
    html = assemble(generated.source(), page_data, _version())
    path = Path(out) / PAGE_NAME
    path.write_text(html, encoding="utf-8")
    say(f"{path}: {path.stat().st_size / 1e6:.2f} MB in {time.perf_counter() - started:.1f} s")
    return path
