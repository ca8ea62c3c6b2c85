from django.urls import path

from seqlab.roster import views

app_name = "roster"
urlpatterns = [
    path("new/", views.course_new, name="course_new"),
    path("library/", views.library_view, name="library"),
    path("library/sync/", views.library_sync, name="library_sync"),
    path("c/<slug:slug>/people/", views.people, name="people"),
    path("c/<slug:slug>/people/add/", views.member_add, name="member_add"),
    path("c/<slug:slug>/people/<int:user_id>/drop/", views.member_drop, name="member_drop"),
    path("c/<slug:slug>/people/<int:user_id>/section/", views.student_section, name="student_section"),
    path("c/<slug:slug>/import/", views.roster_import, name="import"),
    path("c/<slug:slug>/import/apply/", views.roster_import_apply, name="import_apply"),
    path("c/<slug:slug>/sections/", views.sections, name="sections"),
    path("c/<slug:slug>/sections/<int:pk>/tas/", views.section_tas, name="section_tas"),
    path("welcome/<uidb64>/<token>/", views.WelcomeView.as_view(), name="welcome"),
]
