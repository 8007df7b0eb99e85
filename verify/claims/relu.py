"""The claims of the ReLU section and their evidence (Sec. 4, App. E, Fig. 3; docs/paper.md §5).

What is gated, and why (the paper's ReLU section is numerical and its settings are largely
unknown to us, docs/paper.md §5.1, §9.3; "gate only what the paper states firmly"):

* ``relu-kernel`` — an identity: symbolic (derived = printed eq. 167), precision (an independent
  mpmath quadrature in Cartesian coordinates), Monte Carlo (5 standard errors). Gated.
* ``relu-pretraining-features`` — after pretraining the source teacher's function lies in the
  student's feature space (‖P⊥f_s‖² on the span of the student's neurons at most 1 % of ‖f_s‖²,
  our threshold) and the student's kernel has moved towards the source teacher's (centred
  alignment after > at initialisation). Gated; the alignment values and the pretraining loss are
  reported (the paper shows kernel pictures, no number, and stops at 10⁻⁶ *or* 10⁵ steps).
* ``relu-out-of-span-growth`` — Fig. 3d: ‖P⊥f_t‖² grows with the removed fraction μ. Gated
  (increasing); convexity and the values (both bases) are reported. The paper's scale (≈ 0.045)
  depends on a normalisation we do not know.
* ``relu-scratch-power-law`` — R_sc ≈ A n^(−ν): the fit, its bootstrap interval and R² are
  reported; gated: ν > 0 (the risk falls as a power of n). ν against the printed 1.18 is gated at
  the ``paper`` profile only (d = 100, the paper's setting; |ν − 1.18| within the 95 % interval's
  half-width); at ``quick`` (d = 10) it is reported.
* ``relu-transfer-boundary`` — the predicted n* = (A/‖P⊥f_t‖²)^(1/ν) against the simulated sign
  change of T_lt(μ, n), per μ, for both readings of the feature space: reported, not gated; gated:
  the simulated boundary does not move to larger n as μ grows (a rise from one μ to the next
  beyond 5 bootstrap standard errors fails; a zero tolerance failed on sampling noise alone,
  e.g. T = −0.0022 ± 0.0020 against +0.0003 ± 0.0005 at the smallest n of ``ladder_d20``).
* ``relu-phase-sign`` — the ReLU phase diagram has the linear one's sign structure: positive
  transfer at the smallest n and μ, negative at the largest (paired differences, 5 SE). Gated; the
  fraction of cells whose sign agrees with the predicted boundary is reported.

Linear transfer (output layer refitted, :mod:`fate_numeric.relu`) is the transfer procedure of
these claims: eq. 18 and the grey-circle boundary are statements about it. Fine-tuning cells are
available (sweep ``relu_fine_tuning``) but not part of ``verify`` (their cost on a CPU).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import torch

from derivations.paper import PRINTED_NUMBERS
from fate_numeric import relu_analysis
from fate_numeric.numerics import DTYPE, generator
from fate_numeric.relu_sweeps import ReluCell
from verify.claims.core import Context, Tier, claim, paper_check
from verify.model import Check
from verify.stats import K, exact_check, mean_check

PAPER_EXPONENT = float(PRINTED_NUMBERS["relu_scratch_exponent"].value)
SPANS = relu_analysis.SPANS  # the two bases of the feature space
CONTAINED = 1e-2  # "the feature space contains f_s": ‖P⊥f_s‖² <= 1 % of ‖f_s‖² (our threshold)


def relu_sweep(ctx: Context, name: str) -> list[tuple[ReluCell, dict[str, np.ndarray]]]:
    """The cells of a ReLU sweep at the run's profile and their arrays (:meth:`Context.sweep`)."""
    return ctx.sweep(name)


def _report(label: str, measured: float, predicted: float, note: str) -> Check:
    """A number reported beside a reference value, not gated."""
    return Check(label, float(measured), float(predicted), 0.0, None, False, note)


def per_fraction(ctx: Context) -> dict[float, dict[str, np.ndarray]]:
    """The pretraining diagnostics of every removed fraction (from the linear-transfer cells)."""
    return relu_analysis.diagnostics_by_fraction(relu_sweep(ctx, "relu_linear_transfer"))


def scratch_fit(ctx: Context) -> tuple[list[int], list[np.ndarray], relu_analysis.PowerLaw]:
    """Sample sizes, per-instance scratch risks and the fitted power law (seeded bootstrap)."""
    return relu_analysis.scratch_power_law(relu_sweep(ctx, "relu_scratch"), seed=ctx.seed)


def boundaries(ctx: Context) -> dict[float, tuple[relu_analysis.Crossing, tuple[float, float]]]:
    """μ → the simulated sign change of T_lt(μ, n) and the predicted n* = (A/‖P⊥f_t‖²)^(1/ν) on
    the spans of ``SPANS`` (source teacher, student), in increasing μ."""
    sizes, _, fit = scratch_fit(ctx)
    return relu_analysis.boundaries(sizes, transfer_grid(ctx), per_fraction(ctx), fit, ctx.theory)


def boundary_rises(ctx: Context) -> tuple[list[float], np.ndarray, np.ndarray]:
    """The removed fractions μ (increasing), the rises of log n* between successive ones and
    their bootstrap standard errors (:func:`fate_numeric.relu_analysis.boundary_rises`)."""
    sizes, scratch, _ = scratch_fit(ctx)
    transfer = {
        (cell.removed, cell.n): a["risk"] for cell, a in relu_sweep(ctx, "relu_linear_transfer")
    }
    fractions = sorted({removed for removed, _ in transfer})
    rises, errors = relu_analysis.boundary_rises(
        sizes, scratch, [[transfer[(m, n)] for n in sizes] for m in fractions], seed=ctx.seed
    )
    return fractions, rises, errors


def sign_agreement(ctx: Context, span: str) -> float:
    """The fraction of (μ, n) cells whose simulated sign of T_lt is the predicted one: positive
    where A n^(−ν) > ‖P⊥f_t‖² (``span``: ``out_of_span_source`` or ``out_of_span_student``)."""
    _, _, fit = scratch_fit(ctx)
    return relu_analysis.sign_agreement(
        transfer_grid(ctx), per_fraction(ctx), fit, span, ctx.theory
    )


def transfer_grid(ctx: Context) -> dict[tuple[float, int], tuple[float, float]]:
    """(μ, n) → mean and standard error of T_lt = R_sc − R_lt (paired: same target data)."""
    return relu_analysis.transfer_grid(
        relu_sweep(ctx, "relu_scratch"), relu_sweep(ctx, "relu_linear_transfer")
    )


# ---- the kernel ----------------------------------------------------------------------------------
def _kernel_quadrature(u: float) -> float:
    """E[relu(x₁) relu(u x₁ + √(1 − u²) x₂)], x₂-integral in closed form, x₁ by mpmath (30 dps).

    Independent oracle of ``relu_kernel`` (eq. 167), written out here on purpose: Cartesian
    coordinates with w = e₁ and v = u e₁ + √(1 − u²) e₂, the inner integral by the textbook
    truncated-normal mean E[(a + sZ)₊] = aΦ(a/s) + sφ(a/s), the outer one numerically. The record
    integrates in polar coordinates (a radial Gamma integral and an angular wedge), so neither
    the route nor any intermediate result is shared.
    """
    with mpmath.workdps(30):
        u_ = mpmath.mpf(u)
        s = mpmath.sqrt(1 - u_**2)

        def integrand(x1):
            lower = -u_ * x1 / s
            inner = u_ * x1 * (1 - mpmath.ncdf(lower)) + s * mpmath.npdf(lower)
            return x1 * mpmath.npdf(x1) * inner

        return float(mpmath.quad(integrand, [0, mpmath.inf]))


@claim("relu-kernel", "E[relu(wᵀx) relu(vᵀx)] is the arc-cosine kernel", "App. E, eq. 167")
def _kernel() -> dict[str, Tier]:
    def symbolic(ctx: Context) -> list[Check]:
        return paper_check("relu_kernel")

    def precision(ctx: Context) -> list[Check]:
        return [
            exact_check(
                f"κ(u = {u:g})",
                _kernel_quadrature(u),
                float(ctx.theory.relu_kernel(u)),
                1e-14,
                "mpmath quadrature over the plane of w, v (Cartesian), 30 digits",
            )
            for u in (-0.9, -0.5, 0.0, 0.3, 0.7, 0.99)
        ]

    def montecarlo_tier(ctx: Context) -> list[Check]:
        gen = generator(ctx.seed, ctx.device)
        d, samples = 20, 200_000 if ctx.profile == "quick" else 2_000_000
        checks = []
        for target in (-0.6, 0.0, 0.8):
            w, other = torch.randn(2, d, generator=gen, dtype=DTYPE, device=ctx.device)
            w = w / w.norm()
            other = other - (other @ w) * w
            v = target * w + math.sqrt(1 - target**2) * other / other.norm()
            x = torch.randn(samples, d, generator=gen, dtype=DTYPE, device=ctx.device)
            values = (torch.relu(x @ w) * torch.relu(x @ v)).cpu().numpy()
            checks.append(
                mean_check(
                    f"d = {d}, wᵀv = {target:g}, {samples} samples",
                    values,
                    float(ctx.theory.relu_kernel(float(w @ v))),
                )
            )
        return checks

    return {"symbolic": symbolic, "precision": precision, "montecarlo": montecarlo_tier}


# ---- pretraining and the feature space -----------------------------------------------------------
@claim(
    "relu-pretraining-features",
    "Pretraining puts the source teacher in the student's feature space and aligns its kernel",
    "Sec. 4, Fig. 3a-b",
)
def _pretraining() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        checks = []
        for removed, arrays in sorted(per_fraction(ctx).items()):
            cell = next(
                c for c, _ in relu_sweep(ctx, "relu_linear_transfer") if c.removed == removed
            )
            source_norm = float(arrays["source_norm"][0])
            loss = float(arrays["pretrain_loss"][0])
            checks.append(
                _report(
                    f"μ = {removed:g}: pretraining population loss "
                    f"({int(arrays['pretrain_steps'][0])} steps)",
                    loss,
                    cell.tol,
                    f"stops at loss {cell.tol:g} or {cell.max_steps} steps (paper: 1e-6 or 1e5)",
                )
            )
            checks.append(
                exact_check(
                    f"μ = {removed:g}: ‖P⊥f_s‖²/‖f_s‖² on the student's neurons",
                    float(arrays["source_out_of_span_student"][0]) / source_norm,
                    0.0,
                    CONTAINED,
                    f"f_s in the feature space up to {CONTAINED:.0%} of its norm² (our threshold); "
                    f"the final loss bounds it by {loss / source_norm:.2e}",
                )
            )
            init, trained = (
                float(arrays["alignment_init"][0]),
                float(arrays["alignment_trained"][0]),
            )
            checks.append(
                Check(
                    f"μ = {removed:g}: centred kernel alignment with the source teacher, "
                    "after vs at initialisation",
                    trained,
                    init,
                    0.0,
                    None,
                    True,
                    "the kernel (1/m)Σ relu(w_iᵀx)relu(w_iᵀx') moves towards the source "
                    "teacher's; exact alignment in L₂(p⊗p), constants removed",
                    relation=">",
                )
            )
        return checks

    return {"simulation": simulation}


@claim(
    "relu-out-of-span-growth",
    "The part of f_t outside the pretrained feature space grows with the removed fraction",
    "Sec. 4, eq. 18, Fig. 3d",
)
def _out_of_span() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        rows = sorted(per_fraction(ctx).items())
        checks = []
        for basis, name in (
            ("source teacher", "out_of_span_source"),
            ("student", "out_of_span_student"),
        ):
            values = [float(a[name][0]) / float(a["target_norm"][0]) for _, a in rows]
            increments = np.diff(values)
            checks.append(
                Check(
                    f"smallest increment of ‖P⊥f_t‖²/‖f_t‖² ({basis} span) between successive μ",
                    float(increments.min()),
                    0.0,
                    0.0,
                    None,
                    basis == "source teacher",
                    "Fig. 3d: increasing in μ (gated for the source teacher's span; the "
                    "trained student's span is reported)",
                    relation=">",
                )
            )
            for (removed, _), value in zip(rows, values, strict=True):
                checks.append(
                    _report(f"‖P⊥f_t‖²/‖f_t‖² at μ = {removed:g}, {basis} span", value, 0.0, "")
                )
            second = np.diff(increments)
            checks.append(
                _report(
                    f"smallest second difference ({basis} span; > 0 means convex)",
                    float(second.min()) if second.size else math.nan,
                    0.0,
                    "Fig. 3d looks convex; reported",
                )
            )
        return checks

    return {"simulation": simulation}


# ---- scratch power law, boundary, phase diagram --------------------------------------------------
@claim(
    "relu-scratch-power-law",
    "Scratch risk of the ReLU student ≈ A n^(−ν), ν ≈ 1.18",
    "Sec. 4, Fig. 3e",
    not_judged="ν ≈ 1.18 is the paper's fit at d = 100, m = 1000 (the paper profile); the CPU "
    "profiles fit ν far from that regime, so there ν is reported beside 1.18 and only a falling "
    "power law (ν > 0) is gated",
    judged_at=("paper",),
)
def _power_law() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        sizes, _, fit = scratch_fit(ctx)
        low, high = fit.exponent_interval
        half = (high - low) / 2
        paper_setting = ctx.profile == "paper"
        return [
            Check(
                f"ν: lower end of the {fit.level:.0%} bootstrap interval",
                low,
                0.0,
                0.0,
                None,
                True,
                "the scratch risk falls as a power of n",
                relation=">",
            ),
            Check(
                f"ν = {fit.exponent:.3f} [{low:.3f}, {high:.3f}] vs the paper's fit",
                fit.exponent,
                PAPER_EXPONENT,
                half,
                half / 1.96,
                paper_setting,
                f"n = {sizes[0]}..{sizes[-1]}; gated only at the paper profile (d = 100); "
                f"R² of the log-log fit {fit.r_squared:.4f}",
            ),
            _report(
                f"A = {fit.amplitude:.4g} [{fit.amplitude_interval[0]:.4g}, "
                f"{fit.amplitude_interval[1]:.4g}]",
                fit.amplitude,
                0.0,
                "the paper does not state A (no prediction; reported)",
            ),
        ]

    return {"simulation": simulation}


@claim(
    "relu-transfer-boundary",
    "Negative transfer where A n^(−ν) < ‖P⊥f_t‖² (predicted vs simulated boundary)",
    "Sec. 4, eq. 18, Fig. 3e (grey circles)",
    not_judged="the predicted n* and the simulated sign change of T_lt are reported side by side: "
    "the paper draws its boundary over its phase diagram without a tolerance, and at the CPU "
    "profiles the two differ by factors of 1.5–3 (the power law is fitted far from the paper's "
    "regime); what is gated is that the simulated boundary does not move to larger n as μ grows",
)
def _boundary() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        checks = []
        for removed, (crossing, predictions) in boundaries(ctx).items():
            for (basis, _), predicted in zip(SPANS, predictions, strict=True):
                checks.append(
                    _report(
                        f"μ = {removed:g}: simulated n* ({crossing.kind}) vs predicted "
                        f"({basis} span)",
                        crossing.n,
                        predicted,
                        "reported, not gated (the paper's boundary is a prediction drawn over "
                        "its simulated phase diagram)",
                    )
                )
        fractions, rises, errors = boundary_rises(ctx)
        for k, (rise, error) in enumerate(zip(rises, errors, strict=True)):
            checks.append(
                Check(
                    f"rise of log n* (simulated) from μ = {fractions[k]:g} to {fractions[k + 1]:g}",
                    max(0.0, float(rise)),
                    0.0,
                    K * float(error),
                    float(error),
                    True,
                    f"raw {float(rise):+.3f}: the negative-transfer boundary moves to fewer "
                    "samples as more of the teacher is removed (as γ = cos²θ falls with θ in the "
                    f"linear model); a rise fails beyond {K:g} bootstrap SE (instances resampled "
                    "per n, paired across μ); grid-end crossings count as the grid's end",
                    predicted_by="no rise (the boundary does not move to larger n)",
                )
            )
        return checks

    return {"simulation": simulation}


@claim(
    "relu-phase-sign",
    "The ReLU transferability phase diagram has the sign structure of the linear one",
    "Sec. 4, Fig. 3e",
)
def _phase_sign() -> dict[str, Tier]:
    def simulation(ctx: Context) -> list[Check]:
        sizes, _, _ = scratch_fit(ctx)
        grid = transfer_grid(ctx)
        fractions = sorted({removed for removed, _ in grid})
        corners = (
            ((fractions[0], sizes[0]), ">", "few samples, small μ: positive transfer"),
            ((fractions[-1], sizes[-1]), "<", "many samples, large μ: negative transfer"),
        )
        checks = []
        for (removed, n), relation, note in corners:
            mean, se = grid[(removed, n)]
            checks.append(
                Check(
                    f"T_lt(μ = {removed:g}, n = {n})",
                    mean,
                    0.0,
                    K * se,
                    se,
                    True,
                    f"{K:g} paired SE; {note}",
                    relation=relation,
                )
            )
        for basis, name in SPANS:
            checks.append(
                _report(
                    f"fraction of (μ, n) cells whose sign matches A n^(−ν) vs ‖P⊥f_t‖² "
                    f"({basis} span)",
                    sign_agreement(ctx, name),
                    1.0,
                    f"{len(grid)} cells; reported",
                )
            )
        return checks

    return {"simulation": simulation}
