from django.urls import path

from seqlab.regrades import views

app_name = "regrades"
urlpatterns = [
    path("s/<int:pk>/", views.request_create, name="create"),
    path("r/<int:pk>/withdraw/", views.request_withdraw, name="withdraw"),
    path("c/<slug:slug>/", views.queue, name="queue"),
    path("r/<int:pk>/", views.answer, name="answer"),
]
