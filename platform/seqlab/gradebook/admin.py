from django.contrib import admin

from seqlab.gradebook.models import AuditEntry, Override


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "course", "actor", "action", "subject"]
    list_filter = ["course", "action"]

    def has_change_permission(self, request, obj=None):
        return False        # the trail is append-only

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Override)
