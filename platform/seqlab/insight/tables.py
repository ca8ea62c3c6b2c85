"""The map's numbers as HTML tables (the pictures' text alternative), built in one pass.

Hundreds of cells rendered through the template engine cost more than the whole map's
computation; here every value is escaped with django.utils.html.escape and joined once.
"""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _row(label: str, cells, *, mono: bool = True) -> str:
    tds = "".join(f'<td class="num">{int(n)}</td>' for n in cells)
    cls = ' class="mono"' if mono else ""
    return f"<tr><td{cls}>{escape(label)}</td>{tds}</tr>"


def _table(table_id: str, corner: str, headers: list[tuple[str, str]], rows: list[str]) -> SafeString:
    ths = "".join(f'<th class="num" title="{escape(title)}">{escape(text)}</th>' for text, title in headers)
    return mark_safe(f'<table class="table small insight-table" id="{table_id}"><thead><tr><th>{escape(corner)}</th>{ths}</tr>'
                     f'</thead><tbody>{"".join(rows)}</tbody></table>')


def heat_table(themap, *, corner: str) -> SafeString:
    headers = [(key, name) for key, name in themap.checks]
    return _table("heat", corner, headers, [_row(r.mistake, r.heat) for r in themap.rows])


def timeline_table(themap, *, corner: str, totals_label: str) -> SafeString:
    headers = [(str(d), "") for d in themap.days]
    rows = [_row(totals_label, themap.day_totals, mono=False)] + [_row(r.mistake, r.timeline) for r in themap.rows]
    return _table("timeline", corner, headers, rows)
