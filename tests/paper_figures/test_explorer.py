"""The explorer's generator without a browser: the JavaScript it prints from the records, what it
leaves out and why, and the page's self-containment (test_explorer_browser.py runs the page)."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from derivations import symbols as S
from derivations.piecewise import branches
from fate_numeric import theory
from paper_figures.__main__ import main
from paper_figures.explorer import build
from paper_figures.explorer.jsgen import component_function, generate
from paper_figures.explorer.page import katex_css, katex_library


@pytest.fixture(scope="module")
def generated():
    return generate()


def test_every_evaluator_is_printed_or_left_out_with_its_reason(generated):
    assert set(generated.evaluators) | set(generated.omitted) == set(theory.EVALUATORS)
    assert not set(generated.evaluators) & set(generated.omitted)
    # only the Dudley bound of the tent judge needs a function JavaScript lacks (erf)
    assert list(generated.omitted) == ["dudley_tent_bound"]
    assert generated.omitted["dudley_tent_bound"].startswith("erf has no JavaScript counterpart")
    source = generated.source()
    assert "Math.erf" not in source and "erf(" not in source


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
    for name in theory.EVALUATORS:
        if name != "dudley_tent_bound":
            assert f'"{name}": {{' in html
    assert "const FATE_DATA = " in html and "archive/paper" in html


def test_explorer_is_a_target_of_its_own(capsys):
    assert main(["explorer", "figure1"]) == 2
    assert "'explorer' is a target of its own" in capsys.readouterr().err
