"""Pages of a course: the list of courses, a course, one assignment with its statement."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from seqlab.courses import selectors
from seqlab.courses.models import Course, Offering
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
def course_detail(request, slug: str):
    course = course_or_404(request.user, slug)
    rows = selectors.offering_rows_for_user(user=request.user, course=course)
    return render(request, "courses/course_detail.html", {
        "course": course, "rows": rows, "lang": reader_lang(),
        "role": selectors.course_role(user=request.user, course=course)})


@login_required
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
    return render(request, "courses/offering_detail.html", {
        "offering": offering, "course": offering.course, "lang": lang, "role": role,
        "statement": render_markdown(selectors.statement_source(version=version, lang=lang)),
        "deadlines": selectors.deadlines_for(offering=offering, student=request.user),
        "check_groups": selectors.check_groups(
            selectors.check_table_for_student(offering=offering, student=request.user)),
        "history": submission_list_for_student(offering=offering, student=request.user),
        "questions": _question_form(request, offering, version, lang, answers_form),
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
    data = selectors.starter_bytes(version=offering.assignment.current_version)
    response = HttpResponse(data, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, offering.assignment.file)
    return response
