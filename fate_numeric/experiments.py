"""One grid cell of the paper's linear experiments, and many cells batched into one program.

A :class:`Cell` is one (procedure, d, L, n, θ, σ, ...) point of a sweep with its instances, with the
authors' hyper-parameters as defaults (docs/paper.md §6): scratch training lr 0.1 for at most 10 000
steps with early stopping at tol 10⁻⁶ above the least-squares floor; population pretraining lr 0.01
for at most 5 000 steps (tol 10⁻⁶); empirical (finite-source) pretraining and fine-tuning lr 0.01
for 5 000 steps (8 000 with a finite source), fine-tuning without early stopping; initial scale
α = 10⁻⁵, ``rand`` initialisation shared by all instances of a cell.

:func:`run_cells` simulates a list of cells of one procedure *together*: the sufficient statistics
are (d × d) whatever n is, so cells with different n, θ, weight decay run in one batched gradient
descent, each cell being an early-stopping group. As in the authors' ``transfer.py``, one
pretraining per angle (and source configuration) serves every n and both transfer procedures, and
fine-tuning and linear transfer at the same (θ, n) see the same target data sets. The random draws
come from generators seeded by hashes of the configurations they depend on (teachers, initial
network and source data: the pretraining configuration; target data: that plus n, σ and the
instances; scratch cells: the whole cell), so a cell's numbers do not depend on which other cells
ran beside it, on the batching, or on the device's chunking. Nor does their rounding on the CPU,
bit for bit (tested): torch rounds a batched matrix-vector product of a batch of one differently
from a larger batch, so such products go through :func:`fate_numeric.linear.matvec` and a
Gram-form descent of one instance runs as two copies (:func:`_gram_descent_of_one`). The memory
budget that splits cells into batches is a fixed fraction of the device's total memory
(:func:`fate_numeric.numerics.memory_budget`), so the same cells also batch the same way. (On a
GPU the libraries may choose kernels by batch size; there the promise holds to rounding.)
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import batching
from fate_numeric.batching import seed_of, split_rows
from fate_numeric.gram import FeatureSpectrum, GramState, gram_descent, linear_transfer_gram
from fate_numeric.linear import (
    INITS,
    STOPPING_RULES,
    Empirical,
    KOutputTraining,
    Network,
    Population,
    Schedule,
    Training,
    gradient_descent,
    initial_network,
    initial_readout_k,
    linear_transfer,
    population_descent_k_outputs,
)
from fate_numeric.numerics import generator, precision_dtype
from fate_numeric.sample_span import SampleSpan, gradient_descent_in_span
from fate_numeric.tasks import Statistics, gaussian_data, make_teachers

PROCEDURES = ("scratch", "fine_tuning", "linear_transfer")

#: Gradient descent on n ≤ SPAN_MAX_RATIO·d samples runs in the span of the samples
#: (:mod:`fate_numeric.sample_span`): a step then moves ≈ 4nd instead of 5d² words. Above this
#: ratio the saving is eaten by the extra work (measured on a CPU at d = 200: 1.19× faster at
#: n = 0.8d, 0.96× at n = 0.9d).
SPAN_MAX_RATIO = 0.8


#: How gradient descent is simulated: ``weights`` is the W-form of :mod:`fate_numeric.linear` (any
#: depth; in the sample span where it pays), ``gram`` the Gram form of :mod:`fate_numeric.gram`
#: (depth 2, no time course; 17× faster on the d = 500 fine-tuning cell of
#: ``benchmarks/bench_gram.py`` on a 2-core CPU), ``auto`` the Gram form wherever it applies. Both
#: give the same numbers to rounding (tests: 1e-10 relative after 100 steps).
ENGINES = ("auto", "gram", "weights")


def uses_gram(cell: Cell, engine: str = "auto") -> bool:
    """Whether ``cell`` is simulated in the Gram form under ``engine``."""
    if engine not in ENGINES:
        raise InvalidArgumentError(f"engine must be one of {ENGINES}; got {engine!r}")
    applies = cell.depth == 2 and cell.record_every is None
    if engine == "gram" and not applies:
        raise InvalidArgumentError(
            "the Gram form simulates depth L = 2 without a recorded time course; this cell has "
            f"L = {cell.depth}, record_every = {cell.record_every}"
        )
    return applies and engine != "weights"


def trains_in_span(samples: int, d: int, record_every: int | None) -> bool:
    """Whether gradient descent on ``samples`` samples in dimension ``d`` runs in their span
    (not when a time course is recorded: the span path cannot record the generalisation error)."""
    return samples <= SPAN_MAX_RATIO * d and record_every is None


@dataclass(frozen=True)
class Cell:
    """One grid cell (field names are the CLI's flags; angles in radians)."""

    procedure: str
    d: int
    n: int
    theta: float = 0.0
    sigma: float = 0.0
    depth: int = 2
    instances: int = 20
    weight_decay: float = 0.0
    ridges: tuple[float, ...] = (0.0,)
    authors_jitter: bool = False
    rank_rtol: float = 1e-3
    alpha: float = 1e-5
    init: str = "rand"
    lr: float | None = None
    epochs: int | None = None
    tol: float = 1e-6
    check_every: int = 100
    n_source: int | None = None
    sigma_source: float = 0.0
    pretrain_lr: float = 0.01
    pretrain_epochs: int | None = None
    seed: int = 0
    record_every: int | None = None
    precision: str = "float64"
    stopping: str = "per_instance"
    #: Extension (docs/paper.md §11): pretraining on this many orthonormal source teachers (a
    #: network with k outputs); 1 is the paper's model and is left out of every key.
    source_rank: int = 1
    #: Extension (docs/paper.md §12): SGD weight decay of the source pretraining (the target-side
    #: training keeps ``weight_decay``); 0 is the paper's pretraining and is left out of every key.
    pretrain_weight_decay: float = 0.0

    def __post_init__(self) -> None:
        if self.procedure not in PROCEDURES:
            raise InvalidArgumentError(
                f"procedure must be one of {PROCEDURES}; got {self.procedure!r}"
            )
        for name in ("d", "n", "depth", "instances", "check_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InvalidArgumentError(f"{name} must be an integer >= 1; got {value!r}")
        if self.depth < 2:
            raise InvalidArgumentError(f"depth must be an integer >= 2; got {self.depth!r}")
        if self.d < 2:
            raise InvalidArgumentError(f"d must be an integer >= 2; got {self.d!r}")
        if not _real(self.theta) or not 0 <= self.theta <= math.pi / 2:
            raise InvalidArgumentError(f"theta must be in [0, π/2] (radians); got {self.theta!r}")
        for name in (
            "sigma",
            "weight_decay",
            "sigma_source",
            "tol",
            "rank_rtol",
            "pretrain_weight_decay",
        ):
            value = getattr(self, name)
            if not _real(value) or not (value >= 0 and math.isfinite(value)):
                raise InvalidArgumentError(
                    f"{name} must be a finite real number >= 0; got {value!r}"
                )
        # zero is refused, never read as "the default": None (the flag left out) is the default
        for name in ("alpha", "pretrain_lr", "lr"):
            value = getattr(self, name)
            if value is None and name == "lr":
                continue
            if not _real(value) or not (value > 0 and math.isfinite(value)):
                default = " (leave it out for the authors' default)" if name == "lr" else ""
                raise InvalidArgumentError(
                    f"{name} must be a finite real number > 0{default}; got {value!r}"
                )
        for name in ("epochs", "pretrain_epochs"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 1
            ):
                raise InvalidArgumentError(
                    f"{name} must be an integer >= 1 (leave it out for the authors' default); "
                    f"got {value!r}"
                )
        object.__setattr__(self, "ridges", tuple(self.ridges))
        if not self.ridges or any(
            not _real(lam) or not (lam >= 0 and math.isfinite(lam)) for lam in self.ridges
        ):
            raise InvalidArgumentError(f"ridges must be finite and >= 0; got {self.ridges!r}")
        if self.init not in INITS:
            raise InvalidArgumentError(f"init must be one of {INITS}; got {self.init!r}")
        if self.n_source is not None and (
            not isinstance(self.n_source, int)
            or isinstance(self.n_source, bool)
            or self.n_source < 1
        ):
            raise InvalidArgumentError(f"n_source must be an integer >= 1; got {self.n_source!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise InvalidArgumentError(f"seed must be an integer >= 0; got {self.seed!r}")
        precision_dtype(self.precision)  # validates the name
        if self.stopping not in STOPPING_RULES:
            raise InvalidArgumentError(
                f"stopping must be one of {STOPPING_RULES}; got {self.stopping!r}"
            )
        if self.record_every is not None and (
            not isinstance(self.record_every, int) or self.record_every < 1
        ):
            raise InvalidArgumentError(
                f"record_every must be an integer >= 1 or None; got {self.record_every!r}"
            )
        self._check_source_rank()
        if self.procedure == "scratch" and self.pretrain_weight_decay != 0:
            raise InvalidArgumentError(
                "pretrain_weight_decay applies to transfer cells; scratch training has no "
                f"pretraining (got {self.pretrain_weight_decay!r}; its own decay is weight_decay)"
            )

    def _check_source_rank(self) -> None:
        """A rank-k source (extension) is simulated for linear transfer and fine-tuning of a depth-2
        network from a population source, in float64, without a time course, with k < d."""
        k = self.source_rank
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise InvalidArgumentError(f"source_rank must be an integer >= 1; got {k!r}")
        if k == 1:
            return
        unsupported = [
            what
            for what, bad in (
                (f"procedure {self.procedure!r}", self.procedure == "scratch"),
                (f"depth {self.depth}", self.depth != 2),
                ("a finite source", self.n_source is not None),
                (f"precision {self.precision}", self.precision != "float64"),
                ("a recorded time course", self.record_every is not None),
                ("weight decay in pretraining", self.pretrain_weight_decay != 0),
            )
            if bad
        ]
        if unsupported:
            raise InvalidArgumentError(
                f"source_rank {k} > 1 is simulated for linear transfer and fine-tuning of a "
                f"depth-2 network from a population source in float64 only; not with "
                f"{', '.join(unsupported)}"
            )
        if k >= self.d:
            raise InvalidArgumentError(
                f"source_rank must be below d (the target needs a direction outside the "
                f"features); got source_rank = {k}, d = {self.d}"
            )

    @classmethod
    def from_config(cls, config: dict) -> Cell:
        """The cell whose :meth:`config` is ``config`` (a store or archive key); refuses a
        configuration that does not round-trip."""
        if config.get("kind") != "linear-cell":
            raise InvalidArgumentError(f"not a linear cell's configuration: {config!r}")
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in config.items() if k in fields}
        values["ridges"] = tuple(values.get("ridges", (0.0,)))
        cell = cls(**values)
        if json.dumps(cell.config(), sort_keys=True) != json.dumps(config, sort_keys=True):
            raise InvalidArgumentError(
                "the configuration does not round-trip to a cell of this package version"
            )
        return cell

    # --- the authors' defaults ---
    @property
    def schedule(self) -> Schedule:
        """Gradient-descent settings of the target-side training of this cell."""
        if self.procedure == "scratch":
            return Schedule(
                0.1 if self.lr is None else self.lr,
                10_000 if self.epochs is None else self.epochs,
                self.weight_decay,
                self.tol,
                self.check_every,
                self.record_every,
                self.stopping,
            )
        finite = self.n_source is not None
        return Schedule(
            0.01 if self.lr is None else self.lr,
            (8000 if finite else 5000) if self.epochs is None else self.epochs,
            self.weight_decay,
            record_every=self.record_every,
        )

    @property
    def pretrain_schedule(self) -> Schedule:
        """Settings of source pretraining (population or finite source)."""
        steps = self.pretrain_epochs
        if steps is None:
            steps = 8000 if self.n_source is not None else 5000
        return Schedule(
            self.pretrain_lr,
            steps,
            self.pretrain_weight_decay,
            self.tol,
            self.check_every,
            self.record_every,
            self.stopping,
        )

    def config(self) -> dict:
        """The full configuration as plain JSON data (the store key).

        Recording a time course (``record_every``), training in float32 (``precision``) and the
        authors' early-stopping rule (``stopping``) change what is stored, not what is drawn:
        they appear in the key only when they differ from the defaults, and never in the seeds
        of the draws.
        """
        data = self._simulation_config()
        if self.record_every is not None:
            data["record_every"] = self.record_every
        if self.precision != "float64":
            data["precision"] = self.precision
        if self.stopping != "per_instance":
            data["stopping"] = self.stopping
        return data

    def _simulation_config(self) -> dict:
        """The configuration without recording and precision (seeds the draws of scratch cells)."""
        data = dataclasses.asdict(self)
        data.pop("record_every")
        data.pop("precision")
        data.pop("stopping")
        # the paper's model (extensions off): keys as before the extensions
        if self.source_rank == 1:
            data.pop("source_rank")
        if self.pretrain_weight_decay == 0:
            data.pop("pretrain_weight_decay")
        data["ridges"] = list(self.ridges)
        data["schedule"] = _unrecorded(self.schedule)
        if self.procedure != "scratch":
            data["pretrain_schedule"] = _unrecorded(self.pretrain_schedule)
        return {"kind": "linear-cell", **data}

    def pretraining_config(self) -> dict:
        """What determines the teachers, the initial network and the pretraining (not n).

        As in the authors' ``transfer.py``, one pretraining per angle serves every n and both
        transfer procedures; with a finite source every instance has its own source data set.
        """
        config = {
            "d": self.d,
            "depth": self.depth,
            "theta": self.theta,
            "alpha": self.alpha,
            "init": self.init,
            "n_source": self.n_source,
            "sigma_source": self.sigma_source,
            "instances": self.instances if self.n_source is not None else None,
            "pretrain_schedule": _unrecorded(self.pretrain_schedule),
            "seed": self.seed,
        }
        if self.source_rank != 1:
            config["source_rank"] = self.source_rank
        return config

    def data_config(self) -> dict:
        """What determines the target data: the pretraining's teachers, n, σ and the instances.

        Fine-tuning and linear transfer at the same (θ, n) see the same data sets (paired).
        """
        return {
            "pretraining": self.pretraining_config(),
            "n": self.n,
            "sigma": self.sigma,
            "instances": self.instances,
        }


def _real(value: object) -> bool:
    """Whether ``value`` is a real number (not a bool, a string or None)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _unrecorded(schedule: Schedule) -> dict:
    """A schedule as it enters keys and seeds: without recording and stopping rule (both in
    :meth:`Cell.config` only where they differ from the defaults)."""
    data = dataclasses.asdict(dataclasses.replace(schedule, record_every=None))
    data.pop("stopping")
    return data


def _batch_key(cell: Cell) -> tuple:
    """Cells with equal keys can run in one batched program."""
    return (
        cell.procedure,
        cell.d,
        cell.depth,
        cell.schedule,
        cell.pretrain_schedule,
        cell.n_source is None,
        cell.instances if cell.n_source is not None else None,  # per-instance pretraining
        cell.authors_jitter,
        cell.rank_rtol,
        cell.precision,
        cell.source_rank,
    )


def compatible(cells: Sequence[Cell]) -> list[list[Cell]]:
    """Partition ``cells`` into lists that :func:`run_cells` can batch together, in the order of
    their first appearance (:func:`fate_numeric.batching.compatible`)."""
    return batching.compatible(cells, key=_batch_key)


@dataclass(frozen=True)
class _Data:
    """A cell's data sets: where the cell trains in the span of its samples that span (with the
    statistics in it), else the full statistics; computed in float64 from the draws and cast to
    the training precision by :meth:`cast`."""

    stats: Statistics | None
    span: SampleSpan | None

    @classmethod
    def of(cls, x: torch.Tensor, y: torch.Tensor, in_span: bool) -> _Data:
        if in_span:
            return cls(None, SampleSpan.from_data(x, y))
        return cls(Statistics.from_data(x, y), None)

    def cast(self, dtype: torch.dtype) -> _Data:
        if self.span is not None:
            return _Data(None, self.span.cast(dtype))
        return _Data(self.stats.cast(dtype), None)


@dataclass
class _Pretraining:
    """What a pretraining key draws: teachers, initial network, source data (finite source)."""

    source: torch.Tensor
    target: torch.Tensor
    start: Network
    source_data: _Data | None


def _draw_pretraining(cell: Cell, device: torch.device, gram: bool) -> _Pretraining:
    gen = generator(seed_of(cell.pretraining_config()), device)
    teachers = make_teachers(cell.d, cell.theta, gen)
    start = initial_network(cell.depth, cell.d, cell.alpha, gen, cell.init)
    source_data = None
    if cell.n_source is not None:
        xs, ys = gaussian_data(
            cell.instances, cell.n_source, teachers.source, cell.sigma_source, gen
        )
        in_span = not gram and trains_in_span(cell.n_source, cell.d, cell.record_every)
        source_data = _Data.of(xs, ys, in_span)
    return _Pretraining(teachers.source, teachers.target, start, source_data)


def _draw_target(cell: Cell, target: torch.Tensor, device: torch.device, gram: bool) -> _Data:
    gen = generator(seed_of(cell.data_config()), device)
    x, y = gaussian_data(cell.instances, cell.n, target, cell.sigma, gen)
    in_span = (not gram and cell.procedure != "linear_transfer") and trains_in_span(
        cell.n, cell.d, cell.record_every
    )
    return _Data.of(x, y, in_span)


def _draw_scratch(
    cell: Cell, device: torch.device, gram: bool
) -> tuple[torch.Tensor, Network, _Data]:
    """Scratch cells: teachers, a fresh initial network and data per cell (``train.py``)."""
    gen = generator(seed_of(cell._simulation_config()), device)
    teachers = make_teachers(cell.d, cell.theta, gen)
    start = initial_network(cell.depth, cell.d, cell.alpha, gen, cell.init)
    x, y = gaussian_data(cell.instances, cell.n, teachers.target, cell.sigma, gen)
    in_span = not gram and trains_in_span(cell.n, cell.d, cell.record_every)
    return teachers.target, start, _Data.of(x, y, in_span)


def _objective(stats: Sequence[Statistics]) -> Empirical:
    """The empirical loss of several cells' data sets, with each cell's early-stopping floor."""
    floors = torch.cat([s.least_squares_residual() for s in stats])
    return Empirical(Statistics.concatenate(list(stats)), floors)


def _descend(
    start: Network | GramState,
    data: Sequence[_Data],
    counts: Sequence[int],
    schedule: Schedule,
    targets: torch.Tensor | None = None,
    groups: torch.Tensor | None = None,
    weight_decays: torch.Tensor | None = None,
    track_drift: bool = True,
) -> Training:
    """Gradient descent of the batch on its data sets (``counts[i]`` instances for ``data[i]``):
    the data sets with a span in it, one program per sample size, the others on their full
    statistics in one program; the results are put back in the batch's order. A
    :class:`~fate_numeric.gram.GramState` start runs in the Gram form on the full statistics."""
    if isinstance(start, GramState):
        objective = _objective([part.stats for part in data])
        if start.batch == 1:  # gram.py's batched products round a batch of one differently
            return _gram_descent_of_one(start, objective, schedule, targets, groups, weight_decays)
        return gram_descent(start, objective, schedule, targets, groups, weight_decays)
    offsets = [0, *itertools.accumulate(counts)]
    parts: dict[int | None, list[int]] = {}
    for position, part in enumerate(data):
        parts.setdefault(None if part.span is None else part.span.rank, []).append(position)
    whole = len(parts) == 1
    trainings = []
    for rank, members in parts.items():
        rows = torch.cat([torch.arange(offsets[i], offsets[i + 1]) for i in members])
        rows = rows.to(start.readout.device)
        network = start if whole else start.select(rows)
        chosen = {
            name: tensor if whole or tensor is None else tensor[rows]
            for name, tensor in (
                ("target", targets),
                ("groups", groups),
                ("weight_decays", weight_decays),
            )
        }
        chosen["track_drift"] = track_drift
        if rank is None:
            objective = _objective([data[i].stats for i in members])
            trained = gradient_descent(network, objective, schedule, **chosen)
        else:
            span = SampleSpan.concatenate([data[i].span for i in members])
            trained = gradient_descent_in_span(network, span, schedule, **chosen)
        if whole:
            return trained
        trainings.append((rows, trained))
    return _gather(trainings, start.batch)


def _gram_descent_of_one(
    start: GramState,
    objective: Empirical,
    schedule: Schedule,
    targets: torch.Tensor | None,
    groups: torch.Tensor | None,
    weight_decays: torch.Tensor | None,
) -> Training:
    """:func:`~fate_numeric.gram.gram_descent` of a batch of one instance, run as two identical
    copies (one early-stopping group) and cut back to one, so that it is rounded as it would be
    in any larger batch (:func:`fate_numeric.linear.matvec` says why)."""
    twice = torch.zeros(2, dtype=torch.long, device=start.beta.device)
    stats = objective.stats
    doubled = Empirical(
        Statistics(stats.gram[twice], stats.cross[twice], stats.energy[twice], stats.n),
        None if objective.floors is None else objective.floors[twice],
    )
    trained = gram_descent(
        start.select(twice),
        doubled,
        schedule,
        None if targets is None else targets[twice],
        None if groups is None else groups[twice],
        None if weight_decays is None else weight_decays[twice],
    )
    first = slice(0, 1)
    return Training(
        trained.network.select(first),
        trained.steps[first],
        trained.train_loss[first],
        None if trained.generalisation is None else trained.generalisation[first],
        drift=None if trained.drift is None else trained.drift[first],
    )


def _gather(parts: Sequence[tuple[torch.Tensor, Training]], batch: int) -> Training:
    """One :class:`Training` of the whole batch from trainings of disjoint rows of it."""
    if any(training.history for _, training in parts):
        raise InvalidArgumentError("time courses are recorded by one program; not gathered")

    def combine(pick: Callable[[Training], torch.Tensor | None]) -> torch.Tensor | None:
        pieces = [(rows, pick(training)) for rows, training in parts]
        if any(piece is None for _, piece in pieces):
            return None
        sample = pieces[0][1]
        out = sample.new_empty((batch, *sample.shape[1:]))
        for rows, piece in pieces:
            out[rows] = piece
        return out

    depth = parts[0][1].network.depth
    network = Network(
        tuple(combine(lambda t, k=k: t.network.hidden[k]) for k in range(depth - 1)),
        combine(lambda t: t.network.readout),
    )
    return Training(
        network,
        combine(lambda t: t.steps),
        combine(lambda t: t.train_loss),
        combine(lambda t: t.generalisation),
        drift=combine(lambda t: t.drift),
    )


def run_cells(
    cells: Sequence[Cell], device: torch.device, engine: str = "auto"
) -> list[dict[str, np.ndarray]]:
    """Simulate compatible cells in one batched program; one dict of per-instance arrays per cell.

    Arrays: ``generalisation`` (instances,) — or (len(ridges), instances) for linear transfer —,
    ``train_loss`` and ``steps`` of the target-side training (where there is one), and for
    procedures with pretraining ``pretrain_loss``, ``pretrain_steps`` and the top singular values
    ``feature_singular_values`` (instances, 3) of the pretrained feature map; ``drift`` of the
    conserved imbalances D_l (instances, L−1) where there was gradient descent in the W-form, or
    ``trace_drift`` |tr D(end) − tr D(0)| (instances, 1) in the Gram form (``engine``, see
    :data:`ENGINES`; the generalisation errors, losses and steps do not depend on it). Each
    procedure is one function of :data:`SIMULATIONS`.
    """
    if not cells:
        return []
    if len(compatible(cells)) != 1:
        raise InvalidArgumentError("run_cells needs compatible cells; split them with compatible()")
    return SIMULATIONS[simulation_of(cells[0])](_Batch.of(cells, device, engine))


@dataclass(frozen=True)
class _Batch:
    """What every procedure's simulation of a batch of compatible cells starts from: the cells,
    the device, whether it trains in the Gram form, the instances per cell and the cell of each
    instance, the training precision, each instance's weight decay, and one output per cell."""

    cells: Sequence[Cell]
    device: torch.device
    gram: bool
    counts: list[int]
    group_of_instance: torch.Tensor
    dtype: torch.dtype
    decays: torch.Tensor
    outputs: list[dict[str, np.ndarray]]

    @classmethod
    def of(cls, cells: Sequence[Cell], device: torch.device, engine: str) -> _Batch:
        first = cells[0]
        counts = [cell.instances for cell in cells]
        group_of_instance = torch.repeat_interleave(
            torch.arange(len(cells)), torch.tensor(counts)
        ).to(device)
        dtype = precision_dtype(first.precision)
        # the weight decays in the training precision (they were float32 until issue 17: 0.1
        # rounded to 0.10000000149, which moved the risks by up to 9e-8 relative; the archived
        # scratch sweep was simulated again since)
        decays = torch.cat(
            [
                torch.full((c,), cell.weight_decay, dtype=dtype, device=device)
                for cell, c in zip(cells, counts, strict=True)
            ]
        )
        outputs: list[dict[str, np.ndarray]] = [{} for _ in cells]
        gram = uses_gram(first, engine)
        return cls(cells, device, gram, counts, group_of_instance, dtype, decays, outputs)


def _simulate_scratch(batch: _Batch) -> list[dict[str, np.ndarray]]:
    """Scratch training of every instance from its own initial network on its own data."""
    cells, counts, dtype, gram = batch.cells, batch.counts, batch.dtype, batch.gram
    drawn = [_draw_scratch(cell, batch.device, gram) for cell in cells]
    start = Network.concatenate([net.tile(c) for (_, net, _), c in zip(drawn, counts, strict=True)])
    start = start.cast(dtype)
    if gram:
        start = GramState.from_network(start)
    targets = torch.cat([t.expand(c, -1) for (t, _, _), c in zip(drawn, counts, strict=True)])
    targets = targets.to(dtype)
    data = [part.cast(dtype) for _, _, part in drawn]
    trained = _descend(
        start,
        data,
        counts,
        cells[0].schedule,
        targets,
        batch.group_of_instance,
        weight_decays=batch.decays,
    )
    split_rows(
        batch.outputs,
        counts,
        generalisation=trained.generalisation,
        train_loss=trained.train_loss,
        steps=trained.steps,
        **_drift(trained),
        **_time_course(batch.outputs, trained, "history"),
    )
    return batch.outputs


@dataclass(frozen=True)
class _Transfer:
    """The pretrained side of a transfer batch: each cell's pretraining key, the drawn
    pretrainings by key, every instance's pretrained network (and, in the Gram form, the spectrum
    of its features), its target teacher and its target data in the training precision."""

    keys: list[str]
    pretraining: dict[str, _Pretraining]
    networks: Any
    spectrum: FeatureSpectrum | None
    targets: torch.Tensor
    target_data: list[_Data]


def _pretrained(batch: _Batch) -> _Transfer:
    """One pretraining per distinct pretraining configuration (per angle), shared by its cells;
    the pretraining's arrays written into the outputs; the target data drawn."""
    cells, counts, device, dtype, gram = (
        batch.cells, batch.counts, batch.device, batch.dtype, batch.gram
    )  # fmt: skip
    first = cells[0]
    keys = [json.dumps(cell.pretraining_config(), sort_keys=True) for cell in cells]
    unique = list(dict.fromkeys(keys))
    first_cell = {key: cells[keys.index(key)] for key in unique}
    pretraining = {key: _draw_pretraining(first_cell[key], device, gram) for key in unique}
    trained = _pretrain(first, [pretraining[key] for key in unique], device, dtype, gram)
    block = {key: position for position, key in enumerate(unique)}
    per_key = 1 if first.n_source is None else first.instances
    index = torch.cat(
        [
            torch.arange(block[key] * per_key, (block[key] + 1) * per_key).repeat(c // per_key)
            for key, c in zip(keys, counts, strict=True)
        ]
    ).to(device)
    networks = trained.network.select(index)
    spectrum = None
    if gram:  # one eigendecomposition of K per pretrained network (``gram_refit``)
        spectrum = trained.network.spectrum().select(index)
        singular = spectrum.singular_values(3)
    else:
        singular = torch.linalg.svdvals(networks.feature_map())[:, :3]
    split_rows(
        batch.outputs,
        counts,
        pretrain_loss=trained.train_loss[index],
        pretrain_steps=trained.steps[index],
        feature_singular_values=singular,
        **{
            name: values[index]
            for name, values in _time_course(batch.outputs, trained, "pretrain_history").items()
        },
    )
    targets = torch.cat(
        [pretraining[key].target.expand(c, -1) for key, c in zip(keys, counts, strict=True)]
    ).to(dtype)
    target_data = [
        _draw_target(cell, pretraining[key].target, device, gram).cast(dtype)
        for cell, key in zip(cells, keys, strict=True)
    ]
    return _Transfer(keys, pretraining, networks, spectrum, targets, target_data)


def _simulate_fine_tuning(batch: _Batch) -> list[dict[str, np.ndarray]]:
    """Fine-tuning: gradient descent on the target data from the pretrained networks."""
    transfer = _pretrained(batch)
    _fine_tune(batch, transfer.networks, transfer.target_data, transfer.targets)
    return batch.outputs


def _fine_tune(
    batch: _Batch, start: Network | GramState, data: Sequence[_Data], targets: torch.Tensor
) -> Training:
    """Gradient descent of the batch's pretrained networks on their target data (the cells'
    schedule and weight decays, each cell an early-stopping group); the fine-tuning's arrays
    written into the batch's outputs."""
    tuned = _descend(
        start,
        data,
        batch.counts,
        batch.cells[0].schedule,
        targets,
        batch.group_of_instance,
        weight_decays=batch.decays,
    )
    split_rows(
        batch.outputs,
        batch.counts,
        generalisation=tuned.generalisation,
        train_loss=tuned.train_loss,
        steps=tuned.steps,
        **_drift(tuned),
        **_time_course(batch.outputs, tuned, "history"),
    )
    return tuned


def _simulate_linear_transfer(batch: _Batch) -> list[dict[str, np.ndarray]]:
    """Linear transfer: the last layer refitted in closed form on the pretrained features, at
    every ridge of the cell."""
    transfer = _pretrained(batch)
    gram, dtype = batch.gram, batch.dtype
    refit = linear_transfer_gram if gram else linear_transfer
    features = transfer.spectrum if gram else transfer.networks.feature_map()
    offset = 0
    for output, cell, data, key in zip(
        batch.outputs, batch.cells, transfer.target_data, transfer.keys, strict=True
    ):
        rows = slice(offset, offset + cell.instances)
        errors = refit(
            features.select(rows) if gram else features[rows],
            data.stats,
            cell.ridges,
            transfer.pretraining[key].target.to(dtype),
            cell.rank_rtol,
            cell.authors_jitter,
        )
        output["generalisation"] = errors.to(torch.float64).cpu().numpy()
        offset += cell.instances
    return batch.outputs


def _pretrain(
    first: Cell,
    drawn: Sequence[_Pretraining],
    device: torch.device,
    dtype: torch.dtype,
    gram: bool,
) -> Training:
    """Pretrain every distinct key at once: one network each on the population loss, or one per
    instance on its own source data (finite source), with early stopping per key; in the Gram
    form where ``gram``."""
    schedule = first.pretrain_schedule
    if first.n_source is None:
        starts = Network.concatenate([draw.start for draw in drawn]).cast(dtype)
        objective = Population(torch.stack([draw.source for draw in drawn]).to(dtype))
        groups = torch.arange(len(drawn), device=device)
        if gram:
            return gram_descent(GramState.from_network(starts), objective, schedule, groups=groups)
        return gradient_descent(starts, objective, schedule, groups=groups, track_drift=False)
    starts = Network.concatenate([draw.start.tile(first.instances) for draw in drawn]).cast(dtype)
    if gram:
        starts = GramState.from_network(starts)
    data = [draw.source_data.cast(dtype) for draw in drawn]
    groups = torch.arange(len(drawn), device=device).repeat_interleave(first.instances)
    counts = [first.instances] * len(drawn)
    return _descend(starts, data, counts, schedule, groups=groups, track_drift=False)


def _drift(trained: Training) -> dict[str, torch.Tensor | None]:
    """The imbalance drift under the name of its kind (the Gram form keeps only the trace)."""
    if isinstance(trained.network, GramState):
        return {"trace_drift": trained.drift}
    return {"drift": trained.drift}


def _time_course(
    outputs: list[dict[str, np.ndarray]], trained: Training, prefix: str
) -> dict[str, torch.Tensor]:
    """The recorded time course of a training, per instance (``record_every``; else nothing).

    Writes ``{prefix}_step`` (the recorded steps, common to all instances) into every output and
    returns ``{prefix}_train_loss`` and ``{prefix}_generalisation`` as (instances, records), for
    :func:`fate_numeric.batching.split_rows`. NaN marks records after an instance's group stopped
    early.
    """
    history = trained.history
    if not history:
        return {}
    steps = history["step"].cpu().numpy()
    for output in outputs:
        output[f"{prefix}_step"] = steps
    return {
        f"{prefix}_{name}": history[name].T
        for name in ("train_loss", "generalisation")
        if name in history
    }


def bytes_per_instance(cell: Cell) -> int:
    """Peak memory of one instance in :func:`run_cells`, for chunking.

    The data are drawn in float64; S, the layers and their copies live in the cell's precision.
    A batch whose cells train in different programs (:func:`_descend`) holds two more copies of
    the layers (the part's and the gathered result); a sample span adds Q, P (n × d) and S̃.
    """
    d = cell.d
    itemsize = precision_dtype(cell.precision).itemsize
    matrices = 4 + cell.depth + (1 if cell.n_source is not None else 0)  # S, layers, copies
    data = cell.n * d + (cell.n_source or 0) * d  # transient X while drawing
    drawn_gram = 0 if itemsize == 8 else d * d  # the float64 S before it is rounded
    span = sum(2 * n * d + n * n for n in (cell.n, cell.n_source or 0) if n <= SPAN_MAX_RATIO * d)
    return itemsize * (matrices * d * d + span) + 8 * (drawn_gram + data + span + 16 * d)


def chunks(cells: Sequence[Cell], budget_bytes: int) -> list[list[Cell]]:
    """Split compatible cells into consecutive lists that fit ``budget_bytes`` each
    (:func:`fate_numeric.batching.chunks`; a batch needs the sum of its cells' memory)."""
    return batching.chunks(
        cells,
        budget_bytes,
        lambda batch: sum(bytes_per_instance(cell) * cell.instances for cell in batch),
        lambda cell: f"d={cell.d}, n={cell.n}",
        "d, n",
    )


# ---- Extensions (not the paper's claims): rank-k feature spaces (docs/paper.md §11) ----------
def rank_k_teachers(
    d: int, k: int, theta: float, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """k orthonormal source teachers (the columns of a (d, k) tensor, uniform on the Stiefel
    manifold) and a unit target β_t = cos θ β_s1 + sin θ ν with ν ⊥ every source: the target's
    part outside the features span{β_s1, …, β_sk} is ρ = sin²θ (k = 1: the paper's teachers, drawn
    as :func:`fate_numeric.tasks.make_teachers` draws them only in law)."""
    if not isinstance(k, int) or not 1 <= k < d:
        raise InvalidArgumentError(f"k must be an integer in [1, d); got k = {k!r}, d = {d}")
    gaussian = torch.randn(d, k + 1, generator=gen, dtype=torch.float64, device=gen.device)
    q, r = torch.linalg.qr(gaussian)
    q = q * torch.sign(torch.diagonal(r))  # the Haar-distributed orthonormal frame
    target = math.cos(theta) * q[:, 0] + math.sin(theta) * q[:, k]
    return q[:, :k].contiguous(), target


def rank_k_out_of_span(cell: Cell) -> float:
    """ρ = ‖(I − P_k)β_t‖² of a rank-k cell: sin²θ for the teachers of :func:`rank_k_teachers`
    (β_t = cos θ β_s1 + sin θ ν, ν ⊥ every source)."""
    return math.sin(cell.theta) ** 2


def paired_transferability(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """R_sc − R_ft per data set of a rank-k fine-tuning cell: the minimum-norm fit (scratch
    training's end point) and the fine-tuned network on the same target data
    (:func:`_simulate_rank_k_fine_tuning` stores both)."""
    return arrays["minimum_norm_generalisation"] - arrays["generalisation"]


@dataclass(frozen=True)
class _RankKPretraining:
    """The pretrained side of a rank-k batch: each cell's pretraining key, every distinct key's
    teachers (sources (d, k) and target), the k-output networks after pretraining (one per key,
    in the order of ``unique``) and their distance to the balanced end point."""

    keys: list[str]
    unique: list[str]
    teachers: dict[str, tuple[torch.Tensor, torch.Tensor]]
    trained: KOutputTraining
    projection_error: torch.Tensor

    def rows(self, cell_index: int, instances: int) -> torch.Tensor:
        """The pretrained network of cell ``cell_index``, once per instance."""
        block = self.unique.index(self.keys[cell_index])
        device = self.trained.hidden.device
        return torch.full((instances,), block, dtype=torch.long, device=device)

    def outputs(self, rows: torch.Tensor, singular: torch.Tensor) -> dict[str, np.ndarray]:
        """The pretraining's per-instance arrays of a cell."""
        return {
            "pretrain_loss": self.trained.train_loss[rows].cpu().numpy(),
            "pretrain_steps": self.trained.steps[rows].cpu().numpy(),
            "feature_singular_values": singular.cpu().numpy(),
            "projection_error": self.projection_error[rows].cpu().numpy(),
        }


def _pretrain_rank_k(cells: Sequence[Cell], device: torch.device) -> _RankKPretraining:
    """One population pretraining per distinct pretraining configuration (per angle and k), in
    one batched gradient descent of the k-output networks (the authors' schedule and initial
    scale; :func:`fate_numeric.linear.population_descent_k_outputs`). The balanced end point it
    approaches is W_1W_1ᵀ = P_k (``rank_k_pretrained_features``); ``projection_error`` is
    ‖W_1W_1ᵀ − B_sB_sᵀ‖_F per network."""
    keys = [json.dumps(cell.pretraining_config(), sort_keys=True) for cell in cells]
    unique = list(dict.fromkeys(keys))
    owner = {key: cells[keys.index(key)] for key in unique}
    teachers, hidden, readout = {}, [], []
    for key in unique:
        cell = owner[key]
        gen = generator(seed_of(cell.pretraining_config()), device)
        teachers[key] = rank_k_teachers(cell.d, cell.source_rank, cell.theta, gen)
        hidden.append(initial_network(2, cell.d, cell.alpha, gen, cell.init).hidden[0])
        readout.append(initial_readout_k(cell.d, cell.source_rank, cell.alpha, gen, cell.init))
    trained = population_descent_k_outputs(
        torch.cat(hidden),
        torch.cat(readout),
        torch.stack([teachers[key][0] for key in unique]),
        cells[0].pretrain_schedule,
    )
    projectors = torch.stack([teachers[key][0] @ teachers[key][0].T for key in unique])
    projection_error = torch.linalg.matrix_norm(trained.gram() - projectors)
    return _RankKPretraining(keys, unique, teachers, trained, projection_error)


def _simulate_rank_k(batch: _Batch) -> list[dict[str, np.ndarray]]:
    """Linear transfer after population pretraining on k orthonormal source teachers (extension,
    docs/paper.md §11; :func:`_pretrain_rank_k`), stored per instance with ``projection_error``
    and the top k + 1 ``feature_singular_values``. The refit is the Gram-form refit
    (:func:`fate_numeric.gram.linear_transfer_gram`, one eigendecomposition of K per pretrained
    network) on target data drawn as for k = 1 (seeded by :meth:`Cell.data_config`).
    """
    cells, device = batch.cells, batch.device
    pretrained = _pretrain_rank_k(cells, device)
    values, vectors = torch.linalg.eigh(pretrained.trained.gram())
    spectrum = FeatureSpectrum(values.flip(-1).clamp_min(0.0), vectors.flip(-1))
    outputs: list[dict[str, np.ndarray]] = []
    for index, (cell, key) in enumerate(zip(cells, pretrained.keys, strict=True)):
        rows = pretrained.rows(index, cell.instances)
        _, target = pretrained.teachers[key]
        data = _draw_target(cell, target, device, gram=True)
        errors = linear_transfer_gram(
            spectrum.select(rows), data.stats, cell.ridges, target, cell.rank_rtol,
            cell.authors_jitter,
        )  # fmt: skip
        singular = spectrum.values[rows, : cell.source_rank + 1].sqrt()
        outputs.append(
            {"generalisation": errors.cpu().numpy(), **pretrained.outputs(rows, singular)}
        )
    return outputs


def _simulate_rank_k_fine_tuning(batch: _Batch) -> list[dict[str, np.ndarray]]:
    """Fine-tuning after population pretraining on k orthonormal source teachers (extension,
    docs/paper.md §11): every layer trained on the target data through the output of the first
    source teacher, the head w = W_2e_1 (``ft_rank_k_flow``: the target's part inside the
    features lies along β_s1, :func:`rank_k_teachers`), with the cell's schedule, in the Gram or
    the W-form as for k = 1. Besides the fine-tuning's arrays it stores, from each data set,
    ``final_head`` (instances, k), the head c_∞ with (I − P)β̂_ft = (I − P)Uc_∞ (NaN for n >= d),
    and ``minimum_norm_generalisation``, the generalisation error ‖X⁺y − β_t‖² of the
    minimum-norm fit to the same data (the end point of scratch training, Thms 3.5–3.6), so
    that R_sc − R_ft is also read per data set (:class:`_SpanOfSamples`)."""
    cells, counts, device, dtype = batch.cells, batch.counts, batch.device, batch.dtype
    pretrained = _pretrain_rank_k(cells, device)
    singular = torch.linalg.svdvals(pretrained.trained.hidden)
    rows = [pretrained.rows(i, cell.instances) for i, cell in enumerate(cells)]
    index = torch.cat(rows)
    start = Network((pretrained.trained.hidden[index],), pretrained.trained.readout[index, :, 0])
    start = start.cast(dtype)
    if batch.gram:
        start = GramState.from_network(start)
    teachers = [pretrained.teachers[key] for key in pretrained.keys]
    targets = torch.cat([t.expand(c, -1) for (_, t), c in zip(teachers, counts, strict=True)])
    data = [
        _draw_target(cell, target, device, batch.gram).cast(dtype)
        for cell, (_, target) in zip(cells, teachers, strict=True)
    ]
    tuned = _fine_tune(batch, start, data, targets.to(dtype))
    beta = tuned.network.end_to_end().to(torch.float64)
    offset = 0
    for output, cell, part, (sources, target), cell_rows in zip(
        batch.outputs, cells, data, teachers, rows, strict=True
    ):
        block = slice(offset, offset + cell.instances)
        output.update(pretrained.outputs(cell_rows, singular[cell_rows, : cell.source_rank + 1]))
        span = _SpanOfSamples.of(part)
        output["final_head"] = span.head(beta[block], sources).cpu().numpy()
        scratch_error = ((span.fit - target) ** 2).sum(-1)
        output["minimum_norm_generalisation"] = scratch_error.cpu().numpy()
        offset += cell.instances
    return batch.outputs


@dataclass(frozen=True)
class _SpanOfSamples:
    """Each data set's minimum-norm least-squares fit β̂_sc = X⁺y and an orthonormal basis of the
    span of its samples (the range of P), in float64; ``basis`` is None where the samples span
    ℝ^d (n >= d: no null space, and β̂_sc = S⁻¹b)."""

    fit: torch.Tensor
    basis: torch.Tensor | None

    @classmethod
    def of(cls, data: _Data) -> _SpanOfSamples:
        """From the data's statistics: S = XᵀX/n by its eigendecomposition (its top min(n, d)
        eigenvectors span the samples, almost surely), or a sample span Q by S̃ = QᵀSQ."""
        if data.span is not None:
            basis = data.span.basis.to(torch.float64)
            stats = data.span.stats.cast(torch.float64)
            inside = torch.linalg.solve(stats.gram, stats.cross.unsqueeze(-1))
            return cls((basis @ inside).squeeze(-1), basis)
        stats = data.stats.cast(torch.float64)
        d = stats.gram.shape[-1]
        if stats.n >= d:
            fit = torch.linalg.solve(stats.gram, stats.cross.unsqueeze(-1)).squeeze(-1)
            return cls(fit, None)
        _, vectors = torch.linalg.eigh(stats.gram)
        basis = vectors[..., d - stats.n :]
        inside = basis.transpose(-1, -2) @ stats.gram @ basis
        coefficients = torch.linalg.solve(
            inside, basis.transpose(-1, -2) @ stats.cross.unsqueeze(-1)
        )
        return cls((basis @ coefficients).squeeze(-1), basis)

    def null_part(self, vectors: torch.Tensor) -> torch.Tensor:
        """(I − P) applied to the columns of ``vectors`` (batch, d, m) or (d, m)."""
        return vectors - self.basis @ (self.basis.transpose(-1, -2) @ vectors)

    def head(self, beta: torch.Tensor, sources: torch.Tensor) -> torch.Tensor:
        """The head c with (I − P)β̂ = (I − P)Uc, U = ``sources`` (d, k), by the normal equations
        of the least squares (UᵀNU ≈ (1 − γ)I is well conditioned), per data set (batch, k).

        After fine-tuning from the rank-k start the null-space part of β̂ is exactly
        (I − P)Uc_∞ (``ft_rank_k_flow``), so this reads the head that gradient descent reached;
        NaN where there is no null space."""
        batch, k = beta.shape[0], sources.shape[1]
        if self.basis is None:
            return torch.full((batch, k), math.nan, dtype=torch.float64, device=beta.device)
        null_sources = self.null_part(sources)
        null_beta = self.null_part(beta.unsqueeze(-1))
        normal = null_sources.transpose(-1, -2) @ null_sources
        return torch.linalg.solve(normal, null_sources.transpose(-1, -2) @ null_beta).squeeze(-1)


#: How each kind of cell is simulated (:func:`simulation_of`): one function per procedure, and
#: the rank-k extension's linear transfer and fine-tuning.
SIMULATIONS: dict[str, Callable[[_Batch], list[dict[str, np.ndarray]]]] = {
    "scratch": _simulate_scratch,
    "fine_tuning": _simulate_fine_tuning,
    "linear_transfer": _simulate_linear_transfer,
    "rank_k": _simulate_rank_k,
    "rank_k_fine_tuning": _simulate_rank_k_fine_tuning,
}


def simulation_of(cell: Cell) -> str:
    """The entry of :data:`SIMULATIONS` that simulates ``cell``: its procedure, or ``rank_k`` /
    ``rank_k_fine_tuning`` for a transfer cell pretrained on k > 1 source teachers."""
    if cell.source_rank > 1:
        return "rank_k" if cell.procedure == "linear_transfer" else "rank_k_fine_tuning"
    return cell.procedure
