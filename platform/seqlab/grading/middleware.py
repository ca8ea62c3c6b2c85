"""A database outage is a 503 with Retry-After, never a 500: the client should simply retry.

Nothing was stored when the database could not be reached (a submission's row, its bytes and
its queueing commit together or not at all), so telling the client to come back is honest.
"""
from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from seqlab.grading.conf import setting
from seqlab.grading.faults import database_down

log = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Turn OperationalError/InterfaceError raised by a view into 503 + Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_down(exception):
            return None
        log.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
        wait = setting("SEQLAB_RETRY_AFTER_SECONDS")
        detail = _("The service is briefly unavailable; nothing was saved. Try again in %(s)d seconds.") % {"s": wait}
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse({"error": "unavailable", "detail": detail}, status=503)
        else:
            response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(wait)
        return response
