from django.urls import path

from seqlab.submissions import views

app_name = "submissions"
urlpatterns = [
    path("o/<int:pk>/submit/", views.submission_submit, name="submit"),
    path("o/<int:pk>/answers/", views.answers_submit, name="answers"),
    path("s/<int:pk>/", views.submission_detail, name="detail"),
    path("s/<int:pk>/live/", views.submission_live, name="live"),
    path("s/<int:pk>/source/", views.source_download, name="source"),
    path("s/<int:pk>/artifacts/<int:artifact_id>/", views.artifact_view, name="artifact"),
]
