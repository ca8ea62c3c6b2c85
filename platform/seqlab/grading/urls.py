from django.urls import path

from seqlab.grading import views

app_name = "grading"
urlpatterns = [
    path("queue/", views.queue_page, name="queue"),
]
