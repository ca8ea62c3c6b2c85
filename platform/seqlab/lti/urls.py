from django.urls import path
from lti_tool.views import OIDCLoginInitView, jwks

from seqlab.lti import views

app_name = "lti"
urlpatterns = [
    path("login/<uuid:registration_uuid>/", OIDCLoginInitView.as_view(), name="login"),
    path("launch/", views.LaunchView.as_view(), name="launch"),
    path("jwks/", jwks, name="jwks"),
    path("link/", views.course_link_choose, name="link"),
    path("deep-link/", views.deep_link_return, name="deep_link_return"),
    path("c/<slug:slug>/", views.course_lms, name="course"),
    path("c/<slug:slug>/link-code/", views.link_code, name="link_code"),
    path("c/<slug:slug>/roster/", views.roster_sync, name="roster_sync"),
]
