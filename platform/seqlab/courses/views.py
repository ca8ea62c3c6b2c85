"""Pages of a course: the list of courses, a course, one assignment with its statement."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from seqlab.courses import selectors
from seqlab.courses.models import Course, Offering
from seqlab.courses.rendering import render_markdown
from seqlab.gradebook.selectors import rubric_items_with_answer
from seqlab.submissions.selectors import submission_list_for_student


def _lang() -> str:
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
    return render(request, "courses/home.html", {"courses": courses, "lang": _lang()})


@login_required
def course_detail(request, slug: str):
    course = course_or_404(request.user, slug)
    rows = selectors.offering_rows_for_user(user=request.user, course=course)
    return render(request, "courses/course_detail.html", {
        "course": course, "rows": rows, "lang": _lang(),
        "role": selectors.course_role(user=request.user, course=course)})


@login_required
def offering_detail(request, pk: int):
    offering = offering_or_404(request.user, pk)
    version = offering.assignment.current_version
    lang = _lang()
    return render(request, "courses/offering_detail.html", {
        "offering": offering, "course": offering.course, "lang": lang,
        "statement": render_markdown(selectors.statement_source(version=version, lang=lang)),
        "deadlines": selectors.deadlines_for(offering=offering, student=request.user),
        "check_groups": selectors.check_groups(
            selectors.check_table_for_student(offering=offering, student=request.user)),
        "history": submission_list_for_student(offering=offering, student=request.user),
        "rubric": rubric_items_with_answer(offering=offering, student=request.user),
        "role": selectors.course_role(user=request.user, course=offering.course)})


@login_required
def starter_download(request, pk: int):
    offering = offering_or_404(request.user, pk)
    data = selectors.starter_bytes(version=offering.assignment.current_version)
    response = HttpResponse(data, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{offering.assignment.file}"'
    return response
