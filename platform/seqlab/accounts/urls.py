from django.contrib.auth import views as auth_views
from django.urls import path

from seqlab.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("token/", views.token_page, name="token"),
    path("token/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
]
