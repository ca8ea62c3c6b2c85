"""The gradebook's cells as HTML, built here rather than in the template: a class of 300 students
and 12 assignments is 3 600 cells, and a template tag per detail of each would cost more than the
whole page may (bench/gradebook.py). Every value passes through format_html's escaping."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from seqlab.gradebook.selectors import Gradebook, GradeCell

_PK = 987654321         # a stand-in id: the review address is reversed once, then filled per cell


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def late_label(cell: GradeCell) -> str:
    """"−20 %, 2 days late" (or that the late days cost nothing)."""
    n = cell.late_days
    if not cell.penalty_percent:
        return ngettext("%(n)d day late, no penalty", "%(n)d days late, no penalty", n) % {"n": n}
    return ngettext("−%(p)s %%, %(n)d day late", "−%(p)s %%, %(n)d days late", n) % {
        "p": f"{cell.penalty_percent:g}", "n": n}


class CellRenderer:
    """Turns one GradeCell into its table cell's content; the translated words are looked up once."""

    def __init__(self):
        self.review = reverse("gradebook:review_detail", args=[_PK]).replace(str(_PK), "{}")
        self.attempt = _("attempt %(n)s: open its review page")
        self.overridden = _("score overridden by staff")
        self.none = _("no graded attempt")
        self.pending = _("pending")
        self.so_far = _("score so far, before the written answers are graded")

    def __call__(self, cell: GradeCell | None, max_points: float) -> SafeString:
        if cell is None:
            return format_html('<span class="muted" title="{}">—</span><span class="visually-hidden">{}</span>',
                               self.none, self.none)
        if cell.pending:
            score = format_html('<span class="badge warn">{} · {}</span> <span class="muted small" title="{}">({})</span>',
                                self.pending, ngettext("%(n)s to grade", "%(n)s to grade", cell.pending)
                                % {"n": cell.pending}, self.so_far, _points(cell.total))
        else:
            score = format_html('<span class="pts">{}</span><span class="of"> / {}</span>',
                                _points(cell.total), _points(max_points))
        meta = format_html('<a class="att" href="{}" title="{}">#{}</a>', self.review.format(cell.submission_id),
                           self.attempt % {"n": cell.number}, cell.number)
        if cell.overridden:
            meta += format_html(' <span class="ovr" title="{}">✎<span class="visually-hidden">{}</span></span>',
                                self.overridden, self.overridden)
        if cell.late_days:
            meta += format_html(' <span class="late">{}</span>', late_label(cell))
        return format_html('<div class="score-line">{}</div><div class="meta">{}</div>', score, meta)


@dataclass(frozen=True)
class RowView:
    student: object
    cells: list[SafeString]
    shares: list[str]             # each category's percent, as text
    percent: str
    points: str
    possible: str
    provisional: bool


def row_views(book: Gradebook) -> list[RowView]:
    render = CellRenderer()
    maxima = [book.max_points[o.id] for o in book.offerings]
    views = []
    for row in book.rows:
        cells = [render(c, m) for c, m in zip(row.cells, maxima)]
        shares = [("—" if s.percent is None else f"{s.percent:g} %") for s in row.shares]
        views.append(RowView(row.student, cells, shares, "—" if row.percent is None else f"{row.percent:g} %",
                             _points(row.points), _points(row.possible), row.provisional))
    return views
