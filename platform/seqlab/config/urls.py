"""The site's URL map: one include per app."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("seqlab.accounts.urls")),
    path("api/", include("seqlab.api.urls")),
    path("staff/", include("seqlab.gradebook.urls")),
    path("lti/", include("seqlab.lti.urls")),
    path("regrades/", include("seqlab.regrades.urls")),
    path("manage/", include("seqlab.roster.urls")),
    path("ops/", include("seqlab.grading.urls")),
    path("staff/", include("seqlab.insight.urls")),
    path("", include("seqlab.submissions.urls")),
    path("", include("seqlab.courses.urls")),
]
