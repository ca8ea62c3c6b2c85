"""Pictures for feedback: heat maps, learning curves, diagrams. PNG/SVG bytes, no files.

Checks call these in the grader and attach the bytes with `artifacts.image(name, png,
caption=T(en, ko), alt=...)`; `describe_matrices` and `describe_curves` write the `alt` text
(the numbers the picture shows, in both languages). Korean labels render with NanumGothic
when the font is installed (Debian's fonts-nanum).
"""
from __future__ import annotations

import io
import shutil
import subprocess
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from graders.memo import pure

if TYPE_CHECKING:
    from graders.i18n import T

_FONT_READY = False


def _pyplot() -> Any:
    global _FONT_READY
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    if not _FONT_READY:
        from matplotlib import font_manager
        names = {f.name for f in font_manager.fontManager.ttflist}
        if "NanumGothic" in names:
            plt.rcParams["font.family"] = ["NanumGothic", "DejaVu Sans"]
        plt.rcParams["axes.unicode_minus"] = False
        _FONT_READY = True
    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return buf.getvalue()


def _matrix(value: Any) -> np.ndarray:
    arr = value.detach().cpu().double().numpy() if hasattr(value, "detach") else np.asarray(value, dtype=float)
    while arr.ndim > 2:
        arr = arr[0]
    return np.atleast_2d(arr)


@pure                                  # same values, same picture: many submissions share them
def heatmaps(panels: Sequence[tuple[str, Any]], *, title: str = "", row_labels: Sequence[str] = (),
             col_labels: Sequence[str] = (), vmin: float | None = 0.0, vmax: float | None = None,
             annotate: bool = True) -> bytes:
    """Side-by-side heat maps (e.g. the student's attention weights beside the reference's)."""
    plt = _pyplot()
    mats = [_matrix(m) for _, m in panels]
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
    return _png(fig)


@pure
def heatmap(matrix: Any, *, title: str = "", xlabel: str = "", ylabel: str = "", cmap: str = "RdBu_r") -> bytes:
    """One heat map of a (possibly large) matrix, e.g. a positional-encoding table."""
    plt = _pyplot()
    mat = _matrix(matrix)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    im = ax.imshow(mat, aspect="auto", cmap=cmap)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.colorbar(im, ax=ax)
    return _png(fig)


def learning_curve(series: dict[str, Sequence[tuple[float, float]]], *, title: str = "",
                   xlabel: str = "step", ylabel: str = "loss", log_y: bool = True) -> bytes:
    """Loss against step for one or more runs (e.g. the student's and the reference's)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, points in series.items():
        if points:
            xs, ys = zip(*points)
            ax.plot(xs, ys, label=name, linewidth=1.5)
    if log_y and any(y > 0 for pts in series.values() for _, y in pts):
        from matplotlib.ticker import FuncFormatter
        ax.set_yscale("log")
        # Log ticks are drawn as mathtext 10^-k, whose minus sign NanumGothic lacks: write plain numbers.
        plain = FuncFormatter(lambda v, _pos: f"{v:g}")
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: ""))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig)


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
