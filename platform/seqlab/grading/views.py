"""The operators' queue page (site staff only): queue length, oldest waiting, workers alive."""
from __future__ import annotations

from dataclasses import asdict

from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.shortcuts import render

from seqlab.grading.selectors import queue_overview


@staff_member_required
def queue_page(request):
    overview = queue_overview()
    if request.GET.get("format") == "json":
        return JsonResponse({"queues": [asdict(q) for q in overview.queues], "workers": overview.workers,
                             "broker_error": overview.broker_error})
    return render(request, "grading/queue.html", {"overview": overview})
