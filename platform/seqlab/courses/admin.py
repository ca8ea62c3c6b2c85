from django.contrib import admin

from seqlab.courses.models import Assignment, AssignmentVersion, Course, Extension, Membership, Offering


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_ko", "term"]
    inlines = [MembershipInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_ko", "file", "queue", "current_version"]


@admin.register(AssignmentVersion)
class AssignmentVersionAdmin(admin.ModelAdmin):
    list_display = ["assignment", "content_hash", "max_score", "synced_at"]
    readonly_fields = ["assignment", "content_hash", "manifest", "checks", "max_score"]


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ["assignment", "course", "release_at", "due_at", "hard_cutoff_at", "score_policy"]
    list_filter = ["course"]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["offering", "student", "due_at", "hard_cutoff_at", "granted_by"]
