"""The JSON API for the command-line client: token or session auth, thin views."""
from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.response import Response

from seqlab.api.bodies import SubmissionBody
from seqlab.api.serializers import offering_json, submission_json
from seqlab.api.throttles import SubmitThrottle, UserThrottle
from seqlab.core import pagecache
from seqlab.core.upload_quota import upload_too_large
from seqlab.courses import selectors as course_selectors
from seqlab.courses.views import offering_or_404
from seqlab.submissions import selectors, services
from seqlab.submissions.models import Kind, Submission
from seqlab.submissions.uploads import SubmissionRefused, UploadFile


@api_view(["GET"])
def assignment_list(request):
    offerings = [o for course in course_selectors.course_list_for_user(user=request.user)
                 for o in course_selectors.offering_list_for_user(user=request.user, course=course)]
    return Response({"assignments": [offering_json(o, request.user) for o in offerings]})


def _uploads(request, offering) -> list[UploadFile]:
    """Several multipart `file` parts, or a JSON body checked by SubmissionBody."""
    parts = request.FILES.getlist("file") if hasattr(request.FILES, "getlist") else []
    limit = settings.SEQLAB_MAX_UPLOAD_BYTES
    if upload_too_large(request):
        raise SubmissionRefused("too_large", _("The upload is larger than %(n)d KiB.") % {"n": limit // 1024})
    if parts:
        too_big = next((p.name for p in parts if p.size > limit), None)
        if too_big is not None:     # refused before a byte of it is read into memory
            raise SubmissionRefused("too_large", _("%(name)s is larger than %(n)d KiB.") % {"name": too_big[:100], "n": limit // 1024})
        return [UploadFile(p.name, p.read()) for p in parts]
    body = SubmissionBody(data=request.data)
    body.is_valid(raise_exception=True)
    return body.uploads(offering.assignment.file)


@api_view(["GET", "POST"])
@throttle_classes([UserThrottle, SubmitThrottle])
def offering_submissions(request, pk: int):
    offering = offering_or_404(request.user, pk)
    if request.method == "GET":
        subs = selectors.submission_list_for_student(offering=offering, student=request.user)
        return Response({"submissions": [submission_json(s, None, request) for s in subs]})
    try:
        submission = services.submission_create_files(student=request.user, offering=offering,
                                                      files=_uploads(request, offering), kind=Kind.API)
    except services.SubmissionRefused as refused:
        return Response({"error": refused.code, "detail": str(refused)}, status=_REFUSAL_STATUS.get(
            refused.code, status.HTTP_409_CONFLICT))
    return Response(submission_json(submission, None, request), status=status.HTTP_201_CREATED)


# A request that cannot be graded as sent is a 400 (413 when too large); a rule of the offering
# (deadline, limits, cool-down, queued work) is a 409, as before.
_REFUSAL_STATUS = {"bad_filename": 400, "bad_upload": 400, "bad_answers": 400, "file_type": 400,
                   "no_file": 400, "too_many_files": 400, "too_large": 413}


@api_view(["GET"])
@pagecache.per_viewer
def submission_detail(request, pk: int):
    # The call clients poll while grading runs: from the cache until the attempt changes, else one
    # query by primary key, no blob, no feedback (a run with no result yet has none to show).
    pending = Submission.objects.filter(pk=pk, student=request.user, current_result__isnull=True,
                                        status__in=["queued", "running"]).first()
    if pending is not None:
        pagecache.allow(request)
        return Response(submission_json(pending, None, request))
    try:
        submission = selectors.submission_get_for_user(user=request.user, submission_id=pk)
    except Submission.DoesNotExist:
        raise Http404
    if submission.student_id == request.user.pk:
        pagecache.allow(request)
    feedback = selectors.feedback_for(viewer=request.user, submission=submission)
    return Response(submission_json(submission, feedback, request))
