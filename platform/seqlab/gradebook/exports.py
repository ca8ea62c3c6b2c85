"""The gradebook as CSV: one row per student, one column per offering, then the total."""
from __future__ import annotations

import csv
import io

from seqlab.gradebook.selectors import Gradebook


def gradebook_csv(*, book: Gradebook) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "name"] + [f"{o.assignment.slug}" for o in book.offerings]
                    + [f"{o.assignment.slug}_late_days" for o in book.offerings] + ["total"])
    for student, cells, total in book.rows:
        scores = ["" if (c is None or c.total is None) else f"{c.total:g}" for c in cells]
        late = [str(c.late_days) if c else "" for c in cells]
        writer.writerow([student.username, student.get_full_name()] + scores + late + [f"{total:g}"])
    return out.getvalue()
