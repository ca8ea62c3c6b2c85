"""Presentation over data already chosen for a page: texts in the reader's language, honest
relative times, a load failure told once, code with line numbers, a student's standing.

Pages reach these through the `seqlab` template tags; nothing here writes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import get_language, ngettext
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

MAX_SOURCE_CHARS = 200_000        # a page shows at most this much of a submitted file


def reader_lang() -> str:
    """The language pages speak: the active UI language, Korean unless English."""
    return "en" if (get_language() or "ko").startswith("en") else "ko"


def engine_text(data: dict, key: str, *, lang: str | None = None) -> str:
    """A text the engine wrote in both languages (extra_data.i18n); results stored before carry one."""
    i18n = (data.get("extra_data") or {}).get("i18n") or data.get("i18n") or {}
    return str((i18n.get(lang or reader_lang()) or {}).get(key) or data.get(key) or "")


def time_left(delta: timedelta) -> str:
    """Never round up: 13 days 23 hours is "13 days", and a week is said only from 14 days on."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, hours = minutes // 1440, (minutes % 1440) // 60
    if days >= 14:
        weeks, rest = divmod(days, 7)
        text = ngettext("%(n)d week", "%(n)d weeks", weeks) % {"n": weeks}
        return text if not rest else text + ", " + ngettext("%(n)d day", "%(n)d days", rest) % {"n": rest}
    if days >= 2:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if days == 1:
        return ngettext("%(n)d day", "%(n)d days", 1) % {"n": 1} + ", " + \
            ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if hours:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", max(minutes, 1)) % {"n": max(minutes, 1)}


def load_failure(checks) -> str:
    """The message every failed check repeats when the file itself could not be loaded, else ''.

    A syntax or import error fails each check with the same text; the page says it once on top.
    """
    failed = [c for c in checks if c.shown and not c.passed and not c.manual]
    outputs = {c.output for c in failed}
    if len(failed) >= 2 and len(outputs) == 1 and len(failed) == len([c for c in checks if c.shown and not c.manual]):
        return outputs.pop()
    return ""


LINE_RE = re.compile(r"line (\d+)")


def error_line(text: str, filename: str) -> int | None:
    """The line of the student's file an error names ("SyntaxError in attention.py, line 12")."""
    for line in text.splitlines():
        if filename and filename not in line and "line" in line and "File" in line:
            continue
        found = LINE_RE.search(line)
        if found:
            return int(found.group(1))
    return None


def code_html(source: str, *, mark: int | None = None) -> str:
    """Python with line numbers (anchors #L12) and, if given, one line marked as the error's."""
    formatter = HtmlFormatter(linenos="table", lineanchors="L", anchorlinenos=True,
                              hl_lines=[mark] if mark else [], wrapcode=True)
    return highlight(source[:MAX_SOURCE_CHARS], PythonLexer(), formatter)


@dataclass(frozen=True)
class Attempt:
    submission: object
    score: float | None          # what the student may see: None while any check is withheld
    max_score: float | None
    pending: int                 # written answers still waiting for a TA
    counts: bool = False
    shown_score: float = 0.0     # what the checks shown so far earned ...
    shown_max: float = 0.0       # ... out of their points


@dataclass(frozen=True)
class Standing:
    attempts: list[Attempt]
    counted: Attempt | None      # None when saying which attempt counts would reveal hidden results
    counted_score: float | None  # with late penalty and overrides, when it may be shown
    hidden: bool = False         # some scores are not shown yet


def standing_for(*, viewer, submissions) -> Standing:
    """The student's attempts with the scores they may see, and which one counts when that is safe.

    Under the `best` policy the counted attempt depends on every check, hidden ones included,
    so it is named only once every attempt's score is visible; under `last` it is always safe.
    """
    from seqlab.gradebook.selectors import _pick, final_score, pending_manual
    from seqlab.submissions.selectors import feedback_for
    subs = list(submissions)
    views = []
    for sub in subs:
        feedback = feedback_for(viewer=viewer, submission=sub) if sub.status == "graded" else None
        views.append(Attempt(sub, feedback.score if feedback else None, feedback.max_score if feedback else None,
                             len(pending_manual(submission=sub)) if feedback else 0, False,
                             feedback.shown_score if feedback else 0.0, feedback.shown_max if feedback else 0.0))
    graded = [v for v in views if v.submission.status == "graded" and v.submission.current_result_id]
    if not graded:
        return Standing(views, None, None)
    policy = graded[0].submission.offering.score_policy
    hidden = any(v.score is None for v in graded)
    if hidden and policy != "last":
        return Standing(views, None, None, hidden=True)
    chosen = _pick([v.submission for v in graded], policy)
    views = [Attempt(v.submission, v.score, v.max_score, v.pending, v.submission is chosen, v.shown_score, v.shown_max)
             for v in views]
    counted = next(v for v in views if v.counts)
    score = final_score(submission=chosen) if counted.score is not None else None
    return Standing(views, counted, score, hidden=hidden)
