"""Render an assignment statement: Markdown, math as MathML (no CDN), Pygments-highlighted code.

Statements come from assignment folders, so the HTML is sanitised anyway: an instructor's
repository is not a reason to let arbitrary script into every student's browser.
"""
from __future__ import annotations

from functools import lru_cache
from html import escape

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

MATHML_TAGS = {"math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
               "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mstyle", "mtable", "mtr", "mtd",
               "munder", "mover", "munderover", "mpadded", "mphantom", "menclose", "merror"}
MATHML_ATTRS = {"display", "xmlns", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
                "form", "largeop", "movablelimits", "accent", "accentunder", "displaystyle", "scriptlevel",
                "columnalign", "rowspacing", "columnspacing", "width", "height", "depth", "notation",
                "linethickness", "symmetric", "minsize", "maxsize"}
EXTRA_TAGS = {"span", "div", "pre", "code", "table", "thead", "tbody", "tr", "th", "td", "img", "figure",
              "figcaption", "del", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "sup", "sub"}


# latex2mathml writes a bmatrix's brackets as plain operators, which browsers do not stretch
# over the rows; \left...\right fences do stretch.
MATRIX_FENCES = {"bmatrix": ("[", "]"), "pmatrix": ("(", ")"), "vmatrix": ("|", "|")}


def _stretch_matrix_fences(content: str) -> str:
    for env, (left, right) in MATRIX_FENCES.items():
        content = content.replace(f"\\begin{{{env}}}", f"\\left{left}\\begin{{matrix}}")
        content = content.replace(f"\\end{{{env}}}", f"\\end{{matrix}}\\right{right}")
    return content


def _math(content: str, options: dict) -> str:
    display = "block" if options.get("display_mode") else "inline"
    try:
        mathml = latex_to_mathml(_stretch_matrix_fences(content), display=display)
    except Exception:  # latex2mathml raises many types; show the source rather than nothing
        return f'<code class="math-error">{escape(content)}</code>'
    # A wide formula scrolls in its own box; tabindex lets a keyboard user scroll it too.
    return f'<div class="math-block" tabindex="0">{mathml}</div>' if display == "block" else mathml


def _code(code: str, lang: str, _attrs: str) -> str:
    try:
        lexer = get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    return f'<pre class="highlight"><code>{highlight(code, lexer, HtmlFormatter(nowrap=True))}</code></pre>'


def highlight_python(code: str) -> str:
    """Highlight a submission's source for the feedback page."""
    return _code(code, "python", "")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "highlight": _code}).enable("table")
    dollarmath_plugin(md, double_inline=True, renderer=_math)
    return md


def _sanitise(html: str, *, images: bool = True) -> str:
    attributes = {"*": {"class"}, "img": {"src", "alt", "title"}, "a": {"href", "title"},
                  "td": {"style"}, "th": {"style"}, "div": {"class", "tabindex"}}
    attributes.update({tag: MATHML_ATTRS | {"class"} for tag in MATHML_TAGS})
    tags = nh3.ALLOWED_TAGS | MATHML_TAGS | EXTRA_TAGS
    return nh3.clean(html, tags=tags if images else tags - {"img"}, attributes=attributes,
                     filter_style_properties={"text-align"})


@lru_cache(maxsize=256)
def render_markdown(source: str) -> str:
    """Markdown with $math$ and fenced code to safe HTML (cached: statements rarely change)."""
    return _sanitise(_markdown().render(source))


@lru_cache(maxsize=1)
def _answer_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "highlight": _code}).enable("table")
    dollarmath_plugin(md, double_inline=True, renderer=_math)
    return md


@lru_cache(maxsize=512)
def render_answer(source: str) -> str:
    """A student's written answer: their line breaks kept, $math$ rendered, no raw HTML, and no
    images: a picture from another site would be fetched by every TA who reads the answer (their
    address, when they read it), and nothing in a written answer needs one."""
    return _sanitise(_answer_markdown().render(source), images=False)


@lru_cache(maxsize=1024)
def render_inline(source: str) -> str:
    """One line of Markdown with $math$ (a choice's label, a rubric criterion) without a paragraph."""
    return _sanitise(_markdown().renderInline(source))
