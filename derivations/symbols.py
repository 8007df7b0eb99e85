"""Every shared symbol of the derivations, defined once, with its assumptions and probe domain.

SymPy identifies a symbol by its name *and* its assumptions, so every module must take its symbols
from here: a second ``Symbol("gamma")`` without ``positive=True`` would be a different symbol.

``PROBE_DOMAINS`` gives, for each symbol, the interval from which the high-precision numeric
probe of :mod:`derivations.compare` draws values (and whether the draw is an integer). These are
ranges where the paper's formulas are meant to hold; a comparison restricts them further when a
result carries a side condition (e.g. ``n > 2``).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

# --- data model (docs/paper.md §2.1) ----------------------------------------------------------
gamma = sp.Symbol("gamma", positive=True)  # target samples per dimension, n/d
sigma = sp.Symbol("sigma", nonnegative=True)  # target label-noise standard deviation
theta = sp.Symbol("theta", nonnegative=True)  # angle between source and target teachers
n = sp.Symbol("n", positive=True, integer=True)  # number of target samples
d = sp.Symbol("d", positive=True, integer=True)  # input dimension
lam = sp.Symbol("lambda", nonnegative=True)  # ridge strength of the linear probe (Thm 3.8)

# --- finite source (Appendix C) ----------------------------------------------------------------
gamma_s = sp.Symbol("gamma_s", positive=True)  # source samples per dimension, n_s/d
sigma_s = sp.Symbol("sigma_s", nonnegative=True)  # source label-noise standard deviation
n_s = sp.Symbol("n_s", positive=True, integer=True)

# --- network and training ----------------------------------------------------------------------
alpha = sp.Symbol("alpha", positive=True)  # initialisation scale
t = sp.Symbol("t", nonnegative=True)  # gradient-flow time (learning rate x steps)
a0 = sp.Symbol("a_0", positive=True)  # initial end-to-end coefficient of the rank-one network
L = sp.Symbol("L", positive=True, integer=True)  # depth
s_val = sp.Symbol("s", positive=True)  # shared singular value of balanced rank-one layers
c_bal = sp.Symbol("c", positive=True)  # balancedness scale of fine-tuning (docs/paper.md §3.8)

# --- random-matrix objects ---------------------------------------------------------------------
ratio = sp.Symbol("c_MP", positive=True)  # Marchenko-Pastur aspect ratio
z = sp.Symbol("z")  # spectral argument of the Stieltjes transform (complex)
x_eig = sp.Symbol("x", positive=True)  # eigenvalue variable of the Marchenko-Pastur law
k_dof = sp.Symbol("k", positive=True)  # degrees of freedom of a chi-square variable
q_chi = sp.Symbol("q", positive=True)  # value of a chi-square variable

# --- ReLU networks (Section 4, Appendix E) -------------------------------------------------------
u_cos = sp.Symbol("u", real=True)  # cosine of the angle between two first-layer weight vectors
phi_angle = sp.Symbol("phi", positive=True)  # that angle, in (0, π]
w_norm = sp.Symbol("w_norm", nonnegative=True)  # norm ‖w‖ of a first-layer weight vector
amplitude = sp.Symbol("A", positive=True)  # amplitude of the scratch power law A n^(−ν) (Fig. 3e)
exponent = sp.Symbol("nu", positive=True)  # its exponent ν (the paper fits 1.18)
out_of_span = sp.Symbol("F_perp", nonnegative=True)  # ‖P⊥f_t‖², the target outside the features
n_star = sp.Symbol("n_star", positive=True)  # the sample size at which the power law meets it

# --- dataset similarity (Appendix A, Thm A.2) ----------------------------------------------------
y_label = sp.Symbol("y", real=True)  # label of a joint sample (x, y)
f_val = sp.Symbol("f", real=True)  # value f(x) of the source regression function at one input
g_val = sp.Symbol("g", real=True)  # value g(x) of the target regression function at one input
dist2 = sp.Symbol("Delta2", nonnegative=True)  # ‖f − g‖² in L2(p)
norm_f = sp.Symbol("F", positive=True)  # ‖f‖ in L2(p)
alpha_g = sp.Symbol("alpha_g", positive=True)  # the paper's KL construction g = −α f
c_g = sp.Symbol("c_g", real=True)  # scale of the target along g = c f
delta_d = sp.Symbol("delta", positive=True)  # the distance Thm A.2 asks to exceed
k_cut = sp.Symbol("K", positive=True)  # width of the tent judge of the Dudley bound
cos_f = sp.Symbol("C_f", real=True)  # E_x cos f(x)
cos_g = sp.Symbol("C_g", real=True)  # E_x cos g(x)

# --- extensions beyond the paper (docs/paper.md §11) --------------------------------------------
k_rank = sp.Symbol("k", positive=True, integer=True)  # rank of the pretrained feature space
rho = sp.Symbol("rho", nonnegative=True)  # ‖(I − P_k)β_t‖², the target outside the features
kappa = sp.Symbol("kappa", positive=True)  # k/n, features per target sample

# --- extension: weight decay during pretraining (docs/paper.md §12) ---
lambda_p = sp.Symbol("lambda_p", nonnegative=True)  # SGD weight decay of the source pretraining


@dataclass(frozen=True)
class ProbeDomain:
    """Interval from which the numeric probe draws a symbol's value."""

    lower: float
    upper: float
    integer: bool = False


PROBE_DOMAINS: dict[sp.Symbol, ProbeDomain] = {
    gamma: ProbeDomain(0.02, 3.0),
    sigma: ProbeDomain(0.0, 1.5),
    theta: ProbeDomain(0.0, 1.5707963267948966),
    n: ProbeDomain(3, 2000, integer=True),
    d: ProbeDomain(3, 2000, integer=True),
    lam: ProbeDomain(0.0, 3.0),
    gamma_s: ProbeDomain(0.02, 3.0),
    sigma_s: ProbeDomain(0.0, 1.5),
    n_s: ProbeDomain(3, 2000, integer=True),
    alpha: ProbeDomain(1e-6, 1.0),
    t: ProbeDomain(0.0, 10.0),
    a0: ProbeDomain(1e-6, 2.0),
    ratio: ProbeDomain(0.02, 0.98),
    x_eig: ProbeDomain(0.01, 4.0),
    k_dof: ProbeDomain(0.1, 50.0),
    c_bal: ProbeDomain(0.5, 3.0),
    s_val: ProbeDomain(0.1, 3.0),
    u_cos: ProbeDomain(-1.0, 1.0),
    phi_angle: ProbeDomain(0.0, 3.141592653589793),
    w_norm: ProbeDomain(0.0, 3.0),
    amplitude: ProbeDomain(0.01, 10.0),
    exponent: ProbeDomain(0.2, 3.0),
    out_of_span: ProbeDomain(0.0, 2.0),
    n_star: ProbeDomain(1.0, 5000.0),
    dist2: ProbeDomain(0.0, 10.0),
    norm_f: ProbeDomain(0.1, 5.0),
    alpha_g: ProbeDomain(0.01, 10.0),
    c_g: ProbeDomain(-5.0, 5.0),
    delta_d: ProbeDomain(0.01, 1000.0),
    k_cut: ProbeDomain(0.1, 100.0),
    cos_f: ProbeDomain(-1.0, 1.0),
    cos_g: ProbeDomain(-1.0, 1.0),
    k_rank: ProbeDomain(1, 50, integer=True),
    rho: ProbeDomain(0.0, 1.0),
    kappa: ProbeDomain(0.02, 3.0),
    lambda_p: ProbeDomain(0.0, 1.9),
}
