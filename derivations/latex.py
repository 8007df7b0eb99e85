"""LaTeX export of the derived results: one ``.tex`` fragment per result and a standalone document.

The fragments use only packages of a basic TeX Live (amsmath, amssymb, breqn for automatic line
breaking of long equations, Latin Modern for Type 1 fonts; docs/guide.md lists the Debian packages);
``main.tex`` ``\\input``s them in the order of the paper and compiles with ``pdflatex``, rerun
until the labels are stable (:func:`compile_pdf`). Record texts are written in Unicode (γ, ‖β̂‖²,
...): :func:`text_to_latex` and :func:`math_to_latex` translate them for pdflatex, and report
characters they do not know so that a test can catch them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import sympy as sp
from sympy.core.function import AppliedUndef

from derivations.display import for_display
from derivations.paper import PRINTED
from derivations.piecewise import branches
from derivations.record import DerivedResult

_GREEK_NAMES = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
    "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega"
)
_GREEK = dict(zip("αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ", _GREEK_NAMES.split(), strict=True))
_MATH_SYMBOLS = {
    **{k: "\\" + v for k, v in _GREEK.items()},
    "‖": r"\|",
    "→": r"\to",
    "∞": r"\infty",
    "≤": r"\le",
    "≥": r"\ge",
    "±": r"\pm",
    "∓": r"\mp",
    "√": r"\surd",
    "∫": r"\int",
    "·": r"\cdot",
    "×": r"\times",
    "−": "-",
    "∈": r"\in",
    "⊥": r"\perp",
    "≠": r"\neq",
    "≈": r"\approx",
    "∑": r"\sum",
    "ℝ": r"\mathbb{R}",
    "∂": r"\partial",
    "∼": r"\sim",
    "⟨": r"\langle",
    "⟩": r"\rangle",
    "⇒": r"\Rightarrow",
    "⟺": r"\iff",
    "∝": r"\propto",
    "∇": r"\nabla",
    "…": r"\dots",
    "∘": r"\circ",
    "′": "'",
    "ℓ": r"\ell",
    "⪰": r"\succeq",
    "≻": r"\succ",
    "∀": r"\forall",
    "∃": r"\exists",
    "⌊": r"\lfloor",
    "⌋": r"\rfloor",
    "ε": r"\varepsilon",
    "§": r"\S",
    "¼": r"\tfrac14",
    "½": r"\tfrac12",
    "ℒ": r"\mathcal{L}",
    "⊕": r"\oplus",
    "⋯": r"\cdots",
    "°": r"^{\circ}",
    "⊂": r"\subset",
    "ċ": r"\dot{c}",
    "ȧ": r"\dot{a}",
    "Ẇ": r"\dot{W}",
    "ẇ": r"\dot{w}",
    "ṙ": r"\dot{r}",
    "↦": r"\mapsto",
    "✓": r"\checkmark",
}
_TEXT_DASHES = {"–": "--", "—": "---"}
_TEXT_ACCENTED = {"ö": r"\"o", "ü": r"\"u", "é": r"\'e", "è": r"\`e", "ä": r"\"a"}
_SUPERSCRIPTS = {**dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ᵏⁿ", "0123456789+-kn", strict=True)), "ᵀ": r"\top "}
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋ₗₛₜₙₖ", "0123456789+-lstnk", strict=True))
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"$\sim$",
    "^": r"\textasciicircum{}",
    "/": r"\slash{}",  # a line may break after it (docs/paper.md, n/d)
}
_ACCENTS = {"\u0302": "hat", "\u0307": "dot"}  # combining circumflex and dot above
_PRIVATE = 0xE000  # placeholders for spans already translated (Unicode private-use area)
# x_s, β̂_sc, W_{l+1}, W_1c = W₁c: a single-letter base (not the end of a word such as scratch_risk);
# a Greek base may follow a coefficient (2λ_p): digits before it do not make it the end of a word
_SUBSCRIPTED = re.compile(
    "(?:(?<![A-Za-z0-9_])(?=[A-Za-z])|(?<![A-Za-z_])(?=[α-ωΓ-ΩȧċẆẇṙ\ue000-\uf8ff]))"
    "([A-Za-zα-ωΓ-ΩȧċẆẇṙ\ue000-\uf8ff])_"
    "(\\{[^{}]*\\}|[0-9]+(?![0-9_])|[A-Za-z0-9]+(?![A-Za-z0-9_]))"
)


def _protect(text: str, spans: dict[str, str], unknown: set[str]) -> str:
    """Replace accented letters and subscripted symbols by placeholders holding their LaTeX."""

    def hold(latex: str) -> str:
        key = chr(_PRIVATE + len(spans))
        spans[key] = latex
        return key

    def accent(match: re.Match) -> str:
        body = _math(match.group(1), spans, unknown)
        return hold(rf"\{_ACCENTS[match.group(2)]}{{{body}}}")

    def subscript(match: re.Match) -> str:
        index = match.group(2).removeprefix("{").removesuffix("}")
        base = _math(match.group(1), spans, unknown)
        return hold(base + "_{" + _math(index, spans, unknown) + "}")

    text = re.sub("(.)([" + "".join(_ACCENTS) + "])", accent, text)
    return _SUBSCRIPTED.sub(subscript, text)


def _math(text: str, spans: dict[str, str], unknown: set[str]) -> str:
    return "".join(token for _, token in _math_tokens(text, unknown, spans)).strip()


def _math_tokens(
    text: str, unknown: set[str], spans: dict[str, str] | None = None
) -> list[tuple[bool, str]]:
    """Split ``text`` into (is_math, latex) tokens."""
    if spans is None:
        spans = {}
        text = _protect(text, spans, unknown)
    tokens: list[tuple[bool, str]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in spans:
            tokens.append((True, spans[char]))
            i += 1
            continue
        run_table = (
            _SUPERSCRIPTS
            if char in _SUPERSCRIPTS
            else (_SUBSCRIPTS if char in _SUBSCRIPTS else None)
        )
        if run_table is not None:
            j = i
            while j < len(text) and text[j] in run_table:
                j += 1
            marker = "^" if run_table is _SUPERSCRIPTS else "_"
            tokens.append((True, marker + "{" + "".join(run_table[c] for c in text[i:j]) + "}"))
            i = j
            continue
        if char in _MATH_SYMBOLS:
            tokens.append((True, _MATH_SYMBOLS[char] + " "))
        elif char in _TEXT_ACCENTED:
            tokens.append((False, "{" + _TEXT_ACCENTED[char] + "}"))
        elif ord(char) < 128:
            tokens.append((False, char))
        else:
            unknown.add(char)
            tokens.append((False, "?"))
        i += 1
    return tokens


def text_to_latex(text: str, unknown: set[str] | None = None) -> str:
    """Unicode prose to LaTeX text mode; mathematical characters go into ``$...$``."""
    unknown = set() if unknown is None else unknown
    for dash, latex in _TEXT_DASHES.items():
        text = text.replace(dash, latex)
    out = []
    for is_math, token in _math_tokens(text, unknown):
        if is_math or token in "<>|":
            out.append("$" + token + "$")
        else:
            out.append(_TEXT_ESCAPES.get(token, token))
    return "".join(out).replace("$$", "")


def math_to_latex(text: str, unknown: set[str] | None = None) -> str:
    """Unicode inside math mode (e.g. a SymPy symbol named ``E‖X⁺ε‖²``) to LaTeX math."""
    unknown = set() if unknown is None else unknown
    return "".join(token for _, token in _math_tokens(text, unknown))


def expression_to_latex(expr: sp.Basic, unknown: set[str] | None = None) -> str:
    """SymPy's LaTeX of ``expr`` (flattened, elided if huge) with Unicode names translated."""
    shown = for_display(expr)
    if isinstance(shown, sp.Symbol) and shown.name.startswith("["):
        return r"\text{" + text_to_latex(shown.name, unknown) + "}"
    return _latex(shown, set() if unknown is None else unknown)


#: Rows wider than this (in characters of SymPy's 2-D pretty print) are broken across lines.
ROW_WIDTH = 64


def _width(expr: sp.Basic) -> int:
    """Approximate typeset width of ``expr``: the widest line of its 2-D pretty print."""
    text = sp.pretty(expr, use_unicode=True, wrap_line=False)
    return max((len(line) for line in text.splitlines()), default=0)


_WORD = re.compile(r"(?<![\\A-Za-z{_^])([A-Za-z]{2,})")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(_[A-Za-z0-9]+)?")
_IDENTIFIER = re.compile(r"[A-Za-z0-9]+(_[A-Za-z0-9]+){2,}")  # log_n_star: a program name


def _symbol_names(expr: sp.Basic, unknown: set[str]) -> dict[sp.Symbol, str]:
    """LaTeX for symbols whose names are formulas in words (‖(I−P)β_t‖², ⟨a, b⟩, E tr(Gram⁻¹)).

    SymPy would read every underscore in such a name as a subscript; here the name goes through
    :func:`math_to_latex` instead, and words of two or more letters are set upright.
    """
    names = {}
    for symbol in getattr(expr, "free_symbols", ()):
        if isinstance(symbol, sp.Symbol) and _IDENTIFIER.fullmatch(symbol.name):
            names[symbol] = r"\mathrm{" + symbol.name.replace("_", r"\_") + "}"
        elif isinstance(symbol, sp.Symbol) and not _PLAIN_NAME.fullmatch(symbol.name):
            words = [math_to_latex(word, unknown).strip() for word in symbol.name.split(" ")]
            names[symbol] = r"\ ".join(_WORD.sub(r"\\mathrm{\1}", w) for w in words if w)
    return names


def _latex(expr: sp.Basic, unknown: set[str]) -> str:
    return math_to_latex(sp.latex(expr, symbol_names=_symbol_names(expr, unknown)), unknown)


def _wrapped(term: sp.Basic, unknown: set[str]) -> str:
    latex = _latex(term, unknown)
    return rf"\left({latex}\right)" if isinstance(term, sp.Add) else latex


def _split_sum(expr: sp.Add, unknown: set[str]) -> list[str]:
    rows, current, width = [], "", 0
    for term in expr.as_ordered_terms():
        negative = term.could_extract_minus_sign()
        shown = -term if negative else term
        piece_width = _width(shown) + 3
        if current and width + piece_width > ROW_WIDTH:
            rows.append(current)
            current, width = "", 0
        if not current and not rows:
            current = ("-" if negative else "") + _wrapped(shown, unknown)
        else:
            current += (" - " if negative else " + ") + _wrapped(shown, unknown)
        width += piece_width
    rows.append(current)
    return rows


def _split_product(expr: sp.Mul, unknown: set[str]) -> list[str]:
    rows: list[str] = []
    for factor in expr.as_ordered_factors():
        if factor.is_Add and _width(factor) > ROW_WIDTH:
            inner = _split_sum(factor, unknown)
            rows += [r"\Big(" + inner[0], *inner[1:-1], inner[-1] + r"\Big)"]
        else:
            rows.append(_wrapped(factor, unknown))
    joined = [rows[0]]
    for row in rows[1:]:
        joined.append(row if row.startswith((" +", " -")) else r"\cdot " + row)
    return joined


def _split(expr: sp.Basic, unknown: set[str]) -> list[str]:
    """LaTeX of ``expr`` as rows about :data:`ROW_WIDTH` wide: a long sum breaks between its
    terms, a long product between its factors."""
    if _width(expr) <= ROW_WIDTH:
        return [_latex(expr, unknown)]
    if isinstance(expr, sp.Add):
        return _split_sum(expr, unknown)
    if isinstance(expr, sp.Mul) and len(expr.as_ordered_factors()) > 1:
        return _split_product(expr, unknown)
    if isinstance(expr, AppliedUndef) and expr.args:
        rows = [_latex(expr.func(sp.Symbol("x")), unknown).split("{\\left(")[0] + r"\Big("]
        for index, argument in enumerate(expr.args):
            pieces = _split(argument, unknown)
            pieces[-1] += r"\Big)" if index == len(expr.args) - 1 else ","
            rows += pieces
        return [rows[0] + rows[1], *rows[2:]]
    return [_latex(expr, unknown)]


def _rows(expr: sp.Basic, unknown: set[str]) -> list[str]:
    """Rows of an ``aligned`` block (each with one ``&``) for a tuple, equation, piecewise, sum."""
    if isinstance(expr, sp.Tuple):
        rows = []
        for index, item in enumerate(expr, start=1):
            inner = _rows(item, unknown)
            rows.append(rf"&\text{{({index})}}\quad " + inner[0].replace("&", "", 1))
            rows += [r"&\qquad " + r.replace("&", "", 1) for r in inner[1:]]
        return rows
    if isinstance(expr, sp.Equality):
        inner = _rows(expr.rhs, unknown)
        if _width(expr.lhs) <= ROW_WIDTH // 2:
            # later rows (branches, components) line up with the first one, after the "="
            rest = [r.replace("&", r"&\mathrel{\phantom{=}}", 1) for r in inner[1:]]
            return [_latex(expr.lhs, unknown) + " &= " + inner[0].replace("&", "", 1), *rest]
        left = _split(expr.lhs, unknown)  # a long left side: its rows, then "= right side"
        rows = ["&" + left[0], *(r"&\quad " + p for p in left[1:])]
        return [*rows, "&= " + inner[0].replace("&", "", 1), *inner[1:]]
    if isinstance(expr, sp.Piecewise):
        rows = []
        for branch_expr, condition in branches(expr):
            pieces = _split(branch_expr, unknown)
            if condition == sp.true:
                where = r"\qquad\text{otherwise}"
            else:
                where = r"\qquad\text{if } " + _latex(condition, unknown)
            rows.append(r"&\bullet\; " + pieces[0])
            rows += [r"&\qquad " + p for p in pieces[1:]]
            if _width(branch_expr) + _width(condition) + 8 > ROW_WIDTH and condition != sp.true:
                rows.append(r"&\qquad " + where)  # a long condition gets its own row
            else:
                rows[-1] += where
        return rows
    pieces = _split(expr, unknown)
    return ["&" + pieces[0], *(r"&\quad " + p for p in pieces[1:])]


def math_block(expr: sp.Basic, unknown: set[str] | None = None, label: str | None = None) -> str:
    """A displayed equation for ``expr`` that fits the page.

    Expressions up to :data:`ROW_WIDTH` wide (and long ones breqn can break, such as matrices)
    use breqn's ``dmath``; tuples, piecewise results, equations and long sums are laid out as
    rows of an ``aligned`` block: one row per component or branch (marked by a bullet, with its
    condition), long sums broken between terms. ``label`` numbers the equation.
    """
    unknown = set() if unknown is None else unknown
    shown = for_display(expr)
    if isinstance(shown, sp.Symbol) and shown.name.startswith("["):
        return _display(r"\text{" + text_to_latex(shown.name, unknown) + "}", label, breqn=True)
    has_matrix = isinstance(shown, sp.MatrixBase) or (
        isinstance(shown, sp.Tuple) and any(isinstance(x, sp.MatrixBase) for x in shown)
    )
    if has_matrix:  # breqn cannot break a matrix: shrink it to the line width if wider
        body = _latex(shown, unknown)
        if _width(shown) > ROW_WIDTH:
            body = (
                r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}"
                rf"{{$\displaystyle {body}$}}"
            )
            return _display(body, label, breqn=False)
        return _display(body, label, breqn=True)
    composite = isinstance(shown, sp.Tuple | sp.Piecewise | sp.Equality)
    if not (composite or _width(shown) > ROW_WIDTH):
        return _display(_latex(shown, unknown), label, breqn=True)
    reduced, names = _named_subexpressions(shown) if _width(shown) > ROW_WIDTH else (shown, [])
    rows = _rows(reduced, unknown)
    for symbol, value in names:
        pieces = _split(value, unknown)
        rows.append(r"&\text{where } " + _latex(symbol, unknown) + " = " + pieces[0])
        rows += [r"&\qquad " + p for p in pieces[1:]]
    body = "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"
    return _display(body, label, breqn=False)


#: A repeated subexpression at least this wide gets a name (κ₁, κ₂, ...) in a long display.
NAMED_WIDTH = 24


def _named_subexpressions(expr: sp.Basic) -> tuple[sp.Basic, list[tuple[sp.Symbol, sp.Basic]]]:
    """``expr`` with its large repeated subexpressions named κ₁, κ₂, ... (common-subexpression
    elimination), and the definitions; small repeats are put back in place."""
    if not isinstance(expr, sp.Expr | sp.Tuple | sp.Equality) or expr.atoms(AppliedUndef):
        return expr, []
    try:
        replacements, (reduced,) = sp.cse(expr, symbols=sp.numbered_symbols("_cse"))
    except (TypeError, ValueError, NotImplementedError):
        return expr, []
    small: dict[sp.Symbol, sp.Basic] = {}
    named: list[tuple[sp.Symbol, sp.Basic]] = []
    for symbol, value in replacements:
        value = value.xreplace(small)
        if _width(value) >= NAMED_WIDTH:
            named.append((symbol, value))
        else:
            small[symbol] = value
    reduced = reduced.xreplace(small)
    renamed = {old: sp.Symbol(f"kappa_{k}") for k, (old, _) in enumerate(named, start=1)}
    reduced = reduced.xreplace(renamed)
    named = [(renamed[old], value.xreplace(small).xreplace(renamed)) for old, value in named]
    return reduced, named


def _display(body: str, label: str | None, breqn: bool) -> str:
    if breqn:
        opening = rf"\begin{{dmath}}[number={{{label}}}]" if label else r"\begin{dmath*}"
        closing = r"\end{dmath}" if label else r"\end{dmath*}"
    else:
        opening = r"\begin{equation*}"
        closing = (rf"\tag{{{label}}}" + "\n" if label else "") + r"\end{equation*}"
    return f"{opening}\n{body}\n{closing}"


def equation_label(reference: str) -> str:
    """The paper's label for a result: its equation number, or the statement it belongs to.

    Parenthesised remarks are ignored: ``"Thm 3.6, eq. 8"`` gives ``"8"``,
    ``"Thm 3.9, eq. 15 corrected (docs/paper.md §3.8)"`` gives ``"15 corrected"``,
    ``"Thm 3.7 (sign of eq. 11 for γ < 1)"`` gives ``"Thm 3.7"`` and
    ``"Lemma 3.3 (docs/paper.md §3.2)"`` gives ``"Lemma 3.3"``; a long qualifier shortens to
    ``"cf. 8"`` (``"eq. 8 vs its exact finite-size form"``).
    """
    plain = re.sub(r"\([^)]*\)", "", reference)
    if match := re.search(r"\beqs?\.\s*([^,;]+)", plain):
        label = match.group(1).strip().replace("–", "-")
        return label if len(label) <= 16 else "cf. " + label.split()[0]
    return re.split(r"[,;(]", reference, maxsplit=1)[0].strip()


def _check_lines(checks, unknown: set[str]) -> dict[int, str]:
    marks = {"confirmed": r"$\checkmark$", "failed": r"$\times$ \textbf{FAILED:}"}
    lines = {}
    for check in checks or ():
        mark = marks.get(check.verdict.value, r"$\circ$")
        lines[check.number] = rf"{mark} \textit{{{text_to_latex(check.detail, unknown)}}}"
    return lines


def _boxed(text: str, title: str = "") -> str:
    heading = rf"\textbf{{{title}}} " if title else ""
    return (
        r"\par\smallskip\noindent\fbox{\parbox{\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax}{"
        rf"{heading}{text}}}}}\par\smallskip"
    )


#: Notes that begin like this state an erratum or a correction of the paper (a box in the notes).
_ERRATUM_NOTE = re.compile(r"(Erratum|Correction|Third-party correction)\b")


def _notes(result: DerivedResult, t) -> list[str]:
    """The record's notes: a box if they state an erratum or a correction, else a paragraph.

    A result whose printed formula carries an erratum already has the "Known erratum" box, written
    for the reader; its own erratum note says the same for the maintainers, so it is left out.
    """
    if not result.notes:
        return []
    if _ERRATUM_NOTE.match(result.notes):
        if result.printed and PRINTED[result.printed].erratum:
            return []
        return [_boxed(t(result.notes))]  # it opens with "Erratum" or "Correction"
    return [rf"\paragraph{{Notes.}} {t(result.notes)}"]


def result_fragment(
    result: DerivedResult,
    unknown: set[str] | None = None,
    *,
    checks=None,
    paper_check=None,
    numbered: bool = False,
) -> str:
    """The LaTeX fragment of one result: header, assumptions, derivation steps, result.

    Args:
        result: the record.
        unknown: collects characters without a LaTeX translation.
        checks: the step checks of :mod:`derivations.explain` (one line under each step).
        paper_check: the comparison with the printed formula (:mod:`derivations.consistency`).
        numbered: number the result with the paper's label (:func:`equation_label`).
    """
    unknown = set() if unknown is None else unknown
    t = lambda s: text_to_latex(s, unknown)  # noqa: E731
    check_lines = _check_lines(checks, unknown)
    lines = [
        rf"\subsection{{{t(result.title)}}}\label{{res:{result.name}}}",
        rf"\noindent\textbf{{Name:}} \texttt{{{t(result.name)}}}\quad "
        rf"\textbf{{Reference:}} {t(result.reference)}\quad "
        rf"\textbf{{Regime:}} {t(result.regime.value)}",
        "",
        r"\paragraph{Assumptions.}",
        r"\begin{itemize}",
        *(rf"  \item {t(a)}" for a in result.assumptions),
        r"\end{itemize}",
        r"\paragraph{Derivation.}",
        r"\begin{enumerate}",
    ]
    for number, step in enumerate(result.steps, start=1):
        lines += [rf"  \item {t(step.why)}", math_block(step.expr, unknown)]
        if number in check_lines:
            lines.append(r"  \noindent{\small " + check_lines[number] + "}")
    label = t(equation_label(result.reference)) if numbered else None
    lines += [r"\end{enumerate}", r"\paragraph{Result.}", math_block(result.expr, unknown, label)]
    if result.printed:
        printed = PRINTED[result.printed]
        lines.append(rf"\noindent Compared with the paper's {t(printed.equation)} (as printed):")
        lines.append(math_block(printed.expr, unknown))
        if paper_check is not None:
            verdict = {
                "PASS": "the derived result equals the printed formula (PASS)",
                "EXPECTED-DEVIATION": "the derived result differs from the printed formula and "
                "equals its documented correction (EXPECTED-DEVIATION: the erratum is confirmed)",
                "FAIL": "the derived result equals neither the printed formula nor a documented "
                "correction (FAIL)",
            }[paper_check.outcome]
            lines.append(rf"\par\noindent\textit{{Symbolic check:}} {verdict}.")
        if printed.erratum:
            lines.append(_boxed(t(printed.erratum), "Known erratum."))
    lines += _notes(result, t)
    return "\n".join(lines) + "\n"


#: Packages and settings of both documents (docs/guide.md lists the Debian packages): Latin Modern
#: in T1 encoding (Type 1 fonts, searchable text; glyphtounicode maps the fi/fl ligatures back to
#: letters), line breaks after the underscores of identifiers and the slashes of paths, and the
#: catcodes of _ and ^ restored before the .aux is re-read at the end: breqn sets them to 12 in the
#: document, so a section title with a subscript would otherwise never compare equal to its label
#: and LaTeX would ask for a rerun forever.
_PACKAGES = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{microtype}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{breqn}
\usepackage{graphicx}
\usepackage[hidelinks]{hyperref}
\ifdefined\pdfgentounicode \input{glyphtounicode}\pdfgentounicode=1 \fi
\setlength{\emergencystretch}{3em}
\makeatletter
\DeclareRobustCommand{\_}{\ifmmode\nfss@text{\textunderscore}\else\textunderscore\allowbreak\fi}
\makeatother
\pdfstringdefDisableCommands{\def\slash{/}}
\ifdefined\AddToHook
  \AddToHook{enddocument/afterlastpage}{\catcode`\_=8 \catcode`\^=7 }
\fi
"""

_PREAMBLE = (
    _PACKAGES
    + r"""\title{Features are fate: the derivations\\\large re-derived with SymPy}
\author{generated by \texttt{python -m derivations export}}
\date{}
\begin{document}
\maketitle
\noindent Every result of Tahir, Ganguli and Rotskoff, \emph{Features are fate: a theory of
transfer learning in high-dimensional regression} (ICML 2025), re-derived step by step; each
expression below was produced by SymPy, not typed in.
\tableofcontents
"""
)


def export(results: Iterable[DerivedResult], folder: Path) -> tuple[Path, set[str]]:
    """Write ``<name>.tex`` per result and ``main.tex``; return the main file and unknown chars."""
    folder.mkdir(parents=True, exist_ok=True)
    unknown: set[str] = set()
    names = []
    for result in results:
        (folder / f"{result.name}.tex").write_text(result_fragment(result, unknown))
        names.append(result.name)
    body = "\n".join(rf"\input{{{name}}}" for name in names)
    main = folder / "main.tex"
    main.write_text(_PREAMBLE + "\n" + body + "\n\\end{document}\n")
    return main, unknown


_NOTES_PREAMBLE = (
    _PACKAGES
    + r"""\setcounter{secnumdepth}{2}
\title{Features are fate: lecture notes on the derivations\\
\large every result re-derived and every step re-checked with SymPy}
\author{generated by \texttt{python -m derivations export -{}-latex DIR -{}-pdf}}
\date{}
\begin{document}
\maketitle
\noindent These notes follow Tahir, Ganguli and Rotskoff, \emph{Features are fate: a theory of
transfer learning in high-dimensional regression} (ICML 2025, arXiv:2410.08194), result by result
in the order of the paper. Every expression was produced by SymPy from the model, not typed in.
Each result is numbered with the paper's equation number (or, where the paper prints no equation,
the statement it belongs to).

\paragraph{How to read a step.} Under every step, one line says how SymPy confirms it from what
came before: $\checkmark$ means the check was re-executed and passed (an equality
\texttt{simplify(step$_k$ - step$_{k-1}$) = 0}, or the stated limit, integral, derivative,
substitution, solution or ODE solution recomputed and compared); $\circ$ means the step rests on
an argument SymPy cannot run (a modelling premise, rotation invariance, a concentration argument),
and the reason is given; $\times$ would mark a failed check. Boxes mark the paper's known errata
(\texttt{docs/paper.md}, \S 9) and the corrected results derived here. A piecewise result is a
list of branches marked $\bullet$, read in order: the first branch whose condition holds applies
(``otherwise'' catches what is left).

\paragraph{Notation.} Inputs $x \sim N(0, I_d)$; target labels $y = \beta_t^\top x + \varepsilon$
with $\varepsilon \sim N(0, \sigma^2)$; source and target teachers are unit vectors at angle
$\theta$, $\beta_s^\top \beta_t = \cos\theta$; $\gamma = n/d$ target samples per dimension
($\gamma_s$, $\sigma_s$ for a finite source); $P = X^+X$ projects on the row space of the target
data; $T = \mathbb{E} R_{\mathrm{sc}} - \mathbb{E} R_{\mathrm{transfer}}$ is the transferability
(positive: transfer helps).
"""
)


def lecture_notes(
    sections,
    folder: Path,
    *,
    checks=None,
    paper_checks=None,
    summary: str = "",
    name: str = "lecture_notes",
) -> tuple[Path, set[str]]:
    """Write the lecture notes: ONE standalone ``.tex`` document with every derivation.

    Args:
        sections: ``(title, introduction, results)`` triples in the order of the paper.
        folder: output folder (created).
        checks: result name → its step checks (:func:`derivations.explain.checked`).
        paper_checks: result name → its comparison with the printed formula.
        summary: a sentence on the step checks of the whole document (printed after the intro).
        name: the file name without ``.tex``.

    Returns:
        The ``.tex`` file and the characters that had no LaTeX translation.
    """
    folder.mkdir(parents=True, exist_ok=True)
    unknown: set[str] = set()
    checks = checks or {}
    paper_checks = paper_checks or {}
    body = [_NOTES_PREAMBLE]
    if summary:
        body.append(rf"\paragraph{{Step checks.}} {text_to_latex(summary, unknown)}")
    body.append(r"\tableofcontents")
    for title, introduction, results in sections:
        body.append(rf"\section{{{text_to_latex(title, unknown)}}}")
        if introduction:
            body.append(text_to_latex(introduction, unknown) + "\n")
        for result in results:
            body.append(
                result_fragment(
                    result,
                    unknown,
                    checks=checks.get(result.name),
                    paper_check=paper_checks.get(result.name),
                    numbered=True,
                )
            )
    body.append(r"\end{document}")
    path = folder / f"{name}.tex"
    path.write_text("\n".join(body) + "\n")
    return path, unknown


#: pdflatex runs at most this many times without latexmk (labels, contents, then page numbers).
MAX_RUNS = 4
_RERUN = re.compile(r"Rerun to get|Label\(s\) may have changed")


def compile_pdf(main: Path) -> Path:
    """Build the PDF until its labels are stable; RuntimeError with the end of the log on failure.

    latexmk reruns pdflatex until the auxiliary files stop changing; without it, pdflatex is rerun
    while the log asks for it ("Rerun to get ...", "Label(s) may have changed"), at most
    :data:`MAX_RUNS` times.
    """
    latexmk, pdflatex = shutil.which("latexmk"), shutil.which("pdflatex")
    if pdflatex is None:
        raise RuntimeError(
            "pdflatex not found; install TeX Live (Debian: apt-get install texlive-latex-base "
            "texlive-latex-recommended lmodern)"
        )
    pdflatex_run = [pdflatex, "-interaction=nonstopmode", "-halt-on-error", main.name]
    if latexmk is not None:
        _run([latexmk, "-pdf", "-interaction=nonstopmode", "-halt-on-error", main.name], main)
    else:
        for _ in range(MAX_RUNS):
            _run(pdflatex_run, main)
            log = main.with_suffix(".log").read_text(errors="replace")
            if not _RERUN.search(log):
                break
    return main.with_suffix(".pdf")


def _run(command: list[str], main: Path) -> None:
    run = subprocess.run(command, cwd=main.parent, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed:\n" + run.stdout[-3000:])
