"""Staff pages: the misconception map (with pictures, CSV and drill-down), hints on a mistake,
similarity reports with their pairs and decisions. Views parse input, call one service or
selector, and render. Only the course's TAs and instructors reach them; others get 404."""
from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seqlab.courses.models import Course, Offering, Role
from seqlab.courses.selectors import course_role
from seqlab.gradebook.exports import inert
from seqlab.insight import charts, diffs, forms, selectors, services, tables
from seqlab.insight.models import Hint, SimilarityPair, SimilarityRun

STAFF = (Role.TA, Role.INSTRUCTOR)


def _course(user, slug: str) -> tuple[Course, str]:
    course = get_object_or_404(Course, slug=slug)
    role = course_role(user=user, course=course)
    if role not in STAFF:
        raise Http404            # not 403: do not confirm the course exists
    return course, role


def _offering(user, pk: int, roles=STAFF) -> tuple[Offering, str]:
    offering = get_object_or_404(Offering.objects.select_related("course", "assignment"), pk=pk)
    role = course_role(user=user, course=offering.course)
    if role not in roles:
        raise Http404
    return offering, role


def _lang() -> str:
    return "ko" if (get_language() or "ko").startswith("ko") else "en"


def _basis(request) -> str:
    return request.GET.get("basis") if request.GET.get("basis") in selectors.BASES else "latest"


@login_required
def index(request, slug: str):
    course, role = _course(request.user, slug)
    return render(request, "insight/index.html", {"course": course, "role": role,
                                                  "offerings": course.offerings.select_related("assignment")})


@login_required
def map_page(request, pk: int):
    offering, role = _offering(request.user, pk)
    themap = selectors.misconception_map(offering=offering, basis=_basis(request))
    return render(request, "insight/map.html", {
        "offering": offering, "course": offering.course, "map": themap, "lang": _lang(), "role": role,
        "heat_table": tables.heat_table(themap, corner=_("Mistake")),
        "timeline_table": tables.timeline_table(themap, corner=_("Mistake"), totals_label=_("students submitting"))})


@login_required
def heat_png(request, pk: int):
    offering, _role = _offering(request.user, pk)
    themap = selectors.misconception_map(offering=offering, basis=_basis(request))
    data = charts.cached_png("heat", themap, lambda: charts.heat_png(
        themap, title=_("Students whose attempt shows each mistake, per check")), lang=_lang())
    return HttpResponse(data, content_type="image/png", headers={"Cache-Control": "private, max-age=300"})


@login_required
def timeline_png(request, pk: int):
    offering, _role = _offering(request.user, pk)
    themap = selectors.misconception_map(offering=offering, basis=_basis(request))
    data = charts.cached_png("timeline", themap, lambda: charts.timeline_png(
        themap, title=_("Mistakes in the days before the deadline"), xlabel=_("days before the due date"),
        ylabel=_("students")), lang=_lang())
    return HttpResponse(data, content_type="image/png", headers={"Cache-Control": "private, max-age=300"})




@login_required
def map_csv(request, pk: int):
    offering, _role = _offering(request.user, pk)
    themap = selectors.misconception_map(offering=offering, basis=_basis(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{offering.assignment.slug}-mistakes.csv"'
    writer = csv.writer(response)
    writer.writerow(["mistake", "students", "share", "students_ever", "fixed", "attempts_to_fix",
                     "mean_points_lost", "text_en", "text_ko"] + [key for key, _ in themap.checks])
    for row in themap.rows:
        writer.writerow([inert(v) for v in (
            row.mistake, row.students, f"{row.share:.4f}", row.ever, row.fixed,
            "" if row.attempts_to_fix is None else f"{row.attempts_to_fix:.2f}", f"{row.points_lost:.2f}",
            row.text_en, row.text_ko)] + themap.heat_row(row.mistake))
    return response


@login_required
def mistake_page(request, pk: int):
    offering, role = _offering(request.user, pk)
    # PostgreSQL text holds no NUL, so no mistake id does: drop any the query carries (in a filter: a 500).
    mistake = request.GET.get("m", "")[:120].replace("\x00", "")
    basis = _basis(request)
    row = next((r for r in selectors.misconception_map(offering=offering, basis=basis).rows if r.mistake == mistake),
               None)
    return render(request, "insight/mistake.html", {
        "offering": offering, "course": offering.course, "mistake": mistake, "row": row, "lang": _lang(),
        "role": role, "basis": basis,
        "submissions": selectors.mistake_submissions(offering=offering, mistake=mistake, basis=basis),
        "hints": selectors.hints_on(offering=offering, mistake=mistake),
        "form": forms.HintForm(initial={"mistake": mistake})})


@login_required
@require_POST
def hint_release(request, pk: int):
    offering, _role = _offering(request.user, pk, roles=(Role.INSTRUCTOR,))
    form = forms.HintForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A hint needs a text in Korean and in English."))
        return redirect(selectors.mistake_url(offering=offering, mistake=request.POST.get("mistake", "")[:120]))
    services.hint_release(actor=request.user, offering=offering, **form.cleaned_data)
    messages.success(request, _("The hint is released."))
    return redirect(selectors.mistake_url(offering=offering, mistake=form.cleaned_data["mistake"]))


@login_required
@require_POST
def hint_withdraw(request, pk: int):
    hint = get_object_or_404(Hint.objects.select_related("offering__course", "offering__assignment"), pk=pk)
    _offering(request.user, hint.offering_id, roles=(Role.INSTRUCTOR,))
    services.hint_withdraw(actor=request.user, hint=hint)
    messages.success(request, _("The hint is withdrawn."))
    return redirect(selectors.mistake_url(offering=hint.offering, mistake=hint.mistake))


# ------------------------------------------------------------------ similarity
@login_required
def similarity_page(request, pk: int):
    offering, role = _offering(request.user, pk)
    run = offering.similarity_runs.first()
    pairs = run.pairs.select_related("first__student", "second__student", "first__offering__course",
                                     "second__offering__course", "decided_by") if run else None
    if pairs is not None and role != Role.INSTRUCTOR:     # TAs: this course's students only
        pairs = pairs.filter(first__offering__course=offering.course, second__offering__course=offering.course)
    return render(request, "insight/similarity.html", {
        "offering": offering, "course": offering.course, "run": run, "role": role,
        "pairs": pairs[:100] if pairs is not None else []})


@login_required
@require_POST
def similarity_start(request, pk: int):
    offering, role = _offering(request.user, pk)
    # Earlier terms bring in the code of students this course's TAs never taught: instructors only.
    services.similarity_start(actor=request.user, offering=offering,
                              earlier_terms=role == Role.INSTRUCTOR and request.POST.get("earlier_terms") == "1")
    return redirect("insight:similarity", pk=offering.pk)


@login_required
def similarity_progress(request, pk: int):
    run = get_object_or_404(SimilarityRun.objects.select_related("offering__course"), pk=pk)
    _offering(request.user, run.offering_id)
    response = render(request, "insight/_similarity_progress.html", {"run": run, "offering": run.offering})
    if run.status in ("done", "failed") and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"            # show the finished report
    return response


def _pair(user, pk: int) -> SimilarityPair:
    pair = get_object_or_404(SimilarityPair.objects.select_related(
        "run__offering__course", "run__offering__assignment", "first__student", "second__student", "first__blob",
        "second__blob", "first__offering__course", "second__offering__course", "decided_by"), pk=pk)
    _offering_obj, role = _offering(user, pair.run.offering_id)
    courses = {pair.first.offering.course_id, pair.second.offering.course_id}
    if role != Role.INSTRUCTOR and courses != {pair.run.offering.course_id}:
        raise Http404                                    # another term's student: instructors only
    return pair


@login_required
def pair_page(request, pk: int):
    pair = _pair(request.user, pk)
    left, right, _overlap = diffs.side_by_side(selectors.source_text(pair.first), selectors.source_text(pair.second),
                                               starter=selectors.starter_text(offering=pair.run.offering))
    return render(request, "insight/pair.html", {
        "pair": pair, "offering": pair.run.offering, "course": pair.run.offering.course, "left": left, "right": right,
        "form": forms.DecisionForm()})


@login_required
@require_POST
def pair_decide(request, pk: int):
    pair = _pair(request.user, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose dismiss or refer."))
        return redirect("insight:pair", pk=pk)
    services.pair_decide(actor=request.user, pair=pair, **form.cleaned_data)
    messages.success(request, _("Decision recorded."))
    return redirect("insight:pair", pk=pk)
