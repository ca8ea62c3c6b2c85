"""Pictures for feedback: heat maps, learning curves, diagrams. PNG/SVG bytes, no files.

Checks call these in the grader and attach the result with `artifacts.image(name, picture,
caption=T(en, ko), alt=...)`; `describe_matrices` and `describe_curves` write the `alt` text
(the numbers the picture shows, in both languages).

Words drawn inside a picture follow the reader's language. Titles, axis labels, panel and
series names are texts: a `T(en, ko)` (or English the catalogue knows). Each picture is drawn
in English and, when some drawn text differs between the languages, in Korean too: the result
is a `Picture`, the English bytes with the Korean ones beside them (`.ko`, None when the
Korean drawing would be the same). Token labels (rows and columns of a heat map: words of a
sentence) are data and are drawn as they are. Korean needs NanumGothic (Debian's fonts-nanum);
without it, pictures are drawn in English only. Every drawn text is cut to MAX_DRAWN_CHARS
characters and MAX_DRAWN_LINES lines (long lines wrapped), control characters removed.

A picture of an assignment's own (tests/mistakes.py) is drawn the same way with `drawn`:

    def draw(tr):                       # tr(text) -> the words in the language being drawn
        plt = pictures.pyplot()         # DejaVu Sans with NanumGothic for Hangul
        fig, ax = plt.subplots()
        ax.set_title(tr(T("gradient norm", "그래디언트 크기")))
        ...
        return pictures.png(fig)
    picture = pictures.drawn(draw)
"""
from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
import textwrap
from typing import Any, Callable, Sequence

import numpy as np

from graders.i18n import T, text
from graders.limits import MAX_DRAWN_CHARS, MAX_DRAWN_LINE_CHARS, MAX_DRAWN_LINES, MAX_TOKEN_CHARS
from graders.memo import pure

KOREAN_FONT = "NanumGothic"
# DejaVu Sans first: it has every Latin glyph, digits and the minus sign (U+2212) of negative and
# log-axis ticks; matplotlib (>= 3.6) falls back glyph by glyph to NanumGothic for Hangul.
FONT_FAMILY = ["DejaVu Sans", KOREAN_FONT]

_UNDRAWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                         "\ud800-\udfff]")
_FONT_READY = False


class Picture(bytes):
    """A picture in English (the bytes value) and Korean (`.ko`; None when it would be the same)."""

    ko: bytes | None

    def __new__(cls, en: bytes, ko: bytes | None = None) -> "Picture":
        obj = super().__new__(cls, en)
        obj.ko = None if ko is None or bytes(ko) == bytes(en) else bytes(ko)
        return obj

    @property
    def en(self) -> bytes:
        return bytes(self)

    def get(self, lang: str) -> bytes:
        """The bytes to show a reader of `lang` (English when there is no Korean drawing)."""
        return self.ko if lang == "ko" and self.ko is not None else bytes(self)

    def localized(self) -> tuple[tuple[str, bytes], ...]:
        """The drawings besides the English one, as (language, bytes) pairs."""
        return (("ko", self.ko),) if self.ko is not None else ()

    def __reduce__(self) -> tuple[Any, ...]:
        return (Picture, (bytes(self), self.ko))

    def __repr__(self) -> str:
        return f"<Picture {len(self)} bytes{f', Korean {len(self.ko)} bytes' if self.ko is not None else ''}>"


@functools.lru_cache(maxsize=1)
def korean_font() -> bool:
    """Whether matplotlib can draw Hangul (NanumGothic is installed)."""
    from matplotlib import font_manager
    return any(f.name == KOREAN_FONT for f in font_manager.fontManager.ttflist)


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, with the fonts pictures are drawn in."""
    global _FONT_READY
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    if not _FONT_READY:
        plt.rcParams["font.family"] = FONT_FAMILY if korean_font() else FONT_FAMILY[:1]
        plt.rcParams["axes.unicode_minus"] = True
        _FONT_READY = True
    return plt


def png(fig: Any, *, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (the figure is closed). A text matplotlib cannot read as math
    (e.g. an unbalanced `$...$`) is drawn as it is written."""
    plt = pyplot()
    try:
        try:
            return _savefig(fig, dpi)
        except ValueError:
            from matplotlib.text import Text
            for item in fig.findobj(Text):
                item.set_parse_math(False)
            return _savefig(fig, dpi)
    finally:
        plt.close(fig)


def _savefig(fig: Any, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def drawable(value: Any, *, limit: int = MAX_DRAWN_CHARS, lines: int = MAX_DRAWN_LINES,
             width: int = MAX_DRAWN_LINE_CHARS) -> str:
    """A text as it may be drawn: a plain str without control characters, cut to `limit`
    characters, lines longer than `width` wrapped, at most `lines` lines."""
    s = str.__str__(value[:limit + 1]) if isinstance(value, str) else str(value)[:limit + 1]
    s = _UNDRAWABLE.sub("", s.replace("\t", " ").replace("\r\n", "\n"))
    if len(s) > limit:
        s = s[:limit - 1] + "\u2026"
    out: list[str] = []
    for line in s.split("\n"):
        out += textwrap.wrap(line, width, break_long_words=True) if len(line) > width else [line]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:width - 1] + "\u2026"
    return "\n".join(out)


def drawn(draw: Callable[[Callable[[Any], str]], bytes | None], *, font: bool = True) -> Picture | None:
    """Draw a picture in each language where its drawn words differ.

    `draw(tr)` draws the picture once and returns its bytes; every text it draws goes through
    `tr(value)`, which returns that text (a T, or English the catalogue knows) in the language
    being drawn. The English drawing is made first; the Korean one only when some text passed
    through `tr` differs between the languages and, for a drawing matplotlib renders (`font`),
    the Korean font is installed (an SVG's text is rendered by the reader's browser: font=False).
    None when `draw` returns None (e.g. Graphviz is not installed).
    """
    differs = False

    def tr_en(value: Any) -> str:
        nonlocal differs
        en, ko = _both(value)
        differs = differs or en != ko
        return en

    english = draw(tr_en)
    if english is None:
        return None
    if not differs or (font and not korean_font()):
        return Picture(english)
    korean = draw(lambda value: _both(value)[1])
    return Picture(english, korean)


def _both(value: Any) -> tuple[str, str]:
    """A drawn text in English and Korean, each cut and cleaned."""
    if not isinstance(value, T):          # cut before the catalogue reads it
        value = text(drawable(value if isinstance(value, str) else "" if value is None else str(value)))
    return drawable(value.en), drawable(value.ko)


def _tokens(labels: Sequence[Any], count: int) -> list[str]:
    """Row or column labels (data, drawn as they are): at most `count`, each cut."""
    return [drawable(label, limit=MAX_TOKEN_CHARS, lines=1) for label in list(labels or ())[:count]]


def _matrix(value: Any) -> np.ndarray:
    arr = value.detach().cpu().double().numpy() if hasattr(value, "detach") else np.asarray(value, dtype=float)
    while arr.ndim > 2:
        arr = arr[0]
    return np.atleast_2d(arr)


# A heat map shows a value by one of 256 colours and by two decimals: values that agree to this
# many decimals draw the same picture. Rounded before the memo sees them, two correct submissions
# whose weights differ in the last bits of a float share one drawing per language (each drawing
# is ~0.1 s of the grader's CPU) instead of drawing their near-identical pictures again.
DRAWN_DECIMALS = 5


def _shown(value: Any) -> np.ndarray:
    return np.round(_matrix(value), DRAWN_DECIMALS) + 0.0      # + 0.0: no -0.0 beside 0.0 in the memo key


def heatmaps(panels: Sequence[tuple[Any, Any]], *, title: Any = "", row_labels: Sequence[str] = (),
             col_labels: Sequence[str] = (), vmin: float | None = 0.0, vmax: float | None = None,
             annotate: bool = True) -> Picture:
    """Side-by-side heat maps (e.g. the student's attention weights beside the reference's).

    Panel names and the title are texts (T); row and column labels are data, drawn as they are."""
    mats = [_shown(m) for _, m in panels]
    rows = _tokens(row_labels, max((m.shape[0] for m in mats), default=0))
    cols = _tokens(col_labels, max((m.shape[1] for m in mats), default=0))
    names = [name for name, _ in panels]
    return drawn(lambda tr: _heatmaps_png([(tr(n), m) for n, m in zip(names, mats)], tr(title), rows, cols,
                                          vmin, vmax, annotate))


@pure                                  # same values and words, same picture: many submissions share them
def _heatmaps_png(panels: list[tuple[str, np.ndarray]], title: str, row_labels: list[str],
                  col_labels: list[str], vmin: float | None, vmax: float | None, annotate: bool) -> bytes:
    plt = pyplot()
    mats = [m for _, m in panels]
    top = vmax if vmax is not None else max(float(np.nanmax(m)) if m.size else 1.0 for m in mats)
    fig, axes = plt.subplots(1, len(mats), figsize=(3.2 * len(mats) + 0.8, 3.2), squeeze=False)
    for k, (ax, (name, _), mat) in enumerate(zip(axes[0], panels, mats)):
        im = ax.imshow(mat, cmap="viridis", vmin=vmin, vmax=top)
        ax.set_title(name, fontsize=10)
        if row_labels:
            ax.set_yticks(range(len(row_labels)), row_labels if k == 0 else [""] * len(row_labels), fontsize=8)
        if col_labels:
            ax.set_xticks(range(len(col_labels)), col_labels, fontsize=8, rotation=45, ha="right")
        if annotate and mat.size <= 64:
            for (i, j), v in np.ndenumerate(mat):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if v < (top or 1) * 0.6 else "black")
    fig.colorbar(im, ax=axes[0].tolist(), shrink=0.8)
    if title:
        fig.suptitle(title, fontsize=11)
    return png(fig)


def heatmap(matrix: Any, *, title: Any = "", xlabel: Any = "", ylabel: Any = "", cmap: str = "RdBu_r") -> Picture:
    """One heat map of a (possibly large) matrix, e.g. a positional-encoding table."""
    mat = _shown(matrix)
    return drawn(lambda tr: _heatmap_png(mat, tr(title), tr(xlabel), tr(ylabel), cmap))


@pure
def _heatmap_png(mat: np.ndarray, title: str, xlabel: str, ylabel: str, cmap: str) -> bytes:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    im = ax.imshow(mat, aspect="auto", cmap=cmap)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.colorbar(im, ax=ax)
    return png(fig)


def learning_curve(series: dict[Any, Sequence[tuple[float, float]]], *, title: Any = "",
                   xlabel: Any = None, ylabel: Any = None, log_y: bool = True) -> Picture:
    """Loss against step for one or more runs (e.g. the student's and the reference's).

    Series names, the title and the axis labels are texts (T); the axes read "step" and "loss"
    in the reader's language unless given."""
    xlabel = T("step", "스텝") if xlabel is None else xlabel
    ylabel = T("loss", "손실") if ylabel is None else ylabel
    runs = [(name, [(float(x), float(y)) for x, y in points]) for name, points in series.items()]
    return drawn(lambda tr: _curve_png([(tr(name), points) for name, points in runs], tr(title), tr(xlabel),
                                       tr(ylabel), log_y))


@pure
def _curve_png(series: list[tuple[str, list[tuple[float, float]]]], title: str, xlabel: str, ylabel: str,
               log_y: bool) -> bytes:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, points in series:
        if points:
            xs, ys = zip(*points)
            ax.plot(xs, ys, label=name, linewidth=1.5)
    if log_y and any(y > 0 for _, pts in series for _, y in pts):
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend()
    return png(fig)


def graphviz_svg(dot_source: str, *, timeout: float = 10.0) -> bytes | None:
    """Render Graphviz source to SVG with `dot`; None when Graphviz is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    proc = subprocess.run([dot, "-Tsvg"], input=dot_source.encode("utf-8"), capture_output=True,
                          timeout=timeout, check=False)
    return proc.stdout if proc.returncode == 0 else None


# ------------------------------------------------------------------------- text alternatives

def describe_matrices(panels: Sequence[tuple[str, Any]], *, row_labels: Sequence[str] = (),
                      col_labels: Sequence[str] = (), max_values: int = 64) -> "T":
    """The numbers a heat map shows, in words (its `alt` text), in Korean and English.

    Small matrices are written out row by row; larger ones are summarised by shape and range.
    """
    from graders.i18n import T
    parts = []
    for name, value in panels:
        mat = _matrix(value)
        if mat.size <= max_values:
            rows = []
            for i, row in enumerate(mat):
                label = row_labels[i] if i < len(row_labels) else str(i)
                cells = ", ".join(f"{col_labels[j] if j < len(col_labels) else j} {v:.2f}" for j, v in enumerate(row))
                rows.append(f"{label}: {cells}")
            parts.append(T("{name}: rows {rows}", "{name}: 행별로 {rows}").format(name=name, rows="; ".join(rows)))
        else:
            lo, hi, mean = (float(f(mat)) if mat.size else 0.0 for f in (np.nanmin, np.nanmax, np.nanmean))
            parts.append(T("{name}: a {r} x {c} table, values from {lo:.2f} to {hi:.2f}, mean {mean:.2f}",
                           "{name}: {r} x {c} 표, 값은 {lo:.2f}부터 {hi:.2f}까지, 평균 {mean:.2f}").format(
                name=name, r=mat.shape[0], c=mat.shape[1], lo=lo, hi=hi, mean=mean))
    return T(". ", ". ").join(parts) + "."


def describe_curves(series: dict[str, Sequence[tuple[float, float]]], *, xlabel: Any = "step",
                    ylabel: Any = "loss") -> "T":
    """A learning curve in words: for each run, where it starts, where it ends, its lowest value."""
    from graders.i18n import T
    parts = []
    for name, points in series.items():
        if not points:
            parts.append(T("{name}: no points", "{name}: 값 없음").format(name=name))
            continue
        (x0, y0), (x1, y1) = points[0], points[-1]
        low = min(y for _, y in points)
        parts.append(T("{name}: {y} {y0:.4g} at {x} {x0:g}, {y1:.4g} at {x} {x1:g}, lowest {low:.4g}",
                       "{name}: {x} {x0:g}에서 {y} {y0:.4g}, {x} {x1:g}에서 {y1:.4g}, 최저 {low:.4g}").format(
            name=name, x=xlabel, y=ylabel, x0=x0, y0=y0, x1=x1, y1=y1, low=low))
    return T(". ", ". ").join(parts) + "."
