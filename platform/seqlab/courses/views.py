"""Pages of a course: the list of courses, a course, one assignment with its statement."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seqlab.core import pagecache
from seqlab.courses import selectors, services
from seqlab.courses.forms import AccommodationForm, TimedStartForm
from seqlab.courses.models import Course, Offering, Role
from seqlab.courses.policy import accommodation_for, student_policy
from seqlab.courses.questions import field_name, question_views
from seqlab.courses.rendering import render_markdown
from seqlab.submissions.forms import AnswersForm
from seqlab.submissions.selectors import last_answers, submission_list_for_student
from seqlab.submissions.uploads import Expected


def reader_lang() -> str:
    """The language pages show content in: the active UI language, Korean unless English."""
    return "en" if (get_language() or "ko").startswith("en") else "ko"


def course_or_404(user, slug: str) -> Course:
    try:
        return selectors.course_get_for_user(user=user, slug=slug)
    except Course.DoesNotExist:
        raise Http404


def offering_or_404(user, pk: int) -> Offering:
    try:
        return selectors.offering_get_for_user(user=user, offering_id=pk)
    except Offering.DoesNotExist:
        raise Http404


@login_required
def home(request):
    courses = selectors.course_list_for_user(user=request.user)
    from seqlab.roster.selectors import can_create_courses
    return render(request, "courses/home.html", {"courses": courses, "lang": reader_lang(),
                                                 "can_create_courses": can_create_courses(request.user)})


@login_required
@pagecache.per_viewer
def course_detail(request, slug: str):
    course = course_or_404(request.user, slug)
    rows = selectors.offering_rows_for_user(user=request.user, course=course)
    role = selectors.course_role(user=request.user, course=course)
    if role == Role.STUDENT:            # the course's rows and the student's own: kept until they change
        pagecache.allow(request)
    return render(request, "courses/course_detail.html", {
        "course": course, "rows": rows, "lang": reader_lang(), "role": role,
        "accommodation": accommodation_for(course=course, student=request.user)})


@login_required
@pagecache.per_viewer
def offering_detail(request, pk: int):
    return offering_page(request, offering_or_404(request.user, pk))


def offering_page(request, offering: Offering, *, answers_form: AnswersForm | None = None):
    """The assignment page; a quiz or written part carries its questions as a form.

    `answers_form` is a posted form that was not submitted (a typo, or a refusal): it is shown
    again with what the student typed, so nothing written is lost.
    """
    version = offering.assignment.current_version
    lang = reader_lang()
    role = selectors.course_role(user=request.user, course=offering.course)
    policy = student_policy(offering=offering, student=request.user)
    # A timed offering's statement, questions and upload form wait for the student's start.
    shown = policy.work_shown or role != Role.STUDENT
    if role == Role.STUDENT and answers_form is None:
        pagecache.allow(request)
    return render(request, "courses/offering_detail.html", {
        "offering": offering, "course": offering.course, "lang": lang, "role": role, "policy": policy,
        "work_shown": shown, "submit_open": role == Role.STUDENT and policy.accepts(),
        "start_form": TimedStartForm() if role == Role.STUDENT and policy.can_start else None,
        "statement": render_markdown(selectors.statement_source(version=version, lang=lang)) if shown else "",
        "check_groups": selectors.check_groups(
            selectors.check_table_for_student(offering=offering, student=request.user, policy=policy)),
        "history": submission_list_for_student(offering=offering, student=request.user),
        "questions": _question_form(request, offering, version, lang, answers_form) if shown else [],
        **_upload_hints(offering)})


def _upload_hints(offering: Offering) -> dict:
    """The file names the submit form asks for, and what its file picker offers."""
    expected = Expected.of(offering.assignment)
    names = (expected.file,) + expected.extra_files
    suffixes = dict.fromkeys([".py", ".ipynb", ".zip"] + ["." + n.rsplit(".", 1)[-1] for n in names if "." in n])
    return {"upload_names": names, "upload_accept": ",".join(suffixes)}


def _question_form(request, offering, version, lang, form):
    questions = selectors.questions_of(version=version)
    if not questions:
        return []
    if form is None:
        last = last_answers(offering=offering, student=request.user)
        form = AnswersForm(questions=questions, initial={field_name(q): last[q.id] for q in questions if q.id in last})
    return question_views(questions, lang=lang, values=form.values(), errors=form.question_errors())


@login_required
def starter_download(request, pk: int):
    offering = offering_or_404(request.user, pk)
    if selectors.course_role(user=request.user, course=offering.course) == Role.STUDENT \
            and not student_policy(offering=offering, student=request.user).work_shown:
        raise PermissionDenied       # timed work: the starter is part of it, after the start
    data = selectors.starter_bytes(version=offering.assignment.current_version)
    response = HttpResponse(data, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, offering.assignment.file)
    return response


@login_required
@require_POST
def timed_start(request, pk: int):
    """Start the student's timed window (explicitly confirmed), then show the work."""
    offering = offering_or_404(request.user, pk)
    if not TimedStartForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to confirm that you are ready; nothing was started."))
        return redirect("courses:offering", pk=offering.pk)
    try:
        services.timed_start(student=request.user, offering=offering)
    except services.TimedStartRefused as refused:
        messages.error(request, str(refused))
    return redirect("courses:offering", pk=offering.pk)


def _staff_course(user, slug: str) -> Course:
    course = course_or_404(user, slug)
    if not selectors.is_course_staff(user=user, course=course):
        raise Http404           # not 403: a student learns nothing of staff pages
    return course


@login_required
def accommodations(request, slug: str):
    """Every accommodation of the course (course staff); instructors add and change them here."""
    course = _staff_course(request.user, slug)
    instructor = selectors.is_instructor(user=request.user, course=course)
    if request.method == "POST" and not instructor:
        raise Http404
    students = selectors.course_students(course=course)
    form = AccommodationForm(request.POST or None, students=students, initial=_accommodation_initial(request, course))
    if request.method == "POST" and form.is_valid():
        try:
            services.accommodation_set(actor=request.user, course=course, **form.cleaned_data)
            messages.success(request, _("Saved. The change is in the audit trail."))
            return redirect("courses:accommodations", slug=slug)
        except services.AccommodationRefused as refused:
            form.add_error(None, str(refused))
    return render(request, "courses/accommodations.html", {
        "course": course, "accommodations": selectors.accommodation_list(course=course),
        "form": form if instructor else None, "instructor": instructor},
        status=400 if form.errors else 200)


def _accommodation_initial(request, course: Course) -> dict:
    """?student=ID opens the form on that student's accommodation (to change it)."""
    raw = request.GET.get("student", "")
    if not (raw.isascii() and raw.isdecimal() and len(raw) <= 18):
        return {}
    existing = selectors.accommodation_list(course=course).filter(student_id=int(raw)).first()
    if existing is None:
        return {"student": int(raw)}
    return {"student": existing.student_id, "extra_days": existing.extra_days, "note": existing.note,
            "extra_time_percent": existing.extra_time_percent, "extra_attempts": existing.extra_attempts}


@login_required
@require_POST
def accommodation_remove(request, slug: str, user_id: int):
    course = _staff_course(request.user, slug)
    if not selectors.is_instructor(user=request.user, course=course):
        raise Http404
    student = get_object_or_404(get_user_model(), pk=user_id)
    if services.accommodation_remove(actor=request.user, course=course, student=student):
        messages.success(request, _("Accommodation removed. The change is in the audit trail."))
    return redirect("courses:accommodations", slug=slug)
