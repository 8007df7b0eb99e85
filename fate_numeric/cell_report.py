"""What ``python -m fate_numeric simulate`` reports about one cell: the simulated risk beside the
theory (a short text), and every per-instance number (JSON, with ``--full`` or ``--json FILE``).

The theory a cell is set beside is the one verify's claims compare the same procedure with
(verify/claims/linear.py), evaluated by :mod:`fate_numeric.theory` (lambdified from
:mod:`derivations`):

* scratch: the exact E R_sc at the cell's n, d (``scratch_risk_finite``, Thm 3.6's finite-size
  form) and eq. 8 at γ = n/d (``scratch_risk``);
* linear transfer, λ = 0: eq. 10 at the cell's n, exact at finite n for every d
  (``lt_risk``), and its n → ∞ limit sin²θ (``lt_risk_limit``); λ > 0: eq. 13, the n → ∞ risk
  (``ridge_lt_risk``); after finite-source pretraining, eq. 10 with sin²θ replaced by the
  finite-source limit (``lt_risk_finite_source_n``, within 3/d) and that limit
  (``lt_risk_finite_source``);
* fine-tuning: E R_ft = E R_sc − T_ft, with T_ft from eq. 15 at γ = n/d — exact at σ = 0; at
  σ > 0 the balanced-scale correction (``ft_transferability_balanced``, within O(1/d)) and eq. 15
  as printed (the erratum of docs/paper.md §9.2.1) —; after finite-source pretraining eq. 22 with
  the balanced scale at the cell's sizes (``ft_risk_finite_source_balanced_d``) and as printed
  (``ft_risk_finite_source_d``);
* weight decay > 0: no closed form (the baseline of Fig. 5 is empirical).

A ReLU cell (Sec. 4) has no closed-form risk; a linear-transfer one is set beside the n → ∞
floor of eq. 18, ‖P⊥f_t‖², measured on the pretrained features.

The deviation is (simulated mean − theory) / standard error of the mean. Against the asymptotic
values it includes the finite-size gap, which is part of what the exact values show.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from derivations.errors import InvalidArgumentError
from derivations.table import table
from fate_numeric import theory
from fate_numeric.experiments import Cell
from fate_numeric.statistics import standard_error

#: How each kind of theory value is named in the summary.
KINDS = {
    "exact": "the exact expectation at this n, d",
    "finite size": "a finite-size approximation (error O(1/d))",
    "as printed": "the paper's printed formula, known to be wrong here (docs/paper.md §9.2)",
    "asymptotic": "the limit n, d → ∞ (or n → ∞)",
    "floor": "the n → ∞ floor of the risk",
}

_PROCEDURES = {
    "scratch": "scratch",
    "linear_transfer": "linear transfer",
    "fine_tuning": "fine-tuning",
}


@dataclass(frozen=True)
class Reference:
    """One theory value beside a simulated mean: its kind (a key of :data:`KINDS`), the value
    and the formula it comes from."""

    kind: str
    value: float
    formula: str

    def to_dict(self) -> dict:
        value = self.value if math.isfinite(self.value) else str(self.value)
        return {"kind": self.kind, "value": value, "formula": self.formula}


@dataclass(frozen=True)
class Estimate:
    """A simulated mean over instances and its standard error (None for one instance)."""

    mean: float
    standard_error: float | None
    count: int

    @classmethod
    def of(cls, values: np.ndarray) -> Estimate:
        values = np.asarray(values, dtype=np.float64).ravel()
        error = standard_error(values) if values.size > 1 else None
        return cls(float(values.mean()), error, int(values.size))

    def deviation(self, value: float) -> float | None:
        """(mean − value) / standard error; None where it is not defined."""
        if not self.standard_error or not math.isfinite(value):
            return None
        return (self.mean - value) / self.standard_error

    def __str__(self) -> str:
        if self.standard_error is None:
            return f"{self.mean:.4g} (one instance: no standard error)"
        return f"{self.mean:.4g} ± {self.standard_error:.2g}"


def _value(function: Callable[..., float], *args: float) -> float | None:
    """``function(*args)`` as a float, or None where the formula does not apply to the cell."""
    try:
        return float(function(*args))
    except InvalidArgumentError:
        return None


def _references(items: list[tuple[str, Callable[[], float | None], str]]) -> list[Reference]:
    """The references whose value is defined at the cell."""
    out = []
    for kind, compute, formula in items:
        value = compute()
        if value is not None:
            out.append(Reference(kind, value, formula))
    return out


def references(cell: Cell, ridge: float = 0.0) -> tuple[list[Reference], str]:
    """The theory values of a linear cell's mean generalisation error ‖β̂ − β_t‖² (at ridge
    ``ridge`` for linear transfer), and a note on what is missing or assumed ('' if nothing)."""
    if cell.weight_decay > 0:
        return [], "no closed form with weight decay (the baseline of Fig. 5 is empirical)"
    n, d, sigma = cell.n, cell.d, cell.sigma
    gamma = n / d
    if cell.procedure == "scratch":
        found = _references(
            [
                (
                    "exact",
                    lambda: _value(theory.scratch_risk_finite, n, d, sigma),
                    "E R_sc at these n, d (Thm 3.6's exact form; theory.scratch_risk_finite)",
                ),
                (
                    "asymptotic",
                    lambda: _value(theory.scratch_risk, gamma, sigma),
                    "eq. 8 at γ = n/d (theory.scratch_risk)",
                ),
            ]
        )
        note = ""
    elif cell.procedure == "linear_transfer":
        found, note = _linear_transfer(cell, ridge)
    else:
        found, note = _fine_tuning(cell)
    if any(math.isinf(r.value) for r in found):
        infinite = (
            "the expected risk is infinite at |n − d| <= 1 with σ > 0 (the interpolation peak)"
        )
        note = "; ".join(filter(None, [note, infinite]))
    return found, note


def _linear_transfer(cell: Cell, ridge: float) -> tuple[list[Reference], str]:
    n, d, sigma, theta = cell.n, cell.d, cell.sigma, cell.theta
    note = ""
    if ridge == 0 and cell.authors_jitter:
        note = "λ = 0 solved with the authors' jitter λ = 10⁻⁵ (its bias is below 10⁻⁴)"
    if cell.n_source is not None:
        if ridge > 0:
            return [], "no closed form for a ridge after finite-source pretraining"
        ratio_s = cell.n_source / d
        return _references(
            [
                (
                    "finite size",
                    lambda: _value(
                        theory.lt_risk_finite_source_n, theta, n, ratio_s, cell.sigma_source, sigma
                    ),
                    "eq. 10 at n with sin²θ → the finite-source limit (within 3/d; "
                    "theory.lt_risk_finite_source_n)",
                ),
                (
                    "asymptotic",
                    lambda: _value(theory.lt_risk_finite_source, theta, ratio_s, cell.sigma_source),
                    "n → ∞ after pretraining on γ_s = n_s/d samples (theory.lt_risk_finite_source)",
                ),
            ]
        ), note
    if ridge > 0:
        return _references(
            [
                (
                    "asymptotic",
                    lambda: _value(theory.ridge_lt_risk, theta, ridge),
                    "eq. 13, n → ∞ (theory.ridge_lt_risk; no finite-n form for λ > 0)",
                )
            ]
        ), note
    found = _references(
        [
            (
                "exact",
                lambda: _value(theory.lt_risk, theta, n, sigma),
                "eq. 10 at this n, for every d (Thm 3.7; theory.lt_risk)",
            ),
            (
                "asymptotic",
                lambda: _value(theory.lt_risk_limit, theta),
                "n → ∞: sin²θ (theory.lt_risk_limit)",
            ),
        ]
    )
    if not any(r.kind == "exact" for r in found):
        note = "; ".join(filter(None, [note, "eq. 10 needs n > 2"]))
    return found, note


def _fine_tuning(cell: Cell) -> tuple[list[Reference], str]:
    n, d, sigma, theta = cell.n, cell.d, cell.sigma, cell.theta
    gamma = n / d
    note = "the balanced scale of fine-tuning is derived for depth 2" if cell.depth != 2 else ""

    def risk(scratch: float | None, transferability: float | None) -> float | None:
        """E R_ft = E R_sc − T_ft (the definition of the transferability)."""
        if scratch is None or transferability is None:
            return None
        return scratch - transferability

    def finite_scratch() -> float | None:
        return _value(theory.scratch_risk_finite, n, d, sigma)

    if cell.n_source is not None:
        ratio_s = cell.n_source / d
        sizes = (theta, n, d, cell.n_source, sigma, cell.sigma_source)
        return _references(
            [
                (
                    "finite size",
                    lambda: _value(theory.ft_risk_finite_source_balanced_d, *sizes),
                    "eq. 22 with the balanced scale at these n, d, n_s "
                    "(theory.ft_risk_finite_source_balanced_d)",
                ),
                (
                    "as printed",
                    lambda: _value(theory.ft_risk_finite_source_d, *sizes),
                    "eq. 22 as printed, κ = 1 (theory.ft_risk_finite_source_d)",
                ),
                (
                    "asymptotic",
                    lambda: risk(
                        _value(theory.scratch_risk, gamma, sigma),
                        _value(
                            theory.ft_transferability_finite_source_balanced,
                            theta,
                            gamma,
                            ratio_s,
                            sigma,
                            cell.sigma_source,
                        ),
                    ),
                    "eq. 8 − eq. 22 with the balanced scale, at γ = n/d, γ_s = n_s/d",
                ),
            ]
        ), note
    printed = (
        "as printed",
        lambda: risk(finite_scratch(), _value(theory.ft_transferability, theta, gamma)),
        "E R_sc(n, d) − eq. 15 as printed at γ = n/d (theory.ft_transferability)",
    )
    if sigma == 0:
        exact = ("exact", printed[1], "E R_sc(n, d) − eq. 15 at γ = n/d: exact at σ = 0")
        items = [exact]
    else:
        items = [
            (
                "finite size",
                lambda: risk(
                    finite_scratch(),
                    _value(theory.ft_transferability_balanced, theta, gamma, sigma),
                ),
                "E R_sc(n, d) − eq. 15 with the balanced scale c at γ = n/d "
                "(theory.ft_transferability_balanced)",
            ),
            printed,
        ]
    items.append(
        (
            "asymptotic",
            lambda: risk(
                _value(theory.scratch_risk, gamma, sigma),
                _value(theory.ft_transferability_balanced, theta, gamma, sigma),
            ),
            "eq. 8 − eq. 15 with the balanced scale, at γ = n/d",
        )
    )
    return _references(items), note


# ---- the text summary ----------------------------------------------------------------------------
def describe_cell(cell: Cell) -> str:
    """The cell's parameters in one line."""
    parts = [
        f"d = {cell.d}",
        f"n = {cell.n} (γ = n/d = {cell.n / cell.d:.4g})",
    ]
    if cell.procedure != "scratch":
        parts.append(f"θ = {cell.theta:.4g} rad ({cell.theta / math.pi:.4g}π)")
    parts.append(f"σ = {cell.sigma:g}")
    if cell.procedure != "scratch" and cell.n_source is not None:
        parts.append(f"n_s = {cell.n_source} source samples (σ_s = {cell.sigma_source:g})")
    if cell.weight_decay:
        parts.append(f"weight decay {cell.weight_decay:g}")
    parts += [f"depth L = {cell.depth}", f"α = {cell.alpha:g} ({cell.init} initialisation)"]
    return f"{_PROCEDURES[cell.procedure]}: " + ", ".join(parts)


def _schedule(label: str, steps: np.ndarray, budget: int) -> str:
    low, high = int(np.min(steps)), int(np.max(steps))
    taken = f"{low}" if low == high else f"{low}–{high}"
    return f"{label}: {taken} steps of at most {budget}"


def _losses(label: str, values: np.ndarray) -> str:
    values = np.asarray(values, dtype=np.float64)
    return f"{label}: mean {values.mean():.3g}, largest {values.max():.3g}"


def _rows(label: str, estimate: Estimate, found: list[Reference]) -> list[tuple[str, ...]]:
    rows = [(label, "simulated", str(estimate), "", "")]
    for reference in found:
        deviation = estimate.deviation(reference.value)
        rows.append(
            (
                "",
                reference.kind,
                f"{reference.value:.4g}",
                "—" if deviation is None else f"{deviation:+.1f} SE",
                reference.formula,
            )
        )
    return rows


def _comparison(
    title: str,
    blocks: list[tuple[str, Estimate, list[Reference], str]],
    width: int | None,
) -> list[str]:
    """The simulated means and the theory values, one block of rows per estimate."""
    rows: list[tuple[str, ...]] = []
    notes = []
    for label, estimate, found, note in blocks:
        rows += _rows(label, estimate, found)
        if note:
            notes.append(f"{label}: {note}" if label else note)
    header = ("", "", "value", "deviation", "theory")
    lines = [title, *("  " + line for line in table(rows, header=header, wrap=(4,), width=width))]
    kinds = [k for k in KINDS if any(k == row[1] for row in rows)]
    lines += [f"  {kind}: {KINDS[kind]}" for kind in kinds]
    lines += [f"  note: {note}" for note in notes]
    if not any(found for _, _, found, _ in blocks):
        return lines
    lines.append("  deviation: (simulated mean − theory) / its standard error")
    return lines


def linear_summary(
    cell: Cell, arrays: dict[str, np.ndarray], device: str, seconds: float, width: int | None
) -> str:
    """The text ``simulate`` prints for a linear cell."""
    errors = np.asarray(arrays["generalisation"])
    per_ridge = errors.ndim == 2
    blocks = []
    for k, lam in enumerate(cell.ridges if per_ridge else (0.0,)):
        found, note = references(cell, lam)
        label = f"λ = {lam:g}" if cell.procedure == "linear_transfer" else ""
        blocks.append((label, Estimate.of(errors[k] if per_ridge else errors), found, note))
    instances = errors.shape[-1]
    lines = [
        describe_cell(cell),
        f"{instances} instances (seed {cell.seed}) on {device}, {seconds:.1f} s",
        "",
        *_comparison(
            f"generalisation error ‖β̂ − β_t‖², mean ± standard error over {instances} instances:",
            blocks,
            width,
        ),
        "",
    ]
    if "pretrain_loss" in arrays:
        lines.append(_losses("pretraining loss", arrays["pretrain_loss"]))
        lines.append(
            _schedule("pretraining", arrays["pretrain_steps"], cell.pretrain_schedule.steps)
        )
    if "train_loss" in arrays:
        lines.append(_losses("training loss", arrays["train_loss"]))
        lines.append(_schedule("training", arrays["steps"], cell.schedule.steps))
    if "feature_singular_values" in arrays:
        top = np.asarray(arrays["feature_singular_values"]).mean(axis=0)
        lines.append(
            "pretrained feature map, top singular values (mean over instances): "
            + ", ".join(f"{s:.3g}" for s in top)
        )
    for name, what in (
        ("drift", "‖D_l(end) − D_l(0)‖_F"),
        ("trace_drift", "|tr D(end) − tr D(0)|"),
    ):
        if name in arrays:
            lines.append(
                f"drift of the conserved imbalances {what}: largest {np.max(arrays[name]):.3g}"
            )
    if cell.record_every is not None:
        lines.append(f"time course recorded every {cell.record_every} steps: in the JSON")
    lines.append(FULL_HINT)
    return "\n".join(lines)


#: The last line of a summary: where the per-instance numbers are.
FULL_HINT = (
    "per-instance values and every diagnostic: --full prints them as JSON, --json FILE writes them"
)


def relu_summary(
    cell, arrays: dict[str, np.ndarray], device: str, seconds: float, width: int | None
) -> str:
    """The text ``simulate --model relu`` prints: the risk; for linear transfer beside the n → ∞
    floor of eq. 18 on the pretrained features (no closed form otherwise)."""
    estimate = Estimate.of(arrays["risk"])
    found, note = [], "no closed form for one cell: Sec. 4 is numerical"
    if cell.procedure == "scratch":
        note += (
            "; the power law A n^(−ν) is fitted across n "
            "(python -m verify run relu-scratch-power-law)"
        )
    if cell.procedure == "linear_transfer":
        note = (
            "two readings of the feature space (docs/paper.md §5.2); the risk approaches the "
            "floor as n → ∞, so no deviation is given"
        )
        found = [
            Reference(
                "floor",
                float(np.mean(arrays[name])),
                f"eq. 18: ‖P⊥f_t‖² outside the span of {span}",
            )
            for name, span in (
                ("out_of_span_student", "the pretrained student's neurons"),
                ("out_of_span_source", "the source teacher's neurons"),
            )
            if name in arrays
        ]
    rows = [("simulated", str(estimate), "")] + [
        (r.kind, f"{r.value:.4g}", r.formula) for r in found
    ]
    header, wrap = ("", "value", "theory"), (2,)
    if not found:  # no theory column to wrap
        rows, header, wrap = [row[:2] for row in rows], header[:2], ()
    parts = [f"d = {cell.d}", f"n = {cell.n}", f"σ = {cell.sigma:g}"]
    if cell.procedure != "scratch":
        parts.append(f"removed fraction μ = {cell.removed:g}")
    parts += [f"width m = {cell.width}", f"teacher width m* = {cell.teacher_width}"]
    lines = [
        f"ReLU {_PROCEDURES[cell.procedure]}: " + ", ".join(parts),
        f"{estimate.count} instances (seed {cell.seed}) on {device}, {seconds:.1f} s",
        "",
        f"risk, mean ± standard error over {estimate.count} instances:",
        *("  " + line for line in table(rows, header=header, wrap=wrap, width=width)),
        f"  note: {note}",
        "",
    ]
    if "train_loss" in arrays:
        lines.append(_losses("training loss", arrays["train_loss"]))
        lines.append(_schedule("training", arrays["steps"], cell.max_steps))
    if "pretrain_loss" in arrays:
        lines.append(_losses("pretraining loss", arrays["pretrain_loss"]))
    lines.append(FULL_HINT)
    return "\n".join(lines)


# ---- the JSON ------------------------------------------------------------------------------------
def _summary(values: np.ndarray) -> dict:
    estimate = Estimate.of(values)
    return {
        "mean": estimate.mean,
        "standard_error": estimate.standard_error,
        "per_instance": [float(v) for v in np.asarray(values).ravel()],
    }


def _time_course(values: np.ndarray) -> list[list[float | None]]:
    """Per instance, the recorded values (``None`` after the instance stopped early)."""
    return [[float(v) if np.isfinite(v) else None for v in row] for row in values]


def linear_record(cell: Cell, arrays: dict[str, np.ndarray], device: str, seconds: float) -> dict:
    """Everything ``simulate`` knows about a linear cell, as JSON data: per instance the
    generalisation errors and losses (with mean and standard error), the steps, the top singular
    values of the pretrained feature map, the drift of the conserved D_l, the recorded time
    course, the theory values and the cell's configuration."""
    errors = arrays["generalisation"]
    per_ridge = errors.ndim == 2
    record: dict = {"device": device, "seconds": round(seconds, 3)}
    if per_ridge:
        record["generalisation"] = {
            f"ridge={lam:g}": _summary(row) for lam, row in zip(cell.ridges, errors, strict=True)
        }
        record["theory"] = {
            f"ridge={lam:g}": [r.to_dict() for r in references(cell, lam)[0]] for lam in cell.ridges
        }
    else:
        record["generalisation"] = _summary(errors)
        record["theory"] = [r.to_dict() for r in references(cell)[0]]
    for name in ("train_loss", "pretrain_loss"):
        if name in arrays:
            record[name] = _summary(arrays[name])
    for name in ("steps", "pretrain_steps"):
        if name in arrays:
            record[name] = [int(v) for v in arrays[name]]
    if "feature_singular_values" in arrays:  # the pretrained feature map's top three
        record["feature_singular_values"] = arrays["feature_singular_values"].tolist()
    if "drift" in arrays:  # ‖D_l(end) − D_l(0)‖_F per instance and layer (W-form)
        record["drift"] = arrays["drift"].tolist()
    if "trace_drift" in arrays:  # |tr D(end) − tr D(0)| per instance (Gram form, L = 2)
        record["trace_drift"] = arrays["trace_drift"].tolist()
    for prefix in ("pretrain_history", "history"):
        if f"{prefix}_step" in arrays:
            record[prefix] = {
                name: _time_course(arrays[f"{prefix}_{name}"])
                for name in ("train_loss", "generalisation")
                if f"{prefix}_{name}" in arrays
            }
            record[prefix]["step"] = [int(k) for k in arrays[f"{prefix}_step"]]
    record["cell"] = cell.config()
    return record


def relu_record(cell, arrays: dict[str, np.ndarray], device: str, seconds: float) -> dict:
    """Everything ``simulate --model relu`` knows about a ReLU cell, as JSON data."""
    return {
        "device": device,
        "seconds": round(seconds, 3),
        "risk": _summary(arrays["risk"]),
        **{name: values.tolist() for name, values in arrays.items() if name != "risk"},
        "cell": cell.config(),
    }
