"""Read a roster CSV as an LMS (or a registrar's spreadsheet) exports it: id, name, e-mail, section.

Bounded before anything is stored: the file's size, the number of rows, each field's length,
and the encodings tried (UTF-8 with or without BOM, then CP949, what Korean Excel writes).
Headers are recognised in English and Korean; without a header the columns are taken in
that order. Every problem is reported with its line, and nothing is applied from a file
with problems.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_BYTES = 1 << 20               # 1 MiB: about 20 000 students
MAX_ROWS = 5000
MAX_FIELD = 150
ENCODINGS = ("utf-8-sig", "cp949")
COLUMNS = {
    "id": ("id", "student id", "student_id", "sis id", "sis_user_id", "username", "login id", "학번", "아이디"),
    "name": ("name", "full name", "student name", "이름", "성명"),
    "email": ("email", "e-mail", "email address", "이메일", "전자우편"),
    "section": ("section", "section name", "분반", "반"),
}


class RosterFileError(ValueError):
    """The file as a whole cannot be read (size, encoding, no rows)."""


@dataclass(frozen=True)
class RosterRow:
    line: int
    username: str
    name: str
    email: str
    section: str


@dataclass(frozen=True)
class ParsedRoster:
    rows: list[RosterRow]
    problems: list[str]           # "line 7: ..." for each row that cannot be used


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise RosterFileError(_("The file is larger than %(n)d KiB.") % {"n": MAX_BYTES >> 10})
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError(_("The file is neither UTF-8 nor CP949 text; save it as CSV (UTF-8)."))


def _header_map(first: list[str]) -> dict[str, int] | None:
    names = [c.strip().lower() for c in first]
    found = {key: names.index(alias) for key, aliases in COLUMNS.items() for alias in aliases if alias in names}
    return found if "id" in found else None


def _row(line: int, cells: list[str], columns: dict[str, int], problems: list[str]) -> RosterRow | None:
    def cell(key: str) -> str:
        i = columns.get(key)
        return cells[i].strip() if i is not None and i < len(cells) else ""
    values = {k: cell(k) for k in COLUMNS}
    too_long = [k for k, v in values.items() if len(v) > MAX_FIELD]
    if too_long:
        problems.append(_("line %(line)d: %(fields)s longer than %(n)d characters")
                        % {"line": line, "fields": ", ".join(too_long), "n": MAX_FIELD})
        return None
    try:
        UnicodeUsernameValidator()(values["id"])
    except ValidationError:
        problems.append(_("line %(line)d: the id %(id)r is empty or has characters other than letters, digits "
                          "and @.+-_") % {"line": line, "id": values["id"][:40]})
        return None
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            problems.append(_("line %(line)d: %(email)r is not an e-mail address") % {"line": line, "email": values["email"][:60]})
            return None
    return RosterRow(line, values["id"], values["name"], values["email"].lower(), values["section"][:60])


def parse_roster(data: bytes) -> ParsedRoster:
    """Rows and per-line problems of a roster file; RosterFileError when the file is unusable."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = [row for _line, row in zip(range(MAX_ROWS + 2), reader)]
    except csv.Error as exc:
        raise RosterFileError(_("The file is not valid CSV: %(why)s") % {"why": exc}) from None
    if len(lines) > MAX_ROWS + 1:
        raise RosterFileError(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
    if not lines:
        raise RosterFileError(_("The file is empty."))
    columns = _header_map(lines[0])
    start = 1 if columns else 0
    columns = columns or {"id": 0, "name": 1, "email": 2, "section": 3}
    rows, problems, seen = [], [], set()
    for line, cells in enumerate(lines[start:], start=start + 1):
        if not any(c.strip() for c in cells):
            continue
        row = _row(line, cells, columns, problems)
        if row is None:
            continue
        if row.username in seen:
            problems.append(_("line %(line)d: %(id)s appears twice") % {"line": line, "id": row.username})
            continue
        seen.add(row.username)
        rows.append(row)
    if not rows and not problems:
        raise RosterFileError(_("The file has no student rows."))
    return ParsedRoster(rows, problems)
