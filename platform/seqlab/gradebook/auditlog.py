"""The audit trail in words: each entry's before/after data said the way a TA would say it
("check 1.1: 0 → 2 / 2", "late penalty per day: 10 % → 5 %"), one formatter per kind of action,
and for any other kind a readable "key: before → after" list, never a raw dict.

Entries hold whatever their writer stored, possibly years ago: every formatter takes any JSON
value without failing, and every text it returns is bounded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import dateformat, timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from seqlab.courses.models import Role
from seqlab.courses.views import reader_lang

MAX_TEXT = 200            # characters of one value
MAX_ITEMS = 12            # values of one list, lines of one entry
DATETIME = "Y-m-d H:i T"  # in the site's time zone, with the zone named

ACTIONS = {
    "submission.regrade": gettext_noop("regrade"), "offering.save": gettext_noop("assignment settings saved"),
    "extension.grant": gettext_noop("extension granted"), "rubric.grade": gettext_noop("written answer graded"),
    "override.set": gettext_noop("score overridden"), "override.clear": gettext_noop("override removed"),
    "override.bonus": gettext_noop("bonus points given"), "override.clamp": gettext_noop("score brought within bounds"),
    "offering.publish": gettext_noop("grades published or withdrawn"),
    "offering.regrade_all": gettext_noop("whole assignment regraded"),
    "offering.category": gettext_noop("assignment's category changed"),
    "category.save": gettext_noop("grade category saved"), "category.delete": gettext_noop("grade category removed"),
    "regrade.request": gettext_noop("regrade requested"), "regrade.withdraw": gettext_noop("regrade request withdrawn"),
    "regrade.answer": gettext_noop("regrade request answered"), "member.role": gettext_noop("role changed"),
    "member.drop": gettext_noop("member removed"), "roster.import": gettext_noop("roster imported"),
    "section.create": gettext_noop("section created"), "section.tas": gettext_noop("section TAs changed"),
    "section.student": gettext_noop("student's section changed"), "course.create": gettext_noop("course created"),
    "hint.release": gettext_noop("hint released"), "hint.withdraw": gettext_noop("hint withdrawn"),
    "accommodation.set": gettext_noop("accommodation set"), "accommodation.remove": gettext_noop("accommodation removed"),
    "timed.start": gettext_noop("timed work started"), "lti.course_link": gettext_noop("linked to an LMS course"),
    "lti.account_match": gettext_noop("LMS account matched"), "similarity.start": gettext_noop("similarity report started"),
    "similarity.referred": gettext_noop("similar pair referred"), "similarity.dismissed": gettext_noop("similar pair dismissed"),
    "similarity.reopen": gettext_noop("similar pair reopened"),
}

# Labels of the keys that offering.save and others store.
KEYS = {
    "release_at": gettext_noop("release"), "due_at": gettext_noop("due"), "hard_cutoff_at": gettext_noop("late until"),
    "late_penalty_per_day": gettext_noop("late penalty per day"), "max_submissions": gettext_noop("submissions at most"),
    "cooldown_seconds": gettext_noop("cool-down"), "score_policy": gettext_noop("score that counts"),
    "published_at": gettext_noop("published"), "score": gettext_noop("score"), "run": gettext_noop("run"),
    "version": gettext_noop("assignment version"), "role": gettext_noop("role"), "section": gettext_noop("section"),
    "tas": gettext_noop("TAs"), "decision": gettext_noop("decision"), "weight": gettext_noop("weight"),
    "title_ko": gettext_noop("title (Korean)"), "title_en": gettext_noop("title (English)"),
    "category": gettext_noop("category"), "comment": gettext_noop("comment"), "rubric": gettext_noop("criteria met"),
    "joined": gettext_noop("students joined"), "new_accounts": gettext_noop("new accounts"),
    "sections_created": gettext_noop("sections created"), "skipped_staff": gettext_noop("skipped (staff already)"),
    "term": gettext_noop("term"), "earlier_terms": gettext_noop("compared with earlier terms"),
    "mistake": gettext_noop("mistake"), "time_limit_minutes": gettext_noop("time limit (minutes)"),
    "extra_days": gettext_noop("extra days"), "extra_time_percent": gettext_noop("extra time (%)"),
    "extra_attempts": gettext_noop("extra attempts"), "note": gettext_noop("note"),
    "started_at": gettext_noop("started"), "assignments": gettext_noop("assignments"),
    "issuer": gettext_noop("LMS"), "sub": gettext_noop("LMS account"), "count": gettext_noop("submissions"),
}
DECISIONS = {"dismissed": gettext_noop("dismissed"), "referred": gettext_noop("referred"), "": gettext_noop("open"),
             "open": gettext_noop("open")}
POLICIES = {"best": gettext_noop("best submission"), "last": gettext_noop("last submission")}


def action_label(action: str) -> str:
    return _(ACTIONS[action]) if action in ACTIONS else action.replace(".", " ").replace("_", " ")


@dataclass(frozen=True)
class AuditLine:
    entry: object
    action: str                    # the action in words
    changes: list[str]             # what changed, in words


def audit_lines(entries) -> list[AuditLine]:
    return [AuditLine(e, action_label(e.action), describe(e)) for e in entries]


def describe(entry) -> list[str]:
    """What the entry changed, in words (at most MAX_ITEMS lines; dates and codes marked up as .mono, every
    value escaped)."""
    before, after = _dict(entry.before), _dict(entry.after)
    formatter = FORMATTERS.get(entry.action, _generic)
    try:
        lines = formatter(entry, before, after)
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError):   # an odd old shape: say it plainly
        lines = _generic(entry, before, after)
    return [line if isinstance(line, SafeString) else _clip(line) for line in lines[:MAX_ITEMS]]


def _dict(value) -> dict:
    if isinstance(value, dict):
        return value
    return {} if value is None else {"value": value}


# ------------------------------------------------------------------ values
def _code(text: str) -> SafeString:
    """A date or a hash: shown as code, not as words of either language."""
    return format_html('<span class="mono">{}</span>', text)


def _say(sentence: str, **parts) -> SafeString:
    """A translated sentence with its parts filled in, each escaped unless already marked up."""
    return mark_safe(escape(sentence) % {k: conditional_escape(v) for k, v in parts.items()})  # noqa: S308


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _number(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e300:
        return f"{float(value):g}"
    return _value(value)


def _when(value) -> str:
    """An ISO timestamp shown in the site's time zone, the zone named."""
    if not isinstance(value, str):
        return _value(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return _value(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return _code(dateformat.format(timezone.localtime(moment), DATETIME))


def _value(value) -> str:
    """Any stored value as short text."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return _clip(str(value))
    if isinstance(value, list):
        shown = ", ".join(_value(v) for v in value[:MAX_ITEMS])
        return shown + (f", … (+{len(value) - MAX_ITEMS})" if len(value) > MAX_ITEMS else "")
    if isinstance(value, dict):
        if set(value) <= {"ko", "en"}:                # a title in both languages
            return str(value.get(reader_lang()) or next(iter(value.values()), ""))
        return "; ".join(f"{_key(k)}: {_value(v)}" for k, v in list(value.items())[:MAX_ITEMS])
    return _clip(str(value))


def _key(key) -> str:
    return _(KEYS[key]) if key in KEYS else str(key).replace("_", " ")


def _percent(value) -> str:
    try:
        return f"{float(value) * 100:g} %"
    except (TypeError, ValueError):
        return _value(value)


def _seconds(value) -> str:
    return f"{value:g} s" if isinstance(value, (int, float)) else _value(value)


def _policy(value) -> str:
    return _(POLICIES[value]) if value in POLICIES else _value(value)


def _limit(value) -> str:
    return _("no limit") if value is None else _value(value)


def _role(value) -> str:
    return str(Role(value).label) if value in Role.values else _value(value)


def _decision(value) -> str:
    return _(DECISIONS[value]) if isinstance(value, str) and value in DECISIONS else _value(value)


SHOW = {"release_at": _when, "due_at": _when, "hard_cutoff_at": _when, "published_at": _when, "started_at": _when,
        "late_penalty_per_day": _percent, "cooldown_seconds": _seconds, "score_policy": _policy,
        "max_submissions": _limit, "score": _number, "weight": lambda v: f"{_number(v)} %", "role": _role,
        "decision": _decision, "mistake": lambda v: _code(_value(v))}


def _show(key, value) -> str:
    return SHOW.get(key, _value)(value)


def _changes(before: dict, after: dict) -> list[str]:
    """'key: old → new' for each key that differs; 'key: new' for a new thing."""
    lines = []
    for key in list(dict.fromkeys([*before, *after])):
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        if key not in before and not before:
            lines.append(format_html("{}: {}", _key(key), _show(key, new)))
        else:
            lines.append(format_html("{}: {} → {}", _key(key), _show(key, old), _show(key, new)))
    return lines


# ------------------------------------------------------------------ one formatter per kind of action
def _generic(entry, before: dict, after: dict) -> list[str]:
    return _changes(before, after)


def _override(entry, before: dict, after: dict) -> list[str]:
    check = after.get("check", before.get("check"))
    what = _("total") if check == "" else (_("check %(n)s") % {"n": check} if check else _("score"))
    most = after.get("max")
    line = f"{what}: {_number(before.get('score'))} → {_number(after.get('score'))}"
    lines = [line + (f" / {_number(most)}" if isinstance(most, (int, float)) else "")]
    if "rubric" in after:
        criteria = after.get("rubric") or []
        lines.append(_("criteria met: %(list)s") % {"list": ", ".join(str(i + 1) for i in criteria if isinstance(i, int))
                                                       or "—"})
    return lines


def _extension(entry, before: dict, after: dict) -> list[str]:
    who = entry.student.username if getattr(entry, "student", None) else ""
    due = _when(after.get("due_at"))
    line = (_say(_("extension for %(who)s: due %(due)s"), who=who, due=due) if who
            else _say(_("extension: due %(due)s"), due=due))
    if after.get("hard_cutoff_at"):
        line = format_html("{} · {}", line, _say(_("late until %(when)s"), when=_when(after["hard_cutoff_at"])))
    if before.get("due_at"):
        line = format_html("{} {}", line, _say(_("(was due %(when)s)"), when=_when(before["due_at"])))
    return [line]


def _publish(entry, before: dict, after: dict) -> list[str]:
    if after.get("published_at"):
        return [_say(_("grades published at %(when)s"), when=_when(after["published_at"]))]
    return [_say(_("grades withdrawn (were published at %(when)s)"), when=_when(before.get("published_at")))]


def _regrade(entry, before: dict, after: dict) -> list[str]:
    version = str(after.get("version") or "")[:12]
    return [_say(_("run %(run)s against version %(version)s"), run=_value(after.get("run")),
                 version=_code(version) if version else "—")]


def _regrade_all(entry, before: dict, after: dict) -> list[str]:
    count = after.get("count") if isinstance(after.get("count"), int) else len(after.get("submission_ids") or [])
    lines = [ngettext("%(n)d submission re-queued", "%(n)d submissions re-queued", count) % {"n": count}]
    ids = after.get("submission_ids") or []
    if ids:
        lines.append(_("submissions: %(ids)s") % {"ids": _value(ids)})
    return lines


def _category_link(entry, before: dict, after: dict) -> list[str]:
    return [f"{_key('category')}: {_value(before.get('category'))} → {_value(after.get('category'))}"]


def _score_only(entry, before: dict, after: dict) -> list[str]:
    if after:
        return [f"{_key('score')}: {_number(before.get('score'))} → {_number(after.get('score'))}"]
    return [f"{_key('score')}: {_number(before.get('score'))}"] if before else []


def _hint(entry, before: dict, after: dict) -> list[str]:
    """A hint: which mistake it is about, and its text in the reader's language."""
    hint = after or before
    text = hint.get(reader_lang()) or hint.get("en") or hint.get("ko") or ""
    return [format_html("{}: {}", _key("mistake"), _code(_value(hint.get("mistake")))), _value(text)]


FORMATTERS = {
    "override.set": _override, "override.bonus": _override, "override.clear": _override, "rubric.grade": _override,
    "override.clamp": _score_only, "extension.grant": _extension, "offering.publish": _publish,
    "submission.regrade": _regrade, "offering.regrade_all": _regrade_all, "offering.category": _category_link,
    "regrade.request": _score_only, "regrade.answer": _score_only, "hint.release": _hint, "hint.withdraw": _hint,
}
