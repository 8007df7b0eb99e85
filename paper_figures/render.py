"""Making figures: run a figure's two steps under the style sheet, write its files and the index.

Files per figure ``NAME`` in the output folder: ``NAME.pdf``, ``NAME.png`` (150 dpi),
``NAME.TABLE.csv`` per table and ``NAME.caption.md``. ``index.md`` lists every figure whose caption
file is in the folder (so figures made by separate commands share one index).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import matplotlib.style

from derivations.atomic import write_atomic
from paper_figures.core import Context, Figure, FigureError, Table
from paper_figures.plots import STYLE_SHEET as STYLE

PNG_DPI = 150
INDEX = "index.md"


@dataclass(frozen=True)
class Rendered:
    """What one figure produced."""

    figure: Figure
    files: tuple[Path, ...]
    seconds: float


def prepare_output(folder: Path) -> Path:
    """Create ``folder`` if needed and make sure files can be written there."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise FigureError(
            f"cannot write to the output folder {folder}: {exc.strerror or exc}"
        ) from None
    return folder


def _provenance(ctx: Context, figure: Figure, tables: dict[str, Table], device: str) -> list[str]:
    if figure.grid is not None:  # the figure's own simulation grid (ReLU, W₁), not the linear one
        profile = f"- profile `{ctx.profile}`: {figure.grid(ctx, tables)}, seed {ctx.seed}"
    elif ctx.has_linear_grid:
        grid = ctx.grid
        profile = (
            f"- profile `{ctx.profile}`: d = {grid.d}, {grid.instances} instances per cell, "
            f"γ ∈ {{{', '.join(f'{g:g}' for g in grid.gammas)}}}, "
            f"θ/(π/2) ∈ {{{', '.join(f'{t:g}' for t in grid.theta_fractions)}}}, seed {ctx.seed}"
        )
    else:
        profile = f"- profile `{ctx.profile}`: a ReLU grid only, seed {ctx.seed}"
    if ctx.precision != "float64" and figure.grid is None:  # the others read no linear sweep
        profile += f"; linear sweeps trained in {ctx.precision}"
    lines = [
        profile,
        "- theory: `fate_numeric.theory` evaluators, "
        + (figure.theory or f"{ctx.theory_points} points per axis"),
    ]
    if figure.sweeps:
        names = ", ".join(f"`{s}`" for s in figure.sweeps)
        archive = getattr(ctx.store, "archive", None)
        archived = [s for s in figure.sweeps if archive is not None and s in archive.sweeps]
        root = getattr(ctx.store, "root", ctx.store)
        if archived:
            lines.append(
                f"- simulations: sweeps {names}; archived cells from {archive.describe(archived)}; "
                f"any other from the store `{root}` (device {device})"
            )
        else:
            lines.append(f"- simulations: sweeps {names} from the store `{root}` (device {device})")
    lines.append(f"- made {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    return lines


def caption_text(figure: Figure, ctx: Context, tables: dict[str, Table], device: str) -> str:
    """The caption file: title, reference, caption, notes, data files, provenance."""
    parts = [f"# {figure.name}: {figure.title}", "", f"*Paper reference:* {figure.reference}.", ""]
    parts += [figure.caption.strip(), ""]
    if figure.notes:
        parts += ["**Decisions and uncertainties.**", ""]
        parts += [f"- {note}" for note in figure.notes]
        parts.append("")
    parts += ["**Data.** " + ", ".join(f"`{figure.name}.{t}.csv`" for t in tables), ""]
    parts += ["**Provenance.**", "", *_provenance(ctx, figure, tables, device), ""]
    return "\n".join(parts)


def render(figure: Figure, ctx: Context, folder: Path, device: str = "cpu") -> Rendered:
    """Run ``figure``'s data and draw steps and write its files into ``folder``."""
    started = time.perf_counter()
    with matplotlib.style.context(str(STYLE)):
        tables = figure.data(ctx)
        if not tables or not all(isinstance(t, Table) for t in tables.values()):
            raise FigureError(f"figure {figure.name}: data() must return a dict of Tables")
        drawn = figure.draw(tables)
        files = []
        for suffix in ("pdf", "png"):
            path = folder / f"{figure.name}.{suffix}"
            drawn.savefig(path, dpi=PNG_DPI if suffix == "png" else None)
            files.append(path)
    for table_name, table in tables.items():
        path = folder / f"{figure.name}.{table_name}.csv"
        table.write_csv(path)
        files.append(path)
    caption = folder / f"{figure.name}.caption.md"
    caption.write_text(caption_text(figure, ctx, tables, device), encoding="utf-8")
    files.append(caption)
    return Rendered(figure, tuple(files), time.perf_counter() - started)


def write_index(folder: Path, order: list[str]) -> Path:
    """``index.md``: every figure with a caption file in ``folder``, registry order first."""
    captions = {p.name.removesuffix(".caption.md"): p for p in folder.glob("*.caption.md")}
    names = [n for n in order if n in captions] + sorted(set(captions) - set(order))
    lines = ["# Figures", "", "Regenerated by `python -m paper_figures`.", ""]
    for name in names:
        text = captions[name].read_text(encoding="utf-8").splitlines()
        heading, body = text[0].lstrip("# "), text[1:]
        lines += [f"## {heading}", "", f"![{name}]({name}.png)", "", f"[PDF]({name}.pdf)", ""]
        lines += [*body, ""]
    return write_atomic(folder / INDEX, "\n".join(lines))
