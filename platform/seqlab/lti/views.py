"""LTI 1.3 endpoints: OIDC login (django-lti's), launch, deep linking, roster sync; parse and hand off."""
from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.cache import cache
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DataError, transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from lti_tool.utils import get_launch_from_request
from lti_tool.views import LtiLaunchBaseView
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.lineitem import LineItem

from seqlab.courses.models import Course, Role
from seqlab.courses.selectors import is_instructor
from seqlab.lti import passback, services
from seqlab.lti.forms import CourseLinkForm
from seqlab.lti.models import CourseLink, OfferingLink, Passback
from seqlab.lti.roles import seqlab_role

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"
DEEP_LINK_SESSION_KEY = "seqlab_lti_deep_link"
LINK_SESSION_KEY = "seqlab_lti_course_link"
PASSWORD_TRIES = 5                # wrong SeqLab passwords per account per window, on the link page
PASSWORD_WINDOW_SECONDS = 900
MAX_ITEMS = 50


def _refused(request, message: str, status: int = 403) -> HttpResponse:
    return render(request, "lti/refused.html", {"message": message}, status=status)


class LaunchView(LtiLaunchBaseView):
    """A validated launch logs the LMS user in and opens the item's offering (or the course)."""

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():       # django-lti stores the claims; a refused row rolls back alone
                return super().post(request, *args, **kwargs)
        except LtiException as exc:   # bad signature, replayed nonce, expired token, unknown issuer
            return _refused(request, _("The LMS launch could not be verified: %(why)s") % {"why": str(exc)[:300]},
                            status=400)
        except DataError:             # a signed claim longer than the LMS tables hold (a 5 000-character name)
            return _refused(request, _("The LMS sent a name or title longer than SeqLab can store."), status=400)

    def _enter(self, request, lti_launch):
        outcome = services.launch_handle(lti_launch)
        if outcome.link_account is not None:
            request.session[LINK_SESSION_KEY] = {"launch_id": lti_launch.get_launch_id(),
                                                 "account": outcome.link_account.pk,
                                                 "confirmed": outcome.link_confirmed}
        else:
            login(request, outcome.user, backend=AUTH_BACKEND)
        return outcome

    def handle_resource_launch(self, request, lti_launch):
        try:
            outcome = self._enter(request, lti_launch)
        except services.LaunchRefused as exc:
            return _refused(request, str(exc), status=exc.status)
        if outcome.link_account is not None:
            return redirect("lti:link")
        if outcome.offering is not None:
            return redirect("courses:offering", pk=outcome.offering.pk)
        if outcome.role == Role.INSTRUCTOR:
            messages.info(request, _("This LMS item is not linked to an assignment yet: add it again through "
                                     "the LMS's SeqLab item picker (deep linking)."))
        return redirect("courses:course", slug=outcome.course.slug)

    def handle_deep_linking_launch(self, request, lti_launch):
        try:
            outcome = self._enter(request, lti_launch)
        except services.LaunchRefused as exc:
            return _refused(request, str(exc), status=exc.status)
        if outcome.link_account is not None:
            return redirect("lti:link")
        if outcome.role != Role.INSTRUCTOR:
            return _refused(request, _("Only instructors can add SeqLab assignments to the LMS."))
        request.session[DEEP_LINK_SESSION_KEY] = {"launch_id": lti_launch.get_launch_id(), "course": outcome.course.pk}
        offerings = outcome.course.offerings.select_related("assignment__current_version")
        return render(request, "lti/deep_link.html", {"course": outcome.course, "offerings": offerings})


@login_required
@require_POST
def deep_link_return(request):
    """The instructor's choice goes back to the LMS as signed content items with grade columns."""
    state = request.session.get(DEEP_LINK_SESSION_KEY) or {}
    course = get_object_or_404(Course, pk=state.get("course", 0))
    if not is_instructor(user=request.user, course=course):
        raise PermissionDenied
    ids = [int(x) for x in request.POST.getlist("offering")[:MAX_ITEMS] if str(x).isdigit()]
    chosen = list(course.offerings.filter(pk__in=ids).select_related("assignment__current_version"))
    if not chosen:
        return HttpResponseBadRequest(_("Choose at least one assignment."))
    try:
        lti_launch = get_launch_from_request(request, state["launch_id"])
    except (LtiException, KeyError):
        return _refused(request, _("The LMS session has expired: open the item picker in the LMS again."), 400)
    del request.session[DEEP_LINK_SESSION_KEY]
    launch_url = request.build_absolute_uri(reverse("lti:launch"))
    lang = get_language() or "ko"
    resources = [
        DeepLinkResource().set_url(launch_url).set_title(services.deep_link_title(o, lang))
        .set_custom_params({services.CUSTOM_ASSIGNMENT: o.assignment.slug}).set_target("window")
        .set_lineitem(LineItem().set_label(services.deep_link_title(o, lang)).set_resource_id(o.assignment.slug)
                      .set_score_maximum(float(o.assignment.current_version.max_score
                                               if o.assignment.current_version else 0.0)))
        for o in chosen]
    return lti_launch.deep_link_response(resources)


@login_required
def course_lms(request, slug: str):
    """The instructor's view of the LMS link: which items open what, and how grade passback went."""
    course = get_object_or_404(Course, slug=slug)
    if not is_instructor(user=request.user, course=course):
        raise PermissionDenied
    links = CourseLink.objects.filter(course=course).select_related("context__deployment__registration")
    items = OfferingLink.objects.filter(offering__course=course).select_related("resource_link", "offering__assignment")
    passbacks = (Passback.objects.filter(link__offering__course=course)
                 .select_related("student", "link__offering__assignment").order_by("status", "-sent_at")[:200])
    return render(request, "lti/course.html", {"course": course, "links": links, "items": items,
                                               "passbacks": passbacks})


@login_required
@require_POST
def roster_sync(request, slug: str):
    """An instructor pulls the course's members from the LMS (Names and Role Provisioning)."""
    course = get_object_or_404(Course, slug=slug)
    if not is_instructor(user=request.user, course=course):
        raise PermissionDenied
    links = list(CourseLink.objects.filter(course=course).select_related("context__deployment__registration"))
    if not links:
        raise Http404
    for link in links:
        try:
            counts = passback.roster_sync(link=link)
        except passback.RosterSyncFailed as exc:
            messages.error(request, _("The LMS roster could not be read: %(why)s") % {"why": exc})
            continue
        messages.success(request, _("Roster from the LMS: %(joined)s joined, %(updated)s updated, %(left)s left.")
                         % {k: counts.get(k, 0) for k in ("joined", "updated", "left")})
    return redirect("lti:course", slug=course.slug)


def _link_state(request):
    """The pending link of this browser's last LMS launch: (state, account, launch), or a refusal page."""
    state = request.session.get(LINK_SESSION_KEY) or {}
    account = get_user_model().objects.filter(pk=state.get("account", 0)).first()
    try:
        lti_launch = get_launch_from_request(request, state["launch_id"]) if account else None
    except (LtiException, KeyError):
        lti_launch = None
    if lti_launch is None:
        return None, _refused(request, _("The LMS session has expired: open SeqLab from the LMS course again."), 400)
    return (state, account, lti_launch), None


def _password_ok(account, password: str) -> bool:
    """The account's SeqLab password, with a bounded number of wrong guesses per account."""
    # Keyed by the stored hash too: a password reset by its owner lifts the lock.
    key = "lti-link-tries:" + hashlib.sha256(f"{account.pk}|{account.password}".encode()).hexdigest()
    if (cache.get(key) or 0) >= PASSWORD_TRIES:
        return False
    if account.has_usable_password() and account.check_password(password):
        return True
    cache.add(key, 0, timeout=PASSWORD_WINDOW_SECONDS)
    cache.incr(key)
    return False


@require_http_methods(["GET", "POST"])
def course_link_choose(request):
    """After an LMS instructor's launch from an unlinked LMS course: link one of their courses, or make one."""
    found, refusal = _link_state(request)
    if refusal:
        return refusal
    state, account, lti_launch = found
    courses = services.linkable_courses(account=account)
    form = CourseLinkForm(request.POST or None, courses=courses, confirmed=state["confirmed"])
    if request.method == "POST" and request.POST.get("action") == "new":
        return _link_finish(request, lti_launch, None, None)
    if request.method == "POST" and form.is_valid():
        if not state["confirmed"] and not _password_ok(account, form.cleaned_data["password"]):
            form.add_error("password", _("That is not this account's SeqLab password (or too many tries: wait "
                                         "15 minutes)."))
        else:
            return _link_finish(request, lti_launch, account, form.cleaned_data["course"])
    status = 400 if request.method == "POST" else 200
    return render(request, "lti/link.html", {"form": form, "account": account, "courses": courses,
                                             "context": lti_launch.context}, status=status)


def _link_finish(request, lti_launch, account, course):
    """Link (or, with no course, make a new course as an unlinked first launch does), then enter as the
    launch would have: the account, its membership and the LMS item's offering."""
    try:
        with transaction.atomic():
            if seqlab_role(lti_launch.roles_claim or []) != Role.INSTRUCTOR:
                raise services.LaunchRefused(_("Only an instructor of the LMS course can set it up."))
            if course is not None:
                services.course_link(lti_launch=lti_launch, account=account, course=course)
            outcome = services.launch_enter(lti_launch, role=Role.INSTRUCTOR)
            account, course = outcome.user, outcome.course
    except services.LaunchRefused as exc:
        return _refused(request, str(exc), status=exc.status)
    del request.session[LINK_SESSION_KEY]
    login(request, account, backend=AUTH_BACKEND)
    messages.success(request, _("The LMS course is linked to this course: grades of its items go back to the LMS."))
    return redirect("lti:course", slug=course.slug)


@login_required
@require_POST
def link_code(request, slug: str):
    """A one-time code the instructor adds to the LMS item as a custom parameter to link its LMS course."""
    course = get_object_or_404(Course, slug=slug)
    if not is_instructor(user=request.user, course=course):
        raise PermissionDenied
    if CourseLink.objects.filter(course=course).exists():
        messages.error(request, _("This course is already linked to an LMS course."))
        return redirect("lti:course", slug=course.slug)
    try:
        code = services.link_code_create(actor=request.user, course=course)
    except services.LaunchRefused as exc:       # a superuser who is not the course's instructor
        messages.error(request, str(exc))
        return redirect("lti:course", slug=course.slug)
    messages.success(request, _("Link code: %(param)s=%(code)s. Add it as a custom parameter of a SeqLab item in "
                                "the LMS course and open the item as its instructor within 30 minutes; it works "
                                "once.") % {"param": services.CUSTOM_LINK_CODE, "code": code})
    return redirect("lti:course", slug=course.slug)
