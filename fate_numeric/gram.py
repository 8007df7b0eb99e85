"""Depth-2 gradient descent in the Gram variables (K = W_1W_1ᵀ, β̂ = W_1w_2, s = ‖w_2‖²).

The derived record ``gram_descent_step`` (:mod:`derivations.gram_descent`) shows that one step of
the authors' gradient descent with weight decay maps (K, β̂, s) to

    β̂' = A_β β̂ + B Kg + C g,   K' = A_K K + u gᵀ + g uᵀ (u = Dβ̂ + Eg),   s' = A_s s + F β̂ᵀg + G gᵀKg

with g = 2(Sβ̂ − b) (population loss: S = I, b = β_s) and scalar coefficients that are lambdified
here from the record. Nothing else of W_1 is ever observed by the loss or by linear transfer
(``gram_refit``), so this is the same simulation as :func:`fate_numeric.linear.gradient_descent`
at L = 2, equal to it to rounding (tests: 1e-10 relative after 100 float64 steps, same early
stopping), with less work per step:

* the data enter through S = VΛVᵀ, diagonalised once per data set: in that basis Sβ̂ is an
  elementwise product, so a step is one pass over K (Kg fused with the previous step's rank-two
  update), instead of the W-form's five passes over S and W_1;
* per instance the state (K: 2 MB at d = 500 in float64) stays in the CPU's cache across steps.

Two backends of the same recursion:

* ``"numba"`` (CPU; the default there when numba is installed): a compiled loop, instance by
  instance (parallel over instances with ``prange``), step by step, that reads and writes each row
  of K once a step, applying the previous step's rank-two update and forming Kg in the same pass.
  Chosen because it measured fastest on the 2-core development CPU at d = 500: 45 µs a step on
  one core and 32 µs per network-step with two instances on the two cores, against ≈ 200–300 µs
  for deferred low-rank updates folded every 8–32 steps (K = K₀ + UGᵀ + GUᵀ: the fold's
  strided access vectorised badly) and ≈ 140 µs for a symmetric-triangle variant (its scatter
  into Kg did not vectorise), and the per-call overhead of torch or numpy (several calls a step,
  each a few µs) would alone exceed the budget (``benchmarks/bench_linear.py`` measures the
  paths side by side).
  It is compiled with ``fastmath`` so that LLVM vectorises the reductions: sums are reassociated,
  so results can differ between CPUs (vector widths) at the 10⁻¹⁶ level, never between runs on
  one machine.
* ``"torch"``: the batched recursion in torch, device-agnostic (CUDA, and CPU without numba).

What the Gram form does not keep: W_1ᵀW_1, hence the drift ‖D(end) − D(0)‖_F of the imbalance of
eq. 36. It reports ``trace_drift`` = |tr D(end) − tr D(0)| with tr D = tr K − s, a lower bound of
√d‖D(end) − D(0)‖_F, and the singular values of W_1 as √(eigenvalues of K).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import sympy as sp
import torch

from derivations import gram_descent as GRAM
from derivations.errors import InvalidArgumentError
from derivations.registry import get
from fate_numeric.linear import (
    Network,
    Objective,
    Population,
    Schedule,
    Training,
    check_refit_arguments,
    groups_still_training,
)
from fate_numeric.linear import instance_decays as _instance_decays
from fate_numeric.tasks import Statistics

BACKENDS = ("auto", "numba", "torch")


@dataclass(frozen=True)
class GramState:
    """A batch of depth-2 networks through their Gram variables.

    Attributes:
        gram: K = W_1W_1ᵀ, shape (batch, d, d).
        beta: β̂ = W_1w_2, shape (batch, d).
        readout_norm2: s = ‖w_2‖², shape (batch,).
    """

    gram: torch.Tensor
    beta: torch.Tensor
    readout_norm2: torch.Tensor

    @classmethod
    def from_network(cls, network: Network) -> GramState:
        if network.depth != 2:
            raise InvalidArgumentError(
                f"the Gram form is exact for depth L = 2 only; this network has L = {network.depth}"
            )
        first = network.hidden[0]
        return cls(
            first @ first.transpose(-1, -2),
            network.end_to_end(),
            (network.readout * network.readout).sum(-1),
        )

    @property
    def batch(self) -> int:
        return self.beta.shape[0]

    def end_to_end(self) -> torch.Tensor:
        """β̂, shape (batch, d) (the name :class:`~fate_numeric.linear.Network` uses)."""
        return self.beta

    def select(self, index: torch.Tensor | slice) -> GramState:
        return GramState(
            self.gram[index].clone(), self.beta[index].clone(), self.readout_norm2[index].clone()
        )

    def imbalance_trace(self) -> torch.Tensor:
        """tr D = tr K − s (``gram_descent_step``), shape (batch,)."""
        return torch.diagonal(self.gram, dim1=-2, dim2=-1).sum(-1) - self.readout_norm2

    def spectrum(self) -> FeatureSpectrum:
        """The eigendecomposition of K: the feature map's left singular vectors and values."""
        values, vectors = torch.linalg.eigh(self.gram)
        return FeatureSpectrum(values.flip(-1).clamp_min(0.0), vectors.flip(-1))


@dataclass(frozen=True)
class FeatureSpectrum:
    """K = QΛQᵀ, eigenvalues in decreasing order (``gram_refit``): the pretrained feature map
    W_1 has singular values √Λ and left singular vectors Q."""

    values: torch.Tensor  # (batch, d), decreasing, clamped at 0
    vectors: torch.Tensor  # (batch, d, d), columns

    def singular_values(self, count: int = 3) -> torch.Tensor:
        return self.values[:, :count].sqrt()

    def select(self, index: torch.Tensor | slice) -> FeatureSpectrum:
        return FeatureSpectrum(self.values[index], self.vectors[index])


# ---- the derived step ---------------------------------------------------------------------------
@functools.cache
def step_coefficients():
    """(A_β, B, C, A_K, D, E, A_s, F, G) as a function of (η, λ_wd, s, β̂ᵀg), lambdified from the
    record ``gram_descent_step``; plain arithmetic, so it takes floats, tensors, and compiles
    with numba."""
    record = get("gram_descent_step")
    stray = record.expr.free_symbols - set(GRAM.STEP_VARIABLES)
    if stray:  # lambdify would print an unknown name verbatim into the code it generates
        raise RuntimeError(f"gram_descent_step depends on {sorted(map(str, stray))}")
    return sp.lambdify(
        GRAM.STEP_VARIABLES, record.expr, modules="math", dummify=True, docstring_limit=0
    )


def _torch_step(
    gram: torch.Tensor,
    beta: torch.Tensor,
    s: torch.Tensor,
    lam: torch.Tensor,
    cross: torch.Tensor,
    energy: torch.Tensor,
    eta: torch.Tensor,
    decay: torch.Tensor,
) -> torch.Tensor:
    """One step of the batch in the eigenbasis of S (in place); returns the pre-step loss."""
    s_beta = lam * beta
    loss = (beta * (s_beta - 2 * cross)).sum(-1) + energy
    g = 2 * (s_beta - cross)
    kg = torch.einsum("bij,bj->bi", gram, g)
    bg = (beta * g).sum(-1)
    gkg = (g * kg).sum(-1)
    a_beta, b, c, a_k, dd, e, a_s, f, g0 = step_coefficients()(eta, decay, s, bg)
    u = dd[:, None] * beta + e[:, None] * g
    gram.mul_(a_k[:, None, None])
    gram.baddbmm_(u.unsqueeze(2), g.unsqueeze(1))
    gram.baddbmm_(g.unsqueeze(2), u.unsqueeze(1))
    beta.copy_(a_beta[:, None] * beta + b[:, None] * kg + c[:, None] * g)
    s.copy_(a_s * s + f * bg + g0 * gkg)
    return loss


@functools.cache
def _numba_kernel():
    """The compiled per-instance loop (None without numba)."""
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency; torch is the fallback
        return None
    coefficients = numba.njit(step_coefficients())

    @numba.njit(fastmath=True)
    def advance_one(gram, beta, s, pending, u, gp, lam, cross, energy, eta, decay, steps):
        """``steps`` steps of one instance; the last step's rank-two update of K stays pending
        (scale ``pending``, vectors u, gp) and is applied in the next pass over K. Returns the
        state's s and the pre-step loss of the last step."""
        d = beta.shape[0]
        g = np.empty(d)
        kg = np.empty(d)
        loss = 0.0
        for _ in range(steps):
            loss = energy
            for i in range(d):
                sb = lam[i] * beta[i]
                loss += beta[i] * (sb - 2.0 * cross[i])
                g[i] = 2.0 * (sb - cross[i])
            for i in range(d):  # K ← pending·K + u gpᵀ + gp uᵀ, and Kg, in one pass
                ui = u[i]
                gi = gp[i]
                acc = 0.0
                row = gram[i]
                for j in range(d):
                    v = pending * row[j] + ui * gp[j] + gi * u[j]
                    row[j] = v
                    acc += v * g[j]
                kg[i] = acc
            bg = 0.0
            gkg = 0.0
            for i in range(d):
                bg += beta[i] * g[i]
                gkg += g[i] * kg[i]
            a_beta, b, c, a_k, dd, e, a_s, f, g0 = coefficients(eta, decay, s, bg)
            for i in range(d):
                u[i] = dd * beta[i] + e * g[i]
                gp[i] = g[i]
                beta[i] = a_beta * beta[i] + b * kg[i] + c * g[i]
            pending = a_k
            s = a_s * s + f * bg + g0 * gkg
        return s, pending, loss

    @numba.njit(parallel=True)
    def advance(rows, gram, beta, s, pending, u, gp, lam, cross, energy, eta, decay, steps, out):
        for k in numba.prange(rows.shape[0]):
            i = rows[k]
            s_i, pending_i, loss = advance_one(
                gram[i], beta[i], s[i], pending[i], u[i], gp[i], lam[i], cross[i], energy[i],
                eta, decay[i], steps,
            )  # fmt: skip
            s[i] = s_i
            pending[i] = pending_i
            out[i] = loss

    return advance


def numba_available() -> bool:
    return _numba_kernel() is not None


# ---- the driver --------------------------------------------------------------------------------
@dataclass
class _Rotated:
    """The problem in the eigenbasis of S: S = V diag(λ) Vᵀ (V = None: S = I, no rotation)."""

    lam: torch.Tensor
    cross: torch.Tensor
    energy: torch.Tensor
    vectors: torch.Tensor | None

    @classmethod
    def of(cls, objective: Objective, batch: int, like: torch.Tensor) -> _Rotated:
        if isinstance(objective, Population):
            beta = objective.beta.expand(batch, -1).to(like)
            return cls(torch.ones_like(beta), beta.clone(), (beta * beta).sum(-1), None)
        stats: Statistics = objective.stats
        lam, vectors = torch.linalg.eigh(stats.gram)
        cross = torch.einsum("bji,bj->bi", vectors, stats.cross)
        return cls(lam, cross, stats.energy.clone(), vectors)

    def into(self, vector: torch.Tensor) -> torch.Tensor:
        if self.vectors is None:
            return vector.clone()
        return torch.einsum("bji,bj->bi", self.vectors, vector)

    def back(self, vector: torch.Tensor) -> torch.Tensor:
        if self.vectors is None:
            return vector.clone()
        return torch.einsum("bij,bj->bi", self.vectors, vector)

    def into_gram(self, gram: torch.Tensor) -> torch.Tensor:
        if self.vectors is None:
            return gram.clone()
        return self.vectors.transpose(-1, -2) @ gram @ self.vectors

    def back_gram(self, gram: torch.Tensor) -> torch.Tensor:
        if self.vectors is None:
            return gram
        return self.vectors @ gram @ self.vectors.transpose(-1, -2)

    def loss(self, beta: torch.Tensor) -> torch.Tensor:
        return (beta * (self.lam * beta - 2 * self.cross)).sum(-1) + self.energy


def resolve_backend(backend: str, device: torch.device, dtype: torch.dtype) -> str:
    """``auto``: numba on the CPU in float64 where numba is installed, else torch."""
    if backend not in BACKENDS:
        raise InvalidArgumentError(f"backend must be one of {BACKENDS}; got {backend!r}")
    cpu64 = device.type == "cpu" and dtype == torch.float64
    if backend == "numba" and not cpu64:
        raise InvalidArgumentError("the numba backend runs on the CPU in float64 only")
    if backend == "numba" and not numba_available():
        raise InvalidArgumentError("the numba backend needs the numba package")
    if backend == "auto":
        return "numba" if cpu64 and numba_available() else "torch"
    return backend


def gram_descent(
    state: GramState | Network,
    objective: Objective,
    schedule: Schedule,
    target: torch.Tensor | None = None,
    groups: torch.Tensor | None = None,
    weight_decays: torch.Tensor | None = None,
    backend: str = "auto",
) -> Training:
    """Full-batch gradient descent of depth-2 networks in the Gram form.

    Same arguments, early stopping (the schedule's rule, per group) and results as
    :func:`fate_numeric.linear.gradient_descent` at L = 2, except that ``network`` of the returned
    :class:`~fate_numeric.linear.Training` is a :class:`GramState` and ``drift`` holds
    ``trace_drift`` = |tr D(end) − tr D(0)| (shape (batch, 1)). Recording a time course is not
    supported (use the W-form).
    """
    if schedule.record_every is not None:
        raise InvalidArgumentError("the Gram form does not record time courses; use the W-form")
    start = GramState.from_network(state) if isinstance(state, Network) else state
    batch = start.batch
    device, dtype = start.beta.device, start.beta.dtype
    chosen = resolve_backend(backend, device, dtype)
    groups = torch.zeros(batch, dtype=torch.long, device=device) if groups is None else groups
    decay = _instance_decays(schedule, weight_decays, batch, dtype, device)
    floors = objective.floor(batch).to(dtype)
    rotated = _Rotated.of(objective, batch, start.beta)

    gram = rotated.into_gram(start.gram).contiguous()
    beta = rotated.into(start.beta).contiguous()
    s = start.readout_norm2.clone()
    runner = _NumbaRun if chosen == "numba" else _TorchRun
    run = runner(gram, beta, s, rotated, schedule.lr, decay)

    active = torch.ones(batch, dtype=torch.bool, device=device)
    steps_taken = torch.zeros(batch, dtype=torch.long, device=device)
    group_count = int(groups.max().item()) + 1
    k = 0
    while k < schedule.steps:
        if schedule.tol is None:
            chunk = schedule.steps
        else:  # up to and including the next early-stopping check
            next_check = k + (-k) % schedule.check_every
            chunk = min(next_check, schedule.steps - 1) - k + 1
        rows = active.nonzero().squeeze(-1)
        last_loss = run.advance(rows, chunk)
        steps_taken[rows] += chunk
        k += chunk
        if schedule.tol is not None and (k - 1) % schedule.check_every == 0:
            training = groups_still_training(
                last_loss[rows], floors[rows], schedule.tol, groups[rows], group_count,
                schedule.stopping,
            )  # fmt: skip
            active[rows] &= training
            if not bool(active.any()):
                break
    run.flush()
    final_loss = rotated.loss(beta)
    error = None
    if target is not None:
        error = ((beta - rotated.into(target.expand(batch, -1).to(dtype))) ** 2).sum(-1)
    end = GramState(rotated.back_gram(gram), rotated.back(beta), s)
    drift = (end.imbalance_trace() - start.imbalance_trace()).abs().unsqueeze(-1)
    return Training(end, steps_taken, final_loss, error, drift=drift)


class _TorchRun:
    """The batched recursion in torch (any device)."""

    def __init__(self, gram, beta, s, rotated: _Rotated, lr: float, decay: torch.Tensor) -> None:
        self.gram, self.beta, self.s, self.rotated = gram, beta, s, rotated
        self.lr, self.decay = lr, decay

    def advance(self, rows: torch.Tensor, steps: int) -> torch.Tensor:
        whole = rows.numel() == self.beta.shape[0]
        pick = slice(None) if whole else rows
        gram, beta, s = self.gram[pick], self.beta[pick], self.s[pick]
        lam, cross = self.rotated.lam[pick], self.rotated.cross[pick]
        energy, decay = self.rotated.energy[pick], self.decay[pick]
        eta = torch.full_like(s, self.lr)
        loss = torch.zeros_like(s)
        for _ in range(steps):
            loss = _torch_step(gram, beta, s, lam, cross, energy, eta, decay)
        if not whole:
            self.gram[rows], self.beta[rows], self.s[rows] = gram, beta, s
        out = torch.full_like(self.s, math.nan)
        out[pick] = loss
        return out

    def flush(self) -> None:
        """Nothing is pending in the torch recursion."""


class _NumbaRun:
    """The compiled per-instance loop on numpy views of the CPU tensors."""

    def __init__(self, gram, beta, s, rotated: _Rotated, lr: float, decay: torch.Tensor) -> None:
        self.kernel = _numba_kernel()
        self.gram, self.beta, self.s = gram.numpy(), beta.numpy(), s.numpy()
        batch, d = self.beta.shape
        self.pending = np.ones(batch)
        self.u = np.zeros((batch, d))
        self.gp = np.zeros((batch, d))
        self.lam = rotated.lam.contiguous().numpy()
        self.cross = rotated.cross.contiguous().numpy()
        self.energy = rotated.energy.contiguous().numpy()
        self.decay = decay.contiguous().numpy()
        self.lr = float(lr)
        self.out = np.zeros(batch)

    def advance(self, rows: torch.Tensor, steps: int) -> torch.Tensor:
        self.out[:] = math.nan
        self.kernel(
            rows.numpy().astype("int64"), self.gram, self.beta, self.s, self.pending, self.u,
            self.gp, self.lam, self.cross, self.energy, self.lr, self.decay, steps, self.out,
        )  # fmt: skip
        return torch.from_numpy(self.out.copy())

    def flush(self) -> None:
        """Apply the pending rank-two updates of K."""
        for i in range(self.beta.shape[0]):
            gram = self.gram[i]
            gram *= self.pending[i]
            gram += self.u[i][:, None] * self.gp[i][None, :] + self.gp[i][:, None] * self.u[i]
        self.pending[:] = 1.0
        self.u[:] = 0.0
        self.gp[:] = 0.0


# ---- linear transfer through K ----------------------------------------------------------------
def linear_transfer_gram(
    spectrum: FeatureSpectrum,
    stats: Statistics,
    ridges: tuple[float, ...] | list[float],
    target: torch.Tensor,
    rank_rtol: float = 1e-3,
    authors_jitter: bool = False,
) -> torch.Tensor:
    """:func:`fate_numeric.linear.linear_transfer` at L = 2 from the eigendecomposition of K
    (``gram_refit``): β̂ = QΛ^{1/2}(Λ^{1/2}QᵀSQΛ^{1/2} + λI)⁻¹Λ^{1/2}Qᵀb per ridge λ; λ = 0 is
    the minimum-norm fit on the columns of Q with √Λ > ``rank_rtol``·√Λ_max (or the authors'
    ridge 10⁻⁵ with ``authors_jitter``). Returns (len(ridges), batch) generalisation errors."""
    check_refit_arguments(ridges, rank_rtol)
    vectors, values = spectrum.vectors, spectrum.values
    roots = values.sqrt()
    reduced_gram = vectors.transpose(-1, -2) @ stats.gram @ vectors  # QᵀSQ
    reduced_cross = torch.einsum("bji,bj->bi", vectors, stats.cross)  # Qᵀb
    scaled = roots[:, :, None] * reduced_gram * roots[:, None, :]
    rhs = roots * reduced_cross
    eye = torch.eye(values.shape[-1], dtype=values.dtype, device=values.device)
    errors = []
    for lam in ridges:
        if lam == 0 and not authors_jitter:
            beta_hat = _minimum_norm(vectors, roots, reduced_gram, reduced_cross, rank_rtol, stats)
        else:
            strength = 1e-5 if lam == 0 else lam
            z = torch.linalg.solve(scaled + strength * eye, rhs.unsqueeze(-1)).squeeze(-1)
            beta_hat = torch.einsum("bij,bj->bi", vectors, roots * z)
        errors.append(((beta_hat - target) ** 2).sum(-1))
    return torch.stack(errors)


def _minimum_norm(vectors, roots, reduced_gram, reduced_cross, rank_rtol, stats) -> torch.Tensor:
    """β̂ = Q_r(Q_rᵀSQ_r)⁻¹Q_rᵀb on the numerical rank r of the feature map."""
    keep = roots > rank_rtol * roots[:, :1]
    ranks = keep.sum(-1)
    out = torch.empty_like(reduced_cross)
    for rank in torch.unique(ranks).tolist():
        rows = ranks == rank
        system = reduced_gram[rows][:, :rank, :rank]
        projected = reduced_cross[rows][:, :rank]
        if stats.n is not None and rank <= stats.n:
            coefficients = torch.linalg.solve(system, projected.unsqueeze(-1)).squeeze(-1)
        else:
            inverse = torch.linalg.pinv(system, hermitian=True)
            coefficients = torch.einsum("brs,bs->br", inverse, projected)
        out[rows] = torch.einsum("bdr,br->bd", vectors[rows][:, :, :rank], coefficients)
    return out
