"""Simulations that are not a sweep cell: the one-off network simulations of single claims,
stored like every other cell (docs/design.md §5.4, §5.7).

A :class:`Probe` is one such simulation. Its fields are its full configuration; ``config()`` is
that configuration as plain JSON with its ``kind`` (the store key, so a probe is computed once
and read afterwards, and any changed parameter is a new entry), and ``simulate(device)`` returns
its arrays. This module registers the probes with the sweep service as a family without named
sweeps (:func:`fate_numeric.service.register_family`): :func:`~fate_numeric.service.run_sweep`
and :func:`~fate_numeric.service.load_cells` (and so ``verify``'s ``ctx.run``) simulate a probe
the store lacks, save it with the device, the time and the provenance of any cell
(:func:`~fate_numeric.service.save_batch`) and read it back, under the one missing-cell policy;
``python -m fate_numeric store-check`` checks its entries like any other.

Why not a procedure of :class:`~fate_numeric.experiments.Cell`: a cell is a grid point of the
authors' experiments (pretraining from a small random initialisation by gradient descent, then
scratch training, fine-tuning or linear transfer, batched with other cells, storing risks); a
probe starts from an exact closed-form network, pairs gradient descent with a closed-form
solution, or measures the descent itself (the drift of the conserved imbalances, the time course
of pretraining), which no cell's procedure, batch key or stored arrays describe. The probes:
:class:`BalancedFineTuning` (claim ``fine-tuning-scale``), :class:`ConservationDrift`
(``gf-conservation``), :class:`PopulationTimeCourse` (``pretrain-time-course``) and
:class:`ScratchMinimumNorm` (``scratch-min-norm``).

Device. As for a cell (:mod:`fate_numeric.experiments`), the key does not name the device: the
draws come from a generator on the device the probe runs on, seeded with the probe's ``seed`` (as
the claims drew them before they were probes). The CPU and CUDA generators give different
streams, so a probe computed on CUDA holds other draws (of the same distribution) than one
computed on the CPU; the device that computed the stored entry is recorded in its metadata
(``device``), and the same device gives the same numbers bit for bit.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from derivations.errors import InvalidArgumentError
from fate_numeric import service
from fate_numeric.linear import (
    Empirical,
    Network,
    Population,
    Schedule,
    gradient_descent,
    initial_network,
)
from fate_numeric.numerics import generator
from fate_numeric.tasks import Statistics, gaussian_data, make_teachers

__all__ = [
    "BalancedFineTuning",
    "ConservationDrift",
    "PopulationTimeCourse",
    "Probe",
    "ScratchMinimumNorm",
]


class Probe:
    """A one-off simulation stored under its full configuration (module docstring). Subclasses
    are frozen dataclasses with ``d`` among their fields (``verify`` reads a tier's dimension from
    it), a class attribute ``kind`` and their own :meth:`schedules` and :meth:`simulate`."""

    d: int
    #: The ``kind`` of its configurations (one per probe class).
    kind = ""

    def config(self) -> dict:
        """The full configuration as plain JSON data, with its ``kind`` (the store key): every
        field, tuples as lists, and the full :class:`~fate_numeric.linear.Schedule` of each
        gradient descent (so that a changed default of a schedule is a new entry)."""
        data = {
            name: [list(v) if isinstance(v, tuple) else v for v in value]
            if isinstance(value, tuple)
            else value
            for name, value in dataclasses.asdict(self).items()
        }
        data["schedules"] = [dataclasses.asdict(schedule) for schedule in self.schedules()]
        return {"kind": self.kind, **data}

    def schedules(self) -> list[Schedule]:
        """The schedules of its gradient descents, in order."""
        raise NotImplementedError

    def simulate(self, device: torch.device) -> dict[str, np.ndarray]:
        """The probe's arrays, simulated on ``device``."""
        raise NotImplementedError


def _integers(probe: Probe, *names: str, least: int = 1) -> None:
    for name in names:
        value = getattr(probe, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise InvalidArgumentError(f"{name} must be an integer >= {least}; got {value!r}")


def _reals(probe: Probe, *names: str, positive: bool = False, most: float = math.inf) -> None:
    """Each named field a finite real number >= 0 (``positive``: > 0), at most ``most``."""
    for name in names:
        value = getattr(probe, name)
        real = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
        if not (
            real
            and math.isfinite(value)
            and (value > 0 if positive else value >= 0)
            and value <= most
        ):
            bound = f" and <= {most:.6g}" if math.isfinite(most) else ""
            raise InvalidArgumentError(
                f"{name} must be a finite real number {'> 0' if positive else '>= 0'}{bound}; "
                f"got {value!r}"
            )


def _check_data_and_descent(probe: Probe) -> None:
    """The fields of a probe that trains on ``instances`` data sets (d, n, θ, σ, seed) by one
    gradient descent (lr, steps)."""
    _integers(probe, "d", least=2)
    _integers(probe, "n", "instances", "steps")
    _integers(probe, "seed", least=0)
    _reals(probe, "theta", most=math.pi / 2)
    _reals(probe, "sigma")
    _reals(probe, "lr", positive=True)


@dataclass(frozen=True)
class BalancedFineTuning(Probe):
    """Fine-tuning from the exact balanced rank-one pretrained network, paired with the
    minimum-norm scratch fit of the same data (claim ``fine-tuning-scale``, Thm 3.9 / eq. 15;
    docs/paper.md §3.8 on the balancedness scale c, §9.2.1 on its omission from eq. 15).

    The pretrained network is the α → 0 limit of population pretraining (Lemma 3.3, Thm 3.4):
    W_1 = β_s vᵀ, W_2 = v with a unit direction v, balanced (W_1ᵀW_1 = W_2W_2ᵀ) and with end-to-end
    map β_s. Each of the ``instances`` target data sets (X, y = Xβ_t + σε, n samples in
    dimension d, β_t at angle ``theta`` from β_s) fine-tunes it by full-batch gradient descent
    (learning rate ``lr``, ``steps`` steps, no weight decay, no early stopping); the scratch
    solution of the same data is X⁺y, where gradient descent from a small initialisation ends
    (Thm 3.5). The draws, in this order from one generator seeded with ``seed`` on the device:
    the teachers (:func:`~fate_numeric.tasks.make_teachers`), v, then the data sets.

    Arrays, per instance: ``scratch`` = ‖X⁺y − β_t‖², ``fine_tuning`` = ‖β̂_ft − β_t‖² and
    ``train_loss``, the fine-tuned network's final training loss. Their paired difference
    ``scratch − fine_tuning`` is the transferability of eq. 15, in which the label noise cancels.
    """

    d: int
    n: int
    theta: float
    sigma: float
    instances: int
    seed: int
    lr: float
    steps: int

    kind = "probe-balanced-fine-tuning"

    def __post_init__(self) -> None:
        _check_data_and_descent(self)

    def schedules(self) -> list[Schedule]:
        """Fine-tuning's gradient descent: ``lr``, ``steps``, no weight decay or early stop."""
        return [Schedule(self.lr, self.steps)]

    def simulate(self, device: torch.device) -> dict[str, np.ndarray]:
        d, n, instances = self.d, self.n, self.instances
        gen = generator(self.seed, device)
        teachers = make_teachers(d, self.theta, gen)
        v = torch.randn(d, generator=gen, dtype=torch.float64, device=device)
        v /= v.norm()
        x, y = gaussian_data(instances, n, teachers.target, self.sigma, gen)
        pretrained = Network((torch.outer(teachers.source, v).unsqueeze(0),), v.unsqueeze(0))
        tuned = gradient_descent(
            pretrained.tile(instances),
            Empirical(Statistics.from_data(x, y)),
            self.schedules()[0],
            target=teachers.target,
            track_drift=False,
        )
        scratch_fit = torch.einsum("bdn,bn->bd", torch.linalg.pinv(x), y)
        scratch = ((scratch_fit - teachers.target) ** 2).sum(-1)
        return {
            "scratch": scratch.cpu().numpy(),
            "fine_tuning": tuned.generalisation.cpu().numpy(),
            "train_loss": tuned.train_loss.cpu().numpy(),
        }


@dataclass(frozen=True)
class ConservationDrift(Probe):
    """How far gradient descent drifts from the conserved layer imbalances D_l of gradient flow
    (claim ``gf-conservation``, eq. 36): one data set per instance and one initial network,
    trained by full-batch gradient descent under each ``(lr, steps)`` of ``descents``.

    The draws, in this order from one generator seeded with ``seed`` on the device: the teachers
    (β_t at angle ``theta``), the ``instances`` data sets (n samples, noise σ), then one initial
    network of depth ``depth`` at scale ``alpha``, shared by the instances. Arrays: ``drift``,
    ‖D_l(end) − D_l(0)‖_F of every descent, instance and hidden layer (descents, instances,
    depth − 1), and ``mean_drift``, its mean per descent (as torch sums it).
    """

    d: int
    n: int
    theta: float
    sigma: float
    depth: int
    alpha: float
    instances: int
    seed: int
    descents: tuple[tuple[float, int], ...]

    kind = "probe-conservation-drift"

    def __post_init__(self) -> None:
        object.__setattr__(self, "descents", tuple(tuple(pair) for pair in self.descents))
        _integers(self, "d", "depth", least=2)
        _integers(self, "n", "instances")
        _integers(self, "seed", least=0)
        _reals(self, "theta", most=math.pi / 2)
        _reals(self, "sigma")
        _reals(self, "alpha", positive=True)
        if not self.descents or any(len(pair) != 2 for pair in self.descents):
            raise InvalidArgumentError(
                f"descents must be one or more (lr, steps) pairs; got {self.descents!r}"
            )
        self.schedules()  # validates each lr and step count

    def schedules(self) -> list[Schedule]:
        return [Schedule(lr, steps) for lr, steps in self.descents]

    def simulate(self, device: torch.device) -> dict[str, np.ndarray]:
        gen = generator(self.seed, device)
        teachers = make_teachers(self.d, self.theta, gen)
        x, y = gaussian_data(self.instances, self.n, teachers.target, self.sigma, gen)
        start = initial_network(self.depth, self.d, self.alpha, gen).tile(self.instances)
        objective = Empirical(Statistics.from_data(x, y))
        drifts = [gradient_descent(start, objective, s).drift for s in self.schedules()]
        return {
            "drift": torch.stack(drifts).cpu().numpy(),
            "mean_drift": torch.stack([drift.mean() for drift in drifts]).cpu().numpy(),
        }


@dataclass(frozen=True)
class PopulationTimeCourse(Probe):
    """Population pretraining from a small balanced rank-one network, read at several times
    (claim ``pretrain-time-course``, Lemma 3.3: the coefficient a(t) = β̂(t)ᵀβ_s follows the
    logistic solution from a(0) = ``a0``).

    The draws, in this order from one generator seeded with ``seed`` on the device: the teachers
    (β_s, and β_t at angle ``theta``, unused), then a unit direction v. The start is
    W_1 = √a0 β_s vᵀ, W_2 = √a0 v (end-to-end map a0 β_s); gradient descent on the population loss
    ‖β̂ − β_s‖² with learning rate ``lr`` runs round(t / lr) steps for each t of ``times``.
    Array: ``coefficient``, β̂ᵀβ_s at each time.
    """

    d: int
    theta: float
    a0: float
    lr: float
    times: tuple[float, ...]
    seed: int

    kind = "probe-population-time-course"

    def __post_init__(self) -> None:
        object.__setattr__(self, "times", tuple(self.times))
        _integers(self, "d", least=2)
        _integers(self, "seed", least=0)
        _reals(self, "theta", most=math.pi / 2)
        _reals(self, "a0", "lr", positive=True)
        if not self.times:
            raise InvalidArgumentError("times must name at least one time")
        for time in self.times:
            if not isinstance(time, numbers.Real) or isinstance(time, bool) or not time > 0:
                raise InvalidArgumentError(f"times must be real numbers > 0; got {time!r}")
        self.schedules()

    def schedules(self) -> list[Schedule]:
        return [Schedule(self.lr, round(time / self.lr)) for time in self.times]

    def simulate(self, device: torch.device) -> dict[str, np.ndarray]:
        gen = generator(self.seed, device)
        teachers = make_teachers(self.d, self.theta, gen)
        direction = torch.randn(self.d, generator=gen, dtype=torch.float64, device=device)
        direction /= direction.norm()
        w0 = math.sqrt(self.a0)
        start = Network(
            (w0 * torch.outer(teachers.source, direction).unsqueeze(0),),
            w0 * direction.unsqueeze(0),
        )
        coefficients = [
            gradient_descent(
                start, Population(teachers.source), schedule, track_drift=False
            ).network.end_to_end()[0]
            @ teachers.source
            for schedule in self.schedules()
        ]
        return {"coefficient": torch.stack(coefficients).cpu().numpy()}


@dataclass(frozen=True)
class ScratchMinimumNorm(Probe):
    """Scratch training from a small initialisation beside the minimum-norm solution X⁺y of the
    same data (claim ``scratch-min-norm``, Thm 3.5: gradient descent ends within O(α) of X⁺y).

    The draws, in this order from one generator seeded with ``seed`` on the device: the teachers
    (β_t at angle ``theta``), the ``instances`` data sets (n samples, noise σ), then one initial
    depth-2 network at scale ``alpha``, shared by the instances, trained by full-batch gradient
    descent (``lr``, ``steps``). Array: ``distance``, ‖β̂ − X⁺y‖ per instance.
    """

    d: int
    n: int
    theta: float
    sigma: float
    alpha: float
    instances: int
    seed: int
    lr: float
    steps: int

    kind = "probe-scratch-minimum-norm"

    def __post_init__(self) -> None:
        _check_data_and_descent(self)
        _reals(self, "alpha", positive=True)

    def schedules(self) -> list[Schedule]:
        return [Schedule(self.lr, self.steps)]

    def simulate(self, device: torch.device) -> dict[str, np.ndarray]:
        gen = generator(self.seed, device)
        teachers = make_teachers(self.d, self.theta, gen)
        x, y = gaussian_data(self.instances, self.n, teachers.target, self.sigma, gen)
        run = gradient_descent(
            initial_network(2, self.d, self.alpha, gen).tile(self.instances),
            Empirical(Statistics.from_data(x, y)),
            self.schedules()[0],
            track_drift=False,
        )
        minimum_norm = torch.einsum("bdn,bn->bd", torch.linalg.pinv(x), y)
        distance = (run.network.end_to_end() - minimum_norm).norm(dim=-1)
        return {"distance": distance.cpu().numpy()}


def _run(batch: Sequence[Probe], device: torch.device, store) -> list[dict[str, np.ndarray]]:
    """The service's runner: each probe simulates itself (a probe batches with no other)."""
    return [probe.simulate(device) for probe in batch]


service.register_family(
    service.Family(
        name="probe",
        cell_type=Probe,
        profiles={},
        sweeps={},
        run=_run,
        partition=lambda probes: [[probe] for probe in probes],
        split=lambda group, budget_bytes: [list(group)],
    )
)
