"""What applies to one student for one offering: due date, cutoff, attempts, the timed window.

This is the one rule. Submission checks, late days, result visibility, every page and the API
ask `student_policy`; nothing else computes a student's deadline or attempt limit.

* The offering's own `Extension` for the student, if there is one, replaces that offering's due
  date and cutoff: an instructor set those dates for this offering knowing the student, so the
  course accommodation's extra days are *not* added on top of them.
* Otherwise the student's course `Accommodation` moves the due date and the cutoff later by its
  extra days.
* Extra attempts add to the offering's `max_submissions` (no limit stays no limit), whether or
  not an extension applies.
* A timed offering gives `time_limit_minutes × (1 + extra_time_percent / 100)` from the moment
  the student starts it, and never past the student's cutoff.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.utils import timezone

from seqlab.core.readmemo import remember
from seqlab.courses.models import Accommodation, Course, Extension, Offering, TimedStart


@dataclass(frozen=True)
class StudentPolicy:
    due_at: datetime
    cutoff_at: datetime
    extended: bool                        # the offering's own extension gave these dates
    extra_days: int                       # accommodation days applied (0 where an extension wins)
    extra_time_percent: int
    extra_attempts: int
    attempts_allowed: int | None          # None: no limit
    time_limit: timedelta | None          # the student's window (extra time included); None: untimed
    started_at: datetime | None           # when the student started the timed window
    accommodation: Accommodation | None
    now: datetime

    @property
    def timed(self) -> bool:
        return self.time_limit is not None

    @property
    def time_limit_minutes(self) -> int | None:
        """The student's window in whole minutes (rounded down, as the clock will be)."""
        return int(self.time_limit.total_seconds() // 60) if self.timed else None

    @property
    def window_ends_at(self) -> datetime | None:
        """The end of a started window: the limit after the start, or the cutoff if that is sooner."""
        if not self.timed or self.started_at is None:
            return None
        return min(self.cutoff_at, self.started_at + self.time_limit)

    @property
    def window_if_started_now(self) -> datetime | None:
        """Where a window started now would end (what the page says before the student starts)."""
        return min(self.cutoff_at, self.now + self.time_limit) if self.timed else None

    @property
    def start_cut_short(self) -> bool:
        """Starting now gives less than the full time, because the cutoff comes first."""
        return self.timed and self.started_at is None and self.now + self.time_limit > self.cutoff_at

    @property
    def closes_at(self) -> datetime:
        """The last moment a submission is accepted (for a timed offering, once started)."""
        return self.window_ends_at or self.cutoff_at

    @property
    def can_start(self) -> bool:
        return self.timed and self.started_at is None and self.now < self.cutoff_at

    @property
    def work_shown(self) -> bool:
        """A timed offering's questions and upload form wait until the student starts it."""
        return not self.timed or self.started_at is not None

    def accepts(self, at: datetime | None = None) -> bool:
        """A submission at `at` (default: now) falls inside the dates and, if timed, the window."""
        at = at or self.now
        if self.timed and self.started_at is None:
            return False
        return at <= self.closes_at

    def late_days(self, at: datetime) -> int:
        """Started days past the due date that applies to this student."""
        return days_late(at=at, due_at=self.due_at)


def days_late(*, at: datetime, due_at: datetime) -> int:
    """Started days from `due_at` to `at` (0 when on time)."""
    return max(0, math.ceil((at - due_at).total_seconds() / 86400))


def accommodation_for(*, course: Course, student) -> Accommodation | None:
    if not getattr(student, "is_authenticated", False):
        return None
    return remember(("accommodation", course.pk, student.pk),
                    lambda: Accommodation.objects.filter(course=course, student=student).first())


def _dates(offering: Offering, extension: Extension | None, accommodation: Accommodation | None
           ) -> tuple[datetime, datetime, int]:
    """Due date, cutoff and the accommodation days applied: the module's rule, in one place."""
    if extension is not None:
        return extension.due_at, max(extension.cutoff_at, extension.due_at), 0
    days = accommodation.extra_days if accommodation else 0
    shift = timedelta(days=days)
    return _later(offering.due_at, shift), _later(offering.cutoff_at, shift), days


# Where moved dates stop: a due date typed as 9999-12-31 ("no deadline") plus extra days is past the
# calendar's end, and a day short of it still shows in every time zone.
LATEST = datetime(9999, 12, 30, tzinfo=dt_timezone.utc)


def _later(when: datetime, shift: timedelta) -> datetime:
    """`when` moved `shift` later, stopping at LATEST (never earlier than `when` itself)."""
    return when + shift if when <= LATEST - shift else max(when, LATEST)


def student_policy(*, offering: Offering, student, now: datetime | None = None,
                   accommodation: Accommodation | None | bool = False,
                   extension: Extension | None | bool = False) -> StudentPolicy:
    """Everything that applies to `student` for `offering` (`accommodation`, `extension`: pass
    them when already read, e.g. for every offering of a course page at once)."""
    now = now or timezone.now()
    known = getattr(student, "is_authenticated", False)
    if accommodation is False:
        accommodation = accommodation_for(course=offering.course, student=student)
    if extension is False:
        extension = remember(("extension", offering.pk, student.pk),
                             lambda: Extension.objects.filter(offering=offering, student=student).first()) \
            if known else None
    due_at, cutoff_at, days = _dates(offering, extension, accommodation)
    percent = accommodation.extra_time_percent if accommodation else 0
    attempts = accommodation.extra_attempts if accommodation else 0
    limit = None
    if offering.time_limit_minutes:
        limit = timedelta(minutes=offering.time_limit_minutes * (100 + percent) / 100)
    start = (TimedStart.objects.filter(offering=offering, student=student).values_list("started_at", flat=True)
             .first() if (known and limit) else None)
    allowed = None if offering.max_submissions is None else offering.max_submissions + attempts
    return StudentPolicy(due_at=due_at, cutoff_at=cutoff_at, extended=extension is not None, extra_days=days,
                         extra_time_percent=percent, extra_attempts=attempts, attempts_allowed=allowed,
                         time_limit=limit, started_at=start, accommodation=accommodation, now=now)


def last_cutoff(*, offering: Offering) -> datetime:
    """The last moment any student may still submit, by the same rule: extensions and accommodations."""
    extensions = {e.student_id: e for e in Extension.objects.filter(offering=offering)}
    latest = offering.cutoff_at
    for extension in extensions.values():
        latest = max(latest, _dates(offering, extension, None)[1])
    for accommodation in Accommodation.objects.filter(course_id=offering.course_id, extra_days__gt=0):
        if accommodation.student_id not in extensions:
            latest = max(latest, _dates(offering, None, accommodation)[1])
    return latest


def due_dates(*, offering: Offering) -> tuple[datetime, dict[int, datetime]]:
    """The class's due date, and each student's own where an extension or accommodation moves it (by id)."""
    extensions = {e.student_id: e for e in Extension.objects.filter(offering=offering)}
    own = {sid: _dates(offering, e, None)[0] for sid, e in extensions.items()}
    for accommodation in Accommodation.objects.filter(course_id=offering.course_id, extra_days__gt=0):
        if accommodation.student_id not in extensions:
            own[accommodation.student_id] = _dates(offering, None, accommodation)[0]
    return offering.due_at, own


def results_cutoff(*, policy: StudentPolicy, offering: Offering) -> datetime:
    """When this student's `after_due_date` checks show: their cutoff, never before the class's."""
    return max(policy.cutoff_at, offering.cutoff_at)
