"""Grid cells of the ReLU experiments (Sec. 4, Fig. 3), batched, stored, resumable; profiles.

A :class:`ReluCell` is one (procedure, d, n, μ) point with its instances; :func:`run_relu_cells`
simulates compatible cells together (:mod:`fate_numeric.relu`): students of different n in
padded gradient-descent programs whose padding wastes at most half the work again
(:func:`size_groups`); one population pretraining per removed fraction μ shared by every n
and procedure (as the authors' ``transfer.py`` shares one pretraining per angle); the linear
transfer (closed form) and fine-tuning of every (μ, n) from it. Scratch, linear transfer and
fine-tuning at the same n see the same target data sets (paired differences).

Random draws come from generators seeded by hashes of what they depend on: the target teacher by
(d, m*, seed); the pretraining student by that plus (μ, m, the schedule); target data by the
teacher plus (n, σ, instances); a scratch student's initialisation by its whole cell. A cell's
numbers therefore do not depend on the batching or on which other cells ran beside it.

Arrays stored per cell: ``risk`` (instances,) — the population risk E(f − f_t)², exact; for
every target-side procedure ``train_loss``, ``steps`` (for linear transfer: of the refit's
descent, 0 for the closed form) and for linear transfer ``refit_rank``, the numerical rank of the
frozen feature map on the target inputs; for the transfer procedures the pretraining's
``pretrain_loss``, ``pretrain_steps`` and the feature-space diagnostics (one value each, shape
(1,)): ``target_norm`` ‖f_t‖², ``source_norm`` ‖f_s‖², ``out_of_span_source`` ‖P⊥f_t‖² on the
span of the source teacher's neurons, ``out_of_span_student`` ‖P⊥f_t‖² on the span of the
pretrained student's neurons, ``source_out_of_span_student`` ‖P⊥f_s‖² on that span, and the
centred kernel alignments with the source teacher's kernel of the student's kernel at
initialisation and after pretraining (``alignment_init``, ``alignment_trained``).

Profiles (decisions; the paper's n grid, μ grid and seeds are not known to us, docs/paper.md §9.3):

=============  ==================================================================================
``quick``      d = 10, m = 100, m* = 10, 6 instances, n ∈ {10, 20, 40, 80, 160}, μ ∈ {0.2, 0.4,
               0.6, 0.8}; learning rate 1.0·m (100× the paper's, so that a CPU reaches the loss
               10⁻⁶ in a few thousand steps; the end points moved by < 4 % between 0.3·m and 1·m
               in our trials), at most 20 000 steps
``paper``      d = 100, m = 1000, m* = 100 (the paper's), 10 instances, n = 25·2^k (k = 0..7, up
               to 3200), μ = 0.1, ..., 0.9, learning rate 0.01·m, at most 10⁵ steps, tol 10⁻⁶
``paper_d500`` as ``paper`` at d = 500 (the scale of the linear experiments; issue 6)
``ladder_dK``  ``quick`` at d = K ∈ {20, 40, 100}, the widths and grid scaled with it: m = 10d,
               m* = d, n = d·2^k (k = 0..4); at d = 100 the paper's m and m* (``LADDER``: how
               the picture changes with d on a CPU, ``python -m verify dimensions``)
=============  ==================================================================================

Linear transfer (``ReluCell.refit``): by default the paper's gradient descent on the output layer
(re-initialised at 10⁻⁷, the cell's learning rate, steps and tolerance), evaluated exactly per
singular mode; ``refit="min_norm"`` (sweep ``relu_linear_transfer_min_norm``) is its t → ∞ end
point, the pseudo-inverse fit. Which one the paper used is not known (docs/paper.md §5.5); they
differ where the feature map is ill-conditioned, n near its rank m: there the closed form amplifies
the out-of-span part of f_t (a risk peak of negative transfer, the min-norm double descent) that the
finite descent does not fit.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import batching, relu, service
from fate_numeric.batching import seed_of, split_rows
from fate_numeric.numerics import generator

PROCEDURES = ("scratch", "linear_transfer", "fine_tuning")
#: How linear transfer refits the output layer: by the paper's gradient descent (re-initialised at
#: ``init_output``, the cell's schedule; :func:`relu.refit_output_layer_descent`) or by its t → ∞
#: end point, the minimum-norm least-squares fit (:func:`relu.refit_output_layer`).
REFITS = ("gradient_descent", "min_norm")


@dataclass(frozen=True)
class ReluCell:
    """One grid cell of the ReLU experiments (``removed`` is the fraction μ of teacher neurons
    removed from the source; it is 0 for scratch cells, which have no source)."""

    procedure: str
    d: int
    n: int
    removed: float = 0.0
    width: int = 1000
    teacher_width: int = 100
    sigma: float = 0.0
    instances: int = 10
    lr_scale: float = 0.01
    max_steps: int = 100_000
    tol: float = 1e-6
    check_every: int = 100
    init_output: float = 1e-7
    rank_rtol: float = 1e-10
    seed: int = 0
    refit: str = "gradient_descent"

    def __post_init__(self) -> None:
        if self.procedure not in PROCEDURES:
            raise InvalidArgumentError(
                f"procedure must be one of {PROCEDURES}; got {self.procedure!r}"
            )
        for name in ("d", "n", "width", "teacher_width", "instances", "max_steps", "check_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InvalidArgumentError(f"{name} must be an integer >= 1; got {value!r}")
        if self.d < 2:
            raise InvalidArgumentError(f"d must be an integer >= 2; got {self.d!r}")
        if not 0.0 <= self.removed <= 1.0:
            raise InvalidArgumentError(
                f"removed must be a fraction in [0, 1]; got {self.removed!r}"
            )
        if self.refit not in REFITS:
            raise InvalidArgumentError(f"refit must be one of {REFITS}; got {self.refit!r}")
        if self.procedure != "linear_transfer" and self.refit != REFITS[0]:
            raise InvalidArgumentError("refit applies to linear_transfer cells only")
        if self.procedure == "scratch" and self.removed != 0.0:
            raise InvalidArgumentError("scratch cells have no source: removed must be 0")
        for name in ("sigma", "tol", "init_output", "rank_rtol"):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise InvalidArgumentError(f"{name} must be a finite number >= 0; got {value!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise InvalidArgumentError(f"seed must be an integer >= 0; got {self.seed!r}")
        relu.Schedule(self.lr_scale, self.max_steps, self.tol, self.check_every)  # validates

    @property
    def schedule(self) -> relu.Schedule:
        """Gradient descent of pretraining, scratch training and fine-tuning (the same)."""
        return relu.Schedule(self.lr_scale, self.max_steps, self.tol, self.check_every)

    def config(self) -> dict:
        """The full configuration as plain JSON data (the store key; ``refit`` only where it
        applies, linear transfer)."""
        fields = dataclasses.asdict(self)
        if self.procedure != "linear_transfer":
            del fields["refit"]
        return {"kind": "relu-cell", **fields}

    def teacher_config(self) -> dict:
        return {"d": self.d, "teacher_width": self.teacher_width, "seed": self.seed}

    def pretraining_config(self) -> dict:
        """What the pretrained network depends on (not n, σ or the procedure)."""
        return {
            "teacher": self.teacher_config(),
            "removed": self.removed,
            "width": self.width,
            "init_output": self.init_output,
            "schedule": dataclasses.asdict(self.schedule),
        }

    def data_config(self) -> dict:
        """What the target data sets depend on (shared by the three procedures)."""
        return {
            "teacher": self.teacher_config(),
            "n": self.n,
            "sigma": self.sigma,
            "instances": self.instances,
        }


def _batch_key(cell: ReluCell) -> tuple:
    return (
        cell.procedure,
        cell.d,
        cell.width,
        cell.teacher_width,
        cell.schedule,
        cell.init_output,
        cell.rank_rtol,
        cell.seed,
    )


def compatible(cells: Sequence[ReluCell]) -> list[list[ReluCell]]:
    """Partition cells into lists that :func:`run_relu_cells` can batch together
    (:func:`fate_numeric.batching.compatible`)."""
    return batching.compatible(cells, key=_batch_key)


def bytes_per_instance(cell: ReluCell) -> int:
    """Peak float64 memory of one instance of a cell in gradient descent (for chunking)."""
    return 8 * (4 * cell.n * cell.width + 2 * cell.n * cell.d + 6 * cell.width * cell.d)


def chunks(cells: Sequence[ReluCell], budget_bytes: int) -> list[list[ReluCell]]:
    """Compatible cells sorted by n and split into lists that fit ``budget_bytes``
    (:func:`fate_numeric.batching.chunks`; padding to the largest n of a chunk is counted)."""
    return batching.chunks(
        sorted(cells, key=lambda c: c.n),
        budget_bytes,
        lambda batch: bytes_per_instance(batch[-1]) * sum(c.instances for c in batch),
        lambda cell: f"d={cell.d}, n={cell.n}, m={cell.width}",
        "n, m",
    )


#: Cells of different n share one padded program only while the padding wastes less than half
#: of the work again (padded rows cost as much as real ones), or while the program is too small
#: (in elements of the (batch, N, m) activations) to keep a GPU busy anyway.
PADDING_WASTE = 1.5
SMALL_PROGRAM = 2**22


def size_groups(cells: Sequence[ReluCell]) -> list[list[int]]:
    """Positions of ``cells`` grouped, in increasing n, into padded programs (see above)."""
    order = sorted(range(len(cells)), key=lambda i: cells[i].n)
    groups: list[list[int]] = []
    for i in order:
        if groups:
            members = [*groups[-1], i]
            rows = sum(cells[j].instances for j in members)
            padded = rows * cells[i].n * cells[i].width
            real = sum(cells[j].instances * cells[j].n * cells[j].width for j in members)
            if padded <= max(SMALL_PROGRAM, PADDING_WASTE * real):
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def _empirical_descent(
    cells: Sequence[ReluCell],
    starts: Sequence[relu.TwoLayer],
    data: Sequence[tuple[torch.Tensor, torch.Tensor]],
) -> relu.Trained:
    """Gradient descent of every cell's students on its data, in the programs of
    :func:`size_groups`, put back in the order of ``cells``."""
    schedule = cells[0].schedule
    pieces: list[relu.Trained | None] = [None] * len(cells)
    for group in size_groups(cells):
        trained = relu.gradient_descent(
            relu.TwoLayer.concatenate([starts[i] for i in group]),
            schedule,
            data=relu.Empirical.padded([data[i] for i in group]),
        )
        offset = 0
        for i in group:
            rows = slice(offset, offset + cells[i].instances)
            network = relu.TwoLayer(
                trained.network.weights[rows], trained.network.out[rows], trained.network.scale
            )
            pieces[i] = relu.Trained(network, trained.loss[rows], trained.steps[rows])
            offset += cells[i].instances
    return relu.Trained(
        relu.TwoLayer.concatenate([piece.network for piece in pieces]),
        torch.cat([piece.loss for piece in pieces]),
        torch.cat([piece.steps for piece in pieces]),
    )


def target_teacher(cell: ReluCell, device: torch.device) -> relu.TwoLayer:
    """The target teacher of a cell (drawn from its teacher configuration)."""
    return relu.make_teacher(
        cell.d, cell.teacher_width, generator(seed_of(cell.teacher_config()), device)
    )


def pretraining_start(cell: ReluCell, device: torch.device) -> relu.TwoLayer:
    """The student a cell's pretraining starts from (one network)."""
    gen = generator(seed_of(cell.pretraining_config()), device)
    return relu.initial_student(1, cell.d, cell.width, cell.init_output, gen)


def _tile(net: relu.TwoLayer, copies: int) -> relu.TwoLayer:
    return relu.TwoLayer(
        net.weights.expand(copies, -1, -1).clone(), net.out.expand(copies, -1).clone(), net.scale
    )


def _target_data(cell: ReluCell, teacher: relu.TwoLayer, device: torch.device):
    gen = generator(seed_of(cell.data_config()), device)
    return relu.teacher_data(_tile(teacher, cell.instances), cell.n, cell.sigma, gen)


@dataclass
class _Pretrained:
    network: relu.TwoLayer  # batch 1
    arrays: dict[str, np.ndarray]


def pretraining_entry(cell: ReluCell) -> dict:
    """The store key of the pretraining a transfer cell uses (its network and diagnostics)."""
    return {"kind": "relu-pretraining", **cell.pretraining_config()}


def _diagnostics(cell, start, net, target, source) -> dict[str, np.ndarray]:
    kept = target.weights[0, source.out[0] != 0]
    basis = net.weights[0]
    values = {
        "target_norm": float(relu.inner_product(target, target)[0]),
        "source_norm": float(relu.inner_product(source, source)[0]),
        "out_of_span_source": relu.out_of_span_norm(kept, target, cell.rank_rtol),
        "out_of_span_student": relu.out_of_span_norm(basis, target, cell.rank_rtol),
        "source_out_of_span_student": relu.out_of_span_norm(basis, source, cell.rank_rtol),
        "alignment_init": relu.kernel_alignment(start.weights[0], kept),
        "alignment_trained": relu.kernel_alignment(basis, kept),
    }
    return {name: np.array([value]) for name, value in values.items()}


def pretrain(cells: Sequence[ReluCell], device: torch.device, store=None) -> dict[str, _Pretrained]:
    """One population pretraining per distinct pretraining configuration (missing ones in one
    batch), with the feature-space diagnostics of each (module docstring). With a ``store`` the
    pretrained networks are stored and reused (by chunks, sweeps and procedures)."""
    keys = [json.dumps(cell.pretraining_config(), sort_keys=True) for cell in cells]
    firsts = {key: cells[keys.index(key)] for key in dict.fromkeys(keys)}
    results: dict[str, _Pretrained] = {}
    if store is not None:
        for key, cell in firsts.items():
            if store.has(pretraining_entry(cell)):
                arrays = dict(store.load(pretraining_entry(cell)).arrays)
                weights = torch.as_tensor(arrays.pop("weights"), device=device)
                out = torch.as_tensor(arrays.pop("out"), device=device)
                net = relu.TwoLayer(weights, out, 1.0 / cell.width)
                results[key] = _Pretrained(net, arrays)
    missing = [key for key in firsts if key not in results]
    if not missing:
        return results
    teachers, sources, starts = [], [], []
    for key in missing:
        cell = firsts[key]
        target = target_teacher(cell, device)
        teachers.append(target)
        sources.append(relu.source_teacher(target, cell.removed))
        starts.append(pretraining_start(cell, device))
    trained = relu.gradient_descent(
        relu.TwoLayer.concatenate(starts),
        firsts[missing[0]].schedule,
        teacher=relu.TwoLayer.concatenate(sources),
    )
    for position, key in enumerate(missing):
        cell = firsts[key]
        net = trained.network.select(torch.tensor([position], device=device))
        arrays = _diagnostics(cell, starts[position], net, teachers[position], sources[position])
        arrays["pretrain_loss"] = trained.loss[position : position + 1].cpu().numpy()
        arrays["pretrain_steps"] = trained.steps[position : position + 1].cpu().numpy()
        if store is not None:
            stored = {**arrays, "weights": net.weights.cpu().numpy(), "out": net.out.cpu().numpy()}
            store.save(pretraining_entry(cell), stored, {"device": str(device)})
        results[key] = _Pretrained(net, arrays)
    return results


def _refit(
    cell: ReluCell, net: relu.TwoLayer, x: torch.Tensor, y: torch.Tensor
) -> tuple[relu.TwoLayer, dict[str, torch.Tensor]]:
    """Linear transfer of one cell's instances by its ``refit``, with per-instance arrays: the
    training loss, the steps of the descent (0 for the closed form) and the numerical rank of
    the feature map Φ at ``rank_rtol`` (n beyond it: the refit can no longer interpolate)."""
    features = torch.relu(x @ net.weights.transpose(-1, -2))
    values = torch.linalg.svdvals(features)
    rank = (values > cell.rank_rtol * values[..., :1]).sum(-1)
    if cell.refit == "gradient_descent":
        trained = relu.refit_output_layer_descent(net, x, y, cell.schedule, cell.init_output)
        fitted, loss, steps = trained.network, trained.loss, trained.steps
    else:
        fitted = relu.refit_output_layer(net, x, y, cell.rank_rtol)
        loss = ((fitted(x) - y) ** 2).mean(-1)
        steps = torch.zeros_like(rank)
    return fitted, {"train_loss": loss, "steps": steps, "refit_rank": rank}


def run_relu_cells(
    cells: Sequence[ReluCell], device: torch.device, store=None
) -> list[dict[str, np.ndarray]]:
    """Simulate compatible cells in one batched program; one dict of arrays per cell.

    ``store`` (optional) keeps the pretrained networks, so that chunks, sweeps and procedures
    sharing a pretraining compute it once."""
    if not cells:
        return []
    if len(compatible(cells)) != 1:
        raise InvalidArgumentError("run_relu_cells needs compatible cells; use compatible()")
    first = cells[0]
    teacher = target_teacher(first, device)
    outputs: list[dict[str, np.ndarray]] = [{} for _ in cells]
    counts = [cell.instances for cell in cells]
    data = [_target_data(cell, teacher, device) for cell in cells]
    targets = _tile(teacher, sum(cell.instances for cell in cells))

    if first.procedure == "scratch":
        starts = [
            relu.initial_student(
                cell.instances,
                cell.d,
                cell.width,
                cell.init_output,
                generator(seed_of(cell.config()), device),
            )
            for cell in cells
        ]
        trained = _empirical_descent(cells, starts, data)
        risk = relu.population_risk(trained.network, targets)
        split_rows(outputs, counts, risk=risk, train_loss=trained.loss, steps=trained.steps)
        return outputs

    pretrained = pretrain(cells, device, store)
    keys = [json.dumps(cell.pretraining_config(), sort_keys=True) for cell in cells]
    for output, key in zip(outputs, keys, strict=True):
        output.update(pretrained[key].arrays)
    if first.procedure == "linear_transfer":
        refits = [
            _refit(cell, _tile(pretrained[key].network, cell.instances), x, y)
            for cell, key, (x, y) in zip(cells, keys, data, strict=True)
        ]
        risk = relu.population_risk(relu.TwoLayer.concatenate([net for net, _ in refits]), targets)
        arrays = {name: torch.cat([a[name] for _, a in refits]) for name in refits[0][1]}
        split_rows(outputs, counts, risk=risk, **arrays)
        return outputs
    networks = [pretrained[key].network for key in keys]
    starts = [_tile(net, cell.instances) for cell, net in zip(cells, networks, strict=True)]
    tuned = _empirical_descent(cells, starts, data)
    risk = relu.population_risk(tuned.network, targets)
    split_rows(outputs, counts, risk=risk, train_loss=tuned.loss, steps=tuned.steps)
    return outputs


# ---- profiles and sweeps -------------------------------------------------------------------------
@dataclass(frozen=True)
class ReluProfile:
    """The grid and hyper-parameters of a profile (module docstring)."""

    name: str
    d: int
    width: int
    teacher_width: int
    instances: int
    sample_sizes: tuple[int, ...]
    removed: tuple[float, ...]
    lr_scale: float
    max_steps: int

    def common(self, seed: int) -> dict:
        return {
            "d": self.d,
            "width": self.width,
            "teacher_width": self.teacher_width,
            "instances": self.instances,
            "lr_scale": self.lr_scale,
            "max_steps": self.max_steps,
            "seed": seed,
        }


_PAPER_N = tuple(25 * 2**k for k in range(8))
_PAPER_MU = tuple(round(0.1 * k, 1) for k in range(1, 10))


def _cpu_profile(name: str, d: int) -> ReluProfile:
    """The CPU hyper-parameters (``quick``) at dimension d, widths and grid scaled with d."""
    return ReluProfile(
        name, d, 10 * d, d, 6, tuple(d * 2**k for k in range(5)), (0.2, 0.4, 0.6, 0.8), 1.0, 20_000
    )


RELU_PROFILES: dict[str, ReluProfile] = {
    "quick": _cpu_profile("quick", 10),
    "paper": ReluProfile("paper", 100, 1000, 100, 10, _PAPER_N, _PAPER_MU, 0.01, 100_000),
    "paper_d500": ReluProfile("paper_d500", 500, 1000, 100, 10, _PAPER_N, _PAPER_MU, 0.01, 100_000),
    **{f"ladder_d{d}": _cpu_profile(f"ladder_d{d}", d) for d in (20, 40, 100)},
}
LADDER = ("quick", "ladder_d20", "ladder_d40", "ladder_d100")  # the CPU profiles by dimension


def _scratch(profile: ReluProfile, seed: int) -> Iterator[ReluCell]:
    for n in profile.sample_sizes:
        yield ReluCell("scratch", n=n, **profile.common(seed))


def _transfer(procedure: str, **options) -> Callable[[ReluProfile, int], Iterator[ReluCell]]:
    def cells(profile: ReluProfile, seed: int) -> Iterator[ReluCell]:
        for removed in profile.removed:
            for n in profile.sample_sizes:
                yield ReluCell(procedure, n=n, removed=removed, **profile.common(seed), **options)

    return cells


RELU_SWEEPS: dict[str, Callable[[ReluProfile, int], Iterator[ReluCell]]] = {
    "relu_scratch": _scratch,
    "relu_linear_transfer": _transfer("linear_transfer"),
    "relu_linear_transfer_min_norm": _transfer("linear_transfer", refit="min_norm"),
    "relu_fine_tuning": _transfer("fine_tuning"),
}


def relu_profile(name: str) -> ReluProfile:
    if name not in RELU_PROFILES:
        raise InvalidArgumentError(
            f"unknown ReLU profile {name!r}; the profiles are {', '.join(RELU_PROFILES)}"
        )
    return RELU_PROFILES[name]


#: The ReLU networks as the sweep service runs them (:mod:`fate_numeric.service`): the stored
#: pretrained networks are shared by the batches of a sweep.
FAMILY = service.register_family(
    service.Family(
        "relu",
        ReluCell,
        RELU_PROFILES,
        RELU_SWEEPS,
        run=run_relu_cells,
        partition=compatible,
        split=chunks,
        with_precision=service.only_float64("ReLU"),
    )
)
