"""JSON shapes of the API: the same data the pages show, under the same visibility rules."""
from __future__ import annotations

from django.urls import reverse

from seqlab.courses.models import Offering
from seqlab.courses.questions import is_multi
from seqlab.courses.policy import student_policy
from seqlab.courses.selectors import is_course_staff, questions_of
from seqlab.submissions.models import Submission
from seqlab.submissions.selectors import Feedback
from seqlab.submissions.uploads import Expected


def offering_json(offering: Offering, user) -> dict:
    """The offering as `user` meets it: their dates, attempts and timed window (courses/policy.py).

    A timed offering's questions reach a student only once they have started it."""
    policy = student_policy(offering=offering, student=user)
    version = offering.assignment.current_version
    shown = policy.work_shown or is_course_staff(user=user, course=offering.course)
    return {
        "id": offering.id, "course": offering.course.slug, "slug": offering.assignment.slug,
        "title": {"ko": offering.assignment.title_ko, "en": offering.assignment.title_en},
        "file": offering.assignment.file, "extra_files": list(Expected.of(offering.assignment).extra_files),
        "queue": offering.assignment.queue,
        "release_at": offering.release_at.isoformat(), "due_at": policy.due_at.isoformat(),
        "cutoff_at": policy.cutoff_at.isoformat(), "max_score": version.max_score if version else None,
        "max_submissions": policy.attempts_allowed, "cooldown_seconds": offering.cooldown_seconds,
        "kind": offering.assignment.kind, "questions": _questions_json(version) if shown else [],
        "time_limit_minutes": policy.time_limit_minutes, "started_at": _iso(policy.started_at),
        "window_ends_at": _iso(policy.window_ends_at),
        "accommodation": _accommodation_json(policy.accommodation),
    }


def _accommodation_json(accommodation) -> dict | None:
    if accommodation is None:
        return None
    return {"extra_days": accommodation.extra_days, "extra_time_percent": accommodation.extra_time_percent,
            "extra_attempts": accommodation.extra_attempts}


def _iso(when) -> str | None:
    return when.isoformat() if when else None


def _questions_json(version) -> list[dict]:
    """A quiz's or written part's questions without their answers: what answers.json must key."""
    return [{"id": q.id, "type": q.type, "points": q.points, "prompt": q.prompt, "multiple": is_multi(q),
             "choices": [dict(c) for c in q.choices], "rubric": [dict(r) for r in q.rubric]}
            for q in questions_of(version=version)]


def _feedback_json(feedback: Feedback | None) -> dict | None:
    if feedback is None:
        return None
    return {
        "score": feedback.score, "max_score": feedback.max_score,
        "shown_score": feedback.shown_score, "shown_max_score": feedback.shown_max,
        "tests": [{"number": c.number, "name": c.label or c.name, "score": c.score, "max_score": c.max_score,
                   "status": "passed" if c.passed else "failed", "output": c.output,
                   "visibility": c.visibility, "override_comment": c.override_comment}
                  for c in feedback.shown_checks],
        "withheld": [{"visibility": g.visibility, "reveal_at": g.reveal_at.isoformat() if g.reveal_at else None,
                      "checks": g.count, "points": g.points} for g in feedback.withheld_groups],
        "artifacts": [{"name": a.name, "media_type": a.media_type, "check": a.check_name, "caption": a.caption}
                      for a in feedback.artifacts],
    }


def submission_json(submission: Submission, feedback: Feedback | None, request) -> dict:
    result = submission.current_result
    return {
        "id": submission.id, "offering": submission.offering_id, "number": submission.number,
        "status": submission.status, "filename": submission.filename,
        "submitted_at": submission.submitted_at.isoformat(), "late_days": submission.late_days,
        "gradable": result.gradable if result else None,
        "format_errors": result.format_errors if result else [],
        "url": request.build_absolute_uri(reverse("submissions:detail", args=[submission.id])),
        "feedback": _feedback_json(feedback),
    }
