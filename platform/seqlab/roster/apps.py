from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "seqlab.roster"
    verbose_name = "course and roster management"
