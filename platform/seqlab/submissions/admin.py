"""Attempts and their results are read-only here: grades change only through the audited
services (regrade, overrides), never by editing a row."""
from django.contrib import admin

from seqlab.core.admin import ReadOnlyAdmin
from seqlab.submissions.models import Result, Submission


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["id", "offering", "student", "number", "status", "run", "submitted_at", "late_days"]
    list_filter = ["status", "offering__course"]
    search_fields = ["student__username"]
    raw_id_fields = ["blob", "current_result"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["submission", "run", "score", "max_score", "gradable", "created_at"]
