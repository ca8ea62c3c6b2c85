"""The gradebook's rows as HTML, built here rather than in the template: a class of 300 students
and 12 assignments is 3 600 cells, and a template tag (or a format_html call) per detail of each
would cost more than the whole page may (bench/gradebook.py).

Safety: every translated word is escaped once, when the renderer is made; everything else put in
a cell is a number formatted here or an id, and the only text a user wrote (the name column) is
escaped by the template.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
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
    """Turns GradeCells into table cells; the translated words are looked up and escaped once."""

    def __init__(self):
        self.review = reverse("gradebook:review_detail", args=[_PK]).replace(str(_PK), "{}")
        self.attempt = escape(_("attempt %(n)s: open its review page"))
        overridden = escape(_("score overridden by staff"))
        self.overridden = f' <span class="ovr" title="{overridden}">✎<span class="visually-hidden">{overridden}</span></span>'
        none = escape(_("no graded attempt"))
        self.none = f'<td class="num"><span class="muted" title="{none}">—</span><span class="visually-hidden">{none}</span></td>'
        self.pending = escape(_("pending"))
        self.so_far = escape(_("score so far, before the written answers are graded"))
        self.late: dict[tuple[int, float], str] = {}
        self.to_grade: dict[int, str] = {}

    def __call__(self, cell: GradeCell | None, most: str) -> str:
        if cell is None:
            return self.none
        if cell.pending:
            score = (f'<span class="badge warn">{self.pending} · {self._to_grade(cell.pending)}</span> '
                     f'<span class="muted small" title="{self.so_far}">({_points(cell.total)})</span>')
        else:
            score = f'<span class="pts">{_points(cell.total)}</span><span class="of"> / {most}</span>'
        title = self.attempt % {"n": cell.number}
        meta = f'<a class="att" href="{self.review.format(cell.submission_id)}" title="{title}">#{cell.number}</a>'
        if cell.overridden:
            meta += self.overridden
        if cell.late_days:
            meta += f' <span class="late">{self._late(cell)}</span>'
        return f'<td class="num"><div class="score-line">{score}</div><div class="meta">{meta}</div></td>'

    def _late(self, cell: GradeCell) -> str:
        key = (cell.late_days, cell.penalty_percent)
        if key not in self.late:
            self.late[key] = escape(late_label(cell))
        return self.late[key]

    def _to_grade(self, n: int) -> str:
        if n not in self.to_grade:
            self.to_grade[n] = escape(ngettext("%(n)s to grade", "%(n)s to grade", n) % {"n": n})
        return self.to_grade[n]


@dataclass(frozen=True)
class RowView:
    username: str
    student_id: int               # staff pages mark students with an accommodation
    name: str                     # the full name, "" when there is none
    cells: SafeString             # the grade cells, category shares and total, as <td>s


def _total(row, provisional: str) -> str:
    percent = "—" if row.percent is None else f"{row.percent:g} %"
    badge = provisional if row.provisional else ""
    return (f'<td class="num total"><strong>{percent}</strong>'
            f'<div class="of">{_points(row.points)} / {_points(row.possible)}</div>{badge}</td>')


def row_views(book: Gradebook) -> list[RowView]:
    render = CellRenderer()
    waiting, label = escape(_("written answers to grade")), escape(_("provisional"))
    provisional = f'<span class="badge warn" title="{waiting}">{label}</span>'
    maxima = [_points(book.max_points[o.id]) for o in book.offerings]
    views = []
    for row in book.rows:
        cells = [render(c, m) for c, m in zip(row.cells, maxima)]
        cells += [f'<td class="num">{"—" if s.percent is None else f"{s.percent:g} %"}</td>' for s in row.shares]
        cells.append(_total(row, provisional))
        views.append(RowView(row.student.username, row.student.pk, row.student.get_full_name(),
                             mark_safe("".join(cells))))  # noqa: S308  (see the module's docstring)
    return views
