from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "seqlab.submissions"
    label = "submissions"
