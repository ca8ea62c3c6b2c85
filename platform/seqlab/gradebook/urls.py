from django.urls import path

app_name = "gradebook"
urlpatterns: list = []
