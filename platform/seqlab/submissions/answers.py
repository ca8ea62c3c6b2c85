"""A quiz's or written part's answers.json, checked on submission: size, depth and schema.

What the form builds always passes; what the API sends must too, or it is refused with a
message and never stored or queued (a document the engine or a page cannot read must not
cost an attempt, nor leave pages that fail to render).
"""
from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from graders.quiz import MAX_TEXT
from seqlab.core.jsonbounds import JSONRefused, loads_bounded
from seqlab.submissions.uploads import SubmissionRefused

MAX_DEPTH = 4                  # {"answers": {"q": ["a", "b"]}}
MAX_NUMERIC_CHARS = 60
MAX_CHOICE_CHARS = 100


def _numeric_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return _("a number (or a number as text)")
    if isinstance(value, str):
        return _("at most %(n)d characters") % {"n": MAX_NUMERIC_CHARS} if len(value) > MAX_NUMERIC_CHARS else None
    return None if math.isfinite(value) else _("a finite number")


def _choice_problem(question, value: Any) -> str | None:
    picked = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) and len(v) <= MAX_CHOICE_CHARS for v in picked):
        return _("a choice id or a list of choice ids")
    if not set(picked) <= question.choice_ids:
        return _("one of %(ids)s") % {"ids": ", ".join(sorted(question.choice_ids))}
    return None


def _encodable(value: Any) -> bool:
    """No lone surrogates ("\\ud800" is valid JSON): they cannot be stored or shown."""
    texts = value if isinstance(value, list) else [value]
    try:
        for text in texts:
            if isinstance(text, str):
                text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _answer_problem(question, value: Any) -> str | None:
    if value is None:
        return None
    if not _encodable(value):
        return _("text without lone surrogate characters")
    if question.type == "numeric":
        return _numeric_problem(value)
    if question.type == "choice":
        return _choice_problem(question, value)
    if not isinstance(value, str):
        return _("text")
    return _("at most %(n)d characters") % {"n": MAX_TEXT} if len(value) > MAX_TEXT else None


def answers_check(content: bytes, *, questions) -> dict[str, Any]:
    """The answers in `content`, or SubmissionRefused saying what does not fit the questions."""
    try:
        data = loads_bounded(content, max_bytes=settings.SEQLAB_MAX_ANSWERS_BYTES, max_depth=MAX_DEPTH,
                             what="answers.json")
    except JSONRefused as exc:
        raise SubmissionRefused("bad_answers", str(exc)) from None
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]
    if not isinstance(data, dict):
        raise SubmissionRefused("bad_answers", _('answers.json must be an object: {"question id": answer, ...}'))
    by_id = {q.id: q for q in questions}
    unknown = sorted(str(k) for k in data if k not in by_id)
    if unknown:
        raise SubmissionRefused("bad_answers", _("No such question: %(ids)s.") % {"ids": ", ".join(unknown[:5])[:200]})
    for qid, value in data.items():
        problem = _answer_problem(by_id[qid], value)
        if problem:
            raise SubmissionRefused("bad_answers", _("The answer to %(q)s must be %(what)s.") % {"q": qid, "what": problem})
    return data
