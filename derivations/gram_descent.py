"""Gradient descent of the depth-2 linear network in its Gram variables, and the refit through them.

For L = 2 the network f(x) = xᵀW_1w_2 (W_1 ∈ ℝ^{d×d}, w_2 ∈ ℝ^d) is trained by the authors'
full-batch gradient descent with SGD weight decay λ_wd (the optimiser of ``train.py`` and
``transfer.py``): p' = p − η(∇_p ℒ + λ_wd p) for every layer. Every loss of the paper depends on
the weights only through β̂ = W_1w_2, and its gradient in β̂ is a vector g (2(Sβ̂ − b) for the
empirical loss, 2(β̂ − β_s) for the population loss). The layer gradients are then
∇W_1 = g w_2ᵀ and ∇w_2 = W_1ᵀg (the gradient-flow equations of ``gf_conservation_L2``).

* ``gram_descent_step``: one step closes exactly in the Gram variables
  (K = W_1W_1ᵀ, β̂ = W_1w_2, s = ‖w_2‖²):

      β̂' = A_β β̂ + B K g + C g,
      K'  = A_K K + u gᵀ + g uᵀ,   u = D β̂ + E g,
      s'  = A_s s + F β̂ᵀg + G gᵀK g,

  with scalar coefficients that SymPy finds by solving the linear system that matching the
  explicit step on symbolic matrices imposes (each free coefficient is sought as a combination of
  1, s and β̂ᵀg). The result is the tuple (A_β, B, C, A_K, D, E, A_s, F, G) as functions of
  (η, λ_wd, s, β̂ᵀg); ``fate_numeric.gram`` lambdifies it and simulates from it. A step needs the
  products Sβ̂ and Kg and a rank-two update of K: no product with W_1, whose right factor the
  dynamics never observe.
* ``gram_refit``: linear transfer re-fits w_2 on the frozen features F = XW_1 by ridge regression,
  c = (FᵀF + nλI)⁻¹Fᵀy = (W_1ᵀSW_1 + λI)⁻¹W_1ᵀb, β̂ = W_1c. The push-through identity
  (KS + λI)W_1 = W_1(W_1ᵀSW_1 + λI) gives (KS + λI)β̂ = Kb: the refit depends on W_1 only through
  K. With K = QΛQᵀ one square root is W_1 = QΛ^{1/2}, so β̂ = QΛ^{1/2}(Λ^{1/2}QᵀSQΛ^{1/2} + λI)⁻¹
  Λ^{1/2}Qᵀb, the singular values of W_1 are √Λ and its left singular vectors are Q: one
  symmetric eigendecomposition of K serves every ridge, every n and the singular-value
  diagnostics (λ = 0, the minimum-norm fit on the numerical rank, uses the columns of Q whose √Λ
  is above the rank threshold).

What the Gram form gives up: W_1ᵀW_1 is not a function of K, so the drift of the imbalance
D = W_1ᵀW_1 − w_2w_2ᵀ (conserved by gradient flow, eq. 36) is known only through its trace,
tr D = tr K − s, and its norm, ‖D‖_F² = tr K² − 2‖β̂‖² + s² (both checked below).

Identities are checked on explicit matrices of width 3 (the step) and 2 (the refit) whose entries
are independent real symbols, as in :mod:`derivations.gradient_flow`.
"""

from __future__ import annotations

import functools
import itertools

import sympy as sp

from derivations.gradient_flow import flow_equations
from derivations.record import DerivedResult, Regime, Step, identity, unchecked

#: Scalars of the step: learning rate, SGD weight decay, s = ‖w_2‖², and β̂ᵀg.
LEARNING_RATE = sp.Symbol("eta", positive=True)
WEIGHT_DECAY = sp.Symbol("lambda_wd", nonnegative=True)
READOUT_NORM2 = sp.Symbol("s", nonnegative=True)
ALIGNMENT = sp.Symbol("c_bg", real=True)
STEP_VARIABLES = (LEARNING_RATE, WEIGHT_DECAY, READOUT_NORM2, ALIGNMENT)
#: Names of the entries of ``gram_descent_step``'s tuple, in order.
STEP_COEFFICIENTS = ("A_beta", "B", "C", "A_K", "D", "E", "A_s", "F", "G")

_RIDGE = sp.Symbol("lambda", nonnegative=True)
_REFIT_WIDTH = 2


def _explicit_step():
    """The explicit gradient-descent step of W_1, w_2 on symbolic 3 × 3 matrices."""
    flow = flow_equations(2)
    first, readout = flow.weights
    g = flow.residual
    eta, lam = LEARNING_RATE, WEIGHT_DECAY
    grad_first, grad_readout = flow.gradients
    new_first = first - eta * (grad_first + lam * first)
    new_readout = readout - eta * (grad_readout + lam * readout)
    return flow, first, readout, g, sp.ImmutableMatrix(new_first), sp.ImmutableMatrix(new_readout)


@functools.cache
def gram_descent_step() -> DerivedResult:
    """One gradient-descent step of (K, β̂, s) for L = 2, with weight decay."""
    flow, first, readout, g, new_first, new_readout = _explicit_step()
    gram = first * first.T
    beta = first * readout
    s = (readout.T * readout)[0]
    bg = (beta.T * g)[0]
    gkg = (g.T * gram * g)[0]
    new_gram = sp.ImmutableMatrix(new_first * new_first.T)
    new_beta = sp.ImmutableMatrix(new_first * new_readout)
    new_s = (new_readout.T * new_readout)[0]

    # The ansatz: each free coefficient is a constant combination of 1, s and β̂ᵀg.
    basis = (sp.Integer(1), s, bg)
    unknowns = sp.symbols("a_beta b c0:3 a_K dd e0:3 a_s f g0", real=True)
    a_beta, b, c0, c1, c2, a_k, dd, e0, e1, e2, a_s, f, g0 = unknowns
    c_free = c0 * basis[0] + c1 * basis[1] + c2 * basis[2]
    e_free = e0 * basis[0] + e1 * basis[1] + e2 * basis[2]
    u = dd * beta + e_free * g
    ansatz_beta = a_beta * beta + b * (gram * g) + c_free * g
    ansatz_gram = a_k * gram + u * g.T + g * u.T
    ansatz_s = a_s * s + f * bg + g0 * gkg
    residuals = [
        *(new_beta - ansatz_beta),
        *(new_gram - ansatz_gram),
        new_s - ansatz_s,
    ]
    entries = [*first, *readout, *g]
    equations = list(
        itertools.chain.from_iterable(
            sp.Poly(sp.expand(r), *entries).coeffs() for r in residuals if sp.expand(r) != 0
        )
    )
    solution = sp.solve(equations, unknowns, dict=True)
    if len(solution) != 1 or set(solution[0]) != set(unknowns):
        raise RuntimeError("gram_descent derivation failed: the coefficients are not unique")
    (values,) = solution
    values = {k: sp.factor(v) for k, v in values.items()}

    def scalar(expr: sp.Expr) -> sp.Expr:
        """A coefficient with the placeholders 1, s, β̂ᵀg written as the step's scalars."""
        return sp.factor(expr)

    c_value = scalar(values[c0] + values[c1] * READOUT_NORM2 + values[c2] * ALIGNMENT)
    e_value = scalar(values[e0] + values[e1] * READOUT_NORM2 + values[e2] * ALIGNMENT)
    coefficients = sp.Tuple(
        values[a_beta], values[b], c_value, values[a_k], values[dd], e_value,
        values[a_s], values[f], values[g0],
    )  # fmt: skip
    solved = {**values}
    substituted = sp.Tuple(
        *[
            sp.ImmutableMatrix(new_beta - ansatz_beta.subs(solved)),
            sp.ImmutableMatrix(new_gram - ansatz_gram.subs(solved)),
            new_s - ansatz_s.subs(solved),
        ]
    )
    imbalance = first.T * first - readout * readout.T
    trace_d = imbalance.trace()
    norm_d = sum(x**2 for x in imbalance)
    trace_k = gram.trace()
    norm_k = sum(x**2 for x in gram)
    beta_norm = (beta.T * beta)[0]
    layers = "W_1 (3 × 3), w_2 (3 × 1), g (3 × 1) with symbolic entries"
    return DerivedResult(
        name="gram_descent_step",
        title="A gradient-descent step of the depth-2 network in its Gram variables (K, β̂, s)",
        reference="eq. 36's flow discretised as the authors train (SGD with weight decay), L = 2",
        regime=Regime.EXACT,
        assumptions=(
            "deep linear network of depth L = 2, β̂ = W_1 w_2",
            "full-batch gradient descent p' = p − η(∇_p ℒ + λ_wd p) on every layer",
            "any loss of β̂ with gradient g in β̂ (empirical: g = 2(Sβ̂ − b); population: "
            "g = 2(β̂ − β_s))",
            f"checked on {layers} (entrywise polynomial identity)",
        ),
        expr=coefficients,
        variables=STEP_VARIABLES,
        steps=(
            Step(
                sp.Tuple(*flow.gradients),
                "∇W_1 = g w_2ᵀ and ∇w_2 = W_1ᵀ g by SymPy's chain rule (gf_conservation_L2), "
                "with g = ∇_β̂ℒ",
                identity(
                    sp.Tuple(
                        sp.ImmutableMatrix(flow.gradients[0] - g * readout.T),
                        sp.ImmutableMatrix(flow.gradients[1] - first.T * g),
                    )
                ),
            ),
            Step(
                sp.Tuple(new_first, new_readout),
                "one step of torch.optim.SGD with weight decay: W_1' = (1 − ηλ_wd)W_1 − η g w_2ᵀ, "
                "w_2' = (1 − ηλ_wd)w_2 − η W_1ᵀg (both gradients at the old weights)",
                unchecked("the update rule of the authors' optimiser (SGD, no momentum)"),
            ),
            Step(
                sp.Tuple(new_gram, new_beta, new_s),
                "the Gram variables after the step, K' = W_1'W_1'ᵀ, β̂' = W_1'w_2', s' = ‖w_2'‖², "
                "multiplied out",
                unchecked("definition of K, β̂ and s"),
            ),
            Step(
                coefficients,
                "SymPy solves the linear system of the polynomial coefficients of "
                "β̂' − [A_β β̂ + B Kg + C g], K' − [A_K K + u gᵀ + g uᵀ] (u = Dβ̂ + Eg) and "
                "s' − [A_s s + F β̂ᵀg + G gᵀKg], with C and E sought in span{1, s, β̂ᵀg}: the "
                "solution is unique and every residual vanishes identically",
                identity(substituted),
            ),
            Step(
                sp.ImmutableMatrix(imbalance),
                "what remains of the imbalance D = W_1ᵀW_1 − w_2w_2ᵀ: tr D = tr K − s and "
                "‖D‖_F² = tr K² − 2‖β̂‖² + s² (W_1ᵀW_1 itself is not a function of K)",
                identity(sp.Tuple(trace_d - trace_k + s, norm_d - norm_k + 2 * beta_norm - s**2)),
            ),
        ),
        notes=(
            "Not a result of the paper: the exact reduction that lets the package simulate the "
            "paper's depth-2 experiments at d = 500 on a CPU. A step costs the products Sβ̂ and "
            "Kg and a rank-two update of K."
        ),
    )


def _symmetric(name: str, size: int) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(
        size,
        size,
        lambda i, j: sp.Symbol(f"{name}_{min(i, j) + 1}{max(i, j) + 1}", real=True),
    )


@functools.cache
def gram_refit() -> DerivedResult:
    """Linear transfer's ridge refit depends on W_1 only through K = W_1W_1ᵀ."""
    size = _REFIT_WIDTH
    first = sp.ImmutableMatrix(size, size, lambda i, j: sp.Symbol(f"W_{i + 1}{j + 1}", real=True))
    gram_s = _symmetric("S", size)
    b = sp.ImmutableMatrix(sp.symbols(f"b1:{size + 1}", real=True))
    lam = _RIDGE
    eye = sp.eye(size)
    gram = first * first.T
    push_through = sp.ImmutableMatrix(
        (gram * gram_s + lam * eye) * first - first * (first.T * gram_s * first + lam * eye)
    )
    k_sym = _symmetric("K", size)
    system = sp.Tuple(sp.ImmutableMatrix(k_sym * gram_s + lam * eye), sp.ImmutableMatrix(k_sym * b))
    readout = (first.T * gram_s * first + lam * eye).inv() * first.T * b
    beta = sp.ImmutableMatrix(first * readout)
    residual = sp.ImmutableMatrix((gram * gram_s + lam * eye) * beta - gram * b)
    # one square root of K = QΛQᵀ: W = QΛ^{1/2} (Q a rotation, Λ diagonal)
    phi = sp.Symbol("phi", real=True)
    roots = sp.symbols("l1:3", positive=True)
    rotation = sp.ImmutableMatrix([[sp.cos(phi), -sp.sin(phi)], [sp.sin(phi), sp.cos(phi)]])
    root = rotation * sp.diag(*roots)
    eigen_gram = rotation * sp.diag(*(r**2 for r in roots)) * rotation.T
    return DerivedResult(
        name="gram_refit",
        title="The ridge refit of linear transfer through K = W_1W_1ᵀ alone",
        reference="Thm 3.7 / 3.8's estimator as the authors compute it (transfer.py), L = 2",
        regime=Regime.EXACT,
        assumptions=(
            "features F = XW_1 frozen; readout c = (FᵀF + nλI)⁻¹Fᵀy, i.e. "
            "(W_1ᵀSW_1 + λI)⁻¹W_1ᵀb with S = XᵀX/n, b = Xᵀy/n; β̂ = W_1c",
            f"checked on symbolic {size} × {size} matrices (S, K symmetric)",
        ),
        expr=system,
        variables=(lam,),
        steps=(
            Step(
                sp.Eq(sp.Symbol("beta_hat"), sp.Symbol("W_1") * sp.Symbol("c")),
                "the ridge readout c = (W_1ᵀSW_1 + λI)⁻¹W_1ᵀb and β̂ = W_1c (the normal equations "
                "of (1/n)‖XW_1c − y‖² + λ‖c‖²)",
                unchecked("the estimator of transfer.py in the normalisation of Thm 3.8"),
            ),
            Step(
                push_through,
                "push-through: (KS + λI)W_1 = W_1(W_1ᵀSW_1 + λI) with K = W_1W_1ᵀ",
                identity(push_through),
            ),
            Step(
                residual,
                "hence (KS + λI)β̂ = Kb for the refit β̂ (checked with the inverse written out)",
                identity(residual),
            ),
            Step(
                system,
                "the refit solves (KS + λI)β̂ = Kb: it depends on W_1 only through K",
                unchecked("the previous step with K written as a symmetric matrix of symbols"),
            ),
            Step(
                sp.ImmutableMatrix(root * root.T - eigen_gram),
                "K = QΛQᵀ has the square root W_1 = QΛ^{1/2}, so β̂ = QΛ^{1/2}(Λ^{1/2}QᵀSQΛ^{1/2} "
                "+ λI)⁻¹Λ^{1/2}Qᵀb, W_1's singular values are √Λ and its left singular vectors Q",
                identity(sp.ImmutableMatrix(root * root.T - eigen_gram)),
            ),
        ),
        notes=(
            "Not a result of the paper: it lets one symmetric eigendecomposition of K per "
            "pretraining serve every ridge, every n and the singular-value diagnostics. λ = 0 is "
            "the minimum-norm fit on the numerical rank (columns of Q with √Λ above the threshold)."
        ),
    )


def results() -> tuple[DerivedResult, ...]:
    """The records of this module, in order."""
    return (gram_descent_step(), gram_refit())
