"""Grades, overrides and the audit trail are read-only here: they change only through the
audited services (the review pages), so the admin cannot differ from the pages."""
from django.contrib import admin

from seqlab.core.admin import ReadOnlyAdmin
from seqlab.gradebook.models import AuditEntry, Override, RegradeBatch


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "course", "actor", "action", "subject"]
    list_filter = ["course", "action"]


@admin.register(Override)
class OverrideAdmin(ReadOnlyAdmin):
    list_display = ["submission", "check_number", "score", "author", "updated_at"]
    search_fields = ["submission__student__username"]


@admin.register(RegradeBatch)
class RegradeBatchAdmin(ReadOnlyAdmin):
    list_display = ["offering", "requested_by", "created_at"]
