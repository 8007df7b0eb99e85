"""The one equality engine (derivations.equality) behind both compare and explain."""

from __future__ import annotations

import sympy as sp

from derivations import compare, equality, explain
from derivations.symbols import gamma, n, sigma, theta


def test_compare_and_explain_share_the_engine(monkeypatch):
    calls = []
    original = equality.probe

    def spy(*args, **kwargs):
        calls.append(kwargs["draw"])
        return original(*args, **kwargs)

    monkeypatch.setattr(compare, "probe", spy)
    monkeypatch.setattr(explain, "probe", spy)
    assert compare.equivalent(sp.sin(theta) ** 2, 1 - sp.cos(theta) ** 2).equal
    assert explain._probe(sp.gamma(n) / sp.gamma(n - 1), n - 1) is True
    assert calls == [equality.draw_in_domain, equality.draw_for_step]
    assert (
        compare.symbolic_difference is explain.symbolic_difference is equality.symbolic_difference
    )


def _probe(pairs, **policy):
    settings = dict(
        draw=equality.draw_in_domain,
        digits=30,
        tolerance=sp.Float(10) ** -20,
        points=8,
        max_draws=200,
        real=True,
        exact_replace=False,
        one_sided="differs",
        first_difference_decides=False,
    )
    return equality.probe(pairs, **{**settings, **policy})


def test_probe_agrees_on_equal_forms_and_finds_a_difference():
    assert _probe([((1 - gamma) ** 2 + gamma, gamma**2 - gamma + 1)]).agree is True
    wrong = _probe([(gamma + sigma, gamma + sigma + sp.Rational(1, 10**15))])
    assert wrong.agree is False and float(wrong.worst) > 1e-20
    early = _probe([(gamma, 2 * gamma)], first_difference_decides=True)
    assert early.agree is False and early.points == 0


def test_probe_policies_for_one_sided_points():
    """1/(γ − 1) against a finite form: differs (paper check) or skipped (step check)."""
    pair = [(sp.Piecewise((1 / (gamma - 1), gamma > 1), (sp.nan, True)), 1 / (gamma - 1))]
    assert _probe(pair).agree is False
    assert _probe(pair, one_sided="skip").agree is True


def test_probe_symbolic_difference():
    assert equality.symbolic_difference(sp.sin(theta) ** 2 + sp.cos(theta) ** 2, sp.Integer(1))
    assert equality.symbolic_difference(gamma + 1, gamma) is False
    assert equality.symbolic_difference(sp.Abs(n - 2), n - 2) is None


def test_undefined_functions_cannot_be_probed():
    f = sp.Function("f")
    outcome = _probe([(f(gamma), f(gamma))])
    assert outcome.agree is None and outcome.points == 0
