"""Mean-field two-layer ReLU students and teachers (Sec. 4, App. E; docs/paper.md §5).

Model. A batch of students f(x) = (1/m) Σ_i c_i relu(w_iᵀx), x ~ N(0, I_d), trained by full-batch
gradient descent with learning rate ``lr_scale · m`` (the mean-field scaling: the paper's
0.01·m), from first-layer weights uniform on the unit sphere and output weights all equal to
``init_output`` (the paper's 10⁻⁷). Teachers have the same form with m* unit-norm neurons:
f_t(x) = (1/m*) Σ_a a_a relu(v_aᵀx).

Decisions (the paper's values are unknown to us, docs/paper.md §5.1, §9.3; each is a parameter):

* teacher output weights a_a ~ N(0, 1), i.i.d. (the third-party reproduction of Fig. 3d uses the
  same); teacher neurons v_a uniform on the sphere;
* the source teacher is the target teacher with its last round(μ m*) neurons removed, *keeping
  the target's normalisation 1/m** (f_s = f_t minus the removed terms) — implemented by zeroing
  their output weights, so that teachers of every removed fraction μ batch together;
* label noise σ = 0 by default (a power law n^(−1.18) faster than 1/n points to noiseless
  targets);
* risks are *population* risks E_x (f − f_t)², computed exactly from the arc-cosine kernel
  (no test set): with K(A, B)_ij = ‖a_i‖‖b_j‖ κ(â_iᵀb̂_j),
  E(f − g)² = αᵀK(W,W)α − 2αᵀK(W,V)β + βᵀK(V,V)β, α = c/m, β = a/m*;
* pretraining on the source uses that same exact population loss (infinite source data, the
  analogue of the linear model's population pretraining; no samples are drawn), with hand-written
  gradients through the kernel's slope κ'(u) = (π − arccos u)/(2π), finite everywhere (checked
  against autograd in the tests);
* target-side training (scratch, fine-tuning) is on n samples, loss (1/n) Σ (f(x_j) − y_j)² (the
  authors' normalisation in the linear code), with hand-written gradients (checked against
  autograd in the tests); every instance stops on its own when its training loss reaches ``tol``
  (the paper's 10⁻⁶), checked every ``check_every`` steps, or after ``max_steps``;
* linear transfer refits the output layer on the target data with frozen first-layer weights:
  by the paper's gradient descent, the output weights re-initialised at ``init_output``
  (:func:`refit_output_layer_descent`, exact per singular mode), or by its t → ∞ end point in
  closed form, the minimum-norm least-squares c = m Φ⁺y, Φ_ji = relu(w_iᵀx_j)
  (:func:`refit_output_layer`, an SVD with a relative cut-off ``rank_rtol``). Which one the paper
  used is not known; :mod:`fate_numeric.relu_sweeps` says which the sweeps use and why.

The kernel and its slope come from :mod:`derivations.relu_kernel` through the evaluators
``fate_numeric.theory.relu_kernel``/``relu_kernel_slope``, lambdified here once more for torch.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp
import torch

from derivations.errors import InvalidArgumentError
from derivations.piecewise import branches
from fate_numeric import theory
from fate_numeric.numerics import DTYPE


def _sqrt(value: torch.Tensor | float) -> torch.Tensor | float:
    """√ of a tensor, or of a constant of the expression (such as √2)."""
    return torch.sqrt(value) if isinstance(value, torch.Tensor) else math.sqrt(value)


_TORCH_FUNCTIONS = {
    "acos": torch.acos,
    "sqrt": _sqrt,
    "pi": math.pi,
    "exp": torch.exp,
    "expm1": torch.expm1,
    "log1p": torch.log1p,
}


@functools.cache
def _torch_function(name: str) -> Callable[..., torch.Tensor]:
    """An evaluator of :mod:`fate_numeric.theory` lambdified for torch tensors (its parameters in
    their order, no validation: the callers pass tensors inside the domains).

    A piecewise record is lambdified branch by branch; every branch is evaluated everywhere and
    the first one whose condition holds is kept (``torch.where``), as :class:`sympy.Piecewise`
    reads."""
    evaluator = theory.EVALUATORS[name]
    symbols = [parameter.symbol for parameter in evaluator.parameters]
    stray = sp.sympify(evaluator.expr).free_symbols - set(symbols)
    if stray:  # lambdify would print an unknown name verbatim into the code it generates
        raise RuntimeError(f"{name} depends on {sorted(map(str, stray))}, not its parameters")
    pieces = [
        (
            sp.lambdify(symbols, expr, modules=[_TORCH_FUNCTIONS, "math"], dummify=True),
            sp.lambdify(symbols, condition, modules=[_TORCH_FUNCTIONS, "math"], dummify=True),
        )
        for expr, condition in branches(evaluator.expr)
    ]
    if len(pieces) == 1:
        return pieces[0][0]

    def evaluate(*args: torch.Tensor | float) -> torch.Tensor:
        value = pieces[-1][0](*args)
        for function, condition in reversed(pieces[:-1]):
            value = torch.where(condition(*args), function(*args), value)
        return value

    return evaluate


class _UnitKernel(torch.autograd.Function):
    """κ(u) with the derived slope κ'(u) as its gradient (finite at u = ±1)."""

    @staticmethod
    def forward(ctx, u: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(u)
        return _torch_function("relu_kernel")(u)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        (u,) = ctx.saved_tensors
        return grad * _torch_function("relu_kernel_slope")(u)


def unit_kernel(u: torch.Tensor) -> torch.Tensor:
    """κ(u) elementwise (u clamped to [−1, 1] against rounding), differentiable."""
    return _UnitKernel.apply(u.clamp(-1.0, 1.0))


def kernel_matrix(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """E[relu(a_iᵀx) relu(b_jᵀx)] = ‖a_i‖‖b_j‖ κ(â_iᵀb̂_j), shapes (..., p, d), (..., q, d)."""
    norm_a = torch.linalg.vector_norm(a, dim=-1)
    norm_b = torch.linalg.vector_norm(b, dim=-1)
    cosines = (a / norm_a.unsqueeze(-1)) @ (b / norm_b.unsqueeze(-1)).transpose(-1, -2)
    return norm_a.unsqueeze(-1) * unit_kernel(cosines) * norm_b.unsqueeze(-2)


@dataclass(frozen=True)
class TwoLayer:
    """A batch of two-layer ReLU networks f(x) = scale · Σ_i out_i relu(w_iᵀx).

    Attributes:
        weights: first layer, shape (batch, width, d).
        out: output weights, shape (batch, width).
        scale: the mean-field normaliser 1/width (students) or 1/m* (teachers).
    """

    weights: torch.Tensor
    out: torch.Tensor
    scale: float

    @property
    def batch(self) -> int:
        return self.weights.shape[0]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs on inputs x of shape (batch, n, d): shape (batch, n)."""
        hidden = torch.relu(x @ self.weights.transpose(-1, -2))
        return self.scale * torch.einsum("bnm,bm->bn", hidden, self.out)

    @classmethod
    def concatenate(cls, networks: Sequence[TwoLayer]) -> TwoLayer:
        """One batch of the networks of several batches, in their order (one ``scale``)."""
        scales = {net.scale for net in networks}
        if len(scales) != 1:
            raise InvalidArgumentError(f"networks of different scales batch apart; got {scales}")
        return cls(
            torch.cat([net.weights for net in networks]),
            torch.cat([net.out for net in networks]),
            networks[0].scale,
        )

    def select(self, index: torch.Tensor) -> TwoLayer:
        return TwoLayer(self.weights[index], self.out[index], self.scale)

    def coefficients(self) -> torch.Tensor:
        """scale · out: the coefficients of the functions relu(w_iᵀx), shape (batch, width)."""
        return self.scale * self.out


def inner_product(f: TwoLayer, g: TwoLayer) -> torch.Tensor:
    """E_x f(x) g(x) for each pair of the batch, exactly (arc-cosine kernel), shape (batch,)."""
    gram = kernel_matrix(f.weights, g.weights)
    return torch.einsum("bi,bij,bj->b", f.coefficients(), gram, g.coefficients())


def population_risk(f: TwoLayer, g: TwoLayer) -> torch.Tensor:
    """E_x (f(x) − g(x))², exactly, shape (batch,)."""
    return inner_product(f, f) - 2 * inner_product(f, g) + inner_product(g, g)


# ---- teachers, students, data --------------------------------------------------------------------
def unit_rows(batch: int, rows: int, d: int, gen: torch.Generator) -> torch.Tensor:
    """``batch × rows`` vectors uniform on the unit sphere of ℝ^d, shape (batch, rows, d)."""
    draws = torch.randn(batch, rows, d, generator=gen, dtype=DTYPE, device=gen.device)
    return draws / torch.linalg.vector_norm(draws, dim=-1, keepdim=True)


def removed_count(m_star: int, removed: float) -> int:
    """Number of teacher neurons removed for a removed fraction μ: round(μ m*)."""
    if not 0.0 <= removed <= 1.0:
        raise InvalidArgumentError(f"removed fraction must be in [0, 1]; got {removed!r}")
    return round(removed * m_star)


def make_teacher(d: int, m_star: int, gen: torch.Generator) -> TwoLayer:
    """One target teacher: m* unit neurons, output weights N(0, 1), normaliser 1/m*."""
    if not isinstance(d, int) or d < 2 or not isinstance(m_star, int) or m_star < 1:
        raise InvalidArgumentError(f"need integers d >= 2, m* >= 1; got d={d!r}, m*={m_star!r}")
    weights = unit_rows(1, m_star, d, gen)
    out = torch.randn(1, m_star, generator=gen, dtype=DTYPE, device=gen.device)
    return TwoLayer(weights, out, 1.0 / m_star)


def source_teacher(target: TwoLayer, removed: float) -> TwoLayer:
    """The target teacher with its last round(μ m*) neurons removed (output weights set to 0;
    the normaliser 1/m* is kept, so f_s = f_t − the removed terms)."""
    m_star = target.weights.shape[-2]
    k = removed_count(m_star, removed)
    out = target.out.clone()
    if k:
        out[..., m_star - k :] = 0.0
    return TwoLayer(target.weights, out, target.scale)


def initial_student(batch: int, d: int, m: int, init_output: float, gen) -> TwoLayer:
    """Students with first layer uniform on the sphere and every output weight ``init_output``."""
    if not isinstance(m, int) or m < 1:
        raise InvalidArgumentError(f"width m must be an integer >= 1; got {m!r}")
    weights = unit_rows(batch, m, d, gen)
    out = torch.full((batch, m), float(init_output), dtype=DTYPE, device=gen.device)
    return TwoLayer(weights, out, 1.0 / m)


def teacher_data(
    teacher: TwoLayer, n: int, sigma: float, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """n Gaussian inputs per teacher and labels f(x) + σ ε: shapes (batch, n, d), (batch, n)."""
    if not isinstance(n, int) or n < 1:
        raise InvalidArgumentError(f"n must be an integer >= 1; got {n!r}")
    if not (sigma >= 0 and math.isfinite(sigma)):
        raise InvalidArgumentError(f"sigma must be a finite real number >= 0; got {sigma!r}")
    d = teacher.weights.shape[-1]
    x = torch.randn(teacher.batch, n, d, generator=gen, dtype=DTYPE, device=gen.device)
    y = teacher(x)
    if sigma:
        y = y + sigma * torch.randn(y.shape, generator=gen, dtype=DTYPE, device=gen.device)
    return x, y


# ---- training ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Schedule:
    """Gradient descent: lr = lr_scale · m, at most ``max_steps``, stop at loss <= ``tol``."""

    lr_scale: float = 0.01
    max_steps: int = 100_000
    tol: float = 1e-6
    check_every: int = 100

    def __post_init__(self) -> None:
        if not (self.lr_scale > 0 and math.isfinite(self.lr_scale)):
            raise InvalidArgumentError(f"lr_scale must be > 0; got {self.lr_scale!r}")
        for name in ("max_steps", "check_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise InvalidArgumentError(f"{name} must be an integer >= 1; got {value!r}")
        if not self.tol >= 0:
            raise InvalidArgumentError(f"tol must be >= 0; got {self.tol!r}")


@dataclass(frozen=True)
class Empirical:
    """Per-network data: inputs (batch, N, d), labels (batch, N), sample weights (batch, N).

    Networks with fewer samples than N are padded with zero rows of weight 0, so cells with
    different n share one tensor program; the weights are 1/n on the real rows.
    """

    x: torch.Tensor
    y: torch.Tensor
    weights: torch.Tensor

    @staticmethod
    def padded(sets: list[tuple[torch.Tensor, torch.Tensor]]) -> Empirical:
        """Stack data sets (x (b, n, d), y (b, n)) of different n into one padded batch."""
        width = max(x.shape[1] for x, _ in sets)
        xs, ys, ws = [], [], []
        for x, y in sets:
            b, n, d = x.shape
            pad = width - n
            xs.append(torch.cat([x, x.new_zeros(b, pad, d)], dim=1))
            ys.append(torch.cat([y, y.new_zeros(b, pad)], dim=1))
            weight = torch.cat([y.new_full((b, n), 1.0 / n), y.new_zeros(b, pad)], dim=1)
            ws.append(weight)
        return Empirical(torch.cat(xs), torch.cat(ys), torch.cat(ws))

    def select(self, index: torch.Tensor) -> Empirical:
        return Empirical(self.x[index], self.y[index], self.weights[index])


def empirical_loss_and_gradients(
    net: TwoLayer, data: Empirical
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Σ_j w_j (f(x_j) − y_j)² per network and its gradients in the first layer and the outputs."""
    pre = data.x @ net.weights.transpose(-1, -2)  # (batch, N, m)
    hidden = torch.relu(pre)
    outputs = net.scale * torch.einsum("bnm,bm->bn", hidden, net.out)
    residual = outputs - data.y
    loss = (data.weights * residual**2).sum(-1)
    dout = 2 * data.weights * residual  # dL/df
    grad_out = net.scale * torch.einsum("bnm,bn->bm", hidden, dout)
    # ∂L/∂w_i = scale·out_i Σ_j dout_j 1[w_iᵀx_j > 0] x_j: the output weight is factored out of
    # the sum, so only one (batch, N, m) tensor is formed for the backward pass
    back = torch.where(pre > 0, dout.unsqueeze(-1), 0.0)
    grad_weights = net.coefficients().unsqueeze(-1) * (back.transpose(-1, -2) @ data.x)
    return loss, grad_weights, grad_out


@dataclass(frozen=True)
class Trained:
    """Networks after gradient descent, their final training loss and steps taken."""

    network: TwoLayer
    loss: torch.Tensor
    steps: torch.Tensor


def population_loss_and_gradients(net: TwoLayer, teacher: TwoLayer) -> tuple[torch.Tensor, ...]:
    """E_x (f − f_teacher)² per network and its gradients in the first layer and the outputs.

    With α = scale·out, β the teacher's coefficients, K(A, B)_ij = ‖a_i‖‖b_j‖κ(â_iᵀb̂_j):
    ℒ = αᵀK(W,W)α − 2αᵀK(W,V)β + βᵀK(V,V)β, ∂ℒ/∂out = scale·2(K(W,W)α − K(W,V)β), and, from
    ∂k(w, v)/∂w = ‖v‖[ρ(u) ŵ + κ'(u) v̂] with u = ŵᵀv̂ and ρ = κ − uκ' (the derived record
    ``relu_kernel_radial``; the kernel is symmetric, so the diagonal of K(W,W) needs no special
    case), ∂ℒ/∂w_i = 2α_i [Σ_j α_j ∂k(w_i, w_j)/∂w_i − Σ_a β_a ∂k(w_i, v_a)/∂w_i].
    ρ and κ' are lambdified from their records and κ = ρ + uκ' is formed from them (one arccos
    per pair); :func:`reference_population_loss_and_gradients` (autograd through the kernel) is
    the test oracle.
    """
    coefficients, teacher_coefficients = net.coefficients(), teacher.coefficients()
    norms = torch.linalg.vector_norm(net.weights, dim=-1)
    directions = net.weights / norms.unsqueeze(-1)
    teacher_norms = torch.linalg.vector_norm(teacher.weights, dim=-1)
    teacher_directions = teacher.weights / teacher_norms.unsqueeze(-1)

    def pull(other_directions, other_weighting):  # (K α-like vector, radial part, tangent part)
        u = (directions @ other_directions.transpose(-1, -2)).clamp(-1.0, 1.0)
        radial = _torch_function("relu_kernel_radial")(u)
        slope = _torch_function("relu_kernel_slope")(u)
        kernel = radial + u * slope
        weighted = other_weighting.unsqueeze(-2)  # (batch, 1, q): coefficient × norm of v_j
        k_times = norms * torch.einsum("bij,bj->bi", kernel, other_weighting)
        tangent = (slope * weighted) @ other_directions
        return k_times, (radial * weighted).sum(-1), tangent

    self_k, self_radial, self_tangent = pull(directions, coefficients * norms)
    cross_k, cross_radial, cross_tangent = pull(
        teacher_directions, teacher_coefficients * teacher_norms
    )
    teacher_self = torch.einsum(
        "bi,bij,bj->b",
        teacher_coefficients,
        kernel_matrix(teacher.weights, teacher.weights),
        teacher_coefficients,
    )
    loss = (coefficients * (self_k - 2 * cross_k)).sum(-1) + teacher_self
    grad_out = 2 * net.scale * (self_k - cross_k)
    bracket = (self_radial - cross_radial).unsqueeze(-1) * directions + self_tangent - cross_tangent
    grad_weights = 2 * coefficients.unsqueeze(-1) * bracket
    return loss, grad_weights, grad_out


def reference_population_loss_and_gradients(
    net: TwoLayer, teacher: TwoLayer
) -> tuple[torch.Tensor, ...]:
    """The same by autograd through :func:`population_risk` (test oracle)."""
    weights = net.weights.detach().requires_grad_(True)
    out = net.out.detach().requires_grad_(True)
    loss = population_risk(TwoLayer(weights, out, net.scale), teacher)
    grad_weights, grad_out = torch.autograd.grad(loss.sum(), (weights, out))
    return loss.detach(), grad_weights, grad_out


def gradient_descent(
    start: TwoLayer,
    schedule: Schedule,
    *,
    data: Empirical | None = None,
    teacher: TwoLayer | None = None,
) -> Trained:
    """Full-batch gradient descent of every network of the batch on its own loss.

    Exactly one of ``data`` (empirical loss, one data set per network) or ``teacher`` (population
    loss against one teacher per network) is given. Networks that reach ``tol`` at a check stop
    (their weights are frozen and they leave the batch, so late steps cost less).
    """
    if (data is None) == (teacher is None):
        raise InvalidArgumentError("give exactly one of data= (empirical) or teacher= (population)")
    batch = start.batch
    width = start.weights.shape[-2]
    lr = schedule.lr_scale * width
    weights, out = start.weights.clone(), start.out.clone()
    final_loss = torch.full((batch,), math.inf, dtype=DTYPE, device=weights.device)
    steps = torch.full((batch,), schedule.max_steps, dtype=torch.int64, device=weights.device)
    active = torch.arange(batch, device=weights.device)
    net = TwoLayer(weights, out, start.scale)
    part_data, part_teacher = data, teacher
    for step in range(schedule.max_steps + 1):
        if part_data is not None:
            loss, grad_weights, grad_out = empirical_loss_and_gradients(net, part_data)
        else:
            loss, grad_weights, grad_out = population_loss_and_gradients(net, part_teacher)
        last = step == schedule.max_steps
        if step % schedule.check_every == 0 or last:
            done = (loss <= schedule.tol) | last
            if done.any():
                index = active[done]
                weights[index], out[index] = net.weights[done], net.out[done]
                final_loss[index] = loss[done]
                steps[index] = step
                keep = ~done
                active = active[keep]
                if active.numel() == 0:
                    break
                net = net.select(keep)
                grad_weights, grad_out = grad_weights[keep], grad_out[keep]
                if part_data is not None:
                    part_data = part_data.select(keep)
                else:
                    part_teacher = part_teacher.select(keep)
        net = TwoLayer(net.weights - lr * grad_weights, net.out - lr * grad_out, net.scale)
    return Trained(TwoLayer(weights, out, start.scale), final_loss, steps)


def reference_gradient_descent(
    start: TwoLayer, data: Empirical, lr_scale: float, steps: int
) -> TwoLayer:
    """Plain autograd on the empirical loss, no early stopping (test oracle of the fast path)."""
    width = start.weights.shape[-2]
    weights = start.weights.clone().requires_grad_(True)
    out = start.out.clone().requires_grad_(True)
    for _ in range(steps):
        net = TwoLayer(weights, out, start.scale)
        hidden = torch.relu(data.x @ weights.transpose(-1, -2))
        outputs = net.scale * torch.einsum("bnm,bm->bn", hidden, out)
        loss = (data.weights * (outputs - data.y) ** 2).sum()
        grad_weights, grad_out = torch.autograd.grad(loss, (weights, out))
        with torch.no_grad():
            weights -= lr_scale * width * grad_weights
            out -= lr_scale * width * grad_out
    return TwoLayer(weights.detach(), out.detach(), start.scale)


def refit_output_layer(
    net: TwoLayer, x: torch.Tensor, y: torch.Tensor, rank_rtol: float
) -> TwoLayer:
    """Linear transfer: the minimum-norm least-squares output layer on (x, y), first layer frozen.

    c = (1/scale) Φ⁺ y with Φ_ji = relu(w_iᵀx_j); singular values below ``rank_rtol`` times the
    largest are treated as zero (an SVD, not a CUDA ``lstsq`` on a rank-deficient system).
    """
    features = torch.relu(x @ net.weights.transpose(-1, -2))  # (batch, n, m)
    u, s, vh = torch.linalg.svd(features, full_matrices=False)
    keep = s > rank_rtol * s[..., :1]
    inverse = torch.where(keep, 1.0 / torch.where(keep, s, torch.ones_like(s)), torch.zeros_like(s))
    coefficients = torch.einsum("bkm,bk,bnk,bn->bm", vh, inverse, u, y)
    return TwoLayer(net.weights, coefficients / net.scale, net.scale)


def refit_output_layer_descent(
    net: TwoLayer, x: torch.Tensor, y: torch.Tensor, schedule: Schedule, init_output: float
) -> Trained:
    """Linear transfer by gradient descent: the output layer re-initialised at ``init_output``
    and trained on (x, y) with the first layer frozen, as the paper trains (``schedule``: lr =
    lr_scale·m, at most ``max_steps``, stop at the first check with loss <= ``tol``).

    The loss (1/n)‖Ac − y‖², A = scale·Φ, is quadratic in c, so the descent is evaluated exactly
    in the singular basis of A (the derived ``output_descent_mode``/``output_descent_mode_loss``,
    every mode kept): the same iterates, checks and stopping step as step-by-step descent, at the
    cost of one SVD. Its t → ∞ end point is :func:`refit_output_layer` (``output_descent_limit``).
    """
    batch, n = y.shape
    width = net.weights.shape[-2]
    lr = schedule.lr_scale * width
    design = net.scale * torch.relu(x @ net.weights.transpose(-1, -2))  # A: (batch, n, m)
    u, s, vh = torch.linalg.svd(design, full_matrices=False)
    start = torch.full((batch, width), float(init_output), dtype=y.dtype, device=y.device)
    z0 = torch.einsum("bkm,bm->bk", vh, start)
    moving = s > 0  # a mode with s = 0 has no gradient: its coordinate stays
    s_safe = torch.where(moving, s, torch.ones_like(s))
    r = torch.einsum("bnk,bn->bk", u, y)
    floor = ((y - torch.einsum("bnk,bk->bn", u, r)) ** 2).sum(-1) / n

    def loss_at(steps: torch.Tensor) -> torch.Tensor:  # steps (batch or 1, K) -> loss (batch, K)
        share = _torch_function("output_descent_mode_loss")(
            z0[:, None], r[:, None], s_safe[:, None], lr, n, steps[..., None].to(s.dtype)
        )
        return torch.where(moving[:, None], share, 0.0).sum(-1) + floor[:, None]

    checks = torch.arange(0, schedule.max_steps, schedule.check_every, device=y.device)
    checks = torch.cat([checks, checks.new_tensor([schedule.max_steps])])
    stop = torch.full((batch,), schedule.max_steps, dtype=torch.int64, device=y.device)
    pending = torch.ones(batch, dtype=torch.bool, device=y.device)
    for block in torch.split(checks, 256):  # the first check under tol, in blocks of checks
        below = loss_at(block[None]) <= schedule.tol
        first = torch.where(below.any(-1), block[below.to(torch.int8).argmax(-1)], stop)
        stop = torch.where(pending, first, stop)
        pending &= ~below.any(-1)
        if not pending.any():
            break
    steps = stop.to(s.dtype)[:, None]
    z = _torch_function("output_descent_mode")(z0, r, s_safe, lr, n, steps)
    z = torch.where(moving, z, z0)
    out = start + torch.einsum("bkm,bk->bm", vh, z - z0)
    return Trained(TwoLayer(net.weights, out, net.scale), loss_at(stop[:, None])[:, 0], stop)


# ---- feature spaces ------------------------------------------------------------------------------
def out_of_span_norm(basis: torch.Tensor, f: TwoLayer, rank_rtol: float = 1e-10) -> float:
    """‖P⊥f‖² = ‖f‖² − kᵀG⁺k for the span of relu(bᵀx), b the rows of ``basis`` (p, d).

    G = K(basis, basis), k = K(basis, V) α (the derived ``relu_out_of_span_norm`` in matrix form);
    eigenvalues of G below ``rank_rtol`` times the largest are dropped (G is ill-conditioned: the
    high Hermite components of relu decay fast). ``f`` must be a single network (batch 1).
    """
    if f.batch != 1 or basis.ndim != 2:
        raise InvalidArgumentError("out_of_span_norm takes a basis (p, d) and one function")
    gram = kernel_matrix(basis, basis)
    overlap = kernel_matrix(basis, f.weights[0]) @ f.coefficients()[0]
    values, vectors = torch.linalg.eigh(gram)
    keep = values > rank_rtol * values[-1]
    projected = ((vectors[:, keep].T @ overlap) ** 2 / values[keep]).sum()
    total = inner_product(f, f)[0]
    return float((total - projected).clamp_min(0.0))


def kernel_alignment(a: torch.Tensor, b: torch.Tensor, centred: bool = True) -> float:
    """Alignment ⟨K_a, K_b⟩/(‖K_a‖‖K_b‖) of the kernels K_a(x, x') = mean_i relu(a_iᵀx)relu(a_iᵀx')
    and K_b in L₂(p ⊗ p), exactly: ⟨K_a, K_b⟩ ∝ Σ_ij E[relu(a_iᵀx) relu(b_jᵀx)]².

    ``centred`` removes the constant part of every feature first (E relu(wᵀx), the derived
    ``relu_mean``), so the trivially shared mean does not inflate the alignment. Rows of
    ``a``/``b``: (p, d), (q, d).
    """

    def gram(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        value = kernel_matrix(p, q)
        if centred:
            mean = _torch_function("relu_mean")
            means_p = mean(torch.linalg.vector_norm(p, dim=-1))
            means_q = mean(torch.linalg.vector_norm(q, dim=-1))
            value = value - torch.outer(means_p, means_q)
        return value

    cross = (gram(a, b) ** 2).sum()
    return float(cross / torch.sqrt((gram(a, a) ** 2).sum() * (gram(b, b) ** 2).sum()))


def empirical_kernel(weights: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The kernel mean_i relu(w_iᵀx) relu(w_iᵀx') on probe inputs x (P, d): shape (P, P)."""
    features = torch.relu(x @ weights.T)
    return features @ features.T / weights.shape[0]
