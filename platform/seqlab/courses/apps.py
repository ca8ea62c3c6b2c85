from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "seqlab.courses"
    label = "courses"
