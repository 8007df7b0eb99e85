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

# --- data model (SPEC §1.1) -------------------------------------------------------------------
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
c_bal = sp.Symbol("c", positive=True)  # balancedness scale of fine-tuning (SPEC §2.7)

# --- random-matrix objects ---------------------------------------------------------------------
ratio = sp.Symbol("c_MP", positive=True)  # Marchenko-Pastur aspect ratio
z = sp.Symbol("z")  # spectral argument of the Stieltjes transform (complex)
x_eig = sp.Symbol("x", positive=True)  # eigenvalue variable of the Marchenko-Pastur law
k_dof = sp.Symbol("k", positive=True)  # degrees of freedom of a chi-square variable
q_chi = sp.Symbol("q", positive=True)  # value of a chi-square variable


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
}
