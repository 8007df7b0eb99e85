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
scratch training, fine-tuning or linear transfer, batched with other cells); a probe starts from
an exact closed-form network or pairs gradient descent with a closed-form solution, which no
cell's procedure, batch key or stored arrays describe.

Device. As for a cell (:mod:`fate_numeric.experiments`), the key does not name the device: the
draws come from a generator on the device the probe runs on, seeded from the configuration. The
CPU and CUDA generators give different streams, so a probe computed on CUDA holds other draws
(of the same distribution) than one computed on the CPU; whichever computed the stored entry is
recorded in its metadata (``device``), and the same device gives the same numbers bit for bit.
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
from fate_numeric.linear import Empirical, Network, Schedule, gradient_descent
from fate_numeric.numerics import generator
from fate_numeric.tasks import Statistics, gaussian_data, make_teachers

__all__ = ["BalancedFineTuning", "Probe"]


class Probe:
    """A one-off simulation stored under its full configuration (module docstring). Subclasses
    are frozen dataclasses with ``d`` and ``instances`` among their fields (``verify`` reads a
    tier's scale from them) and implement :meth:`config` and :meth:`simulate`."""

    d: int
    instances: int

    def config(self) -> dict:
        """The full configuration as plain JSON data, with its ``kind`` (the store key)."""
        raise NotImplementedError

    def simulate(self, device: torch.device) -> dict[str, np.ndarray]:
        """The probe's arrays, simulated on ``device``."""
        raise NotImplementedError


def _positive_int(name: str, value: object, least: int = 1) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise InvalidArgumentError(f"{name} must be an integer >= {least}; got {value!r}")


def _real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


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

    def __post_init__(self) -> None:
        _positive_int("d", self.d, 2)
        _positive_int("n", self.n)
        _positive_int("instances", self.instances)
        _positive_int("seed", self.seed, 0)
        if not _real(self.theta) or not 0 <= self.theta <= math.pi / 2:
            raise InvalidArgumentError(f"theta must be in [0, π/2] (radians); got {self.theta!r}")
        if not _real(self.sigma) or not (self.sigma >= 0 and math.isfinite(self.sigma)):
            raise InvalidArgumentError(
                f"sigma must be a finite real number >= 0; got {self.sigma!r}"
            )
        if not _real(self.lr) or not (self.lr > 0 and math.isfinite(self.lr)):
            raise InvalidArgumentError(f"lr must be a finite real number > 0; got {self.lr!r}")
        _positive_int("steps", self.steps)

    @property
    def schedule(self) -> Schedule:
        """Fine-tuning's gradient descent: ``lr``, ``steps``, no weight decay or early stop."""
        return Schedule(self.lr, self.steps)

    def config(self) -> dict:
        data = dataclasses.asdict(self)
        del data["lr"], data["steps"]  # in the schedule, with everything else it sets
        data["schedule"] = dataclasses.asdict(self.schedule)
        return {"kind": "probe-balanced-fine-tuning", **data}

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
            self.schedule,
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
