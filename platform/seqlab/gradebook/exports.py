"""The gradebook as CSV: SeqLab's own layout, and the layouts Canvas and Moodle import.

Every file is UTF-8 with a byte-order mark (Excel needs it to read Korean names; Canvas and
Moodle skip it), quoted as RFC 4180 says (csv.writer's minimal quoting, CRLF line ends).
Text a user wrote (names, titles, usernames) never starts a cell with a character a
spreadsheet reads as a formula: such a cell is prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
import io
import re

from seqlab.gradebook.selectors import Gradebook, GradeCell

BOM = "\ufeff"
# = + - @ start formulas; tab and CR can hide one after them; the full-width forms are what a
# Korean input method types, and some spreadsheet versions convert them to the ASCII ones.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
CANVAS_POINTS_ROW = "    Points Possible"           # as Canvas writes it in its own export
CANVAS_ID_SUFFIX = re.compile(r"\(\d+\)\s*$")


def inert(text: str) -> str:
    """User-written text made safe for a spreadsheet cell (leading spaces do not hide a formula)."""
    text = str(text)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) else text


def _score(cell: GradeCell | None) -> str:
    return "" if cell is None or cell.total is None else f"{cell.total:g}"


def _points(value: float) -> str:
    return f"{value:g}"


def _write(rows) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return BOM + out.getvalue()


def gradebook_csv(*, book: Gradebook) -> str:
    """SeqLab's layout: username, name, one column per offering, late days, the course percent, the points."""
    header = (["username", "name"] + [inert(o.assignment.slug) for o in book.offerings]
              + [inert(f"{o.assignment.slug}_late_days") for o in book.offerings] + ["percent", "total"])
    rows = [header]
    for row in book.rows:
        late = [str(c.late_days) if c else "" for c in row.cells]
        percent = "" if row.percent is None else f"{row.percent:g}"
        rows.append([inert(row.student.username), inert(row.student.get_full_name())]
                    + [_score(c) for c in row.cells] + late + [percent, f"{row.points:g}"])
    return _write(rows)


def _sortable_name(user) -> str:
    """Canvas's "Last, First"; one name alone, or the username, when that is all there is."""
    if user.last_name and user.first_name:
        return f"{user.last_name}, {user.first_name}"
    return user.last_name or user.first_name or user.username


def _canvas_title(offering, lang: str) -> str:
    """The column title for Canvas. Canvas reads a trailing "(123)" as the id of one of its own
    assignments, so an id of ours there could land grades in an unrelated Canvas assignment: the column
    is the title alone (Canvas creates the assignment on the first import and finds it by that title
    on the next ones), and a title that itself ends like an id gets the assignment's slug after it."""
    title = offering.assignment.title(lang)
    return f"{title} [{offering.assignment.slug}]" if CANVAS_ID_SUFFIX.search(title) else title


def canvas_csv(*, book: Gradebook, lang: str, sections: dict[int, str]) -> str:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, one column per offering,
    and a "Points Possible" row under the header.

    Canvas finds each student by SIS User ID or SIS Login ID (our username; the Canvas ID stays blank),
    then by name.
    """
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + [
        inert(_canvas_title(o, lang)) for o in book.offerings]
    points = [CANVAS_POINTS_ROW, "", "", "", ""] + [_points(book.max_points[o.id]) for o in book.offerings]
    rows = [header, points]
    for row in book.rows:
        user = row.student
        rows.append([inert(_sortable_name(user)), "", inert(user.username), inert(user.username),
                     inert(sections.get(user.id, ""))] + [_score(c) for c in row.cells])
    return _write(rows)


def moodle_csv(*, book: Gradebook, lang: str) -> str:
    """Moodle's CSV grade import: identify users by the Username or Email address column (Moodle asks
    which), then map each title column to a grade item."""
    header = ["Username", "Email address", "First name", "Last name"] + [
        inert(o.assignment.title(lang)) for o in book.offerings]
    rows = [header]
    for row in book.rows:
        user = row.student
        rows.append([inert(user.username), inert(user.email), inert(user.first_name), inert(user.last_name)]
                    + [_score(c) for c in row.cells])
    return _write(rows)
