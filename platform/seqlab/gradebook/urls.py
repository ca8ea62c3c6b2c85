from django.urls import path

from seqlab.gradebook import views

app_name = "gradebook"
urlpatterns = [
    path("c/<slug:slug>/review/", views.review_queue, name="review"),
    path("c/<slug:slug>/audit/", views.audit, name="audit"),
    path("c/<slug:slug>/gradebook/", views.gradebook, name="gradebook"),
    path("c/<slug:slug>/gradebook.csv", views.gradebook_csv, name="gradebook_csv"),
    path("c/<slug:slug>/offerings/", views.offerings, name="offerings"),
    path("c/<slug:slug>/categories/", views.categories, name="categories"),
    path("s/<int:pk>/", views.review_detail, name="review_detail"),
    path("s/<int:pk>/override/", views.override_submit, name="override"),
    path("s/<int:pk>/regrade/", views.regrade_one, name="regrade_one"),
    path("o/<int:pk>/", views.offering_edit, name="offering_edit"),
    path("o/<int:pk>/extensions/", views.extension_add, name="extension_add"),
    path("o/<int:pk>/publish/", views.publish, name="publish"),
    path("o/<int:pk>/regrade/", views.regrade_all, name="regrade_all"),
    path("o/<int:pk>/regrade/progress/", views.regrade_progress, name="regrade_progress"),
    path("o/<int:pk>/histogram.png", views.histogram, name="histogram"),
    path("o/<int:pk>/written/", views.written, name="written"),
    path("s/<int:pk>/written/", views.written_grade, name="written_grade"),
]
