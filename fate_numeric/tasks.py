"""Teachers and data of the linear model (docs/paper.md §2.1; ``transfer.py``, ``train.py``).

Source and target are noisy linear teachers with unit vectors at angle θ,
β_t = cos θ β_s + sin θ ν (ν ⊥ β_s, ‖ν‖ = 1), inputs x ~ N(0, I_d), labels y = βᵀx + σ ε.
Everything is drawn from a caller's :class:`torch.Generator` (never global state) in float64.

The simulators need the data only through their sufficient statistics
S = XᵀX/n, b = Xᵀy/n, c = yᵀy/n (:class:`Statistics`): the authors' loss (1/n)‖Xβ̂ − y‖²
equals β̂ᵀSβ̂ − 2bᵀβ̂ + c.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from derivations.errors import InvalidArgumentError
from fate_numeric.numerics import DTYPE


@dataclass(frozen=True)
class Teachers:
    """Unit source and target vectors (each of shape (d,)) at angle ``theta``."""

    source: torch.Tensor
    target: torch.Tensor
    theta: float


def make_teachers(d: int, theta: float, gen: torch.Generator) -> Teachers:
    """β_s uniform on the sphere; β_t at angle θ from it, as the authors draw them."""
    if not isinstance(d, int) or d < 2:
        raise InvalidArgumentError(f"d must be an integer >= 2; got {d!r}")
    if not 0.0 <= theta <= math.pi:
        raise InvalidArgumentError(f"theta must be a real number in [0, π]; got {theta!r}")
    device = gen.device
    source = torch.randn(d, generator=gen, dtype=DTYPE, device=device)
    source /= torch.linalg.vector_norm(source)
    other = torch.randn(d, generator=gen, dtype=DTYPE, device=device)
    other -= (other @ source) * source
    other /= torch.linalg.vector_norm(other)
    target = math.cos(theta) * source + math.sin(theta) * other
    return Teachers(source=source, target=target, theta=float(theta))


def gaussian_data(
    batch: int, n: int, beta: torch.Tensor, sigma: float, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch`` independent data sets: X of shape (batch, n, d), y = Xβ + σ ε of shape (batch, n).

    ``beta`` is (d,) (one teacher for all) or (batch, d).
    """
    if not isinstance(n, int) or n < 1:
        raise InvalidArgumentError(f"n must be an integer >= 1; got {n!r}")
    if sigma < 0 or not math.isfinite(sigma):
        raise InvalidArgumentError(f"sigma must be a real number >= 0; got {sigma!r}")
    d = beta.shape[-1]
    x = torch.randn(batch, n, d, generator=gen, dtype=DTYPE, device=gen.device)
    beta_b = beta.expand(batch, d)
    noise = torch.randn(batch, n, generator=gen, dtype=DTYPE, device=gen.device)
    y = torch.einsum("bnd,bd->bn", x, beta_b) + sigma * noise
    return x, y


@dataclass(frozen=True)
class Statistics:
    """Sufficient statistics of a batch of data sets for the squared loss.

    Attributes:
        gram: S = XᵀX/n, shape (batch, d, d).
        cross: b = Xᵀy/n, shape (batch, d).
        energy: c = yᵀy/n, shape (batch,).
        n: samples per data set (``None`` for a concatenation of data sets of different sizes).
    """

    gram: torch.Tensor
    cross: torch.Tensor
    energy: torch.Tensor
    n: int | None

    @classmethod
    def from_data(cls, x: torch.Tensor, y: torch.Tensor) -> Statistics:
        """Statistics of data X (batch, n, d), y (batch, n)."""
        n = x.shape[-2]
        return cls(
            gram=x.transpose(-1, -2) @ x / n,
            cross=torch.einsum("bnd,bn->bd", x, y) / n,
            energy=(y * y).sum(-1) / n,
            n=n,
        )

    @classmethod
    def concatenate(cls, parts: list[Statistics]) -> Statistics:
        """The statistics of several batches of data sets, one after the other."""
        sizes = {part.n for part in parts}
        return cls(
            torch.cat([p.gram for p in parts]),
            torch.cat([p.cross for p in parts]),
            torch.cat([p.energy for p in parts]),
            n=sizes.pop() if len(sizes) == 1 else None,
        )

    def cast(self, dtype: torch.dtype) -> Statistics:
        """The statistics in another floating-point precision."""
        return Statistics(self.gram.to(dtype), self.cross.to(dtype), self.energy.to(dtype), self.n)

    def loss(self, beta_hat: torch.Tensor) -> torch.Tensor:
        """The authors' training loss (1/n)‖Xβ̂ − y‖² for each data set, from the statistics."""
        s_beta = torch.einsum("bij,bj->bi", self.gram, beta_hat)
        return (beta_hat * s_beta).sum(-1) - 2 * (self.cross * beta_hat).sum(-1) + self.energy

    def least_squares_residual(self) -> torch.Tensor:
        """The smallest training loss any β reaches: 0 if n < d, else the OLS residual.

        This is the authors' early-stopping floor ``minimum_loss``; for n >= d it is
        c − bᵀS⁻¹b (S is invertible with probability one).
        """
        d = self.gram.shape[-1]
        if self.n is None:
            raise ValueError("the least-squares floor needs a common sample size n")
        if self.n < d:
            return torch.zeros_like(self.energy)
        solved = torch.linalg.solve(self.gram, self.cross.unsqueeze(-1)).squeeze(-1)
        return (self.energy - (self.cross * solved).sum(-1)).clamp_min(0.0)
