from django.urls import path

from seqlab.api import views

app_name = "api"
urlpatterns = [
    path("assignments/", views.assignment_list, name="assignments"),
    path("offerings/<int:pk>/submissions/", views.offering_submissions, name="offering_submissions"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
]
