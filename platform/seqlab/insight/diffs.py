"""Two sources side by side, line by line, for the TA's pair view (escaped by the template)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

MAX_LINES = 1500


@dataclass(frozen=True)
class Line:
    left_no: int | None
    left: str
    right_no: int | None
    right: str
    kind: str            # "same", "changed", "left" (only on the left), "right"


def side_by_side(left: str, right: str) -> list[Line]:
    a, b = left.splitlines()[:MAX_LINES], right.splitlines()[:MAX_LINES]
    lines: list[Line] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [Line(i + 1, a[i], j + 1, b[j], "same") for i, j in zip(range(i1, i2), range(j1, j2))]
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            lines.append(Line(i + 1 if i < i2 else None, a[i] if i < i2 else "", j + 1 if j < j2 else None,
                              b[j] if j < j2 else "", "changed" if i < i2 and j < j2 else "left" if i < i2 else "right"))
    return lines
