"""The figure interface: :class:`Table`, :class:`Figure`, :class:`Context` and their errors.

See the package docstring (:mod:`paper_figures`) for how a figure module uses them.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import torch

from derivations.errors import FateError, InvalidArgumentError
from fate_numeric import service, theory
from fate_numeric.experiments import Cell
from fate_numeric.numerics import describe_device, precision_dtype
from fate_numeric.relu_sweeps import LADDER
from fate_numeric.sweeps import PROFILES, Profile
from paper_figures.costs import Cost, announce, linear_cost, progress, relu_cost, write_line

#: Every profile a figure may be drawn at: the profiles of the sweep service's families, the linear
#: grids and the ReLU grids (``paper_d500`` is a ReLU grid only: Figure 3's phase diagram at the
#: linear experiments' d = 500).
FIGURE_PROFILES = service.profile_names()

__all__ = [
    "Context",
    "Figure",
    "FigureError",
    "MissingSimulationError",
    "Table",
]


class FigureError(FateError):
    """A figure cannot be made (unknown name, unwritable output folder, bad table ...)."""


class MissingSimulationError(FigureError):
    """Simulation data are missing and simulating was switched off; the message says what to run.

    Attributes:
        commands: the exact shell commands that produce the missing data.
        costs: what each command costs (:meth:`paper_figures.costs.Cost.describe`), by command,
            for the commands whose cost is known; printed under the command.
    """

    def __init__(
        self, message: str, commands: Iterable[str], costs: Mapping[str, str] | None = None
    ):
        self.commands = tuple(commands)
        self.costs = {c: cost for c, cost in (costs or {}).items() if c in self.commands}
        lines = "".join(
            f"\n    {c}" + (f"\n        cost: {self.costs[c]}" if c in self.costs else "")
            for c in self.commands
        )
        super().__init__(message + lines)


class Table:
    """Named columns of equal length: the numbers behind a plot, written as one CSV file.

    Columns are one-dimensional numpy arrays, numeric (stored as float64 or int64) or text. A
    two-dimensional map is stored in long form (one row per grid point, e.g. ``theta, gamma,
    value``) and rebuilt with :meth:`grid`. Floats are written by ``repr`` (the shortest text that
    reads back as the same float), so :meth:`read_csv` gives back exactly the plotted numbers.
    """

    def __init__(self, columns: Mapping[str, Any] | None = None, **kwargs: Any):
        data = {**(columns or {}), **kwargs}
        if not data:
            raise FigureError("a table needs at least one column")
        self.columns: dict[str, np.ndarray] = {}
        length = None
        for name, values in data.items():
            if not isinstance(name, str) or not name or "," in name:
                raise FigureError(f"column names must be non-empty text without commas: {name!r}")
            array = np.asarray(values)
            if array.ndim == 0:
                raise FigureError(f"column {name!r} must be one-dimensional, got a scalar")
            array = array.reshape(-1) if array.ndim > 1 else array
            if array.dtype.kind in "biu":
                array = array.astype(np.int64)
            elif array.dtype.kind == "f":
                array = array.astype(np.float64)
            elif array.dtype.kind == "U":
                if any("," in v or "\n" in v for v in array):
                    raise FigureError(f"text column {name!r} holds a comma or a line break")
            else:
                raise FigureError(f"column {name!r} has unsupported dtype {array.dtype}")
            if length is not None and array.size != length:
                raise FigureError(
                    f"column {name!r} has {array.size} rows, the others have {length}"
                )
            length = array.size
            self.columns[name] = array
        self.rows = int(length)

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self.columns[name]
        except KeyError:
            raise FigureError(
                f"table has no column {name!r}; it has {', '.join(self.columns)}"
            ) from None

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __len__(self) -> int:
        return self.rows

    def where(self, mask: np.ndarray) -> Table:
        """The rows where ``mask`` is true."""
        return Table({name: values[mask] for name, values in self.columns.items()})

    def grid(self, x: str, y: str, z: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A long-form map as (unique x, unique y, Z[y, x]), sorted; missing points are NaN."""
        xs, xi = np.unique(self[x], return_inverse=True)
        ys, yi = np.unique(self[y], return_inverse=True)
        values = np.full((ys.size, xs.size), np.nan)
        values[yi, xi] = self[z]
        return xs, ys, values

    @classmethod
    def from_grid(cls, x: str, xs: np.ndarray, y: str, ys: np.ndarray, **maps: np.ndarray) -> Table:
        """Long form of maps given as arrays ``Z[y, x]`` over the grid ``xs`` × ``ys``."""
        gx, gy = np.meshgrid(np.asarray(xs, float), np.asarray(ys, float))
        columns: dict[str, np.ndarray] = {x: gx.ravel(), y: gy.ravel()}
        for name, values in maps.items():
            values = np.asarray(values, float)
            if values.shape != gx.shape:
                raise FigureError(f"map {name!r} has shape {values.shape}, the grid {gx.shape}")
            columns[name] = values.ravel()
        return cls(columns)

    def write_csv(self, path: Path) -> None:
        """Write the table as CSV (header line, then one line per row)."""
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.columns)
            formatted = [
                [repr(v) for v in col.tolist()] if col.dtype.kind == "f" else col.astype(str)
                for col in self.columns.values()
            ]
            writer.writerows(zip(*formatted, strict=True))

    @classmethod
    def read_csv(cls, path: Path) -> Table:
        """Read a table written by :meth:`write_csv` (numeric columns come back as float64)."""
        with open(path, newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            rows = list(reader)
        columns: dict[str, np.ndarray] = {}
        for index, name in enumerate(header):
            raw = [row[index] for row in rows]
            try:
                columns[name] = np.array([float(v) for v in raw])
            except ValueError:
                columns[name] = np.array(raw)
        return cls(columns)


Tables = Mapping[str, Table]


@dataclass(frozen=True)
class Figure:
    """One figure: how its numbers are obtained and how they are drawn.

    Attributes:
        name: command-line name and file stem (lower case, digits, ``-``), e.g. ``"figure1"``.
        title: one line, e.g. ``"Linear transfer, σ = 0.2"``.
        reference: where it is in the paper or the authors' notebook, e.g. ``"Fig. 1"`` or
            ``"notebook plots #1, #8"``.
        caption: what is drawn (a few sentences, Markdown); goes into the caption file.
        data: ``data(ctx) -> {table name: Table}``; every number the figure plots, theory from
            ``ctx.theory``, simulations from ``ctx.sweep`` / ``ctx.stored``.
        draw: ``draw(tables) -> matplotlib.figure.Figure``; reads nothing but the tables, so the
            CSV files are exactly what is plotted.
        sweeps: the named sweeps (of either family, :mod:`fate_numeric.service`) that ``data``
            reads (for ``list``, the messages
            about missing data and the profiles the figure can be drawn at).
        notes: decisions and uncertainties (docs/paper.md §7, §9) stated in the caption file.
        grid: ``grid(ctx, tables) -> str``, the provenance line that describes the simulation
            drawn, for a figure that does not draw the profile's linear grid (the ReLU sweeps,
            Figure 4's W₁ estimates); by default the line describes the linear grid.
        theory: the provenance line's account of the theory drawn, for a figure that does not
            evaluate it on the context's ``theory_points`` per axis (Figure 3's fitted power
            laws); by default that grid.
    """

    name: str
    title: str
    reference: str
    caption: str
    data: Callable[[Context], dict[str, Table]]
    draw: Callable[[Tables], Any]
    sweeps: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    grid: Callable[[Context, Tables], str] | None = None
    theory: str | None = None

    def __post_init__(self) -> None:
        allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        if not self.name or not set(self.name) <= allowed:
            raise FigureError(
                f"figure name {self.name!r} must use lower-case letters, digits, '-', '_', '.'"
            )

    def drawable_at(self, profile: str) -> bool:
        """Whether the figure can be drawn at ``profile``: at a linear profile always, elsewhere
        where it reads sweeps and each of them exists at ``profile`` (a ReLU-only profile draws
        only the figures made of ReLU sweeps)."""
        if profile in PROFILES:
            return True
        known = service.registry()
        return bool(self.sweeps) and all(
            name in known and profile in known[name].family.profiles for name in self.sweeps
        )


@dataclass
class Context:
    """What a figure's ``data`` step may use.

    Attributes:
        profile: one of :data:`FIGURE_PROFILES`: ``"quick"``, ``"paper"`` (linear and ReLU
            grids) or ``"paper_d500"`` (the ReLU grid at d = 500 only).
        store: the result store (:class:`fate_numeric.store.ResultStore`).
        device: where missing simulations run.
        seed: the sweeps' seed.
        simulate: run missing simulations (with a progress bar); when false, a missing cell raises
            :class:`MissingSimulationError` naming the command that produces it.
        theory: the evaluators (:mod:`fate_numeric.theory`); tests may swap them.
        theory_points: resolution of theory curves and maps (points per axis).
        precision: training precision of the linear sweeps read (``float32`` only where
            ``benchmarks/precision_agreement.py`` showed it gives the figures' numbers).
    """

    profile: str
    store: Any
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    seed: int = 0
    simulate: bool = True
    theory: ModuleType | Any = theory
    theory_points: int | None = None
    precision: str = "float64"
    _sweeps: dict[str, list[tuple[Any, dict[str, np.ndarray]]]] = field(default_factory=dict)
    _announced: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.profile not in FIGURE_PROFILES:
            raise InvalidArgumentError(
                f"unknown profile {self.profile!r}; the profiles are {', '.join(FIGURE_PROFILES)}"
            )
        if self.theory_points is None:
            self.theory_points = 200 if self.profile == "quick" else 300
        precision_dtype(self.precision)  # validates the name

    def linear_cells(self, name: str) -> list[Cell]:
        """The cells of a named linear sweep at the profile, seed and precision."""
        cells = service.cells_of(name, self.profile, seed=self.seed)
        if self.precision == "float64":
            return cells
        return [dataclasses.replace(cell, precision=self.precision) for cell in cells]

    def _is_linear(self, name: str) -> bool:
        return service.sweep(name).family.name == "linear"

    def cells(self, name: str) -> list:
        """The cells of a named sweep of either family at the profile and seed (a linear
        sweep's at the context's precision)."""
        if self._is_linear(name):
            return self.linear_cells(name)
        return service.cells_of(name, self.profile, seed=self.seed)

    @property
    def has_linear_grid(self) -> bool:
        return self.profile in PROFILES

    @property
    def grid(self) -> Profile:
        """The linear simulation grid of the profile (d, instances, γ and θ values)."""
        if not self.has_linear_grid:
            raise InvalidArgumentError(
                f"profile {self.profile!r} is a ReLU grid only (Figure 3); the linear figures "
                f"are drawn at {', '.join(PROFILES)}"
            )
        return PROFILES[self.profile]

    def sweep_command(self, name: str) -> str:
        """The shell command that fills the store with a named sweep."""
        command = f"python -m fate_numeric sweep {name} --profile {self.profile}"
        if self.precision != "float64" and self._is_linear(name):
            command += f" --precision {self.precision}"
        if self.seed:
            command += f" --seed {self.seed}"
        store_root = getattr(self.store, "root", None)
        if store_root is not None:
            command += f" --store {store_root}"
        return command

    def sweep_cost(self, name: str) -> Cost:
        """What simulating the missing cells of a named sweep (linear or ReLU) costs."""
        what = f"sweep {name} ({self.profile} profile)"
        cells = self.cells(name)
        missing = [c for c in cells if not self.store.has(c.config())] or cells
        if self._is_linear(name):
            return linear_cost(what, missing, len(cells))
        return relu_cost(what, missing, len(cells), gpu_grid=self.profile not in LADDER)

    def missing_simulation(self, message: str, name: str) -> MissingSimulationError:
        """The error for a named sweep missing with ``simulate`` off: its command and cost."""
        command = self.sweep_command(name)
        return MissingSimulationError(
            message, [command], {command: self.sweep_cost(name).describe()}
        )

    def simulating(self, cost: Cost) -> None:
        """Say on stderr what is about to be simulated, its cost and the device
        (:func:`paper_figures.costs.announce`), once per simulation."""
        if cost.what not in self._announced:
            self._announced.add(cost.what)
            announce(cost, describe_device(self.device), self.device.type == "cpu")

    def sweep(self, name: str) -> list[tuple[Any, dict[str, np.ndarray]]]:
        """Every cell of a named sweep of either family with its stored arrays, read once per
        context through the sweep service (:func:`fate_numeric.service.load_sweep`): missing
        cells are simulated first after saying what they cost, with a progress bar, or, with
        ``simulate`` off, named with their command and cost."""
        if name not in self._sweeps:

            def missing(absent: list, cells: list) -> None:
                if not self.simulate:
                    raise self.missing_simulation(
                        f"{len(absent)} of {len(cells)} cells of sweep {name!r} "
                        f"({self.profile} profile) are not in the store; run",
                        name,
                    )
                self.simulating(self.sweep_cost(name))

            def run(cells: list) -> None:
                with progress(f"sweep {name}", len(cells)) as bar:
                    service.run_sweep(
                        cells, self.store, self.device, lambda done, _: bar.update(done - bar.n)
                    )

            self._sweeps[name] = service.load_sweep(
                name,
                self.profile,
                self.store,
                self.device,
                seed=self.seed,
                simulate=self.simulate,
                cells=self.cells(name),
                missing=missing,
                run=run,
            )
        return self._sweeps[name]

    def held(self, cells: Iterable[Any]) -> list[tuple[Any, dict[str, np.ndarray]]]:
        """The cells of ``cells`` that the store holds, with their arrays: for figures that draw
        simulated points only where they exist and simulate nothing."""
        return [
            (c, self.store.load(c.config()).arrays) for c in cells if self.store.has(c.config())
        ]

    def held_scratch(self, sigma: float) -> dict[int, np.ndarray]:
        """The held scratch cells of the profile at noise ``sigma`` without weight decay:
        n -> per-instance risks (the baseline of a stored transferability)."""
        return {
            cell.n: arrays["generalisation"]
            for cell, arrays in self.held(service.cells_of("scratch", self.profile, seed=self.seed))
            if cell.sigma == sigma and cell.weight_decay == 0.0
        }

    def stored(
        self,
        config: Mapping[str, Any],
        compute: Callable[[], Mapping[str, np.ndarray]],
        command: str,
        cost: str | None = None,
    ) -> dict[str, np.ndarray]:
        """One result of a figure's own simulation (not a named sweep), through the store.

        Returns the stored arrays of ``config``; when absent, computes them with ``compute()`` and
        stores them (saying so first, with ``cost``, what the computation is), or (with
        ``simulate`` off) raises :class:`MissingSimulationError` quoting ``command``, the shell
        command that produces them, and ``cost``.
        """
        if not self.store.has(config):
            if not self.simulate:
                raise MissingSimulationError(
                    "a simulation result is not in the store; run",
                    [command],
                    {command: cost} if cost else None,
                )
            if cost and cost not in self._announced:
                self._announced.add(cost)
                write_line(f"computing {cost}")
            return dict(self.store.get_or_compute(config, compute).arrays)
        return dict(self.store.load(config).arrays)

    def missing_sweeps(self, names: Iterable[str]) -> list[str]:
        """The named sweeps (linear or ReLU) with at least one cell missing from the store."""
        return [
            name for name in names if any(not self.store.has(c.config()) for c in self.cells(name))
        ]


def midpoints(low: float, high: float, count: int) -> np.ndarray:
    """``count`` cell centres of [low, high] (theory grids: they avoid both ends, e.g. γ = 0, 1)."""
    if count < 1 or not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        raise InvalidArgumentError(f"need low < high and count >= 1; got {low}, {high}, {count}")
    step = (high - low) / count
    return low + step * (np.arange(count) + 0.5)
