"""The JSON API for the command-line client: token or session auth, thin views."""
from __future__ import annotations

import base64
import binascii

from django.http import Http404
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from seqlab.api.serializers import offering_json, submission_json
from seqlab.courses import selectors as course_selectors
from seqlab.courses.views import offering_or_404
from seqlab.submissions import selectors, services
from seqlab.submissions.models import Kind, Submission


@api_view(["GET"])
def assignment_list(request):
    offerings = [o for course in course_selectors.course_list_for_user(user=request.user)
                 for o in course_selectors.offering_list_for_user(user=request.user, course=course)]
    return Response({"assignments": [offering_json(o, request.user) for o in offerings]})


def _upload(request) -> tuple[str, bytes]:
    """A multipart `file`, or JSON {filename, content_base64 | content}."""
    if "file" in request.FILES:
        upload = request.FILES["file"]
        return upload.name, upload.read()
    filename = str(request.data.get("filename", ""))
    if "content_base64" in request.data:
        return filename, base64.b64decode(request.data["content_base64"], validate=True)
    return filename, str(request.data.get("content", "")).encode("utf-8")


@api_view(["GET", "POST"])
def offering_submissions(request, pk: int):
    offering = offering_or_404(request.user, pk)
    if request.method == "GET":
        subs = selectors.submission_list_for_student(offering=offering, student=request.user)
        return Response({"submissions": [submission_json(s, None, request) for s in subs]})
    try:
        filename, content = _upload(request)
        submission = services.submission_create(student=request.user, offering=offering,
                                                filename=filename or offering.assignment.file,
                                                content=content, kind=Kind.API)
    except (binascii.Error, ValueError):
        return Response({"error": "bad_upload", "detail": "content_base64 is not valid base64"}, status=400)
    except services.SubmissionRefused as refused:
        return Response({"error": refused.code, "detail": str(refused)}, status=status.HTTP_409_CONFLICT)
    return Response(submission_json(submission, None, request), status=status.HTTP_201_CREATED)


@api_view(["GET"])
def submission_detail(request, pk: int):
    # The call clients poll while grading runs: one query by primary key, no blob, no feedback
    # (a run with no result yet has none to show).
    pending = Submission.objects.filter(pk=pk, student=request.user, current_result__isnull=True,
                                        status__in=["queued", "running"]).first()
    if pending is not None:
        return Response(submission_json(pending, None, request))
    try:
        submission = selectors.submission_get_for_user(user=request.user, submission_id=pk)
    except Submission.DoesNotExist:
        raise Http404
    feedback = selectors.feedback_for(viewer=request.user, submission=submission)
    return Response(submission_json(submission, feedback, request))
