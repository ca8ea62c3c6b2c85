from django.contrib import admin

from seqlab.insight.models import Diagnosis, Hint, HintView, SimilarityPair, SimilarityRun


@admin.register(Diagnosis)
class DiagnosisAdmin(admin.ModelAdmin):
    list_display = ("mistake", "check_key", "offering", "student", "number", "points_lost")
    list_filter = ("offering",)
    search_fields = ("mistake", "student__username")
    raw_id_fields = ("result", "submission", "student")


@admin.register(Hint)
class HintAdmin(admin.ModelAdmin):
    list_display = ("mistake", "offering", "author", "released_at", "withdrawn_at")
    readonly_fields = ("released_at", "withdrawn_at", "withdrawn_by")    # release and withdraw are audited: use the site


@admin.register(HintView)
class HintViewAdmin(admin.ModelAdmin):
    list_display = ("hint", "student", "first_seen_at")


@admin.register(SimilarityRun)
class SimilarityRunAdmin(admin.ModelAdmin):
    list_display = ("offering", "requested_by", "status", "done", "total", "created_at")


@admin.register(SimilarityPair)
class SimilarityPairAdmin(admin.ModelAdmin):
    list_display = ("run", "rank", "score", "source", "behaviour", "decision")
    readonly_fields = ("decision", "decided_by", "decided_at")         # decisions are audited: use the site
