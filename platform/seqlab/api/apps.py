from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "seqlab.api"
    label = "api"
