"""Regrade requests: students ask from their result page; staff answer from a queue. Parse, call, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seqlab.courses.models import Course
from seqlab.courses.selectors import is_course_staff
from seqlab.regrades import selectors, services
from seqlab.regrades.forms import AnswerForm, RequestForm
from seqlab.regrades.models import RegradeRequest, RequestStatus
from seqlab.roster.selectors import section_filter, student_section_names
from seqlab.submissions.models import Submission
from seqlab.submissions.selectors import feedback_for, submission_get_for_user


@login_required
@require_POST
def request_create(request, pk: int):
    try:
        submission = submission_get_for_user(user=request.user, submission_id=pk)
    except Submission.DoesNotExist:
        raise Http404 from None
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a check and say why."))
    else:
        try:
            services.regrade_request_create(student=request.user, submission=submission,
                                            check_number=form.cleaned_data["check_number"],
                                            reason=form.cleaned_data["reason"])
            messages.success(request, _("Your regrade request was sent to the course staff."))
        except services.RegradeRefused as exc:
            messages.error(request, str(exc))
    return redirect("submissions:detail", pk=submission.pk)


@login_required
@require_POST
def request_withdraw(request, pk: int):
    req = get_object_or_404(RegradeRequest, pk=pk, student=request.user)
    try:
        services.regrade_request_withdraw(student=request.user, request=req)
    except services.RegradeRefused as exc:
        messages.error(request, str(exc))
    return redirect("submissions:detail", pk=req.submission_id)


def _staff_course(request, slug: str) -> Course:
    course = get_object_or_404(Course, slug=slug)
    if not is_course_staff(user=request.user, course=course):
        raise PermissionDenied
    return course


@login_required
def queue(request, slug: str):
    course = _staff_course(request, slug)
    status = request.GET.get("status", RequestStatus.OPEN)
    status = status if status in RequestStatus.values else RequestStatus.OPEN
    offering = request.GET.get("offering", "")
    offering_id = int(offering) if offering.isascii() and offering.isdecimal() and len(offering) <= 18 else None
    sections, section_id = section_filter(course=course, user=request.user, raw=request.GET.get("section"))
    rows = selectors.requests_for_course(course=course, status=status, offering_id=offering_id,
                                         section_id=section_id)[:300]
    names = student_section_names(course=course)
    return render(request, "regrades/queue.html", {
        "course": course, "rows": [(r, names.get(r.student_id, "")) for r in rows], "status": status,
        "statuses": RequestStatus.choices, "offering_id": offering_id, "sections": sections,
        "section_id": section_id, "counts": selectors.request_counts(course=course, section_id=section_id)})


@login_required
def answer(request, pk: int):
    req = get_object_or_404(RegradeRequest.objects.select_related("submission__offering__course", "student"), pk=pk)
    course = req.submission.offering.course
    if not is_course_staff(user=request.user, course=course):
        raise PermissionDenied
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.regrade_request_answer(actor=request.user, request=req, answer=form.cleaned_data["answer"],
                                            score=form.cleaned_data["score"])
            messages.success(request, _("Answered; the student sees it on their result page."))
            return redirect("regrades:queue", slug=course.slug)
        except services.RegradeRefused as exc:
            form.add_error(None, str(exc))
    feedback = feedback_for(viewer=request.user, submission=req.submission)
    check = feedback.by_number().get(req.check_number) if feedback else None
    return render(request, "regrades/answer.html", {"req": req, "course": course, "form": form, "check": check},
                  status=400 if request.method == "POST" else 200)
