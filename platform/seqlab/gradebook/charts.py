"""Pictures for instructors: the score histogram of one offering, as a PNG."""
from __future__ import annotations

import hashlib
import io

import matplotlib
from django.core.cache import cache

matplotlib.use("Agg")                      # no display on a server
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

KOREAN_FONTS = ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic", "AppleGothic")


def _font_family() -> list[str]:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in KOREAN_FONTS if name in installed] + ["DejaVu Sans"]


def chart_rc() -> dict:
    """Settings of every picture: Korean-capable fonts, and text drawn as written. Titles and labels
    are typed by people ("$5 to $10"); matplotlib would read text between two $ as TeX, mangling it
    or, unbalanced, raising."""
    return {"font.family": _font_family(), "axes.unicode_minus": False, "text.parse_math": False}


def histogram_png(*, scores: list[float], max_score: float, title: str, xlabel: str, ylabel: str) -> bytes:
    """Bars of how many students reached each score band (10 bands from 0 to max)."""
    with plt.rc_context(chart_rc()):
        fig, ax = plt.subplots(figsize=(7, 3.6), dpi=110)
        top = max_score or max(scores or [1.0]) or 1.0
        ax.hist(scores, bins=10, range=(0, top), color="#3451b2", edgecolor="white")
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel, xlim=(0, top))
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
    return buffer.getvalue()


HISTOGRAM_CACHE_SECONDS = 7 * 24 * 3600   # the key changes with every grade change; this only bounds old ones


def histogram_cache_key(*, offering_id: int, content_hash: str, stamp: str, lang: str) -> str:
    """A key that changes with the assignment version, any counted grade of the offering and the language."""
    digest = hashlib.sha256(f"{offering_id}|{content_hash}|{stamp}|{lang}".encode()).hexdigest()[:32]
    return f"gradebook:histogram:{offering_id}:{digest}"


def histogram_png_cached(*, key: str, draw) -> bytes:
    """The picture stored under `key`, drawn by `draw()` once (matplotlib costs tens of milliseconds)."""
    png = cache.get(key)
    if png is None:
        png = draw()
        cache.set(key, png, HISTOGRAM_CACHE_SECONDS)
    return png
