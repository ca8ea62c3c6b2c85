"""Course, roster, section and library pages for instructors: parse, call one service, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seqlab.blobs.models import Blob
from seqlab.blobs.services import blob_bytes, blob_store
from seqlab.courses.models import Course
from seqlab.courses.selectors import is_instructor
from seqlab.courses.services import assignment_sync
from seqlab.roster import csvroster, library, selectors, services
from seqlab.roster.forms import CourseForm, MemberForm, RosterUploadForm, SectionForm
from seqlab.roster.models import Section

IMPORT_SESSION_KEY = "seqlab_roster_import"


def _course(request, slug: str) -> Course:
    course = get_object_or_404(Course, slug=slug)
    if not is_instructor(user=request.user, course=course):
        raise PermissionDenied
    return course


@login_required
def course_new(request):
    if not selectors.can_create_courses(request.user):
        raise PermissionDenied
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=request.user, **form.cleaned_data)
            return redirect("courses:course", slug=course.slug)
        except services.RosterRefused as exc:
            form.add_error(None, str(exc))
    return render(request, "roster/course_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def people(request, slug: str):
    course = _course(request, slug)
    return render(request, "roster/people.html", {
        "course": course, "people": selectors.people(course=course), "form": MemberForm(),
        "sections": course.sections.all()})


@login_required
@require_POST
def member_add(request, slug: str):
    course = _course(request, slug)
    form = MemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()[:300]})
        return redirect("roster:people", slug=slug)
    try:
        user, link = services.member_add(actor=request.user, course=course, **form.cleaned_data)
    except services.RosterRefused as exc:
        messages.error(request, str(exc))
        return redirect("roster:people", slug=slug)
    messages.success(request, _("%(user)s added.") % {"user": user.username})
    if link:
        messages.info(request, _("New account: give %(user)s this one-time link to set a password: %(link)s")
                      % {"user": user.username, "link": request.build_absolute_uri(link)})
    return redirect("roster:people", slug=slug)


@login_required
@require_POST
def member_drop(request, slug: str, user_id: int):
    course = _course(request, slug)
    user = get_object_or_404(get_user_model(), pk=user_id)
    try:
        services.member_drop(actor=request.user, course=course, user=user)
        messages.success(request, _("%(user)s left the course.") % {"user": user.username})
    except services.RosterRefused as exc:
        messages.error(request, str(exc))
    return redirect("roster:people", slug=slug)


@login_required
@require_POST
def student_section(request, slug: str, user_id: int):
    course = _course(request, slug)
    student = get_object_or_404(get_user_model(), pk=user_id)
    raw = request.POST.get("section", "")
    section = get_object_or_404(Section, pk=int(raw), course=course) if raw.isdigit() else None
    try:
        services.student_section_set(actor=request.user, course=course, student=student, section=section)
    except services.RosterRefused as exc:
        messages.error(request, str(exc))
    return redirect("roster:people", slug=slug)


@login_required
def roster_import(request, slug: str):
    """Upload, then a preview of what will change; nothing changes before the confirmation."""
    course = _course(request, slug)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(csvroster.MAX_BYTES + 1)
        try:
            parsed = csvroster.parse_roster(data)
        except csvroster.RosterFileError as exc:
            form.add_error("file", str(exc))
        else:
            blob = blob_store(data=data)
            request.session[IMPORT_SESSION_KEY] = {"course": course.pk, "blob": blob.sha256}
            return render(request, "roster/import_preview.html", {
                "course": course, "parsed": parsed, "plan": services.import_plan(course=course, parsed=parsed)})
    return render(request, "roster/import.html", {"course": course, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def roster_import_apply(request, slug: str):
    course = _course(request, slug)
    pending = request.session.get(IMPORT_SESSION_KEY) or {}
    if pending.get("course") != course.pk:
        messages.error(request, _("Upload the roster again: the preview has expired."))
        return redirect("roster:import", slug=slug)
    parsed = csvroster.parse_roster(blob_bytes(blob=get_object_or_404(Blob, pk=pending["blob"])))
    try:
        outcome = services.import_apply(actor=request.user, course=course, parsed=parsed)
    except services.RosterRefused as exc:
        messages.error(request, str(exc))
        return redirect("roster:import", slug=slug)
    del request.session[IMPORT_SESSION_KEY]
    links = {u: request.build_absolute_uri(link) for u, link in outcome["links"].items()}
    return render(request, "roster/import_done.html", {"course": course, "plan": outcome["plan"], "links": links})


@login_required
def sections(request, slug: str):
    course = _course(request, slug)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.section_create(actor=request.user, course=course, name=form.cleaned_data["name"])
            return redirect("roster:sections", slug=slug)
        except services.RosterRefused as exc:
            form.add_error("name", str(exc))
    staff = [p for p in selectors.people(course=course) if p.role != "student"]
    return render(request, "roster/sections.html", {
        "course": course, "form": form, "staff": staff,
        "sections": course.sections.prefetch_related("tas", "students")})


@login_required
@require_POST
def section_tas(request, slug: str, pk: int):
    course = _course(request, slug)
    section = get_object_or_404(Section, pk=pk, course=course)
    ids = [int(x) for x in request.POST.getlist("ta")[:200] if x.isdigit()]
    try:
        services.section_set_tas(actor=request.user, section=section,
                                 tas=list(get_user_model().objects.filter(pk__in=ids)))
    except services.RosterRefused as exc:
        messages.error(request, str(exc))
    return redirect("roster:sections", slug=slug)


@login_required
def library_view(request):
    if not selectors.can_create_courses(request.user):
        raise PermissionDenied
    return render(request, "roster/library.html", {"entries": library.library_state()})


@login_required
@require_POST
def library_sync(request):
    if not selectors.can_create_courses(request.user):
        raise PermissionDenied
    folder = library.library_folder(request.POST.get("folder", ""))
    if folder is None:
        raise Http404
    outcome = assignment_sync(path=folder)
    messages.success(request, _("%(slug)s synced: version %(hash)s is current.")
                     % {"slug": outcome.assignment.slug, "hash": outcome.version.content_hash[:12]})
    return redirect("roster:library")


class WelcomeView(PasswordResetConfirmView):
    """A new account's one-time link: set a password, then log in."""

    template_name = "roster/welcome.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False
