"""Submit, watch the live status, read the feedback."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from seqlab.courses.views import offering_or_404
from seqlab.submissions import selectors, services
from seqlab.submissions.forms import SubmitForm
from seqlab.submissions.models import Submission


def submission_or_404(user, pk: int) -> Submission:
    try:
        return selectors.submission_get_for_user(user=user, submission_id=pk)
    except Submission.DoesNotExist:
        raise Http404


@login_required
@require_POST
def submission_submit(request, pk: int):
    offering = offering_or_404(request.user, pk)
    form = SubmitForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.non_field_errors() or [str(form.errors)]:
            messages.error(request, error)
        return redirect("courses:offering", pk=offering.pk)
    filename, content, kind = form.payload(offering.assignment.file)
    try:
        submission = services.submission_create(student=request.user, offering=offering,
                                                filename=filename, content=content, kind=kind)
    except services.SubmissionRefused as refused:
        messages.error(request, str(refused))
        return redirect("courses:offering", pk=offering.pk)
    return redirect("submissions:detail", pk=submission.pk)


def _live_context(request, submission: Submission) -> dict:
    return {"submission": submission, "offering": submission.offering,
            "feedback": selectors.feedback_for(viewer=request.user, submission=submission),
            "position": selectors.queue_position(submission=submission) if submission.status == "queued" else None}


@login_required
def submission_detail(request, pk: int):
    submission = submission_or_404(request.user, pk)
    from seqlab.courses.rendering import highlight_python
    source = bytes(submission.blob.data).decode("utf-8", errors="replace")
    return render(request, "submissions/detail.html", {
        **_live_context(request, submission), "course": submission.offering.course,
        "source_html": highlight_python(source) if submission.filename.endswith(".py") else "",
        "staff": request.user != submission.student})


@login_required
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
    response = HttpResponse(bytes(artifact.blob.data), content_type=artifact.media_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
def source_download(request, pk: int):
    submission = submission_or_404(request.user, pk)
    response = HttpResponse(bytes(submission.blob.data), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{submission.filename}"'
    return response
