"""The named sweeps of the authors' launch scripts (docs/paper.md §6), at two profiles, resumable.

=================  ==============================================================================
sweep              cells
=================  ==============================================================================
``scratch``        ``launch/scratch.sh``: scratch training, σ ∈ {0, 0.2}, weight decay
                   ∈ {0, 1e-4, 1e-3, 1e-2, 1e-1}, every n of the γ grid
``phase_diagram``  ``launch/phase_diagram.sh``: for σ ∈ {0, 0.2}, every (θ, n) of the grid,
                   fine-tuning and linear transfer with ridges {0, 0.1, ..., 0.5}
``finite_source``  ``launch/phase_diagram_empsrc.sh``: as ``phase_diagram`` at σ = σ_s = 0.2, with
                   pretraining on n_s = γ_s d samples, γ_s ∈ {0.5, 1.5} (8000 steps)
=================  ==============================================================================

Extension sweeps (:data:`EXTENSION_SWEEPS`, beyond the paper: docs/paper.md §11, §12) run, store
and archive like these: ``rank_k`` and ``rank_k_fine_tuning``, linear transfer and fine-tuning after
pretraining on k orthonormal teachers, and ``pretraining_decay``, transfer after pretraining with
weight decay.

Profiles: ``paper`` is the authors' grid — d = 500, L = 2, 20 instances, γ = 0.1, ..., 2.0
(n = round(γd)), θ = (π/2)·{0.05, ..., 1.00} — with their learning rates and step counts, and their
early-stopping rule as their code computes it (``stopping="authors"``: a cell stops only once its
largest loss is below its smallest floor + 10⁻⁶, so with noisy labels and n >= d scratch training
and finite-source pretraining run every step; :func:`fate_numeric.linear.groups_still_training`);
``quick``
keeps every hyper-parameter but shrinks the grid (d = 40, 32 instances, 6 sample ratios, 4 angles)
so that a sweep runs in minutes on two CPU cores.

The sweeps register with the sweep service (:mod:`fate_numeric.service`, which runs and reads
them). Each cell is stored under its own configuration (:mod:`fate_numeric.store`) as soon as its
batch finishes, so a sweep that is stopped (Ctrl-C, a killed process) resumes where it stopped: a
rerun skips every stored cell and loses at most the batch that was running.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from derivations.errors import InvalidArgumentError
from fate_numeric import service
from fate_numeric.experiments import Cell, chunks, compatible, run_cells

# The runner and the store's timing of a sweep are the service's (docs/design.md §5.5); named here
# as well, where the linear sweeps were always run from.
run_sweep = service.run_sweep
save_batch = service.save_batch
stored_seconds = service.stored_seconds


@dataclass(frozen=True)
class Profile:
    """The grid of a profile."""

    name: str
    d: int
    instances: int
    gammas: tuple[float, ...]
    theta_fractions: tuple[float, ...]  # θ in units of π/2, as the authors' --theta
    stopping: str = "per_instance"  # the early-stopping rule of the cells (Cell.stopping)

    def sample_sizes(self) -> list[int]:
        return sorted({max(1, round(g * self.d)) for g in self.gammas})

    def thetas(self) -> list[float]:
        return [0.5 * math.pi * f for f in self.theta_fractions]


PROFILES = {
    "paper": Profile(
        "paper",
        d=500,
        instances=20,
        gammas=tuple(round(0.1 * k, 1) for k in range(1, 21)),
        theta_fractions=tuple(round(0.05 * k, 2) for k in range(1, 21)),
        stopping="authors",
    ),
    "quick": Profile(
        "quick",
        d=40,
        instances=32,
        gammas=(0.25, 0.5, 0.75, 1.0, 1.5, 2.0),
        theta_fractions=(0.25, 0.5, 0.75, 1.0),
    ),
}

NOISES = (0.0, 0.2)
WEIGHT_DECAYS = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)
RIDGES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
SOURCE_RATIOS = (0.5, 1.5)


def _scratch(profile: Profile, seed: int) -> Iterator[Cell]:
    for sigma in NOISES:
        for decay in WEIGHT_DECAYS:
            for n in profile.sample_sizes():
                yield Cell(
                    "scratch",
                    d=profile.d,
                    n=n,
                    sigma=sigma,
                    weight_decay=decay,
                    instances=profile.instances,
                    seed=seed,
                    stopping=profile.stopping,
                )


def _transfer_cells(profile: Profile, seed: int, sigma: float, **source: float) -> Iterator[Cell]:
    """Fine-tuning and linear-transfer cells over the (θ, n) grid of a profile."""
    for theta in profile.thetas():
        for n in profile.sample_sizes():
            common = dict(
                d=profile.d,
                n=n,
                theta=theta,
                sigma=sigma,
                instances=profile.instances,
                seed=seed,
                stopping=profile.stopping,
                **source,
            )
            yield Cell("fine_tuning", **common)
            yield Cell("linear_transfer", ridges=RIDGES, **common)


def _phase_diagram(profile: Profile, seed: int) -> Iterator[Cell]:
    for sigma in NOISES:
        yield from _transfer_cells(profile, seed, sigma)


def _finite_source(profile: Profile, seed: int) -> Iterator[Cell]:
    for ratio in SOURCE_RATIOS:
        yield from _transfer_cells(
            profile, seed, 0.2, n_source=round(ratio * profile.d), sigma_source=0.2
        )


SWEEPS: dict[str, Callable[[Profile, int], Iterator[Cell]]] = {
    "scratch": _scratch,
    "phase_diagram": _phase_diagram,
    "finite_source": _finite_source,
}


def network_steps(cells: Sequence[Cell]) -> int:
    """An upper bound on the network-steps of linear-model cells: every target-side instance at
    its step budget (linear transfer is a closed form), plus one pretraining per distinct
    pretraining configuration (one network with a population source, one per instance with a
    finite one) — how ``benchmarks/bench_gram.py`` and the figures' cost lines count."""
    steps, pretrainings = 0, set()
    for cell in cells:
        if cell.procedure != "linear_transfer":
            steps += cell.instances * cell.schedule.steps
        if cell.procedure != "scratch":
            key = json.dumps(cell.pretraining_config(), sort_keys=True)
            if key not in pretrainings:
                pretrainings.add(key)
                networks = cell.instances if cell.n_source is not None else 1
                steps += networks * cell.pretrain_schedule.steps
    return steps


# ---- Extensions (not the paper's claims): rank-k feature spaces (docs/paper.md §11) ----------
# Kept out of SWEEPS: that table is the authors' launch scripts, which the benchmarks and the cost
# estimates enumerate. An extension sweep is one entry of EXTENSION_SWEEPS and nothing else:
# cells_of, the sweep and archive commands and verify's contexts (the d = 500 tier included) take
# its name like a paper sweep's, and name it an extension.

#: Ranks of the pretrained feature space in the ``rank_k`` sweep (k = 1 is ``phase_diagram``).
SOURCE_RANKS = (2, 4, 8)
#: Label noise of the ``rank_k`` sweep (the paper's σ of Fig. 1).
RANK_K_SIGMA = 0.2
#: At the paper profile (d = 500) the ``rank_k`` sweep runs a small grid: these sample ratios (on
#: the paper's γ grid, so that its archived scratch cells pair with them) and angles (in units of
#: π/2, on the paper's θ grid).
RANK_K_PAPER_GAMMAS = (0.1, 0.2, 0.5, 0.8, 1.5, 2.0)
RANK_K_PAPER_THETA_FRACTIONS = (0.25, 0.5, 0.75, 1.0)


def _extension_grid(
    profile: Profile, paper_gammas: Sequence[float], paper_theta_fractions: Sequence[float]
) -> tuple[list[int], list[float]]:
    """The (n, θ) grid of an extension sweep: the profile's, or at the paper profile the sub-grid
    of the given γ (on the paper's γ grid, so that the archived scratch cells pair with the cells)
    and θ in units of π/2."""
    if profile.name != "paper":
        return profile.sample_sizes(), profile.thetas()
    sizes = sorted({round(g * profile.d) for g in paper_gammas})
    return sizes, [0.5 * math.pi * f for f in paper_theta_fractions]


def _rank_k_cells(
    profile: Profile,
    seed: int,
    procedure: str,
    paper_gammas: Sequence[float],
    paper_theta_fractions: Sequence[float],
) -> Iterator[Cell]:
    """Cells of ``procedure`` after pretraining on k orthonormal source teachers, k in
    SOURCE_RANKS, at σ = RANK_K_SIGMA, over the profile's (θ, n) grid (at the paper profile the
    sub-grid of the given γ and θ/(π/2))."""
    sizes, thetas = _extension_grid(profile, paper_gammas, paper_theta_fractions)
    for rank in SOURCE_RANKS:
        for theta in thetas:
            for n in sizes:
                yield Cell(
                    procedure,
                    d=profile.d,
                    n=n,
                    theta=theta,
                    sigma=RANK_K_SIGMA,
                    instances=profile.instances,
                    seed=seed,
                    stopping=profile.stopping,
                    source_rank=rank,
                )


def _rank_k(profile: Profile, seed: int) -> Iterator[Cell]:
    """Linear transfer after pretraining on k orthonormal source teachers (:func:`_rank_k_cells`;
    a subset of the grid at the paper profile)."""
    return _rank_k_cells(
        profile, seed, "linear_transfer", RANK_K_PAPER_GAMMAS, RANK_K_PAPER_THETA_FRACTIONS
    )


#: At the paper profile the ``rank_k_fine_tuning`` sweep runs this sub-grid of the paper's (γ, θ)
#: grid (θ in units of π/2): three sample ratios below interpolation, where fine-tuning transfers,
#: and one above, where it is scratch training.
RANK_K_FT_PAPER_GAMMAS = (0.3, 0.5, 0.7, 1.5)
RANK_K_FT_PAPER_THETA_FRACTIONS = (0.25, 0.5, 0.75)


def _rank_k_fine_tuning(profile: Profile, seed: int) -> Iterator[Cell]:
    """Fine-tuning after pretraining on k orthonormal source teachers through the output of the
    teacher the target's feature part lies along (:func:`_rank_k_cells`; a sub-grid at the paper
    profile)."""
    return _rank_k_cells(
        profile, seed, "fine_tuning", RANK_K_FT_PAPER_GAMMAS, RANK_K_FT_PAPER_THETA_FRACTIONS
    )


#: The ``pretraining_decay`` sweep (extension, docs/paper.md §12): SGD weight decays of the source
#: pretraining, the label noise, the decay at which the pretrained network collapses (one cell
#: per profile shows it), and at the paper profile a sub-grid of the paper's (γ, θ) grid (on it,
#: so that the archived scratch cells pair with its cells).
PRETRAIN_DECAYS = (0.5, 1.0, 1.5)
PRETRAIN_DECAY_SIGMA = 0.0
PRETRAIN_DECAY_COLLAPSE = 2.5
PRETRAIN_DECAY_PAPER_GAMMAS = (0.1, 0.3, 0.5, 0.7, 0.9, 1.5)
PRETRAIN_DECAY_PAPER_THETA_FRACTIONS = (0.2, 0.4, 0.6, 0.8, 1.0)
#: γ of the cells pretrained with the decay that maximises fine-tuning transfer at their angle
PRETRAIN_DECAY_OPTIMUM_GAMMA = 0.5


def optimal_pretrain_decay(theta: float, gamma: float, sigma: float) -> float:
    """The pretraining decay of ``theory.wd_ft_optimal_decay``, rounded to 4 decimals (a store
    key must not depend on the last bits of an evaluator)."""
    from fate_numeric import theory

    return round(float(theory.wd_ft_optimal_decay(theta, gamma, sigma)[0]), 4)


def _pretraining_decay(profile: Profile, seed: int) -> Iterator[Cell]:
    """Fine-tuning and linear transfer after population pretraining with weight decay λ_p in
    PRETRAIN_DECAYS, over the profile's (θ, n) grid (a sub-grid at the paper profile); fine-tuning
    at the best decay of each angle below π/2 (γ = PRETRAIN_DECAY_OPTIMUM_GAMMA); and one linear
    transfer cell whose pretraining collapses (λ_p = PRETRAIN_DECAY_COLLAPSE)."""
    sizes, thetas = _extension_grid(
        profile, PRETRAIN_DECAY_PAPER_GAMMAS, PRETRAIN_DECAY_PAPER_THETA_FRACTIONS
    )
    common = dict(
        d=profile.d,
        sigma=PRETRAIN_DECAY_SIGMA,
        instances=profile.instances,
        seed=seed,
        stopping=profile.stopping,
    )
    for decay in PRETRAIN_DECAYS:
        for theta in thetas:
            for n in sizes:
                for procedure in ("fine_tuning", "linear_transfer"):
                    yield Cell(procedure, n=n, theta=theta, pretrain_weight_decay=decay, **common)
    n_optimum = round(PRETRAIN_DECAY_OPTIMUM_GAMMA * profile.d)
    for theta in thetas:
        if theta < 0.5 * math.pi:
            decay = optimal_pretrain_decay(theta, n_optimum / profile.d, PRETRAIN_DECAY_SIGMA)
            yield Cell(
                "fine_tuning", n=n_optimum, theta=theta, pretrain_weight_decay=decay, **common
            )
    yield Cell(
        "linear_transfer",
        n=sizes[0],
        theta=thetas[0],
        pretrain_weight_decay=PRETRAIN_DECAY_COLLAPSE,
        **common,
    )


#: The ``pretraining_decay_finite_source`` sweep (extension, docs/paper.md §12): pretraining with
#: weight decay on n_s = γ_s d noisy source samples (γ_s in SOURCE_RATIOS, σ = σ_s as the paper's
#: ``finite_source`` sweep), and at the paper profile one decay on a sub-grid of the paper's
#: (γ, θ) grid (on it, so that the archived scratch cells pair with its cells): 24 cells, about
#: 7 min on two CPU cores (docs/paper.md §12).
FINITE_SOURCE_DECAYS = (0.5, 1.0)
FINITE_SOURCE_DECAY_PAPER_DECAYS = (1.0,)
FINITE_SOURCE_DECAY_SIGMA = 0.2
FINITE_SOURCE_DECAY_PAPER_GAMMAS = (0.3, 0.5, 0.7)
FINITE_SOURCE_DECAY_PAPER_THETA_FRACTIONS = (0.4, 0.8)


def _pretraining_decay_finite_source(profile: Profile, seed: int) -> Iterator[Cell]:
    """Fine-tuning and linear transfer (least squares) after pretraining with weight decay λ_p in
    FINITE_SOURCE_DECAYS on a finite noisy source, n_s = γ_s d for γ_s in SOURCE_RATIOS, at
    σ = σ_s = FINITE_SOURCE_DECAY_SIGMA, over the profile's (θ, n) grid (at the paper profile
    λ_p in FINITE_SOURCE_DECAY_PAPER_DECAYS on a sub-grid). Pretraining runs the authors' 8000
    finite-source steps at lr 0.01."""
    sizes, thetas = _extension_grid(
        profile, FINITE_SOURCE_DECAY_PAPER_GAMMAS, FINITE_SOURCE_DECAY_PAPER_THETA_FRACTIONS
    )
    decays = FINITE_SOURCE_DECAY_PAPER_DECAYS if profile.name == "paper" else FINITE_SOURCE_DECAYS
    for decay in decays:
        for ratio in SOURCE_RATIOS:
            for theta in thetas:
                for n in sizes:
                    for procedure in ("fine_tuning", "linear_transfer"):
                        yield Cell(
                            procedure,
                            d=profile.d,
                            n=n,
                            theta=theta,
                            sigma=FINITE_SOURCE_DECAY_SIGMA,
                            instances=profile.instances,
                            seed=seed,
                            stopping=profile.stopping,
                            n_source=round(ratio * profile.d),
                            sigma_source=FINITE_SOURCE_DECAY_SIGMA,
                            pretrain_weight_decay=decay,
                        )


#: The extension sweeps (docs/paper.md §11, §12): name -> generator of cells, as :data:`SWEEPS`.
EXTENSION_SWEEPS: dict[str, Callable[[Profile, int], Iterator[Cell]]] = {
    "rank_k": _rank_k,
    "rank_k_fine_tuning": _rank_k_fine_tuning,
    "pretraining_decay": _pretraining_decay,
    "pretraining_decay_finite_source": _pretraining_decay_finite_source,
}


def is_extension(name: str) -> bool:
    """Whether ``name`` is an extension sweep (:data:`EXTENSION_SWEEPS`), not the paper's."""
    return name in EXTENSION_SWEEPS


def sweep_names() -> str:
    """The named linear sweeps in words — the paper's, the extensions apart — for errors
    (:func:`fate_numeric.service.sweep_names` names those of every family)."""
    return (
        f"the sweeps are {', '.join(SWEEPS)}; the extension sweeps "
        f"(docs/paper.md §11, §12) are {', '.join(EXTENSION_SWEEPS)}"
    )


def _generate(
    table: dict[str, Callable[[Profile, int], Iterator[Cell]]], name: str, profile: str, seed: int
) -> list[Cell]:
    if profile not in PROFILES:
        raise InvalidArgumentError(
            f"unknown profile {profile!r}; the profiles are {', '.join(PROFILES)}"
        )
    return list(table[name](PROFILES[profile], seed))


def cells_of(name: str, profile: str, seed: int = 0) -> list[Cell]:
    """Every cell of a named sweep at a profile: one of the authors' launch scripts
    (:data:`SWEEPS`) or an extension sweep (:data:`EXTENSION_SWEEPS`)."""
    for table in (SWEEPS, EXTENSION_SWEEPS):
        if name in table:
            return _generate(table, name, profile, seed)
    raise InvalidArgumentError(f"unknown sweep {name!r}; {sweep_names()}")


def extension_cells_of(name: str, profile: str, seed: int = 0) -> list[Cell]:
    """Every cell of a named extension sweep (:data:`EXTENSION_SWEEPS`) at a profile."""
    if not is_extension(name):
        raise InvalidArgumentError(
            f"unknown extension sweep {name!r}; they are {', '.join(EXTENSION_SWEEPS)}"
        )
    return _generate(EXTENSION_SWEEPS, name, profile, seed)


#: The deep linear networks as the sweep service runs them (:mod:`fate_numeric.service`).
FAMILY = service.register_family(
    service.Family(
        "linear",
        Cell,
        PROFILES,
        SWEEPS,
        run=lambda batch, device, store: run_cells(batch, device),
        partition=compatible,
        split=chunks,
        extensions=EXTENSION_SWEEPS,
        with_precision=lambda cells, precision: [replace(c, precision=precision) for c in cells],
        archivable=True,
        dask_by_default=True,
    )
)
