"""Batched gradient descent of deep linear networks, as the paper trains them (docs/paper.md §6).

The network f(x) = xᵀW_1⋯W_L (W_l ∈ ℝ^{d×d} for l < L, W_L ∈ ℝ^d) is trained by full-batch
gradient descent on the authors' loss (1/n)Σ(f(x_i) − y_i)² (or the population loss
‖β̂ − β_s‖²), with the authors' SGD weight decay, learning rates, step counts and early stopping.
Every tensor carries a leading batch dimension: independent instances *and* grid cells of a sweep
are simulated in one tensor program.

Two implementations that must agree (tests: 1e-10 relative after 100 float64 steps):

* the fast path, :func:`gradient_descent`: the loss depends on the data only through
  S = XᵀX/n, b = Xᵀy/n (:class:`~fate_numeric.tasks.Statistics`), its gradient in the end-to-end
  vector is r = 2(Sβ̂ − b), and the gradient of layer l is the outer product
  (W_1⋯W_{l−1})ᵀ r ⊗ (W_{l+1}⋯W_L) (the gradient-flow equations of ``derivations.gradient_flow``).
  A step costs O(L d²) per instance — matrix-vector products and rank-one updates — instead of the
  O(n d²) of the forward pass through X;
* the reference path, :func:`reference_gradient_descent`: autograd on the per-sample loss with
  ``torch.optim.SGD``, as the authors' ``train.py`` does.

Early stopping (authors' rule): every ``check_every`` steps, once the *pre-step* training loss of
every instance of a group (a grid cell) is at most its floor + ``tol`` — the floor is 0 for n < d
and the least-squares residual otherwise — that step is still applied and the group stops. The
recorded generalisation error is that of the final weights (the authors log the pre-step value of
the last step; the difference is one learning-rate step).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from derivations.errors import InvalidArgumentError
from fate_numeric.numerics import DTYPE
from fate_numeric.tasks import Statistics

INITS = ("rand", "identity")
#: Early-stopping rules (see :func:`groups_still_training`).
STOPPING_RULES = ("per_instance", "authors")


def matvec(matrices: torch.Tensor, vectors: torch.Tensor, transpose: bool = False) -> torch.Tensor:
    """A x (or Aᵀx with ``transpose``) for each member of a batch: (batch, m, k) and (batch, k).

    Every member is rounded the same way whatever the batch size, so that a cell's numbers do not
    depend on the cells batched with it (docs/design.md §5.4): torch computes a batch of one
    through its unbatched product, which on the CPU rounds differently from the batched one
    (measured: ~1e-16 relative at d = 20 to 500, never for batches of 2 to 64, with 1 or 2
    threads); a batch of one is therefore computed as two copies.
    """
    equation = "bji,bj->bi" if transpose else "bij,bj->bi"
    if matrices.shape[0] == 1:
        pair = torch.einsum(equation, matrices.repeat(2, 1, 1), vectors.repeat(2, 1))
        return pair[:1]
    return torch.einsum(equation, matrices, vectors)


@dataclass(frozen=True)
class Network:
    """A batch of deep linear networks.

    Attributes:
        hidden: W_1, ..., W_{L−1}, each of shape (batch, d, d).
        readout: W_L, shape (batch, d).
    """

    hidden: tuple[torch.Tensor, ...]
    readout: torch.Tensor

    @property
    def depth(self) -> int:
        return len(self.hidden) + 1

    @property
    def batch(self) -> int:
        return self.readout.shape[0]

    def feature_map(self) -> torch.Tensor:
        """W_1⋯W_{L−1}, shape (batch, d, d): the hidden representation h(x) = xᵀW_1⋯W_{L−1}."""
        product = self.hidden[0]
        for layer in self.hidden[1:]:
            product = product @ layer
        return product

    def end_to_end(self) -> torch.Tensor:
        """β̂ = W_1⋯W_L, shape (batch, d)."""
        vector = self.readout
        for layer in reversed(self.hidden):
            vector = matvec(layer, vector)
        return vector

    def tile(self, batch: int) -> Network:
        """``batch`` copies of a single network (the authors' ``duplicate``)."""
        if self.batch != 1:
            raise InvalidArgumentError(f"only a single network can be tiled; this has {self.batch}")
        return Network(
            hidden=tuple(w.expand(batch, -1, -1).clone() for w in self.hidden),
            readout=self.readout.expand(batch, -1).clone(),
        )

    @classmethod
    def concatenate(cls, networks: Sequence[Network]) -> Network:
        """One batch of the networks of several batches, in their order."""
        return cls(
            tuple(
                torch.cat([net.hidden[k] for net in networks])
                for k in range(len(networks[0].hidden))
            ),
            torch.cat([net.readout for net in networks]),
        )

    def select(self, index: torch.Tensor | slice) -> Network:
        """The networks at ``index`` of the batch (copies)."""
        return Network(tuple(w[index].clone() for w in self.hidden), self.readout[index].clone())

    def clone(self) -> Network:
        return Network(tuple(w.clone() for w in self.hidden), self.readout.clone())

    def cast(self, dtype: torch.dtype) -> Network:
        """The networks in another floating-point precision."""
        return Network(tuple(w.to(dtype) for w in self.hidden), self.readout.to(dtype))

    def imbalances(self) -> list[torch.Tensor]:
        """D_l = W_lᵀW_l − W_{l+1}W_{l+1}ᵀ for l = 1..L−1 (conserved by gradient flow, eq. 36)."""
        layers = [*self.hidden, self.readout.unsqueeze(-1)]
        return [
            layers[k].transpose(-1, -2) @ layers[k]
            - layers[k + 1] @ layers[k + 1].transpose(-1, -2)
            for k in range(len(layers) - 1)
        ]


def initial_network(
    depth: int, d: int, alpha: float, gen: torch.Generator, init: str = "rand"
) -> Network:
    """One network at the authors' initialisation (``model.py``), batch 1.

    ``rand``: W_l = α G_l/√d with G_l i.i.d. N(0, 1) for l < L, W_L = α g with g ~ N(0, I_d) (no
    1/√d, as in the code). ``identity`` (the code's ``zas``): W_l = α I, W_L = α·1.
    """
    if not isinstance(depth, int) or depth < 2:
        raise InvalidArgumentError(f"depth L must be an integer >= 2; got {depth!r}")
    if not isinstance(d, int) or d < 1:
        raise InvalidArgumentError(f"width d must be an integer >= 1; got {d!r}")
    if not alpha > 0 or not math.isfinite(alpha):
        raise InvalidArgumentError(f"alpha must be a real number > 0; got {alpha!r}")
    device = gen.device
    if init == "rand":
        hidden = tuple(
            alpha * torch.randn(1, d, d, generator=gen, dtype=DTYPE, device=device) / math.sqrt(d)
            for _ in range(depth - 1)
        )
        readout = alpha * torch.randn(1, d, generator=gen, dtype=DTYPE, device=device)
    elif init == "identity":
        eye = torch.eye(d, dtype=DTYPE, device=device).unsqueeze(0)
        hidden = tuple(alpha * eye.clone() for _ in range(depth - 1))
        readout = alpha * torch.ones(1, d, dtype=DTYPE, device=device)
    else:
        raise InvalidArgumentError(f"init must be one of {INITS}; got {init!r}")
    return Network(hidden, readout)


# ---- objectives --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Population:
    """The population loss ‖β̂ − β‖² of a teacher β (shape (batch, d) or (d,))."""

    beta: torch.Tensor

    def gradient_and_loss(self, beta_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        residual = beta_hat - self.beta
        return 2 * residual, (residual * residual).sum(-1)

    def floor(self, batch: int) -> torch.Tensor:
        return torch.zeros(batch, dtype=self.beta.dtype, device=self.beta.device)

    def select(self, rows: torch.Tensor) -> Population:
        return self if self.beta.ndim == 1 else Population(self.beta[rows])


@dataclass(frozen=True)
class Empirical:
    """The authors' empirical loss (1/n)‖Xβ̂ − y‖², through its sufficient statistics.

    ``floors`` (batch,) overrides the early-stopping floors computed from the statistics (needed
    when cells with different n share one batch).
    """

    stats: Statistics
    floors: torch.Tensor | None = None

    def gradient_and_loss(self, beta_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s_beta = matvec(self.stats.gram, beta_hat)
        loss = (beta_hat * s_beta).sum(-1) - 2 * (self.stats.cross * beta_hat).sum(-1)
        return 2 * (s_beta - self.stats.cross), loss + self.stats.energy

    def floor(self, batch: int) -> torch.Tensor:
        return self.stats.least_squares_residual() if self.floors is None else self.floors

    def select(self, rows: torch.Tensor) -> Empirical:
        stats = self.stats
        chosen = Statistics(stats.gram[rows], stats.cross[rows], stats.energy[rows], stats.n)
        return Empirical(chosen, None if self.floors is None else self.floors[rows])


Objective = Population | Empirical


@dataclass(frozen=True)
class Schedule:
    """Full-batch gradient descent settings (the authors' command-line options).

    Attributes:
        lr: learning rate.
        steps: maximal number of steps (``--epochs``).
        weight_decay: SGD weight decay on every layer (``--reg``).
        tol: early-stopping tolerance above the loss floor; ``None`` disables early stopping.
        check_every: steps between early-stopping checks (``--save_freq``).
        record_every: steps between recorded losses and errors (``None``: only the end).
        stopping: the early-stopping rule, ``per_instance`` or ``authors``
            (:func:`groups_still_training`).
    """

    lr: float
    steps: int
    weight_decay: float = 0.0
    tol: float | None = None
    check_every: int = 100
    record_every: int | None = None
    stopping: str = "per_instance"

    def __post_init__(self) -> None:
        if not self.lr > 0 or not math.isfinite(self.lr):
            raise InvalidArgumentError(f"lr must be a real number > 0; got {self.lr!r}")
        if not isinstance(self.steps, int) or self.steps < 0:
            raise InvalidArgumentError(f"steps must be an integer >= 0; got {self.steps!r}")
        if self.weight_decay < 0:
            raise InvalidArgumentError(f"weight_decay must be >= 0; got {self.weight_decay!r}")
        if self.tol is not None and self.tol < 0:
            raise InvalidArgumentError(f"tol must be >= 0 or None; got {self.tol!r}")
        if self.check_every < 1 or (self.record_every is not None and self.record_every < 1):
            raise InvalidArgumentError("check_every and record_every must be integers >= 1")
        if self.stopping not in STOPPING_RULES:
            raise InvalidArgumentError(
                f"stopping must be one of {STOPPING_RULES}; got {self.stopping!r}"
            )


def groups_still_training(
    loss: torch.Tensor,
    floors: torch.Tensor,
    tol: float,
    groups: torch.Tensor,
    group_count: int,
    rule: str = "per_instance",
) -> torch.Tensor:
    """Whether each instance's group (grid cell) trains on after an early-stopping check.

    ``per_instance``: a group stops once every instance's pre-step loss is at most its own floor
    + ``tol`` (the floor: 0 for n < d, the least-squares residual otherwise).
    ``authors``: what the authors' ``train.py`` computes, ``torch.all(loss <= min_err)`` with
    ``loss`` of shape (instances,) and ``min_err`` of shape (instances, 1) for n >= d: the
    comparison broadcasts to every pair, so a group stops only once its *largest* loss is at most
    its *smallest* floor + ``tol``. With noisy labels and n >= d the floors differ by far more
    than 10⁻⁶, so such a group practically never stops early and runs every step; for n < d (all
    floors 0) the two rules agree.
    """
    if rule == "per_instance":
        converged = loss <= floors + tol
        unconverged = torch.zeros(group_count, dtype=torch.long, device=loss.device)
        unconverged.index_add_(0, groups, (~converged).to(torch.long))
        return unconverged[groups] > 0
    if rule != "authors":
        raise InvalidArgumentError(f"stopping must be one of {STOPPING_RULES}; got {rule!r}")
    worst = torch.full((group_count,), -math.inf, dtype=loss.dtype, device=loss.device)
    worst.scatter_reduce_(0, groups, loss, "amax")
    lowest = torch.full((group_count,), math.inf, dtype=loss.dtype, device=loss.device)
    lowest.scatter_reduce_(0, groups, floors.to(loss.dtype), "amin")
    return ~(worst <= lowest + tol)[groups]


@dataclass
class Training:
    """What gradient descent returns, per instance.

    Attributes:
        network: the trained networks.
        steps: steps taken by each instance.
        train_loss: final training loss.
        generalisation: final ‖β̂ − β_t‖² (``None`` without a target).
        history: recorded ``step`` (k,), ``train_loss`` and ``generalisation`` (k, batch), each
            the pre-step value at that step, as the authors log them; NaN once an instance's
            group has stopped.
        drift: ‖D_l(end) − D_l(0)‖_F for l = 1..L−1, shape (batch, L−1): how far gradient descent
            is from the conserving gradient flow.
    """

    network: Network
    steps: torch.Tensor
    train_loss: torch.Tensor
    generalisation: torch.Tensor | None
    history: dict[str, torch.Tensor] = field(default_factory=dict)
    drift: torch.Tensor | None = None


def layer_gradients(
    network: Network, r: torch.Tensor
) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], torch.Tensor]:
    """The gradient of every layer in factored form, from r = ∇_β̂ℒ (eq. 36's flow).

    Returns the pairs (left_l, right_l) with ∇W_l = left_l right_lᵀ, left_l = (W_1⋯W_{l−1})ᵀr and
    right_l = W_{l+1}⋯W_L, for the hidden layers l < L, and the readout gradient
    (W_1⋯W_{L−1})ᵀr. Computed from the current weights only (all before any update), by
    matrix-vector products.
    """
    hidden = network.hidden
    suffix = [network.readout]
    for layer in reversed(hidden[1:]):
        suffix.append(matvec(layer, suffix[-1]))
    suffix.reverse()  # suffix[l] = W_{l+2}⋯W_L (0-based l over hidden layers)
    lefts = []
    u = r
    for layer in hidden:
        lefts.append(u)
        u = matvec(layer, u, transpose=True)
    return list(zip(lefts, suffix, strict=True)), u


def instance_decays(
    schedule: Schedule,
    weight_decays: torch.Tensor | None,
    batch: int,
    dtype: torch.dtype,
    device: torch.device,
) -> torch.Tensor:
    """Each instance's weight decay, shape (batch,): ``weight_decays`` where given (cells with
    different decays in one program), else the schedule's."""
    if weight_decays is None:
        return torch.full((batch,), schedule.weight_decay, dtype=dtype, device=device)
    return weight_decays.to(dtype=dtype, device=device)


def gradient_descent(
    network: Network,
    objective: Objective,
    schedule: Schedule,
    target: torch.Tensor | None = None,
    groups: torch.Tensor | None = None,
    track_drift: bool = True,
    weight_decays: torch.Tensor | None = None,
) -> Training:
    """Full-batch gradient descent of a batch of networks (the fast path).

    Args:
        network: the starting networks (not modified).
        objective: :class:`Population` or :class:`Empirical`, batched like ``network``.
        schedule: learning rate, steps, weight decay, early stopping.
        target: the target teacher(s) β_t, (d,) or (batch, d), for the generalisation error.
        groups: integer group (grid cell) of each instance for early stopping; default: one
            group for the whole batch, as in the authors' runs.
        track_drift: compute the drift of the imbalances D_l (costs two d³ products per layer).
        weight_decays: per-instance weight decay, shape (batch,), replacing the schedule's (so
            that cells with different decays run in one program).
    """
    net = network.clone()
    batch = net.batch
    device, dtype = net.readout.device, net.readout.dtype
    groups = torch.zeros(batch, dtype=torch.long, device=device) if groups is None else groups
    group_count = int(groups.max().item()) + 1
    steps_taken = torch.zeros(batch, dtype=torch.long, device=device)
    record_steps, record_loss, record_error = [], [], []
    lr = schedule.lr
    decay = instance_decays(schedule, weight_decays, batch, dtype, device)
    if target is not None:
        target = target.expand(batch, -1)

    # The working set: the instances still training. Finished groups are written back to ``net``
    # and dropped from the computation once they are a quarter of the working set.
    index = torch.arange(batch, device=device)
    work, work_objective = net, objective
    work_decay, work_groups, work_floor = decay, groups, objective.floor(batch)
    work_target = target
    active = torch.ones(batch, dtype=torch.bool, device=device)
    decaying = bool((decay > 0).any())  # decided once: no device synchronisation per step
    # One decay for every instance: while all instances train, the decay rides on the rank-one
    # update (one pass over each layer instead of three).
    shared_shrink = 1 - lr * float(decay[0]) if bool((decay == decay[0]).all()) else None
    all_active = True

    for k in range(schedule.steps):
        beta_hat = work.end_to_end()
        r, loss = work_objective.gradient_and_loss(beta_hat)
        if schedule.record_every is not None and k % schedule.record_every == 0:
            record_steps.append(k)
            record_loss.append(_scatter(loss, index, active, batch))
            if work_target is not None:
                error = ((beta_hat - work_target) ** 2).sum(-1)
                record_error.append(_scatter(error, index, active, batch))
        factors, readout_grad = layer_gradients(work, r)
        step = lr * active.to(dtype)
        for layer, (left, right) in zip(work.hidden, factors, strict=True):
            shrink = 1.0
            if decaying and all_active and shared_shrink is not None:
                shrink = shared_shrink
            elif decaying:
                layer.mul_((1 - step * work_decay)[:, None, None])
            update = (step[:, None] * left).unsqueeze(2), right.unsqueeze(1)
            layer.baddbmm_(*update, beta=shrink, alpha=-1.0)
        if decaying:
            work.readout.mul_((1 - step * work_decay)[:, None])
        work.readout.sub_(step[:, None] * readout_grad)
        steps_taken[index] += active.to(torch.long)
        if schedule.tol is not None and k % schedule.check_every == 0:
            active &= groups_still_training(
                loss, work_floor, schedule.tol, work_groups, group_count, schedule.stopping
            )
            # ``active`` changes only here, so the device is asked about it only here: between
            # checks the host queues steps without waiting for the device
            all_active = bool(active.all())
            if not bool(active.any()):
                break
            if int(active.sum()) <= 0.75 * len(index):  # compact the working set
                _write_back(net, work, index)
                keep = active.nonzero().squeeze(-1)
                index, active = index[keep], active[keep]
                work = work.select(keep)
                work_objective = work_objective.select(keep)
                work_decay, work_groups, work_floor = (
                    work_decay[keep],
                    work_groups[keep],
                    work_floor[keep],
                )
                work_target = None if work_target is None else work_target[keep]
                all_active = True  # the working set now holds only training instances
    _write_back(net, work, index)

    beta_hat = net.end_to_end()
    _, final_loss = objective.gradient_and_loss(beta_hat)
    history = {}
    if record_steps:
        history["step"] = torch.tensor(record_steps, device=device)
        history["train_loss"] = torch.stack(record_loss)
        if record_error:
            history["generalisation"] = torch.stack(record_error)
    drift = imbalance_drift(network, net) if track_drift else None
    error = None if target is None else ((beta_hat - target) ** 2).sum(-1)
    return Training(net, steps_taken, final_loss, error, history, drift)


def imbalance_drift(start: Network, end: Network) -> torch.Tensor:
    """‖D_l(end) − D_l(start)‖_F for l = 1..L−1, shape (batch, L−1): how far gradient descent
    moved the imbalances that gradient flow conserves (eq. 36)."""
    return torch.stack(
        [
            torch.linalg.matrix_norm(after - before)
            for after, before in zip(end.imbalances(), start.imbalances(), strict=True)
        ],
        dim=-1,
    )


def _write_back(net: Network, work: Network, index: torch.Tensor) -> None:
    """Copy the working networks into their places of the full batch (no-op when identical)."""
    if work is net:
        return
    for full, part in zip((*net.hidden, net.readout), (*work.hidden, work.readout), strict=True):
        full[index] = part


def _scatter(
    values: torch.Tensor, index: torch.Tensor, active: torch.Tensor, batch: int
) -> torch.Tensor:
    """A full-batch record of working-set values; NaN for instances that have stopped."""
    out = torch.full((batch,), math.nan, dtype=values.dtype, device=values.device)
    out[index[active]] = values[active]
    return out


def reference_gradient_descent(
    network: Network,
    x: torch.Tensor,
    y: torch.Tensor,
    lr: float,
    steps: int,
    weight_decay: float = 0.0,
) -> Network:
    """The plain path: autograd on the per-sample loss with ``torch.optim.SGD`` (authors' code).

    Loss per instance (1/n)Σ_i(x_iᵀW_1⋯W_L − y_i)², summed over instances before ``backward``.
    """
    params = [w.clone().requires_grad_(True) for w in network.hidden]
    params.append(network.readout.clone().unsqueeze(-1).requires_grad_(True))
    optimiser = torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)
    for _ in range(steps):
        out = x
        for w in params:
            out = out @ w
        loss = ((out.squeeze(-1) - y) ** 2).mean(-1).sum()
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
    with torch.no_grad():
        return Network(
            tuple(p.detach().clone() for p in params[:-1]), params[-1].detach().squeeze(-1).clone()
        )


# ---- linear transfer ---------------------------------------------------------------------------
def linear_transfer(
    feature_map: torch.Tensor,
    stats: Statistics,
    ridges: Sequence[float],
    target: torch.Tensor,
    rank_rtol: float = 1e-3,
    authors_jitter: bool = False,
) -> torch.Tensor:
    """Generalisation error of re-fitting the last layer in closed form, per ridge and instance.

    The features are F = X M with M = W_1⋯W_{L−1} (``feature_map``, (batch, d, d)); the readout c
    minimises (1/n)‖Fc − y‖² + λ‖c‖², i.e. c = (MᵀSM + λI)⁻¹Mᵀb (the authors' normalisation
    (FᵀF + nλI)⁻¹Fᵀy, docs/paper.md §3.7), and the error is ‖Mc − β_t‖².

    λ = 0 is the minimum-norm least-squares solution on the numerical rank of M: singular values
    below ``rank_rtol`` × the largest count as zero (the theory is the α → 0 limit, where the
    pretrained M has rank one), giving β̂ = U_r(U_rᵀSU_r)⁻¹U_rᵀb. With ``authors_jitter`` λ = 0 is
    instead replaced by the authors' ridge n·10⁻⁵ (λ = 10⁻⁵ in this normalisation).

    Returns a tensor of shape (len(ridges), batch).
    """
    check_refit_arguments(ridges, rank_rtol)
    gram, cross = stats.gram, stats.cross
    errors = []
    for lam in ridges:
        if lam == 0 and not authors_jitter:
            beta_hat = _minimum_norm_on_rank(feature_map, gram, cross, rank_rtol, stats.n)
        else:
            strength = 1e-5 if lam == 0 else lam
            d = feature_map.shape[-1]
            eye = torch.eye(d, dtype=gram.dtype, device=gram.device)
            system = feature_map.transpose(-1, -2) @ gram @ feature_map + strength * eye
            rhs = torch.einsum("bji,bj->bi", feature_map, cross)
            readout = torch.linalg.solve(system, rhs.unsqueeze(-1)).squeeze(-1)
            beta_hat = torch.einsum("bij,bj->bi", feature_map, readout)
        errors.append(((beta_hat - target) ** 2).sum(-1))
    return torch.stack(errors)


def check_refit_arguments(ridges: Sequence[float], rank_rtol: float) -> None:
    """Ridge strengths finite and >= 0, the rank threshold in (0, 1) (both refits)."""
    if any(lam < 0 or not math.isfinite(lam) for lam in ridges):
        raise InvalidArgumentError(f"ridge strengths must be finite and >= 0; got {list(ridges)}")
    if not 0 < rank_rtol < 1:
        raise InvalidArgumentError(f"rank_rtol must be in (0, 1); got {rank_rtol!r}")


def _minimum_norm_on_rank(
    feature_map: torch.Tensor,
    gram: torch.Tensor,
    cross: torch.Tensor,
    rank_rtol: float,
    samples: int,
) -> torch.Tensor:
    """β̂ = U_r (U_rᵀ S U_r)⁻¹ U_rᵀ b over the numerical column space U_r of the feature map."""
    u, s, _ = torch.linalg.svd(feature_map)
    keep = s > rank_rtol * s[:, :1]
    ranks = keep.sum(-1)
    out = torch.empty_like(cross)
    for rank in torch.unique(ranks).tolist():  # instances grouped by rank: one solve per group
        rows = ranks == rank
        basis = u[rows][:, :, :rank]
        reduced = basis.transpose(-1, -2) @ gram[rows] @ basis
        projected = torch.einsum("bdr,bd->br", basis, cross[rows])
        if rank <= samples:
            coefficients = torch.linalg.solve(reduced, projected.unsqueeze(-1)).squeeze(-1)
        else:  # more features than samples: the minimum-norm interpolator (SVD, no lstsq)
            inverse = torch.linalg.pinv(reduced, hermitian=True)
            coefficients = torch.einsum("brs,bs->br", inverse, projected)
        out[rows] = torch.einsum("bdr,br->bd", basis, coefficients)
    return out


# ---- Extensions (not the paper's claims): pretraining on k source teachers (docs/paper.md §11) --
@dataclass
class KOutputTraining:
    """Depth-2 networks with k outputs after population pretraining, per network.

    Attributes:
        hidden: W_1, shape (batch, d, d).
        readout: W_2, shape (batch, d, k).
        steps: steps taken.
        train_loss: final population loss ‖W_1W_2 − B_s‖²_F.
    """

    hidden: torch.Tensor
    readout: torch.Tensor
    steps: torch.Tensor
    train_loss: torch.Tensor

    def gram(self) -> torch.Tensor:
        """K = W_1W_1ᵀ, shape (batch, d, d): what linear transfer sees of the feature map."""
        return self.hidden @ self.hidden.transpose(-1, -2)


def initial_readout_k(
    d: int, k: int, alpha: float, gen: torch.Generator, init: str = "rand"
) -> torch.Tensor:
    """A k-output last layer at the authors' scale, shape (1, d, k): α g with g ~ N(0, 1) entries
    (``rand``, as :func:`initial_network` draws its readout) or α in every entry (``identity``)."""
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise InvalidArgumentError(f"k must be an integer >= 1; got {k!r}")
    if init == "rand":
        return alpha * torch.randn(1, d, k, generator=gen, dtype=DTYPE, device=gen.device)
    if init == "identity":
        return alpha * torch.ones(1, d, k, dtype=DTYPE, device=gen.device)
    raise InvalidArgumentError(f"init must be one of {INITS}; got {init!r}")


def population_descent_k_outputs(
    hidden: torch.Tensor, readout: torch.Tensor, sources: torch.Tensor, schedule: Schedule
) -> KOutputTraining:
    """Gradient descent of depth-2 linear networks with k outputs on the population loss.

    The loss of k source teachers B_s = [β_s1 … β_sk] (``sources``, (batch, d, k)) at inputs
    x ~ N(0, I_d) is ‖W_1W_2 − B_s‖²_F; its gradients are 2RW_2ᵀ and 2W_1ᵀR with R = W_1W_2 − B_s
    (the k = 1 flow of :func:`layer_gradients` with r ⊗ outputs). Each network is its own
    early-stopping group: it stops after the check whose pre-step loss is at most ``tol`` (floor 0),
    that step still applied, as :func:`gradient_descent` does. A step costs O(d²k).
    """
    if hidden.ndim != 3 or readout.ndim != 3 or sources.shape != readout.shape:
        raise InvalidArgumentError(
            "hidden must be (batch, d, d), readout and sources (batch, d, k) alike; got "
            f"{tuple(hidden.shape)}, {tuple(readout.shape)}, {tuple(sources.shape)}"
        )
    w1, w2 = hidden.clone(), readout.clone()
    batch = w1.shape[0]
    device = w1.device
    steps_taken = torch.zeros(batch, dtype=torch.long, device=device)
    index = torch.arange(batch, device=device)
    work1, work2, work_sources = w1, w2, sources
    lr, decay = schedule.lr, schedule.weight_decay
    for k in range(schedule.steps):
        residual = work1 @ work2 - work_sources
        loss = (residual * residual).sum((-2, -1))
        grad1 = 2 * residual @ work2.transpose(-1, -2)
        grad2 = 2 * work1.transpose(-1, -2) @ residual
        work1 = work1 * (1 - lr * decay) - lr * grad1
        work2 = work2 * (1 - lr * decay) - lr * grad2
        steps_taken[index] += 1
        if schedule.tol is not None and k % schedule.check_every == 0:
            done = loss <= schedule.tol
            if bool(done.any()):
                w1[index[done]], w2[index[done]] = work1[done], work2[done]
                keep = (~done).nonzero().squeeze(-1)
                index = index[keep]
                work1, work2, work_sources = work1[keep], work2[keep], work_sources[keep]
                if index.numel() == 0:
                    break
    w1[index], w2[index] = work1, work2
    residual = w1 @ w2 - sources
    return KOutputTraining(w1, w2, steps_taken, (residual * residual).sum((-2, -1)))
