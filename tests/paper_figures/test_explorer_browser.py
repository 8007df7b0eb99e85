"""The explorer page in a real headless Chromium (issue 20).

The page is built once by ``python -m paper_figures explorer --out DIR`` and opened from
``file://`` in Chromium, driven over the Chrome DevTools protocol through a pipe
(``--remote-debugging-pipe``: standard library only, no driver package). The tests

* call ``window.fate.evaluate`` for every evaluator (each one is on the page) at 1 000 points
  (random points of its argument ranges, and points on its branch boundaries and range edges) and
  compare with :mod:`fate_numeric.theory`: |JS − Python| <= 1e-12 · max(1, |Python|), NaN and ±inf
  equal (the scale max(1, ·) because values that are differences of O(1) terms, such as T = R_sc −
  sin²θ near its zero contour, can only agree to the rounding of those terms);
* compare the bundled error function (stdlib's ``erf``, which ``dudley_tent_bound`` calls) with
  ``scipy.special.erf`` (which its numpy evaluator calls) at 25 000 points and its break points;
* give both the same bad input and check that both refuse it;
* move sliders (keyboard, mouse and by value), toggles and selectors, and compare what each panel
  plotted with the evaluators and with the archived simulations;
* typeset every derivation and check that KaTeX reported no error and the check marks are those of
  ``derivations explain``;
* fail on any console error, uncaught exception or request that leaves the file.

Set ``FATE_EXPLORER_SCREENSHOTS=DIR`` to save PNG screenshots of the page in several states.
Chromium comes from Debian's ``chromium`` package (``.ci/run`` installs it when missing); where it
is absent the module skips with that reason.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.optimize
import scipy.special
import sympy as sp

from derivations.cli import TimeLimitExceeded, time_limit
from derivations.errors import InvalidArgumentError
from derivations.explain import checked
from derivations.piecewise import branches
from derivations.registry import all_results
from derivations.symbols import PROBE_DOMAINS
from fate_numeric import theory
from fate_numeric.archive import REPOSITORY_ARCHIVE, Archive
from fate_numeric.theory.domains import violations
from paper_figures.__main__ import main
from paper_figures.explorer.jsgen import ERF_FUNCTION

POINTS = 1000
TOLERANCE = 1e-12
#: Seconds SymPy may take to solve one branch condition for one argument before the boundary
#: points are found numerically instead (``_numeric_boundary``).
SOLVE_SECONDS = 10
ERF_TOLERANCE = 1e-15  # bundled erf against scipy's, relative (measured: at most 4.2e-16)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)


def chromium() -> str | None:
    """The Chromium executable: $FATE_CHROMIUM, else the first of the usual names on PATH."""
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    if os.environ.get("FATE_CHROMIUM"):
        names = (os.environ["FATE_CHROMIUM"],)
    return next((path for name in names if (path := shutil.which(name))), None)


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        chromium() is None,
        reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it "
        "when it can)",
    ),
]


_TRAMPOLINE = (
    "import os, sys\n"
    "read, write = int(sys.argv[1]), int(sys.argv[2])\n"
    "os.dup2(read, 3)\n"
    "os.dup2(write, 4)\n"
    "os.close(read)\n"
    "os.close(write)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


def _above_nine(fd: int) -> int:
    """A duplicate of ``fd`` numbered 10 or more (the original closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class Browser:
    """Chromium with the DevTools protocol on a pipe (fd 3: commands in, fd 4: replies out).

    One page target, attached in flat mode; events are kept in :attr:`events`.
    """

    def __init__(self, executable: str, profile: Path) -> None:
        command_read, self._command_write = os.pipe()
        self._reply_read, reply_write = os.pipe()
        # Chromium reads fd 3 and writes fd 4: a small Python trampoline puts the pipe's ends
        # there and execs it (the ends are first moved above fd 9, so that neither is 3 or 4
        # itself and overwritten by the other).
        command_read, reply_write = _above_nine(command_read), _above_nine(reply_write)
        self.log = open(profile.parent / "chromium.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _TRAMPOLINE,
                str(command_read),
                str(reply_write),
                executable,
                *FLAGS,
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            pass_fds=(command_read, reply_write),
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
        )
        os.close(command_read)
        os.close(reply_write)
        self.events: list[dict] = []
        self._replies: dict[int, dict] = {}
        self._condition = threading.Condition()
        self._next = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1360, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
        )

    def _read(self) -> None:
        buffer = b""
        with open(self._reply_read, "rb", buffering=0) as pipe:
            while chunk := pipe.read(1 << 16):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for raw in messages:
                    message = json.loads(raw)
                    with self._condition:
                        if "id" in message:
                            self._replies[message["id"]] = message
                        else:
                            self.events.append(message)
                        self._condition.notify_all()

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 60.0) -> dict:  # fmt: skip
        with self._condition:
            self._next += 1
            ident = self._next
        message = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = memoryview(json.dumps(message).encode() + b"\0")
        while data:
            data = data[os.write(self._command_write, data) :]
        deadline = time.monotonic() + timeout
        with self._condition:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise RuntimeError(
                        f"no reply to {method} (Chromium exit {self.process.poll()})"
                    )
                self._condition.wait(left)
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def call(self, method: str, params: dict | None = None, timeout: float = 60.0) -> dict:
        return self.send(method, params, self.session, timeout)

    def js(self, expression: str, timeout: float = 120.0):
        """The value of a JavaScript expression in the page (JSON values; exceptions raise)."""
        reply = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout,
        )
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            raise RuntimeError(details.get("exception", {}).get("description") or details["text"])
        return reply["result"].get("value")

    def wait_for(self, method: str, since: int, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                for event in self.events[since:]:
                    if event["method"] == method:
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"no {method} event within {timeout} s")
                self._condition.wait(left)

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, error log entries and requests leaving the file."""
        found = []
        with self._condition:
            events = list(self.events)
        for event in events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                found.append(f"console.{params['type']}: {params['args']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"log: {params['entry']['text']}")
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith(("file:", "data:", "about:")):
                    found.append(f"request: {url}")
        return found

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", timeout=10)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._command_write)
        self.log.close()


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """The page, built by the command line's ``explorer`` target (in this process, so that the
    derivations' step checks are computed once for the build and the tests)."""
    out = tmp_path_factory.mktemp("explorer")
    started = time.perf_counter()
    assert main(["explorer", "--out", str(out)]) == 0
    path = out / "explorer.html"
    print(
        f"\nbuilt {path} ({path.stat().st_size / 1e6:.2f} MB) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return path


@pytest.fixture(scope="module")
def browser(page, tmp_path_factory):
    executable = chromium()
    profile = tmp_path_factory.mktemp("chromium") / "profile"
    session = Browser(executable, profile)
    try:
        mark = len(session.events)
        started = time.perf_counter()
        session.call("Page.navigate", {"url": page.as_uri()})
        session.wait_for("Page.loadEventFired", mark)
        deadline = time.monotonic() + 60
        while not session.js("Boolean(window.fate && window.fate.ready)"):
            assert time.monotonic() < deadline, "the page never became ready"
            time.sleep(0.05)
        session.load_seconds = time.perf_counter() - started
        yield session
    finally:
        session.close()


@pytest.fixture
def clean(browser):
    """Every test ends with no console error, exception or outside request on the page."""
    yield browser
    assert browser.problems() == []


def screenshot(browser: Browser, name: str, element: str | None = None) -> None:
    folder = os.environ.get("FATE_EXPLORER_SCREENSHOTS")
    if not folder:
        return
    params: dict = {"format": "png", "captureBeyondViewport": True}
    if element:
        box = browser.js(
            f"(() => {{ const r = document.getElementById({json.dumps(element)})"
            ".getBoundingClientRect(); return {x: r.left + window.scrollX, y: r.top + "
            "window.scrollY, width: r.width, height: r.height}; })()"
        )
        params["clip"] = {**box, "scale": 1}
    data = browser.call("Page.captureScreenshot", params)["data"]
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / f"{name}.png").write_bytes(base64.b64decode(data))


# ---- points: random ones in each argument's range, and the branch boundaries ------------------
def _draw(parameter, rng: np.random.Generator, size: int) -> np.ndarray:
    """Values in the parameter's range, on the derivations' probe interval where there is one."""
    domain = parameter.domain
    probe = PROBE_DOMAINS.get(parameter.symbol)
    if math.isfinite(domain.lower) and math.isfinite(domain.upper):
        low, high = domain.lower, domain.upper
    elif probe is not None:
        low, high = max(probe.lower, domain.lower), min(probe.upper, domain.upper)
    elif math.isfinite(domain.lower):
        low, high = domain.lower, domain.lower + (200 if domain.integer else 10)
    else:
        low, high = -5.0, 5.0
    if domain.integer:
        low = math.floor(low) + 1 if not domain.lower_closed and low == domain.lower else low
        return rng.integers(math.ceil(low), math.floor(high) + 1, size).astype(float)
    values = rng.uniform(low, high, size)
    if not domain.lower_closed:
        values = np.where(values <= domain.lower, high, values)
    return values


def _random(evaluator, rng, size: int) -> np.ndarray:
    return np.stack([_draw(p, rng, size) for p in evaluator.parameters], axis=1)


def _inside(evaluator, points: np.ndarray) -> np.ndarray:
    ok = np.ones(len(points), dtype=bool)
    for column, parameter in enumerate(evaluator.parameters):
        ok &= ~violations(parameter.domain, points[:, column])
    return ok


def _relations(evaluator) -> list[sp.core.relational.Relational]:
    """The relations in the branch conditions of the evaluator's record."""
    expr = evaluator.expr
    parts = list(expr) if isinstance(expr, sp.Tuple) else [expr]
    relations = set()
    for part in parts:
        for _, condition in branches(sp.piecewise_fold(part)):
            relations |= set(sp.sympify(condition).atoms(sp.core.relational.Relational))
    return sorted(relations, key=str)


def _closed_edges(evaluator) -> list[tuple[int, float]]:
    """(argument index, bound) of every finite bound that belongs to its argument's range."""
    edges = []
    for column, parameter in enumerate(evaluator.parameters):
        domain = parameter.domain
        for bound, closed in (
            (domain.lower, domain.lower_closed),
            (domain.upper, domain.upper_closed),
        ):
            if math.isfinite(bound) and closed:
                edges.append((column, bound))
    return edges


def _numeric_boundary(evaluator, gap: sp.Expr, column: int, rng, count: int) -> np.ndarray:
    """Points where ``gap`` vanishes, found numerically along argument ``column`` (a relation
    SymPy does not solve within ``SOLVE_SECONDS``): at ``count`` random values of the other
    arguments, each sign change of ``gap`` between consecutive sorted draws of the argument,
    refined by Brent's method to the last bits (integer arguments: rounded, with neighbours)."""
    symbols = [p.symbol for p in evaluator.parameters]
    function = sp.lambdify(symbols, gap, modules="numpy")
    grid = np.unique(_draw(evaluator.parameters[column], rng, 200))
    found = []
    for row in _random(evaluator, rng, count):

        def along(value: float, row=row) -> float:
            point = row.copy()
            point[column] = value
            return float(np.real(function(*point)))

        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = np.array([along(value) for value in grid])
            signs = np.sign(values)
            changes = np.flatnonzero(
                np.isfinite(values[:-1]) & np.isfinite(values[1:]) & (signs[:-1] * signs[1:] < 0)
            )
            roots = [
                scipy.optimize.brentq(along, grid[i], grid[i + 1], xtol=1e-300) for i in changes
            ]
        integer = evaluator.parameters[column].domain.integer
        for root in roots:
            for value in (np.round(root) + np.array([-1.0, 0.0, 1.0])) if integer else (root,):
                point = row.copy()
                point[column] = value
                found.append(point)
    return np.array(found, dtype=float).reshape(-1, len(symbols))


def _boundaries(evaluator, rng: np.random.Generator, per_solution: int = 12) -> np.ndarray:
    """Points where a branch condition of the record holds with equality (each relation solved
    for each of its symbols at random values of the others; integers rounded, with their
    neighbours), and points on the closed edges of the argument ranges."""
    symbols = [p.symbol for p in evaluator.parameters]
    found = []
    for relation in _relations(evaluator):
        gap = relation.lhs - relation.rhs
        for column, symbol in enumerate(symbols):
            if symbol not in gap.free_symbols:
                continue
            try:
                with time_limit(SOLVE_SECONDS, f"solving {relation} for {symbol}"):
                    solutions = sp.solve(gap, symbol)
            except TimeLimitExceeded:  # e.g. κ(γ, σ, λ_p) = 2 of wd_ft_break_even, nested roots
                found.append(_numeric_boundary(evaluator, gap, column, rng, per_solution))
                continue
            except (NotImplementedError, ValueError, TypeError):
                continue
            for solution in solutions:
                function = sp.lambdify(symbols, solution, modules="numpy")
                base = _random(evaluator, rng, per_solution)
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    values = np.broadcast_to(
                        np.asarray(function(*base.T), dtype=complex), (per_solution,)
                    )
                real = np.abs(values.imag) < 1e-300
                base, values = base[real], values.real[real]
                integer = evaluator.parameters[column].domain.integer
                for shift in (-1.0, 0.0, 1.0) if integer else (None,):
                    points = base.copy()
                    points[:, column] = values if shift is None else np.round(values) + shift
                    found.append(points[np.all(np.isfinite(points), axis=1)])
    for column, bound in _closed_edges(evaluator):
        points = _random(evaluator, rng, 8)
        points[:, column] = bound
        found.append(points)
    if not found:
        return np.empty((0, len(symbols)))
    points = np.concatenate(found)
    return points[_inside(evaluator, points)]


def points_for(evaluator, seed: int = 20) -> tuple[np.ndarray, int]:
    """``POINTS`` points: up to 400 boundary points, the rest random; and how many are boundary."""
    rng = np.random.default_rng([seed, len(evaluator.name), *evaluator.name.encode()])
    edges = _boundaries(evaluator, rng)
    if len(edges) > 400:
        edges = edges[rng.choice(len(edges), 400, replace=False)]
    random = _random(evaluator, rng, POINTS - len(edges))
    return np.concatenate([edges, random]), len(edges)


def python_values(evaluator, points: np.ndarray) -> np.ndarray:
    """(points, components) values of the numpy evaluator."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = evaluator(*points.T)
    columns = out if isinstance(out, tuple) else (out,)
    return np.stack([np.asarray(c, float) for c in columns], axis=1)


def page_values(browser: Browser, name: str, points: np.ndarray) -> np.ndarray:
    """(points, components) values of ``window.fate.evaluate`` (non-finite numbers as text)."""
    encoded = browser.js(
        f"JSON.stringify({json.dumps(points.tolist())}.map((p) => {{"
        f"  const v = window.fate.evaluate({json.dumps(name)}, p);"
        "  return (Array.isArray(v) ? v : [v]).map((x) => Number.isFinite(x) ? x : String(x));"
        "}))"
    )
    return np.array([[float(x) for x in row] for row in json.loads(encoded)])


def disagreements(page: np.ndarray, python: np.ndarray) -> np.ndarray:
    """Mask of entries that differ (NaN = NaN, inf = inf, else the module's tolerance)."""
    both_nan = np.isnan(page) & np.isnan(python)
    same_inf = np.isinf(python) & (page == python)
    with np.errstate(invalid="ignore"):
        close = np.abs(page - python) <= TOLERANCE * np.maximum(1.0, np.abs(python))
    return ~(both_nan | same_inf | (np.isfinite(page) & np.isfinite(python) & close))


# ---- the tests -----------------------------------------------------------------------------------
def test_page_loads_offline_and_lists_the_evaluators(clean):
    browser = clean
    names = browser.js("window.fate.names()")
    assert sorted(names) == sorted(theory.EVALUATORS)
    # nothing is left out, and the page says so
    assert browser.js("window.fate.omitted()") == {}
    shown = browser.js(
        "(() => { const list = document.getElementById('omitted-list');"
        " return [list.children.length, getComputedStyle(list, '::before').content]; })()"
    )
    assert shown == [0, '"none"']
    for name in names:
        assert browser.js(f"window.fate.parameters({json.dumps(name)})") == [
            p.name for p in theory.EVALUATORS[name].parameters
        ]
    timing = browser.js(
        "(() => { const t = performance.getEntriesByType('navigation')[0]; return "
        "{dom: t.domContentLoadedEventEnd, load: t.loadEventEnd,"
        " start: window.fate.startMilliseconds, size: t.decodedBodySize}; })()"
    )
    print(f"\nload: DOMContentLoaded {timing['dom']:.0f} ms, load event {timing['load']:.0f} ms, "
          f"panels drawn in {timing['start']:.0f} ms, page {timing['size'] / 1e6:.2f} MB; "
          f"navigate → ready {browser.load_seconds:.2f} s")  # fmt: skip
    # no request left the file: only the page itself was loaded
    requests = [e for e in browser.events if e["method"] == "Network.requestWillBeSent"]
    assert {e["params"]["request"]["url"].split(":")[0] for e in requests} <= {"file", "data"}
    screenshot(browser, "explorer-top")


@pytest.mark.parametrize("name", sorted(theory.EVALUATORS))
def test_every_evaluator_agrees_with_fate_numeric(clean, name):
    evaluator = theory.EVALUATORS[name]
    points, edges = points_for(evaluator)
    assert len(points) == POINTS
    if _relations(evaluator) or _closed_edges(evaluator):
        assert edges > 0, "no boundary point was generated"
    expected = python_values(evaluator, points)
    got = page_values(clean, name, points)
    assert got.shape == expected.shape
    bad = disagreements(got, expected)
    rows = np.flatnonzero(bad.any(axis=1))
    finite = np.isfinite(got) & np.isfinite(expected)
    if finite.any():
        gap = np.abs(got[finite] - expected[finite])
        scale = np.maximum(1.0, np.abs(expected[finite]))
        print(f"\n{name}: worst |page − python| {gap.max():.3g}, relative to max(1, |python|) "
              f"{(gap / scale).max():.3g} ({edges} boundary points)")  # fmt: skip
    assert rows.size == 0, (
        f"{name}: {rows.size} of {POINTS} points differ ({edges} boundary points), e.g. at "
        f"{points[rows[0]].tolist()}: page {got[rows[0]].tolist()}, python "
        f"{expected[rows[0]].tolist()}"
    )


def erf_points(rng: np.random.Generator) -> np.ndarray:
    """Points for the error function: uniform on [−7, 7], log-uniform magnitudes from 1e-300 to 6
    of either sign, and the break points of FreeBSD's s_erf.c (2⁻²⁸, 0.84375, 1.25, 1/0.35, 6)
    with their float64 neighbours; zeros, infinities and NaN."""
    breaks = np.array([2.0**-28, 0.84375, 1.25, 1 / 0.35, 6.0])
    breaks = np.concatenate([breaks, np.nextafter(breaks, 0), np.nextafter(breaks, np.inf)])
    magnitudes = 10.0 ** rng.uniform(-300, math.log10(6), 5000)
    return np.concatenate(
        [
            rng.uniform(-7, 7, 20000),
            magnitudes * rng.choice([-1.0, 1.0], magnitudes.size),
            breaks,
            -breaks,
            [0.0, -0.0, math.inf, -math.inf, math.nan],
        ]
    )


def test_bundled_erf_agrees_with_scipy(clean):
    x = erf_points(np.random.default_rng(21))
    encoded = clean.js(
        f"JSON.stringify({json.dumps(x.tolist())}.map((v) => {{"
        f" const y = {ERF_FUNCTION}(v); return Number.isFinite(y) ? y : String(y); }}))"
    )
    got = np.array([float(v) for v in json.loads(encoded)])
    expected = scipy.special.erf(x)
    assert np.isnan(got[-1]) and np.isnan(expected[-1])
    finite = np.isfinite(x)
    gap = np.abs(got - expected)[finite] / np.abs(expected[finite]).clip(min=np.finfo(float).tiny)
    worst = int(np.argmax(gap))
    print(f"\nerf: {finite.sum()} points, worst relative difference {gap[worst]:.3g} at "
          f"x = {x[finite][worst]!r}; identical at {np.mean(got == expected):.0%}")  # fmt: skip
    assert gap.max() <= ERF_TOLERANCE, (x[finite][worst], got[finite][worst])
    assert np.array_equal(got[~finite][:-1], expected[~finite][:-1])  # ±1 at ±inf
    # erf(±0) = ±0 as in scipy (JSON carries no negative zero: the sign is read in the page)
    signs = clean.js(f"[Object.is({ERF_FUNCTION}(0), 0), Object.is({ERF_FUNCTION}(-0), -0)]")
    assert signs == [True, True]
    assert np.signbit(scipy.special.erf(-0.0))


def _bad_values(parameter) -> list[tuple[str, object]]:
    """(JavaScript literal, Python value) pairs outside the parameter's range or not numbers."""
    domain = parameter.domain
    values: list[tuple[str, object]] = [
        ("NaN", math.nan),
        ("Infinity", math.inf),
        ('"0.5"', "0.5"),
        ("true", True),
        ("null", None),
    ]
    if math.isfinite(domain.lower):
        below = domain.lower if not domain.lower_closed else domain.lower - 1.0
        values.append((repr(below), below))
    if math.isfinite(domain.upper):
        above = domain.upper if not domain.upper_closed else domain.upper + 1.0
        values.append((repr(above), above))
    if domain.integer:
        values.append(("3.5", 3.5))
    return values


def test_bad_input_is_refused_by_both(clean):
    browser = clean
    rng = np.random.default_rng(7)
    refused = 0
    for name in browser.js("window.fate.names()"):
        evaluator = theory.EVALUATORS[name]
        good = _random(evaluator, rng, 1)[0]
        for column, parameter in enumerate(evaluator.parameters):
            for literal, value in _bad_values(parameter):
                args = [repr(float(v)) for v in good]
                args[column] = literal
                message = browser.js(
                    f"(() => {{ try {{ window.fate.evaluate({json.dumps(name)}, "
                    f"[{', '.join(args)}]); return null; }} catch (e) {{ return e.name + ': ' + "
                    "e.message; } })()"
                )
                python_args = [float(v) for v in good]
                python_args[column] = value
                with pytest.raises(InvalidArgumentError):
                    evaluator(*python_args)
                prefix = (
                    f"InvalidArgumentError: {parameter.name} must be {parameter.domain.describe()}"
                )
                assert message is not None and message.startswith(prefix), (name, literal, message)
                refused += 1
        named = {p.name: float(v) for p, v in zip(evaluator.parameters, good, strict=True)}
        for broken in ({**named, "nonsense": 1.0}, dict(list(named.items())[1:])):
            message = browser.js(
                f"(() => {{ try {{ window.fate.evaluate({json.dumps(name)}, {json.dumps(broken)});"
                " return null; } catch (e) { return e.message; } })()"
            )
            assert message is not None and message.startswith(f"{name}()"), (name, message)
    assert refused > 300


# ---- panels -------------------------------------------------------------------------------------
def set_control(browser: Browser, element: str, value) -> None:
    """Set an input's value (or check a radio/checkbox) and fire its input and change events."""
    browser.js(
        f"(() => {{ const e = document.getElementById({json.dumps(element)});"
        f" if (e.type === 'radio' || e.type === 'checkbox') e.checked = true;"
        f" else e.value = {json.dumps(str(value))};"
        " e.dispatchEvent(new Event('input', {bubbles: true}));"
        " e.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )


def canvas_hash(browser: Browser, canvas: str) -> str:
    url = browser.js(f"document.getElementById({json.dumps(canvas)}).toDataURL()")
    return hashlib.sha256(url.encode()).hexdigest()


def plotted(browser: Browser, panel: str):
    text = browser.js(
        f"JSON.stringify(window.fate.plotted({json.dumps(panel)}), (k, v) => "
        "typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)"
    )
    return json.loads(text)


def numbers(values) -> np.ndarray:
    return np.array(values, dtype=object).astype(float)


def close(page, python) -> None:
    page, python = numbers(page), np.asarray(python, float)
    bad = disagreements(page, python)
    assert not bad.any(), f"{int(bad.sum())} plotted values differ, e.g. {page[bad][:3]}"


def rounded(page, archive) -> None:
    """Simulation summaries: the page keeps 10 significant digits (paper_figures.explorer.data)."""
    np.testing.assert_allclose(numbers(page), np.asarray(archive, float), rtol=1e-9, atol=0)


def test_linear_transfer_map_follows_the_sliders(clean):
    browser = clean
    before = canvas_hash(browser, "lt-canvas")
    set_control(browser, "lt-sigma", 0.35)
    after = plotted(browser, "lt")
    assert after["sigma"] == 0.35
    assert canvas_hash(browser, "lt-canvas") != before
    theta, gamma = np.meshgrid(after["theta"], after["gamma"])
    close(after["values"], theory.lt_transferability(theta, gamma, 0.35))
    lower, upper = theory.lt_negative_interval(np.array(after["theta"]), 0.35)
    close(np.array(after["interval"], dtype=object), np.stack([lower, upper], axis=1))
    close([after["theta_star"]], [theory.lt_negative_threshold_angle(0.35)])
    assert after["contour_segments"] > 50
    # keyboard: three steps of the σ slider (0.005 each) move the map to σ = 0.365
    browser.js("document.getElementById('lt-sigma').focus()")
    for _ in range(3):
        for kind in ("rawKeyDown", "keyUp"):
            browser.call(
                "Input.dispatchKeyEvent",
                {
                    "type": kind,
                    "key": "ArrowRight",
                    "code": "ArrowRight",
                    "windowsVirtualKeyCode": 39,
                },
            )
    keyed = plotted(browser, "lt")
    assert keyed["sigma"] == pytest.approx(0.365, abs=1e-12)
    close(keyed["values"], theory.lt_transferability(theta, gamma, keyed["sigma"]))
    # mouse: a click at three quarters of the γ slider's track moves the read-out point
    browser.js("document.getElementById('lt-gamma').scrollIntoView({block: 'center'})")
    box = browser.js(
        "(() => { const r = document.getElementById('lt-gamma').getBoundingClientRect();"
        " return [r.left, r.top, r.width, r.height]; })()"
    )
    x, y = box[0] + 0.75 * box[2], box[1] + box[3] / 2
    for kind in ("mousePressed", "mouseReleased"):
        browser.call(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
        )
    clicked = plotted(browser, "lt")["point"]
    assert 1.3 < clicked["gamma"] < 1.7
    close(
        [clicked["value"]], [theory.lt_transferability(clicked["theta"], clicked["gamma"], 0.365)]
    )
    screenshot(browser, "explorer-linear-transfer", "panel-lt")


def test_scratch_panel_follows_d_and_sigma(clean):
    browser = clean
    set_control(browser, "sc-sigma", 0.5)
    set_control(browser, "sc-d", 25)
    got = plotted(browser, "scratch")
    assert (got["sigma"], got["d"]) == (0.5, 25)
    close(got["risk"], theory.scratch_risk(np.array(got["gamma"]), 0.5))
    n = np.array(got["n"], float)
    assert n.tolist() == list(range(1, 51))
    close(got["finite"], theory.scratch_risk_finite(n, 25, 0.5))
    assert numbers(got["finite"])[[23, 24, 25]].tolist() == [math.inf] * 3  # |n − d| <= 1
    close([got["floor"]], [theory.lt_risk_limit(got["theta"])])
    close(got["optimum"], theory.scratch_optimum(0.5))
    screenshot(browser, "explorer-scratch", "panel-scratch")


def test_fine_tuning_toggle_switches_the_formula(clean):
    browser = clean
    printed = plotted(browser, "ft")
    theta, gamma = np.meshgrid(printed["theta"], printed["gamma"])
    assert printed["evaluator"] == "ft_transferability"
    close(printed["values"], theory.ft_transferability(theta, gamma))
    set_control(browser, "ft-sigma", 0.6)
    set_control(browser, "ft-balanced", True)
    corrected = plotted(browser, "ft")
    assert corrected["evaluator"] == "ft_transferability_balanced"
    close(corrected["values"], theory.ft_transferability_balanced(theta, gamma, 0.6))
    assert not np.allclose(numbers(corrected["values"]), numbers(printed["values"]))
    screenshot(browser, "explorer-fine-tuning", "panel-ft")


def _archived_cells(sweep: str):
    archive = Archive(REPOSITORY_ARCHIVE / "paper")
    entry = archive.manifest["sweeps"][sweep]
    for config in entry["cells"]:
        yield config, archive.load(config).arrays


def test_ridge_panel_shows_the_archived_points(clean):
    browser = clean
    set_control(browser, "rd-theta", math.pi / 4)
    set_control(browser, "rd-n", 100)
    got = plotted(browser, "ridge")
    assert got["n"] == 100 and got["sigma"] == 0.2
    close(got["law"], theory.ridge_lt_risk(got["theta"], np.array(got["lam"])))
    close([got["exact"]], [theory.lt_risk(got["theta"], 100, 0.2)])
    (config, arrays), *others = [
        (c, a)
        for c, a in _archived_cells("phase_diagram")
        if c["procedure"] == "linear_transfer"
        and c["n"] == 100
        and c["sigma"] == 0.2
        and math.isclose(c["theta"], math.pi / 4)
    ]
    assert not others
    risks = arrays["generalisation"]
    assert got["points"]["lam"] == config["ridges"]
    rounded(got["points"]["mean"], risks.mean(axis=1))
    rounded(got["points"]["se"], risks.std(axis=1, ddof=1) / math.sqrt(risks.shape[1]))


def test_finite_source_maps_follow_their_sliders(clean):
    browser = clean
    set_control(browser, "fs-gamma-s", 1.5)
    set_control(browser, "fs-sigma-s", 0.1)
    set_control(browser, "fs-sigma", 0.3)
    got = plotted(browser, "fs")
    assert (got["gamma_s"], got["sigma_s"], got["sigma"]) == (1.5, 0.1, 0.3)
    theta, gamma = np.meshgrid(got["theta"], got["gamma"])
    close(got["ft"], theory.ft_transferability_finite_source(theta, gamma, 1.5, 0.1))
    close(got["lt"], theory.lt_transferability_finite_source(theta, gamma, 0.3, 1.5, 0.1))
    set_control(browser, "fs-balanced", True)
    got = plotted(browser, "fs")
    close(got["ft"], theory.ft_transferability_finite_source_balanced(theta, gamma, 1.5, 0.3, 0.1))
    screenshot(browser, "explorer-finite-source", "panel-fs")


def test_similarity_panel(clean):
    browser = clean
    set_control(browser, "sim-gamma", 0.8)
    set_control(browser, "sim-sigma", 0.4)
    got = plotted(browser, "similarity")
    theta = np.array(got["theta"])
    assert theta[0] == 0 and theta[-1] == pytest.approx(math.pi, abs=0)
    close(got["kl"], theory.kl_family(theta, 0.4))
    close(got["w1"], theory.w1_family_upper(theta))
    close(got["t_lt"], theory.lt_transferability(theta, 0.8, 0.4))
    close(got["t_ft"], theory.ft_transferability(theta, 0.8))


def test_relu_panel_switches_profile(clean):
    browser = clean
    set_control(browser, "relu-profile", "quick")
    got = plotted(browser, "relu")
    assert (got["d"], got["teacher_width"]) == (10, 10)
    fraction = np.array(got["fraction"])
    assert fraction[0] == pytest.approx(0, abs=1e-9)  # nothing removed: f_t in the span
    assert np.all(np.diff(fraction) >= -1e-9) and 0 < fraction[-1] <= 1
    set_control(browser, "relu-profile", "paper")
    assert plotted(browser, "relu")["teacher_width"] == 100
    screenshot(browser, "explorer-relu", "panel-relu")


def test_simulation_slices_match_the_archive(clean):
    browser = clean
    theta = 3 * math.pi / 8
    set_control(browser, "sim8-theta", theta)
    set_control(browser, "sim8-sigma-0.2", True)
    got = plotted(browser, "simulations")
    assert got["d"] == 500
    scratch = {
        c["n"]: a["generalisation"]
        for c, a in _archived_cells("scratch")
        if c["sigma"] == 0.2 and c["weight_decay"] == 0
    }
    transfer = {
        c["n"]: a["generalisation"][0]
        for c, a in _archived_cells("phase_diagram")
        if c["procedure"] == "linear_transfer" and c["sigma"] == 0.2
        and math.isclose(c["theta"], theta)
    }  # fmt: skip
    assert sorted(got["lt"]["n"]) == sorted(transfer)
    for n, mean, se in zip(got["lt"]["n"], got["lt"]["mean"], got["lt"]["se"], strict=True):
        sc, lt = scratch[n], transfer[n]
        rounded([mean], [sc.mean() - lt.mean()])
        rounded([se], [math.sqrt(sc.var(ddof=1) / sc.size + lt.var(ddof=1) / lt.size)])
    close(
        got["lt"]["exact"],
        theory.lt_transferability_finite(got["theta"], np.array(got["lt"]["n"]), 500, 0.2),
    )
    close(
        got["lt"]["curve"],
        theory.lt_transferability(got["theta"], np.array(got["lt"]["gamma"]), 0.2),
    )
    assert sorted(got["scratch"]["n"]) == sorted(scratch)
    rounded(got["scratch"]["mean"], [scratch[n].mean() for n in got["scratch"]["n"]])
    close(
        got["ft"]["corrected"],
        theory.ft_transferability_balanced(got["theta"], np.array(got["ft"]["gamma"]), 0.2),
    )
    assert len(got["ft"]["n"]) == 20
    screenshot(browser, "explorer-simulations", "panel-simulations")


def test_every_derivation_is_typeset_with_its_checks(clean):
    browser = clean
    results = all_results()
    names = browser.js("Array.from(document.getElementById('dv-result').options, (o) => o.value)")
    assert names == list(results)
    for name in names:
        set_control(browser, "dv-result", name)
        got = plotted(browser, "derivation")
        assert got["name"] == name
        assert got["errors"] == 0, f"KaTeX could not typeset a formula of {name}"
        assert got["rendered"] >= got["steps"] + 1
        assert got["marks"] == [c.line for c in checked(name)]
    set_control(browser, "dv-result", "lt_negative_interval")
    screenshot(browser, "explorer-derivation", "panel-derivation")
