"""Staff pages: the TA review queue and overrides, rubric grading of written answers, and the
instructor's offerings, extensions, gradebook, histogram, CSV export and regrade-all.
Views parse input, call one service or selector, and render."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seqlab.courses import selectors as course_selectors
from seqlab.courses import services as course_services
from seqlab.courses.models import Assignment, Course, Offering, Role
from seqlab.gradebook import auditlog, charts, exports, forms, presentation, publishing, selectors, services
from seqlab.gradebook.models import GradeCategory
from seqlab.courses.questions import question_views
from seqlab.courses.views import reader_lang
from seqlab.submissions.models import Submission
from seqlab.submissions.selectors import answers_of, feedback_for
from seqlab.submissions.services import submission_regrade

STAFF = (Role.TA, Role.INSTRUCTOR)


def _course(user, slug: str, roles=STAFF) -> Course:
    course = get_object_or_404(Course, slug=slug)
    if course_selectors.course_role(user=user, course=course) not in roles:
        raise Http404            # not 403: do not confirm the course exists
    return course


def _offering(user, pk: int, roles=STAFF) -> Offering:
    offering = get_object_or_404(Offering.objects.select_related("course", "assignment"), pk=pk)
    _course(user, offering.course.slug, roles)
    return offering


def _submission(user, pk: int) -> Submission:
    submission = get_object_or_404(Submission.objects.select_related(
        "offering__course", "offering__assignment", "student", "current_result"), pk=pk)
    _course(user, submission.offering.course.slug)
    return submission


def _id_or_none(value: str) -> int | None:
    """A row id from a query string; anything else ("²", "-1", 30 digits) filters nothing."""
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= 18 else None


# ------------------------------------------------------------------ TA: review and override
@login_required
def review_queue(request, slug: str):
    course = _course(request.user, slug)
    offering_id = _id_or_none(request.GET.get("offering", ""))
    pending_only = request.GET.get("pending") == "1"
    sections, section_id = _section_filter(request, course)
    return render(request, "gradebook/review_queue.html", {
        "course": course, "offerings": course.offerings.select_related("assignment"), "offering_id": offering_id,
        "rows": selectors.review_queue(course=course, offering_id=offering_id, pending_only=pending_only,
                                       section_id=section_id),
        "pending_only": pending_only, "sections": sections, "section_id": section_id})


def _section_filter(request, course) -> tuple[list, int | None]:
    """The course's sections and the one chosen (?section=ID); a TA who leads one section sees it first."""
    sections = list(course.sections.all())
    raw = request.GET.get("section")
    if raw is None:
        led = list(course.sections.filter(tas=request.user).values_list("pk", flat=True))
        return sections, led[0] if len(led) == 1 else None
    chosen = _id_or_none(raw)
    return sections, chosen if chosen in {s.pk for s in sections} else None


@login_required
def review_detail(request, pk: int):
    submission = _submission(request.user, pk)
    feedback = feedback_for(viewer=request.user, submission=submission)
    questions = course_selectors.questions_of(version=submission.version)
    return render(request, "gradebook/review_detail.html", {
        "submission": submission, "course": submission.offering.course, "feedback": feedback,
        "overrides": submission.overrides.select_related("author"),
        "questions": question_views(questions, lang=reader_lang(), values=answers_of(submission=submission),
                                    checks=feedback.by_number() if feedback else {}, show_key=True),
        "auto": selectors.raw_score(submission=submission), "final": selectors.final_score(submission=submission)})


@login_required
@require_POST
def override_submit(request, pk: int):
    submission = _submission(request.user, pk)
    form = forms.OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("An override needs a score and a comment."))
        return redirect("gradebook:review_detail", pk=pk)
    if request.POST.get("clear"):
        services.override_clear(actor=request.user, submission=submission,
                                check_number=form.cleaned_data["check_number"], comment=form.cleaned_data["comment"])
    else:
        try:
            services.override_set(actor=request.user, submission=submission, **form.cleaned_data)
        except services.GradeRefused as refused:
            messages.error(request, str(refused))
            return redirect("gradebook:review_detail", pk=pk)
    messages.success(request, _("Saved. The change is in the audit trail."))
    return redirect("gradebook:review_detail", pk=pk)


@login_required
@require_POST
def regrade_one(request, pk: int):
    submission = _submission(request.user, pk)
    submission_regrade(actor=request.user, submission=submission)
    return redirect("submissions:detail", pk=pk)


@login_required
def audit(request, slug: str):
    """The course's audit trail in words, newest first, filterable by assignment, student and staff member."""
    course = _course(request.user, slug)
    form = forms.AuditFilterForm(request.GET or None, course=course, lang=reader_lang())
    if form.is_bound and not form.is_valid():
        return render(request, "gradebook/audit.html", {"course": course, "form": form, "lines": [], "page": None},
                      status=400)
    chosen = form.cleaned_data if form.is_bound else {}
    page = selectors.audit_trail(
        course=course, page=request.GET.get("page", 1), offering_id=_pk(chosen.get("offering")),
        student_id=_pk(chosen.get("student")), actor_id=_pk(chosen.get("actor")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "gradebook/audit.html", {
        "course": course, "form": form, "page": page, "lines": auditlog.audit_lines(page.object_list),
        "query": query.urlencode(), "time_zone": settings.TIME_ZONE})


def _pk(obj) -> int | None:
    return obj.pk if obj is not None else None


# ------------------------------------------------------------------ written answers
@login_required
def written(request, pk: int):
    """The offering's attempts with written answers, those still waiting for a TA first."""
    offering = _offering(request.user, pk)
    rows = selectors.review_queue(course=offering.course, offering_id=offering.pk)
    return render(request, "gradebook/written.html", {
        "offering": offering, "course": offering.course,
        "rows": sorted(rows, key=lambda r: (not r.pending, not r.counts))})


@login_required
@require_POST
def written_grade(request, pk: int):
    submission = _submission(request.user, pk)
    form = forms.WrittenGradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the criteria the answer meets."))
        return redirect("gradebook:review_detail", pk=pk)
    try:
        services.written_grade(actor=request.user, submission=submission, **form.cleaned_data)
    except services.GradeRefused as exc:
        messages.error(request, str(exc))
        return redirect("gradebook:review_detail", pk=pk)
    messages.success(request, _("Saved. The change is in the audit trail."))
    return redirect(reverse("gradebook:review_detail", args=[pk]) + f"#q-{form.cleaned_data['check_number']}")


# ------------------------------------------------------------------ instructor
@login_required
def offerings(request, slug: str):
    course = _course(request.user, slug, roles=(Role.INSTRUCTOR,))
    form = forms.OfferingForm(request.POST or None)
    form.fields["assignment"].queryset = Assignment.objects.exclude(offerings__course=course)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        offering = course_services.offering_save(actor=request.user, course=course,
                                                 assignment=data.pop("assignment"), **data)
        return redirect("gradebook:offering_edit", pk=offering.pk)
    return render(request, "gradebook/offerings.html", {
        "course": course, "offerings": course.offerings.select_related("assignment"), "form": form})


@login_required
def offering_edit(request, pk: int):
    offering = _offering(request.user, pk, roles=(Role.INSTRUCTOR,))
    form = forms.OfferingForm(request.POST or None, instance=offering)
    form.fields["assignment"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "assignment"}
        offering.refresh_from_db()
        course_services.offering_save(actor=request.user, course=offering.course, assignment=offering.assignment,
                                      offering=offering, **data)
        messages.success(request, _("Saved."))
        return redirect("gradebook:offering_edit", pk=pk)
    students = course_selectors.course_students(course=offering.course)
    return render(request, "gradebook/offering_edit.html", {
        "offering": offering, "course": offering.course, "form": form,
        "extension_form": forms.ExtensionForm(students=students),
        "extensions": offering.extensions.select_related("student"),
        "progress": selectors.regrade_progress(offering=offering), "bands": selectors.offering_bands(offering=offering),
        "stale": offering.submissions.exclude(version=offering.assignment.current_version).count()})


@login_required
@require_POST
def extension_add(request, pk: int):
    offering = _offering(request.user, pk, roles=(Role.INSTRUCTOR,))
    form = forms.ExtensionForm(request.POST, students=course_selectors.course_students(course=offering.course))
    if form.is_valid():
        course_services.extension_grant(actor=request.user, offering=offering, **form.cleaned_data)
        messages.success(request, _("Extension granted."))
    else:
        messages.error(request, _("Check the extension's student and dates."))
    return redirect("gradebook:offering_edit", pk=pk)


@login_required
def publish(request, pk: int):
    """GET: a preview of what students will see; POST with confirm=yes publishes (or, publish=0, withdraws).

    A POST without the confirmation changes nothing and shows the preview again."""
    offering = _offering(request.user, pk, roles=(Role.INSTRUCTOR,))
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        published = request.POST.get("publish") == "1"
        services.offering_publish(actor=request.user, offering=offering, published=published)
        messages.success(request, _("Grades published: students see them now.") if published
                         else _("Publication withdrawn: students no longer see the checks shown on publication."))
        return redirect("gradebook:offering_edit", pk=pk)
    if request.method == "POST":
        messages.warning(request, _("Nothing changed: tick the confirmation first."))
    preview = publishing.publish_preview(offering=offering, student_id=_id_or_none(request.GET.get("student", "")))
    return render(request, "gradebook/publish.html", {
        "offering": offering, "course": offering.course, "preview": preview,
        "questions": _preview_questions(preview)})


def _preview_questions(preview) -> list:
    """A quiz's or written part's answers as the previewed student will see them once published."""
    if preview.submission is None:
        return []
    questions = course_selectors.questions_of(version=preview.submission.version)
    return question_views(questions, lang=reader_lang(), values=answers_of(submission=preview.submission),
                          checks=preview.feedback.by_number() if preview.feedback else {},
                          show_key=True) if questions else []


@login_required
@require_POST
def regrade_all(request, pk: int):
    offering = _offering(request.user, pk, roles=(Role.INSTRUCTOR,))
    services.offering_regrade_all(actor=request.user, offering=offering)
    return redirect("gradebook:offering_edit", pk=pk)


@login_required
def regrade_progress(request, pk: int):
    offering = _offering(request.user, pk, roles=(Role.INSTRUCTOR,))
    return render(request, "gradebook/_progress.html", {
        "offering": offering, "progress": selectors.regrade_progress(offering=offering)})


@login_required
def gradebook(request, slug: str):
    course = _course(request.user, slug, roles=(Role.INSTRUCTOR,))
    sections, section_id = _section_filter(request, course)
    book = selectors.gradebook_for_course(course=course, section_id=section_id)
    return render(request, "gradebook/gradebook.html", {
        "course": course, "book": book, "rows": presentation.row_views(book), "sections": sections,
        "section_id": section_id, "exports": EXPORTS,
        "columns": [(o, book.max_points[o.id]) for o in book.offerings],
        "histograms": [(o, book.max_points[o.id], book.bands[o.id]) for o in book.offerings]})


EXPORTS = {"seqlab": "SeqLab", "canvas": "Canvas", "moodle": "Moodle"}


@login_required
def gradebook_csv(request, slug: str):
    """The whole class's grades as CSV: SeqLab's layout, or (?format=canvas|moodle) one an LMS imports."""
    course = _course(request.user, slug, roles=(Role.INSTRUCTOR,))
    kind = request.GET.get("format", "seqlab")
    if kind not in EXPORTS:
        return HttpResponseBadRequest(_("Unknown export format: choose seqlab, canvas or moodle."),
                                      content_type="text/plain; charset=utf-8")
    book = selectors.gradebook_for_course(course=course)
    if kind == "canvas":
        body = exports.canvas_csv(book=book, lang=reader_lang(), sections=selectors.student_sections(course=course))
    elif kind == "moodle":
        body = exports.moodle_csv(book=book, lang=reader_lang())
    else:
        body = exports.gradebook_csv(book=book)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    suffix = "" if kind == "seqlab" else f"-{kind}"
    response["Content-Disposition"] = f'attachment; filename="{course.slug}-gradebook{suffix}.csv"'
    return response


@login_required
def histogram(request, pk: int):
    """The offering's score histogram, drawn once per assignment version and state of its grades."""
    offering = _offering(request.user, pk, roles=(Role.INSTRUCTOR,))
    version, lang = offering.assignment.current_version, reader_lang()
    key = charts.histogram_cache_key(offering_id=offering.pk, content_hash=version.content_hash if version else "",
                                     stamp=selectors.grades_stamp(offering=offering), lang=lang)

    def draw() -> bytes:
        cells = selectors.cached_grades(offerings=[offering])[offering.id].values()
        return charts.histogram_png(
            scores=[c.total for c in cells if c.total is not None],
            max_score=selectors.offering_max_points(offering=offering),
            title=offering.assignment.title(lang), xlabel=_("score"), ylabel=_("students"))

    return HttpResponse(charts.histogram_png_cached(key=key, draw=draw), content_type="image/png")


@login_required
def categories(request, slug: str):
    """The course's weighted categories and which assignments count in each (instructors only)."""
    course = _course(request.user, slug, roles=(Role.INSTRUCTOR,))
    if request.method == "POST":
        return _categories_post(request, course)
    return _categories_page(request, course)


def _categories_page(request, course, status: int = 200, **forms_given):
    offerings = selectors.course_offerings(course=course)
    lang = reader_lang()
    cats = GradeCategory.objects.filter(course=course)
    return render(request, "gradebook/categories.html", {
        "course": course, "weights": selectors.course_weights(course=course, offerings=offerings),
        "edit_forms": [(c, forms.CategoryForm(course=course, initial={
            "category": c.pk, "title_ko": c.title_ko, "title_en": c.title_en, "weight": c.weight}, prefix=f"c{c.pk}"))
            for c in cats],
        "new_form": forms_given.get("new_form") or forms.CategoryForm(course=course, prefix="new"),
        "assign_form": forms_given.get("assign_form") or forms.OfferingCategoriesForm(
            offerings=offerings, categories=cats, lang=lang)}, status=status)


def _categories_post(request, course):
    action = request.POST.get("action")
    try:
        if action == "save":
            return _category_save(request, course)
        if action == "delete":
            form = forms.CategoryDeleteForm(request.POST, course=course)
            if not form.is_valid():
                return _categories_page(request, course, status=400)
            services.category_delete(actor=request.user, category=form.cleaned_data["category"])
        elif action == "assign":
            return _categories_assign(request, course)
        else:
            messages.error(request, _("Unknown action."))
            return _categories_page(request, course, status=400)
    except services.GradeRefused as refused:
        messages.error(request, str(refused))
        return _categories_page(request, course, status=400)
    messages.success(request, _("Saved. The change is in the audit trail."))
    return redirect("gradebook:categories", slug=course.slug)


def _category_save(request, course):
    prefix = request.POST.get("prefix", "new")
    if prefix != "new" and not (prefix[:1] == "c" and prefix[1:].isdecimal() and len(prefix) < 20):
        prefix = "new"
    form = forms.CategoryForm(request.POST, course=course, prefix=prefix)
    if not form.is_valid():
        messages.error(request, _("Check the category's name and weight (a percent between 0 and 100)."))
        return _categories_page(request, course, status=400, **({"new_form": form} if prefix == "new" else {}))
    data = form.cleaned_data
    services.category_save(actor=request.user, course=course, category=data["category"], title_ko=data["title_ko"],
                           title_en=data["title_en"], weight=data["weight"])
    messages.success(request, _("Saved. The change is in the audit trail."))
    return redirect("gradebook:categories", slug=course.slug)


def _categories_assign(request, course):
    offerings = selectors.course_offerings(course=course)
    form = forms.OfferingCategoriesForm(request.POST, offerings=offerings,
                                        categories=GradeCategory.objects.filter(course=course), lang=reader_lang())
    if not form.is_valid():
        messages.error(request, _("Choose one of the course's categories for each assignment."))
        return _categories_page(request, course, status=400, assign_form=form)
    services.offering_categories_set(actor=request.user, choices=form.choices())
    messages.success(request, _("Saved. The change is in the audit trail."))
    return redirect("gradebook:categories", slug=course.slug)
