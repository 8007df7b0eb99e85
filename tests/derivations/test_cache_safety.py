"""The derivation cache cannot run code, and a damaged or foreign cache file is rebuilt.

Each attack payload below ran code under the former loader, which ``eval``-ed the ``srepr`` text
with SymPy's public names in scope and only refused text containing ``__``: planted in a cache
file that loader read, each created its marker file (checked by hand on Python 3.11 before the
loader was replaced). Planted in an otherwise genuine cache file with a valid header (whoever can
write the file can recompute its checksum), each must be refused by
:mod:`derivations.srepr_reader` before it runs: the marker never appears, the cache warns once,
naming the file and the reason, and the registry derives the records afresh and rewrites the file.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p

from derivations import cache, registry, srepr_reader
from derivations.record import DerivedResult


def _joined(code: str) -> str:
    """``code`` as a sum of string literals, split so that no ``__`` appears in the text."""
    return " + ".join(repr(part) for part in re.split("(_)", code) if part)


def sympify_of_a_runtime_string(marker: str) -> str:
    """``sympify`` of text joined at run time: ``parse_expr`` evaluates it, builtins in scope."""
    code = f"__import__('pathlib').Path({marker!r}).write_text('1')"
    return f"sympify({_joined(code)})"


def lambdify_of_a_string(marker: str) -> str:
    """``lambdify`` prints a string expression verbatim into the function it compiles."""
    code = f"open({marker!r}, 'w').write('2')"
    return f"lambdify((), {code!r})()"


def lambdify_of_a_function_name(marker: str) -> str:
    """``lambdify`` prints the name of an undefined function, and of a symbol, verbatim: symbols
    named ``'/path'`` and ``'w'`` (quotes included) make the call ``open('/path', 'w')``."""
    path, mode = repr(marker), repr("w")
    return f"lambdify((), Function('open')(Symbol({path!r}), Symbol({mode!r})))()"


def lambda_in_a_comprehension(marker: str) -> str:
    """A lambda in a comprehension, handed the caller's frame by a self-referencing generator,
    climbs to the loader's frame and takes ``open`` from its builtins."""
    return (
        f"[(lambda frame: frame.f_back.f_back.f_builtins['open']({marker!r}, 'w').write('3'))(f)"
        " for _ in [0] for g in [(g.gi_frame.f_back for _ in [0])] for f in g]"
    )


def file_write(marker: str) -> str:
    """``open(...).write`` reached through module attributes of SymPy's public namespace."""
    return f"parsing.sympy_parser.builtins.open({marker!r}, 'w').write('4')"


ATTACKS: dict[str, Callable[[str], str]] = {
    "sympify-runtime-string": sympify_of_a_runtime_string,
    "lambdify-string": lambdify_of_a_string,
    "lambdify-function-name": lambdify_of_a_function_name,
    "lambda-in-comprehension": lambda_in_a_comprehension,
    "file-write": file_write,
}


def _first_checked(records: list[dict]) -> tuple[dict, dict]:
    """The first record with a step whose check has parameters, and that check."""
    for record in records:
        for step in record["steps"]:
            if step["check"] and step["check"]["params"]:
                return record, step["check"]
    raise AssertionError("no record has a check with parameters")


def _in_expr(records: list[dict], text: str) -> None:
    _first_checked(records)[0]["expr"] = text


def _in_step(records: list[dict], text: str) -> None:
    _first_checked(records)[0]["steps"][0]["expr"] = text


def _in_check(records: list[dict], text: str) -> None:
    _first_checked(records)[1]["params"][0] = text


def _in_check_source(records: list[dict], text: str) -> None:
    _first_checked(records)[1]["source"] = text


def _in_variables(records: list[dict], text: str) -> None:
    _first_checked(records)[0]["variables"].append(text)


#: Where an attack is planted: each field the loader rebuilds expressions from, one per attack.
SLOTS: dict[str, Callable[[list[dict], str], None]] = {
    "expr": _in_expr,
    "step": _in_step,
    "check-params": _in_check,
    "check-source": _in_check_source,
    "variables": _in_variables,
}


@pytest.fixture(scope="module")
def results() -> dict[str, DerivedResult]:
    return registry.all_results()


@pytest.fixture(scope="module")
def genuine(results) -> list[dict]:
    """The records as the cache encodes them (shared: a test edits a :func:`_copy`)."""
    return [cache.encode(r) for r in results.values()]


@pytest.fixture
def cache_path(tmp_path, monkeypatch) -> Path:
    """The cache file, in a private folder of its own."""
    monkeypatch.setenv("FATE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FATE_NO_CACHE", raising=False)
    path = cache.cache_file()
    path.parent.mkdir()
    return path


@pytest.fixture
def attack_dir(tmp_path) -> Path:
    """Where the payloads would write: it must stay empty."""
    folder = tmp_path / "attack"
    folder.mkdir()
    return folder


def _copy(records: list[dict]) -> list[dict]:
    return json.loads(json.dumps(records))


def _assert_rejected_and_rebuilt(path: Path, reason: str, results, genuine) -> None:
    """The registry warns once about ``path`` (``reason``), derives afresh and rewrites it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rebuilt = registry.all_results.__wrapped__()  # the registry without its memory
    told = [w for w in caught if issubclass(w.category, cache.CacheRejectedWarning)]
    assert len(told) == 1, [str(w.message) for w in caught]
    message = str(told[0].message)
    assert str(path) in message and re.search(reason, message), message
    assert rebuilt == results
    assert path.read_bytes() == cache.serialise(genuine)


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_passes_the_former_filter(attack):
    """The former loader refused only text with ``__``; none of the attacks has one."""
    assert "__" not in ATTACKS[attack]("/tmp/marker")


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize(
    "wrap",
    ["{}", "Add(Symbol('x'), {})", "ImmutableDenseMatrix([[Integer(1), {}]])"],
    ids=["alone", "in-a-sum", "in-a-matrix"],
)
def test_reader_refuses_attack_before_it_runs(attack, wrap, attack_dir):
    marker = attack_dir / "marker"
    text = wrap.format(ATTACKS[attack](str(marker)))
    with pytest.raises(srepr_reader.SreprRejectedError, match="not allowed"):
        srepr_reader.read(text)
    assert not marker.exists() and not any(attack_dir.iterdir())


@pytest.mark.parametrize(("attack", "slot"), list(zip(ATTACKS, SLOTS, strict=True)))
def test_planted_attack_is_refused_and_the_cache_rebuilt(
    attack, slot, cache_path, attack_dir, results, genuine
):
    marker = attack_dir / "marker"
    records = _copy(genuine)
    SLOTS[slot](records, ATTACKS[attack](str(marker)))
    cache_path.write_bytes(cache.serialise(records))  # a valid header: only the reader can refuse
    _assert_rejected_and_rebuilt(cache_path, r"record \d+: expression rejected", results, genuine)
    assert not marker.exists() and not any(attack_dir.iterdir())


def _truncated(content: bytes) -> bytes:
    return content[: len(content) * 2 // 3]


def _altered(content: bytes) -> bytes:
    """One letter of a title changed, the length kept: only the checksum tells."""
    at = content.index(b'"title":"') + len(b'"title":"')
    return content[:at] + bytes([content[at] ^ 1]) + content[at + 1 :]


def _future_format(content: bytes) -> bytes:
    head, _, body = content.partition(b"\n")
    header = {**json.loads(head), "format": cache.FORMAT + 1}
    return json.dumps(header).encode() + b"\n" + body


def _former_format(content: bytes) -> bytes:
    """As format 1 wrote it: one JSON object with the key and the records, no header."""
    head, _, body = content.partition(b"\n")
    return json.dumps({"key": json.loads(head)["key"], "results": json.loads(body)}).encode()


def _other_sources(content: bytes) -> bytes:
    head, _, body = content.partition(b"\n")
    header = {**json.loads(head), "key": "0" * 24}
    return json.dumps(header).encode() + b"\n" + body


DAMAGES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "truncated": (_truncated, r"truncated: \d+ of \d+ bytes"),
    "header-truncated": (lambda content: content[:40], "no header line"),
    "wrong-checksum": (_altered, "checksum mismatch"),
    "future-format": (_future_format, f"format {cache.FORMAT + 1}; this reads format"),
    "former-format": (_former_format, "no header line"),
    "other-sources": (_other_sources, "other derivation sources"),
    "not-json": (lambda content: b"\x00\xff garbage\n" + content, "not JSON"),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_or_foreign_file_is_rejected_and_rebuilt(damage, cache_path, results, genuine):
    change, reason = DAMAGES[damage]
    cache_path.write_bytes(change(cache.serialise(genuine)))
    _assert_rejected_and_rebuilt(cache_path, reason, results, genuine)


def test_every_record_round_trips(cache_path, results):
    """Save and load: every record of the registry compares equal, field by field.

    Equality of symbols includes their assumptions (``real``, ``positive``, ...), and equality
    of a record includes its steps and their checks, so nothing is lost on the way.
    """
    cache.store(results)
    with warnings.catch_warnings():
        warnings.simplefilter("error", cache.CacheRejectedWarning)
        loaded = cache.load()
    assert loaded is not None and list(loaded) == list(results)
    for name, result in results.items():
        assert loaded[name] == result, name


def test_missing_file_is_a_quiet_cold_start(cache_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", cache.CacheRejectedWarning)
        assert cache.load() is None


x, y = sp.symbols("x y", real=True)

#: One expression per whitelisted name (test below: together they use every one of them).
SAMPLES: tuple[sp.Basic, ...] = (
    x + 2 * y**3,
    sp.Rational(-3, 7) * x,
    sp.Float("-1.5e-3"),
    sp.Dummy("u", positive=True),
    sp.Function("R_lt^λ")(x),
    sp.exp(x) + sp.log(y) + expm1(x) + log1p(y) + sp.erf(x) + sp.gamma(y),
    sp.sin(x) + sp.cos(y) + sp.acos(x) + sp.asin(y) + sp.Abs(x),
    sp.Min(x, y) + sp.Max(x, 1),
    sp.KroneckerDelta(x, y),
    sp.Piecewise((x, (x > 0) & (y < 1)), (y, (x >= 2) | (y <= 0)), (0, True)),
    sp.Not(sp.Symbol("b")),
    sp.Eq(x, y),
    sp.Ne(x, 1),
    sp.Tuple(x, sp.FiniteSet(1, 2)),
    sp.ImmutableMatrix([[x, 1], [0, y]]),
    sp.Derivative(sp.Function("f")(x), x),
    sp.Integral(x, (x, 0, sp.oo)),
    sp.Limit(1 / x, x, -sp.oo, "+"),
    sp.Subs(x + y, (x,), (1,)),
    sp.UnevaluatedExpr(x * sp.pi * sp.E * sp.I),
    sp.Tuple(sp.zoo, sp.nan, sp.false),
)


def test_every_whitelisted_name_reads_back():
    used = set()
    for expr in SAMPLES:
        text = sp.srepr(expr)
        assert srepr_reader.read(text) == expr, text
        used |= {n.id for n in ast.walk(ast.parse(text, mode="eval")) if isinstance(n, ast.Name)}
    whitelist = set(srepr_reader.CONSTRUCTORS) | set(srepr_reader.ATOMS) | {"Function"}
    assert whitelist <= used, whitelist - used


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Integer('7')", "Integer expects a literal of type int"),
        ("Add(Symbol('x'), 'y')", "Constant .* not allowed where an expression belongs"),
        ("S('x + 1')", "a call of Name `S`"),
        ("Symbol('x', real=1)", "real= expects a literal of type bool"),
        ("Symbol('x', evaluate=True)", "keyword evaluate= is not allowed"),
        ("Symbol('x', **{'real': True})", r"keyword \*\* is not allowed"),
        ("Add(*[Integer(1)])", "Starred"),
        ("Symbol('x').name", "Attribute"),
        ("Tuple(Integer(1))[0]", "Subscript"),
        ("Integer(1) + Integer(2)", "BinOp"),
        ("x", "Name `x` is not allowed"),
        ("-true", "UnaryOp"),
        ("Function('eval')(Symbol('x'))", "Function name 'eval' is not allowed"),
        ("Function('f.g')(Symbol('x'))", "Function name 'f.g' is not allowed"),
        ("Float('1e5*x')", "not a numeral"),
        ("ImmutableDenseMatrix(Integer(2), Integer(2), [])", "takes one list of rows"),
        ("Pow(Integer(1))", r"Pow\(\.\.\.\) failed: TypeError"),
        ("Add(Integer(1)", "not a Python expression"),
        ("Integer(1); Integer(2)", "not a Python expression"),
        ("Add(" * 300 + "Integer(1)" + ")" * 300, "not a Python expression|nested too deeply"),
    ],
)
def test_reader_refuses_what_srepr_does_not_write(text, reason):
    with pytest.raises(srepr_reader.SreprRejectedError, match=reason):
        srepr_reader.read(text)


def test_no_record_holds_a_dummy(genuine):
    """A SymPy ``Dummy`` carries an index drawn at random per process, so a record holding one
    is encoded differently by every run: the cache file another process wrote would never
    equal a fresh derivation (``relu_kernel_radial`` held one, from the chain rule's ``Subs``)."""
    holding = [record["name"] for record in genuine if "Dummy(" in json.dumps(record)]
    assert holding == []
