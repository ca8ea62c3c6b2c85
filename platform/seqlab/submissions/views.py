"""Submit (code, or a quiz's or written part's answers), watch the live status, read the feedback."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
import unicodedata

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seqlab.core import pagecache
from seqlab.core.upload_quota import upload_too_large
from seqlab.courses.questions import question_views
from seqlab.courses.selectors import questions_of
from seqlab.courses.views import offering_or_404, offering_page, reader_lang
from seqlab.submissions import selectors, services
from seqlab.submissions.forms import AnswersForm, SubmitForm
from seqlab.submissions.models import Submission
from seqlab.submissions.uploads import MAX_FILENAME_CHARS


def submission_or_404(user, pk: int) -> Submission:
    try:
        return selectors.submission_get_for_user(user=user, submission_id=pk)
    except Submission.DoesNotExist:
        raise Http404


@login_required
@require_POST
def submission_submit(request, pk: int):
    offering = offering_or_404(request.user, pk)
    if offering.assignment.takes_answers:            # its page has a form of questions instead
        messages.error(request, _("This assignment takes answers (the form on its page), not files."))
        return redirect("courses:offering", pk=offering.pk)
    form = SubmitForm(request.POST, request.FILES)
    if upload_too_large(request):
        messages.error(request, _("The upload is larger than %(kib)d KiB; nothing was submitted.")
                       % {"kib": settings.SEQLAB_MAX_UPLOAD_BYTES // 1024})
        return redirect("courses:offering", pk=offering.pk)
    if not form.is_valid():
        for error in form.non_field_errors() or [str(form.errors)]:
            messages.error(request, error)
        return redirect("courses:offering", pk=offering.pk)
    files, kind = form.payload(offering.assignment.file)
    try:
        submission = services.submission_create_files(student=request.user, offering=offering,
                                                      files=files, kind=kind)
    except services.SubmissionRefused as refused:
        messages.error(request, str(refused))
        return redirect("courses:offering", pk=offering.pk)
    return redirect("submissions:detail", pk=submission.pk)


@login_required
@require_POST
def answers_submit(request, pk: int):
    """A quiz's or written part's form: submitted as answers.json, or shown again with what was typed."""
    offering = offering_or_404(request.user, pk)
    questions = questions_of(version=offering.assignment.current_version)
    if not questions:
        raise Http404
    form = AnswersForm(request.POST, questions=questions)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Some answers need fixing; nothing was submitted.")]:
            messages.error(request, error)
        return offering_page(request, offering, answers_form=form)
    try:
        submission = services.submission_create_answers(student=request.user, offering=offering,
                                                        answers=form.answers())
    except services.SubmissionRefused as refused:
        messages.error(request, str(refused))
        return offering_page(request, offering, answers_form=form)
    return redirect("submissions:detail", pk=submission.pk)


def _live_context(request, submission: Submission) -> dict:
    if request.user.pk == submission.student_id:    # the student's own attempt: kept until it changes
        # (a queued attempt shows its place in the queue, which others' results move: briefly)
        pagecache.allow(request, seconds=2 if submission.is_pending else None)
    feedback = selectors.feedback_for(viewer=request.user, submission=submission)
    questions = questions_of(version=submission.version)
    return {"submission": submission, "offering": submission.offering, "feedback": feedback,
            "position": selectors.queue_position(submission=submission) if submission.status == "queued" else None,
            "questions": question_views(
                questions, lang=reader_lang(), values=selectors.answers_of(submission=submission),
                checks=feedback.by_number() if feedback else {},
                show_key=selectors.answer_key_visible(viewer=request.user, submission=submission),
            ) if questions else []}


@login_required
@pagecache.per_viewer
def submission_detail(request, pk: int):
    submission = submission_or_404(request.user, pk)
    return render(request, "submissions/detail.html", {
        **_live_context(request, submission), "course": submission.offering.course,
        "lang": reader_lang(),
        "staff": request.user != submission.student})


@login_required
@pagecache.per_viewer
def submission_live(request, pk: int):
    """The status-and-feedback fragment htmx polls while the attempt is queued or running."""
    submission = submission_or_404(request.user, pk)
    return render(request, "submissions/_live.html", _live_context(request, submission))


@login_required
def artifact_view(request, pk: int, artifact_id: int):
    submission = submission_or_404(request.user, pk)
    feedback = selectors.feedback_for(viewer=request.user, submission=submission)
    artifact = next((a for a in (feedback.artifacts if feedback else []) if a.id == artifact_id), None)
    if artifact is None or not artifact.is_image:
        raise Http404
    # The picture drawn in the language the page asked for (`?lang=`, see the artifact_src tag), else in
    # the reader's; the English drawing when its words read the same in Korean (or for an older result).
    lang = request.GET.get("lang")
    named = lang in ("ko", "en")
    response = HttpResponse(bytes(artifact.blob_in(lang if named else reader_lang()).data),
                            content_type=artifact.media_type)
    if not named:                  # the same address serves either language: caches must tell them apart
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
    # An SVG opened on its own is a document that could run script: forbid everything it could
    # load or run, and sandbox it into an opaque origin. Pages show artifacts only as <img>.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Content-Disposition"] = f'inline; filename="{_safe_name(artifact.name)}"'
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:100] or "artifact"


@login_required
def source_download(request, pk: int):
    submission = submission_or_404(request.user, pk)
    response = HttpResponse(bytes(submission.blob.data), content_type="application/octet-stream")
    # Names stored before names were checked may hold anything: send a safe one, encoded per RFC 6266.
    response["Content-Disposition"] = content_disposition_header(True, download_name(submission.filename))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_name(name: str) -> str:
    """The name a browser saves the file as: control characters and separators replaced."""
    cleaned = "".join("_" if (unicodedata.category(ch)[0] == "C" or ch in '/\\') else ch for ch in name)
    return cleaned[:MAX_FILENAME_CHARS] or "submission"
