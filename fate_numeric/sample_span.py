"""Gradient descent in the span of the samples: the same steps for O(k·d) instead of O(d²) (n < d).

With n < d samples, the gradient of the authors' loss in the end-to-end vector,
r = 2(Sβ̂ − b) = (2/n)Xᵀ(Xβ̂ − y), lies in the row space R of X, of dimension k = n. The first
layer's gradient is the outer product ∇W_1 = r ⊗ v with v = W_2⋯W_L (``linear.layer_gradients``),
so gradient descent moves W_1 only inside R. With an orthonormal basis Q (d × k) of R write
W_1 = Q P + N, P = QᵀW_1 (k × d), N = (I − QQᵀ)W_1. Then, step by step and exactly:

* the loss sees W_1 only through P: Qᵀβ̂ = P v, and β̂ᵀSβ̂ − 2bᵀβ̂ + c = β̃ᵀS̃β̃ − 2b̃ᵀβ̃ + c with
  β̃ = Pv, S̃ = QᵀSQ (k × k), b̃ = Qᵀb, because S = QS̃Qᵀ and b = Qb̃;
* the step of P is that of a deep linear network of input dimension k on the statistics
  (S̃, b̃, c): P ← ρP − η r̃ ⊗ v with r̃ = 2(S̃β̃ − b̃), and W_1ᵀr = Pᵀr̃ for the later layers;
* N only decays: N ← ρN with ρ = 1 − η·(weight decay), so N_T = ρ^T N_0 after T steps.

The reduced program is therefore the ordinary fast path,
:func:`~fate_numeric.linear.gradient_descent`, on the network (P, W_2, …, W_L) and the
statistics (S̃, b̃, c); the full network is lifted back at the end, W_1 = QP_T + ρ^T N_0.
For L = 2 one step then moves about 4·k·d words instead of 5·d² (S once, W_1 twice, W_1 read
and written): at n = d/2, 2.2× less memory traffic. The paths agree to rounding (tests: 1e-10
relative in float64, weight decay and early stopping included).

Only what is not a time course can be lifted: the recorded training losses are the same, but the
generalisation error along the way would need N at every record, so :mod:`fate_numeric.experiments`
takes the full path for cells that record a time course.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from derivations.errors import InvalidArgumentError
from fate_numeric.linear import (
    Empirical,
    Network,
    Schedule,
    Training,
    gradient_descent,
    imbalance_drift,
    instance_decays,
)
from fate_numeric.tasks import Statistics


@dataclass(frozen=True)
class SampleSpan:
    """The span of each data set's samples and the statistics in its coordinates.

    Attributes:
        basis: Q, shape (batch, d, k): orthonormal columns spanning the rows of X (k = n < d).
        stats: S̃ = QᵀSQ (batch, k, k), b̃ = Qᵀb (batch, k), c = yᵀy/n and n.
    """

    basis: torch.Tensor
    stats: Statistics

    @classmethod
    def from_data(cls, x: torch.Tensor, y: torch.Tensor) -> SampleSpan:
        """The span of X (batch, n, d) with n < d and the statistics of (X, y) in it.

        Q is the CholeskyQR2 factor of Xᵀ (two passes of Q = XᵀL⁻ᵀ with LLᵀ = XXᵀ; the second
        restores orthonormality to rounding whenever cond(X) < 10⁸), so only batched products,
        Cholesky factorisations and triangular solves run, which a GPU does well.
        """
        n, d = x.shape[-2], x.shape[-1]
        if n >= d:
            raise InvalidArgumentError(
                f"the sample span is a proper subspace only for n < d; got n={n}, d={d}"
            )
        basis = _orthonormal_columns(x.transpose(-1, -2))
        coordinates = x @ basis  # XQ, (batch, n, k)
        stats = Statistics(
            gram=coordinates.transpose(-1, -2) @ coordinates / n,
            cross=torch.einsum("bnk,bn->bk", coordinates, y) / n,
            energy=(y * y).sum(-1) / n,
            n=n,
        )
        return cls(basis, stats)

    @property
    def rank(self) -> int:
        return self.basis.shape[-1]

    def cast(self, dtype: torch.dtype) -> SampleSpan:
        return SampleSpan(self.basis.to(dtype), self.stats.cast(dtype))

    @classmethod
    def concatenate(cls, parts: Sequence[SampleSpan]) -> SampleSpan:
        """The spans of several batches of data sets of one size, one after the other."""
        if len({part.rank for part in parts}) != 1:
            raise InvalidArgumentError("only spans of one dimension (one n) can be concatenated")
        return cls(
            torch.cat([part.basis for part in parts]),
            Statistics.concatenate([part.stats for part in parts]),
        )

    def reduce(self, network: Network) -> Network:
        """The network with its first layer replaced by P = QᵀW_1 (batch, k, d)."""
        first = self.basis.transpose(-1, -2) @ network.hidden[0]
        return Network((first, *(w.clone() for w in network.hidden[1:])), network.readout.clone())

    def lift(self, reduced: Network, start: Network, shrink: torch.Tensor) -> Network:
        """The full network W_1 = QP + ρ^T N_0, with N_0 = (I − QQᵀ)W_1(0) of ``start`` and the
        per-instance factor ``shrink`` = ρ^T (batch,) by which weight decay shrank N."""
        first = start.hidden[0]
        outside = first - self.basis @ (self.basis.transpose(-1, -2) @ first)
        lifted = self.basis @ reduced.hidden[0] + shrink[:, None, None] * outside
        return Network((lifted, *reduced.hidden[1:]), reduced.readout)


def _orthonormal_columns(a: torch.Tensor) -> torch.Tensor:
    """Q with orthonormal columns and the column span of ``a`` (batch, d, k), k < d: CholeskyQR2."""
    q = a
    for _ in range(2):
        factor = torch.linalg.cholesky(q.transpose(-1, -2) @ q)
        q = torch.linalg.solve_triangular(factor, q.transpose(-1, -2), upper=False).transpose(
            -1, -2
        )
    return q


def gradient_descent_in_span(
    network: Network,
    span: SampleSpan,
    schedule: Schedule,
    target: torch.Tensor | None = None,
    groups: torch.Tensor | None = None,
    track_drift: bool = True,
    weight_decays: torch.Tensor | None = None,
) -> Training:
    """:func:`~fate_numeric.linear.gradient_descent` on the empirical loss of data sets with
    n < d samples, run in the span of the samples and lifted back (see the module docstring).

    Same arguments and results as the full path, except that a recorded time course
    (``schedule.record_every``) holds the training losses only, not the generalisation error.
    The early-stopping floor is 0 (n < d: the data can be interpolated).
    """
    batch = network.batch
    dtype, device = network.readout.dtype, network.readout.device
    if span.basis.shape[0] != batch or span.basis.shape[-2] != network.hidden[0].shape[-2]:
        raise InvalidArgumentError(
            f"the span ({tuple(span.basis.shape)}) does not match the networks "
            f"(batch {batch}, d {network.hidden[0].shape[-2]})"
        )
    floors = torch.zeros(batch, dtype=dtype, device=device)
    trained = gradient_descent(
        span.reduce(network),
        Empirical(span.stats, floors),
        schedule,
        groups=groups,
        track_drift=False,
        weight_decays=weight_decays,
    )
    decay = instance_decays(schedule, weight_decays, batch, dtype, device)
    shrink = (1 - schedule.lr * decay) ** trained.steps.to(dtype)
    net = span.lift(trained.network, network, shrink)
    drift = imbalance_drift(network, net) if track_drift else None
    error = None
    if target is not None:
        error = ((net.end_to_end() - target.expand(batch, -1)) ** 2).sum(-1)
    return Training(net, trained.steps, trained.train_loss, error, trained.history, drift)
