"""Monte Carlo of the limit objects of the theorems (docs/paper.md §8.2): no network is trained.

In the α → 0 limit the trained networks of the paper are closed-form functions of the data:

* scratch training ends at the minimum-norm solution β̂_sc = X⁺y (Thm 3.5), risk ‖β̂_sc − β_t‖²
  (Thm 3.6, eq. 8);
* linear transfer re-fits the last layer on the rank-one pretrained feature z = Xβ_s
  (Thm 3.4): b = zᵀy/(zᵀz + nλ), risk ‖bβ_s − β_t‖² (Thm 3.7 eq. 10; Thm 3.8 eq. 13 for λ > 0);
* fine-tuning ends at β̂_sc + (I − P)β_s, P = X⁺X (App. D.8 eq. 143, Thm 3.9), or — the exact
  gradient-flow end point from the balanced pretrained state (docs/paper.md §3.8) — at
  β̂_sc + c(I − P)β_s with c > 0 solving c⁴ − a c² − b = 0, a = ‖(I − P)β_s‖², b = ‖β̂_sc‖²;
* a finite source (App. C, Thm C.1) replaces β_s by β̂_s = X_s⁺y_s; pretrained with weight decay
  λ_p (extension, docs/paper.md §12) by the ridge solution B = (S + μI)⁻¹r with the
  self-consistent ridge μ = λ_p/(2‖B‖) (``wd_finite_source_end_point``,
  :func:`decayed_source_fit`).

Sampling these is exact in distribution at finite n, d and costs one Gram solve per draw.

Conventions and decisions
-------------------------
* torch, float64, batched over draws, on one device (CPU unless asked otherwise; CUDA works and
  follows :mod:`fate_numeric.numerics`: TF32 off, no ``lstsq``; only solves of full-rank Gram
  matrices XXᵀ (n < d) or XᵀX (n > d), and of the square X itself when n = d).
* Randomness: an integer ``seed`` (a fresh :class:`torch.Generator` on the device) or a caller's
  generator, which is advanced; never the global state. Each call first draws its teachers
  (unit β_s uniform on the sphere, β_t = cos θ β_s + sin θ ν, ν ⊥ β_s, docs/paper.md §2.1, via
  :func:`fate_numeric.tasks.make_teachers`), then the data **draw by draw** (per draw, in this
  order: source X_s and its noise where there is a finite source, then target X and its noise).
  So the random numbers do not depend on the chunking (``max_bytes``): chunked and unchunked
  runs with the same seed draw identical data, and their risks agree to rounding (batched BLAS
  may round differently for different batch sizes). On CPU, drawing the Gaussians costs about
  as much as the linear algebra.
* Memory: the draws are processed in chunks whose float64 working set — per draw and per data set
  of n × d, n·d + 3·min(n, d)² + 4(n + d) numbers (data, Gram matrix, its LU factor, vectors) —
  stays under ``max_bytes`` (default 512 MiB); a single draw larger than the budget runs alone.
* Linear transfer with the exact feature β_s depends on the data only through z = Xβ_s and
  w = Xν, which are independent N(0, I_n) whatever d >= 2 is (rotation invariance of Gaussian X).
  :func:`linear_transfer_risks` therefore samples the exact two-dimensional reduction
  (coordinates along β_s and ν; teachers e₁ and cos θ e₁ + sin θ e₂): no d argument, O(n) a draw.
* Singular sizes are allowed: for |n − d| <= 1 with σ > 0 (scratch, fine-tuning) and n <= 2
  (linear transfer) every draw is finite but the expected risk is infinite (E tr (XXᵀ)⁻¹ and
  E 1/χ²_n diverge), so sample means do not converge and their standard errors mean nothing.
  Sweeps cross n = d routinely, so this is documented rather than warned about or refused.
  The paired difference of plain fine-tuning stays well-behaved there: the noise cancels in it.
* Every function returns per-draw risks as numpy float64 arrays of shape (draws,);
  :func:`mean_and_standard_error` summarises them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from scipy import optimize

from derivations.errors import InvalidArgumentError
from fate_numeric import theory
from fate_numeric.numerics import DTYPE, generator, resolve_device
from fate_numeric.statistics import mean_and_standard_error
from fate_numeric.tasks import make_teachers

DEFAULT_MAX_BYTES = 512 * 2**20
PROCEDURES = ("fine_tuning", "linear_transfer")

__all__ = [
    "DEFAULT_MAX_BYTES",
    "PROCEDURES",
    "PairedRisks",
    "bytes_per_draw",
    "decayed_source_fit",
    "fine_tuning_risks",
    "finite_source_risks",
    "linear_transfer_risks",
    "mean_and_standard_error",
    "scratch_risks",
]


@dataclass(frozen=True, eq=False)
class PairedRisks:
    """Risks of scratch training and of a transfer procedure on the *same* draws.

    Attributes:
        scratch: ‖β̂_sc − β_t‖² per draw, shape (draws,).
        transfer: the transfer procedure's risk on the same data and teachers, shape (draws,).
        scale: per-draw factor on the start's null-space part under the balanced scale of
            fine-tuning (``balanced=True`` only, else ``None``): c/c₀ with c the positive root of
            c⁴ − a c² − b = 0 and c₀ = ‖start‖^{1/2} (1 for a population source). For n >= d,
            where (I − P)β_s = 0 and it does not enter β̂_ft, c is b^¼ (the gradient-flow value
            of the output weight), not the convention c = 1 of ``theory.ft_balance_scale``.
            0 where the start is 0 (a collapsed finite source, :func:`finite_source_risks`).
        source_norm: the norm of the pretrained end-to-end vector per draw, ‖X_s⁺y_s‖ or, with
            weight decay in pretraining, ‖B‖ (:func:`finite_source_risks` only, else ``None``).
    """

    scratch: np.ndarray
    transfer: np.ndarray
    scale: np.ndarray | None = None
    source_norm: np.ndarray | None = None

    @property
    def transferability(self) -> np.ndarray:
        """Per-draw R_sc − R_tx (docs/paper.md §2.4: positive = transfer beats scratch)."""
        return self.scratch - self.transfer


# --------------------------------------------------------------------------------------------
# validation


def _integer(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InvalidArgumentError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def _real(
    name: str, value: object, lower: float, upper: float = math.inf, *, upper_text=""
) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        ok = False
    else:
        ok = math.isfinite(float(value)) and lower <= float(value) <= upper
    if not ok:
        allowed = f"in [{lower:g}, {upper_text}]" if upper_text else f">= {lower:g}"
        raise InvalidArgumentError(f"{name} must be a real number {allowed}; got {value!r}")
    return float(value)


def _positive(name: str, value: object) -> float:
    if _real(name, value, 0.0) == 0:
        raise InvalidArgumentError(f"{name} must be a real number > 0; got {value!r}")
    return float(value)


def _theta(value: object) -> float:
    return _real("theta", value, 0.0, math.pi, upper_text="π")


def _sigma(name: str, value: object) -> float:
    return _real(name, value, 0.0)


def _setup(
    seed: int | torch.Generator, device: str | torch.device | None
) -> tuple[torch.Generator, torch.device]:
    """The generator to draw from and the device to compute on."""
    if isinstance(seed, torch.Generator):
        gen_device = seed.device
        if device is not None:
            asked = resolve_device(device)
            if asked.type != gen_device.type or (
                asked.index is not None
                and gen_device.index is not None
                and asked.index != gen_device.index
            ):
                raise InvalidArgumentError(
                    f"device must be the generator's device ({gen_device}) when a generator is "
                    f"given; got {device!r}"
                )
        return seed, gen_device
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InvalidArgumentError(
            f"seed must be a non-negative integer or a torch.Generator; got {seed!r}"
        )
    chosen = torch.device("cpu") if device is None else resolve_device(device)
    return generator(int(seed), chosen), chosen


# --------------------------------------------------------------------------------------------
# chunking and drawing


def bytes_per_draw(*shapes: tuple[int, int]) -> int:
    """Estimated peak float64 bytes of one draw with data sets of the given (n, d) shapes."""
    return 8 * sum(n * d + 3 * min(n, d) ** 2 + 4 * (n + d) for n, d in shapes)


def _chunk_sizes(draws: int, per_draw: int, max_bytes: int) -> list[int]:
    size = max(1, min(draws, max_bytes // max(per_draw, 1)))
    full, rest = divmod(draws, size)
    return [size] * full + ([rest] if rest else [])


def _draw(
    batch: int, shapes: Sequence[tuple[int, ...]], gen: torch.Generator
) -> list[torch.Tensor]:
    """Standard normal tensors of shapes (batch, *shape), filled draw by draw in a fixed order.

    Draw i consumes the generator for shapes[0], shapes[1], ... before draw i + 1 starts, so the
    values do not depend on how the draws are split into batches.
    """
    out = [torch.empty(batch, *shape, dtype=DTYPE, device=gen.device) for shape in shapes]
    for i in range(batch):
        for tensor in out:
            tensor[i].normal_(generator=gen)
    return out


def _unit_vector(d: int, gen: torch.Generator) -> torch.Tensor:
    vector = torch.randn(d, generator=gen, dtype=DTYPE, device=gen.device)
    return vector / torch.linalg.vector_norm(vector)


def _gram_solve(gram: torch.Tensor, rhs: torch.Tensor) -> torch.Tensor:
    """Solve G s = rhs for a batch of full-rank Gram matrices G (LU with partial pivoting).

    ``torch.linalg.solve`` rather than Cholesky: on CPU torch's batched Cholesky is ~10× slower
    than its batched LU solve for the sizes used here, and LU is backward stable on these
    symmetric positive-definite systems.
    """
    return torch.linalg.solve(gram, rhs)


def _minimum_norm(
    x: torch.Tensor, y: torch.Tensor, vectors: Sequence[torch.Tensor] = ()
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """X⁺y and (I − P)v for each v in ``vectors`` (each (batch, d)), P = X⁺X, X of full rank.

    n < d: X⁺y = Xᵀ(XXᵀ)⁻¹y and Pv = Xᵀ(XXᵀ)⁻¹Xv (one solve for all right-hand sides);
    n > d: the OLS solution (XᵀX)⁻¹Xᵀy and P = I; n = d: X⁻¹y and P = I.
    """
    n, d = x.shape[-2], x.shape[-1]
    xt = x.transpose(-1, -2)
    if n < d:
        columns = [y] + [torch.einsum("bnd,bd->bn", x, v) for v in vectors]
        solved = _gram_solve(x @ xt, torch.stack(columns, dim=-1))
        back = xt @ solved  # (batch, d, 1 + len(vectors))
        return back[..., 0], [v - back[..., k + 1] for k, v in enumerate(vectors)]
    if n > d:
        beta_hat = _gram_solve(xt @ x, (xt @ y.unsqueeze(-1)))[..., 0]
    else:
        beta_hat = torch.linalg.solve(x, y.unsqueeze(-1))[..., 0]
    return beta_hat, [torch.zeros_like(v) for v in vectors]


def _squared_distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return ((a - b) ** 2).sum(-1)


def _numpy(parts: list[torch.Tensor]) -> np.ndarray:
    return torch.cat(parts).cpu().numpy().astype(np.float64, copy=False)


def _balanced_scale(
    null_start: torch.Tensor, scratch_fit: torch.Tensor, start: torch.Tensor | None = None
) -> torch.Tensor:
    """Per draw, the factor κ = c/c₀ that gradient flow puts on the start's null-space part.

    The pretrained network is balanced and rank one, W_1 = u₀vᵀ, W_2 = c₀v with c₀u₀ = ``start``
    and ‖u₀‖ = c₀, so c₀ = ‖start‖^{1/2} (1 for a unit β_s). Fine-tuning ends at the positive
    root c of c⁴ − a c² − b = 0 (the derived ``ft_balance_root``) with a = ‖(I − P)u₀‖² =
    ‖``null_start``‖²/c₀² and b = ‖``scratch_fit``‖², and β̂_ft = β̂_sc + (c/c₀)(I − P)·start.
    ``start=None`` means a unit start (c₀ = 1). A zero start (a collapsed source,
    ``wd_finite_source_end_point``) gets κ = 0: it has no null-space part to scale.
    """
    start_scale2 = torch.ones_like(scratch_fit[..., 0]) if start is None else start.norm(dim=-1)
    nonzero = start_scale2 > 0
    start_scale2 = torch.where(nonzero, start_scale2, torch.ones_like(start_scale2))
    null_norm2 = (null_start**2).sum(-1) / start_scale2
    root = theory.ft_balance_root(null_norm2.cpu().numpy(), (scratch_fit**2).sum(-1).cpu().numpy())
    root = torch.as_tensor(np.asarray(root), dtype=null_norm2.dtype, device=null_norm2.device)
    return torch.where(nonzero, root / start_scale2.sqrt(), torch.zeros_like(root))


def _self_consistent_ridge(eigenvalues: np.ndarray, coordinates2: np.ndarray, half: float) -> float:
    """The μ > 0 with μ²Σ_i c_i/(s_i + μ)² = half² (c_i = r_i², the coordinates of r in the
    eigenbasis of S, s_i > 0), or ``inf`` where half >= ‖r‖ (collapse).

    μ‖B(μ)‖ increases from 0 to ‖r‖ (``wd_finite_source_end_point``) and lies between
    μ‖r‖/(s_max + μ) and μ‖r‖/(s_min + μ), so the root lies in [s_min t, s_max t] with
    t = half/(‖r‖ − half): Brent's method on that bracket, to the last bits.
    """
    norm_r = math.sqrt(float(coordinates2.sum()))
    if half >= norm_r:
        return math.inf

    def excess(mu: float) -> float:
        return mu * math.sqrt(float((coordinates2 / (eigenvalues + mu) ** 2).sum())) - half

    ratio = half / (norm_r - half)
    low, high = float(eigenvalues.min()) * ratio, float(eigenvalues.max()) * ratio
    if excess(low) >= 0:
        return low
    if excess(high) <= 0:
        return high
    return optimize.brentq(excess, low, high, xtol=1e-300, rtol=4 * np.finfo(float).eps)


def decayed_source_fit(
    x_s: torch.Tensor, y_s: torch.Tensor, decay: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per draw, the end point B of pretraining the depth-2 network with weight decay λ_p =
    ``decay`` on the source data (extension, docs/paper.md §12, ``wd_finite_source_end_point``).

    B minimises (1/n_s)‖y_s − X_sB‖² + λ_p‖B‖: B = (S + μI)⁻¹r with S = X_sᵀX_s/n_s,
    r = X_sᵀy_s/n_s and the self-consistent ridge μ = λ_p/(2‖B‖), the root of
    2μ‖B(μ)‖ = λ_p; B = 0 where λ_p >= 2‖r‖ (the network collapses). Per draw one symmetric
    eigendecomposition — of X_sX_sᵀ/n_s when n_s <= d (same nonzero spectrum as S; then
    B(μ) = X_sᵀQ(Λ + μ)⁻¹Qᵀy_s/n_s, the push-through form), else of S — and one scalar root
    (:func:`_self_consistent_ridge`, looped over the draws).

    Args:
        x_s: source inputs, shape (draws, n_s, d).
        y_s: source labels, shape (draws, n_s).
        decay: λ_p > 0.

    Returns:
        (B, μ): shapes (draws, d) and (draws,); μ = inf where the source collapsed.
    """
    decay = _positive("decay", decay)
    n_s, d = x_s.shape[-2], x_s.shape[-1]
    if n_s <= d:
        eigenvalues, basis = torch.linalg.eigh(x_s @ x_s.transpose(-1, -2) / n_s)
        along = torch.einsum("bnk,bn->bk", basis, y_s)  # Qᵀy_s
        coordinates2 = eigenvalues * along**2 / n_s  # (e_iᵀr)² in S's eigenbasis
    else:
        eigenvalues, basis = torch.linalg.eigh(x_s.transpose(-1, -2) @ x_s / n_s)
        along = torch.einsum("bdk,bd->bk", basis, torch.einsum("bnd,bn->bd", x_s, y_s) / n_s)
        coordinates2 = along**2
    values, weights = eigenvalues.cpu().numpy(), coordinates2.cpu().numpy()
    ridge = torch.tensor(
        [_self_consistent_ridge(s, c, decay / 2) for s, c in zip(values, weights, strict=True)],
        dtype=x_s.dtype,
        device=x_s.device,
    )
    collapsed = torch.isinf(ridge)
    shift = torch.where(collapsed, torch.ones_like(ridge), ridge).unsqueeze(-1)
    in_basis = along / (eigenvalues + shift)
    if n_s <= d:
        fit = torch.einsum("bnd,bn->bd", x_s, torch.einsum("bnk,bk->bn", basis, in_basis)) / n_s
    else:
        fit = torch.einsum("bdk,bk->bd", basis, in_basis)
    return torch.where(collapsed.unsqueeze(-1), torch.zeros_like(fit), fit), ridge


# --------------------------------------------------------------------------------------------
# public samplers


def scratch_risks(
    n: int,
    d: int,
    sigma: float,
    draws: int,
    *,
    seed: int | torch.Generator,
    device: str | torch.device | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """Per-draw risk ‖X⁺y − β_t‖² of the minimum-norm solution (Thm 3.5; Thm 3.6 eq. 8).

    X is n × d with i.i.d. N(0, 1) entries, y = Xβ_t + σε, β_t a unit vector. The expectation at
    finite n, d is ``theory.scratch_risk_finite(n, d, sigma)`` (infinite for |n − d| <= 1 with
    σ > 0: see the module notes).

    Args:
        n: target samples (integer >= 1).
        d: input dimension (integer >= 1).
        sigma: label-noise standard deviation (>= 0).
        draws: independent data sets (integer >= 2).
        seed: integer seed or a :class:`torch.Generator` (its device is used).
        device: where to compute (default CPU; "auto" = CUDA when available).
        max_bytes: memory budget of one chunk of draws.

    Returns:
        numpy float64 array of shape (draws,).
    """
    n, d = _integer("n", n, 1), _integer("d", d, 1)
    sigma, draws = _sigma("sigma", sigma), _integer("draws", draws, 2)
    max_bytes = _integer("max_bytes", max_bytes, 1)
    gen, _ = _setup(seed, device)
    target = _unit_vector(d, gen)
    risks = []
    for size in _chunk_sizes(draws, bytes_per_draw((n, d)), max_bytes):
        x, noise = _draw(size, [(n, d), (n,)], gen)
        y = x @ target + sigma * noise
        beta_hat, _ = _minimum_norm(x, y)
        risks.append(_squared_distance(beta_hat, target))
    return _numpy(risks)


def linear_transfer_risks(
    theta: float,
    n: int,
    sigma: float,
    draws: int,
    *,
    lam: float = 0.0,
    feature_scale: float = 1.0,
    seed: int | torch.Generator,
    device: str | torch.device | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """Per-draw risk ‖bβ_s − β_t‖² of linear transfer on the rank-one feature z = Xβ_s.

    b = zᵀy/(zᵀz + nλ): least squares (Thm 3.7, eq. 10, expectation ``theory.lt_risk``) or, for
    λ > 0, ridge with penalty nλb² on a feature of unit singular value (Thm 3.8, eq. 13, whose
    n → ∞ limit is ``theory.ridge_lt_risk``). A feature map of singular value s =
    ``feature_scale`` (pretraining with weight decay λ_p leaves s = √(1 − λ_p/2), docs/paper.md
    §12) gives b = s²zᵀy/(s²zᵀz + nλ): ``theory.wd_lt_risk`` and ``theory.wd_ridge_lt_risk``.
    Sampled in the exact two-dimensional reduction
    (module notes): z, w = Xν ~ N(0, I_n) independent, y = cos θ z + sin θ w + σε; the result
    holds for every d >= 2. The mean is infinite for n <= 2 when λ = 0.

    Args:
        theta: angle between β_s and β_t, in [0, π].
        n: target samples (integer >= 1).
        sigma: label-noise standard deviation (>= 0).
        draws: independent data sets (integer >= 2).
        lam: ridge strength λ >= 0.
        feature_scale: the singular value s > 0 of the pretrained feature map.
        seed, device, max_bytes: as in :func:`scratch_risks`.
    """
    theta, n = _theta(theta), _integer("n", n, 1)
    sigma, draws = _sigma("sigma", sigma), _integer("draws", draws, 2)
    lam = _real("lam", lam, 0.0)
    scale2 = _positive("feature_scale", feature_scale) ** 2
    max_bytes = _integer("max_bytes", max_bytes, 1)
    gen, dev = _setup(seed, device)
    source = torch.tensor([1.0, 0.0], dtype=DTYPE, device=dev)
    target = torch.tensor([math.cos(theta), math.sin(theta)], dtype=DTYPE, device=dev)
    risks = []
    for size in _chunk_sizes(draws, bytes_per_draw((n, 2)), max_bytes):
        x, noise = _draw(size, [(n, 2), (n,)], gen)  # columns: Xβ_s, Xν
        y = x @ target + sigma * noise
        z = x @ source
        b = scale2 * (z * y).sum(-1) / (scale2 * (z * z).sum(-1) + n * lam)
        risks.append(_squared_distance(b.unsqueeze(-1) * source, target))
    return _numpy(risks)


def fine_tuning_risks(
    theta: float,
    n: int,
    d: int,
    sigma: float,
    draws: int,
    *,
    balanced: bool = False,
    start_scale: float = 1.0,
    seed: int | torch.Generator,
    device: str | torch.device | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> PairedRisks:
    """Fine-tuning and scratch risks on the same draws (Thm 3.9, eqs. 14–15; App. D.8 eq. 143).

    β̂_ft = β̂_sc + c(I − P)β_s with c = 1 (the paper) or, with ``balanced=True``, the per-draw
    positive root of c⁴ − a c² − b = 0, a = ‖(I − P)β_s‖², b = ‖β̂_sc‖² (the exact gradient-flow
    end point from the balanced pretrained state, docs/paper.md §3.8).
    ``mean(result.transferability)`` then estimates ``theory.ft_transferability`` /
    ``theory.ft_transferability_balanced``; pairing removes the scratch noise from the difference.
    A pretrained vector p β_s with p = ``start_scale`` (pretraining with weight decay λ_p leaves
    p = 1 − λ_p/2, docs/paper.md §12) starts from the balanced W_1 = √p β_s vᵀ, W_2 = √p v:
    ``balanced=True`` then estimates ``theory.wd_ft_transferability``, ``balanced=False`` (the
    null part of the end-to-end vector kept) ``theory.wd_ft_transferability_frozen``.

    Args:
        theta: angle between β_s and β_t, in [0, π].
        n: target samples (integer >= 1).
        d: input dimension (integer >= 2: β_t needs a direction ⊥ β_s).
        sigma: label-noise standard deviation (>= 0).
        draws: independent data sets (integer >= 2).
        balanced: use the balanced scale c instead of 1.
        start_scale: the end-to-end scale p > 0 of the pretrained vector p β_s.
        seed, device, max_bytes: as in :func:`scratch_risks`.
    """
    theta, n, d = _theta(theta), _integer("n", n, 1), _integer("d", d, 2)
    start_scale = _positive("start_scale", start_scale)
    sigma, draws = _sigma("sigma", sigma), _integer("draws", draws, 2)
    max_bytes = _integer("max_bytes", max_bytes, 1)
    if not isinstance(balanced, bool):
        raise InvalidArgumentError(f"balanced must be True or False; got {balanced!r}")
    gen, _ = _setup(seed, device)
    teachers = make_teachers(d, theta, gen)
    scratch, transfer, scales = [], [], []
    for size in _chunk_sizes(draws, bytes_per_draw((n, d)), max_bytes):
        x, noise = _draw(size, [(n, d), (n,)], gen)
        y = x @ teachers.target + sigma * noise
        source = start_scale * teachers.source.expand(size, d)
        beta_sc, (null_source,) = _minimum_norm(x, y, [source])
        if balanced:
            scale = _balanced_scale(null_source, beta_sc, None if start_scale == 1 else source)
            scales.append(scale)
            beta_ft = beta_sc + scale.unsqueeze(-1) * null_source
        else:
            beta_ft = beta_sc + null_source
        scratch.append(_squared_distance(beta_sc, teachers.target))
        transfer.append(_squared_distance(beta_ft, teachers.target))
    return PairedRisks(_numpy(scratch), _numpy(transfer), _numpy(scales) if balanced else None)


def finite_source_risks(
    theta: float,
    n: int,
    d: int,
    sigma: float,
    n_s: int,
    sigma_s: float,
    draws: int,
    *,
    procedure: str = "fine_tuning",
    balanced: bool = False,
    source_decay: float = 0.0,
    seed: int | torch.Generator,
    device: str | torch.device | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> PairedRisks:
    """Transfer from a source pretrained on n_s noisy samples, paired with scratch (App. C).

    The pretrained end-to-end vector is β̂_s = X_s⁺y_s, y_s = X_sβ_s + σ_s ε_s (Thm 3.5 applied to
    the source), and the pretrained feature is rank one along β̂_s. Per draw (new source data each
    draw, independent of the target data):

    * ``"fine_tuning"``: β̂_ft = β̂_sc + (I − P)β̂_s (Thm C.1, eqs. 22–23; expectation of the
      difference ≈ ``theory.ft_transferability_finite_source(theta, n/d, n_s/d, sigma_s)``), or
      with ``balanced=True`` β̂_ft = β̂_sc + κ(I − P)β̂_s, the per-draw gradient-flow end point
      from the balanced pretrained state (κ = c/c₀ as in :func:`_balanced_scale`; expectation
      ≈ ``theory.ft_transferability_finite_source_balanced``);
    * ``"linear_transfer"``: z = Xβ̂_s, b = zᵀy/‖z‖², risk ‖bβ̂_s − β_t‖² (docs/paper.md §3.9;
      as n → ∞ its mean tends to ``theory.lt_risk_finite_source(theta, n_s/d, sigma_s)``).

    With ``source_decay`` = λ_p > 0 (extension, docs/paper.md §12) the source is pretrained
    with SGD weight decay λ_p and β̂_s is replaced, draw by draw, by the exact end point B of
    :func:`decayed_source_fit` (``wd_finite_source_end_point``); the pretrained network is the
    balanced rank-one one along B, so fine-tuning ends at β̂_sc + κ(I − P)B with κ = c/√‖B‖
    (``balanced=True``, ``wd_finite_source_ft_scale``) or, κ = 1, at the frozen contrast, and
    linear transfer at (zᵀy/‖z‖²)B, z = XB (the feature scale cancels, as ``wd_lt_risk``). Where
    a draw's source collapses (λ_p >= 2‖r‖, B = 0) fine-tuning is scratch training from a
    vanishing start, β̂_sc, and linear transfer refits vanishing features, β̂_lt = 0 (risk 1).
    λ_p = 0 is the paper's X_s⁺y_s, with the same draws and the same numbers bit for bit.
    ``result.source_norm`` holds ‖β̂_s‖ (or ‖B‖) per draw.

    Args:
        theta: angle between β_s and β_t, in [0, π].
        n: target samples (integer >= 1).
        d: input dimension (integer >= 2).
        sigma: target label-noise standard deviation (>= 0).
        n_s: source samples (integer >= 1).
        sigma_s: source label-noise standard deviation (>= 0).
        draws: independent (source, target) data-set pairs (integer >= 2).
        procedure: "fine_tuning" or "linear_transfer".
        balanced: fine-tuning only: the balanced scale κ instead of 1.
        source_decay: SGD weight decay λ_p >= 0 of the source pretraining (extension).
        seed, device, max_bytes: as in :func:`scratch_risks`.
    """
    theta, n, d = _theta(theta), _integer("n", n, 1), _integer("d", d, 2)
    sigma, n_s = _sigma("sigma", sigma), _integer("n_s", n_s, 1)
    source_decay = _real("source_decay", source_decay, 0.0)
    sigma_s, draws = _sigma("sigma_s", sigma_s), _integer("draws", draws, 2)
    max_bytes = _integer("max_bytes", max_bytes, 1)
    if procedure not in PROCEDURES:
        raise InvalidArgumentError(f"procedure must be one of {PROCEDURES}; got {procedure!r}")
    if not isinstance(balanced, bool):
        raise InvalidArgumentError(f"balanced must be True or False; got {balanced!r}")
    if balanced and procedure != "fine_tuning":
        raise InvalidArgumentError("balanced=True applies to fine-tuning only")
    gen, _ = _setup(seed, device)
    teachers = make_teachers(d, theta, gen)
    scratch, transfer, scales, norms = [], [], [], []
    for size in _chunk_sizes(draws, bytes_per_draw((n_s, d), (n, d)), max_bytes):
        x_s, noise_s, x, noise = _draw(size, [(n_s, d), (n_s,), (n, d), (n,)], gen)
        y_s = x_s @ teachers.source + sigma_s * noise_s
        if source_decay == 0:
            source_hat, _ = _minimum_norm(x_s, y_s)
        else:
            source_hat, _ = decayed_source_fit(x_s, y_s, source_decay)
        norms.append(source_hat.norm(dim=-1))
        y = x @ teachers.target + sigma * noise
        if procedure == "fine_tuning":
            beta_sc, (null_source,) = _minimum_norm(x, y, [source_hat])
            if balanced:
                scale = _balanced_scale(null_source, beta_sc, start=source_hat)
                scales.append(scale)
                null_source = scale.unsqueeze(-1) * null_source
            beta_tx = beta_sc + null_source
        else:
            beta_sc, _ = _minimum_norm(x, y)
            z = torch.einsum("bnd,bd->bn", x, source_hat)
            energy = (z * z).sum(-1)
            b = (z * y).sum(-1) / energy
            if source_decay != 0:  # a collapsed source (B = 0) refits vanishing features: 0
                b = torch.where(energy > 0, b, torch.zeros_like(b))
            beta_tx = b.unsqueeze(-1) * source_hat
        scratch.append(_squared_distance(beta_sc, teachers.target))
        transfer.append(_squared_distance(beta_tx, teachers.target))
    return PairedRisks(
        _numpy(scratch),
        _numpy(transfer),
        _numpy(scales) if balanced else None,
        _numpy(norms),
    )


# --------------------------------------------------------------------------------------------
# Extensions (not the paper's claims): rank-k feature spaces (docs/paper.md §11)


def _unit_interval(name: str, value: object) -> float:
    return _real(name, value, 0.0, 1.0, upper_text="1")


def linear_transfer_rank_k_risks(
    rho: float,
    n: int,
    k: int,
    sigma: float,
    draws: int,
    *,
    seed: int | torch.Generator,
    device: str | torch.device | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """Per-draw risk ‖Uĉ − β_t‖² of linear transfer on a rank-k feature space (extension).

    The features span U ∈ ℝ^{d×k} (orthonormal columns) and β_t = Ua + √ρ ν with ν ⊥ span U
    unit and ‖a‖² = 1 − ρ; the refit ĉ is the (minimum-norm) least-squares fit of
    y = Xβ_t + σε on Z = XU. Sampled in the exact (k + 1)-dimensional reduction, as
    :func:`linear_transfer_risks` does at k = 1: the columns Z and w = Xν are independent
    N(0, I_n), a = √(1 − ρ) e₁ (rotation invariance inside span U), y = Za + √ρ w + σε; the
    result holds for every d > k. Expectation: ``theory.lt_risk_rank_k(rho, n, k, sigma)``
    (infinite for |n − k| <= 1 unless ρ = σ = 0; the variance is finite for n > k + 3).

    Args:
        rho: ‖(I − P_k)β_t‖², in [0, 1].
        n: target samples (integer >= 1).
        k: rank of the feature space (integer >= 1).
        sigma: label-noise standard deviation (>= 0).
        draws: independent data sets (integer >= 2).
        seed, device, max_bytes: as in :func:`scratch_risks`.

    Returns:
        numpy float64 array of shape (draws,).
    """
    rho, n = _unit_interval("rho", rho), _integer("n", n, 1)
    k, sigma = _integer("k", k, 1), _sigma("sigma", sigma)
    draws, max_bytes = _integer("draws", draws, 2), _integer("max_bytes", max_bytes, 1)
    gen, dev = _setup(seed, device)
    target = torch.zeros(k + 1, dtype=DTYPE, device=dev)
    target[0], target[k] = math.sqrt(1.0 - rho), math.sqrt(rho)
    risks = []
    for size in _chunk_sizes(draws, bytes_per_draw((n, k + 1)), max_bytes):
        x, noise = _draw(size, [(n, k + 1), (n,)], gen)  # columns: Z = XU, then w = Xν
        y = x @ target + sigma * noise
        fitted, _ = _minimum_norm(x[..., :k], y)
        error = torch.cat([fitted - target[:k], -target[k:].expand(size, 1)], dim=-1)
        risks.append((error * error).sum(-1))
    return _numpy(risks)


__all__ += ["linear_transfer_rank_k_risks"]


def fine_tuning_rank_k_best_transferabilities(
    rho: float,
    n: int,
    d: int,
    k: int,
    draws: int,
    *,
    seed: int | torch.Generator,
    device: str | torch.device | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """Per draw, the largest transferability fine-tuning from a rank-k start can reach (extension).

    Fine-tuning from the balanced rank-k network ends at β̂_sc + (I − P)Uc for a head c ∈ ℝ^k that
    is not derived for k > 1 (``ft_rank_k_flow``); for every c, R_sc − R_ft = ‖Nβ_t‖² −
    ‖N(Uc − β_t)‖² with N = I − P (no noise term: it cancels). Its maximum over c is
    (UᵀNβ_t)ᵀ(UᵀNU)⁻¹(UᵀNβ_t), sampled here with U = (e₁ … e_k) and β_t = √(1 − ρ) e₁ + √ρ e_{k+1}
    (rotation invariance of a Gaussian X ∈ ℝ^{n×d}); 0 for n >= d, where N = 0. Its proportional
    limit at fixed k is ``theory.ft_rank_k_transferability_bound(rho, n/d)``.

    Args:
        rho: ‖(I − P_k)β_t‖², in [0, 1].
        n: target samples (integer >= 1).
        d: input dimension (integer > k).
        k: rank of the feature space (integer >= 1).
        draws: independent data sets (integer >= 2).
        seed, device, max_bytes: as in :func:`scratch_risks`.
    """
    rho, n = _unit_interval("rho", rho), _integer("n", n, 1)
    k = _integer("k", k, 1)
    d, draws = _integer("d", d, k + 1), _integer("draws", draws, 2)
    max_bytes = _integer("max_bytes", max_bytes, 1)
    gen, dev = _setup(seed, device)
    if n >= d:
        return np.zeros(draws)
    in_span = torch.zeros(k, dtype=DTYPE, device=dev)  # Uᵀβ_t
    in_span[0] = math.sqrt(1.0 - rho)
    best = []
    for size in _chunk_sizes(draws, bytes_per_draw((n, d)), max_bytes):
        (x,) = _draw(size, [(n, d)], gen)
        columns = x[..., : k + 1]  # X(e₁ … e_k, e_{k+1})
        solved = _gram_solve(x @ x.transpose(-1, -2), columns)
        projected = columns.transpose(-1, -2) @ solved  # (e_i)ᵀ P e_j, i, j <= k + 1
        null_gram = torch.eye(k, dtype=DTYPE, device=dev) - projected[:, :k, :k]  # UᵀNU
        cross = (
            in_span
            - (  # UᵀNβ_t = Uᵀβ_t − UᵀPβ_t
                math.sqrt(1.0 - rho) * projected[:, :k, 0] + math.sqrt(rho) * projected[:, :k, k]
            )
        )
        solved_head = torch.linalg.solve(null_gram, cross.unsqueeze(-1)).squeeze(-1)
        best.append((cross * solved_head).sum(-1))
    return _numpy(best)


__all__ += ["fine_tuning_rank_k_best_transferabilities"]
