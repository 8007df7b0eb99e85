"""The explorer's generator without a browser: the JavaScript it prints from the records, what it
leaves out and why, and the page's self-containment (test_explorer_browser.py runs the page)."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from derivations import symbols as S
from derivations.piecewise import branches
from fate_numeric import theory
from fate_numeric.theory.evaluator import Evaluator, Parameter
from paper_figures.__main__ import main
from paper_figures.explorer import build
from paper_figures.explorer.jsgen import ERF_FUNCTION, component_function, generate, translate
from paper_figures.explorer.page import ERF, erf_library, katex_css, katex_library


@pytest.fixture(scope="module")
def generated():
    return generate()


def test_every_evaluator_is_printed(generated):
    assert list(generated.evaluators) == list(theory.EVALUATORS)
    assert generated.omitted == {}
    assert "const FATE_OMITTED = {};" in generated.source()


def test_erf_is_the_bundled_function(generated):
    """SymPy's erf (in dudley_tent_bound, and there only) prints as the bundled stdlibErf."""
    users = {
        name
        for name, evaluator in theory.EVALUATORS.items()
        if sp.sympify(evaluator.expr).has(sp.erf)
    }
    assert users == {"dudley_tent_bound"}
    (function,) = generated.evaluators["dudley_tent_bound"].components
    calls = re.findall(r"([A-Za-z_.]*erf)\(", function, flags=re.IGNORECASE)
    assert calls == [ERF_FUNCTION, ERF_FUNCTION]  # erf(K/√(2(c²+σ²))) and erf(K/√(2(1+σ²)))
    assert "Math.erf" not in generated.source()
    # the bundled script defines that global, once
    script = (ERF / "erf.js").read_text()
    assert script.count(f"var {ERF_FUNCTION}=") == 1


class _MadeUp(Evaluator):
    """An evaluator whose expression holds a function nobody can print to JavaScript."""

    @property
    def expr(self) -> sp.Basic:
        return sp.Function("made_up_fn")(S.sigma) + S.sigma


def test_a_function_without_counterpart_is_left_out_with_its_reason():
    made_up = _MadeUp("made_up", "scratch_risk", (Parameter("sigma", S.sigma),), "made up")
    generated = generate({"made_up": made_up, "scratch_risk": theory.scratch_risk})
    assert list(generated.evaluators) == ["scratch_risk"]
    assert list(generated.omitted) == ["made_up"]
    reason = generated.omitted["made_up"]
    assert reason.startswith("made_up_fn has no JavaScript counterpart")
    assert reason.endswith("left out rather than typed in")
    assert '"made_up": "made_up_fn has no JavaScript counterpart' in generated.source()


def test_an_argument_may_not_hide_a_global_the_functions_call():
    erf_named = Evaluator(
        "dudley_tent_bound",
        "dudley_tent_bound",
        (Parameter(ERF_FUNCTION, S.k_cut), Parameter("c", S.c_g), Parameter("sigma", S.sigma)),
        "argument named as the bundled erf",
    )
    with pytest.raises(ValueError, match=f"argument names \\['{ERF_FUNCTION}'\\] are JavaScript"):
        translate(erf_named)


def test_branches_and_components_follow_the_records(generated):
    for name, js in generated.evaluators.items():
        evaluator = theory.EVALUATORS[name]
        expr = evaluator.expr
        parts = list(expr) if isinstance(expr, sp.Tuple) else [expr]
        assert js.tuple_valued == isinstance(expr, sp.Tuple)
        assert len(js.components) == len(parts)
        assert [p for p, _ in js.parameters] == [p.name for p in evaluator.parameters]
        assert [d for _, d in js.parameters] == [p.domain for p in evaluator.parameters]
        for part, function in zip(parts, js.components, strict=True):
            conditions = [c for _, c in branches(sp.piecewise_fold(part))]
            guarded = (
                conditions[: conditions.index(sp.true)] if sp.true in conditions else conditions
            )
            assert function.count("    if (") == len(guarded), name
            assert function.rstrip().endswith("}")
    scratch = generated.evaluators["scratch_risk"].components[0]
    lines = [line.strip() for line in scratch.splitlines()]
    assert lines[0] == "function (gamma, sigma) {"
    assert [line.split(")")[0] for line in lines[1:4]] == [
        "if (gamma < 1",
        "if (gamma > 1",
        "if (sigma == 0",
    ]
    assert lines[4] == "return Number.POSITIVE_INFINITY;"  # γ = 1 with σ > 0


def test_a_piecewise_without_default_ends_in_nan():
    expr = sp.Piecewise((S.sigma, S.sigma < 1))
    assert component_function(expr, {S.sigma: "sigma"}, ["sigma"]).splitlines()[-2].strip() == (
        "return NaN;"
    )
    interval = generate({"lt_negative_interval": theory.lt_negative_interval})
    lower = interval.evaluators["lt_negative_interval"].components[0]
    assert "return NaN;" in lower  # the empty interval


def test_katex_is_bundled_with_its_fonts_and_licence():
    library = katex_library()
    assert (library.name, library.licence) == ("KaTeX", "MIT")
    assert re.fullmatch(r"\d+\.\d+\.\d+", library.version)
    assert "Permission is hereby granted, free of charge" in library.text
    css = katex_css()
    faces = css.count("@font-face")
    assert faces >= 20 and css.count("data:font/woff2;base64,") == faces
    assert "url(fonts/" not in css


def test_erf_is_bundled_with_its_licence():
    library = erf_library()
    assert (library.name, library.licence) == ("@stdlib/math-base-special-erf", "Apache-2.0")
    assert re.fullmatch(r"\d+\.\d+\.\d+", library.version)
    assert "Apache License" in library.text and "Version 2.0" in library.text
    # the notices of the code it ports (FreeBSD's s_erf.c, Go's exp) travel with it
    assert "Sun Microsystems" in library.text and "The Go Authors" in library.text
    note = (ERF / "README.md").read_text()
    assert f"@stdlib/math-base-special-erf@{library.version}" in note  # how it was built
    assert library.version in (ERF / "erf.js").read_text().splitlines()[0]


@pytest.fixture(scope="module")
def small_page(tmp_path_factory):
    """The page with one derivation in panel 9 (every other part as the full build has it)."""
    return build(tmp_path_factory.mktemp("explorer"), results=["scratch_risk"])


def test_the_page_is_one_self_contained_file(small_page):
    html = small_page.read_text(encoding="utf-8")
    size = small_page.stat().st_size
    assert 0.5e6 < size < 3e6  # KaTeX with its fonts is about 0.7 MB
    assert "default-src 'none'" in html  # the page may not load anything
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)  # the HTML and CSS around
    assert not re.findall(r"""(?:src|href)\s*=\s*["'](?!data:|#)""", markup)
    assert not re.findall(r"url\((?!data:)", markup)
    assert "<script src" not in html and '<link rel="stylesheet"' not in html
    library = katex_library()
    assert f"KaTeX {library.version} (MIT licence)" in html
    assert "Permission is hereby granted, free of charge" in html
    erf = erf_library()
    assert f"<code>{erf.name}</code> {erf.version} (Apache-2.0 licence)" in html
    assert "Apache License" in html
    assert html.count(f"var {ERF_FUNCTION}=") == 1  # the bundled script, inlined
    # it is defined before the evaluators that call it
    assert html.index(f"var {ERF_FUNCTION}=") < html.index("const FATE_EVALUATORS")
    for name in theory.EVALUATORS:
        assert f'"{name}": {{' in html
    assert "const FATE_OMITTED = {};" in html
    assert "#omitted-list:empty::before" in html  # the page says "none"
    assert "const FATE_DATA = " in html and "archive/paper" in html


def test_explorer_is_a_target_of_its_own(capsys):
    assert main(["explorer", "figure1"]) == 2
    assert "'explorer' is a target of its own" in capsys.readouterr().err
