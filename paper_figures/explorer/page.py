"""Assembling the explorer: one self-contained HTML file.

The template (``template.html``), the page's style and logic (``explorer.css``, ``explorer.js``),
the generated evaluators (:mod:`paper_figures.explorer.jsgen`), the data
(:mod:`paper_figures.explorer.data`), the bundled KaTeX (``vendor/katex``: its script, its style
sheet with the WOFF2 fonts inlined as base64 data URLs) and the bundled error function the
evaluators call (``vendor/stdlib-erf``: stdlib's ``erf`` as one script) are inlined into one file.
The page declares a Content-Security-Policy that allows no request at all (``default-src 'none'``;
inline scripts and styles, ``data:`` fonts and images only), so it works from ``file://`` with no
server and cannot reach the network even by mistake.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paper_figures.core import FigureError

HERE = Path(__file__).resolve().parent
KATEX = HERE / "vendor" / "katex"
ERF = HERE / "vendor" / "stdlib-erf"
PAGE_NAME = "explorer.html"

#: The markers of template.html and what replaces each.
MARKERS = ("KATEX_CSS", "PAGE_CSS", "KATEX_JS", "DATA", "ERF_JS", "EVALUATORS", "EXPLORER_JS")

_FONT_FACE_SOURCE = re.compile(
    r"src:url\(fonts/(KaTeX_[A-Za-z0-9_-]+)\.woff2\) format\(\"woff2\"\)[^;}]*"
)


@dataclass(frozen=True)
class Library:
    """A bundled third-party library: name, version, licence name and licence text."""

    name: str
    version: str
    licence: str
    text: str


def katex_library() -> Library:
    version = (KATEX / "VERSION").read_text().strip()
    return Library("KaTeX", version, "MIT", (KATEX / "LICENSE").read_text())


def erf_library() -> Library:
    """stdlib's error function, which the generated evaluators call (jsgen.ERF_FUNCTION)."""
    version = (ERF / "VERSION").read_text().strip()
    return Library(
        "@stdlib/math-base-special-erf", version, "Apache-2.0", (ERF / "LICENSE").read_text()
    )


def katex_css() -> str:
    """KaTeX's style sheet with every font as a WOFF2 data URL (no other font format kept)."""
    css = (KATEX / "katex.min.css").read_text()

    def inline(match: re.Match) -> str:
        data = (KATEX / "fonts" / f"{match.group(1)}.woff2").read_bytes()
        encoded = base64.b64encode(data).decode("ascii")
        return f'src:url(data:font/woff2;base64,{encoded}) format("woff2")'

    inlined, count = _FONT_FACE_SOURCE.subn(inline, css)
    if count == 0 or "url(fonts/" in inlined:
        raise FigureError("the bundled katex.min.css has font sources this builder does not know")
    return inlined


def _script(text: str) -> str:
    """Text safe inside an inline <script> element."""
    if re.search(r"</script", text, re.IGNORECASE):
        raise FigureError("a script to inline contains '</script'")
    return text


def data_script(data: dict[str, Any]) -> str:
    """``const FATE_DATA = {...};`` (JSON; ``</`` escaped so no string can close the element)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return "const FATE_DATA = " + text.replace("</", "<\\/") + ";"


def _licence(library: Library) -> str:
    return (
        f"<details><summary>{_escape(library.name)} licence</summary>"
        f"<pre>{_escape(library.text)}</pre></details>\n"
    )


def _about(katex: Library, erf: Library, version: str, archive: str) -> str:
    return (
        f"<p>Typesetting: {katex.name} {katex.version} ({katex.licence} licence), bundled "
        "in this file with its fonts. Error function (erf) of the evaluators: stdlib's "
        f"<code>{_escape(erf.name)}</code> {erf.version} ({erf.licence} licence), bundled in this "
        "file. Plots: plain &lt;canvas&gt; code of this package. Data: "
        f"{_inline(archive)}.</p>\n"
        f"{_licence(katex)}{_licence(erf)}"
        f'<p class="meta">features-are-fate {_escape(version)}; rebuild with '
        "<code>python -m paper_figures explorer --out DIR</code>.</p>"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(text: str) -> str:
    """A line of Markdown (code spans only) as HTML."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", _escape(text))


def assemble(evaluators_js: str, data: dict[str, Any], version: str) -> str:
    """The page's HTML from its parts (the template's markers replaced)."""
    template = (HERE / "template.html").read_text()
    archive = data["simulations"].get("describe") or data["simulations"].get("reason", "")
    parts = {
        "KATEX_CSS": katex_css(),
        "PAGE_CSS": (HERE / "explorer.css").read_text(),
        "KATEX_JS": _script((KATEX / "katex.min.js").read_text()),
        "DATA": _script(data_script(data)),
        "ERF_JS": _script((ERF / "erf.js").read_text()),
        "EVALUATORS": _script(evaluators_js),
        "EXPLORER_JS": _script((HERE / "explorer.js").read_text()),
    }
    for marker in MARKERS:
        token = f"/*@{marker}@*/"
        if template.count(token) != 1:
            raise FigureError(f"template.html must hold {token} once")
        template = template.replace(token, parts[marker])
    html_parts = {
        "VERSION": _escape(version),
        "ARCHIVE": _inline(archive),
        "ABOUT": _about(katex_library(), erf_library(), version, archive),
    }
    for marker, text in html_parts.items():
        template = template.replace(f"<!--@{marker}@-->", text)
    return template
