"""The two sources of a pair side by side, with the passages copydetect matched marked.

A line diff is useless once a copier reorders functions; copydetect's slices (character
ranges of each raw source covered by shared fingerprints) mark the copied code wherever it
moved. Segments are plain text; the template escapes them.
"""
from __future__ import annotations

from dataclasses import dataclass

from seqlab.insight import similarity


@dataclass(frozen=True)
class Segment:
    text: str
    matched: bool


def _segments(source: str, slices) -> list[Segment]:
    out, at = [], 0
    for start, end in sorted(zip(*slices)) if len(slices) and len(slices[0]) else []:
        start, end = max(int(start), at), min(int(end), len(source))
        if start > at:
            out.append(Segment(source[at:start], False))
        if end > start:
            out.append(Segment(source[start:end], True))
            at = end
    if at < len(source):
        out.append(Segment(source[at:], False))
    return out


def side_by_side(left: str, right: str, *, starter: str = "") -> tuple[list[Segment], list[Segment], float]:
    """(left segments, right segments, overlap) for two submissions' code."""
    from copydetect import compare_files
    boilerplate = similarity.boilerplate_of(starter)
    left, right = left[:similarity.MAX_SOURCE], right[:similarity.MAX_SOURCE]
    a, b = similarity.code_fingerprint(left, boilerplate), similarity.code_fingerprint(right, boilerplate)
    _, sims, slices = compare_files(a, b)
    return _segments(left, slices[0]), _segments(right, slices[1]), float(sum(sims) / 2)
