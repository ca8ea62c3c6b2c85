from django.apps import AppConfig


class GradebookConfig(AppConfig):
    name = "seqlab.gradebook"
    label = "gradebook"
