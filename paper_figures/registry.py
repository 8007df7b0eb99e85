"""The registry of figures: one line per figure module, in the order of the index page.

A figure module defines ``FIGURE`` (a :class:`~paper_figures.core.Figure`) or, when it makes
several figures, ``FIGURES`` (a tuple of them). To add one, append its module name to
:data:`MODULES` (a one-line edit).
"""

from __future__ import annotations

import importlib

from paper_figures.core import Figure, FigureError

MODULES: tuple[str, ...] = (
    "paper_figures.fig1_linear_transfer",
    "paper_figures.fig2_fine_tuning",
    "paper_figures.fig3_relu",
    "paper_figures.fig4_similarity",
    "paper_figures.fig5_weight_decay",
    "paper_figures.fig7_noiseless",
    "paper_figures.scratch_risk",
    "paper_figures.ridge",
    "paper_figures.fine_tuning_noisy",
    "paper_figures.finite_source",
    "paper_figures.surfaces",
    "paper_figures.rank_k",  # extension beyond the paper (docs/paper.md §11)
    "paper_figures.rank_k_fine_tuning",  # extension beyond the paper (docs/paper.md §11)
    "paper_figures.pretraining_decay",  # extension beyond the paper (docs/paper.md §12)
)


def figures() -> list[Figure]:
    """Every registered figure, in registry order (names are unique)."""
    found: list[Figure] = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        if hasattr(module, "FIGURES"):
            found.extend(module.FIGURES)
        elif hasattr(module, "FIGURE"):
            found.append(module.FIGURE)
        else:
            raise FigureError(f"figure module {module_name} defines neither FIGURE nor FIGURES")
    names = [f.name for f in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FigureError(f"figure names registered twice: {', '.join(duplicates)}")
    return found


def select(names: list[str]) -> list[Figure]:
    """The figures with the given names (``["all"]``: every one), in the order given."""
    known = {f.name: f for f in figures()}
    if names == ["all"]:
        return list(known.values())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise FigureError(
            f"unknown figure name(s) {', '.join(map(repr, unknown))}; the figures are: "
            f"{', '.join(known)} (or 'all'; `python -m paper_figures list` describes them)"
        )
    return [known[n] for n in dict.fromkeys(names)]
