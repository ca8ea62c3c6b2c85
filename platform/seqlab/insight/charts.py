"""The map's pictures (heat map of mistakes x checks, timeline before the deadline) as PNGs.

Rendering costs tens of milliseconds, so each picture is cached under the map's data version:
the page itself never waits for matplotlib.
"""
from __future__ import annotations

import io

from django.core.cache import cache

from seqlab.gradebook.charts import chart_rc, plt

MAX_ROWS = 25           # the picture shows the most frequent mistakes; the table beside it has them all
LABEL = 48


def _short(text: str) -> str:
    return text if len(text) <= LABEL else text[:LABEL - 1] + "…"


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def heat_png(themap, *, title: str) -> bytes:
    rows = themap.rows[:MAX_ROWS]
    data = [themap.heat_row(r.mistake) for r in rows] or [[0]]
    with plt.rc_context(chart_rc()):
        fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(themap.checks) + 4), max(2.5, 0.35 * len(rows) + 1.6)),
                               dpi=100)
        image = ax.imshow(data, aspect="auto", cmap="Reds", vmin=0)
        ax.set_xticks(range(len(themap.checks)), [key for key, _ in themap.checks], rotation=90, fontsize=8)
        ax.set_xlabel("check")
        ax.set_yticks(range(len(rows)), [_short(r.mistake) for r in rows], fontsize=8)
        ax.set_title(title, fontsize=10)
        fig.colorbar(image, ax=ax, fraction=0.03)
        return _png(fig)


def timeline_png(themap, *, title: str, xlabel: str, ylabel: str) -> bytes:
    with plt.rc_context(chart_rc()):
        fig, ax = plt.subplots(figsize=(10, 3.8), dpi=100)
        days = themap.days
        for r in themap.rows[:8]:
            ax.plot(days, themap.timeline_row(r.mistake), marker="o", label=_short(r.mistake))
        ax.bar(days, [themap.attempts_per_day.get(d, 0) for d in days], color="#dde3f5", label="students submitting")
        ax.invert_xaxis()                     # the deadline (day 0) on the right
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
        if themap.rows:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return _png(fig)


def cached_png(kind: str, themap, render, *, lang: str) -> bytes:
    """The picture for this map's data and this reader's language (its title and labels are translated)."""
    key = f"insight:{kind}:{themap.offering_id}:{themap.basis}:{themap.version}:{lang}"
    data = cache.get(key)
    if data is None:
        data = render()
        cache.set(key, data, 3600)
    return data
