from django.urls import path

from seqlab.courses import views

app_name = "courses"
urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.course_detail, name="course"),
    path("o/<int:pk>/", views.offering_detail, name="offering"),
    path("o/<int:pk>/starter/", views.starter_download, name="starter"),
    path("o/<int:pk>/start/", views.timed_start, name="timed_start"),
    path("c/<slug:slug>/accommodations/", views.accommodations, name="accommodations"),
    path("c/<slug:slug>/accommodations/<int:user_id>/remove/", views.accommodation_remove,
         name="accommodation_remove"),
]
