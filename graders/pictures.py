"""Pictures for feedback: heat maps, learning curves, diagrams. PNG/SVG bytes, no files.

Checks call these in the grader and attach the bytes with `artifacts.image(...)`. Korean
labels render with NanumGothic when the font is installed (Debian's fonts-nanum).
"""
from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any, Sequence

import numpy as np

from graders.memo import pure

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
